/**
 * Match keys: the one extractor of the identifiers a record can be found by.
 *
 * The catalog stores the keys of every record on save, and the import match methods look
 * incoming records up by the same keys, so both sides call this module and can never drift
 * apart. Each key is a kind (OCLC number, ISBN, ISSN, …) and a normalized value. The rules and
 * their reasons are in `docs/match-keys.md`.
 *
 * @example
 * ```ts
 * const record: MarcRecord = {
 *   leader: "00000nam a2200000 a 4500",
 *   fields: [
 *     { tag: "001", value: "ocm00012345" },
 *     { tag: "003", value: "OCoLC" },
 *     { tag: "020", ind1: " ", ind2: " ", subfields: [{ code: "a", value: "0-06-012800-3 (pbk.)" }] },
 *   ],
 * };
 * extractMatchKeys(record);
 * // [{ kind: "oclc", value: "12345" }, { kind: "isbn", value: "9780060128005" },
 * //  { kind: "system-id", value: "(OCoLC)ocm00012345" }]
 * ```
 */
import type { MarcRecord } from "./record.js";

/** Every kind of match key, in the order {@link extractMatchKeys} returns them. */
export const MATCH_KEY_KINDS = [
  "oclc",
  "oclc-cancelled",
  "isbn",
  "isbn-cancelled",
  "issn",
  "issn-linking",
  "issn-cancelled",
  "standard-id",
  "system-id",
  "other-system-id",
  "title-key",
] as const;

export type MatchKeyKind = (typeof MATCH_KEY_KINDS)[number];

/** One match key: what kind of identifier, and its normalized value. */
export interface MatchKey {
  readonly kind: MatchKeyKind;
  readonly value: string;
}

/** A loosely read subfield: records built in code may not keep to the types. */
interface LooseSubfield {
  readonly code: string;
  readonly value: string;
}

/** A loosely read data field (see {@link LooseSubfield}). */
interface LooseDataField {
  readonly tag: string;
  readonly ind1: string;
  readonly ind2: string;
  readonly subfields: readonly LooseSubfield[];
}

/** The fields of a record that keys come from, gathered in one pass. */
interface KeySources {
  controlNumber?: string;
  controlNumberIdentifier?: string;
  fixedData?: string;
  readonly byTag: Map<string, LooseDataField[]>;
}

const DATA_TAGS = new Set([
  "010",
  "019",
  "020",
  "022",
  "024",
  "035",
  "100",
  "110",
  "111",
  "245",
  "260",
  "264",
]);

/** The string itself, or `""` for anything that is not a string. */
function str(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/** A value in Unicode NFC, trimmed: the first step for every value. */
function clean(value: string): string {
  return value.normalize("NFC").trim();
}

const WHITESPACE = /\s+/g;

/** Whether a field read from anywhere has the shape of a data field (the usual case). */
function wellFormed(field: object, raw: unknown[]): field is LooseDataField {
  const { ind1, ind2 } = field as { ind1?: unknown; ind2?: unknown };
  if (typeof ind1 !== "string" || typeof ind2 !== "string") return false;
  for (const s of raw) {
    if (typeof s !== "object" || s === null) return false;
    const { code, value } = s as { code?: unknown; value?: unknown };
    if (typeof code !== "string" || typeof value !== "string") return false;
  }
  return true;
}

/** Reads a possibly malformed data field; `undefined` when it has no usable subfields. */
function looseDataField(tag: string, field: object): LooseDataField | undefined {
  const raw: unknown = (field as { subfields?: unknown }).subfields;
  if (!Array.isArray(raw)) return undefined;
  // A well-formed field is read as it is; only a malformed one is copied, without its bad parts.
  if (wellFormed(field, raw as unknown[])) return field;
  const subfields: LooseSubfield[] = [];
  for (const s of raw as unknown[]) {
    if (typeof s !== "object" || s === null) continue;
    const { code, value } = s as { code?: unknown; value?: unknown };
    if (typeof code === "string" && typeof value === "string") subfields.push({ code, value });
  }
  const { ind1, ind2 } = field as { ind1?: unknown; ind2?: unknown };
  return { tag, ind1: str(ind1), ind2: str(ind2), subfields };
}

/**
 * Where a UNIMARC record (UNIMARC, CNMARC) holds what keys come from, as the MARC 21 field and
 * subfield codes the extractor reads: 010 ISBN, 011 ISSN, 016/017/072/073 other standard
 * numbers, 035 system numbers, 200 title, 700/710/720 main entry, 210/214 date; the date of
 * 100 $a/9-12 stands for 008/07-10. The same key comes from a record in either family.
 */
interface UnimarcPlace {
  readonly tag: string;
  readonly codes: Readonly<Record<string, string>>;
  readonly ind1?: string;
}
const UNIMARC_PLACES: ReadonlyMap<string, UnimarcPlace> = new Map<string, UnimarcPlace>([
  ["010", { tag: "020", codes: { a: "a", z: "z" } }],
  ["011", { tag: "022", codes: { a: "a", f: "l", y: "z", z: "y" } }],
  ["016", { tag: "024", codes: { a: "a" }, ind1: "0" }],
  ["017", { tag: "024", codes: { a: "a", "2": "2" }, ind1: "7" }],
  ["072", { tag: "024", codes: { a: "a" }, ind1: "1" }],
  ["073", { tag: "024", codes: { a: "a" }, ind1: "3" }],
  ["035", { tag: "035", codes: { a: "a", z: "z" } }],
  ["200", { tag: "245", codes: { a: "a", e: "b", h: "n", i: "p" } }],
  ["700", { tag: "100", codes: { a: "a" } }],
  ["720", { tag: "100", codes: { a: "a" } }],
  ["710", { tag: "110", codes: { a: "a" } }],
  ["210", { tag: "260", codes: { d: "c" } }],
  ["214", { tag: "264", codes: { d: "c" } }],
]);

/** A UNIMARC data field as the MARC 21 field keys are read from (non-sorting part removed). */
function fromUnimarc(field: LooseDataField): LooseDataField | undefined {
  const place = UNIMARC_PLACES.get(field.tag);
  if (!place) return undefined;
  const subfields: LooseSubfield[] = [];
  for (const s of field.subfields) {
    const code = place.codes[s.code];
    if (code === undefined) continue;
    const value =
      field.tag === "200"
        ? s.value.replace(/\u0098[^\u009c]*\u009c/g, "").replace(/[\u0098\u009c]/g, "")
        : s.value;
    subfields.push({ code, value });
  }
  return {
    tag: place.tag,
    ind1: place.ind1 ?? field.ind1,
    ind2: field.tag === "200" ? "0" : field.ind2,
    subfields,
  };
}

/** One pass over the fields, keeping only what keys come from. Never throws on odd shapes. */
function gatherSources(record: MarcRecord, family: KeyFamily = "MARC21"): KeySources {
  const sources: KeySources = { byTag: new Map() };
  const fields: unknown = (record as { fields?: unknown } | null | undefined)?.fields;
  if (!Array.isArray(fields)) return sources;
  for (const field of fields as unknown[]) {
    if (typeof field !== "object" || field === null) continue;
    const tag = str((field as { tag?: unknown }).tag);
    if ("subfields" in field) {
      if (family === "UNIMARC") {
        const read = UNIMARC_PLACES.has(tag) ? looseDataField(tag, field) : undefined;
        const data = read && fromUnimarc(read);
        if (!data) {
          if (tag === "100" && sources.fixedData === undefined) {
            const a = read ?? looseDataField(tag, field);
            const coded = a?.subfields.find((s) => s.code === "a")?.value ?? "";
            // 100 $a/9-12 (date 1) where the MARC 21 extractor reads 008/07-10.
            if (coded.length >= 13) sources.fixedData = `       ${coded.slice(9, 13)}`;
          }
          continue;
        }
        const list = sources.byTag.get(data.tag);
        if (list) list.push(data);
        else sources.byTag.set(data.tag, [data]);
        continue;
      }
      if (!DATA_TAGS.has(tag)) continue;
      const data = looseDataField(tag, field);
      if (!data) continue;
      const list = sources.byTag.get(tag);
      if (list) list.push(data);
      else sources.byTag.set(tag, [data]);
      continue;
    }
    const value = (field as { value?: unknown }).value;
    if (typeof value !== "string") continue;
    if (tag === "001" && sources.controlNumber === undefined) sources.controlNumber = value;
    else if (tag === "003" && family === "MARC21" && sources.controlNumberIdentifier === undefined)
      sources.controlNumberIdentifier = value;
    else if (tag === "008" && family === "MARC21" && sources.fixedData === undefined)
      sources.fixedData = value;
  }
  return sources;
}

// ---------------------------------------------------------------------------------------------
// OCLC numbers

/**
 * `(OCoLC)` or `(OCoLC-M)` (OCLC's master record number: the WorldCat number an institution
 * record hangs on), any case, spaces allowed, optionally after a local system's letters
 * (`ABC(OCoLC)12345`, `xyz (OCoLC)ocm012345`). `(OCoLC-I)`, an institution record's own number,
 * is not a WorldCat number and does not match.
 */
const OCLC_PREFIX = /^(?:\p{L}{1,12}\s*)?\(\s*ocolc(?:\s*-\s*m)?\s*\)\s*/iu;
const OCLC_LETTERS = /^(?:ocm|ocn|on)\s*(?=\d)/i;
const OCLC_DIGITS = /^(\d+)(?![\p{L}\p{N}])/u;
/** OCLC numbers have ten digits today; longer ones are other numbers with an OCLC-like prefix. */
const OCLC_MAX_DIGITS = 12;

/** The OCLC number of a text that is already known to be one (letters and prefix removed). */
function oclcDigits(rest: string): string | undefined {
  const withoutLetters = rest.replace(OCLC_LETTERS, "");
  const match = OCLC_DIGITS.exec(withoutLetters);
  if (!match) return undefined;
  const digits = match[1]!.replace(/^0+/, "");
  return digits === "" || digits.length > OCLC_MAX_DIGITS ? undefined : digits;
}

/** Whether the text starts with `ocm`, `ocn` or `on` and a digit (an OCLC number without prefix). */
export function hasOclcLetters(text: string): boolean {
  return OCLC_LETTERS.test(text);
}

/**
 * Normalizes an OCLC number: digits only, leading zeros stripped.
 *
 * Takes the `(OCoLC)` and `(OCoLC-M)` prefixed forms (any letter case, spaces allowed, a local
 * system's letters before them), the `ocm`/`ocn`/`on` forms and bare digits. Any other prefix
 * (`(DLC)…`, `(OCoLC-I)…`) and text without digits
 * (`(OCoLC)M-ESTCN`) give `undefined`, and so do the number 0 and numbers of more than 12
 * digits (`ocn9783596222056` is an ISBN, not an OCLC number).
 *
 * @example
 * ```ts
 * normalizeOclcNumber("(OCoLC)ocm00012345"); // "12345"
 * normalizeOclcNumber("(ocolc) 987654321"); // "987654321"
 * normalizeOclcNumber("xyz (OCoLC)ocm012345"); // "12345"
 * normalizeOclcNumber("(OCoLC-M)59878029"); // "59878029"
 * normalizeOclcNumber("on1234567890"); // "1234567890"
 * normalizeOclcNumber("(DLC)2001012345"); // undefined
 * normalizeOclcNumber("(OCoLC)M-ESTCN"); // undefined
 * ```
 */
export function normalizeOclcNumber(text: string): string | undefined {
  const value = clean(str(text));
  const prefix = OCLC_PREFIX.exec(value);
  if (prefix) return oclcDigits(value.slice(prefix[0].length));
  if (value.startsWith("(")) return undefined;
  return oclcDigits(value);
}

/**
 * What may stand before an `ocm`/`ocn`/`on` number in an `035`: the word `OCLC`, or another
 * system's prefix (`(Sirsi) ocm36728422`, `(N$T)ocm45732299`). The prefixed form is OCLC's alone,
 * so the number is the OCLC number a local system copied.
 */
const OCLC_LETTERS_AFTER = /^(?:oclc\s+|\([^()]*\)\s*)(?=(?:ocm|ocn|on)\s*\d)/i;

/**
 * An OCLC number from an `035`: `(OCoLC)`/`(OCoLC-M)` prefixed (a local system's letters may stand
 * before), `ocm`/`ocn`/`on` values, and those after `OCLC` or another system's prefix.
 */
function oclcFrom035(value: string): string | undefined {
  const prefix = OCLC_PREFIX.exec(value);
  if (prefix) return oclcDigits(value.slice(prefix[0].length));
  const before = OCLC_LETTERS_AFTER.exec(value);
  if (before) return oclcDigits(value.slice(before[0].length));
  return hasOclcLetters(value) ? oclcDigits(value) : undefined;
}

/**
 * Whether an `035 $a` is in OCLC's name even if it holds no usable number (then it gives no key):
 * `(OCoLC)` or `(OCoLC-M)` prefixed, or starting `ocm`/`ocn`/`on`. Another system's value with an
 * OCLC-like number that does not read stays that system's (`other-system-id`).
 */
function isOclc035(value: string): boolean {
  return OCLC_PREFIX.test(value) || hasOclcLetters(value);
}

// ---------------------------------------------------------------------------------------------
// ISBN

const ISBN10 = /^\d{9}[\dX]$/;
const ISBN13 = /^97[89]\d{10}$/;
const NOT_ISBN_CHARS = /[^0-9Xx-]+/;
const LEADING_ISBN_RUN = /^[\d\sXx-]+/;

/** Whether a 10-character ISBN's check digit is right. */
function isbn10Valid(isbn: string): boolean {
  let sum = 0;
  for (let i = 0; i < 10; i++) {
    const c = isbn.charCodeAt(i);
    const d = c === 0x58 ? 10 : c - 0x30;
    sum += (10 - i) * d;
  }
  return sum % 11 === 0;
}

/** The ISBN-13 check digit of the first 12 digits. */
function isbn13CheckDigit(first12: string): number {
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += (first12.charCodeAt(i) - 0x30) * (i % 2 === 0 ? 1 : 3);
  return (10 - (sum % 10)) % 10;
}

/** The candidate ISBN in a token, hyphens removed and `x` upper-cased, or `undefined`. */
function isbnToken(token: string): string | undefined {
  const candidate = token.replace(/[-\s]/g, "").toUpperCase();
  return ISBN10.test(candidate) || ISBN13.test(candidate) ? candidate : undefined;
}

/**
 * Normalizes an ISBN to its 13-digit form without hyphens.
 *
 * The first ISBN-looking token counts: 10 characters (digits, the last may be `X`) or 13 digits
 * starting `978`/`979`; hyphens, spaces and qualifiers (`(pbk.)`, `: $12.00`) are dropped. A valid
 * ISBN-10 is folded to ISBN-13 (`978`, its first nine digits, a recomputed check digit). A wrong
 * check digit still gives a key, as typed: an invalid ISBN-10 stays 10 characters, since folding
 * would invent a check digit; an invalid ISBN-13 stays as it is.
 *
 * @example
 * ```ts
 * normalizeIsbn("0-06-012800-3 (pbk.)"); // "9780060128005"
 * normalizeIsbn("9780060128005 : $12.00"); // "9780060128005"
 * normalizeIsbn("080442957x"); // "9780804429573"
 * normalizeIsbn("0060128004"); // "0060128004" (wrong check digit: kept, not folded)
 * normalizeIsbn("$12.00"); // undefined
 * ```
 */
export function normalizeIsbn(text: string): string | undefined {
  const value = clean(str(text));
  let isbn: string | undefined;
  for (const token of value.split(NOT_ISBN_CHARS)) {
    isbn = isbnToken(token);
    if (isbn) break;
  }
  if (!isbn) {
    // Spaces inside the number ("978 0 06 012800 5"): the leading run of ISBN characters.
    const run = LEADING_ISBN_RUN.exec(value);
    if (run) isbn = isbnToken(run[0]);
  }
  if (!isbn || isbn.length === 13) return isbn;
  if (!isbn10Valid(isbn)) return isbn;
  const first12 = "978" + isbn.slice(0, 9);
  return first12 + String(isbn13CheckDigit(first12));
}

/** One `020 $a` ISBN of a record and the qualifiers written with it. */
export interface IsbnQualifiers {
  /** The ISBN as {@link normalizeIsbn} gives it (the `isbn` key). */
  readonly isbn: string;
  /** `pbk.`, `v. 2`, `set`, …: each as written, trimmed, without its parentheses; may be empty. */
  readonly qualifiers: readonly string[];
}

const PARENTHESIZED = /\(([^()]*)\)/g;
/** Punctuation around a `$q` that is ISBD's, not the qualifier's: `(`, `)`, ` :`, ` ;`, `,`. */
const QUALIFIER_PUNCTUATION = /^[\s(]+|[\s):;,]+$/g;

/** A qualifier cleaned of its parentheses and ISBD punctuation, runs of spaces made one. */
function qualifierText(text: string): string {
  return clean(text).replace(QUALIFIER_PUNCTUATION, "").replace(WHITESPACE, " ");
}

/**
 * The qualifiers of each ISBN of a record (`020 $a`, in record order), for telling a paperback
 * from a hardback or a volume from its set: every `$q` of the field, then every parenthesized
 * text in the `$a` itself (the pre-2013 way, `0-394-55811-4 (pbk.)`). An `$a` that gives no ISBN
 * is left out; an ISBN with no qualifier has an empty list. `$z` (cancelled) is not read.
 *
 * @example
 * ```ts
 * isbnQualifiers({
 *   leader: "00000nam a2200000 a 4500",
 *   fields: [
 *     { tag: "020", ind1: " ", ind2: " ", subfields: [{ code: "a", value: "0-394-55811-4 (pbk.)" }] },
 *     { tag: "020", ind1: " ", ind2: " ", subfields: [{ code: "a", value: "9780394558110" }, { code: "q", value: "(v. 2 ;" }, { code: "q", value: "hardcover)" }] },
 *   ],
 * });
 * // [{ isbn: "9780394558110", qualifiers: ["pbk."] },
 * //  { isbn: "9780394558110", qualifiers: ["v. 2", "hardcover"] }]
 * ```
 */
export function isbnQualifiers(record: MarcRecord): IsbnQualifiers[] {
  const out: IsbnQualifiers[] = [];
  for (const field of gatherSources(record).byTag.get("020") ?? []) {
    const q = values(field, "q")
      .map(qualifierText)
      .filter((v) => v !== "");
    for (const a of values(field, "a")) {
      const isbn = normalizeIsbn(a);
      if (isbn === undefined) continue;
      const inline = [...a.matchAll(PARENTHESIZED)].map((m) => qualifierText(m[1]!));
      out.push({ isbn, qualifiers: [...q, ...inline.filter((v) => v !== "")] });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// ISSN

const ISSN = /^\d{7}[\dX]$/;
const NOT_ISSN_CHARS = /[^0-9Xx-]+/;
const LEADING_ISSN_RUN = /^[\d\sXx-]+/;

/** The candidate ISSN in a token (`NNNNNNNX`), or `undefined`. */
function issnToken(token: string): string | undefined {
  const candidate = token.replace(/[-\s]/g, "").toUpperCase();
  return ISSN.test(candidate) ? candidate : undefined;
}

/**
 * Normalizes an ISSN to `NNNN-NNNX`: with its hyphen, `X` upper-case.
 *
 * The first ISSN-looking token counts (eight characters once hyphens are removed, the last may
 * be `X`); qualifiers and the word `ISSN` are dropped. The check digit is not checked: a typo
 * still gives a key, as typed.
 *
 * @example
 * ```ts
 * normalizeIssn("0028-0836"); // "0028-0836"
 * normalizeIssn("ISSN 1050124x (print)"); // "1050-124X"
 * normalizeIssn("1234-56789"); // undefined (nine digits)
 * ```
 */
export function normalizeIssn(text: string): string | undefined {
  const value = clean(str(text));
  let issn: string | undefined;
  for (const token of value.split(NOT_ISSN_CHARS)) {
    issn = issnToken(token);
    if (issn) break;
  }
  if (!issn) {
    const run = LEADING_ISSN_RUN.exec(value);
    if (run) issn = issnToken(run[0]);
  }
  return issn ? `${issn.slice(0, 4)}-${issn.slice(4)}` : undefined;
}

// ---------------------------------------------------------------------------------------------
// 024: other standard identifiers

/** The type names of `024` first indicators 0–4 and 8 (7 takes its name from `$2`). */
const STANDARD_ID_TYPES: Readonly<Record<string, string>> = {
  "0": "isrc",
  "1": "upc",
  "2": "ismn",
  "3": "ean",
  "4": "sici",
  "8": "unspecified",
};

/** Types whose numbers are digits: qualifiers dropped, separators removed. */
const NUMERIC_TYPES = new Set(["upc", "ean", "ismn", "gtin-14", "gtin-13", "gtin-12", "gtin-8"]);
const LEADING_NUMBER = /^[\d\s-]*\d[\dXx]?/;
const SEPARATED_NUMBER = /^[\d\s-]*\d[\dXx]?$/;
const DOI_PREFIX = /^(?:doi:\s*|https?:\/\/(?:dx\.)?doi\.org\/)/i;

/** The normalized number of one `024 $a` for its type, or `undefined`. */
function standardNumber(type: string, value: string): string | undefined {
  if (type === "doi") return value.replace(DOI_PREFIX, "").replace(WHITESPACE, "").toLowerCase();
  if (type === "isrc") return value.replace(/[\s-]/g, "").toUpperCase();
  if (type === "ismn") {
    // The old ten-character form M-2306-7118-7 is 979-0-2306-7118-7 with the same check digit.
    const old = /^M[\s-]*([\d\s-]{8,}\d)/i.exec(value);
    if (old) return "9790" + old[1]!.replace(/[\s-]/g, "");
  }
  if (NUMERIC_TYPES.has(type)) {
    const run = LEADING_NUMBER.exec(value);
    return run ? run[0].replace(/[\s-]/g, "").toUpperCase() : undefined;
  }
  if (SEPARATED_NUMBER.test(value)) return value.replace(/[\s-]/g, "").toUpperCase();
  return value.replace(WHITESPACE, " ");
}

/** The `standard-id` value of one `024`, like `upc:012345678905`, or `undefined`. */
function standardId(field: LooseDataField, number: string): string | undefined {
  let type = STANDARD_ID_TYPES[field.ind1] ?? "unspecified";
  if (field.ind1 === "7") {
    const source = field.subfields.find((s) => s.code === "2");
    const name = source ? clean(source.value).toLowerCase().replace(WHITESPACE, "") : "";
    type = name === "" ? "unspecified" : name;
  }
  const value = standardNumber(type, number);
  return value ? `${type}:${value}` : undefined;
}

// ---------------------------------------------------------------------------------------------
// System numbers

/** A system number in `(ORG)id` form, whitespace removed, case as given. */
function systemNumber(value: string): string {
  return value.replace(WHITESPACE, "");
}

// ---------------------------------------------------------------------------------------------
// Title key

/** Letters that Unicode does not decompose but catalogers file as plain Latin. */
const FOLDED_LETTERS: Readonly<Record<string, string>> = {
  ß: "ss",
  æ: "ae",
  œ: "oe",
  ø: "o",
  đ: "d",
  ð: "d",
  ł: "l",
  þ: "th",
  ı: "i",
};
const FOLDABLE = /[ßæœøđðłþı]/g;
const COMBINING_MARKS = /\p{M}+/gu;
const NOT_WORD = /[^\p{L}\p{N}]+/gu;
const TITLE_KEY_MAX = 200;

/** Folds text for fuzzy comparison: no marks, lower case, words separated by one space. */
function foldWords(text: string): string {
  return text
    .normalize("NFKD")
    .replace(COMBINING_MARKS, "")
    .toLowerCase()
    .replace(FOLDABLE, (c) => FOLDED_LETTERS[c] ?? c)
    .replace(NOT_WORD, " ")
    .trim();
}

/**
 * The title part: `245 $a$b$n$p` without nonfiling characters (else `245 $k`), folded, at most
 * 200 characters.
 */
function titlePart(field: LooseDataField): string {
  const nonfiling = /^[1-9]$/.test(field.ind2) ? Number(field.ind2) : 0;
  const parts: string[] = [];
  let firstA = true;
  for (const s of field.subfields) {
    if (s.code !== "a" && s.code !== "b" && s.code !== "n" && s.code !== "p") continue;
    let value = s.value.normalize("NFC");
    if (s.code === "a" && firstA) {
      firstA = false;
      if (nonfiling > 0 && nonfiling < value.length) value = value.slice(nonfiling);
    }
    parts.push(value);
  }
  let title = foldWords(parts.join(" "));
  if (title === "") {
    // Archival records may have only a form heading: 245 $k "Morton Hoffman papers."
    const forms = field.subfields
      .filter((s) => s.code === "k")
      .map((s) => s.value.normalize("NFC"));
    title = foldWords(forms.join(" "));
  }
  if (title.length > TITLE_KEY_MAX) {
    const cut = title.lastIndexOf(" ", TITLE_KEY_MAX);
    title = title.slice(0, cut > 0 ? cut : TITLE_KEY_MAX);
  }
  return title;
}

/** The author part: surname (text before the first comma) of `100 $a`, or `110`/`111 $a`. */
function authorPart(sources: KeySources): string {
  for (const tag of ["100", "110", "111"]) {
    const field = sources.byTag.get(tag)?.[0];
    const a = field?.subfields.find((s) => s.code === "a");
    if (!a) continue;
    const name = a.value.normalize("NFC");
    const comma = name.indexOf(",");
    return foldWords(tag === "100" && comma >= 0 ? name.slice(0, comma) : name);
  }
  return "";
}

/** The date part: `008/07-10` when four digits, else the first four digits in `264`/`260 $c`. */
function datePart(sources: KeySources): string {
  const date1 = sources.fixedData?.slice(7, 11) ?? "";
  if (/^\d{4}$/.test(date1)) return date1;
  const f264 = sources.byTag.get("264") ?? [];
  const candidates = [
    ...f264.filter((f) => f.ind2 === "1"),
    ...(sources.byTag.get("260") ?? []),
    ...f264.filter((f) => f.ind2 !== "1"),
  ];
  for (const field of candidates) {
    for (const s of field.subfields) {
      if (s.code !== "c") continue;
      const year = /(?<!\d)\d{4}(?!\d)/.exec(s.value.normalize("NFKC"));
      if (year) return year[0];
    }
  }
  return "";
}

/** The title key of gathered sources (see {@link titleKey}). */
function titleKeyOf(sources: KeySources): string | undefined {
  const field = sources.byTag.get("245")?.[0];
  if (!field) return undefined;
  const title = titlePart(field);
  if (title === "") return undefined;
  return `${title}|${authorPart(sources)}|${datePart(sources)}`;
}

/**
 * The title key of a record, for fuzzy matching: `title words|author|date`.
 *
 * - title: `245 $a$b$n$p` in order, without the nonfiling characters of `245` ind2 (when these
 *   hold no word, `245 $k`, the form of an archival record's title), folded
 *   (Unicode NFKD, marks removed, lower case, `ß`→`ss` and the like, anything not a letter or a
 *   digit → one space), cut at a word boundary to at most 200 characters;
 * - author: the surname of `100 $a` (the text before its first comma), or `110`/`111 $a`, folded;
 *   empty when there is no main entry;
 * - date: `008/07-10` when four digits, else the first four-digit year in `264` (ind2 1) `$c`,
 *   `260 $c`, another `264 $c`; empty when none.
 *
 * No `245`, or a title with no letters or digits, gives `undefined`. The parts never hold `|`.
 *
 * @example
 * ```ts
 * titleKey({
 *   leader: "00000nam a2200000 a 4500",
 *   fields: [
 *     { tag: "008", value: "990101s1999    nyu           000 0 eng d" },
 *     { tag: "100", ind1: "1", ind2: " ", subfields: [{ code: "a", value: "Brontë, Charlotte," }] },
 *     { tag: "245", ind1: "1", ind2: "4", subfields: [{ code: "a", value: "The Professor :" }, { code: "b", value: "a tale." }] },
 *   ],
 * }); // "professor a tale|bronte|1999"
 * ```
 */
export function titleKey(record: MarcRecord, family: KeyFamily = "MARC21"): string | undefined {
  return titleKeyOf(gatherSources(record, family));
}

// ---------------------------------------------------------------------------------------------
// All keys

const KIND_ORDER: ReadonlyMap<MatchKeyKind, number> = new Map(
  MATCH_KEY_KINDS.map((k, i) => [k, i]),
);

/** Collects keys once each, then returns them in kind order, record order within a kind. */
class KeyList {
  readonly #seen = new Set<string>();
  readonly #keys: MatchKey[] = [];

  add(kind: MatchKeyKind, value: string | undefined): void {
    if (value === undefined || value === "") return;
    const id = kind + "\u0000" + value;
    if (this.#seen.has(id)) return;
    this.#seen.add(id);
    this.#keys.push({ kind, value });
  }

  sorted(): MatchKey[] {
    // Array.prototype.sort is stable, so record order is kept within a kind.
    return this.#keys.sort((x, y) => KIND_ORDER.get(x.kind)! - KIND_ORDER.get(y.kind)!);
  }
}

/** The cleaned values of a field's subfields with one code; empty ones left out. */
function values(field: LooseDataField, code: string): string[] {
  const out: string[] = [];
  for (const s of field.subfields) {
    if (s.code !== code) continue;
    const value = clean(s.value);
    if (value !== "") out.push(value);
  }
  return out;
}

/**
 * All match keys of a record, deduplicated (same kind and value once), grouped by kind in
 * {@link MATCH_KEY_KINDS} order and in record order within a kind.
 *
 * - `oclc`: `035 $a` with `(OCoLC)` (any case) or `ocm`/`ocn`/`on`; `001` when `003` is `OCoLC`
 *   or the `001` starts `ocm`/`ocn`/`on`. `oclc-cancelled`: the same in `035 $z`, and `019 $a`.
 * - `isbn`/`isbn-cancelled`: `020 $a`/`$z` ({@link normalizeIsbn}).
 * - `issn`/`issn-linking`/`issn-cancelled`: `022 $a`/`$l`/`$y` and `$z` ({@link normalizeIssn}).
 * - `standard-id`: `024 $a` as `type:number` (`upc:012345678905`, `doi:10.1000/182`).
 * - `system-id`: `(003)001`, or the `001` alone; `other-system-id`: any other `035 $a`.
 *   Both with whitespace removed, so `(DLC)  2001012345` and a `001`/`003` pair compare equal.
 * - `title-key`: {@link titleKey}.
 *
 * Never throws: fields of the wrong shape are skipped.
 *
 * @example
 * ```ts
 * extractMatchKeys({
 *   leader: "00000nam a2200000 a 4500",
 *   fields: [
 *     { tag: "035", ind1: " ", ind2: " ", subfields: [{ code: "a", value: "(OCoLC)ocm00012345" }, { code: "z", value: "(OCoLC)999" }] },
 *     { tag: "035", ind1: " ", ind2: " ", subfields: [{ code: "a", value: "(DLC)  2001012345" }] },
 *     { tag: "022", ind1: " ", ind2: " ", subfields: [{ code: "a", value: "0028-0836" }] },
 *   ],
 * });
 * // [{ kind: "oclc", value: "12345" }, { kind: "oclc-cancelled", value: "999" },
 * //  { kind: "issn", value: "0028-0836" }, { kind: "other-system-id", value: "(DLC)2001012345" }]
 * ```
 */
export function extractMatchKeys(
  record: MarcRecord,
  options: ExtractMatchKeysOptions = {},
): MatchKey[] {
  const sources = gatherSources(record, options.family);
  const keys = new KeyList();
  const fields = (tag: string): readonly LooseDataField[] => sources.byTag.get(tag) ?? [];

  const controlNumber = clean(sources.controlNumber ?? "");
  const identifier = clean(sources.controlNumberIdentifier ?? "");
  if (controlNumber !== "") {
    if (identifier.toLowerCase() === "ocolc" || hasOclcLetters(controlNumber)) {
      keys.add("oclc", normalizeOclcNumber(controlNumber));
    }
    const id = identifier === "" ? controlNumber : `(${identifier})${controlNumber}`;
    keys.add("system-id", systemNumber(id));
  }

  for (const field of fields("035")) {
    for (const s of field.subfields) {
      if (s.code !== "a" && s.code !== "z") continue;
      const value = clean(s.value);
      if (value === "") continue;
      if (s.code === "z") {
        keys.add("oclc-cancelled", oclcFrom035(value));
        continue;
      }
      const oclc = oclcFrom035(value);
      if (oclc !== undefined) keys.add("oclc", oclc);
      else if (!isOclc035(value)) keys.add("other-system-id", systemNumber(value));
    }
  }
  // An authority record's LCCN (010 $a) is the Library of Congress's system number: the one its
  // 035 (DLC) and an LC record's (003)001 carry. Bibliographic records do not match by 010.
  if (str((record as { leader?: unknown } | null | undefined)?.leader).charAt(6) === "z") {
    for (const field of fields("010")) {
      for (const value of values(field, "a")) {
        if (clean(value) !== "") keys.add("other-system-id", systemNumber(`(DLC)${clean(value)}`));
      }
    }
  }
  for (const field of fields("019")) {
    for (const value of values(field, "a")) keys.add("oclc-cancelled", normalizeOclcNumber(value));
  }

  for (const field of fields("020")) {
    for (const s of field.subfields) {
      if (s.code === "a") keys.add("isbn", normalizeIsbn(s.value));
      else if (s.code === "z") keys.add("isbn-cancelled", normalizeIsbn(s.value));
    }
  }

  for (const field of fields("022")) {
    for (const s of field.subfields) {
      if (s.code === "a") keys.add("issn", normalizeIssn(s.value));
      else if (s.code === "l") keys.add("issn-linking", normalizeIssn(s.value));
      else if (s.code === "y" || s.code === "z") keys.add("issn-cancelled", normalizeIssn(s.value));
    }
  }

  for (const field of fields("024")) {
    for (const value of values(field, "a")) keys.add("standard-id", standardId(field, value));
  }

  if (options.titleKey !== false) keys.add("title-key", titleKeyOf(sources));
  return keys.sorted();
}

/**
 * The tag family a record is written in: MARC 21 (and KORMARC, built on it) or UNIMARC (and
 * CNMARC). A UNIMARC record gives its keys from UNIMARC's places (010, 011, 035, 001, 200, 700).
 */
export type KeyFamily = "MARC21" | "UNIMARC";

/** Options of {@link extractMatchKeys}. */
export interface ExtractMatchKeysOptions {
  /** @default "MARC21" */
  readonly family?: KeyFamily;
  /**
   * `false`: no `title-key` (the costliest key, which only Title and author compares), for a
   * look-up with a method that does not use it.
   * @default true
   */
  readonly titleKey?: boolean;
}
