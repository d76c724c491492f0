/**
 * The corpus suite (`npm run test:corpus`): every ISO 2709 file of ../shared/corpus read by
 * marcgate and by yaz-marcdump, compared record by record, field by field; every record
 * written back and compared byte for byte; every record carried through all four formats.
 *
 * Prints a table per source folder and exits non-zero when a record differs from yaz without
 * an entry in ./exceptions.ts, or when a well-formed record does not round-trip.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { formatWriter, readFormat, FORMAT_NAMES, type FormatName } from "../../src/marc/formats.js";
import { Iso2709Framer, readIso2709Buffer, writeIso2709 } from "../../src/marc/iso2709.js";
import type { ReadResult } from "../../src/marc/issue.js";
import { marcXmlCanCarry, readMarcXml } from "../../src/marc/marcxml.js";
import { isControlField, type Field, type MarcRecord } from "../../src/marc/record.js";
import { EXCEPTIONS, type ExceptionReason } from "./exceptions.js";

import { checkIdentifiers } from "./identifiers.js";
import { checkImport } from "./import.js";
import { checkRuleFiles } from "./rules.js";
import { checkMerge } from "./merge.js";
import { checkNormalize } from "./normalize.js";
import { checkMatching } from "./matching.js";
import { checkValidation } from "./validation.js";
import { checkSearch } from "./search.js";
import { checkCrosswalk, checkIso5426 } from "./crosswalk.js";

const here = dirname(fileURLToPath(import.meta.url));
/** dist/test/corpus → repository root → ../shared/corpus */
const CORPUS = process.env.MARCGATE_CORPUS ?? resolve(here, "../../../../shared/corpus");

interface ManifestRow {
  readonly path: string;
  readonly format: string;
  readonly encoding: string;
}

function manifest(): ManifestRow[] {
  const text = readFileSync(join(CORPUS, "MANIFEST.tsv"), "utf8");
  const [header, ...rows] = text.split("\n").filter((l) => l.length > 0);
  const cols = header!.split("\t");
  const at = (name: string): number => cols.indexOf(name);
  return rows.map((r) => {
    const c = r.split("\t");
    return { path: c[at("path")]!, format: c[at("format")]!, encoding: c[at("encoding")]! };
  });
}

async function collect(
  source: AsyncIterable<ReadResult<MarcRecord>>,
): Promise<ReadResult<MarcRecord>[]> {
  const out: ReadResult<MarcRecord>[] = [];
  for await (const r of source) out.push(r);
  return out;
}

const scratch = mkdtempSync(join(tmpdir(), "marcgate-corpus-"));

/** yaz-marcdump's MARCXML for a file, or for bytes (through a scratch file); its exit status is
 * ignored (it exits non-zero after a bad record, having written what it could). */
function yaz(input: string | Uint8Array, marc8: boolean): Buffer {
  let file = input;
  if (typeof input !== "string") {
    file = join(scratch, "record.mrc");
    writeFileSync(file, input);
  }
  const args = ["-i", "marc", "-o", "marcxml"];
  if (marc8) args.push("-f", "MARC-8", "-t", "UTF-8");
  args.push(file as string);
  return spawnSync("yaz-marcdump", args, {
    maxBuffer: 1 << 30,
    stdio: ["ignore", "pipe", "ignore"],
  }).stdout;
}

/** yaz's reading of each of our frames on its own, so that one bad record cannot shift the rest. */
async function yazPerFrame(
  frames: readonly { bytes: Uint8Array }[],
  marc8: boolean,
): Promise<(MarcRecord | undefined)[]> {
  const out: (MarcRecord | undefined)[] = [];
  for (const f of frames) {
    const rs = await collect(readMarcXml([yaz(f.bytes, marc8)]));
    out.push(rs[0]?.record);
  }
  return out;
}

/** The leader positions both sides must agree on: not the lengths (0-4, 12-16), nor 10-11 and 20-23, which yaz rewrites to "22" and "4500" when they are not digits. */
function leaderKey(leader: string): string {
  return leader.slice(5, 10) + leader.slice(17, 20);
}

function fieldKey(f: Field): string {
  return isControlField(f)
    ? `${f.tag} ${f.value}`
    : `${f.tag} ${f.ind1}${f.ind2} ${f.subfields.map((s) => `$${s.code}${s.value}`).join("")}`;
}

/** Why two records differ, or undefined when they are the same. */
function difference(ours: MarcRecord, theirs: MarcRecord): string | undefined {
  if (leaderKey(ours.leader) !== leaderKey(theirs.leader)) {
    return `leader: ours "${ours.leader}" yaz "${theirs.leader}"`;
  }
  const n = Math.max(ours.fields.length, theirs.fields.length);
  for (let i = 0; i < n; i++) {
    const a = ours.fields[i];
    const b = theirs.fields[i];
    const ka = a ? fieldKey(a) : "(none)";
    const kb = b ? fieldKey(b) : "(none)";
    if (ka !== kb) {
      const nfc = a && b && ka.normalize("NFC") === kb.normalize("NFC");
      return `field ${i + 1}${nfc ? " (same after NFC)" : ""}: ours "${ka.slice(0, 120)}" yaz "${kb.slice(0, 120)}"`;
    }
  }
  return undefined;
}

interface SourceRow {
  files: number;
  records: number;
  identical: number;
  explained: number;
  unexplained: number;
  roundTripChecked: number;
  roundTripIdentical: number;
  formatsChecked: number;
  formatsFailed: number;
  withIssues: number;
}

function emptyStats(): SourceRow {
  return {
    files: 0,
    records: 0,
    identical: 0,
    explained: 0,
    unexplained: 0,
    roundTripChecked: 0,
    roundTripIdentical: 0,
    formatsChecked: 0,
    formatsFailed: 0,
    withIssues: 0,
  };
}

const reasonsSeen = new Map<ExceptionReason, number>();
const failures: string[] = [];
/** Records a format cannot carry (ISO 2709 over 99,999 bytes, XML-forbidden characters). */
const limits: string[] = [];

/** ISO 2709 recomputes leader/00-04, 10-11 and 12-16; the other formats carry the leader as it is. */
function withoutLengths(leader: string, format: FormatName): string {
  return format === "iso2709" ? leader.slice(5, 10) + leader.slice(17) : leader;
}

/**
 * Writes the record in every format and reads it back. Returns undefined when all four give
 * the same record, else the format that did not and why, and whether that is a documented
 * limit of the format (not a fault).
 */
async function throughAllFormats(
  record: MarcRecord,
): Promise<{ format: FormatName; why: string; limit: boolean } | undefined> {
  for (const format of FORMAT_NAMES) {
    const writer = formatWriter(format);
    const written = writer.record(record, 0);
    if (typeof written === "object" && "error" in written)
      return { format, why: written.error, limit: true };
    const bytes = Buffer.concat([
      Buffer.from(writer.start),
      typeof written === "string" ? Buffer.from(written) : written,
      Buffer.from(writer.end),
    ]);
    const back = await collect(readFormat(format, [bytes]));
    const again = back[0]?.record;
    const why =
      back.length !== 1 || !again
        ? `read back ${back.length} record(s)`
        : withoutLengths(again.leader, format) !== withoutLengths(record.leader, format)
          ? `leader "${record.leader}" came back as "${again.leader}"`
          : difference(again, record);
    if (why !== undefined) {
      const limit = format === "marcxml" && !marcXmlCanCarry(record);
      return { format, why: limit ? "holds characters XML 1.0 cannot carry" : why, limit };
    }
  }
  return undefined;
}

async function checkFile(row: ManifestRow, stats: SourceRow): Promise<void> {
  const file = join(CORPUS, row.path);
  const bytes = readFileSync(file);
  const ours = [...readIso2709Buffer(bytes)];
  const needsMarc8 = row.encoding.includes("MARC-8") || row.encoding.includes("other");
  // Raw frames, for leader/09 (which yaz output to trust) and the byte-exact round trip.
  const framer = new Iso2709Framer();
  const frames = [...framer.push(bytes), ...framer.end()];
  // yaz on the whole file; when it reads a different number of records (it stops or resyncs
  // differently on bad data), on each record alone instead.
  const whole = async (marc8: boolean): Promise<(MarcRecord | undefined)[]> => {
    const rs = (await collect(readMarcXml([yaz(file, marc8)]))).map((r) => r.record);
    return rs.length === frames.length ? rs : yazPerFrame(frames, marc8);
  };
  const plain = await whole(false);
  const converted = needsMarc8 ? await whole(true) : plain;

  stats.files++;
  for (let i = 0; i < ours.length; i++) {
    const mine = ours[i]!;
    stats.records++;
    if (mine.issues.length > 0) stats.withIssues++;
    const frame = frames[i];
    const marc8 = frame !== undefined && frame.bytes[9] === 0x20;
    const theirs = (marc8 ? converted : plain)[i];
    const exception = EXCEPTIONS.get(`${row.path}#${i}`);
    let why: string | undefined;
    if (!mine.record && !theirs)
      why = undefined; // neither finds a record in these bytes
    else if (!mine.record)
      why = `we read no record: ${mine.issues.map((x) => x.message).join("; ")}`;
    else if (!theirs) why = "yaz gives no record at this index";
    else why = difference(mine.record, theirs);
    if (why === undefined) {
      stats.identical++;
      if (exception)
        failures.push(
          `${row.path}#${i}: listed as an exception (${exception}) but now agrees with yaz; remove it`,
        );
    } else if (exception) {
      stats.explained++;
      reasonsSeen.set(exception, (reasonsSeen.get(exception) ?? 0) + 1);
    } else {
      stats.unexplained++;
      failures.push(`${row.path}#${i} (byte ${mine.offset}): ${why}`);
    }

    // Byte-exact round trip of every record read without issues, MARC-8 kept as bytes.
    if (frame && mine.issues.length === 0) {
      stats.roundTripChecked++;
      const kept = [...readIso2709Buffer(frame.bytes, { marc8: "keep" })][0]?.record;
      if (kept && Buffer.compare(writeIso2709(kept, { marc8: "keep" }), frame.bytes) === 0)
        stats.roundTripIdentical++;
      else failures.push(`${row.path}#${i}: round trip is not byte for byte`);
    }
    // Every record through every format and back.
    if (mine.record) {
      stats.formatsChecked++;
      const broken = await throughAllFormats(mine.record);
      if (broken) {
        stats.formatsFailed++;
        const line = `${row.path}#${i}: changes when written and read as ${broken.format}: ${broken.why}`;
        if (broken.limit) limits.push(line);
        else failures.push(line);
      }
    }
  }
}

/**
 * yaz's own expected outputs as a second oracle, for our writers: yaz/marc-files/marcN.xml and
 * marcN.json were made by yaz from marcN.marc, and marcN.xml.marc / marcN.json.marc by yaz from
 * those. Reading the XML (or JSON) with marcgate and writing ISO 2709 must give yaz's bytes.
 */
async function checkYazFixtures(): Promise<void> {
  const dir = join(CORPUS, "yaz/marc-files");
  const table: string[] = [];
  for (const [ext, format] of [
    ["xml", "marcxml"],
    ["json", "json"],
  ] as const) {
    let same = 0;
    let explained = 0;
    let files = 0;
    for (let n = 0; n <= 12; n++) {
      const input = join(dir, `marc${n}.${ext}`);
      let expected: Buffer;
      let source: Buffer;
      try {
        source = readFileSync(input);
        expected = readFileSync(`${input}.marc`);
      } catch {
        continue;
      }
      files++;
      const records = (await collect(readFormat(format, [source]))).map((r) => r.record);
      const written = Buffer.concat(records.map((r) => (r ? writeIso2709(r) : Buffer.alloc(0))));
      // yaz copies leader/09 as it was; marcgate writes "a", since the bytes it writes are UTF-8.
      if (written.length === expected.length && expected.length > 9)
        expected = Buffer.from(expected).fill(written[9]!, 9, 10);
      if (Buffer.compare(written, expected) === 0) {
        same++;
        continue;
      }
      const key = `yaz/marc-files/marc${n}.${ext}`;
      const reason = FIXTURE_EXCEPTIONS.get(key);
      if (reason) explained++;
      else {
        let at = 0;
        while (at < written.length && written[at] === expected[at]) at++;
        failures.push(
          `${key}: our ISO 2709 differs from yaz's ${key}.marc at byte ${at}: ours ${JSON.stringify(written.subarray(at, at + 24).toString("latin1"))} yaz ${JSON.stringify(expected.subarray(at, at + 24).toString("latin1"))}`,
        );
      }
    }
    table.push(
      `  ${format.padEnd(8)} → iso2709: ${files} files, ${same} byte-identical to yaz, ${explained} explained`,
    );
  }
  process.stdout.write(
    "\nyaz fixtures (read with marcgate, written as ISO 2709, compared with yaz's bytes):\n",
  );
  process.stdout.write(table.join("\n") + "\n");
}

/**
 * yaz fixtures on which our writer knowingly gives other bytes. These records have leader/10 = 3
 * (three indicators); marcgate's record holds two indicators and its writer sets leader/10-11 to
 * "22", so the third indicator is not written.
 */
const FIXTURE_EXCEPTIONS: ReadonlyMap<string, string> = new Map(
  ["marc1.xml", "marc2.xml", "marc1.json", "marc2.json"].map((f) => [
    `yaz/marc-files/${f}`,
    "three indicators (leader/10 = 3)",
  ]),
);

async function main(): Promise<number> {
  try {
    execFileSync("yaz-marcdump", ["-V"], { stdio: "ignore" });
  } catch {
    process.stderr.write("test:corpus needs yaz-marcdump (apt-get install yaz)\n");
    return 1;
  }
  const rows = manifest().filter((r) => r.format === "ISO2709");
  const bySource = new Map<string, SourceRow>();
  for (const row of rows) {
    const source = row.path.split("/")[0]!;
    let stats = bySource.get(source);
    if (!stats) {
      stats = emptyStats();
      bySource.set(source, stats);
    }
    await checkFile(row, stats);
  }
  const header = [
    "source",
    "files",
    "records",
    "with issues",
    "same as yaz",
    "explained",
    "UNEXPLAINED",
    "round trip",
    "4 formats",
  ];
  const lines = [header];
  const total = emptyStats();
  const cells = (name: string, s: SourceRow): string[] => [
    name,
    String(s.files),
    String(s.records),
    String(s.withIssues),
    String(s.identical),
    String(s.explained),
    String(s.unexplained),
    `${s.roundTripIdentical}/${s.roundTripChecked}`,
    `${s.formatsChecked - s.formatsFailed}/${s.formatsChecked}`,
  ];
  for (const [name, s] of [...bySource].sort()) {
    lines.push(cells(name, s));
    for (const k of Object.keys(total) as (keyof SourceRow)[]) total[k] += s[k];
  }
  lines.push(cells("TOTAL", total));
  const widths = header.map((_, c) => Math.max(...lines.map((l) => l[c]!.length)));
  for (const l of lines)
    process.stdout.write(
      l
        .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
        .join("  ") + "\n",
    );
  await checkYazFixtures();
  // The match-key extractor on every record, bench file included: what it could not read.
  const identifiers = checkIdentifiers(
    CORPUS,
    rows.map((r) => r.path),
  );
  process.stdout.write(
    `\nidentifiers the match-key extractor could not read (${identifiers.records} records):\n${identifiers.table.join("\n")}\n`,
  );
  failures.push(...identifiers.failures);
  // The import pipeline on the same files (the bench file is left to the benchmark).
  const imported = await checkImport(
    CORPUS,
    rows.map((r) => r.path).filter((p) => !p.startsWith("bench/")),
    scratch,
  );
  const outcomes = (pass: number): string =>
    Object.entries(imported.passes[pass] ?? {})
      .map(([o, n]) => `${n} ${o}`)
      .join(", ");
  process.stdout.write(
    `\nimport pipeline: ${imported.records} records, first pass ${outcomes(0)}; again: ${outcomes(1)}\n`,
  );
  failures.push(...imported.failures);
  // Alma rule files: every one parses (./rules.ts).
  const ruleFiles = checkRuleFiles();
  process.stdout.write(`\n${ruleFiles.summary}\n`);
  failures.push(...ruleFiles.failures);
  // The merge rules (alma-rules/*merge* and the predefined methods) on corpus record pairs.
  const RULES =
    process.env.MARCGATE_RULES ?? resolve(here, "../../../../shared/research/alma-rules");
  const merged = checkMerge(
    CORPUS,
    RULES,
    rows.map((r) => r.path).filter((p) => !p.startsWith("bench/")),
  );
  process.stdout.write(
    `\nmerge rules: ${merged.pairs} record pairs, ${merged.runs} merges\n${merged.table.join("\n")}\n`,
  );
  failures.push(...merged.failures);
  // The normalization rules (alma-rules/ files of normalization rules) on every corpus record.
  const normalized = checkNormalize(
    CORPUS,
    RULES,
    rows.map((r) => r.path).filter((p) => !p.startsWith("bench/")),
  );
  process.stdout.write(
    `\nnormalization rules: ${normalized.records} records, ${normalized.runs} runs\n${normalized.table.join("\n")}\n`,
  );
  failures.push(...normalized.failures);
  // The match methods on NatLibFi's match / non-match pairs: precision and recall (./matching.ts).
  const matching = await checkMatching(
    CORPUS,
    rows.map((r) => r.path).filter((p) => !p.startsWith("bench/")),
    scratch,
  );
  process.stdout.write(
    `\nmatch methods on ${matching.pairs} record pairs (NatLibFi):\n${matching.table.join("\n")}\n`,
  );
  failures.push(...matching.failures);
  // The "MarcXML Bib Import" validation profile on every record (./validation.ts).
  const validated = checkValidation(
    CORPUS,
    rows.map((r) => r.path).filter((p) => !p.startsWith("bench/")),
  );
  process.stdout.write(`\nvalidation (MarcXML Bib Import):\n${validated.table.join("\n")}\n`);
  failures.push(...validated.failures);
  // Ranking on real records, on both engines when PostgreSQL is there (./search.ts).
  const searched = await checkSearch(CORPUS, scratch);
  process.stdout.write(
    `\nsearch ranking (${searched.records} records, ${searched.queries} queries):\n${searched.table.join("\n")}\n`,
  );
  failures.push(...searched.failures);
  // The crosswalks (./crosswalk.ts): the UNIMARC reference reading, real UNIMARC, round trips.
  const DATA = process.env.MARCGATE_DATA ?? resolve(here, "../../../../shared/data");
  const crosswalked = await checkCrosswalk(
    CORPUS,
    DATA,
    rows.map((r) => r.path),
  );
  process.stdout.write(`\ncrosswalks:\n${crosswalked.table.join("\n")}\n`);
  failures.push(...crosswalked.failures);
  const iso5426 = checkIso5426();
  process.stdout.write(`${iso5426.table.join("\n")}\n`);
  failures.push(...iso5426.failures);
  process.stdout.write("\nexplained differences from yaz, by reason:\n");
  for (const [reason, n] of [...reasonsSeen].sort((a, b) => b[1] - a[1]))
    process.stdout.write(`  ${String(n).padStart(5)}  ${reason}\n`);
  if (limits.length > 0) {
    process.stdout.write(
      `\n${limits.length} record(s) that a format cannot carry as they are (documented limits):\n`,
    );
    for (const l of limits) process.stdout.write(`  ${l}\n`);
  }
  if (failures.length > 0) {
    process.stdout.write(`\n${failures.length} failure(s):\n`);
    for (const f of failures) process.stdout.write(`  ${f}\n`);
    return 1;
  }
  process.stdout.write(
    "\ncorpus suite: every record agrees with yaz or is explained; every clean record round-trips\n",
  );
  return 0;
}

try {
  process.exitCode = await main();
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
