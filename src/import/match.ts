/**
 * The match methods: how an incoming record finds the record it should merge into. Each method
 * looks the incoming record's keys up in the catalog's match-key index, built by the same
 * extractor (`src/marc/match-keys.ts`), so what is stored and what is looked up cannot drift.
 */
import type { Catalog } from "../catalog/catalog.js";
import { extractMatchKeys } from "../marc/match-keys.js";
import { leaderValue, type MarcRecord } from "../marc/record.js";
import type { LogEntry } from "./log.js";
import type { ConnexionProfile, MatchMethodName } from "./profile.js";

/** What a match method may read of the catalog. */
export type MatchView = Pick<Catalog, "findByKey">;

/** The records a method found (MMS IDs, first found first) and what it tried. */
export interface MatchResult {
  readonly method: MatchMethodName;
  readonly mmsIds: readonly string[];
  /** What was looked up, e.g. `OCLC number 12345`; empty when the record has no such key. */
  readonly tried: readonly string[];
  readonly log: LogEntry[];
}

/**
 * Serial or not: leader/07 `s` (serial) uses the profile's serial match method, anything else
 * the non-serial one. (Whether `i`, integrating resources, counts as serial is decided with the
 * other match methods.)
 */
export function chooseMatchMethod(
  record: MarcRecord,
  profile: ConnexionProfile,
): { readonly method: MatchMethodName; readonly log: LogEntry } {
  const level = leaderValue(record, "bibliographicLevel");
  const serial = level === "s";
  const method = serial ? profile.serialMatchMethod : profile.nonSerialMatchMethod;
  return {
    method,
    log: {
      stage: "match",
      message: `leader/07 is '${level}': ${serial ? "serial" : "non-serial"} match method ${method}`,
    },
  };
}

/**
 * Unique OCLC Identifier: the incoming record's OCLC numbers (`035 $a (OCoLC)…`, or `001` with
 * `003 OCoLC`) against the OCLC numbers of the records in the zones.
 */
export async function matchUniqueOclcIdentifier(
  record: MarcRecord,
  view: MatchView,
  zones: readonly string[],
): Promise<MatchResult> {
  const numbers = extractMatchKeys(record)
    .filter((k) => k.kind === "oclc")
    .map((k) => k.value);
  const log: LogEntry[] = [];
  const found: string[] = [];
  if (numbers.length === 0) {
    log.push({
      stage: "match",
      message: "the record has no OCLC number (035 $a (OCoLC)…): no match",
    });
  }
  for (const number of numbers) {
    const mmsIds = await view.findByKey("oclc", number, zones);
    for (const id of mmsIds) if (!found.includes(id)) found.push(id);
    log.push({
      stage: "match",
      message:
        mmsIds.length === 0
          ? `OCLC number ${number}: no record`
          : `OCLC number ${number}: ${mmsIds.length} record(s): ${mmsIds.join(", ")}`,
      data: { key: "oclc", value: number, mmsIds },
    });
  }
  return {
    method: "Unique OCLC Identifier",
    mmsIds: found,
    tried: numbers.map((n) => `OCLC number ${n}`),
    log,
  };
}

/** Runs the named match method. */
export function runMatchMethod(
  method: MatchMethodName,
  record: MarcRecord,
  view: MatchView,
  zones: readonly string[],
): Promise<MatchResult> | undefined {
  switch (method) {
    case "Unique OCLC Identifier":
      return matchUniqueOclcIdentifier(record, view, zones);
    default:
      return undefined;
  }
}
