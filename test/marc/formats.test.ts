import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import {
  FORMAT_NAMES,
  formatWriter,
  readFormat,
  sniffFormat,
  type FormatName,
} from "../../src/marc/formats.js";
import type { ReadResult } from "../../src/marc/issue.js";
import type { Field, MarcRecord } from "../../src/marc/record.js";

/** Characters no format here can carry in a value: ISO 2709 delimiters and what XML 1.0 forbids. */
// eslint-disable-next-line no-control-regex -- the point is to remove control characters
const UNCARRIABLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

const text = fc.string({ unit: "grapheme", maxLength: 40 }).map((s) => s.replace(UNCARRIABLE, "?"));
const specials = fc.constantFrom(
  "$",
  "{",
  "}",
  "\\",
  "&",
  "<",
  ">",
  '"',
  "'",
  " ",
  "{dollar}",
  "\t",
);
const value = fc
  .array(fc.oneof({ weight: 4, arbitrary: text }, { weight: 1, arbitrary: specials }), {
    maxLength: 4,
  })
  .map((parts) => parts.join(""));
const indicator = fc.constantFrom(" ", "0", "1", "2", "4", "a", "#");
const code = fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789");
const digit = fc.integer({ min: 0, max: 9 }).map(String);

const controlField: fc.Arbitrary<Field> = fc.record({
  tag: digit.map((d) => `00${d === "0" ? "1" : d}`),
  value: value.map((v) => v.replace(/\$/g, "")),
});
const dataField: fc.Arbitrary<Field> = fc.record({
  tag: fc.integer({ min: 10, max: 999 }).map((n) => String(n).padStart(3, "0")),
  ind1: indicator,
  ind2: indicator,
  subfields: fc.array(fc.record({ code, value }), { minLength: 1, maxLength: 5 }),
});
const leader = fc
  .tuple(
    fc.constantFrom("n", "c", "d"),
    fc.constantFrom("a", "c", "m", "z"),
    fc.constantFrom("m", "s", "i"),
    fc.constantFrom(" ", "1", "7", "I"),
  )
  .map(
    ([status, type, level, encoding]) => `00000${status}${type}${level} a2200000${encoding}i 4500`,
  );
const record: fc.Arbitrary<MarcRecord> = fc.record({
  leader,
  fields: fc.array(fc.oneof(controlField, dataField), { maxLength: 12 }),
});

async function roundTrip(
  format: FormatName,
  records: MarcRecord[],
): Promise<ReadResult<MarcRecord>[]> {
  const writer = formatWriter(format);
  const parts: Buffer[] = [Buffer.from(writer.start)];
  records.forEach((r, i) => {
    const out = writer.record(r, i);
    if (typeof out === "object" && "error" in out) throw new Error(out.error);
    parts.push(typeof out === "string" ? Buffer.from(out) : Buffer.from(out));
  });
  parts.push(Buffer.from(writer.end));
  const bytes = Buffer.concat(parts);
  assert.equal(sniffFormat(bytes), format, "the written output is sniffed as its format");
  const out: ReadResult<MarcRecord>[] = [];
  // Deliver in small chunks so that readers meet split characters and split markup.
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += 7) chunks.push(bytes.subarray(i, i + 7));
  for await (const r of readFormat(format, chunks)) out.push(r);
  return out;
}

/** ISO 2709 recomputes leader/00-04, /10-11 and /12-16. */
function comparable(r: MarcRecord, format: FormatName): MarcRecord {
  return format === "iso2709" ? { ...r, leader: r.leader.slice(5, 10) + r.leader.slice(17) } : r;
}

describe("every format: write then read gives the same records", () => {
  for (const format of FORMAT_NAMES) {
    test(`${format}: random records survive write → read`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(record, { minLength: 1, maxLength: 3 }), async (generated) => {
          // fast-check builds objects without a prototype; readers build plain ones.
          const records = JSON.parse(JSON.stringify(generated)) as MarcRecord[];
          const back = await roundTrip(format, records);
          assert.deepEqual(
            back.map((r) => r.issues),
            records.map(() => []),
          );
          assert.deepEqual(
            back.map((r) => comparable(r.record!, format)),
            records.map((r) => comparable(r, format)),
          );
        }),
        { numRuns: 150 },
      );
    });
  }
});

describe("sniffFormat", () => {
  const cases: [string, string, FormatName][] = [
    ["MARCXML with a declaration", '<?xml version="1.0"?><collection/>', "marcxml"],
    ["MARCXML after a byte order mark and blank lines", "\ufeff\n\n<record/>", "marcxml"],
    ["a JSON array", ' [{"leader":""}]', "json"],
    ["a JSON object", '{"leader":""}', "json"],
    ["mnemonic", "=LDR  00000nam", "mrk"],
    ["ISO 2709", "00026nam a2200025   4500\x1e\x1d", "iso2709"],
    ["garbage goes to ISO 2709, whose reader reports it", "hello", "iso2709"],
  ];
  for (const [name, input, expected] of cases) {
    test(name, () => assert.equal(sniffFormat(Buffer.from(input)), expected));
  }
});
