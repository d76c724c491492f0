/**
 * What undoing a job means for one record, decided the same way on every engine from the
 * record's versions: the engines only read and write.
 */
import type {
  CommitRequest,
  LocalFields,
  LocalFieldsChange,
  RecordAttributes,
  RecordDeletion,
  RecordVersion,
  UndoOutcome,
} from "./catalog.js";

/** The action of a save made by an undo. */
export const UNDO_ACTION = "undo";

/** What undo plans over: a record's versions, or an institution's local fields' versions. */
export interface Saved {
  readonly mmsId: string;
  readonly version: number;
  readonly jobId?: number;
  readonly action: string;
  readonly savedBy: string;
  readonly savedAt: Date;
}

/** What to do with one record (or its local fields) the job may have saved. */
export type UndoPlan<V extends Saved = RecordVersion> =
  /** The job saved no version of it (skipped, held, unchanged …). */
  | { readonly kind: "none" }
  /** Undone before: the job's last save of it was reverted by an undo of this job. */
  | { readonly kind: "done" }
  /** Save `to` again as a new version. */
  | { readonly kind: "restore"; readonly to: V }
  /** The job created it (its version 1 is the job's): delete it (versions kept). */
  | { readonly kind: "delete" }
  | { readonly kind: "refuse"; readonly reason: string };

/**
 * Versions an undo has settled: undo saves themselves, and saves of a job followed by an undo
 * of that job (which brought the record back to where it was before that job's saves; an
 * undo happens only when the job's saves were the last ones, so such a block is contiguous).
 */
function settled<V extends Saved>(versions: readonly V[]): Set<V> {
  const result = new Set<V>();
  let undone = new Set<number>();
  for (let i = versions.length - 1; i >= 0; i--) {
    const v = versions[i]!;
    if (v.action === UNDO_ACTION) {
      result.add(v);
      if (v.jobId !== undefined) undone = new Set([...undone, v.jobId]);
    } else if (v.jobId !== undefined && undone.has(v.jobId)) {
      result.add(v);
    } else {
      // A save not undone: undos further up (older) cannot reach past it.
      undone = new Set();
    }
  }
  return result;
}

/**
 * The plan for one record: its versions oldest first, the current one last, and who holds its
 * lock. The job's saves of it must be the last ones (saves undone since do not count): any
 * later save (another job, a restore, an edit) means it changed since, and it is left alone.
 */
export function planUndo<V extends Saved>(
  jobId: number,
  versions: readonly V[],
  lock: { readonly by: string } | undefined,
  by: string,
): UndoPlan<V> {
  const done = settled(versions);
  const live = versions.filter((v) => !done.has(v));
  const mine = live.filter((v) => v.jobId === jobId);
  const first = mine[0];
  if (!first) {
    return versions.some((v) => v.jobId === jobId) ? { kind: "done" } : { kind: "none" };
  }
  const mmsId = first.mmsId;
  const later = live.find((v) => v.version > first.version && v.jobId !== jobId);
  if (later) {
    return {
      kind: "refuse",
      reason: `record ${mmsId} changed since job ${jobId} saved it: version ${later.version} was saved by ${later.savedBy} at ${later.savedAt.toISOString()} (${later.action}${later.jobId !== undefined ? `, job ${later.jobId}` : ""})`,
    };
  }
  if (lock && lock.by !== by) {
    return { kind: "refuse", reason: `record ${mmsId} is locked by ${lock.by}` };
  }
  if (first.version === 1) return { kind: "delete" };
  const before = versions.find((v) => v.version === first.version - 1);
  if (!before) {
    return {
      kind: "refuse",
      reason: `record ${mmsId} has no version ${first.version - 1} to go back to`,
    };
  }
  return { kind: "restore", to: before };
}

/**
 * The attributes a restore of `version` sets besides the MARC: its brief level, and its
 * management tag and originating version when the version kept them (saved since migration 3).
 */
export function restoredAttributes(version: RecordVersion): RecordAttributes {
  return {
    briefLevel: version.briefLevel,
    ...(version.managementTag !== undefined
      ? {
          managementTag: version.managementTag,
          originatingVersion: version.originatingVersion ?? null,
        }
      : {}),
  };
}

/** The save that reverts a record to `to` (its current version `current`). */
export function undoCommit(
  mmsId: string,
  current: number,
  to: RecordVersion,
  by: string,
  jobId: number,
): CommitRequest {
  return {
    change: {
      kind: "update",
      mmsId,
      expectedVersion: current,
      marc: to.marc,
      ...restoredAttributes(to),
    },
    context: { savedBy: by, action: UNDO_ACTION, jobId },
  };
}

/**
 * The plan for a record and, on a network-zone record, the job institution's local fields of
 * it: both are reverted or neither (a refusal of either refuses the record). A record the job
 * created is deleted, local fields and all (they come back with it on restore).
 */
export function combinePlans(
  record: UndoPlan,
  local: UndoPlan<LocalFields>,
): { record: UndoPlan; local: UndoPlan<LocalFields> } | { refuse: string } {
  if (record.kind === "refuse") return { refuse: record.reason };
  if (local.kind === "refuse")
    return { refuse: local.reason.replace("record", "the local fields of record") };
  if (record.kind === "delete") return { record, local: { kind: "none" } };
  return { record, local };
}

/** The local fields an undo saves: the state before the job's, or none when the job's was the first. */
export function undoLocalFields(
  plan: UndoPlan<LocalFields>,
  institution: string,
  mmsId: string,
): LocalFieldsChange | undefined {
  if (plan.kind === "restore") return { institution, mmsId, fields: plan.to.fields };
  if (plan.kind === "delete") return { institution, mmsId, fields: [] };
  return undefined;
}

/** What an undo of one record did, from its plans and what the saves returned. */
export function undoneOutcome(
  mmsId: string,
  record: UndoPlan,
  recordVersion: number | undefined,
  local: UndoPlan<LocalFields>,
  localVersion: number | undefined,
  institution: string,
): UndoOutcome | undefined {
  const localFields =
    localVersion !== undefined && (local.kind === "restore" || local.kind === "delete")
      ? {
          institution,
          toVersion: local.kind === "restore" ? local.to.version : 0,
          version: localVersion,
        }
      : undefined;
  if (record.kind === "restore" && recordVersion !== undefined) {
    return {
      mmsId,
      reverted: "restored",
      toVersion: record.to.version,
      version: recordVersion,
      ...(localFields ? { localFields } : {}),
    };
  }
  return localFields ? { mmsId, reverted: "restored", localFields } : undefined;
}

/** Why a record the job saved cannot be reverted: it was deleted since. */
export function deletedSince(deletion: RecordDeletion): UndoOutcome {
  return {
    mmsId: deletion.mmsId,
    reverted: false,
    reason: `record ${deletion.mmsId} was deleted since (by ${deletion.deletedBy} at ${deletion.deletedAt.toISOString()}, ${deletion.action}${deletion.jobId !== undefined ? ` of job ${deletion.jobId}` : ""})`,
  };
}
