/**
 * The embedded catalog: SQLite through better-sqlite3 (v12), in WAL mode with full sync, so a
 * commit that returns survives a crash or power loss. Several processes may share the file: MMS
 * IDs come from a counter updated inside `BEGIN IMMEDIATE` transactions, which SQLite serializes.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { MatchKey, MatchKeyKind } from "../marc/match-keys.js";
import type { RecordKind } from "../marc/record.js";
import {
  CatalogError,
  StagedRequest,
  unstaged,
  type CommitInput,
  type Catalog,
  type CommitRequest,
  type CommitResult,
  type ImportJob,
  type NewImportJob,
  type JobRecord,
  type JobRecordsOptions,
  type JobReport,
  type LocalFields,
  type LocalFieldsChange,
  type RecordAttributes,
  type RecordCreate,
  type RecordDeletion,
  type RecordLock,
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
import { sqliteAccounts } from "./sqlite-accounts.js";
import { DelegatedAccounts } from "./accounts.js";
import { formatMmsId, formatZoneSuffix } from "./mms-id.js";
import {
  attributesOf,
  checkInstitution,
  defaultNotDeleted,
  unknownProfile,
  checkLocalFields,
  checkUpdate,
  currentVersion,
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
import {
  DEFAULT_ATTRIBUTES,
  checkCode,
  createdMarc,
  integrationProfileColumns,
  mergeAttributes,
  prepareRecord,
  stageCommit,
  type FullAttributes,
  type PreparedRecord,
  type StagedCommit,
  type StagedCreate,
} from "./prepare.js";
import type { SearchDocument } from "./search-text.js";
import { SQLITE_MIGRATIONS } from "./sqlite-schema.js";
import type { PublishStore } from "./publishing.js";
import { sqlitePublishing } from "./sqlite-publishing.js";
import { rebuildSearchText, scanSqlite, searchSqlite } from "./sqlite-search.js";
import { CHECKPOINT_INTERVAL_MS, packStagedCommit, SqliteWriterThread } from "./sqlite-writer.js";

/** Options of {@link openSqliteCatalog}. */
export interface SqliteCatalogOptions {
  /**
   * `FULL` makes every commit durable against power loss; `NORMAL` only against a crash of
   * marcgate (faster bulk loads).
   * @default "FULL"
   */
  readonly synchronous?: "FULL" | "NORMAL";
  /**
   * Run `commit` and `commitMany` on a connection of their own in a worker thread (see
   * `sqlite-writer.ts`): for `marcgate serve` and `marcgate import`, where deciding the next
   * records can go on while the last ones are written. Other writes stay on the main connection.
   * @default false
   */
  readonly writerThread?: boolean;
  /**
   * With a writer thread: the pause between two checkpoints of its checkpointer thread, in
   * milliseconds (`BULK_CHECKPOINT_INTERVAL_MS` for bulk imports).
   * @default CHECKPOINT_INTERVAL_MS (1 s)
   */
  readonly checkpointIntervalMs?: number;
  /**
   * Whether this connection checkpoints the write-ahead log itself once it passes 1,000 pages
   * (SQLite's default). The writer thread turns it off: its checkpointer thread does it.
   * @default true
   */
  readonly autoCheckpoint?: boolean;
}

function openConnection(dir: string, options: SqliteCatalogOptions): SqliteCatalog {
  mkdirSync(dir, { recursive: true });
  const db = new Database(join(dir, SQLITE_FILE));
  db.pragma("journal_mode = WAL");
  db.pragma(`synchronous = ${options.synchronous ?? "FULL"}`);
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 15000");
  if (options.autoCheckpoint === false) db.pragma("wal_autocheckpoint = 0");
  // A log that starts again is cut back to 64 MB on disk (else the file keeps its largest size).
  db.pragma(`journal_size_limit = ${LOG_SIZE_LIMIT_BYTES}`);
  // 64 MB of page cache: index pages of a million-record catalog stay in memory during loads.
  // Not when a writer thread commits: SQLite drops a connection's cache whenever another one
  // has written, and freeing 64 MB after every commit cost more than it saved.
  if (!options.writerThread) db.pragma("cache_size = -65536");
  migrate(db);
  rebuildSearchText(db);
  const writer = options.writerThread
    ? new SqliteWriterThread({
        dir,
        synchronous: options.synchronous ?? "FULL",
        checkpointIntervalMs: options.checkpointIntervalMs ?? CHECKPOINT_INTERVAL_MS,
      })
    : undefined;
  return new SqliteCatalog(db, writer);
}

/** The catalog's file in its data directory. */
export const SQLITE_FILE = "marcgate.sqlite";

/** Opens (creating if needed) the catalog in `dir/marcgate.sqlite` and brings its schema up to date. */
export function openSqliteCatalog(
  dir: string,
  options: SqliteCatalogOptions = {},
): Promise<Catalog> {
  return Promise.resolve(openConnection(dir, options));
}

/** What the writer thread does on its own connection (see `sqlite-writer.ts`). */
export interface SqliteWriterConnection {
  /** Writes staged commits in one transaction. */
  commitStagedMany(requests: readonly StagedCommit[]): CommitResult[];
  /** Takes `count` MMS sequence numbers in a transaction of their own; returns the first. */
  reserveMmsSequences(count: number): number;
  /**
   * Copies what is left of the write-ahead log into the database (a RESTART checkpoint), so the
   * next commit writes the log from its start. Readers still in the log are waited for 20 ms at
   * most; then the log goes on as it is. Returns whether it was restarted.
   */
  restartLog(): boolean;
  close(): Promise<void>;
}

/** The size the write-ahead log file is cut back to when the log starts again. */
export const LOG_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

/** The writer thread's connection: commits only, no checkpoints of its own. */
export function openSqliteWriterConnection(
  dir: string,
  synchronous: "FULL" | "NORMAL",
): SqliteWriterConnection {
  return openConnection(dir, { synchronous, autoCheckpoint: false });
}

function migrate(db: Database.Database): void {
  db.exec(
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied TEXT NOT NULL)",
  );
  const applied = new Set(
    (db.prepare("SELECT version FROM schema_migrations").all() as { version: number }[]).map(
      (r) => r.version,
    ),
  );
  for (const migration of SQLITE_MIGRATIONS) {
    if (applied.has(migration.version)) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.prepare("INSERT INTO schema_migrations (version, applied) VALUES (?, ?)").run(
        migration.version,
        new Date().toISOString(),
      );
    }).immediate();
  }
}

interface RecordRow {
  id: number;
  mms_id: string;
  zone: string;
  marc: Buffer;
  format: string;
  brief_level: string;
  originating_version: string | null;
  cz_linked: number;
  lock_by: string | null;
  lock_since: string | null;
  management_tag: string;
  suppressed: number;
  created: string;
  updated: string;
  version: number;
  saved_by: string;
  action: string;
  job_id: number | null;
}

interface VersionRow {
  mms_id: string;
  version: number;
  marc: Buffer;
  brief_level: string;
  originating_version: string | null;
  management_tag: string | null;
  saved_by: string;
  saved_at: string;
  action: string;
  job_id: number | null;
}

type DeletedRow = DeletedRowBase & { record_id: number };

interface JobRow {
  id: number;
  institution: string;
  source: string;
  description: string;
  profile: string | null;
  started: string;
  finished: string | null;
}

interface JobRecordRow extends JobRecordRowBase {
  messages: string;
  log: string;
}

function jobRecordOf(row: JobRecordRow): JobRecord {
  return toJobRecord(row, JSON.parse(row.messages) as string[], JSON.parse(row.log) as unknown);
}

/** The account methods come from `DelegatedAccounts` (the store is in ./sqlite-accounts.ts). */
class SqliteCatalog extends DelegatedAccounts implements Catalog, SqliteWriterConnection {
  readonly engine = "sqlite";
  private readonly statements;
  private readonly findByKeyStatements = new Map<number, Database.Statement>();
  /** Zone rows by code, as read (see `zoneRow`). */
  private readonly zoneRows = new Map<string, ZoneRow>();
  /** The profile rows last read, by institution and type (see `profileSync`). */
  private readonly profileRows = new Map<
    string,
    { row: IntegrationProfileRow; profile: StoredIntegrationProfile }
  >();
  /** Import jobs commits have found. */
  private readonly knownJobs = new Set<number>();
  /** The staged form of each request `stageAhead` staged, packed, until it is committed. */
  private readonly stagedAhead = new WeakMap<StagedRequest, Buffer>();
  /** Full-text rows inserted or deleted in the write transaction under way (its merge share). */
  private searchRowsWritten = 0;
  readonly publishing: PublishStore;

  constructor(
    private readonly db: Database.Database,
    /** Where commits run, when not on this connection. */
    private readonly writer?: SqliteWriterThread,
  ) {
    super(sqliteAccounts(db));
    this.publishing = sqlitePublishing(db);
    const p = (sql: string): Database.Statement => db.prepare(sql);
    this.statements = {
      zone: p("SELECT * FROM zones WHERE code = ?"),
      zones: p("SELECT * FROM zones ORDER BY code"),
      insertZone: p(
        "INSERT INTO zones (code, name, kind, suffix, network, created) VALUES (?, ?, ?, ?, ?, ?)",
      ),
      next: p("UPDATE counters SET value = value + ? WHERE name = ? RETURNING value"),
      record: p("SELECT * FROM records WHERE mms_id = ?"),
      insertRecord:
        p(`INSERT INTO records (mms_id, zone, marc, format, brief_level, originating_version, cz_linked,
        management_tag, suppressed, created, updated, version, saved_by, action, job_id, title, author, date)
        VALUES (@mms_id, @zone, @marc, @format, @brief_level, @originating_version, @cz_linked, @management_tag,
        @suppressed, @now, @now, 1, @saved_by, @action, @job_id, @title, @author, @date)`),
      updateRecord:
        p(`UPDATE records SET marc = @marc, format = @format, brief_level = @brief_level,
        originating_version = @originating_version, cz_linked = @cz_linked, management_tag = @management_tag,
        suppressed = @suppressed, updated = @now, version = version + 1, saved_by = @saved_by, action = @action,
        job_id = @job_id, title = @title, author = @author, date = @date WHERE mms_id = @mms_id`),
      insertVersion:
        p(`INSERT INTO record_versions (mms_id, version, marc, brief_level, saved_by, saved_at, action, job_id,
        originating_version, management_tag) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      versions: p("SELECT * FROM record_versions WHERE mms_id = ? ORDER BY version"),
      version: p("SELECT * FROM record_versions WHERE mms_id = ? AND version = ?"),
      deleteKeys: p("DELETE FROM match_keys WHERE record_id = ?"),
      insertKey: p("INSERT INTO match_keys (kind, value, zone, record_id) VALUES (?, ?, ?, ?)"),
      keysOfRecord: p("SELECT kind, value, zone FROM match_keys WHERE record_id = ?"),
      deleteKey: p(
        "DELETE FROM match_keys WHERE kind = ? AND value = ? AND zone = ? AND record_id = ?",
      ),
      keysOf: p(`SELECT k.kind, k.value FROM match_keys k JOIN records r ON r.id = k.record_id
        WHERE r.mms_id = ? ORDER BY k.kind, k.value`),
      deleteSearch: p("DELETE FROM records_fts WHERE rowid = ?"),
      mergeSearch: p("INSERT INTO records_fts (records_fts, rank) VALUES ('merge', ?)"),
      insertSearch: p(
        "INSERT INTO records_fts (rowid, title, author, subject, keyword, zone) VALUES (?, ?, ?, ?, ?, ?)",
      ),
      lock: p(
        `UPDATE records SET lock_by = ?, lock_since = ? WHERE mms_id = ? AND (lock_by IS NULL OR lock_by = ?)`,
      ),
      unlock: p(
        "UPDATE records SET lock_by = NULL, lock_since = NULL WHERE mms_id = ? AND lock_by = ?",
      ),
      job: p("SELECT * FROM import_jobs WHERE id = ?"),
      jobCounts: p(
        "SELECT outcome, count(*) AS n FROM job_records WHERE job_id = ? GROUP BY outcome",
      ),
      insertJob: p(
        "INSERT INTO import_jobs (institution, source, description, profile, started) VALUES (?, ?, ?, ?, ?) RETURNING id",
      ),
      finishJob: p(
        `UPDATE import_jobs SET description = CASE WHEN finished IS NULL THEN description || ? ELSE description END,
         finished = coalesce(finished, ?) WHERE id = ?`,
      ),
      jobStates: p(`SELECT coalesce(sum(finished IS NULL), 0) AS open,
        coalesce(sum(finished IS NOT NULL AND instr(description, char(10)) = 0), 0) AS finished,
        coalesce(sum(instr(description, char(10)) > 0), 0) AS failed FROM import_jobs`),
      openJob: p(
        "SELECT id FROM import_jobs WHERE institution = ? AND source = ? AND description = ? AND profile IS ? AND finished IS NULL ORDER BY id LIMIT 1",
      ),
      jobs: p("SELECT * FROM import_jobs WHERE institution = ? ORDER BY id DESC LIMIT ?"),
      insertEntry:
        p(`INSERT INTO job_records (job_id, raw, outcome, mms_id, messages, log, received, reason_code,
        review_state, forced_from) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      jobRecords: p("SELECT * FROM job_records WHERE job_id = ? ORDER BY id LIMIT ? OFFSET ?"),
      jobRecordsOfOutcome: p(
        "SELECT * FROM job_records WHERE job_id = ? AND outcome = ? ORDER BY id LIMIT ? OFFSET ?",
      ),
      jobRecord: p("SELECT * FROM job_records WHERE id = ?"),
      jobRecordsOf: p("SELECT * FROM job_records WHERE mms_id = ? ORDER BY id DESC LIMIT ?"),
      markForced:
        p(`UPDATE job_records SET review_state = 'forced', reviewed_by = ?, reviewed_at = ?,
        forced_entry = ? WHERE id = ? AND review_state = 'open'`),
      discard:
        p(`UPDATE job_records SET review_state = 'discarded', reviewed_by = ?, reviewed_at = ?,
        review_note = ? WHERE id = ? AND review_state = 'open'`),
      reviewQueue: p(`SELECT r.* FROM job_records r JOIN import_jobs j ON j.id = r.job_id
        WHERE r.review_state = 'open' AND j.institution = ? ORDER BY r.id LIMIT ?`),
      jobCountRows: p(`SELECT outcome, reason_code AS reasonCode, review_state AS reviewState,
        forced_from IS NOT NULL AS forced, undone_at IS NOT NULL AS undone, count(*) AS n
        FROM job_records WHERE job_id = ? GROUP BY 1, 2, 3, 4, 5`),
      jobMmsIds: p(`SELECT DISTINCT mms_id FROM job_records
        WHERE job_id = ? AND mms_id IS NOT NULL AND undone_at IS NULL ORDER BY mms_id`),
      undoneCount: p(`SELECT count(DISTINCT mms_id) AS n FROM job_records
        WHERE job_id = ? AND undone_at IS NOT NULL`),
      markUndone: p(`UPDATE job_records SET undone_by = ?, undone_at = ?
        WHERE job_id = ? AND mms_id = ? AND undone_at IS NULL`),
      deleted: p("SELECT * FROM deleted_records WHERE mms_id = ?"),
      insertDeleted:
        p(`INSERT INTO deleted_records (mms_id, record_id, zone, format, originating_version,
        cz_linked, management_tag, suppressed, created, version, deleted_by, deleted_at, action, job_id)
        VALUES (@mms_id, @id, @zone, @format, @originating_version, @cz_linked, @management_tag,
        @suppressed, @created, @version, @deleted_by, @deleted_at, @action, @job_id)`),
      forgetDeleted: p("DELETE FROM deleted_records WHERE mms_id = ?"),
      deleteRecord: p("DELETE FROM records WHERE id = ?"),
      insertRestored:
        p(`INSERT INTO records (id, mms_id, zone, marc, format, brief_level, originating_version, cz_linked,
        management_tag, suppressed, created, updated, version, saved_by, action, job_id, title, author, date)
        VALUES (@id, @mms_id, @zone, @marc, @format, @brief_level, @originating_version, @cz_linked,
        @management_tag, @suppressed, @created, @now, @version, @saved_by, @action, @job_id, @title,
        @author, @date)`),
      page: p("SELECT * FROM records WHERE zone = ? AND mms_id > ? ORDER BY mms_id LIMIT 500"),
      hit: p("SELECT mms_id, zone, title, author, date, brief_level FROM records WHERE id = ?"),
      zoneCount: p("SELECT count(*) AS n FROM zones"),
      // The first of its type is the default (writes are serialized: no two are first).
      setProfile: p(`INSERT INTO integration_profiles
        (institution, type, code, is_default, settings, updated)
        VALUES (@institution, @type, @code, NOT EXISTS (SELECT 1 FROM integration_profiles
          WHERE institution = @institution AND type = @type), @settings, @updated)
        ON CONFLICT (institution, type, code) DO UPDATE SET
        settings = excluded.settings, updated = excluded.updated`),
      profile: p(
        "SELECT * FROM integration_profiles WHERE institution = ? AND type = ? AND code = ?",
      ),
      defaultProfile: p(
        "SELECT * FROM integration_profiles WHERE institution = ? AND type = ? AND is_default = 1",
      ),
      profiles: p(`SELECT * FROM integration_profiles WHERE institution = ?
        ORDER BY type, is_default DESC, code`),
      clearDefaultProfile: p(
        "UPDATE integration_profiles SET is_default = 0 WHERE institution = ? AND type = ?",
      ),
      setDefaultProfile: p(`UPDATE integration_profiles SET is_default = 1
        WHERE institution = ? AND type = ? AND code = ?`),
      deleteProfile: p(`DELETE FROM integration_profiles
        WHERE institution = ? AND type = ? AND code = ? AND is_default = 0`),
      recordZone: p("SELECT zone FROM records WHERE mms_id = ?"),
      localFields: p(`SELECT * FROM local_fields WHERE mms_id = ? AND institution = ?
        ORDER BY version DESC LIMIT 1`),
      localFieldVersions: p(
        "SELECT * FROM local_fields WHERE mms_id = ? AND institution = ? ORDER BY version",
      ),
      insertLocalFields:
        p(`INSERT INTO local_fields (mms_id, institution, version, fields, saved_by, saved_at, action, job_id)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
    };
  }

  /**
   * A zone's row, kept once read: a zone is never changed or removed (exports and commits look
   * their zone up every time). A zone not found is not kept: another process may add it.
   */
  private zoneRow(code: string): ZoneRow | undefined {
    let zone = this.zoneRows.get(code);
    if (zone === undefined) {
      zone = this.statements.zone.get(code) as ZoneRow | undefined;
      if (zone) this.zoneRows.set(code, zone);
    }
    return zone;
  }

  /** Takes `count` numbers from a counter (inside the caller's transaction); returns the first. */
  private nextValue(counter: "mms" | "zone", count = 1): number {
    return (this.statements.next.get(count, counter) as { value: number }).value - count + 1;
  }

  private addZone(
    kind: "institution" | "network",
    code: string,
    name: string,
    network?: string,
  ): Zone {
    checkCode(code, kind === "network" ? "network zone code" : "institution code");
    return this.db
      .transaction((): Zone => {
        if (this.zoneRow(code))
          throw new CatalogError("duplicate-zone", `zone ${code} exists already`);
        if (network !== undefined) {
          const nz = this.zoneRow(network);
          if (!nz || nz.kind !== "network")
            throw new CatalogError("unknown-zone", `no network zone ${network}`);
        }
        const suffix = formatZoneSuffix(this.nextValue("zone"));
        this.statements.insertZone.run(
          code,
          name,
          kind,
          suffix,
          network ?? null,
          new Date().toISOString(),
        );
        // Read past the kept rows: this transaction may yet roll back.
        return toZone(this.statements.zone.get(code) as ZoneRow);
      })
      .immediate();
  }

  addNetworkZone(zone: { code: string; name: string }): Promise<Zone> {
    return run(() => this.addZone("network", zone.code, zone.name));
  }

  addInstitution(zone: { code: string; name: string; network?: string }): Promise<Zone> {
    return run(() => this.addZone("institution", zone.code, zone.name, zone.network));
  }

  zone(code: string): Promise<Zone | undefined> {
    return run(() => {
      const row = this.zoneRow(code);
      return row ? toZone(row) : undefined;
    });
  }

  zones(): Promise<Zone[]> {
    return run(() => (this.statements.zones.all() as ZoneRow[]).map(toZone));
  }

  /** Writes a record row's keys and search text. */
  private index(id: number, zone: ZoneRow, prepared: PreparedRecord): void {
    const s = this.statements;
    for (const key of prepared.keys) s.insertKey.run(key.kind, key.value, zone.code, id);
    this.insertSearch(id, zone, prepared.search);
  }

  private insertSearch(id: number, zone: ZoneRow, doc: SearchDocument): void {
    this.searchRowsWritten++;
    this.statements.insertSearch.run(
      id,
      doc.title,
      doc.author,
      doc.subject,
      doc.keyword,
      zoneToken(zone),
    );
  }

  /**
   * A saved record row's keys and search text replaced by its new state's. Only the keys that
   * changed are deleted and inserted: a merge seldom changes a record's identifiers, and deleting
   * and inserting the same rows would still write their index pages (scattered, as the keys are)
   * to the write-ahead log. The search text is always written anew.
   */
  private reindex(id: number, zone: ZoneRow, prepared: PreparedRecord): void {
    const s = this.statements;
    const keyOf = (kind: string, value: string, keyZone: string): string =>
      `${kind}\u0000${value}\u0000${keyZone}`;
    const wanted = new Set(prepared.keys.map((k) => keyOf(k.kind, k.value, zone.code)));
    const kept = new Set<string>();
    for (const old of s.keysOfRecord.all(id) as { kind: string; value: string; zone: string }[]) {
      const key = keyOf(old.kind, old.value, old.zone);
      if (wanted.has(key)) kept.add(key);
      else s.deleteKey.run(old.kind, old.value, old.zone, id);
    }
    for (const key of prepared.keys) {
      if (!kept.has(keyOf(key.kind, key.value, zone.code))) {
        s.insertKey.run(key.kind, key.value, zone.code, id);
      }
    }
    this.deleteSearch(id);
    this.insertSearch(id, zone, prepared.search);
  }

  /** Removes a record row's keys and search text (before it is indexed anew). */
  private unindex(id: number): void {
    this.statements.deleteKeys.run(id);
    this.deleteSearch(id);
  }

  private deleteSearch(id: number): void {
    this.searchRowsWritten++;
    this.statements.deleteSearch.run(id);
  }

  /**
   * Runs `body` as one write transaction that ends with its share of the full-text index's
   * merging (see {@link SEARCH_MERGE_PAGES}).
   */
  private writeTransaction<T>(body: () => T): T {
    this.searchRowsWritten = 0;
    return this.db
      .transaction(() => {
        const result = body();
        if (this.searchRowsWritten > 0) {
          const rows = this.searchRowsWritten;
          this.searchRowsWritten = 0;
          this.statements.mergeSearch.run(
            SEARCH_MERGE_PAGES.perTransaction + SEARCH_MERGE_PAGES.perRow * rows,
          );
        }
        return result;
      })
      .immediate();
  }

  /** Copies a record row's current state into its versions (before a save or a delete). */
  private keepVersion(row: RecordRow): void {
    this.statements.insertVersion.run(
      row.mms_id,
      row.version,
      row.marc,
      row.brief_level,
      row.saved_by,
      row.updated,
      row.action,
      row.job_id,
      row.originating_version,
      row.management_tag,
    );
  }

  private createOne(
    change: RecordCreate,
    context: SaveContext,
    now: string,
    sequence: number,
  ): { mmsId: string } {
    const zone = this.zoneRow(change.zone);
    if (!zone) throw new CatalogError("unknown-zone", `no zone ${change.zone}`);
    const mmsId = formatMmsId(sequence, zone.suffix);
    this.insertCreated(
      zone,
      mmsId,
      change,
      prepareRecord(createdMarc(change, mmsId), change.format),
      context,
      now,
    );
    return { mmsId };
  }

  /** Writes a new record row and indexes it. */
  private insertCreated(
    zone: ZoneRow,
    mmsId: string,
    attributes: RecordAttributes,
    prepared: PreparedRecord,
    context: SaveContext,
    now: string,
  ): void {
    const a = mergeAttributes(DEFAULT_ATTRIBUTES, attributes);
    const info = this.statements.insertRecord.run({
      mms_id: mmsId,
      zone: zone.code,
      ...savedColumns(prepared, a, context, now),
    });
    this.index(Number(info.lastInsertRowid), zone, prepared);
  }

  /**
   * Stages a commit request on this connection: a create takes the given MMS sequence number, or
   * the next one (inside the caller's transaction).
   */
  private stage(request: CommitRequest, sequence?: number): StagedCommit {
    const change = request.change;
    if (change?.kind !== "create") return stageCommit(request);
    return stageCommit(request, this.createdMmsId(change.zone, sequence ?? this.nextValue("mms")));
  }

  /** The MMS ID of a new record in a zone. */
  private createdMmsId(zoneCode: string, sequence: number): string {
    const zone = this.zoneRow(zoneCode);
    if (!zone) throw new CatalogError("unknown-zone", `no zone ${zoneCode}`);
    return formatMmsId(sequence, zone.suffix);
  }

  /** The zone a staged create names, and its MMS ID's sequence number's suffix checked. */
  private createdZone(change: StagedCreate): ZoneRow {
    const zone = this.zoneRow(change.zone);
    if (!zone) throw new CatalogError("unknown-zone", `no zone ${change.zone}`);
    if (!change.mmsId.endsWith(zone.suffix)) {
      throw new CatalogError(
        "invalid",
        `MMS ID ${change.mmsId} does not end with zone ${zone.code}'s suffix ${zone.suffix}`,
      );
    }
    return zone;
  }

  /** One commit inside the caller's transaction; a create takes the next MMS sequence number. */
  private commitSync(request: CommitRequest): CommitResult {
    return this.commitStaged(this.stage(request));
  }

  /** One staged commit inside the caller's transaction. */
  private commitStaged(request: StagedCommit): CommitResult {
    const { change, entry, context } = request;
    const now = new Date().toISOString();
    // A job is never removed: one seen by a commit stays (jobs start in transactions of their own).
    if (entry && !this.knownJobs.has(entry.jobId)) {
      if (!this.statements.job.get(entry.jobId)) {
        throw new CatalogError("unknown-job", `no import job ${entry.jobId}`);
      }
      this.knownJobs.add(entry.jobId);
    }
    let mmsId: string | undefined;
    let version: number | undefined;
    if (change?.kind === "create") {
      this.insertCreated(
        this.createdZone(change),
        change.mmsId,
        change,
        change.prepared,
        context,
        now,
      );
      mmsId = change.mmsId;
      version = 1;
    } else if (change?.kind === "update") {
      const row = checkUpdate(
        this.statements.record.get(change.mmsId) as RecordRow | undefined,
        change,
        context,
      );
      const a = mergeAttributes(attributesOf(row), change);
      this.keepVersion(row);
      this.statements.updateRecord.run({
        mms_id: row.mms_id,
        ...savedColumns(change.prepared, a, context, now),
      });
      this.reindex(row.id, this.zoneRow(row.zone)!, change.prepared);
      mmsId = row.mms_id;
      version = row.version + 1;
    }
    if (request.localFields) {
      mmsId = this.saveLocalFields(request.localFields, mmsId, context, now);
    }
    let entryId: number | undefined;
    if (entry) {
      const held = entry.forcedFrom;
      if (held !== undefined) {
        const heldRow = this.statements.jobRecord.get(held) as JobRecordRow | undefined;
        if (heldRow?.review_state !== "open") throw notInReview(held, heldRow);
      }
      // Not `RETURNING id`: SQLite gathers returned rows in a table of their own, which cost
      // ~40 µs per row here, four times the insert itself; the row ID is the same.
      const { raw } = entry;
      const inserted = this.statements.insertEntry.run(
        entry.jobId,
        Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength),
        entry.outcome,
        mmsId ?? null,
        entry.messagesJson,
        entry.logJson,
        now,
        entry.reasonCode ?? null,
        initialReviewState(entry.outcome),
        held ?? null,
      );
      entryId = Number(inserted.lastInsertRowid);
      if (held !== undefined) this.statements.markForced.run(context.savedBy, now, entryId, held);
    }
    return {
      ...(mmsId !== undefined ? { mmsId } : {}),
      ...(version !== undefined ? { version } : {}),
      ...(entryId !== undefined ? { entryId } : {}),
    };
  }

  /** Saves an institution's local fields of a record (inside the caller's transaction). */
  private saveLocalFields(
    change: LocalFieldsChange,
    changed: string | undefined,
    context: SaveContext,
    now: string,
  ): string {
    const mmsId = change.mmsId ?? changed;
    if (mmsId === undefined)
      throw new CatalogError("invalid", "local fields need a record: give its MMS ID");
    const record = this.statements.recordZone.get(mmsId) as { zone: string } | undefined;
    const current = this.statements.localFields.get(mmsId, change.institution) as
      LocalFieldsRow | undefined;
    const version = checkLocalFields(
      mmsId,
      record && this.zoneRow(record.zone),
      this.zoneRow(change.institution),
      current?.version ?? 0,
      change,
    );
    this.statements.insertLocalFields.run(
      mmsId,
      change.institution,
      version,
      JSON.stringify(change.fields),
      context.savedBy,
      now,
      context.action,
      context.jobId ?? null,
    );
    return mmsId;
  }

  localFields(mmsId: string, institution: string): Promise<LocalFields | undefined> {
    return run(() => {
      const row = this.statements.localFields.get(mmsId, institution) as LocalFieldsRow | undefined;
      return row ? toLocalFields(row) : undefined;
    });
  }

  localFieldVersions(mmsId: string, institution: string): Promise<LocalFields[]> {
    return run(() =>
      (this.statements.localFieldVersions.all(mmsId, institution) as LocalFieldsRow[]).map(
        toLocalFields,
      ),
    );
  }

  commit(request: CommitInput): Promise<CommitResult> {
    if (this.writer) return this.commitMany([request]).then((results) => results[0]!);
    return run(() => this.writeTransaction(() => this.commitSync(unstaged(request))));
  }

  commitMany(inputs: readonly CommitInput[]): Promise<CommitResult[]> {
    if (inputs.length === 0) return Promise.resolve([]);
    if (this.writer) return this.commitOnWriter(this.writer, inputs);
    return run(() => {
      const requests = inputs.map(unstaged);
      return this.writeTransaction(() => {
        // One block of sequence numbers for the batch's creates, in the batch's order.
        const creates = requests.filter((r) => r.change?.kind === "create").length;
        let next = creates > 0 ? this.nextValue("mms", creates) : 0;
        return requests.map((r) =>
          this.commitStaged(this.stage(r, r.change?.kind === "create" ? next++ : undefined)),
        );
      });
    });
  }

  /**
   * Stages the requests here — MMS IDs from the writer's reserved blocks, the records encoded,
   * keyed and indexed as text on this thread — unless staged ahead, and has the writer thread
   * write them. A request staged ahead is taken out of the staged ones while its batch is
   * written, so it cannot be written twice; when the batch fails, it is put back for the caller
   * to commit again.
   */
  private async commitOnWriter(
    writer: SqliteWriterThread,
    requests: readonly CommitInput[],
  ): Promise<CommitResult[]> {
    const ahead = this.stagedAhead;
    const creates = requests.filter(
      (r) => !(r instanceof StagedRequest) && r.change?.kind === "create",
    ).length;
    const sequences = creates > 0 ? await writer.takeMmsSequences(creates) : [];
    if (requests.some((r) => r instanceof StagedRequest && !ahead.has(r))) {
      throw new Error("a request staged ahead is committed once, by its catalog");
    }
    let next = 0;
    const taken: [StagedRequest, Buffer][] = [];
    try {
      const packed = requests.map((r) => {
        if (!(r instanceof StagedRequest)) {
          return packStagedCommit(
            this.stage(r, r.change?.kind === "create" ? sequences[next++] : undefined),
          );
        }
        const early = ahead.get(r)!;
        ahead.delete(r);
        taken.push([r, early]);
        return early;
      });
      return await writer.commitMany(packed);
    } catch (error) {
      for (const [r, early] of taken) ahead.set(r, early);
      throw error;
    }
  }

  /**
   * With a writer thread, stages the request now (its MMS ID from the reserved blocks), so the
   * importer stages each record as it decides it, while the writer writes the last batch.
   * Without one, staging stays inside the commit's transaction, as it must for its sequence.
   */
  async stageAhead(request: CommitRequest): Promise<StagedRequest | undefined> {
    const writer = this.writer;
    if (!writer) return undefined;
    const sequence =
      request.change?.kind === "create" ? (await writer.takeMmsSequences(1))[0] : undefined;
    const staged = new StagedRequest();
    this.stagedAhead.set(staged, packStagedCommit(this.stage(request, sequence)));
    return staged;
  }

  commitStagedMany(requests: readonly StagedCommit[]): CommitResult[] {
    return this.writeTransaction(() => requests.map((r) => this.commitStaged(r)));
  }

  reserveMmsSequences(count: number): number {
    return this.db.transaction(() => this.nextValue("mms", count)).immediate();
  }

  restartLog(): boolean {
    this.db.pragma("busy_timeout = 20");
    try {
      const [result] = this.db.pragma("wal_checkpoint(RESTART)") as { busy: number }[];
      return result?.busy === 0;
    } finally {
      this.db.pragma("busy_timeout = 15000");
    }
  }

  createMany(
    creates: readonly RecordCreate[],
    context: SaveContext,
  ): Promise<{ mmsIds: string[] }> {
    return run(() =>
      this.writeTransaction(() => {
        const now = new Date().toISOString();
        // One block of sequence numbers for the batch, in the batch's order.
        const first = creates.length > 0 ? this.nextValue("mms", creates.length) : 0;
        return {
          mmsIds: creates.map((c, i) => this.createOne(c, context, now, first + i).mmsId),
        };
      }),
    );
  }

  record(mmsId: string): Promise<StoredRecord | undefined> {
    return run(() => {
      const row = this.statements.record.get(mmsId) as RecordRow | undefined;
      return row ? toStoredRecord(row) : undefined;
    });
  }

  /** A record's versions, oldest first; a deleted record's are all in record_versions. */
  private versionsSync(mmsId: string): RecordVersion[] {
    const row = this.statements.record.get(mmsId) as RecordRow | undefined;
    const earlier = (this.statements.versions.all(mmsId) as VersionRow[]).map(toVersion);
    return row ? [...earlier, currentVersion(row)] : earlier;
  }

  versions(mmsId: string): Promise<RecordVersion[]> {
    return run(() => this.db.transaction(() => this.versionsSync(mmsId))());
  }

  version(mmsId: string, version: number): Promise<RecordVersion | undefined> {
    return run(() =>
      this.db.transaction(() => {
        const row = this.statements.record.get(mmsId) as RecordRow | undefined;
        if (row?.version === version) return currentVersion(row);
        const old = this.statements.version.get(mmsId, version) as VersionRow | undefined;
        return old ? toVersion(old) : undefined;
      })(),
    );
  }

  restore(mmsId: string, version: number, context: SaveContext): Promise<CommitResult> {
    return run(() =>
      this.writeTransaction(() => {
        const row = this.statements.record.get(mmsId) as RecordRow | undefined;
        const deleted = row
          ? undefined
          : (this.statements.deleted.get(mmsId) as DeletedRow | undefined);
        if (!row && !deleted) throw new CatalogError("unknown-record", `no record ${mmsId}`);
        const target =
          row?.version === version
            ? currentVersion(row)
            : (this.statements.version.get(mmsId, version) as VersionRow | undefined);
        if (!target)
          throw new CatalogError("unknown-version", `record ${mmsId} has no version ${version}`);
        const old = "savedBy" in target ? target : toVersion(target);
        if (deleted) return this.undelete(deleted, old, context);
        return this.commitSync({
          change: {
            kind: "update",
            mmsId,
            expectedVersion: row!.version,
            marc: old.marc,
            ...restoredAttributes(old),
          },
          context,
        });
      }),
    );
  }

  /** Brings a deleted record back with its MMS ID, as `old`, the version after its last one. */
  private undelete(deleted: DeletedRow, old: RecordVersion, context: SaveContext): CommitResult {
    const zone = this.zoneRow(deleted.zone)!;
    const a = mergeAttributes(deletedAttributes(deleted), restoredAttributes(old));
    const prepared = prepareRecord(old.marc, a.format);
    const version = deleted.version + 1;
    this.statements.insertRestored.run({
      id: deleted.record_id,
      mms_id: deleted.mms_id,
      zone: zone.code,
      created: deleted.created,
      version,
      ...savedColumns(prepared, a, context, new Date().toISOString()),
    });
    this.index(deleted.record_id, zone, prepared);
    this.statements.forgetDeleted.run(deleted.mms_id);
    return { mmsId: deleted.mms_id, version };
  }

  deletion(mmsId: string): Promise<RecordDeletion | undefined> {
    return run(() => {
      const row = this.statements.deleted.get(mmsId) as DeletedRow | undefined;
      return row ? toDeletion(row) : undefined;
    });
  }

  undoJob(jobId: number, by: string): Promise<UndoReport> {
    return run(() => {
      const job = this.statements.job.get(jobId) as JobRow | undefined;
      if (!job) throw new CatalogError("unknown-job", `no import job ${jobId}`);
      const mmsIds = (this.statements.jobMmsIds.all(jobId) as { mms_id: string }[]).map(
        (r) => r.mms_id,
      );
      const records: UndoOutcome[] = [];
      for (const mmsId of mmsIds) {
        // One transaction per record: a record changed since stops only itself.
        const outcome = this.writeTransaction(() =>
          this.undoRecord(jobId, job.institution, mmsId, by),
        );
        if (outcome) records.push(outcome);
      }
      const { n } = this.statements.undoneCount.get(jobId) as { n: number };
      const done = records.filter((r) => r.reverted !== false).length;
      return { jobId, records, alreadyUndone: n - done };
    });
  }

  /** Undoes the job's saves of one record and its local fields (in the caller's transaction). */
  private undoRecord(
    jobId: number,
    institution: string,
    mmsId: string,
    by: string,
  ): UndoOutcome | undefined {
    const row = this.statements.record.get(mmsId) as RecordRow | undefined;
    const versions = this.versionsSync(mmsId);
    if (!row) {
      const deleted = this.statements.deleted.get(mmsId) as DeletedRow | undefined;
      if (!deleted || !versions.some((v) => v.jobId === jobId)) return undefined;
      return deletedSince(toDeletion(deleted));
    }
    const lock = row.lock_by !== null ? { by: row.lock_by } : undefined;
    const localVersions = (
      this.statements.localFieldVersions.all(mmsId, institution) as LocalFieldsRow[]
    ).map(toLocalFields);
    const plans = combinePlans(
      planUndo(jobId, versions, lock, by),
      planUndo(jobId, localVersions, lock, by),
    );
    if ("refuse" in plans) return { mmsId, reverted: false, reason: plans.refuse };
    const { record, local } = plans;
    const now = new Date().toISOString();
    const markUndone = (): void => {
      this.statements.markUndone.run(by, now, jobId, mmsId);
    };
    if (record.kind === "delete") {
      this.removeRecord(row, { savedBy: by, action: UNDO_ACTION, jobId }, now);
      markUndone();
      return { mmsId, reverted: "deleted", lastVersion: row.version };
    }
    const localFields = undoLocalFields(local, institution, mmsId);
    const context = { savedBy: by, action: UNDO_ACTION, jobId };
    const result =
      record.kind === "restore"
        ? this.commitSync({
            ...undoCommit(mmsId, row.version, record.to, by, jobId),
            ...(localFields ? { localFields } : {}),
          })
        : localFields
          ? this.commitSync({ localFields, context })
          : undefined;
    if (record.kind !== "none" || local.kind !== "none") markUndone();
    const localVersion = localFields
      ? (this.statements.localFields.get(mmsId, institution) as LocalFieldsRow).version
      : undefined;
    return undoneOutcome(mmsId, record, result?.version, local, localVersion, institution);
  }

  /**
   * Deletes a record row in the caller's transaction: its last state kept as a version, a
   * tombstone (who, when, how) for `deletion` and `restore`, its keys and search text gone.
   */
  private removeRecord(row: RecordRow, context: SaveContext, at: string): void {
    this.keepVersion(row);
    this.statements.insertDeleted.run({
      ...row,
      deleted_by: context.savedBy,
      deleted_at: at,
      action: context.action,
      job_id: context.jobId ?? null,
    });
    this.unindex(row.id);
    this.statements.deleteRecord.run(row.id);
  }

  deleteRecord(
    mmsId: string,
    expectedVersion: number,
    context: SaveContext,
  ): Promise<RecordDeletion> {
    return run(() =>
      this.writeTransaction(() => {
        const row = checkUpdate(
          this.statements.record.get(mmsId) as RecordRow | undefined,
          { mmsId, expectedVersion },
          context,
        );
        this.removeRecord(row, context, new Date().toISOString());
        return toDeletion(this.statements.deleted.get(mmsId) as DeletedRow);
      }),
    );
  }

  lock(mmsId: string, by: string): Promise<RecordLock> {
    return run(() => {
      const since = new Date();
      const changed = this.statements.lock.run(by, since.toISOString(), mmsId, by).changes;
      if (changed === 0) {
        const row = this.statements.record.get(mmsId) as RecordRow | undefined;
        if (!row) throw new CatalogError("unknown-record", `no record ${mmsId}`);
        throw new CatalogError(
          "locked",
          `record ${mmsId} is locked by ${row.lock_by} since ${row.lock_since}`,
        );
      }
      return { by, since };
    });
  }

  unlock(mmsId: string, by: string): Promise<void> {
    return run(() => {
      if (this.statements.unlock.run(mmsId, by).changes > 0) return;
      const row = this.statements.record.get(mmsId) as RecordRow | undefined;
      if (!row) throw new CatalogError("unknown-record", `no record ${mmsId}`);
      if (row.lock_by !== null)
        throw new CatalogError("locked", `record ${mmsId} is locked by ${row.lock_by}, not ${by}`);
    });
  }

  findByKey(
    kind: MatchKeyKind,
    value: string,
    zones: readonly string[],
    recordKind: RecordKind = "bib",
  ): Promise<string[]> {
    return run(() => {
      if (zones.length === 0) return [];
      const statement = this.findByKeyStatement(zones.length);
      const rows = statement.all(kind, value, recordKind, ...zones) as {
        mms_id: string;
      }[];
      return rows.map((r) => r.mms_id);
    });
  }

  /** The find-by-key query for `zones` zones, prepared once per count (an IZ, or an IZ and its NZ). */
  private findByKeyStatement(zones: number): Database.Statement {
    let statement = this.findByKeyStatements.get(zones);
    if (!statement) {
      statement = this.db.prepare(
        `SELECT DISTINCT r.mms_id FROM match_keys k JOIN records r ON r.id = k.record_id
         WHERE k.kind = ? AND k.value = ? AND r.record_kind = ? AND k.zone IN (${Array(zones).fill("?").join(",")}) ORDER BY r.mms_id`,
      );
      this.findByKeyStatements.set(zones, statement);
    }
    return statement;
  }

  keysOf(mmsId: string): Promise<MatchKey[]> {
    return run(() => this.statements.keysOf.all(mmsId) as MatchKey[]);
  }

  search(query: SearchQuery): Promise<SearchResult> {
    return run(() => this.searchSync(query));
  }

  scan(request: ScanRequest): Promise<ScanTerm[]> {
    return run(() => scanSqlite(this.db, request));
  }

  private searchSync(query: SearchQuery): SearchResult {
    const known: ZoneRow[] = [];
    for (const code of query.zones) {
      const zone = this.zoneRow(code);
      if (zone) known.push(zone);
    }
    if (known.length === 0) return { total: 0, hits: [] };
    // When the query covers every zone there is, no zone filter is needed at all.
    const everyZone = known.length >= (this.statements.zoneCount.get() as { n: number }).n;
    return searchSqlite(this.db, query, everyZone ? undefined : known.map(zoneToken));
  }

  startJob(job: NewImportJob): Promise<ImportJob> {
    return run(() => {
      if (!this.zoneRow(job.institution))
        throw new CatalogError("unknown-zone", `no zone ${job.institution}`);
      if (job.shared) {
        const open = this.statements.openJob.get(
          job.institution,
          job.source,
          jobDescription(job.description),
          job.profile ?? null,
        ) as { id: number } | undefined;
        if (open) return this.jobSync(open.id)!;
      }
      const { id } = this.statements.insertJob.get(
        job.institution,
        job.source,
        jobDescription(job.description),
        job.profile ?? null,
        new Date().toISOString(),
      ) as {
        id: number;
      };
      return this.jobSync(id)!;
    });
  }

  private jobSync(id: number): ImportJob | undefined {
    const row = this.statements.job.get(id) as JobRow | undefined;
    if (!row) return undefined;
    const counts: ImportJob["counts"] & Record<string, number> = {};
    for (const c of this.statements.jobCounts.all(id) as { outcome: string; n: number }[])
      counts[c.outcome] = c.n;
    return {
      id: row.id,
      institution: row.institution,
      source: row.source,
      ...splitDescription(row.description),
      ...(row.profile !== null ? { profile: row.profile } : {}),
      started: new Date(row.started),
      ...(row.finished ? { finished: new Date(row.finished) } : {}),
      counts,
    };
  }

  finishJob(jobId: number, failure?: string): Promise<ImportJob> {
    return run(() => {
      const suffix = failure !== undefined ? failureSuffix(failure) : "";
      if (this.statements.finishJob.run(suffix, new Date().toISOString(), jobId).changes === 0) {
        throw new CatalogError("unknown-job", `no import job ${jobId}`);
      }
      return this.jobSync(jobId)!;
    });
  }

  job(jobId: number): Promise<ImportJob | undefined> {
    return run(() => this.jobSync(jobId));
  }

  jobStates(): Promise<Record<JobState, number>> {
    return run(() => this.statements.jobStates.get() as Record<JobState, number>);
  }

  jobs(institution: string, options: { limit?: number } = {}): Promise<ImportJob[]> {
    return run(() =>
      (this.statements.jobs.all(institution, options.limit ?? 50) as JobRow[]).map((r) =>
        this.jobSync(r.id)!,
      ),
    );
  }

  jobRecords(jobId: number, options: JobRecordsOptions = {}): Promise<JobRecord[]> {
    // SQLite reads a negative LIMIT as none.
    const page = [options.limit ?? -1, options.offset ?? 0];
    return run(() =>
      (
        (options.outcome === undefined
          ? this.statements.jobRecords.all(jobId, ...page)
          : this.statements.jobRecordsOfOutcome.all(
              jobId,
              options.outcome,
              ...page,
            )) as JobRecordRow[]
      ).map(jobRecordOf),
    );
  }

  jobRecordsOf(mmsId: string, options: { limit?: number } = {}): Promise<JobRecord[]> {
    return run(() =>
      (this.statements.jobRecordsOf.all(mmsId, options.limit ?? 20) as JobRecordRow[]).map(
        jobRecordOf,
      ),
    );
  }

  private jobRecordSync(entryId: number): JobRecord | undefined {
    const row = this.statements.jobRecord.get(entryId) as JobRecordRow | undefined;
    return row ? jobRecordOf(row) : undefined;
  }

  jobRecord(entryId: number): Promise<JobRecord | undefined> {
    return run(() => this.jobRecordSync(entryId));
  }

  jobReport(jobId: number): Promise<JobReport | undefined> {
    return run(() =>
      this.db.transaction(() => {
        const job = this.jobSync(jobId);
        if (!job) return undefined;
        const rows = (
          this.statements.jobCountRows.all(jobId) as (Omit<JobCountRow, "forced" | "undone"> & {
            forced: number;
            undone: number;
          })[]
        ).map((r) => ({ ...r, forced: r.forced === 1, undone: r.undone === 1 }));
        return buildJobReport(job, rows);
      })(),
    );
  }

  reviewQueue(institution: string, options: { limit?: number } = {}): Promise<JobRecord[]> {
    return run(() =>
      (this.statements.reviewQueue.all(institution, options.limit ?? 1000) as JobRecordRow[]).map(
        jobRecordOf,
      ),
    );
  }

  discardReview(entryId: number, by: string, note?: string): Promise<JobRecord> {
    return run(() =>
      this.db
        .transaction(() => {
          const changed = this.statements.discard.run(
            by,
            new Date().toISOString(),
            note ?? null,
            entryId,
          ).changes;
          if (changed === 0)
            throw notInReview(
              entryId,
              this.statements.jobRecord.get(entryId) as JobRecordRow | undefined,
            );
          return this.jobRecordSync(entryId)!;
        })
        .immediate(),
    );
  }

  setIntegrationProfile(profile: {
    institution: string;
    type: string;
    code: string;
    settings: unknown;
  }): Promise<StoredIntegrationProfile> {
    return run(() => {
      const columns = integrationProfileColumns(profile);
      return this.db
        .transaction(() => {
          checkInstitution(this.zoneRow(profile.institution), profile.institution);
          this.statements.setProfile.run({
            institution: profile.institution,
            ...columns,
            updated: new Date().toISOString(),
          });
          return this.profileSync(profile.institution, profile.type, columns.code)!;
        })
        .immediate();
    });
  }

  private profileSync(
    institution: string,
    type: string,
    code: string | undefined,
  ): StoredIntegrationProfile | undefined {
    const row = (
      code === undefined
        ? this.statements.defaultProfile.get(institution, type)
        : this.statements.profile.get(institution, type, code)
    ) as IntegrationProfileRow | undefined;
    if (!row) return undefined;
    // Every Connexion export reads its profile: the same row gives the same frozen object, so
    // what is derived from its settings can be kept by them (see `loadConnexionProfile`).
    const key = `${institution}\0${type}\0${row.code}`;
    const last = this.profileRows.get(key);
    if (
      last?.row.settings === row.settings &&
      last.row.updated === row.updated &&
      last.row.is_default === row.is_default
    )
      return last.profile;
    const profile = toIntegrationProfile(row);
    deepFreeze(profile.settings);
    this.profileRows.set(key, { row, profile: Object.freeze(profile) });
    return profile;
  }

  integrationProfile(
    institution: string,
    type: string,
    code?: string,
  ): Promise<StoredIntegrationProfile | undefined> {
    return run(() => this.profileSync(institution, type, code));
  }

  setDefaultIntegrationProfile(institution: string, type: string, code: string): Promise<void> {
    return run(() =>
      this.db
        .transaction(() => {
          if (!this.statements.profile.get(institution, type, code)) throw unknownProfile(code);
          // Two statements: a unique index is checked row by row, not at the statement's end.
          this.statements.clearDefaultProfile.run(institution, type);
          this.statements.setDefaultProfile.run(institution, type, code);
        })
        .immediate(),
    );
  }

  deleteIntegrationProfile(institution: string, type: string, code: string): Promise<void> {
    return run(() =>
      this.db
        .transaction(() => {
          if (this.statements.deleteProfile.run(institution, type, code).changes > 0) return;
          if (!this.statements.profile.get(institution, type, code)) throw unknownProfile(code);
          throw defaultNotDeleted(code);
        })
        .immediate(),
    );
  }

  integrationProfiles(institution: string): Promise<StoredIntegrationProfile[]> {
    return run(() =>
      (this.statements.profiles.all(institution) as IntegrationProfileRow[]).map(
        toIntegrationProfile,
      ),
    );
  }

  async *recordsOf(zone: string): AsyncIterable<StoredRecord> {
    let after = "";
    for (;;) {
      const rows = this.statements.page.all(zone, after) as RecordRow[];
      for (const row of rows) yield toStoredRecord(row);
      if (rows.length < 500) return;
      after = rows[rows.length - 1]!.mms_id;
    }
  }

  compact(): Promise<void> {
    return run(() => {
      this.db
        .transaction(() => {
          this.db.prepare("INSERT INTO records_fts (records_fts) VALUES ('optimize')").run();
        })
        .immediate();
      this.db.pragma("optimize");
    });
  }

  async close(): Promise<void> {
    await this.writer?.close();
    this.db.close();
  }
}

/**
 * How many pages of FTS5 segment merging a write transaction does at its end: a base, and one
 * page per full-text row it inserted or deleted. FTS5's own automatic merging (off since
 * migration 8) did its work in lumps of 64 pages per index level — ~400 pages, 12–30 ms, landing
 * on whichever small commit crossed the threshold, with the exports waiting on it. Merging a
 * share in every transaction keeps pace with the text written (one page per row is about twice
 * what a commit of 8 merges needs) in steps of a few milliseconds; a level waits for 8 segments
 * (`usermerge`) before it is merged, as before.
 */
const SEARCH_MERGE_PAGES = { perTransaction: 16, perRow: 1 } as const;

/** The search token that stands for a zone in the full-text index: `z` + its suffix. */
function zoneToken(zone: ZoneRow): string {
  return `z${zone.suffix}`;
}

/** The columns a save writes, named as the insert and update statements bind them. */
function savedColumns(
  prepared: PreparedRecord,
  a: FullAttributes,
  context: SaveContext,
  now: string,
): Record<string, string | number | null | Buffer> {
  return {
    marc: prepared.bytes,
    ...attributeColumns(a),
    now,
    saved_by: context.savedBy,
    action: context.action,
    job_id: context.jobId ?? null,
    title: prepared.search.displayTitle,
    author: prepared.search.displayAuthor,
    date: prepared.search.date,
  };
}

function attributeColumns(a: FullAttributes): Record<string, string | number | null> {
  return {
    format: a.format,
    brief_level: a.briefLevel,
    originating_version: a.originatingVersion ?? null,
    cz_linked: a.czLinked ? 1 : 0,
    management_tag: a.managementTag,
    suppressed: a.suppressed ? 1 : 0,
  };
}

/** Runs synchronous work as a promise: errors (CatalogError included) become rejections. */
function run<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

/** Freezes a value parsed from JSON, all the way down. */
function deepFreeze(value: unknown): void {
  if (typeof value !== "object" || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child);
}
