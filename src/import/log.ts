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
