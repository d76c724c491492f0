/**
 * The benchmarks' records: the real bibliographic records of the shared bench file, replicated
 * to any count with their identifiers rewritten so that every copy has keys of its own. Shared
 * by the catalog benchmark (`catalog.ts`) and the Connexion benchmark (`connexion.ts`).
 */
import { readFileSync } from "node:fs";
import { initialNormalization } from "../src/import/initial-normalization.js";
import { readIso2709Buffer } from "../src/marc/iso2709.js";
import { BUILT_IN_PROFILES, DEFAULT_VALIDATION_PROFILE } from "../src/validation/profile.js";
import { validateRecord } from "../src/validation/validate.js";
import { isControlField, type Field, type MarcRecord } from "../src/marc/record.js";

/** mulberry32: a small seeded generator, so every run samples the same keys and words. */
export function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The bibliographic records of a file (leader/06 not holdings u/v/x/y, not authority z). */
export function bibliographicRecords(file: string): MarcRecord[] {
  const records: MarcRecord[] = [];
  for (const result of readIso2709Buffer(readFileSync(file))) {
    const type = result.record?.leader[6];
    if (result.record && type !== undefined && !"uvxyz".includes(type)) records.push(result.record);
  }
  return records;
}

function isbn13(first12: string): string {
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(first12[i]) * (i % 2 === 0 ? 1 : 3);
  return first12 + String((10 - (sum % 10)) % 10);
}

/** Where a copy's OCLC and system numbers start: 12 digits, the most an OCLC number may have. */
const FIRST_NUMBER = 100_000_000_000;
/** Distinct numbers a record may have before they repeat within it. */
const NUMBERS_PER_RECORD = 32;

/**
 * A later copy of a record, as record number `n`: the first digit run of the 001 and of
 * every 035/019 $a/$z becomes a number of its own, 100,000,000,000 + 32 `n` + which distinct
 * run of the record it is (runs equal but for leading zeros, such as `001 ocm00012345` and `035
 * (OCoLC)12345`, stay equal): new OCLC and system numbers, never those of another record, and of
 * twelve digits, so they still read as OCLC numbers (`src/marc/match-keys.ts` takes at most 12).
 * Every 020 $a/$z becomes a new ISBN-13 `9790` + a number made from `n`. Other identifiers
 * (024, LCCN) and the title key repeat across copies.
 */
function rewriteKeys(record: MarcRecord, n: number): MarcRecord {
  const numbers = new Map<string, string>();
  const renumber = (value: string): string =>
    value.replace(/\d+/, (digits) => {
      const run = digits.replace(/^0+/, "");
      let number = numbers.get(run);
      if (number === undefined) {
        const which = numbers.size % NUMBERS_PER_RECORD;
        number = String(FIRST_NUMBER + n * NUMBERS_PER_RECORD + which);
        numbers.set(run, number);
      }
      return number;
    });
  let isbns = 0;
  const fields = record.fields.map((field): Field => {
    if (isControlField(field)) {
      return field.tag === "001" ? { tag: "001", value: renumber(field.value) } : field;
    }
    const tag = field.tag;
    if (tag !== "035" && tag !== "019" && tag !== "020") return field;
    return {
      ...field,
      subfields: field.subfields.map((s) => {
        if (s.code !== "a" && s.code !== "z") return s;
        if (tag !== "020") return { code: s.code, value: renumber(s.value) };
        const k = isbns++ % 8;
        return { code: s.code, value: isbn13(`9790${String(n * 8 + k).padStart(8, "0")}`) };
      }),
    };
  });
  return { leader: record.leader, fields };
}

/**
 * Record number `n` (0, 1, …) of the endless replication of `bibs`: `bibs[n % bibs.length]`,
 * as it is in the first copy and with its keys rewritten in every later one. Records `0..N-1`
 * are what {@link replicated} yields for `N`; any `n >= N` has keys none of them has.
 */
export function replicatedRecord(bibs: readonly MarcRecord[], n: number): MarcRecord {
  const base = bibs[n % bibs.length]!;
  return n < bibs.length ? base : rewriteKeys(base, n);
}

/** Records `0..count-1` of the replication (see {@link replicatedRecord}). */
export function* replicated(bibs: readonly MarcRecord[], count: number): Generator<MarcRecord> {
  for (let n = 0; n < count; n++) yield replicatedRecord(bibs, n);
}

/** Whether the profile's validation (the default, MarcXML Bib Import) lets the record through. */
export function passesValidation(record: MarcRecord): boolean {
  const profile = BUILT_IN_PROFILES[DEFAULT_VALIDATION_PROFILE]!;
  return validateRecord(initialNormalization(record).record, profile).errors.length === 0;
}
