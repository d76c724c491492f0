/**
 * A record's brief level (`01`–`10`, 10 the fullest) by marcgate's default brief-level rules
 * (`DEFAULT_BRIEF_LEVEL_RULES`, rule text like any institution's; see docs/rules.md), for saves
 * that have no profile of their own (`marcgate load`).
 */
import type { MarcRecord } from "../marc/record.js";
import { briefLevel } from "../rules/brief-level.js";
import { DEFAULT_BRIEF_LEVEL_RULES } from "../rules/default-brief-level.js";
import { rulesOf } from "./rule-stages.js";

/**
 * The brief level by marcgate's default rules (`01` when none matches).
 *
 * @example
 * ```ts
 * defaultBriefLevel({ leader: "00000nam a22000008a 4500", fields: [] }); // "01" (no title)
 * ```
 */
export function defaultBriefLevel(record: MarcRecord): string {
  return briefLevel(record, rulesOf(DEFAULT_BRIEF_LEVEL_RULES)).level ?? "01";
}

/** @deprecated the benchmark's name for {@link defaultBriefLevel}. */
export const briefLevelFromLeader = defaultBriefLevel;
