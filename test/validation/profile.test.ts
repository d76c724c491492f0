import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CHECK_IDS } from "../../src/validation/checks.js";
import {
  BUILT_IN_PROFILES,
  exportValidationProfile,
  formatValidationProfileError,
  MAX_PROFILE_ERRORS,
  parseValidationProfile,
  resolveValidationProfile,
} from "../../src/validation/profile.js";

const BIB_IMPORT = BUILT_IN_PROFILES["MarcXML Bib Import"]!;

describe("validation profile files", () => {
  test("the built-in profile gives every check a severity", () => {
    assert.deepEqual(Object.keys(BIB_IMPORT.checks).sort(), [...CHECK_IDS].sort());
  });

  test("a file changes the checks it names and keeps the rest of its base", () => {
    const parsed = parseValidationProfile(
      JSON.stringify({
        name: "Ours",
        basedOn: "MarcXML Bib Import",
        checks: { "indicator.invalid": "error", "field.245-missing": "warning" },
      }),
    );
    assert.ok("profile" in parsed);
    assert.equal(parsed.profile.name, "Ours");
    assert.equal(parsed.profile.basedOn, "MarcXML Bib Import");
    assert.equal(parsed.profile.checks["indicator.invalid"], "error");
    assert.equal(parsed.profile.checks["field.245-missing"], "warning");
    assert.equal(parsed.profile.checks["field.non-repeatable"], "error");
  });

  test("every wrong key is named with its line", () => {
    const text = [
      "{",
      '  "name": "MarcXML Bib Import",',
      '  "basedOn": "Strict",',
      '  "colour": 1,',
      '  "checks": {',
      '    "leader.typo": "error",',
      '    "indicator.invalid": "fatal"',
      "  }",
      "}",
    ].join("\n");
    const parsed = parseValidationProfile(text);
    assert.ok("errors" in parsed);
    assert.deepEqual(
      parsed.errors.map((e) => [e.line, e.key]),
      [
        [4, "colour"],
        [2, "name"],
        [3, "basedOn"],
        [6, "checks.leader.typo"],
        [7, "checks.indicator.invalid"],
      ],
    );
    assert.equal(
      formatValidationProfileError(parsed.errors[4]!, "ours.json"),
      'ours.json:7: "checks.indicator.invalid": "fatal" is not a severity; use "error", "warning", "ignore"',
    );
  });

  test("a JSON syntax error gives its line", () => {
    const parsed = parseValidationProfile('{\n  "name": "Ours",\n  "checks": { x }\n}');
    assert.ok("errors" in parsed);
    assert.equal(parsed.errors[0]!.line, 3);
    assert.match(parsed.errors[0]!.message, /^not JSON: /);
  });

  test("export writes a file that reads back as the same checks", () => {
    const text = exportValidationProfile(BIB_IMPORT);
    const parsed = parseValidationProfile(text);
    assert.ok("profile" in parsed);
    assert.equal(parsed.profile.name, "MarcXML Bib Import (copy)");
    assert.deepEqual(parsed.profile.checks, BIB_IMPORT.checks);
  });

  test("resolve: a built-in name, a stored file, or an error", () => {
    assert.deepEqual(resolveValidationProfile("MarcXML Bib Import", undefined), {
      profile: BIB_IMPORT,
    });
    const stored = resolveValidationProfile(
      "ours.json",
      '{ "name": "Ours", "checks": { "field.245-missing": "ignore" } }',
    );
    assert.ok("profile" in stored);
    assert.equal(stored.profile.checks["field.245-missing"], "ignore");
    assert.deepEqual(resolveValidationProfile("ours.json", undefined), {
      error: "the validation profile file ours.json is not stored with the profile",
    });
    const broken = resolveValidationProfile("ours.json", '{ "checks": 1 }');
    assert.ok("error" in broken);
    assert.match(broken.error, /^ours\.json:1: "name": is required/);
  });

  // Found by the hardening suite's fuzzer: each bad key's line was searched in the whole text.
  test("10,000 unknown checks: the first MAX_PROFILE_ERRORS listed, the rest counted", () => {
    const checks: Record<string, string> = {};
    for (let i = 0; i < 10_000; i++) checks[`check.${i}`] = "error";
    const parsed = parseValidationProfile(JSON.stringify({ name: "Ours", checks }, null, 1));
    assert.ok("errors" in parsed);
    assert.equal(parsed.errors.length, MAX_PROFILE_ERRORS + 1);
    assert.deepEqual(parsed.errors[1]?.key, "checks.check.1");
    assert.deepEqual(parsed.errors.at(-1), {
      key: "(file)",
      message: `${10_000 - MAX_PROFILE_ERRORS} more error(s) like these, not listed`,
    });
  });

  test("a file nested deeper than a profile is refused before JSON.parse, with where", () => {
    const parsed = parseValidationProfile(`{ "name": "[[[", "checks":\n${"[".repeat(400_000)}`);
    assert.ok("errors" in parsed);
    assert.deepEqual(parsed.errors, [
      {
        key: "(file)",
        line: 2,
        message:
          "not a validation profile: nested deeper than 32 levels at offset 58 (a profile is a name and a table of checks)",
      },
    ]);
    // Brackets inside strings do not count.
    assert.ok("profile" in parseValidationProfile(`{ "name": "${"[".repeat(100)}" }`));
  });
});
