/**
 * How the catalog stores a MARC record in a column: ISO 2709 bytes (UTF-8) when the record fits
 * ISO 2709 — compact and fast to read back — else MARC-in-JSON text (a record over 99,999
 * bytes, or with a field over 9,999, can come out of a merge). The first byte tells which: ISO
 * 2709 starts with a digit, JSON with `{`.
 */
import { decodeIso2709, writeIso2709 } from "../marc/iso2709.js";
import type { MarcIssue } from "../marc/issue.js";
import type { MarcRecord } from "../marc/record.js";
import { marcJsonToRecord, writeMarcJson } from "../marc/marcjson.js";

/** The bytes to store for a record. */
export function encodeStoredMarc(record: MarcRecord): Buffer {
  try {
    return writeIso2709(record);
  } catch (error) {
    // Too big for ISO 2709 (the writer's one refusal for Unicode records).
    if (error instanceof RangeError) return Buffer.from(writeMarcJson(record), "utf8");
    throw error;
  }
}

/**
 * The record stored as {@link encodeStoredMarc} wrote it. Stored data is ours: a bad row is a bug.
 * `minor` issues are not: they name oddities the record arrived with and keeps exactly (a
 * non-ASCII indicator or subfield code, a control character in leader/22), which the readers
 * report on every read without changing anything.
 */
export function decodeStoredMarc(bytes: Uint8Array): MarcRecord {
  const lossy = (issues: readonly MarcIssue[]): MarcIssue[] =>
    issues.filter((i) => i.severity !== "minor" && i.severity !== "info");
  if (bytes[0] === 0x7b) {
    const read = marcJsonToRecord(JSON.parse(Buffer.from(bytes).toString("utf8")));
    const record = read.record;
    const issues = lossy(read.issues);
    if (!record || issues.length > 0) {
      throw new Error(
        `stored record does not read back cleanly: ${issues.map((i) => i.message).join("; ")}`,
      );
    }
    return record;
  }
  const result = decodeIso2709(bytes);
  if (!result.record || lossy(result.issues).length > 0) {
    throw new Error(
      `stored record does not read back cleanly: ${lossy(result.issues)
        .map((i) => i.message)
        .join("; ")}`,
    );
  }
  return result.record;
}
