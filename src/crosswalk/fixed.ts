/**
 * The fixed-length data: MARC 21 leader and 008 ↔ UNIMARC record label and the coded fields
 * 100 (general processing data), 105 (textual material, monographic), 106 (form of item) and
 * 110 (continuing resources). The position-by-position correspondences are data
 * ({@link LEADER_TO_UNIMARC}, the 008 maps); the functions only cut and paste positions.
 *
 * Sources: UNIMARC Manual — Bibliographic Format, "Record Label", 100, 105, 106, 110; MARC 21
 * Format for Bibliographic Data, Leader and 008; LoC "UNIMARC to MARC 21 Conversion
 * Specifications" (Leader, 100 → 008/00-17, 105 → 008/18-34 for books, 110 → 008 for serials).
 */
import { invert, type CodeMap } from "./codes.js";

/** One leader position: MARC 21 position → UNIMARC position with a code map. */
interface LeaderPosition {
  readonly marc: number;
  readonly unimarc: number;
  readonly toUnimarc: CodeMap;
  /** The UNIMARC code when the MARC 21 code is not in the map. */
  readonly unimarcDefault: string;
  /** UNIMARC → MARC 21, when not the inverse of `toUnimarc`. */
  readonly toMarc?: CodeMap;
  readonly marcDefault: string;
}

/** Leader positions 05 (status), 06 (type), 07 (bibliographic level), 17, 18. */
export const LEADER_POSITIONS: readonly LeaderPosition[] = [
  {
    marc: 5,
    unimarc: 5,
    toUnimarc: { a: "c", c: "c", d: "d", n: "n", p: "p" },
    unimarcDefault: "n",
    toMarc: { c: "c", d: "d", n: "n", o: "c", p: "p" },
    marcDefault: "n",
  },
  {
    marc: 6,
    unimarc: 6,
    toUnimarc: {
      a: "a",
      t: "b",
      c: "c",
      d: "d",
      e: "e",
      f: "f",
      g: "g",
      i: "i",
      j: "j",
      k: "k",
      m: "l",
      o: "m",
      p: "m",
      r: "r",
    },
    unimarcDefault: "a",
    toMarc: {
      a: "a",
      b: "t",
      c: "c",
      d: "d",
      e: "e",
      f: "f",
      g: "g",
      i: "i",
      j: "j",
      k: "k",
      l: "m",
      m: "o",
      r: "r",
    },
    marcDefault: "a",
  },
  {
    marc: 7,
    unimarc: 7,
    toUnimarc: { a: "a", b: "a", c: "c", d: "m", i: "i", m: "m", s: "s" },
    unimarcDefault: "m",
    toMarc: { a: "a", c: "c", i: "i", m: "m", s: "s" },
    marcDefault: "m",
  },
  {
    // MARC 21 encoding level (OCLC's I, K, L, M too) → UNIMARC: blank full, 1 not examined,
    // 2 prepublication, 3 less than full.
    marc: 17,
    unimarc: 17,
    toUnimarc: { " ": " ", I: " ", L: " ", "4": " ", "1": "1", "2": "1", "8": "2" },
    unimarcDefault: "3",
    toMarc: { " ": " ", "1": "1", "2": "8", "3": "7" },
    marcDefault: "u",
  },
  {
    // Descriptive cataloguing form: MARC a (AACR 2), i (ISBD), c (punctuation omitted) are
    // ISBD records; UNIMARC blank = full ISBD, i = partial ISBD, n = non-ISBD.
    marc: 18,
    unimarc: 18,
    toUnimarc: { a: " ", i: " ", c: " ", " ": "n", n: "n", u: "n" },
    unimarcDefault: " ",
    toMarc: { " ": "i", i: "i", n: " " },
    marcDefault: "i",
  },
];

/** A UNIMARC record label from a MARC 21 leader; `hierarchy` is position 8. */
export function unimarcLeader(marc: string, hierarchy: string): string {
  const out = [..."     nam0 22     3  450 "];
  for (const p of LEADER_POSITIONS) {
    const code = marc[p.marc] ?? " ";
    out[p.unimarc] = p.toUnimarc[code] ?? p.unimarcDefault;
  }
  out[8] = hierarchy;
  return out.join("");
}

/** A MARC 21 leader (UTF-8, leader/09 `a`) from a UNIMARC record label. */
export function marcLeader(unimarc: string): string {
  const out = [..."     nam a22     u  4500"];
  for (const p of LEADER_POSITIONS) {
    const code = unimarc[p.unimarc] ?? " ";
    const map = p.toMarc ?? invert(p.toUnimarc);
    out[p.marc] = map[code] ?? p.marcDefault;
  }
  return out.join("");
}

/** 008/06 type of date → 100 $a/8 type of publication date. */
export const DATE_TYPE: CodeMap = {
  s: "d",
  m: "g",
  c: "a",
  d: "b",
  u: "c",
  r: "e",
  q: "f",
  t: "h",
  p: "i",
  e: "j",
  i: "g",
  k: "g",
  n: "u",
  b: "u",
  "|": "u",
  " ": "u",
};
/** 100 $a/8 → 008/06. */
export const DATE_TYPE_TO_MARC: CodeMap = {
  a: "c",
  b: "d",
  c: "u",
  d: "s",
  e: "r",
  f: "q",
  g: "m",
  h: "t",
  i: "p",
  j: "e",
  k: "p",
  u: "n",
};

/** 008/22 target audience (books, music, visual, computer files) → 100 $a/17. */
export const AUDIENCE: CodeMap = {
  a: "b",
  b: "c",
  c: "d",
  d: "e",
  e: "m",
  f: "k",
  g: "m",
  j: "a",
};

/** 008/28 government publication → 100 $a/20. */
export const GOVERNMENT: CodeMap = {
  " ": "y",
  a: "b",
  c: "e",
  f: "a",
  i: "f",
  l: "d",
  m: "b",
  o: "h",
  s: "b",
  u: "u",
  z: "z",
  "|": "|",
};
export const GOVERNMENT_TO_MARC: CodeMap = {
  a: "f",
  b: "s",
  c: "l",
  d: "l",
  e: "c",
  f: "i",
  g: "z",
  h: "o",
  u: "u",
  y: " ",
  z: "z",
};

/** 008/18-21 illustrations (books) → 105 $a/0-3. */
export const ILLUSTRATIONS: CodeMap = {
  a: "a",
  b: "b",
  c: "c",
  d: "d",
  e: "e",
  f: "f",
  g: "g",
  h: "h",
  i: "i",
  j: "j",
  k: "k",
  l: "l",
  m: "m",
  o: "a",
  p: "o",
};

/** 008/24-27 nature of contents (books), 008/25-27 (serials) → 105 $a/4-7, 110 $a/4-6. */
export const CONTENTS: CodeMap = {
  a: "d",
  b: "a",
  c: "b",
  d: "e",
  e: "f",
  f: "z",
  g: "z",
  i: "c",
  j: "k",
  k: "a",
  l: "n",
  m: "m",
  n: "r",
  o: "r",
  p: "j",
  q: "a",
  r: "g",
  s: "i",
  t: "p",
  u: "l",
  v: "n",
  w: "n",
  y: "z",
  z: "s",
  "2": "z",
  "5": "z",
  "6": "t",
};

/** 008/33 literary form (books) → 105 $a/11. */
export const LITERARY_FORM: CodeMap = {
  "0": "y",
  "1": "a",
  d: "b",
  e: "c",
  f: "a",
  h: "d",
  i: "e",
  j: "f",
  m: "z",
  p: "g",
  s: "h",
  u: "z",
  "|": "y",
};

/** 008/34 biography (books) → 105 $a/12. */
export const BIOGRAPHY: CodeMap = { " ": "y", a: "a", b: "b", c: "c", d: "d", "|": "y" };

/** 008/23 form of item (books, serials, music) → 106 $a. */
export const FORM_OF_ITEM: CodeMap = {
  " ": "r",
  a: "t",
  b: "t",
  c: "t",
  d: "d",
  f: "f",
  o: "s",
  q: "s",
  r: "r",
  s: "s",
};
export const FORM_OF_ITEM_TO_MARC: CodeMap = {
  d: "d",
  f: "f",
  r: " ",
  s: "s",
  t: "b",
  e: " ",
  g: "c",
  h: " ",
  j: " ",
  z: " ",
};

/** 008/21 type of continuing resource → 110 $a/0. */
export const SERIAL_TYPE: CodeMap = {
  d: "f",
  l: "e",
  m: "b",
  n: "c",
  p: "a",
  w: "g",
  " ": "z",
  "|": "z",
};

/** 008/18 frequency → 110 $a/1. */
export const FREQUENCY: CodeMap = {
  a: "k",
  b: "g",
  c: "b",
  d: "a",
  e: "d",
  f: "j",
  g: "l",
  h: "m",
  i: "n",
  j: "o",
  k: "p",
  m: "f",
  q: "h",
  s: "e",
  t: "i",
  u: "u",
  w: "c",
  z: "z",
  " ": "y",
  "|": "u",
};

/** 008/19 regularity → 110 $a/2. */
export const REGULARITY: CodeMap = { r: "a", n: "b", x: "y", u: "u", "|": "u" };

/** Which 008 layout a MARC 21 leader/06-07 uses (MARC 21 "008 — configurations"). */
export function materialOf(leader: string): "BK" | "CR" | "MU" | "MP" | "VM" | "CF" | "MX" {
  const type = leader[6] ?? "a";
  const level = leader[7] ?? "m";
  if (type === "a" || type === "t")
    return level === "b" || level === "i" || level === "s" ? "CR" : "BK";
  if (type === "c" || type === "d" || type === "i" || type === "j") return "MU";
  if (type === "e" || type === "f") return "MP";
  if (type === "g" || type === "k" || type === "o" || type === "r") return "VM";
  if (type === "m") return "CF";
  return "MX";
}

function codes(value: string, map: CodeMap, width: number, none: string): string {
  const out = [...value]
    .map((c) => map[c])
    .filter((c): c is string => c !== undefined && c !== " ");
  if (out.length === 0) return none.padEnd(width, " ");
  return out.join("").slice(0, width).padEnd(width, " ");
}

/** The first character of a map's value for a code, else the default. */
function one(map: CodeMap, code: string | undefined, fallback: string): string {
  return (code !== undefined ? map[code] : undefined) ?? fallback;
}

/**
 * 100 $a (36 characters) from the 008, the language of cataloguing (040 $b) and the title's
 * script. Positions 26-29 `50  ` name the character set: ISO 10646 (Unicode), what marcgate
 * writes.
 */
export function unimarc100(
  f008: string,
  leader: string,
  catalogingLanguage: string,
  script: string,
): string {
  const d = f008.padEnd(40, " ");
  const yy = d.slice(0, 6);
  const entered = /^\d{6}$/.test(yy)
    ? `${Number(yy.slice(0, 2)) > 60 ? "19" : "20"}${yy}`
    : "        ";
  const material = materialOf(leader);
  const audience =
    material === "BK" || material === "MU" || material === "VM" || material === "CF"
      ? one(AUDIENCE, d[22], "u")
      : "u";
  const government =
    material === "BK" ||
    material === "CR" ||
    material === "MP" ||
    material === "VM" ||
    material === "CF"
      ? one(GOVERNMENT, d[28], "y")
      : "y";
  return (
    entered +
    one(DATE_TYPE, d[6], "u") +
    d.slice(7, 11) +
    d.slice(11, 15) +
    audience.padEnd(3, " ") +
    government +
    (d[38] === " " || d[38] === undefined ? "0" : "1") +
    catalogingLanguage.padEnd(3, " ").slice(0, 3) +
    "y" +
    "50      " +
    script
  );
}

/** 105 $a (13 characters) for a book, from its 008. */
export function unimarc105(f008: string): string {
  const d = f008.padEnd(40, " ");
  const flag = (c: string | undefined): string => (c === "1" ? "1" : c === "0" ? "0" : "|");
  return (
    codes(d.slice(18, 22), ILLUSTRATIONS, 4, "y") +
    codes(d.slice(24, 28), CONTENTS, 4, "y") +
    flag(d[29]) +
    flag(d[30]) +
    flag(d[31]) +
    one(LITERARY_FORM, d[33], "y") +
    one(BIOGRAPHY, d[34], "y")
  );
}

/** 110 $a (11 characters) for a continuing resource, from its 008. */
export function unimarc110(f008: string): string {
  const d = f008.padEnd(40, " ");
  const flag = (c: string | undefined): string => (c === "1" ? "1" : c === "0" ? "0" : "|");
  return (
    one(SERIAL_TYPE, d[21], "z") +
    one(FREQUENCY, d[18], "u") +
    one(REGULARITY, d[19], "u") +
    one(CONTENTS, d[24], "y") +
    codes(d.slice(25, 28), CONTENTS, 3, "y") +
    flag(d[29]) +
    "|||"
  );
}

/** 106 $a (form of item) from the 008, for books, serials and music; undefined for others. */
export function unimarc106(f008: string, leader: string): string | undefined {
  const material = materialOf(leader);
  if (material !== "BK" && material !== "CR" && material !== "MU") return undefined;
  return one(FORM_OF_ITEM, f008.padEnd(40, " ")[23], "r");
}

/** What the 008 is built from, read off the UNIMARC coded fields. */
export interface UnimarcCoded {
  readonly f100?: string;
  readonly f105?: string;
  readonly f106?: string;
  readonly f110?: string;
  readonly language?: string;
  readonly country?: string;
}

/**
 * A MARC 21 008 (40 characters) from UNIMARC 100, 101 (first `$a`), 102 (first `$a`), 105 or
 * 110, and 106 — the LoC specification's 100 → 008/00-17, 101 → 008/35-37, 102 → 008/15-17.
 */
export function marc008(leader: string, coded: UnimarcCoded, isoToMarcCountry: CodeMap): string {
  const a = (coded.f100 ?? "").padEnd(36, " ");
  const out = [..." ".repeat(40)];
  const put = (at: number, value: string): void => {
    for (let i = 0; i < value.length; i++) out[at + i] = value[i]!;
  };
  if (/^\d{8}$/.test(a.slice(0, 8))) put(0, a.slice(2, 8));
  put(6, DATE_TYPE_TO_MARC[a[8]!] ?? "|");
  put(7, a.slice(9, 13));
  put(11, a.slice(13, 17));
  const country = coded.country ? isoToMarcCountry[coded.country.toUpperCase()] : undefined;
  put(15, (country ?? "xx").padEnd(3, " "));
  const material = materialOf(leader);
  const audience = invert(AUDIENCE)[a[17]!];
  if (material === "BK" || material === "MU" || material === "VM" || material === "CF")
    put(22, audience ?? " ");
  if (material !== "MU" && material !== "MX") put(28, GOVERNMENT_TO_MARC[a[20]!] ?? " ");
  if (material === "BK" && coded.f105) {
    const b = coded.f105.padEnd(13, " ");
    const ill = invert(ILLUSTRATIONS);
    put(18, [...b.slice(0, 4)].map((c) => ill[c] ?? " ").join(""));
    const contents = invert(CONTENTS);
    put(24, [...b.slice(4, 8)].map((c) => contents[c] ?? " ").join(""));
    put(29, b[8] === "1" ? "1" : "0");
    put(30, b[9] === "1" ? "1" : "0");
    put(31, b[10] === "1" ? "1" : "0");
    put(33, invert(LITERARY_FORM)[b[11]!] ?? "0");
    put(34, invert(BIOGRAPHY)[b[12]!] ?? " ");
  }
  if (material === "CR" && coded.f110) {
    const s = coded.f110.padEnd(11, " ");
    put(21, invert(SERIAL_TYPE)[s[0]!] ?? " ");
    put(18, invert(FREQUENCY)[s[1]!] ?? " ");
    put(19, invert(REGULARITY)[s[2]!] ?? " ");
    const contents = invert(CONTENTS);
    put(24, contents[s[3]!] ?? " ");
    put(25, [...s.slice(4, 7)].map((c) => contents[c] ?? " ").join(""));
    put(29, s[7] === "1" ? "1" : "0");
  }
  if ((material === "BK" || material === "CR" || material === "MU") && coded.f106)
    put(23, FORM_OF_ITEM_TO_MARC[coded.f106[0]!] ?? " ");
  put(35, (coded.language ?? "und").padEnd(3, " ").slice(0, 3));
  put(38, a[21] === "1" ? "x" : " ");
  put(39, "d");
  return out.join("");
}

/** UNIMARC script-of-title code (100 $a/34-35) of a text, from its first letter. */
export function scriptOf(text: string): string {
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c < 0x41) continue;
    if (c < 0x250) return /\p{L}/u.test(ch) ? "ba" : "  ";
    if (c >= 0x370 && c < 0x400) return "ga";
    if (c >= 0x400 && c < 0x530) return "ca";
    if (c >= 0x590 && c < 0x600) return "ha";
    if (c >= 0x600 && c < 0x700) return "fa";
    if (c >= 0xe00 && c < 0xe80) return "ia";
    if (c >= 0x1100 && c < 0x1200) return "ka";
    if (c >= 0xac00 && c < 0xd7b0) return "ka";
    if (c >= 0x3040 && c < 0x3100) return "da";
    if (c >= 0x4e00 && c < 0xa000) return "ea";
  }
  return "ba";
}
