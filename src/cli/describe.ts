import type { ReadResult } from "../marc/issue.js";
import { getControlValue, type MarcRecord } from "../marc/record.js";

/** How a command names a record in its messages: `record 12 (byte 3456, 001 ocm123)`. */
export function describeRecord(result: ReadResult<MarcRecord>): string {
  const id = result.record ? getControlValue(result.record, "001") : undefined;
  return `record ${result.index + 1} (byte ${result.offset}${id ? `, 001 ${id}` : ""})`;
}
