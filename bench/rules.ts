/**
 * Rules benchmark (`npm run bench` runs it last, in its own process; or `node dist/bench/rules.js`):
 * the largest real normalization file of the research collection (UMich's Zephir/Google export,
 * 113 actions; MARCGATE_BENCH_RULES names another) applied to MARCGATE_BENCH_RULES_RECORDS
 * (default 100,000) real bibliographic records of the shared bench file, beside the reference in
 * the same run: decoding the same records from ISO 2709 with marcgate's reader. Target: ≥ 20,000
 * records/s.
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { readIso2709Buffer, writeIso2709 } from "../src/marc/iso2709.js";
import type { MarcRecord } from "../src/marc/record.js";
import { normalize } from "../src/rules/normalize.js";
import { parseRules } from "../src/rules/parser.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const source =
  process.env.MARCGATE_BENCH_FILE ?? resolve(root, "../shared/corpus/bench/all-utf8.mrc");
const rulesFile =
  process.env.MARCGATE_BENCH_RULES ??
  resolve(root, "../shared/research/alma-rules/umich-norm-zephir-google-export.txt");
const count = Number(process.env.MARCGATE_BENCH_RULES_RECORDS ?? 100_000);

function main(): void {
  const parsed = parseRules(readFileSync(rulesFile, "utf8"));
  if (parsed.errors.length > 0) throw new Error(`${rulesFile} does not parse`);
  const actions = parsed.rules.reduce((n, r) => n + r.actions.length, 0);
  const bibs: MarcRecord[] = [];
  for (const r of readIso2709Buffer(readFileSync(source))) {
    const type = r.record?.leader[6];
    if (r.record && type !== undefined && !"uvxyz".includes(type)) bibs.push(r.record);
  }
  const records: MarcRecord[] = Array.from({ length: count }, (_, i) => bibs[i % bibs.length]!);
  const bytes = Buffer.concat(records.map((r) => writeIso2709(r)));

  // Warm up both, then time each.
  normalize(records[0]!, parsed.rules);
  let t = performance.now();
  let read = 0;
  for (const r of readIso2709Buffer(bytes)) if (r.record) read++;
  const readMs = performance.now() - t;
  t = performance.now();
  let changed = 0;
  for (const record of records) if (normalize(record, parsed.rules).record !== record) changed++;
  const rulesMs = performance.now() - t;

  const rate = (n: number, ms: number): string => Math.round((n / ms) * 1000).toLocaleString("en");
  process.stdout.write(
    [
      "",
      `rules: ${rulesFile.split("/").pop()!} (${parsed.rules.length} rules, ${actions} actions) on ${count.toLocaleString("en")} records`,
      `  normalize               ${rate(count, rulesMs)} records/s (${changed.toLocaleString("en")} changed)  target ≥ 20,000/s: ${(count / rulesMs) * 1000 >= 20_000 ? "met" : "MISSED"}`,
      `  reference: read ISO 2709 ${rate(read, readMs)} records/s`,
      `  normalize / read time   ${(rulesMs / readMs).toFixed(2)}×`,
      "",
    ].join("\n"),
  );
}

main();
