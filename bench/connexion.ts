/**
 * Connexion benchmark (`npm run bench` runs it after the catalog benchmark, in its own
 * process; or `node dist/bench/connexion.js`). Two parts, each beside a reference measured in
 * the same run, because the machine is shared and only ratios carry over:
 *
 * 1. Exports. A SQLite catalog of 1,000,000 records (the real bibliographic records of the
 *    shared bench file, replicated as in `catalog.ts`, loaded with `createMany` in batches of
 *    1,000 and compacted as `marcgate load` does), an OCLC Connexion profile (`marcgate profile import`), and
 *    `marcgate serve` on port 0 as its own process. Clients act like the Connexion client: one
 *    TCP connection per record (connect, logon prefix in the desktop client's byte form and the
 *    record, wait for the NUL-terminated reply, close). Latency is connect to reply. Half the
 *    records carry the OCLC number of a catalog record (a merge), half a new one (a new
 *    record); each carries a 500 note of its own, so a merge always changes the record. Only
 *    records a merge can find are sent: OCLC numbers no other record of the file has (else
 *    held for review) and that survive initial normalization. 1, 8 and 32
 *    concurrent clients, after a warm-up; every reply must start with `Success` and say the
 *    outcome the record was made for (merged or added). Reference: a null gateway (its own process, the same Node
 *    flags) that parses the same requests with `ConnexionRequestParser` and answers
 *    `Success.` at once, driven by the same client loop with the same requests, just before and
 *    just after marcgate (the faster of the two runs counts). Beside marcgate's figures, the CPU
 *    time `marcgate serve` used per export and as a share of the run's wall time (100% = one
 *    core busy; from /proc, Linux only).
 * 2. `marcgate import` of 100,000 records (replicated as above, distinct OCLC numbers) into a
 *    fresh catalog with a profile, beside `marcgate load` of the same file into another fresh
 *    catalog and `yaz-marcdump -n` reading it (the floor); whole-process wall times, median of
 *    the runs.
 *
 * marcgate runs with the Node flags of bin/marcgate.js's first line, like `run.ts`.
 *
 * Environment:
 * - MARCGATE_BENCH_CONNEXION_CATALOG_RECORDS: records in the exports' catalog (default
 *   MARCGATE_BENCH_CATALOG_RECORDS, else 1,000,000; 0 skips the exports);
 * - MARCGATE_BENCH_CONNEXION_EXPORTS: exports per run at 8 and 32 clients (default 5,000; one
 *   client sends 2/5 of it; the warm-up 1/25, at least 50);
 * - MARCGATE_BENCH_CONNEXION_CPU_PROF: a directory; `marcgate serve` then runs with
 *   `--cpu-prof` and leaves its profile there (the whole server run: warm-up and every level);
 * - MARCGATE_BENCH_CONNEXION_CATALOG_CACHE: a directory that keeps the exports' catalog as built
 *   (one per size): later runs copy it instead of building it again (for comparing two
 *   versions of marcgate on the same catalog; the catalog's schema must be the same);
 * - MARCGATE_BENCH_IMPORT_RECORDS: records in the import file (default 100,000; 0 skips the
 *   import part); MARCGATE_BENCH_IMPORT_RUNS: runs of each import command (default 3);
 * - MARCGATE_BENCH_FILE: the source records (default ../shared/corpus/bench/all-utf8.mrc).
 *
 * Temporary catalogs and files live in a `marcgate-bench-connexion-*` directory under the
 * system's temporary directory, removed at the end, on failure and on Ctrl-C; the child
 * processes are stopped the same way.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import {
  closeSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { COMPACT_AFTER_RECORDS, type RecordCreate } from "../src/catalog/catalog.js";
import { openCatalog } from "../src/catalog/open.js";
import { encodeRequest } from "../src/connexion/client.js";
import { ConnexionRequestParser, type ParserEvent } from "../src/connexion/request.js";
import { briefLevelFromLeader } from "../src/import/brief-level.js";
import { initialNormalization } from "../src/import/initial-normalization.js";
import { writeIso2709 } from "../src/marc/iso2709.js";
import { extractMatchKeys } from "../src/marc/match-keys.js";
import { getControlValue, type Field, type MarcRecord } from "../src/marc/record.js";
import { drive, percentile, type Run } from "./_exports.js";
import {
  bibliographicRecords,
  passesValidation,
  random,
  replicated,
  replicatedRecord,
} from "./_records.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const source =
  process.env.MARCGATE_BENCH_FILE ?? resolve(root, "../shared/corpus/bench/all-utf8.mrc");

function count(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined || value === "") return fallback;
  const n = Number(value.replace(/[_,]/g, ""));
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name}="${value}" is not a count`);
  return n;
}

const catalogRecords = count(
  "MARCGATE_BENCH_CONNEXION_CATALOG_RECORDS",
  count("MARCGATE_BENCH_CATALOG_RECORDS", 1_000_000),
);
const exportsPerRun = count("MARCGATE_BENCH_CONNEXION_EXPORTS", 5000);
const importRecords = count("MARCGATE_BENCH_IMPORT_RECORDS", 100_000);
const importRuns = Math.max(1, count("MARCGATE_BENCH_IMPORT_RUNS", 3));
const cpuProfileDir = process.env.MARCGATE_BENCH_CONNEXION_CPU_PROF;
const catalogCache = process.env.MARCGATE_BENCH_CONNEXION_CATALOG_CACHE;

const INSTITUTION = "01BENCH_INST";
const PASSWORD = "bench-s3cret";
const LOGON = { logonId: INSTITUTION, password: PASSWORD };
const BATCH = 1000;
const LEVELS = [1, 8, 32] as const;
const START_TIMEOUT_MS = 60_000;
const NULL_GATEWAY_MODE = "--null-gateway";

const out = (line: string): void => void process.stdout.write(line + "\n");
const tty = process.stderr.isTTY === true;
const thousands = (n: number): string => Math.round(n).toLocaleString("en");

// — Processes and temporary files, stopped and removed whatever happens —

const children = new Set<ChildProcess>();
const scratch = new Set<string>();

function cleanUp(): void {
  for (const child of children) child.kill("SIGKILL");
  children.clear();
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
  scratch.clear();
}

function scratchDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "marcgate-bench-connexion-"));
  scratch.add(dir);
  return dir;
}

/** The Node flags marcgate's executable runs with (its shebang line), as `run.ts` reads them. */
function productFlags(): string[] {
  const shebang = readFileSync(join(root, "bin/marcgate.js"), "utf8").split("\n")[0] ?? "";
  return shebang.split(/\s+/).filter((word) => word.startsWith("--"));
}

const cliMain = join(root, "dist/src/cli/main.js");

/** Runs a marcgate command to its end; throws unless its exit status is in `accept`. */
function marcgate(
  args: readonly string[],
  accept: readonly number[] = [0],
): { seconds: number; stdout: string } {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [...productFlags(), cliMain, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 256 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status === null || !accept.includes(r.status)) {
    throw new Error(
      `marcgate ${args.join(" ")} exited ${r.status ?? r.signal}: ${r.stderr.toString().trim()}`,
    );
  }
  return { seconds, stdout: r.stdout.toString() };
}

/** Runs any command to its end, output discarded; its wall time in seconds. */
function timed(command: string, args: readonly string[]): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(command, args, { stdio: "ignore" });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`${command} ${args.join(" ")} exited ${r.status}`);
  return seconds;
}

interface Server {
  readonly port: number;
  readonly child: ChildProcess;
  readonly log: string;
}

/**
 * Starts a server process with its output in `log` and resolves with the port once a line of
 * the log matches `ready` (its first group is the port).
 */
async function startServer(args: readonly string[], log: string, ready: RegExp): Promise<Server> {
  const fd = openSync(log, "w");
  const child = spawn(process.execPath, [...args], { stdio: ["ignore", fd, fd] });
  closeSync(fd);
  children.add(child);
  let exited = false;
  child.once("exit", () => {
    exited = true;
    children.delete(child);
  });
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const port = ready.exec(readFileSync(log, "utf8"))?.[1];
    if (port !== undefined) return { port: Number(port), child, log };
    if (exited || Date.now() > deadline) {
      child.kill("SIGKILL");
      const tail = readFileSync(log, "utf8").trim().split("\n").slice(-5).join("\n");
      throw new Error(`${args.join(" ")} did not start${exited ? " (it exited)" : ""}:\n${tail}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Stops a server with SIGTERM (it answers what is in progress), SIGKILL after 60 s. */
async function stopServer(server: Server): Promise<void> {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  await exited;
  clearTimeout(timer);
}

/**
 * CPU seconds (user + system) a process has used so far, from /proc (Linux); undefined
 * elsewhere. Clock ticks are taken as 100 per second, Linux's USER_HZ.
 */
function cpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined || !existsSync(`/proc/${pid}/stat`)) return undefined;
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // After the name: state is field 3, utime field 14, stime field 15 (1-based, proc(5)).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

// — The null gateway: the wire and the parser, no catalog —

const SUCCESS_REPLY = Buffer.from("Success.\0", "latin1");
const ERROR_REPLY = Buffer.from("Error: bad request.\0", "latin1");

/** `connexion.js --null-gateway`: answers every request `Success.` as soon as it is parsed. */
function nullGateway(): void {
  const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
    const parser = new ConnexionRequestParser();
    const answer = (events: readonly ParserEvent[]): void => {
      for (const event of events) {
        if (event.kind === "request") socket.write(SUCCESS_REPLY);
        else if (event.error.fatal) socket.end(ERROR_REPLY);
      }
    };
    socket.on("data", (chunk: Buffer) => answer(parser.push(chunk)));
    socket.on("end", () => {
      answer(parser.end());
      socket.end();
    });
    socket.on("error", () => socket.destroy());
  });
  server.listen(0, "127.0.0.1", () => {
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : 0;
    process.stdout.write(`null gateway on port ${port}\n`);
  });
  process.once("SIGTERM", () => process.exit(0));
}

// — The records sent —

function oclcNumbers(record: MarcRecord): string[] {
  const numbers = extractMatchKeys(record)
    .filter((k) => k.kind === "oclc")
    .map((k) => k.value);
  return [...new Set(numbers)].sort();
}

/**
 * Whether the record's OCLC numbers as stored are those it is matched by. The match looks at
 * the record after initial normalization and without its 001 (the MMS ID takes its place), so
 * `001 ocn…` with a `003` other than OCoLC, which becomes `035 (003)ocn…`, no OCLC number, is
 * lost: such a record (one in the bench file, `003 BTJ`) would not find itself.
 */
function matchesItself(record: MarcRecord): boolean {
  const normalized = initialNormalization(record).record;
  const incoming = oclcNumbers({
    leader: normalized.leader,
    fields: normalized.fields.filter((f) => f.tag !== "001"),
  });
  const stored = oclcNumbers(record);
  return incoming.length === stored.length && incoming.every((n, i) => n === stored[i]);
}

/**
 * Indexes of the bibliographic records whose OCLC numbers no other record of the file has,
 * that find themselves by their OCLC numbers and that the default validation profile passes.
 */
function uniquelyNumbered(bibs: readonly MarcRecord[]): number[] {
  const numbers = bibs.map(oclcNumbers);
  const holders = new Map<string, number>();
  for (const list of numbers) for (const n of list) holders.set(n, (holders.get(n) ?? 0) + 1);
  const chosen: number[] = [];
  numbers.forEach((list, i) => {
    const unique = list.length > 0 && list.every((n) => holders.get(n) === 1);
    if (unique && matchesItself(bibs[i]!) && passesValidation(bibs[i]!)) chosen.push(i);
  });
  return chosen;
}

/** The record with a 500 note of its own, before the first field tagged after 500. */
function withNote(record: MarcRecord, note: string): MarcRecord {
  const field: Field = {
    tag: "500",
    ind1: " ",
    ind2: " ",
    subfields: [{ code: "a", value: note }],
  };
  const at = record.fields.findIndex((f) => f.tag > "500");
  const fields = [...record.fields];
  fields.splice(at === -1 ? fields.length : at, 0, field);
  return { leader: record.leader, fields };
}

type Expected = "merged" | "added";

interface Export {
  readonly request: Uint8Array;
  readonly expected: Expected;
  /** Its record number in the replication (see `_records.ts`). */
  readonly number: number;
}

/**
 * Hands out exports: even ones a catalog record (random, each at most once) with a new note,
 * odd ones a record number past the catalog (new OCLC numbers, each once).
 */
class Exports {
  private readonly pick = random(5);
  private readonly used = new Set<number>();
  private readonly copiesInCatalog: number;
  /** How many catalog records can be merged into: once each was, they are merged into again. */
  private readonly mergeable: number;
  private nextNew = 0;
  private issued = 0;

  constructor(
    private readonly bibs: readonly MarcRecord[],
    private readonly sendable: readonly number[],
    private readonly catalogSize: number,
  ) {
    this.copiesInCatalog = Math.ceil(catalogSize / bibs.length);
    const lastCopy = (this.copiesInCatalog - 1) * bibs.length;
    this.mergeable =
      (this.copiesInCatalog - 1) * sendable.length +
      sendable.filter((base) => lastCopy + base < catalogSize).length;
  }

  take(n: number): Export[] {
    const taken: Export[] = [];
    for (let i = 0; i < n; i++) taken.push(this.one());
    return taken;
  }

  private one(): Export {
    const i = this.issued++;
    const expected: Expected = i % 2 === 0 ? "merged" : "added";
    const number = expected === "merged" ? this.existing() : this.fresh();
    const record = withNote(
      replicatedRecord(this.bibs, number),
      `Exported by the marcgate benchmark, export ${i + 1}.`,
    );
    return { request: encodeRequest(writeIso2709(record), LOGON, "byte"), expected, number };
  }

  /** A record number below the catalog size, of a sendable record, not sent before if possible. */
  private existing(): number {
    if (this.used.size >= this.mergeable) this.used.clear();
    for (;;) {
      const copy = Math.floor(this.pick() * this.copiesInCatalog);
      const base = this.sendable[Math.floor(this.pick() * this.sendable.length)]!;
      const n = copy * this.bibs.length + base;
      if (n < this.catalogSize && !this.used.has(n)) {
        this.used.add(n);
        return n;
      }
    }
  }

  /** The next record number past the catalog of a sendable record. */
  private fresh(): number {
    const k = this.nextNew++;
    const copy = this.copiesInCatalog + Math.floor(k / this.sendable.length);
    return copy * this.bibs.length + this.sendable[k % this.sendable.length]!;
  }
}

// — Part 1: exports —

/** Loads `total` replicated records into a new SQLite catalog, as `marcgate load` does. */
async function buildCatalog(
  data: string,
  bibs: readonly MarcRecord[],
  total: number,
): Promise<number> {
  const opened = await openCatalog({ data });
  if (opened.error !== undefined) throw new Error(opened.error);
  const catalog = opened.catalog;
  const start = process.hrtime.bigint();
  try {
    await catalog.addInstitution({ code: INSTITUTION, name: "Bench" });
    const job = await catalog.startJob({
      institution: INSTITUTION,
      source: "load",
      description: "bench catalog",
    });
    const context = { savedBy: "load", action: "load", jobId: job.id };
    let batch: RecordCreate[] = [];
    let n = 0;
    for (const marc of replicated(bibs, total)) {
      const version = getControlValue(marc, "005")?.trim();
      batch.push({
        kind: "create",
        zone: INSTITUTION,
        marc,
        briefLevel: briefLevelFromLeader(marc),
        ...(version ? { originatingVersion: version } : {}),
      });
      n++;
      if (batch.length === BATCH || n === total) {
        await catalog.createMany(batch, context);
        batch = [];
        if (tty && n % 50_000 === 0) process.stderr.write(`\r  catalog: ${thousands(n)} records`);
      }
    }
    await catalog.finishJob(job.id);
    // As `marcgate load` ends.
    if (total >= COMPACT_AFTER_RECORDS) await catalog.compact();
  } finally {
    await catalog.close();
    if (tty) process.stderr.write("\r\x1b[K");
  }
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function writeProfile(dir: string, data: string): void {
  const file = join(dir, "profile.json");
  writeFileSync(file, JSON.stringify({ code: "CONNEXION", password: PASSWORD }));
  marcgate(["profile", "import", "--institution", INSTITUTION, file, "--data", data]);
}

interface LevelFigures {
  readonly clients: number;
  readonly marcgate: Run;
  readonly reference: Run;
  /** CPU seconds marcgate serve used during its run, when known. */
  readonly serverCpu: number | undefined;
}

function describeRun(run: Run): string {
  const rate = run.exports / run.seconds;
  return (
    `${thousands(rate).padStart(7)}/s ${percentile(run.latencies, 50).toFixed(1).padStart(7)} ` +
    `${percentile(run.latencies, 99).toFixed(1).padStart(7)}`
  );
}

/** Server CPU time per export, and as a share of the run's wall time (100% = one core). */
function describeCpu(f: LevelFigures): string {
  if (f.serverCpu === undefined) return "?";
  const perExport = (f.serverCpu * 1000) / f.marcgate.exports;
  const busy = (f.serverCpu / f.marcgate.seconds) * 100;
  return `${perExport.toFixed(2).padStart(9)}   ${busy.toFixed(0).padStart(3)}%`;
}

async function exportsBench(bibs: readonly MarcRecord[], dir: string): Promise<boolean> {
  const sendable = uniquelyNumbered(bibs);
  const data = join(dir, "exports");
  out(
    `\nConnexion exports: catalog of ${thousands(catalogRecords)} records (the bench file's ` +
      `${thousands(bibs.length)} bibliographic records replicated, as in the catalog benchmark); the records ` +
      `sent are the ${thousands(sendable.length)} whose OCLC numbers are unique in the file, that find themselves and pass validation (MarcXML Bib Import), half onto ` +
      `catalog records (merge) and half with new OCLC numbers (new record), each with a 500 note of its own`,
  );
  const cached =
    catalogCache === undefined ? undefined : join(catalogCache, String(catalogRecords));
  if (cached !== undefined && existsSync(join(cached, "marcgate.sqlite"))) {
    cpSync(cached, data, { recursive: true });
    out(`catalog copied from ${cached} (MARCGATE_BENCH_CONNEXION_CATALOG_CACHE)`);
  } else {
    const buildSeconds = await buildCatalog(data, bibs, catalogRecords);
    writeProfile(dir, data);
    out(
      `catalog built with createMany × ${BATCH} in ${buildSeconds.toFixed(1)} s ` +
        `(${thousands(catalogRecords / buildSeconds)} records/s); profile from marcgate profile import`,
    );
    if (cached !== undefined) cpSync(data, cached, { recursive: true });
  }

  const flags = productFlags();
  const serveArgs = [
    ...flags,
    ...(cpuProfileDir !== undefined
      ? ["--cpu-prof", "--cpu-prof-dir", resolve(cpuProfileDir)]
      : []),
    cliMain,
    "serve",
    "--z3950-port",
    "0",
    "--connexion-port",
    "0",
    "--http-port",
    "0",
    "--host",
    "127.0.0.1",
    "--data",
    data,
  ];
  const nullArgs = [...flags, fileURLToPath(import.meta.url), NULL_GATEWAY_MODE];
  const server = await startServer(serveArgs, join(dir, "serve.log"), /Connexion on port (\d+)/);
  const reference = await startServer(
    nullArgs,
    join(dir, "null-gateway.log"),
    /null gateway on port (\d+)/,
  );
  const exports = new Exports(bibs, sendable, catalogRecords);
  const figures: LevelFigures[] = [];
  try {
    const warmUp = Math.max(50, Math.round(exportsPerRun / 25));
    const warm = exports.take(warmUp);
    for (const s of [reference, server]) {
      const run = await drive(s.port, warm, 8);
      if (run.failures > 0) throw new Error(`warm-up failed: ${run.firstFailures.join(" | ")}`);
    }
    for (const clients of LEVELS) {
      const n = clients === 1 ? Math.max(1, Math.round((exportsPerRun * 2) / 5)) : exportsPerRun;
      const batch = exports.take(n);
      // The null gateway before and after marcgate; the faster of its two runs is the reference.
      const before = await drive(reference.port, batch, clients);
      const cpuBefore = cpuSeconds(server.child.pid);
      const marcgateRun = await drive(server.port, batch, clients);
      const cpuAfter = cpuSeconds(server.child.pid);
      const serverCpu =
        cpuBefore !== undefined && cpuAfter !== undefined ? cpuAfter - cpuBefore : undefined;
      const after = await drive(reference.port, batch, clients);
      const nullRun = after.seconds < before.seconds ? after : before;
      figures.push({ clients, marcgate: marcgateRun, reference: nullRun, serverCpu });
      if (tty) process.stderr.write(`  ${clients} clients done\n`);
    }
  } finally {
    await stopServer(server);
    await stopServer(reference);
  }

  out(
    `\n${"clients".padEnd(8)} ${"exports".padStart(7)}   ${"marcgate".padEnd(25)}   ${"serve CPU".padEnd(17)}   ${"null gateway".padEnd(25)}   ${"marcgate/null".padStart(13)}   replies`,
  );
  out(
    `${"".padEnd(8)} ${"".padStart(7)}   ${"rate      p50 ms  p99 ms".padEnd(25)}   ${"ms/export   busy".padEnd(17)}   ${"rate      p50 ms  p99 ms".padEnd(25)}   ${"rate".padStart(13)}`,
  );
  let ok = true;
  for (const f of figures) {
    const ratio =
      f.marcgate.exports / f.marcgate.seconds / (f.reference.exports / f.reference.seconds);
    const outcomes = [...f.marcgate.outcomes].map(([k, v]) => `${thousands(v)} ${k}`).join(", ");
    const failures = f.marcgate.failures + f.reference.failures;
    out(
      `${String(f.clients).padEnd(8)} ${thousands(f.marcgate.exports).padStart(7)}   ${describeRun(f.marcgate)}   ${describeCpu(f).padEnd(17)}   ${describeRun(f.reference)}   ${ratio.toFixed(2).padStart(13)}   ` +
        `${outcomes}; ${failures} failed` +
        (f.marcgate.unexpected > 0 ? `; ${f.marcgate.unexpected} NOT AS EXPECTED` : ""),
    );
    for (const failure of [...f.marcgate.firstFailures, ...f.reference.firstFailures]) {
      out(`  failure: ${failure.replace(/\s+/g, " ").slice(0, 200)}`);
    }
    for (const reply of f.marcgate.firstUnexpected) {
      out(`  not as expected: ${reply.replace(/\s+/g, " ").slice(0, 200)}`);
    }
    if (failures > 0 || f.marcgate.unexpected > 0) ok = false;
  }
  const top = figures.find((f) => f.clients === 32);
  if (top) {
    const rate = top.marcgate.exports / top.marcgate.seconds;
    const p99 = percentile(top.marcgate.latencies, 99);
    out(
      `goals at 32 clients: ≥ 1,000 records/s: ${thousands(rate)}/s, ${rate >= 1000 ? "met" : `MISSED (${(rate / 1000).toFixed(2)}× the goal)`}; ` +
        `p99 ≤ 50 ms: ${p99.toFixed(1)} ms, ${p99 <= 50 ? "met" : `MISSED (${(p99 / 50).toFixed(2)}× the goal)`}`,
    );
  }
  if (cpuProfileDir !== undefined)
    out(`CPU profile of marcgate serve in ${resolve(cpuProfileDir)}`);
  return ok;
}

// — Part 2: marcgate import —

function writeImportFile(file: string, bibs: readonly MarcRecord[], total: number): void {
  const fd = openSync(file, "w");
  try {
    let chunk: Buffer[] = [];
    for (const record of replicated(bibs, total)) {
      chunk.push(writeIso2709(record));
      if (chunk.length === 1000) {
        writeSync(fd, Buffer.concat(chunk));
        chunk = [];
      }
    }
    if (chunk.length > 0) writeSync(fd, Buffer.concat(chunk));
  } finally {
    closeSync(fd);
  }
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function freshCatalog(dir: string, name: string, profile: "with profile" | "no profile"): string {
  const data = join(dir, name);
  rmSync(data, { recursive: true, force: true });
  marcgate(["institution", "add", INSTITUTION, "--name", "Bench", "--data", data]);
  if (profile === "with profile") writeProfile(dir, data);
  return data;
}

function yazAvailable(): boolean {
  return spawnSync("yaz-marcdump", ["-V"], { stdio: "ignore" }).status === 0;
}

function importBench(bibs: readonly MarcRecord[], dir: string): void {
  const file = join(dir, `import-${importRecords}.mrc`);
  writeImportFile(file, bibs, importRecords);
  out(
    `\nmarcgate import: ${thousands(importRecords)} records (${(statSync(file).size / 1e6).toFixed(1)} MB; the bench file's ` +
      `${thousands(bibs.length)} bibliographic records replicated ` +
      `with distinct OCLC numbers per copy) into a fresh catalog with a profile; ` +
      `median of ${importRuns} run(s), whole-process wall time`,
  );
  const imports: number[] = [];
  const loads: number[] = [];
  const yaz: number[] = [];
  const withYaz = yazAvailable();
  let summary = "";
  for (let r = 0; r < importRuns; r++) {
    const importData = freshCatalog(dir, "import", "with profile");
    const imported = marcgate(
      ["import", file, "--institution", INSTITUTION, "--data", importData],
      [0, 1],
    );
    imports.push(imported.seconds);
    summary = imported.stdout.trim().split("\n").at(-1) ?? "";
    rmSync(importData, { recursive: true, force: true });
    const loadData = freshCatalog(dir, "load", "no profile");
    loads.push(marcgate(["load", file, "--institution", INSTITUTION, "--data", loadData]).seconds);
    rmSync(loadData, { recursive: true, force: true });
    if (withYaz) yaz.push(timed("yaz-marcdump", ["-n", file]));
  }
  const row = (name: string, seconds: number, note: string): void =>
    out(
      `${name.padEnd(44)} ${seconds.toFixed(2).padStart(7)} s  ${`${thousands(importRecords / seconds)} rec/s`.padStart(14)}  ${note}`,
    );
  const importSeconds = median(imports);
  const loadSeconds = median(loads);
  if (withYaz) row("yaz-marcdump -n (read only; the floor)", median(yaz), "");
  else out("yaz-marcdump: not installed (apt-get install yaz), no floor");
  row("marcgate load (createMany × 1,000)", loadSeconds, "reference");
  const rate = importRecords / importSeconds;
  row(
    "marcgate import (profile: match, merge, job)",
    importSeconds,
    `time ${(importSeconds / loadSeconds).toFixed(2)}× load; goal ≥ 5,000 rec/s ${rate >= 5000 ? "met" : `MISSED (${(rate / 5000).toFixed(2)}× the goal)`}`,
  );
  out(`  import said: ${summary}`);
}

// — Main —

async function main(): Promise<void> {
  if (catalogRecords === 0 && importRecords === 0) return;
  if (!existsSync(cliMain)) throw new Error(`${cliMain} is missing: npm run build first`);
  if (cpuProfileDir !== undefined) mkdirSync(cpuProfileDir, { recursive: true });
  const stop = (signal: NodeJS.Signals): void => {
    cleanUp();
    process.exit(signal === "SIGINT" ? 130 : 143);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  process.once("exit", cleanUp);
  const bibs = bibliographicRecords(source);
  out(
    `Connexion benchmark: node flags (from bin/marcgate.js): ${productFlags().join(" ") || "(none)"}`,
  );
  let ok = true;
  try {
    if (catalogRecords > 0 && exportsPerRun > 0) {
      const dir = scratchDir();
      ok = await exportsBench(bibs, dir);
      rmSync(dir, { recursive: true, force: true });
      scratch.delete(dir);
    }
    if (importRecords > 0) {
      const dir = scratchDir();
      importBench(bibs, dir);
      rmSync(dir, { recursive: true, force: true });
      scratch.delete(dir);
    }
  } finally {
    cleanUp();
  }
  if (!ok) process.exitCode = 1;
}

if (process.argv[2] === NULL_GATEWAY_MODE) nullGateway();
else await main();
