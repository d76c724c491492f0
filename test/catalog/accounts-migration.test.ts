/**
 * Migration 14 on both engines: the accounts of before (one installation-wide role) keep
 * working — each role becomes that role in every institution that exists, administrators
 * become installation administrators too, sessions and tokens stay valid. The catalog is made
 * at migration 13's account tables by taking migration 14 back, then opened again.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import Database from "better-sqlite3";
import { Pool } from "pg";
import type { Catalog } from "../../src/catalog/catalog.js";
import { openPostgresCatalog } from "../../src/catalog/postgres.js";
import { openSqliteCatalog } from "../../src/catalog/sqlite.js";
import { Importer } from "../../src/import/importer.js";
import { keyHash } from "../../src/web/auth.js";
import { buildServer } from "../../src/web/server.js";

const HASH = "scrypt$16384$8$1$c2FsdA==$aGFzaA==";
const TOKEN = "mgt_a-token-of-before";

/** Statements that take migration 14 back and store two accounts of before and a token. */
function before13(table: (name: string) => string, now: string): string[] {
  return [
    `DROP TABLE ${table("user_roles")}`,
    `ALTER TABLE ${table("users")} DROP COLUMN installation_admin`,
    `ALTER TABLE ${table("users")} ADD COLUMN role text NOT NULL DEFAULT 'Viewer'`,
    `INSERT INTO ${table("users")} (name, role, password_hash, created) VALUES
      ('ada', 'Cataloger', '${HASH}', ${now}),
      ('root', 'General System Administrator', '${HASH}', ${now})`,
    `INSERT INTO ${table("access_keys")} (hash, kind, user_name, label, created)
      VALUES ('${keyHash(TOKEN)}', 'token', 'ada', 'nightly', ${now})`,
    `DELETE FROM ${table("schema_migrations")} WHERE version = 14`,
  ];
}

/** Zones of a catalog at any migration: two institutions and a network zone. */
async function zones(catalog: Catalog): Promise<void> {
  await catalog.addNetworkZone({ code: "01N_NETWORK", name: "N" });
  await catalog.addInstitution({ code: "01A_INST", name: "A", network: "01N_NETWORK" });
  await catalog.addInstitution({ code: "01B_INST", name: "B" });
}

async function migratedAccounts(catalog: Catalog): Promise<void> {
  const ada = await catalog.user("ada");
  assert.deepEqual(ada?.roles, [
    { institution: "01A_INST", role: "Cataloger" },
    { institution: "01B_INST", role: "Cataloger" },
  ]);
  assert.equal(ada?.installationAdmin, false);
  const root = await catalog.user("root");
  assert.deepEqual(
    root?.roles.map((r) => `${r.role} in ${r.institution}`),
    ["General System Administrator in 01A_INST", "General System Administrator in 01B_INST"],
  );
  assert.equal(root?.installationAdmin, true);
  assert.equal(ada?.passwordHash, HASH);
  // The token of before still opens the API, in both institutions, as a Cataloger.
  const app = await buildServer({
    catalog,
    importer: new Importer(catalog),
    publicUrl: () => "http://localhost",
  });
  try {
    const authorization = `Bearer ${TOKEN}`;
    for (const code of ["01A_INST", "01B_INST"]) {
      const r = await app.inject({
        url: `/api/jobs?institution=${code}`,
        headers: { authorization },
      });
      assert.equal(r.statusCode, 200, r.body);
    }
    const refused = await app.inject({
      method: "PUT",
      url: "/api/profiles/connexion?institution=01A_INST",
      headers: { authorization },
      payload: { code: "X" },
    });
    assert.equal(refused.statusCode, 403, "a Cataloger of before configures nothing now either");
  } finally {
    await app.close();
  }
}

describe("migration 14: accounts of before", () => {
  test("sqlite", async () => {
    const dir = mkdtempSync(join(tmpdir(), "marcgate-m14-"));
    try {
      const first = await openSqliteCatalog(dir);
      await zones(first);
      await first.close();
      const db = new Database(join(dir, "marcgate.sqlite"));
      for (const sql of before13((t) => t, "'2026-01-01T00:00:00.000Z'")) db.exec(sql);
      db.close();
      const catalog = await openSqliteCatalog(dir);
      try {
        await migratedAccounts(catalog);
      } finally {
        await catalog.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const url = process.env["MARCGATE_TEST_PG"];
  test("postgres", { skip: url ? false : "MARCGATE_TEST_PG is not set" }, async () => {
    const schema = `t_${randomBytes(6).toString("hex")}`;
    const admin = new Pool({ connectionString: url, max: 1 });
    after(async () => {
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    });
    const first = await openPostgresCatalog(url!, { schema });
    await zones(first);
    await first.close();
    for (const sql of before13((t) => `"${schema}".${t}`, "now()")) await admin.query(sql);
    const catalog = await openPostgresCatalog(url!, { schema });
    try {
      await migratedAccounts(catalog);
    } finally {
      await catalog.close();
    }
  });
});
