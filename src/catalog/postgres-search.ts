/**
 * Search on PostgreSQL: a text-only tree is one `tsquery` on the weighted `search` vector
 * (GIN index); any other tree is an SQL condition with `tsquery` parts (`search-sql.ts`).
 * Ranked by `ts_rank_cd` (title A over author B, subject C, other text D); a record whose title
 * begins with the query's words comes first (the phrase in the title, its first word at the
 * vector's first position: the title text is the vector's first part). Counts stop past
 * COUNTED_HITS unless asked for exactly; broader searches are listed newest first.
 */
import type { Pool } from "pg";
import type { ScanRequest, ScanTerm, SearchHit, SearchQuery, SearchResult } from "./catalog.js";
import {
  COUNTED_HITS,
  EXACT_TITLE_BONUS,
  hitOrder,
  queryTree,
  mergeScans,
  sortRows,
  type ScanRow,
  tsqueryExactTitle,
  tsqueryText,
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
import { formatFamily } from "./prepare.js";
import { SEARCH_TEXT_VERSION, searchDocument } from "./search-text.js";
import { decodeStoredMarc } from "./stored-marc.js";
import { searchVector } from "./postgres.js";

type ScoredRow = HitRow & { readonly id: string; readonly score: number };

const toHit = (r: ScoredRow): SearchHit => toSearchHit(r, r.score);

export async function searchPostgres(pool: Pool, query: SearchQuery): Promise<SearchResult> {
  const limit = Math.max(0, Math.min(query.limit ?? 20, 1000));
  const offset = Math.max(0, query.offset ?? 0);
  const node = queryTree(query);
  if (!node || query.zones.length === 0) return { total: 0, hits: [] };
  const params: unknown[] = [[...query.zones]];
  const dialect: SqlDialect = {
    param(value) {
      params.push(value);
      return `$${params.length}`;
    },
    list(values) {
      params.push([...values]);
      return `$${params.length}::text[]`;
    },
    inList: (column, list) => `${column} = ANY(${list})`,
    text(textNode) {
      params.push(tsqueryText(textNode));
      return `r.search @@ to_tsquery('simple', $${params.length})`;
    },
    year: "CASE WHEN r.date ~ '^[0-9]{4}' THEN substr(r.date, 1, 4) END",
  };
  const textOnly = isTextOnly(node);
  const condition = sqlCondition(node, dialect);
  const where =
    `${condition} AND r.zone = ANY($1::text[])` +
    (query.excludeSuppressed ? " AND NOT r.suppressed" : "");
  const countLimit = query.exactCount ? undefined : COUNTED_HITS + 1;
  const { rows: countRows } = await pool.query<{ n: number }>(
    countLimit === undefined
      ? `SELECT count(*)::integer AS n FROM records r WHERE ${where}`
      : `SELECT count(*)::integer AS n FROM (SELECT 1 FROM records r WHERE ${where} LIMIT ${countLimit}) s`,
    params,
  );
  const count = countRows[0]!.n;
  const capped = count > COUNTED_HITS && !query.exactCount;
  const total = capped ? COUNTED_HITS : count;
  if (total === 0) return { total, hits: [] };
  const wanted = hitOrder(query.sort, total, capped);
  const order = wanted === "relevance" && !textOnly ? "newest" : wanted;
  const more = (result: SearchHit[]): SearchResult => ({
    total,
    hits: result,
    ...(capped ? { capped } : {}),
    order,
  });
  if (order === "title" || order === "author" || order === "date") {
    const { rows } = await pool.query<{ id: string; title: string; author: string; date: string }>(
      `SELECT r.id, r.title, r.author, r.date FROM records r WHERE ${where}`,
      params,
    );
    const sorted = sortRows(
      rows.map((r): SortRow => ({ ...r, id: Number(r.id) })),
      {
        key: order,
        ...(query.sort?.descending !== undefined ? { descending: query.sort.descending } : {}),
      },
    );
    const ids = sorted.slice(offset, offset + limit).map((r) => r.id);
    const { rows: hitRows } = await pool.query<ScoredRow>(
      `SELECT ${HIT_COLUMNS}, 0.0::float8 AS score FROM records r WHERE r.id = ANY($1::bigint[])`,
      [ids],
    );
    const byId = new Map(hitRows.map((r) => [Number(r.id), r]));
    return more(ids.map((id) => toHit(byId.get(id)!)));
  }
  if (order === "relevance") {
    const exact = exactTitleWords(node);
    let bonus = "";
    if (exact) {
      // The phrase in the title, and its n words at the vector's positions 1…n.
      params.push(tsqueryExactTitle(exact), exact);
      const phrase = `$${params.length - 1}`;
      const list = `$${params.length}::text[]`;
      bonus = `+ CASE WHEN r.search @@ to_tsquery('simple', ${phrase}) AND
        (SELECT count(*) FROM unnest(r.search) u, unnest(${list}) WITH ORDINALITY w (lexeme, at)
         WHERE u.lexeme = w.lexeme AND w.at::smallint = ANY(u.positions)) = ${exact.length}
        THEN ${EXACT_TITLE_BONUS} ELSE 0 END`;
    }
    const descending = query.sort?.descending ?? true;
    params.push(limit, offset);
    const { rows } = await pool.query<ScoredRow>(
      `SELECT ${HIT_COLUMNS}, (ts_rank_cd(r.search, to_tsquery('simple', $2))${bonus})::float8 AS score
       FROM records r WHERE ${where}
       ORDER BY score ${descending ? "DESC" : "ASC"}, r.id LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    );
    return more(rows.map(toHit));
  }
  params.push(limit, offset);
  const { rows } = await pool.query<ScoredRow>(
    `SELECT ${HIT_COLUMNS}, 0.0::float8 AS score FROM records r WHERE ${where}
     ORDER BY r.id DESC LIMIT $${params.length - 1} OFFSET $${params.length}`,
    params,
  );
  return more(rows.map(toHit));
}

/** Key of the advisory lock a search-vector rebuild holds (one node rebuilds; others wait). */
const REBUILD_LOCK_KEY = 7_236_521_870_121;

/** Records per UPDATE of a rebuild. */
const REBUILD_BATCH = 2000;

/**
 * Computes every record's search vector again when the stored ones were built by an earlier
 * search normalization: one transaction under an advisory lock, so nodes that start together
 * rebuild once and none searches a half-built index. Returns the records rebuilt.
 */
export async function rebuildSearchVectors(pool: Pool): Promise<number> {
  const current = await pool.query<{ version: number }>("SELECT version FROM search_text");
  if ((current.rows[0]?.version ?? 1) >= SEARCH_TEXT_VERSION) return 0;
  const client = await pool.connect();
  let rebuilt = 0;
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock($1)", [REBUILD_LOCK_KEY]);
    const again = await client.query<{ version: number }>("SELECT version FROM search_text");
    if ((again.rows[0]?.version ?? 1) < SEARCH_TEXT_VERSION) {
      let after = 0;
      for (;;) {
        const { rows } = await client.query<{ id: string; marc: Buffer; format: string }>(
          "SELECT id, marc, format FROM records WHERE id > $1 ORDER BY id LIMIT $2",
          [after, REBUILD_BATCH],
        );
        if (rows.length === 0) break;
        const docs = rows.map((r) =>
          searchDocument(decodeStoredMarc(r.marc), formatFamily(r.format)),
        );
        await client.query(
          `UPDATE records r SET search = ${searchVector("u.st", "u.sa", "u.ss", "u.sk")}
           FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[])
             AS u (id, st, sa, ss, sk)
           WHERE r.id = u.id`,
          [
            rows.map((r) => r.id),
            docs.map((d) => d.title),
            docs.map((d) => d.author),
            docs.map((d) => d.subject),
            docs.map((d) => d.keyword),
          ],
        );
        after = Number(rows.at(-1)!.id);
        rebuilt += rows.length;
      }
      await client.query("UPDATE search_text SET version = $1", [SEARCH_TEXT_VERSION]);
    }
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
  return rebuilt;
}

/** Scan: per zone, in the order of the index on (zone, lower(heading)), merged. */
export async function scanPostgres(pool: Pool, request: ScanRequest): Promise<ScanTerm[]> {
  const count = Math.max(1, Math.min(request.count ?? 20, 100));
  const column = request.index === "title" ? "title" : "author";
  const key = `lower(${column}) COLLATE "C"`;
  const perZone = await Promise.all(
    request.zones.map(
      async (zone) =>
        (
          await pool.query<ScanRow>(
            `SELECT ${key} AS key, min(${column}) AS term, count(*)::integer AS n FROM records
             WHERE zone = $1 AND ${key} >= lower($2) COLLATE "C" AND ${column} <> ''
             GROUP BY ${key} ORDER BY ${key} LIMIT $3`,
            [zone, request.from, count],
          )
        ).rows,
    ),
  );
  return mergeScans(perZone, count);
}
