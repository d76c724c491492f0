/**
 * Resolving a record held for review (several matches, a locked record, a validation error):
 * staff force-import it — into a record they choose, as a new record, or simply again — or
 * discard it. Both keep who and when; a forced import goes through the importer like any
 * export and writes its own job row, in the held row's job, linked to the held row (reason
 * code `forced`), and the held row leaves the queue in the same transaction.
 */
import type { Catalog, JobOutcome, JobRecord } from "../catalog/catalog.js";
import { readIncoming, type DecideOptions, type Decision } from "./decide.js";
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
        : `job row ${entryId} was not held for review (it was ${held.outcome})`,
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
      refused: `it would be ${decision.outcome} again: ${decision.reason}`,
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
