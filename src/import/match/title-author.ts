/**
 * Title and author: a fuzzy match on the title, the main entry and the date, for records that
 * share no identifier (see `similarity.ts` for the normalization, the similarity and the
 * thresholds).
 *
 * Candidates come from look-ups in the zones: the title-key index (`title|author|date`: the
 * records with the same title, the same author or none, and a year at most one away); the
 * catalog's title search with the incoming
 * title's first {@link SEARCH_WORDS} words (records whose title holds all of them, best ranked
 * first); then, so that a typo in one word does not hide the record, each of the title's
 * {@link WORD_SEARCHES} longest words with the author's name (keyword search), or alone in the
 * title search when there is no author. {@link PER_SEARCH} hits are read from a search, those
 * dated (008) more than a year away from the incoming record are dropped, and
 * {@link CANDIDATES} are kept in all. Each candidate's stored record is then compared with the incoming one, and every
 * candidate that passes matches.
 */
import { Findings, type MatchMethod } from "./method.js";
import { compareTitleAuthor, titleAuthorParts, YEAR_TOLERANCE } from "./similarity.js";

/** How many of the title's words the first search uses (a long subtitle need not agree). */
export const SEARCH_WORDS = 6;
/** How many of the title's longest words are searched again one by one (with the author). */
export const WORD_SEARCHES = 3;
/** Hits read from each search (those whose year rules them out are not candidates). */
export const PER_SEARCH = 50;
/** How many candidates are compared at most. */
export const CANDIDATES = 30;

export const titleAndAuthor: MatchMethod = {
  name: "Title and author",
  kinds: ["title-key"],
  async run(input, view) {
    const findings = new Findings("Title and author", input.step);
    const parts = titleAuthorParts(input.record);
    const key = input.keys.find((k) => k.kind === "title-key")?.value;
    if (parts === undefined || key === undefined) {
      findings.note("the record has no title (245 $a $b $n $p or $k): no match", { keys: [] });
      return findings.result();
    }
    const candidates: string[] = [];
    // The title-key index: the same title, the same author or none, a year within the
    // tolerance (or none when the record has no year). Exact look-ups, so they scale with the
    // catalog however many records share the title.
    const [title] = key.split("|");
    const years =
      parts.years.length === 0
        ? [""]
        : [
            ...new Set(
              parts.years.flatMap((year) =>
                Array.from({ length: 2 * YEAR_TOLERANCE + 1 }, (_, i) =>
                  String(Number(year) - YEAR_TOLERANCE + i),
                ),
              ),
            ),
          ];
    const authors = parts.author === "" ? [""] : [parts.author, ""];
    const keys = authors.flatMap((author) => years.map((year) => `${title}|${author}|${year}`));
    const byKey: string[] = [];
    for (const value of keys) {
      for (const id of await view.findByKey("title-key", value, input.zones, input.recordKind)) {
        if (!byKey.includes(id)) byKey.push(id);
        if (!candidates.includes(id) && candidates.length < CANDIDATES) candidates.push(id);
      }
    }
    findings.note(`title keys ${keys.join(", ")}: ${byKey.length} candidate(s)`, {
      key: "title-key",
      values: keys,
      candidates: byKey,
    });
    const titleWords = parts.title.split(" ");
    const queries: { text: string; index: "title" | "keyword" }[] = [
      { text: titleWords.slice(0, SEARCH_WORDS).join(" "), index: "title" },
    ];
    // A typo in one title word would keep the first search from finding the record: each of
    // the longest words again, with the author when there is one.
    const longest = [...new Set(titleWords)]
      .filter((w) => w.length >= 3)
      .sort((a, b) => b.length - a.length)
      .slice(0, WORD_SEARCHES);
    if (titleWords.length > 1 || parts.author !== "") {
      for (const word of longest) {
        queries.push(
          parts.author !== ""
            ? { text: `${parts.author} ${word}`, index: "keyword" }
            : { text: word, index: "title" },
        );
      }
    }
    for (const query of queries) {
      if (candidates.length >= CANDIDATES) break;
      const hits = await view.search({ ...query, zones: input.zones, limit: PER_SEARCH });
      // A hit's date is its 008/07-10 when that is a year, as the title key's: one more than a
      // year away would fail the comparison, so it is no candidate (and its record is not read).
      const found = hits.hits
        .filter(
          (h) =>
            !/^\d{4}$/.test(h.date) ||
            parts.years.length === 0 ||
            parts.years.some((y) => Math.abs(Number(h.date) - Number(y)) <= YEAR_TOLERANCE),
        )
        .map((h) => h.mmsId);
      const before = candidates.length;
      for (const id of found) {
        if (!candidates.includes(id) && candidates.length < CANDIDATES) candidates.push(id);
      }
      findings.note(
        `${query.index} search "${query.text}": ${hits.total} record(s), ${hits.hits.length - found.length} of the first ${hits.hits.length} of another year, ${candidates.length - before} new candidate(s)`,
        {
          key: `${query.index}-search`,
          value: query.text,
          candidates: candidates.slice(before),
          total: hits.total,
        },
      );
    }
    const label = `title and author "${parts.title}"${parts.author !== "" ? ` / ${parts.author}` : ""}`;
    for (const id of candidates) {
      const stored = await view.record(id);
      const theirs = stored ? titleAuthorParts(stored.marc) : undefined;
      if (!stored || !theirs) continue;
      const verdict = compareTitleAuthor(parts, theirs);
      findings.found(label, verdict.match ? [id] : []);
      findings.note(
        `record ${id}: ${verdict.match ? "matches" : "does not match"}: ${verdict.why}`,
        {
          key: "title-author",
          mmsId: id,
          match: verdict.match,
          title: verdict.title,
          ...(verdict.author !== undefined ? { author: verdict.author } : {}),
        },
      );
    }
    if (candidates.length === 0) findings.found(label, []);
    return findings.result();
  },
};
