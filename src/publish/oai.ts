/**
 * OAI-PMH 2.0 over the publishing log (`Catalog.publishing`): the six verbs, `marc21` (MARCXML),
 * `oai_dc` (the one MARC → Dublin Core crosswalk, `src/sru/dc.ts`) and, for a zone that is not
 * MARC 21, its own format as MarcXchange (records of another format through `src/crosswalk`),
 * sets by management tag,
 * zone and record type, persistent deletes, seconds granularity, inclusive `from`/`until`.
 *
 * Resumption tokens are stateless: the request's filters and a (datestamp, MMS ID) cursor, signed
 * with HMAC-SHA256 so a damaged or edited token is `badResumptionToken`. They never expire and any
 * node answers them the same way; the signature keeps harvesters from sending a token we did not
 * write (it guards no secret: every token's query is one a harvester may ask directly).
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import {
  MANAGEMENT_TAGS,
  type Catalog,
  type ManagementTag,
  type RecordFormat,
  type Zone,
} from "../catalog/catalog.js";
import type { PublishedItem, PublishedQuery } from "../catalog/publishing.js";
import { crosswalk } from "../crosswalk/crosswalk.js";
import {
  escapeXmlAttribute,
  escapeXmlText,
  MARCXCHANGE_NAMESPACE,
  writeMarcXchange,
  writeMarcXml,
} from "../marc/marcxml.js";
import { dublinCore } from "../sru/dc.js";

const OAI = "http://www.openarchives.org/OAI/2.0/";
const OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/";
const DC = "http://purl.org/dc/elements/1.1/";
const XSI = "http://www.w3.org/2001/XMLSchema-instance";

/** Records (or headers) per page. */
export const OAI_PAGE_SIZE = 100;

const MARCXCHANGE = {
  schema: "http://www.loc.gov/standards/iso25577/marcxchange-1-1.xsd",
  namespace: MARCXCHANGE_NAMESPACE,
};

/**
 * The metadata formats, by prefix: `marc21` and `oai_dc` everywhere; a zone whose format is not
 * MARC 21 also offers its own (`unimarc`, `kormarc`, `cnmarc`) as MarcXchange (ISO 25577), the
 * XML of any MARC format. A record stored in another format is delivered through the crosswalk.
 */
export const OAI_FORMATS = {
  marc21: {
    schema: "http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd",
    namespace: "http://www.loc.gov/MARC21/slim",
  },
  oai_dc: { schema: "http://www.openarchives.org/OAI/2.0/oai_dc.xsd", namespace: OAI_DC },
  unimarc: MARCXCHANGE,
  kormarc: MARCXCHANGE,
  cnmarc: MARCXCHANGE,
} as const;
type Prefix = keyof typeof OAI_FORMATS;

/** The record format each prefix delivers. */
const PREFIX_FORMAT: Readonly<Record<Prefix, RecordFormat>> = {
  marc21: "MARC21",
  oai_dc: "MARC21",
  unimarc: "UNIMARC",
  kormarc: "KORMARC",
  cnmarc: "CNMARC",
};

/** The prefixes this endpoint offers: marc21, oai_dc, and the zone's own format's. */
function prefixesOf(context: OaiContext): Prefix[] {
  const own = context.ownFormat;
  const prefixes: Prefix[] = ["marc21", "oai_dc"];
  if (own !== undefined && own !== "MARC21") prefixes.push(own.toLowerCase() as Prefix);
  return prefixes;
}

const TAG_SETS: Record<string, ManagementTag> = {
  "tag:publish-bib": MANAGEMENT_TAGS[0],
  "tag:holdings-only": MANAGEMENT_TAGS[1],
  "tag:dont-publish": MANAGEMENT_TAGS[2],
};
const RECORD_TYPES = "acdefgijkmoprt";

/** What a request is answered against. */
export interface OaiContext {
  readonly catalog: Catalog;
  readonly institution: Zone;
  /** The endpoint's URL, as the harvester reached it. */
  readonly baseUrl: string;
  /** Identify's adminEmail. */
  readonly adminEmail: string;
  /** @default OAI_PAGE_SIZE */
  readonly pageSize?: number;
  /** The zone's own record format (its Connexion profile's target format); default MARC 21. */
  readonly ownFormat?: RecordFormat;
}

type OaiErrorCode =
  | "badArgument"
  | "badResumptionToken"
  | "badVerb"
  | "cannotDisseminateFormat"
  | "idDoesNotExist"
  | "noRecordsMatch"
  | "noMetadataFormats"
  | "noSetHierarchy";

class OaiError extends Error {
  constructor(
    readonly code: OaiErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The filters a list request carries, in the token too. */
interface ListState {
  readonly prefix: Prefix;
  readonly set?: string;
  readonly from?: string;
  readonly until?: string;
  readonly after?: { readonly datestamp: string; readonly mmsId: string };
  readonly served: number;
  /** completeListSize, counted by the list's first page and carried by its tokens. */
  readonly total?: number;
}

const VERBS: Record<string, { required: string[]; optional: string[] }> = {
  Identify: { required: [], optional: [] },
  ListMetadataFormats: { required: [], optional: ["identifier"] },
  ListSets: { required: [], optional: [] },
  GetRecord: { required: ["identifier", "metadataPrefix"], optional: [] },
  ListIdentifiers: { required: ["metadataPrefix"], optional: ["from", "until", "set"] },
  ListRecords: { required: ["metadataPrefix"], optional: ["from", "until", "set"] },
};

/**
 * Answers one request. `params` holds each argument's values as given (several values of one
 * argument are `badArgument`).
 */
export async function oai(
  context: OaiContext,
  params: Readonly<Record<string, readonly string[]>>,
  now: Date = new Date(),
): Promise<string> {
  const verb = params.verb?.length === 1 ? params.verb[0]! : undefined;
  const spec = verb === undefined ? undefined : VERBS[verb];
  const responseDate = now.toISOString().replace(/\.\d{3}Z$/, "Z");
  const head = (request: string): string =>
    `<?xml version="1.0" encoding="UTF-8"?>\n<OAI-PMH xmlns="${OAI}" xmlns:xsi="${XSI}" xsi:schemaLocation="${OAI} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">\n<responseDate>${responseDate}</responseDate>\n${request}\n`;
  const bare = `<request>${escapeXmlText(context.baseUrl)}</request>`;
  if (!verb || !spec) {
    const message = !params.verb
      ? "verb is missing"
      : params.verb.length > 1
        ? "verb is repeated"
        : `${params.verb[0]} is not an OAI-PMH verb`;
    return head(bare) + error("badVerb", message) + "</OAI-PMH>\n";
  }
  const args: Record<string, string> = {};
  try {
    for (const [name, values] of Object.entries(params)) {
      if (name === "verb") continue;
      if (values.length !== 1) throw new OaiError("badArgument", `argument ${name} is repeated`);
      const allowed =
        name === "resumptionToken"
          ? spec.required.length === 1 && spec.optional.length > 0
          : spec.required.includes(name) || spec.optional.includes(name);
      if (!allowed) throw new OaiError("badArgument", `${verb} takes no argument ${name}`);
      args[name] = values[0]!;
    }
    if (args.resumptionToken !== undefined && Object.keys(args).length > 1)
      throw new OaiError("badArgument", "resumptionToken is an exclusive argument");
    if (args.resumptionToken === undefined)
      for (const name of spec.required)
        if (args[name] === undefined) throw new OaiError("badArgument", `${verb} needs ${name}`);
  } catch (e) {
    if (e instanceof OaiError) return head(bare) + error(e.code, e.message) + "</OAI-PMH>\n";
    throw e;
  }
  const attributes = Object.entries({ verb, ...args })
    .map(([n, v]) => ` ${n}="${escapeXmlAttribute(v)}"`)
    .join("");
  const request = `<request${attributes}>${escapeXmlText(context.baseUrl)}</request>`;
  try {
    const body = await answer(context, verb, args);
    return head(request) + `<${verb}>\n${body}</${verb}>\n</OAI-PMH>\n`;
  } catch (e) {
    // The protocol: a badArgument or badVerb response repeats no argument.
    if (e instanceof OaiError)
      return (
        head(e.code === "badArgument" ? bare : request) + error(e.code, e.message) + "</OAI-PMH>\n"
      );
    throw e;
  }
}

function error(code: OaiErrorCode, message: string): string {
  return `<error code="${code}">${escapeXmlText(message)}</error>\n`;
}

function zonesOf(context: OaiContext): string[] {
  const zones = [context.institution.code];
  if (context.institution.network) zones.push(context.institution.network);
  return zones;
}

async function answer(
  context: OaiContext,
  verb: string,
  args: Record<string, string>,
): Promise<string> {
  const store = context.catalog.publishing;
  const zones = zonesOf(context);
  switch (verb) {
    case "Identify": {
      const earliest = (await store.earliestDatestamp(zones)) ?? "1970-01-01T00:00:00Z";
      return (
        `<repositoryName>${escapeXmlText(context.institution.name)}</repositoryName>\n` +
        `<baseURL>${escapeXmlText(context.baseUrl)}</baseURL>\n<protocolVersion>2.0</protocolVersion>\n` +
        `<adminEmail>${escapeXmlText(context.adminEmail)}</adminEmail>\n` +
        `<earliestDatestamp>${earliest}</earliestDatestamp>\n<deletedRecord>persistent</deletedRecord>\n` +
        `<granularity>YYYY-MM-DDThh:mm:ssZ</granularity>\n`
      );
    }
    case "ListMetadataFormats": {
      if (args.identifier !== undefined) await itemOf(context, args.identifier);
      return prefixesOf(context)
        .map((prefix) => [prefix, OAI_FORMATS[prefix]] as const)
        .map(
          ([prefix, f]) =>
            `<metadataFormat><metadataPrefix>${prefix}</metadataPrefix><schema>${f.schema}</schema><metadataNamespace>${f.namespace}</metadataNamespace></metadataFormat>\n`,
        )
        .join("");
    }
    case "ListSets":
      if (args.resumptionToken !== undefined)
        throw new OaiError("badResumptionToken", "ListSets has one page: no token is valid");
      return setList(context)
        .map(
          ([spec, name]) =>
            `<set><setSpec>${spec}</setSpec><setName>${escapeXmlText(name)}</setName></set>\n`,
        )
        .join("");
    case "GetRecord": {
      const prefix = prefixOf(context, args.metadataPrefix!);
      const item = await itemOf(context, args.identifier!);
      return await recordXml(context, item, prefix);
    }
    default:
      return await list(context, verb === "ListRecords", args);
  }
}

function setList(context: OaiContext): [string, string][] {
  const sets: [string, string][] = Object.entries(TAG_SETS).map(([spec, tag]) => [
    spec,
    `Management tag: ${tag}`,
  ]);
  sets.push(["zone:iz", `Institution zone ${context.institution.code}`]);
  if (context.institution.network)
    sets.push(["zone:nz", `Network zone ${context.institution.network}`]);
  for (const t of RECORD_TYPES) sets.push([`type:${t}`, `Record type (leader/06) ${t}`]);
  return sets;
}

function prefixOf(context: OaiContext, prefix: string): Prefix {
  const offered = prefixesOf(context);
  if ((offered as string[]).includes(prefix)) return prefix as Prefix;
  throw new OaiError(
    "cannotDisseminateFormat",
    `metadataPrefix ${prefix} is not one of ${offered.join(", ")}`,
  );
}

const IDENTIFIER_PREFIX = "oai:marcgate:";

async function itemOf(context: OaiContext, identifier: string): Promise<PublishedItem> {
  const mmsId = identifier.startsWith(IDENTIFIER_PREFIX)
    ? identifier.slice(IDENTIFIER_PREFIX.length)
    : "";
  const item = mmsId ? await context.catalog.publishing.publishedItem(mmsId) : undefined;
  if (!item || !zonesOf(context).includes(item.zone))
    throw new OaiError("idDoesNotExist", `${identifier} is not an identifier of this repository`);
  return item;
}

function setsOf(context: OaiContext, item: PublishedItem): string[] {
  const tag = Object.entries(TAG_SETS).find(([, t]) => t === item.managementTag)?.[0];
  const sets = tag ? [tag] : [];
  sets.push(item.zone === context.institution.code ? "zone:iz" : "zone:nz");
  if (RECORD_TYPES.includes(item.recordType)) sets.push(`type:${item.recordType}`);
  return sets;
}

/** A record is published unless deleted or suppressed; then it is a deleted header. */
function isGone(item: PublishedItem): boolean {
  return item.deleted || item.suppressed;
}

function headerXml(context: OaiContext, item: PublishedItem): string {
  const status = isGone(item) ? ' status="deleted"' : "";
  const sets = setsOf(context, item)
    .map((s) => `<setSpec>${s}</setSpec>`)
    .join("");
  return `<header${status}><identifier>${IDENTIFIER_PREFIX}${item.mmsId}</identifier><datestamp>${item.datestamp}</datestamp>${sets}</header>\n`;
}

async function recordXml(
  context: OaiContext,
  item: PublishedItem,
  prefix: Prefix,
): Promise<string> {
  const header = headerXml(context, item);
  if (isGone(item)) return `<record>${header}</record>\n`;
  const stored = await context.catalog.record(item.mmsId);
  if (!stored) return `<record>${headerXml(context, { ...item, deleted: true })}</record>\n`;
  const format = PREFIX_FORMAT[prefix];
  const marc = crosswalk(stored.marc, stored.format, format).record;
  const metadata =
    prefix === "marc21"
      ? writeMarcXml(marc)
      : prefix !== "oai_dc"
        ? writeMarcXchange(marc, format, "Bibliographic")
        : `<oai_dc:dc xmlns:oai_dc="${OAI_DC}" xmlns:dc="${DC}" xmlns:xsi="${XSI}" xsi:schemaLocation="${OAI_DC} http://www.openarchives.org/OAI/2.0/oai_dc.xsd">` +
          dublinCore(marc)
            .map(([name, value]) => `<dc:${name}>${escapeXmlText(value)}</dc:${name}>`)
            .join("") +
          "</oai_dc:dc>";
  return `<record>${header}<metadata>${metadata}</metadata></record>\n`;
}

const DAY = /^\d{4}-\d\d-\d\d$/;
const SECOND = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

function dateArg(name: string, value: string, end: boolean): string {
  const valid = (DAY.test(value) || SECOND.test(value)) && !Number.isNaN(Date.parse(value));
  if (!valid)
    throw new OaiError("badArgument", `${name} ${value} is not YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ`);
  return DAY.test(value) ? `${value}T${end ? "23:59:59" : "00:00:00"}Z` : value;
}

function stateOf(context: OaiContext, args: Record<string, string>, secret: string): ListState {
  if (args.resumptionToken !== undefined) return readToken(context, args.resumptionToken, secret);
  const prefix = prefixOf(context, args.metadataPrefix!);
  const from = args.from === undefined ? undefined : dateArg("from", args.from, false);
  const until = args.until === undefined ? undefined : dateArg("until", args.until, true);
  if (args.from !== undefined && args.until !== undefined && args.from.length !== args.until.length)
    throw new OaiError("badArgument", "from and until have different granularities");
  if (from !== undefined && until !== undefined && from > until)
    throw new OaiError("badArgument", `from ${args.from} is after until ${args.until}`);
  return {
    prefix,
    ...(args.set === undefined ? {} : { set: args.set }),
    ...(from === undefined ? {} : { from }),
    ...(until === undefined ? {} : { until }),
    served: 0,
  };
}

function queryOf(context: OaiContext, state: ListState, limit: number): PublishedQuery | undefined {
  let zones = zonesOf(context);
  const filter: { managementTag?: ManagementTag; recordType?: string } = {};
  if (state.set !== undefined) {
    const set = setList(context).find(([spec]) => spec === state.set);
    if (!set) return undefined;
    if (state.set === "zone:iz") zones = [context.institution.code];
    else if (state.set === "zone:nz") zones = [context.institution.network!];
    else if (state.set.startsWith("type:")) filter.recordType = state.set.slice(5);
    else filter.managementTag = TAG_SETS[state.set]!;
  }
  return {
    zones,
    ...filter,
    ...(state.from === undefined ? {} : { from: state.from }),
    ...(state.until === undefined ? {} : { until: state.until }),
    ...(state.after === undefined ? {} : { after: state.after }),
    ...(state.total === undefined ? {} : { knownTotal: state.total }),
    limit,
  };
}

async function list(
  context: OaiContext,
  records: boolean,
  args: Record<string, string>,
): Promise<string> {
  const secret = context.institution.code;
  const state = stateOf(context, args, secret);
  const size = context.pageSize ?? OAI_PAGE_SIZE;
  const query = queryOf(context, state, size + 1);
  if (!query) throw new OaiError("noRecordsMatch", `there is no set ${state.set}`);
  const page = await context.catalog.publishing.publishedItems(query);
  if (page.items.length === 0) {
    if (args.resumptionToken !== undefined)
      throw new OaiError("badResumptionToken", "the token's list has no more items");
    throw new OaiError("noRecordsMatch", "no records match the request");
  }
  const items = page.items.slice(0, size);
  const total = page.total;
  let out = "";
  for (const item of items)
    out += records ? await recordXml(context, item, state.prefix) : headerXml(context, item);
  const last = items.at(-1)!;
  const more = page.items.length > size;
  const tokenAttributes = ` completeListSize="${total}" cursor="${state.served}"`;
  if (more) {
    const next: ListState = {
      ...state,
      after: { datestamp: last.datestamp, mmsId: last.mmsId },
      served: state.served + items.length,
      total,
    };
    out += `<resumptionToken${tokenAttributes}>${writeToken(next, secret)}</resumptionToken>\n`;
  } else if (args.resumptionToken !== undefined) {
    out += `<resumptionToken${tokenAttributes}/>\n`;
  }
  return out;
}

function sign(body: string, secret: string): string {
  return createHmac("sha256", `marcgate-oai:${secret}`).update(body).digest("base64url");
}

function writeToken(state: ListState, secret: string): string {
  const body = Buffer.from(JSON.stringify(state), "utf8").toString("base64url");
  return `${body}.${sign(body, secret)}`;
}

function readToken(context: OaiContext, token: string, secret: string): ListState {
  const [body, signature, extra] = token.split(".");
  const bad = new OaiError(
    "badResumptionToken",
    `${token} is not a resumption token of this repository`,
  );
  if (!body || !signature || extra !== undefined) throw bad;
  const expected = Buffer.from(sign(body, secret));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw bad;
  let state: unknown;
  try {
    state = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
  } catch {
    throw bad;
  }
  if (!isListState(state) || !(prefixesOf(context) as string[]).includes(state.prefix)) throw bad;
  return state;
}

const optionalString = (value: unknown): boolean =>
  value === undefined || typeof value === "string";

/** Whether a token's body has the shape `writeToken` gives it (a guessed body must not pass). */
function isListState(value: unknown): value is ListState {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  const after = v.after as Record<string, unknown> | undefined;
  return (
    typeof v.prefix === "string" &&
    v.prefix in OAI_FORMATS &&
    optionalString(v.set) &&
    optionalString(v.from) &&
    optionalString(v.until) &&
    Number.isSafeInteger(v.served) &&
    (v.total === undefined || (Number.isSafeInteger(v.total) && (v.total as number) >= 0)) &&
    (v.served as number) >= 0 &&
    (after === undefined ||
      (typeof after === "object" &&
        after !== null &&
        typeof after.datestamp === "string" &&
        typeof after.mmsId === "string"))
  );
}
