/**
 * The parser of Alma's rule files: tokens in (`lexer.ts`), the syntax tree of `ast.ts` out.
 *
 * One grammar covers normalization, merge, brief-level and indication rules:
 *
 * ```text
 * file      := rule*
 * rule      := "rule" STRING [("priority" | "salience") NUMBER] "when" (condition | "merge")
 *              "then" action* "end"
 * condition := and ("or" and)*                       -- AND binds tighter than OR
 * and       := unary ("and" unary)*
 * unary     := "not" unary | "(" condition ")" | "true"
 *            | "exists" STRING | "existsControl" STRING
 * action    := NAME args ["if" "(" condition ")"]     -- normalization, `set`
 *            | ("add" | "remove" | "replace") selector modifier*   -- merge
 * ```
 *
 * Keywords and action names are case-insensitive. An error inside a rule drops that rule and
 * gives one error; the parser then skips to the next `rule` at the start of a line and goes on.
 * See docs/rules.md for the language as marcgate accepts it and the decisions taken.
 */
import type {
  Action,
  Condition,
  ControlSpec,
  FieldSpec,
  IndicatorPattern,
  MergeAction,
  MergeExclusion,
  MergeGuard,
  MergeSelector,
  MergeWhen,
  NormalizationAction,
  Position,
  Rule,
  RuleError,
  RuleFile,
  SetValue,
  ValuePattern,
} from "./ast.js";
import { tokenize, type Token } from "./lexer.js";

/**
 * Parses a rule file: the rules that parsed, in file order, and one error per rule that did not.
 * Never throws on its input.
 *
 * @example
 * ```ts
 * const file = parseRules('rule "drop 029"\nwhen TRUE\nthen\n  removeField "029"\nend\n');
 * file.errors; // []
 * file.rules[0]!.actions[0]; // { kind: "removeField", target: { tag: "029", … }, at: { line: 4, column: 3 } }
 * parseRules('rule "x" when TRUE then addFeild "500.a.x" end').errors[0]!.message;
 * // 'unknown action "addFeild"; the nearest known action is "addField"'
 * ```
 */
export function parseRules(text: string): RuleFile {
  return new Parser(tokenize(text).tokens).parse();
}

/**
 * An error as one line: `FILE:LINE:COLUMN: message` with a file name, else
 * `line LINE, column COLUMN: message`.
 *
 * @example
 * ```ts
 * formatRuleError({ at: { line: 12, column: 5 }, message: 'expected "then"…' }, "norm.txt");
 * // 'norm.txt:12:5: expected "then"…'
 * ```
 */
export function formatRuleError(error: RuleError, file?: string): string {
  const { line, column } = error.at;
  return file === undefined
    ? `line ${line}, column ${column}: ${error.message}`
    : `${file}:${line}:${column}: ${error.message}`;
}

/** The normalization actions, as Alma spells them (matched case-insensitively). */
export const NORMALIZATION_ACTIONS = [
  "addField",
  "addSubField",
  "addControlField",
  "removeField",
  "removeSubField",
  "removeControlField",
  "changeField",
  "changeSubField",
  "changeSubFieldExceptFirst",
  "changeFirstIndicator",
  "changeSecondIndicator",
  "copyField",
  "copyControlField",
  "replaceContents",
  "replaceContentsExceptFirst",
  "replaceSubFieldContents",
  "replaceControlContents",
  "prefix",
  "suffix",
  "correctDuplicateFields",
  "correctDuplicateSubfields",
  "moveSubfieldsToEndOfField",
  "combineFields",
  "splitSubField",
] as const satisfies readonly NormalizationAction["kind"][];

/** The merge actions. */
export const MERGE_ACTIONS = ["add", "remove", "replace"] as const;

// ---------------------------------------------------------------- specs

/** A spec, or why it is not one (at the position given to the spec parser). */
export type SpecResult<T> =
  | { readonly spec: T; readonly error?: undefined }
  | { readonly spec?: undefined; readonly error: RuleError };

const FILE_START: Position = { line: 1, column: 1 };
const SPEC_TAG = /^[0-9A-Za-z*]{3}$/u;
const LITERAL_TAG = /^[0-9A-Za-z]{3}$/u;

/**
 * Parses a data-field spec `TAG[.{i1,i2}][.CODE[.VALUE]]` (the text inside the quotes, Java
 * escapes already resolved). TAG is three characters, `*` a wildcard per position; `{i1,i2}` one
 * character each, `-` blank, `*` any; CODE one character or `*`; VALUE is the rest of the text
 * (it may hold dots), read by {@link parseValuePattern}. `at` is where the spec stands in the
 * file; errors are reported there.
 *
 * @example
 * ```ts
 * parseFieldSpec("650.{*,0}.a.Child slaves*").spec;
 * // { source: "650.{*,0}.a.Child slaves*", tag: "650", ind1: "*", ind2: "0", code: "a",
 * //   value: { source: "Child slaves*", alternatives: [["Child slaves", ""]] }, at: … }
 * parseFieldSpec("65.a").error?.message;
 * // 'expected a three-character tag at the start of "65.a", found "65"'
 * ```
 */
export function parseFieldSpec(text: string, at: Position = FILE_START): SpecResult<FieldSpec> {
  const fail = (message: string): SpecResult<FieldSpec> => ({ error: { at, message } });
  const dot = text.indexOf(".");
  const tag = dot < 0 ? text : text.slice(0, dot);
  if (!SPEC_TAG.test(tag)) {
    return fail(`expected a three-character tag at the start of ${q(text)}, found ${q(tag)}`);
  }
  const base = { source: text, tag, at };
  if (dot < 0) return { spec: base };
  let rest = text.slice(dot + 1);
  let indicators: { ind1: IndicatorPattern; ind2: IndicatorPattern } | undefined;
  if (rest.startsWith("{")) {
    const m = /^\{(.),(.)\}/u.exec(rest);
    if (!m) {
      return fail(
        `expected indicators as {i1,i2} (one character each, "-" blank, "*" any) after ${q(`${tag}.`)} in ${q(text)}`,
      );
    }
    indicators = { ind1: indicatorPattern(m[1]!), ind2: indicatorPattern(m[2]!) };
    rest = rest.slice(m[0].length);
    if (rest === "") return { spec: { ...base, ...indicators } };
    if (!rest.startsWith(".")) {
      return fail(`expected "." after the indicators in ${q(text)}, found ${q(firstChar(rest))}`);
    }
    rest = rest.slice(1);
  }
  const code = firstChar(rest);
  if (code === "" || code === ".") {
    return fail(`expected a subfield code after ${q(text.slice(0, text.length - rest.length))}`);
  }
  const afterCode = rest.slice(code.length);
  if (afterCode === "") return { spec: { ...base, ...indicators, code } };
  if (!afterCode.startsWith(".")) {
    const written = rest.split(".")[0]!;
    return fail(`expected a one-character subfield code in ${q(text)}, found ${q(written)}`);
  }
  return { spec: { ...base, ...indicators, code, value: parseValuePattern(afterCode.slice(1)) } };
}

/**
 * Parses a control spec `TAG[.{POS,LEN}][.VALUE]`: TAG is `LDR` or a control tag (no
 * wildcards); POS is 0-based (`06` and `6` alike), LEN at least 1; VALUE is the rest of the
 * text, read by {@link parseValuePattern} (`"LDR.{17,1}. "`: the value is one blank).
 *
 * @example
 * ```ts
 * parseControlSpec("008.{35,3}.eng").spec;
 * // { source: "008.{35,3}.eng", tag: "008", position: 35, length: 3,
 * //   value: { source: "eng", alternatives: [["eng"]] }, at: … }
 * parseControlSpec("007").spec; // { source: "007", tag: "007", at: … }
 * ```
 */
export function parseControlSpec(text: string, at: Position = FILE_START): SpecResult<ControlSpec> {
  const fail = (message: string): SpecResult<ControlSpec> => ({ error: { at, message } });
  const dot = text.indexOf(".");
  const tag = dot < 0 ? text : text.slice(0, dot);
  if (!LITERAL_TAG.test(tag)) {
    return fail(
      `expected "LDR" or a three-character control tag at the start of ${q(text)}, found ${q(tag)}`,
    );
  }
  const base = { source: text, tag, at };
  if (dot < 0) return { spec: base };
  let rest = text.slice(dot + 1);
  if (!rest.startsWith("{")) return { spec: { ...base, value: parseValuePattern(rest) } };
  const m = /^\{\s*(\d+)\s*,\s*(\d+)\s*\}/u.exec(rest);
  if (!m) {
    return fail(
      `expected {POSITION,LENGTH} (0-based position, length, in digits) after ${q(`${tag}.`)} in ${q(text)}`,
    );
  }
  const position = Number(m[1]);
  const length = Number(m[2]);
  if (length < 1) return fail(`expected a length of at least 1 in ${q(text)}, found ${m[2]}`);
  rest = rest.slice(m[0].length);
  const range = { ...base, position, length };
  if (rest === "") return { spec: range };
  if (!rest.startsWith(".")) {
    return fail(`expected "." after ${q(m[0])} in ${q(text)}, found ${q(firstChar(rest))}`);
  }
  return { spec: { ...range, value: parseValuePattern(rest.slice(1)) } };
}

/**
 * Reads a value pattern: `|` separates alternatives, `*` stands for any run of characters, and
 * each alternative is matched against the whole value. A run of backslashes before `.` or `|`
 * makes that character literal (files write `\\\\.`, which the string escapes leave as `\\.`;
 * `\.` works too); every other character, backslashes elsewhere included, is literal.
 *
 * @example
 * ```ts
 * parseValuePattern("1|2|3").alternatives; // [["1"], ["2"], ["3"]]
 * parseValuePattern("*ebook*").alternatives; // [["", "ebook", ""]]
 * parseValuePattern("Indian slaves\\\\.").alternatives; // [["Indian slaves."]]
 * ```
 */
export function parseValuePattern(text: string): ValuePattern {
  const alternatives: string[][] = [];
  let pieces: string[] = [];
  let piece = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "\\") {
      let j = i;
      while (text[j] === "\\") j++;
      const next = text[j];
      if (next === "." || next === "|") {
        piece += next;
        i = j;
      } else {
        piece += text.slice(i, j);
        i = j - 1;
      }
    } else if (c === "|") {
      pieces.push(piece);
      alternatives.push(pieces);
      pieces = [];
      piece = "";
    } else if (c === "*") {
      pieces.push(piece);
      piece = "";
    } else {
      piece += c;
    }
  }
  pieces.push(piece);
  alternatives.push(pieces);
  return { source: text, alternatives };
}

/** A literal value of a spec (what `addField` writes): only `\.` and `\|` are escapes. */
function literalValue(text: string): string {
  return text.replace(/\\+([.|])/gu, "$1");
}

function indicatorPattern(c: string): IndicatorPattern {
  return c === "-" ? " " : c;
}

function firstChar(s: string): string {
  const c = s.codePointAt(0);
  return c === undefined ? "" : String.fromCodePoint(c);
}

function q(s: string): string {
  return JSON.stringify(s);
}

// ---------------------------------------------------------------- parser

/** Unwinds the parse of one rule; caught in `Parser.parse`. Internal, never escapes. */
class Bail {
  constructor(readonly error: RuleError) {}
}

type NormalizationKind = (typeof NORMALIZATION_ACTIONS)[number];

const ACTION_BY_LOWER = new Map<string, NormalizationKind>(
  NORMALIZATION_ACTIONS.map((name) => [name.toLowerCase(), name]),
);

const KNOWN_ACTIONS: readonly string[] = [...NORMALIZATION_ACTIONS, ...MERGE_ACTIONS, "set"];

/**
 * How deep `(` and `not` may nest in one condition. The parser and the interpreters recurse
 * once per level; 5,000 nested parentheses overflowed the stack. Real rule files nest a few
 * levels.
 */
export const MAX_CONDITION_NESTING = 64;
/**
 * How many `exists`, `existsControl` and `true` one condition may hold: an `and`/`or` chain
 * is a tree as deep as it is long, which the interpreters walk recursively.
 */
export const MAX_CONDITION_PARTS = 1_000;

class Parser {
  private pos = 0;
  private readonly rules: Rule[] = [];
  private readonly errors: RuleError[] = [];
  /** Levels of `(` and `not` open in the condition being parsed. */
  private nesting = 0;
  /** Leaves of the condition being parsed. */
  private parts = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  parse(): RuleFile {
    while (this.peek().kind !== "eof") {
      try {
        if (this.isWord("rule")) this.rules.push(this.rule());
        else this.fail(this.peek(), 'expected "rule" to start a rule');
      } catch (e) {
        if (!(e instanceof Bail)) throw e;
        this.errors.push(e.error);
        this.synchronize();
      }
    }
    return { rules: this.rules, errors: this.errors };
  }

  // ------------------------------------------------------------ rule

  private rule(): Rule {
    const start = this.advance();
    const nameToken = this.expect("string", 'expected the rule name in quotes after "rule"');
    const name = nameToken.text;
    let priority: number | undefined;
    while (this.isWord("priority") || this.isWord("salience")) {
      const keyword = this.advance();
      if (priority !== undefined) {
        throw new Bail({
          at: keyword.at,
          message: `${q(keyword.text)} given twice; a rule has one priority`,
        });
      }
      const n = this.expect("number", `expected a whole number after ${q(keyword.text)}`);
      priority = Number(n.text);
    }
    this.expectWord(
      "when",
      priority === undefined
        ? 'expected "when" after the rule name'
        : 'expected "when" after the priority',
    );
    let when: MergeWhen | Condition;
    if (this.isWord("merge")) {
      when = { kind: "merge", at: this.advance().at };
      this.expectWord("then", 'expected "then" after "merge"');
    } else {
      if (this.isWord("then"))
        this.fail(this.peek(), 'expected a condition or "merge" after "when"');
      when = this.condition();
      this.expectWord("then", 'expected "then" after the condition');
    }
    const merge = when.kind === "merge";
    const actions: Action[] = [];
    while (!this.isWord("end")) {
      if (this.peek().kind === "eof" || this.isWord("rule")) {
        this.fail(this.peek(), `expected "end" to close rule ${q(name)}`);
      }
      actions.push(this.action(merge));
    }
    this.advance();
    return {
      name,
      priority: priority ?? 0,
      index: this.rules.length,
      when,
      actions,
      at: start.at,
    };
  }

  // ------------------------------------------------------------ conditions

  /** A whole condition (after `when`, or in an action's `if`), its size bounded. */
  private condition(): Condition {
    this.nesting = 0;
    this.parts = 0;
    return this.disjunction();
  }

  private disjunction(): Condition {
    let left = this.conjunction();
    while (this.isWord("or")) {
      this.advance();
      const right = this.conjunction();
      left = { kind: "or", left, right, at: left.at };
    }
    return left;
  }

  private conjunction(): Condition {
    let left = this.unary();
    while (this.isWord("and")) {
      this.advance();
      const right = this.unary();
      left = { kind: "and", left, right, at: left.at };
    }
    return left;
  }

  private unary(): Condition {
    const t = this.peek();
    if (this.isWord("not")) {
      this.nest(t);
      this.advance();
      const operand = this.unary();
      this.nesting--;
      return { kind: "not", operand, at: t.at };
    }
    if (t.kind === "(") {
      this.nest(t);
      this.advance();
      const inner = this.disjunction();
      this.expect(")", `expected ")" to close the "(" of line ${t.at.line}, column ${t.at.column}`);
      this.nesting--;
      return inner;
    }
    if (++this.parts > MAX_CONDITION_PARTS) {
      throw new Bail({
        at: t.at,
        message: `a condition may have at most ${MAX_CONDITION_PARTS.toLocaleString("en-US")} parts`,
      });
    }
    if (this.isWord("true")) return { kind: "true", at: this.advance().at };
    if (this.isWord("exists")) {
      this.advance();
      const s = this.expect("string", 'expected a quoted spec after "exists"');
      return { kind: "exists", spec: this.fieldSpec(s), at: t.at };
    }
    if (this.isWord("existsControl")) {
      this.advance();
      const s = this.expect("string", 'expected a quoted spec after "existsControl"');
      return { kind: "existsControl", spec: this.controlSpec(s), at: t.at };
    }
    return this.fail(t, 'expected a condition (exists, existsControl, not, TRUE or "(")');
  }

  /** One more level of `(` or `not` at token `t`, refused past {@link MAX_CONDITION_NESTING}. */
  private nest(t: Token): void {
    if (++this.nesting > MAX_CONDITION_NESTING) {
      throw new Bail({
        at: t.at,
        message: `a condition may nest "(" and "not" at most ${MAX_CONDITION_NESTING} deep`,
      });
    }
  }

  // ------------------------------------------------------------ actions

  private action(merge: boolean): Action {
    const t = this.expect("word", 'expected an action or "end"');
    const lower = t.text.toLowerCase();
    if ((MERGE_ACTIONS as readonly string[]).includes(lower)) {
      if (!merge) {
        throw new Bail({
          at: t.at,
          message: `${q(t.text)} is a merge action; it belongs in a rule with "when merge"`,
        });
      }
      return this.mergeAction(t, lower as MergeAction["kind"]);
    }
    const kind = ACTION_BY_LOWER.get(lower);
    if (kind === undefined && lower !== "set") {
      throw new Bail({
        at: t.at,
        message: `unknown action ${q(t.text)}; the nearest known action is ${q(nearest(t.text))}`,
      });
    }
    if (merge) {
      throw new Bail({
        at: t.at,
        message: `${q(t.text)} does not belong in a merge rule ("when merge"), which takes add, remove and replace`,
      });
    }
    if (kind === undefined) {
      const set = this.set(t);
      if (this.isWord("if")) {
        throw new Bail({
          at: this.peek().at,
          message: `${q(t.text)} takes no "if"; test in "when"`,
        });
      }
      return set;
    }
    const action = this.normalizationAction(t, kind);
    if (!this.isWord("if")) return action;
    this.advance();
    this.expect("(", `expected "(" after "if"`);
    const condition = this.condition();
    this.expect(")", 'expected ")" after the condition of "if"');
    this.checkIfTags(t, action, condition);
    return { ...action, if: condition };
  }

  private set(t: Token): SetValue {
    const v = this.expect("word", 'expected brief_level or indication after "set"');
    const variable = v.text.toLowerCase();
    if (variable !== "brief_level" && variable !== "indication") {
      this.fail(v, 'expected brief_level or indication after "set"');
    }
    this.expect(".", `expected "." after ${q(v.text)}`);
    const s = this.expect("string", `expected a quoted value after ${q(`${v.text}.`)}`);
    if (variable === "brief_level" && !/^(0[1-9]|10)$/u.test(s.text)) {
      this.fail(s, 'expected a brief level from "01" to "10"');
    }
    if (variable === "indication" && !/^(true|false)$/iu.test(s.text)) {
      this.fail(s, 'expected "true" or "false"');
    }
    const value = variable === "indication" ? s.text.toLowerCase() : s.text;
    return { kind: "set", variable, value, at: t.at };
  }

  private normalizationAction(t: Token, kind: NormalizationKind): NormalizationAction {
    const at = t.at;
    switch (kind) {
      case "addField": {
        const f = this.literalField(kind);
        if (f.spec.tag.includes("*")) this.specFail(f.token, `${kind} needs a tag without "*"`);
        if (f.spec.ind1 === "*" || f.spec.ind2 === "*") {
          this.specFail(f.token, `${kind} needs indicators without "*"`);
        }
        return {
          kind,
          tag: f.spec.tag,
          ind1: f.spec.ind1 ?? " ",
          ind2: f.spec.ind2 ?? " ",
          code: f.code,
          value: f.value,
          at,
        };
      }
      case "addSubField": {
        const f = this.literalField(kind);
        const { tag, ind1, ind2, source } = f.spec;
        const target: FieldSpec = { source, tag, ...indicators(ind1, ind2), at: f.spec.at };
        return { kind, target, code: f.code, value: f.value, at };
      }
      case "addControlField": {
        const s = this.specString(kind);
        const dot = s.text.indexOf(".");
        const tag = dot < 0 ? s.text : s.text.slice(0, dot);
        if (dot < 0 || !LITERAL_TAG.test(tag)) {
          this.specFail(s, `${kind} needs "TAG.VALUE"`);
        }
        return { kind, tag, value: literalValue(s.text.slice(dot + 1)), at };
      }
      case "removeField":
        return { kind, target: this.fieldSpec(this.specString(kind)), at };
      case "removeControlField": {
        const s = this.specString(kind);
        const target = this.fieldSpec(s);
        if (s.text !== target.tag || target.tag.includes("*")) {
          this.specFail(s, `${kind} takes a control tag ("007")`);
        }
        return { kind, target, at };
      }
      case "removeSubField":
        return { kind, target: this.coded(kind), at };
      case "changeField": {
        const target = this.fieldSpec(this.specString(kind));
        return { kind, target, toTag: this.toTag(kind, "to", target), at };
      }
      case "changeSubField":
      case "changeSubFieldExceptFirst": {
        const target = this.coded(kind);
        this.keyword("to", kind, target);
        const to = this.expect("string", `expected a quoted subfield code after "to"`);
        if (!/^[^*]$/u.test(to.text))
          this.specFail(to, `${kind} needs one subfield code after "to"`);
        return { kind, target, toCode: to.text, at };
      }
      case "changeFirstIndicator":
      case "changeSecondIndicator": {
        const target = this.fieldSpec(this.specString(kind));
        this.keyword("to", kind, target);
        const to = this.expect("string", 'expected a quoted indicator after "to"');
        if ([...to.text].length !== 1 || to.text === "*") {
          this.specFail(
            to,
            `${kind} needs one indicator character after "to" (" " or "-" for blank)`,
          );
        }
        return { kind, target, to: indicatorPattern(to.text), at };
      }
      case "copyField": {
        const source = this.fieldSpec(this.specString(kind));
        this.keyword("to", kind, source);
        const to = this.expect("string", 'expected a quoted "TAG" or "TAG.CODE" after "to"');
        const m = /^([0-9A-Za-z]{3})(?:\.(.))?$/u.exec(to.text);
        const toCode = m?.[2];
        if (!m || (source.code === undefined) !== (toCode === undefined) || toCode === "*") {
          this.specFail(
            to,
            source.code === undefined
              ? `${kind} of a whole field needs a tag after "to" ("TAG")`
              : `${kind} of a subfield needs a tag and a subfield code after "to" ("TAG.CODE")`,
          );
        }
        const toTag = m![1]!;
        return toCode === undefined
          ? { kind, source, toTag, at }
          : { kind, source, toTag, toCode, at };
      }
      case "copyControlField": {
        const source = this.coded(kind);
        return { kind, source, toTag: this.toTag(kind, "to", source), at };
      }
      case "replaceContents":
      case "replaceContentsExceptFirst": {
        const target = this.fieldSpec(this.specString(kind));
        this.keyword("with", kind, target);
        return { kind, target, with: this.text("with"), at };
      }
      case "replaceSubFieldContents": {
        const target = this.coded(kind);
        this.keyword("with", kind, target);
        const s = this.expect("string", 'expected a quoted "TAG.CODE" after "with"');
        const from = this.fieldSpec(s);
        if (from.code === undefined) this.specFail(s, `${kind} needs "TAG.CODE" after "with"`);
        return { kind, target, from, at };
      }
      case "replaceControlContents": {
        const s = this.specString(kind);
        const target = this.controlSpec(s);
        if (target.position === undefined) this.specFail(s, `${kind} needs "TAG.{POS,LEN}[.OLD]"`);
        this.keyword("with", kind, target);
        return { kind, target, with: this.text("with"), at };
      }
      case "prefix":
      case "suffix": {
        const target = this.coded(kind);
        this.keyword("with", kind, target);
        return { kind, target, text: this.text("with"), at };
      }
      case "correctDuplicateFields": {
        const s = this.specString(kind);
        const tags = s.text.split(",").map((x) => x.trim());
        if (!tags.every((x) => SPEC_TAG.test(x))) {
          this.specFail(s, `${kind} needs tags separated by commas ("610,630,650")`);
        }
        return { kind, tags, at };
      }
      case "correctDuplicateSubfields": {
        const target = this.fieldSpec(this.specString(kind));
        const codes = this.expect(
          "string",
          `expected the quoted subfield codes after ${kind} ${q(target.source)}`,
        );
        if (codes.text === "") this.specFail(codes, `${kind} needs subfield codes`);
        return { kind, target, codes: codes.text, at };
      }
      case "moveSubfieldsToEndOfField": {
        const target = this.fieldSpec(this.specString(kind));
        const s = this.expect(
          "string",
          `expected the quoted subfield codes after ${kind} ${q(target.source)}`,
        );
        const codes = s.text.split(",").map((x) => x.trim());
        if (!codes.every((c) => [...c].length === 1)) {
          this.specFail(s, `${kind} needs subfield codes separated by commas ("c,a,d")`);
        }
        return { kind, target, codes, at };
      }
      case "combineFields": {
        const target = this.fieldSpec(this.specString(kind));
        this.keyword("excluding", kind, target);
        return { kind, target, excluding: this.text("excluding"), at };
      }
      case "splitSubField": {
        const s = this.specString(kind);
        const spec = this.fieldSpec(s);
        if (spec.code === undefined || spec.value === undefined || spec.value.source === "") {
          this.specFail(s, `${kind} needs "TAG.CODE.DELIMITER"`);
        }
        const { source, tag, ind1, ind2, code } = spec;
        const target: FieldSpec = { source, tag, ...indicators(ind1, ind2), code, at: spec.at };
        this.keyword("to", kind, target);
        const to = this.expect("string", 'expected a quoted "TAG.CODE" after "to"');
        const m = /^([0-9A-Za-z]{3})\.([^*])$/u.exec(to.text);
        if (!m) this.specFail(to, `${kind} needs "TAG.CODE" after "to"`);
        return {
          kind,
          target,
          delimiter: literalValue(spec.value!.source),
          toTag: m![1]!,
          toCode: m![2]!,
          at,
        };
      }
    }
  }

  /** `"TAG[.{i1,i2}].CODE.VALUE"` of addField and addSubField: the value literal. */
  private literalField(kind: string): {
    token: Token;
    spec: FieldSpec;
    code: string;
    value: string;
  } {
    const token = this.specString(kind);
    const spec = this.fieldSpec(token);
    if (spec.code === undefined || spec.value === undefined) {
      this.specFail(token, `${kind} needs "TAG.CODE.VALUE"`);
    }
    if (spec.code === "*") this.specFail(token, `${kind} needs a subfield code, not "*"`);
    return { token, spec, code: spec.code!, value: literalValue(spec.value!.source) };
  }

  /** A field spec that must name a subfield code. */
  private coded(kind: string): FieldSpec {
    const s = this.specString(kind);
    const spec = this.fieldSpec(s);
    if (spec.code === undefined) this.specFail(s, `${kind} needs a subfield code ("TAG.CODE")`);
    return spec;
  }

  /** `to "TAG"`: a tag without wildcards. */
  private toTag(kind: string, keyword: string, target: FieldSpec): string {
    this.keyword(keyword, kind, target);
    const to = this.expect("string", `expected a quoted tag after ${q(keyword)}`);
    if (!LITERAL_TAG.test(to.text)) {
      this.specFail(to, `${kind} needs a three-character tag without "*" after ${q(keyword)}`);
    }
    return to.text;
  }

  private keyword(word: string, kind: string, target: { readonly source: string }): void {
    this.expectWord(word, `expected ${q(word)} after ${kind} ${q(target.source)}`);
  }

  private text(after: string): string {
    return this.expect("string", `expected a quoted text after ${q(after)}`).text;
  }

  private specString(kind: string): Token {
    return this.expect("string", `expected a quoted spec after ${kind}`);
  }

  private fieldSpec(t: Token): FieldSpec {
    const r = parseFieldSpec(t.text, t.at);
    if (r.error) throw new Bail(r.error);
    return r.spec;
  }

  private controlSpec(t: Token): ControlSpec {
    const r = parseControlSpec(t.text, t.at);
    if (r.error) throw new Bail(r.error);
    return r.spec;
  }

  private specFail(t: Token, message: string): never {
    throw new Bail({ at: t.at, message: `${message}, found ${q(t.text)}` });
  }

  /**
   * Alma compiles an action's `if` only when it tests the field the action works on
   * (`addSubField "040.b.ita" if (existsControl "008.{35,3}.ita")` fails): a test on another
   * field belongs in `when`.
   */
  private checkIfTags(t: Token, action: NormalizationAction, condition: Condition): void {
    const own = actionTags(action);
    const visit = (c: Condition): void => {
      switch (c.kind) {
        case "true":
          return;
        case "not":
          return visit(c.operand);
        case "and":
        case "or":
          visit(c.left);
          return visit(c.right);
        case "exists":
        case "existsControl":
          if (own.some((tag) => tagsOverlap(tag, c.spec.tag))) return;
          throw new Bail({
            at: c.spec.at,
            message: `the "if" of ${t.text} can only test the field it works on (${own.map(q).join(", ")}), not ${q(c.spec.tag)}; a test of another field belongs in "when"`,
          });
      }
    };
    visit(condition);
  }

  // ------------------------------------------------------------ merge actions

  private mergeAction(t: Token, kind: MergeAction["kind"]): MergeAction {
    const selector = this.selector(t.text);
    const guards: MergeGuard[] = [];
    const exclusions: MergeExclusion[] = [];
    for (;;) {
      if (this.isWord("excluding")) exclusions.push(this.exclusion());
      else if (this.isWord("if")) guards.push(this.ifGuard());
      else if (this.isWord("when")) guards.push(this.containsGuard());
      else break;
    }
    return { kind, selector, guards, exclusions, at: t.at };
  }

  /** `MARC."035"`, `MARC."5"XX`, `MARC.XXX`, `MARC.control."008"`, `MARC."650"(" ","0")`. */
  private selector(after: string): MergeSelector {
    const first = this.peek();
    const expected = `expected MARC."TAG" after ${q(after)}`;
    if (!this.isWord("MARC")) this.fail(first, expected);
    this.advance();
    this.expect(".", `expected "." after "MARC"`);
    let control = false;
    let tag: string;
    const t = this.peek();
    if (this.isWord("control")) {
      this.advance();
      this.expect(".", 'expected "." after "MARC.control"');
      const s = this.expect("string", 'expected a quoted tag after "MARC.control."');
      if (!/^(LDR|00[0-9])$/iu.test(s.text)) this.specFail(s, 'expected "LDR" or a control tag');
      control = true;
      tag = s.text.toUpperCase();
    } else if (t.kind === "string") {
      this.advance();
      tag = t.text;
      const x = this.peek();
      if (x.kind === "word" && /^x+$/iu.test(x.text)) tag += this.advance().text;
      tag = tag.toUpperCase();
      if (tag !== "LDR" && !/^[0-9X]{3,}$/u.test(tag)) {
        throw new Bail({
          at: t.at,
          message: `expected a tag of three digits or X ("035", "5"XX, "59"X) or "LDR", found ${q(tag)}`,
        });
      }
    } else if (t.kind === "word" && /^xxx$/iu.test(t.text)) {
      this.advance();
      tag = "XXX";
    } else {
      return this.fail(t, 'expected a quoted tag, XXX or control after "MARC."');
    }
    let ind: { ind1: IndicatorPattern; ind2: IndicatorPattern } | undefined;
    if (this.peek().kind === "(") {
      this.advance();
      const i1 = this.indicatorString();
      this.expect(",", 'expected "," between the two indicators');
      const i2 = this.indicatorString();
      this.expect(")", 'expected ")" after the two indicators');
      ind = { ind1: i1, ind2: i2 };
    }
    const source = this.tokens
      .slice(this.tokens.indexOf(first), this.pos)
      .map((x) => x.raw)
      .join("");
    return { source, tag, control, ...ind, at: first.at };
  }

  private indicatorString(): IndicatorPattern {
    const s = this.expect("string", 'expected a quoted indicator (" " for blank)');
    if ([...s.text].length !== 1) this.specFail(s, "expected one indicator character");
    return indicatorPattern(s.text);
  }

  private exclusion(): MergeExclusion {
    this.advance();
    const t = this.peek();
    if (t.kind === "string") {
      this.advance();
      const tags = t.text.split(",").map((x) => x.trim().toUpperCase());
      if (!tags.every((x) => /^[0-9X]{3}$/u.test(x) || x === "LDR")) {
        this.specFail(t, 'expected tags of three digits or X separated by commas ("001,035,9XX")');
      }
      return { kind: "tags", tags };
    }
    if (this.isWord("MARC")) return { kind: "selector", selector: this.selector("excluding") };
    if (this.isWord("first") || this.isWord("second")) {
      const which = this.advance().text.toLowerCase() === "first" ? 1 : 2;
      this.expectWord("indicator", `expected "indicator" after ${q(t.text)}`);
      return { kind: "indicator", which, value: this.indicatorString() };
    }
    return this.fail(
      t,
      'expected quoted tags, MARC."TAG", "first indicator" or "second indicator" after "excluding"',
    );
  }

  /** `if exists`, `if does not exist(s)`, `if [not] exists subfield "5"`. */
  private ifGuard(): MergeGuard {
    this.advance();
    let negated = false;
    if (this.isWord("does")) {
      this.advance();
      this.expectWord("not", 'expected "not" after "does"');
      negated = true;
    } else if (this.isWord("not")) {
      this.advance();
      negated = true;
    }
    if (!this.isWord("exists") && !this.isWord("exist")) {
      this.fail(this.peek(), 'expected "exists", "does not exist" or "not exists" after "if"');
    }
    this.advance();
    if (!this.isWord("subfield")) return { kind: "exists", negated };
    this.advance();
    const s = this.expect("string", 'expected a quoted subfield code after "subfield"');
    if ([...s.text].length !== 1) this.specFail(s, "expected one subfield code");
    return { kind: "subfield", code: s.text, negated };
  }

  /** `when MARC."035"."a" contains "OCoLC"`, `… does not contain "rvk"`. */
  private containsGuard(): MergeGuard {
    this.advance();
    const selector = this.selector("when");
    this.expect(".", `expected "." and a quoted subfield code after ${selector.source}`);
    const c = this.expect("string", `expected a quoted subfield code after ${selector.source}.`);
    if ([...c.text].length !== 1) this.specFail(c, "expected one subfield code");
    const expected = `expected "contains" or "does not contain" after ${selector.source}.${c.raw}`;
    let negated = false;
    if (this.isWord("does")) {
      this.advance();
      this.expectWord("not", 'expected "not" after "does"');
      negated = true;
    } else if (this.isWord("not")) {
      this.advance();
      negated = true;
    }
    if (!this.isWord("contains") && !this.isWord("contain")) this.fail(this.peek(), expected);
    this.advance();
    const v = this.expect("string", 'expected a quoted value after "contains"');
    return { kind: "contains", selector, code: c.text, value: parseValuePattern(v.text), negated };
  }

  // ------------------------------------------------------------ tokens

  private peek(): Token {
    return this.tokens[this.pos]!;
  }

  private advance(): Token {
    const t = this.peek();
    if (t.kind !== "eof") this.pos++;
    return t;
  }

  /** Whether the next token is the word (case-insensitive). */
  private isWord(word: string): boolean {
    const t = this.peek();
    return t.kind === "word" && t.text.toLowerCase() === word.toLowerCase();
  }

  private expect(kind: Token["kind"], expected: string): Token {
    const t = this.peek();
    if (t.kind !== kind) this.fail(t, expected);
    return this.advance();
  }

  private expectWord(word: string, expected: string): Token {
    if (!this.isWord(word)) this.fail(this.peek(), expected);
    return this.advance();
  }

  /** Stops the rule at token `t`: "EXPECTED, found …", or the scanner's error at that token. */
  private fail(t: Token, expected: string): never {
    const message = t.kind === "error" ? t.text : `${expected}, ${found(t)}`;
    throw new Bail({ at: t.at, message });
  }

  /** Skips to the next `rule` that starts a line (or the end of the file). */
  private synchronize(): void {
    while (this.peek().kind !== "eof") {
      const t = this.peek();
      const previous = this.tokens[this.pos - 1];
      const startsLine = previous === undefined || previous.at.line < t.at.line;
      if (startsLine && this.isWord("rule")) return;
      this.advance();
    }
  }
}

function found(t: Token): string {
  if (t.kind === "eof") return "found the end of the file";
  const raw = [...t.raw].length > 40 ? `${[...t.raw].slice(0, 40).join("")}…` : t.raw;
  return t.kind === "string" ? `found the string ${raw}` : `found ${q(raw)}`;
}

function indicators(
  ind1: IndicatorPattern | undefined,
  ind2: IndicatorPattern | undefined,
): { ind1?: IndicatorPattern; ind2?: IndicatorPattern } {
  return ind1 === undefined || ind2 === undefined ? {} : { ind1, ind2 };
}

/** The tags of the fields an action works on (what its `if` may test). */
function actionTags(a: NormalizationAction): string[] {
  switch (a.kind) {
    case "addField":
    case "addControlField":
      return [a.tag];
    case "copyField":
    case "copyControlField":
      return [a.source.tag];
    case "replaceSubFieldContents":
      return [a.target.tag, a.from.tag];
    case "correctDuplicateFields":
      return [...a.tags];
    default:
      return [a.target.tag];
  }
}

/** Whether two tag patterns can name one field (`*` matches any character). */
function tagsOverlap(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!.toUpperCase();
    const y = b[i]!.toUpperCase();
    if (x !== y && x !== "*" && y !== "*") return false;
  }
  return true;
}

/** The known action name nearest to `word` (edit distance, ignoring case). */
function nearest(word: string): string {
  const w = word.toLowerCase();
  let best = KNOWN_ACTIONS[0]!;
  let bestDistance = Infinity;
  for (const name of KNOWN_ACTIONS) {
    const d = editDistance(w, name.toLowerCase());
    if (d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      next.push(Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + cost));
    }
    row = next;
  }
  return row[b.length]!;
}
