/**
 * The order in which a file's rules fire.
 *
 * A higher `priority` (or `salience`) fires first (Ex Libris: "2 occurs before 1 and 10 occurs
 * before 9"). Among rules of equal priority Alma — Drools 5 underneath — fires the
 * **later-declared rule first** (its agenda is last in, first out). Harvard's production files
 * depend on it (research §1.4): `HOLonSave` adds `995` in parts 1–3 and removes every `995` in
 * part 4, and `BIBonSave` adds a `951` in rule 1 and removes every `951` in rule 2; both files
 * only leave the new field in place if part 4 and rule 2 fire before the rules above them.
 */
import type { Rule } from "./ast.js";

/**
 * `"alma"`: priority, highest first; among equal priorities the later-declared rule first.
 * `"declaration"`: priority, highest first; among equal priorities file order.
 */
export type RuleOrder = "alma" | "declaration";

/**
 * The rules in firing order (a new array; the input is not changed).
 *
 * @example
 * ```ts
 * ruleOrder(parseRules(text).rules).map((r) => r.name); // later-declared first at equal priority
 * ruleOrder(rules, "declaration"); // file order at equal priority
 * ```
 */
export function ruleOrder<T extends Pick<Rule, "priority" | "index">>(
  rules: readonly T[],
  order: RuleOrder = "alma",
): T[] {
  const later = order === "alma" ? -1 : 1;
  return rules
    .map((rule, position) => ({ rule, position }))
    .sort(
      (a, b) =>
        b.rule.priority - a.rule.priority ||
        later * (a.rule.index - b.rule.index) ||
        later * (a.position - b.position),
    )
    .map((x) => x.rule);
}
