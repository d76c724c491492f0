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
 * Versions an undo has settled: undo saves themselves, and saves of a job followed by an undo
 * of that job (which brought the record back to where it was before that job's saves; an
 * undo happens only when the job's saves were the last ones, so such a block is contiguous).
 */
function settled(versions: readonly RecordVersion[]): Set<RecordVersion> {
  const result = new Set<RecordVersion>();
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
export function planUndo(
  jobId: number,
  versions: readonly RecordVersion[],
  lock: { readonly by: string } | undefined,
  by: string,
): UndoPlan {
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

/** Why a record the job saved cannot be reverted: it was deleted since. */
export function deletedSince(deletion: RecordDeletion): UndoOutcome {
  return {
    mmsId: deletion.mmsId,
    reverted: false,
    reason: `record ${deletion.mmsId} was deleted since (by ${deletion.deletedBy} at ${deletion.deletedAt.toISOString()}, ${deletion.action}${deletion.jobId !== undefined ? ` of job ${deletion.jobId}` : ""})`,
  };
}
