import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { DataField, Field, MarcRecord } from "../../src/marc/record.js";
import type { Rule } from "../../src/rules/ast.js";
import { mergeRecords, type MergeLogEntry } from "../../src/rules/merge.js";
import { parseRules } from "../../src/rules/parser.js";
import {
  PREDEFINED_MERGE_METHODS,
  isPredefinedMergeMethodName,
  predefinedMergeRules,
  type PredefinedMergeMethodName,
} from "../../src/rules/predefined-merge.js";

/** `data("245", "10", "aTitle", "cAuthor")`: a data field, subfields as code + value. */
function data(tag: string, ind: string, ...subfields: string[]): DataField {
  return {
    tag,
    ind1: ind[0]!,
    ind2: ind[1]!,
    subfields: subfields.map((s) => ({ code: s[0]!, value: s.slice(1) })),
  };
}

function show(fields: readonly Field[]): string[] {
  return fields.map((f) =>
    "value" in f
      ? `${f.tag} ${f.value}`
      : `${f.tag} ${f.ind1}${f.ind2} ${f.subfields.map((s) => `$${s.code}${s.value}`).join("")}`,
  );
}

/** The rules of a text that must parse without errors. */
function rules(text: string): readonly Rule[] {
  const parsed = parseRules(text);
  assert.deepEqual(parsed.errors, []);
  return parsed.rules;
}

/** One merge rule with these action lines (the first action is on line 4). */
function rule(...actions: string[]): readonly Rule[] {
  return rules(`rule "r"\nwhen merge\nthen\n${actions.map((a) => `  ${a}\n`).join("")}end\n`);
}

function merge(
  primary: MarcRecord,
  secondary: MarcRecord,
  ruleSet: readonly Rule[],
): { fields: string[]; leader: string; log: MergeLogEntry[] } {
  const { record, log } = mergeRecords(primary, secondary, ruleSet);
  return { fields: show(record.fields), leader: record.leader, log };
}

function messages(log: readonly MergeLogEntry[]): string[] {
  return log.map((e) => e.message);
}

const LEADER_P = "00000cam a2200000 a 4500";
const LEADER_S = "00000cam a2200000Ia 4500";

function record(leader: string, ...fields: Field[]): MarcRecord {
  return { leader, fields };
}

// ------------------------------------------------------------------------------ actions

describe("merge actions", () => {
  const primary = record(
    LEADER_P,
    { tag: "001", value: "991" },
    data("245", "10", "aOld"),
    data("500", "  ", "aP1"),
    data("650", " 0", "aP subject"),
  );
  const secondary = record(
    LEADER_S,
    { tag: "001", value: "ocm1" },
    data("245", "10", "aNew"),
    data("500", "  ", "aS1"),
    data("504", "  ", "aS bibliography"),
    data("650", " 0", "aS subject"),
  );

  test("add copies the secondary's fields into the primary, after the primary's of the same tag", () => {
    const r = merge(primary, secondary, rule('add MARC."5"XX'));
    assert.deepEqual(r.fields, [
      "001 991",
      "245 10 $aOld",
      "500    $aP1",
      "500    $aS1",
      "504    $aS bibliography",
      "650  0 $aP subject",
    ]);
    assert.equal(r.leader, LEADER_P);
    assert.deepEqual(r.log, [
      {
        rule: "r",
        line: 4,
        action: 'add MARC."5"XX',
        fields: ["500", "504"],
        message: "added from the secondary: 500, 504",
      },
    ]);
  });

  test("remove deletes the primary's fields and takes nothing", () => {
    const r = merge(primary, secondary, rule('remove MARC."650"'));
    assert.deepEqual(r.fields, ["001 991", "245 10 $aOld", "500    $aP1"]);
    assert.deepEqual(messages(r.log), ["removed from the primary: 650"]);
  });

  test("replace removes the primary's fields, then adds the secondary's", () => {
    const r = merge(primary, secondary, rule('replace MARC."245"'));
    assert.deepEqual(r.fields.slice(0, 2), ["001 991", "245 10 $aNew"]);
    assert.deepEqual(r.log[0]!.fields, ["245", "245"]);
    assert.equal(r.log[0]!.message, "removed from the primary: 245; added from the secondary: 245");
  });

  test("the secondary record is not changed", () => {
    const before = JSON.stringify(secondary);
    mergeRecords(primary, secondary, rule("replace MARC.XXX"));
    assert.equal(JSON.stringify(secondary), before);
  });

  test("an empty then keeps the primary as it is, and says so", () => {
    const r = merge(primary, secondary, rules('rule "keep"\nwhen\n  merge\nthen\nend\n'));
    assert.deepEqual(r.fields, show(primary.fields));
    assert.equal(r.leader, LEADER_P);
    assert.deepEqual(r.log, [
      {
        rule: "keep",
        line: 1,
        action: "then",
        fields: [],
        message: "no actions: the primary is kept as it is",
      },
    ]);
  });

  test("nothing to do is logged as such", () => {
    const r = merge(
      primary,
      secondary,
      rule('remove MARC."246"', 'add MARC."246"', 'replace MARC."246"'),
    );
    assert.deepEqual(messages(r.log), [
      "nothing to remove: the primary has no such field",
      "nothing to add: the secondary has no such field",
      "nothing to replace: neither record has such a field",
    ]);
    assert.deepEqual(
      r.log.map((e) => e.line),
      [4, 5, 6],
    );
  });

  test("actions run in order, each on the primary as the one before left it", () => {
    const r = merge(
      primary,
      secondary,
      rule('remove MARC."500"', 'add MARC."500" if does not exist'),
    );
    assert.deepEqual(r.fields.slice(2, 3), ["500    $aS1"]);
  });
});

// ------------------------------------------------------------------------------ selectors

describe("merge selectors", () => {
  const primary = record(
    LEADER_P,
    { tag: "001", value: "991" },
    { tag: "005", value: "2020" },
    { tag: "008", value: "old 008" },
    data("590", "  ", "aLocal note"),
    data("650", " 0", "aA"),
    data("650", " 7", "aB", "2fast"),
  );
  const secondary = record(
    LEADER_S,
    { tag: "001", value: "ocm1" },
    { tag: "005", value: "2026" },
    { tag: "008", value: "new 008" },
    data("500", "  ", "aNote"),
    data("591", "  ", "aTheir local note"),
    data("650", " 0", "aC"),
    data("650", " 2", "aD"),
  );

  test('X is a wildcard: MARC."59"X selects 590–599 and nothing else', () => {
    const r = merge(primary, secondary, rule('replace MARC."59"X'));
    assert.deepEqual(r.log[0]!.fields, ["590", "591"]);
  });

  test("MARC.XXX covers the control fields but not the leader", () => {
    const r = merge(primary, secondary, rule('replace MARC.XXX excluding "001"'));
    assert.equal(r.leader, LEADER_P);
    assert.deepEqual(r.fields, [
      "001 991",
      "005 2026",
      "008 new 008",
      "500    $aNote",
      "591    $aTheir local note",
      "650  0 $aC",
      "650  2 $aD",
    ]);
  });

  test('MARC."LDR" and MARC.control."LDR" take the secondary\'s leader; the leader cannot be removed', () => {
    for (const selector of ['MARC."LDR"', 'MARC.control."LDR"']) {
      const r = merge(primary, secondary, rule(`replace ${selector}`));
      assert.equal(r.leader, LEADER_S);
      assert.deepEqual(r.fields, show(primary.fields));
      assert.deepEqual(r.log[0]!.fields, ["LDR"]);
      assert.equal(r.log[0]!.message, "leader taken from the secondary");
    }
    const removed = merge(primary, secondary, rule('remove MARC."LDR"'));
    assert.equal(removed.leader, LEADER_P);
    assert.deepEqual(messages(removed.log), ["skipped: the leader cannot be removed"]);
  });

  test('a four-character selector (Harvard\'s MARC."580"X) selects no field, and says why', () => {
    const r = merge(primary, secondary, rule('remove MARC."580"X'));
    assert.deepEqual(r.fields, show(primary.fields));
    assert.deepEqual(messages(r.log), [
      'skipped: MARC."580"X selects no field (580X is not a three-character tag)',
    ]);
  });

  test('MARC.control."008" replaces the control field', () => {
    const r = merge(primary, secondary, rule('replace MARC.control."008"'));
    assert.deepEqual(r.fields.slice(0, 3), ["001 991", "005 2020", "008 new 008"]);
  });

  test('an indicator selector MARC."650"(" ","0") selects by indicators', () => {
    const r = merge(primary, secondary, rule('replace MARC."650"(" ","0")'));
    assert.deepEqual(r.fields.slice(4), ["650  7 $aB$2fast", "650  0 $aC"]);
  });
});

// ------------------------------------------------------------------------------ excluding

describe("merge exclusions", () => {
  const primary = record(
    LEADER_P,
    { tag: "001", value: "991" },
    data("035", "  ", "a(OCoLC)1"),
    data("035", "9 ", "aLOCAL"),
    data("035", "99", "aOTHER"),
    data("246", "30", "aP part"),
    data("246", "18", "aP spine"),
    data("949", "  ", "aitem"),
    data("998", "  ", "astatus"),
  );
  const secondary = record(
    LEADER_S,
    data("035", "  ", "a(OCoLC)2"),
    data("246", "30", "aS part"),
    data("246", "18", "aS spine"),
    data("938", "  ", "avendor"),
    data("998", "  ", "aS status"),
  );

  test("a tag list with X wildcards", () => {
    const r = merge(primary, secondary, rule('remove MARC."9"XX excluding "94X,999"'));
    assert.deepEqual(r.log[0]!.message, "removed from the primary: 998; kept by excluding: 949");
  });

  test('a selector with indicators: excluding MARC."035"("9"," ")', () => {
    const r = merge(primary, secondary, rule('remove MARC."035" excluding MARC."035"("9"," ")'));
    assert.deepEqual(r.fields.slice(0, 2), ["001 991", "035 9  $aLOCAL"]);
  });

  test('excluding second indicator "8" leaves those fields on both sides', () => {
    const r = merge(primary, secondary, rule('replace MARC."246" excluding second indicator "8"'));
    assert.deepEqual(
      r.fields.filter((f) => f.startsWith("246")),
      ["246 18 $aP spine", "246 30 $aS part"],
    );
    assert.equal(
      r.log[0]!.message,
      "removed from the primary: 246; kept by excluding: 246; added from the secondary: 246; not taken by excluding: 246",
    );
  });

  test('excluding first indicator "-" is a blank first indicator', () => {
    const r = merge(primary, secondary, rule('remove MARC."035" excluding first indicator "-"'));
    assert.deepEqual(
      r.fields.filter((f) => f.startsWith("035")),
      ["035    $a(OCoLC)1"],
    );
  });

  test('excluding first indicator "9"', () => {
    const r = merge(primary, secondary, rule('remove MARC."035" excluding first indicator "9"'));
    assert.deepEqual(
      r.fields.filter((f) => f.startsWith("035")),
      ["035 9  $aLOCAL", "035 99 $aOTHER"],
    );
  });
});

// ------------------------------------------------------------------------------ guards

describe("merge guards", () => {
  const primary = record(
    LEADER_P,
    { tag: "001", value: "991" },
    data("041", "0 ", "aeng"),
    data("246", "30", "aPlain"),
    data("246", "30", "aLocal", "5MH"),
    data("650", " 0", "aLCSH"),
  );
  const secondary = record(
    LEADER_S,
    data("022", "  ", "a1234-5678"),
    data("041", "1 ", "aeng", "hfre"),
    data("043", "  ", "an-us---"),
    data("246", "30", "aTheirs"),
    data("246", "30", "aTheir local", "5XY"),
    data("650", " 0", "aLCSH 2"),
    data("650", " 2", "aMeSH"),
  );

  test("if does not exist: added only when the primary has no such field", () => {
    const r = merge(
      primary,
      secondary,
      rule('add MARC."041" if does not exists', 'add MARC."043" if does not exist'),
    );
    assert.deepEqual(
      r.fields.filter((f) => f.startsWith("04")),
      ["041 0  $aeng", "043    $an-us---"],
    );
    assert.deepEqual(messages(r.log), [
      'skipped: the primary already has MARC."041" (if does not exist)',
      "added from the secondary: 043",
    ]);
    assert.deepEqual(r.log[0]!.fields, []);
  });

  test("if exists: replaced only when the primary has such a field", () => {
    const r = merge(
      primary,
      secondary,
      rule('replace MARC."022" if exists', 'replace MARC."041" if exists'),
    );
    assert.deepEqual(
      r.fields.filter((f) => f.startsWith("0")),
      ["001 991", "041 1  $aeng$hfre"],
    );
    assert.deepEqual(messages(r.log), [
      'skipped: the primary has no MARC."022" (if exists)',
      "removed from the primary: 041; added from the secondary: 041",
    ]);
  });

  test("if does not exist with indicators asks about those indicators only", () => {
    const r = merge(
      primary,
      secondary,
      rule(
        'add MARC."650"(" ","0") if does not exist',
        'add MARC."650"(" ","2") if does not exist',
      ),
    );
    assert.deepEqual(
      r.fields.filter((f) => f.startsWith("650")),
      ["650  0 $aLCSH", "650  2 $aMeSH"],
    );
  });

  test('if not exists subfield "5" removes only the primary\'s fields without $5', () => {
    const r = merge(primary, secondary, rule('remove MARC."246" if not exists subfield "5"'));
    assert.deepEqual(
      r.fields.filter((f) => f.startsWith("246")),
      ["246 30 $aLocal$5MH"],
    );
    assert.equal(r.log[0]!.message, "removed from the primary: 246; kept by the condition: 246");
  });

  test('if exists subfield "5" on add takes only the secondary\'s fields with $5', () => {
    const r = merge(primary, secondary, rule('add MARC."246" if exists subfield "5"'));
    assert.deepEqual(
      r.fields.filter((f) => f.startsWith("246")),
      ["246 30 $aPlain", "246 30 $aLocal$5MH", "246 30 $aTheir local$5XY"],
    );
    assert.equal(
      r.log[0]!.message,
      "added from the secondary: 246; not taken by the condition: 246",
    );
  });
});

// ------------------------------------------------------------------------------ when … contains

describe("merge when … contains", () => {
  test("remove … when: the primary's fields that meet it, field by field", () => {
    const primary = record(
      LEADER_P,
      data("084", "  ", "aAB 100", "2rvk"),
      data("084", "  ", "a800", "2sdnb"),
    );
    const r = merge(
      primary,
      record(LEADER_S),
      rule('remove MARC."084" when MARC."084"."2" does not contain "rvk"'),
    );
    assert.deepEqual(r.fields, ["084    $aAB 100$2rvk"]);
  });

  test("add … when \"a*\": the secondary's fields whose $5 begins with a (Harvard's per-letter lines)", () => {
    const secondary = record(
      LEADER_S,
      data("246", "30", "aOne", "5ab"),
      data("246", "30", "aTwo", "5ba"),
      data("246", "30", "aThree"),
    );
    const r = merge(
      record(LEADER_P),
      secondary,
      rule(
        'add MARC."246" when MARC."246"."5" contains "a*"',
        'add MARC."246" when MARC."246"."5" contains "b*"',
      ),
    );
    assert.deepEqual(r.fields, ["246 30 $aOne$5ab", "246 30 $aTwo$5ba"]);
    assert.deepEqual(messages(r.log), [
      "added from the secondary: 246; not taken by the condition: 246 ×2",
      "added from the secondary: 246; not taken by the condition: 246 ×2",
    ]);
  });

  test("contains without * finds the text anywhere; with * it matches the whole value; | is or", () => {
    const primary = record(
      LEADER_P,
      data("035", "  ", "a(OCoLC)123"),
      data("035", "  ", "a(DLC)456"),
      data("035", "  ", "aXOCoLC"),
      data("035", "  ", "aocm789"),
    );
    const run = (pattern: string): string[] =>
      merge(
        primary,
        record(LEADER_S),
        rule(`remove MARC."035" when MARC."035"."a" contains "${pattern}"`),
      ).fields;
    assert.deepEqual(run("OCoLC"), ["035    $a(DLC)456", "035    $aocm789"]);
    assert.deepEqual(run("(OCoLC)*"), ["035    $a(DLC)456", "035    $aXOCoLC", "035    $aocm789"]);
    assert.deepEqual(run("(DLC)*|ocm*"), ["035    $a(OCoLC)123", "035    $aXOCoLC"]);
  });

  test("contains compares in Unicode NFC (a decomposed é in the record, a composed one in the rule)", () => {
    const primary = record(
      LEADER_P,
      data("710", "2 ", "aSocie\u0301te\u0301 Ge\u0301ne\u0301rale"),
    );
    const r = merge(
      primary,
      record(LEADER_S),
      rule('remove MARC."710" when MARC."710"."a" contains "Soci\u00e9t\u00e9"'),
    );
    assert.deepEqual(r.fields, []);
  });

  // Orbis Cascade, "OCA Bib Overlay (Keep 035s)": "retain 035 fields which do NOT contain OCoLC".
  test("replace … when contains (Orbis): the primary's OCLC 035s are replaced, the others stay", () => {
    const primary = record(
      LEADER_P,
      data("035", "  ", "a(OCoLC)111"),
      data("035", "  ", "a(WaOLN)xyz"),
      data("035", "99", "a(OCoLC)999"),
    );
    const secondary = record(LEADER_S, data("035", "  ", "a(OCoLC)222"), data("035", "99", "ax"));
    const r = merge(
      primary,
      secondary,
      rule('replace MARC."035" when MARC."035"."a" contains "OCoLC" excluding MARC."035"("9","9")'),
    );
    assert.deepEqual(r.fields, [
      "035    $a(WaOLN)xyz",
      "035 99 $a(OCoLC)999",
      "035    $a(OCoLC)222",
    ]);
  });

  test("replace … when contains: the primary's excluded fields do not count for the test", () => {
    const primary = record(LEADER_P, data("035", "99", "a(OCoLC)999"));
    const secondary = record(LEADER_S, data("035", "  ", "a(OCoLC)222"));
    const r = merge(
      primary,
      secondary,
      rule('replace MARC."035" when MARC."035"."a" contains "OCoLC" excluding MARC."035"("9","9")'),
    );
    assert.deepEqual(r.fields, ["035 99 $a(OCoLC)999"]);
  });

  test("replace … when contains: nothing happens when no field of the primary meets it", () => {
    const primary = record(LEADER_P, data("035", "  ", "a(WaOLN)xyz"));
    const secondary = record(LEADER_S, data("035", "  ", "a(OCoLC)222"));
    const r = merge(
      primary,
      secondary,
      rule('replace MARC."035" when MARC."035"."a" contains "OCoLC"'),
    );
    assert.deepEqual(r.fields, ["035    $a(WaOLN)xyz"]);
    assert.deepEqual(messages(r.log), [
      'skipped: no MARC."035" of the primary has $a containing "OCoLC"',
    ]);
  });

  // KC Community, "How to setup complex data enrichments via import profiles with Drools",
  // Test 1: "if MARC 084 with $$2 rvk already exists, all MARC 084 fields in the secondary
  // record are ignored; if [it] does not exist in the primary record, all MARC 084 fields in the
  // secondary record are added to the primary record".
  const rvk = rule(
    'replace MARC."084" when MARC."084"."2" does not contain "rvk" excluding MARC."999"("0","0")',
  );
  const incoming084 = record(
    LEADER_S,
    data("084", "  ", "aNQ 1000", "2rvk"),
    data("084", "  ", "a830", "2sdnb"),
  );

  test("replace … when does not contain (community test 1): the primary has rvk → all secondary 084s ignored", () => {
    const r = merge(record(LEADER_P, data("084", "  ", "aAB 100", "2rvk")), incoming084, rvk);
    assert.deepEqual(r.fields, ["084    $aAB 100$2rvk"]);
    assert.deepEqual(messages(r.log), [
      'skipped: a MARC."084" of the primary has $2 containing "rvk"',
    ]);
  });

  test("replace … when does not contain (community test 1): no rvk in the primary → all secondary 084s added", () => {
    const none = merge(record(LEADER_P), incoming084, rvk);
    assert.deepEqual(none.fields, ["084    $aNQ 1000$2rvk", "084    $a830$2sdnb"]);
    const other = merge(record(LEADER_P, data("084", "  ", "a800", "2sdnb")), incoming084, rvk);
    assert.deepEqual(other.fields, ["084    $aNQ 1000$2rvk", "084    $a830$2sdnb"]);
  });

  test("replace … when does not contain: a primary with rvk and other 084s keeps them all (record-level test first)", () => {
    const primary = record(
      LEADER_P,
      data("084", "  ", "aAB 100", "2rvk"),
      data("084", "  ", "a800", "2sdnb"),
    );
    assert.deepEqual(merge(primary, incoming084, rvk).fields, show(primary.fields));
  });

  test("a when on another tag tests the primary as a record", () => {
    const primary = record(LEADER_P, data("040", "  ", "aDLC", "beng"), data("500", "  ", "aP"));
    const secondary = record(LEADER_S, data("500", "  ", "aS"));
    const eng = merge(
      primary,
      secondary,
      rule('add MARC."500" when MARC."040"."b" contains "eng"'),
    );
    assert.deepEqual(eng.fields.slice(1), ["500    $aP", "500    $aS"]);
    const ger = merge(
      primary,
      secondary,
      rule('add MARC."500" when MARC."040"."b" contains "ger"'),
    );
    assert.deepEqual(messages(ger.log), [
      'skipped: no MARC."040" of the primary has $b containing "ger"',
    ]);
  });
});

// ------------------------------------------------------------------------------ 001, duplicates

describe("merge: the MMS ID and duplicates", () => {
  const primary = record(
    LEADER_P,
    { tag: "001", value: "991" },
    { tag: "003", value: "MH" },
    data("590", "  ", "aLocal"),
    data("650", " 0", "aRivers"),
  );
  const secondary = record(
    LEADER_S,
    { tag: "001", value: "ocm1" },
    { tag: "003", value: "OCoLC" },
    data("590", "  ", "aLocal"),
    data("591", "  ", "aOther"),
    data("650", " 0", "aRivers"),
    data("650", " 0", "aRivers"),
  );

  test("the primary's 001 stays under wildcards, and the secondary's is never taken", () => {
    const r = merge(primary, secondary, rule('remove MARC."0"XX', "add MARC.XXX"));
    assert.deepEqual(r.fields.slice(0, 2), ["001 991", "003 OCoLC"]);
    assert.equal(
      r.log[0]!.message,
      "removed from the primary: 003; 001 kept (the primary's MMS ID)",
    );
    assert.match(
      r.log[1]!.message,
      /; the secondary's 001 not taken \(the primary keeps its MMS ID\)$/,
    );
  });

  test('replace MARC."001" is skipped', () => {
    const r = merge(primary, secondary, rule('replace MARC."001"'));
    assert.deepEqual(r.fields[0], "001 991");
    assert.deepEqual(messages(r.log), [
      "skipped: the primary's 001 is its MMS ID and always stays",
    ]);
  });

  test("add does not add a field the primary holds already, identical", () => {
    const r = merge(primary, secondary, rule('add MARC."59"X'));
    assert.deepEqual(
      r.fields.filter((f) => f.startsWith("59")),
      ["590    $aLocal", "591    $aOther"],
    );
    assert.equal(
      r.log[0]!.message,
      "added from the secondary: 591; not added again (the primary has the same field): 590",
    );
  });

  test("a field an earlier action took is not taken twice (UMich: replace MARC.XXX, then add 59X)", () => {
    const r = merge(
      record(LEADER_P),
      secondary,
      rule('replace MARC.XXX excluding "001,590"', 'add MARC."59"X'),
    );
    assert.deepEqual(
      r.fields.filter((f) => f.startsWith("59")),
      ["590    $aLocal", "591    $aOther"],
    );
    assert.equal(
      r.log[1]!.message,
      "added from the secondary: 590; taken already by an earlier action: 591",
    );
  });

  test("the secondary's own repeated fields all come over", () => {
    const r = merge(record(LEADER_P), secondary, rule('add MARC."650"'));
    assert.deepEqual(r.fields, ["650  0 $aRivers", "650  0 $aRivers"]);
  });
});

// ------------------------------------------------------------------------------ order

describe("merge: order", () => {
  test("added fields go in by tag; neither record's own order changes", () => {
    const primary = record(
      LEADER_P,
      { tag: "001", value: "991" },
      data("245", "10", "aT"),
      data("520", "  ", "aSummary"),
      data("500", "  ", "aNote after summary"),
      data("949", "  ", "aitem"),
    );
    const secondary = record(
      LEADER_S,
      data("100", "1 ", "aAuthor"),
      data("651", " 0", "aPlace"),
      data("650", " 0", "aTopic"),
      data("700", "1 ", "aAdded"),
    );
    const r = merge(primary, secondary, rule('add MARC."7"XX', 'add MARC."6"XX', 'add MARC."1"XX'));
    assert.deepEqual(r.fields, [
      "001 991",
      "100 1  $aAuthor",
      "245 10 $aT",
      "520    $aSummary",
      "500    $aNote after summary",
      "651  0 $aPlace",
      "650  0 $aTopic",
      "700 1  $aAdded",
      "949    $aitem",
    ]);
  });

  test("rules fire by priority, then the later-declared first", () => {
    const text = [
      'rule "first declared"\nwhen merge\nthen\n  replace MARC."245"\nend',
      'rule "second declared"\nwhen merge\nthen\n  remove MARC."245"\nend',
      'rule "high"\npriority 5\nwhen merge\nthen\n  remove MARC."500"\nend',
    ].join("\n");
    const r = merge(
      record(LEADER_P, data("245", "10", "aOld"), data("500", "  ", "aP")),
      record(LEADER_S, data("245", "10", "aNew")),
      rules(text),
    );
    assert.deepEqual(
      r.log.map((e) => e.rule),
      ["high", "second declared", "first declared"],
    );
    assert.deepEqual(r.fields, ["245 10 $aNew"]);
  });
});

// ------------------------------------------------------------------------------ not merge

describe("merge: what is not a merge rule", () => {
  test("a rule with a record condition is skipped and logged", () => {
    const r = merge(
      record(LEADER_P, data("245", "10", "aOld")),
      record(LEADER_S),
      rules('rule "norm"\nwhen\n  (TRUE)\nthen\n  removeField "245"\nend\n'),
    );
    assert.deepEqual(r.fields, ["245 10 $aOld"]);
    assert.deepEqual(r.log, [
      {
        rule: "norm",
        line: 1,
        action: "when",
        fields: [],
        message: "skipped: not a merge rule (its when is a condition, not merge)",
      },
    ]);
  });
});

// ------------------------------------------------------------------------------ predefined

describe("predefined merge methods", () => {
  test("each parses without errors, and is found by its name", () => {
    for (const name of Object.keys(PREDEFINED_MERGE_METHODS)) {
      assert.equal(isPredefinedMergeMethodName(name), true);
      assert.deepEqual(
        parseRules(PREDEFINED_MERGE_METHODS[name as PredefinedMergeMethodName]).errors,
        [],
      );
      assert.equal(predefinedMergeRules(name)![0]!.name, name);
    }
    assert.equal(predefinedMergeRules("Overlay everything"), undefined);
    assert.equal(isPredefinedMergeMethodName("toString"), false);
  });

  // The cases of test/import/merge.test.ts (today's hand-coded method) against the rule text.
  describe("Overlay all fields but local: the cases of the hand-coded method", () => {
    const existing: MarcRecord = {
      leader: "00000cam a2200000 a 4500",
      fields: [
        { tag: "001", value: "991000000010001" },
        { tag: "005", value: "20200101000000.0" },
        data("035", "  ", "a(OCoLC)123"),
        data("035", "9 ", "aLOCAL-7"),
        data("035", "99", "aother"),
        data("245", "10", "aOld title"),
        data("500", "  ", "aOld note"),
        data("949", "  ", "aitem data"),
        data("999", "  ", "alocal"),
      ],
    };
    const incoming: MarcRecord = {
      leader: "00000cam a2200000Ia 4500",
      fields: [
        { tag: "001", value: "ocm00000123" },
        { tag: "005", value: "20260101000000.0" },
        data("035", "  ", "a(OCoLC)ocm00000123"),
        data("245", "10", "aNew title"),
        data("650", " 0", "aSubject"),
        data("938", "  ", "avendor"),
      ],
    };
    const overlay = predefinedMergeRules("Overlay all fields but local")!;

    test("keeps the existing 001, 9XX and 035 9_; takes every other incoming field but 001 and 9XX", () => {
      const { record: merged, log } = mergeRecords(existing, incoming, overlay);
      assert.equal(merged.leader, incoming.leader);
      assert.deepEqual(show(merged.fields), [
        "001 991000000010001",
        "005 20260101000000.0",
        "035 9  $aLOCAL-7",
        "035    $a(OCoLC)ocm00000123",
        "245 10 $aNew title",
        "650  0 $aSubject",
        "949    $aitem data",
        "999    $alocal",
      ]);
      assert.deepEqual(log, [
        {
          rule: "Overlay all fields but local",
          line: 5,
          action: 'replace MARC."LDR"',
          fields: ["LDR"],
          message: "leader taken from the secondary",
        },
        {
          rule: "Overlay all fields but local",
          line: 6,
          action: 'replace MARC.XXX excluding "001,035,9XX"',
          fields: ["005", "245", "500", "005", "245", "650"],
          message:
            "removed from the primary: 005, 245, 500; kept by excluding: 001, 035 ×3, 949, 999; added from the secondary: 005, 245, 650; not taken by excluding: 001, 035, 938",
        },
        {
          rule: "Overlay all fields but local",
          line: 7,
          action: 'remove MARC."035" excluding MARC."035"("9"," ")',
          fields: ["035", "035"],
          message: "removed from the primary: 035 ×2; kept by excluding: 035",
        },
        {
          rule: "Overlay all fields but local",
          line: 8,
          action: 'add MARC."035"',
          fields: ["035"],
          message: "added from the secondary: 035",
        },
      ]);
    });

    test("an 035 with first indicator 9 but another second indicator is replaced", () => {
      const { record: merged } = mergeRecords(existing, incoming, overlay);
      assert.equal(show(merged.fields).includes("035 99 $aother"), false);
    });
  });

  // The worked examples of docs/rules.md ("Merge rules"): the same pair through each method.
  describe("worked examples", () => {
    const existing: MarcRecord = {
      leader: "01234cam a2200289 i 4500",
      fields: [
        { tag: "001", value: "991234567890001" },
        { tag: "005", value: "20240115093000.0" },
        { tag: "008", value: "210315s2021    nyu           000 1 eng d" },
        data("020", "  ", "a9781250123456"),
        data("035", "  ", "a(OCoLC)1234567890"),
        data("035", "  ", "a(NjP)4471-princetondb"),
        data("035", "9 ", "aLOCAL-000123"),
        data("100", "1 ", "aSmith, Jane."),
        data("245", "14", "aThe river :", "ba novle /", "cJane Smith."),
        data("500", "  ", "aSigned by the author."),
        data("650", " 0", "aRivers", "vFiction."),
        data("690", " 4", "aHudson Valley authors."),
        data("700", "1 ", "aDoe, John,", "eillustrator."),
        data("949", "  ", "aPS3619 .M59 R58 2021", "bmain"),
      ],
    };
    const incoming: MarcRecord = {
      leader: "01310cam a2200313Ii 4500",
      fields: [
        { tag: "001", value: "ocn1234567890" },
        { tag: "005", value: "20260301120000.0" },
        { tag: "008", value: "210315s2021    nyu           000 1 eng d" },
        data("020", "  ", "a9781250123456"),
        data("035", "  ", "a(OCoLC)1234567890"),
        data("040", "  ", "aDLC", "beng", "erda", "cDLC", "dOCLCO"),
        data("100", "1 ", "aSmith, Jane,", "d1970-"),
        data("245", "14", "aThe river :", "ba novel /", "cJane Smith."),
        data("504", "  ", "aIncludes bibliographical references."),
        data("650", " 0", "aRivers", "vFiction."),
        data("651", " 0", "aHudson River (N.Y.)", "vFiction."),
        data("655", " 7", "aNovels.", "2lcgft"),
        data("700", "1 ", "aDoe, John,", "d1965-", "eillustrator."),
        data("938", "  ", "aBaker & Taylor", "bBTCP"),
      ],
    };
    const run = (name: PredefinedMergeMethodName): ReturnType<typeof merge> =>
      merge(existing, incoming, predefinedMergeRules(name)!);

    test("Overlay all fields but local", () => {
      const r = run("Overlay all fields but local");
      assert.equal(r.leader, incoming.leader);
      assert.deepEqual(r.fields, [
        "001 991234567890001",
        "005 20260301120000.0",
        "008 210315s2021    nyu           000 1 eng d",
        "020    $a9781250123456",
        "035 9  $aLOCAL-000123",
        "035    $a(OCoLC)1234567890",
        "040    $aDLC$beng$erda$cDLC$dOCLCO",
        "100 1  $aSmith, Jane,$d1970-",
        "245 14 $aThe river :$ba novel /$cJane Smith.",
        "504    $aIncludes bibliographical references.",
        "650  0 $aRivers$vFiction.",
        "651  0 $aHudson River (N.Y.)$vFiction.",
        "655  7 $aNovels.$2lcgft",
        "700 1  $aDoe, John,$d1965-$eillustrator.",
        "949    $aPS3619 .M59 R58 2021$bmain",
      ]);
    });

    test("Replace 245 and 035 OCLC if exist", () => {
      const r = run("Replace 245 and 035 OCLC if exist");
      assert.equal(r.leader, incoming.leader);
      assert.deepEqual(r.fields, [
        "001 991234567890001",
        "005 20260301120000.0",
        "008 210315s2021    nyu           000 1 eng d",
        "020    $a9781250123456",
        "035    $a(OCoLC)1234567890",
        "035 9  $aLOCAL-000123",
        "040    $aDLC$beng$erda$cDLC$dOCLCO",
        "100 1  $aSmith, Jane,$d1970-",
        "245 14 $aThe river :$ba novle /$cJane Smith.",
        "245 14 $aThe river :$ba novel /$cJane Smith.",
        "504    $aIncludes bibliographical references.",
        "650  0 $aRivers$vFiction.",
        "651  0 $aHudson River (N.Y.)$vFiction.",
        "655  7 $aNovels.$2lcgft",
        "700 1  $aDoe, John,$d1965-$eillustrator.",
        "938    $aBaker & Taylor$bBTCP",
      ]);
      assert.deepEqual(messages(r.log).slice(3), [
        "added from the secondary: 245",
        "not added again (the primary has the same field): 035",
      ]);
    });

    test("Keep only old value", () => {
      const r = run("Keep only old value");
      assert.equal(r.leader, existing.leader);
      assert.deepEqual(r.fields, show(existing.fields));
    });

    test("Conditional subject headings", () => {
      const r = run("Conditional subject headings");
      assert.equal(r.leader, incoming.leader);
      assert.deepEqual(r.fields, [
        "001 991234567890001",
        "005 20260301120000.0",
        "008 210315s2021    nyu           000 1 eng d",
        "020    $a9781250123456",
        "035    $a(OCoLC)1234567890",
        "035    $a(NjP)4471-princetondb",
        "035 9  $aLOCAL-000123",
        "040    $aDLC$beng$erda$cDLC$dOCLCO",
        "100 1  $aSmith, Jane,$d1970-",
        "245 14 $aThe river :$ba novel /$cJane Smith.",
        "504    $aIncludes bibliographical references.",
        "650  0 $aRivers$vFiction.",
        "651  0 $aHudson River (N.Y.)$vFiction.",
        "655  7 $aNovels.$2lcgft",
        "700 1  $aDoe, John,$eillustrator.",
        "700 1  $aDoe, John,$d1965-$eillustrator.",
        "949    $aPS3619 .M59 R58 2021$bmain",
      ]);
      assert.deepEqual(messages(r.log).slice(2), [
        "removed from the primary: 690; kept by excluding: 650",
        "added from the secondary: 651, 655; not added again (the primary has the same field): 650",
        "added from the secondary: 700",
      ]);
    });
  });
});
