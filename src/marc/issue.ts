/**
 * Problems found while reading or writing records. Readers return the record together
 * with its issues; only `fatal` means there is no record.
 */

/**
 * - `info`: worth knowing, nothing changed (e.g. leader/09 relabelled).
 * - `minor`: the data was repaired without loss (e.g. junk bytes between records skipped).
 * - `major`: the data was repaired and something may be lost or guessed (e.g. a directory
 *   entry that disagrees with the data).
 * - `fatal`: no record could be salvaged.
 */
export type Severity = "info" | "minor" | "major" | "fatal";

export interface MarcIssue {
  readonly severity: Severity;
  /** Zero-based byte offset in the input where the problem is (for XML/JSON/text: of the record). */
  readonly offset: number;
  /** The tag of the field concerned, when there is one. */
  readonly tag?: string;
  /** One-based line in text inputs (MARCXML, mnemonic, JSON), when known. */
  readonly line?: number;
  readonly message: string;
}

/** One record as a reader yields it: the record (absent only on fatal issues) and its issues. */
export interface ReadResult<R> {
  /** The record, or `undefined` when an issue is fatal. */
  readonly record: R | undefined;
  readonly issues: readonly MarcIssue[];
  /** Zero-based position of the record in the input (byte offset for ISO 2709). */
  readonly offset: number;
  /** Zero-based index of the record in the input. */
  readonly index: number;
}

const SEVERITY_RANK: Record<Severity, number> = { info: 0, minor: 1, major: 2, fatal: 3 };

/** The highest severity among the issues, or `undefined` when there are none. */
export function worstSeverity(issues: readonly MarcIssue[]): Severity | undefined {
  let worst: Severity | undefined;
  for (const i of issues)
    if (!worst || SEVERITY_RANK[i.severity] > SEVERITY_RANK[worst]) worst = i.severity;
  return worst;
}

/** One line for people: `major at byte 1234, tag 245: message`. */
export function formatIssue(issue: MarcIssue): string {
  const where = issue.line !== undefined ? `line ${issue.line}` : `byte ${issue.offset}`;
  const tag = issue.tag ? `, tag ${issue.tag}` : "";
  return `${issue.severity} at ${where}${tag}: ${issue.message}`;
}
