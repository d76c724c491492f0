/**
 * Authority records over Connexion (issue 23): a record with leader/06 `z` is imported by the
 * institution's authority profile, not by its bibliographic settings. The authority profile is
 * the Connexion profile with what MARC 21 authority records need in place of what bibliographic
 * records need:
 *
 * - matching by MARC 21 authority identifiers, in order: the OCLC number (`035 (OCoLC)`), the
 *   LCCN and other system numbers (`010 $a` as `(DLC)`, `035 (DLC)…`, `(003)001`), and the
 *   `001` as an MMS ID — only among authority records (the catalog keeps the kinds apart);
 * - the merge method "Overlay all fields but local";
 * - the validation exception profile "MarcXML Authority Import";
 * - no normalization rule files (the profile's are written for bibliographic records);
 * - stored as MARC 21 whatever the target format (the crosswalks are bibliographic).
 *
 * Everything else (zone, management tag, brief level, password) is the Connexion profile's.
 */
import type { LogEntry } from "./log.js";
import type { MatchStepName, StoredProfileSettings } from "./profile.js";
import { AUTHORITY_VALIDATION_PROFILE } from "../validation/profile.js";

/** The match steps of an authority record. */
export const AUTHORITY_MATCH_STEPS: readonly MatchStepName[] = [
  "Unique OCLC Identifier",
  "035 (Other System Identifier)",
  "001 to MMS ID",
];

/** The merge method of an authority record. */
export const AUTHORITY_MERGE_METHOD = "Overlay all fields but local";

/** The profile an authority record is imported by, and the log line that says so. */
export function authorityProfile(profile: StoredProfileSettings): {
  readonly profile: StoredProfileSettings;
  readonly log: LogEntry;
} {
  return {
    profile: {
      ...profile,
      targetFormat: "MARC21",
      normalization: [],
      validationProfile: AUTHORITY_VALIDATION_PROFILE,
      serialMatchMethod: "Multi-step",
      nonSerialMatchMethod: "Multi-step",
      serialMatchSteps: AUTHORITY_MATCH_STEPS,
      nonSerialMatchSteps: AUTHORITY_MATCH_STEPS,
      mergeMethod: AUTHORITY_MERGE_METHOD,
    },
    log: {
      stage: "read",
      message: `leader/06 is 'z': an authority record, imported by the authority profile (${AUTHORITY_VALIDATION_PROFILE}; match ${AUTHORITY_MATCH_STEPS.join(" → ")}; merge ${AUTHORITY_MERGE_METHOD})`,
      data: { recordKind: "authority" },
    },
  };
}
