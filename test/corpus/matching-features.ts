/**
 * NatLibFi's per-feature pairs (`melinda-record-matching/test-fixtures/match-detection/features/
 * bib/<feature>/NN/metadata.json`, type `compare`) against the checks of the validation stage
 * (`src/import/match/resource-checks.ts`): each fixture gives the feature of two records and
 * the points Melinda's matcher gives them — positive when they agree, negative when they
 * conflict, 0 when the feature says nothing. Each is turned into two small records and the check
 * of the same meaning is run on them: a positive score should be `same`, a negative one
 * `differs`; 0 is not scored. The features of Title and author (`title`, `authors`), the host's
 * details (`f773`, another representation) and `language` (Melinda reads `041`, the check
 * 008/35-37) have no such check and are counted as left out.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { compareResources, type ResourceCheck } from "../../src/import/match/resource-checks.js";
import type { DataField, Field, MarcRecord } from "../../src/marc/record.js";
import { melindaRecord } from "./matching.js";

const FEATURES = "melinda-record-matching/test-fixtures/match-detection/features/bib";

/** A feature's values as the fields of a record, and the check that compares them. */
interface Adapter {
  readonly check: ResourceCheck;
  /** The record's leader and fields made from one side's feature values. */
  readonly record: (values: readonly unknown[]) => MarcRecord;
}

const LEADER = "00000cam a2200000 a 4500";
const field = (tag: string, subfields: [string, string][]): DataField => ({
  tag,
  ind1: " ",
  ind2: " ",
  subfields: subfields.map(([code, value]) => ({ code, value })),
});
const strings = (values: readonly unknown[]): string[] =>
  values.filter((v): v is string => typeof v === "string");
/** Fields given as Melinda JSON, read as the corpus suite reads Melinda records. */
const fields = (values: readonly unknown[], where: string): readonly Field[] =>
  melindaRecord({ leader: LEADER, fields: values }, where).fields;

const ADAPTERS: Readonly<Record<string, Adapter>> = {
  "record-type": {
    check: "record-type",
    record: (v) => ({ leader: `00000c${strings(v)[0] ?? " "}m a2200000 a 4500`, fields: [] }),
  },
  "bibliographic-level": {
    check: "bibliographic-level",
    record: (v) => ({ leader: `00000ca${strings(v)[0] ?? " "} a2200000 a 4500`, fields: [] }),
  },
  issn: {
    check: "issn",
    record: (v) => ({ leader: LEADER, fields: strings(v).map((x) => field("022", [["a", x]])) }),
  },
  "publisher-number": {
    check: "publisher-number",
    record: (v) => ({ leader: LEADER, fields: strings(v).map((x) => field("028", [["a", x]])) }),
  },
  "publication-time-allow-cons-years": {
    check: "dates",
    // Melinda allows consecutive years only for prepublication records; its fixtures are such.
    record: (v) => ({
      leader: "00000cam a22000008a 4500",
      fields: [
        {
          tag: "008",
          value: `260101s${(strings(v)[0] ?? "    ").padEnd(4).slice(0, 4)}    xx      r     000 0 und d`,
        },
      ],
    }),
  },
  "media-type": {
    check: "carrier",
    record: (v) => ({ leader: LEADER, fields: strings(v).map((x) => field("337", [["b", x]])) }),
  },
  sid: { check: "system-number", record: (v) => ({ leader: LEADER, fields: fields(v, "sid") }) },
  "all-source-ids": {
    check: "system-number",
    record: (v) => ({
      leader: LEADER,
      fields: v.flatMap((x) => {
        const { sourceDb, sourceId } = (x ?? {}) as { sourceDb?: unknown; sourceId?: unknown };
        return typeof sourceDb === "string" && typeof sourceId === "string"
          ? [
              field("SID", [
                ["c", sourceId],
                ["b", sourceDb],
              ]),
            ]
          : [];
      }),
    }),
  },
  isbn: { check: "isbn", record: (v) => ({ leader: LEADER, fields: fields(v, "isbn") }) },
};

/** What the comparison of the feature pairs found. */
export interface FeatureCheck {
  readonly lines: readonly string[];
  readonly agree: number;
  readonly scored: number;
  readonly disagreements: readonly string[];
}

/** Runs every `compare` fixture of a feature the checks cover; the table lines and counts. */
export function checkFeatures(corpus: string): FeatureCheck {
  const root = join(corpus, FEATURES);
  const rows: string[] = [];
  const disagreements: string[] = [];
  const leftOut: string[] = [];
  let agree = 0;
  let scored = 0;
  for (const feature of readdirSync(root).sort()) {
    const adapter = ADAPTERS[feature];
    const cases = readdirSync(join(root, feature)).sort();
    const fixtures = cases
      .map((name) => ({
        name,
        meta: JSON.parse(readFileSync(join(root, feature, name, "metadata.json"), "utf8")) as {
          type?: string;
          expectedPoints?: number;
          featuresA?: unknown[];
          featuresB?: unknown[];
        },
      }))
      .filter((f) => f.meta.type === "compare");
    if (!adapter) {
      if (fixtures.length > 0) leftOut.push(`${feature} (${fixtures.length})`);
      continue;
    }
    let [ok, n, neutral] = [0, 0, 0];
    for (const { name, meta } of fixtures) {
      const points = meta.expectedPoints ?? 0;
      if (points === 0) {
        neutral++;
        continue;
      }
      const a = adapter.record(meta.featuresA ?? []);
      const b = adapter.record(meta.featuresB ?? []);
      const result = compareResources(a, b).find((p) => p.check === adapter.check)!;
      const expected = points > 0 ? "same" : "differs";
      n++;
      if (result.result === expected) ok++;
      else disagreements.push(`${feature}/${name}: ${points} → ${result.result} (${result.text})`);
    }
    agree += ok;
    scored += n;
    rows.push(
      `  ${feature} → ${adapter.check}: ${ok} of ${n} agree, ${neutral} neutral (0 points)`,
    );
  }
  return {
    lines: [
      `NatLibFi's feature pairs against the checks: ${agree} of ${scored} scored pairs agree (a positive score is "same", a negative one "differs"):`,
      ...rows,
      ...disagreements.map((d) => `  disagrees: ${d}`),
      `  left out (no check of that meaning): ${leftOut.join(", ")}`,
    ],
    agree,
    scored,
    disagreements,
  };
}
