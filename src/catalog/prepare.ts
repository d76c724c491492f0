/**
 * What every engine derives from a record before it writes it, and the checks every engine makes
 * the same way. Engines differ in SQL, not in meaning.
 */
import {
  extractMatchKeys,
  normalizeIsbn,
  normalizeIssn,
  normalizeOclcNumber,
  type MatchKey,
  type MatchKeyKind,
} from "../marc/match-keys.js";
import type { Field, MarcRecord } from "../marc/record.js";
import {
  CatalogError,
  MANAGEMENT_TAGS,
  RECORD_FORMATS,
  type CommitRequest,
  type JobOutcome,
  type LocalFieldsChange,
  type RecordAttributes,
  type RecordCreate,
  type RecordFormat,
  type SaveContext,
  type SearchIndex,
} from "./catalog.js";
import { searchDocument, normalizeSearchText, type SearchDocument } from "./search-text.js";
import { encodeStoredMarc } from "./stored-marc.js";

/** A record ready to be written: its stored bytes, match keys and search document. */
export interface PreparedRecord {
  readonly bytes: Buffer;
  readonly keys: readonly MatchKey[];
  readonly search: SearchDocument;
}

/**
 * A record's stored bytes, keys and search document. A UNIMARC or CNMARC record's keys and
 * search text come from UNIMARC's tags, so that a record is found by the same ISBN, OCLC number
 * and title whatever format its zone keeps.
 */
/** Where a format keeps its keys and text: UNIMARC's places (UNIMARC, CNMARC) or MARC 21's. */
export function formatFamily(format: string): "UNIMARC" | "MARC21" {
  return format === "UNIMARC" || format === "CNMARC" ? "UNIMARC" : "MARC21";
}

export function prepareRecord(marc: MarcRecord, format: RecordFormat = "MARC21"): PreparedRecord {
  const family = formatFamily(format);
  return {
    bytes: encodeStoredMarc(marc),
    keys: extractMatchKeys(marc, { family }),
    search: searchDocument(marc, family),
  };
}

/**
 * The MARC a create stores once its MMS ID is known: as given, or with `controlNumber: "mms-id"`
 * the MMS ID as 001 (the first field tagged 001 replaced in place, or a 001 put first).
 */
export function createdMarc(change: RecordCreate, mmsId: string): MarcRecord {
  if (change.controlNumber !== "mms-id") return change.marc;
  const controlNumber: Field = { tag: "001", value: mmsId };
  const fields = [...change.marc.fields];
  const at = fields.findIndex((f) => f.tag === "001");
  if (at >= 0) fields[at] = controlNumber;
  else fields.unshift(controlNumber);
  return { ...change.marc, fields };
}

/**
 * A commit request staged for writing: the record prepared (stored bytes, keys, search text) and
 * the job row's messages and log as the JSON text stored — no MARC left to encode, nothing left
 * to serialize. Staging is pure, so it can run away from the connection that writes (the SQLite
 * writer thread gets staged commits from the main thread).
 */
export interface StagedCommit {
  readonly change?: StagedCreate | StagedUpdate;
  readonly localFields?: LocalFieldsChange;
  readonly entry?: StagedEntry;
  readonly context: SaveContext;
}

/** A create with its MMS ID taken: `prepared` is the record as stored under it. */
export interface StagedCreate extends RecordAttributes {
  readonly kind: "create";
  readonly zone: string;
  readonly mmsId: string;
  readonly prepared: PreparedRecord;
}

export interface StagedUpdate extends RecordAttributes {
  readonly kind: "update";
  readonly mmsId: string;
  readonly expectedVersion: number;
  readonly prepared: PreparedRecord;
}

/** A job row with its messages and decision log as JSON text. */
export interface StagedEntry {
  readonly jobId: number;
  readonly raw: Uint8Array;
  readonly outcome: JobOutcome;
  readonly reasonCode?: string;
  readonly messagesJson: string;
  readonly logJson: string;
  readonly forcedFrom?: number;
}

/**
 * Stages a commit request. A create needs the MMS ID its record gets (the engine takes it from
 * its sequence); the record's 001 becomes that ID when the create asks for it.
 */
export function stageCommit(request: CommitRequest, createdMmsId?: string): StagedCommit {
  const { change, entry, localFields, context } = request;
  let staged: StagedCreate | StagedUpdate | undefined;
  if (change?.kind === "create") {
    if (createdMmsId === undefined) throw new Error("a create is staged with its MMS ID");
    const { marc, controlNumber, ...rest } = change;
    void marc;
    void controlNumber;
    const prepared = prepareRecord(createdMarc(change, createdMmsId), change.format);
    staged = { ...rest, mmsId: createdMmsId, prepared };
  } else if (change?.kind === "update") {
    const { marc, ...rest } = change;
    staged = { ...rest, prepared: prepareRecord(marc, change.format) };
  }
  let stagedEntry: StagedEntry | undefined;
  if (entry) {
    const { messages, log, ...rest } = entry;
    stagedEntry = {
      ...rest,
      messagesJson: JSON.stringify(messages),
      logJson: JSON.stringify(log ?? null),
    };
  }
  return {
    context,
    ...(staged ? { change: staged } : {}),
    ...(stagedEntry ? { entry: stagedEntry } : {}),
    ...(localFields ? { localFields } : {}),
  };
}

/** Record attributes with their defaults, checked. */
export interface FullAttributes {
  readonly format: (typeof RECORD_FORMATS)[number];
  readonly briefLevel: string;
  readonly originatingVersion: string | undefined;
  readonly czLinked: boolean;
  readonly managementTag: (typeof MANAGEMENT_TAGS)[number];
  readonly suppressed: boolean;
}

export const DEFAULT_ATTRIBUTES: FullAttributes = {
  format: "MARC21",
  briefLevel: "10",
  originatingVersion: undefined,
  czLinked: false,
  managementTag: "Publish bibliographic records",
  suppressed: false,
};

/** The attributes after a save: what it sets, else what was there. Bad values are `invalid`. */
export function mergeAttributes(base: FullAttributes, change: RecordAttributes): FullAttributes {
  const merged: FullAttributes = {
    format: change.format ?? base.format,
    briefLevel: change.briefLevel ?? base.briefLevel,
    originatingVersion:
      change.originatingVersion === null
        ? undefined
        : (change.originatingVersion ?? base.originatingVersion),
    czLinked: change.czLinked ?? base.czLinked,
    managementTag: change.managementTag ?? base.managementTag,
    suppressed: change.suppressed ?? base.suppressed,
  };
  if (!RECORD_FORMATS.includes(merged.format))
    throw new CatalogError(
      "invalid",
      `format "${merged.format}" is not one of ${RECORD_FORMATS.join(", ")}`,
    );
  if (!/^(0[1-9]|10)$/.test(merged.briefLevel))
    throw new CatalogError("invalid", `brief level "${merged.briefLevel}" is not 01–10`);
  if (!MANAGEMENT_TAGS.includes(merged.managementTag)) {
    throw new CatalogError(
      "invalid",
      `management tag "${merged.managementTag}" is not one of ${MANAGEMENT_TAGS.join(", ")}`,
    );
  }
  return merged;
}

/** A zone or record code must be printable and short. */
export function checkCode(code: string, what: string): void {
  if (!/^[A-Za-z0-9_-]{1,40}$/.test(code)) {
    throw new CatalogError("invalid", `${what} "${code}" must be 1–40 letters, digits, "_" or "-"`);
  }
}

/**
 * An integration profile's type and code, checked, and its settings as the JSON text both engines
 * store. Type and code are 1–100 characters, not only spaces, no control characters; the settings
 * must be a JSON object (what `JSON.stringify` makes of it is what reads back).
 */
export function integrationProfileColumns(profile: {
  type: string;
  code: string;
  settings: unknown;
}): { type: string; code: string; settings: string } {
  checkLabel(profile.type, "integration type");
  checkLabel(profile.code, "profile code");
  const { settings } = profile;
  if (typeof settings !== "object" || settings === null || Array.isArray(settings)) {
    throw new CatalogError("invalid", "profile settings must be a JSON object");
  }
  let json: string;
  try {
    json = JSON.stringify(settings);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CatalogError("invalid", `profile settings are not JSON: ${reason}`);
  }
  return { type: profile.type, code: profile.code, settings: json };
}

function checkLabel(value: string, what: string): void {
  // eslint-disable-next-line no-control-regex
  if (typeof value !== "string" || !/^(?=.*\S)[^\x00-\x1f\x7f]{1,100}$/su.test(value)) {
    throw new CatalogError(
      "invalid",
      `${what} ${JSON.stringify(value)} must be 1–100 characters, not blank, no control characters`,
    );
  }
}

/** How a search on an identifier index looks: the key kinds and the normalized value. */
export function identifierLookup(
  index: SearchIndex,
  text: string,
): { kinds: MatchKeyKind[]; value: string | undefined } | undefined {
  switch (index) {
    case "isbn":
      return { kinds: ["isbn", "isbn-cancelled"], value: normalizeIsbn(text) };
    case "issn":
      return { kinds: ["issn", "issn-linking", "issn-cancelled"], value: normalizeIssn(text) };
    case "oclc":
      return { kinds: ["oclc", "oclc-cancelled"], value: normalizeOclcNumber(text) };
    default:
      return undefined;
  }
}

/** The words of a full-text query, normalized as documents are. */
export function queryWords(text: string): string[] {
  const normalized = normalizeSearchText(text);
  return normalized ? normalized.split(" ") : [];
}
