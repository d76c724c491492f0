import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { MarcIssue } from "../../src/marc/issue.js";
import type { Field, MarcRecord } from "../../src/marc/record.js";
import { field } from "../rules/_mrk.js";
import { BIB_FIELDS, bibField, isLocalTag } from "../../src/validation/bib-fields.js";
import { materialType } from "../../src/validation/fixed-fields.js";
import { BUILT_IN_PROFILES } from "../../src/validation/profile.js";
import {
  findProblems,
  formatValidationIssue,
  validateRecord,
  type ValidationProblem,
} from "../../src/validation/validate.js";

const BIB_IMPORT = BUILT_IN_PROFILES["MarcXML Bib Import"]!;

const BOOK_008 = "850101s1999    nyua   j      000 1 eng d";

/** An 008 of 40 characters: dates, place and language set, 18-34 blank unless given. */
function with008(codes: Record<number, string>): string {
  const chars = [..."850101s1999    nyu                 eng d"];
  for (const [at, text] of Object.entries(codes)) {
    [...text].forEach((c, i) => (chars[Number(at) + i] = c));
  }
  assert.equal(chars.length, 40);
  return chars.join("");
}

/** A sound book record; `change` replaces or adds fields. */
function book(
  options: { leader?: string; fields?: Field[]; drop?: string[]; f008?: string } = {},
): MarcRecord {
  const fields: Field[] = [
    { tag: "001", value: "ocm00012345" },
    { tag: "003", value: "OCoLC" },
    { tag: "005", value: "20260101120000.0" },
    { tag: "008", value: options.f008 ?? BOOK_008 },
    field("020 __ $a9780000000002"),
    field("040 __ $aDLC$beng$cDLC"),
    field("100 1_ $aAusten, Jane."),
    field("245 10 $aPride and prejudice /$cJane Austen."),
    field("264 _1 $aLondon :$bEgerton,$c1813."),
    field("300 __ $a3 v."),
    field("650 _0 $aCourtship$vFiction."),
    field("949 xx $zlocal"),
  ];
  return {
    leader: options.leader ?? "00000cam a2200000 i 4500",
    fields: [
      ...fields.filter((f) => !(options.drop ?? []).includes(f.tag)),
      ...(options.fields ?? []),
    ],
  };
}

function checks(problems: readonly ValidationProblem[]): string[] {
  return problems.map((p) => p.check);
}

describe("the MARC 21 bibliographic field table", () => {
  test("holds every block's defined tags with their repeatability", () => {
    assert.ok(BIB_FIELDS.size > 230, `${BIB_FIELDS.size} tags`);
    assert.equal(bibField("245")?.repeatable, false);
    assert.equal(bibField("100")?.repeatable, false);
    assert.equal(bibField("650")?.repeatable, true);
    assert.equal(bibField("880")?.repeatable, true);
    assert.equal(bibField("245")?.ind2, "0123456789");
    assert.equal(bibField("650")?.ind1, " 012");
    assert.equal(bibField("856")?.ind1, " 012347");
  });
  test("tells local tags from undefined ones", () => {
    for (const tag of ["949", "019", "029", "049", "090", "590", "690"]) {
      assert.ok(isLocalTag(tag), tag);
    }
    for (const tag of ["490", "245", "012", "440"]) assert.ok(!isLocalTag(tag), tag);
  });
  test("leader/06-07 select the material type", () => {
    assert.equal(materialType("a", "m"), "books");
    assert.equal(materialType("t", "s"), "books");
    assert.equal(materialType("a", "s"), "continuing resources");
    assert.equal(materialType("a", "i"), "continuing resources");
    assert.equal(materialType("j", "m"), "music");
    assert.equal(materialType("e", "m"), "maps");
    assert.equal(materialType("m", "m"), "computer files");
    assert.equal(materialType("g", "m"), "visual materials");
    assert.equal(materialType("p", "c"), "mixed materials");
    assert.equal(materialType("z", "m"), undefined);
  });
});

describe("findProblems", () => {
  test("a sound book record has none (local 949 not checked)", () => {
    assert.deepEqual(findProblems(book()), []);
  });

  test("a record without 245 is an error naming the check", () => {
    const result = validateRecord(book({ drop: ["245"] }), BIB_IMPORT);
    assert.deepEqual(result.errors.map(formatValidationIssue), [
      "error [field.245-missing] 245: the record has no 245 (title statement)",
    ]);
  });

  test("a non-repeatable field repeated names the tag and its second occurrence", () => {
    const problems = findProblems(book({ fields: [field("100 1_ $aOther, Ann.")] }));
    assert.deepEqual(problems, [
      {
        check: "field.non-repeatable",
        tag: "100",
        occurrence: 2,
        message: "100 is not repeatable but occurs 2 times",
      },
    ]);
  });

  test("880s count for themselves and are checked as the field $6 links them to", () => {
    const ok = book({
      fields: [field("880 10 $6245-01/(N$aГордость и предубеждение")],
    });
    assert.deepEqual(findProblems(ok), []);
    const bad = findProblems(
      book({
        fields: [
          field("880 50 $6245-01$aX$zY"),
          field("880 1_ $aNo linkage"),
          field("880 1_ $6008-01$aControl"),
        ],
      }),
    );
    assert.deepEqual(
      bad.map((p) => [p.check, p.tag, p.occurrence, p.indicator ?? p.subfield]),
      [
        ["indicator.invalid", "880", 1, 1],
        ["subfield.undefined", "880", 1, "z"],
        ["880.linkage", "880", 2, "6"],
        ["880.linkage", "880", 3, "6"],
      ],
    );
    assert.match(bad[0]!.message, /'5' is not a first indicator of 245 \(0 1\) \(as 245\)/);
  });

  test("indicators and subfield codes per tag; $9 is local everywhere", () => {
    const problems = findProblems(
      book({
        fields: [field("650 _9 $aCats$9local"), field("650 __ $aDogs$qx")],
      }),
    );
    assert.deepEqual(
      problems.map((p) => [p.check, p.tag, p.occurrence, p.indicator ?? p.subfield]),
      [
        ["indicator.invalid", "650", 2, 2],
        ["indicator.invalid", "650", 3, 2],
        ["subfield.undefined", "650", 3, "q"],
      ],
    );
    assert.equal(problems[1]!.message, "blank is not a second indicator of 650 (0 1 2 3 4 5 6 7)");
  });

  test("obsolete and undefined tags, each named once", () => {
    const problems = findProblems(
      book({
        fields: [
          field("440 _0 $aSeries"),
          field("440 _0 $aSeries 2"),
          field("012 __ $aX"),
          { tag: "002", value: "x" },
        ],
      }),
    );
    assert.deepEqual(checks(problems), [
      "field.obsolete-tag",
      "field.undefined-tag",
      "field.undefined-tag",
    ]);
  });

  test("a control tag holding subfields, a data tag holding a value", () => {
    const problems = findProblems(
      book({ fields: [field("007 __ $ata"), { tag: "500", value: "note" }] }),
    );
    assert.deepEqual(
      problems.map((p) => [p.check, p.tag]),
      [
        ["field.kind", "007"],
        ["field.kind", "500"],
      ],
    );
  });

  test("leader positions, each its own check", () => {
    const problems = findProblems(book({ leader: "00000xzq x2200000xxx4501" }));
    assert.deepEqual(
      problems.map((p) => `${p.check} ${p.position ?? ""}`),
      [
        "leader.structure 23",
        "leader.record-status 05",
        "leader.type-of-record 06",
        "leader.bibliographic-level 07",
        "leader.character-coding 09",
        "leader.encoding-level 17",
        "leader.descriptive-cataloging-form 18",
        "leader.multipart-level 19",
      ],
    );
    assert.deepEqual(checks(findProblems(book({ leader: "00000cam a22" }))), ["leader.length"]);
    // OCLC's encoding levels are accepted.
    for (const level of "IKLM") {
      assert.deepEqual(findProblems(book({ leader: `00000cam a2200000${level}i 4500` })), []);
    }
  });

  test("the reader's repairs: major is damage, minor a repair", () => {
    const issues: MarcIssue[] = [
      { severity: "major", offset: 120, tag: "245", message: "invalid UTF-8; bad bytes replaced" },
      { severity: "minor", offset: 0, message: "2 byte(s) between records skipped" },
      { severity: "info", offset: 0, message: "leader/09 relabelled" },
    ];
    const problems = findProblems(book(), issues);
    assert.deepEqual(
      problems.map((p) => [p.check, p.tag, p.message]),
      [
        ["structure.damaged", "245", "invalid UTF-8; bad bytes replaced (byte 120)"],
        ["structure.repaired", undefined, "2 byte(s) between records skipped (byte 0)"],
      ],
    );
  });

  test("008: missing, length, type of date, 38 and 39", () => {
    assert.deepEqual(checks(findProblems(book({ drop: ["008"] }))), ["008.missing"]);
    assert.deepEqual(checks(findProblems(book({ f008: BOOK_008.slice(0, 38) }))), ["008.length"]);
    const problems = findProblems(book({ f008: `850101x1999${BOOK_008.slice(11, 38)}q?` }));
    assert.deepEqual(
      problems.map((p) => `${p.check} ${p.position}`),
      ["008.type-of-date 06", "008.modified-record 38", "008.cataloging-source 39"],
    );
  });

  test("008/18-34 by material type", () => {
    // books: illustrations 18-21 each, target audience 22, literary form 33
    const books = findProblems(
      book({ f008: with008({ 18: "a9  ", 22: "q", 29: "000", 33: "x" }) }),
    );
    assert.deepEqual(
      books.map((p) => `${p.position} ${p.message}`),
      [
        "19 '9' is not a code for illustrations (blank a b c d e f g h i j k l m o p |) for books",
        "22 'q' is not a code for target audience (blank a b c d e f g j |) for books",
        "33 'x' is not a code for literary form (0 1 c d e f h i j m p s u |) for books",
      ],
    );
    // continuing resources: frequency 18, regularity 19, entry convention 34
    const serial = (codes: Record<number, string>): MarcRecord =>
      book({
        leader: "00000cas a2200000 a 4500",
        f008: with008({ 18: "mr", 21: "p", 29: "0", 34: "0", ...codes }),
      });
    assert.deepEqual(findProblems(serial({})), []);
    assert.deepEqual(
      findProblems(serial({ 18: "xq", 34: "3" })).map((p) => `${p.check} ${p.position}`),
      ["008.material 18", "008.material 19", "008.material 34"],
    );
    // music: form of composition 18-19 as one code
    const music = (code: string): MarcRecord =>
      book({ leader: "00000cjm a2200000 a 4500", f008: with008({ 18: `${code}m` }) });
    assert.deepEqual(findProblems(music("sy")), []);
    assert.deepEqual(
      findProblems(music("qq")).map((p) => `${p.position} ${p.message}`),
      ["18-19 'qq' is not a code for form of composition for music"],
    );
    // visual materials: running time 18-20, type 33, technique 34
    const video = (time: string): MarcRecord =>
      book({ leader: "00000cgm a2200000 a 4500", f008: with008({ 18: time, 33: "vl" }) });
    assert.deepEqual(findProblems(video("095")), []);
    assert.deepEqual(findProblems(video("---")), []);
    assert.deepEqual(checks(findProblems(video("9a5"))), ["008.material"]);
    // maps: projection 22-23, type of cartographic material 25
    const map = (projection: string): MarcRecord =>
      book({
        leader: "00000cem a2200000 a 4500",
        f008: with008({ 22: projection, 25: "a", 31: "0" }),
      });
    assert.deepEqual(findProblems(map("  ")), []);
    assert.deepEqual(
      findProblems(map("qq")).map((p) => `${p.position} ${p.message}`),
      ["22-23 'qq' is not a code for projection for maps"],
    );
    // computer files: type of computer file 26; undefined positions must be blank or |
    const file = book({ leader: "00000cmm a2200000 a 4500", f008: with008({ 26: "q", 30: "x" }) });
    assert.deepEqual(
      findProblems(file).map((p) => `${p.position} ${p.message}`),
      [
        "26 'q' is not a code for type of computer file (a b c d e f g h i j m u z |) for computer files",
        "30 'x' is not a code for undefined (blank |) for computer files",
      ],
    );
  });
});

describe("the 006", () => {
  test("its form of material selects the positions of 008/18-34 it holds at 01-17", () => {
    // A book with a computer file 006: 006/09 (= 008/26) type of computer file.
    const withFile = (f006: string): MarcRecord => book({ fields: [{ tag: "006", value: f006 }] });
    assert.deepEqual(findProblems(withFile("m     o  d        ")), []);
    assert.deepEqual(
      findProblems(withFile("m     o  q        ")).map(
        (p) => `${p.check} ${p.position} ${p.message}`,
      ),
      [
        "006.material 09 'q' is not a code for type of computer file (a b c d e f g h i j m u z |) for computer files",
      ],
    );
    // s: continuing resources (006/01 = 008/18 frequency)
    assert.deepEqual(
      findProblems(withFile("sxr p       0    0")).map((p) => `${p.check} ${p.position}`),
      ["006.material 01"],
    );
    assert.deepEqual(
      findProblems(withFile("x")).map((p) => p.check),
      ["006.length", "006.form-of-material"],
    );
  });
});

describe("validateRecord", () => {
  test("gives each problem its profile's severity and drops the ignored", () => {
    const record = book({ drop: ["245"], fields: [field("440 _0 $aSeries")] });
    const result = validateRecord(record, BIB_IMPORT);
    assert.deepEqual(checks(result.errors), ["field.245-missing"]);
    assert.deepEqual(checks(result.warnings), ["field.obsolete-tag"]);
    const lenient = validateRecord(record, {
      name: "lenient",
      checks: {
        ...BIB_IMPORT.checks,
        "field.245-missing": "warning",
        "field.obsolete-tag": "ignore",
      },
    });
    assert.deepEqual(checks(lenient.errors), []);
    assert.deepEqual(checks(lenient.warnings), ["field.245-missing"]);
  });
});

describe("MarcXML Authority Import", () => {
  const AUTHORITY_IMPORT = BUILT_IN_PROFILES["MarcXML Authority Import"]!;
  const AUTHORITY_008 = "850101n| acannaabn          |a aaa      ";
  const authority = (fields: Field[]): MarcRecord => ({
    leader: "00000nz  a2200000n  4500",
    fields,
  });

  test("a sound authority record passes; the bibliographic checks do not apply", () => {
    const record = authority([
      { tag: "008", value: AUTHORITY_008 },
      field("010 __ $an  79021164"),
      field("100 1_ $aTwain, Mark,$d1835-1910"),
      field("400 1_ $aClemens, Samuel Langhorne,$d1835-1910"),
      field("670 __ $aHuckleberry Finn, 1884."),
    ]);
    assert.deepEqual(validateRecord(record, AUTHORITY_IMPORT).errors, []);
    // Under the bibliographic profile the same record is an error (not a bibliographic type).
    const asBib = validateRecord(record, BIB_IMPORT).errors.map((e) => e.check);
    assert.ok(asBib.includes("leader.type-of-record"), asBib.join());
    assert.ok(!asBib.includes("authority.heading-missing"));
  });

  test("no heading (1XX) and an 008 of the wrong length are errors", () => {
    const record = authority([
      { tag: "008", value: AUTHORITY_008.slice(0, 39) },
      field("400 1_ $aClemens, Samuel Langhorne"),
    ]);
    const checks = validateRecord(record, AUTHORITY_IMPORT).errors.map((e) => e.check);
    assert.deepEqual(checks.sort(), ["008.length", "authority.heading-missing"]);
    const none = validateRecord(authority([field("100 1_ $aTwain, Mark")]), AUTHORITY_IMPORT);
    assert.deepEqual(
      none.errors.map((e) => e.check),
      ["008.missing"],
    );
  });
});
