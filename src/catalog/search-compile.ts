/**
 * A text-only search tree in each engine's full-text language, and what both engines share
 * about running a search: the counting cap, ranking limits, the sorted orders.
 *
 * - SQLite FTS5: `{title author subject keyword} : ("hist" * AND "kind of blue")`; the exact
 *   title tier is `title : ^ "w1 w2"` (the title text begins with the words).
 * - PostgreSQL: `'hist':* & 'kind' <-> 'of' <-> 'blue'`, an index by its weight (`'w':A`).
 *
 * Words are normalized (letters and digits only), so quoting them is safe in both.
 */
import type { SearchQuery } from "./catalog.js";
import {
  plainQuery,
  type SearchNode,
  type SearchSort,
  type SearchWord,
  type TextIndex,
} from "./search-query.js";

/** The tree a query asks for (`undefined`: nothing to search). */
export function queryTree(query: SearchQuery): SearchNode | undefined {
  return query.query ?? plainQuery(query.text ?? "", query.index ?? "keyword");
}

/** Hits are counted up to this many; past it the total is "more than 10,000". */
export const COUNTED_HITS = 10_000;

/**
 * Searches with more hits than this are listed newest first instead of by rank, on every engine:
 * ranking tens of thousands of hits takes longer than anyone waits, and nobody pages through
 * them. The same number bounds sorting by title, author or date.
 */
export const RANKED_HITS = 10_000;

/** Added to the score of a record whose title begins with the query's words. */
export const EXACT_TITLE_BONUS = 1000;

const FTS5_COLUMNS: Readonly<Record<TextIndex, string>> = {
  keyword: "{title author subject keyword}",
  title: "title",
  author: "author",
  subject: "subject",
};

function fts5Words(words: readonly SearchWord[], phrase: boolean): string {
  if (phrase && words.length > 1) {
    // FTS5 truncates a phrase's last word only; a truncated word inside a phrase is taken whole.
    const last = words.at(-1)!;
    return `"${words.map((w) => w.text).join(" ")}"${last.prefix ? " *" : ""}`;
  }
  return words.map((w) => `"${w.text}"${w.prefix ? " *" : ""}`).join(" AND ");
}

/** The operands of a chain of one operator (`a AND b AND c`), flattened: no nesting to parse. */
function chain(node: SearchNode, kind: "and" | "or"): SearchNode[] {
  if (node.kind !== kind) return [node];
  return [...chain(node.left, kind), ...chain(node.right, kind)];
}

/** An FTS5 expression of a text-only tree (chains of AND and of OR flat). */
export function fts5Expression(node: SearchNode): string {
  switch (node.kind) {
    case "words":
      return `${FTS5_COLUMNS[node.index]} : (${fts5Words(node.words, node.phrase)})`;
    case "and":
    case "or":
      return chain(node, node.kind)
        .map((operand) => `(${fts5Expression(operand)})`)
        .join(node.kind === "and" ? " AND " : " OR ");
    case "not":
      return `(${fts5Expression(node.left)}) NOT (${fts5Expression(node.right)})`;
    default:
      throw new Error(`${node.kind} is no text node`);
  }
}

/**
 * How deep {@link fts5Expression} nests parentheses. FTS5's parser overflows its stack at
 * about 90 levels: deeper trees go to the SQL path (each words node its own MATCH).
 */
export function fts5Depth(node: SearchNode): number {
  switch (node.kind) {
    case "and":
    case "or":
      return 1 + Math.max(...chain(node, node.kind).map(fts5Depth));
    case "not":
      return 1 + Math.max(fts5Depth(node.left), fts5Depth(node.right));
    default:
      return 1;
  }
}

/** The deepest full-text expression sent as one FTS5 query. */
export const FTS5_MAX_DEPTH = 40;

/** The FTS5 condition of the exact-title tier. */
export function fts5ExactTitle(words: readonly string[]): string {
  return `title : ^ "${words.join(" ")}"`;
}

const TSQUERY_WEIGHTS: Readonly<Record<TextIndex, string>> = {
  keyword: "",
  title: "A",
  author: "B",
  subject: "C",
};

function tsWord(w: SearchWord, weight: string): string {
  const label = (w.prefix ? "*" : "") + weight;
  return `'${w.text}'${label ? `:${label}` : ""}`;
}

/** A `tsquery` of a text-only tree (PostgreSQL's 'simple' configuration). */
export function tsqueryText(node: SearchNode): string {
  switch (node.kind) {
    case "words": {
      const weight = TSQUERY_WEIGHTS[node.index];
      return node.words.map((w) => tsWord(w, weight)).join(node.phrase ? " <-> " : " & ");
    }
    case "and":
      return `(${tsqueryText(node.left)}) & (${tsqueryText(node.right)})`;
    case "or":
      return `(${tsqueryText(node.left)}) | (${tsqueryText(node.right)})`;
    case "not":
      return `(${tsqueryText(node.left)}) & !(${tsqueryText(node.right)})`;
    default:
      throw new Error(`${node.kind} is no text node`);
  }
}

/** The `tsquery` of the exact-title phrase (the first word's position is checked apart). */
export function tsqueryExactTitle(words: readonly string[]): string {
  return words.map((w) => `'${w}':A`).join(" <-> ");
}

/** What a sorted search compares of each hit. */
export interface SortRow {
  readonly id: number;
  readonly title: string;
  readonly author: string;
  readonly date: string;
}

const collator = new Intl.Collator("en", { sensitivity: "base", numeric: true });

/** The year of a hit's date, when it begins with four digits. */
function year(date: string): number | undefined {
  return /^\d{4}/.test(date) ? Number(date.slice(0, 4)) : undefined;
}

/**
 * Orders hits by title, author or date in JavaScript, the same on both engines (Unicode
 * collation, so `Émile` sorts with `Emile`); ties by newest first. Empty values and
 * dateless records go last either way.
 */
export function sortRows(rows: SortRow[], sort: SearchSort): SortRow[] {
  const descending = sort.descending ?? sort.key === "date";
  const sign = descending ? -1 : 1;
  const compare = (a: SortRow, b: SortRow): number => {
    if (sort.key === "date") {
      const ya = year(a.date);
      const yb = year(b.date);
      if (ya === undefined || yb === undefined)
        return ya === yb ? b.id - a.id : ya === undefined ? 1 : -1;
      return sign * (ya - yb) || b.id - a.id;
    }
    const va = sort.key === "title" ? a.title : a.author;
    const vb = sort.key === "title" ? b.title : b.author;
    if (va === "" || vb === "") return va === vb ? b.id - a.id : va === "" ? 1 : -1;
    return sign * collator.compare(va, vb) || b.id - a.id;
  };
  return rows.sort(compare);
}

/** The order a search's hits came in (what `SearchResult.order` says). */
export type HitOrder = "relevance" | "title" | "author" | "date" | "newest";

/** The order a search gets: a sorted or ranked order only within the limit. */
export function hitOrder(sort: SearchSort | undefined, total: number, capped: boolean): HitOrder {
  if (capped || total > RANKED_HITS) return "newest";
  return sort?.key ?? "relevance";
}

/** One heading of one zone's scan. */
export interface ScanRow {
  readonly key: string;
  readonly term: string;
  readonly n: number;
}

/**
 * The zones' scans as one list: headings by their case-folded key (byte order, as the
 * engines' indexes), counts added up, the first `count`.
 */
export function mergeScans(
  perZone: readonly (readonly ScanRow[])[],
  count: number,
): { term: string; count: number }[] {
  const merged = new Map<string, { term: string; count: number }>();
  for (const rows of perZone)
    for (const r of rows) {
      const seen = merged.get(r.key);
      if (seen) seen.count += r.n;
      else merged.set(r.key, { term: r.term, count: r.n });
    }
  return [...merged]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, count)
    .map(([, v]) => v);
}
