/**
 * A search tree as an SQL condition on `records r`, for either engine: each largest text-only
 * subtree is one full-text condition (the engine says how), identifiers are match-key
 * look-ups, dates compare the record's year. AND, OR and NOT are SQL's.
 */
import type { SearchHit } from "./catalog.js";
import type { SearchNode } from "./search-query.js";
import { identifierLookup } from "./prepare.js";

/** What differs between the engines. */
export interface SqlDialect {
  /** A placeholder for a new parameter (`?`, `$3`). */
  param(value: unknown): string;
  /** The condition that `r` matches a text-only tree. */
  text(node: SearchNode): string;
  /** A placeholder for a list of strings (`?,?,?` inside IN, `$3::text[]` for ANY). */
  list(values: readonly string[]): string;
  /** `IN (list)` or `= ANY(list)`. */
  readonly inList: (column: string, list: string) => string;
  /** Whether a text-only subtree may go to `text` as one piece (else it is split). */
  readonly textDepth?: (node: SearchNode) => boolean;
  /** The year of `r.date` (its first four characters when they are digits), else NULL. */
  readonly year: string;
}

/** The condition of a whole tree (`FALSE` for an identifier that cannot be one, an invalid ISBN). */
export function sqlCondition(node: SearchNode, d: SqlDialect): string {
  switch (node.kind) {
    case "all":
      return "TRUE";
    case "words":
      return d.text(node);
    case "date":
      return dateCondition(node.relation, node.year, d);
    case "identifier": {
      if (node.index === "mmsId") return `r.mms_id = ${d.param(node.value)}`;
      const lookup = identifierLookup(node.index, node.value);
      if (!lookup || lookup.value === undefined) return "FALSE";
      return `r.id IN (SELECT record_id FROM match_keys WHERE ${d.inList("kind", d.list(lookup.kinds))} AND value = ${d.param(lookup.value)})`;
    }
    default: {
      if (isTextOnlyNode(node) && (d.textDepth === undefined || d.textDepth(node)))
        return d.text(node);
      const left = sqlCondition(node.left, d);
      const right = sqlCondition(node.right, d);
      if (node.kind === "and") return `(${left} AND ${right})`;
      if (node.kind === "or") return `(${left} OR ${right})`;
      return `(${left} AND NOT ${right})`;
    }
  }
}

function isTextOnlyNode(node: SearchNode): boolean {
  if (node.kind === "words") return true;
  if (node.kind === "and" || node.kind === "or" || node.kind === "not")
    return isTextOnlyNode(node.left) && isTextOnlyNode(node.right);
  return false;
}

function dateCondition(relation: string, year: number, d: SqlDialect): string {
  const value = d.param(String(year).padStart(4, "0"));
  return `(${d.year}) ${relation} ${value}`;
}

/** The columns of `records r` a hit is made of, the same on both engines. */
export const HIT_COLUMNS = "r.id, r.mms_id, r.zone, r.title, r.author, r.date, r.brief_level";

/** A row of {@link HIT_COLUMNS} (`id` as the engine gives it). */
export interface HitRow {
  readonly id: string | number;
  readonly mms_id: string;
  readonly zone: string;
  readonly title: string;
  readonly author: string;
  readonly date: string;
  readonly brief_level: string;
}

/** A hit from its row and its score. */
export function toSearchHit(r: HitRow, score: number): SearchHit {
  return {
    mmsId: r.mms_id,
    zone: r.zone,
    title: r.title,
    author: r.author,
    date: r.date,
    briefLevel: r.brief_level,
    score,
  };
}
