/**
 * A CQL query as a catalog search: each search clause to a node of the search tree by its index
 * (`indexes.ts`) and relation, booleans as they are, the first sort key as the order. What the
 * catalog cannot do is an SRU diagnostic naming the index, relation or term and its position.
 *
 * Relations on text indexes: `=` and `all` every word (ranked: an exact title comes first),
 * `adj` and `==` the words as a phrase, `any` one of them. A `*` at a word's end truncates it;
 * a `*` elsewhere, a `?` or a `^` is refused (diagnostics 28, 31). Identifiers take `=`, `==`,
 * `exact`, `adj` (the value) and `any` (one of several). Dates take `=`, `<`, `<=`, `>`, `>=`,
 * `<>` on a year and `within "1900 1950"`.
 */
import {
  DATE_RELATIONS,
  searchWords,
  type DateRelation,
  type SearchNode,
  type SearchSort,
} from "../catalog/search-query.js";
import { parseCql, type CqlModifier, type CqlNode, type CqlSearchClause } from "./cql.js";
import { DIAGNOSTIC, diagnostic, type SearchDiagnostic } from "./diagnostic.js";
import { CONTEXT_SETS, indexByName, RELEVANCE_SORT_NAMES, type IndexInfo } from "./indexes.js";

export interface CqlSearch {
  readonly node: SearchNode;
  readonly sort?: SearchSort;
}

export type CqlSearchResult =
  { readonly search: CqlSearch } | { readonly diagnostic: SearchDiagnostic };

/** `any` makes one OR per word: at most this many words. */
const MAX_ANY_WORDS = 100;

class Refusal extends Error {
  constructor(readonly diagnostic: SearchDiagnostic) {
    super(diagnostic.message);
  }
}

function refuse(code: number, message: string, details: string, position?: number): never {
  throw new Refusal(diagnostic(code, message, details, position));
}

/** Parses and maps a CQL query. */
export function cqlSearch(text: string): CqlSearchResult {
  const parsed = parseCql(text);
  if ("error" in parsed)
    return {
      diagnostic: diagnostic(
        DIAGNOSTIC.querySyntaxError,
        `Query syntax error: ${parsed.error.message}`,
        text,
        parsed.error.position,
      ),
    };
  try {
    const node = mapNode(parsed.query.root);
    const sort = mapSort(parsed.query.sortKeys);
    return { search: { node, ...(sort ? { sort } : {}) } };
  } catch (error) {
    if (error instanceof Refusal) return { diagnostic: error.diagnostic };
    throw error;
  }
}

function mapNode(node: CqlNode): SearchNode {
  if (node.type === "searchClause") return mapClause(node);
  if (node.operator === "prox")
    refuse(DIAGNOSTIC.proximityUnsupported, "Proximity not supported", "prox", node.position);
  if (node.modifiers.length > 0)
    refuse(
      DIAGNOSTIC.unsupportedBooleanModifier,
      "Unsupported boolean modifier",
      node.modifiers[0]!.name,
      node.position,
    );
  return { kind: node.operator, left: mapNode(node.left), right: mapNode(node.right) };
}

/** The index of a clause, prefix assignments applied. */
function resolveIndex(clause: CqlSearchClause): IndexInfo {
  let name = clause.index;
  const dot = name.indexOf(".");
  if (dot > 0) {
    const prefix = name.slice(0, dot);
    const assigned = [...clause.prefixes].reverse().find((p) => p.prefix === prefix);
    if (assigned) {
      const set = CONTEXT_SETS[assigned.uri];
      if (!set)
        refuse(
          DIAGNOSTIC.unsupportedContextSet,
          "Unsupported context set",
          assigned.uri,
          clause.position,
        );
      name = `${set}.${name.slice(dot + 1)}`;
    }
  }
  const info = indexByName(name);
  if (!info)
    refuse(DIAGNOSTIC.unsupportedIndex, "Unsupported index", clause.index, clause.position);
  return info;
}

const IGNORED_RELATION_MODIFIERS = new Set([
  "relevant",
  "cql.relevant",
  "string",
  "cql.string",
  "word",
  "cql.word",
  "ignorecase",
  "cql.ignorecase",
  "ignoreaccents",
  "cql.ignoreaccents",
]);

function mapClause(clause: CqlSearchClause): SearchNode {
  const info = resolveIndex(clause);
  const relation = clause.relation.base === "scr" ? "=" : clause.relation.base;
  for (const m of clause.relation.modifiers)
    if (!IGNORED_RELATION_MODIFIERS.has(m.name.toLowerCase()))
      refuse(
        DIAGNOSTIC.unsupportedRelationModifier,
        "Unsupported relation modifier",
        m.name,
        clause.position,
      );
  const term = unescape(clause.term);
  const target = info.target;
  if (target.kind === "all") return { kind: "all" };
  if (term.trim() === "")
    refuse(
      DIAGNOSTIC.emptyTermUnsupported,
      "Empty term unsupported",
      clause.index,
      clause.position,
    );
  if (target.kind === "date") return dateNode(relation, term, clause);
  if (target.kind === "identifier") {
    if (["=", "==", "exact", "adj", "all"].includes(relation))
      return { kind: "identifier", index: target.index, value: term.trim() };
    if (relation === "any") {
      const values = term.trim().split(/\s+/u);
      return values
        .map((value): SearchNode => ({ kind: "identifier", index: target.index, value }))
        .reduce((left, right) => ({ kind: "or", left, right }));
    }
    refuse(
      DIAGNOSTIC.unsupportedRelation,
      "Unsupported relation",
      `${relation} on ${clause.index}`,
      clause.position,
    );
  }
  checkMasking(term, clause);
  const words = searchWords(term);
  if (words.length === 0)
    refuse(
      DIAGNOSTIC.emptyTermUnsupported,
      "Empty term unsupported (no letters or digits)",
      clause.term,
      clause.position,
    );
  const index = target.index;
  switch (relation) {
    case "=":
    case "all":
      return { kind: "words", index, words, phrase: false };
    case "adj":
    case "==":
    case "exact":
      return { kind: "words", index, words, phrase: true };
    case "any":
      if (words.length > MAX_ANY_WORDS)
        refuse(
          38,
          "Too many boolean operators in query",
          `${words.length} words in any (at most ${MAX_ANY_WORDS})`,
          clause.position,
        );
      return words
        .map((w): SearchNode => ({ kind: "words", index, words: [w], phrase: false }))
        .reduce((left, right) => ({ kind: "or", left, right }));
    default:
      return refuse(
        DIAGNOSTIC.unsupportedRelation,
        "Unsupported relation",
        `${relation} on ${clause.index}`,
        clause.position,
      );
  }
}

/** CQL escapes: `\x` is `x` (a `\*` is no truncation: the star is dropped as punctuation). */
function unescape(term: string): string {
  return term.replace(/\\(.)/gu, (_, c: string) => (c === "*" || c === "?" || c === "^" ? " " : c));
}

function checkMasking(term: string, clause: CqlSearchClause): void {
  if (/\?/u.test(term))
    refuse(DIAGNOSTIC.maskingUnsupported, "Masking character not supported", "?", clause.position);
  if (/\^/u.test(term))
    refuse(
      DIAGNOSTIC.anchoringUnsupported,
      "Anchoring character not supported",
      "^",
      clause.position,
    );
  for (const word of term.split(/\s+/u)) {
    if (/\*/u.test(word.replace(/\*+$/u, "")))
      refuse(
        DIAGNOSTIC.maskingInUnsupportedPosition,
        "Masking character in unsupported position (truncation is at a word's end only)",
        word,
        clause.position,
      );
    if (/\*$/u.test(word) && word.replace(/[*\p{P}\p{S}]/gu, "").length < 2)
      refuse(
        DIAGNOSTIC.maskedWordsTooShort,
        "Masked words too short (two letters before *)",
        word,
        clause.position,
      );
  }
}

function year(text: string, clause: CqlSearchClause): number {
  if (!/^\d{1,4}$/u.test(text))
    refuse(
      DIAGNOSTIC.termInvalidFormat,
      "Term in invalid format for index or relation (a year)",
      text,
      clause.position,
    );
  return Number(text);
}

function dateNode(relation: string, term: string, clause: CqlSearchClause): SearchNode {
  const value = term.trim();
  if (relation === "within") {
    const [from, to, ...rest] = value.split(/\s+/u);
    if (from === undefined || to === undefined || rest.length > 0)
      refuse(DIAGNOSTIC.termInvalidFormat, "within takes two years", value, clause.position);
    return {
      kind: "and",
      left: { kind: "date", relation: ">=", year: year(from, clause) },
      right: { kind: "date", relation: "<=", year: year(to, clause) },
    };
  }
  const base = relation === "==" || relation === "exact" || relation === "adj" ? "=" : relation;
  if (!(DATE_RELATIONS as readonly string[]).includes(base))
    refuse(
      DIAGNOSTIC.unsupportedRelation,
      "Unsupported relation",
      `${relation} on ${clause.index}`,
      clause.position,
    );
  return { kind: "date", relation: base as DateRelation, year: year(value, clause) };
}

function mapSort(
  keys: readonly { index: string; modifiers: readonly CqlModifier[]; position: number }[],
): SearchSort | undefined {
  const first = keys[0];
  if (!first) return undefined;
  let descending: boolean | undefined;
  for (const m of first.modifiers) {
    const name = m.name.toLowerCase().replace(/^sort\./, "");
    if (name === "descending") descending = true;
    else if (name === "ascending") descending = false;
    else if (
      !["ignorecase", "respectcase", "missinghigh", "missinglow", "missingomit"].includes(name)
    )
      refuse(
        DIAGNOSTIC.sortUnsupported,
        "Sort not supported: unknown sort modifier",
        m.name,
        first.position,
      );
  }
  const key = RELEVANCE_SORT_NAMES.includes(first.index.toLowerCase())
    ? "relevance"
    : indexByName(first.index)?.sort;
  if (!key)
    refuse(
      DIAGNOSTIC.sortUnsupported,
      "Sort not supported on this index",
      first.index,
      first.position,
    );
  return { key, ...(descending !== undefined ? { descending } : {}) };
}
