/**
 * The shared catalog suite on PostgreSQL, plus what only a shared server has to prove: several
 * processes and connections writing at once. Needs a server: `MARCGATE_TEST_PG` holds its URL
 * (`.ci/run` starts one). Each catalog gets a fresh schema `t_<random>`, dropped at the end.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { after, describe, test } from "node:test";
import { Pool } from "pg";
import { CatalogError, type Catalog } from "../../src/catalog/catalog.js";
import { openPostgresCatalog } from "../../src/catalog/postgres.js";
import { POSTGRES_MIGRATIONS } from "../../src/catalog/postgres-schema.js";
import { book, catalogSuite } from "./suite.js";
import { publishingSuite } from "./publishing-suite.js";

const url = process.env.MARCGATE_TEST_PG;

if (!url) {
  test(
    "PostgreSQL not available: set MARCGATE_TEST_PG=postgres://… to run the catalog suite on PostgreSQL",
    { skip: "MARCGATE_TEST_PG is not set" },
    () => undefined,
  );
} else {
  const admin = new Pool({ connectionString: url, max: 2 });
  const schemas: string[] = [];

  /** A new schema name (the catalog creates the schema on open). */
  const freshSchema = (): string => {
    const schema = `t_${randomBytes(6).toString("hex")}`;
    schemas.push(schema);
    return schema;
  };
  const open = (): Promise<Catalog> => openPostgresCatalog(url, { schema: freshSchema() });

  after(async () => {
    for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  });

  catalogSuite("postgres", open);
  publishingSuite("postgres", open);

  describe("catalog (postgres): shared server", () => {
    test("reopening keeps the data and runs each migration once", async () => {
      const schema = freshSchema();
      const first = await openPostgresCatalog(url, { schema });
      await first.addInstitution({ code: "01ABC_INST", name: "ABC" });
      const { mmsId } = await first.commit({
        change: { kind: "create", zone: "01ABC_INST", marc: book({ title: "Kept" }) },
        context: { savedBy: "t", action: "create" },
      });
      await first.close();
      const second = await openPostgresCatalog(url, { schema });
      try {
        assert.equal((await second.record(mmsId!))?.version, 1);
        const next = await second.commit({
          change: { kind: "create", zone: "01ABC_INST", marc: book({ title: "Next" }) },
          context: { savedBy: "t", action: "create" },
        });
        assert.ok(next.mmsId! > mmsId!, "the MMS ID sequence goes on after reopening");
      } finally {
        await second.close();
      }
      const { rows } = await admin.query<{ version: number }>(
        `SELECT version FROM "${schema}".schema_migrations ORDER BY version`,
      );
      assert.deepEqual(
        rows.map((r) => r.version),
        POSTGRES_MIGRATIONS.map((m) => m.version),
      );
    });

    test("a schema name with capitals is the schema the tables go in", async () => {
      const schema = `T_${randomBytes(6).toString("hex")}`;
      schemas.push(schema);
      const catalog = await openPostgresCatalog(url, { schema });
      try {
        await catalog.addInstitution({ code: "IZ", name: "IZ" });
      } finally {
        await catalog.close();
      }
      const { rows } = await admin.query<{ n: number }>(
        "SELECT count(*)::integer AS n FROM information_schema.tables WHERE table_schema = $1",
        [schema],
      );
      assert.ok(rows[0]!.n > 0, `tables in "${schema}"`);
    });

    test("of two saves from the same version on two connections, exactly one wins", async () => {
      const schema = freshSchema();
      const one = await openPostgresCatalog(url, { schema });
      const two = await openPostgresCatalog(url, { schema });
      try {
        await one.addInstitution({ code: "IZ", name: "IZ" });
        const { mmsId } = await one.commit({
          change: { kind: "create", zone: "IZ", marc: book({ title: "Shared" }) },
          context: { savedBy: "t", action: "create" },
        });
        const save = (catalog: Catalog, title: string): Promise<unknown> =>
          catalog.commit({
            change: { kind: "update", mmsId: mmsId!, expectedVersion: 1, marc: book({ title }) },
            context: { savedBy: title, action: "overlay" },
          });
        const outcomes = await Promise.allSettled([save(one, "one"), save(two, "two")]);
        const refused = outcomes.filter((o) => o.status === "rejected");
        assert.equal(refused.length, 1);
        const reason: unknown = (refused[0] as PromiseRejectedResult).reason;
        assert.ok(reason instanceof CatalogError && reason.code === "version-conflict");
        assert.equal((await two.record(mmsId!))!.version, 2);
        assert.equal((await one.versions(mmsId!)).length, 2);
      } finally {
        await one.close();
        await two.close();
      }
    });

    test("U+0000, which PostgreSQL text and jsonb cannot hold, does not fail a commit", async () => {
      const catalog = await open();
      try {
        await catalog.addInstitution({ code: "IZ", name: "IZ" });
        const job = await catalog.startJob({ institution: "IZ", source: "t", description: "nul" });
        const marc = book({ title: "Nul\u0000title" });
        const { mmsId } = await catalog.commit({
          change: { kind: "create", zone: "IZ", marc },
          entry: {
            jobId: job.id,
            raw: new Uint8Array([0x00, 0x1d]),
            outcome: "created",
            messages: ["byte \u0000 here"],
            log: { note: "\u0000" },
          },
          context: { savedBy: "t", action: "create" },
        });
        assert.deepEqual((await catalog.record(mmsId!))!.marc.fields, marc.fields);
        const [row] = await catalog.jobRecords(job.id);
        assert.deepEqual(row!.messages, ["byte \ufffd here"]);
        assert.deepEqual(row!.log, { note: "\ufffd" });
        assert.deepEqual([...row!.raw], [0x00, 0x1d]);
        const hits = await catalog.search({ text: "nul", zones: ["IZ"] });
        assert.equal(hits.hits[0]!.title, "Nultitle");
      } finally {
        await catalog.close();
      }
    });

    test("two processes migrating and creating at once get distinct MMS IDs", async () => {
      const schema = freshSchema();
      const script = fileURLToPath(new URL("./postgres-writer.js", import.meta.url));
      // Without the test runner's context, a child importing node:test stays silent.
      const env = { ...process.env };
      delete env.NODE_TEST_CONTEXT;
      const commits = 150;
      const bulk = 1500;
      const run = (): Promise<string[]> =>
        promisify(execFile)(
          process.execPath,
          [script, url, schema, "01SHARED_INST", String(commits), String(bulk)],
          { env },
        ).then(({ stdout }) => JSON.parse(stdout) as string[]);
      const [a, b] = await Promise.all([run(), run()]);
      assert.equal(a.length, commits + bulk);
      assert.equal(b.length, commits + bulk);
      assert.equal(new Set([...a, ...b]).size, 2 * (commits + bulk), "no MMS ID twice");
      const catalog = await openPostgresCatalog(url, { schema });
      try {
        assert.equal((await catalog.zones()).length, 1);
        const stored: string[] = [];
        for await (const r of catalog.recordsOf("01SHARED_INST")) stored.push(r.mmsId);
        assert.deepEqual(stored, [...a, ...b].sort());
      } finally {
        await catalog.close();
      }
    });
  });
}
