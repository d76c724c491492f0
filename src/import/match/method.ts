/**
 * What every match method shares: what it reads of the catalog, what it is given, what it
 * returns, and the one key look-up that logs what it tried and found.
 */
import type { Catalog } from "../../catalog/catalog.js";
import type { MatchKey, MatchKeyKind } from "../../marc/match-keys.js";
import type { MarcRecord, RecordKind } from "../../marc/record.js";
import type { LogEntry } from "../log.js";
import type { MatchMethodName } from "../profile.js";

/**
 * What a match method may read of the catalog: the match-key index, stored records (001 to
 * MMS ID; Title and author scores candidates against them) and the title search (candidates for
 * Title and author).
 */
export type MatchView = Pick<Catalog, "findByKey" | "record" | "search">;

/**
 * leader/07 values that take the serial match method: `s` (serial) and `i` (integrating
 * resource). Both are continuing resources in MARC 21 — same 008 for continuing resources, same
 * ISSN as their identifier — and Alma libraries' rules treat them alike (Harvard's "not serial"
 * test is "neither s nor i"); a loose-leaf or a database updated in place is matched as serials
 * are, not as a book.
 */
export const SERIAL_LEVELS: readonly string[] = ["s", "i"];

/** The incoming record as the methods see it. */
export interface MatchInput {
  /** The record after normalization, still with its incoming `001`. */
  readonly record: MarcRecord;
  /** Its match keys as they will be stored (without the `001`, which becomes the MMS ID). */
  readonly keys: readonly MatchKey[];
  /** Where to look: the institution zone, or its network zone. */
  readonly zones: readonly string[];
  /** Its kind (leader/06): only stored records of the same kind are candidates. */
  readonly recordKind: RecordKind;
  /** For the log of a multi-step method: which step this is (from 1). */
  readonly step?: number;
}

/** The records a method found (MMS IDs, first found first) and what it tried. */
export interface MatchResult {
  readonly method: MatchMethodName;
  readonly mmsIds: readonly string[];
  /** What was looked up, e.g. `OCLC number 12345`; empty when the record has no such key. */
  readonly tried: readonly string[];
  /** The look-ups that found records (a subset of `tried`): why the records match. */
  readonly matchedBy: readonly string[];
  /** For each record found, the first look-up that found it (`ISBN 9780…`). */
  readonly foundBy: Readonly<Record<string, string>>;
  /** For each record found by a key look-up, the key and the stored kind it was found among. */
  readonly foundVia: Readonly<Record<string, KeyFound>>;
  /**
   * Candidates the validation stage would not take as matches without staff (`validate.ts`):
   * they agree on some of what tells resources apart and not on all.
   */
  readonly held: readonly HeldCandidate[];
  /**
   * For each validated match, why it is one in a few words (`shares OCLC number 7`, `found by
   * ISBN 9780…; no point differs`), for the reason of the decision.
   */
  readonly why: Readonly<Record<string, string>>;
  readonly log: LogEntry[];
}

/** A candidate held for staff: how it was found and the points on which the records differ. */
export interface HeldCandidate {
  readonly mmsId: string;
  readonly foundBy: string;
  /** The differing points in words (`008 date 1814 ≠ 1813`). */
  readonly differs: readonly string[];
}

/** One match method: a name and how it runs. */
export interface MatchMethod {
  readonly name: MatchMethodName;
  /** The kinds of key it compares (stored and incoming alike), for `Decision.claims`. */
  readonly kinds: readonly MatchKeyKind[];
  run(input: MatchInput, view: MatchView): Promise<MatchResult>;
}

/** How people read a key of each kind in the log. */
export const KEY_LABELS: Readonly<Record<MatchKeyKind, string>> = {
  oclc: "OCLC number",
  "oclc-cancelled": "cancelled OCLC number",
  isbn: "ISBN",
  "isbn-cancelled": "cancelled ISBN",
  issn: "ISSN",
  "issn-linking": "linking ISSN",
  "issn-cancelled": "cancelled ISSN",
  "standard-id": "024 identifier",
  "system-id": "system number",
  "other-system-id": "035",
  "title-key": "title key",
};

/** The plural of {@link KEY_LABELS}, for "among the stored …". */
const STORED_LABELS: Readonly<Record<MatchKeyKind, string>> = {
  oclc: "OCLC numbers",
  "oclc-cancelled": "cancelled OCLC numbers (019, 035 $z)",
  isbn: "ISBNs",
  "isbn-cancelled": "cancelled ISBNs (020 $z)",
  issn: "ISSNs",
  "issn-linking": "linking ISSNs",
  "issn-cancelled": "cancelled ISSNs (022 $y $z)",
  "standard-id": "024 identifiers",
  "system-id": "system numbers (001/003)",
  "other-system-id": "035 numbers",
  "title-key": "title keys",
};

/** The incoming key a record was found by, and the stored kind it was found among. */
export interface KeyFound {
  readonly key: MatchKey;
  readonly among: MatchKeyKind;
}

/** Which stored kinds an incoming key of a kind is looked up among. */
export interface KeyRoute {
  readonly from: MatchKeyKind;
  readonly among: readonly MatchKeyKind[];
}

/** Collects what a method found, once each, in the order found, and its log. */
export class Findings {
  readonly mmsIds: string[] = [];
  readonly tried: string[] = [];
  readonly matchedBy: string[] = [];
  readonly foundBy: Record<string, string> = {};
  readonly foundVia: Record<string, KeyFound> = {};
  readonly log: LogEntry[] = [];

  constructor(
    readonly method: MatchMethodName,
    readonly step: number | undefined,
  ) {}

  /** A log line of this method (prefixed with the step in a multi-step run). */
  note(message: string, data?: Record<string, unknown>): void {
    const where = this.step !== undefined ? `step ${this.step} (${this.method}): ` : "";
    this.log.push({
      stage: "match",
      message: where + message,
      ...(data ? { data: { method: this.method, ...this.stepData(), ...data } } : {}),
    });
  }

  private stepData(): Record<string, unknown> {
    return this.step !== undefined ? { step: this.step } : {};
  }

  /** Records found by one look-up, what to call it, and the key look-up it was. */
  found(label: string, mmsIds: readonly string[], via?: KeyFound): void {
    if (!this.tried.includes(label)) this.tried.push(label);
    if (mmsIds.length > 0 && !this.matchedBy.includes(label)) this.matchedBy.push(label);
    for (const id of mmsIds) {
      if (this.mmsIds.includes(id)) continue;
      this.mmsIds.push(id);
      this.foundBy[id] = label;
      if (via) this.foundVia[id] = via;
    }
  }

  result(): MatchResult {
    return {
      method: this.method,
      mmsIds: this.mmsIds,
      tried: this.tried,
      matchedBy: this.matchedBy,
      foundBy: this.foundBy,
      foundVia: this.foundVia,
      held: [],
      why: {},
      log: this.log,
    };
  }
}

/**
 * Looks the incoming keys up along the routes, in route order and key order, logging each
 * look-up with its key, the stored kind and what it found (`data`).
 */
export async function lookUpKeys(
  findings: Findings,
  input: MatchInput,
  view: MatchView,
  routes: readonly KeyRoute[],
): Promise<void> {
  for (const route of routes) {
    for (const key of input.keys) {
      if (key.kind !== route.from) continue;
      for (const among of route.among) {
        const mmsIds = await view.findByKey(among, key.value, input.zones, input.recordKind);
        const label = `${KEY_LABELS[key.kind]} ${key.value}`;
        const where = among === key.kind ? "" : ` among ${STORED_LABELS[among]}`;
        findings.found(label, mmsIds, { key, among });
        findings.note(
          mmsIds.length === 0
            ? `${label}${where}: no record`
            : `${label}${where}: ${mmsIds.length} record(s): ${mmsIds.join(", ")}`,
          { key: key.kind, value: key.value, among, mmsIds },
        );
      }
    }
  }
}

/**
 * A method that looks keys up along fixed routes; `none` says, when the record has no key of
 * any route's kind, what it lacks.
 */
export function keyMethod(
  name: MatchMethodName,
  routes: readonly KeyRoute[],
  none: string,
): MatchMethod {
  return {
    name,
    kinds: [...new Set(routes.flatMap((r) => [r.from, ...r.among]))],
    async run(input, view) {
      const findings = new Findings(name, input.step);
      if (!input.keys.some((k) => routes.some((r) => r.from === k.kind))) {
        findings.note(`the record has no ${none}: no match`, { keys: [] });
      }
      await lookUpKeys(findings, input, view, routes);
      return findings.result();
    },
  };
}
