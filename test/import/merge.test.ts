import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { initialNormalization } from "../../src/import/initial-normalization.js";
import { parseProfile } from "../../src/import/profile.js";
import { runMerge } from "../../src/import/rule-stages.js";
import type { DataField, Field, MarcRecord } from "../../src/marc/record.js";

function data(tag: string, ind: string, ...subfields: string[]): DataField {
  return {
    tag,
    ind1: ind[0]!,
    ind2: ind[1]!,
    subfields: subfields.map((s) => ({ code: s[0]!, value: s.slice(1) })),
  };
}

const PROFILE = (() => {
  const parsed = parseProfile({ code: "C" });
  if (!("input" in parsed)) throw new Error("profile");
  return parsed.input.profile;
})();

/** The profile's merge method: the predefined Overlay all fields but local, as rule text. */
function overlayAllFieldsButLocal(
  existing: MarcRecord,
  incoming: MarcRecord,
): { record: MarcRecord; log: { message: string }[] } {
  const merged = runMerge(existing, incoming, PROFILE);
  if ("error" in merged) throw new Error(merged.error);
  return merged;
}

function show(fields: readonly Field[]): string[] {
  return fields.map((f) =>
    "value" in f
      ? `${f.tag} ${f.value}`
      : `${f.tag} ${f.ind1}${f.ind2} ${f.subfields.map((s) => `$${s.code}${s.value}`).join("")}`,
  );
}

describe("Overlay all fields but local", () => {
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

  test("keeps the existing 001, 9XX and 035 9_; takes every other incoming field but 001 and 9XX", () => {
    const { record, log } = overlayAllFieldsButLocal(existing, incoming);
    assert.equal(record.leader, incoming.leader);
    assert.deepEqual(show(record.fields), [
      "001 991000000010001",
      "005 20260101000000.0",
      "035 9  $aLOCAL-7",
      "035    $a(OCoLC)ocm00000123",
      "245 10 $aNew title",
      "650  0 $aSubject",
      "949    $aitem data",
      "999    $alocal",
    ]);
    assert.deepEqual(
      log.map((e) => e.message),
      [
        'Overlay all fields but local rule "Overlay all fields but local": leader taken from the secondary',
        'Overlay all fields but local rule "Overlay all fields but local": removed from the primary: 005, 245, 500; kept by excluding: 001, 035 ×3, 949, 999; added from the secondary: 005, 245, 650; not taken by excluding: 001, 035, 938',
        'Overlay all fields but local rule "Overlay all fields but local": removed from the primary: 035 ×2; kept by excluding: 035',
        'Overlay all fields but local rule "Overlay all fields but local": added from the secondary: 035',
      ],
    );
  });

  test("an 035 with first indicator 9 but another second indicator is replaced", () => {
    const { record } = overlayAllFieldsButLocal(existing, incoming);
    assert.equal(show(record.fields).includes("035 99 $aother"), false);
  });
});

describe("MARC 21 Bib Initial Normalization", () => {
  test("001 + 003 become 035 $a(003)001 and 003 goes", () => {
    const { record, log } = initialNormalization({
      leader: "00000nam a2200000 a 4500",
      fields: [
        { tag: "001", value: "ocm00000123" },
        { tag: "003", value: "OCoLC" },
        { tag: "008", value: "x" },
        data("020", "  ", "a0306406152"),
        data("040", "  ", "aDLC"),
        data("245", "10", "aTitle"),
      ],
    });
    assert.deepEqual(show(record.fields), [
      "001 ocm00000123",
      "008 x",
      "020    $a0306406152",
      "035    $a(OCoLC)ocm00000123",
      "040    $aDLC",
      "245 10 $aTitle",
    ]);
    assert.deepEqual(
      log.map((e) => e.message),
      ["001 ocm00000123 with 003 OCoLC copied to 035 $a(OCoLC)ocm00000123; 003 removed"],
    );
  });

  test("no second 035 when it is there already; 001 alone stays", () => {
    const already = initialNormalization({
      leader: "00000nam a2200000 a 4500",
      fields: [
        { tag: "001", value: "123" },
        { tag: "003", value: "XYZ" },
        data("035", "  ", "a(XYZ)123"),
      ],
    });
    assert.deepEqual(show(already.record.fields), ["001 123", "035    $a(XYZ)123"]);
    assert.equal(already.log[0]!.message, "003 removed (035 $a(XYZ)123 was already there)");
    const alone = initialNormalization({ leader: "x", fields: [{ tag: "001", value: "123" }] });
    assert.deepEqual(show(alone.record.fields), ["001 123"]);
    assert.deepEqual(alone.log, []);
  });

  test("an OCLC-prefixed 001 without 003 is kept as an OCLC number in 035", () => {
    // Found by the corpus import check: such records were created again on a second export,
    // because the 001 became the MMS ID and the OCLC number was gone.
    const { record, log } = initialNormalization({
      leader: "x",
      fields: [{ tag: "001", value: "ocn123456789" }, data("245", "10", "aT")],
    });
    assert.deepEqual(show(record.fields), [
      "001 ocn123456789",
      "035    $a(OCoLC)ocn123456789",
      "245 10 $aT",
    ]);
    assert.deepEqual(
      log.map((e) => e.message),
      [
        "001 ocn123456789 is an OCLC number (ocm/ocn/on) with no 003: taken as 003 OCoLC",
        "001 ocn123456789 with 003 OCoLC copied to 035 $a(OCoLC)ocn123456789",
      ],
    );
  });

  test("empty subfields, then emptied fields and empty control fields, are dropped", () => {
    const { record, log } = initialNormalization({
      leader: "x",
      fields: [
        { tag: "007", value: " " },
        data("245", "10", "aTitle", "b "),
        data("500", "  ", "a"),
      ],
    });
    assert.deepEqual(show(record.fields), ["245 10 $aTitle"]);
    assert.deepEqual(
      log.map((e) => e.message),
      ["2 empty subfield(s) dropped", "empty field(s) dropped: 007, 500"],
    );
  });
});
