import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  extractMatchKeys,
  isbnQualifiers,
  MATCH_KEY_KINDS,
  normalizeIsbn,
  normalizeIssn,
  normalizeOclcNumber,
  titleKey,
  type MatchKey,
  type MatchKeyKind,
} from "../../src/marc/match-keys.js";
import type { ControlField, DataField, Field, MarcRecord } from "../../src/marc/record.js";

const LEADER = "00000nam a2200000 a 4500";

/** A record of the given fields. */
function rec(...fields: Field[]): MarcRecord {
  return { leader: LEADER, fields };
}

/** A control field. */
function cf(tag: string, value: string): ControlField {
  return { tag, value };
}

/** A data field from `[code, value]` pairs; indicators default to blank. */
function df(tag: string, subfields: [string, string][], ind1 = " ", ind2 = " "): DataField {
  return { tag, ind1, ind2, subfields: subfields.map(([code, value]) => ({ code, value })) };
}

/** The values of one kind of key, in the order returned. */
function keysOf(record: MarcRecord, kind: MatchKeyKind): string[] {
  return extractMatchKeys(record)
    .filter((k) => k.kind === kind)
    .map((k) => k.value);
}

describe("OCLC numbers", () => {
  test("035 $a (OCoLC) gives oclc, leading zeros stripped", () => {
    assert.deepEqual(keysOf(rec(df("035", [["a", "(OCoLC)00012345"]])), "oclc"), ["12345"]);
  });

  test("035 $a (OCoLC)ocm, ocn and on forms", () => {
    const record = rec(
      df("035", [["a", "(OCoLC)ocm00012345"]]),
      df("035", [["a", "(OCoLC)ocn123456789"]]),
      df("035", [["a", "(OCoLC)on1234567890"]]),
    );
    assert.deepEqual(keysOf(record, "oclc"), ["12345", "123456789", "1234567890"]);
  });

  test("035 $a with spaces around and inside the prefix", () => {
    const record = rec(df("035", [["a", "  ( OCoLC ) ocm 00012345 "]]));
    assert.deepEqual(keysOf(record, "oclc"), ["12345"]);
  });

  test("(OCOLC) and (ocolc) case variants", () => {
    const record = rec(df("035", [["a", "(OCOLC)111"]]), df("035", [["a", "(ocolc)ocm222"]]));
    assert.deepEqual(keysOf(record, "oclc"), ["111", "222"]);
  });

  test("bare ocm/ocn/on in 035 $a", () => {
    const record = rec(df("035", [["a", "ocm00054321"]]), df("035", [["a", "ON1234567890"]]));
    assert.deepEqual(keysOf(record, "oclc"), ["54321", "1234567890"]);
    assert.deepEqual(keysOf(record, "other-system-id"), []);
  });

  test("(OCoLC)M-ESTCN: no digits, no key, and not an other-system-id", () => {
    const record = rec(df("035", [["a", "(OCoLC)M-ESTCN"]]));
    assert.deepEqual(extractMatchKeys(record), []);
  });

  test("(OCoLC) followed by letters after the digits is junk", () => {
    assert.equal(normalizeOclcNumber("(OCoLC)12345abc"), undefined);
  });

  test("(OCoLC) with trailing punctuation keeps the digits", () => {
    assert.equal(normalizeOclcNumber("(OCoLC)00000697^"), "697");
    assert.equal(normalizeOclcNumber("(OCoLC)12345 (print)"), "12345");
  });

  test("035 $z (OCoLC) gives oclc-cancelled", () => {
    const record = rec(
      df("035", [
        ["a", "(OCoLC)1"],
        ["z", "(OCoLC)ocm0006567842"],
      ]),
    );
    assert.deepEqual(keysOf(record, "oclc"), ["1"]);
    assert.deepEqual(keysOf(record, "oclc-cancelled"), ["6567842"]);
  });

  test("035 $z that is not OCLC gives no key", () => {
    const record = rec(
      df("035", [
        ["z", "(DLC)2001012345"],
        ["z", "99999999"],
      ]),
    );
    assert.deepEqual(extractMatchKeys(record), []);
  });

  test("019 $a bare numbers give oclc-cancelled; words give nothing", () => {
    const record = rec(
      df("019", [
        ["a", "6567842"],
        ["a", "009987701"],
        ["a", "MARS"],
      ]),
    );
    assert.deepEqual(keysOf(record, "oclc-cancelled"), ["6567842", "9987701"]);
  });

  test("019: several $a, with ocm/ocn/on prefixes, zeros and spaces", () => {
    const record = rec(
      df("019", [
        ["a", "ocm00012345"],
        ["a", " ocn123456789 "],
        ["a", "on1234567890"],
        ["a", "(OCoLC)0042"],
      ]),
      df("019", [["a", "0006567842"]]),
    );
    assert.deepEqual(keysOf(record, "oclc-cancelled"), [
      "12345",
      "123456789",
      "1234567890",
      "42",
      "6567842",
    ]);
  });

  test("(DLC) and (CaOOAMICUS) 035s are not OCLC numbers", () => {
    const record = rec(
      df("035", [["a", "(DLC)  2001012345"]]),
      df("035", [["a", "(CaOOAMICUS)000012345678"]]),
    );
    assert.deepEqual(keysOf(record, "oclc"), []);
    assert.deepEqual(keysOf(record, "other-system-id"), [
      "(DLC)2001012345",
      "(CaOOAMICUS)000012345678",
    ]);
  });

  test("(OCoLC-M) is the master record's OCLC number; (OCoLC-I) is another system id", () => {
    const record = rec(
      df("035", [["a", "(OCoLC-M)059878029"]]),
      df("035", [["a", "(OCoLC-I)275830457"]]),
      df("035", [["z", "( ocolc - m )ocm0000777"]]),
    );
    assert.deepEqual(keysOf(record, "oclc"), ["59878029"]);
    assert.deepEqual(keysOf(record, "oclc-cancelled"), ["777"]);
    assert.deepEqual(keysOf(record, "other-system-id"), ["(OCoLC-I)275830457"]);
    assert.equal(normalizeOclcNumber("(OCoLC-I)275830457"), undefined);
  });

  test("a local system's letters before (OCoLC), in $a and $z", () => {
    const record = rec(
      df("035", [
        ["a", "ABC(OCoLC)12345"],
        ["z", "xyz (OCoLC)ocm012346"],
      ]),
      df("035", [["a", " wlu ( OCoLC ) on 0001234567890 "]]),
    );
    assert.deepEqual(keysOf(record, "oclc"), ["12345", "1234567890"]);
    assert.deepEqual(keysOf(record, "oclc-cancelled"), ["12346"]);
    assert.deepEqual(keysOf(record, "other-system-id"), []);
    assert.equal(normalizeOclcNumber("xyz (OCoLC)ocm012345"), "12345");
  });

  test("an ocm/ocn/on number after OCLC or another system's prefix is OCLC's", () => {
    const record = rec(
      df("035", [["a", "(Sirsi) ocm36728422"]]),
      df("035", [["a", "(N$T)ocn045732299"]]),
      df("035", [["a", "OCLC ocm05907713 from D950126M"]]),
      df("035", [["a", "(WaSeSS)OCM1ssj0000060"]]),
      df("035", [["a", "(Sirsi) 36728422"]]),
    );
    assert.deepEqual(keysOf(record, "oclc"), ["36728422", "45732299", "5907713"]);
    // No usable number, or no OCLC prefix: the other system's own number.
    assert.deepEqual(keysOf(record, "other-system-id"), [
      "(WaSeSS)OCM1ssj0000060",
      "(Sirsi)36728422",
    ]);
  });

  test("only letters may stand before (OCoLC): digits or a second prefix do not", () => {
    const record = rec(
      df("035", [["a", "(DLC)(OCoLC)12345"]]),
      df("035", [["a", "12(OCoLC)12345"]]),
    );
    assert.deepEqual(keysOf(record, "oclc"), []);
    assert.deepEqual(keysOf(record, "other-system-id"), ["(DLC)(OCoLC)12345", "12(OCoLC)12345"]);
  });

  test("bare digits in 035 $a are an other system id, not OCLC", () => {
    const record = rec(df("035", [["a", "26923"]]));
    assert.deepEqual(keysOf(record, "other-system-id"), ["26923"]);
  });

  test("001 is an OCLC number when 003 is OCoLC", () => {
    const record = rec(cf("001", "12345678"), cf("003", "OCoLC"));
    assert.deepEqual(keysOf(record, "oclc"), ["12345678"]);
    assert.deepEqual(keysOf(record, "system-id"), ["(OCoLC)12345678"]);
  });

  test("001 with ocm prefix and trailing space, 003 OCoLC", () => {
    const record = rec(cf("001", "ocm00000001 "), cf("003", "OCoLC"));
    assert.deepEqual(keysOf(record, "oclc"), ["1"]);
  });

  test("001 with ocn prefix is an OCLC number whatever the 003", () => {
    assert.deepEqual(keysOf(rec(cf("001", "ocn123456789")), "oclc"), ["123456789"]);
    assert.deepEqual(keysOf(rec(cf("001", "on1234567890"), cf("003", "DLC")), "oclc"), [
      "1234567890",
    ]);
  });

  test("001 digits without 003 OCoLC are not an OCLC number", () => {
    assert.deepEqual(keysOf(rec(cf("001", "12345678"), cf("003", "DLC")), "oclc"), []);
    assert.deepEqual(keysOf(rec(cf("001", "12345678")), "oclc"), []);
  });

  test("an ISBN behind ocn (ocn9783596222056) is too long to be an OCLC number", () => {
    assert.deepEqual(keysOf(rec(cf("001", "ocn9783596222056")), "oclc"), []);
    assert.equal(normalizeOclcNumber("123456789012"), "123456789012");
    assert.equal(normalizeOclcNumber("1234567890123"), undefined);
  });

  test("normalizeOclcNumber forms", () => {
    assert.equal(normalizeOclcNumber("(OCoLC)ocm00012345"), "12345");
    assert.equal(normalizeOclcNumber("ocm00012345"), "12345");
    assert.equal(normalizeOclcNumber("00012345"), "12345");
    assert.equal(normalizeOclcNumber(" 12345 "), "12345");
    assert.equal(normalizeOclcNumber("(DLC)12345"), undefined);
    assert.equal(normalizeOclcNumber("0000"), undefined);
    assert.equal(normalizeOclcNumber(""), undefined);
    assert.equal(normalizeOclcNumber("MARS"), undefined);
  });

  test("full-width digits are not ASCII digits: no key", () => {
    // NFC does not fold U+FF11 to "1"; only ASCII digits make an OCLC number.
    assert.equal(normalizeOclcNumber("(OCoLC)\uff11\uff12"), undefined);
  });
});

describe("ISBN", () => {
  test("020 $a gives isbn, ISBN-10 folded to 13", () => {
    assert.deepEqual(keysOf(rec(df("020", [["a", "0060128003"]])), "isbn"), ["9780060128005"]);
  });

  test("020 $z gives isbn-cancelled", () => {
    const record = rec(df("020", [["z", "9780060128005"]]));
    assert.deepEqual(keysOf(record, "isbn-cancelled"), ["9780060128005"]);
    assert.deepEqual(keysOf(record, "isbn"), []);
  });

  test("qualifier in parentheses: 0060128003 (pbk.)", () => {
    assert.equal(normalizeIsbn("0060128003 (pbk.)"), "9780060128005");
  });

  test("price after a colon: 9780060128005 : $12.00", () => {
    assert.equal(normalizeIsbn("9780060128005 : $12.00"), "9780060128005");
  });

  test("hyphens: 0-06-012800-3 and 978-0-06-012800-5", () => {
    assert.equal(normalizeIsbn("0-06-012800-3"), "9780060128005");
    assert.equal(normalizeIsbn("978-0-06-012800-5"), "9780060128005");
  });

  test("spaces inside the number: 978 0 06 012800 5", () => {
    assert.equal(normalizeIsbn("978 0 06 012800 5"), "9780060128005");
  });

  test("leading space and the word ISBN", () => {
    assert.equal(normalizeIsbn(" ISBN 0060128003"), "9780060128005");
  });

  test("colon stuck to the number: 9780060128005:", () => {
    assert.equal(normalizeIsbn("9780060128005:"), "9780060128005");
  });

  test("X check digit, lower case, upper-cased and folded", () => {
    assert.equal(normalizeIsbn("080442957x"), "9780804429573");
  });

  test("ISBN-10 with a wrong check digit is kept as 10 characters, not folded", () => {
    assert.equal(normalizeIsbn("0060128004"), "0060128004");
    assert.equal(normalizeIsbn("006012800x (pbk.)"), "006012800X");
  });

  test("ISBN-13 with a wrong check digit is kept as typed", () => {
    assert.equal(normalizeIsbn("9780060128006"), "9780060128006");
  });

  test("979 ISBN-13 is kept", () => {
    assert.equal(normalizeIsbn("979-10-90636-07-1"), "9791090636071");
  });

  test("13 digits not starting 978/979 are not an ISBN", () => {
    assert.equal(normalizeIsbn("0092753139554"), undefined);
  });

  test("11 digits, an ISSN or a price give no key", () => {
    assert.equal(normalizeIsbn("0-397-47189-17 (v. 1) :"), undefined);
    assert.equal(normalizeIsbn("0419-6171"), undefined);
    assert.equal(normalizeIsbn("$12.00"), undefined);
    assert.equal(normalizeIsbn(""), undefined);
  });

  test("first ISBN of several in one subfield", () => {
    assert.equal(normalizeIsbn("0060128003 ; 0060128011"), "9780060128005");
  });

  test("(v. 1) before the ISBN is skipped", () => {
    assert.equal(normalizeIsbn("(v. 1) 0060128003"), "9780060128005");
  });

  test("ISBN-10 and ISBN-13 of the same book give one key", () => {
    const record = rec(df("020", [["a", "0060128003"]]), df("020", [["a", "9780060128005"]]));
    assert.deepEqual(keysOf(record, "isbn"), ["9780060128005"]);
  });
});

describe("isbnQualifiers", () => {
  test("parenthesized text in $a, and $q with its ISBD punctuation removed", () => {
    const record = rec(
      df("020", [["a", "0-06-012800-3 (pbk.)"]]),
      df("020", [
        ["a", "978-0-06-012800-5"],
        ["q", "(v. 2 ;"],
        ["q", "hardcover)"],
      ]),
      df("020", [["a", "0060128011 (set : alk. paper) : $45.00"]]),
      df("020", [["a", "0394558114"]]),
    );
    assert.deepEqual(isbnQualifiers(record), [
      { isbn: "9780060128005", qualifiers: ["pbk."] },
      { isbn: "9780060128005", qualifiers: ["v. 2", "hardcover"] },
      { isbn: "9780060128012", qualifiers: ["set : alk. paper"] },
      // A wrong check digit: the ISBN as typed, like its key.
      { isbn: "0394558114", qualifiers: [] },
    ]);
  });

  test("an $a with no ISBN and $z are left out; the ISBN is the isbn key", () => {
    const record = rec(
      df("020", [
        ["a", "$12.00 (pbk.)"],
        ["q", "pbk."],
      ]),
      df("020", [
        ["z", "0060128003"],
        ["q", "cloth"],
      ]),
      df("020", [["a", "0-06-012801-1 (v. 1)"]]),
    );
    assert.deepEqual(isbnQualifiers(record), [{ isbn: "9780060128012", qualifiers: ["v. 1"] }]);
    assert.deepEqual(
      isbnQualifiers(record).map((q) => q.isbn),
      keysOf(record, "isbn"),
    );
  });
});

describe("ISSN", () => {
  test("022 $a gives issn", () => {
    assert.deepEqual(keysOf(rec(df("022", [["a", "0028-0836"]])), "issn"), ["0028-0836"]);
  });

  test("022 $l gives issn-linking; $y and $z give issn-cancelled", () => {
    const record = rec(
      df("022", [
        ["a", "1522-7219"],
        ["l", "1522-7227"],
        ["y", "0040-781x"],
        ["z", "0012-8163"],
      ]),
    );
    assert.deepEqual(keysOf(record, "issn"), ["1522-7219"]);
    assert.deepEqual(keysOf(record, "issn-linking"), ["1522-7227"]);
    assert.deepEqual(keysOf(record, "issn-cancelled"), ["0040-781X", "0012-8163"]);
  });

  test("without hyphen, lower-case x: 1050124x", () => {
    assert.equal(normalizeIssn("1050124x"), "1050-124X");
  });

  test("with the word ISSN and a qualifier", () => {
    assert.equal(normalizeIssn("ISSN 0028-0836 (print)"), "0028-0836");
  });

  test("space instead of hyphen: 0028 0836", () => {
    assert.equal(normalizeIssn("0028 0836"), "0028-0836");
  });

  test("wrong check digit is kept as typed", () => {
    assert.equal(normalizeIssn("0028-0837"), "0028-0837");
  });

  test("nine digits give no key", () => {
    assert.equal(normalizeIssn("1234-56789"), undefined);
    assert.equal(normalizeIssn(""), undefined);
  });
});

describe("024 standard-id", () => {
  const id = (ind1: string, subfields: [string, string][]): string[] =>
    keysOf(rec(df("024", subfields, ind1)), "standard-id");

  test("ind1 0 ISRC, upper-cased, hyphens removed", () => {
    assert.deepEqual(id("0", [["a", "us-s1z-99-00001"]]), ["isrc:USS1Z9900001"]);
  });

  test("ind1 1 UPC with spaces", () => {
    assert.deepEqual(id("1", [["a", "0 12345 67890 5"]]), ["upc:012345678905"]);
  });

  test("ind1 1 UPC with a qualifier in $a", () => {
    assert.deepEqual(id("1", [["a", "012345678905 (box set)"]]), ["upc:012345678905"]);
  });

  test("ind1 2 ISMN, and the old M- form folded to 979-0", () => {
    assert.deepEqual(id("2", [["a", "979-0-2306-7118-7"]]), ["ismn:9790230671187"]);
    assert.deepEqual(id("2", [["a", "M-2306-7118-7"]]), ["ismn:9790230671187"]);
  });

  test("ind1 3 EAN", () => {
    assert.deepEqual(id("3", [["a", "5099994946727"]]), ["ean:5099994946727"]);
  });

  test("ind1 4 SICI kept as given", () => {
    assert.deepEqual(id("4", [["a", "0015-6914(19960101)157:1<62:KTSW>2.0.TX;2-F"]]), [
      "sici:0015-6914(19960101)157:1<62:KTSW>2.0.TX;2-F",
    ]);
  });

  test("ind1 7 takes its type from $2, lower-cased", () => {
    assert.deepEqual(
      id("7", [
        ["a", "00724596925126"],
        ["2", "GTIN-14"],
      ]),
      ["gtin-14:00724596925126"],
    );
  });

  test("ind1 7 DOI lower-cased, doi: and resolver prefixes removed", () => {
    assert.deepEqual(
      id("7", [
        ["a", "10.1000/ABC.182"],
        ["2", "doi"],
      ]),
      ["doi:10.1000/abc.182"],
    );
    assert.deepEqual(
      id("7", [
        ["a", "https://doi.org/10.1000/182"],
        ["2", "doi"],
      ]),
      ["doi:10.1000/182"],
    );
  });

  test("ind1 7 without $2 is unspecified", () => {
    assert.deepEqual(id("7", [["a", "12-34"]]), ["unspecified:1234"]);
  });

  test("ind1 8 unspecified, and a blank ind1 too", () => {
    assert.deepEqual(id("8", [["a", "99964781476"]]), ["unspecified:99964781476"]);
    assert.deepEqual(id(" ", [["a", "5099994946727"]]), ["unspecified:5099994946727"]);
  });

  test("024 $z gives no key", () => {
    assert.deepEqual(id("1", [["z", "012345678905"]]), []);
  });
});

describe("system ids", () => {
  test("001 and 003 give (003)001", () => {
    const record = rec(cf("001", "  2001012345 "), cf("003", "DLC"));
    assert.deepEqual(keysOf(record, "system-id"), ["(DLC)2001012345"]);
  });

  test("001 without 003 gives the 001 alone", () => {
    assert.deepEqual(keysOf(rec(cf("001", "a123456")), "system-id"), ["a123456"]);
  });

  test("003 without 001 gives nothing", () => {
    assert.deepEqual(extractMatchKeys(rec(cf("003", "DLC"))), []);
  });

  test("other-system-id removes whitespace, keeps the prefix's case", () => {
    const record = rec(
      df("035", [["a", "(Sirsi) a999999"]]),
      df("035", [["a", "(DLC)  2001012345"]]),
    );
    assert.deepEqual(keysOf(record, "other-system-id"), ["(Sirsi)a999999", "(DLC)2001012345"]);
  });

  test("a (DLC) 035 and a DLC 001/003 pair give the same value", () => {
    const stored = rec(cf("001", "   2001012345 "), cf("003", "DLC"));
    const incoming = rec(df("035", [["a", "(DLC)  2001012345"]]));
    assert.equal(keysOf(stored, "system-id")[0], keysOf(incoming, "other-system-id")[0]);
  });
});

describe("title key", () => {
  test("title, surname and 008 date, nonfiling article dropped via ind2", () => {
    const record = rec(
      cf("008", "990101s1999    nyu           000 0 eng d"),
      df("100", [["a", "Brontë, Charlotte,"]], "1"),
      df(
        "245",
        [
          ["a", "The Professor :"],
          ["b", "a tale."],
        ],
        "1",
        "4",
      ),
    );
    assert.equal(titleKey(record), "professor a tale|bronte|1999");
  });

  test("leading article kept when ind2 is 0", () => {
    const record = rec(df("245", [["a", "The end."]], "0", "0"));
    assert.equal(titleKey(record), "the end||");
  });

  test("$n and $p are part of the title; $c and $h are not", () => {
    const record = rec(
      df("245", [
        ["a", "Annual report."],
        ["n", "Part 2,"],
        ["p", "Statistics /"],
        ["h", "[electronic resource]"],
        ["c", "by someone."],
      ]),
    );
    assert.equal(titleKey(record), "annual report part 2 statistics||");
  });

  test("date from 264 ind2 1 $c when 008/07-10 is not four digits", () => {
    const record = rec(
      cf("008", "990101s19uu    nyu           000 0 eng d"),
      df("245", [["a", "Title"]]),
      df("264", [["c", "©2001"]], " ", "4"),
      df("264", [["c", "[2000]"]], " ", "1"),
    );
    assert.equal(titleKey(record), "title||2000");
  });

  test("date from 260 $c c1985", () => {
    const record = rec(df("245", [["a", "Title"]]), df("260", [["c", "c1985."]]));
    assert.equal(titleKey(record), "title||1985");
  });

  test("corporate main entry 110 $a whole", () => {
    const record = rec(df("110", [["a", "United States."]], "1"), df("245", [["a", "Report"]]));
    assert.equal(titleKey(record), "report|united states|");
  });

  test("diacritics, ß, æ, ø folded; punctuation to one space", () => {
    const record = rec(
      df("100", [["a", "Søren-Ærø, K."]], "1"),
      df("245", [["a", "Straße der Élégance -- « vol. 1 »"]]),
    );
    assert.equal(titleKey(record), "strasse der elegance vol 1|soren aero|");
  });

  test("decomposed input (NFD) gives the same key as composed", () => {
    const composed = rec(df("245", [["a", "L'été"]], "0", "2"));
    const decomposed = rec(df("245", [["a", "L'e\u0301te\u0301"]], "0", "2"));
    assert.equal(titleKey(composed), "ete||");
    assert.equal(titleKey(decomposed), "ete||");
  });

  test("nonfiling count longer than the title is ignored", () => {
    assert.equal(titleKey(rec(df("245", [["a", "Ab"]], "0", "9"))), "ab||");
  });

  test("archival 245 with only $k gives a title from $k", () => {
    const record = rec(df("245", [["k", "Morton Hoffman papers."]], "0", "0"));
    assert.equal(titleKey(record), "morton hoffman papers||");
  });

  test("$k is not used when $a has words", () => {
    const record = rec(
      df("245", [
        ["a", "Letters,"],
        ["k", "papers"],
      ]),
    );
    assert.equal(titleKey(record), "letters||");
  });

  test("no 245, or a title of punctuation only, gives no key", () => {
    assert.equal(titleKey(rec(cf("001", "x"))), undefined);
    assert.equal(titleKey(rec(df("245", [["a", "[...]"]]))), undefined);
  });

  test("a long title is cut at a word boundary to at most 200 characters", () => {
    const key = titleKey(rec(df("245", [["a", "word ".repeat(100)]])))!;
    const title = key.split("|")[0]!;
    assert.ok(title.length <= 200 && title.endsWith("word"), title);
  });

  test("a | in the data cannot break the parts", () => {
    const record = rec(df("100", [["a", "A|B"]], "0"), df("245", [["a", "x|y"]]));
    assert.equal(titleKey(record), "x y|a b|");
  });
});

describe("extractMatchKeys", () => {
  test("kinds come in MATCH_KEY_KINDS order, record order within a kind", () => {
    const record = rec(
      cf("001", "ocm00012345"),
      cf("003", "OCoLC"),
      df("245", [["a", "Title"]]),
      df("035", [["a", "(DLC)1"]]),
      df("022", [["a", "0028-0836"]]),
      df("020", [
        ["a", "0060128003"],
        ["z", "9780060128006"],
      ]),
      df("020", [["a", "9791090636071"]]),
      df("035", [
        ["a", "(OCoLC)777"],
        ["z", "(OCoLC)888"],
      ]),
    );
    const expected: MatchKey[] = [
      { kind: "oclc", value: "12345" },
      { kind: "oclc", value: "777" },
      { kind: "oclc-cancelled", value: "888" },
      { kind: "isbn", value: "9780060128005" },
      { kind: "isbn", value: "9791090636071" },
      { kind: "isbn-cancelled", value: "9780060128006" },
      { kind: "issn", value: "0028-0836" },
      { kind: "system-id", value: "(OCoLC)ocm00012345" },
      { kind: "other-system-id", value: "(DLC)1" },
      { kind: "title-key", value: "title||" },
    ];
    assert.deepEqual(extractMatchKeys(record), expected);
    const order = extractMatchKeys(record).map((k) => MATCH_KEY_KINDS.indexOf(k.kind));
    assert.deepEqual(
      order,
      [...order].sort((a, b) => a - b),
    );
  });

  test("same kind and value once; same value under two kinds twice", () => {
    const record = rec(
      cf("001", "123"),
      cf("003", "OCoLC"),
      df("035", [
        ["a", "(OCoLC)ocm00000123"],
        ["z", "(OCoLC)123"],
      ]),
      df("019", [["a", "123"]]),
    );
    assert.deepEqual(extractMatchKeys(record).slice(0, 2), [
      { kind: "oclc", value: "123" },
      { kind: "oclc-cancelled", value: "123" },
    ]);
  });

  test("empty and blank subfields give no key", () => {
    const record = rec(
      cf("001", "  "),
      df("020", [["a", ""]]),
      df("022", [["a", "   "]]),
      df("024", [["a", " "]], "1"),
      df("035", [["a", ""]]),
      df("019", [["a", ""]]),
    );
    assert.deepEqual(extractMatchKeys(record), []);
  });

  test("values are NFC-normalized: a decomposed system id equals the composed one", () => {
    const composed = keysOf(rec(df("035", [["a", "(X)é1"]])), "other-system-id");
    const decomposed = keysOf(rec(df("035", [["a", "(X)e\u03011"]])), "other-system-id");
    assert.deepEqual(decomposed, composed);
  });

  test("an empty record gives no keys", () => {
    assert.deepEqual(extractMatchKeys(rec()), []);
  });

  test("odd shapes built in code never throw", () => {
    const odd = [
      { leader: LEADER },
      { leader: LEADER, fields: null },
      { leader: LEADER, fields: "001" },
      null,
      {
        leader: LEADER,
        fields: [
          null,
          7,
          { tag: "001" },
          { tag: "001", value: 5 },
          { tag: "020", subfields: null },
          { tag: "020", subfields: [null, { code: "a" }, { code: 1, value: "0060128003" }] },
          { tag: "022", ind1: null, subfields: [{ code: "a", value: "0028-0836" }] },
          { tag: "024", subfields: [{ code: "a", value: "123" }] },
          { tag: "245", subfields: [{ code: "a", value: "Title" }] },
          { subfields: [{ code: "a", value: "x" }] },
        ],
      },
    ] as unknown as MarcRecord[];
    for (const record of odd) {
      assert.doesNotThrow(() => extractMatchKeys(record));
      assert.doesNotThrow(() => titleKey(record));
    }
    assert.deepEqual(extractMatchKeys(odd[4]!), [
      { kind: "issn", value: "0028-0836" },
      { kind: "standard-id", value: "unspecified:123" },
      { kind: "title-key", value: "title||" },
    ]);
  });

  test("normalizers take non-strings without throwing", () => {
    const notText = undefined as unknown as string;
    assert.equal(normalizeIsbn(notText), undefined);
    assert.equal(normalizeIssn(notText), undefined);
    assert.equal(normalizeOclcNumber(notText), undefined);
  });
});
