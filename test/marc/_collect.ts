/** Test helper: run a reader over one input or several chunks and collect what it yields. */
import type { ReadResult } from "../../src/marc/issue.js";
import type { MarcRecord } from "../../src/marc/record.js";

type Reader = (
  input: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
) => AsyncGenerator<ReadResult<MarcRecord>>;

export async function collect(
  reader: Reader,
  input: string | Uint8Array | readonly (string | Uint8Array)[],
): Promise<ReadResult<MarcRecord>[]> {
  const chunks = typeof input === "string" || input instanceof Uint8Array ? [input] : input;
  const out: ReadResult<MarcRecord>[] = [];
  for await (const r of reader(chunks)) out.push(r);
  return out;
}
