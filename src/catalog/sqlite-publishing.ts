/** The publishing log on SQLite (see `publishing.ts`). */
import type Database from "better-sqlite3";
import {
  type ConsumerRow,
  type ItemRow,
  type LogRow,
  OCLC_OF_RECORD_SQL,
  type OclcRow,
  PUBLISHED_ITEM_SQL,
  type PublishConsumer,
  type PublishStore,
  SAVE_CONSUMER_SQL,
  SAVE_OCLC_SQL,
  consumerParams,
  latestSeqSql,
  logSql,
  oclcParams,
  oclcPublicationsSql,
  publishedItemsSql,
  toConsumer,
  toLogEntry,
  toOclcPublication,
  toPublishedItem,
} from "./publishing.js";

/** Records asked for at once (SQLite's default limit is 32,766 parameters). */
const IDS_PER_QUERY = 500;

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
        const total =
          query.knownTotal ??
          (db.prepare(sql.count.text).get(...sql.count.params) as { n: number }).n;
        return { items: rows.map(toPublishedItem), total };
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
    latestSeq: (zones) =>
      settle(() => {
        if (zones.length === 0) return 0;
        const sql = latestSeqSql(zones);
        return (db.prepare(sql.text).get(...sql.params) as { n: number }).n;
      }),
    oclcPublications: (consumer, mmsIds) =>
      settle(() => {
        if (mmsIds === undefined) {
          const sql = oclcPublicationsSql(consumer);
          return (db.prepare(sql.text).all(...sql.params) as OclcRow[]).map(toOclcPublication);
        }
        const found = [];
        for (let i = 0; i < mmsIds.length; i += IDS_PER_QUERY) {
          const sql = oclcPublicationsSql(consumer, mmsIds.slice(i, i + IDS_PER_QUERY));
          found.push(...(db.prepare(sql.text).all(...sql.params) as OclcRow[]));
        }
        return found.map(toOclcPublication);
      }),
    oclcPublicationsOf: (mmsId) =>
      settle(() => (db.prepare(OCLC_OF_RECORD_SQL).all(mmsId) as OclcRow[]).map(toOclcPublication)),
    saveOclcRun: (consumer, publications) =>
      settle(() => {
        const saveOne = db.prepare(SAVE_OCLC_SQL);
        db.transaction(() => {
          for (const publication of publications) saveOne.run(...oclcParams(publication));
          db.prepare(SAVE_CONSUMER_SQL).run(...consumerParams(consumer));
        }).immediate();
      }),
  };
}
