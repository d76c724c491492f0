/**
 * What the pages and the REST API both ask of the catalog, computed once: searches with facets,
 * record downloads, version diffs. Pages render it as HTML, the API sends it as JSON.
 */
import {
  SEARCH_INDEXES,
  type Catalog,
  type SearchHit,
  type SearchIndex,
  type Zone,
} from "../catalog/catalog.js";
import {
  SORT_KEYS,
  type SearchNode,
  type SearchSort,
  type SortKey,
} from "../catalog/search-query.js";
import { cqlSearch } from "../search/cql-search.js";
import { describeDiagnostic } from "../search/diagnostic.js";
import { formatWriter, readFormat, sniffFormat, type FormatName } from "../marc/formats.js";
import { formatIssue } from "../marc/issue.js";
import { isControlField, leaderValue, type Field, type MarcRecord } from "../marc/record.js";

/** Facets and filters look at the first this many hits of a search (ranked best first). */
export const FACET_WINDOW = 500;
export const PAGE_SIZE = 20;

/** What the search box takes: words in one index, or a CQL query (`index=cql`). */
export type SearchBoxIndex = SearchIndex | "cql";

/** The search indexes with their labels, in the menu's order. */
export const INDEX_LABELS: Readonly<Record<SearchBoxIndex, string>> = {
  keyword: "Keyword",
  title: "Title",
  author: "Author",
  subject: "Subject",
  isbn: "ISBN",
  issn: "ISSN",
  oclc: "OCLC number",
  mmsId: "MMS ID",
  cql: "CQL query",
};

/** The orders the search box offers. */
export const SORT_LABELS: Readonly<Record<SortKey, string>> = {
  relevance: "Relevance",
  title: "Title",
  author: "Author",
  date: "Date (newest first)",
};

/** The resource type a record describes, from leader/06 and /07 (the "record type" facet). */
export function recordType(record: MarcRecord): string {
  const type = leaderValue(record, "typeOfRecord");
  const level = leaderValue(record, "bibliographicLevel");
  switch (type) {
    case "a":
      return level === "s" || level === "b"
        ? "Serial"
        : level === "i"
          ? "Integrating resource"
          : "Book";
    case "t":
      return "Manuscript";
    case "c":
    case "d":
      return "Music score";
    case "e":
    case "f":
      return "Map";
    case "g":
      return "Video";
    case "i":
      return "Sound recording (nonmusical)";
    case "j":
      return "Music recording";
    case "k":
      return "Image";
    case "m":
      return "Computer file";
    case "o":
      return "Kit";
    case "p":
      return "Mixed materials";
    case "r":
      return "Object";
    case "z":
      return "Authority record";
    default:
      return `Other (leader/06 '${type}')`;
  }
}

/** A search as the pages and API take it. */
export interface SearchRequest {
  readonly text: string;
  readonly index: SearchBoxIndex;
  /** The CQL query's tree (`index` `cql`). */
  readonly query?: SearchNode;
  /** `sort=title|author|date|relevance`, or the CQL query's sortBy. */
  readonly sort?: SearchSort;
  /** Facet filters: only hits with this value. */
  readonly zone?: string;
  readonly format?: string;
  readonly type?: string;
  /** 1-based. */
  readonly page: number;
}

export interface FacetValue {
  readonly value: string;
  readonly count: number;
}

/** One result row. */
export interface SearchRow extends Omit<SearchHit, "score"> {
  readonly format: string;
  readonly type: string;
}

export interface SearchAnswer {
  /** Hits of the query in the catalog (before facet filters). */
  readonly total: number;
  /** More than `total` hits: the count stopped (over 10,000). */
  readonly capped: boolean;
  /** Hits after the filters, within the facet window. */
  readonly filtered: number;
  readonly rows: readonly SearchRow[];
  readonly facets: {
    readonly zone: readonly FacetValue[];
    readonly format: readonly FacetValue[];
    readonly type: readonly FacetValue[];
  };
  /** Whether facets and filters saw only the first {@link FACET_WINDOW} hits. */
  readonly windowed: boolean;
}

/** Reads a search request from a query string; an unknown index is an error. */
export function searchRequest(
  query: Readonly<Record<string, string>>,
): { readonly request: SearchRequest } | { readonly error: string } {
  const index = query["index"] ?? "keyword";
  if (index !== "cql" && !(SEARCH_INDEXES as readonly string[]).includes(index)) {
    return {
      error: `"${index}" is not a search index; use one of ${SEARCH_INDEXES.join(", ")} or cql`,
    };
  }
  const sortName = query["sort"];
  if (
    sortName !== undefined &&
    sortName !== "" &&
    !(SORT_KEYS as readonly string[]).includes(sortName)
  )
    return { error: `"${sortName}" is no sort order; use one of ${SORT_KEYS.join(", ")}` };
  const text = (query["q"] ?? "").trim();
  let tree: { query?: SearchNode; sort?: SearchSort } = {};
  if (index === "cql" && text !== "") {
    const parsed = cqlSearch(text);
    if ("diagnostic" in parsed) return { error: `CQL: ${describeDiagnostic(parsed.diagnostic)}` };
    tree = {
      query: parsed.search.node,
      ...(parsed.search.sort ? { sort: parsed.search.sort } : {}),
    };
  }
  // The menu's "relevance" (its default) leaves a CQL sortBy in force.
  const sort: SearchSort | undefined =
    sortName && (sortName !== "relevance" || !tree.sort) ? { key: sortName as SortKey } : tree.sort;
  const page = Number(query["page"] ?? "1");
  return {
    request: {
      text,
      index: index as SearchBoxIndex,
      ...(tree.query ? { query: tree.query } : {}),
      ...(sort ? { sort } : {}),
      ...(query["zone"] ? { zone: query["zone"] } : {}),
      ...(query["format"] ? { format: query["format"] } : {}),
      ...(query["type"] ? { type: query["type"] } : {}),
      page: Number.isInteger(page) && page >= 1 ? page : 1,
    },
  };
}

function countBy(rows: readonly SearchRow[], key: (r: SearchRow) => string): FacetValue[] {
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(key(row), (counts.get(key(row)) ?? 0) + 1);
  return [...counts]
    .map(([value, count]) => ({ value, count }))
    .sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
}

/** The zones an institution searches: its own and its network zone's. */
export function searchZones(institution: Zone): string[] {
  return institution.network ? [institution.code, institution.network] : [institution.code];
}

/** Runs a search in an institution's zones, with facets by zone, format and record type. */
export async function runSearch(
  catalog: Catalog,
  institution: Zone,
  request: SearchRequest,
): Promise<SearchAnswer> {
  const result = await catalog.search({
    ...(request.query
      ? { query: request.query }
      : { text: request.text, index: request.index === "cql" ? "keyword" : request.index }),
    ...(request.sort ? { sort: request.sort } : {}),
    zones: searchZones(institution),
    limit: FACET_WINDOW,
  });
  const rows: SearchRow[] = [];
  for (const hit of result.hits) {
    const stored = await catalog.record(hit.mmsId);
    if (!stored) continue;
    rows.push({
      mmsId: hit.mmsId,
      zone: hit.zone,
      title: hit.title,
      author: hit.author,
      date: hit.date,
      briefLevel: hit.briefLevel,
      format: stored.format,
      type: recordType(stored.marc),
    });
  }
  const kept = rows.filter(
    (r) =>
      (!request.zone || r.zone === request.zone) &&
      (!request.format || r.format === request.format) &&
      (!request.type || r.type === request.type),
  );
  const start = (request.page - 1) * PAGE_SIZE;
  return {
    total: result.total,
    capped: result.capped === true,
    filtered: kept.length,
    rows: kept.slice(start, start + PAGE_SIZE),
    facets: {
      zone: countBy(kept, (r) => r.zone),
      format: countBy(kept, (r) => r.format),
      type: countBy(kept, (r) => r.type),
    },
    windowed: result.total > FACET_WINDOW,
  };
}

/** The download formats: name → file extension and media type. */
export const DOWNLOADS: Readonly<
  Record<FormatName, { label: string; extension: string; type: string }>
> = {
  marcxml: { label: "MARCXML", extension: "xml", type: "application/marcxml+xml; charset=utf-8" },
  iso2709: { label: "ISO 2709", extension: "mrc", type: "application/marc" },
  json: { label: "MARC-in-JSON", extension: "json", type: "application/json; charset=utf-8" },
  mrk: { label: "Mnemonic (.mrk)", extension: "mrk", type: "text/plain; charset=utf-8" },
};

/** A record in a download format, as one file (a MARCXML collection, a JSON array …). */
export function encodeRecord(
  marc: MarcRecord,
  format: FormatName,
): { bytes: Buffer } | { error: string } {
  const writer = formatWriter(format);
  const encoded = writer.record(marc, 0);
  if (typeof encoded === "object" && "error" in encoded) return { error: encoded.error };
  return {
    bytes: Buffer.concat([
      Buffer.from(writer.start),
      typeof encoded === "string" ? Buffer.from(encoded) : Buffer.from(encoded),
      Buffer.from(writer.end),
    ]),
  };
}

/** A field as one display line: `245 10 $a Title / $c Author.` (control fields: tag and value). */
export function fieldLine(field: Field): string {
  if (isControlField(field)) return `${field.tag}    ${field.value}`;
  return `${field.tag} ${field.ind1}${field.ind2} ${field.subfields.map((s) => `$${s.code} ${s.value}`).join(" ")}`;
}

/** One row of a side-by-side diff: the line on the left, on the right, or both when equal. */
export interface DiffRow {
  readonly left?: string;
  readonly right?: string;
  readonly same: boolean;
}

/**
 * The side-by-side diff of two records' display lines (leader first), by the longest common
 * subsequence: equal lines side by side, removed lines left only, added lines right only.
 */
export function diffRecords(a: MarcRecord, b: MarcRecord): DiffRow[] {
  const left = [`LDR    ${a.leader}`, ...a.fields.map(fieldLine)];
  const right = [`LDR    ${b.leader}`, ...b.fields.map(fieldLine)];
  const n = left.length;
  const m = right.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] =
        left[i] === right[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const rows: DiffRow[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && left[i] === right[j]) {
      rows.push({ left: left[i]!, right: right[j]!, same: true });
      i++;
      j++;
    } else if (i < n && (j >= m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      rows.push({ left: left[i]!, same: false });
      i++;
    } else {
      rows.push({ right: right[j]!, same: false });
      j++;
    }
  }
  return rows;
}

/** The first record of a text or bytes in any of the four formats (sniffed), with its reading issues. */
export async function readOneRecord(
  bytes: Uint8Array,
): Promise<
  { readonly record: MarcRecord; readonly issues: readonly string[] } | { readonly error: string }
> {
  const issues: string[] = [];
  for await (const result of readFormat(sniffFormat(bytes), [bytes])) {
    issues.push(...result.issues.map(formatIssue));
    if (result.record) return { record: result.record, issues };
    break;
  }
  return {
    error:
      issues.length > 0
        ? `no record could be read: ${issues.join("; ")}`
        : "no record could be read (empty)",
  };
}
