/**
 * Internal helpers shared by the text-based record formats (MARCXML, MARC-in-JSON,
 * MarcEdit mnemonic): streaming UTF-8 decoding, byte-offset bookkeeping, line splitting
 * and leader repair. Not part of the public API.
 */

import { Buffer } from "node:buffer";

/**
 * The leader used when a record comes without one: a Unicode (leader/09 `a`) language
 * material monograph with zeroed lengths. Readers say so in an issue whenever they use it.
 */
export const DEFAULT_LEADER = "00000nam a2200000   4500";

const LEADER_LENGTH = 24;

/** A leader made 24 characters long, and what was done to it (when anything was). */
export interface RepairedLeader {
  readonly leader: string;
  readonly problem?: { readonly severity: "minor" | "major"; readonly message: string };
}

/**
 * Pads a short leader with blanks (minor: nothing lost) or cuts a long one to 24 characters
 * (major: characters dropped).
 */
export function repairLeader(leader: string): RepairedLeader {
  const n = leader.length;
  if (n === LEADER_LENGTH) return { leader };
  if (n < LEADER_LENGTH)
    return {
      leader: leader.padEnd(LEADER_LENGTH, " "),
      problem: {
        severity: "minor",
        message: `leader is ${n} characters, expected 24; padded with blanks`,
      },
    };
  return {
    leader: leader.slice(0, LEADER_LENGTH),
    problem: { severity: "major", message: `leader is ${n} characters, expected 24; cut to 24` },
  };
}

/** A decoded piece of input and the byte offset of its first character in the input. */
export interface DecodedChunk {
  readonly text: string;
  readonly byteOffset: number;
}

/**
 * Decodes chunks of UTF-8 bytes (or strings, passed through) into strings, keeping a
 * multi-byte character that is split across chunks whole. A leading byte order mark is
 * dropped (and counted in the byte offsets). Invalid UTF-8 becomes U+FFFD.
 */
export async function* decodeChunks(
  input: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
): AsyncGenerator<DecodedChunk> {
  const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
  let byteOffset = 0;
  let first = true;
  for await (const chunk of input) {
    let text = typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
    if (text.length === 0) continue;
    if (first) {
      first = false;
      if (text.charCodeAt(0) === 0xfeff) {
        text = text.slice(1);
        byteOffset += 3;
        if (text.length === 0) continue;
      }
    }
    yield { text, byteOffset };
    byteOffset += Buffer.byteLength(text, "utf8");
  }
  const rest = decoder.decode();
  if (rest.length > 0) yield { text: rest, byteOffset };
}

/** The number of UTF-8 bytes a string takes. */
export function utf8Length(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

const TAIL_KEEP = 1024;

/**
 * Maps character positions to byte offsets for a parser that is fed decoded chunks in
 * order. Lookups within the current chunk must not go backwards by more than
 * {@link TAIL_KEEP} characters before its start; forward lookups are incremental, so the
 * cost is linear in the input.
 */
export class ByteCounter {
  /** Characters fed before the current chunk. */
  private charBase = 0;
  /** Bytes before the current chunk. */
  private byteBase = 0;
  private chunk = "";
  /** The last characters before the current chunk. */
  private tail = "";
  private markChar = 0;
  private markByte = 0;

  /** Starts a new chunk, which begins at the given byte offset of the input. */
  feed(chunk: DecodedChunk): void {
    this.charBase += this.chunk.length;
    this.tail = (this.tail + this.chunk).slice(-TAIL_KEEP);
    this.chunk = chunk.text;
    this.byteBase = chunk.byteOffset;
    this.markChar = 0;
    this.markByte = chunk.byteOffset;
  }

  /** The byte offset of the character at zero-based position `charPos` of all input fed. */
  byteAt(charPos: number): number {
    const k = charPos - this.charBase;
    if (k < 0) {
      const back = Math.min(-k, this.tail.length);
      return this.byteBase - utf8Length(this.tail.slice(this.tail.length - back));
    }
    const at = Math.min(k, this.chunk.length);
    if (at >= this.markChar) {
      this.markByte += utf8Length(this.chunk.slice(this.markChar, at));
    } else {
      this.markByte = this.byteBase + utf8Length(this.chunk.slice(0, at));
    }
    this.markChar = at;
    return this.markByte;
  }
}

/** One line of text input, without its line terminator. */
export interface TextLine {
  readonly text: string;
  /** One-based line number. */
  readonly line: number;
  /** Zero-based byte offset of the line's first character. */
  readonly offset: number;
}

/**
 * Splits decoded input into lines at LF; a CR right before the LF is dropped too (CRLF).
 * Holds only the unfinished line between chunks. A last line without terminator is
 * yielded when it is not empty.
 */
export async function* splitLines(
  input: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
): AsyncGenerator<TextLine> {
  let pending = "";
  let pendingOffset = 0;
  let line = 1;
  for await (const { text, byteOffset } of decodeChunks(input)) {
    if (pending.length === 0) pendingOffset = byteOffset;
    let start = 0;
    let nl = text.indexOf("\n");
    while (nl !== -1) {
      const raw = pending + text.slice(start, nl);
      pending = "";
      const body = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
      yield { text: body, line, offset: pendingOffset };
      pendingOffset += utf8Length(raw) + 1;
      line++;
      start = nl + 1;
      nl = text.indexOf("\n", start);
    }
    pending += text.slice(start);
  }
  if (pending.length > 0) {
    const body = pending.endsWith("\r") ? pending.slice(0, -1) : pending;
    yield { text: body, line, offset: pendingOffset };
  }
}

/** A short, printable quotation of a piece of input for issue messages. */
export function quote(text: string, max = 30): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return JSON.stringify(cut);
}
