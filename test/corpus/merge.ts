/**
 * The merge rules on real records: every merge-rule file of ../shared/research/alma-rules
 * (`*merge*`) and the four predefined methods, run on pairs of corpus records.
 *
 * Pairs, each both ways round (primary = the existing record, secondary = the incoming one):
 * - two bibliographic records of the corpus that share an OCLC number and differ;
 * - each bibliographic record with an OCLC number against a local copy of itself: an MMS ID as
 *   001, and the fields a library adds (035 9_, a 500 with $5, 590, 690, 949, 980).
 *
 * Every run must parse and merge without throwing, keep the primary's 001 and no other, hold
 * only fields of the two records (the secondary's at most once each), log one entry per action,
 * and keep tag order when both records are in tag order. For six methods the result is also
 * compared with what the method's words say it must be, worked out here independently of the
 * interpreter (see EXPECTATIONS).
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { extractMatchKeys } from "../../src/marc/match-keys.js";
import { readIso2709Buffer } from "../../src/marc/iso2709.js";
import {
  isControlField,
  isDataField,
  tagMatches,
  type DataField,
  type Field,
  type MarcRecord,
} from "../../src/marc/record.js";
import type { Rule } from "../../src/rules/ast.js";
import { mergeRecords } from "../../src/rules/merge.js";
import { parseRules } from "../../src/rules/parser.js";
import { PREDEFINED_MERGE_METHODS } from "../../src/rules/predefined-merge.js";

/** What the merge check found. */
export interface MergeCheck {
  readonly pairs: number;
  readonly runs: number;
  /** One line per method: its actions and what they did over all pairs. */
  readonly table: readonly string[];
  readonly failures: readonly string[];
}

interface Pair {
  readonly name: string;
  readonly primary: MarcRecord;
  readonly secondary: MarcRecord;
}

function key(f: Field): string {
  return isControlField(f)
    ? `${f.tag} ${f.value}`
    : `${f.tag} ${f.ind1}${f.ind2} ${f.subfields.map((s) => `$${s.code}${s.value}`).join("")}`;
}

function inTagOrder(fields: readonly Field[]): boolean {
  return fields.every((f, i) => i === 0 || fields[i - 1]!.tag <= f.tag);
}

function data(tag: string, ind: string, ...subfields: string[]): DataField {
  return {
    tag,
    ind1: ind[0]!,
    ind2: ind[1]!,
    subfields: subfields.map((s) => ({ code: s[0]!, value: s.slice(1) })),
  };
}

/** A record with fields put in by tag (after those of the same tag). */
function withFields(record: MarcRecord, added: readonly Field[]): MarcRecord {
  const fields = [...record.fields];
  for (const f of added) {
    const at = fields.findIndex((g) => g.tag > f.tag);
    fields.splice(at < 0 ? fields.length : at, 0, f);
  }
  return { leader: record.leader, fields };
}

/** The record as a library's catalog holds it: its MMS ID as 001 and some local fields. */
function localCopy(record: MarcRecord, n: number): MarcRecord {
  const mmsId = `99${String(n).padStart(10, "0")}0001`;
  const fields = record.fields.filter((f) => f.tag !== "001");
  return withFields({ leader: record.leader, fields }, [
    { tag: "001", value: mmsId },
    data("035", "9 ", `aLOCAL-${n}`),
    data("500", "  ", "aBookplate of the Smith fund.", "5MH"),
    data("590", "  ", "aLocal copy note."),
    data("690", " 4", "aLocal subject."),
    data("949", "  ", `aCALL ${n}`, "bmain"),
    data("980", "  ", "aorder 17"),
  ]);
}

/** leader/06 values of bibliographic records. */
export const BIB_TYPES = "acdefgijkmoprt";

/** The corpus pairs. */
function pairs(corpus: string, paths: readonly string[]): Pair[] {
  const byOclc = new Map<string, { where: string; record: MarcRecord }[]>();
  const out: Pair[] = [];
  let n = 0;
  for (const path of paths) {
    let index = 0;
    for (const r of readIso2709Buffer(readFileSync(join(corpus, path)))) {
      const where = `${path}#${index++}`;
      if (!r.record || !BIB_TYPES.includes(r.record.leader.charAt(6))) continue;
      const oclc = extractMatchKeys(r.record).find((k) => k.kind === "oclc");
      if (!oclc) continue;
      const local = localCopy(r.record, ++n);
      out.push({ name: `${where} local copy ← itself`, primary: local, secondary: r.record });
      out.push({ name: `${where} ← its local copy`, primary: r.record, secondary: local });
      const group = byOclc.get(oclc.value) ?? [];
      group.push({ where, record: r.record });
      byOclc.set(oclc.value, group);
    }
  }
  for (const group of byOclc.values()) {
    const distinct = [...new Map(group.map((g) => [JSON.stringify(g.record), g])).values()];
    for (let i = 1; i < distinct.length; i++) {
      const a = distinct[i - 1]!;
      const b = distinct[i]!;
      out.push({ name: `${a.where} ← ${b.where}`, primary: a.record, secondary: b.record });
      out.push({ name: `${b.where} ← ${a.where}`, primary: b.record, secondary: a.record });
    }
  }
  return out;
}

// ------------------------------------------------------------------ expectations

/** What a method must give: the fields (in any order) and the leader. */
interface Expected {
  readonly fields: readonly Field[];
  readonly leader: string;
}

/**
 * The primary's fields that `keep` keeps, and the secondary's that `take` takes, less those
 * identical to a kept one (marcgate adds no field the primary has already) and less its 001.
 */
function expect(
  pair: Pair,
  keep: (f: Field) => boolean,
  take: (f: Field) => boolean,
  leader: "primary" | "secondary",
): Expected {
  const kept = pair.primary.fields.filter((f) => f.tag === "001" || keep(f));
  const keptKeys = new Set(kept.map(key));
  const taken = pair.secondary.fields.filter(
    (f) => f.tag !== "001" && take(f) && !keptKeys.has(key(f)),
  );
  return {
    fields: [...kept, ...taken],
    leader: leader === "primary" ? pair.primary.leader : pair.secondary.leader,
  };
}

function tagIn(f: Field, ...patterns: string[]): boolean {
  return patterns.some((p) => tagMatches(f.tag, p));
}

function is035Local(f: Field): boolean {
  return f.tag === "035" && isDataField(f) && f.ind1 === "9" && f.ind2 === " ";
}

function hasOclcA(f: Field): boolean {
  return isDataField(f) && f.subfields.some((s) => s.code === "a" && s.value.includes("OCoLC"));
}

const UMICH_9XX = "914,929,937,949,958,959,966,980,981,997,998".split(",");

/** The methods whose result is worked out here from their words, by file or method name. */
const EXPECTATIONS: Readonly<Record<string, (pair: Pair) => Expected>> = {
  "Keep only old value": (p) =>
    expect(
      p,
      () => true,
      () => false,
      "primary",
    ),
  "harvard-merge-sys-batch-preferlocal.txt": (p) =>
    expect(
      p,
      () => true,
      () => false,
      "primary",
    ),
  "harvard-merge-sys-ebookplates.txt": (p) =>
    expect(
      p,
      () => true,
      (f) => f.tag === "911",
      "primary",
    ),
  // The existing 001, 9XX and 035 9_; every incoming field but 001 and 9XX.
  "Overlay all fields but local": (p) =>
    expect(
      p,
      (f) => tagIn(f, "9XX") || is035Local(f),
      (f) => !tagIn(f, "9XX"),
      "secondary",
    ),
  // The existing 001, 245 and 035s with OCoLC in $a or 9_; every incoming field but 001.
  "Replace 245 and 035 OCLC if exist": (p) =>
    expect(
      p,
      (f) => f.tag === "245" || (f.tag === "035" && (hasOclcA(f) || is035Local(f))),
      () => true,
      "secondary",
    ),
  // The existing 001, 035, 65X, 7XX, 9XX; every incoming field but 001, 035 and 9XX.
  "Conditional subject headings": (p) =>
    expect(
      p,
      (f) => tagIn(f, "035", "65X", "7XX", "9XX"),
      (f) => !tagIn(f, "035", "9XX"),
      "secondary",
    ),
  // UMich "OCLC Connexion": the existing 001, 501, 533, 540, 590 and the listed 9XX stay; its
  // 035s with OCoLC in $a (not 9_) give way to the incoming 035s (not 9_), when it has such
  // an 035; everything else comes from the incoming record, with its 59X, 501, 533, 966, 998.
  "umich-merge-oclc-connexion.txt": (p) => {
    const oclc035 = (f: Field): boolean => f.tag === "035" && hasOclcA(f) && !is035Local(f);
    const replace035 = p.primary.fields.some(oclc035);
    return expect(
      p,
      (f) =>
        tagIn(f, "501", "533", "540", "590", ...UMICH_9XX) ||
        (f.tag === "035" && !(replace035 && oclc035(f))),
      (f) =>
        (f.tag === "035" ? replace035 && !is035Local(f) : !tagIn(f, "540", "9XX")) ||
        tagIn(f, "966", "998"),
      "primary",
    );
  },
};

function sameAs(result: MarcRecord, expected: Expected): string | undefined {
  if (result.leader !== expected.leader)
    return `leader "${result.leader}", expected "${expected.leader}"`;
  const got = result.fields.map(key).sort();
  const want = expected.fields.map(key).sort();
  const missing = want.filter((k) => !got.includes(k));
  const extra = got.filter((k) => !want.includes(k));
  if (got.length === want.length && missing.length === 0) return undefined;
  return `${got.length} fields, expected ${want.length}; missing ${JSON.stringify(missing.slice(0, 3))}, extra ${JSON.stringify(extra.slice(0, 3))}`;
}

// ------------------------------------------------------------------ the check

/** Everything every merge must keep to, whatever its rules. */
function invariants(pair: Pair, rules: readonly Rule[], result: MarcRecord): string | undefined {
  const own001 = pair.primary.fields.filter((f) => f.tag === "001");
  const got001 = result.fields.filter((f) => f.tag === "001");
  if (got001.length !== own001.length || got001.some((f, i) => f !== own001[i]))
    return `001: ${got001.map(key).join(" | ")}, expected the primary's ${own001.map(key).join(" | ")}`;
  const seen = new Set<Field>();
  for (const f of result.fields) {
    if (seen.has(f)) return `field ${key(f)} twice`;
    seen.add(f);
    if (!pair.primary.fields.includes(f) && !pair.secondary.fields.includes(f))
      return `field ${key(f)} from neither record`;
  }
  if (
    inTagOrder(pair.primary.fields) &&
    inTagOrder(pair.secondary.fields) &&
    !inTagOrder(result.fields)
  )
    return `not in tag order: ${result.fields.map((f) => f.tag).join(" ")}`;
  if (rules.some((r) => r.when.kind !== "merge")) return "a rule that is not a merge rule";
  return undefined;
}

/** The merge files (`*merge*`) of a rules folder, and the predefined methods, by name. */
function methods(rulesDir: string): { name: string; text: string }[] {
  const files = readdirSync(rulesDir)
    .filter((f) => f.includes("merge") && f.endsWith(".txt"))
    .sort()
    .map((f) => ({ name: f, text: readFileSync(join(rulesDir, f), "utf8") }));
  const predefined = Object.entries(PREDEFINED_MERGE_METHODS).map(([name, text]) => ({
    name,
    text,
  }));
  return [...files, ...predefined];
}

/**
 * Runs every merge method on every pair of the corpus files (paths relative to `corpus`).
 *
 * @example
 * ```ts
 * const check = checkMerge(CORPUS, RULES, ["marc4j/pride-and-prejudice-fixed.mrc"]);
 * check.failures; // []
 * ```
 */
export function checkMerge(corpus: string, rulesDir: string, paths: readonly string[]): MergeCheck {
  const all = pairs(corpus, paths);
  const failures: string[] = [];
  const table: string[] = [];
  let runs = 0;
  const expectedFiles = Object.keys(EXPECTATIONS);
  const found = methods(rulesDir);
  for (const name of expectedFiles) {
    if (!found.some((m) => m.name === name))
      failures.push(`merge: ${name} has expectations but was not found`);
  }
  for (const method of found) {
    const parsed = parseRules(method.text);
    for (const e of parsed.errors)
      failures.push(`merge: ${method.name}:${e.at.line}:${e.at.column}: ${e.message}`);
    const actions = parsed.rules.reduce((n, r) => n + Math.max(1, r.actions.length), 0);
    const expectation = EXPECTATIONS[method.name];
    let removed = 0;
    let added = 0;
    let skipped = 0;
    let compared = 0;
    for (const pair of all) {
      runs++;
      const where = `merge: ${method.name} on ${pair.name}`;
      try {
        const { record, log } = mergeRecords(pair.primary, pair.secondary, parsed.rules);
        if (log.length !== actions)
          failures.push(`${where}: ${log.length} log entries for ${actions} actions`);
        for (const entry of log) {
          if (entry.message.startsWith("skipped")) skipped++;
          for (const m of entry.message.matchAll(
            /(removed from the primary|added from the secondary): ([^;]*)/g,
          )) {
            const count = m[2]!
              .split(", ")
              .reduce((s, t) => s + Number(/×(\d+)/.exec(t)?.[1] ?? 1), 0);
            if (m[1] === "removed from the primary") removed += count;
            else added += count;
          }
        }
        const broken = invariants(pair, parsed.rules, record);
        if (broken) failures.push(`${where}: ${broken}`);
        if (expectation) {
          compared++;
          const differs = sameAs(record, expectation(pair));
          if (differs) failures.push(`${where}: ${differs}`);
        }
      } catch (error) {
        failures.push(`${where}: threw ${error instanceof Error ? error.stack : String(error)}`);
      }
    }
    table.push(
      `  ${method.name.padEnd(45)} ${String(actions).padStart(4)} actions; over all pairs ${String(removed).padStart(6)} fields removed, ${String(added).padStart(6)} added, ${String(skipped).padStart(6)} actions skipped${expectation ? `; ${compared} results as expected by the method's words` : ""}`,
    );
  }
  return { pairs: all.length, runs, table, failures };
}
