import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { MarcRecord } from "../../src/marc/record.js";
import type { Rule } from "../../src/rules/ast.js";
import { normalize, type NormalizeOptions, type RuleLogEntry } from "../../src/rules/normalize.js";
import { always, lines, record, rules } from "./_mrk.js";

/** The record's lines after the rules ran. */
function after(rs: readonly Rule[], r: MarcRecord, options?: NormalizeOptions): string[] {
  return lines(normalize(r, rs, options).record);
}

/** The log of the rules on the record. */
function logOf(rs: readonly Rule[], r: MarcRecord, options?: NormalizeOptions): RuleLogEntry[] {
  return normalize(r, rs, options).log;
}

/** The log as `line ran|skip: message` strings. */
function brief(log: readonly RuleLogEntry[]): string[] {
  return log.map((e) => `${e.line} ${e.ran ? "ran" : "skip"}: ${e.message}`);
}

const L = "LDR 00000nam a2200000 a 4500";

describe("rule order", () => {
  const two = rules(`rule "first"
when (TRUE)
then
  addField "500.a.first"
end
rule "second"
when (TRUE)
then
  addField "500.a.second"
end
`);

  test("at equal priority the later-declared rule fires first (Alma's agenda)", () => {
    assert.deepEqual(after(two, record()), [L, "500 __ $asecond", "500 __ $afirst"]);
    assert.deepEqual(
      logOf(two, record()).map((e) => e.rule),
      ["second", "first"],
    );
  });

  test('order "declaration": file order at equal priority', () => {
    assert.deepEqual(after(two, record(), { order: "declaration" }), [
      L,
      "500 __ $afirst",
      "500 __ $asecond",
    ]);
  });

  test("a higher priority fires first in both orders (salience too)", () => {
    const rs = rules(`rule "low"
priority 1
when (TRUE)
then
  addField "500.a.low"
end
rule "high"
salience 2
when (TRUE)
then
  addField "500.a.high"
end
rule "none"
when (TRUE)
then
  addField "500.a.none"
end
`);
    assert.deepEqual(
      logOf(rs, record()).map((e) => e.rule),
      ["high", "low", "none"],
    );
    assert.deepEqual(
      logOf(rs, record(), { order: "declaration" }).map((e) => e.rule),
      ["high", "low", "none"],
    );
  });

  // Harvard NormRules/HOLonSave.txt (in production): parts 1-3 add 995, part 4 removes it.
  const holOnSave = rules(`rule "copy 008 to local field for acq status display - part 1"
    when
        (existsControl "008.{6,1}.3")
    then
        addField "995.a.On order"
end

rule "copy 008 to local field for acq status display - part 2"
    when
        (existsControl "008.{6,1}.4")
    then
        addField "995.a.Currently received - select location for most recent issues"
end

rule "copy 008 to local field for acq status display - part 3"
    when
        (existsControl "008.{6,1}.5") AND ((existsControl "LDR.{6,1}.y") OR (existsControl "LDR.{6,1}.v"))
    then
        addField "995.a.Not currently received"
end

rule "copy 008 to local field for acq status display - part 4"
    when
        (TRUE)
    then
        removeField "995"
end
`);

  test("Harvard HOLonSave: the old 995 goes and the new one stays", () => {
    const holding = record(
      "LDR 00000nx  a2200000un 4500",
      "008 0000004",
      "852 01 $bWID",
      "995 __ $aOn order",
    );
    assert.deepEqual(after(holOnSave, holding), [
      "LDR 00000nx  a2200000un 4500",
      "008 0000004",
      "852 01 $bWID",
      "995 __ $aCurrently received - select location for most recent issues",
    ]);
  });

  test("Harvard HOLonSave in file order would leave no 995 (why Alma's order is the default)", () => {
    const holding = record("LDR 00000nx  a2200000un 4500", "008 0000004", "995 __ $aOn order");
    assert.deepEqual(after(holOnSave, holding, { order: "declaration" }), [
      "LDR 00000nx  a2200000un 4500",
      "008 0000004",
    ]);
  });

  // Harvard NormRules/BIBonSave.txt: rule 1 replaces 951, rule 2 always removes 951.
  const bibOnSave =
    rules(`rule "oclc data sync - identify manuscript collection - consult wiki for criteria, delete 951 first to avoid dupes"
// these criteria are also used to reject records from worldcat updates -- if there are changes make them there too
when
       ((existsControl "LDR.{06,1}.d") OR (existsControl "LDR.{06,1}.t") OR (existsControl "LDR.{06,1}.f") OR (existsControl "LDR.{08,1}.a") OR (exists "040.e.amim|appm|dacs|dcrmg|dcrmmss"))
        AND (not exists "502")
        AND (not exists "533")
        AND (not exists "040.c.DLC")
then
        removeField "951"
        addField "951.a.OCLC Data Sync manuscript workflow"
end

rule "check for privacy indicators"
    when
        (TRUE)
    then
        removeField "029"
        removeField "951"
end
`);

  test("Harvard BIBonSave: a manuscript keeps its one 951", () => {
    const manuscript = record(
      "LDR 00000ctm a2200000 a 4500",
      "040 __ $aHUL$eamim$cHUL",
      "245 00 $aLetters.",
      "951 __ $aold",
    );
    assert.deepEqual(after(bibOnSave, manuscript), [
      "LDR 00000ctm a2200000 a 4500",
      "040 __ $aHUL$eamim$cHUL",
      "245 00 $aLetters.",
      "951 __ $aOCLC Data Sync manuscript workflow",
    ]);
  });

  test("Harvard BIBonSave: a record that is no longer a manuscript loses its 951", () => {
    const book = record("040 __ $aDLC$cDLC", "245 00 $aBook.", "951 __ $aold");
    assert.deepEqual(after(bibOnSave, book), [L, "040 __ $aDLC$cDLC", "245 00 $aBook."]);
  });

  test("every when is decided on the record as it came in, before any rule fires", () => {
    const rs = rules(`rule "add"
priority 10
when (TRUE)
then
  addField "998.a.added"
end
rule "sees it?"
priority 5
when (exists "998")
then
  addField "999.a.saw 998"
end
`);
    assert.deepEqual(after(rs, record()), [L, "998 __ $aadded"]);
    assert.deepEqual(brief(logOf(rs, record())), [
      "5 ran: added 998 $aadded",
      "11 skip: the rule's when is false",
    ]);
  });

  test("a later rule's actions work on the record the earlier rules left (Maine YYZ idiom)", () => {
    const rs = rules(`rule "Add 7XX for collection name"
priority 80
when
(TRUE)
then
addField "YYZ.{2,-}.a.USM Franco-American Collection,"

end

rule "Change YYZ to 7XX"
priority 70
when
(TRUE)
then
changeField "YYZ" to "791"
         end
`);
    assert.deepEqual(after(rs, record("245 00 $aT.")), [
      L,
      "245 00 $aT.",
      "791 2_ $aUSM Franco-American Collection,",
    ]);
  });

  test("the Ex Libris blog's temporary-suffix idiom strips only a final comma (priorities 10, 9, 8)", () => {
    const rs = rules(`rule "one replace comma at end of 500 a with nothing"
priority 10
    when
         (TRUE)
     then
            suffix "500.a" with "temporary_suffix_to_replace"
end
rule "two replace comma at end of 500 a with nothing"
priority 9
    when
         (TRUE)
     then
            replaceContents "500.a.,temporary_suffix_to_replace" with ""
end
rule "three replace comma at end of 500 a with nothing"
priority 8
    when
         (TRUE)
     then
            replaceContents "500.a.temporary_suffix_to_replace" with ""
end
`);
    assert.deepEqual(after(rs, record("500 __ $aOne, two, three,", "500 __ $aNo comma")), [
      L,
      "500 __ $aOne, two, three",
      "500 __ $aNo comma",
    ]);
  });

  test("the Ex Libris blog: 519 to 919, then duplicate 919s removed", () => {
    const rs = rules(`rule "change field 519 to 919"
# the higher priority occurs first.  2 before 1
priority 10
when
(true)
then
changeField "519" to "919"
end

rule "remove duplicate 919 fields"
priority 9
when
(TRUE)
then
correctDuplicateFields "919"
end
`);
    assert.deepEqual(after(rs, record("519 __ $aX", "919 __ $aX", "919 __ $aY")), [
      L,
      "919 __ $aX",
      "919 __ $aY",
    ]);
  });
});

describe("the log", () => {
  test("every action writes an entry: rule, line, action, ran, fields, message", () => {
    const rs = always('removeField "029"', 'removeField "856" if (exists "856.{4,2}")');
    const r = record("029 1_ $aAU@", "856 40 $uhttp://a", "856 42 $uhttp://b");
    assert.deepEqual(logOf(rs, r), [
      {
        rule: "r",
        line: 4,
        action: 'removeField "029"',
        ran: true,
        fields: ["029"],
        message: "removed 1 field",
      },
      {
        rule: "r",
        line: 5,
        action: 'removeField "856"',
        ran: true,
        fields: ["856"],
        message: "removed 1 field",
      },
    ]);
  });

  test("skipped: no field matches", () => {
    assert.deepEqual(brief(logOf(always('removeField "90*"'), record())), [
      '4 skip: no field matches "90*"',
    ]);
  });

  test("skipped: the if is false for every matching field", () => {
    const rs = always('removeField "856" if (exists "856.{4,2}")');
    assert.deepEqual(brief(logOf(rs, record("856 40 $ua", "856 41 $ub"))), [
      '4 skip: if (exists "856.{4,2}") is false for all 2 matching fields',
    ]);
    assert.deepEqual(brief(logOf(rs, record("856 40 $ua"))), [
      '4 skip: if (exists "856.{4,2}") is false for the matching field',
    ]);
  });

  test("skipped: the rule's when is false, one entry per action", () => {
    const rs = rules(
      'rule "r"\nwhen exists "999"\nthen\n  removeField "100"\n  removeField "200"\nend\n',
    );
    assert.deepEqual(brief(logOf(rs, record())), [
      "4 skip: the rule's when is false",
      "5 skip: the rule's when is false",
    ]);
  });

  test("set and merge are not normalization: skipped with an entry", () => {
    const rs = rules(`rule "level"
when (TRUE)
then
  set brief_level."04"
end
rule "merge"
when merge
then
  add MARC."035"
end
`);
    assert.deepEqual(brief(logOf(rs, record())), [
      "9 skip: a merge rule (when merge): not run by normalization",
      "4 skip: set brief_level: not run by normalization",
    ]);
  });

  test("a record no action changed comes back as the same object", () => {
    const r = record("245 00 $aT.");
    assert.equal(normalize(r, always('removeField "029"')).record, r);
  });

  test("the input record is not changed", () => {
    const r = record("029 __ $ax", "245 00 $aT.");
    const copy = structuredClone(r);
    normalize(r, always('removeField "029"', 'prefix "245.a" with "The "'));
    assert.deepEqual(r, copy);
  });
});

describe("addField, addSubField, addControlField", () => {
  test("addField goes in tag order, indicators blank unless given", () => {
    const rs = always('addField "998.{-,-}.a.NO-OVERLAY"', 'addField "500.{1,-}.a.Note."');
    assert.deepEqual(after(rs, record("245 00 $aT.", "650 _0 $aX.", "999 __ $az")), [
      L,
      "245 00 $aT.",
      "500 1_ $aNote.",
      "650 _0 $aX.",
      "998 __ $aNO-OVERLAY",
      "999 __ $az",
    ]);
  });

  test("addField: an escaped final period is written as a period (Harvard 843)", () => {
    assert.deepEqual(after(always('addField "843.a.Microfiche\\\\\\\\."'), record()), [
      L,
      "843 __ $aMicrofiche.",
    ]);
  });

  test("addField in a record out of tag order: before the first field with a greater tag", () => {
    const rs = always('addField "500.a.Note."');
    assert.deepEqual(after(rs, record("001 1", "949 __ $ax", "245 00 $aT.")), [
      L,
      "001 1",
      "500 __ $aNote.",
      "949 __ $ax",
      "245 00 $aT.",
    ]);
  });

  test("the log shows an addField as written, blanks as -", () => {
    assert.deepEqual(
      logOf(always('addField "998.{-,1}.a.NO-OVERLAY"'), record()).map((e) => e.action),
      ['addField "998.{-,1}.a.NO-OVERLAY"'],
    );
  });

  test("addField: a scratch tag goes after the MARC tags", () => {
    assert.deepEqual(after(always('addField "YYZ.a.x"'), record("999 __ $az")), [
      L,
      "999 __ $az",
      "YYZ __ $ax",
    ]);
  });

  test("addField's if is tested on the fields of the tag it adds (Harvard non-English 040)", () => {
    const rs = always('addField "040.a.ATTENTION" if (not exists "040.b.eng")');
    assert.deepEqual(after(rs, record("040 __ $aDLC$beng")), [L, "040 __ $aDLC$beng"]);
    assert.deepEqual(after(rs, record("040 __ $aDLC$bfre")), [
      L,
      "040 __ $aDLC$bfre",
      "040 __ $aATTENTION",
    ]);
    assert.deepEqual(brief(logOf(rs, record("040 __ $aDLC$beng"))), [
      '4 skip: if (NOT exists "040.b.eng") is false for the record\'s 040 fields',
    ]);
  });

  test("addSubField appends to each matching field that passes the if (SUNY 597)", () => {
    const rs = always('addSubfield "597.c.Gift" if(not exists "597.c.Gift")');
    assert.deepEqual(after(rs, record("597 __ $aA", "597 __ $aB$cGift")), [
      L,
      "597 __ $aA$cGift",
      "597 __ $aB$cGift",
    ]);
  });

  test("addSubField with indicators in the if (Harvard private notes)", () => {
    const rs = always('addSubField "541.9.PRIVATE NOTE" if (exists "541.{0,*}")');
    assert.deepEqual(after(rs, record("541 0_ $aFrom X", "541 1_ $aFrom Y")), [
      L,
      "541 0_ $aFrom X$9PRIVATE NOTE",
      "541 1_ $aFrom Y",
    ]);
  });

  test("addSubField without such a field does nothing (KC 040 $b ita)", () => {
    assert.deepEqual(brief(logOf(always('addSubField "040.b.ita"'), record())), [
      '4 skip: no field matches "040"',
    ]);
  });

  test("addControlField adds another 007 (Harvard NET imports)", () => {
    const rs = always(
      'addControlField "007.cr|cn |||||a|p"',
      'addControlField "007.cr|cn |||||a|a"',
    );
    assert.deepEqual(after(rs, record("008 x", "245 00 $aT.")), [
      L,
      "007 cr|cn |||||a|p",
      "007 cr|cn |||||a|a",
      "008 x",
      "245 00 $aT.",
    ]);
  });

  test("addControlField: # is a blank in an 008 (Flinders)", () => {
    const rs = always('addcontrolField "008.660101s1966    xra||||fsm||||000#||eng|d"');
    assert.deepEqual(after(rs, record()), [L, "008 660101s1966    xra||||fsm||||000 ||eng|d"]);
  });
});

describe("removeField, removeControlField, removeSubField", () => {
  test("removeField with a tag wildcard", () => {
    const rs = always('removeField "90*"', 'removeField "86*"');
    assert.deepEqual(after(rs, record("245 00 $aT.", "863 __ $a1", "901 __ $ax", "910 __ $ay")), [
      L,
      "245 00 $aT.",
      "910 __ $ay",
    ]);
  });

  test("removeField with a field-level if (UMich 856 42)", () => {
    const rs = always('removeField "856" if (exists "856.{4,2}")');
    assert.deepEqual(after(rs, record("856 40 $ua", "856 42 $ub")), [L, "856 40 $ua"]);
  });

  test("removeField of OCLC 035s by any subfield (Harvard 035.*.(OCoLC)o*)", () => {
    const rs = always('removeField "035" if(exists "035.*.(OCoLC)o*")');
    const r = record("035 __ $a(OCoLC)ocm00012345", "035 __ $a(OCoLC)12345", "035 __ $z(OCoLC)on1");
    assert.deepEqual(after(rs, r), [L, "035 __ $a(OCoLC)12345"]);
  });

  test("removeField of a field whose subfield is exactly a value (Harvard BIBonSave)", () => {
    const rs = always(
      'replaceContents "035.a.(OCoLC)ocn" with "(OCoLC)"',
      'removeField "035.a" if (exists "035.a.(OCoLC)")',
    );
    const r = record("035 __ $a(OCoLC)ocn", "035 __ $a(OCoLC)ocn123456789");
    assert.deepEqual(after(rs, r), [L, "035 __ $a(OCoLC)123456789"]);
  });

  test("removeField with a copy-specific $5 (Harvard 2**.5.*.)", () => {
    const rs = always('removeField "5**" if (exists "5**.5.*." )');
    const r = record("500 __ $aGeneral.", "590 __ $aLocal copy.$5MH.");
    assert.deepEqual(after(rs, r), [L, "500 __ $aGeneral."]);
  });

  test("removeControlField with an if on its first character (Ex Libris blog 007)", () => {
    const rs = always('removeControlField "007" if (existsControl "007.{0,1}.c")');
    assert.deepEqual(after(rs, record("007 ta", "007 cr |||", "008 x")), [L, "007 ta", "008 x"]);
  });

  test("removeControlField leaves data fields alone", () => {
    assert.deepEqual(brief(logOf(always('removeControlField "003"'), record("003 OCoLC"))), [
      "4 ran: removed 1 field",
    ]);
  });

  test("removeSubField removes every such subfield of the matching fields", () => {
    const rs = always('removeSubField "974.a"');
    assert.deepEqual(after(rs, record("974 __ $aX$bY$aZ")), [L, "974 __ $bY"]);
  });

  test("removeSubField with an if per field (UMich 899 $g rtl)", () => {
    const rs = always('removeSubField "899.g" if (not exists "899.g.rtl")');
    assert.deepEqual(after(rs, record("899 __ $aa$gltr", "899 __ $ab$grtl")), [
      L,
      "899 __ $aa",
      "899 __ $ab$grtl",
    ]);
  });

  test("removeSubField with a value removes only the subfields it matches", () => {
    const rs = always('removeSubField "7**.w.(OCoLC)*"');
    assert.deepEqual(after(rs, record("776 08 $tT.$w(DLC)1$w(OCoLC)2")), [
      L,
      "776 08 $tT.$w(DLC)1",
    ]);
  });

  test("removeSubField leaves the field when its last subfield goes", () => {
    assert.deepEqual(after(always('removeSubField "904.b"'), record("904 __ $bx")), [L, "904 __ "]);
  });
});

describe("changeField, changeSubField, indicators", () => {
  test("changeField retags in place (UMich 949 → 998)", () => {
    const rs = always('changeField "949" to "998"');
    assert.deepEqual(after(rs, record("949 __ $ax", "955 __ $by")), [
      L,
      "998 __ $ax",
      "955 __ $by",
    ]);
  });

  test("changeField with an if per field (Flinders 024 links)", () => {
    const rs = always(
      'changeField "024" to "856" if (exists "024.a.http://*")',
      'changeField "024" to "856" if (exists "024.a.https://*")',
    );
    const r = record("024 8_ $aflex-123", "024 8_ $ahttps://x");
    assert.deepEqual(after(rs, r), [L, "024 8_ $aflex-123", "856 8_ $ahttps://x"]);
  });

  test("changeSubField recodes every such subfield (UMich 949 $u → $c)", () => {
    assert.deepEqual(after(always('changeSubField "949.u" to "c"'), record("949 __ $ux$uy$az")), [
      L,
      "949 __ $cx$cy$az",
    ]);
  });

  test("changeSubField with a value recodes only the subfields it matches", () => {
    const rs = always('changeSubField "035.a.*HVD01-Aleph" to "z"');
    assert.deepEqual(after(rs, record("035 __ $a(MH)1HVD01-Aleph$a(OCoLC)2")), [
      L,
      "035 __ $z(MH)1HVD01-Aleph$a(OCoLC)2",
    ]);
  });

  test("changeSubFieldExceptFirst keeps the first in each field (Harvard 900 $a)", () => {
    const rs = always('changeSubFieldExceptFirst "900.a" to "x"');
    assert.deepEqual(after(rs, record("900 __ $a1$a2$a3", "900 __ $a4")), [
      L,
      "900 __ $a1$x2$x3",
      "900 __ $a4",
    ]);
  });

  test("changeFirstIndicator (Brown 852)", () => {
    assert.deepEqual(after(always('changeFirstIndicator "852" to "0"'), record("852 81 $bX")), [
      L,
      "852 01 $bX",
    ]);
  });

  test('changeFirstIndicator to " " is a blank (Flinders 655)', () => {
    const rs = always(
      'changeFirstIndicator  "655" to " " if (exists "655.a")',
      'changeSecondIndicator "655" to "4" if (exists "655.a")',
    );
    assert.deepEqual(after(rs, record("655 07 $aTheses.$2local")), [L, "655 _4 $aTheses.$2local"]);
  });

  test("changeSecondIndicator with an if per field (NULA fugitive enslaved persons)", () => {
    const rs = rules(`rule "Flip from LCSH to NULA"
  when
    (true)
  then
replaceContents "650.x.Fugitive slaves\\\\\\\\." with "Fugitive enslaved persons." if(exists "650.{*,0}.x.Fugitive slaves\\\\\\\\.")
replaceContents "650.x.Fugitive slaves" with "Fugitive enslaved persons" if(exists "650.{*,0}.x.Fugitive slaves")
changeSecondIndicator "650" to "7" if (exists "650.x.Fugitive enslaved persons\\\\\\\\.")
changeSecondIndicator "650" to "7" if (exists "650.x.Fugitive enslaved persons")
addSubField "650.2.local"  if (exists "650.{-,7}.x.Fugitive enslaved persons\\\\\\\\.")
addSubField "650.2.local"  if (exists "650.{-,7}.x.Fugitive enslaved persons")
end
`);
    const r = record(
      "650 _0 $aUnited States$xFugitive slaves.",
      "650 _0 $aSlavery$zUnited States.",
    );
    assert.deepEqual(after(rs, r), [
      L,
      "650 _7 $aUnited States$xFugitive enslaved persons.$2local",
      "650 _0 $aSlavery$zUnited States.",
    ]);
  });

  test("an indicator already right is nothing to change", () => {
    assert.deepEqual(
      brief(logOf(always('changeFirstIndicator "852" to "0"'), record("852 01 $bX"))),
      ['4 skip: nothing to change: the first indicator is already "0"'],
    );
  });
});

describe("copyField, copyControlField", () => {
  test("copyField copies the whole field with its indicators (NULA 150 → 450)", () => {
    const rs = always('copyField "150" to "450" if (exists "150.{*,*}")');
    assert.deepEqual(after(rs, record("150 _0 $aSlaves", "670 __ $asource")), [
      L,
      "150 _0 $aSlaves",
      "450 _0 $aSlaves",
      "670 __ $asource",
    ]);
  });

  test("copyField of a subfield makes a new field per subfield (Harvard 035 $a → 959 $a)", () => {
    const rs = always('copyField "035.a" to "959.a" if (exists "035.a.(OCoLC)*")');
    const r = record("035 __ $a(OCoLC)1", "035 __ $a(DLC)2", "245 00 $aT.");
    assert.deepEqual(after(rs, r), [
      L,
      "035 __ $a(OCoLC)1",
      "035 __ $a(DLC)2",
      "245 00 $aT.",
      "959 __ $a(OCoLC)1",
    ]);
  });

  test("copyField into the same tag adds a new field after the others (UMich 035 $z → $a)", () => {
    const rs = always('copyField "035.z" to "035.a" if (exists "035.z.(MiU)Aleph*")');
    const r = record("035 __ $z(MiU)Aleph1", "035 __ $a(OCoLC)2", "245 00 $aT.");
    assert.deepEqual(after(rs, r), [
      L,
      "035 __ $z(MiU)Aleph1",
      "035 __ $a(OCoLC)2",
      "035 __ $a(MiU)Aleph1",
      "245 00 $aT.",
    ]);
  });

  test("copyControlField through a scratch field (Ex Libris blog: 035 (DE-605) to 001)", () => {
    const rs = rules(`rule "Copy 035 subfield a to 001 if 035 starts with (DE-605)"
when
(TRUE)
then
removeControlField "001"
 copyField "035.a" to "YLK.a" if (exists "035.a.(DE-605)*")
 copyControlField "YLK.a" to "001"
 removeField "YLK"
end
`);
    const r = record("001 old", "035 __ $a(OCoLC)1", "035 __ $a(DE-605)HT012345", "245 00 $aT.");
    assert.deepEqual(after(rs, r), [
      L,
      "001 (DE-605)HT012345",
      "035 __ $a(OCoLC)1",
      "035 __ $a(DE-605)HT012345",
      "245 00 $aT.",
    ]);
  });
});

describe("replaceContents and replaceContentsExceptFirst", () => {
  test('a whole-value * with an if (UMich "974.s.*" with "google")', () => {
    const rs = always('replaceContents "974.s.*" with "google" if (exists "974.s.M*")');
    assert.deepEqual(after(rs, record("974 __ $sMDP", "974 __ $sUMP")), [
      L,
      "974 __ $sgoogle",
      "974 __ $sUMP",
    ]);
  });

  test('" *" removes from the first space (UMich "974.b. *" with "")', () => {
    const rs = always('replaceContents "974.b. *" with ""');
    assert.deepEqual(after(rs, record("974 __ $bmdp.39015012345678 v.1")), [
      L,
      "974 __ $bmdp.39015012345678",
    ]);
  });

  test("a literal replaces every occurrence (UMich barcode to lower case)", () => {
    const rs = always('replaceContents "974.b.A" with "a"', 'replaceContents "974.b.B" with "b"');
    assert.deepEqual(after(rs, record("974 __ $bAB1A")), [L, "974 __ $bab1a"]);
  });

  test("Harvard WorldCat fix 035: leading zeros after (OCoLC), longest run first", () => {
    const rs = always(
      'replaceContents "035.*.(OCoLC)0000000" with "(OCoLC)"',
      'replaceContents "035.*.(OCoLC)000000" with "(OCoLC)"',
      'replaceContents "035.*.(OCoLC)00000" with "(OCoLC)"',
      'replaceContents "035.*.(OCoLC)0000" with "(OCoLC)"',
      'replaceContents "035.*.(OCoLC)000" with "(OCoLC)"',
      'replaceContents "035.*.(OCoLC)00" with "(OCoLC)"',
      'replaceContents "035.*.(OCoLC)0" with "(OCoLC)"',
    );
    const r = record("035 __ $a(OCoLC)00012345$z(OCoLC)0000000001", "035 __ $a(DLC)0001");
    assert.deepEqual(after(rs, r), [L, "035 __ $a(OCoLC)12345$z(OCoLC)1", "035 __ $a(DLC)0001"]);
  });

  test("Ex Libris blog: the period of 690 $a Variable content. removed", () => {
    const rs = always('replaceContents "690.a.." with "" if (exists "690.a.Variable content.")');
    assert.deepEqual(after(rs, record("690 __ $aVariable content.", "690 __ $aOther.")), [
      L,
      "690 __ $aVariable content",
      "690 __ $aOther.",
    ]);
  });

  test("a trailing * replaces the rest (Harvard 843 Microform)", () => {
    const rs = always('replaceContents "843.a.Microform*" with "Microfiche."');
    assert.deepEqual(after(rs, record("843 __ $aMicroform.$bCambridge")), [
      L,
      "843 __ $aMicrofiche.$bCambridge",
    ]);
  });

  test("any subfield with code * (Harvard 994 angle brackets)", () => {
    const rs = always('replaceContents "994.*.<" with "{"', 'replaceContents "994.*.>" with "}"');
    assert.deepEqual(after(rs, record("994 9_ $a<a>$u<b>")), [L, "994 9_ $a{a}$u{b}"]);
  });

  test("pattern not found: nothing to change", () => {
    assert.deepEqual(
      brief(logOf(always('replaceContents "010.a.^" with ""'), record("010 __ $a  85012345"))),
      ['4 skip: nothing to change: "^" is not found'],
    );
  });

  test("a decomposed value is found by a composed pattern and comes out in NFC", () => {
    const rs = always('replaceContents "245.a.Café" with "Cafe"');
    assert.deepEqual(after(rs, record("245 00 $aLe Cafe\u0301 de Flore")), [
      L,
      "245 00 $aLe Cafe de Flore",
    ]);
  });

  test("replaceContentsExceptFirst leaves the first subfield where the pattern is found", () => {
    const rs = always('replaceContentsExceptFirst "500.a.," with ";"');
    assert.deepEqual(after(rs, record("500 __ $aa,b$ac,d$ae,f", "500 __ $ag,h")), [
      L,
      "500 __ $aa,b$ac;d$ae;f",
      "500 __ $ag,h",
    ]);
  });

  test("replaceSubFieldContents: the n-th target field takes the n-th source field's value (UMich 899 $a from 974 $b)", () => {
    const rs = always('replaceSubFieldContents "899.a" with "974.b"');
    const r = record(
      "899 __ $aMIU1$s1",
      "899 __ $aMIU2$s2",
      "974 __ $b3901$s1",
      "974 __ $b3902$s2",
    );
    assert.deepEqual(after(rs, r), [
      L,
      "899 __ $a3901$s1",
      "899 __ $a3902$s2",
      "974 __ $b3901$s1",
      "974 __ $b3902$s2",
    ]);
  });

  test("replaceSubFieldContents: targets beyond the sources are left as they are", () => {
    const rs = always('replaceSubFieldContents "899.a" with "974.b"');
    assert.deepEqual(after(rs, record("899 __ $ax", "899 __ $ay", "974 __ $b1")), [
      L,
      "899 __ $a1",
      "899 __ $ay",
      "974 __ $b1",
    ]);
  });
});

describe("replaceControlContents", () => {
  test("a leader position only when it holds the old value (UMich E → u)", () => {
    const rs = always('replaceControlContents "LDR.{17,1}.E" with "u"');
    assert.deepEqual(after(rs, record("LDR 00000nam a22000007a 4500")), [
      "LDR 00000nam a22000007a 4500",
    ]);
    assert.deepEqual(after(rs, record("LDR 00000nam a2200000Ea 4500")), [
      "LDR 00000nam a2200000ua 4500",
    ]);
  });

  test('"#" is written as a blank (UMich I → #)', () => {
    const rs = always('replaceControlContents "LDR.{17,1}.I" with "#"');
    assert.deepEqual(after(rs, record("LDR 00000nam a2200000Ia 4500")), [
      "LDR 00000nam a2200000 a 4500",
    ]);
  });

  test("several positions at once (UMich Zephir leader)", () => {
    const rs = always(
      'replaceControlContents "LDR.{0,5}" with "00000"',
      'replaceControlContents "LDR.{9,8}" with "a2200000"',
    );
    assert.deepEqual(after(rs, record("LDR 01234cam  2200289 a 4500")), [
      "LDR 00000cam a2200000 a 4500",
    ]);
  });

  test("an if on the leader itself (Flinders LDR/05 blank → n)", () => {
    const rs = always(
      'ReplaceControlContents "LDR.{5,1}" with "n" if(existsControl "LDR.{5,1}. ")',
    );
    assert.deepEqual(after(rs, record("LDR 00000 am a2200000 a 4500")), [
      "LDR 00000nam a2200000 a 4500",
    ]);
    assert.deepEqual(brief(logOf(rs, record("LDR 00000cam a2200000 a 4500"))), [
      '4 skip: if (existsControl "LDR.{5,1}. ") is false for the leader',
    ]);
  });

  test("a control field's positions (Harvard NET 008/06-07)", () => {
    const rs = always('replaceControlContents "008.{6,2}" with "1z"');
    assert.deepEqual(after(rs, record("008 850101s1985    nyu")), [L, "008 8501011z985    nyu"]);
  });

  test("positions beyond the end of the field: nothing to change (Harvard's note on a one-byte 007)", () => {
    const rs = always('replaceControlContents "007.{1,1}.*" with "d"');
    assert.deepEqual(after(rs, record("007 h")), [L, "007 h"]);
    assert.deepEqual(brief(logOf(rs, record("007 h"))), [
      "4 skip: nothing to change: 007/01 lies beyond the end of the field",
    ]);
  });

  test("text longer than the positions is cut, shorter is padded with blanks", () => {
    const rs = always('replaceControlContents "008.{35,3}" with "fr"');
    assert.deepEqual(after(rs, record("008 850101s1985    nyu           000 0 eng d")), [
      L,
      "008 850101s1985    nyu           000 0 fr  d",
    ]);
  });
});

describe("prefix and suffix", () => {
  test("prefix with an if per field (Harvard 994 permalinks)", () => {
    const rs = always(
      'prefix "994.u" with "http://id.lib.harvard.edu/aleph/" if (not exists "994.u.99*3941")',
      'prefix "994.u" with "http://id.lib.harvard.edu/alma/" if (exists "994.u.99*3941")',
      'suffix "994.u" with "/catalog"',
    );
    assert.deepEqual(after(rs, record("994 __ $u000123", "994 __ $u9912343941")), [
      L,
      "994 __ $uhttp://id.lib.harvard.edu/aleph/000123/catalog",
      "994 __ $uhttp://id.lib.harvard.edu/alma/9912343941/catalog",
    ]);
  });

  test("a Java escape in the text (Ex Libris blog: right-to-left embedding)", () => {
    const rs = always('prefix "245.a" with "\\u202B" if (not exists "245.a.\\u202B*")');
    assert.deepEqual(after(rs, record("245 00 $a\u05e9\u05dc\u05d5\u05dd")), [
      L,
      "245 00 $a\u202b\u05e9\u05dc\u05d5\u05dd",
    ]);
    const done = record("245 00 $a\u202b\u05e9");
    assert.equal(normalize(done, rs).record, done);
  });

  test("suffix every subfield, unless one already ends in a period (Harvard 993)", () => {
    const rs = always('suffix "993.*" with "." if (not exists "993.*.*.")');
    assert.deepEqual(after(rs, record("993 1_ $aBound$c2001", "993 1_ $aRepaired.$c2002")), [
      L,
      "993 1_ $aBound.$c2001.",
      "993 1_ $aRepaired.$c2002",
    ]);
  });
});

describe("duplicates, moving, combining, splitting", () => {
  test("correctDuplicateFields keeps the first of identical fields (Ex Libris blog 610/630/650)", () => {
    const rs = always('correctDuplicateFields "610,630,650"');
    const r = record(
      "650 _0 $aCats.",
      "650 _0 $aCats.",
      "650 _7 $aCats.",
      "651 _0 $aParis.",
      "651 _0 $aParis.",
      "650 _0 $aCats.",
    );
    assert.deepEqual(after(rs, r), [
      L,
      "650 _0 $aCats.",
      "650 _7 $aCats.",
      "651 _0 $aParis.",
      "651 _0 $aParis.",
    ]);
    assert.deepEqual(brief(logOf(rs, r)), ["4 ran: removed 2 duplicate fields"]);
  });

  test("correctDuplicateFields compares values in NFC", () => {
    const rs = always('correctDuplicateFields "035"');
    assert.deepEqual(after(rs, record("035 __ $aCaf\u00e9", "035 __ $aCafe\u0301")), [
      L,
      "035 __ $aCaf\u00e9",
    ]);
  });

  test("correctDuplicateFields with no duplicates: nothing to change", () => {
    assert.deepEqual(brief(logOf(always('correctDuplicateFields "035"'), record("035 __ $a1"))), [
      "4 skip: nothing to change: no duplicates",
    ]);
  });

  test("correctDuplicateSubfields drops a repeated $c value within a field", () => {
    const rs = always('correctDuplicateSubfields "260" "c"');
    assert.deepEqual(after(rs, record("260 __ $aParis$c1990$c1990$c1991")), [
      L,
      "260 __ $aParis$c1990$c1991",
    ]);
  });

  test("moveSubfieldsToEndOfField moves the listed codes in the listed order (SUNY 597)", () => {
    const rs = always('moveSubfieldsToEndOfField "597" "c,a,d,9"');
    assert.deepEqual(after(rs, record("597 __ $aA$9L$bB$cC$dD")), [L, "597 __ $bB$cC$aA$dD$9L"]);
  });

  test("combineFields puts the later fields' subfields into the first (Harvard Hathi 900)", () => {
    const rs = always(
      'combineFields "900" excluding ""',
      'changeSubFieldExceptFirst "900.a" to "x"',
      'removeSubField "900.x"',
      'prefix "900.a" with "(MH)"',
    );
    const r = record("245 00 $aT.", "900 __ $a001", "500 __ $aN.", "900 __ $a002$b5");
    assert.deepEqual(after(rs, r), [L, "245 00 $aT.", "900 __ $a(MH)001$b5", "500 __ $aN."]);
  });

  test("combineFields excluding codes: those subfields of the later fields are left out", () => {
    const rs = always('combineFields "590" excluding "5"');
    assert.deepEqual(after(rs, record("590 __ $aA$5MH", "590 __ $aB$5MH")), [
      L,
      "590 __ $aA$5MH$aB",
    ]);
  });

  test("combineFields with one field: nothing to change", () => {
    assert.deepEqual(
      brief(logOf(always('combineFields "900" excluding ""'), record("900 __ $a1"))),
      ["4 skip: nothing to change: only one such field"],
    );
  });

  test("splitSubField through a scratch tag (Harvard BIBonSave VE dedupe key)", () => {
    const rs = rules(`rule "VE dedupe key for serials that lack ISSN and have OCLC number"
when
       ((existsControl "LDR.{06,1}.a") AND (existsControl "LDR.{07,1}.s") AND (not exists "022") AND (exists "035.a.(OCoLC)*"))
then
        removeField "959"
        copyField "035.a" to "959.a" if (exists "035.a.(OCoLC)*")
        splitSubField "776.w.(" to "TMP.a"
        replaceContents "TMP.a.OCoLC" with "(OCoLC"
        changeField "TMP" to "959" if (exists "TMP.a.(OCoLC)*")
        removeField "TMP"
        correctDuplicateFields "959"
end
`);
    const serial = record(
      "LDR 00000cas a2200000 a 4500",
      "035 __ $a(OCoLC)111",
      "245 00 $aJournal.",
      "776 08 $tOnline.$w(DLC)sn 1$w(OCoLC)222",
      "959 __ $aold",
    );
    assert.deepEqual(after(rs, serial), [
      "LDR 00000cas a2200000 a 4500",
      "035 __ $a(OCoLC)111",
      "245 00 $aJournal.",
      "776 08 $tOnline.$w(DLC)sn 1$w(OCoLC)222",
      "959 __ $a(OCoLC)111",
      "959 __ $a(OCoLC)222",
    ]);
  });
});

describe("finding the fields an action works on", () => {
  test("an action sees the fields the actions before it added, retagged and removed", () => {
    const rs = always(
      'addField "650.{-,0}.a.Cats."',
      'prefix "650.a" with "Big "',
      'changeField "650" to "651"',
      'suffix "651.a" with "!"',
      'removeField "651"',
      'addField "651.a.Gone?"',
    );
    assert.deepEqual(after(rs, record("245 00 $aT.")), [L, "245 00 $aT.", "651 __ $aGone?"]);
    assert.deepEqual(
      logOf(rs, record("245 00 $aT.")).map((e) => e.ran),
      [true, true, true, true, true, true],
    );
  });

  test("a wildcard tag finds a field whose tag is not three digits", () => {
    assert.deepEqual(after(always('removeField "00*"'), record("00A x", "245 00 $aT.")), [
      L,
      "245 00 $aT.",
    ]);
  });

  test("two records in turn: the second is not taken for the first", () => {
    const rs = always('removeField "856"');
    const a = record("856 40 $ua");
    const b = record("245 00 $aT.");
    assert.deepEqual(after(rs, a), [L]);
    assert.deepEqual(after(rs, b), [L, "245 00 $aT."]);
    assert.deepEqual(after(rs, a), [L]);
  });
});
