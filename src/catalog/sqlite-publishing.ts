/** The publishing log on SQLite (see `publishing.ts`). */
import type Database from "better-sqlite3";
import {
  type ConsumerRow,
  type ItemRow,
  type LogRow,
  PUBLISHED_ITEM_SQL,
  type PublishConsumer,
  type PublishStore,
  SAVE_CONSUMER_SQL,
  consumerParams,
  logSql,
  publishedItemsSql,
  toConsumer,
  toLogEntry,
  toPublishedItem,
} from "./publishing.js";

/** The store over one connection (reads are synchronous; each method settles at once). */
export function sqlitePublishing(db: Database.Database): PublishStore {
  const settle = <T>(work: () => T): Promise<T> => {
    try {
      return Promise.resolve(work());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  };
  return {
    publishedItems: (query) =>
      settle(() => {
        if (query.zones.length === 0) return { items: [], total: 0 };
        const sql = publishedItemsSql(query);
        const rows = db.prepare(sql.page.text).all(...sql.page.params) as ItemRow[];
        const count = db.prepare(sql.count.text).get(...sql.count.params) as { n: number };
        return { items: rows.map(toPublishedItem), total: count.n };
      }),
    publishedItem: (mmsId) =>
      settle(() => {
        const row = db.prepare(PUBLISHED_ITEM_SQL).get(mmsId) as ItemRow | undefined;
        return row && toPublishedItem(row);
      }),
    earliestDatestamp: (zones) =>
      settle(() => {
        if (zones.length === 0) return undefined;
        const row = db
          .prepare(
            `SELECT min(datestamp) AS d FROM publish_items WHERE zone IN (${zones.map(() => "?").join(", ")})`,
          )
          .get(...zones) as { d: string | null };
        return row.d ?? undefined;
      }),
    publishLog: (zones, after, limit) =>
      settle(() => {
        if (zones.length === 0) return [];
        const sql = logSql(zones, after, limit);
        return (db.prepare(sql.text).all(...sql.params) as LogRow[]).map(toLogEntry);
      }),
    consumers: () =>
      settle(() =>
        (db.prepare("SELECT * FROM publish_consumers ORDER BY name").all() as ConsumerRow[]).map(
          toConsumer,
        ),
      ),
    consumer: (name) =>
      settle(() => {
        const row = db.prepare("SELECT * FROM publish_consumers WHERE name = ?").get(name) as
          ConsumerRow | undefined;
        return row && toConsumer(row);
      }),
    saveConsumer: (consumer: PublishConsumer) =>
      settle(() => {
        db.prepare(SAVE_CONSUMER_SQL).run(...consumerParams(consumer));
      }),
  };
}
