/** The publishing log on PostgreSQL (see `publishing.ts`). */
import type { Pool } from "pg";
import {
  type ConsumerRow,
  type ItemRow,
  type LogRow,
  PUBLISHED_ITEM_SQL,
  type PublishStore,
  SAVE_CONSUMER_SQL,
  consumerParams,
  logSql,
  numbered,
  publishedItemsSql,
  toConsumer,
  toLogEntry,
  toPublishedItem,
} from "./publishing.js";

/** The store over a pool. */
export function postgresPublishing(pool: Pool): PublishStore {
  return {
    async publishedItems(query) {
      if (query.zones.length === 0) return { items: [], total: 0 };
      const sql = publishedItemsSql(query);
      const [page, count] = await Promise.all([
        pool.query<ItemRow>(numbered(sql.page.text), sql.page.params),
        pool.query<{ n: string }>(numbered(sql.count.text), sql.count.params),
      ]);
      return { items: page.rows.map(toPublishedItem), total: Number(count.rows[0]?.n ?? 0) };
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
  };
}
