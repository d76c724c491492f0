import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { initialNormalization } from "../../src/import/initial-normalization.js";
import type { DataField, Field } from "../../src/marc/record.js";

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
