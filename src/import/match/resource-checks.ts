/**
 * What tells two resources apart: the points on which an incoming record and a candidate found
 * by a match method are compared before the candidate may count as a match (`validate.ts`
 * decides what the points mean). Pure: two records in, one point per check out, each saying
 * `same`, `differs` or `absent` (one side, or both, has nothing to compare) with both sides'
 * values in words, so the log and the reply can say exactly which check decided.
 *
 * The checks follow what cataloguing rules count as "a different manifestation" (OCLC's "When
 * to input a new record"; the Finnish union catalogue's candidate validation does the same kind
 * of comparison): type and level of the record, dates, carrier and form of item, identifiers,
 * part and volume, edition, extent, host item, publisher numbers and language; and the system
 * numbers of the same source, which say outright whether two records are one. The choices are
 * in `docs/match-methods.md` ("Validating candidates").
 */
import {
  extractMatchKeys,
  isbnQualifiers,
  normalizeOclcNumber,
  type MatchKey,
} from "../../marc/match-keys.js";
import {
  isDataField,
  leaderValue,
  subfieldValues,
  type DataField,
  type MarcRecord,
} from "../../marc/record.js";
import { SERIAL_LEVELS } from "./method.js";

/** The checks, in the order they are logged. */
export const RESOURCE_CHECKS = [
  "oclc-number",
  "system-number",
  "record-type",
  "bibliographic-level",
  "host-item",
  "dates",
  "form-of-item",
  "physical-description",
  "carrier",
  "medium",
  "isbn",
  "issn",
  "part",
  "edition",
  "extent",
  "standard-id",
  "publisher-number",
  "language",
] as const;
export type ResourceCheck = (typeof RESOURCE_CHECKS)[number];

/** One point of the comparison. */
export interface CheckPoint {
  readonly check: ResourceCheck;
  readonly result: "same" | "differs" | "absent";
  /**
   * A difference that proves two resources (two WorldCat numbers, two numbers of one source, a
   * book and a film, a component and its host): such a candidate is another resource, not a
   * doubt.
   */
  readonly decisive?: boolean;
  /** The point in words: `008 date 1814 ≠ 1813`, `shares ISBN 9780…`. */
  readonly text: string;
}

/** What a record brings to the comparison, read once. */
interface Side {
  readonly record: MarcRecord;
  readonly keys: readonly MatchKey[];
  readonly fixed: string;
  /** The values of its 007s. */
  readonly controls007: readonly string[];
  /** Its data fields of one tag, in record order (the fields read once, by tag). */
  data(tag: string): readonly DataField[];
}

const NONE: readonly DataField[] = [];

function side(record: MarcRecord, keys?: readonly MatchKey[]): Side {
  // The record's own 001 is not a key here: a stored record's is its MMS ID, and an incoming
  // one's reached the 035 through the initial normalization when it said whose number it is.
  const matchable = (): MarcRecord => ({
    leader: record.leader,
    fields: record.fields.filter((f) => f.tag !== "001"),
  });
  const byTag = new Map<string, DataField[]>();
  const controls007: string[] = [];
  let fixed = "";
  let seen008 = false;
  for (const f of record.fields) {
    if (isDataField(f)) {
      const list = byTag.get(f.tag);
      if (list) list.push(f);
      else byTag.set(f.tag, [f]);
    } else if (f.tag === "007") controls007.push(f.value);
    else if (f.tag === "008" && !seen008) {
      fixed = f.value;
      seen008 = true;
    }
  }
  return {
    record,
    keys: keys ?? extractMatchKeys(matchable(), { titleKey: false }),
    fixed,
    controls007,
    data: (tag) => byTag.get(tag) ?? NONE,
  };
}

const valuesOf = (s: Side, kind: MatchKey["kind"]): string[] =>
  s.keys.filter((k) => k.kind === kind).map((k) => k.value);

const point = (
  check: ResourceCheck,
  result: CheckPoint["result"],
  text: string,
  decisive = false,
): CheckPoint => ({ check, result, text, ...(decisive ? { decisive } : {}) });

/** Folds text for comparing: NFKD without marks, lower case, words by one space. */
function fold(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

const list = (values: readonly string[]): string => values.join(", ");

/**
 * Compares two sets of identifiers: shared → same; both present and none shared → differs;
 * else absent.
 */
function compareSets(
  check: ResourceCheck,
  label: string,
  ours: readonly string[],
  theirs: readonly string[],
  decisive = false,
): CheckPoint {
  if (ours.length === 0 || theirs.length === 0) {
    return point(
      check,
      "absent",
      `${label}: ${ours.length === 0 ? "not in the incoming record" : "not in the candidate"}`,
    );
  }
  const shared = ours.filter((x) => theirs.includes(x));
  if (shared.length > 0) return point(check, "same", `shares ${label} ${list(shared)}`);
  return point(check, "differs", `${label} ${list(ours)} ≠ ${list(theirs)}`, decisive);
}

// ---------------------------------------------------------------------------------------------
// System numbers

/** OCLC numbers: one shared (or one side's cancelled number the other's own) is one record. */
function oclcNumbers(a: Side, b: Side): CheckPoint {
  const ownA = valuesOf(a, "oclc");
  const ownB = valuesOf(b, "oclc");
  const oldA = valuesOf(a, "oclc-cancelled");
  const oldB = valuesOf(b, "oclc-cancelled");
  const shared = ownA.filter((n) => ownB.includes(n));
  if (shared.length > 0) return point("oclc-number", "same", `shares OCLC number ${list(shared)}`);
  const merged = [...ownA.filter((n) => oldB.includes(n)), ...ownB.filter((n) => oldA.includes(n))];
  if (merged.length > 0) {
    return point(
      "oclc-number",
      "same",
      `OCLC number ${list(merged)} cancelled (019) in favour of the other`,
    );
  }
  if (ownA.length === 0 || ownB.length === 0) {
    return point("oclc-number", "absent", "OCLC number: not in both records");
  }
  return point(
    "oclc-number",
    "differs",
    `OCLC number ${list(ownA)} ≠ ${list(ownB)}, neither cancelled in favour of the other`,
    true,
  );
}

const SOURCE_NUMBER = /^\(([^)]+)\)(.+)$/;

/**
 * The system numbers of each source other than OCLC: `035 $a (ORG)number` and, as Aleph-based
 * union catalogues keep their members' numbers, `SID $c` with its source in `$b`.
 */
function sourceNumbers(s: Side): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (source: string, number: string): void => {
    const key = source.trim().toUpperCase();
    const value = number.replace(/\s+/g, "").replace(/^0+(?=\d)/, "");
    if (key === "" || value === "") return;
    const numbers = out.get(key) ?? [];
    if (!numbers.includes(value)) numbers.push(value);
    out.set(key, numbers);
  };
  for (const value of valuesOf(s, "other-system-id")) {
    const m = SOURCE_NUMBER.exec(value);
    if (m && normalizeOclcNumber(value) === undefined) add(m[1]!, m[2]!);
  }
  for (const f of s.data("SID")) {
    const source = subfieldValues(f, "b")[0];
    for (const number of subfieldValues(f, "c")) if (source) add(source, number);
  }
  return out;
}

function systemNumbers(a: Side, b: Side): CheckPoint {
  const ours = sourceNumbers(a);
  const theirs = sourceNumbers(b);
  const same: string[] = [];
  const differ: string[] = [];
  for (const [source, numbers] of ours) {
    const other = theirs.get(source);
    if (!other) continue;
    const shared = numbers.filter((n) => other.includes(n));
    if (shared.length > 0) same.push(`(${source})${list(shared)}`);
    else differ.push(`(${source}) ${list(numbers)} ≠ ${list(other)}`);
  }
  // Not decisive, unlike two OCLC numbers: a union catalogue finds its own duplicates this way
  // (two records of one source for one resource), so staff decide.
  if (differ.length > 0) {
    return point("system-number", "differs", `system number ${differ.join("; ")}`);
  }
  if (same.length > 0)
    return point("system-number", "same", `shares system number ${same.join(", ")}`);
  return point("system-number", "absent", "system numbers: no source in both records");
}

// ---------------------------------------------------------------------------------------------
// Leader, 773

const COMPONENT_LEVELS = ["a", "b", "d"];

function recordType(a: Side, b: Side): CheckPoint {
  const x = leaderValue(a.record, "typeOfRecord");
  const y = leaderValue(b.record, "typeOfRecord");
  return x === y
    ? point("record-type", "same", `type of record (leader/06) ${x}`)
    : point("record-type", "differs", `type of record (leader/06) ${x} ≠ ${y}`, true);
}

function bibliographicLevel(a: Side, b: Side): CheckPoint {
  const x = leaderValue(a.record, "bibliographicLevel");
  const y = leaderValue(b.record, "bibliographicLevel");
  if (x === y) return point("bibliographic-level", "same", `bibliographic level (leader/07) ${x}`);
  const text = `bibliographic level (leader/07) ${x} ≠ ${y}`;
  // A serial and a monograph, or a component part and a whole, are never one resource.
  const decisive =
    SERIAL_LEVELS.includes(x) !== SERIAL_LEVELS.includes(y) ||
    COMPONENT_LEVELS.includes(x) !== COMPONENT_LEVELS.includes(y);
  return point("bibliographic-level", "differs", text, decisive);
}

/** The host item of a component part: `773 $w` numbers, else its title, and `$g` (where in it). */
function hostOf(s: Side): { readonly host: string; readonly where: string } | undefined {
  const f = s.data("773")[0];
  if (!f) return undefined;
  const numbers = subfieldValues(f, "w").map((w) => w.replace(/\s+/g, ""));
  const host = numbers.length > 0 ? numbers.join(" ") : fold(subfieldValues(f, "at").join(" "));
  return { host, where: fold(subfieldValues(f, "gq").join(" ")) };
}

function hostItem(a: Side, b: Side): CheckPoint {
  const x = hostOf(a);
  const y = hostOf(b);
  if (!x && !y) return point("host-item", "absent", "host item (773): neither is a component part");
  if (!x || !y) {
    return point(
      "host-item",
      "differs",
      `773: ${x ? "the incoming record" : "the candidate"} is a component part, the other is not`,
      true,
    );
  }
  if (x.host !== "" && y.host !== "" && x.host !== y.host) {
    return point("host-item", "differs", `host item (773) ${x.host} ≠ ${y.host}`);
  }
  if (x.where !== "" && y.where !== "" && x.where !== y.where) {
    return point("host-item", "differs", `773 $g ${x.where} ≠ ${y.where}`);
  }
  return point("host-item", "same", `same host item (773) ${x.host}`);
}

// ---------------------------------------------------------------------------------------------
// 008: dates, form of item, language

/** Whether two 4-character dates disagree in a position where both have a digit (`u` unknown). */
function datesDiffer(x: string, y: string): boolean {
  for (let i = 0; i < 4; i++) {
    const c = x[i]!;
    const d = y[i]!;
    if (/\d/.test(c) && /\d/.test(d) && c !== d) return true;
  }
  return false;
}

/** A prepublication (CIP) record, leader/17 `8`: its date and extent are announced, not seen. */
function prepublication(s: Side): boolean {
  return leaderValue(s.record, "encodingLevel") === "8";
}

const hasDigit = (d: string): boolean => d.length === 4 && /^[\du]{4}$/.test(d) && /\d/.test(d);

/** Date types whose date 2 belongs to the resource as published (end of a set, original, …). */
const DATE2_COMPARED = new Set(["m", "r", "i", "k", "p"]);

function dates(a: Side, b: Side): CheckPoint {
  if (a.fixed.length < 15 || b.fixed.length < 15) {
    return point("dates", "absent", "008 dates: not in both records");
  }
  const [typeA, typeB] = [a.fixed.charAt(6), b.fixed.charAt(6)];
  const [d1a, d1b] = [a.fixed.slice(7, 11), b.fixed.slice(7, 11)];
  const [d2a, d2b] = [a.fixed.slice(11, 15), b.fixed.slice(11, 15)];
  const differences: string[] = [];
  if ((typeA === "r") !== (typeB === "r") && typeA !== "|" && typeB !== "|") {
    differences.push(`008/06 date type ${typeA} ≠ ${typeB} (a reprint and its original)`);
  }
  const compared = hasDigit(d1a) && hasDigit(d1b);
  if (compared && datesDiffer(d1a, d1b)) {
    // A prepublication record's date is the one announced: the book often comes out a year
    // later (or earlier).
    const announced = prepublication(a) || prepublication(b);
    const gap = Math.abs(Number(d1a.replace(/u/g, "0")) - Number(d1b.replace(/u/g, "0")));
    if (!announced || gap > 1) differences.push(`008 date ${d1a} ≠ ${d1b}`);
  }
  if (typeA === typeB && DATE2_COMPARED.has(typeA) && hasDigit(d2a) && hasDigit(d2b)) {
    if (datesDiffer(d2a, d2b)) differences.push(`008 date 2 ${d2a} ≠ ${d2b}`);
  }
  if (differences.length > 0) return point("dates", "differs", differences.join(", "));
  return compared
    ? point("dates", "same", `008 date ${d1a}`)
    : point("dates", "absent", "008 date 1: not a year in both records");
}

/** 008/29 holds the form of item for maps and visual materials; 008/23 for the others. */
function formOfItem(s: Side): string | undefined {
  const type = leaderValue(s.record, "typeOfRecord");
  const at = "efgkor".includes(type) ? 29 : 23;
  const code = s.fixed.length > at ? s.fixed.charAt(at) : undefined;
  return code === undefined || code === "|" ? undefined : code;
}

/** The carrier a form-of-item code names: regular print, microform, large print, … */
const FORM_CLASSES: Readonly<Record<string, string>> = {
  " ": "print",
  r: "print",
  a: "microform",
  b: "microform",
  c: "microform",
  d: "large print",
  f: "braille",
  o: "online",
  q: "direct electronic",
  s: "electronic",
};

/** `s` (electronic) is what `o` and `q` were coded as before they were defined: it agrees with both. */
const ELECTRONIC = ["electronic", "online", "direct electronic"];

function formsAgree(x: string, y: string): boolean {
  if (x === y) return true;
  return (
    (x === "electronic" && ELECTRONIC.includes(y)) || (y === "electronic" && ELECTRONIC.includes(x))
  );
}

function formOfItemCheck(a: Side, b: Side): CheckPoint {
  const x = formOfItem(a);
  const y = formOfItem(b);
  if (x === undefined || y === undefined) {
    return point("form-of-item", "absent", "008 form of item: not in both records");
  }
  const cx = FORM_CLASSES[x];
  const cy = FORM_CLASSES[y];
  if (cx === undefined || cy === undefined) {
    const odd = cx === undefined ? x : y;
    return point(
      "form-of-item",
      "absent",
      `008 form of item: code '${odd}' is not one MARC 21 defines`,
    );
  }
  return formsAgree(cx, cy)
    ? point("form-of-item", "same", `008 form of item ${cx}`)
    : point("form-of-item", "differs", `008 form of item ${cx} ≠ ${cy}`);
}

function language(a: Side, b: Side): CheckPoint {
  const x = a.fixed.slice(35, 38);
  const y = b.fixed.slice(35, 38);
  const usable = (l: string): boolean => /^[a-z]{3}$/.test(l) && l !== "und" && l !== "zxx";
  if (!usable(x) || !usable(y))
    return point("language", "absent", "008 language: not in both records");
  return x === y
    ? point("language", "same", `008 language ${x}`)
    : point("language", "differs", `008 language ${x} ≠ ${y}`);
}

// ---------------------------------------------------------------------------------------------
// 007, 337/338: the carrier

/**
 * The carrier of each 007: its category (007/00) and the position that tells the carriers of
 * one category apart (a DVD from a Blu-ray or a VHS, a CD from a cassette, a disc from a remote
 * file, microfilm from microfiche).
 */
const CARRIER_POSITION: Readonly<Record<string, number>> = { v: 4, s: 1, c: 1, h: 1, m: 1, g: 1 };

function carriers007(s: Side): string[] {
  const out: string[] = [];
  for (const value of s.controls007) {
    if (value.length === 0) continue;
    const f = { value };
    const category = f.value.charAt(0);
    const at = CARRIER_POSITION[category];
    const detail = at !== undefined ? f.value.charAt(at) : "";
    out.push(
      detail === "" || detail === "|" || detail === "u" || detail === "z"
        ? category
        : category + detail,
    );
  }
  return out;
}

function physicalDescription(a: Side, b: Side): CheckPoint {
  const x = carriers007(a);
  const y = carriers007(b);
  if (x.length === 0 || y.length === 0) {
    return point("physical-description", "absent", "007: not in both records");
  }
  // A code without its detail (`v`) agrees with any of its category (`vv`).
  const agree = x.some((c) => y.some((d) => c === d || c === d.charAt(0) || d === c.charAt(0)));
  return agree
    ? point("physical-description", "same", `007 ${list(x)}`)
    : point("physical-description", "differs", `007 ${list(x)} ≠ ${list(y)}`);
}

/** The 337 media types and 338 carrier types, as codes (`$b`) or folded terms (`$a`). */
function rdaTypes(s: Side, tag: "337" | "338"): string[] {
  const out: string[] = [];
  for (const f of s.data(tag)) {
    const codes = subfieldValues(f, "b").map((v) => v.trim().toLowerCase());
    out.push(...(codes.length > 0 ? codes : subfieldValues(f, "a").map(fold)));
  }
  return out.filter((v) => v !== "");
}

/** RDA's terms for the codes, so a record coded `$b nc` and one with `$a volume` agree. */
const RDA_CODES: Readonly<Record<string, string>> = {
  unmediated: "n",
  computer: "c",
  video: "v",
  audio: "s",
  microform: "h",
  projected: "g",
  volume: "nc",
  "online resource": "cr",
  "computer disc": "cd",
  videodisc: "vd",
  "audio disc": "sd",
  microfiche: "he",
  "microfilm reel": "hd",
  videocassette: "vf",
  audiocassette: "ss",
  sheet: "nb",
};

function carrier(a: Side, b: Side): CheckPoint {
  for (const tag of ["338", "337"] as const) {
    const x = rdaTypes(a, tag).map((v) => RDA_CODES[v] ?? v);
    const y = rdaTypes(b, tag).map((v) => RDA_CODES[v] ?? v);
    if (x.length === 0 || y.length === 0) continue;
    const what = tag === "338" ? "338 carrier type" : "337 media type";
    return x.some((v) => y.includes(v))
      ? point("carrier", "same", `${what} ${list(x)}`)
      : point("carrier", "differs", `${what} ${list(x)} ≠ ${list(y)}`);
  }
  return point("carrier", "absent", "337/338: not in both records");
}

/** The media a record names anywhere: 008 form of item, 007/00, 337 and 338 codes. */
function mediaOf(s: Side): Set<string> {
  const out = new Set<string>();
  const form = formOfItem(s);
  const byForm = form !== undefined ? FORM_CLASSES[form] : undefined;
  if (byForm !== undefined)
    out.add(
      ELECTRONIC.includes(byForm)
        ? "electronic"
        : byForm === "microform"
          ? "microform"
          : "tangible",
    );
  for (const c of carriers007(s)) {
    if (c.startsWith("c")) out.add("electronic");
    else if (c.startsWith("h")) out.add("microform");
    else if (c.startsWith("t")) out.add("tangible");
  }
  for (const tag of ["337", "338"] as const) {
    for (const v of rdaTypes(s, tag).map((t) => RDA_CODES[t] ?? t)) {
      if (v.startsWith("c")) out.add("electronic");
      else if (v.startsWith("h")) out.add("microform");
      else if (v.startsWith("n")) out.add("tangible");
    }
  }
  return out;
}

/**
 * Online or microform against print, whatever field says it: an online version named only in
 * 007 or 338 is not the printed book whose record names no carrier (a book's record without
 * carrier coding is the printed book).
 */
function medium(a: Side, b: Side): CheckPoint {
  const x = mediaOf(a);
  const y = mediaOf(b);
  const other = (m: Set<string>): boolean => m.has("electronic") || m.has("microform");
  const show = (m: Set<string>): string => (m.size === 0 ? "none named" : [...m].join(", "));
  if (!other(x) && !other(y)) {
    return point("medium", "absent", "medium: neither names an electronic or microform carrier");
  }
  if ([...x].some((m) => y.has(m))) return point("medium", "same", `medium ${show(x)}`);
  return point("medium", "differs", `medium ${show(x)} ≠ ${show(y)}`);
}

// ---------------------------------------------------------------------------------------------
// ISBN (with its qualifiers), ISSN, 024, 028

/** What an ISBN is qualified as: the whole set, one binding, or something else (a volume). */
function isbnRole(qualifier: string): "set" | "hardback" | "paperback" | "other" {
  const q = fold(qualifier);
  if (/\b(set|sarja|gesamtwerk|ensemble|obra completa)\b/.test(q)) return "set";
  if (/\b(pbk|paperback|paper|softcover|pb|br|broch|nid|kart|nidottu)\b/.test(q))
    return "paperback";
  if (/\b(hbk|hardback|hardcover|hb|cloth|lib bdg|relie|geb|sidottu)\b/.test(q)) return "hardback";
  return "other";
}

/** Each `020 $a` ISBN of a record with what its qualifiers make it (`isbnQualifiers`). */
function isbnEntries(
  s: Side,
): { readonly isbn: string; readonly role: ReturnType<typeof isbnRole> }[] {
  return isbnQualifiers(s.record).map((e) => ({
    isbn: e.isbn,
    role: isbnRole(e.qualifiers.join(" ")),
  }));
}

function isbns(a: Side, b: Side): CheckPoint {
  const x = isbnEntries(a);
  const y = isbnEntries(b);
  const base = compareSets(
    "isbn",
    "ISBN",
    [...new Set(x.map((e) => e.isbn))],
    [...new Set(y.map((e) => e.isbn))],
  );
  if (base.result === "absent") {
    // Neither records' ISBNs in $a: the cancelled or invalid ones (`$z`) they share still say
    // something (never that they differ: a $z is only what the number is not).
    const shared = valuesOf(a, "isbn-cancelled").filter((v) =>
      valuesOf(b, "isbn-cancelled").includes(v),
    );
    if (x.length === 0 && y.length === 0 && shared.length > 0) {
      return point("isbn", "same", `shares cancelled ISBN (020 $z) ${list(shared)}`);
    }
  }
  if (base.result !== "same") return base;
  const shared = x.filter((e) => y.some((f) => f.isbn === e.isbn));
  // Two volumes of one set share the set's ISBN and nothing else.
  const ownX = x.filter((e) => e.role !== "set" && !y.some((f) => f.isbn === e.isbn));
  const ownY = y.filter((e) => e.role !== "set" && !x.some((f) => f.isbn === e.isbn));
  const onlySet = shared.every(
    (e) => e.role === "set" || y.some((f) => f.isbn === e.isbn && f.role === "set"),
  );
  if (onlySet && ownX.length > 0 && ownY.length > 0) {
    return point(
      "isbn",
      "differs",
      `shares only the set ISBN ${list([...new Set(shared.map((e) => e.isbn))])}; ISBN ${list(ownX.map((e) => e.isbn))} ≠ ${list(ownY.map((e) => e.isbn))}`,
    );
  }
  // One ISBN, one binding: a record for the paperback and one for the hardback of it disagree.
  for (const e of shared) {
    const other = y.find((f) => f.isbn === e.isbn && f.role !== "other" && f.role !== "set");
    if (e.role !== "other" && e.role !== "set" && other && other.role !== e.role) {
      return point("isbn", "differs", `ISBN ${e.isbn} qualified ${e.role} ≠ ${other.role}`);
    }
  }
  return base;
}

function issns(a: Side, b: Side): CheckPoint {
  return compareSets("issn", "ISSN", valuesOf(a, "issn"), valuesOf(b, "issn"));
}

/** 024 numbers by their type (`upc:…`): two of one type that share nothing differ. */
function standardIds(a: Side, b: Side): CheckPoint {
  const x = valuesOf(a, "standard-id");
  const y = valuesOf(b, "standard-id");
  const type = (v: string): string => v.slice(0, v.indexOf(":"));
  const types = [...new Set(x.map(type))].filter((t) => y.some((v) => type(v) === t));
  if (types.length === 0) return point("standard-id", "absent", "024: no type in both records");
  for (const t of types) {
    const ours = x.filter((v) => type(v) === t);
    const theirs = y.filter((v) => type(v) === t);
    if (!ours.some((v) => theirs.includes(v))) {
      return point("standard-id", "differs", `024 ${list(ours)} ≠ ${list(theirs)}`);
    }
  }
  return point("standard-id", "same", `shares 024 ${list(x.filter((v) => y.includes(v)))}`);
}

/** One 028: its number `$a` and label `$b`, without spaces, hyphens, dots and case. */
interface PublisherNumber {
  readonly number: string;
  readonly label: string;
}

function publisherNumbers(s: Side): PublisherNumber[] {
  const norm = (v: string): string => v.replace(/[\s.-]+/g, "").toUpperCase();
  return s.data("028").flatMap((f) => {
    const label = subfieldValues(f, "b").map(norm).join("");
    return subfieldValues(f, "a")
      .map(norm)
      .filter((number) => number !== "")
      .map((number) => ({ number, label }));
  });
}

/**
 * Two publisher numbers agree when the numbers do and the labels do not disagree (one may be
 * missing), or when one record writes the label into the number (`$b F $a 123` and `$a F-123`).
 * The same number of two labels is two issues.
 */
function samePublisherNumber(x: PublisherNumber, y: PublisherNumber): boolean {
  if (x.number === y.number) return x.label === "" || y.label === "" || x.label === y.label;
  return (
    (y.label === "" && x.label + x.number === y.number) ||
    (x.label === "" && y.label + y.number === x.number)
  );
}

function publisherNumber(a: Side, b: Side): CheckPoint {
  const x = publisherNumbers(a);
  const y = publisherNumbers(b);
  const show = (v: readonly PublisherNumber[]): string =>
    list(v.map((p) => (p.label !== "" ? `${p.label} ${p.number}` : p.number)));
  if (x.length === 0 || y.length === 0) {
    return point("publisher-number", "absent", "publisher number (028): not in both records");
  }
  const shared = x.filter((p) => y.some((q) => samePublisherNumber(p, q)));
  return shared.length > 0
    ? point("publisher-number", "same", `shares publisher number (028) ${show(shared)}`)
    : point("publisher-number", "differs", `publisher number (028) ${show(x)} ≠ ${show(y)}`);
}

// ---------------------------------------------------------------------------------------------
// 245 $n $p, 250, 300

/** A part's designation: its numbers when it has any (`v. 2` and `Band 2` agree), else its words. */
function designation(text: string): string {
  const numbers = text.match(/\d+/g);
  return numbers ? numbers.map((n) => n.replace(/^0+(?=\d)/, "")).join(".") : fold(text);
}

function parts(s: Side): string[] {
  const f = s.data("245")[0];
  if (!f) return [];
  return subfieldValues(f, "np")
    .map(designation)
    .filter((v) => v !== "");
}

function part(a: Side, b: Side): CheckPoint {
  const x = parts(a);
  const y = parts(b);
  if (x.length === 0 && y.length === 0)
    return point("part", "absent", "245 $n $p: in neither record");
  if (x.join("|") === y.join("|")) return point("part", "same", `245 $n $p ${list(x)}`);
  const show = (v: readonly string[]): string => (v.length === 0 ? "none" : list(v));
  return point("part", "differs", `245 $n $p ${show(x)} ≠ ${show(y)}`);
}

const ORDINALS: Readonly<Record<string, number>> = {
  first: 1,
  second: 2,
  third: 3,
  fourth: 4,
  fifth: 5,
  sixth: 6,
  seventh: 7,
  eighth: 8,
  ninth: 9,
  tenth: 10,
};

/** The number of an edition statement (`2nd ed.`, `Third edition`, `2. Aufl.`), if it has one. */
function editionNumber(s: Side): number | undefined {
  const f = s.data("250")[0];
  if (!f) return undefined;
  const text = fold(subfieldValues(f, "a").join(" "));
  const digits = /\b(\d{1,3})(?:st|nd|rd|th|e|er|re|a|o)?\b/.exec(text);
  if (digits) return Number(digits[1]);
  for (const word of text.split(" ")) if (ORDINALS[word] !== undefined) return ORDINALS[word];
  return undefined;
}

function edition(a: Side, b: Side): CheckPoint {
  const has = (s: Side): boolean => s.data("250").length > 0;
  const x = editionNumber(a);
  const y = editionNumber(b);
  if (x !== undefined && y !== undefined) {
    return x === y
      ? point("edition", "same", `250 edition ${x}`)
      : point("edition", "differs", `250 edition ${x} ≠ ${y}`);
  }
  // A second or later edition is not the edition that has no statement (the first).
  const one = x ?? y;
  if (one !== undefined && one > 1 && !(has(a) && has(b))) {
    return point(
      "edition",
      "differs",
      `250 edition ${one} in ${x !== undefined ? "the incoming record" : "the candidate"}, none in the other`,
    );
  }
  return point("edition", "absent", "250: no edition number in both records");
}

/** From `300 $a`: the number of volumes (`3 v.`) or of pages (the largest `NNN p.`). */
function extentOf(s: Side): { readonly volumes?: number; readonly pages?: number } {
  const f = s.data("300")[0];
  if (!f) return {};
  const text = subfieldValues(f, "a").join(" ").toLowerCase();
  const volumes = /(\d+)\s*(?:v\b|vol|volumes|bd|nid|osaa|t\.)/.exec(text);
  const pages = [...text.matchAll(/(\d+)\s*(?:p\b|pages|s\.|sivua|seiten)/g)].map((m) =>
    Number(m[1]),
  );
  return {
    ...(volumes ? { volumes: Number(volumes[1]) } : {}),
    ...(pages.length > 0 ? { pages: Math.max(...pages) } : {}),
  };
}

function extent(a: Side, b: Side): CheckPoint {
  const x = extentOf(a);
  const y = extentOf(b);
  if (x.volumes !== undefined && y.volumes !== undefined) {
    return x.volumes === y.volumes
      ? point("extent", "same", `300 ${x.volumes} volumes`)
      : point("extent", "differs", `300 ${x.volumes} ≠ ${y.volumes} volumes`);
  }
  if (x.pages !== undefined && y.pages !== undefined && !prepublication(a) && !prepublication(b)) {
    // Catalogers count a few pages differently (last numbered page, plates); another edition
    // or a different work differs by more.
    const gap = Math.abs(x.pages - y.pages);
    return gap <= Math.max(5, 0.1 * Math.max(x.pages, y.pages))
      ? point("extent", "same", `300 ${x.pages} ≈ ${y.pages} pages`)
      : point("extent", "differs", `300 ${x.pages} ≠ ${y.pages} pages`);
  }
  return point("extent", "absent", "300: no volumes or pages in both records");
}

// ---------------------------------------------------------------------------------------------

const CHECKS: Readonly<Record<ResourceCheck, (a: Side, b: Side) => CheckPoint>> = {
  "oclc-number": oclcNumbers,
  "system-number": systemNumbers,
  "record-type": recordType,
  "bibliographic-level": bibliographicLevel,
  "host-item": hostItem,
  dates,
  "form-of-item": formOfItemCheck,
  "physical-description": physicalDescription,
  carrier,
  medium,
  isbn: isbns,
  issn: issns,
  part,
  edition,
  extent,
  "standard-id": standardIds,
  "publisher-number": publisherNumber,
  language,
};

/** The checks on what a record is (type, level, component part), which need no identifiers. */
const STRUCTURE_CHECKS: readonly ResourceCheck[] = [
  "record-type",
  "bibliographic-level",
  "host-item",
];

/**
 * Compares only what the records are (type of record, bibliographic level, component part):
 * for a candidate that is the incoming record by its OCLC number, where the rest are edits.
 */
export function compareStructure(incoming: MarcRecord, candidate: MarcRecord): CheckPoint[] {
  const a = side(incoming, []);
  const b = side(candidate, []);
  return STRUCTURE_CHECKS.map((check) => CHECKS[check](a, b));
}

/**
 * Compares an incoming record with a candidate on every check, in {@link RESOURCE_CHECKS}
 * order. `incomingKeys`: the incoming record's match keys without its `001` (`matchKeysOf`),
 * when the caller has them.
 *
 * @example
 * ```ts
 * compareResources(incoming, candidate).filter((p) => p.result === "differs");
 * // [{ check: "dates", result: "differs", text: "008 date 1814 ≠ 1813" }]
 * ```
 */
export function compareResources(
  incoming: MarcRecord,
  candidate: MarcRecord,
  incomingKeys?: readonly MatchKey[],
): CheckPoint[] {
  const a = side(incoming, incomingKeys);
  const b = side(candidate);
  return RESOURCE_CHECKS.map((check) => CHECKS[check](a, b));
}
