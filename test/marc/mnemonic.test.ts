import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { ReadResult } from "../../src/marc/issue.js";
import type { MarcRecord } from "../../src/marc/record.js";
import { readMnemonic, writeMnemonic, writeMnemonicFile } from "../../src/marc/mnemonic.js";
import { collect } from "./_collect.js";

const LEADER = "01234nam a2200289 i 4500";
const MRK_LEADER = "=LDR  01234nam\\a2200289\\i\\4500";

function read(
  input: string | Uint8Array | readonly (string | Uint8Array)[],
): Promise<ReadResult<MarcRecord>[]> {
  return collect(readMnemonic, input);
}

async function readOne(text: string): Promise<ReadResult<MarcRecord>> {
  const results = await read(text);
  assert.equal(results.length, 1);
  return results[0]!;
}

const issuesOf = (
  r: ReadResult<MarcRecord>,
): [string, number | undefined, string | undefined, string][] =>
  r.issues.map((i) => [i.severity, i.line, i.tag, i.message]);

const tricky: MarcRecord = {
  leader: LEADER,
  fields: [
    { tag: "001", value: "ocm 123\\x$y{z}" },
    { tag: "008", value: "850101s1985    nyu           000 0 eng  " },
    {
      tag: "245",
      ind1: "1",
      ind2: "0",
      subfields: [
        { code: "a", value: `Fish & chips <"quoted"> 'apostrophe' $5 {brace} back\\slash {acute}` },
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
        { code: "a", value: "漢字テスト e\u0301 𝄞" },
      ],
    },
    { tag: "500", ind1: " ", ind2: " ", subfields: [{ code: "a", value: "CR\r LF\n end" }] },
    { tag: "CAT", ind1: "0", ind2: " ", subfields: [{ code: "a", value: "alpha tag" }] },
    { tag: "999", ind1: " ", ind2: " ", subfields: [] },
    { tag: "003", value: "" },
  ],
};

test("writes MarcEdit mnemonic lines", () => {
  assert.equal(
    writeMnemonic({
      leader: LEADER,
      fields: [
        { tag: "001", value: "ocm 1" },
        {
          tag: "245",
          ind1: "1",
          ind2: " ",
          subfields: [
            { code: "a", value: "Cost: $5 {x} a\\b" },
            { code: "c", value: "A B" },
          ],
        },
      ],
    }),
    `${MRK_LEADER}\n=001  ocm\\1\n=245  1\\$aCost: {dollar}5 {lcub}x{rcub} a{bsol}b$cA B\n\n`,
  );
});

test("writes several records separated by blank lines", () => {
  const r: MarcRecord = { leader: LEADER, fields: [] };
  assert.equal(writeMnemonicFile([r, r]), `${MRK_LEADER}\n\n${MRK_LEADER}\n\n`);
});

test("reads a record", async () => {
  const r = await readOne(
    `${MRK_LEADER}\n=001  ocm\\1\\\n=245  10$aTitle /$cAuthor.\n=650  \\0$aTopic$xSub.\n`,
  );
  assert.deepEqual(r.record, {
    leader: LEADER,
    fields: [
      { tag: "001", value: "ocm 1 " },
      {
        tag: "245",
        ind1: "1",
        ind2: "0",
        subfields: [
          { code: "a", value: "Title /" },
          { code: "c", value: "Author." },
        ],
      },
      {
        tag: "650",
        ind1: " ",
        ind2: "0",
        subfields: [
          { code: "a", value: "Topic" },
          { code: "x", value: "Sub." },
        ],
      },
    ],
  });
  assert.deepEqual(r.issues, []);
  assert.equal(r.offset, 0);
});

test("decodes the standard mnemonics and leaves unknown ones", async () => {
  const r = await readOne(
    `${MRK_LEADER}\n=500  \\\\$a{dollar}1 {lcub}{rcub} {bsol} {acute}e {esc} {U+00E9} {dollar\n`,
  );
  assert.deepEqual(r.record?.fields, [
    {
      tag: "500",
      ind1: " ",
      ind2: " ",
      subfields: [{ code: "a", value: "$1 {} \\ {acute}e {esc} é {dollar" }],
    },
  ]);
});

test("a bare backslash in subfield data is a backslash", async () => {
  const r = await readOne(`${MRK_LEADER}\n=500  \\\\$aback (\\) slash\n`);
  assert.deepEqual(r.record?.fields, [
    { tag: "500", ind1: " ", ind2: " ", subfields: [{ code: "a", value: "back (\\) slash" }] },
  ]);
});

test("records separated by a blank line, CRLF accepted", async () => {
  const results = await read(`${MRK_LEADER}\r\n=001  a\r\n\r\n${MRK_LEADER}\r\n=001  b\r\n`);
  assert.deepEqual(
    results.map((r) => r.record?.fields),
    [[{ tag: "001", value: "a" }], [{ tag: "001", value: "b" }]],
  );
  assert.deepEqual(
    results.map((r) => [r.index, r.offset]),
    [
      [0, 0],
      [1, MRK_LEADER.length + 2 + 9 + 2],
    ],
  );
});

test("a missing blank line before =LDR is tolerated", async () => {
  const results = await read(`${MRK_LEADER}\n=001  a\n${MRK_LEADER}\n=001  b\n`);
  assert.deepEqual(
    results.map((r) => [r.record?.fields, r.issues]),
    [
      [[{ tag: "001", value: "a" }], []],
      [[{ tag: "001", value: "b" }], []],
    ],
  );
});

test("a line not starting with = continues the field above", async () => {
  const r = await readOne(
    `${MRK_LEADER}\n=245  10$aPolitical tides /$cby John W. Smith III\n ; with an introduction.\n`,
  );
  assert.deepEqual(r.record?.fields, [
    {
      tag: "245",
      ind1: "1",
      ind2: "0",
      subfields: [
        { code: "a", value: "Political tides /" },
        { code: "c", value: "by John W. Smith III ; with an introduction." },
      ],
    },
  ]);
});

test("comment lines are skipped", async () => {
  const r = await readOne(`${MRK_LEADER}\n# a comment\n=001  a\n`);
  assert.deepEqual(r.record?.fields, [{ tag: "001", value: "a" }]);
  assert.deepEqual(r.issues, []);
});

test("record without =LDR: default leader and an issue", async () => {
  const r = await readOne(`\n=001  a\n`);
  assert.equal(r.record?.leader, "00000nam a2200000   4500");
  assert.deepEqual(issuesOf(r), [
    [
      "major",
      2,
      undefined,
      'record has no leader (=LDR); using default leader "00000nam a2200000   4500"',
    ],
  ]);
  assert.equal(r.offset, 1);
});

test("leader of the wrong length is padded", async () => {
  const r = await readOne(`=LDR  00000nam\n`);
  assert.equal(r.record?.leader, "00000nam                ");
  assert.deepEqual(issuesOf(r), [
    ["minor", 1, undefined, "leader is 8 characters, expected 24; padded with blanks"],
  ]);
});

test("bad tag: line skipped with its continuation lines", async () => {
  const r = await readOne(`${MRK_LEADER}\n=24  10$aT\ncontinued\n=001  a\n`);
  assert.deepEqual(r.record?.fields, [{ tag: "001", value: "a" }]);
  assert.deepEqual(issuesOf(r), [["major", 2, undefined, 'bad tag "24 "; line skipped']]);
});

test("a tag with an inner space (as some ISO 2709 files hold) is kept, reported", async () => {
  const r = await readOne(`${MRK_LEADER}\n=0 2  \\\\$a978\n`);
  assert.deepEqual(r.record?.fields, [
    { tag: "0 2", ind1: " ", ind2: " ", subfields: [{ code: "a", value: "978" }] },
  ]);
  assert.deepEqual(issuesOf(r), [
    ["minor", 2, "0 2", 'tag "0 2" is not three letters or digits; kept'],
  ]);
});

test("separator other than two spaces", async () => {
  const r = await readOne(`${MRK_LEADER}\n=245 10$aOne\n=24610$aNone\n`);
  assert.deepEqual(r.record?.fields, [
    { tag: "245", ind1: "1", ind2: "0", subfields: [{ code: "a", value: "One" }] },
    { tag: "246", ind1: "1", ind2: "0", subfields: [{ code: "a", value: "None" }] },
  ]);
  assert.deepEqual(issuesOf(r), [
    ["minor", 2, "245", "expected two spaces after tag 245, found one"],
    ["minor", 3, "246", "expected two spaces after tag 246"],
  ]);
});

test("missing indicators; unusual ones kept without comment (validation judges them)", async () => {
  const r = await readOne(
    `${MRK_LEADER}\n=245  $aNo indicators\n=246  1$aOne\n=247  #A$aBad\n=248  1\n`,
  );
  assert.deepEqual(r.record?.fields, [
    { tag: "245", ind1: " ", ind2: " ", subfields: [{ code: "a", value: "No indicators" }] },
    { tag: "246", ind1: "1", ind2: " ", subfields: [{ code: "a", value: "One" }] },
    { tag: "247", ind1: "#", ind2: "A", subfields: [{ code: "a", value: "Bad" }] },
    { tag: "248", ind1: " ", ind2: " ", subfields: [] },
  ]);
  assert.deepEqual(issuesOf(r), [
    ["major", 2, "245", 'data field 245 has no indicators before "$"; using blank'],
    ["major", 3, "246", 'data field 246 has one indicator before "$"; using blank'],
    ["major", 5, "248", "data field 248 has no indicators; using blanks"],
  ]);
});

test("data field without $", async () => {
  const r = await readOne(
    `${MRK_LEADER}\n=500  \\\\Just text\n=501  \\\\lead$aRest\n=502  \\\\$a$$b\n`,
  );
  assert.deepEqual(r.record?.fields, [
    { tag: "500", ind1: " ", ind2: " ", subfields: [] },
    { tag: "501", ind1: " ", ind2: " ", subfields: [{ code: "a", value: "Rest" }] },
    {
      tag: "502",
      ind1: " ",
      ind2: " ",
      subfields: [
        { code: "a", value: "" },
        { code: "b", value: "" },
      ],
    },
  ]);
  assert.deepEqual(issuesOf(r), [
    ["major", 2, "500", 'data field 500 has no "$" subfields; text "Just text" dropped'],
    ["major", 3, "501", 'data field 501 has text "lead" before the first "$"; dropped'],
    ["major", 4, "502", 'data field 502 has "$" without a subfield code; ignored'],
  ]);
});

test("text before any field is reported; a group of such lines is no record", async () => {
  const results = await read(`stray text\nmore\n\n${MRK_LEADER}\n`);
  assert.deepEqual(
    results.map((r) => [r.record, issuesOf(r)]),
    [
      [
        undefined,
        [
          ["major", 1, undefined, 'line does not start with "=" and follows no field; ignored'],
          ["fatal", 1, undefined, "no record in lines 1–2: no leader and no field"],
        ],
      ],
      [{ leader: LEADER, fields: [] }, []],
    ],
  );
});

test("=000 is read as the leader", async () => {
  const r = await readOne(`=000  01234nam\\a2200289\\i\\4500\n`);
  assert.equal(r.record?.leader, LEADER);
});

test("the same bytes split at every offset give the same results", async () => {
  const bytes = Buffer.from(
    writeMnemonicFile([tricky, tricky]).replaceAll("\n", "\r\n") + "=24 x\n",
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

test("round trip: tricky values come back identical", async () => {
  const results = await read(writeMnemonicFile([tricky, tricky]));
  assert.deepEqual(
    results.map((r) => [r.record, r.issues]),
    [
      [tricky, []],
      [tricky, []],
    ],
  );
});

test("property: write then read gives the same record", async () => {
  const plain = { noNullPrototype: true } as const;
  const char = fc
    .oneof(
      fc.constantFrom("$", "{", "}", "\\", " ", "\r", "\n", "=", "#", "é", "漢", "\u0301"),
      fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
    )
    .filter((c) => c.length === 1);
  const str = fc.array(char, { maxLength: 12 }).map((a) => a.join(""));
  // Indicators and codes cannot be "\", "$", "{" or a line break in this format (see the module notes).
  const safe = char.filter((c) => !"\\${\r\n".includes(c));
  const record = fc.record(
    {
      leader: fc.array(char, { minLength: 24, maxLength: 24 }).map((a) => a.join("")),
      fields: fc.array(
        fc.oneof(
          fc.record({ tag: fc.constantFrom("001", "008", "00A"), value: str }, plain),
          fc.record(
            {
              tag: fc.constantFrom("245", "880", "CAT"),
              ind1: safe,
              ind2: safe,
              subfields: fc.array(fc.record({ code: safe, value: str }, plain), { maxLength: 4 }),
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
      const results = await read(writeMnemonicFile([r, r]));
      assert.deepEqual(
        results.map((x) => x.record),
        [r, r],
      );
    }),
    { numRuns: 200 },
  );
});
