import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseFieldSpec, parseValuePattern } from "../../src/rules/parser.js";
import {
  compileFieldSpec,
  compileTagPattern,
  compileValuePattern,
  controlText,
  indicatorMatches,
  nfc,
} from "../../src/rules/pattern.js";
import { field } from "./_mrk.js";

/** A compiled pattern from the text a rule file writes after the code. */
function p(text: string, hashIsBlank = false) {
  return compileValuePattern(parseValuePattern(text), { hashIsBlank });
}

function spec(text: string) {
  const parsed = parseFieldSpec(text);
  assert.ok(parsed.spec, parsed.error?.message);
  return compileFieldSpec(parsed.spec);
}

describe("nfc", () => {
  test("text below U+0300 comes back as the same string", () => {
    const s = "Café (OCoLC)123";
    assert.equal(nfc(s), s);
  });

  test("a decomposed accent is composed", () => {
    assert.equal(nfc("Cafe\u0301"), "Caf\u00e9");
  });
});

describe("value patterns: test (anchored to the whole value)", () => {
  test("a literal matches only the whole value", () => {
    assert.equal(p("Variable content.").test("Variable content."), true);
    assert.equal(p("Variable content.").test("Variable content"), false);
    assert.equal(p("eng").test("english"), false);
  });

  test("X* is starts-with, *X ends-with, *X* contains", () => {
    assert.equal(p("(OCoLC)*").test("(OCoLC)12345"), true);
    assert.equal(p("(OCoLC)*").test("x(OCoLC)1"), false);
    assert.equal(p("* thesis").test("PhD thesis"), true);
    assert.equal(p("* thesis").test("thesis"), false);
    assert.equal(p("*ebook*").test("an ebook edition"), true);
    assert.equal(p("*ebook*").test("e-book"), false);
  });

  test("* alone matches any value, the empty one too", () => {
    assert.equal(p("*").test(""), true);
    assert.equal(p("*").test("anything"), true);
  });

  test("pieces between stars are found in order and do not overlap the ends", () => {
    assert.equal(p("99*3941").test("9912343941"), true);
    assert.equal(p("99*3941").test("993941"), true);
    assert.equal(p("99*3941").test("99941"), false);
    assert.equal(p("a*b*c").test("axbyc"), true);
    assert.equal(p("a*b*c").test("acb"), false);
    assert.equal(p("ab*bc").test("abc"), false);
  });

  test("alternatives: any one matches (Harvard 040 $e)", () => {
    const descriptive = p("amim|appm|dacs|dcrmg|dcrmmss");
    assert.equal(descriptive.test("dacs"), true);
    assert.equal(descriptive.test("dcrmmss"), true);
    assert.equal(descriptive.test("rda"), false);
  });

  test("alternatives with a blank alternative (Harvard LDR/17 ' |7')", () => {
    assert.equal(p(" |7").test(" "), true);
    assert.equal(p(" |7").test("7"), true);
    assert.equal(p(" |7").test("4"), false);
  });

  test("parentheses are literal", () => {
    assert.equal(p("Adam Matthew Digital (Firm)*").test("Adam Matthew Digital (Firm)."), true);
  });

  test("an escaped period is a literal period at the end", () => {
    assert.equal(p("Indian slaves\\\\.").test("Indian slaves."), true);
    assert.equal(p("Indian slaves\\\\.").test("Indian slaves"), false);
  });

  test("values compare in NFC: a decomposed value matches a composed pattern and back", () => {
    assert.equal(p("Caf\u00e9*").test("Cafe\u0301 society"), true);
    assert.equal(p("Cafe\u0301").test("Caf\u00e9"), true);
  });

  test("# is a blank only where asked (the fixed-length control fields)", () => {
    assert.equal(p("#", true).test(" "), true);
    assert.equal(p("#", false).test(" "), false);
    assert.equal(p("#", false).test("#"), true);
  });
});

describe("value patterns: replace", () => {
  test('a whole-value * replaces the value once ("974.s.*" with "google")', () => {
    assert.equal(p("*").replace("MDP", "google"), "google");
  });

  test("a whole-value * on an empty value gives the replacement", () => {
    assert.equal(p("*").replace("", "google"), "google");
  });

  test('" *" cuts from the first space to the end ("974.b. *" with "")', () => {
    assert.equal(p(" *").replace("mdp.39015012345678 v.2 copy 1", ""), "mdp.39015012345678");
  });

  test('a literal replaces every occurrence ("974.b.A" with "a")', () => {
    assert.equal(p("A").replace("AB12A3", "a"), "aB12a3");
  });

  test('a literal with parentheses ("035.*.(OCoLC)0000000" with "(OCoLC)")', () => {
    assert.equal(p("(OCoLC)0000000").replace("(OCoLC)000000012345", "(OCoLC)"), "(OCoLC)12345");
  });

  test("the temporary-suffix idiom strips only a final comma", () => {
    const marked = "Smith, John,temporary_suffix_to_replace";
    const once = p(",temporary_suffix_to_replace").replace(marked, "");
    assert.equal(once, "Smith, John");
    assert.equal(
      p("temporary_suffix_to_replace").replace("Smith, Johntemporary_suffix_to_replace", ""),
      "Smith, John",
    );
  });

  test('a trailing * takes the rest of the value ("843.a.Microform*" with "Microfiche.")', () => {
    assert.equal(p("Microform*").replace("Microform.", "Microfiche."), "Microfiche.");
  });

  test("a leading * reaches back to the start of the value, greedy to the last piece", () => {
    assert.equal(p("*X").replace("aXbXc", "Y"), "Yc");
  });

  test("a pattern with a middle star covers from its first piece to its last", () => {
    assert.equal(p("<*>").replace("a <b> c <d> e", "{}"), "a {} e");
  });

  test("alternatives: the leftmost match wins, ties go to the earlier alternative", () => {
    assert.equal(p("b|ab").replace("xab", "_"), "x_");
    assert.equal(p("ab|a").replace("ab", "_"), "_");
  });

  test("not found gives undefined, not the value", () => {
    assert.equal(p("(OCoLC)ocm").replace("(OCoLC)12345", "(OCoLC)"), undefined);
  });

  test("an empty literal finds nothing", () => {
    assert.equal(p("").replace("abc", "x"), undefined);
  });

  test("a replaced value comes out in NFC", () => {
    assert.equal(p("x").replace("Cafe\u0301 x", "y"), "Caf\u00e9 y");
  });
});

describe("control text", () => {
  test('"#" is a blank in the fixed-length fields\' text', () => {
    assert.equal(controlText("#", true), " ");
    assert.equal(controlText("000#||eng", true), "000 ||eng");
    assert.equal(controlText("#", false), "#");
  });
});

describe("tag patterns", () => {
  test("* is a wildcard per position", () => {
    assert.equal(compileTagPattern("6**")("650"), true);
    assert.equal(compileTagPattern("6**")("750"), false);
    assert.equal(compileTagPattern("86*")("863"), true);
    assert.equal(compileTagPattern("2**")("24"), false);
  });

  test("scratch tags are literal", () => {
    assert.equal(compileTagPattern("YLK")("YLK"), true);
    assert.equal(compileTagPattern("TMP")("YLK"), false);
  });
});

describe("indicators", () => {
  test("undefined and * take any; - and # are a blank", () => {
    assert.equal(indicatorMatches(undefined, "4"), true);
    assert.equal(indicatorMatches("*", " "), true);
    assert.equal(indicatorMatches("-", " "), true);
    assert.equal(indicatorMatches("#", " "), true);
    assert.equal(indicatorMatches("4", "4"), true);
    assert.equal(indicatorMatches("4", "0"), false);
  });
});

describe("field specs", () => {
  test("a bare tag takes data and control fields", () => {
    assert.equal(spec("650").field(field("650 _0 $aCats.")), true);
    assert.equal(spec("007").field(field("007 cr |||||||||||")), true);
  });

  test("indicators select data fields only; * is any", () => {
    const s = spec("856.{4,2}");
    assert.equal(s.field(field("856 42 $uhttp://x")), true);
    assert.equal(s.field(field("856 40 $uhttp://x")), false);
    assert.equal(spec("977.{9,*}").field(field("977 9_ $fx")), true);
    assert.equal(spec("650.{-,7}").field(field("650 _7 $ax")), true);
  });

  test("a code needs a subfield with that code; with a value, one that matches", () => {
    assert.equal(spec("035.a").field(field("035 __ $z(OCoLC)1")), false);
    assert.equal(spec("035.a.(OCoLC)*").field(field("035 __ $a(OCoLC)1")), true);
    assert.equal(spec("035.a.(OCoLC)*").field(field("035 __ $a(DLC)1$z(OCoLC)1")), false);
  });

  test("code * takes any subfield (Harvard 035.*.(OCoLC)o*)", () => {
    const s = spec("035.*.(OCoLC)o*");
    assert.equal(s.field(field("035 __ $z(OCoLC)ocm1")), true);
    assert.equal(s.field(field("035 __ $a(OCoLC)1")), false);
  });

  test("a control field never matches a spec with a code or indicators", () => {
    assert.equal(spec("001.a").field(field("001 123")), false);
  });

  test("the head ignores the code; the subfield test ignores the tag", () => {
    const s = spec("974.b");
    assert.equal(s.head(field("974 __ $aX")), true);
    assert.equal(s.subfield({ code: "b", value: "x" }), true);
    assert.equal(s.subfield({ code: "a", value: "x" }), false);
  });
});
