/**
 * Resolving a record held for review (several matches, a locked record, a validation error):
 * staff force-import it — into a record they choose, as a new record, or simply again — or
 * discard it. Both keep who and when; a forced import goes through the importer like any
 * export and writes its own job row, in the held row's job, linked to the held row (reason
 * code `forced`), and the held row leaves the queue in the same transaction.
 */
import type { Catalog, JobOutcome, JobRecord } from "../catalog/catalog.js";
import { outcomeLabel } from "../catalog/outcome-words.js";
import type { MatchKeyKind } from "../marc/match-keys.js";
import { readIncoming, type DecideOptions, type Decision } from "./decide.js";
import { jobRowLog, type LogEntry } from "./log.js";
import { KEY_LABELS } from "./match/method.js";
import type { Importer, ImportResult } from "./importer.js";
import { loadConnexionProfile } from "./profile.js";

/** Where staff send a held record. */
export type ForceTarget =
  /** Into this record (merged as the profile merges). */
  | { readonly into: string }
  /** As a new record, whatever matches. */
  | "new"
  /** Decided again as it comes (after the lock is gone, or a duplicate was removed). */
  | "again";

export type ForceOutcome =
  | { readonly held: JobRecord; readonly forced: ImportResult }
  /** Nothing was written: why, and the decision that would have been made, when there was one. */
  | { readonly held?: JobRecord; readonly refused: string; readonly decision?: Decision };

/** Outcomes a forced import may have: it saves the record, or finds it saved already. */
const SAVES: ReadonlySet<JobOutcome> = new Set(["created", "merged", "overlaid", "unchanged"]);

/** The records that matched when a record was held for several matches (kept in its log). */
export function heldCandidates(row: JobRecord): string[] {
  const log = row.log;
  if (typeof log === "object" && log !== null && "candidates" in log) {
    const candidates = log.candidates;
    if (Array.isArray(candidates))
      return candidates.filter((c): c is string => typeof c === "string");
  }
  return [];
}

/**
 * The records a held row is about: the candidates when several matched (or a candidate search
 * held them), else the one record it matched (held because it was locked); none for a record
 * held by validation before matching.
 */
export function reviewCandidates(row: JobRecord): string[] {
  const candidates = heldCandidates(row);
  if (candidates.length > 0) return candidates;
  const log = row.log;
  if (typeof log === "object" && log !== null && "mmsId" in log && typeof log.mmsId === "string")
    return [log.mmsId];
  return [];
}

/**
 * The incoming match keys that found a candidate, as the decision log kept each look-up
 * (`OCLC number 500`, `ISBN 9780306406157 among cancelled ISBNs`), in the order tried.
 */
export function keysThatFound(row: JobRecord, mmsId: string): string[] {
  const found: string[] = [];
  for (const entry of jobRowLog(row)) {
    const data = entry.data;
    if (entry.stage !== "match" || !data) continue;
    const { key, value, among, mmsIds } = data;
    if (typeof key !== "string" || typeof value !== "string" || !Array.isArray(mmsIds)) continue;
    if (!mmsIds.includes(mmsId)) continue;
    const label = `${key in KEY_LABELS ? KEY_LABELS[key as MatchKeyKind] : key} ${value}`;
    const where =
      typeof among === "string" && among !== key
        ? ` among ${among in KEY_LABELS ? KEY_LABELS[among as MatchKeyKind] : among} keys`
        : "";
    const line = label + where;
    if (!found.includes(line)) found.push(line);
  }
  return found;
}

/**
 * The checks that held a row, from its decision log: the validation errors, the guards (a
 * locked record) and the match stage's verdicts (several matches, a candidate that differs).
 */
export function checksThatHeld(row: JobRecord): LogEntry[] {
  return jobRowLog(row).filter((entry) => {
    const data = entry.data;
    if (entry.stage === "validate") return data?.["severity"] === "error";
    if (entry.stage === "guard") return true;
    if (entry.stage === "match")
      return /held for review|validation of record|several matches/.test(entry.message);
    return false;
  });
}

/**
 * Force-imports the held job row `entryId` as `by`. The record's bytes as they arrived are
 * decided again under the profile it came through (its job's), as that profile is now, validation errors not holding it
 * and, when staff chose, the match replaced by their choice. When the decision would not save
 * the record (held again, skipped by a protection, rejected), nothing is written and the
 * reason is returned.
 */
export async function forceHeld(
  catalog: Catalog,
  importer: Importer,
  entryId: number,
  target: ForceTarget,
  by: string,
): Promise<ForceOutcome> {
  const held = await catalog.jobRecord(entryId);
  if (!held) return { refused: `there is no job row ${entryId}` };
  if (held.review?.state !== "open") {
    const review = held.review;
    return {
      held,
      refused: review
        ? `job row ${entryId} was ${review.state} already by ${review.by ?? "?"} at ${review.at?.toISOString() ?? "?"}`
        : `job row ${entryId} was not held for review (it was ${outcomeLabel(held.outcome)})`,
    };
  }
  const job = await catalog.job(held.jobId);
  const institution = job && (await catalog.zone(job.institution));
  if (!institution) return { held, refused: `the job of row ${entryId} has no institution` };
  // The profile the row came through (a job without one: the default profile).
  const loaded = await loadConnexionProfile(catalog, institution.code, job.profile);
  if (!loaded)
    return {
      held,
      refused: `${institution.code} has no OCLC Connexion profile${job.profile !== undefined ? ` ${job.profile}` : ""} any more`,
    };
  if ("error" in loaded) return { held, refused: loaded.error };
  const options: DecideOptions = {
    skipValidation: true,
    ...(target === "new" ? { match: "new" as const } : {}),
    ...(typeof target === "object" ? { match: { mmsId: target.into } } : {}),
  };
  const request = {
    raw: held.raw,
    incoming: readIncoming(held.raw),
    institution,
    profile: loaded.profile,
    options,
  };
  const decision = await importer.dryRun(request);
  if (!SAVES.has(decision.outcome)) {
    return {
      held,
      refused: `it would be ${outcomeLabel(decision.outcome)} again: ${decision.reason}`,
      decision,
    };
  }
  const forced = await importer.import({
    ...request,
    jobId: held.jobId,
    savedBy: by,
    forcedFrom: entryId,
    source: { kind: "review", heldEntry: entryId, target },
  });
  return { held, forced };
}
