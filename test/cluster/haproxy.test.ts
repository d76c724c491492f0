/**
 * The real deployment of several nodes: `scripts/cluster.sh` starts 3 `marcgate serve` processes
 * on one PostgreSQL database and HAProxy in front of them (Connexion in TCP mode with the PROXY
 * protocol, HTTP with X-Forwarded-For), all on loopback. Catalogers export through HAProxy while
 * nodes are killed (-9) and restarted; every acknowledged record must be in the catalog once.
 * Needs `MARCGATE_TEST_PG` (a role that may create databases), haproxy and curl; `.ci/run`
 * installs them. The same races inside one process are test/cluster/nodes.test.ts.
 */
import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";
import { Pool } from "pg";
import type { Catalog } from "../../src/catalog/catalog.js";
import { openPostgresCatalog } from "../../src/catalog/postgres.js";
import { ConnexionClient } from "../../src/connexion/client.js";
import { hashPassword } from "../../src/import/password.js";
import { CONNEXION_INTEGRATION_TYPE } from "../../src/import/profile.js";
import { writeIso2709 } from "../../src/marc/iso2709.js";
import { INSTITUTION, PASSWORD, oclcRecord, setUpInstitution } from "../connexion/_fixture.js";

const url = process.env.MARCGATE_TEST_PG;
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const SCRIPT = join(ROOT, "scripts", "cluster.sh");
const NODES = 3;
const has = (command: string): boolean =>
  spawnSync("sh", ["-c", `command -v ${command}`]).status === 0;
const missing = !url
  ? "MARCGATE_TEST_PG is not set"
  : !has("haproxy") || !has("curl")
    ? "haproxy or curl is not installed"
    : undefined;

/** A TCP port nobody listens on now (the system's choice). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

/** Whether every port in [from, from + count) can be bound on loopback now. */
async function rangeFree(from: number, count: number): Promise<boolean> {
  for (let port = from; port < from + count; port++) {
    const server = net.createServer();
    const ok = await new Promise<boolean>((done) => {
      server.once("error", () => done(false));
      server.listen(port, "127.0.0.1", () => done(true));
    });
    if (!ok) return false;
    await new Promise<void>((done) => server.close(() => done()));
  }
  return true;
}

if (missing) {
  test("several nodes behind HAProxy", { skip: missing }, () => undefined);
} else {
  const admin = new Pool({ connectionString: url, max: 1 });
  const database = `mg_cluster_${randomBytes(5).toString("hex")}`;
  const dbUrl = (() => {
    const u = new URL(url!);
    u.pathname = `/${database}`;
    return u.toString();
  })();
  const dir = mkdtempSync(join(tmpdir(), "marcgate-cluster-"));
  let env: NodeJS.ProcessEnv = {};
  let connexionPort = 0;
  let nodeBase = 0;
  let catalog: Catalog | undefined;

  /** Runs `scripts/cluster.sh ARGS`; its output, or a failure with what it printed. */
  const cluster = (...args: string[]): Promise<string> =>
    new Promise((resolve, reject) => {
      execFile(SCRIPT, args, { env, timeout: 180_000 }, (error, stdout, stderr) => {
        if (error) reject(new Error(`cluster.sh ${args.join(" ")}: ${error.message}\n${stderr}`));
        else resolve(stdout);
      });
    });

  before(async () => {
    await admin.query(`CREATE DATABASE ${database}`);
    catalog = await openPostgresCatalog(dbUrl);
    await setUpInstitution(catalog);
    connexionPort = await freePort();
    const httpPort = await freePort();
    // Node I listens on BASE+2I and BASE+2I+1: a free range below the ephemeral ports.
    for (let tries = 0; tries < 50 && nodeBase === 0; tries++) {
      const base = 20_000 + 2 * Math.floor(Math.random() * 5_000);
      if (await rangeFree(base, 2 * NODES + 2)) nodeBase = base;
    }
    assert.ok(nodeBase > 0, "no free port range for the nodes");
    env = {
      ...process.env,
      MARCGATE_CLUSTER_DIR: dir,
      MARCGATE_NODES: String(NODES),
      MARCGATE_CONNEXION_PORT: String(connexionPort),
      MARCGATE_HTTP_PORT: String(httpPort),
      MARCGATE_NODE_PORT_BASE: String(nodeBase),
      MARCGATE_DB_URL: dbUrl,
    };
    await cluster("start");
  });

  after(async () => {
    await cluster("stop").catch(() => undefined);
    await catalog?.close();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  });

  /**
   * Exports one record as a cataloger does: when the connection breaks before the reply (a node
   * killed or stopping), export it again, a bounded number of times. The last reply.
   */
  async function exportRecord(
    bytes: Uint8Array,
    options: { port?: number; localAddress?: string; password?: string } = {},
  ): Promise<string> {
    let last = "";
    // At most 20 attempts and 2 minutes in all: a cluster that stopped answering fails the test
    // instead of holding CI for hours.
    const deadline = Date.now() + 120_000;
    for (let attempt = 0; attempt < 20 && Date.now() < deadline; attempt++) {
      try {
        const client = await ConnexionClient.connect({
          host: "127.0.0.1",
          port: options.port ?? connexionPort,
          timeoutMs: 30_000,
          ...(options.localAddress !== undefined ? { localAddress: options.localAddress } : {}),
        });
        try {
          last = await client.send(
            bytes,
            { logonId: INSTITUTION, password: options.password ?? PASSWORD },
            "byte",
          );
        } finally {
          await client.close();
        }
        if (last !== "") return last;
      } catch (error) {
        last = (error as Error).message;
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return last;
  }

  /** How many records hold each OCLC number in the zone. */
  async function copies(): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    for await (const record of catalog!.recordsOf(INSTITUTION)) {
      for (const k of (await catalog!.keysOf(record.mmsId)).filter((k) => k.kind === "oclc")) {
        counts.set(k.value, (counts.get(k.value) ?? 0) + 1);
      }
    }
    return counts;
  }

  /** OCLC number as the match key stores it. */
  const key = (oclc: number): string => String(oclc);

  /** The MMS IDs of every row of the day's job(s). */
  async function jobRowIds(): Promise<Set<string>> {
    const ids = new Set<string>();
    for (const job of await catalog!.jobs(INSTITUTION)) {
      for (const row of await catalog!.jobRecords(job.id)) if (row.mmsId) ids.add(row.mmsId);
    }
    return ids;
  }

  /** Checks that each acknowledged export's record is in the catalog once, with its job row. */
  async function assertEachOnce(acknowledged: Map<number, string>): Promise<void> {
    const counts = await copies();
    const rows = await jobRowIds();
    for (const [oclc, reply] of acknowledged) {
      assert.match(reply, /^Success\. Record 99\d+ (added|merged|is unchanged)/, reply);
      assert.equal(counts.get(key(oclc)), 1, `OCLC ${oclc}: ${counts.get(key(oclc)) ?? 0} records`);
      const mmsId = /Record (99\d+)/.exec(reply)![1]!;
      assert.ok(rows.has(mmsId), `record ${mmsId} (OCLC ${oclc}) has no job row`);
    }
  }

  /**
   * The last lines of every node's log and HAProxy's view of the nodes: what a failure in CI
   * needs to be read (a node that died, a node HAProxy took out).
   */
  async function clusterState(): Promise<string> {
    const parts: string[] = [];
    for (let i = 1; i <= NODES; i++) {
      let log = "";
      try {
        log = readFileSync(join(dir, `node${i}.log`), "utf8");
      } catch {
        log = "(no log)";
      }
      parts.push(`--- node${i}.log (last 15 lines)`, ...log.trimEnd().split("\n").slice(-15));
    }
    parts.push("--- cluster.sh status", await cluster("status").catch((e: Error) => e.message));
    return parts.join("\n");
  }

  /** Runs one test's body; a failure carries the cluster's state in its message. */
  const withState = (body: () => Promise<void>) => async (): Promise<void> => {
    try {
      await body();
    } catch (error) {
      const state = await clusterState();
      if (error instanceof Error) error.message = `${error.message}\n${state}`;
      throw error;
    }
  };

  /** Export lines of the institution in node I's log. */
  const exportsLogged = (i: number): number =>
    readFileSync(join(dir, `node${i}.log`), "utf8")
      .split("\n")
      .filter((line) => line.includes(`logon ${INSTITUTION}`)).length;

  describe(`${NODES} marcgate serve processes behind HAProxy`, { concurrency: false }, () => {
    test(
      "32 clients export the same and their own records: one record per OCLC number, every node used",
      { timeout: 300_000 },
      withState(async () => {
        const shared = [700_001, 700_002, 700_003, 700_004];
        const acknowledged = new Map<number, string>();
        await Promise.all(
          Array.from({ length: 32 }, async (_, c) => {
            const own = [0, 1, 2, 3].map((i) => 710_000 + c * 10 + i);
            for (const oclc of [...shared, ...own]) {
              const reply = await exportRecord(writeIso2709(oclcRecord(oclc, `Title ${oclc}`)));
              assert.match(reply, /^Success\./, reply);
              acknowledged.set(oclc, reply);
            }
          }),
        );
        assert.equal(acknowledged.size, shared.length + 32 * 4);
        await assertEachOnce(acknowledged);
        for (let i = 1; i <= NODES; i++) assert.ok(exportsLogged(i) > 0, `node${i} got no export`);
      }),
    );

    test(
      "kill -9 of a node under 32 clients: every acknowledged record is present once with its job row",
      { timeout: 300_000 },
      withState(async () => {
        const acknowledged = new Map<number, string>();
        let killed = false;
        const killer = (async () => {
          while (acknowledged.size < 40) await new Promise((resolve) => setTimeout(resolve, 20));
          await cluster("kill-node", "2");
          killed = true;
        })();
        await Promise.all(
          Array.from({ length: 32 }, async (_, c) => {
            for (let i = 0; i < 5; i++) {
              const oclc = 720_000 + c * 10 + i;
              const reply = await exportRecord(writeIso2709(oclcRecord(oclc, `Killed ${oclc}`)));
              if (/^Success\./.test(reply)) acknowledged.set(oclc, reply);
            }
          }),
        );
        await killer;
        assert.ok(killed);
        assert.equal(acknowledged.size, 160, "every export acknowledged in the end");
        await assertEachOnce(acknowledged);
        await cluster("start-node", "2");
      }),
    );

    test(
      "a rolling restart of every node while 16 clients export: all acknowledged, each once",
      { timeout: 300_000 },
      withState(async () => {
        const acknowledged = new Map<number, string>();
        let sent = 0;
        let restarted = 0;
        // Each client exports until every node has been restarted (at least 12, at most 200 each).
        const clients = Promise.all(
          Array.from({ length: 16 }, async (_, c) => {
            for (let i = 0; (i < 12 || restarted < NODES) && i < 200; i++) {
              const oclc = 730_000 + c * 1000 + i;
              sent++;
              const reply = await exportRecord(writeIso2709(oclcRecord(oclc, `Rolling ${oclc}`)));
              if (/^Success\./.test(reply)) acknowledged.set(oclc, reply);
            }
          }),
        );
        for (let i = 1; i <= NODES; i++) {
          await cluster("restart-node", String(i));
          restarted++;
        }
        await clients;
        assert.ok(sent >= 16 * 12);
        assert.equal(acknowledged.size, sent, "every export acknowledged in the end");
        await assertEachOnce(acknowledged);
      }),
    );

    test(
      "a profile's new password counts on every node at the next export",
      { timeout: 300_000 },
      withState(async () => {
        const profile = (await catalog!.integrationProfiles(INSTITUTION)).find(
          (p) => p.type === CONNEXION_INTEGRATION_TYPE,
        );
        assert.ok(profile);
        const changed = "changed-on-one-node";
        await catalog!.setIntegrationProfile({
          ...profile,
          settings: {
            ...(profile.settings as Record<string, unknown>),
            passwordHash: await hashPassword(changed),
          },
        });
        const bytes = writeIso2709(oclcRecord(740_001, "Password"));
        // Straight to each node, from an address that is not the trusted proxy (no PROXY header).
        for (let i = 1; i <= NODES; i++) {
          const port = nodeBase + 2 * i;
          const old = await exportRecord(bytes, { port, localAddress: "127.0.0.2" });
          assert.match(old, /Unauthorized request/, `node${i}: ${old}`);
          const now = await exportRecord(bytes, {
            port,
            localAddress: "127.0.0.3",
            password: changed,
          });
          assert.match(now, /^Success\./, `node${i}: ${now}`);
        }
        await catalog!.setIntegrationProfile(profile);
      }),
    );

    test(
      "failed logons through HAProxy are counted per client address, on every node",
      { timeout: 300_000 },
      withState(async () => {
        const bytes = writeIso2709(oclcRecord(750_001, "Throttled"));
        for (let i = 0; i < 5; i++) {
          const reply = await exportRecord(bytes, {
            localAddress: "127.0.0.55",
            password: "wrong",
          });
          assert.match(reply, /Unauthorized request/, reply);
        }
        for (let i = 0; i < NODES; i++) {
          const blocked = await exportRecord(bytes, { localAddress: "127.0.0.55" });
          assert.match(blocked, /too many failed logons from 127\.0\.0\.55/, blocked);
        }
        const other = await exportRecord(bytes, { localAddress: "127.0.0.56" });
        assert.match(other, /^Success\./, other);
      }),
    );
  });
}
