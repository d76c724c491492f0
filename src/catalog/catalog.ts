/**
 * The catalog repository: one interface, two engines (SQLite by default, PostgreSQL to scale).
 *
 * Every record lives in one zone — an institution zone (IZ) or a network zone (NZ) — and has an
 * Alma-style MMS ID: `99`, a sequence, and the zone's 4-digit suffix. Every save writes a new
 * version (the record as it now is, who, when, from which job, with which action), so any earlier
 * state can be read, compared and restored; a restore is a new save. Match keys are extracted on
 * save by the one extractor (`src/marc/match-keys.ts`). Every incoming record of an
 * import job is kept, raw bytes and all, whatever became of it.
 *
 * Methods are async because PostgreSQL is; each write method is one transaction.
 */
import type { PublishStore } from "./publishing.js";
import type { MatchKey, MatchKeyKind } from "../marc/match-keys.js";
import type { Field, MarcRecord, RecordKind } from "../marc/record.js";
import type { AccountStore } from "./accounts.js";
import type { JobState } from "./job-state.js";
import type { HitOrder } from "./search-compile.js";
import type { SearchNode, SearchSort } from "./search-query.js";

/** The cataloguing formats a record may be stored in (the profile's target format). */
export const RECORD_FORMATS = ["MARC21", "UNIMARC", "KORMARC", "CNMARC"] as const;
export type RecordFormat = (typeof RECORD_FORMATS)[number];

/** Alma's management tag "Synchronize with external catalog", in the seed's words. */
export const MANAGEMENT_TAGS = [
  "Publish bibliographic records",
  "Publish holdings only",
  "Don't publish",
] as const;
export type ManagementTag = (typeof MANAGEMENT_TAGS)[number];

export type ZoneKind = "institution" | "network";

/** A zone: an institution (IZ) or a network zone (NZ) shared by member institutions. */
export interface Zone {
  /** Alma-style code, e.g. `01ABC_INST` or `01ABC_NETWORK`. */
  readonly code: string;
  readonly name: string;
  readonly kind: ZoneKind;
  /** The four digits every MMS ID of this zone ends with. */
  readonly suffix: string;
  /** For an institution: the network zone it belongs to, if any. */
  readonly network?: string;
}

/** Who holds a record for editing, and since when. */
export interface RecordLock {
  readonly by: string;
  readonly since: Date;
}

/** A record as the catalog holds it now. */
export interface StoredRecord {
  readonly mmsId: string;
  /** Code of the zone the record belongs to. */
  readonly zone: string;
  readonly marc: MarcRecord;
  readonly format: RecordFormat;
  /** Brief level `01`–`10` (10 is the fullest). */
  readonly briefLevel: string;
  /** The `005` of the last import: the originating system's version. */
  readonly originatingVersion?: string;
  /** Linked to the Community Zone (Alma skips such records on Connexion import). */
  readonly czLinked: boolean;
  readonly lock?: RecordLock;
  readonly managementTag: ManagementTag;
  readonly suppressed: boolean;
  readonly created: Date;
  readonly updated: Date;
  /** 1 on creation, +1 on every save. */
  readonly version: number;
}

/** What a save says about itself: kept with the version. */
export interface SaveContext {
  /** A user name, `connexion:<logon>`, `load`, … */
  readonly savedBy: string;
  /** What was done: `create`, `merge`, `overlay`, `restore`, `load`, … */
  readonly action: string;
  readonly jobId?: number;
}

/** One saved state of a record. Version 1 is the record as created. */
export interface RecordVersion {
  readonly mmsId: string;
  readonly version: number;
  readonly marc: MarcRecord;
  readonly briefLevel: string;
  /**
   * The management tag and originating-system version this state had. Versions saved before
   * catalog migration 3 did not keep them: `managementTag` is then absent (and
   * `originatingVersion` unknown).
   */
  readonly managementTag?: ManagementTag;
  readonly originatingVersion?: string;
  readonly savedBy: string;
  readonly savedAt: Date;
  readonly action: string;
  readonly jobId?: number;
}

/** The record-level settings a save may set (all but the MARC keep their value when absent). */
export interface RecordAttributes {
  readonly format?: RecordFormat;
  readonly briefLevel?: string;
  /** `null` clears it (a restore of a state that had none). */
  readonly originatingVersion?: string | null;
  readonly czLinked?: boolean;
  readonly managementTag?: ManagementTag;
  readonly suppressed?: boolean;
}

/** A new record in a zone. */
export interface RecordCreate extends RecordAttributes {
  readonly kind: "create";
  readonly zone: string;
  readonly marc: MarcRecord;
  /**
   * `mms-id`: the stored record's 001 is its new MMS ID (the first 001 is replaced, or one is put
   * first), as Alma does on save; match keys and search text come from the record as stored.
   * @default absent: the MARC is stored as given (what `marcgate load` relies on)
   */
  readonly controlNumber?: "mms-id";
}

/**
 * A new state of an existing record. `expectedVersion` guards against lost updates: when the
 * record has moved on, the commit fails with `version-conflict` and writes nothing.
 */
export interface RecordUpdate extends RecordAttributes {
  readonly kind: "update";
  readonly mmsId: string;
  readonly expectedVersion: number;
  readonly marc: MarcRecord;
}

/** Outcomes of one incoming record of an import job. */
export const JOB_OUTCOMES = [
  "created",
  "merged",
  "overlaid",
  "unchanged",
  "skipped",
  "review",
  "rejected",
  "loaded",
] as const;
export type JobOutcome = (typeof JOB_OUTCOMES)[number];

/** The job row of one incoming record. */
export interface JobEntry {
  readonly jobId: number;
  /** The bytes exactly as received. */
  readonly raw: Uint8Array;
  readonly outcome: JobOutcome;
  /**
   * Why, as a word a program counts (the import layer's `REASON_CODES`: `no-match`,
   * `several-matches`, `validation`, `forced` …); the job report counts by it.
   */
  readonly reasonCode?: string;
  readonly messages: readonly string[];
  /** The decision log (any JSON). */
  readonly log: unknown;
  /**
   * A forced import of a held record: the held row's ID. The commit then also marks that row
   * `forced` (by the save context's `savedBy`, now, linked to this row), in the same
   * transaction; a held row that is not open any more is `not-in-review` and nothing is written.
   */
  readonly forcedFrom?: number;
}

/** Where a job row held for review stands. */
export const REVIEW_STATES = ["open", "forced", "discarded"] as const;
export type ReviewState = (typeof REVIEW_STATES)[number];

/** The review of a job row held for review (outcome `review`). */
export interface JobRecordReview {
  readonly state: ReviewState;
  /** Who forced or discarded it, and when (absent while open). */
  readonly by?: string;
  readonly at?: Date;
  /** Why it was discarded (or forced), as staff wrote it. */
  readonly note?: string;
  /** When forced: the job row of the forced import (its MMS ID is the record saved). */
  readonly forcedEntry?: number;
}

/**
 * An institution's local fields of a network-zone record (Alma's "local extensions": `9XX` and
 * the other local fields): kept apart from the shared record, seen only by that institution.
 * Every save keeps the earlier states; version 1 is the first save.
 */
export interface LocalFields {
  readonly mmsId: string;
  /** The member institution whose fields these are. */
  readonly institution: string;
  readonly fields: readonly Field[];
  readonly version: number;
  readonly savedBy: string;
  readonly savedAt: Date;
  readonly action: string;
  readonly jobId?: number;
}

/** A new state of an institution's local fields of a network-zone record. */
export interface LocalFieldsChange {
  /** A member institution of the record's network zone. */
  readonly institution: string;
  /** The fields, all of them (an empty list clears them). */
  readonly fields: readonly Field[];
  /** The record; absent: the record the commit's change creates or updates. */
  readonly mmsId?: string;
  /**
   * The version the change was decided on (0: the institution had none); when they have moved
   * on, the commit fails with `version-conflict` and writes nothing.
   * @default absent: not checked
   */
  readonly expectedVersion?: number;
}

/**
 * One commit: the record change (if any) and the job row, in one transaction. The job row's
 * MMS ID is the record's.
 */
export interface CommitRequest {
  readonly change?: RecordCreate | RecordUpdate;
  /** An institution's local fields of a network-zone record, saved with the change. */
  readonly localFields?: LocalFieldsChange;
  readonly entry?: JobEntry;
  readonly context: SaveContext;
}

/**
 * A commit request staged ahead ({@link Catalog.stageAhead}): committed in the request's place by
 * `commit` or `commitMany` of the catalog that staged it, and only there. It holds nothing of the
 * request (no record, no log objects): the staging catalog keeps the staged form.
 */
export class StagedRequest {
  readonly kind = "staged";
}

/** What `commit` and `commitMany` take: a request, or one staged ahead by the same catalog. */
export type CommitInput = CommitRequest | StagedRequest;

/** The request itself, for a catalog that stages nothing ahead (so never issued a staged one). */
export function unstaged(request: CommitInput): CommitRequest {
  if (request instanceof StagedRequest) {
    throw new Error("a request staged ahead by another catalog cannot be committed here");
  }
  return request;
}

export interface CommitResult {
  readonly mmsId?: string;
  readonly version?: number;
  readonly entryId?: number;
}

/**
 * An integration profile as stored: the catalog keeps the settings as JSON and does not interpret
 * them (the import layer parses and checks them).
 */
export interface StoredIntegrationProfile {
  /** An institution zone code. */
  readonly institution: string;
  /** The integration type, e.g. `OCLC Connexion`. */
  readonly type: string;
  /** The profile's code: one profile per institution, type and code (migration 17). */
  readonly code: string;
  /**
   * The institution's default profile of its type: the first one set, and the one each
   * institution had before migration 17 (a Connexion logon ID without `/CODE` reaches it).
   */
  readonly isDefault: boolean;
  /** A JSON object: the import layer's settings (a password only as a hash). */
  readonly settings: unknown;
  /** When the profile was last set. */
  readonly updated: Date;
}

/** An import job: a Connexion session, a file load, … */
export interface ImportJob {
  readonly id: number;
  readonly institution: string;
  /** What started it: `connexion`, `load`, `cli`, … */
  readonly source: string;
  readonly description: string;
  /**
   * The code of the OCLC Connexion profile the job's records went through; absent: the
   * institution's default profile (and every job started before migration 17).
   */
  readonly profile?: string;
  readonly started: Date;
  readonly finished?: Date;
  /** Why the job ended before its work was done (it is finished then too); see `job-state.ts`. */
  readonly failure?: string;
  /** Count of entries per outcome. */
  readonly counts: Readonly<Partial<Record<JobOutcome, number>>>;
}

export interface JobRecord extends JobEntry {
  readonly id: number;
  readonly mmsId?: string;
  readonly received: Date;
  /** Only for rows held for review. */
  readonly review?: JobRecordReview;
  /** When the change this row's commit made was reverted by `undoJob`. */
  readonly undone?: { readonly by: string; readonly at: Date };
}

/** Which of a job's rows {@link Catalog.jobRecords} returns. */
export interface JobRecordsOptions {
  /** Only the rows of this outcome. @default every outcome */
  readonly outcome?: JobOutcome;
  /** Rows skipped first (in arrival order). @default 0 */
  readonly offset?: number;
  /** Most rows returned. @default no limit */
  readonly limit?: number;
}

/**
 * What an import job did, counted (`Catalog.jobReport`). A record that arrived counts once, by
 * its first outcome; forced imports of held records are counted apart (`forced`), so
 * `received` = the sum of the outcome counts.
 */
export interface JobReport {
  readonly job: ImportJob;
  /** Records that arrived (forced imports not counted again). */
  readonly received: number;
  /** Created (`new` in the report). */
  readonly created: number;
  readonly merged: number;
  readonly overlaid: number;
  readonly unchanged: number;
  /** Bulk-loaded. */
  readonly loaded: number;
  /** Skipped, by reason code (`cz-linked`, `lower-brief-level`, `older-version`, …). */
  readonly skipped: Readonly<Record<string, number>>;
  /**
   * Held for review, by reason code (`several-matches`, `locked`, `validation` for an error the
   * validation exception profile found …).
   */
  readonly heldForReview: Readonly<Record<string, number>>;
  /** Failed (outcome `rejected`: unreadable, profile, failed …), by reason code. */
  readonly failed: Readonly<Record<string, number>>;
  /** The held rows (validation included) by review state. */
  readonly review: Readonly<Record<ReviewState, number>>;
  /** Forced imports of held records, by the outcome they had. */
  readonly forced: Readonly<Partial<Record<JobOutcome, number>>>;
  /** Rows whose change `undoJob` reverted. */
  readonly undone: number;
}

/** What {@link Catalog.undoJob} did with one record the job saved. */
export type UndoOutcome =
  | {
      readonly mmsId: string;
      /** Saved again as it was before the job (a new version, action `undo`). */
      readonly reverted: "restored";
      /** The version brought back, and the new version that holds it (absent: the job changed only local fields). */
      readonly toVersion?: number;
      readonly version?: number;
      /**
       * A network-zone record: the job institution's local fields saved again as they were
       * (`toVersion` 0: it had none, they are cleared), as local-fields version `version`.
       */
      readonly localFields?: {
        readonly institution: string;
        readonly toVersion: number;
        readonly version: number;
      };
    }
  | {
      readonly mmsId: string;
      /** The job created it: deleted, its versions kept (restorable). */
      readonly reverted: "deleted";
      /** Its last version (`restore` brings it back). */
      readonly lastVersion: number;
    }
  | {
      readonly mmsId: string;
      readonly reverted: false;
      /** Why not: it changed since the job saved it (by whom, when, how), or is locked. */
      readonly reason: string;
    };

export interface UndoReport {
  readonly jobId: number;
  /** One entry per record the job saved and that was not undone before, in MMS ID order. */
  readonly records: readonly UndoOutcome[];
  /** Records of this job undone by an earlier `undoJob`. */
  readonly alreadyUndone: number;
}

/** A record deleted (by an undo or a cataloger): its versions stay, `restore` brings it back. */
export interface RecordDeletion {
  readonly mmsId: string;
  readonly zone: string;
  /** The version it had when deleted. */
  readonly version: number;
  readonly deletedBy: string;
  readonly deletedAt: Date;
  /** `undo`, or `delete` (a cataloger's). */
  readonly action: string;
  readonly jobId?: number;
}

/** Where a search looks. `keyword` looks everywhere. */
export const SEARCH_INDEXES = [
  "keyword",
  "title",
  "author",
  "subject",
  "isbn",
  "issn",
  "oclc",
  "mmsId",
] as const;
export type SearchIndex = (typeof SEARCH_INDEXES)[number];

export interface SearchQuery {
  /** Plain words (every one must match) in `index`; ignored when `query` is given. */
  readonly text?: string;
  /** @default "keyword" */
  readonly index?: SearchIndex;
  /** The search as a tree (CQL's, `src/search/`); else `text` in `index`. */
  readonly query?: SearchNode;
  /**
   * @default relevance (exact title first, then by rank). Ranked and sorted orders hold for up
   * to RANKED_HITS hits; broader searches are listed newest first (`SearchResult.order`).
   */
  readonly sort?: SearchSort;
  /**
   * Count every hit. By default the count stops past COUNTED_HITS (10,000) and the result says
   * `capped` ("more than 10,000"): counting a third of the catalog costs more than it tells.
   * @default false
   */
  readonly exactCount?: boolean;
  /** Leave suppressed records out (what SRU and Z39.50 serve). @default false */
  readonly excludeSuppressed?: boolean;
  /** Zone codes to search; an institution sees its own zone and its network zone. */
  readonly zones: readonly string[];
  /** @default 0 */
  readonly offset?: number;
  /** @default 20 */
  readonly limit?: number;
}

export interface SearchHit {
  readonly mmsId: string;
  readonly zone: string;
  readonly title: string;
  readonly author: string;
  readonly date: string;
  readonly briefLevel: string;
  readonly score: number;
}

export interface SearchResult {
  /** The number of hits; with `capped`, at least this many (more than COUNTED_HITS). */
  readonly total: number;
  readonly hits: readonly SearchHit[];
  /** The count stopped: there are more than COUNTED_HITS hits. */
  readonly capped?: boolean;
  /** How the hits are ordered (absent when there are none). */
  readonly order?: HitOrder;
}

/** What scan browses: the titles (245) or main authors (1XX) as the hit lists show them. */
export const SCAN_INDEXES = ["title", "author"] as const;
export type ScanIndex = (typeof SCAN_INDEXES)[number];

export interface ScanRequest {
  readonly index: ScanIndex;
  readonly from: string;
  readonly zones: readonly string[];
  /** @default 20 (at most 100) */
  readonly count?: number;
}

/** A heading and the number of records that have it. */
export interface ScanTerm {
  readonly term: string;
  readonly count: number;
}

/** Why a catalog operation was refused. Data errors are values; `throw` is for bugs and I/O. */
export type CatalogErrorCode =
  | "unknown-zone"
  | "duplicate-zone"
  | "unknown-record"
  | "unknown-version"
  | "unknown-job"
  | "version-conflict"
  | "locked"
  | "claim-timeout"
  | "not-in-review"
  | "unknown-user"
  | "duplicate-user"
  | "unknown-profile"
  | "invalid";

export class CatalogError extends Error {
  constructor(
    readonly code: CatalogErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "CatalogError";
  }
}

/**
 * Records a bulk command (`marcgate load`, `marcgate import`) writes before it ends with
 * `Catalog.compact`: below it, compacting a large catalog's index would cost more than it saves.
 */
export const COMPACT_AFTER_RECORDS = 10_000;

/** The catalog repository. SQLite and PostgreSQL implement it and pass one shared test suite. */
export interface Catalog extends AccountStore {
  /** `sqlite` or `postgres`, for messages. */
  readonly engine: string;

  /** The publishing log, its items and its consumers (migration 13; `src/publish/`). */
  readonly publishing: PublishStore;

  /**
   * Claims held in the database, so that decisions made by several processes on one catalog
   * are serialized as one process serializes its own (PostgreSQL; docs/scale-out.md). Absent
   * where one process owns the catalog (SQLite).
   */
  readonly claims?: ClaimLocks;

  /**
   * Failed-logon counts every process on the catalog shares (PostgreSQL), for one throttle
   * (`scope`), at most `maxKeys` of them; absent where one process owns the catalog (SQLite:
   * the throttle counts in memory).
   */
  throttleStore?(scope: string, maxKeys: number): ThrottleStore;

  addNetworkZone(zone: { code: string; name: string }): Promise<Zone>;
  addInstitution(zone: { code: string; name: string; network?: string }): Promise<Zone>;
  zone(code: string): Promise<Zone | undefined>;
  zones(): Promise<Zone[]>;

  /** Writes the record change and the job row in one transaction; durable when it returns. */
  commit(request: CommitInput): Promise<CommitResult>;
  /**
   * Several commits in one transaction (group commit: one sync to disk serves them all), each as
   * {@link Catalog.commit} would make it, in order. Results are in request order. When any
   * request fails (`version-conflict`, `locked`, `unknown-job`, …) nothing is written and its
   * error is thrown; the caller may then commit them one by one.
   */
  commitMany(requests: readonly CommitInput[]): Promise<CommitResult[]>;
  /**
   * Optional: does now the part of committing `request` that writes nothing — the record encoded
   * as stored, its match keys and search text, the job row's log as text, a create's MMS ID — so
   * that it runs while earlier commits are still being written. Returns what to commit in the
   * request's place (`undefined`: this catalog stages nothing now; commit the request): it holds
   * nothing of the request, so the caller can let the request's record go while it waits for the
   * batch. A failed `commitMany` leaves its staged requests to be committed again (one by one); a
   * request staged and never committed only costs a skipped MMS ID.
   */
  stageAhead?(request: CommitRequest): Promise<StagedRequest | undefined>;
  /** Many creates in few transactions (bulk load); each record gets a new MMS ID. */
  createMany(creates: readonly RecordCreate[], context: SaveContext): Promise<{ mmsIds: string[] }>;

  record(mmsId: string): Promise<StoredRecord | undefined>;
  /** All versions, oldest first. */
  versions(mmsId: string): Promise<RecordVersion[]>;
  version(mmsId: string, version: number): Promise<RecordVersion | undefined>;
  /**
   * Saves an earlier version's MARC, brief level, management tag and originating version as a
   * new version (history is never rewritten). A record deleted by an undo comes back with its
   * MMS ID, as the version after its last one.
   */
  restore(mmsId: string, version: number, context: SaveContext): Promise<CommitResult>;
  /** When the record was deleted (by an undo or a delete), what it was; else `undefined`. */
  deletion(mmsId: string): Promise<RecordDeletion | undefined>;
  /**
   * Deletes a record (a cataloger's delete, outside an import), in one transaction: its state
   * is kept as its last version, `deletion` tells who deleted it, when and why (the context's
   * action), and `restore` brings it back with its MMS ID. The publishing log records the delete
   * (the `records` triggers). `unknown-record`, `version-conflict` when it moved on from
   * `expectedVersion`, `locked` when someone else holds its lock.
   */
  deleteRecord(
    mmsId: string,
    expectedVersion: number,
    context: SaveContext,
  ): Promise<RecordDeletion>;

  /** An institution's local fields of a network-zone record, as they are now (if it has any). */
  localFields(mmsId: string, institution: string): Promise<LocalFields | undefined>;
  /** Every saved state of an institution's local fields of a record, oldest first. */
  localFieldVersions(mmsId: string, institution: string): Promise<LocalFields[]>;

  /** Takes the lock unless someone else holds it (then `locked`). */
  lock(mmsId: string, by: string): Promise<RecordLock>;
  unlock(mmsId: string, by: string): Promise<void>;

  /**
   * MMS IDs in the zones whose key of this kind has this (normalized) value, among records of
   * one kind (bibliographic unless `recordKind` says authority: the two never match).
   */
  findByKey(
    kind: MatchKeyKind,
    value: string,
    zones: readonly string[],
    recordKind?: RecordKind,
  ): Promise<string[]>;
  /** The match keys stored for a record (in no particular order). */
  keysOf(mmsId: string): Promise<MatchKey[]>;

  /**
   * Full-text or identifier search, ranked (title matches first) and paged with the total. A
   * search with more than 20,000 hits is listed newest first instead (engines may do so).
   */
  search(query: SearchQuery): Promise<SearchResult>;

  /**
   * Browses the headings of the zones' records in alphabetical order (case folded), from the
   * first one at or after `from`: the display title or the main author (SRU and Z39.50 scan).
   */
  scan(request: ScanRequest): Promise<ScanTerm[]>;

  /**
   * Starts an import job. With `shared`, an unfinished job of the institution with the same source
   * and description is returned instead of a new one, whichever process asks first (the day's
   * Connexion job: one a day for every node, however many there are).
   */
  startJob(job: NewImportJob): Promise<ImportJob>;
  /**
   * Finishes a job; with `failure`, as failed for that reason (a missing file, a read error, an
   * interruption). A job finished already keeps its first finish time and state.
   */
  finishJob(jobId: number, failure?: string): Promise<ImportJob>;
  /** How many jobs are open, finished and failed, over every institution (metrics). */
  jobStates(): Promise<Readonly<Record<JobState, number>>>;
  job(jobId: number): Promise<ImportJob | undefined>;
  jobs(institution: string, options?: { limit?: number }): Promise<ImportJob[]>;
  /**
   * A job's rows in the order they arrived: all of them, or a page (`offset`, `limit`), of one
   * outcome or all. `ImportJob.counts` gives the number of rows of each outcome.
   */
  jobRecords(jobId: number, options?: JobRecordsOptions): Promise<JobRecord[]>;
  /** One job row by its ID. */
  jobRecord(entryId: number): Promise<JobRecord | undefined>;
  /**
   * The job rows that saved into a record, newest first (at most `limit`, default 20): the
   * import decisions behind its versions, for the record view.
   */
  jobRecordsOf(mmsId: string, options?: { limit?: number }): Promise<JobRecord[]>;
  /** The job's counts: received, new, merged, … by reason (see {@link JobReport}). */
  jobReport(jobId: number): Promise<JobReport | undefined>;

  /**
   * The review queue: the institution's job rows held for review and still open (several
   * matches, locked, validation errors), oldest first.
   */
  reviewQueue(institution: string, options?: { limit?: number }): Promise<JobRecord[]>;
  /**
   * Discards a held row: it leaves the queue, marked `discarded` by `by`, now, with the note.
   * `not-in-review` when it is not open (forced or discarded already, or never held).
   */
  discardReview(entryId: number, by: string, note?: string): Promise<JobRecord>;

  /**
   * Reverts every change the job made, one transaction per record: a record the job merged or
   * overlaid is saved again as it was before the job's first save of it (a new version, action
   * `undo`), a record it created is deleted (versions kept, `restore` brings it back). A record
   * saved since by anyone or anything else, or locked by someone else, is left alone and
   * reported with why. `unknown-job` for an unknown job.
   */
  undoJob(jobId: number, by: string): Promise<UndoReport>;

  /**
   * Creates or replaces the institution's profile of that type and code (settings: a JSON object,
   * else `invalid`); the institution's first profile of a type is its default, and a replaced
   * profile stays what it was. `unknown-zone` for an unknown institution or a network zone.
   */
  setIntegrationProfile(profile: {
    institution: string;
    type: string;
    code: string;
    settings: unknown;
  }): Promise<StoredIntegrationProfile>;
  /** The institution's profile of that type and code (no code: its default), if it has one. */
  integrationProfile(
    institution: string,
    type: string,
    code?: string,
  ): Promise<StoredIntegrationProfile | undefined>;
  /** The institution's profiles, by type, each type's default first, then by code. */
  integrationProfiles(institution: string): Promise<StoredIntegrationProfile[]>;
  /**
   * Makes the profile of that code its institution's default of its type (the one before is no
   * longer). `unknown-profile` when there is none.
   */
  setDefaultIntegrationProfile(institution: string, type: string, code: string): Promise<void>;
  /**
   * Deletes the profile of that code. The default cannot be deleted (`invalid`: make another
   * the default first); `unknown-profile` when there is none.
   */
  deleteIntegrationProfile(institution: string, type: string, code: string): Promise<void>;

  /** Every record of a zone, in MMS ID order, a page at a time (for export). */
  recordsOf(zone: string): AsyncIterable<StoredRecord>;

  /**
   * Tidies the indexes after a bulk write (`marcgate load`, a large `marcgate import`): SQLite
   * merges its full-text index into one segment (FTS5 `optimize`), PostgreSQL updates its planner
   * statistics (`ANALYZE`). On SQLite, a fragmented full-text index made each later update of a
   * record cost 2–3× as much (every segment takes a tombstone for the record's old text).
   */
  compact(): Promise<void>;

  close(): Promise<void>;
}

/**
 * Claims across processes: a decision claims what it depends on (its incoming record's match
 * keys, `oclc:…`, `isbn:…`) before it reads the catalog and holds them until its commit is
 * durable; a decision of another process that claims one of them waits, then decides on the
 * catalog as that commit left it.
 */
export interface ClaimLocks {
  /** A session for one zone's decisions, in order (the claims held are the session's). */
  session(zone: string): ClaimSession;
}

/** Claims held by one session. A session runs one statement at a time. */
export interface ClaimSession {
  /** Takes every claim at once if none is held elsewhere; else takes none (undefined). */
  tryHold(claims: readonly string[]): Promise<ClaimHold | undefined>;
  /**
   * Waits for the claims and takes them, in a fixed order (no deadlock between sessions that
   * wait holding nothing else). Throws `CatalogError` `claim-timeout` after the lock timeout.
   */
  hold(claims: readonly string[]): Promise<ClaimHold>;
  close(): Promise<void>;
}

/** Claims taken together; released once. */
export interface ClaimHold {
  release(): Promise<void>;
}

/** What {@link Catalog.startJob} starts (line breaks in the description become spaces). */
export interface NewImportJob {
  readonly institution: string;
  readonly source: string;
  readonly description: string;
  /** The OCLC Connexion profile's code (absent: the default profile). */
  readonly profile?: string;
  /** Join the open job of the same institution, source, description and profile, if any. */
  readonly shared?: boolean;
}

/** A memory of failed logons, in this process or shared by every node (the catalog's). */
export interface ThrottleStore {
  get(key: string): Promise<ThrottleState | undefined>;
  /**
   * Replaces the key's state by what `change` makes of it (undefined forgets the key), with no
   * other change of the key in between, even from another process.
   */
  update(key: string, change: ThrottleChange): Promise<ThrottleState | undefined>;
}

/** The failures of one key. */
export interface ThrottleState {
  times: number[];
  blockedUntil: number;
  /** Blocks since the key was last quiet for the window (or succeeded). */
  blocks: number;
  lastFailure: number;
}

/** A key's next state and until when it must be kept (ms since the epoch), or forget it. */
export type ThrottleChange = (
  current: ThrottleState | undefined,
) => { readonly state: ThrottleState; readonly until: number } | undefined;
