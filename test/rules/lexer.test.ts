import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { tokenize, type Token } from "../../src/rules/lexer.js";

/** Each token as `kind text @line:column`. */
function show(tokens: readonly Token[]): string[] {
  return tokens.map((t) => `${t.kind} ${t.text} @${t.at.line}:${t.at.column}`);
}

describe("tokenize", () => {
  test("words, strings, numbers and punctuation, each with line and column", () => {
    const { tokens, errors } = tokenize('rule "Brief 04"\npriority 10\n  add MARC."5"XX(" ","0")');
    assert.deepEqual(errors, []);
    assert.deepEqual(show(tokens), [
      "word rule @1:1",
      "string Brief 04 @1:6",
      "word priority @2:1",
      "number 10 @2:10",
      "word add @3:3",
      "word MARC @3:7",
      ". . @3:11",
      "string 5 @3:12",
      "word XX @3:15",
      "( ( @3:17",
      "string   @3:18",
      ", , @3:21",
      "string 0 @3:22",
      ") ) @3:25",
      "eof  @3:26",
    ]);
  });

  test("a word holds letters, digits and underscores: brief_level", () => {
    const { tokens } = tokenize('set brief_level."01"');
    assert.deepEqual(show(tokens), [
      "word set @1:1",
      "word brief_level @1:5",
      ". . @1:16",
      "string 01 @1:17",
      "eof  @1:21",
    ]);
  });

  test("a negative number (salience -1) is one token", () => {
    const { tokens } = tokenize("salience -1");
    assert.deepEqual(show(tokens), ["word salience @1:1", "number -1 @1:10", "eof  @1:12"]);
  });

  test("# and // comments run to the end of the line, whole lines and line ends alike", () => {
    const text = [
      "# source: somewhere",
      'rule "r" # after the name',
      "// a whole line",
      "when // after when",
      "   TRUE#no space",
      '//rule "commented out"',
    ].join("\n");
    const { tokens, errors } = tokenize(text);
    assert.deepEqual(errors, []);
    assert.deepEqual(show(tokens), [
      "word rule @2:1",
      "string r @2:6",
      "word when @4:1",
      "word TRUE @5:4",
      "eof  @6:23",
    ]);
  });

  test("# and // inside a string are text, not comments", () => {
    const { tokens } = tokenize('with "#" "http://id.lib.harvard.edu/" x');
    assert.deepEqual(
      tokens.map((t) => t.text),
      ["with", "#", "http://id.lib.harvard.edu/", "x", ""],
    );
  });

  test("CRLF and CR line ends count one line each", () => {
    const lf = show(tokenize('rule "r"\nwhen\n  TRUE\nthen\nend\n').tokens);
    assert.deepEqual(show(tokenize('rule "r"\r\nwhen\r\n  TRUE\r\nthen\r\nend\r\n').tokens), lf);
    assert.deepEqual(show(tokenize('rule "r"\rwhen\r  TRUE\rthen\rend\r').tokens), lf);
  });

  test("a byte-order mark at the start is skipped", () => {
    assert.deepEqual(show(tokenize("\uFEFFrule").tokens), ["word rule @1:1", "eof  @1:5"]);
  });

  test('Java escapes: \\\\ \\" \\t and \\uXXXX are resolved, the raw text is kept', () => {
    const { tokens, errors } = tokenize(String.raw`"a\\b" "say \"hi\"" "x\ty" "\u202B*"`);
    assert.deepEqual(errors, []);
    assert.deepEqual(
      tokens.slice(0, 4).map((t) => t.text),
      ["a\\b", 'say "hi"', "x\ty", "\u202B*"],
    );
    assert.equal(tokens[0]!.raw, String.raw`"a\\b"`);
  });

  test("four backslashes before a dot become two (the spec parser makes the dot literal)", () => {
    const { tokens } = tokenize(String.raw`"650.a.Indian slaves\\\\."`);
    assert.equal(tokens[0]!.text, String.raw`650.a.Indian slaves\\.`);
  });

  test("an unknown escape such as \\. or \\| is kept as written", () => {
    const { tokens, errors } = tokenize(String.raw`"008.{06,1}.\|" "a\.b"`);
    assert.deepEqual(errors, []);
    assert.equal(tokens[0]!.text, String.raw`008.{06,1}.\|`);
    assert.equal(tokens[1]!.text, String.raw`a\.b`);
  });

  test("a string that does not close on its line is an error at its opening quote", () => {
    const { tokens, errors } = tokenize('rule "no end\nwhen');
    assert.deepEqual(errors, [
      {
        at: { line: 1, column: 6 },
        message: 'expected a closing quote (") before the end of the line',
      },
    ]);
    assert.deepEqual(show(tokens), [
      "word rule @1:1",
      'error expected a closing quote (") before the end of the line @1:6',
      "word when @2:1",
      "eof  @2:5",
    ]);
    assert.equal(tokens[1]!.raw, '"no end');
  });

  test("a \\u escape without four hex digits is an error at the backslash", () => {
    const { tokens, errors } = tokenize(String.raw`x "ab\u20G" y`);
    assert.deepEqual(errors, [
      { at: { line: 1, column: 6 }, message: 'expected four hex digits after \\u, found "20G\\""' },
    ]);
    assert.deepEqual(
      tokens.map((t) => t.kind),
      ["word", "error", "word", "eof"],
    );
  });

  test("a character that belongs nowhere is an error token, and scanning goes on", () => {
    const { tokens, errors } = tokenize("removeField;\nend");
    assert.deepEqual(errors, [
      {
        at: { line: 1, column: 12 },
        message:
          'unexpected character ";": a rule file holds words, "quoted strings", numbers, ( ) , . and comments',
      },
    ]);
    assert.deepEqual(
      tokens.map((t) => t.kind),
      ["word", "error", "word", "eof"],
    );
  });

  test("a block comment is not a comment of this language", () => {
    const { errors } = tokenize("/* no */");
    assert.equal(
      errors[0]!.message,
      'unexpected "/*": comments start with # or // and run to the end of the line',
    );
    assert.deepEqual(errors[0]!.at, { line: 1, column: 1 });
  });

  test("Unicode stays as written; columns count characters, not UTF-16 units", () => {
    const { tokens } = tokenize('"Ünïcödé 𝔘𝔫" x');
    assert.equal(tokens[0]!.text, "Ünïcödé 𝔘𝔫");
    assert.deepEqual(tokens[1]!.at, { line: 1, column: 14 });
  });

  test("an empty file is one eof token", () => {
    assert.deepEqual(show(tokenize("").tokens), ["eof  @1:1"]);
  });
});
