/**
 * Value and tag patterns of the rule files, compiled once into matchers.
 *
 * A value pattern (`ValuePattern`) is a list of alternatives (`a|b|c`), each a run of literal
 * pieces with a `*` between two pieces. It is used two ways:
 *
 * - **test** (conditions, selections): anchored to the whole value — `(OCoLC)*` is "starts with
 *   (OCoLC)", `*ebook*` is "contains ebook", `Microfiche.` is exactly that value;
 * - **replace** (`replaceContents`): every stretch of the value the pattern covers is replaced,
 *   leftmost first, as a regular expression with `*` read as `.*` would find it — except that a
 *   match reaching the end of the value ends the search, so `*` replaces the whole value once
 *   (`"974.s.*" with "google"`), `" *"` cuts from the first space to the end (`"974.b. *"`), and
 *   a pattern with no `*` replaces every occurrence of its text (`"974.b.A" with "a"`).
 *
 * Values compare as Unicode NFC: the pattern's pieces are normalized when compiled, a value when
 * it is tested (text below U+0300 is NFC already and is not touched). A value a replacement
 * changes comes out in NFC; a value no pattern matches is left exactly as it was.
 *
 * In the fixed-length control fields (the leader, 006, 007, 008) a `#` in a rule stands for a
 * blank, as MARC 21 documentation and Alma's editor write it (`replaceControlContents
 * "LDR.{17,1}.I" with "#"`); see {@link compileValuePattern}'s `hashIsBlank`.
 */
import type { Field, Subfield } from "../marc/record.js";
import { isControlField } from "../marc/record.js";
import type { FieldSpec, IndicatorPattern, ValuePattern } from "./ast.js";

/**
 * A string in Unicode NFC. Text made only of characters below U+0300 is NFC already and is
 * returned as it is (the common case, and cheap).
 *
 * @example
 * ```ts
 * nfc("Cafe\u0301"); // "Café" (one code point for é)
 * ```
 */
export function nfc(text: string): string {
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) >= 0x300) return text.normalize("NFC");
  }
  return text;
}

/** A compiled value pattern. */
export interface TextPattern {
  /** The pattern as the rule file wrote it. */
  readonly source: string;
  /** Whether the whole value matches one of the alternatives. */
  test(value: string): boolean;
  /**
   * The value with every match replaced by `replacement`, or `undefined` when the pattern is
   * not found (so a caller can tell "nothing to do" from "replaced by the same text").
   */
  replace(value: string, replacement: string): string | undefined;
}

/** The tags whose values are fixed-length codes, where a rule's `#` means a blank. */
const FIXED_LENGTH_TAGS: ReadonlySet<string> = new Set(["LDR", "006", "007", "008"]);

/**
 * Whether `#` in a rule's text for this control tag stands for a blank.
 *
 * @example
 * ```ts
 * hashIsBlankIn("LDR"); // true
 * hashIsBlankIn("001"); // false
 * ```
 */
export function hashIsBlankIn(tag: string): boolean {
  return FIXED_LENGTH_TAGS.has(tag);
}

/**
 * Control text as a rule writes it, with `#` read as a blank when `hashIsBlank`.
 *
 * @example
 * ```ts
 * controlText("000#||eng", true); // "000 ||eng"
 * ```
 */
export function controlText(text: string, hashIsBlank: boolean): string {
  return hashIsBlank && text.includes("#") ? text.replaceAll("#", " ") : text;
}

/** One alternative, compiled: an anchored test and a finder of the next match. */
interface Alternative {
  test(value: string): boolean;
  /** The first match starting at or after `from`: [start, end), or undefined. */
  find(value: string, from: number): readonly [number, number] | undefined;
}

function compileAlternative(pieces: readonly string[]): Alternative {
  const n = pieces.length;
  if (n <= 1) {
    const text = pieces[0] ?? "";
    return {
      test: (v) => v === text,
      find: (v, from) => {
        if (text === "") return undefined; // an empty literal finds nothing to replace
        const at = v.indexOf(text, from);
        return at < 0 ? undefined : [at, at + text.length];
      },
    };
  }
  const first = pieces[0]!;
  const last = pieces[n - 1]!;
  const middle = pieces.slice(1, n - 1).filter((p) => p !== "");
  const fixed = first.length + last.length;
  let test: (v: string) => boolean;
  if (middle.length === 0) {
    if (first === "" && last === "") test = () => true;
    else if (last === "") test = (v) => v.startsWith(first);
    else if (first === "") test = (v) => v.endsWith(last);
    else test = (v) => v.length >= fixed && v.startsWith(first) && v.endsWith(last);
  } else if (middle.length === 1 && first === "" && last === "") {
    const inner = middle[0]!;
    test = (v) => v.includes(inner);
  } else {
    test = (v) => {
      if (v.length < fixed || !v.startsWith(first) || !v.endsWith(last)) return false;
      const end = v.length - last.length;
      let at = first.length;
      for (const p of middle) {
        const k = v.indexOf(p, at);
        if (k < 0 || k + p.length > end) return false;
        at = k + p.length;
      }
      return true;
    };
  }
  const find = (v: string, from: number): readonly [number, number] | undefined => {
    const start = first === "" ? from : v.indexOf(first, from);
    if (start < 0) return undefined;
    let at = start + first.length;
    // Middle pieces leftmost leave the most room for the rest; if they do not fit after the
    // first occurrence of `first`, they fit after no later one.
    for (const p of middle) {
      const k = v.indexOf(p, at);
      if (k < 0) return undefined;
      at = k + p.length;
    }
    if (last === "") return [start, v.length];
    // The `*` before the last piece is greedy: it reaches the last occurrence.
    const k = v.lastIndexOf(last);
    if (k < at) return undefined;
    return [start, k + last.length];
  };
  return { test, find };
}

/** Options of {@link compileValuePattern}. */
export interface ValuePatternOptions {
  /**
   * Read `#` in the pattern as a blank (the fixed-length control fields: leader, 006, 007, 008).
   * @default false
   */
  readonly hashIsBlank?: boolean;
}

/**
 * Compiles a value pattern into an anchored test and a replacer (see the module comment).
 *
 * @example
 * ```ts
 * const p = compileValuePattern({ source: "(OCoLC)*", alternatives: [["(OCoLC)", ""]] });
 * p.test("(OCoLC)12345"); // true
 * p.test("x(OCoLC)1"); // false: anchored
 * compileValuePattern({ source: " *", alternatives: [[" ", ""]] }).replace("mdp.39015 v.2", ""); // "mdp.39015"
 * ```
 */
export function compileValuePattern(
  pattern: ValuePattern,
  options: ValuePatternOptions = {},
): TextPattern {
  const hash = options.hashIsBlank ?? false;
  const alternatives = pattern.alternatives.map((pieces) =>
    compileAlternative(pieces.map((p) => nfc(controlText(p, hash)))),
  );
  const only = alternatives.length === 1 ? alternatives[0]! : undefined;
  const test = only
    ? (value: string) => only.test(nfc(value))
    : (value: string) => {
        const v = nfc(value);
        for (const a of alternatives) if (a.test(v)) return true;
        return false;
      };
  const replace = (value: string, replacement: string): string | undefined => {
    const v = nfc(value);
    const by = nfc(replacement);
    let out = "";
    let copied = 0;
    let from = 0;
    let found = false;
    while (from <= v.length) {
      let best: readonly [number, number] | undefined;
      for (const a of alternatives) {
        const m = a.find(v, from);
        if (m && (!best || m[0] < best[0])) best = m;
      }
      if (!best) break;
      const [start, end] = best;
      if (end === start && found) break; // an empty match after a real one: nothing more
      found = true;
      out += v.slice(copied, start) + by;
      copied = end;
      if (end >= v.length) break;
      from = end > start ? end : end + 1;
    }
    return found ? out + v.slice(copied) : undefined;
  };
  return { source: pattern.source, test, replace };
}

/**
 * A tag pattern of a normalization rule: three characters, `*` in a position matching any
 * character (`6**`, `86*`); anything else literal, so scratch tags (`YLK`, `TMP`) work.
 *
 * @example
 * ```ts
 * compileTagPattern("6**")("650"); // true
 * compileTagPattern("YLK")("YLK"); // true
 * ```
 */
export function compileTagPattern(pattern: string): (tag: string) => boolean {
  if (!pattern.includes("*")) return (tag) => tag === pattern;
  const code = (i: number): number => (pattern[i] === "*" ? -1 : pattern.charCodeAt(i));
  if (pattern.length === 3) {
    const [c0, c1, c2] = [code(0), code(1), code(2)];
    return (tag) =>
      tag.length === 3 &&
      (c0 < 0 || tag.charCodeAt(0) === c0) &&
      (c1 < 0 || tag.charCodeAt(1) === c1) &&
      (c2 < 0 || tag.charCodeAt(2) === c2);
  }
  const codes = [...pattern].map((_, i) => code(i));
  return (tag) =>
    tag.length === codes.length && codes.every((c, i) => c < 0 || tag.charCodeAt(i) === c);
}

/**
 * An indicator as a rule writes it: `-` (and `#`) are a blank.
 *
 * @example
 * ```ts
 * indicatorValue("-"); // " "
 * indicatorValue("4"); // "4"
 * ```
 */
export function indicatorValue(text: string): string {
  return text === "-" || text === "#" ? " " : text;
}

/**
 * Whether an indicator matches a pattern (`undefined` and `*` match any).
 *
 * @example
 * ```ts
 * indicatorMatches("*", "4"); // true
 * indicatorMatches("-", " "); // true
 * ```
 */
export function indicatorMatches(
  pattern: IndicatorPattern | undefined,
  indicator: string,
): boolean {
  return pattern === undefined || pattern === "*" || indicatorValue(pattern) === indicator;
}

/** A compiled data-field spec (`TAG[.{i1,i2}][.CODE[.VALUE]]`). */
export interface FieldMatcher {
  readonly spec: FieldSpec;
  /** The tag alone (for a quick look whether a record can hold a matching field at all). */
  tag(tag: string): boolean;
  /** Tag and indicators (a control field passes only a spec with a bare tag). */
  head(field: Field): boolean;
  /** Code and value of one subfield (a spec without a code takes every subfield). */
  subfield(subfield: Subfield): boolean;
  /**
   * The whole spec: the head, and — when the spec names a subfield — at least one subfield that
   * matches it. This is what `exists` tests and what actions select.
   */
  field(field: Field): boolean;
  /** {@link field}, for data fields only. */
  dataField(field: Field): boolean;
}

/**
 * Compiles a field spec.
 *
 * @example
 * ```ts
 * const m = compileFieldSpec(parseFieldSpec("650.{*,0}.a.Child slaves*").spec!);
 * m.field({ tag: "650", ind1: " ", ind2: "0", subfields: [{ code: "a", value: "Child slaves" }] }); // true
 * m.field({ tag: "650", ind1: " ", ind2: "7", subfields: [{ code: "a", value: "Child slaves" }] }); // false
 * ```
 */
export function compileFieldSpec(spec: FieldSpec): FieldMatcher {
  const tag = compileTagPattern(spec.tag);
  const ind1 = spec.ind1 === undefined || spec.ind1 === "*" ? undefined : indicatorValue(spec.ind1);
  const ind2 = spec.ind2 === undefined || spec.ind2 === "*" ? undefined : indicatorValue(spec.ind2);
  const bare = spec.ind1 === undefined && spec.ind2 === undefined && spec.code === undefined;
  const code = spec.code === undefined || spec.code === "*" ? undefined : spec.code;
  const value = spec.value ? compileValuePattern(spec.value) : undefined;
  const head = (f: Field): boolean => {
    if (!tag(f.tag)) return false;
    if (isControlField(f)) return bare;
    return (ind1 === undefined || f.ind1 === ind1) && (ind2 === undefined || f.ind2 === ind2);
  };
  const subfield =
    code === undefined
      ? value === undefined
        ? () => true
        : (s: Subfield) => value.test(s.value)
      : value === undefined
        ? (s: Subfield) => s.code === code
        : (s: Subfield) => s.code === code && value.test(s.value);
  const named = spec.code !== undefined;
  const field = (f: Field): boolean => {
    if (!head(f)) return false;
    if (!named) return true;
    if (isControlField(f)) return false;
    for (const s of f.subfields) if (subfield(s)) return true;
    return false;
  };
  const dataField = (f: Field): boolean => !isControlField(f) && field(f);
  return { spec, tag, head, subfield, field, dataField };
}
