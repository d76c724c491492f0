/**
 * The pipeline stages that run the profile's rule files: normalization (the profile's files in
 * order), merge (a predefined method or a merge-rule file) and brief level (the profile's file or
 * marcgate's default rules). Rule text is parsed once and kept (profiles are re-read on every
 * export; their rules are not re-parsed).
 */
import type { MarcRecord } from "../marc/record.js";
import type { Rule } from "../rules/ast.js";
import { briefLevel } from "../rules/brief-level.js";
import { DEFAULT_BRIEF_LEVEL_RULES } from "../rules/default-brief-level.js";
import { mergeRecords } from "../rules/merge.js";
import { normalize } from "../rules/normalize.js";
import { parseRules } from "../rules/parser.js";
import {
  isPredefinedMergeMethodName,
  PREDEFINED_MERGE_METHODS,
} from "../rules/predefined-merge.js";
import type { LogEntry } from "./log.js";
import type { StoredProfileSettings } from "./profile.js";

/** Parsed rule texts, by text; bounded (profiles hold a handful of files). */
const parsed = new Map<string, readonly Rule[]>();
const MAX_PARSED = 256;

/** The rules of a rule text (its errors were reported when the profile was imported). */
export function rulesOf(text: string): readonly Rule[] {
  let rules = parsed.get(text);
  if (!rules) {
    rules = parseRules(text).rules;
    if (parsed.size >= MAX_PARSED) parsed.clear();
    parsed.set(text, rules);
  }
  return rules;
}

function fileText(profile: StoredProfileSettings, name: string): string | undefined {
  return profile.ruleFiles?.[name];
}

/**
 * The profile's normalization files, in order. Actions that ran are logged one by one
 * (file:line, rule, what); those skipped are counted per file, so the log stays readable.
 */
export function runNormalization(
  record: MarcRecord,
  profile: StoredProfileSettings,
): { readonly record: MarcRecord; readonly log: LogEntry[] } | { readonly error: string } {
  const log: LogEntry[] = [];
  let current = record;
  for (const name of profile.normalization) {
    const text = fileText(profile, name);
    if (text === undefined)
      return { error: `the normalization rule file ${name} is not stored with the profile` };
    const result = normalize(current, rulesOf(text));
    current = result.record;
    let skipped = 0;
    for (const entry of result.log) {
      if (!entry.ran) {
        skipped++;
        continue;
      }
      log.push({
        stage: "normalize",
        message: `${name}:${entry.line} rule "${entry.rule}": ${entry.message}`,
        data: {
          file: name,
          line: entry.line,
          rule: entry.rule,
          action: entry.action,
          fields: entry.fields,
        },
      });
    }
    log.push({
      stage: "normalize",
      message: `${name}: ${result.log.length - skipped} action(s) ran, ${skipped} skipped (condition false or nothing to change)`,
    });
  }
  return { record: current, log };
}

/** The brief level by the profile's brief-level rules, or marcgate's default rules. */
export function runBriefLevel(
  record: MarcRecord,
  profile: StoredProfileSettings,
): { readonly level: string; readonly log: LogEntry } {
  const name = profile.briefLevelRules;
  const text =
    (name !== undefined ? fileText(profile, name) : undefined) ?? DEFAULT_BRIEF_LEVEL_RULES;
  const file = name ?? "marcgate default brief-level rules";
  const result = briefLevel(record, rulesOf(text));
  if (result.level === undefined) {
    return {
      level: "01",
      log: { stage: "brief-level", message: `brief level 01: no rule of ${file} matched` },
    };
  }
  return {
    level: result.level,
    log: {
      stage: "brief-level",
      message: `brief level ${result.level} (${file}${result.line !== undefined ? `:${result.line}` : ""} rule "${result.rule ?? "?"}")`,
    },
  };
}

/** The merge method: the existing record is the primary, the incoming one the secondary. */
export function runMerge(
  existing: MarcRecord,
  incoming: MarcRecord,
  profile: StoredProfileSettings,
): { readonly record: MarcRecord; readonly log: LogEntry[] } | { readonly error: string } {
  const name = profile.mergeMethod;
  const predefined = isPredefinedMergeMethodName(name);
  const text = predefined ? PREDEFINED_MERGE_METHODS[name] : fileText(profile, name);
  if (text === undefined)
    return { error: `the merge-rule file ${name} is not stored with the profile` };
  const result = mergeRecords(existing, incoming, rulesOf(text));
  return {
    record: result.record,
    log: result.log.map((entry) => ({
      stage: "merge",
      message: `${predefined ? name : `${name}:${entry.line}`} rule "${entry.rule}": ${entry.message}`,
      data: { line: entry.line, action: entry.action, fields: entry.fields },
    })),
  };
}
