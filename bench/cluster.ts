/**
 * Scale-out benchmark (`npm run bench` runs it last, in its own process; or
 * `node dist/bench/cluster.js`): exports per second at 32 clients through HAProxy with 1, 2 and
 * 3 `marcgate serve` nodes on one PostgreSQL (started by scripts/cluster.sh, a fresh schema each),
 * beside one node on SQLite spoken to directly, in one run. Each level sends the same kind of
 * exports: the descriptive fields of real bibliographic records of the shared bench file under
 * OCLC numbers of their own, first as new records, then each again with a note (a merge); every
 * reply must be a success of the outcome it was made for. The figure that carries over is the
 * ratio to the SQLite node; on a 2-core machine with PostgreSQL, HAProxy and the client on the
 * same cores, more nodes cannot give more throughput, only show what coordination costs.
 *
 * Environment: MARCGATE_BENCH_PG (a postgres:// URL; without it, or without haproxy, the
 * benchmark is skipped and says so), MARCGATE_BENCH_CLUSTER_EXPORTS (per level, default 2,000),
 * MARCGATE_BENCH_FILE (the source records).
 */
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { encodeRequest } from "../src/connexion/client.js";
import { writeIso2709 } from "../src/marc/iso2709.js";
import type { MarcRecord } from "../src/marc/record.js";
import { drive, percentile, type BenchExport, type Run } from "./_exports.js";
import { bibliographicRecords, passesValidation } from "./_records.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const cli = join(root, "bin/marcgate.js");
const clusterScript = join(root, "scripts/cluster.sh");
const source =
  process.env.MARCGATE_BENCH_FILE ?? resolve(root, "../shared/corpus/bench/all-utf8.mrc");
const exportsPerLevel = Number(process.env.MARCGATE_BENCH_CLUSTER_EXPORTS ?? 2_000);
const pgUrl = process.env.MARCGATE_BENCH_PG;
const INSTITUTION = "01BENCH_INST";
const PASSWORD = "bench-password";
const CLIENTS = 32;

const out = (line: string): void => void process.stdout.write(`${line}\n`);

function freePort(): Promise<number> {
  return new Promise((done) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => done(typeof address === "object" && address ? address.port : 0));
    });
  });
}

function marcgate(args: readonly string[]): void {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`marcgate ${args.join(" ")}: ${r.stderr}`);
}

/** The institution and its profile in a catalog (`--data DIR` or `--db URL`). */
function setUp(where: readonly string[], dir: string): void {
  marcgate(["institution", "add", INSTITUTION, "--name", "Bench", ...where]);
  const profile = join(dir, "profile.json");
  writeFileSync(profile, JSON.stringify({ code: "CONNEXION", password: PASSWORD }));
  marcgate(["profile", "import", "--institution", INSTITUTION, profile, ...where]);
}

/** Fields of a real record that describe it, with an OCLC number of its own (001, 003). */
const DESCRIPTIVE = /^(008|040|041|1..|245|246|250|26[04]|300|33[678]|490|5..|6..|7[0-5].)$/;

function numbered(record: MarcRecord, oclc: number): MarcRecord {
  return {
    leader: record.leader,
    fields: [
      { tag: "001", value: `ocn${String(oclc)}` },
      { tag: "003", value: "OCoLC" },
      ...record.fields.filter((f) => DESCRIPTIVE.test(f.tag)),
    ],
  };
}

/** Records whose export is imported as it is: books that pass the default validation profile. */
function exportable(bibs: readonly MarcRecord[]): MarcRecord[] {
  return bibs.filter((r) => r.leader[6] === "a" && passesValidation(numbered(r, 1)));
}

/** `count` records as new exports, then each again with a note (a merge). `offset` keeps levels apart. */
function exportsFor(bibs: readonly MarcRecord[], count: number, offset: number): BenchExport[] {
  const half = Math.floor(count / 2);
  const request = (record: MarcRecord): Uint8Array =>
    encodeRequest(writeIso2709(record), { logonId: INSTITUTION, password: PASSWORD }, "byte");
  const creates: BenchExport[] = [];
  const merges: BenchExport[] = [];
  for (let i = 0; i < half; i++) {
    const n = offset + i;
    const record = numbered(bibs[n % bibs.length]!, 900_000_000 + n);
    creates.push({ request: request(record), expected: "added", number: n });
    const noted: MarcRecord = {
      ...record,
      fields: [
        ...record.fields,
        { tag: "500", ind1: " ", ind2: " ", subfields: [{ code: "a", value: `Bench note ${n}.` }] },
      ],
    };
    merges.push({ request: request(noted), expected: "merged", number: n });
  }
  return [...creates, ...merges];
}

interface Level {
  readonly label: string;
  readonly run: Run;
}

function describe(level: Level, reference: Run | undefined): string {
  const { run } = level;
  const rate = run.exports / run.seconds;
  const ratio = reference ? rate / (reference.exports / reference.seconds) : 1;
  const p = (q: number): string => `${percentile(run.latencies, q).toFixed(0)} ms`;
  return (
    `${level.label.padEnd(34)} ${rate.toFixed(0).padStart(7)}/s   p50 ${p(50).padStart(7)}   p95 ${p(95).padStart(7)}   ` +
    `${ratio.toFixed(2).padStart(5)}   ${run.failures === 0 && run.unexpected === 0 ? "all as made" : `${run.failures} failed, ${run.unexpected} unexpected: ${[...run.firstFailures, ...run.firstUnexpected].join(" | ")}`}`
  );
}

async function sqliteLevel(bibs: readonly MarcRecord[], offset: number): Promise<Level> {
  const dir = mkdtempSync(join(tmpdir(), "marcgate-bench-cluster-sqlite-"));
  try {
    setUp(["--data", dir], dir);
    const port = await freePort();
    const child = spawn(process.execPath, [
      cli,
      "serve",
      "--data",
      dir,
      "--host",
      "127.0.0.1",
      "--connexion-port",
      String(port),
      "--http-port",
      String(await freePort()),
    ]);
    await new Promise<void>((ready, fail) => {
      let text = "";
      child.stdout.on("data", (chunk: Buffer) => {
        text += chunk.toString();
        if (text.includes("marcgate serving")) ready();
      });
      child.once("exit", () => fail(new Error(`serve exited: ${text}`)));
    });
    try {
      await drive(port, exportsFor(bibs, 100, offset + 900_000), CLIENTS);
      const run = await drive(port, exportsFor(bibs, exportsPerLevel, offset), CLIENTS);
      return { label: "1 node, SQLite (direct)", run };
    } finally {
      child.kill("SIGTERM");
      await new Promise((done) => child.once("exit", done));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function clusterLevel(
  bibs: readonly MarcRecord[],
  nodes: number,
  offset: number,
  admin: pg.Pool,
): Promise<Level> {
  const schema = `bench_${randomBytes(5).toString("hex")}`;
  const dir = mkdtempSync(join(tmpdir(), "marcgate-bench-cluster-"));
  await admin.query(`CREATE SCHEMA "${schema}"`);
  const url = `${pgUrl!}${pgUrl!.includes("?") ? "&" : "?"}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const port = await freePort();
  const env = {
    ...process.env,
    MARCGATE_DB_URL: url,
    MARCGATE_CLUSTER_DIR: dir,
    MARCGATE_NODES: String(nodes),
    MARCGATE_CONNEXION_PORT: String(port),
    MARCGATE_HTTP_PORT: String(await freePort()),
    // Below Linux's ephemeral ports (32768 and up), where a client's port could take a node's.
    MARCGATE_NODE_PORT_BASE: String(20_000 + Math.floor(Math.random() * 6_000) * 2),
  };
  const script = (command: string): void => {
    const r = spawnSync(clusterScript, [command], { env, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`cluster.sh ${command}: ${r.stderr}${r.stdout}`);
  };
  try {
    setUp(["--db", url], dir);
    try {
      script("start");
      await drive(port, exportsFor(bibs, 100, offset + 900_000), CLIENTS);
      const run = await drive(port, exportsFor(bibs, exportsPerLevel, offset), CLIENTS);
      return { label: `${nodes} node${nodes > 1 ? "s" : ""}, PostgreSQL, via HAProxy`, run };
    } finally {
      script("stop");
    }
  } finally {
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  out(`Scale-out benchmark: ${CLIENTS} clients, ${exportsPerLevel} exports per level`);
  if (!pgUrl) return out("  skipped: set MARCGATE_BENCH_PG=postgres://… to run it");
  if (spawnSync("haproxy", ["-v"]).status !== 0) return out("  skipped: haproxy is not installed");
  const bibs = exportable(bibliographicRecords(source));
  const admin = new pg.Pool({ connectionString: pgUrl, max: 1 });
  try {
    const levels: Level[] = [await sqliteLevel(bibs, 0)];
    for (const nodes of [1, 2, 3]) {
      levels.push(await clusterLevel(bibs, nodes, nodes * 1_000_000, admin));
    }
    out(
      `${"".padEnd(34)} ${"exports".padStart(9)}   ${"latency".padEnd(26)}   ${"× SQLite".padStart(5)}`,
    );
    for (const level of levels) out(describe(level, levels[0]!.run));
    if (levels.some((l) => l.run.failures > 0 || l.run.unexpected > 0)) process.exitCode = 1;
  } finally {
    await admin.end();
  }
}

await main();
