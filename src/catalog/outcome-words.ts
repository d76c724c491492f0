/**
 * The one vocabulary of import outcomes: the words of the job report, for every place that
 * shows an outcome to people — the Connexion replies, the staff pages, the `marcgate` command
 * and the API's labels. Job rows keep their outcome codes ({@link JobOutcome}: `review`,
 * `rejected` …); this module is the only one that turns a code into words.
 *
 * @example
 * ```ts
 * outcomeLabel("review"); // "held for review"
 * outcomeHeading("rejected"); // "Failed"
 * parseOutcome("held for review"); // "review"
 * ```
 */
import { JOB_OUTCOMES, type JobOutcome, type JobReport } from "./catalog.js";

/** Each outcome code's words, as the job report counts it. */
const LABELS: Readonly<Record<JobOutcome, string>> = {
  created: "new",
  merged: "merged",
  overlaid: "overlaid",
  unchanged: "unchanged",
  loaded: "loaded",
  skipped: "skipped",
  review: "held for review",
  rejected: "failed",
};

/** The order outcomes are listed in: what was saved first, then what was not. */
export const OUTCOME_ORDER: readonly JobOutcome[] = [
  "created",
  "merged",
  "overlaid",
  "unchanged",
  "loaded",
  "skipped",
  "review",
  "rejected",
];

/** Outcomes that saved the record (or found it saved already): the Connexion reply's `Success.`. */
export const SAVED_OUTCOMES: ReadonlySet<JobOutcome> = new Set([
  "created",
  "merged",
  "overlaid",
  "unchanged",
  "loaded",
]);

/** The outcome's words in running text: `held for review`, `failed`, `new` … */
export function outcomeLabel(outcome: JobOutcome): string {
  return LABELS[outcome];
}

/** The outcome's words as a heading or at the start of a sentence: `Held for review`. */
export function outcomeHeading(outcome: JobOutcome): string {
  const label = LABELS[outcome];
  return label.charAt(0).toUpperCase() + label.slice(1);
}

/** Whether a string is an outcome code. */
export function isJobOutcome(text: string): text is JobOutcome {
  return (JOB_OUTCOMES as readonly string[]).includes(text);
}

/**
 * The outcome a person or a program names: its code (`review`) or its words (`held for review`,
 * any case, `-` or `_` for blanks); undefined when it names none.
 */
export function parseOutcome(text: string): JobOutcome | undefined {
  const words = text.trim().toLowerCase().replace(/[-_]+/g, " ");
  if (isJobOutcome(words)) return words;
  return JOB_OUTCOMES.find((o) => LABELS[o] === words);
}

/** The codes and words, for the API and for help texts. */
export function outcomeVocabulary(): { readonly outcome: JobOutcome; readonly label: string }[] {
  return OUTCOME_ORDER.map((outcome) => ({ outcome, label: LABELS[outcome] }));
}

/** One line of the job report: an outcome, how many records had it, and why (by reason code). */
export interface ReportLine {
  readonly outcome: JobOutcome;
  readonly label: string;
  readonly count: number;
  /** Counts by reason code, for the outcomes the report keeps reasons of (else empty). */
  readonly byReason: Readonly<Record<string, number>>;
}

function total(counts: Readonly<Record<string, number>>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

/**
 * The job report's outcome lines, in {@link OUTCOME_ORDER}; `loaded` only when the job loaded
 * records. The pages and `marcgate job show` both print these.
 */
export function reportLines(report: JobReport): ReportLine[] {
  const byReason: Partial<Record<JobOutcome, Readonly<Record<string, number>>>> = {
    skipped: report.skipped,
    review: report.heldForReview,
    rejected: report.failed,
  };
  const plain: Partial<Record<JobOutcome, number>> = {
    created: report.created,
    merged: report.merged,
    overlaid: report.overlaid,
    unchanged: report.unchanged,
    loaded: report.loaded,
  };
  return OUTCOME_ORDER.filter((o) => o !== "loaded" || report.loaded > 0).map((outcome) => {
    const reasons = byReason[outcome] ?? {};
    return {
      outcome,
      label: LABELS[outcome],
      count: plain[outcome] ?? total(reasons),
      byReason: reasons,
    };
  });
}

/** `3 (several-matches 2, validation 1)`, or `0`: a count with its reasons, sorted by reason. */
export function countWithReasons(line: ReportLine): string {
  const entries = Object.entries(line.byReason).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return entries.length === 0
    ? String(line.count)
    : `${line.count} (${entries.map(([k, n]) => `${k} ${n}`).join(", ")})`;
}

/** A job's counts per outcome as words: `3 new, 1 held for review` (in {@link OUTCOME_ORDER}). */
export function countsInWords(counts: Readonly<Partial<Record<JobOutcome, number>>>): string {
  return OUTCOME_ORDER.filter((o) => (counts[o] ?? 0) > 0)
    .map((o) => `${(counts[o] ?? 0).toLocaleString("en")} ${LABELS[o]}`)
    .join(", ");
}
