/**
 * UNIMARC bibliographic → MARC 21 bibliographic, field by field, as data: the Library of
 * Congress "UNIMARC to MARC 21 Conversion Specifications" (2001) — 010 → 020, 011 → 022,
 * 200 → 245, 205 → 250, 210 → 260, 214 → 264, 215 → 300, 225 → 490, 3XX → 5XX, 6XX → 6XX with
 * subdivisions re-coded, 700 → 100, 701/702 → 700 — made the inverse of `marc21-to-unimarc.ts`
 * wherever the two formats allow, so that a MARC 21 record survives the round trip. ISBD
 * punctuation, which UNIMARC does not record, is generated as MARC 21 expects it.
 * The record label and 100/101/102/105/106/110 are in `fixed.ts`.
 */
import type { CrosswalkTable, FieldRule } from "./table.js";

const PERSONAL_NAME = {
  a: "a",
  b: "b",
  d: "b",
  c: "c",
  f: "d",
  g: "q",
  "4": "4",
  "3": "0",
} as const;
const CORPORATE_NAME = { a: "a", b: "b", e: "c", f: "d", d: "n", "4": "4", "3": "0" } as const;
const MEETING_NAME = { a: "a", b: "e", e: "c", f: "d", d: "n", "4": "4", "3": "0" } as const;
const SUBDIVISIONS = { j: "v", x: "x", z: "y", y: "z", "2": "2", "3": "0" } as const;
const LINK = { t: "t", a: "a", v: "g", x: "x", y: "z", "0": "w", c: "d", e: "b" } as const;

const personal = (to: string, ind2: string = " "): FieldRule => ({
  to,
  ind1: { from: "ind2", map: { "0": "0", "1": "1" }, otherwise: "1" },
  ind2,
  subfields: PERSONAL_NAME,
  steps: ["join-name", "relator-to-marc21"],
  punctuation: { before: { d: ",", c: ",", f: ",", "4": "" }, end: "." },
});
const family = (to: string): FieldRule => ({ ...personal(to), ind1: "3" });
const corporate = (to: FieldRule["to"], map: FieldRule["subfields"]): FieldRule => {
  const base = {
    ind1: { from: "ind2", map: { "0": "0", "1": "1", "2": "2" }, otherwise: "2" },
    ind2: " ",
    subfields: map,
    steps: ["relator-to-marc21"],
    punctuation: { before: { b: ".", d: "", f: "", e: "" }, end: "." },
  } as const;
  // A meeting (UNIMARC ind1 1) becomes 111/711, whose subfields are a meeting's.
  const meeting = { ...base, subfields: MEETING_NAME };
  return { to, ...base, variants: { "111": meeting, "711": meeting } };
};
const link = (to: FieldRule["to"], ind2: string = " "): FieldRule => ({
  to,
  ind1: "0",
  ind2,
  subfields: LINK,
});
const subject = (
  to: string,
  subfields: FieldRule["subfields"],
  ind1: FieldRule["ind1"] = " ",
): FieldRule => ({
  to,
  ind1,
  ind2: " ",
  subfields: { ...subfields, ...SUBDIVISIONS },
  steps: ["code-to-thesaurus"],
  punctuation: { end: "." },
});
const note = (
  to: string,
  subfields: FieldRule["subfields"] = { a: "a" },
  ind1 = " ",
): FieldRule => ({
  to,
  ind1,
  ind2: " ",
  subfields,
});
const dropped = (reason: string): FieldRule => ({ to: null, dropped: reason });

export const UNIMARC_TO_MARC21: CrosswalkTable = {
  "001": { to: "001" },
  "003": dropped(
    "persistent record identifier (URI): MARC 21 has no field for it; kept in 024 would misname it",
  ),
  "005": { to: "005" },
  "010": {
    to: "020",
    ind1: " ",
    ind2: " ",
    subfields: { a: "a", b: "q", d: "c", z: "z" },
  },
  "011": { to: "022", ind1: " ", ind2: " ", subfields: { a: "a", f: "l", y: "z", z: "y" } },
  "012": dropped("fingerprint identifier: MARC 21 026 is not mapped"),
  "013": { to: "024", ind1: "2", ind2: " ", subfields: { a: "a", b: "q", d: "c", z: "z" } },
  "016": { to: "024", ind1: "0", ind2: " ", subfields: { a: "a", b: "q", d: "c", z: "z" } },
  "017": {
    to: "024",
    ind1: { from: "ind1", map: { "7": "7", "8": "8" }, otherwise: "7" },
    ind2: " ",
    subfields: { a: "a", b: "q", d: "c", z: "z", "2": "2" },
  },
  "020": {
    to: { by: "subfield", code: "a", map: { us: "010" }, otherwise: "015" },
    ind1: " ",
    ind2: " ",
    subfields: { b: "a", z: "z" },
    silent: "a",
    variants: {
      "015": {
        ind1: " ",
        ind2: " ",
        subfields: { b: "a", z: "z" },
        silent: "a",
        approximate: "national bibliography number: the country ($a) is not carried by MARC 015",
      },
    },
  },
  "021": { to: "017", ind1: " ", ind2: " ", subfields: { b: "a", z: "z", c: "b" }, silent: "a" },
  "035": { to: "035", ind1: " ", ind2: " ", subfields: { a: "a", z: "z" } },
  "040": { to: "030", ind1: " ", ind2: " ", subfields: { a: "a", z: "z" } },
  "071": { to: "028", ind1: { from: "ind1" }, ind2: "2", subfields: { a: "a", b: "b", c: "q" } },
  "072": { to: "024", ind1: "1", ind2: " ", subfields: { a: "a", b: "q", d: "c", z: "z" } },
  "073": { to: "024", ind1: "3", ind2: " ", subfields: { a: "a", b: "q", d: "c", z: "z" } },
  "100": { to: null, dropped: "" }, // → 008, 040 $b (fixed.ts)
  "101": {
    to: "041",
    ind1: { from: "ind1", map: { "0": "0", "1": "1", "2": "1" }, otherwise: "0" },
    ind2: " ",
    subfields: { a: "a", d: "b", h: "e", e: "f", i: "g", c: "h", j: "j", b: "k" },
    silent: "fg",
  },
  "102": {
    to: "044",
    ind1: " ",
    ind2: " ",
    subfields: { a: "a" },
    silent: "b",
    steps: ["country-to-marc"],
  },
  "105": { to: null, dropped: "" }, // → 008/18-34 (fixed.ts)
  "106": { to: null, dropped: "" }, // → 008/23
  "110": { to: null, dropped: "" }, // → 008/18-34 for continuing resources
  "1XX": dropped("coded data field: no MARC 21 008/007 positions mapped"),
  "200": {
    to: "245",
    ind1: "1",
    ind2: "0",
    subfields: { a: "a", b: "h", d: "b", e: "b", f: "c", g: "c", h: "n", i: "p" },
    steps: ["marks-to-nonfiling", "join-responsibility"],
    punctuation: {
      before: { b: "", d: " =", e: " :", f: " /", g: " ;", h: ".", i: ",", a: " ;" },
      end: ".",
      wrap: { b: ["[", "]"] },
    },
  },
  "205": {
    to: "250",
    ind1: " ",
    ind2: " ",
    subfields: { a: "a", b: "a", f: "b", g: "b" },
    punctuation: { before: { f: " /", g: " ;", b: "," }, end: "." },
  },
  "206": {
    to: "255",
    ind1: " ",
    ind2: " ",
    subfields: { b: "a", c: "b", d: "c", a: "a" },
    punctuation: { before: { c: " ;", d: " (" }, end: "." },
  },
  "207": {
    to: "362",
    ind1: { from: "ind2", map: { "0": "0", "1": "1" }, otherwise: "0" },
    ind2: " ",
    subfields: { a: "a" },
  },
  "208": { to: "254", ind1: " ", ind2: " ", subfields: { a: "a" } },
  "210": {
    to: "260",
    ind1: " ",
    ind2: " ",
    subfields: { a: "a", c: "b", d: "c", e: "e", g: "f", h: "g" },
    punctuation: { before: { a: " ;", c: " :", d: ",", e: " (", g: " :", h: "," }, end: "." },
  },
  "214": {
    to: "264",
    ind1: { from: "ind1", map: { "0": "2", "1": "3" }, otherwise: " " },
    ind2: {
      from: "ind2",
      map: { "0": "0", "1": "1", "2": "2", "3": "3", "4": "4" },
      otherwise: "1",
    },
    subfields: { a: "a", c: "b", d: "c" },
    punctuation: { before: { a: " ;", c: " :", d: "," } },
  },
  "215": {
    to: "300",
    ind1: " ",
    ind2: " ",
    subfields: { a: "a", c: "b", d: "c", e: "e" },
    punctuation: { before: { c: " :", d: " ;", e: " +" } },
  },
  "225": {
    to: "490",
    ind1: { from: "ind1", map: { "0": "1", "1": "0", "2": "1" }, otherwise: "0" },
    ind2: " ",
    subfields: { a: "a", v: "v", x: "x", e: "a", i: "a", h: "a" },
    punctuation: { before: { v: " ;", x: ",", e: " :", h: ".", i: "," } },
  },
  "230": { to: "256", ind1: " ", ind2: " ", subfields: { a: "a" } },
  "300": note("500"),
  "302": note("546"),
  "307": note("530"),
  "316": note("562"),
  "317": note("561"),
  "320": note("504"),
  "321": note("510", { a: "a", b: "c", x: "x" }),
  "322": note("508"),
  "323": note("511"),
  "324": note("534", { a: "p" }),
  "325": note("533"),
  "326": note("310", { a: "a", b: "b" }),
  "327": {
    to: "505",
    ind1: { from: "ind1", map: { "1": "0", "0": "1", "2": "2" }, otherwise: "8" },
    ind2: " ",
    subfields: { a: "a" },
    steps: ["collapse-to-a"],
  },
  "328": note("502", { a: "a", b: "b", e: "c", d: "d", z: "g" }),
  "330": note("520"),
  "332": note("524"),
  "333": note("521"),
  "334": note("586"),
  "336": note("516"),
  "337": note("538"),
  "371": {
    to: { by: "ind1", map: { "1": "540" }, otherwise: "506" },
    ind1: " ",
    ind2: " ",
    subfields: { a: "a", b: "b", c: "c", d: "d" },
  },
  "3XX": {
    ...note("500"),
    steps: ["collapse-to-a"],
    approximate: "UNIMARC note without a specific MARC 21 counterpart; kept as a general note 500",
  },
  "410": {
    to: { by: "subfield", code: "a", map: { "*": "800" }, otherwise: "830" },
    ind1: " ",
    ind2: "0",
    subfields: { t: "a", v: "v", x: "x", "0": "w" },
    punctuation: { before: { v: " ;" } },
    variants: {
      "800": {
        ind1: "1",
        ind2: " ",
        subfields: { a: "a", t: "t", v: "v", x: "x", "0": "w" },
        punctuation: { before: { t: ".", v: " ;" } },
      },
    },
  },
  "411": link("762"),
  "421": link("770"),
  "422": link("772"),
  "423": link("777"),
  "430": link("780", "0"),
  "431": link("780", "1"),
  "432": link("780", "2"),
  "433": link("780", "3"),
  "434": link("780", "4"),
  "435": link("780", "5"),
  "436": link("780", "6"),
  "437": link("780", "7"),
  "440": link("785", "0"),
  "441": link("785", "1"),
  "442": link("785", "2"),
  "443": link("785", "3"),
  "444": link("785", "4"),
  "445": link("785", "5"),
  "446": link("785", "6"),
  "447": link("785", "7"),
  "448": link("785", "8"),
  "451": link("775"),
  "452": link("776"),
  "453": link("767"),
  "454": link("765"),
  "461": link("773"),
  "462": link("774"),
  "463": link("773"),
  "464": link("774"),
  "488": link("787"),
  "4XX": {
    ...link("787"),
    approximate:
      "linking entry without a specific MARC 21 counterpart; kept as other relationship 787",
  },
  "500": {
    to: { by: "ind2", map: { "1": "730" }, otherwise: "240" },
    ind1: { from: "ind2", map: { "1": "0" }, otherwise: "1" },
    ind2: "0",
    subfields: { a: "a", k: "f", l: "k", m: "l", h: "n", i: "p", q: "s" },
    punctuation: { before: { h: ".", i: ",", m: ".", k: "." } },
  },
  "510": {
    to: "246",
    ind1: "3",
    ind2: "1",
    subfields: { a: "a", e: "b", h: "n", i: "p" },
    punctuation: { before: { e: " :", h: ".", i: "," } },
  },
  "512": {
    to: "246",
    ind1: "3",
    ind2: "4",
    subfields: { a: "a", e: "b", h: "n", i: "p" },
    punctuation: { before: { e: " :", h: ".", i: "," } },
  },
  "513": {
    to: "246",
    ind1: "3",
    ind2: "5",
    subfields: { a: "a", e: "b", h: "n", i: "p" },
    punctuation: { before: { e: " :", h: ".", i: "," } },
  },
  "515": {
    to: "246",
    ind1: "3",
    ind2: "7",
    subfields: { a: "a", e: "b", h: "n", i: "p" },
    punctuation: { before: { e: " :", h: ".", i: "," } },
  },
  "516": {
    to: "246",
    ind1: "3",
    ind2: "8",
    subfields: { a: "a", e: "b", h: "n", i: "p" },
    punctuation: { before: { e: " :", h: ".", i: "," } },
  },
  "517": {
    to: "246",
    ind1: "3",
    ind2: " ",
    subfields: { a: "a", e: "b", h: "n", i: "p" },
    punctuation: { before: { e: " :", h: ".", i: "," } },
  },
  "520": { to: "247", ind1: "1", ind2: "0", subfields: { a: "a", e: "b", h: "n", i: "p", x: "x" } },
  "541": {
    to: "242",
    ind1: "1",
    ind2: "0",
    subfields: { a: "a", e: "b", h: "n", i: "p", z: "y" },
    punctuation: { before: { e: " :", h: ".", i: "," }, end: "." },
  },
  "5XX": {
    to: "246",
    ind1: "3",
    ind2: " ",
    subfields: { a: "a", e: "b", h: "n", i: "p" },
    approximate:
      "related title without a specific MARC 21 counterpart; kept as a varying form of title 246",
  },
  "600": {
    ...subject("600", PERSONAL_NAME, { from: "ind2", map: { "0": "0", "1": "1" }, otherwise: "1" }),
    steps: ["join-name", "code-to-thesaurus"],
  },
  "601": {
    ...subject("610", CORPORATE_NAME),
    to: { by: "ind1", map: { "1": "611" }, otherwise: "610" },
    ind1: "2",
  },
  "602": { ...subject("600", { a: "a", f: "d" }), ind1: "3" },
  "605": subject("630", { a: "a", h: "n", i: "p", m: "l", k: "f" }, "0"),
  "606": subject("650", { a: "a" }),
  "607": subject("651", { a: "a" }),
  "608": subject("655", { a: "a" }),
  "610": { to: "653", ind1: { from: "ind1" }, ind2: " ", subfields: { a: "a" } },
  "675": { to: "080", ind1: " ", ind2: " ", subfields: { a: "a", v: "2" } },
  "676": { to: "082", ind1: "0", ind2: "4", subfields: { a: "a", v: "2" } },
  "680": { to: "050", ind1: " ", ind2: "4", subfields: { a: "a", b: "b" } },
  "686": { to: "084", ind1: " ", ind2: " ", subfields: { a: "a", b: "b", "2": "2" } },
  "6XX": dropped("UNIMARC subject or classification field without a MARC 21 counterpart mapped"),
  "700": personal("100"),
  "701": personal("700"),
  "702": personal("700"),
  "710": corporate({ by: "ind1", map: { "1": "111" }, otherwise: "110" }, CORPORATE_NAME),
  "711": corporate({ by: "ind1", map: { "1": "711" }, otherwise: "710" }, CORPORATE_NAME),
  "712": corporate({ by: "ind1", map: { "1": "711" }, otherwise: "710" }, CORPORATE_NAME),
  "720": family("100"),
  "721": family("700"),
  "722": family("700"),
  "801": {
    to: "040",
    ind1: " ",
    ind2: " ",
    subfields: { b: "a", g: "e" },
    silent: "ac",
    approximate:
      "originating source: the agency becomes 040 $a; country and date ($a, $c) are not carried",
  },
  "856": { to: "=", ind1: { from: "ind1" }, ind2: { from: "ind2" }, subfields: { "*": "*" } },
  "9XX": { to: "=", ind1: { from: "ind1" }, ind2: { from: "ind2" }, subfields: { "*": "*" } },
};
