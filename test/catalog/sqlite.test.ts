import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import Database from "better-sqlite3";
import { CatalogError, StagedRequest } from "../../src/catalog/catalog.js";
import { openSqliteCatalog, openSqliteWriterConnection } from "../../src/catalog/sqlite.js";
import { SQLITE_MIGRATIONS } from "../../src/catalog/sqlite-schema.js";
import { stageCommit } from "../../src/catalog/prepare.js";
import { getControlValue, getDataFields } from "../../src/marc/record.js";
import {
  packStagedCommit,
  stagedCommitsOf,
  writerRequest,
} from "../../src/catalog/sqlite-writer.js";
import { book, catalogSuite } from "./suite.js";
import { publishingSuite } from "./publishing-suite.js";

/** Every catalog of this file lives under one directory, removed at the end. */
const scratch = mkdtempSync(join(tmpdir(), "marcgate-catalog-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

catalogSuite("sqlite", () => openSqliteCatalog(mkdtempSync(join(scratch, "c-"))));
publishingSuite("sqlite", () => openSqliteCatalog(mkdtempSync(join(scratch, "c-"))));
publishingSuite("sqlite, writer thread", () =>
  openSqliteCatalog(mkdtempSync(join(scratch, "c-")), { writerThread: true }),
);
// The same suite with commits on the writer thread (what `serve` and `import` use).
catalogSuite("sqlite, writer thread", () =>
  openSqliteCatalog(mkdtempSync(join(scratch, "c-")), { writerThread: true }),
);

test("catalog (sqlite): the writer thread reports a refusal with its catalog code, and stops on close", async () => {
  const catalog = await openSqliteCatalog(mkdtempSync(join(scratch, "c-")), {
    writerThread: true,
  });
  await catalog.addInstitution({ code: "01ABC_INST", name: "ABC" });
  await assert.rejects(
    catalog.commit({
      change: { kind: "update", mmsId: "991234", expectedVersion: 1, marc: book({ title: "X" }) },
      context: { savedBy: "t", action: "merge" },
    }),
    (error: unknown) =>
      error instanceof CatalogError &&
      error.code === "unknown-record" &&
      /991234/.test(error.message),
  );
  const created = await catalog.commit({
    change: { kind: "create", zone: "01ABC_INST", marc: book({ title: "Seen" }) },
    context: { savedBy: "t", action: "create" },
  });
  // The main connection reads what the writer thread committed.
  assert.equal((await catalog.record(created.mmsId!))?.version, 1);
  await catalog.close();
  await assert.rejects(
    catalog.commit({
      change: { kind: "create", zone: "01ABC_INST", marc: book({ title: "Late" }) },
      context: { savedBy: "t", action: "create" },
    }),
    /writer thread is not running: the catalog is closed/,
  );
});

test("catalog (sqlite): requests staged ahead are committed in their place, once; a failed batch leaves them staged", async () => {
  const catalog = await openSqliteCatalog(mkdtempSync(join(scratch, "c-")), {
    writerThread: true,
  });
  await catalog.addInstitution({ code: "01ABC_INST", name: "ABC" });
  const create = (title: string) => ({
    change: { kind: "create" as const, zone: "01ABC_INST", marc: book({ title }) },
    context: { savedBy: "t", action: "create" },
  });
  const first = (await catalog.stageAhead!(create("First")))!;
  const second = (await catalog.stageAhead!(create("Second")))!;
  const missing = (await catalog.stageAhead!({
    change: { kind: "update", mmsId: "991234", expectedVersion: 1, marc: book({ title: "X" }) },
    context: { savedBy: "t", action: "merge" },
  }))!;
  assert.ok(first instanceof StagedRequest, "the catalog stands a staged request for each");
  await assert.rejects(
    catalog.commitMany([first, second, missing]),
    (error: unknown) => error instanceof CatalogError && error.code === "unknown-record",
  );
  // Nothing of the batch was written; its good requests are committed one by one.
  const [a, b] = await Promise.all([catalog.commit(first), catalog.commit(second)]);
  const title = async (mmsId: string | undefined) =>
    getDataFields((await catalog.record(mmsId!))!.marc, "245")[0]!.subfields[0]!.value;
  assert.equal(await title(a.mmsId), "First");
  assert.equal(await title(b.mmsId), "Second");
  assert.ok(b.mmsId! > a.mmsId!, "each keeps the MMS ID staged with it");
  await assert.rejects(catalog.commit(first), /committed once/);
  // Committed twice at once, it is written once.
  const third = (await catalog.stageAhead!(create("Third")))!;
  const both = await Promise.allSettled([catalog.commit(third), catalog.commit(third)]);
  assert.deepEqual(both.map((r) => r.status).sort(), ["fulfilled", "rejected"]);
  await catalog.close();

  // A catalog that stages nothing ahead commits no staged request.
  const plain = await openSqliteCatalog(mkdtempSync(join(scratch, "c-")));
  assert.equal(await plain.stageAhead!(create("Not staged")), undefined);
  await assert.rejects(plain.commit(new StagedRequest()), /staged ahead by another catalog/);
  await plain.close();
});

test("catalog (sqlite): the writer thread's MMS IDs rise, are never given twice, and go on after reopening", async () => {
  const dir = mkdtempSync(join(scratch, "c-"));
  const create = (title: string) => ({
    change: {
      kind: "create" as const,
      zone: "01ABC_INST",
      marc: book({ title }),
      controlNumber: "mms-id" as const,
    },
    context: { savedBy: "t", action: "create" },
  });
  const first = await openSqliteCatalog(dir, { writerThread: true });
  await first.addInstitution({ code: "01ABC_INST", name: "ABC" });
  // Concurrent batches larger than the first reserved block (64).
  const batches = await Promise.all(
    [0, 1, 2].map((b) =>
      first.commitMany(Array.from({ length: 50 }, (_, i) => create(`B${b} R${i}`))),
    ),
  );
  const ids = batches.flat().map((r) => r.mmsId!);
  assert.equal(new Set(ids).size, 150);
  for (const batch of batches) {
    const mine = batch.map((r) => r.mmsId!);
    assert.deepEqual(mine, [...mine].sort(), "a batch's MMS IDs rise in request order");
  }
  // The stored 001 is the MMS ID the record got.
  const stored = await first.record(ids[70]!);
  assert.equal(stored && getControlValue(stored.marc, "001"), ids[70]);
  await first.close();
  // Another connection (no writer) and a reopened writer continue after every reserved number.
  const plain = await openSqliteCatalog(dir);
  const { mmsId: after } = await plain.commit(create("After"));
  await plain.close();
  const highest = [...ids].sort().at(-1)!;
  assert.ok(after! > highest, `${after} comes after ${highest}`);
  const second = await openSqliteCatalog(dir, { writerThread: true });
  const { mmsId: again } = await second.commit(create("Again"));
  assert.ok(again! > after!);
  await second.close();
});

test("catalog (sqlite): a staged batch crosses to the writer with its bytes, logs and keys intact", () => {
  // A raw record that views part of a larger buffer, as one read from a file chunk does.
  const chunk = Buffer.from("xxxxRAW RECORD BYTESyyyy");
  const raw = chunk.subarray(4, 20);
  const staged = [
    stageCommit(
      {
        change: { kind: "create", zone: "Z", marc: book({ title: "Moved", oclc: "77" }) },
        entry: { jobId: 3, raw, outcome: "created", messages: ["m"], log: { stage: ["a", 1] } },
        context: { savedBy: "t", action: "create" },
      },
      "9900000000011001",
    ),
    stageCommit({
      entry: { jobId: 3, raw, outcome: "rejected", messages: [], log: null },
      context: { savedBy: "t", action: "x" },
    }),
  ];
  const message = writerRequest(1, staged.map(packStagedCommit));
  assert.ok(!Buffer.from(message.packed).includes("xxxx"), "only the raw record's own bytes go");
  const back = stagedCommitsOf(message);
  assert.equal(Buffer.from(back[0]!.entry!.raw).toString(), "RAW RECORD BYTES");
  assert.equal(back[0]!.entry!.logJson, '{"stage":["a",1]}');
  assert.deepEqual(Buffer.from(back[0]!.change!.prepared.bytes), staged[0]!.change!.prepared.bytes);
  assert.deepEqual(back[0]!.change!.prepared.keys, staged[0]!.change!.prepared.keys);
  assert.equal(back[1]!.change, undefined);
  assert.equal(back[1]!.entry!.logJson, "null");
  assert.equal(Buffer.from(back[1]!.entry!.raw).toString(), "RAW RECORD BYTES");
  assert.deepEqual(back[1]!.context, staged[1]!.context);
  // Text outside ASCII keeps its length in bytes, not in characters.
  const accented = stageCommit(
    {
      change: { kind: "create", zone: "Z", marc: book({ title: "Zürich – Łódź" }) },
      entry: { jobId: 3, raw, outcome: "created", messages: ["é"], log: { note: "…" } },
      context: { savedBy: "t", action: "create" },
    },
    "9900000000021001",
  );
  const [again] = stagedCommitsOf(writerRequest(2, [packStagedCommit(accented)]));
  assert.equal(again!.entry!.logJson, '{"note":"…"}');
  assert.equal(again!.entry!.messagesJson, '["é"]');
  assert.deepEqual(again!.change!.prepared.search, accented.change!.prepared.search);
  assert.deepEqual(Buffer.from(again!.change!.prepared.bytes), accented.change!.prepared.bytes);
  assert.equal(Buffer.from(again!.entry!.raw).toString(), "RAW RECORD BYTES");
});

test("catalog (sqlite): reopening keeps the data and runs each migration once", async () => {
  const dir = mkdtempSync(join(scratch, "c-"));
  const first = await openSqliteCatalog(dir);
  await first.addInstitution({ code: "01ABC_INST", name: "ABC" });
  const { mmsId } = await first.commit({
    change: { kind: "create", zone: "01ABC_INST", marc: book({ title: "Kept" }) },
    context: { savedBy: "t", action: "create" },
  });
  await first.close();
  const second = await openSqliteCatalog(dir);
  assert.equal((await second.record(mmsId!))?.version, 1);
  const next = await second.commit({
    change: { kind: "create", zone: "01ABC_INST", marc: book({ title: "Next" }) },
    context: { savedBy: "t", action: "create" },
  });
  assert.ok(next.mmsId! > mmsId!, "the MMS ID sequence goes on after reopening");
  await second.close();
  const db = new Database(join(dir, "marcgate.sqlite"), { readonly: true });
  const rows = db.prepare("SELECT version FROM schema_migrations ORDER BY version").all() as {
    version: number;
  }[];
  db.close();
  assert.deepEqual(
    rows.map((r) => r.version),
    SQLITE_MIGRATIONS.map((m) => m.version),
  );
});

test("catalog (sqlite): a job's counts come from an index, not from its rows", async () => {
  const dir = mkdtempSync(join(scratch, "c-"));
  await (await openSqliteCatalog(dir)).close();
  const db = new Database(join(dir, "marcgate.sqlite"), { readonly: true });
  const plan = db
    .prepare(
      "EXPLAIN QUERY PLAN SELECT outcome, count(*) AS n FROM job_records WHERE job_id = ? GROUP BY outcome",
    )
    .all(1) as { detail: string }[];
  db.close();
  assert.match(plan.map((p) => p.detail).join("; "), /USING COVERING INDEX job_records_outcome/);
});

test("catalog (sqlite): the database runs in WAL mode with full sync", async () => {
  const dir = mkdtempSync(join(scratch, "c-"));
  await (await openSqliteCatalog(dir)).close();
  const db = new Database(join(dir, "marcgate.sqlite"), { readonly: true });
  assert.equal(db.pragma("journal_mode", { simple: true }), "wal");
  db.close();
});

test("catalog (sqlite): each write transaction merges its share of the full-text index", async () => {
  const dir = mkdtempSync(join(scratch, "c-"));
  const catalog = await openSqliteCatalog(dir);
  await catalog.addInstitution({ code: "01ABC_INST", name: "ABC" });
  const created: string[] = [];
  // Each commit writes one full-text segment; the eighth on a level is merged with the others
  // in the same transaction (FTS5's own merging would leave all eight: it works in lumps of
  // 64 pages per level, and merges a level at once only at 16 segments).
  for (let i = 0; i < 8; i++) {
    const result = await catalog.commit({
      change: { kind: "create", zone: "01ABC_INST", marc: book({ title: `Lakes ${i} ponds` }) },
      context: { savedBy: "t", action: "create" },
    });
    created.push(result.mmsId!);
  }
  const update = await catalog.commit({
    change: {
      kind: "update",
      mmsId: created[3]!,
      expectedVersion: 1,
      marc: book({ title: "Rivers" }),
    },
    context: { savedBy: "t", action: "merge" },
  });
  assert.equal(update.version, 2);
  const zones = ["01ABC_INST"];
  assert.equal((await catalog.search({ text: "ponds", zones })).total, 7);
  assert.deepEqual(
    (await catalog.search({ text: "rivers", zones })).hits.map((h) => h.mmsId),
    [created[3]],
  );
  await catalog.close();
  const db = new Database(join(dir, "marcgate.sqlite"), { readonly: true });
  const config = db.prepare("SELECT k, v FROM records_fts_config WHERE k LIKE '%merge'").all();
  const segments = db.prepare("SELECT count(DISTINCT segid) AS n FROM records_fts_idx").get() as {
    n: number;
  };
  const check = new Database(join(dir, "marcgate.sqlite"));
  check.prepare("INSERT INTO records_fts (records_fts, rank) VALUES ('integrity-check', 0)").run();
  check.close();
  db.close();
  assert.deepEqual(config, [
    { k: "automerge", v: 0 },
    { k: "usermerge", v: 8 },
  ]);
  // One or two (the update's own, unless promoted into the merged one), not nine.
  assert.ok(segments.n <= 2, `${segments.n} full-text segments`);
});

/**
 * A catalog's write-ahead log, from its shared-memory index: the last frame written (the
 * header's mxFrame, at byte 16) and the frames copied into the database file (nBackfill, at
 * byte 96, after the header's two copies).
 */
function logProgress(dir: string): { frames: number; copied: number } {
  const shm = readFileSync(join(dir, "marcgate.sqlite-shm"));
  return { frames: shm.readUInt32LE(16), copied: shm.readUInt32LE(96) };
}

test("catalog (sqlite): the writer can have the write-ahead log start again", async () => {
  const dir = mkdtempSync(join(scratch, "c-"));
  await (await openSqliteCatalog(dir)).close();
  // Another connection keeps writing, never checkpointing: the log only grows.
  const other = new Database(join(dir, "marcgate.sqlite"));
  other.pragma("wal_autocheckpoint = 0");
  other.exec("CREATE TABLE filler (text TEXT NOT NULL)");
  const fill = other.prepare("INSERT INTO filler (text) VALUES (?)");
  for (let i = 0; i < 200; i++) fill.run("x".repeat(3000));
  const frames = (): number => logProgress(dir).frames;
  const before = frames();
  assert.ok(before > 150, `${before} frames`);
  fill.run("after");
  assert.ok(frames() > before, "without a restart, the log goes on growing");

  const writer = openSqliteWriterConnection(dir, "NORMAL");
  assert.equal(writer.restartLog(), true);
  fill.run("after the restart");
  // The next commit wrote the log from its start: a handful of frames, not hundreds.
  assert.ok(frames() < 10, `${frames()} frames after the restart`);
  assert.equal((other.prepare("SELECT count(*) AS n FROM filler").get() as { n: number }).n, 202);
  await writer.close();
  other.close();
});

test("catalog (sqlite): the writer thread's checkpointer waits the interval it is given", async () => {
  const opened = await Promise.all(
    [50, 60_000].map(async (checkpointIntervalMs) => {
      const dir = mkdtempSync(join(scratch, "c-"));
      const catalog = await openSqliteCatalog(dir, { writerThread: true, checkpointIntervalMs });
      const other = new Database(join(dir, "marcgate.sqlite"));
      other.pragma("wal_autocheckpoint = 0");
      other.exec("CREATE TABLE filler (text TEXT NOT NULL)");
      const fill = other.prepare("INSERT INTO filler (text) VALUES (?)");
      for (let i = 0; i < 50; i++) fill.run("x".repeat(3000));
      return { dir, catalog, other };
    }),
  );
  // Past the default second: only the catalog given 50 ms has had its log copied.
  await new Promise((done) => setTimeout(done, 1500));
  const [often, seldom] = opened.map(({ dir }) => logProgress(dir));
  for (const { catalog, other } of opened) {
    other.close();
    await catalog.close();
  }
  assert.ok(often && seldom);
  assert.ok(often.frames > 50 && often.copied === often.frames, JSON.stringify(often));
  assert.ok(seldom.frames > 50 && seldom.copied === 0, JSON.stringify(seldom));
});

test("catalog (sqlite): a catalog whose full-text index predates migration 12 is indexed again on open, ranked and folded", async () => {
  const dir = mkdtempSync(join(scratch, "c-"));
  const catalog = await openSqliteCatalog(dir);
  await catalog.addInstitution({ code: "IZ", name: "Institution" });
  const context = { savedBy: "t", action: "create" };
  const notes = await catalog.commit({
    change: {
      kind: "create",
      zone: "IZ",
      marc: {
        ...book({ title: "Other things" }),
        fields: [
          ...book({ title: "Other things" }).fields,
          { tag: "500", ind1: " ", ind2: " ", subfields: [{ code: "a", value: "ʻAm ʻoved" }] },
        ],
      },
    },
    context,
  });
  const titled = await catalog.commit({
    change: { kind: "create", zone: "IZ", marc: book({ title: "ʻAm ʻoved" }) },
    context,
  });
  await catalog.close();
  // As a catalog of before: the index of migration 1 (detail = column), text kept as it was.
  const db = new Database(join(dir, "marcgate.sqlite"));
  db.exec(`DROP TABLE records_fts;
    CREATE VIRTUAL TABLE records_fts USING fts5 (title, author, subject, keyword, zone,
      content = '', contentless_delete = 1, detail = column, tokenize = 'unicode61 remove_diacritics 2');
    DROP INDEX records_title_scan;
    DROP INDEX records_author_scan;
    DROP INDEX records_suppressed;
    DELETE FROM schema_migrations WHERE version = 12;
    DELETE FROM counters WHERE name = 'search_text';`);
  db.close();
  const reopened = await openSqliteCatalog(dir);
  const result = await reopened.search({ text: "oved", zones: ["IZ"] });
  assert.deepEqual(
    result.hits.map((h) => h.mmsId),
    [titled.mmsId, notes.mmsId],
  );
  assert.ok(result.hits.every((h) => h.score > 0));
  await reopened.close();
  const check = new Database(join(dir, "marcgate.sqlite"), { readonly: true });
  const sql = (
    check.prepare("SELECT sql FROM sqlite_master WHERE name = 'records_fts'").get() as {
      sql: string;
    }
  ).sql;
  check.close();
  assert.match(sql, /detail = full/);
});
