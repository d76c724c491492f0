/**
 * What search sees of a record, computed once in JavaScript for both engines so that SQLite
 * FTS5 and PostgreSQL full text index exactly the same words, and queries are normalized the
 * same way: Unicode NFKD, combining marks removed, lower case, anything but letters and digits
 * a space. So `Zürich`, `Zurich` and `ZURICH` are one word, and `Ł` needs no special case.
 */
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
const NOT_WORD = /[^\p{L}\p{N}]+/gu;

const ASCII = /^[\x20-\x7e]*$/;
const NOT_ASCII_WORD = /[^a-z0-9]+/g;

/** Search normalization of any text (documents and queries alike). */
export function normalizeSearchText(text: string): string {
  // Printable ASCII (most catalogue text) needs no Unicode decomposition.
  if (ASCII.test(text)) return text.toLowerCase().replace(NOT_ASCII_WORD, " ").trim();
  return text.normalize("NFKD").replace(MARKS, "").toLowerCase().replace(NOT_WORD, " ").trim();
}

const TITLE_TAGS = /^(245|246|247|130|240|242|730|740|830|490)$/;
const AUTHOR_TAGS = /^(100|110|111|700|710|711|720)$/;
const SUBJECT_TAGS = /^6\d\d$/;

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

/** The search document of a record. */
export function searchDocument(record: MarcRecord): SearchDocument {
  const title: string[] = [];
  const author: string[] = [];
  const subject: string[] = [];
  const other: string[] = [];
  for (const f of record.fields) {
    if (!isDataField(f)) continue;
    const t = text(f);
    if (!t) continue;
    const tag = f.tag === "880" ? linkedTag(f) : f.tag;
    if (TITLE_TAGS.test(tag)) title.push(t);
    else if (AUTHOR_TAGS.test(tag)) author.push(t);
    else if (SUBJECT_TAGS.test(tag)) subject.push(t);
    else other.push(t);
  }
  const fixed = getControlValue(record, "008") ?? "";
  const date1 = fixed.slice(7, 11);
  return {
    title: normalizeSearchText(title.join(" ")),
    author: normalizeSearchText(author.join(" ")),
    subject: normalizeSearchText(subject.join(" ")),
    keyword: normalizeSearchText(other.join(" ")),
    displayTitle: trimPunctuation(firstSubfields(record, /^245$/, "abnp")),
    displayAuthor: trimPunctuation(firstSubfields(record, /^(100|110|111)$/, "abcdq")),
    date: /^\d{4}$/.test(date1)
      ? date1
      : trimPunctuation(firstSubfields(record, /^(264|260)$/, "c")),
  };
}

/** The tag an 880 (alternate script) field stands for, from its `$6` (`245-01` → `245`). */
function linkedTag(field: DataField): string {
  const link = field.subfields.find((s) => s.code === "6")?.value ?? "";
  return /^\d{3}/.test(link) ? link.slice(0, 3) : field.tag;
}
