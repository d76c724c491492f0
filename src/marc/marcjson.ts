/**
 * MARC-in-JSON, the convention pymarc and marc4j share:
 * `{"leader":"…","fields":[{"001":"value"},{"245":{"ind1":"1","ind2":"0","subfields":[{"a":"…"}]}}]}`.
 *
 * @example
 * ```ts
 * import { readMarcJson, writeMarcJson } from "./marcjson.js";
 * const json = writeMarcJson({ leader: "00000nam a2200000 a 4500", fields: [{ tag: "001", value: "x1" }] });
 * for await (const { record } of readMarcJson([json])) console.log(record);
 * ```
 */

import type { MarcIssue, ReadResult, Severity } from "./issue.js";
import type { Field, MarcRecord, Subfield } from "./record.js";
import { isControlField } from "./record.js";
import { ByteCounter, DEFAULT_LEADER, decodeChunks, quote, repairLeader } from "./_text.js";

/** Options for {@link readMarcJson}. None yet; here so that callers can pass one. */
export type MarcJsonReadOptions = Record<string, never>;

/** One complete top-level JSON text, cut out of the input by the scanner. */
interface JsonText {
  readonly text: string;
  readonly line: number;
  readonly column: number;
  readonly offset: number;
}

/** A syntax error found by the scanner itself (outside any record text). */
interface ScanError {
  readonly line: number;
  readonly column: number;
  readonly offset: number;
  readonly message: string;
  /** Whether reading can go on (line-delimited input: with the next line). */
  readonly recoverable: boolean;
}

const enum Ch {
  Tab = 0x09,
  LF = 0x0a,
  CR = 0x0d,
  Space = 0x20,
  Quote = 0x22,
  Comma = 0x2c,
  Backslash = 0x5c,
  OpenBracket = 0x5b,
  CloseBracket = 0x5d,
  OpenBrace = 0x7b,
  CloseBrace = 0x7d,
}

function isSpace(c: number): boolean {
  return c === Ch.Space || c === Ch.LF || c === Ch.CR || c === Ch.Tab;
}

/**
 * Cuts the input into top-level values: the elements of one top-level array, or a
 * sequence of top-level values separated by whitespace (one object, NDJSON, or
 * concatenated objects). Tracks only strings and bracket depth; JSON.parse checks the
 * rest. When the first value of a sequence fits on one line, the input is taken as
 * line-delimited, and a line break always ends a value, so one broken line costs one record.
 */
class JsonScanner {
  private line = 1;
  private column = 1;
  private mode: "start" | "array" | "sequence" | "done" = "start";
  /** In array mode: whether a value or the closing bracket is expected (after `[` or `,`). */
  private expectValue = true;
  private lineDelimited = false;
  /** In line-delimited input: the rest of the current line is skipped after an error. */
  private skipLine = false;
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Primitive (non-object, non-array) value being read. */
  private primitive = false;
  private parts: string[] = [];
  private start: { line: number; column: number; offset: number; charIndex: number } | undefined;
  private firstValue = true;
  private firstValueLine = 0;
  private readonly bytes = new ByteCounter();
  private chars = 0;

  /** Feeds one chunk; returns the values and errors it completes, in order. */
  feed(text: string, byteOffset: number): (JsonText | ScanError)[] {
    this.bytes.feed({ text, byteOffset });
    const out: (JsonText | ScanError)[] = [];
    let i = 0;
    const n = text.length;
    let valueFrom = this.start ? 0 : -1;
    const begin = (at: number): void => {
      this.start = {
        line: this.line,
        column: this.column,
        offset: this.bytes.byteAt(this.chars + at),
        charIndex: at,
      };
      valueFrom = at;
      this.parts = [];
    };
    const finish = (endExclusive: number): void => {
      const s = this.start!;
      this.parts.push(text.slice(valueFrom, endExclusive));
      out.push({ text: this.parts.join(""), line: s.line, column: s.column, offset: s.offset });
      if (this.firstValue) {
        this.firstValue = false;
        if (this.mode === "sequence" && s.line === this.line) this.firstValueLine = this.line;
      }
      this.parts = [];
      this.start = undefined;
      valueFrom = -1;
      this.primitive = false;
      this.depth = 0;
      this.inString = false;
      this.escaped = false;
    };
    const error = (at: number, message: string, recoverable: boolean): void => {
      out.push({
        line: this.line,
        column: this.column,
        offset: this.bytes.byteAt(this.chars + at),
        message,
        recoverable,
      });
    };

    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (this.mode === "done") {
        if (!isSpace(c)) {
          error(i, "unexpected data after the JSON array", false);
          this.mode = "done";
          this.chars += n;
          return out;
        }
      } else if (this.start) {
        // inside a value
        if (this.inString) {
          if (this.escaped) this.escaped = false;
          else if (c === Ch.Backslash) this.escaped = true;
          else if (c === Ch.Quote) {
            this.inString = false;
            if (this.primitive && this.depth === 0) {
              finish(i + 1);
              this.afterValue();
            }
          } else if (c === Ch.LF && this.lineDelimited) {
            finish(i);
            this.afterValue();
          }
        } else if (this.primitive && this.depth === 0) {
          if (isSpace(c) || c === Ch.Comma || c === Ch.CloseBracket) {
            finish(i);
            this.afterValue();
            i--; // look at the delimiter again outside the value
            continue;
          }
        } else if (c === Ch.Quote) this.inString = true;
        else if (c === Ch.OpenBrace || c === Ch.OpenBracket) this.depth++;
        else if (c === Ch.CloseBrace || c === Ch.CloseBracket) {
          this.depth--;
          if (this.depth === 0) {
            finish(i + 1);
            this.afterValue();
          }
        } else if (c === Ch.LF && this.lineDelimited) {
          finish(i);
          this.afterValue();
        }
      } else if (this.skipLine || isSpace(c)) {
        // between values, or the rest of a bad line
      } else if (this.mode === "start") {
        if (c === Ch.OpenBracket) {
          this.mode = "array";
          this.expectValue = true;
        } else if (c === Ch.OpenBrace) {
          this.mode = "sequence";
          this.startValue(c, i, begin);
        } else {
          error(i, `expected "{" or "[", found ${quote(text.charAt(i))}`, false);
          this.chars += n;
          return out;
        }
      } else if (this.mode === "array") {
        if (this.expectValue) {
          if (c === Ch.CloseBracket) this.mode = "done";
          else this.startValue(c, i, begin);
        } else if (c === Ch.Comma) this.expectValue = true;
        else if (c === Ch.CloseBracket) this.mode = "done";
        else {
          error(i, `expected "," or "]" after a record, found ${quote(text.charAt(i))}`, false);
          this.mode = "done";
          this.chars += n;
          return out;
        }
      } else if (c === Ch.OpenBrace) {
        this.startValue(c, i, begin); // sequence
      } else {
        error(
          i,
          `expected "{" to start a record, found ${quote(text.charAt(i))}`,
          this.lineDelimited,
        );
        if (!this.lineDelimited) {
          this.chars += n;
          return out;
        }
        this.skipLine = true;
      }
      if (c === Ch.LF) {
        this.skipLine = false;
        this.line++;
        this.column = 1;
        if (this.firstValueLine > 0 && this.mode === "sequence") {
          this.lineDelimited = true;
          this.firstValueLine = 0;
        }
      } else if (c < 0xdc00 || c > 0xdfff) this.column++;
    }
    if (this.start && valueFrom >= 0) this.parts.push(text.slice(valueFrom));
    this.chars += n;
    return out;
  }

  private startValue(c: number, at: number, begin: (at: number) => void): void {
    begin(at);
    if (c === Ch.OpenBrace || c === Ch.OpenBracket) this.depth = 1;
    else if (c === Ch.Quote) {
      this.primitive = true;
      this.inString = true;
    } else this.primitive = true;
  }

  private afterValue(): void {
    if (this.mode === "array") this.expectValue = false;
  }

  /** Ends the input: an unfinished value is returned as it is (JSON.parse will say why). */
  end(): (JsonText | ScanError)[] {
    const out: (JsonText | ScanError)[] = [];
    if (this.start) {
      const s = this.start;
      out.push({ text: this.parts.join(""), line: s.line, column: s.column, offset: s.offset });
      this.start = undefined;
    } else if (this.mode === "array") {
      out.push({
        line: this.line,
        column: this.column,
        offset: this.bytes.byteAt(this.chars),
        message: 'unexpected end of input: the JSON array has no closing "]"',
        recoverable: false,
      });
    }
    return out;
  }
}

/** Line and column (one-based) of a character index within a value text that starts at a known place. */
function positionIn(value: JsonText, index: number): { line: number; column: number } {
  let line = value.line;
  let column = value.column;
  const end = Math.min(index, value.text.length);
  for (let i = 0; i < end; i++) {
    const c = value.text.charCodeAt(i);
    if (c === Ch.LF) {
      line++;
      column = 1;
    } else if (c < 0xdc00 || c > 0xdfff) column++;
  }
  return { line, column };
}

/**
 * JSON.parse, but a raw control character inside a string (which pymarc writes and
 * Python reads with `strict=False`) is taken as if it were escaped, with a minor issue.
 */
function parseLenient(value: JsonText, issues: MarcIssue[]): unknown {
  try {
    return JSON.parse(value.text);
  } catch (err) {
    if (!(err instanceof Error) || !err.message.startsWith("Bad control character")) throw err;
    const { text, first } = escapeRawControls(value.text);
    const json: unknown = JSON.parse(text);
    const at = positionIn(value, first);
    issues.push({
      severity: "minor",
      offset: value.offset,
      line: at.line,
      message: `raw control character in a string at line ${at.line}, column ${at.column}; read as if escaped`,
    });
    return json;
  }
}

/** Escapes control characters inside JSON strings; `first` is the index of the first one. */
function escapeRawControls(text: string): { text: string; first: number } {
  let out = "";
  let from = 0;
  let first = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === Ch.Backslash) i++;
      else if (c === Ch.Quote) inString = false;
      else if (c < 0x20) {
        if (first === -1) first = i;
        out += text.slice(from, i) + "\\u" + c.toString(16).padStart(4, "0");
        from = i + 1;
      }
    } else if (c === Ch.Quote) inString = true;
  }
  return { text: out + text.slice(from), first };
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  const t = typeof value;
  return t === "object" ? "an object" : `a ${t}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * One record from an already parsed MARC-in-JSON value, synchronously (for stored data and
 * other callers that hold the whole object). Issues name JSON paths; offsets are 0.
 *
 * @example
 * ```ts
 * marcJsonToRecord({ leader: "00000nam a2200000 a 4500", fields: [{ "001": "x" }] }).record;
 * // { leader: "00000nam a2200000 a 4500", fields: [{ tag: "001", value: "x" }] }
 * ```
 */
export function marcJsonToRecord(json: unknown): {
  record: MarcRecord | undefined;
  issues: MarcIssue[];
} {
  const issues: MarcIssue[] = [];
  const record = toRecord(json, (severity, message, tag) => {
    const base = { severity, offset: 0, message };
    issues.push(tag === undefined ? base : { ...base, tag });
  });
  return { record, issues };
}

/** Builds a record from a parsed JSON value, collecting issues with JSON paths. */
function toRecord(
  json: unknown,
  issue: (severity: Severity, message: string, tag?: string) => void,
): MarcRecord | undefined {
  if (!isObject(json)) {
    issue("fatal", `expected a record object, got ${typeName(json)}`);
    return undefined;
  }
  let leader: string;
  const rawLeader = json["leader"];
  if (typeof rawLeader === "string") {
    const repaired = repairLeader(rawLeader);
    if (repaired.problem) issue(repaired.problem.severity, `leader: ${repaired.problem.message}`);
    leader = repaired.leader;
  } else {
    issue(
      "major",
      rawLeader === undefined
        ? `leader: missing; using default leader ${quote(DEFAULT_LEADER)}`
        : `leader: expected a string, got ${typeName(rawLeader)}; using default leader ${quote(DEFAULT_LEADER)}`,
    );
    leader = DEFAULT_LEADER;
  }
  const fields: Field[] = [];
  const rawFields = json["fields"];
  if (!Array.isArray(rawFields)) {
    issue(
      "major",
      rawFields === undefined
        ? "fields: missing; record has no fields"
        : `fields: expected an array, got ${typeName(rawFields)}; record has no fields`,
    );
    return { leader, fields };
  }
  for (let i = 0; i < rawFields.length; i++) {
    const raw: unknown = rawFields[i];
    const path = `fields[${i}]`;
    if (!isObject(raw)) {
      issue(
        "major",
        `${path}: expected an object with one tag, got ${typeName(raw)}; field dropped`,
      );
      continue;
    }
    const tags = Object.keys(raw);
    if (tags.length !== 1) {
      if (tags.length === 0) {
        issue("major", `${path}: empty object; field dropped`);
        continue;
      }
      issue(
        "minor",
        `${path}: ${tags.length} tags in one object (${tags.join(", ")}); read as separate fields`,
      );
    }
    for (const tag of tags) {
      const field = toField(tag, raw[tag], `${path}.${tag}`, issue);
      if (field) fields.push(field);
    }
  }
  return { leader, fields };
}

function toField(
  tag: string,
  value: unknown,
  path: string,
  issue: (severity: Severity, message: string, tag?: string) => void,
): Field | undefined {
  if (tag.length !== 3)
    issue("minor", `${path}: tag ${quote(tag)} is not 3 characters; kept as it is`, tag);
  if (typeof value === "string") return { tag, value };
  if (!isObject(value)) {
    issue(
      "major",
      `${path}: expected a string or an object, got ${typeName(value)}; field dropped`,
      tag,
    );
    return undefined;
  }
  const indicator = (name: "ind1" | "ind2"): string => {
    const raw = value[name];
    if (typeof raw === "string") {
      if (raw.length === 1) return raw;
      if (raw.length === 0) {
        issue("minor", `${path}.${name}: empty; using blank`, tag);
        return " ";
      }
      const first = raw.charAt(0);
      issue(
        "major",
        `${path}.${name}: ${quote(raw)} is longer than one character; using ${quote(first)}`,
        tag,
      );
      return first;
    }
    issue(
      "minor",
      raw === undefined
        ? `${path}.${name}: missing; using blank`
        : `${path}.${name}: expected a string, got ${typeName(raw)}; using blank`,
      tag,
    );
    return " ";
  };
  const ind1 = indicator("ind1");
  const ind2 = indicator("ind2");
  const subfields: Subfield[] = [];
  const raw = value["subfields"];
  if (!Array.isArray(raw)) {
    issue(
      "major",
      raw === undefined
        ? `${path}.subfields: missing; field has no subfields`
        : `${path}.subfields: expected an array, got ${typeName(raw)}; field has no subfields`,
      tag,
    );
    return { tag, ind1, ind2, subfields };
  }
  for (let j = 0; j < raw.length; j++) {
    const s: unknown = raw[j];
    const sPath = `${path}.subfields[${j}]`;
    if (!isObject(s)) {
      issue(
        "major",
        `${sPath}: expected an object with one code, got ${typeName(s)}; subfield dropped`,
        tag,
      );
      continue;
    }
    const codes = Object.keys(s);
    if (codes.length !== 1) {
      if (codes.length === 0) {
        issue("major", `${sPath}: empty object; subfield dropped`, tag);
        continue;
      }
      issue(
        "minor",
        `${sPath}: ${codes.length} codes in one object (${codes.join(", ")}); read as separate subfields`,
        tag,
      );
    }
    for (const code of codes) {
      const v = s[code];
      if (code.length !== 1) {
        issue("major", `${sPath}: code ${quote(code)} is not one character; subfield dropped`, tag);
        continue;
      }
      if (typeof v === "string") subfields.push({ code, value: v });
      else if (typeof v === "number") {
        issue("minor", `${sPath}.${code}: a number; read as the string ${quote(String(v))}`, tag);
        subfields.push({ code, value: String(v) });
      } else
        issue(
          "major",
          `${sPath}.${code}: expected a string, got ${typeName(v)}; subfield dropped`,
          tag,
        );
    }
  }
  return { tag, ind1, ind2, subfields };
}

/**
 * Reads MARC-in-JSON from a stream of chunks of any size: one record object, an array of
 * record objects, newline-delimited JSON (one object per line), or objects one after the
 * other. Records are cut out of the stream one at a time and parsed on their own, so
 * memory is bounded by about one record in every form, the array included.
 *
 * Wrong shapes give issues naming the JSON path (`fields[3].245.subfields[0]: …`) with the
 * record's first line; the part in question is dropped (or repaired, e.g. a missing
 * indicator becomes blank) and the record is kept. A syntax error in a record gives a
 * `fatal` issue with line and column and no record, and reading goes on with the next
 * record. When the first record fits on one line the input is read as line-delimited:
 * a line break then ends a record even if its brackets are unbalanced, so a broken line
 * costs only itself. A syntax error between the elements of an array stops reading.
 *
 * Offsets are byte offsets of the record's first character.
 *
 * @example
 * ```ts
 * const ndjson = '{"leader":"00000nam a2200000 a 4500","fields":[{"001":"x1"}]}\n';
 * for await (const { record, issues } of readMarcJson([ndjson])) {
 *   record?.fields; // [{ tag: "001", value: "x1" }]
 * }
 * ```
 */
export async function* readMarcJson(
  input: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  options?: MarcJsonReadOptions,
): AsyncGenerator<ReadResult<MarcRecord>> {
  void options;
  const scanner = new JsonScanner();
  let index = 0;
  let stopped = false;

  const toResult = (item: JsonText | ScanError): ReadResult<MarcRecord> => {
    if ("message" in item) {
      if (!item.recoverable) stopped = true;
      return {
        record: undefined,
        issues: [
          {
            severity: "fatal",
            offset: item.offset,
            line: item.line,
            message: `JSON syntax error at line ${item.line}, column ${item.column}: ${item.message}`,
          },
        ],
        offset: item.offset,
        index: index++,
      };
    }
    let json: unknown;
    const issues: MarcIssue[] = [];
    try {
      json = parseLenient(item, issues);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      const at = /at position (\d+)/.exec(reason);
      const pos = at ? positionIn(item, Number(at[1])) : positionIn(item, item.text.length);
      const clean = reason.replace(/ in JSON at position \d+.*$/, "").replace(/^JSON\.parse: /, "");
      return {
        record: undefined,
        issues: [
          {
            severity: "fatal",
            offset: item.offset,
            line: pos.line,
            message: `JSON syntax error at line ${pos.line}, column ${pos.column}: ${clean}`,
          },
        ],
        offset: item.offset,
        index: index++,
      };
    }
    const record = toRecord(json, (severity, message, tag) => {
      const base = { severity, offset: item.offset, line: item.line, message };
      issues.push(tag === undefined ? base : { ...base, tag });
    });
    return { record, issues, offset: item.offset, index: index++ };
  };

  for await (const { text, byteOffset } of decodeChunks(input)) {
    for (const item of scanner.feed(text, byteOffset)) {
      yield toResult(item);
      if (stopped) return;
    }
  }
  for (const item of scanner.end()) {
    yield toResult(item);
    if (stopped) return;
  }
}

// ---------------------------------------------------------------------------------------
// Writer

/** Starts a JSON array of records: then records from {@link writeMarcJson} joined by {@link MARCJSON_ARRAY_SEPARATOR}. */
export const MARCJSON_ARRAY_START = "[";
/** Goes between two records in a JSON array. */
export const MARCJSON_ARRAY_SEPARATOR = ",\n";
/** Ends a JSON array of records. */
export const MARCJSON_ARRAY_END = "]\n";

/**
 * One record as compact MARC-in-JSON (one line, no trailing newline), keys in the order
 * `leader`, `fields`; data fields as `{"245":{"ind1":…,"ind2":…,"subfields":[{"a":…}]}}`.
 * Every string survives the round trip (JSON.stringify escapes lone surrogates).
 *
 * @example
 * ```ts
 * writeMarcJson({ leader: "00000nam a2200000 a 4500", fields: [{ tag: "001", value: "x1" }] });
 * // '{"leader":"00000nam a2200000 a 4500","fields":[{"001":"x1"}]}'
 * ```
 */
export function writeMarcJson(record: MarcRecord): string {
  let out = `{"leader":${JSON.stringify(record.leader)},"fields":[`;
  let firstField = true;
  for (const f of record.fields) {
    if (!firstField) out += ",";
    firstField = false;
    if (isControlField(f)) {
      out += `{${JSON.stringify(f.tag)}:${JSON.stringify(f.value)}}`;
    } else {
      out += `{${JSON.stringify(f.tag)}:{"ind1":${JSON.stringify(f.ind1)},"ind2":${JSON.stringify(f.ind2)},"subfields":[`;
      let firstSub = true;
      for (const s of f.subfields) {
        if (!firstSub) out += ",";
        firstSub = false;
        out += `{${JSON.stringify(s.code)}:${JSON.stringify(s.value)}}`;
      }
      out += "]}}";
    }
  }
  return out + "]}";
}

/**
 * Records as one JSON array, one record per line.
 *
 * @example
 * ```ts
 * writeMarcJsonArray([a, b]); // '[{"leader":…},\n{"leader":…}]\n'
 * ```
 */
export function writeMarcJsonArray(records: Iterable<MarcRecord>): string {
  const parts: string[] = [];
  for (const r of records) parts.push(writeMarcJson(r));
  return MARCJSON_ARRAY_START + parts.join(MARCJSON_ARRAY_SEPARATOR) + MARCJSON_ARRAY_END;
}

/**
 * Records as newline-delimited JSON: each record on its own line, each line ending in `\n`.
 *
 * @example
 * ```ts
 * writeMarcJsonLines([a, b]); // '{"leader":…}\n{"leader":…}\n'
 * ```
 */
export function writeMarcJsonLines(records: Iterable<MarcRecord>): string {
  const parts: string[] = [];
  for (const r of records) parts.push(writeMarcJson(r), "\n");
  return parts.join("");
}
