/** The job report (`Catalog.jobReport`), counted the same way on every engine. */
import type { ImportJob, JobOutcome, JobReport, ReviewState } from "./catalog.js";

/** One group of a job's rows, as both engines count them in one GROUP BY. */
export interface JobCountRow {
  readonly outcome: string;
  readonly reasonCode: string | null;
  readonly reviewState: string | null;
  /** A forced import of a held row. */
  readonly forced: boolean;
  readonly undone: boolean;
  readonly n: number;
}

/** Rows from before reason codes were kept (catalog migration 3) count under this word. */
export const UNRECORDED_REASON = "unrecorded";

function add(counts: Record<string, number>, key: string, n: number): void {
  counts[key] = (counts[key] ?? 0) + n;
}

export function buildJobReport(job: ImportJob, rows: readonly JobCountRow[]): JobReport {
  const outcomes: Record<string, number> = {};
  const skipped: Record<string, number> = {};
  const heldForReview: Record<string, number> = {};
  const failed: Record<string, number> = {};
  const review: Record<ReviewState, number> = { open: 0, forced: 0, discarded: 0 };
  const forced: Partial<Record<JobOutcome, number>> = {};
  let received = 0;
  let undone = 0;
  for (const row of rows) {
    const reason = row.reasonCode ?? UNRECORDED_REASON;
    if (row.undone) undone += row.n;
    if (row.forced) {
      add(forced, row.outcome, row.n);
      continue;
    }
    received += row.n;
    if (row.reviewState !== null && row.reviewState in review)
      review[row.reviewState as ReviewState] += row.n;
    switch (row.outcome) {
      case "skipped":
        add(skipped, reason, row.n);
        break;
      case "review":
        add(heldForReview, reason, row.n);
        break;
      case "rejected":
        add(failed, reason, row.n);
        break;
      default:
        add(outcomes, row.outcome, row.n);
    }
  }
  return {
    job,
    received,
    created: outcomes.created ?? 0,
    merged: outcomes.merged ?? 0,
    overlaid: outcomes.overlaid ?? 0,
    unchanged: outcomes.unchanged ?? 0,
    loaded: outcomes.loaded ?? 0,
    skipped,
    heldForReview,
    failed,
    review,
    forced,
    undone,
  };
}
