/**
 * The catalog on PostgreSQL (through `pg` 8), for an installation where several marcgate
 * processes share one database. What makes that safe:
 * - MMS ID numbers and zone suffixes come from SEQUENCEs (`nextval`), never from a read-then-write.
 * - Every write method is one transaction on one pooled client (`BEGIN … COMMIT`, `ROLLBACK` on
 *   any error, the client released always).
 * - A save locks the record row (`SELECT … FOR UPDATE`) before it compares `expectedVersion`, so
 *   of two saves from the same version exactly one wins; the other gets `version-conflict`.
 * - Record locks are taken and given back by conditional UPDATEs.
 * - Migrations run under an advisory lock, so two processes starting at once migrate once.
 *
 * The meaning of every method is SQLite's (`sqlite.ts`); what both engines derive from a record
 * (bytes, match keys, search text, attribute checks) comes from `prepare.ts`.
 */
import type { PublishStore } from "./publishing.js";
import { postgresPublishing } from "./postgres-publishing.js";
import { Client, DatabaseError, Pool, type PoolClient, type QueryResultRow } from "pg";
import type { MatchKey, MatchKeyKind } from "../marc/match-keys.js";
import type { RecordKind } from "../marc/record.js";
import {
  CatalogError,
  unstaged,
  type CommitInput,
  type Catalog,
  type CommitRequest,
  type CommitResult,
  type ImportJob,
  type NewImportJob,
  type ThrottleStore,
  type JobOutcome,
  type JobRecord,
  type JobRecordsOptions,
  type JobReport,
  type LocalFields,
  type LocalFieldsChange,
  type RecordCreate,
  type RecordDeletion,
  type RecordLock,
  type RecordUpdate,
  type RecordVersion,
  type SaveContext,
  type ScanRequest,
  type ScanTerm,
  type SearchQuery,
  type SearchResult,
  type StoredIntegrationProfile,
  type StoredRecord,
  type UndoOutcome,
  type UndoReport,
  type Zone,
} from "./catalog.js";
import { buildJobReport, type JobCountRow } from "./job-report.js";
import {
  combinePlans,
  deletedSince,
  planUndo,
  restoredAttributes,
  undoCommit,
  undoLocalFields,
  undoneOutcome,
  UNDO_ACTION,
} from "./undo.js";
import { postgresAccounts } from "./postgres-accounts.js";
import { claimKey, PostgresClaimLocks } from "./postgres-claims.js";
import { postgresThrottleStore } from "./postgres-throttle.js";
import { DelegatedAccounts } from "./accounts.js";
import { formatMmsId, formatZoneSuffix } from "./mms-id.js";
import {
  attributesOf,
  checkInstitution,
  defaultNotDeleted,
  unknownProfile,
  checkLocalFields,
  checkUpdate,
  deletedAttributes,
  initialReviewState,
  notInReview,
  toDeletion,
  toIntegrationProfile,
  toJobRecord,
  toLocalFields,
  toStoredRecord,
  toVersion,
  toZone,
  type DeletedRowBase,
  type IntegrationProfileRow,
  type JobRecordRowBase,
  type LocalFieldsRow,
  type ZoneRow,
} from "./rows.js";
import { failureSuffix, jobDescription, splitDescription, type JobState } from "./job-state.js";
import { MIGRATION_LOCK_KEY, POSTGRES_MIGRATIONS } from "./postgres-schema.js";
import { rebuildSearchVectors, scanPostgres, searchPostgres } from "./postgres-search.js";
import {
  DEFAULT_ATTRIBUTES,
  checkCode,
  createdMarc,
  integrationProfileColumns,
  mergeAttributes,
  prepareRecord,
  type FullAttributes,
  type PreparedRecord,
} from "./prepare.js";

/** Options of {@link openPostgresCatalog}. */
export interface PostgresCatalogOptions {
  /**
   * The schema that holds marcgate's tables, created if missing and made the connections'
   * `search_path`. Letters, digits and `_`, starting with a letter or `_`.
   * @default the server's `search_path` (usually `public`)
   */
  readonly schema?: string;
  /**
   * The most connections the pool opens.
   * @default 10
   */
  readonly poolSize?: number;
}

/**
 * Opens the catalog in the PostgreSQL database at `url` (`postgres://user:password@host/db`) and
 * brings its schema up to date.
 *
 * @example
 * ```ts
 * const catalog = await openPostgresCatalog("postgres://marcgate:secret@localhost/marcgate");
 * await catalog.addInstitution({ code: "01ABC_INST", name: "ABC University" });
 * await catalog.close();
 * ```
 */
export async function openPostgresCatalog(
  url: string,
  options: PostgresCatalogOptions = {},
): Promise<Catalog> {
  const schema = options.schema;
  if (schema !== undefined && !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
    throw new CatalogError("invalid", `schema name "${schema}" must be letters, digits and "_"`);
  }
  const connection = {
    connectionString: url,
    ...(schema !== undefined ? { options: `-c search_path="${schema}"` } : {}),
  };
  // A database that cannot be reached fails a query after 5 s instead of leaving it waiting.
  const pool = new Pool({
    ...connection,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: 5_000,
  });
  // A connection that breaks while idle is dropped by the pool and the next query opens a new
  // one; without a listener the error would end the process.
  pool.on("error", () => undefined);
  try {
    await migrate(pool, schema);
    await rebuildSearchVectors(pool);
  } catch (error) {
    await pool.end();
    throw error;
  }
  const claims = new PostgresClaimLocks(async () => {
    const client = new Client({ ...connection, connectionTimeoutMillis: 5_000 });
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    return client;
  });
  return new PostgresCatalog(pool, claims);
}

async function migrate(pool: Pool, schema: string | undefined): Promise<void> {
  await inTransaction(pool, async (client) => {
    await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK_KEY]);
    if (schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await client.query(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied timestamptz NOT NULL)",
    );
    const applied = new Set(
      (await client.query<{ version: number }>("SELECT version FROM schema_migrations")).rows.map(
        (r) => r.version,
      ),
    );
    for (const migration of POSTGRES_MIGRATIONS) {
      if (applied.has(migration.version)) continue;
      await client.query(migration.sql);
      await client.query("INSERT INTO schema_migrations (version, applied) VALUES ($1, now())", [
        migration.version,
      ]);
    }
  });
}

/** Runs `work` in one transaction on one pooled client; rolls back on any error. */
async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    try {
      await client.query("ROLLBACK");
    } catch (rollbackError) {
      // The connection is unusable: the pool must not hand it out again.
      broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
    }
    throw error;
  } finally {
    client.release(broken);
  }
}

/** What runs a query: the pool (one statement, its own transaction) or a client in one. */
interface Queryable {
  query<R extends QueryResultRow>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
}

/** `bigint` columns arrive as strings (pg keeps all 64 bits); ours fit in a number. */
type Bigint = string;

interface RecordRow {
  id: Bigint;
  mms_id: string;
  zone: string;
  marc: Buffer;
  format: string;
  brief_level: string;
  originating_version: string | null;
  cz_linked: boolean;
  lock_by: string | null;
  lock_since: Date | null;
  management_tag: string;
  suppressed: boolean;
  created: Date;
  updated: Date;
  version: number;
  saved_by: string;
  action: string;
  job_id: Bigint | null;
}

/** Every column of `records` but the search vector. */
const RECORD_COLUMNS = `id, mms_id, zone, marc, format, brief_level, originating_version, cz_linked,
  lock_by, lock_since, management_tag, suppressed, created, updated, version, saved_by, action, job_id`;

interface VersionRow {
  mms_id: string;
  version: number;
  marc: Buffer;
  brief_level: string;
  originating_version: string | null;
  management_tag: string | null;
  saved_by: string;
  saved_at: Date;
  action: string;
  job_id: Bigint | null;
}

/** Earlier versions and the current one, as one relation (one statement reads one snapshot). */
/** local_fields columns, the fields as the JSON text they were stored as. */
const LOCAL_FIELDS_COLUMNS =
  "mms_id, institution, version, fields::text AS fields, saved_by, saved_at, action, job_id";

const VERSIONS = `(
  SELECT mms_id, version, marc, brief_level, saved_by, saved_at, action, job_id,
      originating_version, management_tag
    FROM record_versions WHERE mms_id = $1
  UNION ALL
  SELECT mms_id, version, marc, brief_level, saved_by, updated, action, job_id,
      originating_version, management_tag
    FROM records WHERE mms_id = $1
) v`;

interface JobRow {
  id: Bigint;
  institution: string;
  source: string;
  description: string;
  profile: string | null;
  started: Date;
  finished: Date | null;
  counts: Partial<Record<JobOutcome, number>>;
}

/** Job columns with the count of entries per outcome. */
const JOB_COLUMNS = `j.id, j.institution, j.source, j.description, j.profile, j.started, j.finished,
  coalesce((SELECT jsonb_object_agg(c.outcome, c.n) FROM
    (SELECT outcome, count(*) AS n FROM job_records WHERE job_id = j.id GROUP BY outcome) c),
    '{}'::jsonb) AS counts`;

interface JobRecordRow extends JobRecordRowBase {
  messages: string[];
  log: unknown;
}

const JOB_RECORD_COLUMNS = `id, job_id, raw, outcome, reason_code, mms_id, messages, log, received,
  review_state, reviewed_by, reviewed_at, review_note, forced_entry, forced_from, undone_by, undone_at`;

function jobRecordOf(row: JobRecordRow): JobRecord {
  return toJobRecord(row, row.messages, row.log);
}

/** A job row's state as forcing or discarding it checks it. */
interface ReviewRow {
  outcome: string;
  review_state: string | null;
  reviewed_by: string | null;
}

type DeletedRow = DeletedRowBase & { record_id: Bigint; deleted_at: Date; job_id: Bigint | null };

/**
 * The search vector from the four normalized texts (SQL expressions): title A, author B,
 * subject C, the rest D. `'simple'` only lower-cases and splits, as the text already is.
 */
export function searchVector(
  title: string,
  author: string,
  subject: string,
  keyword: string,
): string {
  return `setweight(to_tsvector('simple', ${title}), 'A') || setweight(to_tsvector('simple', ${author}), 'B')
    || setweight(to_tsvector('simple', ${subject}), 'C') || setweight(to_tsvector('simple', ${keyword}), 'D')`;
}

/** Integration profile columns, the settings as their JSON text (as SQLite gives them). */
const PROFILE_COLUMNS = "institution, type, code, is_default, settings::text AS settings, updated";

/** Records per INSERT statement in a bulk load. */
const BULK_CHUNK = 500;

/** Records per page of {@link PostgresCatalog.recordsOf}. */
const PAGE_SIZE = 500;

function toJob(row: JobRow): ImportJob {
  return {
    id: Number(row.id),
    institution: row.institution,
    source: row.source,
    ...splitDescription(row.description),
    ...(row.profile !== null ? { profile: row.profile } : {}),
    started: row.started,
    ...(row.finished !== null ? { finished: row.finished } : {}),
    counts: row.counts,
  };
}

/** PostgreSQL text cannot hold U+0000; display strings lose it (the MARC bytes keep it). */
function plainText(value: string): string {
  return value.includes("\0") ? value.replaceAll("\0", "") : value;
}

/**
 * JSON for a `jsonb` column, which cannot hold U+0000 either: it becomes U+FFFD in messages and
 * logs (the raw bytes of the job row keep everything).
 */
function jsonText(value: unknown): string {
  const json = JSON.stringify(value ?? null);
  return json.includes("\\u0000") ? json.replaceAll("\\u0000", "\\ufffd") : json;
}

/** A record about to be inserted. */
interface NewRecord {
  readonly id: number;
  readonly mmsId: string;
  readonly zone: string;
  readonly attributes: FullAttributes;
  readonly prepared: PreparedRecord;
}

/** The account methods come from `DelegatedAccounts` (the store is in ./postgres-accounts.ts). */
class PostgresCatalog extends DelegatedAccounts implements Catalog {
  readonly engine = "postgres";
  readonly publishing: PublishStore;

  constructor(
    private readonly pool: Pool,
    readonly claims: PostgresClaimLocks,
  ) {
    super(postgresAccounts(pool));
    this.publishing = postgresPublishing(pool);
  }

  private transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, work);
  }

  private async zoneRow(db: Queryable, code: string): Promise<ZoneRow | undefined> {
    return (
      await db.query<ZoneRow>(
        "SELECT code, name, kind, suffix, network FROM zones WHERE code = $1",
        [code],
      )
    ).rows[0];
  }

  private async addZone(
    kind: "institution" | "network",
    code: string,
    name: string,
    network?: string,
  ): Promise<Zone> {
    checkCode(code, kind === "network" ? "network zone code" : "institution code");
    return this.transaction(async (client) => {
      if (await this.zoneRow(client, code))
        throw new CatalogError("duplicate-zone", `zone ${code} exists already`);
      if (network !== undefined) {
        const nz = await this.zoneRow(client, network);
        if (!nz || nz.kind !== "network")
          throw new CatalogError("unknown-zone", `no network zone ${network}`);
      }
      const { rows } = await client.query<{ n: Bigint }>("SELECT nextval('zone_sequence') AS n");
      const suffix = formatZoneSuffix(Number(rows[0]!.n));
      try {
        const inserted = await client.query<ZoneRow>(
          `INSERT INTO zones (code, name, kind, suffix, network, created)
           VALUES ($1, $2, $3, $4, $5, now()) RETURNING code, name, kind, suffix, network`,
          [code, name, kind, suffix, network ?? null],
        );
        return toZone(inserted.rows[0]!);
      } catch (error) {
        // Another process added the same code since the check above.
        if (
          error instanceof DatabaseError &&
          error.code === "23505" &&
          /pkey/.test(error.constraint ?? "")
        )
          throw new CatalogError("duplicate-zone", `zone ${code} exists already`);
        throw error;
      }
    });
  }

  addNetworkZone(zone: { code: string; name: string }): Promise<Zone> {
    return this.addZone("network", zone.code, zone.name);
  }

  addInstitution(zone: { code: string; name: string; network?: string }): Promise<Zone> {
    return this.addZone("institution", zone.code, zone.name, zone.network);
  }

  zone(code: string): Promise<Zone | undefined> {
    return this.zoneRow(this.pool, code).then((row) => (row ? toZone(row) : undefined));
  }

  async zones(): Promise<Zone[]> {
    const { rows } = await this.pool.query<ZoneRow>(
      "SELECT code, name, kind, suffix, network FROM zones ORDER BY code",
    );
    return rows.map(toZone);
  }

  /** `count` new MMS sequence numbers, ascending. */
  private async sequenceNumbers(client: PoolClient, count: number): Promise<number[]> {
    const { rows } = await client.query<{ n: Bigint }>(
      "SELECT nextval('mms_sequence') AS n FROM generate_series(1, $1)",
      [count],
    );
    return rows.map((r) => Number(r.n)).sort((a, b) => a - b);
  }

  /** Inserts new records with their match keys and search vectors: one statement each. */
  private async insertRecords(
    client: PoolClient,
    chunk: readonly NewRecord[],
    context: SaveContext,
  ): Promise<void> {
    const column = <T>(pick: (r: NewRecord) => T): T[] => chunk.map(pick);
    await client.query(
      `INSERT INTO records (id, mms_id, zone, marc, format, brief_level, originating_version,
           cz_linked, management_tag, suppressed, created, updated, version, saved_by, action,
           job_id, title, author, date, search)
         SELECT u.id, u.mms_id, u.zone, u.marc, u.format, u.brief_level, u.originating_version,
           u.cz_linked, u.management_tag, u.suppressed, now(), now(), 1, $18, $19, $20,
           u.title, u.author, u.date, ${searchVector("u.st", "u.sa", "u.ss", "u.sk")}
         FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bytea[], $5::text[], $6::text[],
           $7::text[], $8::boolean[], $9::text[], $10::boolean[], $11::text[], $12::text[],
           $13::text[], $14::text[], $15::text[], $16::text[], $17::text[])
           AS u(id, mms_id, zone, marc, format, brief_level, originating_version, cz_linked,
             management_tag, suppressed, title, author, date, st, sa, ss, sk)`,
      [
        column((r) => r.id),
        column((r) => r.mmsId),
        column((r) => r.zone),
        column((r) => r.prepared.bytes),
        column((r) => r.attributes.format),
        column((r) => r.attributes.briefLevel),
        column((r) => r.attributes.originatingVersion ?? null),
        column((r) => r.attributes.czLinked),
        column((r) => r.attributes.managementTag),
        column((r) => r.attributes.suppressed),
        column((r) => plainText(r.prepared.search.displayTitle)),
        column((r) => plainText(r.prepared.search.displayAuthor)),
        column((r) => plainText(r.prepared.search.date)),
        column((r) => r.prepared.search.title),
        column((r) => r.prepared.search.author),
        column((r) => r.prepared.search.subject),
        column((r) => r.prepared.search.keyword),
        context.savedBy,
        context.action,
        context.jobId ?? null,
      ],
    );
    await this.insertKeys(client, chunk);
  }

  /** Inserts the match keys of records (whose old keys, if any, are gone). */
  private async insertKeys(
    client: PoolClient,
    records: readonly Pick<NewRecord, "id" | "zone" | "prepared">[],
  ): Promise<void> {
    const ids: number[] = [];
    const ords: number[] = [];
    const kinds: string[] = [];
    const values: string[] = [];
    const zones: string[] = [];
    for (const r of records) {
      r.prepared.keys.forEach((key, i) => {
        ids.push(r.id);
        ords.push(i);
        kinds.push(key.kind);
        values.push(key.value);
        zones.push(r.zone);
      });
    }
    if (ids.length === 0) return;
    await client.query(
      `INSERT INTO match_keys (record_id, ord, kind, value, zone)
       SELECT * FROM unnest($1::bigint[], $2::integer[], $3::text[], $4::text[], $5::text[])`,
      [ids, ords, kinds, values, zones],
    );
  }

  /** Zone rows by code for the creates; an unknown code is `unknown-zone`. */
  private async zonesFor(
    db: Queryable,
    creates: readonly RecordCreate[],
  ): Promise<Map<string, ZoneRow>> {
    const codes = [...new Set(creates.map((c) => c.zone))];
    const { rows } = await db.query<ZoneRow>(
      "SELECT code, name, kind, suffix, network FROM zones WHERE code = ANY($1::text[])",
      [codes],
    );
    const byCode = new Map(rows.map((r) => [r.code, r]));
    for (const code of codes)
      if (!byCode.has(code)) throw new CatalogError("unknown-zone", `no zone ${code}`);
    return byCode;
  }

  /**
   * Creates records in the caller's transaction; MMS IDs follow the order of `creates` (from
   * `numbers` when given, else new ones). Chunks are pipelined: the next chunk is prepared
   * (encoded, keyed, checked) in JavaScript while the server inserts the one before. A bad
   * record fails the call, and the transaction writes nothing.
   */
  private async create(
    client: PoolClient,
    creates: readonly RecordCreate[],
    context: SaveContext,
    given?: readonly number[],
  ): Promise<string[]> {
    if (creates.length === 0) return [];
    const zones = await this.zonesFor(client, creates);
    const numbers = given ?? (await this.sequenceNumbers(client, creates.length));
    const mmsIds: string[] = [];
    let inserting: Promise<void> | undefined;
    try {
      for (let start = 0; start < creates.length; start += BULK_CHUNK) {
        const chunk = creates.slice(start, start + BULK_CHUNK).map((c, i): NewRecord => {
          const zone = zones.get(c.zone)!;
          const id = numbers[start + i]!;
          const mmsId = formatMmsId(id, zone.suffix);
          mmsIds.push(mmsId);
          return {
            id,
            mmsId,
            zone: zone.code,
            attributes: mergeAttributes(DEFAULT_ATTRIBUTES, c),
            prepared: prepareRecord(createdMarc(c, mmsId), c.format),
          };
        });
        await inserting;
        inserting = this.insertRecords(client, chunk, context);
      }
      await inserting;
    } catch (error) {
      // Whatever is in flight settles before the caller rolls back on this client.
      await inserting?.catch(() => undefined);
      throw error;
    }
    return mmsIds;
  }

  /** Copies a record row's current state into its versions (before a save or a delete). */
  private async keepVersion(client: PoolClient, id: Bigint | number): Promise<void> {
    await client.query(
      `INSERT INTO record_versions (mms_id, version, marc, brief_level, saved_by, saved_at, action,
         job_id, originating_version, management_tag)
       SELECT mms_id, version, marc, brief_level, saved_by, updated, action, job_id,
         originating_version, management_tag
       FROM records WHERE id = $1`,
      [id],
    );
  }

  /** Saves a new state of a record in the caller's transaction (row locked first). */
  private async update(
    client: PoolClient,
    change: RecordUpdate,
    context: SaveContext,
  ): Promise<{ mmsId: string; version: number }> {
    const found = (
      await client.query<RecordRow>(
        `SELECT ${RECORD_COLUMNS} FROM records WHERE mms_id = $1 FOR UPDATE`,
        [change.mmsId],
      )
    ).rows[0];
    const row = checkUpdate(found, change, context);
    const a = mergeAttributes(attributesOf(row), change);
    const prepared = prepareRecord(change.marc, a.format);
    await this.keepVersion(client, row.id);
    const doc = prepared.search;
    await client.query(
      `UPDATE records SET marc = $2, format = $3, brief_level = $4, originating_version = $5,
         cz_linked = $6, management_tag = $7, suppressed = $8, updated = now(),
         version = version + 1, saved_by = $9, action = $10, job_id = $11, title = $12,
         author = $13, date = $14, search = ${searchVector("$15", "$16", "$17", "$18")}
       WHERE id = $1`,
      [
        row.id,
        prepared.bytes,
        a.format,
        a.briefLevel,
        a.originatingVersion ?? null,
        a.czLinked,
        a.managementTag,
        a.suppressed,
        context.savedBy,
        context.action,
        context.jobId ?? null,
        plainText(doc.displayTitle),
        plainText(doc.displayAuthor),
        plainText(doc.date),
        doc.title,
        doc.author,
        doc.subject,
        doc.keyword,
      ],
    );
    const id = Number(row.id);
    await client.query("DELETE FROM match_keys WHERE record_id = $1", [id]);
    await this.insertKeys(client, [{ id, zone: row.zone, prepared }]);
    return { mmsId: row.mms_id, version: row.version + 1 };
  }

  /**
   * One commit in the caller's transaction. A create takes the given MMS sequence number, or a
   * new one.
   */
  private async commitIn(
    client: PoolClient,
    request: CommitRequest,
    sequence?: number,
  ): Promise<CommitResult> {
    const { change, entry, context } = request;
    if (entry) {
      const job = await client.query("SELECT 1 FROM import_jobs WHERE id = $1", [entry.jobId]);
      if (job.rows.length === 0)
        throw new CatalogError("unknown-job", `no import job ${entry.jobId}`);
    }
    let mmsId: string | undefined;
    let version: number | undefined;
    if (change?.kind === "create") {
      const given = sequence === undefined ? undefined : [sequence];
      mmsId = (await this.create(client, [change], context, given))[0]!;
      version = 1;
    } else if (change?.kind === "update") {
      ({ mmsId, version } = await this.update(client, change, context));
    }
    if (request.localFields) {
      mmsId = await this.saveLocalFields(client, request.localFields, mmsId, context);
    }
    let entryId: number | undefined;
    if (entry) {
      const held = entry.forcedFrom;
      if (held !== undefined) {
        const heldRow = (
          await client.query<ReviewRow>(
            "SELECT outcome, review_state, reviewed_by FROM job_records WHERE id = $1 FOR UPDATE",
            [held],
          )
        ).rows[0];
        if (heldRow?.review_state !== "open") throw notInReview(held, heldRow);
      }
      const inserted = await client.query<{ id: Bigint }>(
        `INSERT INTO job_records (job_id, raw, outcome, mms_id, messages, log, received,
           reason_code, review_state, forced_from)
         VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, now(), $7, $8, $9) RETURNING id`,
        [
          entry.jobId,
          entry.raw,
          entry.outcome,
          mmsId ?? null,
          jsonText(entry.messages),
          jsonText(entry.log),
          entry.reasonCode ?? null,
          initialReviewState(entry.outcome),
          held ?? null,
        ],
      );
      entryId = Number(inserted.rows[0]!.id);
      if (held !== undefined) {
        await client.query(
          `UPDATE job_records SET review_state = 'forced', reviewed_by = $2, reviewed_at = now(),
             forced_entry = $3 WHERE id = $1`,
          [held, context.savedBy, entryId],
        );
      }
    }
    return {
      ...(mmsId !== undefined ? { mmsId } : {}),
      ...(version !== undefined ? { version } : {}),
      ...(entryId !== undefined ? { entryId } : {}),
    };
  }

  /**
   * Saves an institution's local fields of a record (in the caller's transaction). The record
   * row is locked first, so two saves of the same local fields take turns.
   */
  private async saveLocalFields(
    client: PoolClient,
    change: LocalFieldsChange,
    changed: string | undefined,
    context: SaveContext,
  ): Promise<string> {
    const mmsId = change.mmsId ?? changed;
    if (mmsId === undefined)
      throw new CatalogError("invalid", "local fields need a record: give its MMS ID");
    const record = (
      await client.query<{ zone: string }>(
        "SELECT zone FROM records WHERE mms_id = $1 FOR UPDATE",
        [mmsId],
      )
    ).rows[0];
    const current = (
      await client.query<{ version: number }>(
        "SELECT max(version) AS version FROM local_fields WHERE mms_id = $1 AND institution = $2",
        [mmsId, change.institution],
      )
    ).rows[0]?.version;
    const version = checkLocalFields(
      mmsId,
      record && (await this.zoneRow(client, record.zone)),
      await this.zoneRow(client, change.institution),
      current ?? 0,
      change,
    );
    await client.query(
      `INSERT INTO local_fields (mms_id, institution, version, fields, saved_by, saved_at, action, job_id)
       VALUES ($1, $2, $3, $4::json, $5, now(), $6, $7)`,
      [
        mmsId,
        change.institution,
        version,
        JSON.stringify(change.fields),
        context.savedBy,
        context.action,
        context.jobId ?? null,
      ],
    );
    return mmsId;
  }

  async localFields(mmsId: string, institution: string): Promise<LocalFields | undefined> {
    const { rows } = await this.pool.query<LocalFieldsRow>(
      `SELECT ${LOCAL_FIELDS_COLUMNS} FROM local_fields WHERE mms_id = $1 AND institution = $2
       ORDER BY version DESC LIMIT 1`,
      [mmsId, institution],
    );
    return rows[0] ? toLocalFields(rows[0]) : undefined;
  }

  async localFieldVersions(mmsId: string, institution: string): Promise<LocalFields[]> {
    const { rows } = await this.pool.query<LocalFieldsRow>(
      `SELECT ${LOCAL_FIELDS_COLUMNS} FROM local_fields WHERE mms_id = $1 AND institution = $2
       ORDER BY version`,
      [mmsId, institution],
    );
    return rows.map(toLocalFields);
  }

  commit(request: CommitInput): Promise<CommitResult> {
    return this.transaction((client) => this.commitIn(client, unstaged(request)));
  }

  async commitMany(inputs: readonly CommitInput[]): Promise<CommitResult[]> {
    if (inputs.length === 0) return [];
    const requests = inputs.map(unstaged);
    return this.transaction(async (client) => {
      // The creates' sequence numbers in one query, in the batch's order.
      const creates = requests.filter((r) => r.change?.kind === "create").length;
      const numbers = creates > 0 ? await this.sequenceNumbers(client, creates) : [];
      let next = 0;
      const results: CommitResult[] = [];
      for (const request of requests) {
        const sequence = request.change?.kind === "create" ? numbers[next++] : undefined;
        results.push(await this.commitIn(client, request, sequence));
      }
      return results;
    });
  }

  async createMany(
    creates: readonly RecordCreate[],
    context: SaveContext,
  ): Promise<{ mmsIds: string[] }> {
    return { mmsIds: await this.transaction((client) => this.create(client, creates, context)) };
  }

  async record(mmsId: string): Promise<StoredRecord | undefined> {
    const { rows } = await this.pool.query<RecordRow>(
      `SELECT ${RECORD_COLUMNS} FROM records WHERE mms_id = $1`,
      [mmsId],
    );
    return rows[0] ? toStoredRecord(rows[0]) : undefined;
  }

  async versions(mmsId: string): Promise<RecordVersion[]> {
    const { rows } = await this.pool.query<VersionRow>(
      `SELECT * FROM ${VERSIONS} ORDER BY version`,
      [mmsId],
    );
    return rows.map(toVersion);
  }

  async version(mmsId: string, version: number): Promise<RecordVersion | undefined> {
    const { rows } = await this.pool.query<VersionRow>(
      `SELECT * FROM ${VERSIONS} WHERE version = $2`,
      [mmsId, version],
    );
    return rows[0] ? toVersion(rows[0]) : undefined;
  }

  restore(mmsId: string, version: number, context: SaveContext): Promise<CommitResult> {
    return this.transaction(async (client) => {
      const current = (
        await client.query<{ version: number }>(
          "SELECT version FROM records WHERE mms_id = $1 FOR UPDATE",
          [mmsId],
        )
      ).rows[0];
      const deleted = current ? undefined : await this.deletedRow(client, mmsId);
      if (!current && !deleted) throw new CatalogError("unknown-record", `no record ${mmsId}`);
      const target = (
        await client.query<VersionRow>(`SELECT * FROM ${VERSIONS} WHERE version = $2`, [
          mmsId,
          version,
        ])
      ).rows[0];
      if (!target)
        throw new CatalogError("unknown-version", `record ${mmsId} has no version ${version}`);
      const old = toVersion(target);
      if (deleted) return this.undelete(client, deleted, old, context);
      return this.commitIn(client, {
        change: {
          kind: "update",
          mmsId,
          expectedVersion: current!.version,
          marc: old.marc,
          ...restoredAttributes(old),
        },
        context,
      });
    });
  }

  /** The tombstone of a deleted record, locked (a restore and an undo do not cross). */
  private async deletedRow(client: Queryable, mmsId: string): Promise<DeletedRow | undefined> {
    return (
      await client.query<DeletedRow>("SELECT * FROM deleted_records WHERE mms_id = $1 FOR UPDATE", [
        mmsId,
      ])
    ).rows[0];
  }

  /** Brings a deleted record back with its MMS ID and id, as `old`, the version after its last. */
  private async undelete(
    client: PoolClient,
    deleted: DeletedRow,
    old: RecordVersion,
    context: SaveContext,
  ): Promise<CommitResult> {
    const attributes = mergeAttributes(deletedAttributes(deleted), restoredAttributes(old));
    const prepared = prepareRecord(old.marc, attributes.format);
    const record: NewRecord = {
      id: Number(deleted.record_id),
      mmsId: deleted.mms_id,
      zone: deleted.zone,
      attributes,
      prepared,
    };
    await this.insertRecords(client, [record], context);
    const version = deleted.version + 1;
    await client.query("UPDATE records SET version = $2, created = $3 WHERE id = $1", [
      record.id,
      version,
      deleted.created,
    ]);
    await client.query("DELETE FROM deleted_records WHERE mms_id = $1", [deleted.mms_id]);
    return { mmsId: deleted.mms_id, version };
  }

  async deletion(mmsId: string): Promise<RecordDeletion | undefined> {
    const { rows } = await this.pool.query<DeletedRow>(
      "SELECT * FROM deleted_records WHERE mms_id = $1",
      [mmsId],
    );
    return rows[0] ? toDeletion(rows[0]) : undefined;
  }

  /**
   * Deletes a record row in the caller's transaction: its last state kept as a version, a
   * tombstone (who, when, how) for `deletion` and `restore`, its keys gone.
   */
  private async removeRecord(
    client: PoolClient,
    id: Bigint | number,
    context: SaveContext,
  ): Promise<void> {
    await this.keepVersion(client, id);
    await client.query(
      `INSERT INTO deleted_records (mms_id, record_id, zone, format, originating_version,
         cz_linked, management_tag, suppressed, created, version, deleted_by, deleted_at,
         action, job_id)
       SELECT mms_id, id, zone, format, originating_version, cz_linked, management_tag,
         suppressed, created, version, $2, now(), $3, $4 FROM records WHERE id = $1`,
      [id, context.savedBy, context.action, context.jobId ?? null],
    );
    await client.query("DELETE FROM match_keys WHERE record_id = $1", [id]);
    await client.query("DELETE FROM records WHERE id = $1", [id]);
  }

  deleteRecord(
    mmsId: string,
    expectedVersion: number,
    context: SaveContext,
  ): Promise<RecordDeletion> {
    return this.transaction(async (client) => {
      const found = (
        await client.query<RecordRow>(
          `SELECT ${RECORD_COLUMNS} FROM records WHERE mms_id = $1 FOR UPDATE`,
          [mmsId],
        )
      ).rows[0];
      const row = checkUpdate(found, { mmsId, expectedVersion }, context);
      await this.removeRecord(client, row.id, context);
      return toDeletion((await this.deletedRow(client, mmsId))!);
    });
  }

  async undoJob(jobId: number, by: string): Promise<UndoReport> {
    const job = await this.jobIn(this.pool, jobId);
    if (!job) throw new CatalogError("unknown-job", `no import job ${jobId}`);
    const { rows } = await this.pool.query<{ mms_id: string }>(
      `SELECT DISTINCT mms_id FROM job_records
       WHERE job_id = $1 AND mms_id IS NOT NULL AND undone_at IS NULL ORDER BY mms_id`,
      [jobId],
    );
    const records: UndoOutcome[] = [];
    for (const { mms_id: mmsId } of rows) {
      // One transaction per record: a record changed since stops only itself.
      const outcome = await this.transaction((client) =>
        this.undoRecord(client, jobId, job.institution, mmsId, by),
      );
      if (outcome) records.push(outcome);
    }
    const undone = await this.pool.query<{ n: number }>(
      `SELECT count(DISTINCT mms_id)::integer AS n FROM job_records
       WHERE job_id = $1 AND undone_at IS NOT NULL`,
      [jobId],
    );
    const done = records.filter((r) => r.reverted !== false).length;
    return { jobId, records, alreadyUndone: undone.rows[0]!.n - done };
  }

  /**
   * Undoes the job's saves of one record and its local fields (in the caller's transaction,
   * the record locked).
   */
  private async undoRecord(
    client: PoolClient,
    jobId: number,
    institution: string,
    mmsId: string,
    by: string,
  ): Promise<UndoOutcome | undefined> {
    const row = (
      await client.query<RecordRow>(
        `SELECT ${RECORD_COLUMNS} FROM records WHERE mms_id = $1 FOR UPDATE`,
        [mmsId],
      )
    ).rows[0];
    const versions = (
      await client.query<VersionRow>(`SELECT * FROM ${VERSIONS} ORDER BY version`, [mmsId])
    ).rows.map(toVersion);
    if (!row) {
      const deleted = await this.deletedRow(client, mmsId);
      if (!deleted || !versions.some((v) => v.jobId === jobId)) return undefined;
      return deletedSince(toDeletion(deleted));
    }
    const localVersions = (
      await client.query<LocalFieldsRow>(
        `SELECT ${LOCAL_FIELDS_COLUMNS} FROM local_fields WHERE mms_id = $1 AND institution = $2
         ORDER BY version`,
        [mmsId, institution],
      )
    ).rows.map(toLocalFields);
    const lock = row.lock_by !== null ? { by: row.lock_by } : undefined;
    const plans = combinePlans(
      planUndo(jobId, versions, lock, by),
      planUndo(jobId, localVersions, lock, by),
    );
    if ("refuse" in plans) return { mmsId, reverted: false, reason: plans.refuse };
    const { record, local } = plans;
    const markUndone = (): Promise<unknown> =>
      client.query(
        `UPDATE job_records SET undone_by = $3, undone_at = now()
         WHERE job_id = $1 AND mms_id = $2 AND undone_at IS NULL`,
        [jobId, mmsId, by],
      );
    if (record.kind === "delete") {
      await this.removeRecord(client, row.id, { savedBy: by, action: UNDO_ACTION, jobId });
      await markUndone();
      return { mmsId, reverted: "deleted", lastVersion: row.version };
    }
    const localFields = undoLocalFields(local, institution, mmsId);
    const context = { savedBy: by, action: UNDO_ACTION, jobId };
    const result =
      record.kind === "restore"
        ? await this.commitIn(client, {
            ...undoCommit(mmsId, row.version, record.to, by, jobId),
            ...(localFields ? { localFields } : {}),
          })
        : localFields
          ? await this.commitIn(client, { localFields, context })
          : undefined;
    if (record.kind !== "none" || local.kind !== "none") await markUndone();
    const localVersion = localFields
      ? (
          await client.query<{ version: number }>(
            "SELECT max(version) AS version FROM local_fields WHERE mms_id = $1 AND institution = $2",
            [mmsId, institution],
          )
        ).rows[0]?.version
      : undefined;
    return undoneOutcome(mmsId, record, result?.version, local, localVersion, institution);
  }

  lock(mmsId: string, by: string): Promise<RecordLock> {
    return this.transaction(async (client) => {
      const taken = await client.query<{ lock_since: Date }>(
        `UPDATE records SET lock_by = $2, lock_since = now()
         WHERE mms_id = $1 AND (lock_by IS NULL OR lock_by = $2) RETURNING lock_since`,
        [mmsId, by],
      );
      if (taken.rows[0]) return { by, since: taken.rows[0].lock_since };
      const row = await this.lockRow(client, mmsId);
      throw new CatalogError(
        "locked",
        `record ${mmsId} is locked by ${row.lock_by} since ${row.lock_since?.toISOString()}`,
      );
    });
  }

  /** Who holds a record's lock; no record is `unknown-record`. */
  private async lockRow(
    client: PoolClient,
    mmsId: string,
  ): Promise<{ lock_by: string | null; lock_since: Date | null }> {
    const row = (
      await client.query<{ lock_by: string | null; lock_since: Date | null }>(
        "SELECT lock_by, lock_since FROM records WHERE mms_id = $1",
        [mmsId],
      )
    ).rows[0];
    if (!row) throw new CatalogError("unknown-record", `no record ${mmsId}`);
    return row;
  }

  unlock(mmsId: string, by: string): Promise<void> {
    return this.transaction(async (client) => {
      const released = await client.query(
        "UPDATE records SET lock_by = NULL, lock_since = NULL WHERE mms_id = $1 AND lock_by = $2 RETURNING id",
        [mmsId, by],
      );
      if (released.rows.length > 0) return;
      const row = await this.lockRow(client, mmsId);
      if (row.lock_by !== null)
        throw new CatalogError("locked", `record ${mmsId} is locked by ${row.lock_by}, not ${by}`);
    });
  }

  async findByKey(
    kind: MatchKeyKind,
    value: string,
    zones: readonly string[],
    recordKind: RecordKind = "bib",
  ): Promise<string[]> {
    if (zones.length === 0) return [];
    // Named: each connection plans it once (match look-ups are the import's hot path).
    const { rows } = await this.pool.query<{ mms_id: string }>({
      name: "find-by-key",
      text: `SELECT DISTINCT r.mms_id FROM match_keys k JOIN records r ON r.id = k.record_id
       WHERE k.kind = $1 AND k.value = $2 AND k.zone = ANY($3::text[]) AND r.record_kind = $4
       ORDER BY r.mms_id`,
      values: [kind, value, [...zones], recordKind],
    });
    return rows.map((r) => r.mms_id);
  }

  async keysOf(mmsId: string): Promise<MatchKey[]> {
    const { rows } = await this.pool.query<MatchKey>(
      `SELECT k.kind, k.value FROM match_keys k JOIN records r ON r.id = k.record_id
       WHERE r.mms_id = $1 ORDER BY k.ord`,
      [mmsId],
    );
    return rows.map((r) => ({ kind: r.kind, value: r.value }));
  }

  search(query: SearchQuery): Promise<SearchResult> {
    return searchPostgres(this.pool, query);
  }

  scan(request: ScanRequest): Promise<ScanTerm[]> {
    return scanPostgres(this.pool, request);
  }

  startJob(job: NewImportJob): Promise<ImportJob> {
    return this.transaction(async (client) => {
      if (!(await this.zoneRow(client, job.institution)))
        throw new CatalogError("unknown-zone", `no zone ${job.institution}`);
      if (job.shared) {
        // Nodes asking at once: one looks and starts, the others then find its job.
        const key = claimKey(
          job.institution,
          `job:${job.source}:${jobDescription(job.description)}:${job.profile ?? ""}`,
        );
        await client.query("SELECT pg_advisory_xact_lock($1::bigint)", [String(key)]);
        const open = await client.query<{ id: Bigint }>(
          `SELECT id FROM import_jobs WHERE institution = $1 AND source = $2 AND description = $3
           AND profile IS NOT DISTINCT FROM $4 AND finished IS NULL ORDER BY id LIMIT 1`,
          [job.institution, job.source, jobDescription(job.description), job.profile ?? null],
        );
        if (open.rows[0]) return (await this.jobIn(client, Number(open.rows[0].id)))!;
      }
      const { rows } = await client.query<{ id: Bigint }>(
        `INSERT INTO import_jobs (institution, source, description, profile, started)
         VALUES ($1, $2, $3, $4, now()) RETURNING id`,
        [job.institution, job.source, jobDescription(job.description), job.profile ?? null],
      );
      return (await this.jobIn(client, Number(rows[0]!.id)))!;
    });
  }

  private async jobIn(db: Queryable, id: number): Promise<ImportJob | undefined> {
    const { rows } = await db.query<JobRow>(
      `SELECT ${JOB_COLUMNS} FROM import_jobs j WHERE j.id = $1`,
      [id],
    );
    return rows[0] ? toJob(rows[0]) : undefined;
  }

  finishJob(jobId: number, failure?: string): Promise<ImportJob> {
    return this.transaction(async (client) => {
      const updated = await client.query(
        `UPDATE import_jobs SET description = CASE WHEN finished IS NULL THEN description || $2 ELSE description END,
         finished = coalesce(finished, now()) WHERE id = $1 RETURNING id`,
        [jobId, failure !== undefined ? failureSuffix(failure) : ""],
      );
      if (updated.rows.length === 0)
        throw new CatalogError("unknown-job", `no import job ${jobId}`);
      return (await this.jobIn(client, jobId))!;
    });
  }

  job(jobId: number): Promise<ImportJob | undefined> {
    return this.jobIn(this.pool, jobId);
  }

  async jobStates(): Promise<Record<JobState, number>> {
    const { rows } = await this.pool.query<Record<JobState, string>>(
      `SELECT count(*) FILTER (WHERE finished IS NULL) AS open,
        count(*) FILTER (WHERE finished IS NOT NULL AND strpos(description, E'\\n') = 0) AS finished,
        count(*) FILTER (WHERE strpos(description, E'\\n') > 0) AS failed FROM import_jobs`,
    );
    const row = rows[0]!;
    return { open: Number(row.open), finished: Number(row.finished), failed: Number(row.failed) };
  }

  async jobs(institution: string, options: { limit?: number } = {}): Promise<ImportJob[]> {
    const { rows } = await this.pool.query<JobRow>(
      `SELECT ${JOB_COLUMNS} FROM import_jobs j WHERE j.institution = $1 ORDER BY j.id DESC LIMIT $2`,
      [institution, options.limit ?? 50],
    );
    return rows.map(toJob);
  }

  async jobRecordsOf(mmsId: string, options: { limit?: number } = {}): Promise<JobRecord[]> {
    const { rows } = await this.pool.query<JobRecordRow>(
      `SELECT ${JOB_RECORD_COLUMNS} FROM job_records WHERE mms_id = $1 ORDER BY id DESC LIMIT $2`,
      [mmsId, options.limit ?? 20],
    );
    return rows.map(jobRecordOf);
  }

  async jobRecords(jobId: number, options: JobRecordsOptions = {}): Promise<JobRecord[]> {
    // LIMIT NULL is no limit; a NULL outcome is every outcome.
    const { rows } = await this.pool.query<JobRecordRow>(
      `SELECT ${JOB_RECORD_COLUMNS} FROM job_records
       WHERE job_id = $1 AND ($2::text IS NULL OR outcome = $2::text)
       ORDER BY id LIMIT $3 OFFSET $4`,
      [jobId, options.outcome ?? null, options.limit ?? null, options.offset ?? 0],
    );
    return rows.map(jobRecordOf);
  }

  private async jobRecordIn(db: Queryable, entryId: number): Promise<JobRecord | undefined> {
    const { rows } = await db.query<JobRecordRow>(
      `SELECT ${JOB_RECORD_COLUMNS} FROM job_records WHERE id = $1`,
      [entryId],
    );
    return rows[0] ? jobRecordOf(rows[0]) : undefined;
  }

  jobRecord(entryId: number): Promise<JobRecord | undefined> {
    return this.jobRecordIn(this.pool, entryId);
  }

  jobReport(jobId: number): Promise<JobReport | undefined> {
    return this.transaction(async (client) => {
      await client.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
      const job = await this.jobIn(client, jobId);
      if (!job) return undefined;
      const { rows } = await client.query<JobCountRow>(
        `SELECT outcome, reason_code AS "reasonCode", review_state AS "reviewState",
           forced_from IS NOT NULL AS forced, undone_at IS NOT NULL AS undone,
           count(*)::integer AS n
         FROM job_records WHERE job_id = $1 GROUP BY 1, 2, 3, 4, 5`,
        [jobId],
      );
      return buildJobReport(job, rows);
    });
  }

  async reviewQueue(institution: string, options: { limit?: number } = {}): Promise<JobRecord[]> {
    const { rows } = await this.pool.query<JobRecordRow>(
      `SELECT r.* FROM job_records r
       JOIN import_jobs j ON j.id = r.job_id
       WHERE r.review_state = 'open' AND j.institution = $1 ORDER BY r.id LIMIT $2`,
      [institution, options.limit ?? 1000],
    );
    return rows.map(jobRecordOf);
  }

  discardReview(entryId: number, by: string, note?: string): Promise<JobRecord> {
    return this.transaction(async (client) => {
      const changed = await client.query(
        `UPDATE job_records SET review_state = 'discarded', reviewed_by = $2, reviewed_at = now(),
           review_note = $3 WHERE id = $1 AND review_state = 'open' RETURNING id`,
        [entryId, by, note ?? null],
      );
      if (changed.rows.length === 0) {
        const row = (
          await client.query<ReviewRow>(
            "SELECT outcome, review_state, reviewed_by FROM job_records WHERE id = $1",
            [entryId],
          )
        ).rows[0];
        throw notInReview(entryId, row);
      }
      return (await this.jobRecordIn(client, entryId))!;
    });
  }

  async setIntegrationProfile(profile: {
    institution: string;
    type: string;
    code: string;
    settings: unknown;
  }): Promise<StoredIntegrationProfile> {
    const columns = integrationProfileColumns(profile);
    return this.transaction(async (client) => {
      checkInstitution(await this.zoneRow(client, profile.institution), profile.institution);
      // The first of its type is the default: the institution's row, locked, keeps two first
      // profiles set at once from both being it.
      await client.query("SELECT 1 FROM zones WHERE code = $1 FOR UPDATE", [profile.institution]);
      const { rows } = await client.query<IntegrationProfileRow>(
        `INSERT INTO integration_profiles (institution, type, code, is_default, settings, updated)
         VALUES ($1, $2, $3, NOT EXISTS (SELECT 1 FROM integration_profiles
           WHERE institution = $1 AND type = $2), $4::json, now())
         ON CONFLICT (institution, type, code) DO UPDATE SET
           settings = excluded.settings, updated = excluded.updated
         RETURNING ${PROFILE_COLUMNS}`,
        [profile.institution, columns.type, columns.code, columns.settings],
      );
      return toIntegrationProfile(rows[0]!);
    });
  }

  async integrationProfile(
    institution: string,
    type: string,
    code?: string,
  ): Promise<StoredIntegrationProfile | undefined> {
    const { rows } = await this.pool.query<IntegrationProfileRow>(
      code === undefined
        ? `SELECT ${PROFILE_COLUMNS} FROM integration_profiles
           WHERE institution = $1 AND type = $2 AND is_default`
        : `SELECT ${PROFILE_COLUMNS} FROM integration_profiles
           WHERE institution = $1 AND type = $2 AND code = $3`,
      code === undefined ? [institution, type] : [institution, type, code],
    );
    return rows[0] ? toIntegrationProfile(rows[0]) : undefined;
  }

  async setDefaultIntegrationProfile(
    institution: string,
    type: string,
    code: string,
  ): Promise<void> {
    await this.transaction(async (client) => {
      const where = "WHERE institution = $1 AND type = $2";
      const found = await client.query(
        `SELECT 1 FROM integration_profiles ${where} AND code = $3 FOR UPDATE`,
        [institution, type, code],
      );
      if (found.rows.length === 0) throw unknownProfile(code);
      // Two statements: a unique index is checked row by row, not at the statement's end.
      await client.query(`UPDATE integration_profiles SET is_default = false ${where}`, [
        institution,
        type,
      ]);
      await client.query(
        `UPDATE integration_profiles SET is_default = true ${where} AND code = $3`,
        [institution, type, code],
      );
    });
  }

  async deleteIntegrationProfile(institution: string, type: string, code: string): Promise<void> {
    await this.transaction(async (client) => {
      const found = await client.query<{ is_default: boolean }>(
        `SELECT is_default FROM integration_profiles
         WHERE institution = $1 AND type = $2 AND code = $3 FOR UPDATE`,
        [institution, type, code],
      );
      if (found.rows.length === 0) throw unknownProfile(code);
      if (found.rows[0]!.is_default) throw defaultNotDeleted(code);
      await client.query(
        "DELETE FROM integration_profiles WHERE institution = $1 AND type = $2 AND code = $3",
        [institution, type, code],
      );
    });
  }

  async integrationProfiles(institution: string): Promise<StoredIntegrationProfile[]> {
    const { rows } = await this.pool.query<IntegrationProfileRow>(
      `SELECT ${PROFILE_COLUMNS} FROM integration_profiles WHERE institution = $1
       ORDER BY type, is_default DESC, code`,
      [institution],
    );
    return rows.map(toIntegrationProfile);
  }

  async *recordsOf(zone: string): AsyncIterable<StoredRecord> {
    let after = "";
    for (;;) {
      const { rows } = await this.pool.query<RecordRow>(
        `SELECT ${RECORD_COLUMNS} FROM records WHERE zone = $1 AND mms_id > $2
         ORDER BY mms_id LIMIT ${PAGE_SIZE}`,
        [zone, after],
      );
      for (const row of rows) yield toStoredRecord(row);
      if (rows.length < PAGE_SIZE) return;
      after = rows[rows.length - 1]!.mms_id;
    }
  }

  async compact(): Promise<void> {
    // The tables bulk writes change (unqualified: the catalog's schema, by its search_path).
    await this.pool.query("ANALYZE records, match_keys, job_records, record_versions");
  }

  throttleStore(scope: string, maxKeys: number): ThrottleStore {
    return postgresThrottleStore(this.pool, scope, maxKeys);
  }

  async close(): Promise<void> {
    await this.claims.close();
    await this.pool.end();
  }
}
