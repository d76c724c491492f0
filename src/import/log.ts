/**
 * The decision log: what each stage of the import pipeline did with a record, and why. It is
 * kept with the record's job row, shown by `marcgate job show`, and is the cataloger's answer
 * to "what happened to my export?".
 */

/** The stages of the pipeline, in the order they run. */
export const STAGES = [
  "read",
  "convert",
  "normalize",
  "validate",
  "match",
  "guard",
  "merge",
  "tag",
  "brief-level",
  "commit",
] as const;
export type Stage = (typeof STAGES)[number];

/** One thing a stage did or decided. */
export interface LogEntry {
  readonly stage: Stage;
  readonly message: string;
  /** Details a program may read (keys tried, MMS IDs found, fields kept …). */
  readonly data?: Readonly<Record<string, unknown>>;
}

/** One line per entry: `match: 1 record has OCLC number 12345: 991000000010001`. */
export function formatLog(log: readonly LogEntry[]): string[] {
  return log.map((entry) => `${entry.stage}: ${entry.message}`);
}

/**
 * Why a record came out as it did, as a word a program can count (the job report counts
 * skipped and held records by it) beside the sentence for people (`Decision.reason`).
 */
export const REASON_CODES = [
  /** No match: a new record. */
  "no-match",
  /** One match, merged or overlaid. */
  "matched",
  /** The merge would change nothing: no new version. */
  "unchanged",
  /** Several records match: held for review, nothing overwritten. */
  "several-matches",
  /**
   * A candidate agrees on some of what tells resources apart and not on all (validation after
   * candidate search): held for review with the differing points.
   */
  "candidate-conflict",
  /** The matched record is being edited: held for review. */
  "locked",
  /** The matched record is linked to the Community Zone: skipped. */
  "cz-linked",
  /** doNotOverrideLowerBriefLevel: skipped. */
  "lower-brief-level",
  /** doNotOverrideOlderVersion: skipped. */
  "older-version",
  /** The validation exception profile found an error: held for review. */
  "validation",
  /** The bytes are not a readable record, or were cut short: rejected. */
  "unreadable",
  /** The profile cannot be applied (target format, network zone, rule file): rejected. */
  "profile",
  /** Staff forced the import of a held record. */
  "forced",
  /** marcgate or the catalog failed: rejected, kept with the error. */
  "failed",
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

/** The decision log kept with a job row, when it has the importer's shape. */
export function jobRowLog(record: { readonly log: unknown }): LogEntry[] {
  const log = record.log;
  if (typeof log === "object" && log !== null && "entries" in log && Array.isArray(log.entries)) {
    return (log.entries as unknown[]).filter(
      (e): e is LogEntry =>
        typeof e === "object" &&
        e !== null &&
        "stage" in e &&
        "message" in e &&
        typeof e.message === "string",
    );
  }
  return [];
}
