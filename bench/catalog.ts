/**
 * Catalog benchmark (`npm run bench` runs it after the MARC benchmark; or
 * `node dist/bench/catalog.js`): builds a catalog from the real bibliographic records of the
 * shared bench file, replicated to MARCGATE_BENCH_CATALOG_RECORDS (default 1,000,000) with their
 * OCLC numbers, 001s, 035s, 019s and ISBNs rewritten in every copy after the first so that those
 * keys stay distinct, and measures on SQLite (and PostgreSQL when MARCGATE_BENCH_PG is a URL):
 *
 * - bulk load rate through `createMany` in batches of 1,000 (synchronous FULL, and NORMAL on the
 *   first 100,000 records for comparison);
 * - match-key look-up latency (`findByKey`) over 20,000 random existing OCLC/ISBN keys;
 * - keyword search latency (`search`, 20 hits with the total) over 300 real title words;
 * - on SQLite, the same words as CQL (`dc.title = word`, parsed and mapped as SRU does) beside
 *   the plain title search `marcgate search --index title` runs, and as SRU searchRetrieve over
 *   HTTP on loopback (10 MARCXML records, exact count), p50/p95 each;
 * - on PostgreSQL, the keyword search beside the search it replaced (an exact count, ranking up
 *   to 20,000 hits: issue 19's reference), on the same words and "the", in the same run;
 * - database size per record.
 *
 * MARCGATE_BENCH_ENGINES=postgres skips SQLite (a PostgreSQL-only run).
 */
import { mkdtempSync, rmSync, statSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Catalog, RecordCreate } from "../src/catalog/catalog.js";
import { openCatalog, type CatalogLocation } from "../src/catalog/open.js";
import { queryWords } from "../src/catalog/prepare.js";
import { extractMatchKeys, type MatchKey } from "../src/marc/match-keys.js";
import { isControlField, type MarcRecord } from "../src/marc/record.js";
import { bibliographicRecords, random, replicated } from "./_records.js";
import Fastify from "fastify";
import { cqlSearch } from "../src/search/cql-search.js";
import { registerSru } from "../src/sru/route.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const source =
  process.env.MARCGATE_BENCH_FILE ?? resolve(root, "../shared/corpus/bench/all-utf8.mrc");
const total = Number(process.env.MARCGATE_BENCH_CATALOG_RECORDS ?? 1_000_000);
const compareCount = Math.min(total, 100_000);
const BATCH = 1000;
const LOOKUPS = 20_000;
const SEARCHES = 300;
const INSTITUTION = "01BENCH_INST";
const NETWORK = "01BENCH_NETWORK";

/** How many records to sample for look-up keys: not every record has an OCLC number or ISBN. */
const SAMPLED_RECORDS = LOOKUPS * 5;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

function ms(seconds: number): string {
  return `${(seconds * 1000).toFixed(3)} ms`;
}

const out = (line: string): void => void process.stdout.write(line + "\n");
const tty = process.stderr.isTTY === true;

async function open(location: CatalogLocation): Promise<Catalog> {
  const opened = await openCatalog(location);
  if (opened.error !== undefined) throw new Error(opened.error);
  return opened.catalog;
}

interface LoadFigures {
  readonly seconds: number;
  readonly secondsAt: number;
  readonly samples: MatchKey[];
}

/**
 * Loads `count` records with createMany; returns the seconds spent in createMany (all, and up
 * to `markAt` records) and one OCLC/ISBN key of each sampled record.
 */
async function load(
  catalog: Catalog,
  bibs: readonly MarcRecord[],
  count: number,
  markAt: number,
  sampled: ReadonlySet<number>,
): Promise<LoadFigures> {
  const pick = random(7);
  const samples: MatchKey[] = [];
  let batch: RecordCreate[] = [];
  let seconds = 0;
  let secondsAt = 0;
  let n = 0;
  const context = { savedBy: "bench", action: "load" };
  const flush = async (): Promise<void> => {
    const start = process.hrtime.bigint();
    await catalog.createMany(batch, context);
    seconds += Number(process.hrtime.bigint() - start) / 1e9;
    batch = [];
    if (n === markAt) secondsAt = seconds;
    if (tty && n % 50_000 === 0) {
      process.stderr.write(`\r  ${n.toLocaleString("en")} records, ${Math.round(n / seconds)}/s`);
    }
  };
  for (const marc of replicated(bibs, count)) {
    if (samples.length < LOOKUPS && sampled.has(n)) {
      const keys = extractMatchKeys(marc).filter((k) => k.kind === "oclc" || k.kind === "isbn");
      if (keys.length > 0) samples.push(keys[Math.floor(pick() * keys.length)]!);
    }
    batch.push({ kind: "create", zone: INSTITUTION, marc });
    n++;
    if (batch.length === BATCH) await flush();
  }
  if (batch.length > 0) await flush();
  if (secondsAt === 0) secondsAt = seconds;
  if (tty) process.stderr.write("\r\x1b[K");
  // Shuffled, so look-ups don't walk the index in load order.
  for (let i = samples.length - 1; i > 0; i--) {
    const j = Math.floor(pick() * (i + 1));
    [samples[i], samples[j]] = [samples[j]!, samples[i]!];
  }
  return { seconds, secondsAt, samples };
}

async function setUp(catalog: Catalog): Promise<void> {
  await catalog.addNetworkZone({ code: NETWORK, name: "Bench network" });
  await catalog.addInstitution({ code: INSTITUTION, name: "Bench", network: NETWORK });
}

async function lookups(catalog: Catalog, keys: readonly MatchKey[]): Promise<void> {
  const zones = [INSTITUTION, NETWORK];
  const times: number[] = [];
  let missing = 0;
  for (const key of keys) {
    const start = process.hrtime.bigint();
    const found = await catalog.findByKey(key.kind, key.value, zones);
    times.push(Number(process.hrtime.bigint() - start) / 1e9);
    if (found.length === 0) missing++;
  }
  times.sort((a, b) => a - b);
  out(
    `match-key look-up (findByKey, ${keys.length.toLocaleString("en")} random existing OCLC/ISBN keys, IZ + NZ): ` +
      `p50 ${ms(percentile(times, 50))}, p99 ${ms(percentile(times, 99))} (goal p99 ≤ 0.5 ms), max ${ms(times.at(-1)!)}` +
      (missing ? `; ${missing} NOT FOUND` : ""),
  );
}

async function searches(catalog: Catalog, words: readonly string[]): Promise<void> {
  const zones = [INSTITUTION, NETWORK];
  const times: { word: string; seconds: number; total: number }[] = [];
  for (const word of words) {
    const start = process.hrtime.bigint();
    const result = await catalog.search({ text: word, index: "keyword", zones, limit: 20 });
    times.push({
      word,
      seconds: Number(process.hrtime.bigint() - start) / 1e9,
      total: result.total,
    });
  }
  times.sort((a, b) => a.seconds - b.seconds);
  const seconds = times.map((t) => t.seconds);
  const slowest = times.slice(-3).reverse();
  out(
    `keyword search (search, ${words.length} real title words, 20 hits + total, IZ + NZ): ` +
      `p50 ${ms(percentile(seconds, 50))}, p95 ${ms(percentile(seconds, 95))} (goal ≤ 25 ms), max ${ms(seconds.at(-1)!)}`,
  );
  out(
    `  slowest: ${slowest.map((t) => `"${t.word}" ${ms(t.seconds)} (${t.total.toLocaleString("en")} hits)`).join(", ")}`,
  );
}

/** p50/p95 of timed calls of `fn` over the words. */
async function timed(
  words: readonly string[],
  fn: (word: string) => Promise<unknown>,
): Promise<{ p50: number; p95: number; max: number }> {
  const times: number[] = [];
  for (const word of words) {
    const start = process.hrtime.bigint();
    await fn(word);
    times.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95), max: times.at(-1)! };
}

/**
 * The same title words three ways: the plain title search (`marcgate search --index title`),
 * CQL `dc.title = word` (parsed and mapped, then the same search), and SRU searchRetrieve over
 * HTTP (10 MARCXML records and the exact count, as SRU answers).
 */
async function protocolSearches(catalog: Catalog, words: readonly string[]): Promise<void> {
  const zones = [INSTITUTION, NETWORK];
  const plain = await timed(words, (word) =>
    catalog.search({ text: word, index: "title", zones, limit: 20 }),
  );
  const cql = await timed(words, async (word) => {
    const parsed = cqlSearch(`dc.title = ${word}`);
    if ("diagnostic" in parsed) throw new Error(parsed.diagnostic.message);
    return catalog.search({ query: parsed.search.node, zones, limit: 20 });
  });
  const app = Fastify({ logger: false });
  registerSru(app, catalog);
  const base = await app.listen({ port: 0, host: "127.0.0.1" });
  const sru = await timed(words, async (word) => {
    const url = `${base}/sru/${INSTITUTION}?version=1.2&operation=searchRetrieve&maximumRecords=10&query=${encodeURIComponent(`dc.title = ${word}`)}`;
    const response = await fetch(url);
    const body = await response.text();
    if (!body.includes("numberOfRecords")) throw new Error(`SRU: ${body.slice(0, 200)}`);
  });
  await app.close();
  const row = (name: string, t: { p50: number; p95: number; max: number }): string =>
    `  ${name}: p50 ${ms(t.p50)}, p95 ${ms(t.p95)}, max ${ms(t.max)} (p95 ${(t.p95 / plain.p95).toFixed(2)}× the plain search)`;
  out(`title search three ways (${words.length} real title words, IZ + NZ):`);
  out(row("marcgate search --index title (20 hits + capped count)", plain));
  out(row("CQL dc.title = word (parse + map + the same search)", cql));
  out(row("SRU searchRetrieve over HTTP (10 MARCXML records + exact count)", sru));
}

/** Real title words (245 $a) of at least three letters, sampled with a fixed seed. */
function titleWords(bibs: readonly MarcRecord[]): string[] {
  const words = new Set<string>();
  for (const record of bibs) {
    for (const field of record.fields) {
      if (field.tag !== "245" || isControlField(field)) continue;
      for (const s of field.subfields)
        if (s.code === "a")
          for (const w of queryWords(s.value)) if (/^\p{L}{3,}$/u.test(w)) words.add(w);
    }
  }
  const all = [...words].sort();
  const pick = random(11);
  const chosen = new Set<string>();
  while (chosen.size < Math.min(SEARCHES, all.length))
    chosen.add(all[Math.floor(pick() * all.length)]!);
  return [...chosen];
}

function sampleIndexes(count: number): Set<number> {
  const pick = random(3);
  const indexes = new Set<number>();
  while (indexes.size < Math.min(SAMPLED_RECORDS, count)) indexes.add(Math.floor(pick() * count));
  return indexes;
}

function rate(records: number, seconds: number): string {
  return `${Math.round(records / seconds).toLocaleString("en")} records/s`;
}

async function sqliteBench(bibs: readonly MarcRecord[], words: readonly string[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "marcgate-bench-catalog-"));
  out(`\n— SQLite (${dir}) —`);
  try {
    const catalog = await open({ data: join(dir, "full"), synchronous: "FULL" });
    await setUp(catalog);
    const loaded = await load(catalog, bibs, total, compareCount, sampleIndexes(total));
    out(
      `bulk load, createMany × ${BATCH}, synchronous FULL: ${total.toLocaleString("en")} records in ${loaded.seconds.toFixed(1)} s = ${rate(total, loaded.seconds)} (goal ≥ 20,000); first ${compareCount.toLocaleString("en")}: ${rate(compareCount, loaded.secondsAt)}`,
    );
    await lookups(catalog, loaded.samples);
    await searches(catalog, words);
    await protocolSearches(catalog, words);
    await catalog.close();
    const file = join(dir, "full", "marcgate.sqlite");
    const wal = `${file}-wal`;
    const bytes = statSync(file).size + (existsSync(wal) ? statSync(wal).size : 0);
    out(
      `database size: ${(bytes / 1e6).toFixed(0)} MB = ${Math.round(bytes / total).toLocaleString("en")} bytes per record`,
    );

    const normal = await open({ data: join(dir, "normal"), synchronous: "NORMAL" });
    await setUp(normal);
    const fast = await load(normal, bibs, compareCount, compareCount, new Set());
    await normal.close();
    out(
      `bulk load, synchronous NORMAL, first ${compareCount.toLocaleString("en")} records: ${rate(compareCount, fast.seconds)} ` +
        `(FULL: ${rate(compareCount, loaded.secondsAt)}; marcgate load uses FULL)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function postgresBench(
  url: string,
  bibs: readonly MarcRecord[],
  words: readonly string[],
): Promise<void> {
  const schema = `marcgate_bench_${process.pid}`;
  out(`\n— PostgreSQL (schema ${schema}) —`);
  const catalog = await open({ db: url, schema });
  await setUp(catalog);
  const loaded = await load(catalog, bibs, total, compareCount, sampleIndexes(total));
  out(
    `bulk load, createMany × ${BATCH}: ${total.toLocaleString("en")} records in ${loaded.seconds.toFixed(1)} s = ${rate(total, loaded.seconds)}`,
  );
  await lookups(catalog, loaded.samples);
  await searches(catalog, words);
  const pg = await import("pg");
  const pool = new pg.default.Pool({
    connectionString: url,
    max: 1,
    options: `-c search_path="${schema}"`,
  });
  await previousSearchBeside(catalog, pool, words);
  await catalog.close();
  try {
    const { rows } = await pool.query<{ bytes: string }>(
      `SELECT sum(pg_total_relation_size(c.oid))::text AS bytes FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('r', 'm')`,
      [schema],
    );
    const bytes = Number(rows[0]?.bytes ?? 0);
    out(
      `database size: ${(bytes / 1e6).toFixed(0)} MB = ${Math.round(bytes / total).toLocaleString("en")} bytes per record`,
    );
    await pool.query(`DROP SCHEMA "${schema}" CASCADE`);
  } finally {
    await pool.end();
  }
}

/**
 * The keyword search as it was before issue 21 (an exact count; up to 20,000 hits ranked by
 * ts_rank_cd, else newest first by MMS ID), timed on the same words and "the" beside today's
 * (`Catalog.search`: the count capped past 10,000, ranked up to 10,000, the exact title first).
 */
async function previousSearchBeside(
  catalog: Catalog,
  pool: import("pg").Pool,
  words: readonly string[],
): Promise<void> {
  const zones = [INSTITUTION, NETWORK];
  const previous = async (word: string): Promise<number> => {
    const tsquery = `'${word}'`;
    const from = `records r WHERE r.search @@ to_tsquery('simple', $1) AND r.zone = ANY($2::text[])`;
    const count = await pool.query<{ n: number }>(`SELECT count(*)::integer AS n FROM ${from}`, [
      tsquery,
      zones,
    ]);
    const total = count.rows[0]!.n;
    if (total > 0)
      await pool.query(
        total <= 20_000
          ? `SELECT r.mms_id, ts_rank_cd(r.search, to_tsquery('simple', $1))::float8 AS score FROM ${from} ORDER BY score DESC, r.mms_id LIMIT 20`
          : `SELECT r.mms_id FROM ${from} ORDER BY r.mms_id DESC LIMIT 20`,
        [tsquery, zones],
      );
    return total;
  };
  const now = (word: string): Promise<unknown> =>
    catalog.search({ text: word, index: "keyword", zones, limit: 20 });
  const before = await timed(words, previous);
  const after = await timed(words, now);
  const theBefore = await timed(["the", "the", "the"], previous);
  const theAfter = await timed(["the", "the", "the"], now);
  out(`keyword search, the same ${words.length} words, before issue 21 and now:`);
  out(
    `  before (exact count, rank ≤ 20,000): p50 ${ms(before.p50)}, p95 ${ms(before.p95)}, max ${ms(before.max)}`,
  );
  out(
    `  now (count capped past 10,000, rank ≤ 10,000, exact title first): p50 ${ms(after.p50)}, p95 ${ms(after.p95)}, max ${ms(after.max)} ` +
      `(p95 ${(after.p95 / before.p95).toFixed(2)}× before; goal ≤ 25 ms)`,
  );
  out(
    `  "the": before ${ms(theBefore.p50)}, now ${ms(theAfter.p50)} (${(theAfter.p50 / theBefore.p50).toFixed(2)}×; median of 3)`,
  );
}

async function main(): Promise<void> {
  const bibs = bibliographicRecords(source);
  const copies = Math.ceil(total / bibs.length);
  out(
    `catalog bench: ${total.toLocaleString("en")} records = the ${bibs.length.toLocaleString("en")} bibliographic records of ${source} ` +
      `(holdings and authorities left out) replicated ${copies}×; in every copy after the first, the 001, 035/019 numbers ` +
      `(OCLC and system numbers) and 020 ISBNs are rewritten so those keys stay distinct (024 numbers and title keys repeat)`,
  );
  const words = titleWords(bibs);
  if (process.env.MARCGATE_BENCH_ENGINES !== "postgres") await sqliteBench(bibs, words);
  const pgUrl = process.env.MARCGATE_BENCH_PG;
  if (pgUrl) await postgresBench(pgUrl, bibs, words);
  else out("\nPostgreSQL: skipped (set MARCGATE_BENCH_PG=postgres://… to measure it)");
}

await main();
