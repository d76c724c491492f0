/** `marcgate search`: an institution's records and its network zone's, as a table or JSON. */
import { SEARCH_INDEXES, type SearchIndex } from "../catalog/catalog.js";
import {
  SORT_KEYS,
  type SearchNode,
  type SearchSort,
  type SortKey,
} from "../catalog/search-query.js";
import { cqlSearch } from "../search/cql-search.js";
import { describeDiagnostic } from "../search/diagnostic.js";
import {
  CATALOG_HELP,
  CATALOG_OPTIONS,
  requireOption,
  requireZone,
  visibleZones,
  withCatalog,
} from "./catalog-options.js";
import { formatTable } from "./table.js";
import { integerOption, parseCommandArgs, UsageError } from "./usage.js";

const HELP = `usage: marcgate search QUERY --institution CODE [--index INDEX] [--sort KEY] [--limit N]
                       [--offset N] [--json] [--data DIR | --db URL]

Searches the institution's zone and its network zone. Every word of QUERY must match (a word
ending in * is truncated: hist*); hits are ranked (a title that begins with the words first,
then title, author, subject, other text) and shown as a table (MMS ID, title, author, date,
zone) with the total ("more than 10,000" past that), or as JSON ({ total, capped, hits }).
  --institution CODE   whose records (required)
  --index INDEX        ${SEARCH_INDEXES.join(", ")} (default: keyword); isbn, issn and oclc
                       look the normalized number up, mmsId one record; cql: QUERY is CQL
                       (dc.title = "kind of blue" and dc.date < 1970; docs/search.md)
  --sort KEY           ${SORT_KEYS.join(", ")} (default: relevance, or the CQL sortBy)
  --limit N            hits to show, 1–1000 (default: 20)
  --offset N           hits to pass over first (default: 0)
  --json               JSON instead of a table
${CATALOG_HELP}Exit status 1 when the institution is unknown, 2 on bad usage; no hits is not an error.
`;

function indexOption(value: string | undefined): SearchIndex | "cql" {
  if (value === undefined) return "keyword";
  if (value.toLowerCase() === "cql") return "cql";
  const index = SEARCH_INDEXES.find((i) => i.toLowerCase() === value.toLowerCase());
  if (!index)
    throw new UsageError(
      `--index "${value}" is not an index; use one of ${SEARCH_INDEXES.join(", ")}`,
    );
  return index;
}

/** Runs `marcgate search`; returns the exit code. */
export async function searchCommand(args: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    args,
    {
      institution: { type: "string" },
      index: { type: "string" },
      sort: { type: "string" },
      limit: { type: "string" },
      offset: { type: "string" },
      json: { type: "boolean" },
      ...CATALOG_OPTIONS,
    },
    HELP,
  );
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  if (positionals.length === 0) throw new UsageError("give a QUERY");
  const text = positionals.join(" ");
  const code = requireOption(values.institution, "--institution");
  const index = indexOption(values.index);
  const limit = integerOption(values.limit, "--limit", { min: 1, max: 1000, default: 20 });
  const offset = integerOption(values.offset, "--offset", {
    min: 0,
    max: Number.MAX_SAFE_INTEGER,
    default: 0,
  });
  if (values.sort !== undefined && !(SORT_KEYS as readonly string[]).includes(values.sort))
    throw new UsageError(
      `--sort "${values.sort}" is no sort key; use one of ${SORT_KEYS.join(", ")}`,
    );
  let tree: { query: SearchNode; sort?: SearchSort } | undefined;
  if (index === "cql") {
    const parsed = cqlSearch(text);
    if ("diagnostic" in parsed)
      throw new UsageError(`CQL: ${describeDiagnostic(parsed.diagnostic)}`);
    tree = {
      query: parsed.search.node,
      ...(parsed.search.sort ? { sort: parsed.search.sort } : {}),
    };
  }
  const sort: SearchSort | undefined =
    values.sort !== undefined ? { key: values.sort as SortKey } : tree?.sort;
  const { zones, result } = await withCatalog(values, async (catalog) => {
    const zones = visibleZones(await requireZone(catalog, code));
    return {
      zones,
      result: await catalog.search({
        ...(tree ? { query: tree.query } : { text, index: index as SearchIndex }),
        ...(sort ? { sort } : {}),
        zones,
        limit,
        offset,
      }),
    };
  });
  if (values.json) {
    process.stdout.write(JSON.stringify(result, null, 2) + "\n");
    return 0;
  }
  const table = formatTable(
    [
      { heading: "MMS ID" },
      { heading: "title", max: 50 },
      { heading: "author", max: 28 },
      { heading: "date", max: 10 },
      { heading: "zone" },
    ],
    result.hits.map((h) => [h.mmsId, h.title, h.author, h.date, h.zone]),
  );
  const shown =
    result.hits.length > 0 ? `, showing ${offset + 1}–${offset + result.hits.length}` : "";
  const summary = `${result.capped ? "more than " : ""}${result.total.toLocaleString("en")} hit(s) for "${text}" (${index}) in ${zones.join(", ")}${shown}`;
  process.stdout.write((result.hits.length > 0 ? table.join("\n") + "\n" : "") + summary + "\n");
  return 0;
}
