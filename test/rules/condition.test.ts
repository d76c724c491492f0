import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { MarcRecord } from "../../src/marc/record.js";
import type { Condition } from "../../src/rules/ast.js";
import { compileCondition, conditionText } from "../../src/rules/condition.js";
import { record, rules } from "./_mrk.js";

/** The `when` of a one-rule file. */
function when(text: string): Condition {
  const rule = rules(`rule "c"\nwhen\n${text}\nthen\nend\n`)[0]!;
  assert.notEqual(rule.when.kind, "merge");
  return rule.when as Condition;
}

function holds(text: string, r: MarcRecord): boolean {
  return compileCondition(when(text))(r.leader, r.fields);
}

const book = record(
  "LDR 00000cam a2200000 a 4500",
  "001 ocm12345",
  "007 cr |||||||||||",
  "008 850101s1985    nyu           000 0 eng d",
  "035 __ $a(OCoLC)12345",
  "040 __ $aDLC$beng$cDLC",
  "245 10 $aTitle /$cby Someone.",
  "650 _0 $aChild slaves$zUnited States.",
  "856 42 $uhttp://example.org",
);

describe("TRUE and exists", () => {
  test("TRUE, (TRUE) and true hold", () => {
    assert.equal(holds("TRUE", book), true);
    assert.equal(holds("(TRUE)", book), true);
    assert.equal(holds("true", book), true);
  });

  test("exists a tag", () => {
    assert.equal(holds('exists "650"', book), true);
    assert.equal(holds('exists "651"', book), false);
  });

  test("exists with a tag wildcard", () => {
    assert.equal(holds('exists "6**"', book), true);
    assert.equal(holds('exists "7**"', book), false);
  });

  test("exists with indicators", () => {
    assert.equal(holds('exists "856.{4,2}"', book), true);
    assert.equal(holds('exists "856.{4,0}"', book), false);
    assert.equal(holds('exists "650.{*,0}"', book), true);
  });

  test("exists with a subfield and a value pattern", () => {
    assert.equal(holds('exists "650.{*,0}.a.Child slaves*"', book), true);
    assert.equal(holds('exists "035.a.(OCoLC)*"', book), true);
    assert.equal(holds('exists "040.b.eng"', book), true);
    assert.equal(holds('exists "040.b.fre"', book), false);
  });

  test("exists with a subfield only", () => {
    assert.equal(holds('exists "245.c"', book), true);
    assert.equal(holds('exists "245.b"', book), false);
  });

  test("exists on a control tag", () => {
    assert.equal(holds('exists "001"', book), true);
  });
});

describe("existsControl", () => {
  test("a leader position", () => {
    assert.equal(holds('existsControl "LDR.{06,1}.a"', book), true);
    assert.equal(holds('existsControl "LDR.{7,1}.s"', book), false);
  });

  test("a blank leader position (LDR/17 blank: full level)", () => {
    assert.equal(holds('existsControl "LDR.{17,1}. "', book), true);
  });

  test("alternatives at a position (Harvard)", () => {
    assert.equal(holds('existsControl "LDR.{17,1}.1|2|3|4|5|6|8|I|L|K"', book), false);
    assert.equal(holds('existsControl "LDR.{17,1}. |7"', book), true);
  });

  test("a stretch of a control field", () => {
    assert.equal(holds('existsControl "008.{35,3}.eng"', book), true);
    assert.equal(holds('existsControl "008.{35,3}.ita"', book), false);
  });

  test("the first character of any 007", () => {
    assert.equal(holds('existsControl "007.{0,1}.c"', book), true);
  });

  test("a position beyond the end of the field does not match, even *", () => {
    const short = record("007 c");
    assert.equal(holds('existsControl "007.{1,1}.*"', short), false);
    assert.equal(holds('existsControl "007.{0,1}.*"', short), true);
  });

  test("a bare tag: the control field is there", () => {
    assert.equal(holds('existsControl "008"', book), true);
    assert.equal(holds('not existsControl "006"', book), true);
  });

  test("without a position the value is matched against the whole field", () => {
    assert.equal(holds('existsControl "001.ocm*"', book), true);
    assert.equal(holds('existsControl "001.ocm"', book), false);
  });

  test("# is a blank in the leader and 008", () => {
    assert.equal(holds('existsControl "LDR.{17,1}.#"', book), true);
    assert.equal(holds('existsControl "008.{11,4}.####"', book), true);
  });

  test("a data field with a control tag is not a control field", () => {
    assert.equal(holds('existsControl "035"', book), false);
  });
});

describe("not, and, or", () => {
  test("not and NOT ( … )", () => {
    assert.equal(holds('not exists "502"', book), true);
    assert.equal(holds('NOT (exists "650")', book), false);
  });

  test("AND binds tighter than OR (Harvard serial rule)", () => {
    const text = `((existsControl "LDR.{7,1}.s") AND (existsControl "LDR.{17,1}.1|2|3|4|5|6|8|I|L|K")) OR
  ((existsControl "LDR.{7,1}.s") AND (existsControl "LDR.{17,1}. |7")
AND NOT ((exists "010.a.*") AND (exists "042.a.*")))`;
    const serial = record("LDR 00000cas a2200000 a 4500", "245 00 $aJournal.");
    const authenticated = record(
      "LDR 00000cas a2200000 a 4500",
      "010 __ $a  12345",
      "042 __ $apcc",
      "245 00 $aJournal.",
    );
    assert.equal(holds(text, serial), true);
    assert.equal(holds(text, authenticated), false);
    assert.equal(holds(text, book), false);
  });

  test("lower-case and/or", () => {
    assert.equal(holds('(exists "852.b.NET") or (exists "650")', book), true);
    assert.equal(holds('(exists "650") and (exists "852")', book), false);
  });
});

describe("condition text", () => {
  test("written back for log messages", () => {
    assert.equal(
      conditionText(when('(exists "954.a.*") AND NOT (existsControl "LDR.{17,1}. ")')),
      '(exists "954.a.*" AND NOT existsControl "LDR.{17,1}. ")',
    );
    assert.equal(conditionText(when("(TRUE)")), "TRUE");
  });
});
