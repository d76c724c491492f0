import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { MarcRecord } from "../../src/marc/record.js";
import { fixedFieldCell, linkageDirection, positionRuler } from "../../src/web/marc-display.js";
import { taggedDisplay } from "../../src/web/pages/record.js";

const LEADER = "00000nam a2200000 a 4500";
const F008 = "850101s1985    nyu           000 0 eng d";

function record(): MarcRecord {
  return {
    leader: LEADER,
    fields: [
      { tag: "008", value: F008 },
      { tag: "001", value: "ocm 123" },
      {
        tag: "245",
        ind1: "1",
        ind2: "0",
        subfields: [
          { code: "6", value: "880-01" },
          { code: "a", value: "Title" },
        ],
      },
      {
        tag: "880",
        ind1: "1",
        ind2: "0",
        subfields: [
          { code: "6", value: "245-01/(2/r" },
          { code: "a", value: "שלום," },
        ],
      },
      {
        tag: "880",
        ind1: " ",
        ind2: " ",
        subfields: [
          { code: "6", value: "260-02/$1" },
          { code: "a", value: "東京" },
        ],
      },
    ],
  };
}

describe("record view fixed fields and script direction", () => {
  test("the ruler is as long as the value and marks every tenth position", () => {
    const r = positionRuler(24);
    assert.equal(r.units, "012345678901234567890123");
    assert.equal(r.tens, "0         1         2   ");
  });

  test("a fixed field keeps every blank, each shown as a mark", () => {
    const cell = fixedFieldCell(LEADER).toString();
    const blanks = [...LEADER].filter((c) => c === " ").length;
    assert.equal(cell.split('class="blank"').length - 1, blanks);
    assert.match(cell, /aria-label="24 positions"/);
  });

  test("$6 orientation /r gives rtl; other linkages and no $6 give the default", () => {
    assert.equal(linkageDirection([{ code: "6", value: "245-01/(2/r" }]), "rtl");
    assert.equal(linkageDirection([{ code: "6", value: "245-01//r" }]), "rtl");
    assert.equal(linkageDirection([{ code: "6", value: "260-02/$1" }]), undefined);
    assert.equal(linkageDirection([{ code: "6", value: "880-01" }]), undefined);
    assert.equal(linkageDirection([{ code: "a", value: "x/r" }]), undefined);
  });

  test("the tagged display: leader and 008 under rulers, 001 plain, only the Hebrew 880 right to left", () => {
    const out = taggedDisplay(record()).toString();
    assert.equal(out.split('class="fixed"').length - 1, 2, "leader and 008");
    assert.equal(out.split('dir="rtl"').length - 1, 1);
    const rtl = out.slice(out.indexOf('dir="rtl"'));
    assert.ok(rtl.indexOf("שלום") < rtl.indexOf("東京"));
    assert.match(out, /ocm 123/);
  });
});
