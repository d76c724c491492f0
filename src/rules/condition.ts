/**
 * Conditions (`exists`, `existsControl`, `not`, `and`, `or`, `TRUE`) compiled once into
 * predicates over a record's leader and fields.
 *
 * The same predicate serves a rule's `when` (the whole record) and an action's `if`, which is
 * tested on the field the action works on — a record holding that field alone (with the
 * record's leader), so `if (exists "035.a.(OCoLC)*")` on `removeField "035"` asks about each
 * `035` in turn (research §1.2, KC "The 'if' condition … does not work").
 */
import { isControlField, type Field } from "../marc/record.js";
import type { Condition, ControlSpec, FieldSpec } from "./ast.js";
import {
  compileFieldSpec,
  compileTagPattern,
  compileValuePattern,
  hashIsBlankIn,
} from "./pattern.js";

/** A compiled condition: true or false for a leader and a list of fields. */
export type Predicate = (leader: string, fields: readonly Field[]) => boolean;

/**
 * Compiles a condition.
 *
 * @example
 * ```ts
 * const rule = parseRules('rule "r" when exists "245.a.*" then end').rules[0]!;
 * const when = compileCondition(rule.when as Condition);
 * when(record.leader, record.fields); // whether the record has a 245 $a
 * ```
 */
export function compileCondition(condition: Condition): Predicate {
  switch (condition.kind) {
    case "true":
      return () => true;
    case "exists":
      return existsField(condition.spec);
    case "existsControl":
      return existsControl(condition.spec);
    case "not": {
      const operand = compileCondition(condition.operand);
      return (leader, fields) => !operand(leader, fields);
    }
    case "and": {
      const left = compileCondition(condition.left);
      const right = compileCondition(condition.right);
      return (leader, fields) => left(leader, fields) && right(leader, fields);
    }
    case "or": {
      const left = compileCondition(condition.left);
      const right = compileCondition(condition.right);
      return (leader, fields) => left(leader, fields) || right(leader, fields);
    }
  }
}

function existsField(spec: FieldSpec): Predicate {
  const m = compileFieldSpec(spec);
  return (_leader, fields) => {
    for (const f of fields) if (m.field(f)) return true;
    return false;
  };
}

/**
 * A control spec as a test of one value: `{POS,LEN}` takes that stretch (a value too short to
 * hold it does not match); without it the whole value; without a VALUE any value.
 *
 * @example
 * ```ts
 * const test = compileControlValueTest(parseControlSpec("007.{0,1}.c").spec!);
 * test("cr |||"); // true
 * test(""); // false: too short
 * ```
 */
export function compileControlValueTest(spec: ControlSpec): (value: string) => boolean {
  const value = spec.value
    ? compileValuePattern(spec.value, { hashIsBlank: hashIsBlankIn(spec.tag) })
    : undefined;
  if (spec.position === undefined) return value ? (v) => value.test(v) : () => true;
  const from = spec.position;
  const to = from + (spec.length ?? 1);
  return (v) => v.length >= to && (value === undefined || value.test(v.slice(from, to)));
}

function existsControl(spec: ControlSpec): Predicate {
  const test = compileControlValueTest(spec);
  if (spec.tag === "LDR") return (leader) => test(leader);
  const tag = compileTagPattern(spec.tag);
  return (_leader, fields) => {
    for (const f of fields) if (tag(f.tag) && isControlField(f) && test(f.value)) return true;
    return false;
  };
}

/**
 * A condition written back as rule text, for log messages (`exists "856.{4,2}"`,
 * `NOT (exists "040.b.eng")`, `(A AND B)`).
 *
 * @example
 * ```ts
 * conditionText({ kind: "not", operand: { kind: "exists", spec, at }, at }); // 'NOT exists "040.b.eng"'
 * ```
 */
export function conditionText(condition: Condition): string {
  switch (condition.kind) {
    case "true":
      return "TRUE";
    case "exists":
      return `exists "${condition.spec.source}"`;
    case "existsControl":
      return `existsControl "${condition.spec.source}"`;
    case "not":
      return `NOT ${conditionText(condition.operand)}`;
    case "and":
    case "or":
      return `(${conditionText(condition.left)} ${condition.kind.toUpperCase()} ${conditionText(condition.right)})`;
  }
}
