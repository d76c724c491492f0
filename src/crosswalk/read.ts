/**
 * Reading records of a UNIMARC-family file. ISO 2709 UNIMARC states its character set in
 * 100 $a/26-33, not in leader/09 (which UNIMARC leaves blank and the MARC 21 reader would take
 * for MARC-8): records are read byte for byte and decoded here — UTF-8 when the bytes are
 * UTF-8 (whatever 100 says: real exports often say `0103` and hold UTF-8; leader/09 `a`, as
 * marcgate writes them, is read as UTF-8 at once), else ISO 5426 when
 * 100 $a/26-27 names it (`03`), else ISO 8859-1 with a note.
 */
import { readFormat, type FormatName } from "../marc/formats.js";
import type { MarcIssue, ReadResult } from "../marc/issue.js";
import { isControlField, type Field, type MarcRecord } from "../marc/record.js";
import { decodeIso5426 } from "./iso5426.js";

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** The record's text re-decoded from the bytes a latin1 reading kept. */
export function decodeUnimarcText(record: MarcRecord): { record: MarcRecord; issues: MarcIssue[] } {
  // leader/09 `a` (as marcgate writes UTF-8 records): the reader decoded UTF-8 already.
  if (record.leader[9] === "a") return { record, issues: [] };
  const bytesOf = (s: string): Buffer => Buffer.from(s, "latin1");
  const all = record.fields.map((f) =>
    isControlField(f) ? f.value : f.subfields.map((s) => s.value).join(""),
  );
  if (all.every((s) => !/[\u0080-\u00ff]/.test(s))) return { record, issues: [] };
  let decode: (s: string) => string;
  const issues: MarcIssue[] = [];
  try {
    for (const s of all) utf8.decode(bytesOf(s));
    decode = (s) => utf8.decode(bytesOf(s));
  } catch {
    const f100 = record.fields.find(
      (f): f is Extract<Field, { subfields: unknown }> => f.tag === "100" && !isControlField(f),
    );
    const sets = f100?.subfields.find((s) => s.code === "a")?.value.slice(26, 30) ?? "";
    if (sets.startsWith("03") || sets.slice(2, 4) === "03") {
      decode = (s) => decodeIso5426(bytesOf(s));
    } else {
      decode = (s) => s;
      issues.push({
        severity: "major",
        offset: 0,
        tag: "100",
        message: `bytes are not UTF-8 and 100 $a/26-29 ("${sets}") names no character set marcgate reads; read as ISO 8859-1`,
      });
    }
  }
  const fields: Field[] = record.fields.map((f) =>
    isControlField(f)
      ? { tag: f.tag, value: decode(f.value) }
      : { ...f, subfields: f.subfields.map((s) => ({ code: s.code, value: decode(s.value) })) },
  );
  return { record: { leader: record.leader, fields }, issues };
}

/** Reads UNIMARC records in any of the four formats; ISO 2709 decoded as above. */
export async function* readUnimarc(
  format: FormatName,
  chunks: AsyncIterable<Uint8Array>,
): AsyncGenerator<ReadResult<MarcRecord>> {
  if (format !== "iso2709") {
    yield* readFormat(format, chunks);
    return;
  }
  for await (const r of readFormat(format, chunks, { marc8: "keep" })) {
    if (!r.record) {
      yield r;
      continue;
    }
    const decoded = decodeUnimarcText(r.record);
    yield {
      ...r,
      record: decoded.record,
      issues: [...r.issues, ...decoded.issues.map((i) => ({ ...i, offset: r.offset }))],
    };
  }
}
