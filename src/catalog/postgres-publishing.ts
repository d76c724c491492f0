/** The publishing log on PostgreSQL (see `publishing.ts`). */
import type { Pool } from "pg";
import {
  type ConsumerRow,
  type ItemRow,
  type LogRow,
  OCLC_OF_RECORD_SQL,
  type OclcRow,
  PUBLISHED_ITEM_SQL,
  type PublishStore,
  SAVE_CONSUMER_SQL,
  saveOclcManySql,
  consumerParams,
  latestSeqSql,
  logSql,
  oclcParams,
  oclcPublicationsSql,
  numbered,
  publishedItemsSql,
  toConsumer,
  toLogEntry,
  toOclcPublication,
  toPublishedItem,
} from "./publishing.js";

/** Records asked for at once. */
const IDS_PER_QUERY = 1000;
/** Publications saved a statement (9 parameters each; PostgreSQL takes 65,535). */
const SAVE_BATCH = 500;

/** The store over a pool. */
export function postgresPublishing(pool: Pool): PublishStore {
  return {
    async publishedItems(query) {
      if (query.zones.length === 0) return { items: [], total: 0 };
      const sql = publishedItemsSql(query);
      const [page, total] = await Promise.all([
        pool.query<ItemRow>(numbered(sql.page.text), sql.page.params),
        query.knownTotal ??
          pool
            .query<{ n: string }>(numbered(sql.count.text), sql.count.params)
            .then((count) => Number(count.rows[0]?.n ?? 0)),
      ]);
      return { items: page.rows.map(toPublishedItem), total };
    },
    async publishedItem(mmsId) {
      const result = await pool.query<ItemRow>(numbered(PUBLISHED_ITEM_SQL), [mmsId]);
      const row = result.rows[0];
      return row && toPublishedItem(row);
    },
    async earliestDatestamp(zones) {
      if (zones.length === 0) return undefined;
      const result = await pool.query<{ d: string | null }>(
        "SELECT min(datestamp) AS d FROM publish_items WHERE zone = ANY($1)",
        [zones],
      );
      return result.rows[0]?.d ?? undefined;
    },
    async publishLog(zones, after, limit) {
      if (zones.length === 0) return [];
      const sql = logSql(zones, after, limit);
      const result = await pool.query<LogRow>(numbered(sql.text), sql.params);
      return result.rows.map(toLogEntry);
    },
    async consumers() {
      const result = await pool.query<ConsumerRow>("SELECT * FROM publish_consumers ORDER BY name");
      return result.rows.map(toConsumer);
    },
    async consumer(name) {
      const result = await pool.query<ConsumerRow>(
        "SELECT * FROM publish_consumers WHERE name = $1",
        [name],
      );
      const row = result.rows[0];
      return row && toConsumer(row);
    },
    async saveConsumer(consumer) {
      await pool.query(numbered(SAVE_CONSUMER_SQL), consumerParams(consumer));
    },
    // A sequence is not in commit order: a transaction still writing may hold a lower seq than
    // one committed, and a mark past it would skip its row for good. Every transaction that took
    // a seq holds ROW EXCLUSIVE on publish_log until it ends; SHARE waits for them (and holds new
    // writers back for the one read), so every seq up to the max read is settled.
    async latestSeq(zones) {
      if (zones.length === 0) return 0;
      const sql = latestSeqSql(zones);
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        await client.query("LOCK TABLE publish_log IN SHARE MODE");
        const result = await client.query<{ n: string }>(numbered(sql.text), sql.params);
        await client.query("COMMIT");
        return Number(result.rows[0]?.n ?? 0);
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    async oclcPublications(consumer, mmsIds) {
      const chunks: (readonly string[] | undefined)[] = [];
      if (mmsIds === undefined) chunks.push(undefined);
      else
        for (let i = 0; i < mmsIds.length; i += IDS_PER_QUERY)
          chunks.push(mmsIds.slice(i, i + IDS_PER_QUERY));
      const found: OclcRow[] = [];
      for (const chunk of chunks) {
        const sql = oclcPublicationsSql(consumer, chunk);
        found.push(...(await pool.query<OclcRow>(numbered(sql.text), sql.params)).rows);
      }
      return found.map(toOclcPublication);
    },
    async oclcPublicationsOf(mmsId) {
      const result = await pool.query<OclcRow>(numbered(OCLC_OF_RECORD_SQL), [mmsId]);
      return result.rows.map(toOclcPublication);
    },
    async saveOclcRun(consumer, publications) {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        // Many rows a statement: a full run of a large zone is one round trip per 500 records.
        for (let i = 0; i < publications.length; i += SAVE_BATCH) {
          const batch = publications.slice(i, i + SAVE_BATCH);
          const sql = saveOclcManySql(batch.length);
          await client.query(sql, batch.flatMap(oclcParams));
        }
        await client.query(numbered(SAVE_CONSUMER_SQL), consumerParams(consumer));
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
  };
}
