/** `marcgate validation …` and a profile naming a validation file, run as a user runs them. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { writeIso2709 } from "../../src/marc/iso2709.js";
import { CHECK_IDS } from "../../src/validation/checks.js";
import { record } from "../rules/_mrk.js";

const main = resolve(dirname(fileURLToPath(import.meta.url)), "../../src/cli/main.js");
const dir = mkdtempSync(join(tmpdir(), "marcgate-cli-validation-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function marcgate(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [main, ...args]);
  return { status: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

function file(name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const F008 = "008 850101s1999    nyu           000 1 eng d";

describe("marcgate validation", () => {
  test("list, show and export the built-in profile", () => {
    const list = marcgate("validation", "list");
    assert.equal(list.status, 0);
    assert.match(
      list.stdout,
      /^MarcXML Bib Import {2}\(30 checks: \d+ error, \d+ warning, 1 ignore\)\nMarcXML Authority Import {2}\(30 checks: 7 error, 4 warning, 19 ignore\)\n$/,
    );
    const show = marcgate("validation", "show", "MarcXML Bib Import");
    assert.equal(show.status, 0);
    for (const id of CHECK_IDS)
      assert.match(show.stdout, new RegExp(`^${id.replace(".", "\\.")} `, "m"));
    const exported = marcgate("validation", "export", "MarcXML Bib Import");
    assert.equal(exported.status, 0);
    const copy = JSON.parse(exported.stdout) as { name: string; checks: Record<string, string> };
    assert.equal(copy.name, "MarcXML Bib Import (copy)");
    assert.equal(copy.checks["field.245-missing"], "error");
  });

  test("check: issues per record, counts, exit 1 on an error; a changed copy lets it pass", () => {
    const records = file(
      "records.mrc",
      Buffer.concat([
        writeIso2709(record("001 ocm1", F008, "245 10 $aFine", "440 _0 $aOld series")),
        writeIso2709(record("001 ocm2", F008, "100 1_ $aA", "100 1_ $aB")),
      ]),
    );
    const checked = marcgate("validation", "check", records);
    assert.equal(checked.status, 1);
    assert.match(
      checked.stdout,
      /^record 1 \(byte 0, 001 ocm1\): warning \[field\.obsolete-tag\] 440: 440 is obsolete/m,
    );
    assert.match(
      checked.stdout,
      /^record 2 \(byte \d+, 001 ocm2\): error \[field\.non-repeatable\] 100\[2\]: 100 is not repeatable but occurs 2 times$/m,
    );
    assert.match(
      checked.stdout,
      /2 record\(s\) read as iso2709, validated by "MarcXML Bib Import": 1 with errors \(held for review on import\), 1 with warnings only, 0 clean/,
    );

    const lenient = file(
      "lenient.json",
      JSON.stringify({
        name: "Lenient",
        checks: { "field.non-repeatable": "warning", "field.245-missing": "ignore" },
      }),
    );
    const passed = marcgate("validation", "check", "--profile", lenient, records);
    assert.equal(passed.status, 0, passed.stdout + passed.stderr);
    assert.match(passed.stdout, /validated by "Lenient": 0 with errors/);
    assert.doesNotMatch(passed.stdout, /field\.245-missing/);
  });

  test("a bad profile file is refused with its line", () => {
    const bad = file("bad.json", '{\n  "name": "Ours",\n  "checks": { "leader.typo": "error" }\n}');
    const shown = marcgate("validation", "show", bad);
    assert.equal(shown.status, 1);
    assert.match(shown.stderr, /bad\.json:3: "checks\.leader\.typo": unknown check;/);
    assert.equal(marcgate("validation", "show", "No such profile").status, 1);
    assert.equal(marcgate("validation", "frobnicate").status, 2);
  });

  test("profile import stores a validation file, and refuses a bad one with its error", () => {
    const data = join(dir, "data");
    assert.equal(
      marcgate("institution", "add", "01V_INST", "--name", "V", "--data", data).status,
      0,
    );
    const profile = file(
      "profile.json",
      JSON.stringify({ code: "C", password: "p", validationProfile: "ours.json" }),
    );
    file("ours.json", '{ "name": "Ours",\n  "checks": { "field.245-missing": "fatal" } }');
    const refused = marcgate(
      "profile",
      "import",
      "--institution",
      "01V_INST",
      profile,
      "--data",
      data,
    );
    assert.equal(refused.status, 1);
    assert.match(
      refused.stderr,
      /ours\.json:2: "checks\.field\.245-missing": "fatal" is not a severity/,
    );
    file("ours.json", '{ "name": "Ours", "checks": { "field.245-missing": "warning" } }');
    const saved = marcgate(
      "profile",
      "import",
      "--institution",
      "01V_INST",
      profile,
      "--data",
      data,
    );
    assert.equal(saved.status, 0, saved.stderr);

    // The stored file decides: a record without 245 is imported, with the warning logged.
    const noTitle = file("no-title.mrc", writeIso2709(record("001 ocm3", F008, "100 1_ $aA")));
    const imported = marcgate("import", noTitle, "--institution", "01V_INST", "--data", data);
    assert.equal(imported.status, 0, imported.stdout + imported.stderr);
    assert.match(imported.stdout, /: 1 new \(job \d+;/);
  });
});
