/**
 * The normalization interpreter: a rule file's rules applied to one record.
 *
 * - Rules fire in {@link ruleOrder} order: priority, highest first; at equal priority the
 *   later-declared rule first (`"alma"`, what Harvard's production files need), or file order
 *   (`"declaration"`).
 * - Every rule's `when` is decided on the record as it comes into the file, before any rule
 *   fires (Drools activations are made when the record is inserted; a rule's actions do not
 *   make Alma re-test the other rules — which is why libraries chain files when a later step
 *   must see fields an earlier one added, research §1.2). Actions then work on the record as the
 *   rules before them left it.
 * - A rule's actions run in the order written. An action's `if (…)` is tested on each field the
 *   action works on, as a record holding that field alone (with the record's leader); for
 *   `addField` and `addControlField` it is tested on the fields of the tag being added, together.
 * - Every action, run or skipped, writes a {@link RuleLogEntry}. Merge rules (`when merge`) and
 *   `set` actions belong to other interpreters: they are skipped, with an entry saying so.
 *
 * New fields (`addField`, `addControlField`, `copyField`, `copyControlField`, `splitSubField`)
 * are placed by tag, as the merge interpreter places the fields it adds: before the first field
 * whose tag sorts after theirs, so after the fields of their own tag. `changeField` retags a
 * field where it stands.
 *
 * Rules are compiled once per rule array (kept in a WeakMap), so a profile's rules cost nothing
 * to prepare after the first record; an action that finds nothing to do allocates nothing, and
 * a record no action changed comes back as the same object.
 */
import type {
  Action,
  ControlSpec,
  FieldSpec,
  NormalizationAction,
  Position,
  Rule,
  ValuePattern,
} from "./ast.js";
import {
  isControlField,
  isDataField,
  type ControlField,
  type DataField,
  type Field,
  type MarcRecord,
  type Subfield,
} from "../marc/record.js";
import { compileCondition, conditionText, type Predicate } from "./condition.js";
import { ruleOrder, type RuleOrder } from "./order.js";
import {
  compileFieldSpec,
  compileTagPattern,
  compileValuePattern,
  controlText,
  hashIsBlankIn,
  indicatorValue,
  nfc,
} from "./pattern.js";

/** What one action did, or why it did nothing. */
export interface RuleLogEntry {
  /** The rule's name. */
  readonly rule: string;
  /** The line of the action in the rule file (of the rule, for an entry about a whole rule). */
  readonly line: number;
  /** The action as the file writes it, without its `if` (`removeField "856"`). */
  readonly action: string;
  /** Whether the action changed the record. */
  readonly ran: boolean;
  /** The tags of the fields it touched (each once, in record order); empty when skipped. */
  readonly fields: readonly string[];
  /** What it did, or why it was skipped. */
  readonly message: string;
}

/** Options of {@link normalize}. */
export interface NormalizeOptions {
  /**
   * The firing order at equal priority: `"alma"` (later-declared first, as Alma's Drools agenda
   * does; research §1.4) or `"declaration"` (file order). Priority, highest first, comes first
   * in both.
   * @default "alma"
   */
  readonly order?: RuleOrder;
}

/**
 * Applies normalization rules to a record: the changed record (the same object when nothing
 * changed) and one log entry per action.
 *
 * @example
 * ```ts
 * const { rules } = parseRules(`rule "r" when (TRUE) then removeField "029" end`);
 * const { record, log } = normalize(input, rules);
 * log[0]; // { rule: "r", line: 1, action: 'removeField "029"', ran: true, fields: ["029"], message: "removed 1 field" }
 * ```
 */
export function normalize(
  record: MarcRecord,
  rules: readonly Rule[],
  options: NormalizeOptions = {},
): { record: MarcRecord; log: RuleLogEntry[] } {
  const ordered = compiled(rules).inOrder(options.order ?? "alma");
  const log: RuleLogEntry[] = [];
  // Every `when` on the record as it came in, before any rule fires.
  const active = ordered.map((r) => r.when !== undefined && r.when(record.leader, record.fields));
  const work = new Work(record);
  for (let i = 0; i < ordered.length; i++) {
    const rule = ordered[i]!;
    if (!active[i]) {
      for (const e of rule.skipped) log.push(e);
      continue;
    }
    for (const run of rule.actions) run(work, log);
  }
  return { record: work.changed ? { leader: work.leader, fields: work.fields } : record, log };
}

// ------------------------------------------------------------------ the record being changed

/**
 * Which numeric tags (`000`–`999`) the record under normalization holds, as stamps: tag `n` is
 * there when `TAG_STAMPS[n]` equals the generation the record was last stamped with. One table
 * serves every record (normalization is synchronous); a record whose generation is no longer
 * the latest is stamped again, so nothing can read another record's tags.
 */
const TAG_STAMPS = new Uint32Array(1000);
let lastGeneration = 0;

/** The number of a three-digit tag, or -1. */
function tagNumber(tag: string): number {
  if (tag.length !== 3) return -1;
  const a = tag.charCodeAt(0) - 48;
  const b = tag.charCodeAt(1) - 48;
  const c = tag.charCodeAt(2) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 && c >= 0 && c <= 9 ? a * 100 + b * 10 + c : -1;
}

/** The record under normalization: the fields array is copied on the first change only. */
class Work {
  leader: string;
  fields: readonly Field[];
  changed = false;
  private owned = false;
  /** Bumped whenever the fields change; the tag stamps are good for one version. */
  private version = 0;
  private stampedVersion = -1;
  private generation = 0;
  /** Whether some field has a tag that is not three digits (`YLK`, `00A`): see {@link presence}. */
  oddTags = false;

  constructor(record: MarcRecord) {
    this.leader = record.leader;
    this.fields = record.fields;
  }

  /** The fields as a mutable array (copied the first time), the record marked changed. */
  edit(): Field[] {
    if (!this.owned) {
      this.fields = this.fields.slice();
      this.owned = true;
    }
    this.changed = true;
    this.version++;
    return this.fields as Field[];
  }

  /** Puts a new fields array in place. */
  replaceFields(fields: Field[]): void {
    this.fields = fields;
    this.owned = true;
    this.changed = true;
    this.version++;
  }

  setLeader(leader: string): void {
    this.leader = leader;
    this.changed = true;
  }

  /** A new field by tag: before the first field whose tag sorts after its own (as merge places them). */
  insert(field: Field): void {
    const fields = this.edit();
    let i = 0;
    while (i < fields.length && fields[i]!.tag <= field.tag) i++;
    fields.splice(i, 0, field);
  }

  /** The generation under which `TAG_STAMPS` holds this record's numeric tags. */
  stamps(): number {
    if (this.stampedVersion !== this.version || this.generation !== lastGeneration) {
      this.generation = lastGeneration = (lastGeneration + 1) >>> 0 || 1;
      this.oddTags = false;
      for (const f of this.fields) {
        const n = tagNumber(f.tag);
        if (n >= 0) TAG_STAMPS[n] = this.generation;
        else this.oddTags = true;
      }
      this.stampedVersion = this.version;
    }
    return this.generation;
  }
}

/** Whether the record may hold a field of a tag pattern: a look at its tags, not its fields. */
type Presence = (work: Work) => boolean;

/**
 * A presence test for a tag pattern: numeric patterns (`856`, `90*`, `6**`) read the stamps;
 * others (`YLK`, `***`) look at the fields' tags, and so does a wildcard pattern on a record
 * with a tag that is not three digits (`00*` matches `00A`).
 */
function presence(pattern: string, tag: (tag: string) => boolean): Presence {
  const scan: Presence = (work) => {
    for (const f of work.fields) if (tag(f.tag)) return true;
    return false;
  };
  if (/^[0-9]{3}$/u.test(pattern)) {
    const n = Number(pattern);
    return (work) => work.stamps() === TAG_STAMPS[n];
  }
  if (/^[0-9*]{3}$/u.test(pattern) && pattern !== "***") {
    const numbers: number[] = [];
    for (let n = 0; n < 1000; n++) if (tag(String(n).padStart(3, "0"))) numbers.push(n);
    return (work) => {
      const generation = work.stamps();
      if (work.oddTags) return scan(work);
      for (const n of numbers) if (TAG_STAMPS[n] === generation) return true;
      return false;
    };
  }
  return scan;
}

// ------------------------------------------------------------------ compilation

type Run = (work: Work, log: RuleLogEntry[]) => void;

interface CompiledRule {
  readonly rule: Rule;
  /** The `when`; undefined for a merge rule, which never fires here. */
  readonly when: Predicate | undefined;
  readonly actions: readonly Run[];
  /** The entries of a rule that does not fire (its `when` is false, or it is a merge rule). */
  readonly skipped: readonly RuleLogEntry[];
}

interface CompiledRules {
  inOrder(order: RuleOrder): readonly CompiledRule[];
}

const cache = new WeakMap<readonly Rule[], CompiledRules>();

function compiled(rules: readonly Rule[]): CompiledRules {
  let c = cache.get(rules);
  if (!c) {
    const all = rules.map(compileRule);
    const byOrder = new Map<RuleOrder, readonly CompiledRule[]>();
    c = {
      inOrder(order) {
        let list = byOrder.get(order);
        if (!list) {
          const position = new Map(all.map((r) => [r.rule, r]));
          list = ruleOrder(rules, order).map((r) => position.get(r)!);
          byOrder.set(order, list);
        }
        return list;
      },
    };
    cache.set(rules, c);
  }
  return c;
}

const NONE: readonly string[] = Object.freeze([]);

function compileRule(rule: Rule): CompiledRule {
  const entry = (at: Position, action: string, message: string): RuleLogEntry => ({
    rule: rule.name,
    line: at.line,
    action,
    ran: false,
    fields: NONE,
    message,
  });
  if (rule.when.kind === "merge") {
    const message = "a merge rule (when merge): not run by normalization";
    const skipped =
      rule.actions.length === 0
        ? [entry(rule.at, "when merge", message)]
        : rule.actions.map((a) => entry(a.at, actionText(a), message));
    return { rule, when: undefined, actions: [], skipped };
  }
  const when = compileCondition(rule.when);
  const actions: Run[] = [];
  const skipped: RuleLogEntry[] = [];
  for (const a of rule.actions) {
    const text = actionText(a);
    if (a.kind === "set") {
      const e = entry(a.at, text, `set ${a.variable}: not run by normalization`);
      actions.push((_work, log) => log.push(e));
      skipped.push(e);
    } else if (isMergeAction(a)) {
      const e = entry(a.at, text, "a merge action: not run by normalization");
      actions.push((_work, log) => log.push(e));
      skipped.push(e);
    } else {
      actions.push(compileAction(rule.name, a, text));
      skipped.push(entry(a.at, text, "the rule's when is false"));
    }
  }
  return { rule, when, actions, skipped };
}

function isMergeAction(a: Action): a is Extract<Action, { kind: "add" | "remove" | "replace" }> {
  return a.kind === "add" || a.kind === "remove" || a.kind === "replace";
}

// ------------------------------------------------------------------ action text and messages

function q(text: string): string {
  return `"${text}"`;
}

/**
 * An action written back as rule text, without its `if` (the `action` of a log entry).
 *
 * @example
 * ```ts
 * actionText(parseRules('rule "r" when TRUE then removeField "856" if (exists "856.{4,2}") end').rules[0]!.actions[0]!);
 * // 'removeField "856"'
 * ```
 */
export function actionText(a: Action): string {
  switch (a.kind) {
    case "addField": {
      const blank = (i: string): string => (i === " " ? "-" : i);
      const ind = a.ind1 !== " " || a.ind2 !== " " ? `.{${blank(a.ind1)},${blank(a.ind2)}}` : "";
      return `addField ${q(`${a.tag}${ind}.${a.code}.${a.value}`)}`;
    }
    case "addSubField":
      return `addSubField ${q(a.target.source)}`;
    case "addControlField":
      return `addControlField ${q(`${a.tag}.${a.value}`)}`;
    case "removeField":
    case "removeControlField":
    case "removeSubField":
      return `${a.kind} ${q(a.target.source)}`;
    case "changeField":
      return `changeField ${q(a.target.source)} to ${q(a.toTag)}`;
    case "changeSubField":
    case "changeSubFieldExceptFirst":
      return `${a.kind} ${q(a.target.source)} to ${q(a.toCode)}`;
    case "changeFirstIndicator":
    case "changeSecondIndicator":
      return `${a.kind} ${q(a.target.source)} to ${q(a.to)}`;
    case "copyField":
      return `copyField ${q(a.source.source)} to ${q(a.toCode === undefined ? a.toTag : `${a.toTag}.${a.toCode}`)}`;
    case "copyControlField":
      return `copyControlField ${q(a.source.source)} to ${q(a.toTag)}`;
    case "replaceContents":
    case "replaceContentsExceptFirst":
      return `${a.kind} ${q(a.target.source)} with ${q(a.with)}`;
    case "replaceSubFieldContents":
      return `replaceSubFieldContents ${q(a.target.source)} with ${q(a.from.source)}`;
    case "replaceControlContents":
      return `replaceControlContents ${q(a.target.source)} with ${q(a.with)}`;
    case "prefix":
    case "suffix":
      return `${a.kind} ${q(a.target.source)} with ${q(a.text)}`;
    case "correctDuplicateFields":
      return `correctDuplicateFields ${q(a.tags.join(","))}`;
    case "correctDuplicateSubfields":
      return `correctDuplicateSubfields ${q(a.target.source)} ${q(a.codes)}`;
    case "moveSubfieldsToEndOfField":
      return `moveSubfieldsToEndOfField ${q(a.target.source)} ${q(a.codes.join(","))}`;
    case "combineFields":
      return `combineFields ${q(a.target.source)} excluding ${q(a.excluding)}`;
    case "splitSubField":
      return `splitSubField ${q(a.target.source)} to ${q(`${a.toTag}.${a.toCode}`)}`;
    case "set":
      return `set ${a.variable}.${q(a.value)}`;
    case "add":
    case "remove":
    case "replace":
      return `${a.kind} ${a.selector.source}`;
  }
}

/** A value in a message, long ones cut. */
function cut(value: string): string {
  return value.length > 60 ? `${value.slice(0, 57)}…` : value;
}

/** A value shown in a message: quoted, long ones cut. */
function show(value: string): string {
  return `"${cut(value)}"`;
}

function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? "" : "s"}`;
}

/**
 * Builds one action's log entries. The skip entries that do not depend on the record are made
 * once, here, and shared by every record.
 */
class Reporter {
  readonly noField: RuleLogEntry;
  private readonly ifText: string;
  private readonly ifFalseOne: RuleLogEntry;

  constructor(
    private readonly rule: string,
    private readonly action: NormalizationAction,
    private readonly text: string,
    spec: string,
  ) {
    this.noField = this.skip(`no field matches ${q(spec)}`);
    this.ifText = action.if ? conditionText(action.if) : "";
    this.ifFalseOne = this.skip(`if (${this.ifText}) is false for the matching field`);
  }

  skip(message: string): RuleLogEntry {
    return {
      rule: this.rule,
      line: this.action.at.line,
      action: this.text,
      ran: false,
      fields: NONE,
      message,
    };
  }

  ran(fields: readonly string[], message: string): RuleLogEntry {
    return {
      rule: this.rule,
      line: this.action.at.line,
      action: this.text,
      ran: true,
      fields,
      message,
    };
  }

  /** The `if` was false for every one of `matched` fields. */
  ifFalse(matched: number): RuleLogEntry {
    return matched === 1
      ? this.ifFalseOne
      : this.skip(`if (${this.ifText}) is false for all ${matched} matching fields`);
  }
}

// ------------------------------------------------------------------ per-field selection

/** How a pass over the fields went. */
interface Pass {
  matched: number;
  passed: number;
  changed: number;
  tags: string[];
}

/**
 * What a per-field step returns: `undefined` leaves the field as it is, `null` removes it, a
 * field replaces it.
 */
type Step = (field: Field) => Field | null | undefined;

function addTag(tags: string[], tag: string): void {
  if (!tags.includes(tag)) tags.push(tag);
}

/**
 * Runs `step` on every field `select` takes and the `if` lets through, building a new fields
 * array only when a step changes something.
 */
function eachField(
  work: Work,
  present: Presence,
  select: (f: Field) => boolean,
  test: Predicate | undefined,
  step: Step,
): Pass {
  const pass: Pass = { matched: 0, passed: 0, changed: 0, tags: [] };
  // Most actions name a tag the record does not have: a look at its tags settles it.
  if (!present(work)) return pass;
  const fields = work.fields;
  let out: Field[] | undefined;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    let result: Field | null | undefined;
    if (select(f)) {
      pass.matched++;
      if (test === undefined || test(work.leader, [f])) {
        pass.passed++;
        result = step(f);
      }
    }
    if (result === undefined) {
      if (out) out.push(f);
      continue;
    }
    pass.changed++;
    addTag(pass.tags, f.tag);
    if (!out) out = fields.slice(0, i);
    if (result !== null) {
      out.push(result);
      if (result.tag !== f.tag) addTag(pass.tags, result.tag);
    }
  }
  if (out) work.replaceFields(out);
  return pass;
}

/** The entry for a finished pass: no field, `if` false, nothing to change, or what was done. */
function report(
  r: Reporter,
  pass: Pass,
  nothing: RuleLogEntry,
  done: (pass: Pass) => string,
): RuleLogEntry {
  if (pass.matched === 0) return r.noField;
  if (pass.passed === 0) return r.ifFalse(pass.matched);
  if (pass.changed === 0) return nothing;
  return r.ran(pass.tags, done(pass));
}

function withSubfields(f: DataField, subfields: readonly Subfield[]): DataField {
  return { tag: f.tag, ind1: f.ind1, ind2: f.ind2, subfields };
}

/** The tag and indicators of a spec, and its code when asked (`040`, `541.{0,*}`, `994.*`). */
function headSource(spec: FieldSpec, withCode = false): string {
  const head =
    spec.ind1 === undefined ? spec.tag : `${spec.tag}.{${spec.ind1},${spec.ind2 ?? "*"}}`;
  return withCode && spec.code !== undefined ? `${head}.${spec.code}` : head;
}

/** The spec without its value: selects by tag, indicators and code only. */
function withoutValue(spec: FieldSpec): FieldSpec {
  return spec.value === undefined ? spec : { ...spec, value: undefined };
}

const ANY_VALUE: ValuePattern = { source: "*", alternatives: [["", ""]] };

// ------------------------------------------------------------------ the actions

function compileAction(rule: string, a: NormalizationAction, text: string): Run {
  const test = a.if ? compileCondition(a.if) : undefined;
  switch (a.kind) {
    case "addField": {
      const field: DataField = {
        tag: a.tag,
        ind1: indicatorValue(a.ind1),
        ind2: indicatorValue(a.ind2),
        subfields: [{ code: a.code, value: a.value }],
      };
      return adding(rule, a, text, a.tag, field, test, `added ${a.tag} $${a.code}${cut(a.value)}`);
    }
    case "addControlField": {
      const field: ControlField = {
        tag: a.tag,
        value: controlText(a.value, hashIsBlankIn(a.tag)),
      };
      return adding(rule, a, text, a.tag, field, test, `added ${a.tag} ${cut(field.value)}`);
    }
    case "addSubField": {
      const r = new Reporter(rule, a, text, headSource(a.target));
      const m = compileFieldSpec(a.target);
      const mPresent = presence(m.spec.tag, m.tag);
      const sub: Subfield = { code: a.code, value: a.value };
      const nothing = r.skip("nothing to change");
      return (work, log) => {
        const pass = eachField(work, mPresent, m.dataField, test, (f) =>
          withSubfields(f as DataField, [...(f as DataField).subfields, sub]),
        );
        log.push(
          report(
            r,
            pass,
            nothing,
            (p) => `added $${a.code}${cut(a.value)} to ${count(p.changed, "field")}`,
          ),
        );
      };
    }
    case "removeField":
    case "removeControlField": {
      const r = new Reporter(rule, a, text, a.target.source);
      const m = compileFieldSpec(a.target);
      const mPresent = presence(m.spec.tag, m.tag);
      const control = a.kind === "removeControlField";
      const select = control ? (f: Field) => isControlField(f) && m.field(f) : m.field;
      const nothing = r.skip("nothing to change");
      return (work, log) => {
        const pass = eachField(work, mPresent, select, test, () => null);
        log.push(report(r, pass, nothing, (p) => `removed ${count(p.changed, "field")}`));
      };
    }
    case "removeSubField": {
      const r = new Reporter(rule, a, text, a.target.source);
      const m = compileFieldSpec(a.target);
      const mPresent = presence(m.spec.tag, m.tag);
      const nothing = r.skip("nothing to change");
      return (work, log) => {
        let removed = 0;
        const pass = eachField(work, mPresent, m.dataField, test, (f) => {
          const d = f as DataField;
          const kept = d.subfields.filter((s) => !m.subfield(s));
          removed += d.subfields.length - kept.length;
          return kept.length === d.subfields.length ? undefined : withSubfields(d, kept);
        });
        log.push(
          report(
            r,
            pass,
            nothing,
            (p) => `removed ${count(removed, "subfield")} from ${count(p.changed, "field")}`,
          ),
        );
      };
    }
    case "changeField": {
      const r = new Reporter(rule, a, text, a.target.source);
      const m = compileFieldSpec(a.target);
      const mPresent = presence(m.spec.tag, m.tag);
      const to = a.toTag;
      const nothing = r.skip(`nothing to change: already ${to}`);
      return (work, log) => {
        const pass = eachField(work, mPresent, m.field, test, (f) =>
          f.tag === to ? undefined : { ...f, tag: to },
        );
        log.push(report(r, pass, nothing, (p) => `retagged ${count(p.changed, "field")} to ${to}`));
      };
    }
    case "changeSubField":
    case "changeSubFieldExceptFirst": {
      const r = new Reporter(rule, a, text, a.target.source);
      const m = compileFieldSpec(a.target);
      const mPresent = presence(m.spec.tag, m.tag);
      const to = a.toCode;
      const exceptFirst = a.kind === "changeSubFieldExceptFirst";
      const nothing = r.skip(
        exceptFirst
          ? "nothing to change: no field has a second such subfield"
          : "nothing to change",
      );
      return (work, log) => {
        let recoded = 0;
        const pass = eachField(work, mPresent, m.dataField, test, (f) => {
          const d = f as DataField;
          let seen = false;
          let n = 0;
          const subfields = d.subfields.map((s) => {
            if (!m.subfield(s)) return s;
            if (exceptFirst && !seen) {
              seen = true;
              return s;
            }
            if (s.code === to) return s;
            n++;
            return { code: to, value: s.value };
          });
          recoded += n;
          return n === 0 ? undefined : withSubfields(d, subfields);
        });
        log.push(
          report(
            r,
            pass,
            nothing,
            (p) =>
              `recoded ${count(recoded, "subfield")} to $${to} in ${count(p.changed, "field")}`,
          ),
        );
      };
    }
    case "changeFirstIndicator":
    case "changeSecondIndicator": {
      const r = new Reporter(rule, a, text, a.target.source);
      const m = compileFieldSpec(a.target);
      const mPresent = presence(m.spec.tag, m.tag);
      const to = indicatorValue(a.to);
      const first = a.kind === "changeFirstIndicator";
      const which = first ? "first" : "second";
      const nothing = r.skip(`nothing to change: the ${which} indicator is already ${show(to)}`);
      return (work, log) => {
        const pass = eachField(work, mPresent, m.dataField, test, (f) => {
          const d = f as DataField;
          if ((first ? d.ind1 : d.ind2) === to) return undefined;
          return first ? { ...d, ind1: to } : { ...d, ind2: to };
        });
        log.push(
          report(
            r,
            pass,
            nothing,
            (p) => `${which} indicator set to ${show(to)} in ${count(p.changed, "field")}`,
          ),
        );
      };
    }
    case "copyField":
      return copyField(rule, a, text, test);
    case "copyControlField": {
      const r = new Reporter(rule, a, text, a.source.source);
      const m = compileFieldSpec(a.source);
      const mPresent = presence(m.spec.tag, m.tag);
      const to = a.toTag;
      const named = a.source.code !== undefined;
      const nothing = r.skip("nothing to copy");
      return (work, log) => {
        const made: ControlField[] = [];
        const pass = eachField(work, mPresent, m.field, test, (f) => {
          if (isControlField(f)) {
            if (!named) made.push({ tag: to, value: f.value });
          } else if (named) {
            for (const s of f.subfields) if (m.subfield(s)) made.push({ tag: to, value: s.value });
          }
          return undefined;
        });
        for (const f of made) work.insert(f);
        pass.changed = made.length;
        pass.tags = [to];
        log.push(
          report(r, pass, nothing, () =>
            made.length === 1
              ? `copied ${show(made[0]!.value)} to a new ${to}`
              : `copied ${made.length} values to new ${to} fields`,
          ),
        );
      };
    }
    case "replaceContents":
    case "replaceContentsExceptFirst": {
      const r = new Reporter(rule, a, text, headSource(a.target, true));
      const sel = compileFieldSpec(withoutValue(a.target));
      const selPresent = presence(sel.spec.tag, sel.tag);
      const pattern = compileValuePattern(a.target.value ?? ANY_VALUE);
      const by = a.with;
      const exceptFirst = a.kind === "replaceContentsExceptFirst";
      const nothing = r.skip(
        exceptFirst
          ? `nothing to change: ${show(pattern.source)} is not found in a second subfield of a field`
          : `nothing to change: ${show(pattern.source)} is not found`,
      );
      return (work, log) => {
        let replaced = 0;
        const pass = eachField(work, selPresent, sel.dataField, test, (f) => {
          const d = f as DataField;
          let seen = false;
          let subfields: Subfield[] | undefined;
          for (let i = 0; i < d.subfields.length; i++) {
            const s = d.subfields[i]!;
            if (!sel.subfield(s)) continue;
            const value = pattern.replace(s.value, by);
            if (value === undefined) continue;
            if (exceptFirst && !seen) {
              seen = true;
              continue;
            }
            if (value === s.value) continue;
            subfields ??= d.subfields.slice();
            subfields[i] = { code: s.code, value };
            replaced++;
          }
          return subfields ? withSubfields(d, subfields) : undefined;
        });
        log.push(
          report(
            r,
            pass,
            nothing,
            (p) =>
              `replaced ${show(pattern.source)} with ${show(by)} in ${count(replaced, "subfield")} of ${count(p.changed, "field")}`,
          ),
        );
      };
    }
    case "replaceSubFieldContents": {
      const r = new Reporter(rule, a, text, a.target.source);
      const m = compileFieldSpec(a.target);
      const mPresent = presence(m.spec.tag, m.tag);
      const from = compileFieldSpec(a.from);
      const nothing = r.skip(`nothing to change: no ${a.from.source} value to take`);
      return (work, log) => {
        // The source values first (one per source field, its first such subfield), then the
        // n-th target field takes the n-th value.
        const values: string[] = [];
        for (const f of work.fields) {
          if (!isDataField(f) || !from.field(f)) continue;
          for (const s of f.subfields) {
            if (from.subfield(s)) {
              values.push(s.value);
              break;
            }
          }
        }
        let n = 0;
        let set = 0;
        const pass = eachField(work, mPresent, m.dataField, test, (f) => {
          const value = values[n++];
          if (value === undefined) return undefined;
          const d = f as DataField;
          let changed = false;
          const subfields = d.subfields.map((s) => {
            if (!m.subfield(s) || s.value === value) return s;
            changed = true;
            set++;
            return { code: s.code, value };
          });
          return changed ? withSubfields(d, subfields) : undefined;
        });
        log.push(
          report(
            r,
            pass,
            nothing,
            (p) =>
              `set ${count(set, "subfield")} of ${count(p.changed, "field")} from ${a.from.source}`,
          ),
        );
      };
    }
    case "replaceControlContents":
      return replaceControl(rule, a, text, test);
    case "prefix":
    case "suffix": {
      const r = new Reporter(rule, a, text, a.target.source);
      const m = compileFieldSpec(a.target);
      const mPresent = presence(m.spec.tag, m.tag);
      const affix = a.text;
      const before = a.kind === "prefix";
      const nothing = r.skip("nothing to change");
      return (work, log) => {
        let changed = 0;
        const pass = eachField(work, mPresent, m.dataField, test, (f) => {
          const d = f as DataField;
          let subfields: Subfield[] | undefined;
          for (let i = 0; i < d.subfields.length; i++) {
            const s = d.subfields[i]!;
            if (!m.subfield(s) || affix === "") continue;
            subfields ??= d.subfields.slice();
            subfields[i] = { code: s.code, value: before ? affix + s.value : s.value + affix };
            changed++;
          }
          return subfields ? withSubfields(d, subfields) : undefined;
        });
        log.push(
          report(
            r,
            pass,
            nothing,
            (p) =>
              `${before ? "prefixed" : "suffixed"} ${show(affix)} to ${count(changed, "subfield")} of ${count(p.changed, "field")}`,
          ),
        );
      };
    }
    case "correctDuplicateFields":
      return correctDuplicateFields(rule, a, text, test);
    case "correctDuplicateSubfields": {
      const r = new Reporter(rule, a, text, a.target.source);
      const m = compileFieldSpec(a.target);
      const mPresent = presence(m.spec.tag, m.tag);
      const codes = new Set([...a.codes].filter((c) => c !== "," && c !== " "));
      const nothing = r.skip(`nothing to change: no duplicate $${[...codes].join(", $")}`);
      return (work, log) => {
        let removed = 0;
        const pass = eachField(work, mPresent, m.dataField, test, (f) => {
          const d = f as DataField;
          const seen = new Set<string>();
          const kept = d.subfields.filter((s) => {
            if (!codes.has(s.code)) return true;
            const key = `${s.code}\u001f${nfc(s.value)}`;
            if (seen.has(key)) return false;
            seen.add(key);
            return true;
          });
          removed += d.subfields.length - kept.length;
          return kept.length === d.subfields.length ? undefined : withSubfields(d, kept);
        });
        log.push(
          report(
            r,
            pass,
            nothing,
            (p) =>
              `removed ${count(removed, "duplicate subfield")} from ${count(p.changed, "field")}`,
          ),
        );
      };
    }
    case "moveSubfieldsToEndOfField": {
      const r = new Reporter(rule, a, text, a.target.source);
      const m = compileFieldSpec(a.target);
      const mPresent = presence(m.spec.tag, m.tag);
      const codes = a.codes;
      const listed = new Set(codes);
      const nothing = r.skip(`nothing to change: $${codes.join(", $")} already at the end`);
      return (work, log) => {
        const pass = eachField(work, mPresent, m.dataField, test, (f) => {
          const d = f as DataField;
          const moved = d.subfields.filter((s) => !listed.has(s.code));
          for (const c of codes) for (const s of d.subfields) if (s.code === c) moved.push(s);
          return moved.every((s, i) => s === d.subfields[i]) ? undefined : withSubfields(d, moved);
        });
        log.push(
          report(
            r,
            pass,
            nothing,
            (p) => `moved $${codes.join(", $")} to the end of ${count(p.changed, "field")}`,
          ),
        );
      };
    }
    case "combineFields":
      return combineFields(rule, a, text, test);
    case "splitSubField":
      return splitSubField(rule, a, text, test);
  }
}

/** addField and addControlField: the `if` is tested on the fields of that tag, together. */
function adding(
  rule: string,
  a: NormalizationAction,
  text: string,
  tag: string,
  field: Field,
  test: Predicate | undefined,
  message: string,
): Run {
  const r = new Reporter(rule, a, text, tag);
  const done = r.ran([tag], message);
  const ifFalse = r.skip(
    `if (${a.if ? conditionText(a.if) : ""}) is false for the record's ${tag} fields`,
  );
  return (work, log) => {
    if (
      test &&
      !test(
        work.leader,
        work.fields.filter((f) => f.tag === tag),
      )
    ) {
      log.push(ifFalse);
      return;
    }
    work.insert(field);
    log.push(done);
  };
}

function copyField(
  rule: string,
  a: Extract<NormalizationAction, { kind: "copyField" }>,
  text: string,
  test: Predicate | undefined,
): Run {
  const r = new Reporter(rule, a, text, a.source.source);
  const m = compileFieldSpec(a.source);
  const mPresent = presence(m.spec.tag, m.tag);
  const to = a.toTag;
  const toCode = a.toCode ?? (a.source.code !== "*" ? a.source.code : undefined);
  const wholeField = a.source.code === undefined || toCode === undefined;
  const nothing = r.skip("nothing to copy");
  return (work, log) => {
    const made: Field[] = [];
    const pass = eachField(work, mPresent, m.field, test, (f) => {
      if (wholeField) {
        made.push({ ...f, tag: to });
      } else if (isDataField(f)) {
        for (const s of f.subfields) {
          if (!m.subfield(s)) continue;
          made.push({
            tag: to,
            ind1: " ",
            ind2: " ",
            subfields: [{ code: toCode, value: s.value }],
          });
        }
      }
      return undefined;
    });
    for (const f of made) work.insert(f);
    pass.changed = made.length;
    pass.tags = [to];
    log.push(
      report(r, pass, nothing, () =>
        wholeField
          ? `copied ${count(made.length, "field")} to ${to}`
          : `copied ${count(made.length, "subfield")} to new ${to} $${toCode} fields`,
      ),
    );
  };
}

function replaceControl(
  rule: string,
  a: Extract<NormalizationAction, { kind: "replaceControlContents" }>,
  text: string,
  test: Predicate | undefined,
): Run {
  const spec: ControlSpec = a.target;
  const r = new Reporter(rule, a, text, spec.source);
  const hash = hashIsBlankIn(spec.tag);
  const old = spec.value ? compileValuePattern(spec.value, { hashIsBlank: hash }) : undefined;
  const from = spec.position;
  const length = spec.length ?? 1;
  let replacement = controlText(a.with, hash);
  let note = "";
  if (from !== undefined && replacement.length !== length) {
    note = ` (${show(replacement)} ${replacement.length < length ? "padded with blanks" : "cut"} to ${count(length, "character")})`;
    replacement = replacement.slice(0, length).padEnd(length, " ");
  }
  const where =
    from === undefined
      ? spec.tag
      : `${spec.tag}/${String(from).padStart(2, "0")}${length > 1 ? `-${String(from + length - 1).padStart(2, "0")}` : ""}`;
  const nothing = r.skip(`nothing to change: ${where} is already ${show(replacement)}`);
  const notOld = r.skip(`nothing to change: ${where} is not ${show(old?.source ?? "")}`);
  const tooShort = r.skip(`nothing to change: ${where} lies beyond the end of the field`);

  /** The new value, or a reason for leaving it. */
  const apply = (value: string): string | RuleLogEntry => {
    if (from === undefined) {
      if (old && !old.test(value)) return notOld;
      return value === replacement ? nothing : replacement;
    }
    if (value.length < from + length) return tooShort;
    const current = value.slice(from, from + length);
    if (old && !old.test(current)) return notOld;
    if (current === replacement) return nothing;
    return value.slice(0, from) + replacement + value.slice(from + length);
  };

  if (spec.tag === "LDR") {
    const ifFalse = r.skip(`if (${a.if ? conditionText(a.if) : ""}) is false for the leader`);
    return (work, log) => {
      if (test && !test(work.leader, [])) {
        log.push(ifFalse);
        return;
      }
      const result = apply(work.leader);
      if (typeof result !== "string") {
        log.push(result);
        return;
      }
      const before = from === undefined ? work.leader : work.leader.slice(from, from + length);
      work.setLeader(result);
      log.push(r.ran(["LDR"], `${where} ${show(before)} → ${show(replacement)}${note}`));
    };
  }
  const tag = compileTagPattern(spec.tag);
  const controlPresent = presence(spec.tag, tag);
  return (work, log) => {
    let reason: RuleLogEntry | undefined;
    const pass = eachField(
      work,
      controlPresent,
      (f) => isControlField(f) && tag(f.tag),
      test,
      (f) => {
        const result = apply((f as ControlField).value);
        if (typeof result !== "string") {
          reason ??= result;
          return undefined;
        }
        return { tag: f.tag, value: result };
      },
    );
    log.push(
      report(
        r,
        pass,
        reason ?? nothing,
        (p) => `${where} set to ${show(replacement)} in ${count(p.changed, "field")}${note}`,
      ),
    );
  };
}

/** The identity of a field for correctDuplicateFields (values compared in NFC). */
function fieldKey(f: Field): string {
  if (isControlField(f)) return `${f.tag}\u001e${nfc(f.value)}`;
  let key = `${f.tag}\u001e${f.ind1}${f.ind2}`;
  for (const s of f.subfields) key += `\u001f${s.code}${nfc(s.value)}`;
  return key;
}

function correctDuplicateFields(
  rule: string,
  a: Extract<NormalizationAction, { kind: "correctDuplicateFields" }>,
  text: string,
  test: Predicate | undefined,
): Run {
  const list = a.tags.join(",");
  const r = new Reporter(rule, a, text, list);
  const tags = a.tags.map(compileTagPattern);
  const select = (f: Field): boolean => tags.some((t) => t(f.tag));
  const presences = a.tags.map((t, i) => presence(t, tags[i]!));
  const anyPresent: Presence = (work) => presences.some((p) => p(work));
  const nothing = r.skip("nothing to change: no duplicates");
  return (work, log) => {
    const seen = new Set<string>();
    const pass = eachField(
      work,
      anyPresent,
      (f) => {
        if (!select(f)) return false;
        const key = fieldKey(f);
        if (seen.has(key)) return true;
        seen.add(key);
        return false;
      },
      test,
      () => null,
    );
    // Only duplicates count as selected above; a record with the tags but none doubled is
    // "nothing to change", not "no field".
    if (pass.matched === 0 && seen.size > 0) {
      log.push(nothing);
      return;
    }
    log.push(report(r, pass, nothing, (p) => `removed ${count(p.changed, "duplicate field")}`));
  };
}

function combineFields(
  rule: string,
  a: Extract<NormalizationAction, { kind: "combineFields" }>,
  text: string,
  test: Predicate | undefined,
): Run {
  const r = new Reporter(rule, a, text, a.target.source);
  const m = compileFieldSpec(a.target);
  const mPresent = presence(m.spec.tag, m.tag);
  const excluded = new Set([...a.excluding].filter((c) => c !== "," && c !== " "));
  const nothing = r.skip("nothing to change: only one such field");
  return (work, log) => {
    if (!mPresent(work)) return void log.push(r.noField);
    const fields = work.fields;
    let matched = 0;
    let first = -1;
    const rest: number[] = [];
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]!;
      if (!isDataField(f) || !m.field(f)) continue;
      matched++;
      if (test && !test(work.leader, [f])) continue;
      if (first < 0) first = i;
      else rest.push(i);
    }
    if (matched === 0) return void log.push(r.noField);
    if (first < 0) return void log.push(r.ifFalse(matched));
    if (rest.length === 0) return void log.push(nothing);
    // The first field stays where it is and takes the others' subfields, in record order.
    const into = fields[first] as DataField;
    const subfields = into.subfields.slice();
    for (const i of rest) {
      for (const s of (fields[i] as DataField).subfields)
        if (!excluded.has(s.code)) subfields.push(s);
    }
    const dropped = new Set(rest);
    const out: Field[] = [];
    for (let i = 0; i < fields.length; i++) {
      if (i === first) out.push(withSubfields(into, subfields));
      else if (!dropped.has(i)) out.push(fields[i]!);
    }
    work.replaceFields(out);
    log.push(r.ran([into.tag], `combined ${count(rest.length + 1, `${into.tag} field`)} into one`));
  };
}

function splitSubField(
  rule: string,
  a: Extract<NormalizationAction, { kind: "splitSubField" }>,
  text: string,
  test: Predicate | undefined,
): Run {
  const r = new Reporter(rule, a, text, a.target.source);
  const m = compileFieldSpec(a.target);
  const mPresent = presence(m.spec.tag, m.tag);
  const delimiter = a.delimiter;
  const nothing = r.skip("nothing to split");
  return (work, log) => {
    const made: DataField[] = [];
    let split = 0;
    const pass = eachField(work, mPresent, m.dataField, test, (f) => {
      if (delimiter === "") return undefined;
      for (const s of (f as DataField).subfields) {
        if (!m.subfield(s)) continue;
        split++;
        for (const piece of s.value.split(delimiter)) {
          if (piece === "") continue;
          made.push({
            tag: a.toTag,
            ind1: " ",
            ind2: " ",
            subfields: [{ code: a.toCode, value: piece }],
          });
        }
      }
      return undefined;
    });
    for (const f of made) work.insert(f);
    pass.changed = made.length;
    pass.tags = [a.toTag];
    log.push(
      report(
        r,
        pass,
        nothing,
        () =>
          `split ${count(split, "subfield")} into ${count(made.length, `new ${a.toTag} field`)}`,
      ),
    );
  };
}
