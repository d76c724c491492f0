import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import Database from "better-sqlite3";
import { CatalogError } from "../../src/catalog/catalog.js";
import { openSqliteCatalog } from "../../src/catalog/sqlite.js";
import { SQLITE_MIGRATIONS } from "../../src/catalog/sqlite-schema.js";
import { book, catalogSuite } from "./suite.js";

/** Every catalog of this file lives under one directory, removed at the end. */
const scratch = mkdtempSync(join(tmpdir(), "marcgate-catalog-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

catalogSuite("sqlite", () => openSqliteCatalog(mkdtempSync(join(scratch, "c-"))));
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

test("catalog (sqlite): the database runs in WAL mode with full sync", async () => {
  const dir = mkdtempSync(join(scratch, "c-"));
  await (await openSqliteCatalog(dir)).close();
  const db = new Database(join(dir, "marcgate.sqlite"), { readonly: true });
  assert.equal(db.pragma("journal_mode", { simple: true }), "wal");
  db.close();
});
