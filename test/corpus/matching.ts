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
import type { DataField, Field, MarcRecord } from "../../src/marc/record.js";
import { checkFeatures } from "./matching-features.js";
import {
  corpusBibs,
  measureDerivedPairs,
  measureRealPairs,
  type MethodRun,
} from "./matching-real.js";

const PAIRS = "melinda-record-matching/test-fixtures/match-detection/index";

/** The methods measured; Multi-step with the order a library would use. */
const RUNS: readonly MethodRun[] = [
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
  "Title and author": { precision: 0.7, recall: 0.7 },
  "Unique OCLC Identifier": { recall: 0 },
  "035 (Other System Identifier)": { precision: 1, recall: 0.2 },
  "ISBN/ISSN": { precision: 0.86, recall: 0.6 },
  "024 / 035": { precision: 1, recall: 0.2 },
  "001 to MMS ID": { recall: 0 },
  "Multi-step (OCLC, ISBN/ISSN, Title and author)": { precision: 0.7, recall: 0.7 },
};

/**
 * The floors on the real pairs (`matching-real.ts`): precision and recall per method, the
 * figures reached. The targets are printed beside them ({@link TARGETS}).
 */
export const REAL_FLOORS: Readonly<Record<string, { precision?: number; recall: number }>> = {
  "Title and author": { precision: 1, recall: 0.83 },
  // Two records of one OCLC number are held: a book and a sound recording with a 773.
  "Unique OCLC Identifier": { precision: 1, recall: 0.99 },
  "035 (Other System Identifier)": { precision: 1, recall: 0.56 },
  "ISBN/ISSN": { precision: 1, recall: 0.76 },
  "024 / 035": { precision: 1, recall: 0.58 },
  "001 to MMS ID": { recall: 0 },
  "Multi-step (OCLC, ISBN/ISSN, Title and author)": { precision: 1, recall: 0.87 },
};

/** How many of NatLibFi's scored feature pairs the checks agree with, at least (`matching-features.ts`). */
const FEATURE_AGREEMENT_FLOOR = 29;

/** How many corpus books the derived pairs are made of. */
const DERIVED_SAMPLE = 300;
/** The share of edited copies (derived pair 6) a floored method must merge. */
const DERIVED_SAME_FLOOR = 0.95;
/** The methods that find every edited copy (the others need the record to have their key). */
const FUZZY = new Set(["Title and author", "Multi-step (OCLC, ISBN/ISSN, Title and author)"]);
/** The methods held to no wrong merge on the derived pairs. */
const FLOORED = new Set([
  "Title and author",
  "ISBN/ISSN",
  "Multi-step (OCLC, ISBN/ISSN, Title and author)",
]);

/** The quality the matching aims at: precision ≥ 0.95 at recall ≥ 0.90. */
const TARGETS: Readonly<Record<string, { precision: number; recall: number }>> = {
  "Title and author": { precision: 0.95, recall: 0.9 },
  "Multi-step (OCLC, ISBN/ISSN, Title and author)": { precision: 0.95, recall: 0.9 },
  "Unique OCLC Identifier": { precision: 1, recall: 0 },
};

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
function pairs(corpus: string): { pairs: Pair[]; authority: Pair[] } {
  const out: Pair[] = [];
  const authority: Pair[] = [];
  const root = join(corpus, PAIRS);
  for (const name of readdirSync(root).sort()) {
    const dir = join(root, name);
    const metadata = readJson(join(dir, "metadata.json")) as {
      options?: { strategy?: { type?: string } };
      expectedResults?: { match?: boolean } | { match?: boolean }[];
    };
    const into = metadata.options?.strategy?.type === "bib" ? out : authority;
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
      into.push({
        name: bs.length > 1 ? `${name}/${i + 1}` : name,
        a,
        b: melindaRecord(b, `${PAIRS}/${name}/recordB.json`),
        match,
      });
    });
  }
  return { pairs: out, authority };
}

const ratio = (n: number, d: number): number | undefined => (d === 0 ? undefined : n / d);
const show = (x: number | undefined): string => (x === undefined ? "—" : x.toFixed(2));

/** Precision and recall against a floor: the failures, two decimals as printed. */
function belowFloor(
  where: string,
  label: string,
  floor: { precision?: number; recall: number } | undefined,
  precision: number | undefined,
  recall: number,
): string[] {
  if (!floor) return [`matching: ${label} has no floor (${where})`];
  const out: string[] = [];
  const p = precision === undefined ? undefined : Math.round(precision * 100) / 100;
  if (floor.precision !== undefined && (p === undefined || p < floor.precision)) {
    out.push(`matching (${where}): ${label} precision ${show(precision)} < ${floor.precision}`);
  }
  if (Math.round(recall * 100) / 100 < floor.recall) {
    out.push(`matching (${where}): ${label} recall ${show(recall)} < ${floor.recall}`);
  }
  return out;
}

/** Lays out rows as a table: the first and last columns left-aligned, the others right. */
function layout(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const last = widths.length - 1;
  return rows.map((r) =>
    r
      .map((cell, c) =>
        c === 0 || c === last ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!),
      )
      .join("  ")
      .trimEnd(),
  );
}

/** Whether a method meets its target, or by how much it misses it. */
function target(label: string, precision: number | undefined, recall: number): string {
  const t = TARGETS[label];
  if (!t) return "";
  const misses = [
    ...(precision !== undefined && precision < t.precision
      ? [`precision ${(t.precision - precision).toFixed(2)} short`]
      : []),
    ...(recall < t.recall ? [`recall ${(t.recall - recall).toFixed(2)} short`] : []),
  ];
  return misses.length === 0 ? "target met" : `target missed: ${misses.join(", ")}`;
}

/** Runs the methods on pairs, each B stored in a zone of its own: the table rows and failures. */
async function measurePairs(
  catalog: Catalog,
  all: readonly Pair[],
  prefix: string,
  floors: boolean,
): Promise<{ rows: string[][]; failures: string[] }> {
  const stored: { zone: string; mmsId: string }[] = [];
  for (const [i, pair] of all.entries()) {
    const zone = await catalog.addInstitution({ code: `${prefix}${i + 1}`, name: pair.name });
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
  const rows: string[][] = [
    [
      "method",
      "TP",
      "FP",
      "FN",
      "TN",
      "held",
      "precision",
      "recall",
      "target / wrong (+ false match, - missed, ? held)",
    ],
  ];
  const failures: string[] = [];
  for (const run of RUNS) {
    let [tp, fp, fn, tn, held] = [0, 0, 0, 0, 0];
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
      const isHeld = result.held.some((h) => h.mmsId === mmsId);
      if (isHeld) held++;
      if (found && pair.match) tp++;
      else if (found) fp++;
      else if (pair.match) fn++;
      else tn++;
      if (found !== pair.match) wrong.push(`${pair.name}${found ? "+" : isHeld ? "?" : "-"}`);
    }
    const precision = ratio(tp, tp + fp);
    const recall = ratio(tp, tp + fn) ?? 0;
    rows.push([
      run.label,
      String(tp),
      String(fp),
      String(fn),
      String(tn),
      String(held),
      show(precision),
      show(recall),
      [target(run.label, precision, recall), ...wrong].filter((x) => x !== "").join(" "),
    ]);
    if (floors)
      failures.push(
        ...belowFloor("NatLibFi pairs", run.label, FLOORS[run.label], precision, recall),
      );
  }
  return { rows, failures };
}

/**
 * Runs every method on every pair in a scratch catalog under `scratch`, then on the real pairs
 * of the corpus records (`paths`, ISO 2709 files relative to `corpus`; `matching-real.ts`).
 */
export async function checkMatching(
  corpus: string,
  paths: readonly string[],
  scratch: string,
): Promise<MatchingCheck> {
  const { pairs: bib, authority } = pairs(corpus);
  const opened = await openCatalog({ data: join(scratch, "matching") });
  if (!opened.catalog) throw new Error(opened.error);
  const catalog: Catalog = opened.catalog;
  const failures: string[] = [];
  const table: string[] = [];
  try {
    const natlibfi = await measurePairs(catalog, bib, "01PAIR", true);
    failures.push(...natlibfi.failures);
    table.push(...layout(natlibfi.rows));
    table.push(
      `(${bib.length} bibliographic pairs: ${bib.filter((p) => p.match).length} expected matches; "held": sent to review by the validation stage, not merged)`,
    );
    const auth = await measurePairs(catalog, authority, "01AUTH", false);
    table.push(
      "",
      `authority pairs (${authority.length}: ${authority.filter((p) => p.match).length} expected matches), for the record — the methods are bibliographic, no floor:`,
      ...layout(auth.rows),
    );
    const features = checkFeatures(corpus);
    table.push("", ...features.lines);
    if (features.agree < FEATURE_AGREEMENT_FLOOR) {
      failures.push(
        `matching (feature pairs): ${features.agree} of ${features.scored} agree < ${FEATURE_AGREEMENT_FLOOR}`,
      );
    }
    const records = corpusBibs(corpus, paths);
    const real = await measureRealPairs(records, catalog, RUNS);
    const rows: string[][] = [
      [
        "method",
        "TP",
        "FP",
        "FN",
        "TN",
        "held same",
        "held other",
        "unknown",
        "precision",
        "recall",
        "target / wrong merges",
      ],
    ];
    for (const c of real.counts) {
      const precision = ratio(c.tp, c.tp + c.fp);
      const recall = ratio(c.tp, c.tp + c.fn) ?? 0;
      failures.push(...belowFloor("real pairs", c.label, REAL_FLOORS[c.label], precision, recall));
      rows.push([
        c.label,
        String(c.tp),
        String(c.fp),
        String(c.fn),
        String(c.tn),
        String(c.heldSame),
        String(c.heldOther),
        String(c.unknown),
        show(precision),
        show(recall),
        [target(c.label, precision, recall), ...c.wrong].filter((x) => x !== "").join(" "),
      ]);
    }
    table.push(
      "",
      `real pairs: ${records.length} bibliographic corpus records, ${real.queries} with partners; ${real.same} ordered pairs of one resource (one OCLC number), ${real.other} of two (other OCLC numbers, sharing an ISBN, ISSN or title); methods but Unique OCLC Identifier run blind (no OCLC numbers):`,
      ...layout(rows),
    );
    const derived = await measureDerivedPairs(records, catalog, RUNS, DERIVED_SAMPLE);
    const variants = [...new Set(derived.map((d) => d.variant))];
    const derivedRows: string[][] = [["method", ...variants.map((v, i) => `${i + 1}`)]];
    for (const run of RUNS) {
      const cells = variants.map((v) => {
        const d = derived.find((x) => x.label === run.label && x.variant === v)!;
        if (d.same && d.merged / d.pairs < DERIVED_SAME_FLOOR && FUZZY.has(run.label)) {
          failures.push(
            `matching (derived pairs): ${run.label} merged ${d.merged} of ${d.pairs} "${v}" (< ${DERIVED_SAME_FLOOR})`,
          );
        }
        if (!d.same && d.merged > 0 && FLOORED.has(run.label)) {
          failures.push(
            `matching (derived pairs): ${run.label} merged ${d.merged} of ${d.pairs} "${v}" into the other resource`,
          );
        }
        return `${d.merged}/${d.held}/${d.pairs}`;
      });
      derivedRows.push([run.label, ...cells]);
    }
    table.push(
      "",
      `derived pairs: ${DERIVED_SAMPLE} blind corpus books, each with copies made into another resource (1–5) or edited as the same record (6); merged/held/pairs (a merge in 1–5 is a wrong merge):`,
      ...variants.map((v, i) => `  ${i + 1}: ${v}`),
      ...layout(derivedRows),
    );
  } finally {
    await catalog.close();
  }
  return { pairs: bib.length + authority.length, table, failures };
}
