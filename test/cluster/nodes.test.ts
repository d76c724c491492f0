/**
 * Several marcgate nodes on one PostgreSQL catalog, in one test process: each node is an app with
 * its own catalog (its own pool and claim sessions, as a separate process would have). The race
 * the issue found: the same new records sent to every node at once must give one record each.
 * Needs `MARCGATE_TEST_PG` (`.ci/run` starts a server). The real deployment (processes, HAProxy,
 * kill -9) is test/cluster/haproxy.test.ts.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, describe, test } from "node:test";
import { Pool } from "pg";
import { startApp, type App } from "../../src/app.js";
import type { Catalog } from "../../src/catalog/catalog.js";
import { openPostgresCatalog } from "../../src/catalog/postgres.js";
import { ConnexionClient } from "../../src/connexion/client.js";
import { writeIso2709 } from "../../src/marc/iso2709.js";
import { loginThrottles } from "../../src/web/auth.js";
import {
  INSTITUTION,
  PASSWORD,
  data,
  oclcRecord,
  setUpInstitution,
} from "../connexion/_fixture.js";

const url = process.env.MARCGATE_TEST_PG;

/** Sends one record to a node; the reply. */
async function send(app: App, bytes: Uint8Array, password = PASSWORD): Promise<string> {
  const client = await ConnexionClient.connect({ host: "127.0.0.1", port: app.connexionPort });
  try {
    return await client.send(bytes, { logonId: INSTITUTION, password }, "byte");
  } finally {
    await client.close();
  }
}

if (!url) {
  test("several nodes: MARCGATE_TEST_PG is not set", { skip: "no PostgreSQL" }, () => undefined);
} else {
  const admin = new Pool({ connectionString: url, max: 1 });
  const schemas: string[] = [];
  after(async () => {
    for (const s of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    await admin.end();
  });

  /** N nodes on one fresh schema, the institution set up by the first. */
  async function cluster(
    n: number,
  ): Promise<{ nodes: App[]; catalogs: Catalog[]; stop(): Promise<void> }> {
    const schema = `t_${randomBytes(6).toString("hex")}`;
    schemas.push(schema);
    const catalogs: Catalog[] = [];
    for (let i = 0; i < n; i++) catalogs.push(await openPostgresCatalog(url!, { schema }));
    await setUpInstitution(catalogs[0]!);
    const nodes: App[] = [];
    for (const catalog of catalogs) {
      nodes.push(await startApp(catalog, { connexionPort: 0, httpPort: 0, host: "127.0.0.1" }));
    }
    return {
      nodes,
      catalogs,
      stop: async () => {
        for (const node of nodes) await node.close();
        for (const catalog of catalogs) await catalog.close();
      },
    };
  }

  /** How many records hold each OCLC number in the zone. */
  async function copies(catalog: Catalog): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    for await (const record of catalog.recordsOf(INSTITUTION)) {
      const keys = await catalog.keysOf(record.mmsId);
      for (const k of keys.filter((k) => k.kind === "oclc")) {
        counts.set(k.value, (counts.get(k.value) ?? 0) + 1);
      }
    }
    return counts;
  }

  test("failed logons are counted for all nodes: 5 wrong passwords spread over 3 nodes block the address on each", async () => {
    const { nodes, stop } = await cluster(3);
    try {
      const bytes = writeIso2709(oclcRecord(770_001, "Throttled"));
      for (let i = 0; i < 5; i++) {
        assert.match(await send(nodes[i % 3]!, bytes, "wrong"), /Unauthorized request/);
      }
      for (const node of nodes) {
        assert.match(await send(node, bytes), /too many failed logons from 127\.0\.0\.1/);
      }
    } finally {
      await stop();
    }
  });

  test("web logins are throttled for all nodes: 30 failures on one node block the address on another", async () => {
    const { catalogs, stop } = await cluster(2);
    try {
      const [one, two] = [loginThrottles(catalogs[0]), loginThrottles(catalogs[1])];
      for (let i = 0; i < 30; i++) await one.perAddress.failed("192.0.2.7");
      assert.ok((await two.perAddress.blockedFor("192.0.2.7")) > 0);
      assert.equal(await two.perAddress.blockedFor("192.0.2.8"), 0);
      assert.equal(one.perAddress.size, undefined, "counted in the catalog, not in memory");
    } finally {
      await stop();
    }
  });

  for (const n of [2, 3]) {
    describe(`${n} nodes on one PostgreSQL catalog`, () => {
      test(`60 new records, each sent to all ${n} nodes at once: 60 records, every reply a success`, async () => {
        const { nodes, catalogs, stop } = await cluster(n);
        try {
          const records = Array.from({ length: 60 }, (_, i) =>
            writeIso2709(oclcRecord(880_000 + i, `Race ${i}`)),
          );
          const replies = await Promise.all(
            records.flatMap((bytes) => nodes.map((node) => send(node, bytes))),
          );
          for (const reply of replies)
            assert.match(reply, /^Success\. Record 99\d+ (added|merged|is unchanged)/, reply);
          const added = replies.filter((r) => / added\./.test(r)).length;
          assert.equal(added, 60, "one 'added' per resource");
          const counts = await copies(catalogs[0]!);
          assert.equal(counts.size, 60);
          assert.deepEqual([...new Set(counts.values())], [1], "each OCLC number in one record");
          // The day's Connexion job is one for all nodes, with every export's row in it.
          const jobs = await catalogs[n - 1]!.jobs(INSTITUTION);
          assert.equal(jobs.length, 1, jobs.map((j) => `${j.id} ${j.description}`).join("; "));
          assert.equal((await catalogs[0]!.jobRecords(jobs[0]!.id)).length, 60 * n);
        } finally {
          await stop();
        }
      });

      test("merges into one record from every node at once: each is a version of its own (no lost update)", async () => {
        const { nodes, catalogs, stop } = await cluster(n);
        try {
          const first = await send(nodes[0]!, writeIso2709(oclcRecord(990_001, "Merged")));
          const mmsId = /Record (99\d+)/.exec(first)?.[1];
          assert.ok(mmsId, first);
          // Each export adds a different note: every one must survive in the record.
          const exports = Array.from({ length: 12 }, (_, i) => {
            const record = oclcRecord(990_001, "Merged");
            const fields = [...record.fields, data("500", "  ", `aNote ${i}.`)];
            return writeIso2709({ ...record, fields });
          });
          const replies = await Promise.all(exports.map((bytes, i) => send(nodes[i % n]!, bytes)));
          for (const reply of replies)
            assert.match(reply, new RegExp(`^Success\\. Record ${mmsId} merged`), reply);
          const versions = await catalogs[1]!.versions(mmsId);
          const record = await catalogs[1]!.record(mmsId);
          assert.equal(record?.version, 13, "one version per merge");
          assert.equal(versions.length, 13);
          // Overlay keeps the last export's note; each earlier one is in a version of its own.
          const notes = new Set<string>();
          for (const state of [...versions.map((v) => v.marc), record!.marc]) {
            for (const f of state.fields) {
              if (f.tag === "500" && "subfields" in f) notes.add(f.subfields[0]!.value);
            }
          }
          assert.equal(notes.size, 12, [...notes].join(" "));
        } finally {
          await stop();
        }
      });
    });
  }
}
