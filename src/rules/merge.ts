/**
 * The merge interpreter: runs `when merge` rules on two records. The primary is the record that
 * is kept and receives the changes (for a Connexion import, the existing record); the secondary
 * is the other one (the incoming record), which is never changed.
 *
 * - `add S` copies the secondary's fields that `S` selects into the primary;
 * - `remove S` deletes the primary's fields that `S` selects;
 * - `replace S` removes, then adds.
 *
 * Actions run in the written order, each on the primary as the earlier ones left it. Rules run
 * by priority (higher first), and among equal priorities the later-declared first, as the
 * normalization rules do. Every action writes one log entry, whether it ran or was skipped.
 *
 * Decisions where Alma's documentation is silent (the reasons are in `docs/rules.md`):
 *
 * - `MARC.XXX` is every field, control fields included, but not the leader; `X` stands for any
 *   character of a tag. The leader changes only through `MARC."LDR"` / `MARC.control."LDR"`.
 * - The primary's `001` (the MMS ID) always stays, and the secondary's `001` is never taken.
 * - `add` never takes a field twice (one an earlier action took and is still there), nor a field
 *   the primary holds already, identical in tag, indicators and subfields.
 * - `if exists` / `if does not exist` ask whether the primary holds a field the action selects.
 *   `if exists subfield "5"` / `if not exists subfield "5"` filter field by field, on both sides.
 * - `when MARC."T"."c" contains "V"` on an action on the same tag `T`: `remove` deletes the
 *   primary's fields that meet it; `add` takes the secondary's fields that meet it; `replace`
 *   runs only when the primary meets it as a record (on the fields the action would remove), and
 *   then removes the primary's fields that meet it and adds all the secondary's. On another tag
 *   it is a test of the primary as a record.
 *   `contains "V"` without `*` finds V anywhere in the value; with `*` the pattern is matched
 *   against the whole value (`"a*"`: begins with `a`).
 * - The result is the primary's remaining fields in their own order, with the added fields (in
 *   the secondary's order) placed by tag: for records in tag order the result is in tag order,
 *   the primary's fields before the secondary's within a tag. Neither record's own order is
 *   changed (the order of 5XX notes and 6XX headings means something to a cataloger).
 */
import {
  isControlField,
  isDataField,
  sameField,
  tagMatches,
  type Field,
  type MarcRecord,
} from "../marc/record.js";
import type {
  Action,
  MergeAction,
  MergeExclusion,
  MergeGuard,
  MergeSelector,
  Rule,
  ValuePattern,
} from "./ast.js";
import { ruleOrder } from "./order.js";
import { compileValuePattern, indicatorMatches, indicatorValue, nfc } from "./pattern.js";

/** What one merge action did, or why it did nothing. */
export interface MergeLogEntry {
  /** The rule's name. */
  readonly rule: string;
  /** The action's line in the rule file (the rule's line for a rule-level entry). */
  readonly line: number;
  /** The action as text, e.g. `replace MARC.XXX excluding "001,035,9XX"`. */
  readonly action: string;
  /** The tags of the fields removed and added, one per field (`LDR` for the leader). */
  readonly fields: readonly string[];
  /** What happened and why, e.g. `removed from the primary: 245; added from the secondary: 245`. */
  readonly message: string;
}

/** The merged record and the log of every action. */
export interface MergeResult {
  readonly record: MarcRecord;
  readonly log: MergeLogEntry[];
}

/** A field of the result: from the primary, or the secondary's field at `index`. */
interface Entry {
  readonly field: Field;
  readonly from: "primary" | "secondary";
  readonly index: number;
}

/** The merge as it goes: the primary's leader and fields as the actions so far left them. */
interface State {
  leader: string;
  entries: Entry[];
  readonly secondary: MarcRecord;
}

const LEADER = "LDR";

function isLeader(selector: MergeSelector): boolean {
  return selector.tag.toUpperCase() === LEADER;
}

/** Whether a selector selects a field (never the leader, which is not a field). */
function selects(selector: MergeSelector, field: Field): boolean {
  if (isLeader(selector)) return false;
  if (selector.control && !isControlField(field)) return false;
  if (!tagMatches(field.tag, selector.tag)) return false;
  if (selector.ind1 === undefined && selector.ind2 === undefined) return true;
  return (
    isDataField(field) &&
    indicatorMatches(selector.ind1, field.ind1) &&
    indicatorMatches(selector.ind2, field.ind2)
  );
}

function excludedBy(exclusion: MergeExclusion, field: Field): boolean {
  switch (exclusion.kind) {
    case "tags":
      return exclusion.tags.some((t) => tagMatches(field.tag, t.trim()));
    case "selector":
      return selects(exclusion.selector, field);
    case "indicator":
      return (
        isDataField(field) &&
        (exclusion.which === 1 ? field.ind1 : field.ind2) === indicatorValue(exclusion.value)
      );
  }
}

function excluded(action: MergeAction, field: Field): boolean {
  return action.exclusions.some((x) => excludedBy(x, field));
}

/** The `contains` test of each pattern, compiled once (keyed by the rule's pattern node). */
const containsTests = new WeakMap<ValuePattern, (value: string) => boolean>();

/**
 * `contains`: an alternative without `*` is found anywhere in the value (`"OCoLC"` in
 * `"(OCoLC)123"`); one with `*` is matched against the whole value (`"a*"`: begins with `a`).
 * Both compare in Unicode NFC, as the normalization patterns do.
 */
function containsTest(pattern: ValuePattern): (value: string) => boolean {
  let test = containsTests.get(pattern);
  if (test) return test;
  const found = pattern.alternatives.filter((p) => p.length <= 1).map((p) => nfc(p[0] ?? ""));
  const globs = pattern.alternatives.filter((p) => p.length > 1);
  const whole =
    globs.length > 0
      ? compileValuePattern({ source: pattern.source, alternatives: globs })
      : undefined;
  test = (value: string): boolean => {
    const v = nfc(value);
    return found.some((f) => v.includes(f)) || (whole !== undefined && whole.test(v));
  };
  containsTests.set(pattern, test);
  return test;
}

type ContainsGuard = Extract<MergeGuard, { kind: "contains" }>;

/** Whether a field has the guard's subfield with a value that contains the pattern. */
function fieldContains(guard: ContainsGuard, field: Field): boolean {
  return (
    isDataField(field) &&
    selects(guard.selector, field) &&
    field.subfields.some((s) => s.code === guard.code && containsTest(guard.value)(s.value))
  );
}

/** The `when … contains` test on one field. */
function fieldMeets(guard: ContainsGuard, field: Field): boolean {
  return fieldContains(guard, field) !== guard.negated;
}

/** The `when … contains` test on a record's fields: some field contains (or none does). */
function recordMeets(guard: ContainsGuard, fields: readonly Field[]): boolean {
  return fields.some((f) => fieldContains(guard, f)) !== guard.negated;
}

/** A `when` on the action's own tag filters field by field; on another tag it tests the record. */
function isFieldLevel(guard: ContainsGuard, action: MergeAction): boolean {
  return guard.selector.tag.toUpperCase() === action.selector.tag.toUpperCase();
}

function hasSubfield(field: Field, code: string): boolean {
  return isDataField(field) && field.subfields.some((s) => s.code === code);
}

// ---------------------------------------------------------------- describing

function quote(text: string): string {
  return `"${text}"`;
}

function describeGuard(guard: MergeGuard): string {
  switch (guard.kind) {
    case "exists":
      return guard.negated ? "if does not exist" : "if exists";
    case "subfield":
      return `${guard.negated ? "if not exists" : "if exists"} subfield ${quote(guard.code)}`;
    case "contains":
      return `when ${guard.selector.source}.${quote(guard.code)} ${guard.negated ? "does not contain" : "contains"} ${quote(guard.value.source)}`;
  }
}

function describeExclusion(exclusion: MergeExclusion): string {
  switch (exclusion.kind) {
    case "tags":
      return `excluding ${quote(exclusion.tags.join(","))}`;
    case "selector":
      return `excluding ${exclusion.selector.source}`;
    case "indicator":
      return `excluding ${exclusion.which === 1 ? "first" : "second"} indicator ${quote(exclusion.value)}`;
  }
}

/** The action as the rule file would write it. */
function describeAction(action: MergeAction): string {
  return [
    action.kind,
    action.selector.source,
    ...action.guards.map(describeGuard),
    ...action.exclusions.map(describeExclusion),
  ].join(" ");
}

/** Tags as a short list: `035 ×2, 245`. */
function describeTags(fields: readonly Field[]): string {
  const counts = new Map<string, number>();
  for (const f of fields) counts.set(f.tag, (counts.get(f.tag) ?? 0) + 1);
  return [...counts].map(([tag, n]) => (n > 1 ? `${tag} ×${n}` : tag)).join(", ");
}

/** Why a record-level guard stopped an action. */
function whyNot(guard: MergeGuard, selector: MergeSelector): string {
  switch (guard.kind) {
    case "exists":
      return guard.negated
        ? `the primary already has ${selector.source} (if does not exist)`
        : `the primary has no ${selector.source} (if exists)`;
    case "subfield":
      return `the leader has no subfields (${describeGuard(guard)})`;
    case "contains":
      return guard.negated
        ? `a ${guard.selector.source} of the primary has $${guard.code} containing ${quote(guard.value.source)}`
        : `no ${guard.selector.source} of the primary has $${guard.code} containing ${quote(guard.value.source)}`;
  }
}

// ---------------------------------------------------------------- running

/** A field of the action's kind, selected and not excluded. */
function inScope(action: MergeAction, field: Field): boolean {
  return selects(action.selector, field) && !excluded(action, field);
}

/**
 * The record-level guards of an action, tested on the primary as it stands: the first that
 * fails, or undefined when all hold.
 */
function failedGate(action: MergeAction, state: State): MergeGuard | undefined {
  const fields = state.entries.map((e) => e.field);
  for (const guard of action.guards) {
    switch (guard.kind) {
      case "exists": {
        const has = isLeader(action.selector) || fields.some((f) => inScope(action, f));
        if (has === guard.negated) return guard;
        break;
      }
      case "subfield":
        // Field by field, except for the leader, which has no subfields.
        if (isLeader(action.selector) && !guard.negated) return guard;
        break;
      case "contains": {
        // On the action's own tag: a record-level test only for `replace`, and on the fields
        // the action would remove (not those it excludes). On another tag: on every field.
        const own = isFieldLevel(guard, action) && !isLeader(action.selector);
        if (own && action.kind !== "replace") break;
        if (!recordMeets(guard, own ? fields.filter((f) => inScope(action, f)) : fields))
          return guard;
        break;
      }
    }
  }
  return undefined;
}

/** The per-field guards on the primary's side (remove, and replace's removal). */
function primaryFieldPasses(action: MergeAction, field: Field): boolean {
  return action.guards.every((g) => {
    if (g.kind === "subfield") return hasSubfield(field, g.code) !== g.negated;
    if (g.kind === "contains" && isFieldLevel(g, action)) return fieldMeets(g, field);
    return true;
  });
}

/** The per-field guards on the secondary's side (add; replace adds all it selects). */
function secondaryFieldPasses(action: MergeAction, field: Field): boolean {
  return action.guards.every((g) => {
    if (g.kind === "subfield") return hasSubfield(field, g.code) !== g.negated;
    if (g.kind === "contains" && isFieldLevel(g, action) && action.kind === "add")
      return fieldMeets(g, field);
    return true;
  });
}

/** The clauses of an action's message, in a fixed order, each with the fields it names. */
class Report {
  private readonly clauses: string[] = [];
  readonly touched: string[] = [];

  clause(label: string, fields: readonly Field[], touched = false): void {
    if (fields.length === 0) return;
    this.clauses.push(`${label}: ${describeTags(fields)}`);
    if (touched) for (const f of fields) this.touched.push(f.tag);
  }

  note(text: string): void {
    this.clauses.push(text);
  }

  get empty(): boolean {
    return this.clauses.length === 0;
  }

  message(): string {
    return this.clauses.join("; ");
  }
}

function removeFromPrimary(action: MergeAction, state: State, report: Report): void {
  const removed: Field[] = [];
  const byCondition: Field[] = [];
  const byExcluding: Field[] = [];
  let keptMmsId = false;
  state.entries = state.entries.filter((entry) => {
    const f = entry.field;
    if (!selects(action.selector, f)) return true;
    if (excluded(action, f)) {
      byExcluding.push(f);
      return true;
    }
    if (entry.from === "primary" && f.tag === "001") {
      keptMmsId = true;
      return true;
    }
    if (!primaryFieldPasses(action, f)) {
      byCondition.push(f);
      return true;
    }
    removed.push(f);
    return false;
  });
  report.clause("removed from the primary", removed, true);
  report.clause("kept by the condition", byCondition);
  report.clause("kept by excluding", byExcluding);
  if (keptMmsId) report.note("001 kept (the primary's MMS ID)");
}

function addFromSecondary(action: MergeAction, state: State, report: Report): void {
  const added: Field[] = [];
  const already: Field[] = [];
  const same: Field[] = [];
  const byCondition: Field[] = [];
  const byExcluding: Field[] = [];
  let mmsId = false;
  const inResult = new Set(state.entries.filter((e) => e.from === "secondary").map((e) => e.index));
  state.secondary.fields.forEach((f, index) => {
    if (!selects(action.selector, f)) return;
    if (excluded(action, f)) {
      byExcluding.push(f);
      return;
    }
    if (f.tag === "001") {
      mmsId = true;
      return;
    }
    if (!secondaryFieldPasses(action, f)) {
      byCondition.push(f);
      return;
    }
    if (inResult.has(index)) {
      already.push(f);
      return;
    }
    if (state.entries.some((e) => e.from === "primary" && sameField(e.field, f))) {
      same.push(f);
      return;
    }
    state.entries.push({ field: f, from: "secondary", index });
    added.push(f);
  });
  report.clause("added from the secondary", added, true);
  report.clause("not added again (the primary has the same field)", same);
  report.clause("taken already by an earlier action", already);
  report.clause("not taken by the condition", byCondition);
  report.clause("not taken by excluding", byExcluding);
  if (mmsId) report.note("the secondary's 001 not taken (the primary keeps its MMS ID)");
}

function runLeader(action: MergeAction, state: State): string {
  if (action.kind === "remove") return "skipped: the leader cannot be removed";
  const before = state.leader;
  state.leader = state.secondary.leader;
  return before === state.leader
    ? "leader taken from the secondary (the same as the primary's)"
    : "leader taken from the secondary";
}

function runAction(action: MergeAction, state: State): { message: string; fields: string[] } {
  const gate = failedGate(action, state);
  if (gate) return { message: `skipped: ${whyNot(gate, action.selector)}`, fields: [] };
  if (isLeader(action.selector)) {
    const message = runLeader(action, state);
    return { message, fields: message.startsWith("skipped") ? [] : [LEADER] };
  }
  if (action.selector.tag.length !== 3) {
    // Harvard's MARC."580"X: a tag of four characters, which no field has.
    return {
      message: `skipped: ${action.selector.source} selects no field (${action.selector.tag} is not a three-character tag)`,
      fields: [],
    };
  }
  if (action.selector.tag === "001") {
    return { message: "skipped: the primary's 001 is its MMS ID and always stays", fields: [] };
  }
  const report = new Report();
  if (action.kind !== "add") removeFromPrimary(action, state, report);
  if (action.kind !== "remove") addFromSecondary(action, state, report);
  if (report.empty) {
    const nothing = {
      add: "nothing to add: the secondary has no such field",
      remove: "nothing to remove: the primary has no such field",
      replace: "nothing to replace: neither record has such a field",
    };
    report.note(nothing[action.kind]);
  }
  return { message: report.message(), fields: report.touched };
}

function isMergeAction(action: Action): action is MergeAction {
  return action.kind === "add" || action.kind === "remove" || action.kind === "replace";
}

/**
 * The primary's remaining fields in their order, with the added fields (in the secondary's
 * order) placed by tag: each goes before the first remaining field with a greater tag still
 * to come.
 */
function interleave(entries: readonly Entry[]): Field[] {
  const kept = entries.filter((e) => e.from === "primary").map((e) => e.field);
  const added = entries
    .filter((e) => e.from === "secondary")
    .sort((a, b) => a.index - b.index)
    .map((e) => e.field);
  const out: Field[] = [];
  let i = 0;
  let j = 0;
  while (i < kept.length || j < added.length) {
    const k = kept[i];
    const a = added[j];
    if (k !== undefined && (a === undefined || k.tag <= a.tag)) {
      out.push(k);
      i++;
    } else if (a !== undefined) {
      out.push(a);
      j++;
    }
  }
  return out;
}

/**
 * Merges the secondary record into the primary by merge rules (`when merge`). The primary
 * keeps its `001`; the secondary is not changed. Rules that are not merge rules, and actions
 * that are not merge actions, are skipped and logged.
 *
 * @example
 * ```ts
 * import { parseRules } from "./parser.js";
 * const { rules } = parseRules(`rule "Take the title"
 * when merge
 * then
 *   replace MARC."245"
 * end`);
 * const { record, log } = mergeRecords(existing, incoming, rules);
 * log[0]; // { rule: "Take the title", line: 4, action: 'replace MARC."245"', fields: ["245", "245"],
 *         //   message: "removed from the primary: 245; added from the secondary: 245" }
 * ```
 */
export function mergeRecords(
  primary: MarcRecord,
  secondary: MarcRecord,
  rules: readonly Rule[],
): MergeResult {
  const state: State = {
    leader: primary.leader,
    entries: primary.fields.map((field, index) => ({ field, from: "primary", index })),
    secondary,
  };
  const log: MergeLogEntry[] = [];
  for (const rule of ruleOrder(rules)) {
    const entry = (line: number, action: string, message: string, fields: string[] = []): void => {
      log.push({ rule: rule.name, line, action, fields, message });
    };
    if (rule.when.kind !== "merge") {
      entry(rule.at.line, "when", "skipped: not a merge rule (its when is a condition, not merge)");
      continue;
    }
    if (rule.actions.length === 0) {
      entry(rule.at.line, "then", "no actions: the primary is kept as it is");
      continue;
    }
    for (const action of rule.actions) {
      if (!isMergeAction(action)) {
        entry(
          action.at.line,
          action.kind,
          "skipped: not a merge action (merge rules add, remove or replace)",
        );
        continue;
      }
      const done = runAction(action, state);
      entry(action.at.line, describeAction(action), done.message, done.fields);
    }
  }
  return { record: { leader: state.leader, fields: interleave(state.entries) }, log };
}
