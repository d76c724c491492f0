/**
 * Migration 17 on a catalog made before it: the institution's one OCLC Connexion profile becomes
 * its default, and Connexion exports with the logon ID and password of before still go in; a
 * second profile can then be added beside it. The old table is made with migration 2's own SQL
 * (its rows kept), the jobs' profile column dropped, version 17 forgotten, and the catalog opened
 * again. SQLite, and PostgreSQL
 * when `MARCGATE_TEST_PG` names a server.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import Database from "better-sqlite3";
import pg from "pg";
import { startApp } from "../../src/app.js";
import type { Catalog } from "../../src/catalog/catalog.js";
import { openCatalog } from "../../src/catalog/open.js";
import { POSTGRES_MIGRATIONS } from "../../src/catalog/postgres-schema.js";
import { SQLITE_FILE } from "../../src/catalog/sqlite.js";
import { SQLITE_MIGRATIONS } from "../../src/catalog/sqlite-schema.js";
import { ConnexionClient } from "../../src/connexion/client.js";
import { hashPassword } from "../../src/import/password.js";
import { CONNEXION_INTEGRATION_TYPE, parseProfile } from "../../src/import/profile.js";
import { writeIso2709 } from "../../src/marc/iso2709.js";
import { INSTITUTION, PASSWORD, oclcRecord, setUpInstitution } from "./_fixture.js";

const pgUrl = process.env.MARCGATE_TEST_PG;

function migrationSql(migrations: readonly { version: number; sql: string }[], v: number): string {
  const found = migrations.find((m) => m.version === v);
  assert.ok(found, `no migration ${v}`);
  return found.sql;
}

/** A catalog location, made "old" (before migration 17) between two opens. */
interface OldCatalog {
  readonly open: () => Promise<Catalog>;
  /** Puts integration_profiles back as migration 2 made it, and forgets migration 17. */
  readonly makeOld: () => Promise<void>;
  /** The columns of integration_profiles as the engine has them. */
  readonly columns: () => Promise<string[]>;
  readonly remove: () => Promise<void>;
}

function sqliteCatalog(): OldCatalog {
  const dir = mkdtempSync(join(tmpdir(), "marcgate-migration17-"));
  const withDb = <T>(work: (db: Database.Database) => T): T => {
    const db = new Database(join(dir, SQLITE_FILE));
    try {
      return work(db);
    } finally {
      db.close();
    }
  };
  return {
    open: async () => {
      const opened = await openCatalog({ data: dir });
      assert.ok(opened.catalog, opened.error);
      return opened.catalog;
    },
    makeOld: () =>
      Promise.resolve(
        withDb((db) =>
          db.transaction(() => {
            db.exec(`CREATE TEMP TABLE kept AS
              SELECT institution, type, code, settings, updated FROM integration_profiles;
              DROP TABLE integration_profiles;`);
            db.exec(migrationSql(SQLITE_MIGRATIONS, 2));
            db.exec(`INSERT INTO integration_profiles (institution, type, code, settings, updated)
              SELECT institution, type, code, settings, updated FROM kept;
              DROP TABLE kept;
              ALTER TABLE import_jobs DROP COLUMN profile;
              DELETE FROM schema_migrations WHERE version = 17;`);
          })(),
        ),
      ),
    columns: () =>
      Promise.resolve(
        withDb((db) =>
          (db.prepare("PRAGMA table_info(integration_profiles)").all() as { name: string }[]).map(
            (c) => c.name,
          ),
        ),
      ),
    remove: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
  };
}

function postgresCatalog(url: string): OldCatalog {
  const schema = `t_${randomBytes(6).toString("hex")}`;
  const withClient = async <T>(work: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(`SET search_path TO "${schema}"`);
      return await work(client);
    } finally {
      await client.end();
    }
  };
  return {
    open: async () => {
      const opened = await openCatalog({ db: url, schema });
      assert.ok(opened.catalog, opened.error);
      return opened.catalog;
    },
    makeOld: () =>
      withClient(async (client) => {
        await client.query("BEGIN");
        await client.query(`CREATE TEMP TABLE kept AS
          SELECT institution, type, code, settings, updated FROM integration_profiles`);
        await client.query("DROP TABLE integration_profiles");
        await client.query(migrationSql(POSTGRES_MIGRATIONS, 2));
        await client.query(`INSERT INTO integration_profiles (institution, type, code, settings, updated)
          SELECT institution, type, code, settings, updated FROM kept`);
        await client.query("ALTER TABLE import_jobs DROP COLUMN profile");
        await client.query("DELETE FROM schema_migrations WHERE version = 17");
        await client.query("COMMIT");
      }),
    columns: () =>
      withClient(async (client) =>
        (
          await client.query<{ column_name: string }>(
            `SELECT column_name FROM information_schema.columns
             WHERE table_schema = $1 AND table_name = 'integration_profiles' ORDER BY ordinal_position`,
            [schema],
          )
        ).rows.map((r) => r.column_name),
      ),
    remove: () =>
      withClient(async (client) => {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      }),
  };
}

const engines: [string, (() => OldCatalog) | undefined][] = [
  ["sqlite", sqliteCatalog],
  ["postgres", pgUrl !== undefined ? () => postgresCatalog(pgUrl) : undefined],
];

for (const [engine, make] of engines) {
  describe(`migration 17 (${engine})`, { skip: !make && "MARCGATE_TEST_PG is not set" }, () => {
    const places: OldCatalog[] = [];
    after(async () => {
      for (const place of places) await place.remove();
    });

    test("an old catalog's profile becomes the default; its logon goes on working", async () => {
      const place = make!();
      places.push(place);
      const first = await place.open();
      await setUpInstitution(first);
      await first.close();
      await place.makeOld();
      assert.ok(!(await place.columns()).includes("is_default"), "the old table is back");

      const catalog = await place.open();
      try {
        assert.ok((await place.columns()).includes("is_default"));
        const kept = await catalog.integrationProfile(INSTITUTION, CONNEXION_INTEGRATION_TYPE);
        assert.equal(kept?.code, "CONNEXION");
        assert.equal(kept?.isDefault, true);
        // A second profile beside it; the old one stays the default.
        const parsed = parseProfile({ code: "SERIALS" });
        assert.ok("input" in parsed);
        await catalog.setIntegrationProfile({
          institution: INSTITUTION,
          type: CONNEXION_INTEGRATION_TYPE,
          code: "SERIALS",
          settings: { ...parsed.input.profile, passwordHash: await hashPassword("other") },
        });
        const app = await startApp(catalog, {
          connexionPort: 0,
          httpPort: 0,
          host: "127.0.0.1",
          log: () => undefined,
        });
        try {
          const client = await ConnexionClient.connect({
            host: "127.0.0.1",
            port: app.connexionPort,
          });
          try {
            const send = (logonId: string, password: string, n: number) =>
              client.send(writeIso2709(oclcRecord(n, `Old ${n}`)), { logonId, password }, "byte");
            assert.match(await send(INSTITUTION, PASSWORD, 1), /^Success\. Record 99\d+ added\.\n/);
            assert.match(
              await send(`${INSTITUTION}/SERIALS`, "other", 2),
              /^Success\. Record 99\d+ added \(profile SERIALS\)\./,
            );
            assert.match(await send(INSTITUTION, "other", 3), /^Error: Unauthorized request/);
          } finally {
            await client.close();
          }
        } finally {
          await app.close();
        }
        assert.deepEqual(
          (await catalog.integrationProfiles(INSTITUTION)).map((p) => [p.code, p.isDefault]),
          [
            ["CONNEXION", true],
            ["SERIALS", false],
          ],
        );
      } finally {
        await catalog.close();
      }
    });
  });
}
