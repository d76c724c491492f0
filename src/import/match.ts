/**
 * Matching: how an incoming record finds the record it should merge into. `chooseMatchMethod`
 * picks the profile's serial or non-serial method by the record's leader; `runMatchMethod` runs
 * it. The methods are in `match/`, one module each, all on the catalog's match-key index (built
 * by the same extractor, `src/marc/match-keys.ts`, so what is stored and what is looked up
 * cannot drift); `docs/match-methods.md` says what each compares.
 */
import { extractMatchKeys, type MatchKey, type MatchKeyKind } from "../marc/match-keys.js";
import { leaderValue, recordKind, type MarcRecord } from "../marc/record.js";
import type { LogEntry } from "./log.js";
import {
  SERIAL_LEVELS,
  type MatchMethod,
  type MatchView,
  type MatchResult,
} from "./match/method.js";
import { runSteps } from "./match/multi-step.js";
import { MATCH_METHODS } from "./match/registry.js";
import { validated } from "./match/validate.js";
import type { ConnexionProfile, MatchMethodName, MatchStepName } from "./profile.js";

export { SERIAL_LEVELS, type MatchResult, type MatchView } from "./match/method.js";

/** The method a record is matched with, and the steps when it is Multi-step. */
export interface ChosenMatchMethod {
  readonly method: MatchMethodName;
  readonly steps?: readonly MatchStepName[];
  readonly serial: boolean;
  readonly log: LogEntry;
}

/**
 * Serial or not: leader/07 `s` or `i` uses the profile's serial match method (and its steps),
 * anything else the non-serial one.
 */
export function chooseMatchMethod(
  record: MarcRecord,
  profile: ConnexionProfile,
): ChosenMatchMethod {
  const level = leaderValue(record, "bibliographicLevel");
  const serial = SERIAL_LEVELS.includes(level);
  const method = serial ? profile.serialMatchMethod : profile.nonSerialMatchMethod;
  const steps = serial ? profile.serialMatchSteps : profile.nonSerialMatchSteps;
  const listed = method === "Multi-step" && steps ? `: ${steps.join(" → ")}` : "";
  return {
    method,
    ...(method === "Multi-step" && steps ? { steps } : {}),
    serial,
    log: {
      stage: "match",
      message: `leader/07 is '${level}': ${serial ? "serial" : "non-serial"} match method ${method}${listed}`,
      data: { serial, method, ...(steps && method === "Multi-step" ? { steps } : {}) },
    },
  };
}

/**
 * The record as its match keys will be stored: without its `001`, which becomes the MMS ID on
 * save (the initial normalization has copied it into an `035` when it says whose number it is).
 * Matching on keys the stored record will not have would match nothing the next time.
 */
export function matchableRecord(record: MarcRecord): MarcRecord {
  return { leader: record.leader, fields: record.fields.filter((f) => f.tag !== "001") };
}

/**
 * The keys of a record as stored ({@link matchableRecord}). Given the chosen method, without the
 * title key (the costly one) unless the method, or one of its steps, compares it.
 */
export function matchKeysOf(
  record: MarcRecord,
  chosen?: Pick<ChosenMatchMethod, "method" | "steps">,
): MatchKey[] {
  return extractMatchKeys(matchableRecord(record), {
    titleKey: chosen === undefined || comparedKinds(chosen).has("title-key"),
  });
}

/** {@link comparedKinds} by method (and steps), as computed: a profile names few. */
const COMPARED_KINDS = new Map<string, ReadonlySet<MatchKeyKind>>();

/** The kinds of key the chosen method (or each of its steps) compares. */
function comparedKinds(
  chosen: Pick<ChosenMatchMethod, "method" | "steps">,
): ReadonlySet<MatchKeyKind> {
  const names = chosen.method === "Multi-step" ? (chosen.steps ?? []) : [chosen.method];
  const id = names.join("\n");
  let kinds = COMPARED_KINDS.get(id);
  if (!kinds) {
    kinds = new Set(names.flatMap((n) => MATCH_METHODS[n].kinds));
    COMPARED_KINDS.set(id, kinds);
  }
  return kinds;
}

/** Every method with the validation stage after its candidate search (`match/validate.ts`). */
const VALIDATED = Object.fromEntries(
  Object.entries(MATCH_METHODS).map(([name, method]) => [name, validated(method)]),
) as Readonly<Record<MatchStepName, MatchMethod>>;

/**
 * Runs the chosen method on the (normalized) incoming record in the zones, each candidate it
 * finds through the validation stage (`match/validate.ts`: `mmsIds` are the validated matches,
 * `held` the candidates for staff). A Multi-step without steps finds nothing (the profile parser
 * requires them, so this is a damaged profile only). `keys` are the record's
 * {@link matchKeysOf}, when the caller has them already.
 */
export function runMatchMethod(
  chosen: Pick<ChosenMatchMethod, "method" | "steps">,
  record: MarcRecord,
  view: MatchView,
  zones: readonly string[],
  keys: readonly MatchKey[] = matchKeysOf(record),
): Promise<MatchResult> {
  const input = { record, keys, zones, recordKind: recordKind(record) };
  if (chosen.method === "Multi-step") {
    return runSteps(chosen.steps ?? [], (name) => VALIDATED[name], input, view);
  }
  return VALIDATED[chosen.method].run(input, view);
}

/**
 * What a decision made with the chosen method depends on, for batching (`Decision.claims`): one
 * word per key of the record of a kind the method compares, kinds that are compared with each
 * other sharing a word (an OCLC number and a cancelled one are both `oclc:N`), the title key by
 * its title only. Two records that could find each other share a claim, so the second is
 * decided after the first is stored. (Title and author can also match titles that differ a
 * little; two such records in one batch are both decided against the catalog before either.)
 */
export function matchClaims(
  chosen: Pick<ChosenMatchMethod, "method" | "steps">,
  record: MarcRecord,
  keys: readonly MatchKey[] = matchKeysOf(record),
): string[] {
  const kinds = comparedKinds(chosen);
  const claims = new Set<string>();
  for (const key of keys) {
    if (!kinds.has(key.kind)) continue;
    if (key.kind === "title-key") claims.add(`title:${key.value.split("|")[0] ?? ""}`);
    else claims.add(`${CLAIM_FAMILIES[key.kind]}:${key.value}`);
  }
  return [...claims];
}

const CLAIM_FAMILIES: Readonly<Record<Exclude<MatchKey["kind"], "title-key">, string>> = {
  oclc: "oclc",
  "oclc-cancelled": "oclc",
  isbn: "isbn",
  "isbn-cancelled": "isbn",
  issn: "issn",
  "issn-linking": "issn",
  "issn-cancelled": "issn",
  "standard-id": "standard-id",
  "system-id": "system-id",
  "other-system-id": "system-id",
};
