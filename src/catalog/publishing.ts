/**
 * The publishing log as the catalog keeps it (migration 13): what both engines share. The log
 * and the items table are written by triggers on `records` (see the migration), so every write
 * path — import, merge, overlay, restore, undo, delete, a change of suppression or management
 * tag — logs itself in the same transaction; no code has to remember to.
 */
import type { ManagementTag } from "./catalog.js";

/** A record's published state: the last change logged for it (deleted records stay). */
export interface PublishedItem {
  readonly mmsId: string;
  readonly zone: string;
  /** leader/06. */
  readonly recordType: string;
  readonly managementTag: ManagementTag;
  readonly suppressed: boolean;
  /** The record was deleted; its row stays so harvesters hear of it (persistent deletes). */
  readonly deleted: boolean;
  /** UTC, seconds: `YYYY-MM-DDThh:mm:ssZ`. */
  readonly datestamp: string;
  /** The publishing log row of the last change. */
  readonly seq: number;
}

/** Which items to list, in (datestamp, MMS ID) order. */
export interface PublishedQuery {
  readonly zones: readonly string[];
  /** Inclusive, `YYYY-MM-DDThh:mm:ssZ`. */
  readonly from?: string;
  /** Inclusive, `YYYY-MM-DDThh:mm:ssZ`. */
  readonly until?: string;
  readonly managementTag?: ManagementTag;
  /** leader/06. */
  readonly recordType?: string;
  /** Items strictly after this (datestamp, MMS ID). */
  readonly after?: { readonly datestamp: string; readonly mmsId: string };
  readonly limit: number;
  /**
   * The total an earlier page of the same list counted: given, it is the page's `total` and
   * nothing is counted again (a harvest of N records would otherwise count the zone N/100 times).
   */
  readonly knownTotal?: number;
}

/** A page of items and the number matching the query without its cursor. */
export interface PublishedPage {
  readonly items: PublishedItem[];
  readonly total: number;
}

/** One row of the publishing log. */
export interface PublishLogEntry {
  readonly seq: number;
  readonly mmsId: string;
  readonly zone: string;
  readonly event: "created" | "changed" | "deleted";
  /** The record's `action` (created, merged, overlaid, restored, …) or `deleted`. */
  readonly action: string;
  readonly version: number;
  readonly managementTag: ManagementTag;
  readonly suppressed: boolean;
  readonly recordType: string;
  readonly at: string;
}

/** A consumer of the log (the OCLC export of one institution, …) and its high-water mark. */
export interface PublishConsumer {
  readonly name: string;
  readonly highWater: number;
  readonly lastRun?: string;
  readonly lastCount: number;
  readonly lastFiles: readonly string[];
}

/**
 * What an OCLC Data Sync consumer last sent of one record (migration 16): kept with the
 * consumer's high-water mark, so the next run knows `n` from `c`, what to withdraw, and the OCLC
 * numbers whose holdings the record set.
 */
export interface OclcPublication {
  readonly consumer: string;
  readonly mmsId: string;
  readonly zone: string;
  /** What OCLC holds of the record now: its bibliographic record, a holding only, or nothing. */
  readonly publishedAs: "bib" | "holdings" | "withdrawn";
  /** The OCLC numbers (035 (OCoLC), normalized) the record carried when sent. */
  readonly oclcNumbers: readonly string[];
  /**
   * What the last file said of it: leader/05 `n`, `c`, `d` (bibliographic file), `set` or
   * `delete` (holdings files), or `kept` (withdrawn, and nothing sent: its OCLC number stays
   * held by another record).
   */
  readonly sent: "n" | "c" | "d" | "set" | "delete" | "kept";
  /** The publishing log row the publication reflects. */
  readonly seq: number;
  /** UTC, `YYYY-MM-DDThh:mm:ssZ`. */
  readonly at: string;
  /** The file it went in (empty when `kept`). */
  readonly file: string;
}

/** The publishing part of the catalog (both engines). */
export interface PublishStore {
  /** Items in (datestamp, MMS ID) order. */
  publishedItems(query: PublishedQuery): Promise<PublishedPage>;
  publishedItem(mmsId: string): Promise<PublishedItem | undefined>;
  /** The earliest datestamp in these zones, if any item is there. */
  earliestDatestamp(zones: readonly string[]): Promise<string | undefined>;
  /** Log rows of these zones after `after`, oldest first, at most `limit`. */
  publishLog(zones: readonly string[], after: number, limit: number): Promise<PublishLogEntry[]>;
  consumers(): Promise<PublishConsumer[]>;
  consumer(name: string): Promise<PublishConsumer | undefined>;
  /** Records a consumer's run: its new high-water mark, the count and the files written. */
  saveConsumer(consumer: PublishConsumer): Promise<void>;
  /** The last log row of these zones (0 when the log is empty). */
  latestSeq(zones: readonly string[]): Promise<number>;
  /** A consumer's publications: of these records, or all of them (in MMS ID order). */
  oclcPublications(consumer: string, mmsIds?: readonly string[]): Promise<OclcPublication[]>;
  /** Every consumer's publication of one record (the record view). */
  oclcPublicationsOf(mmsId: string): Promise<OclcPublication[]>;
  /**
   * A Data Sync run, in one transaction: the consumer's new high-water mark, count and files,
   * and what it sent of each record.
   */
  saveOclcRun(consumer: PublishConsumer, publications: readonly OclcPublication[]): Promise<void>;
}

/** SQL with `?` placeholders, and its parameters. */
export interface SqlQuery {
  readonly text: string;
  readonly params: unknown[];
}

const ITEM_COLUMNS =
  "mms_id, zone, record_type, management_tag, suppressed, deleted, datestamp, seq";

/** The condition of a query, without the cursor. */
function itemFilter(query: PublishedQuery): SqlQuery {
  const conditions = [`zone IN (${query.zones.map(() => "?").join(", ")})`];
  const params: unknown[] = [...query.zones];
  if (query.from !== undefined) {
    conditions.push("datestamp >= ?");
    params.push(query.from);
  }
  if (query.until !== undefined) {
    conditions.push("datestamp <= ?");
    params.push(query.until);
  }
  if (query.managementTag !== undefined) {
    conditions.push("management_tag = ?");
    params.push(query.managementTag);
  }
  if (query.recordType !== undefined) {
    conditions.push("record_type = ?");
    params.push(query.recordType);
  }
  return { text: conditions.join(" AND "), params };
}

/** The page's SQL and the count's SQL. */
export function publishedItemsSql(query: PublishedQuery): { page: SqlQuery; count: SqlQuery } {
  const filter = itemFilter(query);
  const params = [...filter.params];
  let where = filter.text;
  if (query.after) {
    where += " AND (datestamp > ? OR (datestamp = ? AND mms_id > ?))";
    params.push(query.after.datestamp, query.after.datestamp, query.after.mmsId);
  }
  params.push(query.limit);
  return {
    page: {
      text: `SELECT ${ITEM_COLUMNS} FROM publish_items WHERE ${where} ORDER BY datestamp, mms_id LIMIT ?`,
      params,
    },
    count: {
      text: `SELECT count(*) AS n FROM publish_items WHERE ${filter.text}`,
      params: filter.params,
    },
  };
}

export const PUBLISHED_ITEM_SQL = `SELECT ${ITEM_COLUMNS} FROM publish_items WHERE mms_id = ?`;
export const LOG_COLUMNS =
  "seq, mms_id, zone, event, action, version, management_tag, suppressed, record_type, at";

/** A row of publish_items as either engine returns it. */
export interface ItemRow {
  mms_id: string;
  zone: string;
  record_type: string;
  management_tag: string;
  suppressed: number | boolean;
  deleted: number | boolean;
  datestamp: string;
  seq: number | string;
}

export function toPublishedItem(row: ItemRow): PublishedItem {
  return {
    mmsId: row.mms_id,
    zone: row.zone,
    recordType: row.record_type,
    managementTag: row.management_tag as ManagementTag,
    suppressed: Boolean(row.suppressed),
    deleted: Boolean(row.deleted),
    datestamp: row.datestamp,
    seq: Number(row.seq),
  };
}

/** A row of publish_log as either engine returns it. */
export interface LogRow {
  seq: number | string;
  mms_id: string;
  zone: string;
  event: string;
  action: string;
  version: number;
  management_tag: string;
  suppressed: number | boolean;
  record_type: string;
  at: string;
}

export function toLogEntry(row: LogRow): PublishLogEntry {
  return {
    seq: Number(row.seq),
    mmsId: row.mms_id,
    zone: row.zone,
    event: row.event as PublishLogEntry["event"],
    action: row.action,
    version: row.version,
    managementTag: row.management_tag as ManagementTag,
    suppressed: Boolean(row.suppressed),
    recordType: row.record_type,
    at: row.at,
  };
}

/** A row of publish_consumers as either engine returns it. */
export interface ConsumerRow {
  name: string;
  high_water: number | string;
  last_run: string | null;
  last_count: number;
  last_files: string;
}

export function toConsumer(row: ConsumerRow): PublishConsumer {
  return {
    name: row.name,
    highWater: Number(row.high_water),
    ...(row.last_run === null ? {} : { lastRun: row.last_run }),
    lastCount: row.last_count,
    lastFiles: JSON.parse(row.last_files) as string[],
  };
}

/** `?` placeholders as PostgreSQL's `$1`, `$2`, … */
export function numbered(text: string): string {
  let n = 0;
  return text.replace(/\?/g, () => `$${++n}`);
}

export const SAVE_CONSUMER_SQL = `INSERT INTO publish_consumers (name, high_water, last_run, last_count, last_files)
VALUES (?, ?, ?, ?, ?)
ON CONFLICT (name) DO UPDATE SET high_water = excluded.high_water, last_run = excluded.last_run,
  last_count = excluded.last_count, last_files = excluded.last_files`;

export function consumerParams(consumer: PublishConsumer): unknown[] {
  return [
    consumer.name,
    consumer.highWater,
    consumer.lastRun ?? null,
    consumer.lastCount,
    JSON.stringify(consumer.lastFiles),
  ];
}

export function logSql(zones: readonly string[], after: number, limit: number): SqlQuery {
  return {
    text: `SELECT ${LOG_COLUMNS} FROM publish_log WHERE zone IN (${zones.map(() => "?").join(", ")})
  AND seq > ? ORDER BY seq LIMIT ?`,
    params: [...zones, after, limit],
  };
}

export const OCLC_COLUMNS =
  "consumer, mms_id, zone, published_as, oclc_numbers, sent, seq, at, file";

export const SAVE_OCLC_SQL = `INSERT INTO publish_oclc (${OCLC_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (consumer, mms_id) DO UPDATE SET zone = excluded.zone,
  published_as = excluded.published_as, oclc_numbers = excluded.oclc_numbers,
  sent = excluded.sent, seq = excluded.seq, at = excluded.at, file = excluded.file`;

/** {@link SAVE_OCLC_SQL} for `rows` publications in one statement, PostgreSQL's `$n`. */
export function saveOclcManySql(rows: number): string {
  const values = Array.from(
    { length: rows },
    (_, r) => `(${Array.from({ length: 9 }, (_, c) => `$${r * 9 + c + 1}`).join(", ")})`,
  );
  return SAVE_OCLC_SQL.replace("VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", `VALUES ${values.join(", ")}`);
}

export function oclcParams(publication: OclcPublication): unknown[] {
  return [
    publication.consumer,
    publication.mmsId,
    publication.zone,
    publication.publishedAs,
    JSON.stringify(publication.oclcNumbers),
    publication.sent,
    publication.seq,
    publication.at,
    publication.file,
  ];
}

/** A consumer's publications, of some records or all. */
export function oclcPublicationsSql(consumer: string, mmsIds?: readonly string[]): SqlQuery {
  if (mmsIds === undefined)
    return {
      text: `SELECT ${OCLC_COLUMNS} FROM publish_oclc WHERE consumer = ? ORDER BY mms_id`,
      params: [consumer],
    };
  return {
    text: `SELECT ${OCLC_COLUMNS} FROM publish_oclc WHERE consumer = ?
  AND mms_id IN (${mmsIds.map(() => "?").join(", ")}) ORDER BY mms_id`,
    params: [consumer, ...mmsIds],
  };
}

export const OCLC_OF_RECORD_SQL = `SELECT ${OCLC_COLUMNS} FROM publish_oclc WHERE mms_id = ? ORDER BY consumer`;

export function latestSeqSql(zones: readonly string[]): SqlQuery {
  return {
    text: `SELECT coalesce(max(seq), 0) AS n FROM publish_log WHERE zone IN (${zones.map(() => "?").join(", ")})`,
    params: [...zones],
  };
}

/** A row of publish_oclc as either engine returns it. */
export interface OclcRow {
  consumer: string;
  mms_id: string;
  zone: string;
  published_as: string;
  oclc_numbers: string;
  sent: string;
  seq: number | string;
  at: string;
  file: string;
}

export function toOclcPublication(row: OclcRow): OclcPublication {
  return {
    consumer: row.consumer,
    mmsId: row.mms_id,
    zone: row.zone,
    publishedAs: row.published_as as OclcPublication["publishedAs"],
    oclcNumbers: JSON.parse(row.oclc_numbers) as string[],
    sent: row.sent as OclcPublication["sent"],
    seq: Number(row.seq),
    at: row.at,
    file: row.file,
  };
}
