/**
 * A search as a tree, the one form both engines compile (SQLite to an FTS5 expression,
 * PostgreSQL to a `tsquery`): words in a text index (all of them, or a phrase; any word may be
 * truncated, `hist*`), identifiers looked up by their normalized match key, and AND, OR, NOT.
 * The plain-words box builds the simplest tree (every word, keyword index); CQL
 * (`src/search/cql.ts`) builds any.
 */
import { normalizeSearchText } from "./search-text.js";

/** The full-text indexes; `keyword` searches all four texts. */
export const TEXT_INDEXES = ["keyword", "title", "author", "subject"] as const;
export type TextIndex = (typeof TEXT_INDEXES)[number];

/** The identifier indexes: a match-key look-up (`mmsId`: the record's own ID). */
export const IDENTIFIER_INDEXES = ["isbn", "issn", "oclc", "mmsId"] as const;
export type IdentifierIndex = (typeof IDENTIFIER_INDEXES)[number];

/** One normalized word; `prefix`: it was truncated (`hist*` finds history, historians). */
export interface SearchWord {
  readonly text: string;
  readonly prefix: boolean;
}

export type SearchNode =
  | {
      /** Every word in the index; with `phrase`, next to each other in this order. */
      readonly kind: "words";
      readonly index: TextIndex;
      readonly words: readonly SearchWord[];
      readonly phrase: boolean;
    }
  | { readonly kind: "identifier"; readonly index: IdentifierIndex; readonly value: string }
  | {
      /** The record's date (008/07-10, else 264/260 $c) compared as a year. */
      readonly kind: "date";
      readonly relation: DateRelation;
      readonly year: number;
    }
  | {
      /** `not`: the left side without the right (CQL's binary NOT). */
      readonly kind: "and" | "or" | "not";
      readonly left: SearchNode;
      readonly right: SearchNode;
    }
  /** Every record of the zones searched (CQL `cql.allRecords = 1`). */
  | { readonly kind: "all" };

export const DATE_RELATIONS = ["=", "<", "<=", ">", ">=", "<>"] as const;
export type DateRelation = (typeof DATE_RELATIONS)[number];

export const SORT_KEYS = ["relevance", "title", "author", "date"] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export interface SearchSort {
  readonly key: SortKey;
  /** @default relevance and date descending (best, newest first), title and author ascending */
  readonly descending?: boolean;
}

/**
 * The words of a text as search words: normalized as documents are; a `*` at a word's end
 * truncates it (only there: `*` inside or before a word is a separator, as other punctuation).
 */
export function searchWords(text: string): SearchWord[] {
  const words: SearchWord[] = [];
  for (const piece of text.split(/\s+/u)) {
    const prefix = /\p{L}|\p{N}/u.test(piece) && /\*+$/u.test(piece);
    const normalized = normalizeSearchText(prefix ? piece.replace(/\*+$/u, "") : piece);
    if (normalized === "") continue;
    const parts = normalized.split(" ");
    // `o'brien*`: the truncation belongs to the last part.
    parts.forEach((part, i) =>
      words.push({ text: part, prefix: prefix && i === parts.length - 1 }),
    );
  }
  return words;
}

/** The tree of the plain-words box: every word in the index (identifiers: the text as the value). */
export function plainQuery(
  text: string,
  index: TextIndex | IdentifierIndex,
): SearchNode | undefined {
  if ((IDENTIFIER_INDEXES as readonly string[]).includes(index))
    return { kind: "identifier", index: index as IdentifierIndex, value: text.trim() };
  const words = searchWords(text);
  return words.length === 0
    ? undefined
    : { kind: "words", index: index as TextIndex, words, phrase: false };
}

/** Whether a tree has only text nodes (one full-text expression serves it). */
export function isTextOnly(node: SearchNode): boolean {
  switch (node.kind) {
    case "words":
      return true;
    case "identifier":
    case "date":
    case "all":
      return false;
    default:
      return isTextOnly(node.left) && isTextOnly(node.right);
  }
}

/**
 * The words an exact-title match compares: the query, when it is a plain list of whole words
 * (keyword or title index, no truncation), else nothing. A record whose title begins with
 * these words, in this order, is listed before any other (the exact title first).
 */
export function exactTitleWords(node: SearchNode): readonly string[] | undefined {
  if (node.kind !== "words" || (node.index !== "keyword" && node.index !== "title")) return;
  if (node.words.some((w) => w.prefix)) return;
  return node.words.map((w) => w.text);
}
