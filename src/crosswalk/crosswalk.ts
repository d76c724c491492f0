/**
 * Converting a bibliographic record between MARC 21, UNIMARC, KORMARC and CNMARC: the
 * tables (`marc21-to-unimarc.ts`, `unimarc-to-marc21.ts`, `families.ts`) run by `apply.ts`,
 * plus what is built from the whole record — the leader/record label and the coded fields
 * (`fixed.ts`). A conversion never fails: it returns the record and a note for everything
 * dropped or mapped approximately.
 */
import type { DataField, Field, MarcRecord } from "../marc/record.js";
import { getControlValue, getDataFields, isControlField } from "../marc/record.js";
import { applyTable, sortByTag } from "./apply.js";
import { ISO_TO_MARC_COUNTRY, isoCountry } from "./codes.js";
import {
  CNMARC_TO_UNIMARC,
  KORMARC_TO_MARC21,
  MARC21_TO_KORMARC,
  UNIMARC_TO_CNMARC,
} from "./families.js";
import {
  marc008,
  marcLeader,
  scriptOf,
  unimarc100,
  unimarc105,
  unimarc106,
  unimarc110,
  unimarcLeader,
  materialOf,
} from "./fixed.js";
import { MARC21_TO_UNIMARC } from "./marc21-to-unimarc.js";
import type { CrosswalkNote } from "./note.js";
import { UNIMARC_TO_MARC21 } from "./unimarc-to-marc21.js";

/** The bibliographic formats (Alma's registries the Connexion profile may target). */
export const BIB_FORMATS = ["MARC21", "UNIMARC", "KORMARC", "CNMARC"] as const;
export type BibFormat = (typeof BIB_FORMATS)[number];

/** The format family: UNIMARC-shaped or MARC 21-shaped tags. */
export function familyOf(format: BibFormat): "MARC21" | "UNIMARC" {
  return format === "UNIMARC" || format === "CNMARC" ? "UNIMARC" : "MARC21";
}

/** A format from a name as users write it (`unimarc`, `MARC 21`, `marc21`, `kormarc`). */
export function bibFormatByName(name: string): BibFormat | undefined {
  const key = name.replace(/[\s_-]/g, "").toUpperCase();
  return (BIB_FORMATS as readonly string[]).includes(key) ? (key as BibFormat) : undefined;
}

export interface CrosswalkResult {
  readonly record: MarcRecord;
  readonly notes: readonly CrosswalkNote[];
}

const data = (fields: readonly Field[], tag: string): DataField[] =>
  fields.filter((f): f is DataField => !isControlField(f) && f.tag === tag);

const first = (fields: readonly Field[], tag: string, code: string): string | undefined =>
  data(fields, tag)
    .flatMap((f) => f.subfields)
    .find((s) => s.code === code)?.value;

/** MARC 21 → UNIMARC. */
export function marc21ToUnimarc(record: MarcRecord): CrosswalkResult {
  const { fields, notes } = applyTable(record.fields, MARC21_TO_UNIMARC, "to-unimarc");
  const f008 = getControlValue(record, "008") ?? "";
  const leader = record.leader;
  const has = (tag: string): boolean => record.fields.some((f) => f.tag === tag);
  const hierarchy = has("773") ? "2" : has("774") || leader[19] === "a" ? "1" : "0";
  const title = getDataFields(record, "245")[0]?.subfields.find((s) => s.code === "a")?.value ?? "";
  const added: DataField[] = [];
  const coded = (tag: string, value: string): DataField => ({
    tag,
    ind1: " ",
    ind2: " ",
    subfields: [{ code: "a", value }],
  });
  const language =
    getDataFields(record, "040")[0]
      ?.subfields.find((s) => s.code === "b")
      ?.value.trim() || "und";
  added.push(coded("100", unimarc100(f008, leader, language, scriptOf(title))));
  if (!fields.some((f) => f.tag === "101")) {
    const lang = f008.slice(35, 38).trim();
    if (/^[a-z]{3}$/.test(lang))
      added.push({ tag: "101", ind1: "0", ind2: " ", subfields: [{ code: "a", value: lang }] });
  }
  if (!fields.some((f) => f.tag === "102")) {
    const country = isoCountry(f008.slice(15, 18));
    if (country) added.push(coded("102", country));
  }
  if (f008.length > 0) {
    const material = materialOf(leader);
    if (material === "BK") added.push(coded("105", unimarc105(f008)));
    if (material === "CR") added.push(coded("110", unimarc110(f008)));
    const form = unimarc106(f008, leader);
    if (form) added.push(coded("106", form));
  } else {
    notes.push({
      tag: "008",
      kind: "approximate",
      reason: "no 008: 100 $a built with unknown dates and codes",
    });
  }
  return {
    record: { leader: unimarcLeader(leader, hierarchy), fields: sortByTag([...fields, ...added]) },
    notes,
  };
}

/** UNIMARC → MARC 21. */
export function unimarcToMarc21(record: MarcRecord): CrosswalkResult {
  const { fields: mapped, notes } = applyTable(record.fields, UNIMARC_TO_MARC21, "to-marc21");
  const f100 = first(record.fields, "100", "a");
  const languages = data(record.fields, "101").flatMap((f) =>
    f.subfields.filter((s) => s.code === "a"),
  );
  const countries = data(record.fields, "102").flatMap((f) =>
    f.subfields.filter((s) => s.code === "a"),
  );
  const leader = marcLeader(record.leader);
  if (!f100)
    notes.push({ tag: "100", kind: "approximate", reason: "no 100: 008 built with unknown dates" });
  const f008 = marc008(
    leader,
    {
      f100,
      f105: first(record.fields, "105", "a"),
      f106: first(record.fields, "106", "a"),
      f110: first(record.fields, "110", "a"),
      language: languages[0]?.value,
      country: countries[0]?.value,
    },
    ISO_TO_MARC_COUNTRY,
  );
  const has1xx = mapped.some((f) => /^1[01]/.test(f.tag));
  const has8xx = mapped.some((f) => /^8[0-3]0|^811$/.test(f.tag));
  const fields: Field[] = [];
  for (const f of mapped) {
    if (isControlField(f)) {
      fields.push(f);
      continue;
    }
    // What 008 already says needs no 041/044 (LoC: 101/102 → 008/35-37, 008/15-17).
    if (f.tag === "041" && f.ind1 === "0" && f.subfields.length === 1) continue;
    if (f.tag === "044" && f.subfields.length === 1) continue;
    if (f.tag === "245") fields.push({ ...f, ind1: has1xx ? "1" : "0" });
    else if (f.tag === "240" && !has1xx) fields.push({ ...f, tag: "130", ind1: "0", ind2: " " });
    else if (f.tag === "490") fields.push({ ...f, ind1: has8xx ? "1" : "0" });
    else if (f.tag === "040") {
      const lang = f100 && f100.length >= 25 ? f100.slice(22, 25).trim() : "";
      fields.push(
        lang
          ? {
              ...f,
              subfields: [
                ...f.subfields.filter((s) => s.code === "a"),
                { code: "b", value: lang },
                ...f.subfields.filter((s) => s.code !== "a"),
              ],
            }
          : f,
      );
    } else fields.push(f);
  }
  const language = f100 && f100.length >= 25 ? f100.slice(22, 25).trim() : "";
  if (language && !fields.some((f) => f.tag === "040"))
    fields.push({ tag: "040", ind1: " ", ind2: " ", subfields: [{ code: "b", value: language }] });
  fields.push({ tag: "008", value: f008 });
  return { record: { leader, fields: sortByTag(fields) }, notes };
}

function sameFamily(record: MarcRecord, table: Parameters<typeof applyTable>[1]): CrosswalkResult {
  const { fields, notes } = applyTable(record.fields, table, "same-family");
  return { record: { leader: record.leader, fields: sortByTag(fields) }, notes };
}

function chain(
  record: MarcRecord,
  steps: readonly ((r: MarcRecord) => CrosswalkResult)[],
): CrosswalkResult {
  let current = record;
  const notes: CrosswalkNote[] = [];
  for (const step of steps) {
    const r = step(current);
    current = r.record;
    notes.push(...r.notes);
  }
  return { record: current, notes };
}

const TO_MARC21: Record<BibFormat, readonly ((r: MarcRecord) => CrosswalkResult)[]> = {
  MARC21: [],
  KORMARC: [(r) => sameFamily(r, KORMARC_TO_MARC21)],
  UNIMARC: [unimarcToMarc21],
  CNMARC: [(r) => sameFamily(r, CNMARC_TO_UNIMARC), unimarcToMarc21],
};
const FROM_MARC21: Record<BibFormat, readonly ((r: MarcRecord) => CrosswalkResult)[]> = {
  MARC21: [],
  KORMARC: [(r) => sameFamily(r, MARC21_TO_KORMARC)],
  UNIMARC: [marc21ToUnimarc],
  CNMARC: [marc21ToUnimarc, (r) => sameFamily(r, UNIMARC_TO_CNMARC)],
};

/**
 * A record from one format to another (through MARC 21 when neither is MARC 21; UNIMARC ↔
 * CNMARC directly). The same format is returned unchanged, with no notes.
 */
export function crosswalk(record: MarcRecord, from: BibFormat, to: BibFormat): CrosswalkResult {
  if (from === to) return { record, notes: [] };
  if (from === "UNIMARC" && to === "CNMARC") return sameFamily(record, UNIMARC_TO_CNMARC);
  if (from === "CNMARC" && to === "UNIMARC") return sameFamily(record, CNMARC_TO_UNIMARC);
  return chain(record, [...TO_MARC21[from], ...FROM_MARC21[to]]);
}
