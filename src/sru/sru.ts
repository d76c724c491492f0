/**
 * SRU 1.2 and 2.0 (LoC SRU 1.2; OASIS searchRetrieve 2.0) over the catalog: explain,
 * searchRetrieve, scan. A request is its URL parameters; the answer is an XML document, errors
 * included (SRU diagnostics, HTTP 200 as the standard asks).
 *
 * - Version: `version=1.1|1.2` answers in SRU 1.2's namespace (http://www.loc.gov/zing/srw/),
 *   `version=2.0` in 2.0's (sruResponse, scan, diagnostic namespaces of docs.oasis-open.org).
 *   Without `version`: 2.0 when `operation` is absent too (2.0 requests may leave both out),
 *   else 1.2.
 * - Records: `recordSchema` marcxml (default) or dc; packed as XML or as an escaped string
 *   (1.2 `recordPacking=xml|string`, 2.0 `recordXMLEscaping=xml|string`).
 * - Paging: `startRecord` (1-based) and `maximumRecords` (default 10, at most 100) at any depth:
 *   counts are exact, no 10,000 wall.
 * - Sorting: CQL `sortBy` (1.2 and 2.0) or 1.1's `sortKeys=title,,1`.
 * - Suppressed records are not served (searches leave them out; scan still counts them).
 */
import type { Catalog, ScanIndex, Zone } from "../catalog/catalog.js";
import type { SearchSort } from "../catalog/search-query.js";
import {
  escapeXmlAttribute as attr,
  escapeXmlText as text,
  writeMarcXml,
} from "../marc/marcxml.js";
import { parseCql } from "../search/cql.js";
import { cqlSearch } from "../search/cql-search.js";
import {
  DIAGNOSTIC,
  DIAGNOSTIC_URI,
  diagnostic,
  type SearchDiagnostic,
} from "../search/diagnostic.js";
import { CONTEXT_SETS, INDEXES, indexByName } from "../search/indexes.js";
import { crosswalk } from "../crosswalk/crosswalk.js";
import { DC_SCHEMA_URI, writeDublinCore } from "./dc.js";

export const MARCXML_SCHEMA_URI = "info:srw/schema/1/marcxml-v1.1";
const EXPLAIN_NS = "http://explain.z3950.org/dtd/2.0/";
const SRW_NS = "http://www.loc.gov/zing/srw/";
const SRW_DIAG_NS = "http://www.loc.gov/zing/srw/diagnostic/";
const SRU2_NS = "http://docs.oasis-open.org/ns/search-ws/sruResponse";
const SRU2_SCAN_NS = "http://docs.oasis-open.org/ns/search-ws/scan";
const SRU2_DIAG_NS = "http://docs.oasis-open.org/ns/search-ws/diagnostic";
/** The `alma.` names are marcgate's aliases of Alma's index names (no published set URI). */
const ALMA_SET = "info:marcgate/cql-context-set/alma-aliases";

export const DEFAULT_RECORDS = 10;
export const MAXIMUM_RECORDS = 100;
const DEFAULT_TERMS = 20;
const MAXIMUM_TERMS = 100;

const SCHEMAS = [
  { name: "marcxml", uri: MARCXML_SCHEMA_URI, title: "MARC 21 XML (MARCXML)" },
  { name: "dc", uri: DC_SCHEMA_URI, title: "Dublin Core (simple)" },
] as const;
type SchemaName = (typeof SCHEMAS)[number]["name"];

export interface SruAnswer {
  readonly xml: string;
}

export interface SruContext {
  readonly catalog: Catalog;
  readonly institution: Zone;
  /** `host:port` and path the explain record gives. */
  readonly host: string;
  readonly port: number;
  readonly path: string;
}

type Version = "1.2" | "2.0";

interface Common {
  readonly version: Version;
  /** The version as asked (1.1 and 1.2 answer alike). */
  readonly asked: string;
}

const PARAMETERS = new Set([
  "operation",
  "version",
  "query",
  "startRecord",
  "maximumRecords",
  "recordPacking",
  "recordXMLEscaping",
  "recordSchema",
  "resultSetTTL",
  "stylesheet",
  "sortKeys",
  "scanClause",
  "responsePosition",
  "maximumTerms",
  "queryType",
  "httpAccept",
  "recordXPath",
]);

function versionOf(params: Readonly<Record<string, string>>): Common {
  const asked = params["version"] ?? (params["operation"] === undefined ? "2.0" : "1.2");
  return { version: asked === "2.0" ? "2.0" : "1.2", asked };
}

/** A response of one fatal diagnostic in the version the request asked for. */
export function sruRefusal(
  params: Readonly<Record<string, string>>,
  d: SearchDiagnostic,
): SruAnswer {
  return fatal(versionOf(params), d);
}

/** Answers one SRU request (URL parameters, repeated ones as given first). */
export async function sru(
  context: SruContext,
  params: Readonly<Record<string, string>>,
): Promise<SruAnswer> {
  const operationGiven = params["operation"];
  const common = versionOf(params);
  const asked = common.asked;
  if (!["1.1", "1.2", "2.0"].includes(asked))
    return fatal(
      common,
      diagnostic(DIAGNOSTIC.unsupportedVersion, "Unsupported version", "1.2, 2.0"),
    );
  for (const name of Object.keys(params))
    if (!PARAMETERS.has(name) && !name.startsWith("x-"))
      return fatal(
        common,
        diagnostic(DIAGNOSTIC.unsupportedParameter, "Unsupported parameter", name),
      );
  const operation =
    operationGiven ??
    (params["query"] !== undefined
      ? "searchRetrieve"
      : params["scanClause"] !== undefined
        ? "scan"
        : "explain");
  switch (operation) {
    case "explain":
      return { xml: explain(context, common) };
    case "searchRetrieve":
      return searchRetrieve(context, common, params);
    case "scan":
      return scan(context, common, params);
    default:
      return fatal(
        common,
        diagnostic(DIAGNOSTIC.unsupportedOperation, "Unsupported operation", operation),
      );
  }
}

const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

function diagnosticsXml(
  version: Version,
  list: readonly SearchDiagnostic[],
  prefix: string,
): string {
  const ns = version === "2.0" ? SRU2_DIAG_NS : SRW_DIAG_NS;
  const items = list
    .map((d) => {
      const details = [
        d.details,
        d.position !== undefined ? `at character ${d.position}` : undefined,
      ]
        .filter((x) => x !== undefined)
        .join(", ");
      return (
        `<diag:diagnostic xmlns:diag="${ns}"><diag:uri>${DIAGNOSTIC_URI}${d.code}</diag:uri>` +
        (details ? `<diag:details>${text(details)}</diag:details>` : "") +
        `<diag:message>${text(d.message)}</diag:message></diag:diagnostic>`
      );
    })
    .join("");
  return `<${prefix}:diagnostics>${items}</${prefix}:diagnostics>`;
}

/** A searchRetrieve answer carrying one fatal diagnostic (what SRU answers to a bad request). */
function fatal(common: Common, d: SearchDiagnostic): SruAnswer {
  const { version } = common;
  if (version === "2.0")
    return {
      xml:
        DECLARATION +
        `<sruResponse:searchRetrieveResponse xmlns:sruResponse="${SRU2_NS}"><sruResponse:version>2.0</sruResponse:version>` +
        `<sruResponse:numberOfRecords>0</sruResponse:numberOfRecords>${diagnosticsXml(version, [d], "sruResponse")}</sruResponse:searchRetrieveResponse>\n`,
    };
  return {
    xml:
      DECLARATION +
      `<zs:searchRetrieveResponse xmlns:zs="${SRW_NS}"><zs:version>${text(common.asked === "1.1" ? "1.1" : "1.2")}</zs:version>` +
      `<zs:numberOfRecords>0</zs:numberOfRecords>${diagnosticsXml(version, [d], "zs")}</zs:searchRetrieveResponse>\n`,
  };
}

function integer(
  value: string | undefined,
  name: string,
  fallback: number,
  min: number,
): number | SearchDiagnostic {
  if (value === undefined || value === "") return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min)
    return diagnostic(
      DIAGNOSTIC.unsupportedParameterValue,
      "Unsupported parameter value",
      `${name}=${value}`,
    );
  return Number(value);
}

function schemaOf(name: string | undefined): SchemaName | undefined {
  if (name === undefined || name === "") return "marcxml";
  const lower = name.toLowerCase();
  const found = SCHEMAS.find(
    (s) =>
      s.name === lower ||
      s.uri === name ||
      (s.name === "marcxml" && (lower === "marc21" || lower === "marc21xml")),
  );
  return found?.name;
}

/** 1.1's `sortKeys`: `key,schema,ascending` (only the first key). */
function sortKeysParameter(value: string): SearchSort | SearchDiagnostic {
  const [key = "", , ascending] = value.trim().split(/\s+/u)[0]!.split(",");
  const sort = indexByName(key)?.sort ?? (key === "relevance" ? "relevance" : undefined);
  if (!sort) return diagnostic(DIAGNOSTIC.sortUnsupported, "Sort not supported on this index", key);
  return {
    key: sort,
    ...(ascending !== undefined && ascending !== "" ? { descending: ascending === "0" } : {}),
  };
}

function isDiagnostic(value: unknown): value is SearchDiagnostic {
  return typeof value === "object" && value !== null && "code" in value;
}

function zonesOf(zone: Zone): string[] {
  return zone.network ? [zone.code, zone.network] : [zone.code];
}

async function searchRetrieve(
  context: SruContext,
  common: Common,
  params: Readonly<Record<string, string>>,
): Promise<SruAnswer> {
  const { version } = common;
  const query = params["query"];
  if (query === undefined || query.trim() === "")
    return fatal(
      common,
      diagnostic(DIAGNOSTIC.mandatoryParameterMissing, "Mandatory parameter not supplied", "query"),
    );
  if (params["queryType"] !== undefined && params["queryType"] !== "cql")
    return fatal(
      common,
      diagnostic(
        DIAGNOSTIC.unsupportedParameterValue,
        "Unsupported parameter value",
        `queryType=${params["queryType"]}`,
      ),
    );
  const start = integer(params["startRecord"], "startRecord", 1, 1);
  if (isDiagnostic(start)) return fatal(common, start);
  const maximum = integer(params["maximumRecords"], "maximumRecords", DEFAULT_RECORDS, 0);
  if (isDiagnostic(maximum)) return fatal(common, maximum);
  const schema = schemaOf(params["recordSchema"]);
  if (!schema)
    return fatal(
      common,
      diagnostic(DIAGNOSTIC.unknownSchema, "Unknown schema for retrieval", params["recordSchema"]),
    );
  const escaping =
    version === "2.0" ? (params["recordXMLEscaping"] ?? "xml") : (params["recordPacking"] ?? "xml");
  if (escaping !== "xml" && escaping !== "string")
    return fatal(
      common,
      diagnostic(DIAGNOSTIC.unsupportedPacking, "Unsupported record packing", escaping),
    );
  if (
    version === "2.0" &&
    params["recordPacking"] !== undefined &&
    params["recordPacking"] !== "packed"
  )
    return fatal(
      common,
      diagnostic(
        DIAGNOSTIC.unsupportedPacking,
        "Unsupported record packing",
        params["recordPacking"],
      ),
    );
  const parsed = cqlSearch(query);
  if ("diagnostic" in parsed) return fatal(common, parsed.diagnostic);
  let sort = parsed.search.sort;
  if (params["sortKeys"] !== undefined && params["sortKeys"] !== "") {
    const fromKeys = sortKeysParameter(params["sortKeys"]);
    if (isDiagnostic(fromKeys)) return fatal(common, fromKeys);
    sort = fromKeys;
  }
  const count = Math.min(maximum, MAXIMUM_RECORDS);
  const result = await context.catalog.search({
    query: parsed.search.node,
    ...(sort ? { sort } : {}),
    zones: zonesOf(context.institution),
    offset: start - 1,
    limit: count,
    exactCount: true,
    excludeSuppressed: true,
  });
  const diagnostics: SearchDiagnostic[] = [];
  if (start > result.total && result.total > 0)
    return fatal(
      common,
      diagnostic(
        DIAGNOSTIC.firstRecordOutOfRange,
        "First record position out of range",
        String(start),
      ),
    );
  if (sort && sort.key !== "relevance" && result.order === "newest")
    diagnostics.push(
      diagnostic(
        DIAGNOSTIC.tooManyRecordsToSort,
        "Too many records to sort (listed newest first)",
        String(result.total),
      ),
    );
  const p = version === "2.0" ? "sruResponse" : "zs";
  const records: string[] = [];
  let position = start;
  for (const hit of result.hits) {
    const stored = await context.catalog.record(hit.mmsId);
    if (!stored) continue;
    // MARCXML and Dublin Core are MARC 21's: a record of another format goes through the crosswalk.
    const marc = crosswalk(stored.marc, stored.format, "MARC21").record;
    const data = schema === "dc" ? writeDublinCore(marc) : writeMarcXml(marc).trimEnd();
    const packed = escaping === "string" ? text(data) : data;
    const schemaUri = SCHEMAS.find((s) => s.name === schema)!.uri;
    records.push(
      `<${p}:record><${p}:recordSchema>${schemaUri}</${p}:recordSchema>` +
        (version === "2.0"
          ? `<${p}:recordXMLEscaping>${escaping}</${p}:recordXMLEscaping>`
          : `<${p}:recordPacking>${escaping}</${p}:recordPacking>`) +
        `<${p}:recordData>${packed}</${p}:recordData><${p}:recordPosition>${position}</${p}:recordPosition></${p}:record>`,
    );
    position++;
  }
  const next =
    start - 1 + result.hits.length < result.total && result.hits.length > 0
      ? start + result.hits.length
      : undefined;
  // SRU 1.2's echo (query, startRecord, maximumRecords, recordPacking, recordSchema in the
  // schema's order); 2.0's echo is optional and left out.
  const echoed =
    version === "2.0"
      ? ""
      : `<${p}:echoedSearchRetrieveRequest><${p}:version>${text(common.asked)}</${p}:version><${p}:query>${text(query)}</${p}:query>` +
        `<${p}:startRecord>${start}</${p}:startRecord><${p}:maximumRecords>${maximum}</${p}:maximumRecords>` +
        `<${p}:recordPacking>${escaping}</${p}:recordPacking><${p}:recordSchema>${schema}</${p}:recordSchema></${p}:echoedSearchRetrieveRequest>`;
  const body =
    `<${p}:version>${text(version === "2.0" ? "2.0" : common.asked)}</${p}:version>` +
    `<${p}:numberOfRecords>${result.total}</${p}:numberOfRecords>` +
    (records.length > 0 ? `<${p}:records>${records.join("")}</${p}:records>` : "") +
    (next !== undefined ? `<${p}:nextRecordPosition>${next}</${p}:nextRecordPosition>` : "") +
    echoed +
    (diagnostics.length > 0 ? diagnosticsXml(version, diagnostics, p) : "") +
    (version === "2.0"
      ? `<${p}:resultCountPrecision>info:srw/vocabulary/resultCountPrecision/1/exact</${p}:resultCountPrecision>`
      : "");
  const ns = version === "2.0" ? SRU2_NS : SRW_NS;
  return {
    xml: `${DECLARATION}<${p}:searchRetrieveResponse xmlns:${p}="${ns}">${body}</${p}:searchRetrieveResponse>\n`,
  };
}

async function scan(
  context: SruContext,
  common: Common,
  params: Readonly<Record<string, string>>,
): Promise<SruAnswer> {
  const { version } = common;
  const clause = params["scanClause"];
  const p = version === "2.0" ? "scan" : "zs";
  const ns = version === "2.0" ? SRU2_SCAN_NS : SRW_NS;
  const refuse = (d: SearchDiagnostic): SruAnswer => ({
    xml: `${DECLARATION}<${p}:scanResponse xmlns:${p}="${ns}"><${p}:version>${version === "2.0" ? "2.0" : text(common.asked)}</${p}:version>${diagnosticsXml(version, [d], p)}</${p}:scanResponse>\n`,
  });
  if (clause === undefined || clause.trim() === "")
    return refuse(
      diagnostic(
        DIAGNOSTIC.mandatoryParameterMissing,
        "Mandatory parameter not supplied",
        "scanClause",
      ),
    );
  const parsed = parseCql(clause);
  if ("error" in parsed)
    return refuse(
      diagnostic(
        DIAGNOSTIC.querySyntaxError,
        `Query syntax error: ${parsed.error.message}`,
        clause,
        parsed.error.position,
      ),
    );
  const root = parsed.query.root;
  if (root.type !== "searchClause")
    return refuse(
      diagnostic(
        DIAGNOSTIC.queryFeatureUnsupported,
        "Query feature unsupported: scan takes one index and a term",
        clause,
      ),
    );
  const info = indexByName(root.index);
  if (!info?.scan || info.scan === "subject")
    return refuse(
      diagnostic(
        DIAGNOSTIC.unsupportedIndex,
        "Unsupported index for scan (dc.title and dc.creator are browsed)",
        root.index,
        root.position,
      ),
    );
  const position = integer(params["responsePosition"], "responsePosition", 1, 0);
  if (isDiagnostic(position)) return refuse(position);
  if (position > 1)
    return refuse(
      diagnostic(
        DIAGNOSTIC.responsePositionOutOfRange,
        "Response position out of range (scan lists from the term on: 0 or 1)",
        String(position),
      ),
    );
  const maximum = integer(params["maximumTerms"], "maximumTerms", DEFAULT_TERMS, 1);
  if (isDiagnostic(maximum)) return refuse(maximum);
  if (maximum > MAXIMUM_TERMS)
    return refuse(
      diagnostic(DIAGNOSTIC.tooManyTermsRequested, "Too many terms requested", String(maximum)),
    );
  const terms = await context.catalog.scan({
    index: info.scan as ScanIndex,
    from: root.term,
    zones: zonesOf(context.institution),
    count: maximum,
  });
  const list = terms
    .map(
      (t) =>
        `<${p}:term><${p}:value>${text(t.term)}</${p}:value><${p}:numberOfRecords>${t.count}</${p}:numberOfRecords>` +
        `<${p}:displayTerm>${text(t.term)}</${p}:displayTerm></${p}:term>`,
    )
    .join("");
  const echoed =
    `<${p}:echoedScanRequest><${p}:version>${text(common.asked)}</${p}:version><${p}:scanClause>${text(clause)}</${p}:scanClause>` +
    `<${p}:responsePosition>${position}</${p}:responsePosition><${p}:maximumTerms>${maximum}</${p}:maximumTerms></${p}:echoedScanRequest>`;
  return {
    xml:
      `${DECLARATION}<${p}:scanResponse xmlns:${p}="${ns}"><${p}:version>${version === "2.0" ? "2.0" : text(common.asked)}</${p}:version>` +
      (list ? `<${p}:terms>${list}</${p}:terms>` : "") +
      `${echoed}</${p}:scanResponse>\n`,
  };
}

function explain(context: SruContext, common: Common): string {
  const { version } = common;
  const sets = [
    ["cql", "info:srw/cql-context-set/1/cql-v1.2"],
    ["dc", "info:srw/cql-context-set/1/dc-v1.1"],
    ["bath", "http://zing.z3950.org/cql/bath/2.0/"],
    ["rec", "info:srw/cql-context-set/2/rec-1.1"],
    ["alma", ALMA_SET],
  ];
  void CONTEXT_SETS;
  const indexes = INDEXES.map((info) => {
    const names = [info.name, ...info.aliases.filter((a) => a.includes("."))];
    const maps = names
      .map((n) => {
        const [set, ...rest] = n.split(".");
        return `<map><name set="${attr(set!)}">${text(rest.join("."))}</name></map>`;
      })
      .join("");
    return (
      `<index search="true" scan="${info.scan && info.scan !== "subject" ? "true" : "false"}" sort="${info.sort ? "true" : "false"}">` +
      `<title>${text(info.title)}</title>${maps}</index>`
    );
  }).join("");
  const record =
    `<explain xmlns="${EXPLAIN_NS}">` +
    `<serverInfo protocol="SRU" version="${version}"><host>${text(context.host)}</host><port>${context.port}</port>` +
    `<database>${text(context.path.replace(/^\//, ""))}</database></serverInfo>` +
    `<databaseInfo><title>${text(context.institution.name)} (${text(context.institution.code)})</title>` +
    `<description>The records of ${text(context.institution.code)}${context.institution.network ? ` and its network zone ${text(context.institution.network)}` : ""} in marcgate</description></databaseInfo>` +
    `<indexInfo>${sets.map(([name, uri]) => `<set name="${name}" identifier="${attr(uri!)}"/>`).join("")}${indexes}` +
    `<sortKeyword>cql.relevance</sortKeyword></indexInfo>` +
    `<schemaInfo>${SCHEMAS.map((s) => `<schema identifier="${s.uri}" name="${s.name}" retrieve="true" sort="false"><title>${text(s.title)}</title></schema>`).join("")}</schemaInfo>` +
    `<configInfo><default type="numberOfRecords">${DEFAULT_RECORDS}</default><default type="contextSet">cql</default>` +
    `<default type="index">cql.serverChoice</default><default type="relation">=</default>` +
    `<setting type="maximumRecords">${MAXIMUM_RECORDS}</setting><setting type="maximumTerms">${MAXIMUM_TERMS}</setting>` +
    `<supports type="relation">=</supports><supports type="relation">==</supports><supports type="relation">adj</supports>` +
    `<supports type="relation">all</supports><supports type="relation">any</supports><supports type="relation">&lt;</supports>` +
    `<supports type="relation">&lt;=</supports><supports type="relation">&gt;</supports><supports type="relation">&gt;=</supports>` +
    `<supports type="relation">within</supports><supports type="booleanModifier">none</supports>` +
    `<supports type="maskingCharacter">*</supports><supports type="sort">sortBy</supports></configInfo></explain>`;
  if (version === "2.0")
    return (
      DECLARATION +
      `<sruResponse:explainResponse xmlns:sruResponse="${SRU2_NS}"><sruResponse:version>2.0</sruResponse:version>` +
      `<sruResponse:record><sruResponse:recordSchema>${EXPLAIN_NS}</sruResponse:recordSchema><sruResponse:recordXMLEscaping>xml</sruResponse:recordXMLEscaping>` +
      `<sruResponse:recordData>${record}</sruResponse:recordData></sruResponse:record></sruResponse:explainResponse>\n`
    );
  return (
    DECLARATION +
    `<zs:explainResponse xmlns:zs="${SRW_NS}"><zs:version>${text(common.asked)}</zs:version>` +
    `<zs:record><zs:recordSchema>${EXPLAIN_NS}</zs:recordSchema><zs:recordPacking>xml</zs:recordPacking>` +
    `<zs:recordData>${record}</zs:recordData></zs:record></zs:explainResponse>\n`
  );
}
