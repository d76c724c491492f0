import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { marc8ToUnicode, type Marc8Problem } from "../../src/marc/marc8.js";

const ESC = 0x1b;

/** Decodes bytes given as numbers and strings (strings are taken byte for byte). */
function decode(...parts: (number | string)[]): {
  text: string;
  problems: readonly Marc8Problem[];
} {
  const bytes: number[] = [];
  for (const p of parts) {
    if (typeof p === "number") bytes.push(p);
    else for (let i = 0; i < p.length; i++) bytes.push(p.charCodeAt(i));
  }
  return marc8ToUnicode(Buffer.from(bytes));
}

/** Asserts a clean decode. */
function clean(expected: string, ...parts: (number | string)[]): void {
  const r = decode(...parts);
  assert.deepEqual(r.problems, []);
  assert.equal(r.text, expected);
}

describe("marc8ToUnicode: defaults and ASCII", () => {
  test("pure ASCII comes back as is, with no problems", () => {
    clean("Jazz: a history / by 1997 -- $12.95", "Jazz: a history / by 1997 -- $12.95");
  });

  test("empty range gives the empty string", () => {
    assert.deepEqual(marc8ToUnicode(Buffer.from("abc"), 1, 1), { text: "", problems: [] });
  });

  test("start and end select a value; problem offsets count from the start of bytes", () => {
    const bytes = Buffer.from([0x78, 0x78, 0x61, 0x01, 0x62, 0x78]);
    const r = marc8ToUnicode(bytes, 2, 5);
    assert.equal(r.text, "a\uFFFDb");
    assert.deepEqual(r.problems, [{ at: 3, message: "control character 0x01 in MARC-8 data" }]);
  });

  test("a long ASCII run after a special character is kept whole", () => {
    const tail = "x".repeat(100);
    clean(`\u0141${tail}`, 0xa1, tail);
  });

  test("a bad range is a caller bug and throws RangeError", () => {
    assert.throws(() => marc8ToUnicode(Buffer.from("abc"), 2, 1), RangeError);
    assert.throws(() => marc8ToUnicode(Buffer.from("abc"), 0, 4), RangeError);
  });
});

describe("marc8ToUnicode: Extended Latin (ANSEL), default G1", () => {
  test("spacing ANSEL characters map by the LC table", () => {
    clean("\u0141\u00D8\u0131\u00A3\u00A9\u20AC", 0xa1, 0xa2, 0xb8, 0xb9, 0xc3, 0xc8);
  });

  test("a combining mark precedes its base in MARC-8 and follows it in Unicode", () => {
    clean("Cafe\u0301", "Caf", 0xe2, "e");
  });

  test("stacked combining marks keep their order after the base", () => {
    clean("a\u0301\u0302b", 0xe2, 0xe3, "ab");
  });

  test("the ligature halves give U+0361 after the first base; the second half gives nothing", () => {
    clean("t\u0361s", 0xeb, "t", 0xec, "s");
  });

  test("the double tilde halves give U+0360 after the first base; the second half gives nothing", () => {
    clean("n\u0360g", 0xfa, "n", 0xfb, "g");
  });

  test("alif 0xAE gives U+02BC as the LC table says", () => {
    clean("a\u02BCb", "a", 0xae, "b");
  });

  test("numeric character references are left as they are", () => {
    clean("&#x4E00;x", "&#x4E00;x");
  });

  test("no normalization: the output stays decomposed", () => {
    const r = decode(0xe2, "e");
    assert.equal(r.text, "e\u0301");
    assert.notEqual(r.text, r.text.normalize("NFC"));
  });

  test("a combining mark followed by a space is a spacing diacritic (space is the base)", () => {
    clean(" \u0301x", 0xe2, " x");
  });

  test("an escape sequence between a mark and its base keeps the mark with the base", () => {
    clean("\u0430\u0301", 0xe2, ESC, "(N", "A");
  });

  test("the ANSEL C1 codes map by the table (0x88 U+0098, 0x8D U+200D)", () => {
    clean("\u0098The\u009C\u200D", 0x88, "The", 0x89, 0x8d);
  });

  test("ESC ) ! E and ESC ) E designate ANSEL as G1", () => {
    clean("\u0430\u0141", ESC, ")N", 0xc1, ESC, ")!E", 0xa1);
    clean("\u0430\u0141", ESC, ")N", 0xc1, ESC, ")E", 0xa1);
  });

  test("ESC ( E designates ANSEL as G0: 0x21 is 0xA1", () => {
    clean("\u0141x", ESC, "(E", 0x21, ESC, "(B", "x");
  });
});

describe("marc8ToUnicode: technique 1 escapes", () => {
  test("ESC g is Greek symbols, ESC s back to ASCII", () => {
    clean("\u03B1\u03B2\u03B3!", ESC, "gabc", ESC, "s!");
  });

  test("ESC b is subscripts", () => {
    clean("H\u2082O", "H", ESC, "b2", ESC, "sO");
  });

  test("ESC p is superscripts", () => {
    clean("x\u00B2+1", "x", ESC, "p2", ESC, "s+1");
  });
});

describe("marc8ToUnicode: G0/G1 designations", () => {
  test("ESC ( N is Basic Cyrillic as G0, ESC ( B back to ASCII", () => {
    clean("\u0430\u0431 x", ESC, "(NAB ", ESC, "(Bx");
  });

  test("ESC , N is Basic Cyrillic as G0 too", () => {
    clean("\u0410", ESC, ",Na");
  });

  test("ESC ) N puts Basic Cyrillic in G1: 0xC1 is 0x41", () => {
    clean("a\u0430", ESC, ")N", "a", 0xc1);
  });

  test("ESC - N puts Basic Cyrillic in G1 too", () => {
    clean("\u0431", ESC, "-N", 0xc2);
  });

  test("Extended Cyrillic (ESC ) Q) in G1 and in G0", () => {
    clean("\u0491\u0401", ESC, ")Q", 0xc0, 0xe4);
    clean("\u0491\u0401", ESC, "(Q", 0x40, 0x64);
  });

  test("Basic Greek (ESC ( S) with its combining accents before the base", () => {
    clean("\u03B1\u0301\u0391", ESC, "(S", 0x22, 0x61, 0x41);
  });

  test("Basic Hebrew (ESC ( 2) with a point before its letter", () => {
    clean("\u05D0\u05D1\u05B7", ESC, "(2", 0x60, 0x40, 0x61);
  });

  test("Basic Arabic (ESC ( 3) with a vowel mark before its letter", () => {
    clean("\u0627\u0628\u064E", ESC, "(3", 0x47, 0x6e, 0x48);
  });

  test("Extended Arabic (ESC ) 4) in G1", () => {
    clean("\u06FD\u06D3", ESC, ")4", 0xa1, 0xf8);
  });

  test("each value starts again in G0 ASCII / G1 ANSEL", () => {
    clean("\u0430", ESC, "(N", "A");
    clean("A\u0141", "A", 0xa1);
  });
});

describe("marc8ToUnicode: EACC (3-byte CJK)", () => {
  test("ESC $ 1 designates EACC as G0; three bytes per character", () => {
    clean("\u4E00x", ESC, "$1", 0x21, 0x30, 0x21, ESC, "(Bx");
  });

  test("ESC $ , 1 designates EACC as G0 too", () => {
    clean("\u4E00", ESC, "$,1", 0x21, 0x30, 0x21);
  });

  test("ESC $ ) 1 designates EACC as G1: high bytes", () => {
    clean("\u4E00x", ESC, "$)1", 0xa1, 0xb0, 0xa1, "x");
  });

  test("a space inside EACC text is one byte", () => {
    clean("\u4E00 \u4E00", ESC, "$1", 0x21, 0x30, 0x21, 0x20, 0x21, 0x30, 0x21);
  });

  test("0x212320 is the ideographic space", () => {
    clean("\u3000", ESC, "$1", 0x21, 0x23, 0x20);
  });

  test("an EACC code beyond the BMP gives a surrogate pair", () => {
    clean("\u{212C4}", ESC, "$1", 0x21, 0x75, 0x59);
  });

  test("a combining mark before an EACC character follows it", () => {
    clean("\u4E00\u0301", ESC, "$1", 0xe2, 0x21, 0x30, 0x21);
  });
});

describe("marc8ToUnicode: malformed data", () => {
  test("a control character gives U+FFFD and a problem, and the next byte is read", () => {
    const r = decode("a", 0x0a, "b");
    assert.equal(r.text, "a\uFFFDb");
    assert.deepEqual(r.problems, [{ at: 1, message: "control character 0x0A in MARC-8 data" }]);
  });

  test("a byte not in ANSEL gives U+FFFD and a problem", () => {
    const r = decode("a", 0xaf, 0x80, "b");
    assert.equal(r.text, "a\uFFFD\uFFFDb");
    assert.deepEqual(r.problems, [
      { at: 1, message: "unknown character 0xAF in Extended Latin (ANSEL)" },
      { at: 2, message: "unknown character 0x80 in Extended Latin (ANSEL)" },
    ]);
  });

  test("a byte not in the designated G0 set gives U+FFFD and a problem", () => {
    const r = decode(ESC, "g1", ESC, "s");
    assert.equal(r.text, "\uFFFD");
    assert.deepEqual(r.problems, [{ at: 2, message: "unknown character 0x31 in Greek Symbols" }]);
  });

  test("ESC at the end of the value is a truncated escape sequence", () => {
    const r = decode("a", ESC);
    assert.equal(r.text, "a\uFFFD");
    assert.deepEqual(r.problems, [{ at: 1, message: "truncated escape sequence ESC" }]);
  });

  test("ESC ( at the end of the value is a truncated escape sequence", () => {
    const r = decode("a", ESC, "(");
    assert.equal(r.text, "a\uFFFD");
    assert.deepEqual(r.problems, [{ at: 1, message: "truncated escape sequence ESC (" }]);
  });

  test("ESC $ ) at the end of the value is a truncated escape sequence", () => {
    const r = decode(ESC, "$)");
    assert.equal(r.text, "\uFFFD");
    assert.deepEqual(r.problems, [{ at: 0, message: "truncated escape sequence ESC $ )" }]);
  });

  test("an escape cut short by a non-final byte stops before that byte", () => {
    const r = decode(ESC, "( x");
    assert.equal(r.text, "\uFFFD x");
    assert.deepEqual(r.problems, [{ at: 0, message: "truncated escape sequence ESC (" }]);
  });

  test("an unknown escape sequence does not swallow the next character", () => {
    const r = decode("Soci", ESC, "te");
    assert.equal(r.text, "Soci\uFFFDte");
    assert.deepEqual(r.problems, [{ at: 4, message: "unknown escape sequence ESC t" }]);
  });

  test("an unknown final byte keeps the current set", () => {
    const r = decode(ESC, "(ZAB");
    assert.equal(r.text, "\uFFFDAB");
    assert.deepEqual(r.problems, [
      { at: 0, message: "unknown character set in escape sequence ESC ( Z" },
    ]);
  });

  test("a truncated EACC character gives one U+FFFD and reading goes on at the next escape", () => {
    const r = decode(ESC, "$1", 0x21, 0x30, ESC, "(Bx");
    assert.equal(r.text, "\uFFFDx");
    assert.deepEqual(r.problems, [
      { at: 3, message: "truncated character in Chinese, Japanese, Korean (EACC)" },
    ]);
  });

  test("an unknown EACC code gives U+FFFD and reading goes on with the next byte", () => {
    // 0x7E2130 is not in the table; from the next byte on, 0x213021 is U+4E00.
    const r = decode(ESC, "$1", 0x7e, 0x21, 0x30, 0x21);
    assert.equal(r.text, "\uFFFD\u4E00");
    assert.deepEqual(r.problems, [
      { at: 3, message: "unknown character 0x7E2130 in Chinese, Japanese, Korean (EACC)" },
    ]);
  });

  test("a combining mark with no base keeps the text and gets a U+FFFD base", () => {
    const r = decode("ab", 0xe2, 0xf0);
    assert.equal(r.text, "ab\uFFFD\u0301\u0327");
    assert.deepEqual(r.problems, [{ at: 2, message: "combining mark with no base character" }]);
  });

  test("pending marks go after the U+FFFD of a bad byte", () => {
    const r = decode(0xe2, 0x80, "a");
    assert.equal(r.text, "\uFFFD\u0301a");
    assert.deepEqual(r.problems, [
      { at: 1, message: "unknown character 0x80 in Extended Latin (ANSEL)" },
    ]);
  });
});
