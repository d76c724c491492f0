/**
 * The syntax tree of Alma's rule files — normalization, merge, brief-level and indication rules
 * share one front end (`lexer.ts` → `parser.ts`); each interpreter takes the rules it knows.
 *
 * Every node carries `at`, the 1-based line and column of its first character in the file, so
 * every message — a parse error, a log entry of an interpreter — can say where.
 *
 * Patterns keep their source text (`source`) beside the parsed form, for messages and logs.
 */

/** A place in a rule file: 1-based line and column. */
export interface Position {
  readonly line: number;
  readonly column: number;
}

/** A syntax error: what was expected, and where. */
export interface RuleError {
  readonly at: Position;
  readonly message: string;
}

/** A parsed rule file: the rules that parsed, and one error per rule that did not. */
export interface RuleFile {
  readonly rules: readonly Rule[];
  readonly errors: readonly RuleError[];
}

/**
 * One rule. `index` is its place among the file's rules (0-based, in declaration order);
 * `priority` is `priority N` or `salience N` (0 when absent); higher runs first.
 */
export interface Rule {
  readonly name: string;
  readonly priority: number;
  readonly index: number;
  /** `when merge` (a merge rule) or a record-level condition. */
  readonly when: MergeWhen | Condition;
  readonly actions: readonly Action[];
  readonly at: Position;
}

export interface MergeWhen {
  readonly kind: "merge";
  readonly at: Position;
}

// ---------------------------------------------------------------- patterns

/**
 * A value pattern as rule files write it: alternatives separated by `|`, each anchored to the
 * whole value, `*` matching any run of characters; everything else literal (no regular
 * expressions). `\\.` and `\\|` (as the file writes them, `\\\\.`) are a literal `.` and `|`.
 */
export interface ValuePattern {
  readonly source: string;
  /** Each alternative as literal pieces; between two pieces stands a `*`. `["a", ""]` is `a*`. */
  readonly alternatives: readonly (readonly string[])[];
}

/** An indicator pattern: a literal character (`-` is blank, stored as `" "`), or `*` for any. */
export type IndicatorPattern = string | "*";

/**
 * A data-field spec of a normalization rule: `TAG[.{i1,i2}][.CODE[.VALUE]]`. `tag` has `*` per
 * position as a wildcard (`6**`); `code` is one character or `*`.
 */
export interface FieldSpec {
  readonly source: string;
  readonly tag: string;
  readonly ind1?: IndicatorPattern;
  readonly ind2?: IndicatorPattern;
  readonly code?: string;
  readonly value?: ValuePattern;
  readonly at: Position;
}

/**
 * A control spec: `TAG[.{POS,LEN}][.VALUE]` where TAG is `LDR` or a control tag; POS is
 * 0-based. Without `{POS,LEN}` the VALUE is matched against the whole field.
 */
export interface ControlSpec {
  readonly source: string;
  readonly tag: string;
  readonly position?: number;
  readonly length?: number;
  readonly value?: ValuePattern;
  readonly at: Position;
}

// ---------------------------------------------------------------- conditions

export type Condition =
  | { readonly kind: "true"; readonly at: Position }
  | { readonly kind: "exists"; readonly spec: FieldSpec; readonly at: Position }
  | { readonly kind: "existsControl"; readonly spec: ControlSpec; readonly at: Position }
  | { readonly kind: "not"; readonly operand: Condition; readonly at: Position }
  | {
      readonly kind: "and" | "or";
      readonly left: Condition;
      readonly right: Condition;
      readonly at: Position;
    };

// ---------------------------------------------------------------- normalization actions

/** What every normalization action has: an optional field-level `if (…)`. */
interface ActionBase {
  readonly at: Position;
  /** The action's own `if (condition)`: tested on each field the action works on. */
  readonly if?: Condition;
}

/** A new data field: `addField "TAG[.{i1,i2}].CODE.VALUE"` (indicators blank when absent). */
export interface AddField extends ActionBase {
  readonly kind: "addField";
  readonly tag: string;
  readonly ind1: string;
  readonly ind2: string;
  readonly code: string;
  readonly value: string;
}

/** `addSubField "TAG[.{i1,i2}].CODE.VALUE"`: appended to each matching field. */
export interface AddSubField extends ActionBase {
  readonly kind: "addSubField";
  readonly target: FieldSpec;
  readonly code: string;
  readonly value: string;
}

/** `addControlField "TAG.VALUE"`. */
export interface AddControlField extends ActionBase {
  readonly kind: "addControlField";
  readonly tag: string;
  readonly value: string;
}

/** `removeField "SPEC"`, `removeControlField "TAG"`. */
export interface RemoveField extends ActionBase {
  readonly kind: "removeField" | "removeControlField";
  readonly target: FieldSpec;
}

/** `removeSubField "TAG[.{i1,i2}].CODE[.VALUE]"`. */
export interface RemoveSubField extends ActionBase {
  readonly kind: "removeSubField";
  readonly target: FieldSpec;
}

/** `changeField "SPEC" to "TAG2"`. */
export interface ChangeField extends ActionBase {
  readonly kind: "changeField";
  readonly target: FieldSpec;
  readonly toTag: string;
}

/** `changeSubField "TAG.CODE" to "CODE2"`, and the `…ExceptFirst` form. */
export interface ChangeSubField extends ActionBase {
  readonly kind: "changeSubField" | "changeSubFieldExceptFirst";
  readonly target: FieldSpec;
  readonly toCode: string;
}

/** `changeFirstIndicator "SPEC" to "V"`, `changeSecondIndicator …` (`" "` or `-`: blank). */
export interface ChangeIndicator extends ActionBase {
  readonly kind: "changeFirstIndicator" | "changeSecondIndicator";
  readonly target: FieldSpec;
  readonly to: string;
}

/** `copyField "TAG" to "TAG2"` (whole field) or `copyField "TAG.CODE" to "TAG2.CODE2"`. */
export interface CopyField extends ActionBase {
  readonly kind: "copyField";
  readonly source: FieldSpec;
  readonly toTag: string;
  readonly toCode?: string;
}

/** `copyControlField "TAG.CODE" to "00X"`. */
export interface CopyControlField extends ActionBase {
  readonly kind: "copyControlField";
  readonly source: FieldSpec;
  readonly toTag: string;
}

/**
 * `replaceContents "TAG.CODE.PATTERN" with "TEXT"` (TAG and CODE may be `*`): the part of the
 * value the pattern matches is replaced; and the `…ExceptFirst` form.
 */
export interface ReplaceContents extends ActionBase {
  readonly kind: "replaceContents" | "replaceContentsExceptFirst";
  readonly target: FieldSpec;
  readonly with: string;
}

/** `replaceSubFieldContents "TAG.CODE" with "TAG2.CODE2"`. */
export interface ReplaceSubFieldContents extends ActionBase {
  readonly kind: "replaceSubFieldContents";
  readonly target: FieldSpec;
  readonly from: FieldSpec;
}

/** `replaceControlContents "TAG.{POS,LEN}[.OLD]" with "NEW"`. */
export interface ReplaceControlContents extends ActionBase {
  readonly kind: "replaceControlContents";
  readonly target: ControlSpec;
  readonly with: string;
}

/** `prefix "TAG.CODE" with "TEXT"`, `suffix …`. */
export interface Affix extends ActionBase {
  readonly kind: "prefix" | "suffix";
  readonly target: FieldSpec;
  readonly text: string;
}

/** `correctDuplicateFields "t1,t2,…"`. */
export interface CorrectDuplicateFields extends ActionBase {
  readonly kind: "correctDuplicateFields";
  readonly tags: readonly string[];
}

/** `correctDuplicateSubfields "TAG" "c"`. */
export interface CorrectDuplicateSubfields extends ActionBase {
  readonly kind: "correctDuplicateSubfields";
  readonly target: FieldSpec;
  readonly codes: string;
}

/** `moveSubfieldsToEndOfField "TAG" "c,a,d"`. */
export interface MoveSubfieldsToEnd extends ActionBase {
  readonly kind: "moveSubfieldsToEndOfField";
  readonly target: FieldSpec;
  readonly codes: readonly string[];
}

/** `combineFields "TAG" excluding "codes"`. */
export interface CombineFields extends ActionBase {
  readonly kind: "combineFields";
  readonly target: FieldSpec;
  readonly excluding: string;
}

/** `splitSubField "TAG.CODE.DELIM" to "TAG2.CODE2"`. */
export interface SplitSubField extends ActionBase {
  readonly kind: "splitSubField";
  readonly target: FieldSpec;
  readonly delimiter: string;
  readonly toTag: string;
  readonly toCode: string;
}

/** `set brief_level."NN"`, `set indication."true"`. */
export interface SetValue extends ActionBase {
  readonly kind: "set";
  readonly variable: "brief_level" | "indication";
  readonly value: string;
}

// ---------------------------------------------------------------- merge actions

/**
 * A merge selector: `MARC."035"`, `MARC."5"XX`, `MARC."59"X`, `MARC.XXX`, `MARC."LDR"`,
 * `MARC.control."008"`, optionally with indicators `("9"," ")`. `tag` is three characters with
 * `X` for any digit (`5XX`, `59X`, `XXX`) or `LDR`.
 */
export interface MergeSelector {
  readonly source: string;
  readonly tag: string;
  readonly control: boolean;
  readonly ind1?: IndicatorPattern;
  readonly ind2?: IndicatorPattern;
  readonly at: Position;
}

/** What a merge action leaves out. */
export type MergeExclusion =
  /** `excluding "001,035,9XX"`: tags, `X` wildcards allowed. */
  | { readonly kind: "tags"; readonly tags: readonly string[] }
  /** `excluding MARC."035"("9"," ")`. */
  | { readonly kind: "selector"; readonly selector: MergeSelector }
  /** `excluding first indicator "8"`, `excluding second indicator "8"`. */
  | { readonly kind: "indicator"; readonly which: 1 | 2; readonly value: string };

/** A merge action's guard. */
export type MergeGuard =
  /** `if exists`, `if does not exist(s)`: whether the selected field is in the primary record. */
  | { readonly kind: "exists"; readonly negated: boolean }
  /** `if exists subfield "5"`, `if not exists subfield "5"`: per field. */
  | { readonly kind: "subfield"; readonly code: string; readonly negated: boolean }
  /** `when MARC."035"."a" contains "OCoLC"` / `does not contain`. */
  | {
      readonly kind: "contains";
      readonly selector: MergeSelector;
      readonly code: string;
      readonly value: ValuePattern;
      readonly negated: boolean;
    };

/** `add|remove|replace MARC."…" [guards] [excluding …]`. */
export interface MergeAction {
  readonly kind: "add" | "remove" | "replace";
  readonly selector: MergeSelector;
  readonly guards: readonly MergeGuard[];
  readonly exclusions: readonly MergeExclusion[];
  readonly at: Position;
}

export type NormalizationAction =
  | AddField
  | AddSubField
  | AddControlField
  | RemoveField
  | RemoveSubField
  | ChangeField
  | ChangeSubField
  | ChangeIndicator
  | CopyField
  | CopyControlField
  | ReplaceContents
  | ReplaceSubFieldContents
  | ReplaceControlContents
  | Affix
  | CorrectDuplicateFields
  | CorrectDuplicateSubfields
  | MoveSubfieldsToEnd
  | CombineFields
  | SplitSubField;

export type Action = NormalizationAction | SetValue | MergeAction;
