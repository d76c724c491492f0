import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { hashPassword, verifyPassword } from "../../src/import/password.js";
import { describeProfile, parseProfile, storedProfile } from "../../src/import/profile.js";

describe("parseProfile", () => {
  test("the issue's example file, with defaults for what is left out", () => {
    const parsed = parseProfile({
      code: "CONNEXION",
      name: "OCLC Connexion",
      integrationType: "OCLC Connexion",
      useNetworkZone: false,
      targetFormat: "MARC21",
      normalization: [],
      validationProfile: "MarcXML Bib Import",
      serialMatchMethod: "Unique OCLC Identifier",
      nonSerialMatchMethod: "Unique OCLC Identifier",
      mergeMethod: "Overlay all fields but local",
      doNotOverrideLowerBriefLevel: false,
      doNotOverrideOlderVersion: true,
      synchronizeWithExternalCatalog: "Don’t publish",
      password: "s3cret",
    });
    assert.ok("input" in parsed);
    assert.equal(parsed.input.password, "s3cret");
    assert.equal(parsed.input.profile.doNotOverrideOlderVersion, true);
    // The seed's typographic apostrophe is taken as the plain one.
    assert.equal(parsed.input.profile.synchronizeWithExternalCatalog, "Don't publish");
    const minimal = parseProfile({ code: "C" });
    assert.ok("input" in minimal);
    assert.equal(minimal.input.profile.mergeMethod, "Overlay all fields but local");
    assert.equal(minimal.input.password, undefined);
  });

  test("Alma's target format names are accepted as the codes", () => {
    const parsed = parseProfile({ code: "C", targetFormat: "UNIMARC Bibliographic" });
    assert.ok("input" in parsed);
    assert.equal(parsed.input.profile.targetFormat, "UNIMARC");
  });

  test("every wrong key is named, once", () => {
    const parsed = parseProfile({
      code: "bad code!",
      colour: "blue",
      useNetworkZone: "yes",
      targetFormat: "MARCXML",
      mergeMethod: "Overlay",
      serialMatchMethod: "Fuzzy",
      synchronizeWithExternalCatalog: "Publish",
      normalization: "rules.txt",
    });
    assert.ok("errors" in parsed);
    assert.deepEqual(
      parsed.errors.map((e) => e.key),
      [
        "colour",
        "code",
        "useNetworkZone",
        "targetFormat",
        "normalization",
        "serialMatchMethod",
        "synchronizeWithExternalCatalog",
      ],
    );
    const byKey = new Map(parsed.errors.map((e) => [e.key, e.message]));
    assert.equal(
      byKey.get("serialMatchMethod"),
      '"Fuzzy" is not a match method; use one of "Unique OCLC Identifier", "035 (Other System Identifier)", "ISBN/ISSN", "024 / 035", "001 to MMS ID", "Title and author", "Multi-step"',
    );
    assert.equal(byKey.get("useNetworkZone"), 'must be true or false, not "yes"');
    assert.match(byKey.get("colour")!, /^unknown setting; the settings are code, name,/);
  });

  test("code is required; a file must be an object", () => {
    const noCode = parseProfile({});
    assert.ok("errors" in noCode);
    assert.deepEqual(noCode.errors, [
      { key: "code", message: "is required (a profile code such as CONNEXION)" },
    ]);
    const list = parseProfile([]);
    assert.ok("errors" in list);
    assert.equal(list.errors[0]!.message, "a profile is a JSON object of settings");
  });

  test("stored settings come back with the hash, and show it only as (set)", async () => {
    const parsed = parseProfile({ code: "C" });
    assert.ok("input" in parsed);
    const passwordHash = await hashPassword("pw");
    const back = storedProfile(
      JSON.parse(JSON.stringify({ ...parsed.input.profile, passwordHash })),
    );
    assert.ok("profile" in back);
    assert.equal(back.profile.passwordHash, passwordHash);
    assert.equal(describeProfile(back.profile)["password"], "(set)");
    assert.equal(JSON.stringify(describeProfile(back.profile)).includes(passwordHash), false);
    const damaged = storedProfile({ ...parsed.input.profile, passwordHash: "plain" });
    assert.ok("errors" in damaged);
  });
});

describe("password hashes", () => {
  test("salted: the same password hashes differently, and both verify", async () => {
    const a = await hashPassword("s3cret");
    const b = await hashPassword("s3cret");
    assert.notEqual(a, b);
    assert.match(a, /^scrypt\$16384\$8\$1\$/);
    assert.equal(a.includes("s3cret"), false);
    assert.equal(await verifyPassword("s3cret", a), true);
    assert.equal(await verifyPassword("s3cret", b), true);
    assert.equal(await verifyPassword("S3cret", a), false);
    assert.equal(await verifyPassword("", a), false);
    assert.equal(await verifyPassword("s3cret", "not a hash"), false);
  });

  test("an empty password is a password like any other", async () => {
    const empty = await hashPassword("");
    assert.equal(await verifyPassword("", empty), true);
    assert.equal(await verifyPassword("x", empty), false);
  });
});
