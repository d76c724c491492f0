/**
 * `startApp`'s /metrics on both engines: an export through the Connexion listener is counted by
 * outcome and timed, the catalog calls it made are timed by operation, jobs are counted by
 * state. PostgreSQL when `MARCGATE_TEST_PG` is set (a fresh schema, dropped at the end).
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { Pool } from "pg";
import { startApp } from "../../src/app.js";
import type { Catalog } from "../../src/catalog/catalog.js";
import { openPostgresCatalog } from "../../src/catalog/postgres.js";
import { openSqliteCatalog } from "../../src/catalog/sqlite.js";
import { ConnexionClient } from "../../src/connexion/client.js";
import { writeIso2709 } from "../../src/marc/iso2709.js";
import { checkExposition } from "./_exposition.js";

const record = writeIso2709({
  leader: "00000cam a2200000 a 4500",
  fields: [
    { tag: "001", value: "ocm00000042" },
    { tag: "245", ind1: "0", ind2: "0", subfields: [{ code: "a", value: "Counted" }] },
  ],
});

async function scrapeAfterOneExport(catalog: Catalog): Promise<void> {
  await catalog.addInstitution({ code: "01MET_INST", name: "Metrics" });
  const job = await catalog.startJob({ institution: "01MET_INST", source: "x", description: "x" });
  await catalog.finishJob(job.id, "test failure");
  const lines: string[] = [];
  const app = await startApp(catalog, {
    connexionPort: 0,
    httpPort: 0,
    host: "127.0.0.1",
    log: (line) => lines.push(line),
  });
  try {
    const client = await ConnexionClient.connect({
      host: "127.0.0.1",
      port: app.connexionPort,
      timeoutMs: 20_000,
    });
    try {
      // No profile: the gateway refuses it, and that is an export with an outcome too.
      await client.send(record, { logonId: "01MET_INST", password: "x" }, "byte");
    } finally {
      await client.close();
    }
    const response = await fetch(`http://127.0.0.1:${app.httpPort}/metrics`);
    const checked = checkExposition(await response.text());
    assert.deepEqual(checked.problems, []);
    const exports = checked.samples.filter((s) => s.name === "marcgate_connexion_exports_total");
    assert.equal(exports.length, 1, JSON.stringify(exports));
    assert.equal(exports[0]!.value, 1);
    assert.match(lines.join("\n"), new RegExp(` ${exports[0]!.labels["outcome"]!} `));
    const timed = checked.samples.filter(
      (s) => s.name === "marcgate_catalog_operation_seconds_count" && s.value > 0,
    );
    assert.ok(
      timed.some((s) => s.labels["operation"] === "zone"),
      JSON.stringify(timed),
    );
    assert.ok(timed.some((s) => s.labels["operation"] === "jobStates"));
    assert.equal(
      checked.samples.find((s) => s.name === "marcgate_jobs" && s.labels["state"] === "failed")
        ?.value,
      1,
    );
    assert.equal(
      checked.samples.find((s) => s.name === "marcgate_connexion_reply_seconds_count")?.value,
      1,
    );
  } finally {
    await app.close();
  }
}

test("/metrics of startApp on SQLite", async () => {
  const dir = mkdtempSync(join(tmpdir(), "marcgate-app-metrics-"));
  const catalog = await openSqliteCatalog(dir);
  try {
    await scrapeAfterOneExport(catalog);
  } finally {
    await catalog.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

const url = process.env.MARCGATE_TEST_PG;

test(
  "/metrics of startApp on PostgreSQL",
  { skip: !url && "MARCGATE_TEST_PG is not set" },
  async () => {
    const schema = `t_${randomBytes(6).toString("hex")}`;
    const catalog = await openPostgresCatalog(url!, { schema });
    const admin = new Pool({ connectionString: url!, max: 1 });
    try {
      await scrapeAfterOneExport(catalog);
    } finally {
      await catalog.close();
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    }
  },
);
