/**
 * `marcgate backup` beside a running `marcgate serve` that is taking Connexion exports, and
 * `marcgate restore` into new directories: the copy is one consistent catalog (records, their
 * versions and the job rows), restore is refused while serve owns the directory and over a
 * catalog that is not empty unless --force.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import Database from "better-sqlite3";
import { catalogCounts, type CatalogCounts } from "../../src/backup/sqlite-backup.js";
import { writeIso2709 } from "../../src/marc/iso2709.js";
import { MARCGATE, startServe } from "../_serve.js";

const root = mkdtempSync(join(tmpdir(), "marcgate-backup-"));
after(() => rmSync(root, { recursive: true, force: true }));
const INSTITUTION = "01BAK_INST";
/** Records sent, each twice (the second time with a new title: a second version). */
const RECORDS = 200;

function marcgate(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MARCGATE, ...args]);
  return { status: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

function counts(file: string): CatalogCounts {
  const found = catalogCounts(file);
  if ("error" in found) assert.fail(found.error);
  return found;
}

/**
 * Each record has the earlier versions its version number says, and its job: nothing
 * half-copied.
 */
function versionsAgree(file: string): void {
  const db = new Database(file, { readonly: true });
  try {
    assert.equal(db.prepare("PRAGMA integrity_check").pluck().get(), "ok");
    const orphans = db
      .prepare(
        "SELECT count(*) FROM record_versions v WHERE NOT EXISTS (SELECT 1 FROM records r WHERE r.mms_id = v.mms_id)",
      )
      .pluck()
      .get();
    assert.equal(orphans, 0, "every version belongs to a record");
    const gaps = db
      .prepare(
        "SELECT count(*) FROM records r WHERE r.version - 1 <> (SELECT count(*) FROM record_versions v WHERE v.mms_id = r.mms_id)",
      )
      .pluck()
      .get();
    assert.equal(gaps, 0, "every record has its earlier versions");
    const jobless = db
      .prepare(
        "SELECT count(*) FROM records r WHERE r.job_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM import_jobs j WHERE j.id = r.job_id)",
      )
      .pluck()
      .get();
    assert.equal(jobless, 0, "every record's job is there");
  } finally {
    db.close();
  }
}

describe("marcgate backup and restore (SQLite)", () => {
  test("backs up while serve writes; restores into new directories", async (t) => {
    const data = join(root, "live");
    mkdirSync(data);
    assert.equal(
      marcgate("institution", "add", INSTITUTION, "--name", "Backup", "--data", data).status,
      0,
    );
    const profile = join(root, "profile.json");
    writeFileSync(profile, JSON.stringify({ code: "CONNEXION", password: "pw" }));
    const saved = marcgate(
      "profile",
      "import",
      "--institution",
      INSTITUTION,
      profile,
      "--data",
      data,
    );
    assert.equal(saved.status, 0, saved.stderr);
    const file = join(root, "records.mrc");
    const records = [];
    for (let n = 0; n < 2 * RECORDS; n++) {
      const i = (n % RECORDS) + 1;
      const title = n < RECORDS ? `Backed up ${i}` : `Backed up ${i} revised`;
      records.push(
        writeIso2709({
          leader: "00000cam a2200000 a 4500",
          fields: [
            { tag: "001", value: `ocm${String(i).padStart(8, "0")}` },
            { tag: "003", value: "OCoLC" },
            { tag: "008", value: "850101s1999    nyu           000 0 eng d" },
            { tag: "245", ind1: "1", ind2: "0", subfields: [{ code: "a", value: title }] },
          ],
        }),
      );
    }
    writeFileSync(file, Buffer.concat(records));

    const serving = await startServe(data);
    const during = join(root, "during.sqlite");
    try {
      const sender = spawn(process.execPath, [
        MARCGATE,
        "send",
        file,
        "--host",
        "127.0.0.1",
        "--port",
        String(serving.connexionPort),
        "--logon",
        INSTITUTION,
        "--password",
        "pw",
      ]);
      let sent = "";
      const finished = new Promise<number | null>((done) => sender.once("exit", done));
      // Back up once some records are in and more are coming.
      await new Promise<void>((ready) => {
        sender.stdout.on("data", (chunk: Buffer) => {
          sent += chunk.toString();
          if ((sent.match(/Success/g) ?? []).length >= 20) ready();
        });
        void finished.then(() => ready());
      });
      const backup = marcgate("backup", "--data", data, "--out", during);
      assert.equal(backup.status, 0, backup.stderr);
      assert.match(
        backup.stdout,
        /^backed up .* \(\d+ bytes\): 1 zones, \d+ records, \d+ versions, \d+ jobs, \d+ job records\n$/,
      );
      t.diagnostic(`during the export: ${backup.stdout.trim()}`);
      assert.equal(await finished, 0, sent);
      const again = marcgate("backup", "--data", data, "--out", during);
      assert.equal(again.status, 1);
      assert.match(again.stderr, /during\.sqlite exists; name a new file/);
      // restore is a writer: refused while serve owns the directory.
      const refused = marcgate("restore", "--from", during, "--data", data, "--force");
      assert.equal(refused.status, 1);
      assert.match(refused.stderr, /is in use by marcgate serve/);
    } finally {
      serving.process.kill("SIGTERM");
      await new Promise((done) => serving.process.once("exit", done));
    }

    const snapshot = counts(during);
    const live = counts(join(data, "marcgate.sqlite"));
    assert.equal(live.records, RECORDS);
    assert.equal(live.versions, RECORDS, "each record was saved twice");
    assert.ok(
      snapshot.jobRecords >= 20 && snapshot.jobRecords < 2 * RECORDS,
      `${snapshot.records} records`,
    );
    assert.ok(snapshot.jobRecords >= snapshot.records, "each stored record has its job row");
    assert.ok(snapshot.jobs >= 1);
    versionsAgree(during);

    const restored = join(root, "restored");
    mkdirSync(restored);
    const put = marcgate("restore", "--from", during, "--data", restored);
    assert.equal(put.status, 0, put.stderr);
    assert.deepEqual(counts(join(restored, "marcgate.sqlite")), snapshot);
    const over = marcgate("restore", "--from", during, "--data", restored);
    assert.equal(over.status, 1);
    assert.match(over.stderr, /is not empty \(1 zones, \d+ records\); give --force to replace it/);

    // After serve stopped: the backup holds everything, and --force replaces the earlier restore.
    const final = join(root, "final.sqlite");
    assert.equal(marcgate("backup", "--data", data, "--out", final).status, 0);
    const forced = marcgate("restore", "--from", final, "--data", restored, "--force");
    assert.equal(forced.status, 0, forced.stderr);
    assert.deepEqual(counts(join(restored, "marcgate.sqlite")), live);
    versionsAgree(join(restored, "marcgate.sqlite"));
    // The restored catalog works as a catalog: its jobs and records are there to the commands.
    const jobs = marcgate("job", "list", "--institution", INSTITUTION, "--data", restored);
    assert.equal(jobs.status, 0, jobs.stderr);
    assert.match(jobs.stdout, /\d+ records?/);
    const found = marcgate(
      "search",
      "--institution",
      INSTITUTION,
      "--data",
      restored,
      "backed up 200",
    );
    assert.equal(found.status, 0, found.stderr);
    assert.match(found.stdout, /Backed up 200 revised/);

    const notCatalog = join(root, "not.sqlite");
    writeFileSync(notCatalog, "not a database");
    const bad = marcgate(
      "restore",
      "--from",
      notCatalog,
      "--data",
      join(root, "restored"),
      "--force",
    );
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /not\.sqlite/);
  });
});
