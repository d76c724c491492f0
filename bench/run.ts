/**
 * `npm run bench`: marcgate's ISO 2709 reader and MARCXML writer beside yaz-marcdump, on the
 * shared corpus' bench file repeated to 100,000 records, in one run on one machine. Figures are
 * medians of whole-process wall times; the ratios are what to compare across machines.
 *
 * Then the catalog benchmark (`bench/catalog.ts`, its own process): bulk load, match-key
 * look-ups, keyword search and size on a catalog of 1,000,000 records; then the Connexion
 * benchmark (`bench/connexion.ts`, its own process; its variables are in its header): exports
 * with 1, 8 and 32 clients against `marcgate serve` on a 1,000,000-record catalog beside a null
 * gateway, and `marcgate import` of 100,000 records beside `marcgate load`; then the rules and
 * the crosswalk benchmarks (`bench/rules.ts`, `bench/crosswalk.ts`), each beside reading the same
 * records from ISO 2709.
 *
 * Last, the scale-out benchmark (`bench/cluster.ts`, its own process): exports per second at 32
 * clients through HAProxy with 1, 2 and 3 nodes on PostgreSQL beside one node on SQLite.
 *
 * Environment: MARCGATE_BENCH_RUNS (default 5), MARCGATE_BENCH_MILLION=0 skips the
 * 1,000,000-record memory check, MARCGATE_BENCH_CATALOG_RECORDS (default 1,000,000; 0 skips
 * the catalog benchmark), MARCGATE_BENCH_PG (a postgres:// URL: the catalog benchmark on
 * PostgreSQL too, and the scale-out benchmark).
 */
import { execFileSync, spawnSync } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Iso2709Framer } from "../src/marc/iso2709.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const source =
  process.env.MARCGATE_BENCH_FILE ?? resolve(root, "../shared/corpus/bench/all-utf8.mrc");
const runs = Number(process.env.MARCGATE_BENCH_RUNS ?? 5);
const work = join(tmpdir(), "marcgate-bench");

/** Writes `count` records by repeating the source file's records; cached between runs. */
function repeated(count: number): string {
  const path = join(work, `bench-${count}.mrc`);
  if (existsSync(path) && statSync(path).size > 0) return path;
  mkdirSync(work, { recursive: true });
  const framer = new Iso2709Framer();
  const frames = [...framer.push(readFileSync(source)), ...framer.end()].map((f) =>
    Buffer.from(f.bytes),
  );
  const fd = openSync(path, "w");
  let written = 0;
  while (written < count) {
    const batch: Buffer[] = [];
    for (const f of frames) {
      if (written >= count) break;
      batch.push(f);
      written++;
    }
    writeSync(fd, Buffer.concat(batch));
  }
  closeSync(fd);
  return path;
}

/** Runs a command to its end; its output goes to /dev/null unless `output` is "capture". */
function time(
  command: string,
  args: string[],
  { output }: { output: "discard" | "capture" } = { output: "discard" },
): { seconds: number; stdout: string } {
  const capture = output === "capture";
  const start = process.hrtime.bigint();
  const r = spawnSync(command, args, { stdio: ["ignore", capture ? "pipe" : "ignore", "ignore"] });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`${command} ${args.join(" ")} exited ${r.status}`);
  return { seconds, stdout: capture ? r.stdout.toString() : "" };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

interface Case {
  readonly name: string;
  readonly command: string;
  readonly args: string[];
}

/** Runs the cases interleaved, `runs` times each, and returns each one's median seconds. */
function measure(cases: Case[]): Map<string, number> {
  const times = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  for (const c of cases) time(c.command, c.args); // warm the page cache and the binaries
  for (let r = 0; r < runs; r++)
    for (const c of cases) times.get(c.name)!.push(time(c.command, c.args).seconds);
  return new Map([...times].map(([k, v]) => [k, median(v)]));
}

/** The Node flags marcgate's executable runs with (its shebang line), so the bench measures the same. */
function productFlags(): string[] {
  const shebang = readFileSync(join(root, "bin/marcgate.js"), "utf8").split("\n")[0] ?? "";
  return shebang.split(/\s+/).filter((word) => word.startsWith("--"));
}

function main(): void {
  try {
    execFileSync("yaz-marcdump", ["-V"], { stdio: "ignore" });
  } catch {
    process.stderr.write("the MARC bench needs yaz-marcdump (apt-get install yaz)\n");
    process.exitCode = 1;
    return;
  }
  marcBench();
}

/** The catalog benchmark in its own process, its output passed through. */
function catalogBench(): void {
  if (process.env.MARCGATE_BENCH_CATALOG_RECORDS === "0") return;
  process.stdout.write("\n");
  const r = spawnSync(process.execPath, [join(here, "catalog.js")], { stdio: "inherit" });
  if (r.status !== 0) process.exitCode = 1;
}

/** The Connexion benchmark in its own process, its output passed through. */
function connexionBench(): void {
  process.stdout.write("\n");
  const r = spawnSync(process.execPath, [join(here, "connexion.js")], { stdio: "inherit" });
  if (r.status !== 0) process.exitCode = 1;
}

/** The scale-out benchmark in its own process (needs MARCGATE_BENCH_PG and haproxy). */
function clusterBench(): void {
  process.stdout.write("\n");
  const r = spawnSync(process.execPath, [join(here, "cluster.js")], { stdio: "inherit" });
  if (r.status !== 0) process.exitCode = 1;
}

/** The OAI-PMH harvest beside `marcgate export`, in its own process (MARCGATE_BENCH_OAI_RECORDS). */
function publishBench(): void {
  if (process.env.MARCGATE_BENCH_OAI_RECORDS === "0") return;
  process.stdout.write("\n");
  const r = spawnSync(process.execPath, [join(here, "publish.js")], { stdio: "inherit" });
  if (r.status !== 0) process.exitCode = 1;
}

/** The rules benchmark in its own process, its output passed through. */
function rulesBench(): void {
  const r = spawnSync(process.execPath, [join(here, "rules.js")], { stdio: "inherit" });
  if (r.status !== 0) process.exitCode = 1;
}

/** The crosswalk benchmark in its own process, its output passed through. */
function crosswalkBench(): void {
  const r = spawnSync(process.execPath, [join(here, "crosswalk.js")], { stdio: "inherit" });
  if (r.status !== 0) process.exitCode = 1;
}

function marcBench(): void {
  const records = 100_000;
  const file = repeated(records);
  const node = process.execPath;
  const flags = productFlags();
  const parse = [...flags, join(here, "parse.js")];
  const cli = [...flags, join(root, "dist/src/cli/main.js")];
  process.stdout.write(`node flags (from bin/marcgate.js): ${flags.join(" ") || "(none)"}\n`);
  process.stdout.write(
    `bench file: ${file} (${records} records, ${(statSync(file).size / 1e6).toFixed(1)} MB), ${runs} runs each\n\n`,
  );

  const t = measure([
    { name: "yaz line", command: "yaz-marcdump", args: [file] },
    { name: "yaz -n", command: "yaz-marcdump", args: ["-n", file] },
    { name: "ours parse", command: node, args: [...parse, file] },
    { name: "yaz marcxml", command: "yaz-marcdump", args: ["-o", "marcxml", file] },
    {
      name: "ours marcxml",
      command: node,
      args: [...cli, "convert", "--from", "iso2709", "--to", "marcxml", "-o", "/dev/null", file],
    },
  ]);
  const rate = (s: number): string => `${Math.round(records / s).toLocaleString("en")} rec/s`;
  const row = (name: string, s: number, ratio: string): void => {
    process.stdout.write(
      `${name.padEnd(44)} ${s.toFixed(3).padStart(7)} s  ${rate(s).padStart(14)}  ${ratio}\n`,
    );
  };
  const yazLine = t.get("yaz line")!;
  const oursParse = t.get("ours parse")!;
  const yazXml = t.get("yaz marcxml")!;
  const oursXml = t.get("ours marcxml")!;
  row("yaz-marcdump (ISO 2709 → line format)", yazLine, "reference");
  row("yaz-marcdump -n (parse only, no output)", t.get("yaz -n")!, "");
  row(
    "marcgate readIso2709 (stream → records)",
    oursParse,
    `speed ${(yazLine / oursParse).toFixed(2)}× yaz line (goal ≥ 0.50)`,
  );
  row("yaz-marcdump -o marcxml", yazXml, "reference");
  row(
    "marcgate convert --to marcxml",
    oursXml,
    `time ${(oursXml / yazXml).toFixed(2)}× yaz (goal ≤ 1.50)`,
  );

  const rss100k = Number(time(node, [...parse, file], { output: "capture" }).stdout.split(" ")[1]);
  process.stdout.write(
    `\npeak RSS, readIso2709 over 100,000 records: ${(rss100k / 1e6).toFixed(0)} MB\n`,
  );
  if (process.env.MARCGATE_BENCH_MILLION !== "0") {
    const million = repeated(1_000_000);
    const out = time(node, [...parse, million], { output: "capture" });
    const [count, rss] = out.stdout.trim().split(" ").map(Number);
    process.stdout.write(
      `peak RSS, readIso2709 over ${count!.toLocaleString("en")} records: ${(rss! / 1e6).toFixed(0)} MB (goal < 150 MB), ${out.seconds.toFixed(1)} s\n`,
    );
  }
}

main();
catalogBench();
connexionBench();
rulesBench();
clusterBench();
crosswalkBench();
publishBench();
