/**
 * Matching quality on real pairs built from the corpus: every bibliographic ISO 2709 record of
 * the corpus (deduplicated) in a zone, and every method run on each record that has a partner.
 *
 * The truth is WorldCat's: two records that share an OCLC number (or one's number is the other's
 * cancelled `019`) are one resource — many are the clean and the damaged copies of marc4j's
 * _Pride and prejudice_ set, re-exports and reprints of one record; two records that both have
 * OCLC numbers and share none are two resources — other editions, volumes, carriers, years of
 * one title. So that the truth is not also the answer, the methods other than Unique OCLC
 * Identifier run **blind**: on copies of the records without any OCLC number (`035` and `019`
 * holding one, an OCLC `001`/`003`), so that they must tell the resources apart by everything
 * else. Unique OCLC Identifier runs on the records as they are (its precision is 1 by this
 * truth; what it shows is its recall through cancelled numbers).
 *
 * A record's partners are the records one with it, and the records of another OCLC number that
 * share an ISBN, an ISSN or a title (the title key's title words) with it: those a method could
 * confuse it with. Each partner record is matched against the zone without itself (the look-ups
 * leave its own copy out, as if it were arriving); a method "says match" for the records in its
 * validated result, and "holds" those it sends to review.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Catalog } from "../../src/catalog/catalog.js";
import { initialNormalization } from "../../src/import/initial-normalization.js";
import { matchKeysOf, runMatchMethod, type MatchView } from "../../src/import/match.js";
import type { MatchMethodName, MatchStepName } from "../../src/import/profile.js";
import { readIso2709Buffer } from "../../src/marc/iso2709.js";
import { extractMatchKeys } from "../../src/marc/match-keys.js";
import {
  getControlValue,
  getDataFields,
  getFields,
  insertFieldsByTag,
  isDataField,
  subfieldValues,
  type DataField,
  type Field,
  type MarcRecord,
} from "../../src/marc/record.js";
import { BIB_TYPES } from "./merge.js";

/** One method run (a label, the method, the steps of a Multi-step). */
export interface MethodRun {
  readonly label: string;
  readonly method: MatchMethodName;
  readonly steps?: readonly MatchStepName[];
}

/** What one method did on the real pairs. */
export interface RealCounts {
  readonly label: string;
  /** Ordered pairs (query, partner): one resource and said match / not / held. */
  readonly tp: number;
  readonly fn: number;
  /** Two resources and said match (a wrong merge) / held for review / left apart. */
  readonly fp: number;
  readonly tn: number;
  readonly heldSame: number;
  readonly heldOther: number;
  /** Records found whose truth is unknown (no OCLC number). */
  readonly unknown: number;
  /** A few wrong merges, for the table. */
  readonly wrong: readonly string[];
}

/** A copy of a record without any OCLC number, so a method cannot see the truth. */
function blind(record: MarcRecord): MarcRecord {
  const oclcField = (f: MarcRecord["fields"][number]): boolean => {
    if (f.tag === "019") return true;
    if (f.tag !== "035" && f.tag !== "001") return false;
    const keys = extractMatchKeys(
      {
        leader: record.leader,
        fields: f.tag === "001" ? [f, ...record.fields.filter((g) => g.tag === "003")] : [f],
      },
      { titleKey: false },
    );
    return keys.some((k) => k.kind === "oclc" || k.kind === "oclc-cancelled");
  };
  return { leader: record.leader, fields: record.fields.filter((f) => !oclcField(f)) };
}

/** The view of the catalog without one record: as if that record were arriving. */
function without(catalog: Catalog, self: string): MatchView {
  return {
    findByKey: async (kind, value, zones) =>
      (await catalog.findByKey(kind, value, zones)).filter((id) => id !== self),
    record: (mmsId) => catalog.record(mmsId),
    search: async (query) => {
      const result = await catalog.search(query);
      const hits = result.hits.filter((h) => h.mmsId !== self);
      return { total: result.total - (result.hits.length - hits.length), hits };
    },
  };
}

interface Truth {
  readonly own: readonly string[];
  readonly cancelled: readonly string[];
}

function truthOf(record: MarcRecord): Truth {
  const keys = matchKeysOf(record);
  return {
    own: keys.filter((k) => k.kind === "oclc").map((k) => k.value),
    cancelled: keys.filter((k) => k.kind === "oclc-cancelled").map((k) => k.value),
  };
}

/** `same`: one WorldCat record; `other`: two; `unknown`: one of them has no OCLC number. */
function relation(a: Truth, b: Truth): "same" | "other" | "unknown" {
  if (a.own.length === 0 || b.own.length === 0) return "unknown";
  const meets = (x: Truth, y: Truth): boolean =>
    x.own.some((n) => y.own.includes(n) || y.cancelled.includes(n));
  return meets(a, b) || meets(b, a) ? "same" : "other";
}

/** Reads the corpus' bibliographic records, normalized as on import, each once. */
export function corpusBibs(corpus: string, paths: readonly string[]): MarcRecord[] {
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
  return records;
}

/** Each record's partners (module comment), by index. */
function partners(records: readonly MarcRecord[], truths: readonly Truth[]): Map<number, number[]> {
  const groups = new Map<string, number[]>();
  const add = (key: string, i: number): void => {
    const group = groups.get(key) ?? [];
    if (!group.includes(i)) group.push(i);
    groups.set(key, group);
  };
  records.forEach((record, i) => {
    if (truths[i]!.own.length === 0) return;
    for (const key of matchKeysOf(record)) {
      if (key.kind === "oclc" || key.kind === "isbn" || key.kind === "issn") {
        add(`${key.kind}:${key.value}`, i);
      } else if (key.kind === "title-key") {
        add(`title:${key.value.split("|")[0] ?? ""}`, i);
      }
    }
    for (const n of truths[i]!.cancelled) add(`oclc:${n}`, i);
  });
  const out = new Map<number, number[]>();
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    for (const i of group) {
      const list = out.get(i) ?? [];
      for (const j of group) if (j !== i && !list.includes(j)) list.push(j);
      out.set(i, list);
    }
  }
  return out;
}

/** Loads the records (as they are, and blind) and runs every method on every partnered record. */
export async function measureRealPairs(
  records: readonly MarcRecord[],
  catalog: Catalog,
  runs: readonly MethodRun[],
): Promise<{ counts: RealCounts[]; queries: number; same: number; other: number }> {
  const truths = records.map(truthOf);
  const real = await catalog.addInstitution({ code: "01REAL", name: "corpus records" });
  const blindZone = await catalog.addInstitution({ code: "01BLIND", name: "without OCLC numbers" });
  const load = async (zone: string, marcs: readonly MarcRecord[]): Promise<string[]> =>
    (
      await catalog.createMany(
        marcs.map((marc) => ({ kind: "create", zone, marc, controlNumber: "mms-id" })),
        { savedBy: "corpus", action: "load" },
      )
    ).mmsIds;
  const blinded = records.map(blind);
  const ids = { real: await load(real.code, records), blind: await load(blindZone.code, blinded) };
  const index = new Map<string, number>();
  ids.real.forEach((id, i) => index.set(id, i));
  ids.blind.forEach((id, i) => index.set(id, i));
  const related = partners(records, truths);
  let same = 0;
  let other = 0;
  for (const [i, list] of related) {
    for (const j of list) {
      if (relation(truths[i]!, truths[j]!) === "same") same++;
      else other++;
    }
  }
  const counts: RealCounts[] = [];
  for (const run of runs) {
    const isBlind = run.method !== "Unique OCLC Identifier";
    const zone = isBlind ? blindZone.code : real.code;
    const zoneIds = isBlind ? ids.blind : ids.real;
    let [tp, fn, fp, tn, heldSame, heldOther, unknown] = [0, 0, 0, 0, 0, 0, 0];
    const wrong: string[] = [];
    for (const [i, list] of related) {
      const self = zoneIds[i]!;
      const result = await runMatchMethod(
        { method: run.method, ...(run.steps ? { steps: run.steps } : {}) },
        isBlind ? blinded[i]! : records[i]!,
        without(catalog, self),
        [zone],
      );
      const said = new Set(result.mmsIds.map((id) => index.get(id)!));
      const held = new Set(result.held.map((h) => index.get(h.mmsId)!));
      for (const j of list) {
        const r = relation(truths[i]!, truths[j]!);
        if (r === "same") {
          if (said.has(j)) tp++;
          else fn++;
          if (held.has(j)) heldSame++;
        } else if (r === "other") {
          if (said.has(j)) {
            fp++;
            if (wrong.length < 5) wrong.push(`${truths[i]!.own[0]}→${truths[j]!.own[0]}`);
          } else tn++;
          if (held.has(j)) heldOther++;
        }
      }
      // Records found that are no partner: two resources when both have OCLC numbers.
      for (const j of said) {
        if (list.includes(j)) continue;
        const r = relation(truths[i]!, truths[j]!);
        if (r === "other") {
          fp++;
          if (wrong.length < 5) wrong.push(`${truths[i]!.own[0]}→${truths[j]!.own[0]}`);
        } else if (r === "same") tp++;
        else unknown++;
      }
    }
    counts.push({ label: run.label, tp, fn, fp, tn, heldSame, heldOther, unknown, wrong });
  }
  return { counts, queries: related.size, same, other };
}

/** A derived pair: how the second record was made from the first, and whether it is one resource. */
interface Variant {
  readonly name: string;
  readonly same: boolean;
  readonly make: (record: MarcRecord) => MarcRecord | undefined;
}

const YEAR = /(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)/g;

/** The record with 008/07-10 and the years of 260/264 `$c` moved by `by`. */
function shiftYears(record: MarcRecord, by: number): MarcRecord | undefined {
  const fixed = getControlValue(record, "008");
  if (!fixed || !/^\d{4}$/.test(fixed.slice(7, 11))) return undefined;
  const shifted = String(Number(fixed.slice(7, 11)) + by);
  return {
    leader: record.leader,
    fields: record.fields.map((f): Field => {
      if (f.tag === "008" && !isDataField(f)) {
        return { tag: "008", value: fixed.slice(0, 7) + shifted + fixed.slice(11) };
      }
      if ((f.tag === "260" || f.tag === "264") && isDataField(f)) {
        return {
          ...f,
          subfields: f.subfields.map((sf) =>
            sf.code === "c"
              ? { code: "c", value: sf.value.replace(YEAR, (y) => String(Number(y) + by)) }
              : sf,
          ),
        };
      }
      return f;
    }),
  };
}

/** The record with its 008 position set (form of item) and carrier fields replaced. */
function otherCarrier(
  record: MarcRecord,
  form: string,
  f007: string,
  media: [string, string],
  carrier: [string, string],
): MarcRecord | undefined {
  const fixed = getControlValue(record, "008");
  if (!fixed || fixed.length < 24 || record.leader.charAt(6) !== "a") return undefined;
  // A record already of that medium (an e-book, a microfilm) has no such other version here.
  const already = getFields(record, "007").some(
    (f) => !isDataField(f) && f.value.startsWith(f007.charAt(0)),
  );
  if (already || (form === "o" ? "oqs" : "abc").includes(fixed.charAt(23))) return undefined;
  const kept = record.fields.filter((f) => f.tag !== "007" && f.tag !== "337" && f.tag !== "338");
  const rda = (tag: string, [a, b]: [string, string], source: string): DataField => ({
    tag,
    ind1: " ",
    ind2: " ",
    subfields: [
      { code: "a", value: a },
      { code: "b", value: b },
      { code: "2", value: source },
    ],
  });
  return insertFieldsByTag(
    {
      leader: record.leader,
      fields: kept.map((f) =>
        f.tag === "008" && !isDataField(f)
          ? { tag: "008", value: fixed.slice(0, 23) + form + fixed.slice(24) }
          : f,
      ),
    },
    [{ tag: "007", value: f007 }, rda("337", media, "rdamedia"), rda("338", carrier, "rdacarrier")],
  );
}

/** The record with a 245 `$n` naming another part (the next number, or `v. 2`). */
function otherPart(record: MarcRecord): MarcRecord | undefined {
  const at = record.fields.findIndex((f) => f.tag === "245");
  const field = record.fields[at];
  if (!field || !isDataField(field)) return undefined;
  const hasN = field.subfields.some((sf) => sf.code === "n" && /\d/.test(sf.value));
  const subfields = hasN
    ? field.subfields.map((sf) =>
        sf.code === "n"
          ? { code: "n", value: sf.value.replace(/\d+/, (d) => String(Number(d) + 1)) }
          : sf,
      )
    : [...field.subfields.slice(0, 1), { code: "n", value: "v. 2." }, ...field.subfields.slice(1)];
  const fields = [...record.fields];
  fields[at] = { ...field, subfields };
  return { leader: record.leader, fields };
}

/** The record with a 250 of a later edition and the date two years on. */
function laterEdition(record: MarcRecord): MarcRecord | undefined {
  const moved = shiftYears(record, 2);
  if (!moved) return undefined;
  const number = (editionOf(record) ?? 1) + 1;
  const edition: DataField = {
    tag: "250",
    ind1: " ",
    ind2: " ",
    subfields: [
      { code: "a", value: `${number}${number === 2 ? "nd" : number === 3 ? "rd" : "th"} ed.` },
    ],
  };
  return insertFieldsByTag(
    { leader: moved.leader, fields: moved.fields.filter((f) => f.tag !== "250") },
    [edition],
  );
}

function editionOf(record: MarcRecord): number | undefined {
  const f = getDataFields(record, "250")[0];
  const digits = f ? /\d+/.exec(subfieldValues(f, "a").join(" ")) : null;
  return digits ? Number(digits[0]) : undefined;
}

/** A cataloger's edit of the same record: a note and a subject added, the 005 new. */
function edited(record: MarcRecord): MarcRecord {
  const note: DataField = {
    tag: "500",
    ind1: " ",
    ind2: " ",
    subfields: [{ code: "a", value: "Edited copy for the matching suite." }],
  };
  const fields = record.fields.filter((f) => f.tag !== "005");
  return insertFieldsByTag({ leader: record.leader, fields }, [
    { tag: "005", value: "20261207120000.0" },
    note,
  ]);
}

/**
 * Another resource is another record in every system: each `035 $a` number (OCLC numbers are
 * gone already, `blind`) gets a suffix, and the `001` goes.
 */
function otherRecord(make: (record: MarcRecord) => MarcRecord | undefined) {
  return (record: MarcRecord): MarcRecord | undefined => {
    const made = make(record);
    if (!made) return undefined;
    return {
      leader: made.leader,
      fields: made.fields
        .filter((f) => f.tag !== "001")
        .map((f): Field =>
          f.tag === "035" && isDataField(f)
            ? {
                ...f,
                subfields: f.subfields.map((sf) =>
                  sf.code === "a" ? { code: "a", value: `${sf.value}-2` } : sf,
                ),
              }
            : f,
        ),
    };
  };
}

/**
 * The derived pairs: a record and a copy of it changed as another resource would be (the next
 * year's issue, another volume, the online version, a microfiche, a later edition), or as a
 * cataloger edits the same record.
 */
export const VARIANTS: readonly Variant[] = [
  {
    name: "next year (008 and 260/264 $c +1)",
    same: false,
    make: otherRecord((r) => shiftYears(r, 1)),
  },
  { name: "another volume (245 $n)", same: false, make: otherRecord(otherPart) },
  {
    name: "online version (008/23 o, 007 cr, 337/338)",
    same: false,
    make: otherRecord((r) =>
      otherCarrier(r, "o", "cr |||||||||||", ["computer", "c"], ["online resource", "cr"]),
    ),
  },
  {
    name: "microfiche (008/23 b, 007 he, 337/338)",
    same: false,
    make: otherRecord((r) =>
      otherCarrier(r, "b", "he bmb024baca", ["microform", "h"], ["microfiche", "he"]),
    ),
  },
  { name: "later edition (250, date +2)", same: false, make: otherRecord(laterEdition) },
  { name: "the same record edited (500, 005)", same: true, make: edited },
];

/** What one method did with one kind of derived pair. */
export interface DerivedCounts {
  readonly label: string;
  readonly variant: string;
  readonly same: boolean;
  readonly pairs: number;
  /** Said match (a merge: right for `same`, wrong otherwise), held for review. */
  readonly merged: number;
  readonly held: number;
}

/**
 * Runs every method on derived pairs of `sample` records (books with a title and a dated 008;
 * every one blind, `blind`): each original stored in a zone of its own kind, each variant
 * matched against it.
 */
export async function measureDerivedPairs(
  records: readonly MarcRecord[],
  catalog: Catalog,
  runs: readonly MethodRun[],
  sample: number,
): Promise<DerivedCounts[]> {
  const books = records.filter(
    (r) =>
      r.leader.charAt(6) === "a" &&
      r.leader.charAt(7) === "m" &&
      getDataFields(r, "245").length > 0 &&
      /^\d{4}$/.test((getControlValue(r, "008") ?? "").slice(7, 11)),
  );
  const step = Math.max(1, Math.floor(books.length / sample));
  const chosen = books
    .filter((_, i) => i % step === 0)
    .slice(0, sample)
    .map(blind);
  const zone = await catalog.addInstitution({ code: "01DERIVED", name: "derived pairs" });
  const { mmsIds } = await catalog.createMany(
    chosen.map((marc) => ({ kind: "create", zone: zone.code, marc, controlNumber: "mms-id" })),
    { savedBy: "corpus", action: "load" },
  );
  const out: DerivedCounts[] = [];
  for (const run of runs) {
    for (const variant of VARIANTS) {
      let [pairs, merged, held] = [0, 0, 0];
      for (const [i, original] of chosen.entries()) {
        const made = variant.make(original);
        if (!made) continue;
        pairs++;
        const result = await runMatchMethod(
          { method: run.method, ...(run.steps ? { steps: run.steps } : {}) },
          made,
          catalog,
          [zone.code],
        );
        if (result.mmsIds.includes(mmsIds[i]!)) merged++;
        else if (result.held.some((h) => h.mmsId === mmsIds[i])) held++;
      }
      out.push({
        label: run.label,
        variant: variant.name,
        same: variant.same,
        pairs,
        merged,
        held,
      });
    }
  }
  return out;
}
