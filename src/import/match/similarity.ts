/**
 * The fuzzy comparison of Title and author: what of a record is compared, how it is normalized,
 * how similar two values are, and the thresholds. Pure, so the matching quality suite and the
 * tests call it directly. The choices and the figures they reach are in `docs/match-methods.md`.
 *
 * - Normalization: the title key's (`src/marc/match-keys.ts`): title = `245 $a$b$n$p` without
 *   the nonfiling characters, author = the main entry's surname (`100 $a` before the comma) or
 *   `110`/`111 $a`, date = `008/07-10` or the first year of `264`/`260 $c`; folded (NFKD, marks
 *   removed, lower case, `ß`→`ss` …, anything but letters and digits one space).
 * - Similarity: the Sørensen–Dice coefficient of the two texts' character bigrams, the spaces
 *   between words included (so word order counts: `foo bar` and `bar foo` share 4 of 6; a typo
 *   costs two bigrams): `2·|A∩B| / (|A|+|B|)` over bigram multisets, 1 for equal texts.
 * - A match needs: the same type of record (leader/06) and both serial or both not (leader/07
 *   `s`/`i` or not, as the routing); years no more than one apart when both records have one
 *   (Alma's fuzzy methods allow ±1; a reprint, `008/06` `r`, also by its original date in
 *   `008/11-14`); no conflicting identifiers (both with ISBNs in `020 $a`, or
 *   both with ISSNs in `022 $a`, and none shared: another edition or binding); title similarity
 *   ≥ {@link TITLE_THRESHOLD}; and, when both records have a main entry, author similarity ≥
 *   {@link AUTHOR_THRESHOLD}.
 */
import { extractMatchKeys } from "../../marc/match-keys.js";
import { getControlValue, leaderValue, type MarcRecord } from "../../marc/record.js";
import { SERIAL_LEVELS } from "./method.js";

/** Title similarity a match needs at least. */
export const TITLE_THRESHOLD = 0.85;
/** Author similarity a match needs at least, when both records have a main entry. */
export const AUTHOR_THRESHOLD = 0.8;
/** How many years the dates may differ by. */
export const YEAR_TOLERANCE = 1;

/** What Title and author compares of a record. */
export interface TitleAuthorParts {
  readonly title: string;
  readonly author: string;
  readonly year: string;
  /**
   * The years the record may be compared by: {@link year}, and for a reprint or reissue
   * (`008/06` `r`) also its original date (`008/11-14`), as the same text is catalogued with
   * either.
   */
  readonly years: readonly string[];
  /** leader/06. */
  readonly type: string;
  /** leader/07 is `s` or `i`. */
  readonly serial: boolean;
  /** The ISBNs of `020 $a` and ISSNs of `022 $a`, normalized (match keys `isbn`, `issn`). */
  readonly isbns: readonly string[];
  readonly issns: readonly string[];
}

/** The compared parts of a record; `undefined` when it has no title (no `245`, or no words). */
export function titleAuthorParts(record: MarcRecord): TitleAuthorParts | undefined {
  const keys = extractMatchKeys(record);
  const key = keys.find((k) => k.kind === "title-key")?.value;
  if (key === undefined) return undefined;
  const [title = "", author = "", year = ""] = key.split("|");
  const of = (kind: string): string[] => keys.filter((k) => k.kind === kind).map((k) => k.value);
  const fixed = getControlValue(record, "008") ?? "";
  const original = fixed.charAt(6) === "r" ? fixed.slice(11, 15) : "";
  const years = [year, ...(/^\d{4}$/.test(original) && original !== year ? [original] : [])];
  return {
    title,
    author,
    year,
    years: years.filter((y) => y !== ""),
    type: leaderValue(record, "typeOfRecord"),
    serial: SERIAL_LEVELS.includes(leaderValue(record, "bibliographicLevel")),
    isbns: of("isbn"),
    issns: of("issn"),
  };
}

/** The character bigrams of a folded text (spaces between words included), counted. */
function bigrams(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + 1 < text.length; i++) {
    const pair = text.slice(i, i + 2);
    counts.set(pair, (counts.get(pair) ?? 0) + 1);
  }
  return counts;
}

/**
 * Sørensen–Dice similarity of two folded texts over character bigrams: 1 equal, 0 nothing in
 * common (and 0 when either is empty).
 *
 * @example
 * ```ts
 * diceSimilarity("professor a tale", "professor a tale"); // 1
 * diceSimilarity("professor a tale", "profesor a tale"); // ≈ 0.97
 * diceSimilarity("foo bar", "bar foo"); // ≈ 0.67
 * ```
 */
export function diceSimilarity(a: string, b: string): number {
  if (a === b) return a === "" ? 0 : 1;
  const x = bigrams(a);
  const y = bigrams(b);
  let total = 0;
  let common = 0;
  for (const n of x.values()) total += n;
  for (const [pair, n] of y) {
    total += n;
    common += Math.min(n, x.get(pair) ?? 0);
  }
  return total === 0 ? 0 : (2 * common) / total;
}

/** The comparison of two records: the verdict, the figures, and why in words. */
export interface TitleAuthorComparison {
  readonly match: boolean;
  readonly title: number;
  /** Absent when either record has no main entry. */
  readonly author?: number;
  readonly why: string;
}

const round = (n: number): number => Math.round(n * 100) / 100;

/** Compares the parts of an incoming record with a candidate's. */
export function compareTitleAuthor(
  incoming: TitleAuthorParts,
  candidate: TitleAuthorParts,
): TitleAuthorComparison {
  const title = round(diceSimilarity(incoming.title, candidate.title));
  const bothAuthors = incoming.author !== "" && candidate.author !== "";
  const author = bothAuthors ? round(diceSimilarity(incoming.author, candidate.author)) : undefined;
  const figures = `title ${title}${author !== undefined ? `, author ${author}` : ", author not compared"}`;
  const no = (why: string): TitleAuthorComparison => ({
    match: false,
    title,
    ...(author !== undefined ? { author } : {}),
    why: `${why} (${figures})`,
  });
  if (incoming.type !== candidate.type) {
    return no(`type of record ${incoming.type} ≠ ${candidate.type}`);
  }
  if (incoming.serial !== candidate.serial) {
    return no(incoming.serial ? "a serial and a monograph" : "a monograph and a serial");
  }
  if (
    incoming.years.length > 0 &&
    candidate.years.length > 0 &&
    !incoming.years.some((a) =>
      candidate.years.some((b) => Math.abs(Number(a) - Number(b)) <= YEAR_TOLERANCE),
    )
  ) {
    return no(
      `years ${incoming.years.join("/")} and ${candidate.years.join("/")} differ by more than ${YEAR_TOLERANCE}`,
    );
  }
  for (const [what, ours, theirs] of [
    ["ISBNs", incoming.isbns, candidate.isbns],
    ["ISSNs", incoming.issns, candidate.issns],
  ] as const) {
    if (ours.length > 0 && theirs.length > 0 && !ours.some((x) => theirs.includes(x))) {
      return no(`both have ${what} (020/022 $a) and share none: another edition`);
    }
  }
  if (title < TITLE_THRESHOLD) return no(`title below ${TITLE_THRESHOLD}`);
  if (author !== undefined && author < AUTHOR_THRESHOLD) {
    return no(`author below ${AUTHOR_THRESHOLD}`);
  }
  return { match: true, title, ...(author !== undefined ? { author } : {}), why: figures };
}
