/**
 * The validate stage: the profile's validation exception profile on the normalized record.
 * Errors hold the record for review (nothing saved but its job row); warnings are logged and
 * the record goes on. Staff forcing a held record through skip it, and the log says so.
 */
import type { MarcIssue } from "../marc/issue.js";
import type { MarcRecord } from "../marc/record.js";
import { resolveValidationProfile } from "../validation/profile.js";
import {
  formatValidationIssue,
  issueLocation,
  validateRecord,
  type ValidationIssue,
} from "../validation/validate.js";
import type { LogEntry } from "./log.js";
import type { StoredProfileSettings } from "./profile.js";

/** How many errors the reason names before "and N more". */
const NAMED_IN_REASON = 2;

function logEntry(issue: ValidationIssue): LogEntry {
  return {
    stage: "validate",
    message: formatValidationIssue(issue),
    data: {
      check: issue.check,
      severity: issue.severity,
      ...(issue.tag !== undefined ? { tag: issue.tag } : {}),
      ...(issue.occurrence !== undefined ? { occurrence: issue.occurrence } : {}),
      ...(issue.position !== undefined ? { position: issue.position } : {}),
      ...(issue.indicator !== undefined ? { indicator: issue.indicator } : {}),
      ...(issue.subfield !== undefined ? { subfield: issue.subfield } : {}),
    },
  };
}

/**
 * Runs the validation exception profile the Connexion profile names. `held` is the reason for
 * the cataloger when an error holds the record; `error` when the profile cannot be applied.
 */
export function runValidation(
  record: MarcRecord,
  readIssues: readonly MarcIssue[],
  profile: StoredProfileSettings,
  options: { readonly skipValidation?: boolean },
):
  | { readonly log: LogEntry[]; readonly held?: string }
  | { readonly log: LogEntry[]; readonly error: string } {
  const name = profile.validationProfile;
  if (options.skipValidation) {
    return {
      log: [{ stage: "validate", message: `validation (${name}) skipped: import forced by staff` }],
    };
  }
  const resolved = resolveValidationProfile(name, profile.ruleFiles?.[name]);
  if ("error" in resolved) return { log: [], error: resolved.error };
  const { errors, warnings } = validateRecord(record, resolved.profile, readIssues);
  const log = [...errors, ...warnings].map(logEntry);
  log.push({
    stage: "validate",
    message: `${name}: ${errors.length} error(s), ${warnings.length} warning(s)${errors.length > 0 ? ": held for review" : ""}`,
  });
  if (errors.length === 0) return { log };
  const named = errors
    .slice(0, NAMED_IN_REASON)
    .map((e) => `${issueLocation(e)}: ${e.message} [${e.check}]`)
    .join("; ");
  const more = errors.length - NAMED_IN_REASON;
  const held = `${errors.length} validation error${errors.length === 1 ? "" : "s"} (${name}): ${named}${more > 0 ? `; and ${more} more` : ""}`;
  return { log, held };
}
