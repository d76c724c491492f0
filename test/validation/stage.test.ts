/** The validate stage in `decide`: errors hold the record, warnings are logged, staff may skip it. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Zone } from "../../src/catalog/catalog.js";
import { decide, readIncoming, type CatalogView } from "../../src/import/decide.js";
import { parseProfile, type StoredProfileSettings } from "../../src/import/profile.js";
import { writeIso2709 } from "../../src/marc/iso2709.js";
import type { Field, MarcRecord } from "../../src/marc/record.js";
import { field } from "../rules/_mrk.js";

const institution: Zone = {
  code: "01TEST_INST",
  kind: "institution",
  name: "Test",
  suffix: "0001",
};
const nothingStored: CatalogView = {
  findByKey: () => Promise.resolve([]),
  record: () => Promise.resolve(undefined),
  search: () => Promise.resolve({ total: 0, hits: [] }),
  localFields: () => Promise.resolve(undefined),
};

function record(...extra: Field[]): MarcRecord {
  return {
    leader: "00000cam a2200000 a 4500",
    fields: [
      { tag: "001", value: "ocm00054321" },
      { tag: "003", value: "OCoLC" },
      { tag: "008", value: "850101s1999    nyu           000 1 eng d" },
      field("100 1_ $aAusten, Jane."),
      ...extra,
    ],
  };
}

function profile(settings: Record<string, unknown> = {}, ruleFiles?: Record<string, string>) {
  const parsed = parseProfile({ code: "CONNEXION", ...settings });
  assert.ok("input" in parsed);
  const stored: StoredProfileSettings = {
    ...parsed.input.profile,
    ...(ruleFiles ? { ruleFiles } : {}),
  };
  return { institution, profile: stored };
}

describe("the validate stage", () => {
  test("errors hold the record for review, nothing to save, the reason names them", async () => {
    const incoming = readIncoming(
      writeIso2709(record(field("100 1_ $aOther, Ann."), field("650 _9 $aX"))),
    );
    const decision = await decide(incoming, profile(), nothingStored);
    assert.equal(decision.outcome, "review");
    assert.equal(decision.reasonCode, "validation");
    assert.equal(decision.change, undefined);
    assert.equal(
      decision.reason,
      "2 validation errors (MarcXML Bib Import): 100[2]: 100 is not repeatable but occurs 2 times [field.non-repeatable]; 245: the record has no 245 (title statement) [field.245-missing]",
    );
    const validate = decision.log.filter((e) => e.stage === "validate").map((e) => e.message);
    assert.deepEqual(validate, [
      "error [field.non-repeatable] 100[2]: 100 is not repeatable but occurs 2 times",
      "error [field.245-missing] 245: the record has no 245 (title statement)",
      "warning [indicator.invalid] 650 ind2: '9' is not a second indicator of 650 (0 1 2 3 4 5 6 7)",
      "MarcXML Bib Import: 2 error(s), 1 warning(s): held for review",
    ]);
    assert.ok(!decision.log.some((e) => e.stage === "match"), "validation comes before match");
  });

  test("three or more errors: the first two and how many more", async () => {
    const incoming = readIncoming(
      writeIso2709({
        ...record(field("100 1_ $aB"), field("100 1_ $aC")),
        leader: "00000cxm a2200000 a 4500",
      }),
    );
    const decision = await decide(incoming, profile(), nothingStored);
    assert.match(
      decision.reason,
      /^3 validation errors \(MarcXML Bib Import\): LDR\/06: .*; and 1 more$/,
    );
  });

  test("warnings are logged and the record goes on", async () => {
    const incoming = readIncoming(
      writeIso2709(record(field("245 10 $aTitle."), field("440 _0 $aSeries"))),
    );
    const decision = await decide(incoming, profile(), nothingStored);
    assert.equal(decision.outcome, "created");
    const messages = decision.log.map((e) => `${e.stage}: ${e.message}`);
    assert.ok(
      messages.includes(
        "validate: warning [field.obsolete-tag] 440: 440 is obsolete in MARC 21 Bibliographic",
      ),
    );
    assert.ok(messages.includes("validate: MarcXML Bib Import: 0 error(s), 1 warning(s)"));
  });

  test("skipValidation: nothing is checked and the log says so", async () => {
    const incoming = readIncoming(writeIso2709(record()));
    const decision = await decide(incoming, profile(), nothingStored, { skipValidation: true });
    assert.equal(decision.outcome, "created");
    assert.deepEqual(
      decision.log.filter((e) => e.stage === "validate").map((e) => e.message),
      ["validation (MarcXML Bib Import) skipped: import forced by staff"],
    );
  });

  test("a library's profile file changes a severity", async () => {
    const incoming = readIncoming(writeIso2709(record()));
    const context = profile(
      { validationProfile: "ours.json" },
      { "ours.json": '{ "name": "Ours", "checks": { "field.245-missing": "warning" } }' },
    );
    const decision = await decide(incoming, context, nothingStored);
    assert.equal(decision.outcome, "created");
    assert.ok(
      decision.log.some(
        (e) =>
          e.message === "warning [field.245-missing] 245: the record has no 245 (title statement)",
      ),
    );
    assert.ok(decision.log.some((e) => e.message === "ours.json: 0 error(s), 1 warning(s)"));
  });

  test("a profile whose validation file is missing is rejected with the reason", async () => {
    const decision = await decide(
      readIncoming(writeIso2709(record())),
      profile({ validationProfile: "ours.json" }),
      nothingStored,
    );
    assert.equal(decision.outcome, "rejected");
    assert.equal(decision.reasonCode, "profile");
    assert.equal(
      decision.reason,
      "the validation profile file ours.json is not stored with the profile",
    );
  });
});
