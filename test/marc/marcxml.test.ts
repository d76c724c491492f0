import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { ReadResult } from "../../src/marc/issue.js";
import type { MarcRecord } from "../../src/marc/record.js";
import {
  MARCXML_COLLECTION_END,
  MARCXML_COLLECTION_START,
  MARCXML_MAX_DEPTH,
  readMarcXml,
  writeMarcXml,
  writeMarcXmlCollection,
  writeMarcXmlRecord,
} from "../../src/marc/marcxml.js";
import { collect } from "./_collect.js";

const SLIM = "http://www.loc.gov/MARC21/slim";
const LEADER = "01234nam a2200289 i 4500";

function read(
  input: string | Uint8Array | readonly (string | Uint8Array)[],
): Promise<ReadResult<MarcRecord>[]> {
  return collect(readMarcXml, input);
}

async function readOne(xml: string): Promise<ReadResult<MarcRecord>> {
  const results = await read(xml);
  assert.equal(results.length, 1);
  return results[0]!;
}

const tricky: MarcRecord = {
  leader: LEADER,
  fields: [
    { tag: "001", value: "ocm 123\\x" },
    { tag: "008", value: "850101s1985    nyu           000 0 eng  " },
    {
      tag: "245",
      ind1: "1",
      ind2: "0",
      subfields: [
        { code: "a", value: `Fish & chips <"quoted"> 'apostrophe' $5 {brace} back\\slash ]]>` },
        { code: "b", value: "" },
        { code: "c", value: "  spaced  " },
      ],
    },
    {
      tag: "880",
      ind1: " ",
      ind2: " ",
      subfields: [
        { code: "6", value: "245-01/$1" },
        { code: "a", value: "漢字テスト" },
      ],
    },
    {
      tag: "500",
      ind1: " ",
      ind2: " ",
      subfields: [{ code: "a", value: "e\u0301 combining, 𝄞 astral, tab\there, CR\r LF\n" }],
    },
    { tag: "CAT", ind1: "0", ind2: " ", subfields: [{ code: "a", value: "alpha tag" }] },
    { tag: "999", ind1: " ", ind2: " ", subfields: [] },
  ],
};

test("reads a collection", async () => {
  const xml = `<?xml version="1.0" encoding="UTF-8"?>
<collection xmlns="${SLIM}">
  <record>
    <leader>${LEADER}</leader>
    <controlfield tag="001">ocm1</controlfield>
    <datafield tag="245" ind1="1" ind2=" ">
      <subfield code="a">Title</subfield>
    </datafield>
  </record>
  <record><leader>${LEADER}</leader><controlfield tag="001">ocm2</controlfield></record>
</collection>`;
  const results = await read(xml);
  assert.deepEqual(
    results.map((r) => r.record),
    [
      {
        leader: LEADER,
        fields: [
          { tag: "001", value: "ocm1" },
          { tag: "245", ind1: "1", ind2: " ", subfields: [{ code: "a", value: "Title" }] },
        ],
      },
      { leader: LEADER, fields: [{ tag: "001", value: "ocm2" }] },
    ],
  );
  assert.deepEqual(
    results.map((r) => [r.index, r.issues.length]),
    [
      [0, 0],
      [1, 0],
    ],
  );
});

test("reads a single record with a namespace prefix", async () => {
  const r = await readOne(
    `<marc:record xmlns:marc="${SLIM}"><marc:leader>${LEADER}</marc:leader>` +
      `<marc:controlfield tag="001">x</marc:controlfield></marc:record>`,
  );
  assert.deepEqual(r.record, { leader: LEADER, fields: [{ tag: "001", value: "x" }] });
  assert.deepEqual(r.issues, []);
});

test("reads records in no namespace", async () => {
  const r = await readOne(
    `<collection><record><leader>${LEADER}</leader><controlfield tag="001">x</controlfield></record></collection>`,
  );
  assert.deepEqual(r.record, { leader: LEADER, fields: [{ tag: "001", value: "x" }] });
});

test("picks slim records out of an SRU response", async () => {
  const xml = `<zs:searchRetrieveResponse xmlns:zs="http://docs.oasis-open.org/ns/search-ws/sruResponse">
  <zs:records><zs:record>
    <zs:recordSchema>marcxml</zs:recordSchema>
    <zs:recordData><record xmlns="${SLIM}"><leader>${LEADER}</leader><controlfield tag="001">a</controlfield></record></zs:recordData>
  </zs:record><zs:record>
    <zs:recordData><record xmlns="${SLIM}"><leader>${LEADER}</leader><controlfield tag="001">b</controlfield></record></zs:recordData>
  </zs:record></zs:records>
</zs:searchRetrieveResponse>`;
  const results = await read(xml);
  assert.deepEqual(
    results.map((r) => r.record?.fields),
    [[{ tag: "001", value: "a" }], [{ tag: "001", value: "b" }]],
  );
  assert.deepEqual(
    results.flatMap((r) => r.issues),
    [],
  );
});

test("picks slim records out of an OAI-PMH response", async () => {
  const xml = `<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><ListRecords><record>
<header><identifier>oai:x:1</identifier></header>
<metadata><marc:record xmlns:marc="${SLIM}"><marc:leader>${LEADER}</marc:leader></marc:record></metadata>
</record></ListRecords></OAI-PMH>`;
  const r = await readOne(xml);
  assert.deepEqual(r.record, { leader: LEADER, fields: [] });
  assert.deepEqual(r.issues, []);
});

test("a no-namespace record that wraps a record is a wrapper", async () => {
  const xml = `<records><record><recordSchema>marcxml</recordSchema><recordData>
<record><leader>${LEADER}</leader><controlfield tag="001">in</controlfield></record>
</recordData></record></records>`;
  const r = await readOne(xml);
  assert.deepEqual(r.record, { leader: LEADER, fields: [{ tag: "001", value: "in" }] });
  assert.deepEqual(r.issues, []);
});

test("missing leader: default leader and an issue", async () => {
  const r = await readOne(
    `<record xmlns="${SLIM}">\n<controlfield tag="001">x</controlfield>\n</record>`,
  );
  assert.equal(r.record?.leader, "00000nam a2200000   4500");
  assert.deepEqual(r.issues, [
    {
      severity: "major",
      offset: 0,
      line: 1,
      message: 'record has no leader; using default leader "00000nam a2200000   4500"',
    },
  ]);
});

test("short leader is padded, long leader is cut", async () => {
  const results = await read(
    `<collection xmlns="${SLIM}">\n<record><leader>00000nam</leader></record>\n` +
      `<record>\n<leader>${LEADER}XY</leader></record></collection>`,
  );
  assert.equal(results[0]!.record?.leader, "00000nam                ");
  assert.deepEqual(
    results.map((r) => r.issues.map((i) => [i.severity, i.line, i.message])),
    [
      [["minor", 2, "leader is 8 characters, expected 24; padded with blanks"]],
      [["major", 4, "leader is 26 characters, expected 24; cut to 24"]],
    ],
  );
});

test("controlfield without tag is dropped with an issue", async () => {
  const r = await readOne(
    `<record xmlns="${SLIM}"><leader>${LEADER}</leader>\n<controlfield>x</controlfield></record>`,
  );
  assert.deepEqual(r.record?.fields, []);
  assert.deepEqual(
    r.issues.map((i) => [i.severity, i.line, i.message]),
    [["major", 2, "controlfield without tag attribute; field dropped"]],
  );
});

test("datafield without tag is dropped with an issue", async () => {
  const r = await readOne(
    `<record xmlns="${SLIM}"><leader>${LEADER}</leader>\n\n<datafield ind1=" " ind2=" "><subfield code="a">x</subfield></datafield></record>`,
  );
  assert.deepEqual(r.record?.fields, []);
  assert.deepEqual(
    r.issues.map((i) => [i.severity, i.line, i.message]),
    [["major", 3, "datafield without tag attribute; field dropped"]],
  );
});

test("subfield without code is dropped with an issue", async () => {
  const r = await readOne(
    `<record xmlns="${SLIM}"><leader>${LEADER}</leader>\n<datafield tag="245" ind1="1" ind2="0">\n` +
      `<subfield>lost</subfield><subfield code="a">kept</subfield></datafield></record>`,
  );
  assert.deepEqual(r.record?.fields, [
    { tag: "245", ind1: "1", ind2: "0", subfields: [{ code: "a", value: "kept" }] },
  ]);
  assert.deepEqual(r.issues, [
    {
      severity: "major",
      offset: 0,
      line: 3,
      tag: "245",
      message: "subfield without code attribute in datafield 245; subfield dropped",
    },
  ]);
});

test("indicator longer than one character: first character kept", async () => {
  const r = await readOne(
    `<record xmlns="${SLIM}"><leader>${LEADER}</leader>\n<datafield tag="880" ind1="0 " ind2=""></datafield></record>`,
  );
  assert.deepEqual(r.record?.fields, [{ tag: "880", ind1: "0", ind2: " ", subfields: [] }]);
  assert.deepEqual(
    r.issues.map((i) => [i.severity, i.line, i.tag, i.message]),
    [
      ["major", 2, "880", 'datafield 880 ind1 "0 " is longer than one character; using "0"'],
      ["minor", 2, "880", "datafield 880 has an empty ind2; using blank"],
    ],
  );
});

test("missing indicator attributes become blanks", async () => {
  const r = await readOne(
    `<record xmlns="${SLIM}"><leader>${LEADER}</leader><datafield tag="911"/></record>`,
  );
  assert.deepEqual(r.record?.fields, [{ tag: "911", ind1: " ", ind2: " ", subfields: [] }]);
  assert.deepEqual(
    r.issues.map((i) => i.message),
    [
      "datafield 911 has no ind1 attribute; using blank",
      "datafield 911 has no ind2 attribute; using blank",
    ],
  );
});

test("text where none belongs is reported and ignored", async () => {
  const r = await readOne(
    `<record xmlns="${SLIM}"><leader>${LEADER}</leader>\n<controlfield tag="001">x</controlfield>>\n` +
      `<datafield tag="245" ind1="1" ind2="0">\n  stray\n<subfield code="a">T</subfield></datafield></record>`,
  );
  assert.deepEqual(r.record?.fields, [
    { tag: "001", value: "x" },
    { tag: "245", ind1: "1", ind2: "0", subfields: [{ code: "a", value: "T" }] },
  ]);
  assert.deepEqual(
    r.issues.map((i) => [i.severity, i.line, i.tag, i.message]),
    [
      ["major", 2, undefined, 'text ">" outside leader, controlfield and subfield ignored'],
      ["major", 4, "245", 'text "stray" outside leader, controlfield and subfield ignored'],
    ],
  );
});

test("unexpected element inside a record is skipped with its content", async () => {
  const r = await readOne(
    `<record xmlns="${SLIM}"><leader>${LEADER}</leader>\n<datafield tag="020" ind1=" " ind2=" "><subfields code="a">x</subfields></datafield></record>`,
  );
  assert.deepEqual(r.record?.fields, [{ tag: "020", ind1: " ", ind2: " ", subfields: [] }]);
  assert.deepEqual(
    r.issues.map((i) => [i.line, i.tag, i.message]),
    [[2, "020", "unexpected element <subfields> ignored with its content"]],
  );
});

test("misspelt slim namespace is read with a minor issue", async () => {
  const r = await readOne(
    `<record xmlns="htt//www.loc.gov/MARC21/slim"><leader>${LEADER}</leader></record>`,
  );
  assert.deepEqual(r.record, { leader: LEADER, fields: [] });
  assert.deepEqual(
    r.issues.map((i) => [i.severity, i.message]),
    [
      [
        "minor",
        'namespace "htt//www.loc.gov/MARC21/slim" is not the MARC 21 slim namespace; read as MARCXML',
      ],
    ],
  );
});

test("malformed XML: records before it, then one fatal issue, then stop", async () => {
  const xml =
    `<collection xmlns="${SLIM}">\n<record><leader>${LEADER}</leader></record>\n` +
    `<record><leader>${LEADER}</leader>\n<datafield tag="245" ind1="1" ind2="0"></subfield>\n</record>\n` +
    `<record><leader>${LEADER}</leader></record></collection>`;
  const results = await read(xml);
  assert.equal(results.length, 2);
  assert.deepEqual(results[0]!.record, { leader: LEADER, fields: [] });
  assert.equal(results[1]!.record, undefined);
  assert.equal(results[1]!.index, 1);
  assert.deepEqual(
    results[1]!.issues.map((i) => [i.severity, i.line, i.message]),
    [["fatal", 4, "XML is not well-formed at line 4, column 50: unexpected close tag."]],
  );
});

// Issue 18: 20,000 nested unclosed <record> (240 KB) took 18.8 s, saxes looking namespaces
// up through every open element.
test("nesting deeper than MARCXML_MAX_DEPTH: one fatal issue at the start tag's byte offset", async () => {
  const xml = `<collection xmlns="${SLIM}">` + "<record>".repeat(20_000);
  const tooDeep = Buffer.byteLength(`<collection xmlns="${SLIM}">`) + 8 * (MARCXML_MAX_DEPTH - 1);
  const results = await read(xml);
  assert.deepEqual(
    results.map((r) => [r.record, r.issues.map((i) => [i.severity, i.offset, i.message])]),
    [
      [
        undefined,
        [
          [
            "fatal",
            tooDeep,
            "XML nests deeper than 32 elements at line 1, <record>; reading stopped",
          ],
        ],
      ],
    ],
  );
});

test("nesting up to MARCXML_MAX_DEPTH is read", async () => {
  const open = "<a>".repeat(MARCXML_MAX_DEPTH - 3);
  const close = "</a>".repeat(MARCXML_MAX_DEPTH - 3);
  const xml = `${open}<record xmlns="${SLIM}"><leader>${LEADER}</leader><datafield tag="245" ind1="1" ind2="0"><subfield code="a">T</subfield></datafield></record>${close}`;
  const results = await read(xml);
  assert.deepEqual(
    results.map((r) => [r.record?.fields.length, r.issues]),
    [[1, []]],
  );
});

test("truncated XML gives a fatal issue at the end", async () => {
  const results = await read(`<collection xmlns="${SLIM}"><record><leader>${LEADER}</leader>`);
  assert.deepEqual(
    results.map((r) => [r.record, r.issues.map((i) => i.severity)]),
    [[undefined, ["fatal"]]],
  );
});

test("offsets are byte offsets of the record start tag", async () => {
  const xml = `<collection xmlns="${SLIM}"><!-- é漢 -->\n  <record><leader>${LEADER}</leader></record><record/></collection>`;
  const results = await read(xml);
  const bytes = Buffer.from(xml, "utf8");
  const first = bytes.indexOf("<record>");
  const second = bytes.indexOf("<record/>");
  assert.deepEqual(
    results.map((r) => r.offset),
    [first, second],
  );
  assert.equal(results[1]!.issues[0]!.offset, second);
});

test("a byte order mark is skipped and counted", async () => {
  const bytes = Buffer.concat([
    Buffer.from([0xef, 0xbb, 0xbf]),
    Buffer.from(`<record xmlns="${SLIM}"><leader>${LEADER}</leader></record>`),
  ]);
  const results = await read(new Uint8Array(bytes));
  assert.equal(results[0]!.offset, 3);
  assert.deepEqual(results[0]!.record, { leader: LEADER, fields: [] });
});

test("the same bytes split at every offset give the same results", async () => {
  const bytes = Buffer.from(
    writeMarcXmlCollection([tricky, { leader: LEADER, fields: [{ tag: "001", value: "漢" }] }]) +
      `<bad`,
    "utf8",
  );
  const whole = await read(new Uint8Array(bytes));
  assert.equal(whole.length, 3);
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
});

test("writes a standalone record like yaz-marcdump", () => {
  const record: MarcRecord = {
    leader: LEADER,
    fields: [
      { tag: "001", value: "x1" },
      { tag: "245", ind1: "1", ind2: " ", subfields: [{ code: "a", value: "T" }] },
    ],
  };
  assert.equal(
    writeMarcXml(record),
    `<record xmlns="${SLIM}">\n` +
      `  <leader>${LEADER}</leader>\n` +
      `  <controlfield tag="001">x1</controlfield>\n` +
      `  <datafield tag="245" ind1="1" ind2=" ">\n` +
      `    <subfield code="a">T</subfield>\n` +
      `  </datafield>\n` +
      `</record>\n`,
  );
});

test("writes a collection from its pieces", () => {
  const record: MarcRecord = { leader: LEADER, fields: [] };
  const expected = `<collection xmlns="${SLIM}">\n<record>\n  <leader>${LEADER}</leader>\n</record>\n</collection>\n`;
  assert.equal(writeMarcXmlCollection([record]), expected);
  assert.equal(
    MARCXML_COLLECTION_START + writeMarcXmlRecord(record) + MARCXML_COLLECTION_END,
    expected,
  );
});

test("escapes markup characters, CR, and tab/LF in attributes", () => {
  const out = writeMarcXml({
    leader: LEADER,
    fields: [
      {
        tag: "5&0",
        ind1: '"',
        ind2: "\t",
        subfields: [{ code: "<", value: `a&b<c>d"e'f\rg\nh\ti` }],
      },
    ],
  });
  assert.match(out, /<datafield tag="5&amp;0" ind1="&quot;" ind2="&#9;">/);
  assert.match(out, /<subfield code="&lt;">a&amp;b&lt;c&gt;d&quot;e'f&#13;g\nh\ti<\/subfield>/);
});

test("drops characters XML 1.0 cannot carry", () => {
  const out = writeMarcXml({
    leader: LEADER,
    fields: [
      {
        tag: "500",
        ind1: " ",
        ind2: " ",
        subfields: [{ code: "a", value: "a\u0000b\u001bc\ufffed\ud800e𝄞\udc00f" }],
      },
    ],
  });
  assert.match(out, /<subfield code="a">abcde𝄞f<\/subfield>/);
});

test("round trip: tricky values come back identical", async () => {
  const results = await read(writeMarcXml(tricky));
  assert.deepEqual(results, [{ record: tricky, issues: [], offset: 0, index: 0 }]);
  const many = await read(writeMarcXmlCollection([tricky, tricky]));
  assert.deepEqual(
    many.map((r) => r.record),
    [tricky, tricky],
  );
});

/** Characters XML can carry (no C0 controls but tab/LF/CR, no U+FFFE/FFFF, no lone surrogates). */
const xmlChar = fc
  .oneof(
    fc.constantFrom(
      "&",
      "<",
      ">",
      '"',
      "'",
      "$",
      "{",
      "}",
      "\\",
      " ",
      "\t",
      "\n",
      "\r",
      "é",
      "漢",
      "\u0301",
      "𝄞",
    ),
    fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 }),
  )
  // eslint-disable-next-line no-control-regex -- the characters XML cannot carry
  .filter((c) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/.test(c));
const xmlString = fc.array(xmlChar, { maxLength: 12 }).map((a) => a.join(""));
const oneChar = xmlChar.filter((c) => c.length === 1);
const plain = { noNullPrototype: true } as const;

test("property: write then read gives the same record", async () => {
  const record = fc.record(
    {
      leader: fc.array(oneChar, { minLength: 24, maxLength: 24 }).map((a) => a.join("")),
      fields: fc.array(
        fc.oneof(
          fc.record({ tag: fc.constantFrom("001", "008", "00A"), value: xmlString }, plain),
          fc.record(
            {
              tag: fc.constantFrom("245", "880", "CAT"),
              ind1: oneChar,
              ind2: oneChar,
              subfields: fc.array(fc.record({ code: oneChar, value: xmlString }, plain), {
                maxLength: 4,
              }),
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
      const results = await read(writeMarcXml(r));
      assert.deepEqual(results[0]?.record, r);
      assert.deepEqual(results[0]?.issues, []);
    }),
    { numRuns: 200 },
  );
});
