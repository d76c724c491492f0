/**
 * Title and author: a fuzzy match on the title, the main entry and the date, for records that
 * share no identifier (see `similarity.ts` for the normalization, the similarity and the
 * thresholds).
 *
 * Candidates come from look-ups in the zones: the title-key index (`title|author|date`: the
 * records whose key is exactly the incoming one's); the catalog's title search with the incoming
 * title's first {@link SEARCH_WORDS} words (records whose title holds all of them, best ranked
 * first); then, so that a typo in one word does not hide the record, each of the title's
 * {@link WORD_SEARCHES} longest words with the author's name (keyword search), or alone in the
 * title search when there is no author. {@link PER_SEARCH} hits a search, {@link CANDIDATES} in
 * all. Each candidate's stored record is then compared with the incoming one, and every
 * candidate that passes matches.
 */
import { Findings, type MatchMethod } from "./method.js";
import { compareTitleAuthor, titleAuthorParts } from "./similarity.js";

/** How many of the title's words the first search uses (a long subtitle need not agree). */
export const SEARCH_WORDS = 6;
/** How many of the title's longest words are searched again one by one (with the author). */
export const WORD_SEARCHES = 3;
/** Hits taken from each search. */
export const PER_SEARCH = 10;
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
    const byKey = await view.findByKey("title-key", key, input.zones);
    for (const id of byKey) if (!candidates.includes(id)) candidates.push(id);
    findings.note(`title key ${key}: ${byKey.length} candidate(s)`, {
      key: "title-key",
      value: key,
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
      const found = hits.hits.map((h) => h.mmsId);
      for (const id of found) {
        if (!candidates.includes(id) && candidates.length < CANDIDATES) candidates.push(id);
      }
      findings.note(
        `${query.index} search "${query.text}": ${hits.total} record(s)${hits.total > found.length ? `, the first ${found.length} taken` : ""}`,
        { key: `${query.index}-search`, value: query.text, candidates: found, total: hits.total },
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
