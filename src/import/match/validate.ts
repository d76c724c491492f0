/**
 * The validation stage after candidate search: a record a match method found becomes a match
 * only when the two records agree on what tells resources apart (`resource-checks.ts`). Every
 * candidate of every method goes through it, and each point is logged.
 *
 * What the points mean depends on what makes the two records one:
 *
 * - **Identity**: the records share an OCLC number (or one's is the other's cancelled `019`),
 *   a system number of the same source, or the incoming `001` is the candidate's MMS ID. They
 *   are then the same record of WorldCat or of a system: what else differs is an edit (a
 *   cataloger corrected the date, added a 300), logged, and the candidate matches. Only a
 *   decisive difference (two different OCLC numbers, a book and a film) holds it for staff. A
 *   candidate found by its OCLC number (Unique OCLC Identifier, the everyday Connexion case) is
 *   compared on what the records are only (type, level, component part), not on their content:
 *   it is one WorldCat record by the look-up itself.
 * - **Evidence** (a shared ISBN, ISSN, 024, or a similar title and author): the candidate
 *   matches only when no point differs. A decisive difference makes it another resource (it is
 *   no candidate: the next step of a multi-step method runs, or a new record is made); any
 *   other difference holds the record for review with the reasons, never a silent merge.
 */
import { outcomeLabel } from "../../catalog/outcome-words.js";
import type { MatchKey } from "../../marc/match-keys.js";
import type { MarcRecord, RecordKind } from "../../marc/record.js";
import { getControlValue, recordKind } from "../../marc/record.js";
import type { LogEntry } from "../log.js";
import {
  Findings,
  type HeldCandidate,
  type KeyFound,
  type MatchInput,
  type MatchMethod,
  type MatchResult,
  type MatchView,
} from "./method.js";
import {
  compareResources,
  compareStructure,
  RESOURCE_CHECKS,
  type CheckPoint,
} from "./resource-checks.js";

/** What the validation made of one candidate. */
export type CandidateVerdict = "match" | "held" | "another resource";

/** One candidate's verdict, with the points it rests on. */
export interface CandidateValidation {
  readonly verdict: CandidateVerdict;
  /** Why the records are one record, when they are (`shares OCLC number 123`). */
  readonly identity?: string;
  readonly points: readonly CheckPoint[];
  /** The differing points in words. */
  readonly differs: readonly string[];
}

/**
 * The verdict on a candidate (pure): identity or evidence, then the differing points (module
 * comment).
 */
export function validateCandidate(
  incoming: MarcRecord,
  mmsId: string,
  candidate: MarcRecord,
  incomingKeys?: readonly MatchKey[],
): CandidateValidation {
  const points = compareResources(incoming, candidate, incomingKeys);
  const controlNumber = getControlValue(incoming, "001")?.trim();
  const identity =
    points.find(
      (p) => (p.check === "oclc-number" || p.check === "system-number") && p.result === "same",
    )?.text ??
    (controlNumber === mmsId ? `001 ${controlNumber} is the candidate's MMS ID` : undefined);
  const differing = points.filter((p) => p.result === "differs");
  const differs = differing.map((p) => p.text);
  const decisive = differing.some((p) => p.decisive);
  const verdict: CandidateVerdict =
    identity !== undefined
      ? decisive
        ? "held"
        : "match"
      : decisive
        ? "another resource"
        : differing.length > 0
          ? "held"
          : "match";
  return { verdict, ...(identity !== undefined ? { identity } : {}), points, differs };
}

/** What one OCLC number look-up says of the two records, by the stored kind it found. */
function oclcIdentity(via: KeyFound): string | undefined {
  const n = via.key.value;
  if (via.key.kind === "oclc" && via.among === "oclc") return `shares OCLC number ${n}`;
  if (via.key.kind === "oclc" && via.among === "oclc-cancelled") {
    return `OCLC number ${n} cancelled (019) in the candidate, merged into it by WorldCat`;
  }
  if (via.key.kind === "oclc-cancelled" && via.among === "oclc") {
    return `the candidate's OCLC number ${n} cancelled (019) in the incoming record`;
  }
  return undefined;
}

/**
 * The verdict on a candidate found by its OCLC number (pure): one WorldCat record, so only what
 * the records are is compared (type, level, component part: a decisive difference holds it);
 * the content is not, its differences being edits of that record.
 */
export function validateIdentity(
  incoming: MarcRecord,
  candidate: MarcRecord,
  identity: string,
): CandidateValidation {
  const points = compareStructure(incoming, candidate);
  const differing = points.filter((p) => p.result === "differs");
  return {
    verdict: differing.some((p) => p.decisive) ? "held" : "match",
    identity,
    points,
    differs: differing.map((p) => p.text),
  };
}

/** A record kind in a sentence. */
const KIND_WORDS: Readonly<Record<RecordKind, string>> = {
  bib: "a bibliographic record",
  authority: "an authority record",
};

const VERDICT_WORDS: Readonly<Record<CandidateVerdict, string>> = {
  match: "matches",
  held: outcomeLabel("review"),
  "another resource": "another resource, not a match",
};

/** The log line of one candidate's validation: the verdict, what is the same, what differs. */
function validationLog(
  findings: Findings,
  mmsId: string,
  foundBy: string,
  v: CandidateValidation,
): void {
  const same = v.points.filter((p) => p.result === "same").map((p) => p.text);
  const edits = v.verdict === "match" && v.differs.length > 0 ? " (edits of the same record)" : "";
  const content =
    v.points.length < RESOURCE_CHECKS.length
      ? ["content not compared: one WorldCat record, what differs is an edit"]
      : [];
  const parts = [
    ...(v.identity !== undefined ? [`one record: ${v.identity}`] : []),
    ...(same.length > 0 ? [`same: ${same.join("; ")}`] : []),
    ...(v.differs.length > 0 ? [`differs${edits}: ${v.differs.join("; ")}`] : []),
    ...content,
  ];
  findings.note(
    `validation of record ${mmsId} (found by ${foundBy}): ${VERDICT_WORDS[v.verdict]}${parts.length > 0 ? ` — ${parts.join(" — ")}` : ""}`,
    {
      key: "validation",
      mmsId,
      verdict: v.verdict,
      ...(v.identity !== undefined ? { identity: v.identity } : {}),
      // The points compared; a check not listed found nothing to compare in one record.
      points: v.points
        .filter((p) => p.result !== "absent")
        .map((p) => ({
          check: p.check,
          result: p.result,
          text: p.text,
          ...(p.decisive ? { decisive: true } : {}),
        })),
    },
  );
}

/**
 * Runs a method's result through the validation stage: the candidates that match stay in
 * `mmsIds`, those to be decided by staff go to `held`, other resources are dropped; each
 * verdict is logged after the method's own lines. A candidate that no longer exists is left
 * for `decide` (it says so).
 */
export async function validateResult(
  result: MatchResult,
  input: MatchInput,
  view: MatchView,
): Promise<MatchResult> {
  if (result.mmsIds.length === 0) return result;
  const findings = new Findings(result.method, input.step);
  const mmsIds: string[] = [];
  const held: HeldCandidate[] = [...result.held];
  const why: Record<string, string> = { ...result.why };
  for (const mmsId of result.mmsIds) {
    const foundBy = result.foundBy[mmsId] ?? result.method;
    const stored = await view.record(mmsId);
    if (!stored) {
      mmsIds.push(mmsId);
      continue;
    }
    // A candidate of the other kind (an authority record for a bib, or the other way round:
    // found by its MMS ID in the 001, or by a title search) is never compared.
    const kind = recordKind(stored.marc);
    if (kind !== input.recordKind) {
      findings.note(
        `record ${mmsId} (found by ${foundBy}) is ${KIND_WORDS[kind]}, the incoming record ${KIND_WORDS[input.recordKind]}: not a candidate`,
        { key: "validation", mmsId, verdict: "another kind", kind },
      );
      continue;
    }
    const via = result.foundVia[mmsId];
    const byOclc = via !== undefined ? oclcIdentity(via) : undefined;
    const v =
      byOclc !== undefined
        ? validateIdentity(input.record, stored.marc, byOclc)
        : validateCandidate(input.record, mmsId, stored.marc, input.keys);
    validationLog(findings, mmsId, foundBy, v);
    if (v.verdict === "match") {
      mmsIds.push(mmsId);
      why[mmsId] =
        v.identity !== undefined
          ? v.differs.length > 0
            ? `${v.identity} (edited: ${v.differs.join("; ")})`
            : v.identity
          : `found by ${foundBy}; no point differs`;
    } else if (v.verdict === "held") held.push({ mmsId, foundBy, differs: v.differs });
  }
  const matchedBy = result.matchedBy.filter((label) =>
    mmsIds.some((id) => result.foundBy[id] === label),
  );
  const log: LogEntry[] = [...result.log, ...findings.log];
  return { ...result, mmsIds, matchedBy, held, why, log };
}

/** The method with the validation stage after its candidate search. */
export function validated(method: MatchMethod): MatchMethod {
  return {
    name: method.name,
    kinds: method.kinds,
    async run(input, view) {
      return validateResult(await method.run(input, view), input, view);
    },
  };
}

/**
 * The reason a record is held for its candidates: which record, how it was found, and where
 * the two differ, e.g. `candidate 99…1001 found by ISBN 9780… but 008 date 1814 ≠ 1813 and
 * 245 $n $p 2 ≠ 1`.
 */
export function heldReason(held: readonly HeldCandidate[]): string {
  return held
    .map((h) => `candidate ${h.mmsId} found by ${h.foundBy} but ${h.differs.join(" and ")}`)
    .join("; ");
}
