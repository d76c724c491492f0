/**
 * The matching quality suite: every match method on NatLibFi's match / non-match pairs
 * (`melinda-record-matching/test-fixtures/match-detection/index/NN/`: `recordA.json`,
 * `recordB.json` — one record or a list — and `metadata.json` with the expected `match`).
 *
 * Each pair gets a zone of its own in a scratch SQLite catalog holding record B (initial
 * normalization, then stored as the importer stores a new record); record A, normalized the same
 * way, is matched there, and the method says "match" when it finds B. Precision and recall per
 * method are printed, and the suite fails when one drops below its floor in {@link FLOORS} (the
 * figures reached when the suite was written; `docs/match-methods.md` explains them). Authority
 * pairs (strategy type `auth`) are left out: the methods are for bibliographic records.
 *
 * Then Title and author on real records: every bibliographic ISO 2709 record of the corpus in one
 * zone, and for each pair of records sharing an OCLC number, whether one finds the other (recall;
 * there is no truth for the other records it finds, so they are only counted).
 *
 * The records are Melinda JSON (marc-record-js: `{ leader, fields: [{ tag, value } |
 * { tag, ind1, ind2, subfields: [{ code, value }] }] }`), read by {@link melindaRecord} below:
 * src/marc has no reader for it (it is not an exchange format), and this suite is its only user.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { Catalog } from "../../src/catalog/catalog.js";
import { openCatalog } from "../../src/catalog/open.js";
import { initialNormalization } from "../../src/import/initial-normalization.js";
import { runMatchMethod } from "../../src/import/match.js";
import type { MatchMethodName, MatchStepName } from "../../src/import/profile.js";
import { readIso2709Buffer } from "../../src/marc/iso2709.js";
import type { DataField, Field, MarcRecord } from "../../src/marc/record.js";
import { matchKeysOf } from "../../src/import/match.js";
import { BIB_TYPES } from "./merge.js";

const PAIRS = "melinda-record-matching/test-fixtures/match-detection/index";

/** The methods measured; Multi-step with the order a library would use. */
const RUNS: readonly { label: string; method: MatchMethodName; steps?: MatchStepName[] }[] = [
  { label: "Title and author", method: "Title and author" },
  { label: "Unique OCLC Identifier", method: "Unique OCLC Identifier" },
  { label: "035 (Other System Identifier)", method: "035 (Other System Identifier)" },
  { label: "ISBN/ISSN", method: "ISBN/ISSN" },
  { label: "024 / 035", method: "024 / 035" },
  { label: "001 to MMS ID", method: "001 to MMS ID" },
  {
    label: "Multi-step (OCLC, ISBN/ISSN, Title and author)",
    method: "Multi-step",
    steps: ["Unique OCLC Identifier", "ISBN/ISSN", "Title and author"],
  },
];

/**
 * The floors: the suite fails when a method's precision or recall drops below these (the
 * figures reached; a method that never says "match" has no precision, so only recall is kept).
 */
export const FLOORS: Readonly<Record<string, { precision?: number; recall: number }>> = {
  "Title and author": { precision: 0.47, recall: 0.9 },
  "Unique OCLC Identifier": { recall: 0 },
  "035 (Other System Identifier)": { precision: 0.67, recall: 0.2 },
  "ISBN/ISSN": { precision: 0.6, recall: 0.9 },
  "024 / 035": { precision: 0.67, recall: 0.2 },
  "001 to MMS ID": { recall: 0 },
  "Multi-step (OCLC, ISBN/ISSN, Title and author)": { precision: 0.48, recall: 1 },
};

/**
 * Title and author's recall on real records: corpus records that share an OCLC number (the same
 * WorldCat record, catalogued or exported differently — many of them the clean and the damaged
 * copies of marc4j's Pride and prejudice set) should find each other by title, author and year.
 * The floor is the figure reached.
 */
export const REAL_PAIRS_RECALL_FLOOR = 0.79;

/** What the matching check found. */
export interface MatchingCheck {
  readonly pairs: number;
  readonly table: readonly string[];
  readonly failures: readonly string[];
}

/** A Melinda JSON record as a MarcRecord; throws with the file and field when the shape is wrong. */
export function melindaRecord(json: unknown, where: string): MarcRecord {
  const fail = (what: string): never => {
    throw new Error(`${where}: ${what}`);
  };
  if (typeof json !== "object" || json === null) return fail("not a record object");
  const { leader, fields } = json as { leader?: unknown; fields?: unknown };
  if (typeof leader !== "string") return fail("no leader string");
  if (!Array.isArray(fields)) return fail("no fields list");
  const out: Field[] = (fields as unknown[]).map((raw, i): Field => {
    const field = raw as { tag?: unknown; value?: unknown; ind1?: unknown; ind2?: unknown };
    const subfields = (raw as { subfields?: unknown }).subfields;
    if (typeof field.tag !== "string") return fail(`field ${i + 1}: no tag`);
    if (typeof field.value === "string") return { tag: field.tag, value: field.value };
    if (!Array.isArray(subfields))
      return fail(`field ${i + 1} (${field.tag}): no value or subfields`);
    const indicator = (v: unknown): string => (typeof v === "string" && v.length === 1 ? v : " ");
    const data: DataField = {
      tag: field.tag,
      ind1: indicator(field.ind1),
      ind2: indicator(field.ind2),
      // A subfield without a value (case 13 "valueless subfield") is an empty one.
      subfields: (subfields as { code?: unknown; value?: unknown }[]).map((s, j) => {
        if (typeof s.code !== "string")
          return fail(`field ${i + 1} (${field.tag}) subfield ${j + 1}: no code`);
        return { code: s.code, value: typeof s.value === "string" ? s.value : "" };
      }),
    };
    return data;
  });
  return { leader, fields: out };
}

interface Pair {
  readonly name: string;
  readonly a: MarcRecord;
  readonly b: MarcRecord;
  readonly match: boolean;
}

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, "utf8")) as unknown;
}

/** The bibliographic pairs (a list of B records gives one pair each, with its own expectation). */
function pairs(corpus: string): { pairs: Pair[]; skipped: string[] } {
  const out: Pair[] = [];
  const skipped: string[] = [];
  const root = join(corpus, PAIRS);
  for (const name of readdirSync(root).sort()) {
    const dir = join(root, name);
    const metadata = readJson(join(dir, "metadata.json")) as {
      options?: { strategy?: { type?: string } };
      expectedResults?: { match?: boolean } | { match?: boolean }[];
    };
    if (metadata.options?.strategy?.type !== "bib") {
      skipped.push(name);
      continue;
    }
    const a = melindaRecord(readJson(join(dir, "recordA.json")), `${PAIRS}/${name}/recordA.json`);
    const bJson = readJson(join(dir, "recordB.json"));
    const bs = Array.isArray(bJson) ? (bJson as unknown[]) : [bJson];
    const expected = Array.isArray(metadata.expectedResults)
      ? metadata.expectedResults
      : [metadata.expectedResults];
    bs.forEach((b, i) => {
      const match = expected[i]?.match;
      if (typeof match !== "boolean")
        throw new Error(`${PAIRS}/${name}: no expected match for record B ${i + 1}`);
      out.push({
        name: bs.length > 1 ? `${name}/${i + 1}` : name,
        a,
        b: melindaRecord(b, `${PAIRS}/${name}/recordB.json`),
        match,
      });
    });
  }
  return { pairs: out, skipped };
}

const ratio = (n: number, d: number): number | undefined => (d === 0 ? undefined : n / d);
const show = (x: number | undefined): string => (x === undefined ? "—" : x.toFixed(2));

/** Title and author on the corpus records that share an OCLC number: table lines, failures. */
async function checkRealPairs(
  corpus: string,
  paths: readonly string[],
  catalog: Catalog,
): Promise<{ lines: string[]; failures: string[] }> {
  const seen = new Set<string>();
  const records: MarcRecord[] = [];
  for (const path of paths) {
    for (const r of readIso2709Buffer(readFileSync(join(corpus, path)))) {
      if (!r.record || !BIB_TYPES.includes(r.record.leader.charAt(6))) continue;
      const record = initialNormalization(r.record).record;
      const text = JSON.stringify(record);
      if (seen.has(text)) continue;
      seen.add(text);
      records.push(record);
    }
  }
  const zone = await catalog.addInstitution({ code: "01REAL", name: "corpus records" });
  const { mmsIds } = await catalog.createMany(
    records.map((marc) => ({ kind: "create", zone: zone.code, marc, controlNumber: "mms-id" })),
    { savedBy: "corpus", action: "load" },
  );
  const byOclc = new Map<string, number[]>();
  records.forEach((record, i) => {
    for (const key of matchKeysOf(record)) {
      if (key.kind !== "oclc") continue;
      const group = byOclc.get(key.value) ?? [];
      group.push(i);
      byOclc.set(key.value, group);
    }
  });
  let pairs = 0;
  let found = 0;
  let others = 0;
  let runs = 0;
  for (const group of byOclc.values()) {
    if (group.length < 2) continue;
    const ids = new Set(group.map((i) => mmsIds[i]!));
    for (const i of group) {
      const result = await runMatchMethod({ method: "Title and author" }, records[i]!, catalog, [
        zone.code,
      ]);
      runs++;
      for (const j of group) {
        if (j === i) continue;
        pairs++;
        if (result.mmsIds.includes(mmsIds[j]!)) found++;
      }
      others += result.mmsIds.filter((id) => !ids.has(id)).length;
    }
  }
  const recall = ratio(found, pairs) ?? 0;
  const lines = [
    `Title and author on real records: ${records.length} bibliographic records of the corpus, ${pairs} ordered pairs sharing an OCLC number: ${found} found, recall ${show(recall)}; ${others} other record(s) found in ${runs} runs (no truth known)`,
  ];
  const failures =
    Math.round(recall * 100) / 100 < REAL_PAIRS_RECALL_FLOOR
      ? [
          `matching: Title and author recall on real records ${show(recall)} < ${REAL_PAIRS_RECALL_FLOOR}`,
        ]
      : [];
  return { lines, failures };
}

/**
 * Runs every method on every pair in a scratch catalog under `scratch`, then Title and author on
 * the corpus records (`paths`, ISO 2709 files relative to `corpus`).
 */
export async function checkMatching(
  corpus: string,
  paths: readonly string[],
  scratch: string,
): Promise<MatchingCheck> {
  const { pairs: all, skipped } = pairs(corpus);
  const opened = await openCatalog({ data: join(scratch, "matching") });
  if (!opened.catalog) throw new Error(opened.error);
  const catalog: Catalog = opened.catalog;
  const failures: string[] = [];
  const table: string[] = [];
  try {
    const stored: { zone: string; mmsId: string }[] = [];
    for (const [i, pair] of all.entries()) {
      const zone = await catalog.addInstitution({ code: `01PAIR${i + 1}`, name: pair.name });
      const result = await catalog.commit({
        change: {
          kind: "create",
          zone: zone.code,
          marc: initialNormalization(pair.b).record,
          controlNumber: "mms-id",
        },
        context: { savedBy: "corpus", action: "create" },
      });
      stored.push({ zone: zone.code, mmsId: result.mmsId! });
    }
    const header = ["method", "TP", "FP", "FN", "TN", "precision", "recall", "wrong"];
    const rows: string[][] = [header];
    for (const run of RUNS) {
      let tp = 0;
      let fp = 0;
      let fn = 0;
      let tn = 0;
      const wrong: string[] = [];
      for (const [i, pair] of all.entries()) {
        const { zone, mmsId } = stored[i]!;
        const result = await runMatchMethod(
          { method: run.method, ...(run.steps ? { steps: run.steps } : {}) },
          initialNormalization(pair.a).record,
          catalog,
          [zone],
        );
        const found = result.mmsIds.includes(mmsId);
        if (found && pair.match) tp++;
        else if (found) fp++;
        else if (pair.match) fn++;
        else tn++;
        if (found !== pair.match) wrong.push(`${pair.name}${found ? "+" : "-"}`);
      }
      const precision = ratio(tp, tp + fp);
      const recall = ratio(tp, tp + fn) ?? 0;
      rows.push([
        run.label,
        String(tp),
        String(fp),
        String(fn),
        String(tn),
        show(precision),
        show(recall),
        wrong.join(" "),
      ]);
      const floor = FLOORS[run.label];
      if (!floor) failures.push(`matching: ${run.label} has no floor in FLOORS`);
      else {
        // Two decimals, as printed and as the floors are written.
        const p = precision === undefined ? undefined : Math.round(precision * 100) / 100;
        if (floor.precision !== undefined && (p === undefined || p < floor.precision)) {
          failures.push(`matching: ${run.label} precision ${show(precision)} < ${floor.precision}`);
        }
        if (Math.round(recall * 100) / 100 < floor.recall) {
          failures.push(`matching: ${run.label} recall ${show(recall)} < ${floor.recall}`);
        }
      }
    }
    const widths = header.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
    for (const r of rows) {
      table.push(
        r
          .map((cell, c) =>
            c === 0 || c === 7 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!),
          )
          .join("  ")
          .trimEnd(),
      );
    }
    const real = await checkRealPairs(corpus, paths, catalog);
    failures.push(...real.failures);
    table.push(
      `(${all.length} pairs: ${all.filter((p) => p.match).length} expected matches; authority cases ${skipped.join(", ")} left out; "wrong": + a false match, - a missed one)`,
      "",
      ...real.lines,
    );
  } finally {
    await catalog.close();
  }
  return { pairs: all.length, table, failures };
}
