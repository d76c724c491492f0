/**
 * Search on SQLite: a text-only tree is one FTS5 expression (zones as tokens of the `zone`
 * column, so filtering, counting and ranking stay inside FTS5); any other tree is an SQL
 * condition on `records` with FTS5 subqueries (`search-sql.ts`). Ranked by bm25 with column
 * weights title 10, author 5, subject 3, other text 1; a record whose title begins with the
 * query's words comes first.
 */
import type Database from "better-sqlite3";
import { decodeStoredMarc } from "./stored-marc.js";
import { formatFamily } from "./prepare.js";
import { SEARCH_TEXT_VERSION, searchDocument } from "./search-text.js";
import type { ScanRequest, ScanTerm, SearchQuery, SearchResult } from "./catalog.js";
import {
  COUNTED_HITS,
  EXACT_TITLE_BONUS,
  fts5ExactTitle,
  fts5Depth,
  fts5Expression,
  FTS5_MAX_DEPTH,
  hitOrder,
  queryTree,
  mergeScans,
  sortRows,
  type ScanRow,
  type SortRow,
} from "./search-compile.js";
import { exactTitleWords, isTextOnly } from "./search-query.js";
import {
  HIT_COLUMNS,
  sqlCondition,
  toSearchHit,
  type HitRow,
  type SqlDialect,
} from "./search-sql.js";

/** bm25 weights of title, author, subject, keyword, zone. */
const BM25 = "bm25(records_fts, 10.0, 5.0, 3.0, 1.0, 0.0)";

/**
 * Runs a search. `zoneTokens`: the FTS5 tokens of the zones searched, or `undefined` when they
 * are every zone there is (no filter needed).
 */
export function searchSqlite(
  db: Database.Database,
  query: SearchQuery,
  zoneTokens: readonly string[] | undefined,
): SearchResult {
  const limit = Math.max(0, Math.min(query.limit ?? 20, 1000));
  const offset = Math.max(0, query.offset ?? 0);
  const node = queryTree(query);
  if (!node || query.zones.length === 0) return { total: 0, hits: [] };
  const countLimit = query.exactCount ? Number.MAX_SAFE_INTEGER : COUNTED_HITS + 1;
  const hitById = db.prepare(`SELECT ${HIT_COLUMNS} FROM records r WHERE r.id = ?`);

  if (isTextOnly(node) && fts5Depth(node) <= FTS5_MAX_DEPTH) {
    const text = fts5Expression(node);
    const match = zoneTokens ? `zone : (${zoneTokens.join(" OR ")}) AND (${text})` : text;
    // Suppressed records (few; a partial index lists them) left out when asked.
    const visible = query.excludeSuppressed
      ? " AND rowid NOT IN (SELECT id FROM records WHERE suppressed = 1)"
      : "";
    const count = (
      db
        .prepare(
          `SELECT count(*) AS n FROM (SELECT 1 FROM records_fts WHERE records_fts MATCH ?${visible} LIMIT ?)`,
        )
        .get(match, countLimit) as { n: number }
    ).n;
    const capped = count > COUNTED_HITS && !query.exactCount;
    const total = capped ? COUNTED_HITS : count;
    if (total === 0) return { total, hits: [] };
    const order = hitOrder(query.sort, total, capped);
    if (order === "title" || order === "author" || order === "date") {
      const rows = db
        .prepare(
          `SELECT r.id, r.title, r.author, r.date FROM records r
           WHERE r.id IN (SELECT rowid FROM records_fts WHERE records_fts MATCH ?)${query.excludeSuppressed ? " AND r.suppressed = 0" : ""}`,
        )
        .all(match) as SortRow[];
      return sortedPage(rows, query, order, total, capped, offset, limit, hitById);
    }
    let page: { id: number; score: number }[];
    if (order === "relevance") {
      const exact = exactTitleWords(node);
      const bonus = exact
        ? `+ (CASE WHEN rowid IN (SELECT rowid FROM records_fts WHERE records_fts MATCH ?) THEN ${EXACT_TITLE_BONUS} ELSE 0 END)`
        : "";
      const params: unknown[] = exact ? [`(${match}) AND ${fts5ExactTitle(exact)}`] : [];
      const descending = query.sort?.descending ?? true;
      page = db
        .prepare(
          `SELECT rowid AS id, -${BM25} ${bonus} AS score FROM records_fts
           WHERE records_fts MATCH ?${visible} ORDER BY score ${descending ? "DESC" : "ASC"}, rowid LIMIT ? OFFSET ?`,
        )
        .all(...params, match, limit, offset) as { id: number; score: number }[];
    } else {
      page = db
        .prepare(
          `SELECT rowid AS id, 0.0 AS score FROM records_fts
           WHERE records_fts MATCH ?${visible} ORDER BY rowid DESC LIMIT ? OFFSET ?`,
        )
        .all(match, limit, offset) as { id: number; score: number }[];
    }
    const hits = page.map(({ id, score }) => toSearchHit(hitById.get(id) as HitRow, score));
    return { total, hits, ...(capped ? { capped } : {}), order };
  }

  // Identifiers, dates, or a mix: a condition on records.
  const params: unknown[] = [];
  const dialect: SqlDialect = {
    param(value) {
      params.push(value);
      return "?";
    },
    list(values) {
      params.push(...values);
      return values.map(() => "?").join(", ");
    },
    inList: (column, list) => `${column} IN (${list})`,
    textDepth: (textNode) => fts5Depth(textNode) <= FTS5_MAX_DEPTH,
    text(textNode) {
      params.push(fts5Expression(textNode));
      return "r.id IN (SELECT rowid FROM records_fts WHERE records_fts MATCH ?)";
    },
    year: "CASE WHEN r.date GLOB '[0-9][0-9][0-9][0-9]*' THEN substr(r.date, 1, 4) END",
  };
  const condition = sqlCondition(node, dialect);
  const where =
    `${condition} AND r.zone IN (${query.zones.map(() => "?").join(", ")})` +
    (query.excludeSuppressed ? " AND r.suppressed = 0" : "");
  params.push(...query.zones);
  const count = (
    db
      .prepare(`SELECT count(*) AS n FROM (SELECT 1 FROM records r WHERE ${where} LIMIT ?)`)
      .get(...params, countLimit) as { n: number }
  ).n;
  const capped = count > COUNTED_HITS && !query.exactCount;
  const total = capped ? COUNTED_HITS : count;
  if (total === 0) return { total, hits: [] };
  const wanted = hitOrder(query.sort, total, capped);
  if (wanted === "title" || wanted === "author" || wanted === "date") {
    const rows = db
      .prepare(`SELECT r.id, r.title, r.author, r.date FROM records r WHERE ${where}`)
      .all(...params) as SortRow[];
    return sortedPage(rows, query, wanted, total, capped, offset, limit, hitById);
  }
  // No rank outside full text: identifier hits are few; newest first.
  const rows = db
    .prepare(
      `SELECT ${HIT_COLUMNS} FROM records r WHERE ${where} ORDER BY r.id DESC LIMIT ? OFFSET ?`,
    )
    .all(...params, limit, offset) as HitRow[];
  return {
    total,
    hits: rows.map((r) => toSearchHit(r, 1)),
    ...(capped ? { capped } : {}),
    order: wanted === "relevance" ? "newest" : wanted,
  };
}

function sortedPage(
  rows: SortRow[],
  query: SearchQuery,
  order: "title" | "author" | "date",
  total: number,
  capped: boolean,
  offset: number,
  limit: number,
  hitById: Database.Statement,
): SearchResult {
  const sorted = sortRows(rows, {
    key: order,
    ...(query.sort?.descending !== undefined ? { descending: query.sort.descending } : {}),
  });
  const hits = sorted
    .slice(offset, offset + limit)
    .map((r) => toSearchHit(hitById.get(r.id) as HitRow, 0));
  return { total, hits, ...(capped ? { capped } : {}), order };
}

/** Records per transaction of a search-text rebuild. */
const REINDEX_BATCH = 5000;

/**
 * Builds the full-text index again from every record's MARC when it was built by an earlier
 * search normalization (or is new: migration 12). Batches of REINDEX_BATCH records, each its
 * own transaction; the counter moves only at the end, so an interrupted rebuild starts over.
 * Returns the number of records indexed (0: the index was current).
 */
export function rebuildSearchText(db: Database.Database): number {
  const row = db.prepare("SELECT value FROM counters WHERE name = 'search_text'").get() as
    { value: number } | undefined;
  if ((row?.value ?? 1) >= SEARCH_TEXT_VERSION) return 0;
  db.prepare("INSERT INTO records_fts (records_fts) VALUES ('delete-all')").run();
  const page = db.prepare(
    `SELECT r.id, r.marc, r.format, z.suffix FROM records r JOIN zones z ON z.code = r.zone
     WHERE r.id > ? ORDER BY r.id LIMIT ?`,
  );
  const insert = db.prepare(
    "INSERT INTO records_fts (rowid, title, author, subject, keyword, zone) VALUES (?, ?, ?, ?, ?, ?)",
  );
  let after = 0;
  let indexed = 0;
  for (;;) {
    const rows = page.all(after, REINDEX_BATCH) as {
      id: number;
      marc: Buffer;
      format: string;
      suffix: string;
    }[];
    if (rows.length === 0) break;
    db.transaction(() => {
      for (const r of rows) {
        const doc = searchDocument(decodeStoredMarc(r.marc), formatFamily(r.format));
        insert.run(r.id, doc.title, doc.author, doc.subject, doc.keyword, `z${r.suffix}`);
      }
    }).immediate();
    after = rows.at(-1)!.id;
    indexed += rows.length;
  }
  db.transaction(() => {
    if (indexed > 0) db.prepare("INSERT INTO records_fts (records_fts) VALUES ('optimize')").run();
    db.prepare(
      "INSERT INTO counters (name, value) VALUES ('search_text', ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
    ).run(SEARCH_TEXT_VERSION);
  }).immediate();
  return indexed;
}

/** Scan: per zone, in the order of the index on (zone, lower(heading)), merged. */
export function scanSqlite(db: Database.Database, request: ScanRequest): ScanTerm[] {
  const count = Math.max(1, Math.min(request.count ?? 20, 100));
  const column = request.index === "title" ? "title" : "author";
  const statement = db.prepare(
    `SELECT lower(${column}) AS key, min(${column}) AS term, count(*) AS n FROM records
     WHERE zone = ? AND lower(${column}) >= lower(?) AND ${column} <> ''
     GROUP BY lower(${column}) ORDER BY lower(${column}) LIMIT ?`,
  );
  return mergeScans(
    request.zones.map((zone) => statement.all(zone, request.from, count) as ScanRow[]),
    count,
  );
}
