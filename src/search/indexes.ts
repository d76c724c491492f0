/**
 * The search indexes marcgate offers over CQL (SRU, the REST API, the web search box) and
 * Z39.50 (by Bib-1 use attribute), with the names clients use: the CQL context sets `cql`,
 * `dc`, `bath`, `rec`, and `alma.` names so that clients set up for Alma's SRU work unchanged.
 */
import type { IdentifierIndex, SortKey, TextIndex } from "../catalog/search-query.js";

/** What an index searches: a text index, an identifier look-up, the date, or every record. */
export type IndexTarget =
  | { readonly kind: "text"; readonly index: TextIndex }
  | { readonly kind: "identifier"; readonly index: IdentifierIndex }
  | { readonly kind: "date" }
  | { readonly kind: "all" };

export interface IndexInfo {
  /** The name explain lists first (context set and name). */
  readonly name: string;
  /** Other names of the same index (case-insensitive). */
  readonly aliases: readonly string[];
  readonly title: string;
  readonly target: IndexTarget;
  /** The sort key it gives, when sortBy takes it. */
  readonly sort?: SortKey;
  /** The heading list scan browses (title, author, subject). */
  readonly scan?: "title" | "author" | "subject";
  /** Bib-1 use attributes that search it over Z39.50 (Alma's list). */
  readonly bib1: readonly number[];
}

const text = (index: TextIndex): IndexTarget => ({ kind: "text", index });
const id = (index: IdentifierIndex): IndexTarget => ({ kind: "identifier", index });

export const INDEXES: readonly IndexInfo[] = [
  {
    name: "cql.serverChoice",
    aliases: ["cql.anywhere", "dc.anywhere", "alma.all_for_ui", "alma.keywords", "keyword", "any"],
    title: "any word (title, author, subject, every other field)",
    target: text("keyword"),
    bib1: [1016, 1017],
  },
  {
    name: "dc.title",
    aliases: ["alma.title", "bath.title", "title"],
    title: "title (245, 246, 130, 240, 7XX/8XX titles)",
    target: text("title"),
    sort: "title",
    scan: "title",
    bib1: [4],
  },
  {
    name: "dc.creator",
    aliases: [
      "dc.author",
      "alma.creator",
      "alma.author",
      "bath.author",
      "bath.name",
      "author",
      "creator",
    ],
    title: "author (100, 110, 111, 700, 710, 711, 720)",
    target: text("author"),
    sort: "author",
    scan: "author",
    bib1: [1, 1003, 1004],
  },
  {
    name: "dc.subject",
    aliases: ["alma.subjects", "alma.subject", "bath.subject", "subject"],
    title: "subject (6XX)",
    target: text("subject"),
    scan: "subject",
    bib1: [21],
  },
  {
    name: "dc.date",
    aliases: ["alma.main_pub_date", "alma.date_of_publication", "date", "year"],
    title: "date of publication (008/07-10, else 264/260 $c), a year: = < <= > >= <> within",
    target: { kind: "date" },
    sort: "date",
    bib1: [31],
  },
  {
    name: "bath.isbn",
    aliases: ["alma.isbn", "isbn"],
    title: "ISBN (020 $a $z), any form: 10 or 13 digits, hyphens",
    target: id("isbn"),
    bib1: [7],
  },
  {
    name: "bath.issn",
    aliases: ["alma.issn", "issn"],
    title: "ISSN (022 $a $l $z)",
    target: id("issn"),
    bib1: [8],
  },
  {
    name: "alma.oclc_control_number",
    aliases: [
      "alma.oclc_control_number_035_a",
      "alma.oclc_control_number_035_z",
      "alma.oclc_control_number_019",
      "oclc",
    ],
    title: "OCLC number (035 (OCoLC), 019), any prefix: ocm, ocn, on",
    target: id("oclc"),
    bib1: [1211],
  },
  {
    name: "rec.identifier",
    aliases: ["alma.mms_id", "mms_id", "mmsid"],
    title: "MMS ID",
    target: id("mmsId"),
    bib1: [12],
  },
  {
    name: "cql.allRecords",
    aliases: [],
    title: "every record (cql.allRecords = 1)",
    target: { kind: "all" },
    bib1: [],
  },
];

/** The sort keys sortBy takes beside the indexes' own. */
export const RELEVANCE_SORT_NAMES = ["cql.relevance", "rec.relevance", "relevance", "rank"];

/** Context sets by URI, for prefix assignments (`> x = "info:srw/cql-context-set/1/dc-v1.1"`). */
export const CONTEXT_SETS: Readonly<Record<string, string>> = {
  "info:srw/cql-context-set/1/cql-v1.2": "cql",
  "info:srw/cql-context-set/1/cql-v1.1": "cql",
  "info:srw/cql-context-set/1/dc-v1.1": "dc",
  "http://purl.org/dc/elements/1.1/": "dc",
  "http://zing.z3950.org/cql/bath/2.0/": "bath",
  "info:srw/cql-context-set/2/rec-1.1": "rec",
  "info:srw/cql-context-set/2/rec-1.0": "rec",
};

const BY_NAME = new Map<string, IndexInfo>();
for (const info of INDEXES)
  for (const name of [info.name, ...info.aliases]) BY_NAME.set(name.toLowerCase(), info);

/** The index of a CQL name (case-insensitive; `srw.` is the old name of `cql.`). */
export function indexByName(name: string): IndexInfo | undefined {
  const lower = name.toLowerCase();
  return BY_NAME.get(lower) ?? BY_NAME.get(lower.replace(/^srw\./, "cql."));
}

/** The index a Bib-1 use attribute searches. */
export function indexByBib1(use: number): IndexInfo | undefined {
  return INDEXES.find((i) => i.bib1.includes(use));
}
