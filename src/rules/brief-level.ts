/**
 * The brief-level interpreter: which `set brief_level."NN"` rule decides a record's level.
 *
 * Rules are tried in order of priority, highest first, and at equal priority in file order; the
 * first rule whose `when` holds decides, and no further rules are tested. That is how the real
 * files are written and documented (research §1.4): UMich ends with `rule "Brief 09 - all
 * encoding levels" when (TRUE)`, which must not override the rules above it; Harvard puts
 * "Brief 09" before "Brief 07" and "Brief 08" so that an authenticated full record is 09, not
 * 07 or 08, and names rule 03 "precedence over other rules except sparse"; Princeton: "[01] is
 * processed first, and no further tests are made if the record meets the criteria". (Alma's
 * Drools agenda fires later-declared rules first and the last `set` wins, which gives the same
 * result in file order.)
 *
 * A rule decides through its `set brief_level` action; when it has several, the last one
 * written counts (they would run in order, the last write staying). Anything else in a brief-level
 * file — normalization actions, `set indication`, merge rules — is not a brief-level rule: it
 * is skipped with a log entry.
 */
import type { MarcRecord } from "../marc/record.js";
import type { Rule, SetValue } from "./ast.js";
import { compileCondition, type Predicate } from "./condition.js";
import type { RuleLogEntry } from "./normalize.js";
import { actionText } from "./normalize.js";
import { ruleOrder } from "./order.js";

/** The result of {@link briefLevel}. */
export interface BriefLevelResult {
  /** The level the deciding rule sets (`"01"` … `"10"` as written), or undefined when none matched. */
  readonly level: string | undefined;
  /** The deciding rule's name. */
  readonly rule?: string;
  /** The deciding rule's line in the file. */
  readonly line?: number;
  /** One entry per rule: the one that decided, those whose `when` was false, those not needed. */
  readonly log: RuleLogEntry[];
}

/**
 * The brief level of a record by a brief-level rule file.
 *
 * @example
 * ```ts
 * const { rules } = parseRules(DEFAULT_BRIEF_LEVEL_RULES);
 * briefLevel(record, rules); // { level: "10", rule: "10 full level with …", line: 88, log: […] }
 * ```
 */
export function briefLevel(record: MarcRecord, rules: readonly Rule[]): BriefLevelResult {
  const log: RuleLogEntry[] = [];
  const all = compiled(rules);
  for (let i = 0; i < all.length; i++) {
    const r = all[i]!;
    for (const e of r.ignored) log.push(e);
    if (!r.when) {
      log.push(entry(r, r.why));
      continue;
    }
    if (!r.when(record.leader, record.fields)) {
      log.push(entry(r, "when is false"));
      continue;
    }
    const set = r.sets[r.sets.length - 1]!;
    log.push({
      rule: r.rule.name,
      line: set.at.line,
      action: actionText(set),
      ran: true,
      fields: [],
      message: `brief level ${set.value}`,
    });
    const notTested = `not tested: rule ${JSON.stringify(r.rule.name)} decided`;
    for (let j = i + 1; j < all.length; j++) log.push(entry(all[j]!, notTested));
    return { level: set.value, rule: r.rule.name, line: r.rule.at.line, log };
  }
  return { level: undefined, log };
}

/** A skipped rule's entry, at its (last) `set brief_level` or, without one, at the rule. */
function entry(r: CompiledBriefRule, message: string): RuleLogEntry {
  const set = r.sets[r.sets.length - 1];
  return {
    rule: r.rule.name,
    line: set ? set.at.line : r.rule.at.line,
    action: set ? actionText(set) : r.rule.when.kind === "merge" ? "when merge" : "rule",
    ran: false,
    fields: [],
    message,
  };
}

interface CompiledBriefRule {
  readonly rule: Rule;
  /** Undefined when the rule cannot set a brief level (see `why`). */
  readonly when: Predicate | undefined;
  readonly why: string;
  /** Its `set brief_level` actions (the last one decides). */
  readonly sets: readonly SetValue[];
  /** Entries for the actions that are not `set brief_level`. */
  readonly ignored: readonly RuleLogEntry[];
}

const cache = new WeakMap<readonly Rule[], readonly CompiledBriefRule[]>();

function compiled(rules: readonly Rule[]): readonly CompiledBriefRule[] {
  let c = cache.get(rules);
  if (!c) {
    c = ruleOrder(rules, "declaration").map(compileRule);
    cache.set(rules, c);
  }
  return c;
}

function compileRule(rule: Rule): CompiledBriefRule {
  const sets: SetValue[] = [];
  const ignored: RuleLogEntry[] = [];
  for (const a of rule.actions) {
    if (a.kind === "set" && a.variable === "brief_level") {
      sets.push(a);
    } else {
      ignored.push({
        rule: rule.name,
        line: a.at.line,
        action: actionText(a),
        ran: false,
        fields: [],
        message: "not a brief-level action: ignored by the brief-level rules",
      });
    }
  }
  if (rule.when.kind === "merge") {
    return { rule, when: undefined, why: "a merge rule: not a brief-level rule", sets, ignored };
  }
  if (sets.length === 0) {
    return { rule, when: undefined, why: "sets no brief_level", sets, ignored };
  }
  return { rule, when: compileCondition(rule.when), why: "", sets, ignored };
}
