/**
 * Where an import job stands: open, finished, or failed with a reason. The reason is kept in
 * the job's description column after a line feed (`DESCRIPTION\nfailed: REASON`), which no
 * description has otherwise: {@link jobDescription} makes line breaks spaces when a job starts.
 * (No migration: a column of its own can replace this with the next schema change.)
 */

/** The states of {@link jobState}. */
export const JOB_STATES = ["open", "finished", "failed"] as const;
export type JobState = (typeof JOB_STATES)[number];

/** What separates a stored description from its failure. */
export const FAILURE_MARK = "\nfailed: ";

/** A new job's description as stored: on one line. */
export function jobDescription(description: string): string {
  return description.replace(/[\r\n]+/g, " ");
}

/** The text appended to the stored description of a job that failed. */
export function failureSuffix(reason: string): string {
  return `${FAILURE_MARK}${jobDescription(reason).trim() || "no reason given"}`;
}

/** A stored description as the description and, if the job failed, why. */
export function splitDescription(stored: string): { description: string; failure?: string } {
  const at = stored.indexOf(FAILURE_MARK);
  if (at < 0) return { description: stored };
  return { description: stored.slice(0, at), failure: stored.slice(at + FAILURE_MARK.length) };
}

/** A job's state from what is stored of it. */
export function jobState(job: { readonly finished?: Date; readonly failure?: string }): JobState {
  return job.failure !== undefined ? "failed" : job.finished ? "finished" : "open";
}
