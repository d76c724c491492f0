/**
 * Crosswalk benchmark (`npm run bench` runs it after the rules benchmark, in its own process; or
 * `node dist/bench/crosswalk.js`): MARCGATE_BENCH_CROSSWALK_RECORDS (default 100,000) real
 * bibliographic records of the shared bench file converted MARC 21 → UNIMARC and UNIMARC →
 * MARC 21, beside the reference in the same run: reading the same records from ISO 2709 with
 * marcgate's reader. Target (issue 20): converting costs at most the time of reading.
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { crosswalk } from "../src/crosswalk/crosswalk.js";
import { readIso2709Buffer, writeIso2709 } from "../src/marc/iso2709.js";
import type { MarcRecord } from "../src/marc/record.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const source =
  process.env.MARCGATE_BENCH_FILE ?? resolve(root, "../shared/corpus/bench/all-utf8.mrc");
const count = Number(process.env.MARCGATE_BENCH_CROSSWALK_RECORDS ?? 100_000);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function main(): void {
  const bibs: MarcRecord[] = [];
  for (const r of readIso2709Buffer(readFileSync(source))) {
    const type = r.record?.leader[6];
    if (r.record && type !== undefined && !"uvxyz".includes(type)) bibs.push(r.record);
  }
  const records: MarcRecord[] = Array.from({ length: count }, (_, i) => bibs[i % bibs.length]!);
  const bytes = Buffer.concat(records.map((r) => writeIso2709(r)));
  const unimarc = records.map((r) => crosswalk(r, "MARC21", "UNIMARC").record);

  const read: number[] = [];
  const forward: number[] = [];
  const back: number[] = [];
  let notes = 0;
  for (let run = 0; run < 3; run++) {
    let t = performance.now();
    let n = 0;
    for (const r of readIso2709Buffer(bytes)) if (r.record) n++;
    read.push(performance.now() - t);
    t = performance.now();
    notes = 0;
    for (const r of records) notes += crosswalk(r, "MARC21", "UNIMARC").notes.length;
    forward.push(performance.now() - t);
    t = performance.now();
    for (const r of unimarc) crosswalk(r, "UNIMARC", "MARC21");
    back.push(performance.now() - t);
    if (n !== count) throw new Error(`read ${n} of ${count} records`);
  }
  const readMs = median(read);
  const forwardMs = median(forward);
  const backMs = median(back);
  const rate = (ms: number): string => Math.round((count / ms) * 1000).toLocaleString("en");
  const verdict = (ms: number): string => (ms <= readMs ? "met" : "MISSED");
  process.stdout.write(
    [
      `crosswalk: ${count.toLocaleString("en")} bibliographic records (medians of 3 runs)`,
      `  reference: read ISO 2709  ${rate(readMs)} records/s`,
      `  MARC 21 → UNIMARC         ${rate(forwardMs)} records/s  ${(forwardMs / readMs).toFixed(2)}× the read time  target ≤ 1×: ${verdict(forwardMs)}  (${notes.toLocaleString("en")} notes)`,
      `  UNIMARC → MARC 21         ${rate(backMs)} records/s  ${(backMs / readMs).toFixed(2)}× the read time  target ≤ 1×: ${verdict(backMs)}`,
      "",
    ].join("\n"),
  );
}

main();
