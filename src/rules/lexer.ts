/**
 * The scanner of Alma's rule files: text in, tokens out, each with its line and column.
 *
 * A rule file is words (`rule`, `when`, `addField`, `MARC`, `XX`), quoted strings with Java
 * escapes (`"650.a.Indian slaves\\\\."`), whole numbers (`priority 10`, `salience -1`), the
 * punctuation `(`, `)`, `,` and `.`, and comments from `#` or `//` to the end of the line
 * (outside strings). Line ends are LF, CRLF or CR. Columns count characters (code points), from 1.
 *
 * The scanner never throws on data: a character that belongs nowhere, or a string that does not
 * close on its line, is an `error` token in the stream (so the parser reports it in its place,
 * once per rule) and an entry in `errors`.
 */
import type { Position, RuleError } from "./ast.js";

/** What a token is. `error` stands for text the scanner could not read (see `errors`). */
export type TokenKind = "word" | "string" | "number" | "(" | ")" | "," | "." | "error" | "eof";

/** One token. */
export interface Token {
  readonly kind: TokenKind;
  /**
   * A word or a number as written; a string's value with its escapes resolved (no quotes);
   * punctuation itself; empty at the end of the file.
   */
  readonly text: string;
  /** The token exactly as in the file (a string with its quotes and backslashes). */
  readonly raw: string;
  /** Line and column of its first character. */
  readonly at: Position;
}

/** The tokens of a file (always ending with one `eof` token) and the scanner's errors. */
export interface Tokens {
  readonly tokens: Token[];
  readonly errors: RuleError[];
}

/**
 * Splits a rule file into tokens.
 *
 * Java string escapes are resolved: `\\` `\"` `\'` `\t` `\n` `\r` `\b` `\f` and `\uXXXX`. Any
 * other backslash pair is kept as written (Drools keeps regular-expression escapes such as `\.`
 * in strings), so the spec-level escapes `\.` and `\|` reach the spec parser either way.
 *
 * @example
 * ```ts
 * const { tokens } = tokenize('rule "Brief 04" # a comment\nwhen TRUE');
 * tokens.map((t) => t.kind); // ["word", "string", "word", "word", "eof"]
 * tokens[1]!.text; // "Brief 04"
 * tokens[2]!.at; // { line: 2, column: 1 }
 * ```
 */
export function tokenize(text: string): Tokens {
  return new Scanner(text).scan();
}

const PUNCTUATION = new Set(["(", ")", ",", "."]);

function isWordStart(c: string): boolean {
  return (c >= "A" && c <= "Z") || (c >= "a" && c <= "z") || c === "_";
}

function isWordPart(c: string): boolean {
  return isWordStart(c) || isDigit(c);
}

function isDigit(c: string): boolean {
  return c >= "0" && c <= "9";
}

function isLineEnd(c: string): boolean {
  return c === "\n" || c === "\r";
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  "\\": "\\",
  '"': '"',
  "'": "'",
  t: "\t",
  n: "\n",
  r: "\r",
  b: "\b",
  f: "\f",
};

class Scanner {
  private readonly tokens: Token[] = [];
  private readonly errors: RuleError[] = [];
  /** Index (UTF-16) of the next character. */
  private i = 0;
  private line = 1;
  private column = 1;

  constructor(private readonly src: string) {
    // A byte-order mark is not part of the text.
    if (src.charCodeAt(0) === 0xfeff) this.i = 1;
  }

  scan(): Tokens {
    while (this.i < this.src.length) {
      const c = this.peek();
      if (c === " " || c === "\t" || c === "\f" || c === "\v") {
        this.advance();
      } else if (isLineEnd(c)) {
        this.newline();
      } else if (c === "#" || (c === "/" && this.peek(1) === "/")) {
        while (this.i < this.src.length && !isLineEnd(this.peek())) this.advance();
      } else if (c === '"') {
        this.string();
      } else if (isWordStart(c)) {
        this.run("word", isWordPart);
      } else if (isDigit(c) || (c === "-" && isDigit(this.peek(1)))) {
        const at = this.here();
        const start = this.i;
        this.advance();
        while (isDigit(this.peek())) this.advance();
        const raw = this.src.slice(start, this.i);
        this.tokens.push({ kind: "number", text: raw, raw, at });
      } else if (PUNCTUATION.has(c)) {
        this.tokens.push({ kind: c as TokenKind, text: c, raw: c, at: this.here() });
        this.advance();
      } else {
        const at = this.here();
        const ch = this.advance();
        const message =
          c === "/" && this.peek() === "*"
            ? 'unexpected "/*": comments start with # or // and run to the end of the line'
            : `unexpected character ${JSON.stringify(ch)}: a rule file holds words, "quoted strings", numbers, ( ) , . and comments`;
        this.fail(at, ch, message);
      }
    }
    this.tokens.push({ kind: "eof", text: "", raw: "", at: this.here() });
    return { tokens: this.tokens, errors: this.errors };
  }

  private string(): void {
    const at = this.here();
    const start = this.i;
    this.advance(); // the opening quote
    let value = "";
    let problem: { at: Position; message: string } | undefined;
    for (;;) {
      if (this.i >= this.src.length || isLineEnd(this.peek())) {
        const raw = this.src.slice(start, this.i);
        this.fail(at, raw, 'expected a closing quote (") before the end of the line');
        return;
      }
      const c = this.advance();
      if (c === '"') break;
      if (c !== "\\") {
        value += c;
        continue;
      }
      const next = this.peek();
      const simple = SIMPLE_ESCAPES[next];
      if (simple !== undefined) {
        this.advance();
        value += simple;
      } else if (next === "u") {
        const escapeAt = { line: this.line, column: this.column - 1 };
        while (this.peek() === "u") this.advance(); // Java allows \uuuu0041
        const hex = this.src.slice(this.i, this.i + 4);
        if (/^[0-9A-Fa-f]{4}$/.test(hex)) {
          for (let k = 0; k < 4; k++) this.advance();
          value += String.fromCharCode(parseInt(hex, 16));
        } else {
          problem ??= {
            at: escapeAt,
            message: `expected four hex digits after \\u, found ${JSON.stringify(hex)}`,
          };
        }
      } else {
        value += "\\"; // kept as written; the pair is resolved by the spec parser, if at all
      }
    }
    const raw = this.src.slice(start, this.i);
    if (problem) this.fail(problem.at, raw, problem.message);
    else this.tokens.push({ kind: "string", text: value, raw, at });
  }

  private run(kind: TokenKind, part: (c: string) => boolean): void {
    const at = this.here();
    const start = this.i;
    while (this.i < this.src.length && part(this.peek())) this.advance();
    const raw = this.src.slice(start, this.i);
    this.tokens.push({ kind, text: raw, raw, at });
  }

  private fail(at: Position, raw: string, message: string): void {
    this.tokens.push({ kind: "error", text: message, raw, at });
    this.errors.push({ at, message });
  }

  private here(): Position {
    return { line: this.line, column: this.column };
  }

  /** The character (a whole code point) `ahead` characters on, or "" past the end. */
  private peek(ahead = 0): string {
    let j = this.i;
    for (let k = 0; k < ahead && j < this.src.length; k++) j += this.width(j);
    return j < this.src.length ? this.src.slice(j, j + this.width(j)) : "";
  }

  private width(j: number): number {
    const code = this.src.charCodeAt(j);
    if (code >= 0xd800 && code <= 0xdbff) {
      const low = this.src.charCodeAt(j + 1);
      if (low >= 0xdc00 && low <= 0xdfff) return 2;
    }
    return 1;
  }

  private advance(): string {
    const c = this.peek();
    this.i += c.length;
    this.column++;
    return c;
  }

  private newline(): void {
    if (this.peek() === "\r" && this.peek(1) === "\n") this.i++;
    this.i++;
    this.line++;
    this.column = 1;
  }
}
