import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { MarcRecord } from "../../src/marc/record.js";
import type { Rule } from "../../src/rules/ast.js";
import { briefLevel } from "../../src/rules/brief-level.js";
import { DEFAULT_BRIEF_LEVEL_RULES } from "../../src/rules/default-brief-level.js";
import { record, rules } from "./_mrk.js";

/** A leader with this encoding level (leader/17) and type/level `am`. */
function ldr(level: string, typeAndLevel = "am"): string {
  return `LDR 00000n${typeAndLevel} a2200000${level}a 4500`;
}

function level(rs: readonly Rule[], r: MarcRecord): string | undefined {
  return briefLevel(r, rs).level;
}

// mlibrary/alma-metadata-rules brief-level/umich brief rules (in production).
const UMICH = rules(`rule "Brief 01"
when
    NOT (exists "245.a.*")  AND NOT  (exists "245.k.*")
then
    set brief_level."01"
end

// CAN'T GET PIPE TEST TO WORK
rule "Brief 02 - oclc sparse"
when
    ((NOT (exists "260.a.*") AND NOT (exists "264.a.*") AND NOT (existsControl "LDR.{06,1}.b") AND NOT (existsControl "LDR.{06,1}.d") AND NOT (existsControl "LDR.{06,1}.f") AND NOT (existsControl "LDR.{06,1}.p") AND NOT (existsControl "LDR.{06,1}.t") AND NOT (existsControl "LDR.{07,1}.c"))
    OR
    (existsControl "008.{06,1}. ")
     OR
    (existsControl "008.{06,1}.\\\\\\\\|")
    OR
    (existsControl "008.{07,4}.    ")
    OR
    (existsControl "008.{15,3}.   ")
    OR
    (existsControl "008.{35,3}.   ")
    OR
    (NOT (exists "1**.a.*") AND NOT (exists "7**.a.*") AND NOT (exists "6**.a.*") AND NOT (existsControl "LDR.{07,1}.i") AND NOT (existsControl "LDR.{07,1}.s"))
    OR
    (NOT (exists "300.a.*") AND NOT (exists "300.f.*")))
    AND NOT  (exists "035.a.(OCoLC)*")
then
    set brief_level."02"
end

rule "Brief 03 - non-English cat - precedence over other rules except sparse"
when
    (exists "040.b.*") AND (not exists "040.b.eng")
then
    set brief_level."03"
end

rule "Brief 04"
when
    (existsControl "LDR.{17,1}.u") OR (existsControl "LDR.{17,1}.x") OR (existsControl "LDR.{17,1}.z")
then
    set brief_level."04"
end

rule "Brief 05"
when
    (existsControl "LDR.{17,1}.5")
then
    set brief_level."05"
end

rule "Brief 06"
when
    (existsControl "LDR.{17,1}.3")
then
    set brief_level."06"
end

rule "Brief 07"
when
    (existsControl "LDR.{17,1}.7") OR (existsControl "LDR.{17,1}.K") OR (existsControl "LDR.{17,1}.M")
then
    set brief_level."07"
end

rule "Brief 08"
when
    (existsControl "LDR.{17,1}. ") OR (existsControl "LDR.{17,1}.1") OR (existsControl "LDR.{17,1}.I")
then
    set brief_level."08"
end

rule "Brief 09 - all encoding levels"
when
    (TRUE)
then
    set brief_level."09"
end
`);

// cbaksik/Alma BriefLevelRule/Brief_Level_Rules.txt (Harvard), from rule 06 on: 09 comes
// before 07 and 08 on purpose.
const HARVARD_TAIL = rules(`rule "Brief 06"
when
    (existsControl "LDR.{17,1}.3") OR (existsControl "LDR.{17,1}.8")
then
    set brief_level."06"
end


rule "Brief 09"
when
    ((existsControl "LDR.{17,1}. ") OR (existsControl "LDR.{17,1}.7")) AND (exists "010.a.*") AND (exists "042.a.*")
then
    set brief_level."09"
end

rule "Brief 07"
when
    (existsControl "LDR.{17,1}.7") OR (existsControl "LDR.{17,1}.K") OR (existsControl "LDR.{17,1}.M") OR (existsControl "LDR.{17,1}.2") OR (existsControl "LDR.{17,1}.4") OR (existsControl "LDR.{17,1}.L")
then
    set brief_level."07"
end


rule "Brief 08"
when
    (existsControl "LDR.{17,1}. ") OR (existsControl "LDR.{17,1}.1") OR (existsControl "LDR.{17,1}.I")
then
    set brief_level."08"
end`);

/** A full OCLC book: 008 filled in, 035 (OCoLC), 1XX, 260, 300, 6XX. */
function oclcBook(leader: string, ...extra: string[]): MarcRecord {
  return record(
    leader,
    "008 850101s1985    nyu           000 0 eng d",
    "035 __ $a(OCoLC)12345",
    "040 __ $aDLC$beng$cDLC",
    "100 1_ $aAuthor.",
    "245 10 $aTitle.",
    "260 __ $aNew York",
    "300 __ $a200 p.",
    "650 _0 $aCats.",
    ...extra,
  );
}

describe("the first matching rule in file order decides", () => {
  test("UMich: the TRUE rule at the end does not override the rules above it", () => {
    assert.equal(level(UMICH, oclcBook(ldr(" "))), "08");
    assert.equal(level(UMICH, oclcBook(ldr("7"))), "07");
    assert.equal(level(UMICH, oclcBook(ldr("5"))), "05");
    assert.equal(level(UMICH, oclcBook(ldr("4"))), "09");
  });

  test("UMich: no title is 01", () => {
    assert.equal(level(UMICH, record(ldr(" "), "100 1_ $aAuthor.")), "01");
  });

  test("UMich: non-English cataloging is 03 over the encoding level", () => {
    const fr = oclcBook(ldr(" ")).fields.map((f) =>
      f.tag === "040"
        ? { tag: "040", ind1: " ", ind2: " ", subfields: [{ code: "b", value: "fre" }] }
        : f,
    );
    assert.equal(level(UMICH, { leader: ldr(" ").slice(4), fields: fr }), "03");
  });

  test("UMich: a sparse record without an OCLC number is 02", () => {
    assert.equal(level(UMICH, record(ldr(" "), "245 10 $aTitle.")), "02");
  });

  test("Harvard: an authenticated full record is 09, before rules 07 and 08", () => {
    const pcc = oclcBook(ldr(" "), "010 __ $a  85012345", "042 __ $apcc");
    assert.equal(level(HARVARD_TAIL, pcc), "09");
    assert.equal(level(HARVARD_TAIL, oclcBook(ldr(" "))), "08");
    assert.equal(level(HARVARD_TAIL, oclcBook(ldr("7"), "010 __ $a  1", "042 __ $alcd")), "09");
    assert.equal(level(HARVARD_TAIL, oclcBook(ldr("7"))), "07");
  });

  test("the result names the deciding rule and its line", () => {
    const r = briefLevel(oclcBook(ldr("7")), UMICH);
    assert.equal(r.level, "07");
    assert.equal(r.rule, "Brief 07");
    assert.equal(r.line, 59);
  });

  test("no rule matches: the level is undefined", () => {
    const rs = rules('rule "x"\nwhen exists "999"\nthen\n  set brief_level."03"\nend\n');
    const r = briefLevel(record(), rs);
    assert.equal(r.level, undefined);
    assert.equal(r.rule, undefined);
  });

  test("a higher priority is tried first", () => {
    const rs = rules(`rule "any"
when TRUE
then
  set brief_level."05"
end
rule "urgent"
priority 5
when TRUE
then
  set brief_level."02"
end
`);
    assert.equal(level(rs, record()), "02");
  });

  test("several set brief_level in one rule: the last one counts", () => {
    const rs = rules(`rule "r"
when TRUE
then
  set brief_level."03"
  set brief_level."04"
end
`);
    assert.equal(level(rs, record()), "04");
  });
});

describe("the brief-level log", () => {
  test("one entry per rule: false whens, the deciding rule, the rules not tested", () => {
    const rs = rules(`rule "one"
when exists "999"
then
  set brief_level."01"
end
rule "two"
when TRUE
then
  set brief_level."02"
end
rule "three"
when TRUE
then
  set brief_level."03"
end
`);
    assert.deepEqual(briefLevel(record(), rs).log, [
      {
        rule: "one",
        line: 4,
        action: 'set brief_level."01"',
        ran: false,
        fields: [],
        message: "when is false",
      },
      {
        rule: "two",
        line: 9,
        action: 'set brief_level."02"',
        ran: true,
        fields: [],
        message: "brief level 02",
      },
      {
        rule: "three",
        line: 14,
        action: 'set brief_level."03"',
        ran: false,
        fields: [],
        message: 'not tested: rule "two" decided',
      },
    ]);
  });

  test("other actions and merge rules are not brief-level rules", () => {
    const rs = rules(`rule "normalize"
when TRUE
then
  removeField "029"
end
rule "merge"
when merge
then
end
`);
    const r = briefLevel(record(), rs);
    assert.equal(r.level, undefined);
    assert.deepEqual(
      r.log.map((e) => `${e.line} ${e.action}: ${e.message}`),
      [
        '4 removeField "029": not a brief-level action: ignored by the brief-level rules',
        "1 rule: sets no brief_level",
        "6 when merge: a merge rule: not a brief-level rule",
      ],
    );
  });
});

describe("marcgate's default brief-level rules", () => {
  const DEFAULT = rules(DEFAULT_BRIEF_LEVEL_RULES);

  /** A full record with every key field; `drop` leaves those tags out. */
  function full(leader: string, ...drop: string[]): MarcRecord {
    const r = record(
      leader,
      "008 850101s1985    nyu           000 0 eng d",
      "020 __ $a0123456789",
      "050 _0 $aQA76$b.A1",
      "100 1_ $aAuthor.",
      "245 10 $aTitle.",
      "264 _1 $aNew York",
      "300 __ $a200 p.",
      "650 _0 $aCats.",
    );
    return { leader: r.leader, fields: r.fields.filter((f) => !drop.includes(f.tag)) };
  }

  test("it parses into ten rules, one per level", () => {
    assert.deepEqual(
      DEFAULT.map((r) => r.name.slice(0, 2)),
      ["01", "02", "03", "04", "05", "06", "07", "08", "09", "10"],
    );
  });

  test("01: no title", () => {
    assert.equal(level(DEFAULT, full(ldr(" "), "245")), "01");
  });

  test("02: a title without publication and physical description", () => {
    assert.equal(level(DEFAULT, full(ldr(" "), "264", "300")), "02");
  });

  test("03: prepublication (CIP, leader/17 8)", () => {
    assert.equal(level(DEFAULT, full(ldr("8"))), "03");
  });

  test("04: an unknown encoding level (u, z, OCLC E and J, or no defined value)", () => {
    for (const l of ["u", "z", "E", "J", "x", "6"]) {
      assert.equal(level(DEFAULT, full(ldr(l))), "04", l);
    }
  });

  test("05: abbreviated (3) or partial (5)", () => {
    assert.equal(level(DEFAULT, full(ldr("3"))), "05");
    assert.equal(level(DEFAULT, full(ldr("5"))), "05");
  });

  test("06: minimal level (7, OCLC K and M)", () => {
    for (const l of ["7", "K", "M"]) assert.equal(level(DEFAULT, full(ldr(l))), "06", l);
  });

  test("07: core (4) or less-than-full (2)", () => {
    assert.equal(level(DEFAULT, full(ldr("4"))), "07");
    assert.equal(level(DEFAULT, full(ldr("2"))), "07");
  });

  test("08: full level without a name entry, a publication or a 300", () => {
    assert.equal(level(DEFAULT, full(ldr(" "), "100")), "08");
    assert.equal(level(DEFAULT, full(ldr(" "), "264")), "08");
    assert.equal(level(DEFAULT, full(ldr("I"), "300")), "08");
  });

  test("a 7XX is a name entry too", () => {
    const r = full(ldr(" "), "100");
    const with700 = {
      leader: r.leader,
      fields: [...r.fields, ...record("700 1_ $aEditor.").fields],
    };
    assert.equal(level(DEFAULT, with700), "10");
  });

  test("09: full level without subjects, or without a standard number and a classification", () => {
    assert.equal(level(DEFAULT, full(ldr(" "), "650")), "09");
    assert.equal(level(DEFAULT, full(ldr("1"), "020", "050")), "09");
    assert.equal(level(DEFAULT, full(ldr(" "), "020")), "10");
  });

  test("10: full level (blank, 1, OCLC I and L) with every key field", () => {
    for (const l of [" ", "1", "I", "L"])
      assert.equal(level(DEFAULT, full(ldr(l))), "10", JSON.stringify(l));
  });
});
