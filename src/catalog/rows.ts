/**
 * Rows as both engines read them (the same column names; SQLite gives numbers and ISO strings
 * where PostgreSQL gives booleans, Dates and bigint strings) and the one mapping to the
 * interface's types.
 */
import type { Field } from "../marc/record.js";
import {
  CatalogError,
  type LocalFields,
  type LocalFieldsChange,
  type JobOutcome,
  type JobRecord,
  type ManagementTag,
  type RecordDeletion,
  type RecordUpdate,
  type ReviewState,
  type RecordVersion,
  type SaveContext,
  type StoredIntegrationProfile,
  type StoredRecord,
  type Zone,
} from "./catalog.js";
import type { AccessKey, User, UserRole } from "./accounts.js";
import { isJobOutcome, outcomeLabel } from "./outcome-words.js";
import type { FullAttributes } from "./prepare.js";
import { decodeStoredMarc } from "./stored-marc.js";

type Flag = boolean | number;
type Time = Date | string;
type Id = number | string;

export interface ZoneRow {
  code: string;
  name: string;
  kind: "institution" | "network";
  suffix: string;
  network: string | null;
}

export interface RecordRowBase {
  mms_id: string;
  zone: string;
  marc: Uint8Array;
  format: string;
  brief_level: string;
  originating_version: string | null;
  cz_linked: Flag;
  lock_by: string | null;
  lock_since: Time | null;
  management_tag: string;
  suppressed: Flag;
  created: Time;
  updated: Time;
  version: number;
  saved_by: string;
  action: string;
  job_id: Id | null;
}

export interface VersionRowBase {
  mms_id: string;
  version: number;
  marc: Uint8Array;
  brief_level: string;
  /** Kept since migration 3; `management_tag` null: a version saved before (both unknown). */
  originating_version: string | null;
  management_tag: string | null;
  saved_by: string;
  saved_at: Time;
  action: string;
  job_id: Id | null;
}

/** An integration profile row; both engines read the settings as JSON text. */
export interface IntegrationProfileRow {
  institution: string;
  type: string;
  code: string;
  /** SQLite: 0 or 1; PostgreSQL: a boolean. */
  is_default: number | boolean;
  settings: string;
  updated: Time;
}

function toDate(time: Time): Date {
  return time instanceof Date ? time : new Date(time);
}

export function toZone(row: ZoneRow): Zone {
  const zone = { code: row.code, name: row.name, kind: row.kind, suffix: row.suffix };
  return row.network ? { ...zone, network: row.network } : zone;
}

export function toIntegrationProfile(row: IntegrationProfileRow): StoredIntegrationProfile {
  return {
    institution: row.institution,
    type: row.type,
    code: row.code,
    isDefault: row.is_default === true || row.is_default === 1,
    settings: JSON.parse(row.settings) as unknown,
    updated: toDate(row.updated),
  };
}

/** No profile of that code: `unknown-profile`. */
export function unknownProfile(code: string): CatalogError {
  return new CatalogError("unknown-profile", `no integration profile ${code}`);
}

/** The default profile is not deleted: `invalid`. */
export function defaultNotDeleted(code: string): CatalogError {
  return new CatalogError(
    "invalid",
    `the profile ${code} is the default; make another profile the default before deleting it`,
  );
}

/** An institution's zone row; none, or a network zone, is `unknown-zone`. */
export function checkInstitution(row: ZoneRow | undefined, code: string): ZoneRow {
  if (!row) throw new CatalogError("unknown-zone", `no institution ${code}`);
  if (row.kind !== "institution")
    throw new CatalogError("unknown-zone", `${code} is a network zone, not an institution`);
  return row;
}

export function attributesOf(row: RecordRowBase): FullAttributes {
  return {
    format: row.format as FullAttributes["format"],
    briefLevel: row.brief_level,
    originatingVersion: row.originating_version ?? undefined,
    czLinked: Boolean(row.cz_linked),
    managementTag: row.management_tag as FullAttributes["managementTag"],
    suppressed: Boolean(row.suppressed),
  };
}

export function toStoredRecord(row: RecordRowBase): StoredRecord {
  const a = attributesOf(row);
  return {
    mmsId: row.mms_id,
    zone: row.zone,
    marc: decodeStoredMarc(row.marc),
    format: a.format,
    briefLevel: a.briefLevel,
    ...(a.originatingVersion !== undefined ? { originatingVersion: a.originatingVersion } : {}),
    czLinked: a.czLinked,
    ...(row.lock_by !== null && row.lock_since !== null
      ? { lock: { by: row.lock_by, since: toDate(row.lock_since) } }
      : {}),
    managementTag: a.managementTag,
    suppressed: a.suppressed,
    created: toDate(row.created),
    updated: toDate(row.updated),
    version: row.version,
  };
}

export function toVersion(row: VersionRowBase): RecordVersion {
  return {
    mmsId: row.mms_id,
    version: row.version,
    marc: decodeStoredMarc(row.marc),
    briefLevel: row.brief_level,
    ...(row.management_tag !== null ? { managementTag: row.management_tag as ManagementTag } : {}),
    ...(row.management_tag !== null && row.originating_version !== null
      ? { originatingVersion: row.originating_version }
      : {}),
    savedBy: row.saved_by,
    savedAt: toDate(row.saved_at),
    action: row.action,
    ...(row.job_id !== null ? { jobId: Number(row.job_id) } : {}),
  };
}

/** The current state of a record as its latest version. */
export function currentVersion(row: RecordRowBase): RecordVersion {
  return toVersion({ ...row, saved_at: row.updated });
}

/**
 * The checks before an update, the same on every engine: the record exists, is still at the
 * version the change was made from, and is not locked by someone else.
 */
export function checkUpdate<R extends RecordRowBase>(
  row: R | undefined,
  change: Pick<RecordUpdate, "mmsId" | "expectedVersion">,
  context: SaveContext,
): R {
  if (!row) throw new CatalogError("unknown-record", `no record ${change.mmsId}`);
  if (row.version !== change.expectedVersion) {
    throw new CatalogError(
      "version-conflict",
      `record ${change.mmsId} is at version ${row.version}, not ${change.expectedVersion}`,
    );
  }
  if (row.lock_by !== null && row.lock_by !== context.savedBy) {
    const since = row.lock_since === null ? "" : ` since ${toDate(row.lock_since).toISOString()}`;
    throw new CatalogError("locked", `record ${change.mmsId} is locked by ${row.lock_by}${since}`);
  }
  return row;
}

/** A job row as both engines read it (messages and log already parsed). */
export interface JobRecordRowBase {
  id: Id;
  job_id: Id;
  raw: Uint8Array;
  outcome: JobOutcome;
  reason_code: string | null;
  mms_id: string | null;
  received: Time;
  review_state: ReviewState | null;
  reviewed_by: string | null;
  reviewed_at: Time | null;
  review_note: string | null;
  forced_entry: Id | null;
  forced_from: Id | null;
  undone_by: string | null;
  undone_at: Time | null;
}

export function toJobRecord(row: JobRecordRowBase, messages: string[], log: unknown): JobRecord {
  return {
    id: Number(row.id),
    jobId: Number(row.job_id),
    raw: new Uint8Array(row.raw),
    outcome: row.outcome,
    ...(row.reason_code !== null ? { reasonCode: row.reason_code } : {}),
    ...(row.mms_id !== null ? { mmsId: row.mms_id } : {}),
    messages,
    log,
    received: toDate(row.received),
    ...(row.review_state !== null
      ? {
          review: {
            state: row.review_state,
            ...(row.reviewed_by !== null ? { by: row.reviewed_by } : {}),
            ...(row.reviewed_at !== null ? { at: toDate(row.reviewed_at) } : {}),
            ...(row.review_note !== null ? { note: row.review_note } : {}),
            ...(row.forced_entry !== null ? { forcedEntry: Number(row.forced_entry) } : {}),
          },
        }
      : {}),
    ...(row.forced_from !== null ? { forcedFrom: Number(row.forced_from) } : {}),
    ...(row.undone_by !== null && row.undone_at !== null
      ? { undone: { by: row.undone_by, at: toDate(row.undone_at) } }
      : {}),
  };
}

/** The review state a new job row starts in: `open` when held for review, else none. */
export function initialReviewState(outcome: JobOutcome): ReviewState | null {
  return outcome === "review" ? "open" : null;
}

/** Why a held row cannot be forced or discarded (it is not open). */
export function notInReview(
  entryId: number,
  row: { outcome: string; review_state: string | null; reviewed_by: string | null } | undefined,
): CatalogError {
  if (!row) return new CatalogError("not-in-review", `no job row ${entryId}`);
  if (row.review_state === null || row.outcome !== "review")
    return new CatalogError(
      "not-in-review",
      `job row ${entryId} was not held for review (it was ${isJobOutcome(row.outcome) ? outcomeLabel(row.outcome) : row.outcome})`,
    );
  return new CatalogError(
    "not-in-review",
    `job row ${entryId} was ${row.review_state} already${row.reviewed_by !== null ? ` by ${row.reviewed_by}` : ""}`,
  );
}

/** A tombstone row of a record deleted by an undo. */
export interface DeletedRowBase {
  mms_id: string;
  record_id: Id;
  zone: string;
  format: string;
  originating_version: string | null;
  cz_linked: Flag;
  management_tag: string;
  suppressed: Flag;
  created: Time;
  version: number;
  deleted_by: string;
  deleted_at: Time;
  action: string;
  job_id: Id | null;
}

export function toDeletion(row: DeletedRowBase): RecordDeletion {
  return {
    mmsId: row.mms_id,
    zone: row.zone,
    version: row.version,
    deletedBy: row.deleted_by,
    deletedAt: toDate(row.deleted_at),
    action: row.action,
    ...(row.job_id !== null ? { jobId: Number(row.job_id) } : {}),
  };
}

/** A deleted record's attributes, as a restore brings it back with them. */
export function deletedAttributes(row: DeletedRowBase): FullAttributes {
  return {
    format: row.format as FullAttributes["format"],
    briefLevel: "10",
    originatingVersion: row.originating_version ?? undefined,
    czLinked: Boolean(row.cz_linked),
    managementTag: row.management_tag as FullAttributes["managementTag"],
    suppressed: Boolean(row.suppressed),
  };
}

/** A row of `local_fields`: one saved state of an institution's local fields of a record. */
export interface LocalFieldsRow {
  mms_id: string;
  institution: string;
  version: number;
  /** The fields as JSON text (both engines). */
  fields: string;
  saved_by: string;
  saved_at: Time;
  action: string;
  job_id: Id | null;
}

export function toLocalFields(row: LocalFieldsRow): LocalFields {
  return {
    mmsId: row.mms_id,
    institution: row.institution,
    fields: JSON.parse(row.fields) as Field[],
    version: row.version,
    savedBy: row.saved_by,
    savedAt: toDate(row.saved_at),
    action: row.action,
    ...(row.job_id !== null ? { jobId: Number(row.job_id) } : {}),
  };
}

/**
 * The checks before local fields are saved, the same on every engine: the record is in a
 * network zone, the institution is one of its members, and its local fields are still at the
 * version the change was decided on. Returns the version to write.
 */
export function checkLocalFields(
  mmsId: string,
  recordZone: ZoneRow | undefined,
  institution: ZoneRow | undefined,
  current: number,
  change: LocalFieldsChange,
): number {
  if (!recordZone) throw new CatalogError("unknown-record", `no record ${mmsId}`);
  const member = checkInstitution(institution, change.institution);
  if (recordZone.kind !== "network" || member.network !== recordZone.code) {
    throw new CatalogError(
      "invalid",
      `local fields belong to a network-zone record and a member institution; record ${mmsId} is in ${recordZone.code}, ${change.institution} ${member.network !== null ? `is a member of ${member.network}` : "belongs to no network zone"}`,
    );
  }
  if (change.expectedVersion !== undefined && change.expectedVersion !== current) {
    throw new CatalogError(
      "version-conflict",
      `the local fields of ${change.institution} in record ${mmsId} are at version ${current}, not ${change.expectedVersion}`,
    );
  }
  return current + 1;
}

export interface UserRow {
  name: string;
  /** 0/1 in SQLite, a boolean in PostgreSQL (migration 14). */
  installation_admin: number | boolean;
  password_hash: string;
  created: Time;
}

/** A row of `user_roles` (migration 14). */
export interface UserRoleRow {
  user_name: string;
  institution: string;
  role: UserRole;
}

export interface KeyRow {
  hash: string;
  kind: AccessKey["kind"];
  user_name: string;
  label: string;
  csrf: string | null;
  created: Time;
  expires: Time | null;
}

/** A user from its row and its `user_roles` rows (others' rows are left out), by institution. */
export function toUser(row: UserRow, roles: readonly UserRoleRow[]): User {
  return {
    name: row.name,
    roles: roles
      .filter((r) => r.user_name === row.name)
      .map((r) => ({ institution: r.institution, role: r.role }))
      .sort((a, b) => (a.institution < b.institution ? -1 : a.institution > b.institution ? 1 : 0)),
    installationAdmin: row.installation_admin === true || row.installation_admin === 1,
    passwordHash: row.password_hash,
    created: toDate(row.created),
  };
}

export function toKey(row: KeyRow): AccessKey {
  return {
    hash: row.hash,
    kind: row.kind,
    user: row.user_name,
    label: row.label,
    ...(row.csrf !== null ? { csrf: row.csrf } : {}),
    created: toDate(row.created),
    ...(row.expires !== null ? { expires: toDate(row.expires) } : {}),
  };
}
