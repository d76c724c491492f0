/**
 * `marcgate profile` with several profiles per institution: the first is the default, another
 * is added with --profile, shown and listed with the logon ID that reaches it.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { openSqliteCatalog } from "../../src/catalog/sqlite.js";
import { writeIso2709 } from "../../src/marc/iso2709.js";

const main = resolve(dirname(fileURLToPath(import.meta.url)), "../../src/cli/main.js");
const dir = mkdtempSync(join(tmpdir(), "marcgate-cli-profiles-"));
const data = join(dir, "data");
const INSTITUTION = "01CLI_PROF";

function marcgate(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [main, ...args, "--data", data]);
  return { status: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

function file(name: string, settings: Record<string, unknown>): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(settings));
  return path;
}

after(() => rmSync(dir, { recursive: true, force: true }));

test("profile import/set, show, list and import with --profile: a default and a second profile", async () => {
  const inst = ["--institution", INSTITUTION];
  assert.equal(marcgate(["institution", "add", INSTITUTION, "--name", "Profiles"]).status, 0);
  assert.equal(
    marcgate(["profile", "list", ...inst]).stdout,
    `${INSTITUTION} has no OCLC Connexion profile\n`,
  );

  const main = file("main.json", { code: "CONNEXION", password: "pw-main" });
  const saved = marcgate(["profile", "import", ...inst, main]);
  assert.equal(saved.stdout, `saved the OCLC Connexion profile CONNEXION of ${INSTITUTION}\n`);

  // Another code without --profile is not taken for the default renamed.
  const serials = file("serials.json", {
    code: "SERIALS",
    name: "Serials",
    password: "pw-serials",
    synchronizeWithExternalCatalog: "Don't publish",
  });
  const refused = marcgate(["profile", "import", ...inst, serials]);
  assert.equal(refused.status, 1);
  assert.match(
    refused.stderr,
    /serials\.json: "code": 01CLI_PROF's default OCLC Connexion profile is CONNEXION, not SERIALS; to add the profile SERIALS beside it, say --profile SERIALS/,
  );
  // --profile and the file's code must agree.
  const mismatch = marcgate(["profile", "set", ...inst, "--profile", "OTHER", serials]);
  assert.equal(mismatch.status, 1);
  assert.match(mismatch.stderr, /"code": "SERIALS" is not the profile --profile names \(OTHER\)/);

  const added = marcgate(["profile", "set", ...inst, "--profile", "SERIALS", serials]);
  assert.equal(added.status, 0, added.stderr);
  assert.equal(
    added.stdout,
    `saved the OCLC Connexion profile SERIALS of ${INSTITUTION} (Connexion logon ID ${INSTITUTION}/SERIALS)\n`,
  );
  // A file without a code takes --profile's.
  const ebooks = file("ebooks.json", { name: "E-books", password: "pw-e" });
  assert.equal(marcgate(["profile", "import", ...inst, "--profile", "EBOOKS", ebooks]).status, 0);

  const shownDefault = marcgate(["profile", "show", ...inst]);
  assert.match(shownDefault.stdout, /^code: +CONNEXION$/m);
  assert.match(shownDefault.stdout, /^default: +yes$/m);
  assert.match(shownDefault.stdout, new RegExp(`^logonId: +${INSTITUTION}$`, "m"));
  const shown = marcgate(["profile", "show", ...inst, "--profile", "SERIALS"]);
  assert.match(shown.stdout, /^code: +SERIALS$/m);
  assert.match(shown.stdout, /^synchronizeWithExternalCatalog: +Don't publish$/m);
  assert.match(shown.stdout, /^default: +no$/m);
  assert.match(shown.stdout, new RegExp(`^logonId: +${INSTITUTION}/SERIALS$`, "m"));
  const json = marcgate(["profile", "show", ...inst, "--profile", "SERIALS", "--json"]);
  assert.equal((JSON.parse(json.stdout) as { code: string }).code, "SERIALS");
  const missing = marcgate(["profile", "show", ...inst, "--profile", "NOPE"]);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /has no OCLC Connexion profile NOPE/);

  // Replacing the second profile keeps the default where it was.
  const again = marcgate(["profile", "import", ...inst, serials]);
  assert.equal(again.stdout, `replaced the OCLC Connexion profile SERIALS of ${INSTITUTION}\n`);
  const list = marcgate(["profile", "list", ...inst])
    .stdout.split("\n")
    .filter(Boolean);
  assert.match(list[0]!, /^code +name +default +logon ID +updated$/);
  assert.match(list[1]!, new RegExp(`^CONNEXION +OCLC Connexion +yes +${INSTITUTION} +\\d{4}-`));
  assert.match(list[2]!, new RegExp(`^EBOOKS +E-books +${INSTITUTION}/EBOOKS +\\d{4}-`));
  assert.match(list[3]!, new RegExp(`^SERIALS +Serials +${INSTITUTION}/SERIALS +\\d{4}-`));
  assert.equal(list.length, 4);

  // marcgate import --profile: the file goes through that profile, its job says so.
  const record = join(dir, "one.mrc");
  writeFileSync(
    record,
    writeIso2709({
      leader: "00000cam a2200000 a 4500",
      fields: [
        { tag: "001", value: "ocm00000077" },
        { tag: "003", value: "OCoLC" },
        { tag: "008", value: "850101s1999    nyu           000 0 eng d" },
        { tag: "245", ind1: "1", ind2: "0", subfields: [{ code: "a", value: "Serial" }] },
      ],
    }),
  );
  const imported = marcgate(["import", record, ...inst, "--profile", "SERIALS"]);
  assert.equal(imported.status, 0, imported.stderr);
  const unknown = marcgate(["import", record, ...inst, "--profile", "NOPE"]);
  assert.equal(unknown.status, 1);
  assert.match(unknown.stderr, /has no OCLC Connexion profile NOPE/);
  // Another default, and a profile deleted (not the default).
  const refusedDelete = marcgate(["profile", "delete", ...inst, "--profile", "CONNEXION"]);
  assert.equal(refusedDelete.status, 1);
  assert.match(refusedDelete.stderr, /is the default; make another profile the default/);
  const madeDefault = marcgate(["profile", "default", ...inst, "--profile", "SERIALS"]);
  assert.equal(madeDefault.status, 0, madeDefault.stderr);
  assert.match(madeDefault.stdout, /SERIALS is the default of 01CLI_PROF/);
  const deleted = marcgate(["profile", "delete", ...inst, "--profile", "EBOOKS"]);
  assert.equal(deleted.stdout, `deleted the OCLC Connexion profile EBOOKS of ${INSTITUTION}\n`);
  assert.match(
    marcgate(["profile", "delete", ...inst, "--profile", "EBOOKS"]).stderr,
    /has no OCLC Connexion profile EBOOKS/,
  );
  const after2 = marcgate(["profile", "list", ...inst])
    .stdout.split("\n")
    .filter(Boolean);
  assert.equal(after2.length, 3);
  assert.match(after2[1]!, new RegExp(`^SERIALS +Serials +yes +${INSTITUTION} +`));
  assert.match(after2[2]!, new RegExp(`^CONNEXION +OCLC Connexion +${INSTITUTION}/CONNEXION +`));

  const catalog = await openSqliteCatalog(data);
  try {
    const [job] = await catalog.jobs(INSTITUTION);
    assert.equal(job?.profile, "SERIALS");
    const [row] = await catalog.jobRecords(job.id);
    assert.equal((await catalog.record(row!.mmsId!))?.managementTag, "Don't publish");
  } finally {
    await catalog.close();
  }
});
