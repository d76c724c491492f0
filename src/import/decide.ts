/**
 * `decide`: what should become of one incoming record, under an institution's Connexion
 * profile, given a read-only view of the catalog. Pure in the sense that matters: it reads the
 * catalog and writes nothing, so dry runs, previews and tests need no database writes, and every
 * write happens in `commit`.
 *
 * The stages run in order (see `STAGES` in `log.ts`) and each adds to the log:
 * read → convert (MARC-8 → UTF-8; target format) → normalize (initial normalization) →
 * validate (the validation exception profile) → match (serial or non-serial method, in the IZ
 * or the NZ, where the institution's local fields are kept apart from the shared record) →
 * guard (CZ link, lock, brief level, older version) → merge (a merge that would change nothing: `unchanged`, nothing saved) → tag
 * (management tag) → brief-level.
 */
import type {
  Catalog,
  JobOutcome,
  LocalFieldsChange,
  RecordAttributes,
  RecordCreate,
  RecordUpdate,
  StoredRecord,
  Zone,
} from "../catalog/catalog.js";
import { decodeIso2709, iso2709Fits, writeIso2709 } from "../marc/iso2709.js";
import { writeMarcJson } from "../marc/marcjson.js";
import { formatIssue, type MarcIssue, type ReadResult } from "../marc/issue.js";
import {
  getControlValue,
  insertFieldsByTag,
  recordKind,
  sameMarc,
  type Field,
  type MarcRecord,
} from "../marc/record.js";
import { initialNormalization } from "./initial-normalization.js";
import { sameFields, splitLocalFields } from "./local-fields.js";
import type { LogEntry, ReasonCode } from "./log.js";
import {
  chooseMatchMethod,
  matchClaims,
  matchKeysOf,
  runMatchMethod,
  type MatchResult,
} from "./match.js";
import type { StoredProfileSettings } from "./profile.js";
import { authorityProfile } from "./authority.js";
import { runBriefLevel, runMerge, runNormalization } from "./rule-stages.js";
import { heldReason } from "./match/validate.js";
import { runValidation } from "./validate-stage.js";
import { inMarc21, toTargetFormat, type StoredFormats } from "./target-format.js";

/** What `decide` may read of the catalog (the match methods read the title search too). */
export type CatalogView = Pick<Catalog, "findByKey" | "record" | "search" | "localFields">;

/** A record as it arrived: what the reader made of it, and the coding its bytes declared. */
export interface Incoming {
  readonly read: ReadResult<MarcRecord>;
  /** leader/09 of the record as received: blank is MARC-8. */
  readonly receivedCoding: "marc8" | "unicode" | "other";
  /**
   * Why the record is known to be cut short (the sender stopped before the length its leader
   * gives, and no record terminator came): such a record is never saved, however well it reads.
   */
  readonly cutShort?: string;
  /**
   * Why ISO 2709 cannot hold a record read from MARCXML, MARC-in-JSON or mnemonic (over 99,999
   * bytes, or a field over 9,999): such a record is rejected, and kept as MARC-in-JSON.
   */
  readonly tooBig?: string;
}

/** How a record's bytes ended, when the transport knows (a Connexion request does). */
export interface ArrivalEnd {
  /** `terminator`: the record terminator came; else the sender went quiet or closed. */
  readonly end: "terminator" | "nul" | "eof" | "idle";
  /** The length leader/00-04 gives, when they are digits. */
  readonly declaredLength?: number;
}

const END_WORDS: Record<ArrivalEnd["end"], string> = {
  terminator: "the record terminator",
  nul: "a NUL byte",
  eof: "the client closed the connection",
  idle: "the client went quiet",
};

/** The coding an ISO 2709 record's leader/09 declares, as received (blank: MARC-8). */
export function receivedCoding(raw: Uint8Array): Incoming["receivedCoding"] {
  const leader09 = raw.length > 9 ? raw[9] : undefined;
  return leader09 === 0x20 ? "marc8" : leader09 === 0x61 ? "unicode" : "other";
}

/** Reads one ISO 2709 record as it arrived (MARC-8 converted to Unicode). */
export function readIncoming(raw: Uint8Array, arrival?: ArrivalEnd): Incoming {
  const terminated = raw.length > 0 && raw[raw.length - 1] === 0x1d;
  const declared = arrival?.declaredLength;
  const cutShort =
    arrival &&
    arrival.end !== "terminator" &&
    !terminated &&
    declared !== undefined &&
    raw.length < declared
      ? `the record is incomplete: ${raw.length} of the ${declared} bytes its leader gives arrived before ${END_WORDS[arrival.end]}`
      : undefined;
  return {
    read: decodeIso2709(raw),
    receivedCoding: receivedCoding(raw),
    ...(cutShort !== undefined ? { cutShort } : {}),
  };
}

/**
 * A record read from a text format (MARCXML, MARC-in-JSON, mnemonic) as the importer takes it:
 * the bytes to keep with the job row (ISO 2709, else, for a record ISO 2709 cannot hold, its
 * MARC-in-JSON, with `tooBig` saying why) and what was read. A record that did not read keeps
 * `unread`.
 */
export function textIncoming(
  read: ReadResult<MarcRecord>,
  unread: Uint8Array,
): { readonly raw: Uint8Array; readonly incoming: Incoming } {
  const record = read.record;
  if (!record) return { raw: unread, incoming: { read, receivedCoding: "unicode" } };
  const problem = iso2709Fits(record);
  if (problem === undefined)
    return { raw: writeIso2709(record), incoming: { read, receivedCoding: "unicode" } };
  return {
    raw: Buffer.from(writeMarcJson(record), "utf8"),
    incoming: {
      read,
      receivedCoding: "unicode",
      tooBig: `the record is too big for ISO 2709 (${problem}): it is kept as MARC-in-JSON and not imported`,
    },
  };
}

/** Who is importing: the institution and its profile. */
export interface DecideContext {
  readonly institution: Zone;
  /** The profile, with the text of the rule files it names. */
  readonly profile: StoredProfileSettings;
}

/** How a decision departs from the profile's usual way (staff resolving a held record). */
export interface DecideOptions {
  /** Validation errors do not hold the record (a forced import of a record held by them). */
  readonly skipValidation?: boolean;
  /**
   * Staff chose where the record goes: into this record (it must be in the zone the profile
   * saves in), or as a new record. The match method is not run; the guards still are.
   */
  readonly match?: { readonly mmsId: string } | "new";
}

/** What should happen to one incoming record, and why. */
export interface Decision {
  readonly outcome: JobOutcome;
  /** The record to create or the new state of the matched record; absent when nothing is saved. */
  readonly change?: RecordCreate | RecordUpdate;
  /** The existing record concerned (merged into, skipped, locked). */
  readonly mmsId?: string;
  /** Records that matched when there were several (held for review). */
  readonly candidates?: readonly string[];
  /** One sentence for the cataloger: what happened and the deciding reason. */
  readonly reason: string;
  /** The reason as a word a program can count (see `REASON_CODES`). */
  readonly reasonCode: ReasonCode;
  /**
   * The institution's local fields of a network-zone record, when they change (a network-zone
   * import keeps them apart from the shared record; see `local-fields.ts`).
   */
  readonly localFields?: LocalFieldsChange;
  readonly log: readonly LogEntry[];
  /**
   * The record as it would be saved (new or merged), for previews; in a network zone, as the
   * institution sees it (the shared record with its local fields).
   */
  readonly record?: MarcRecord;
  /**
   * What this decision depends on (`oclc:12345`, `mms:991…`): two decisions that share none can
   * be made against the same catalog state and committed together.
   */
  readonly claims: readonly string[];
  /** `authority` for an authority record (leader/06 `z`); absent for a bibliographic one. */
  readonly recordKind?: "authority";
}

export { matchableRecord } from "./match.js";

function firstFatal(issues: readonly MarcIssue[]): MarcIssue | undefined {
  return issues.find((i) => i.severity === "fatal");
}

function olderThan(incoming: string, stored: string): boolean {
  // 005 is yyyymmddhhmmss.f: fixed width, so text order is time order once both are padded.
  const width = Math.max(incoming.length, stored.length);
  return incoming.padEnd(width, "0") < stored.padEnd(width, "0");
}

/**
 * The institution's local fields as a change to save (none when there is nothing to keep on a
 * new record), and the log line that says so.
 */
function keptLocally(
  fields: readonly Field[],
  institution: string,
  expectedVersion: number,
  log: LogEntry[],
  stage: "match" | "merge",
  mmsId?: string,
): LocalFieldsChange | undefined {
  if (fields.length === 0 && expectedVersion === 0) return undefined;
  const tags = fields.length === 0 ? "none" : fields.map((f) => f.tag).join(", ");
  log.push({
    stage,
    message: `local fields of ${institution} (${tags}): kept with the institution, not in the network-zone record`,
  });
  return {
    institution,
    fields,
    expectedVersion,
    ...(mmsId !== undefined ? { mmsId } : {}),
  };
}

/**
 * Whether saving `marc` with these attributes would leave the stored record as it is: the same
 * MARC content ({@link sameMarc}: the order of fields of different tags does not count) and the
 * same record attributes. An absent originating
 * version keeps the stored one, as a save would.
 */
function unchanged(
  existing: StoredRecord,
  marc: MarcRecord,
  attributes: RecordAttributes,
): boolean {
  return (
    sameMarc(existing.marc, marc) &&
    (attributes.format ?? existing.format) === existing.format &&
    (attributes.briefLevel ?? existing.briefLevel) === existing.briefLevel &&
    (attributes.managementTag ?? existing.managementTag) === existing.managementTag &&
    (attributes.originatingVersion ?? existing.originatingVersion) === existing.originatingVersion
  );
}

/**
 * The view with its stored records read once per decision: the validation stage reads each
 * candidate, and the guards and the merge read the one matched again.
 */
function rememberingRecords(view: CatalogView): CatalogView {
  const read = new Map<string, Promise<StoredRecord | undefined>>();
  return {
    findByKey: (kind, value, zones, recordKind) => view.findByKey(kind, value, zones, recordKind),
    search: (query) => view.search(query),
    localFields: (mmsId, institution) => view.localFields(mmsId, institution),
    record: (mmsId) => {
      let found = read.get(mmsId);
      if (!found) {
        found = view.record(mmsId);
        read.set(mmsId, found);
      }
      return found;
    },
  };
}

/**
 * Decides what to do with one incoming record. Never throws on data: a record that cannot be
 * imported is a decision with outcome `rejected` and the reason. Every stage runs on MARC 21;
 * the record to save is then converted to the profile's target format (`target-format.ts`).
 */
export async function decide(
  incoming: Incoming,
  context: DecideContext,
  view: CatalogView,
  options: DecideOptions = {},
): Promise<Decision> {
  const prepared = prepareDecision(incoming, context, options);
  return "finish" in prepared ? prepared.finish(view) : prepared;
}

/**
 * A decision up to the catalog: the record read, converted, normalized and validated, and what it
 * will look up (its claims). Deciding the rest reads the catalog ({@link PreparedDecision.finish}).
 * The importer claims the keys in the database before it finishes (several nodes on one
 * PostgreSQL: see docs/scale-out.md).
 */
export interface PreparedDecision {
  /** The zone where the record is matched and saved. */
  readonly zone: string;
  /** The incoming record's match keys as claims (`oclc:…`, `isbn:…`, `title:…`). */
  readonly claims: readonly string[];
  finish(view: CatalogView): Promise<Decision>;
}

/**
 * Everything of {@link decide} that does not read the catalog: a decision already (a record that
 * cannot be read, is held by validation, or a profile in error), or what is left to decide.
 */
export function prepareDecision(
  incoming: Incoming,
  context: DecideContext,
  options: DecideOptions = {},
): Decision | PreparedDecision {
  // Authority records are kept as MARC 21 Authority (the crosswalks are bibliographic), and
  // their decisions say so (the reply: "Authority record … added").
  const read = incoming.read.record;
  const authority = read !== undefined && recordKind(read) === "authority";
  const targetFormat = authority ? "MARC21" : context.profile.targetFormat;
  const kind = (d: Decision): Decision => (authority ? { ...d, recordKind: "authority" } : d);
  const prepared = prepareInMarc21(incoming, context, options);
  if (!("finish" in prepared)) {
    return kind(toTargetFormat(prepared, targetFormat, { stored: new Map() }));
  }
  return {
    zone: prepared.zone,
    claims: prepared.claims,
    // Every stage runs on MARC 21: stored records are read through their MARC 21 reading, and
    // the record to save is converted to the target format at the end.
    finish: async (view) => {
      const seen: StoredFormats = { stored: new Map() };
      return kind(toTargetFormat(await prepared.finish(inMarc21(view, seen)), targetFormat, seen));
    },
  };
}

function prepareInMarc21(
  incoming: Incoming,
  context: DecideContext,
  options: DecideOptions,
): Decision | PreparedDecision {
  const { institution } = context;
  let profile = context.profile;
  const log: LogEntry[] = [];
  const claims: string[] = [];
  const reject = (reason: string, reasonCode: ReasonCode = "profile"): Decision => ({
    outcome: "rejected",
    reason,
    reasonCode,
    log,
    claims,
  });

  // read
  const fatal = firstFatal(incoming.read.issues);
  for (const issue of incoming.read.issues) {
    log.push({ stage: "read", message: formatIssue(issue) });
  }
  if (incoming.cutShort !== undefined) return reject(incoming.cutShort, "unreadable");
  if (incoming.tooBig !== undefined) return reject(incoming.tooBig, "unreadable");
  if (!incoming.read.record || fatal) {
    return reject(
      `the record cannot be read as MARC 21 (ISO 2709): ${fatal ? formatIssue(fatal) : "no record"}`,
      "unreadable",
    );
  }
  let record = incoming.read.record;
  if (recordKind(record) === "authority") {
    const authority = authorityProfile(profile);
    profile = authority.profile;
    log.push(authority.log);
  }

  // convert
  if (incoming.receivedCoding === "marc8") {
    log.push({
      stage: "convert",
      message: "leader/09 is blank: converted from MARC-8 to UTF-8 (leader/09 set to 'a')",
    });
  }
  if (profile.targetFormat !== "MARC21") {
    log.push({
      stage: "convert",
      message: `target format ${profile.targetFormat}: matched and merged as MARC 21, converted before saving`,
    });
  }

  // normalize
  const normalized = initialNormalization(record);
  record = normalized.record;
  log.push(...normalized.log);
  const byRules = runNormalization(record, profile);
  if ("error" in byRules) return reject(byRules.error);
  record = byRules.record;
  log.push(...byRules.log);

  // validate
  const validation = runValidation(record, incoming.read.issues, profile, options);
  log.push(...validation.log);
  if ("error" in validation) return reject(validation.error);
  if (validation.held !== undefined) {
    return { outcome: "review", reason: validation.held, reasonCode: "validation", log, claims };
  }

  // match
  let zone = institution.code;
  if (profile.useNetworkZone) {
    if (institution.network === undefined) {
      return reject(
        `the profile says "use network zone" but institution ${institution.code} belongs to no network zone`,
      );
    }
    zone = institution.network;
    log.push({ stage: "match", message: `matching and saving in network zone ${zone}` });
  }
  // In a network zone the institution's local fields are kept apart from the shared record:
  // matching, brief level and the saved record are the shared part's.
  const nz = zone !== institution.code;
  const split = nz ? splitLocalFields(record) : undefined;
  const incomingLocal: readonly Field[] = split?.local ?? [];
  const incomingShared = split?.shared ?? record;
  const chosen = chooseMatchMethod(record, profile);
  const keys = matchKeysOf(incomingShared, chosen);
  const keyClaims = matchClaims(chosen, incomingShared, keys);
  const finish = async (catalog: CatalogView): Promise<Decision> => {
    const view = rememberingRecords(catalog);
    let match: Pick<MatchResult, "mmsIds" | "matchedBy" | "held" | "why">;
    if (options.match !== undefined) {
      const forced = options.match === "new" ? undefined : options.match.mmsId;
      match = { mmsIds: forced === undefined ? [] : [forced], matchedBy: [], held: [], why: {} };
      log.push({
        stage: "match",
        message:
          forced === undefined
            ? "staff chose a new record: no match method run"
            : `staff chose record ${forced}: no match method run`,
      });
    } else {
      log.push(chosen.log);
      const found = await runMatchMethod(chosen, incomingShared, view, [zone], keys);
      log.push(...found.log);
      match = found;
    }
    claims.push(...keyClaims);
    for (const id of match.mmsIds) claims.push(`mms:${id}`);
    for (const h of match.held) claims.push(`mms:${h.mmsId}`);

    const incomingLevel = runBriefLevel(incomingShared, profile);
    const briefLevel = incomingLevel.level;
    const originatingVersion = getControlValue(record, "005")?.trim() || undefined;
    const attributes = {
      format: profile.targetFormat,
      briefLevel,
      managementTag: profile.synchronizeWithExternalCatalog,
      ...(originatingVersion !== undefined ? { originatingVersion } : {}),
    };
    const tagAndLevel = (level: LogEntry): void => {
      log.push({
        stage: "tag",
        message: `management tag: ${profile.synchronizeWithExternalCatalog}`,
      });
      log.push(level);
    };

    if (match.mmsIds.length === 0 && match.held.length > 0) {
      const reason = `${heldReason(match.held)}; nothing was changed`;
      log.push({ stage: "match", message: `no validated match: held for review: ${reason}` });
      return {
        outcome: "review",
        candidates: match.held.map((h) => h.mmsId),
        reason,
        reasonCode: "candidate-conflict",
        log,
        claims,
      };
    }
    if (match.mmsIds.length === 0) {
      log.push({ stage: "match", message: "no match: a new record is created" });
      log.push({ stage: "normalize", message: "001 will be set to the new MMS ID" });
      const localFields = keptLocally(incomingLocal, institution.code, 0, log, "match");
      tagAndLevel(incomingLevel.log);
      return {
        outcome: "created",
        change: {
          kind: "create",
          zone,
          marc: incomingShared,
          controlNumber: "mms-id",
          ...attributes,
        },
        ...(localFields ? { localFields } : {}),
        reason: "added",
        reasonCode: "no-match",
        log,
        record,
        claims,
      };
    }
    if (match.mmsIds.length > 1) {
      const what = match.matchedBy.join(" or ");
      const reason = `${match.mmsIds.length} records match ${what} (${match.mmsIds.join(", ")}); nothing was changed`;
      log.push({ stage: "match", message: `several matches: held for review` });
      return {
        outcome: "review",
        candidates: match.mmsIds,
        reason,
        reasonCode: "several-matches",
        log,
        claims,
      };
    }

    // guard
    const mmsId = match.mmsIds[0]!;
    const existing: StoredRecord | undefined = await view.record(mmsId);
    if (!existing) {
      // Found by key but gone since: another save deleted it. Deciding again will see that.
      return reject(
        options.match !== undefined
          ? `there is no record ${mmsId}`
          : `record ${mmsId} matched but no longer exists; export the record again`,
        "failed",
      );
    }
    if (existing.zone !== zone) {
      return reject(
        `record ${mmsId} is in zone ${existing.zone}, not in ${zone} where the profile saves`,
      );
    }
    const skip = (outcome: JobOutcome, reason: string, reasonCode: ReasonCode): Decision => {
      log.push({ stage: "guard", message: reason });
      return { outcome, mmsId, reason, reasonCode, log, claims };
    };
    if (existing.czLinked) {
      return skip("skipped", `record ${mmsId} is linked to the Community Zone`, "cz-linked");
    }
    if (existing.lock) {
      return skip(
        "review",
        `record ${mmsId} is being edited (locked by ${existing.lock.by} since ${existing.lock.since.toISOString()}); nothing was changed`,
        "locked",
      );
    }
    if (profile.doNotOverrideLowerBriefLevel && briefLevel < existing.briefLevel) {
      return skip(
        "skipped",
        `the incoming record's brief level ${briefLevel} is lower than record ${mmsId}'s ${existing.briefLevel} (Do not override/merge a record with lower brief version)`,
        "lower-brief-level",
      );
    }
    if (
      profile.doNotOverrideOlderVersion &&
      originatingVersion !== undefined &&
      existing.originatingVersion !== undefined &&
      olderThan(originatingVersion, existing.originatingVersion)
    ) {
      return skip(
        "skipped",
        `the incoming 005 ${originatingVersion} is older than record ${mmsId}'s originating version ${existing.originatingVersion} (Do not override/merge record with an older version)`,
        "older-version",
      );
    }
    log.push({ stage: "guard", message: `record ${mmsId} may be merged` });

    // merge
    // In a network zone the primary is the shared record with this institution's local fields
    // (never another member's); the result is split again. Local fields the shared record itself
    // holds (loaded into the network zone) belong to no member and stay as they are.
    const mine = nz ? await view.localFields(mmsId, institution.code) : undefined;
    const sharedOwn = nz ? splitLocalFields(existing.marc) : undefined;
    const primary = sharedOwn
      ? insertFieldsByTag(sharedOwn.shared, mine?.fields ?? [])
      : existing.marc;
    const merged = runMerge(primary, record, profile);
    if ("error" in merged) return reject(merged.error);
    log.push({ stage: "merge", message: `${profile.mergeMethod} into record ${mmsId}` });
    log.push(...merged.log);
    const result = sharedOwn ? splitLocalFields(merged.record) : undefined;
    const mergedShared = result
      ? insertFieldsByTag(result.shared, sharedOwn?.local ?? [])
      : merged.record;
    const localChanged = result !== undefined && !sameFields(mine?.fields ?? [], result.local);
    const localFields = localChanged
      ? keptLocally(result.local, institution.code, mine?.version ?? 0, log, "merge", mmsId)
      : undefined;
    if (result !== undefined && !localChanged) {
      const tags = result.local.map((f) => f.tag).join(", ") || "none";
      log.push({
        stage: "merge",
        message: `local fields of ${institution.code} (${tags}): unchanged, kept with the institution`,
      });
    }
    const why = match.why[mmsId];
    const basis = why !== undefined ? `: ${why}` : "";
    const mergedLevel = runBriefLevel(mergedShared, profile);
    tagAndLevel(mergedLevel.log);
    const saved = { ...attributes, briefLevel: mergedLevel.level };
    const sharedUnchanged = unchanged(existing, mergedShared, saved);
    if (sharedUnchanged && localChanged) {
      return {
        outcome: "merged",
        mmsId,
        ...(localFields ? { localFields } : {}),
        reason: `merged (${profile.mergeMethod}): only the local fields of ${institution.code} changed`,
        reasonCode: "matched",
        log,
        record: merged.record,
        claims,
      };
    }
    if (sharedUnchanged) {
      const reason = `merging by ${profile.mergeMethod} would change nothing; no new version was saved`;
      log.push({ stage: "merge", message: `record ${mmsId} unchanged: ${reason}` });
      return {
        outcome: "unchanged",
        mmsId,
        reason,
        reasonCode: "unchanged",
        log,
        record: merged.record,
        claims,
      };
    }
    return {
      outcome: "merged",
      mmsId,
      change: {
        kind: "update",
        mmsId,
        expectedVersion: existing.version,
        marc: mergedShared,
        ...saved,
      },
      ...(localFields ? { localFields } : {}),
      reason: `merged (${profile.mergeMethod})${basis}`,
      reasonCode: "matched",
      log,
      record: merged.record,
      claims,
    };
  };
  return { zone, claims: keyClaims, finish };
}
