/**
 * Crash safety: a child process commits records one at a time and prints each acknowledged MMS
 * ID; the parent kills it with SIGKILL mid-stream, reopens the catalog and checks that every
 * acknowledged record is there whole (record, version, match keys, search text, job row) and
 * that nothing is half-written. Several runs kill at different moments.
 *
 * SQLite always (synchronous FULL); PostgreSQL too when MARCGATE_TEST_PG is a postgres:// URL
 * and the engine is built.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import type { Catalog } from "../../src/catalog/catalog.js";
import { openCatalog, type CatalogLocation } from "../../src/catalog/open.js";
import { writeIso2709 } from "../../src/marc/iso2709.js";
import { extractMatchKeys, type MatchKey } from "../../src/marc/match-keys.js";
import { crashRecord } from "./crash-record.js";

const writer = resolve(dirname(fileURLToPath(import.meta.url)), "crash-writer.js");
const ZONE = "01CRASH_INST";
/** After how many acknowledged commits each run kills the writer. */
const KILL_AFTER = [137, 420, 777];

async function open(location: CatalogLocation): Promise<Catalog> {
  const opened = await openCatalog(location);
  if (opened.error !== undefined) throw new Error(opened.error);
  return opened.catalog;
}

/** Runs the writer until `killAfter` lines are read, kills it, and returns every acknowledged line. */
function runAndKill(
  location: CatalogLocation,
  jobId: number,
  killAfter: number,
): Promise<{ acknowledged: Map<number, string>; signal: NodeJS.Signals | null }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [writer, JSON.stringify(location), ZONE, String(jobId)], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let text = "";
    let stderr = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      text += chunk;
      if (child.exitCode === null && !child.killed && text.split("\n").length > killAfter) {
        child.kill("SIGKILL");
      }
    });
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", fail);
    child.on("close", (code, signal) => {
      if (signal !== "SIGKILL") {
        fail(new Error(`writer ended by itself (code ${code}): ${stderr}`));
        return;
      }
      const acknowledged = new Map<number, string>();
      for (const line of text.split("\n")) {
        const [n, mmsId] = line.split(" ");
        if (n && mmsId) acknowledged.set(Number(n), mmsId); // a torn last line has no MMS ID
      }
      done({ acknowledged, signal });
    });
  });
}

/** Checks through the Catalog interface, the same for every engine. */
async function checkThroughInterface(
  catalog: Catalog,
  jobId: number,
  acknowledged: Map<number, string>,
): Promise<void> {
  for (const [n, mmsId] of acknowledged) {
    const expected = crashRecord(n);
    const record = await catalog.record(mmsId);
    assert.ok(record, `acknowledged record ${n} (${mmsId}) is there`);
    assert.equal(record.version, 1);
    assert.equal((await catalog.versions(mmsId)).length, 1);
    assert.deepEqual(
      record.marc.fields.map((f) => f.tag),
      expected.fields.map((f) => f.tag),
    );
    const byKindAndValue = (a: MatchKey, b: MatchKey): number =>
      a.kind.localeCompare(b.kind) || a.value.localeCompare(b.value);
    assert.deepEqual(
      [...(await catalog.keysOf(mmsId))].sort(byKindAndValue),
      extractMatchKeys(expected).sort(byKindAndValue),
      `keys of ${n}`,
    );
  }
  const entries = await catalog.jobRecords(jobId);
  const entryByMmsId = new Map(entries.map((e) => [e.mmsId, e]));
  for (const [n, mmsId] of acknowledged) {
    const entry = entryByMmsId.get(mmsId);
    assert.ok(entry, `job row of ${n}`);
    assert.deepEqual(Buffer.from(entry.raw), writeIso2709(crashRecord(n)));
  }
  // Nothing half-written: every record has its job row and keys, every job row its record.
  let records = 0;
  for await (const record of catalog.recordsOf(ZONE)) {
    records++;
    assert.ok(entryByMmsId.has(record.mmsId), `record ${record.mmsId} has its job row`);
    assert.ok((await catalog.keysOf(record.mmsId)).length > 0, `record ${record.mmsId} has keys`);
  }
  for (const entry of entries) assert.ok(entry.mmsId && (await catalog.record(entry.mmsId)));
  assert.equal(records, entries.length);
  // At most one commit can have landed after the last line was printed.
  assert.ok(
    records === acknowledged.size || records === acknowledged.size + 1,
    `${records} records for ${acknowledged.size} acknowledged`,
  );
}

/** The same, counted in SQL in the SQLite file, with an integrity check. */
function checkSqliteFile(dir: string): void {
  const db = new Database(join(dir, "marcgate.sqlite"), { readonly: true });
  try {
    const count = (sql: string): number => (db.prepare(sql).get() as { n: number }).n;
    assert.equal(db.pragma("integrity_check", { simple: true }), "ok");
    assert.equal(
      count(
        "SELECT count(*) AS n FROM records r WHERE NOT EXISTS (SELECT 1 FROM job_records j WHERE j.mms_id = r.mms_id)",
      ),
      0,
      "records without a job row",
    );
    assert.equal(
      count(
        "SELECT count(*) AS n FROM job_records j WHERE NOT EXISTS (SELECT 1 FROM records r WHERE r.mms_id = j.mms_id)",
      ),
      0,
      "job rows without a record",
    );
    assert.equal(
      count(
        "SELECT count(*) AS n FROM records r WHERE NOT EXISTS (SELECT 1 FROM match_keys k WHERE k.record_id = r.id)",
      ),
      0,
      "records without match keys",
    );
    assert.equal(
      count(
        "SELECT count(*) AS n FROM match_keys k WHERE NOT EXISTS (SELECT 1 FROM records r WHERE r.id = k.record_id)",
      ),
      0,
      "match keys without a record",
    );
    assert.equal(
      count("SELECT count(*) AS n FROM records_fts"),
      count("SELECT count(*) AS n FROM records"),
      "search rows and records",
    );
    assert.equal(
      count(
        "SELECT count(*) AS n FROM records r WHERE r.id NOT IN (SELECT rowid FROM records_fts)",
      ),
      0,
      "records without search text",
    );
    assert.equal(
      count("SELECT value AS n FROM counters WHERE name = 'mms'"),
      count("SELECT count(*) AS n FROM records"),
      "the MMS ID counter moved with the records",
    );
  } finally {
    db.close();
  }
}

/** One engine's crash runs, each in a fresh catalog. */
function crashSuite(
  engine: string,
  fresh: (run: number) => CatalogLocation,
  afterRun: (location: CatalogLocation) => void | Promise<void>,
): void {
  describe(`crash safety (${engine}): SIGKILL mid-stream loses no acknowledged commit`, () => {
    KILL_AFTER.forEach((killAfter, run) => {
      test(`killed after ${killAfter} acknowledged commits`, async () => {
        const location = fresh(run);
        const setup = await open(location);
        await setup.addInstitution({ code: ZONE, name: "Crash test" });
        const job = await setup.startJob({
          institution: ZONE,
          source: "cli",
          description: "crash",
        });
        await setup.close();
        const { acknowledged } = await runAndKill(location, job.id, killAfter);
        assert.ok(acknowledged.size >= killAfter, `${acknowledged.size} acknowledged`);
        await afterRun(location);
        const catalog = await open(location);
        try {
          await checkThroughInterface(catalog, job.id, acknowledged);
          // The catalog takes writes again after the crash.
          const next = await catalog.commit({
            change: { kind: "create", zone: ZONE, marc: crashRecord(999_999) },
            context: { savedBy: "t", action: "create" },
          });
          assert.ok(![...acknowledged.values()].includes(next.mmsId!));
        } finally {
          await catalog.close();
        }
      });
    });
  });
}

/** Every catalog of the SQLite crash suite lives under one directory, removed at the end. */
const scratch = mkdtempSync(join(tmpdir(), "marcgate-crash-"));
process.on("exit", () => rmSync(scratch, { recursive: true, force: true }));

crashSuite(
  "sqlite",
  () => ({ data: mkdtempSync(join(scratch, "c-")), synchronous: "FULL" }),
  (location) => checkSqliteFile(location.data!),
);

const pgUrl = process.env.MARCGATE_TEST_PG;
/** Whether the PostgreSQL engine is built (a connection failure then fails the suite, as it should). */
async function postgresBuilt(url: string): Promise<boolean> {
  const probe = await openCatalog({ db: url, schema: `marcgate_crash_${process.pid}_probe` });
  await probe.catalog?.close();
  return !probe.error?.includes("not part of this build");
}
const pgAvailable = pgUrl !== undefined && (await postgresBuilt(pgUrl));
if (pgUrl !== undefined && pgAvailable) {
  crashSuite(
    "postgres",
    (run) => ({ db: pgUrl, schema: `marcgate_crash_${process.pid}_${run}` }),
    () => undefined,
  );
} else {
  test(
    "crash safety (postgres)",
    { skip: pgUrl === undefined ? "MARCGATE_TEST_PG not set" : "PostgreSQL engine not built" },
    () => undefined,
  );
}
