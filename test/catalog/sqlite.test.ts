import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import Database from "better-sqlite3";
import { openSqliteCatalog } from "../../src/catalog/sqlite.js";
import { SQLITE_MIGRATIONS } from "../../src/catalog/sqlite-schema.js";
import { book, catalogSuite } from "./suite.js";

/** Every catalog of this file lives under one directory, removed at the end. */
const scratch = mkdtempSync(join(tmpdir(), "marcgate-catalog-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

catalogSuite("sqlite", () => openSqliteCatalog(mkdtempSync(join(scratch, "c-"))));

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
