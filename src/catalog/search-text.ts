/**
 * What search sees of a record, computed once in JavaScript for both engines so that SQLite
 * FTS5 and PostgreSQL full text index exactly the same words, and queries are normalized the
 * same way: Unicode NFKD, combining marks removed, lower case, anything but letters and digits
 * a space. So `Zürich`, `Zurich` and `ZURICH` are one word, and `Ł` needs no special case.
 * The modifier letters of romanization (ALA-LC ʻ ʼ ʾ ʿ for ayn and alif, ʹ ʺ for the soft and
 * hard signs) are dropped inside a word, as diacritics are: `ʻAm ʻoved` is `am oved`,
 * `Qurʼān` is `quran`, `Obʺedinenie` is `obedinenie`.
 *
 * {@link SEARCH_TEXT_VERSION} names this normalization and the index layout: a catalog whose
 * search text was built by an earlier one rebuilds it on open.
 */

/** Bumped whenever what `searchDocument` gives for a record changes (catalogs reindex on open). */
export const SEARCH_TEXT_VERSION = 3;
import {
  getControlValue,
  getDataFields,
  isDataField,
  type DataField,
  type MarcRecord,
} from "../marc/record.js";

/** The text of each search index, normalized, and the fields a hit list shows. */
export interface SearchDocument {
  readonly title: string;
  readonly author: string;
  readonly subject: string;
  /**
   * The text of every other data field (subfields with letter codes). The `keyword` index
   * searches all four texts; each word is stored once.
   */
  readonly keyword: string;
  readonly displayTitle: string;
  readonly displayAuthor: string;
  readonly date: string;
}

const MARKS = /\p{M}+/gu;
/** Romanization's modifier letters: ʹ ʺ ʻ ʼ ʽ ʾ ʿ (U+02B9–U+02BF) and ˀ ˁ (glottal stops). */
const ROMANIZATION_MARKS = /[\u02b9-\u02bf\u02c0\u02c1]+/gu;
const NOT_WORD = /[^\p{L}\p{N}]+/gu;

/** What each UTF-16 code unit folds to (computed on first sight): letters and digits folded, marks dropped, the rest a space. */
const FOLDED: (string | undefined)[] = [];

/** The normalization of one character (NFKD may make several, or a space around a letter: ㈀ → " ᄀ "). */
function fold(char: string): string {
  return char
    .replace(ROMANIZATION_MARKS, "")
    .normalize("NFKD")
    .replace(MARKS, "")
    .toLowerCase()
    .replace(NOT_WORD, " ");
}

/** Greek, Greek Extended, and the high surrogate of the mathematical alphanumerics. */
const CONTEXT_CASED = /[\u0370-\u03ff\u1f00-\u1fff\ud835]/;

/** Letters and digits outside ASCII, combining marks, compatibility forms: anything `fold` may change. */
const NOT_ASCII = /[\u0080-\uffff]/;
/** Runs of ASCII that are not letters or digits (after lower-casing). */
const ASCII_NOT_WORD = /[^a-z0-9]+/g;

/** Search normalization of any text (documents and queries alike). */
export function normalizeSearchText(text: string): string {
  // ASCII (most catalog text): lower case, and each run of anything else one space.
  if (!NOT_ASCII.test(text)) return text.toLowerCase().replace(ASCII_NOT_WORD, " ").trim();
  const lower = text.toLowerCase();
  // Lower-casing first is fast for ASCII; characters are folded one by one from the original
  // text. Where that cannot give the same as folding the whole text, take the plain way: when
  // lower-casing changed the length (İ → i̇), and for Greek (and mathematical letters), whose
  // capital sigma lower-cases by context (final ς).
  if (lower.length !== text.length || CONTEXT_CASED.test(text)) return fold(text).trim();
  let out = "";
  let run = 0; // start of the current stretch that stays as it is
  let space = true; // the output ends with a space (or is empty): no space to add
  for (let i = 0; i < lower.length; i++) {
    const c = lower.charCodeAt(i);
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39)) {
      space = false;
      continue;
    }
    if (c === 0x20 && !space) {
      space = true;
      continue;
    }
    let piece: string;
    let width = 1;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < lower.length) {
      piece = fold(text.slice(i, i + 2)); // outside the BMP: rare, not memoized
      width = 2;
    } else {
      piece = FOLDED[text.charCodeAt(i)] ??= fold(text[i]!);
      if (piece === lower[i] && c !== 0x20) {
        space = false;
        continue;
      }
    }
    out += lower.slice(run, i);
    if (space && piece.startsWith(" ")) piece = piece.slice(1);
    if (piece !== "") {
      out += piece;
      space = piece.endsWith(" ");
    }
    i += width - 1;
    run = i + 1;
  }
  out += lower.slice(run);
  return out.endsWith(" ") ? out.slice(0, -1) : out;
}

/** Which search text a tag's words go to. */
const TITLE = 0;
const AUTHOR = 1;
const SUBJECT = 2;
const KEYWORD = 3;
type Index = typeof TITLE | typeof AUTHOR | typeof SUBJECT | typeof KEYWORD;

const INDEX_OF_TAG: ReadonlyMap<string, Index> = new Map([
  ...["245", "246", "247", "130", "240", "242", "730", "740", "830", "490"].map(
    (t) => [t, TITLE] as const,
  ),
  ...["100", "110", "111", "700", "710", "711", "720"].map((t) => [t, AUTHOR] as const),
]);

/** UNIMARC's title fields (200, 225, 4XX links to series, 5XX related titles) and names (70X–72X). */
const UNIMARC_INDEX_OF_TAG: ReadonlyMap<string, Index> = new Map([
  ...[
    "200",
    "225",
    "410",
    "411",
    "500",
    "510",
    "512",
    "513",
    "515",
    "516",
    "517",
    "520",
    "530",
    "532",
    "541",
  ].map((t) => [t, TITLE] as const),
  ...["700", "701", "702", "710", "711", "712", "720", "721", "722"].map(
    (t) => [t, AUTHOR] as const,
  ),
]);

/** The tag family of a record: MARC 21 (and KORMARC) or UNIMARC (and CNMARC). */
export type SearchFamily = "MARC21" | "UNIMARC";

/** Title and author tags by the table; any 6XX a subject; everything else keyword. */
function indexOf(tag: string, family: SearchFamily = "MARC21"): Index {
  const named = (family === "UNIMARC" ? UNIMARC_INDEX_OF_TAG : INDEX_OF_TAG).get(tag);
  if (named !== undefined) return named;
  return tag.length === 3 && tag.charCodeAt(0) === 0x36 && isDigit(tag, 1) && isDigit(tag, 2)
    ? SUBJECT
    : KEYWORD;
}

function isDigit(text: string, at: number): boolean {
  const c = text.charCodeAt(at);
  return c >= 0x30 && c <= 0x39;
}

/** Subfields with letter codes (not $0–$9: links, sources, sequence numbers). */
function text(field: DataField): string {
  let out = "";
  for (const s of field.subfields) {
    const c = s.code.charCodeAt(0);
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a)) out += (out ? " " : "") + s.value;
  }
  return out;
}

function firstSubfields(record: MarcRecord, tags: RegExp, codes: string): string {
  for (const f of getDataFields(record, tags)) {
    const parts = f.subfields.filter((s) => codes.includes(s.code)).map((s) => s.value.trim());
    if (parts.length > 0) return parts.join(" ");
  }
  return "";
}

/** Trailing ISBD punctuation (` /`, ` :`, `.`, `,`) off a display string. */
function trimPunctuation(value: string): string {
  return value.replace(/[\s/:;,.=]+$/u, "").trim();
}

/** The search document of a record; a UNIMARC record's by UNIMARC's tags (200, 70X, 60X, 100 $a). */
export function searchDocument(
  record: MarcRecord,
  family: SearchFamily = "MARC21",
): SearchDocument {
  if (family === "UNIMARC") return unimarcSearchDocument(record);
  if (record.leader.charAt(6) === "z") return authoritySearchDocument(record);
  // The text of each index, its fields' texts separated by a space.
  const texts = ["", "", "", ""];
  for (const f of record.fields) {
    if (!isDataField(f)) continue;
    const t = text(f);
    if (!t) continue;
    const index = indexOf(f.tag === "880" ? linkedTag(f) : f.tag);
    texts[index] = texts[index] === "" ? t : `${texts[index]} ${t}`;
  }
  const fixed = getControlValue(record, "008") ?? "";
  const date1 = fixed.slice(7, 11);
  return {
    title: normalizeSearchText(texts[TITLE]!),
    author: normalizeSearchText(texts[AUTHOR]!),
    subject: normalizeSearchText(texts[SUBJECT]!),
    keyword: normalizeSearchText(texts[KEYWORD]!),
    displayTitle: trimPunctuation(firstSubfields(record, /^245$/, "abnp")),
    displayAuthor: trimPunctuation(firstSubfields(record, /^(100|110|111)$/, "abcdq")),
    date: /^\d{4}$/.test(date1)
      ? date1
      : trimPunctuation(firstSubfields(record, /^(264|260)$/, "c")),
  };
}

function unimarcSearchDocument(record: MarcRecord): SearchDocument {
  const texts = ["", "", "", ""];
  for (const f of record.fields) {
    if (!isDataField(f)) continue;
    const t = text(f).replace(/[\u0098\u009c]/g, "");
    if (!t) continue;
    const index = indexOf(f.tag, "UNIMARC");
    texts[index] = texts[index] === "" ? t : `${texts[index]} ${t}`;
  }
  const coded =
    getDataFields(record, /^100$/)[0]?.subfields.find((s) => s.code === "a")?.value ?? "";
  const date1 = coded.slice(9, 13);
  const name = getDataFields(record, /^(700|710|720)$/)[0];
  const surname = name?.subfields.find((s) => s.code === "a")?.value ?? "";
  const forename =
    name?.tag === "700" ? name.subfields.find((s) => s.code === "b")?.value : undefined;
  return {
    title: normalizeSearchText(texts[TITLE]!),
    author: normalizeSearchText(texts[AUTHOR]!),
    subject: normalizeSearchText(texts[SUBJECT]!),
    keyword: normalizeSearchText(texts[KEYWORD]!),
    displayTitle: trimPunctuation(
      firstSubfields(record, /^200$/, "aehi").replace(/[\u0098\u009c]/g, ""),
    ),
    displayAuthor: trimPunctuation(forename ? `${surname}, ${forename}` : surname),
    date: /^\d{4}$/.test(date1)
      ? date1
      : trimPunctuation(firstSubfields(record, /^(214|210)$/, "d")),
  };
}

/**
 * An authority record's search document (leader/06 `z`): its headings — the heading (1XX), the
 * see-from tracings (4XX) and the see-also tracings (5XX) — are the `title` index, so a title
 * search finds a heading by any of its forms and the hit list shows the 1XX; every other field
 * is keyword. An authority record has no author, subject or date of its own.
 */
function authoritySearchDocument(record: MarcRecord): SearchDocument {
  let headings = "";
  let keyword = "";
  for (const f of record.fields) {
    if (!isDataField(f)) continue;
    const t = text(f);
    if (!t) continue;
    const tag = f.tag === "880" ? linkedTag(f) : f.tag;
    if (/^[145]\d\d$/.test(tag)) headings = headings === "" ? t : `${headings} ${t}`;
    else keyword = keyword === "" ? t : `${keyword} ${t}`;
  }
  return {
    title: normalizeSearchText(headings),
    author: "",
    subject: "",
    keyword: normalizeSearchText(keyword),
    displayTitle: trimPunctuation(firstSubfields(record, /^1\d\d$/, "abcdqtvxyz")),
    displayAuthor: "",
    date: "",
  };
}

/** The tag an 880 (alternate script) field stands for, from its `$6` (`245-01` → `245`). */
function linkedTag(field: DataField): string {
  const link = field.subfields.find((s) => s.code === "6")?.value ?? "";
  return /^\d{3}/.test(link) ? link.slice(0, 3) : field.tag;
}
