/** Local fields of network-zone records: which fields, splitting, and the institution's view. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isLocalField, sameFields, splitLocalFields } from "../../src/import/local-fields.js";
import { insertFieldsByTag, type DataField, type MarcRecord } from "../../src/marc/record.js";

function data(tag: string, ...subfields: string[]): DataField {
  return {
    tag,
    ind1: " ",
    ind2: " ",
    subfields: subfields.map((s) => ({ code: s[0]!, value: s.slice(1) })),
  };
}

describe("local fields", () => {
  test("09X, 59X, 69X, 9XX and $9 LOCAL (any case) are local; nothing else is", () => {
    for (const tag of ["090", "099", "590", "599", "690", "699", "900", "949", "999"]) {
      assert.equal(isLocalField(data(tag, "ax")), true, tag);
    }
    for (const tag of ["020", "100", "245", "500", "580", "650", "700", "890"]) {
      assert.equal(isLocalField(data(tag, "ax")), false, tag);
    }
    assert.equal(isLocalField(data("650", "aCats.", "9LOCAL")), true);
    assert.equal(isLocalField(data("650", "aCats.", "9 local ")), true);
    assert.equal(isLocalField(data("650", "aCats.", "9locally")), false);
    assert.equal(isLocalField({ tag: "009", value: "x" }), false);
  });

  test("split and put back: the shared part keeps its order, local fields go in by tag", () => {
    const record: MarcRecord = {
      leader: "00000nam a2200000 a 4500",
      fields: [
        { tag: "001", value: "1" },
        data("090", "aQA1"),
        data("245", "aTitle"),
        data("500", "aNote."),
        data("590", "aLocal note."),
        data("650", "aCats.", "9LOCAL"),
        data("650", "aDogs."),
        data("949", "aCopy"),
      ],
    };
    const { shared, local } = splitLocalFields(record);
    assert.deepEqual(
      shared.fields.map((f) => f.tag),
      ["001", "245", "500", "650"],
    );
    assert.deepEqual(
      local.map((f) => f.tag),
      ["090", "590", "650", "949"],
    );
    const back = insertFieldsByTag(shared, local);
    assert.deepEqual(
      back.fields.map((f) => f.tag),
      ["001", "090", "245", "500", "590", "650", "650", "949"],
    );
    // Within a tag the shared field comes first.
    assert.deepEqual(back.fields[5], data("650", "aDogs."));
    assert.equal(insertFieldsByTag(shared, []), shared);
    assert.equal(sameFields(local, [...local]), true);
    assert.equal(sameFields(local, local.slice(1)), false);
    assert.equal(sameFields([data("949", "aA")], [data("949", "aB")]), false);
  });
});
