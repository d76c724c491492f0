/**
 * What undoing a job means for one record, decided the same way on every engine from the
 * record's versions: the engines only read and write.
 */
import type {
  CommitRequest,
  RecordAttributes,
  RecordDeletion,
  RecordVersion,
  UndoOutcome,
} from "./catalog.js";

/** The action of a save made by an undo. */
export const UNDO_ACTION = "undo";

/** What to do with one record the job may have saved. */
export type UndoPlan =
  /** The job saved no version of it (skipped, held, unchanged …). */
  | { readonly kind: "none" }
  /** Undone before: the job's last save of it was reverted by an undo of this job. */
  | { readonly kind: "done" }
  /** Save `to` again as a new version. */
  | { readonly kind: "restore"; readonly to: RecordVersion }
  /** The job created it: delete it (versions kept). */
  | { readonly kind: "delete" }
  | { readonly kind: "refuse"; readonly reason: string };

/**
 * The plan for one record: its versions oldest first, the current one last, and who holds its
 * lock. The job's saves of it must be the last ones: any later save (another job, a restore, an
 * edit) means it changed since, and it is left alone.
 */
export function planUndo(
  jobId: number,
  versions: readonly RecordVersion[],
  lock: { readonly by: string } | undefined,
  by: string,
): UndoPlan {
  const mine = versions.filter((v) => v.jobId === jobId && v.action !== UNDO_ACTION);
  const first = mine[0];
  if (!first) return { kind: "none" };
  const mmsId = first.mmsId;
  const current = versions[versions.length - 1]!;
  if (current.jobId === jobId && current.action === UNDO_ACTION) return { kind: "done" };
  const later = versions.find((v) => v.version > first.version && !mine.includes(v));
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

/** Why a record the job saved cannot be reverted: it was deleted since. */
export function deletedSince(deletion: RecordDeletion): UndoOutcome {
  return {
    mmsId: deletion.mmsId,
    reverted: false,
    reason: `record ${deletion.mmsId} was deleted since (by ${deletion.deletedBy} at ${deletion.deletedAt.toISOString()}, ${deletion.action}${deletion.jobId !== undefined ? ` of job ${deletion.jobId}` : ""})`,
  };
}
