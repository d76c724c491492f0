import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { ReadResult } from "../../src/marc/issue.js";
import type { MarcRecord } from "../../src/marc/record.js";
import {
  MARCJSON_ARRAY_END,
  MARCJSON_ARRAY_SEPARATOR,
  MARCJSON_ARRAY_START,
  readMarcJson,
  writeMarcJson,
  writeMarcJsonArray,
  writeMarcJsonLines,
} from "../../src/marc/marcjson.js";
import { collect } from "./_collect.js";

const LEADER = "01234nam a2200289 i 4500";

function read(
  input: string | Uint8Array | readonly (string | Uint8Array)[],
): Promise<ReadResult<MarcRecord>[]> {
  return collect(readMarcJson, input);
}

const brief: MarcRecord = { leader: LEADER, fields: [{ tag: "001", value: "x1" }] };

const tricky: MarcRecord = {
  leader: LEADER,
  fields: [
    { tag: "001", value: "ocm 123\\x" },
    {
      tag: "245",
      ind1: "1",
      ind2: "0",
      subfields: [
        { code: "a", value: `Fish & chips <"quoted"> 'apostrophe' $5 {brace} back\\slash` },
        { code: "b", value: "" },
        { code: "c", value: "  spaced  \n\t\u0000\u001e" },
      ],
    },
    {
      tag: "880",
      ind1: " ",
      ind2: " ",
      subfields: [
        { code: "6", value: "245-01/$1" },
        { code: "a", value: "漢字テスト e\u0301 𝄞 \ud800 lone" },
      ],
    },
    { tag: "CAT", ind1: "0", ind2: " ", subfields: [{ code: "a", value: "alpha tag" }] },
    { tag: "999", ind1: " ", ind2: " ", subfields: [] },
  ],
};

test("writes one compact object per record", () => {
  assert.equal(
    writeMarcJson({
      leader: LEADER,
      fields: [
        { tag: "001", value: "x1" },
        {
          tag: "245",
          ind1: "1",
          ind2: "0",
          subfields: [
            { code: "a", value: "T" },
            { code: "c", value: "A" },
          ],
        },
      ],
    }),
    `{"leader":"${LEADER}","fields":[{"001":"x1"},{"245":{"ind1":"1","ind2":"0","subfields":[{"a":"T"},{"c":"A"}]}}]}`,
  );
});

test("writes arrays and lines from their pieces", () => {
  const one = writeMarcJson(brief);
  assert.equal(writeMarcJsonArray([brief, brief]), `[${one},\n${one}]\n`);
  assert.equal(
    MARCJSON_ARRAY_START + one + MARCJSON_ARRAY_SEPARATOR + one + MARCJSON_ARRAY_END,
    `[${one},\n${one}]\n`,
  );
  assert.equal(writeMarcJsonArray([]), "[]\n");
  assert.equal(writeMarcJsonLines([brief, brief]), `${one}\n${one}\n`);
});

test("reads one object", async () => {
  const results = await read(writeMarcJson(brief));
  assert.deepEqual(results, [{ record: brief, issues: [], offset: 0, index: 0 }]);
});

test("reads a pretty-printed array", async () => {
  const text = JSON.stringify(JSON.parse(writeMarcJsonArray([brief, tricky])), null, 2);
  const results = await read(text);
  assert.deepEqual(
    results.map((r) => r.record),
    [brief, tricky],
  );
  assert.deepEqual(
    results.map((r) => r.offset),
    [4, text.indexOf('{\n    "leader"', 5)],
  );
});

test("reads newline-delimited JSON with CRLF", async () => {
  const text = writeMarcJson(brief) + "\r\n" + writeMarcJson(tricky) + "\r\n";
  const results = await read(text);
  assert.deepEqual(
    results.map((r) => r.record),
    [brief, tricky],
  );
});

test("reads pretty-printed objects one after the other", async () => {
  const one = JSON.stringify(JSON.parse(writeMarcJson(brief)), null, 1);
  const results = await read(one + "\n" + one);
  assert.deepEqual(
    results.map((r) => r.record),
    [brief, brief],
  );
});

test("reads an empty array and empty input as no records", async () => {
  assert.deepEqual(await read("[ ]"), []);
  assert.deepEqual(await read(""), []);
});

test("syntax error in a line: fatal issue with line and column, next line still read", async () => {
  const text = `${writeMarcJson(brief)}\n{"leader":"${LEADER}","fields":[{"001" "x"}]}\n${writeMarcJson(brief)}\n`;
  const results = await read(text);
  assert.deepEqual(
    results.map((r) => r.record),
    [brief, undefined, brief],
  );
  assert.deepEqual(results[1]!.issues, [
    {
      severity: "fatal",
      offset: writeMarcJson(brief).length + 1,
      line: 2,
      message: "JSON syntax error at line 2, column 55: Expected ':' after property name",
    },
  ]);
});

test("unterminated line in NDJSON costs only that line", async () => {
  const text = `${writeMarcJson(brief)}\n{"leader":"${LEADER}","fields":[\n${writeMarcJson(brief)}\n`;
  const results = await read(text);
  assert.deepEqual(
    results.map((r) => [r.record, r.issues.map((i) => [i.severity, i.line])]),
    [
      [brief, []],
      [undefined, [["fatal", 2]]],
      [brief, []],
    ],
  );
});

test("garbage line in NDJSON: fatal issue, reading goes on", async () => {
  const text = `${writeMarcJson(brief)}\nnot json\n${writeMarcJson(brief)}\n`;
  const results = await read(text);
  assert.deepEqual(
    results.map((r) => [r.record, r.issues.map((i) => i.message)]),
    [
      [brief, []],
      [
        undefined,
        ['JSON syntax error at line 2, column 1: expected "{" to start a record, found "n"'],
      ],
      [brief, []],
    ],
  );
});

test("input that is not JSON at all: one fatal issue", async () => {
  const results = await read("00714cam a2200205 a 4500");
  assert.deepEqual(
    results.map((r) => [r.record, r.issues.map((i) => i.message)]),
    [[undefined, ['JSON syntax error at line 1, column 1: expected "{" or "[", found "0"']]],
  );
});

test("syntax error between array elements stops reading", async () => {
  const results = await read(`[${writeMarcJson(brief)}\n  x ${writeMarcJson(brief)}]`);
  assert.deepEqual(
    results.map((r) => [r.record, r.issues.map((i) => i.message)]),
    [
      [brief, []],
      [
        undefined,
        ['JSON syntax error at line 2, column 3: expected "," or "]" after a record, found "x"'],
      ],
    ],
  );
});

test("array without closing bracket: fatal issue at the end", async () => {
  const results = await read(`[${writeMarcJson(brief)},\n`);
  assert.deepEqual(
    results.map((r) => [r.record, r.issues.map((i) => i.message)]),
    [
      [brief, []],
      [
        undefined,
        [
          'JSON syntax error at line 2, column 1: unexpected end of input: the JSON array has no closing "]"',
        ],
      ],
    ],
  );
});

test("raw control character in a string is read as if escaped", async () => {
  const text = `[{"leader":"${LEADER}",\n"fields":[{"100":{"ind1":"1","ind2":" ","subfields":[{"a":"Dylan,\n Bob"}]}}]}]`;
  const results = await read(text);
  assert.deepEqual(results[0]!.record?.fields, [
    { tag: "100", ind1: "1", ind2: " ", subfields: [{ code: "a", value: "Dylan,\n Bob" }] },
  ]);
  assert.deepEqual(
    results[0]!.issues.map((i) => [i.severity, i.line, i.message]),
    [["minor", 2, "raw control character in a string at line 2, column 66; read as if escaped"]],
  );
});

test("record that is not an object is fatal", async () => {
  const results = await read(`[1, ${writeMarcJson(brief)}]`);
  assert.deepEqual(
    results.map((r) => [r.record, r.issues.map((i) => [i.severity, i.message])]),
    [
      [undefined, [["fatal", "expected a record object, got a number"]]],
      [brief, []],
    ],
  );
});

test("missing leader: default leader and an issue", async () => {
  const [r] = await read(`{"fields":[]}`);
  assert.deepEqual(r!.record, { leader: "00000nam a2200000   4500", fields: [] });
  assert.deepEqual(r!.issues, [
    {
      severity: "major",
      offset: 0,
      line: 1,
      message: 'leader: missing; using default leader "00000nam a2200000   4500"',
    },
  ]);
});

test("leader of the wrong length is padded", async () => {
  const [r] = await read(`{"leader":"00000nam","fields":[]}`);
  assert.equal(r!.record?.leader, "00000nam                ");
  assert.deepEqual(
    r!.issues.map((i) => i.message),
    ["leader: leader is 8 characters, expected 24; padded with blanks"],
  );
});

test("wrong shapes are reported with their JSON path", async () => {
  const json = {
    leader: LEADER,
    fields: [
      "001",
      {},
      { "001": 5 },
      {
        "245": {
          ind1: "10",
          subfields: [{ a: "T" }, ["b"], {}, { bc: "x" }, { d: 7 }, { e: null }],
        },
      },
      { "500": { ind1: " ", ind2: " ", subfields: "none" } },
      { "650": { ind1: " ", ind2: 0 } },
    ],
  };
  const [r] = await read(JSON.stringify(json));
  assert.deepEqual(r!.record?.fields, [
    {
      tag: "245",
      ind1: "1",
      ind2: " ",
      subfields: [
        { code: "a", value: "T" },
        { code: "d", value: "7" },
      ],
    },
    { tag: "500", ind1: " ", ind2: " ", subfields: [] },
    { tag: "650", ind1: " ", ind2: " ", subfields: [] },
  ]);
  assert.deepEqual(
    r!.issues.map((i) => [i.severity, i.tag, i.message]),
    [
      [
        "major",
        undefined,
        "fields[0]: expected an object with one tag, got a string; field dropped",
      ],
      ["major", undefined, "fields[1]: empty object; field dropped"],
      [
        "major",
        "001",
        "fields[2].001: expected a string or an object, got a number; field dropped",
      ],
      ["major", "245", 'fields[3].245.ind1: "10" is longer than one character; using "1"'],
      ["minor", "245", "fields[3].245.ind2: missing; using blank"],
      [
        "major",
        "245",
        "fields[3].245.subfields[1]: expected an object with one code, got an array; subfield dropped",
      ],
      ["major", "245", "fields[3].245.subfields[2]: empty object; subfield dropped"],
      [
        "major",
        "245",
        'fields[3].245.subfields[3]: code "bc" is not one character; subfield dropped',
      ],
      ["minor", "245", 'fields[3].245.subfields[4].d: a number; read as the string "7"'],
      [
        "major",
        "245",
        "fields[3].245.subfields[5].e: expected a string, got null; subfield dropped",
      ],
      [
        "major",
        "500",
        "fields[4].500.subfields: expected an array, got a string; field has no subfields",
      ],
      ["minor", "650", "fields[5].650.ind2: expected a string, got a number; using blank"],
      ["major", "650", "fields[5].650.subfields: missing; field has no subfields"],
    ],
  );
});

test("fields missing: record without fields and an issue", async () => {
  const [r] = await read(`{"leader":"${LEADER}"}`);
  assert.deepEqual(r!.record, { leader: LEADER, fields: [] });
  assert.deepEqual(
    r!.issues.map((i) => i.message),
    ["fields: missing; record has no fields"],
  );
});

test("the same bytes split at every offset give the same results", async () => {
  for (const text of [
    writeMarcJsonLines([tricky, brief]) + "{bad\n",
    JSON.stringify(JSON.parse(writeMarcJsonArray([tricky, brief])), null, 2),
  ]) {
    const bytes = Buffer.from(text, "utf8");
    const whole = await read(new Uint8Array(bytes));
    assert.ok(whole.length >= 2);
    for (let k = 1; k < bytes.length; k++) {
      const parts = [new Uint8Array(bytes.subarray(0, k)), new Uint8Array(bytes.subarray(k))];
      assert.deepEqual(await read(parts), whole, `split at ${k}`);
    }
    for (const size of [1, 2, 3]) {
      const chunks: Uint8Array[] = [];
      for (let k = 0; k < bytes.length; k += size)
        chunks.push(new Uint8Array(bytes.subarray(k, k + size)));
      assert.deepEqual(await read(chunks), whole, `${size}-byte chunks`);
    }
  }
});

test("round trip: tricky values come back identical", async () => {
  for (const text of [
    writeMarcJson(tricky),
    writeMarcJsonArray([tricky, tricky]),
    writeMarcJsonLines([tricky, tricky]),
  ]) {
    const results = await read(text);
    for (const r of results) {
      assert.deepEqual(r.record, tricky);
      assert.deepEqual(r.issues, []);
    }
  }
});

test("property: write then read gives the same record", async () => {
  const plain = { noNullPrototype: true } as const;
  const char = fc
    .string({ unit: "binary", minLength: 1, maxLength: 1 })
    .filter((c) => c.length === 1);
  const str = fc.string({ unit: "binary", maxLength: 12 });
  const record = fc.record(
    {
      leader: fc.array(char, { minLength: 24, maxLength: 24 }).map((a) => a.join("")),
      fields: fc.array(
        fc.oneof(
          fc.record({ tag: fc.constantFrom("001", "008", "00A"), value: str }, plain),
          fc.record(
            {
              tag: fc.constantFrom("245", "880", "CAT"),
              ind1: char,
              ind2: char,
              subfields: fc.array(fc.record({ code: char, value: str }, plain), { maxLength: 4 }),
            },
            plain,
          ),
        ),
        { maxLength: 6 },
      ),
    },
    plain,
  );
  await fc.assert(
    fc.asyncProperty(record, async (r: MarcRecord) => {
      const results = await read(writeMarcJsonLines([r, r]));
      assert.deepEqual(
        results.map((x) => x.record),
        [r, r],
      );
    }),
    { numRuns: 200 },
  );
});
