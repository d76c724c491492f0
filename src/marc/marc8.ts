/**
 * MARC-8 → Unicode decoding of one field or subfield value.
 *
 * MARC-8 (https://www.loc.gov/marc/specifications/speccharmarc8.html) is an ISO 2022-style
 * code: a value starts with Basic Latin (ASCII) designated as G0 (bytes `0x21`–`0x7E`) and
 * Extended Latin (ANSEL) as G1 (bytes `0xA1`–`0xFE`), and escape sequences designate other
 * sets: `ESC ( F` / `ESC , F` (G0), `ESC ) F` / `ESC - F` (G1), `ESC $ F`, `ESC $ ( F`,
 * `ESC $ , F` (multibyte G0), `ESC $ ) F` / `ESC $ - F` (multibyte G1), an optional `!`
 * before the final byte (`ESC ) ! E`), and the technique-1 escapes `ESC g` (Greek
 * symbols), `ESC b` (subscripts), `ESC p` (superscripts) and `ESC s` (back to ASCII).
 * The mapping comes from the Library of Congress code tables, generated into
 * `marc8-table.ts`.
 *
 * Choices (compared with yaz 5.34 `yaz-marcdump -f MARC-8 -t UTF-8` and Perl MARC::Charset;
 * see `docs/marc8.md`):
 * - Combining marks precede their base character in MARC-8 and follow it in the output;
 *   several marks keep their order. A space is a base (MARC-8 writes a spacing diacritic as
 *   the mark followed by a space). Escape sequences between marks and base are allowed.
 * - The ligature and double tilde first halves (`0xEB`, `0xFA`) give U+0361 and U+0360
 *   after the first base character; the second halves (`0xEC`, `0xFB`) give nothing, as
 *   the LC table prefers and as yaz and MARC::Charset do.
 * - Alif `0xAE` gives U+02BC as the table says. `&#xXXXX;` references are left as they are.
 * - No Unicode normalization: the output is what the table gives (decomposed).
 * - Every value starts again in the default state (G0 ASCII, G1 ANSEL), as yaz does per
 *   subfield.
 * - Never throws on data. Each problem adds one {@link Marc8Problem} and one U+FFFD to the
 *   text, and decoding goes on with the next byte: a control character or DEL, a code not in
 *   the designated set, an unknown, incomplete or truncated escape sequence (the U+FFFD
 *   stands for the whole sequence), a truncated EACC character. Combining marks with no
 *   base character at the end of the value are kept after a U+FFFD that stands for the
 *   missing base (yaz drops the whole value there).
 *
 * @example
 * ```ts
 * marc8ToUnicode(Uint8Array.from([0x43, 0x61, 0x66, 0xe2, 0x65])).text; // "Cafe\u0301"
 * marc8ToUnicode(Buffer.from("\x1b(NAB\x1b(B!", "latin1")).text; // "\u0430\u0431!"
 * marc8ToUnicode(Buffer.from("ab\xe2", "latin1")).problems;
 * // [{ at: 2, message: "combining mark with no base character" }]
 * ```
 */
import { MARC8_SETS, type Marc8SetData } from "./marc8-table.js";

/** One problem found while decoding. */
export interface Marc8Problem {
  /** Zero-based byte offset into the `bytes` given to {@link marc8ToUnicode}. */
  readonly at: number;
  readonly message: string;
}

/** The decoded text and the problems found, in byte order. */
export interface Marc8Result {
  readonly text: string;
  readonly problems: readonly Marc8Problem[];
}

/** Bytes with a fixed meaning in every state. */
const enum Byte {
  Escape = 0x1b,
  Space = 0x20,
  Del = 0x7f,
  Dollar = 0x24,
  G0Paren = 0x28,
  G1Paren = 0x29,
  G0Comma = 0x2c,
  G1Minus = 0x2d,
  Bang = 0x21,
  AsciiTechnique1 = 0x73,
}

/** What a code of a single-byte set is. */
const enum Kind {
  Unmapped = 0,
  Base = 1,
  Combining = 2,
  /** A combining half with no mapping of its own (ligature / double tilde second half). */
  Dropped = 3,
}

interface SingleByteSet {
  readonly multibyte: false;
  readonly name: string;
  /** Indexed by `byte & 0x7F`. */
  readonly kinds: Uint8Array;
  readonly chars: readonly string[];
}

interface MultiByteSet {
  readonly multibyte: true;
  readonly name: string;
  /** The packed table, parsed on first use. */
  readonly data: Marc8SetData;
}

type CharSet = SingleByteSet | MultiByteSet;

const REPLACEMENT = "\uFFFD";
const NO_PROBLEMS: readonly Marc8Problem[] = Object.freeze([]);

function parseSingleByte(data: Marc8SetData): SingleByteSet {
  const kinds = new Uint8Array(128);
  const chars: string[] = new Array<string>(128).fill("");
  for (const entry of data.codes.join("").split(" ")) {
    const index = parseInt(entry.slice(0, 2), 16) & 0x7f;
    const ucs = entry.slice(3);
    const combining = entry.charAt(2) === "+";
    if (ucs === "") {
      kinds[index] = combining ? Kind.Dropped : Kind.Unmapped;
      continue;
    }
    kinds[index] = combining ? Kind.Combining : Kind.Base;
    chars[index] = String.fromCodePoint(parseInt(ucs, 16));
  }
  return { multibyte: false, name: data.name, kinds, chars };
}

/** Sets by final escape byte (`0x00`–`0x7F`). */
const SETS_BY_FINAL: readonly (CharSet | undefined)[] = (() => {
  const byFinal: (CharSet | undefined)[] = new Array<CharSet | undefined>(128).fill(undefined);
  for (const data of MARC8_SETS) {
    byFinal[data.final] =
      data.bytesPerChar === 1 ? parseSingleByte(data) : { multibyte: true, name: data.name, data };
  }
  return byFinal;
})();

function requiredSet(final: number): CharSet {
  const set = SETS_BY_FINAL[final];
  if (set === undefined)
    throw new Error(`marc8-table.ts lacks the set with final 0x${hex2(final)}`);
  return set;
}

const ASCII = requiredSet(0x42);
const ANSEL = requiredSet(0x45);

/**
 * The EACC table, key `(b1 << 16) | (b2 << 8) | b3` (bytes masked to 7 bits) → code point.
 * Built from the packed table on first use (a cache, not a setting): ~16k entries.
 */
let eaccTable: Map<number, number> | undefined;

function eacc(data: Marc8SetData): Map<number, number> {
  if (eaccTable !== undefined) return eaccTable;
  const table = new Map<number, number>();
  let key = 0;
  for (const entry of data.codes.join("").split(",")) {
    const colon = entry.indexOf(":");
    key += colon < 0 ? 1 : parseInt(entry.slice(0, colon), 16);
    table.set(key, parseInt(entry.slice(colon + 1), 16));
  }
  eaccTable = table;
  return table;
}

function hex2(byte: number): string {
  return byte.toString(16).toUpperCase().padStart(2, "0");
}

/** An ASCII-only slice as a string (bytes `0x20`–`0x7E`, so latin1 is exact). */
function asciiSlice(bytes: Uint8Array, start: number, end: number): string {
  if (end - start < 24) {
    let s = "";
    for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i]!);
    return s;
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).latin1Slice();
}

/** `ESC ( N` style text for the escape bytes `[start, end)` in messages. */
function describeEscape(bytes: Uint8Array, start: number, end: number): string {
  let s = "ESC";
  for (let i = start + 1; i < end; i++) {
    const b = bytes[i]!;
    s += b > 0x20 && b < 0x7f ? ` ${String.fromCharCode(b)}` : ` 0x${hex2(b)}`;
  }
  return s;
}

/** What one escape sequence does. */
type Escape =
  | { readonly ok: true; readonly next: number; readonly g: 0 | 1; readonly set: CharSet }
  | { readonly ok: false; readonly next: number; readonly message: string };

/** Reads the escape sequence at `bytes[at] === ESC`. */
function readEscape(bytes: Uint8Array, at: number, end: number): Escape {
  let j = at + 1;
  const truncated = (): Escape => ({
    ok: false,
    next: j,
    message: `truncated escape sequence ${describeEscape(bytes, at, j)}`,
  });
  if (j >= end) return truncated();
  let c = bytes[j]!;
  // Technique 1: ESC g / ESC b / ESC p / ESC s, always G0.
  if (c === 0x67 || c === 0x62 || c === 0x70 || c === Byte.AsciiTechnique1) {
    return {
      ok: true,
      next: j + 1,
      g: 0,
      set: c === Byte.AsciiTechnique1 ? ASCII : requiredSet(c),
    };
  }
  let multibyte = false;
  if (c === Byte.Dollar) {
    multibyte = true;
    if (++j >= end) return truncated();
    c = bytes[j]!;
  }
  let g: 0 | 1 = 0;
  if (c === Byte.G0Paren || c === Byte.G0Comma) j++;
  else if (c === Byte.G1Paren || c === Byte.G1Minus) {
    g = 1;
    j++;
  } else if (!multibyte) {
    return {
      ok: false,
      next: at + 1,
      message: `unknown escape sequence ${describeEscape(bytes, at, at + 2)}`,
    };
  }
  if (j >= end) return truncated();
  c = bytes[j]!;
  if (c === Byte.Bang) {
    if (++j >= end) return truncated();
    c = bytes[j]!;
  }
  if (c <= Byte.Space || c >= Byte.Del) return truncated();
  const set = c === Byte.AsciiTechnique1 ? ASCII : SETS_BY_FINAL[c];
  if (set === undefined) {
    return {
      ok: false,
      next: j + 1,
      message: `unknown character set in escape sequence ${describeEscape(bytes, at, j + 1)}`,
    };
  }
  return { ok: true, next: j + 1, g, set };
}

/**
 * Decodes `bytes[start, end)` of one field or subfield value from MARC-8.
 *
 * Each call starts in the default state (G0 Basic Latin, G1 Extended Latin). It never
 * throws on data: see the module documentation for what each problem gives. Throws a
 * `RangeError` only when `start`/`end` are not a valid range of `bytes` (a bug in the caller).
 *
 * @param bytes the record or value bytes
 * @param start first byte of the value; @default 0
 * @param end one past the last byte of the value; @default bytes.length
 * @example
 * ```ts
 * const { text, problems } = marc8ToUnicode(Buffer.from([0x1b, 0x67, 0x61, 0x1b, 0x73, 0x21]));
 * // text === "α!", problems.length === 0
 * ```
 */
export function marc8ToUnicode(bytes: Uint8Array, start = 0, end = bytes.length): Marc8Result {
  if (!(
    Number.isInteger(start) &&
    Number.isInteger(end) &&
    0 <= start &&
    start <= end &&
    end <= bytes.length
  )) {
    throw new RangeError(`marc8ToUnicode: bad range [${start}, ${end}) of ${bytes.length} bytes`);
  }
  let i = start;
  while (i < end) {
    const b = bytes[i]!;
    if (b < Byte.Space || b >= Byte.Del) break;
    i++;
  }
  if (i === end) return { text: asciiSlice(bytes, start, end), problems: NO_PROBLEMS };
  return decodeFrom(bytes, start, end, i);
}

/** The general case: `bytes[start, firstSpecial)` is plain ASCII. */
function decodeFrom(
  bytes: Uint8Array,
  start: number,
  end: number,
  firstSpecial: number,
): Marc8Result {
  const d = new ValueDecoder(asciiSlice(bytes, start, firstSpecial));
  let g0: CharSet = ASCII;
  let g1: CharSet = ANSEL;
  let i = firstSpecial;
  while (i < end) {
    const b = bytes[i]!;
    if (b === Byte.Escape) {
      const esc = readEscape(bytes, i, end);
      if (!esc.ok) d.problem(i, esc.message);
      else if (esc.g === 0) g0 = esc.set;
      else g1 = esc.set;
      i = esc.next;
      continue;
    }
    if (b === Byte.Space) {
      d.base(" ");
      i++;
      continue;
    }
    if (b < Byte.Space || b === Byte.Del) {
      d.problem(i, `control character 0x${hex2(b)} in MARC-8 data`);
      i++;
      continue;
    }
    const set = b < 0x80 ? g0 : g1;
    if (set === ASCII && b < 0x80) {
      // A run of ASCII: pending marks go after its first character.
      let j = i + 1;
      while (j < end) {
        const c = bytes[j]!;
        if (c < Byte.Space || c >= Byte.Del) break;
        j++;
      }
      d.base(asciiSlice(bytes, i, j));
      i = j;
      continue;
    }
    i = set.multibyte ? decodeEacc(d, bytes, i, end, set) : decodeSingle(d, b, i, set);
  }
  return d.finish();
}

/** The output of one value being decoded: text, pending combining marks, problems. */
class ValueDecoder {
  private out: string;
  /** Combining marks read but not yet placed (they go after the next base character). */
  private marks = "";
  private marksAt = -1;
  private problems: Marc8Problem[] | undefined;

  constructor(prefix: string) {
    this.out = prefix;
  }

  /** Appends base text; pending marks go after its first character. */
  base(text: string): void {
    if (this.marks === "") {
      this.out += text;
      return;
    }
    const first = text.codePointAt(0)! > 0xffff ? 2 : 1;
    this.out += text.slice(0, first) + this.marks + text.slice(first);
    this.marks = "";
  }

  mark(at: number, char: string): void {
    if (this.marks === "") this.marksAt = at;
    this.marks += char;
  }

  /** Records a problem; its U+FFFD is a base for pending marks. */
  problem(at: number, message: string): void {
    (this.problems ??= []).push({ at, message });
    this.base(REPLACEMENT);
  }

  finish(): Marc8Result {
    if (this.marks !== "") this.problem(this.marksAt, "combining mark with no base character");
    return { text: this.out, problems: this.problems ?? NO_PROBLEMS };
  }
}

/** Decodes the character of a single-byte set at `i`; returns the index after it. */
function decodeSingle(d: ValueDecoder, b: number, i: number, set: SingleByteSet): number {
  const index = b & 0x7f;
  switch (set.kinds[index]) {
    case Kind.Base:
      d.base(set.chars[index]!);
      break;
    case Kind.Combining:
      d.mark(i, set.chars[index]!);
      break;
    case Kind.Dropped:
      break;
    default:
      d.problem(i, `unknown character 0x${hex2(b)} in ${set.name}`);
  }
  return i + 1;
}

/**
 * Whether `b` can be byte 2 (`third` false) or 3 of an EACC character that starts with
 * `first`: same half as `first`, a graphic byte (`0x21`–`0x7E`), or `0x20` as third byte
 * (the code table has `0x212320`, ideographic space).
 */
function isEaccTrail(first: number, b: number, third: boolean): boolean {
  const low = b & 0x7f;
  return (
    (b & 0x80) === (first & 0x80) &&
    low < Byte.Del &&
    (low > Byte.Space || (third && low === Byte.Space))
  );
}

/** Decodes the EACC character at `i`; returns the index after it. */
function decodeEacc(
  d: ValueDecoder,
  bytes: Uint8Array,
  i: number,
  end: number,
  set: MultiByteSet,
): number {
  const b1 = bytes[i]!;
  if ((b1 & 0x7f) <= Byte.Space || (b1 & 0x7f) === Byte.Del) {
    d.problem(i, `unknown character 0x${hex2(b1)} in ${set.name}`);
    return i + 1;
  }
  let j = i + 1;
  while (j < i + 3 && j < end && isEaccTrail(b1, bytes[j]!, j === i + 2)) j++;
  if (j < i + 3) {
    d.problem(i, `truncated character in ${set.name}`);
    return j;
  }
  const b2 = bytes[i + 1]!;
  const b3 = bytes[i + 2]!;
  const cp = eacc(set.data).get(((b1 & 0x7f) << 16) | ((b2 & 0x7f) << 8) | (b3 & 0x7f));
  if (cp !== undefined) {
    d.base(String.fromCodePoint(cp));
    return i + 3;
  }
  // Go on with the next byte, as yaz does: misaligned multibyte data falls back into step.
  d.problem(i, `unknown character 0x${hex2(b1)}${hex2(b2)}${hex2(b3)} in ${set.name}`);
  return i + 1;
}
