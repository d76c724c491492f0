/**
 * ISO 2709 (the MARC exchange format): a streaming reader and a writer.
 *
 * The reader takes chunks of any size and yields one {@link ReadResult} per record; memory
 * stays bounded by about one record. Well-formed records come back byte for byte through
 * {@link writeIso2709}. Malformed records are salvaged where possible, each repair reported
 * as an issue with its byte offset in the input and the tag concerned.
 *
 * @example
 * ```ts
 * import { createReadStream } from "node:fs";
 * for await (const { record, issues } of readIso2709(createReadStream("in.mrc"))) {
 *   if (record) process.stdout.write(writeIso2709(record));
 * }
 * ```
 */
import { isAscii, isUtf8 } from "node:buffer";
import { Iso2709 } from "./iso2709-bytes.js";
import type { MarcIssue, ReadResult } from "./issue.js";
import { marc8ToUnicode } from "./marc8.js";
import {
  isControlField,
  isControlTag,
  type DataField,
  type Field,
  type MarcRecord,
  type Subfield,
} from "./record.js";

/** Options of {@link readIso2709}. */
export interface Iso2709ReadOptions {
  /**
   * What to do with MARC-8 records (leader/09 blank): `"convert"` decodes them to Unicode and
   * sets leader/09 to `a`; `"keep"` keeps each byte as one character (U+0000–U+00FF), so the
   * record writes back to the same bytes.
   * @default "convert"
   */
  readonly marc8?: "convert" | "keep";
  /**
   * Longest stretch, in bytes, searched for a record terminator when the leader's record
   * length is wrong. Beyond it the bytes are reported as unreadable and skipped.
   * @default 1_000_000
   */
  readonly maxRecordBytes?: number;
}

/** One framed record: its bytes and where they start in the input. */
interface Frame {
  readonly bytes: Buffer;
  readonly offset: number;
  readonly issues: MarcIssue[];
}

const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

/** The number written in `length` ASCII digits at `at`, or -1 when any is not a digit. */
function readNumber(bytes: Uint8Array, at: number, length: number): number {
  let n = 0;
  for (let i = at; i < at + length; i++) {
    const b = bytes[i];
    if (b === undefined || b < DIGIT_0 || b > DIGIT_9) return -1;
    n = n * 10 + (b - DIGIT_0);
  }
  return n;
}

/**
 * The first offset in buf[from, limit) where a sound record starts: five digits of length,
 * digits in leader/12-16, and a record terminator exactly where the length says.
 */
function nextSoundRecord(buf: Buffer, from: number, limit: number): number {
  for (let q = from; q < limit; q++) {
    const length = readNumber(buf, q, 5);
    if (length < Iso2709.LeaderLength + 2 || q + length > buf.length) continue;
    if (buf[q + length - 1] === Iso2709.RecordTerminator && readNumber(buf, q + 12, 5) >= 0)
      return q;
  }
  return -1;
}

/** Bytes that may stand between records and are skipped (line ends, padding, stray terminators). */
function isFiller(byte: number): boolean {
  return (
    byte === 0x0a ||
    byte === 0x0d ||
    byte === 0x20 ||
    byte === 0x00 ||
    byte === 0x1a ||
    byte === Iso2709.RecordTerminator ||
    byte === Iso2709.FieldTerminator
  );
}

function toBuffer(chunk: Uint8Array | string): Buffer {
  if (typeof chunk === "string") return Buffer.from(chunk, "latin1");
  return Buffer.isBuffer(chunk)
    ? chunk
    : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/** The least growth of the pending bytes before a stalled drain is tried again. */
const RETRY_BYTES = 4096;

/**
 * Splits a byte stream into records. Pure and incremental: `push` takes the next chunk and
 * returns the records it completed; `end` returns what is left.
 */
export class Iso2709Framer {
  private pending: Buffer = Buffer.alloc(0);
  /** The growable buffer `pending` lives in, once chunks had to be joined. */
  private store: Buffer = Buffer.alloc(0);
  /** `pending.length` when the last drain needed more bytes, or 0. */
  private stalledAt = 0;
  /** Issues about skipped bytes, waiting for the next record to carry them. */
  private carried: MarcIssue[] = [];
  /** Absolute input offset of `pending[0]`. */
  private base = 0;
  private readonly maxRecordBytes: number;

  constructor(options: { readonly maxRecordBytes?: number } = {}) {
    this.maxRecordBytes = options.maxRecordBytes ?? 1_000_000;
  }

  /** Adds a chunk; returns the records it completes, in order. */
  push(chunk: Uint8Array | string): Frame[] {
    let data = toBuffer(chunk);
    if (data.length === 0) return [];
    const completed: Frame[] = [];
    if (this.pending.length > 0) {
      // A record began in an earlier chunk. When its leader gives its length, join only the
      // bytes it still needs rather than the whole new chunk.
      const length = readNumber(this.pending, 0, 5);
      const missing = length - this.pending.length;
      if (
        this.carried.length === 0 &&
        this.pending.length >= 5 &&
        missing > 0 &&
        missing <= data.length &&
        data[missing - 1] === Iso2709.RecordTerminator
      ) {
        const bytes = Buffer.concat([this.pending, data.subarray(0, missing)]);
        completed.push({ bytes, offset: this.base, issues: [] });
        this.base += bytes.length;
        this.pending = Buffer.alloc(0);
        this.stalledAt = 0;
        data = data.subarray(missing);
      }
    }
    this.append(data);
    // A drain that needed more bytes scans all that is pending; fed in small chunks, trying
    // again on every chunk is quadratic (100 KB in 1-byte chunks took 2.8 s). Try again once
    // the pending bytes have grown by half (records with a sound leader still complete on
    // their last byte, above).
    if (
      this.stalledAt > 0 &&
      this.pending.length < this.stalledAt + Math.max(RETRY_BYTES, this.stalledAt >> 1)
    )
      return completed;
    completed.push(...this.drain(false));
    return completed;
  }

  /** Appends to `pending`, in a buffer that grows by doubling (frames already returned keep their bytes). */
  private append(data: Buffer): void {
    const used = this.pending.length;
    if (used === 0) {
      this.pending = data;
      return;
    }
    const store = this.pending.buffer === this.store.buffer ? this.store : undefined;
    const end = store ? this.pending.byteOffset - store.byteOffset + used : -1;
    if (store && end + data.length <= store.length) {
      data.copy(store, end);
      this.pending = store.subarray(end - used, end + data.length);
      return;
    }
    this.store = Buffer.allocUnsafe(Math.max(2 * (used + data.length), 4096));
    this.pending.copy(this.store, 0);
    data.copy(this.store, used);
    this.pending = this.store.subarray(0, used + data.length);
  }

  /** Ends the input; returns the last (possibly truncated) record, if any. */
  end(): Frame[] {
    const frames = this.drain(true);
    this.pending = Buffer.alloc(0);
    if (this.carried.length > 0) {
      // Unreadable bytes at the very end: report them on an empty, fatal result.
      frames.push({
        bytes: Buffer.alloc(0),
        offset: this.base,
        issues: this.carried.map((i) => ({ ...i, severity: "fatal" })),
      });
      this.carried = [];
    }
    return frames;
  }

  private drain(atEnd: boolean): Frame[] {
    const frames: Frame[] = [];
    const buf = this.pending;
    let pos = 0;
    let carried: MarcIssue[] = this.carried;
    this.carried = [];
    for (;;) {
      const start = pos;
      while (pos < buf.length && isFiller(buf[pos]!)) pos++;
      const skipped = pos - start;
      const issues: MarcIssue[] = [];
      if (pos >= buf.length) {
        // Only filler left: keep it when more may come (a record could follow), else drop it.
        if (!atEnd) pos = start;
        break;
      }
      const frame = this.frameAt(buf, pos, atEnd, issues);
      if (frame === undefined) {
        pos = start; // need more bytes
        break;
      }
      if (skipped > 0 && !(skipped === 1 && buf[start] === 0x0a)) {
        issues.unshift({
          severity: "minor",
          offset: this.base + start,
          message: `${skipped} byte(s) between records skipped`,
        });
      }
      if (frame.junk) {
        carried.push(...issues);
      } else {
        frames.push({
          bytes: buf.subarray(pos, frame.end),
          offset: this.base + pos,
          issues: [...carried, ...issues],
        });
        carried = [];
      }
      pos = frame.end;
    }
    this.pending = buf.subarray(pos);
    this.base += pos;
    this.carried.push(...carried);
    this.stalledAt = this.pending.length;
    return frames;
  }

  /** Where the record starting at `pos` ends (exclusive), or `undefined` when more bytes are needed. */
  private frameAt(
    buf: Buffer,
    pos: number,
    atEnd: boolean,
    issues: MarcIssue[],
  ): { end: number; junk?: boolean } | undefined {
    const available = buf.length - pos;
    const offset = this.base + pos;
    if (available < 5) {
      if (!atEnd) return undefined;
      issues.push({
        severity: "fatal",
        offset,
        message: `truncated record: only ${available} byte(s) at end of input`,
      });
      return { end: buf.length };
    }
    const length = readNumber(buf, pos, 5);
    if (length >= Iso2709.LeaderLength + 2) {
      if (available >= length && buf[pos + length - 1] === Iso2709.RecordTerminator) {
        return { end: pos + length };
      }
    }
    // The leader's length is wrong or the record is cut short: look for the record terminator.
    const limit = Math.min(buf.length, pos + this.maxRecordBytes);
    const terminator = buf.indexOf(Iso2709.RecordTerminator, pos + 1);
    const found = terminator !== -1 && terminator < limit ? terminator : -1;
    if (length < 0) {
      // No leader here: if a sound record starts before the next terminator, what comes
      // before it is unreadable and is skipped (reported), so that record is not swallowed.
      const next = nextSoundRecord(buf, pos + 1, found === -1 ? limit : found);
      if (next !== -1) {
        issues.push({
          severity: "major",
          offset,
          message: `${next - pos} unreadable byte(s) skipped: no record leader at this offset`,
        });
        return { end: next, junk: true };
      }
    }
    if (length > 0 && available >= length) {
      // Length in reach but no terminator there: trust the length when the next record starts
      // right after it (or the input ends there) and no terminator comes before it.
      const next = pos + length;
      const nextLooksLikeRecord =
        (next === buf.length && atEnd) ||
        (next + 5 <= buf.length && readNumber(buf, next, 5) >= Iso2709.LeaderLength);
      if (nextLooksLikeRecord && (found === -1 || found >= next)) {
        issues.push({
          severity: "major",
          offset: offset + length - 1,
          message: `record terminator (1D) missing at end of record (leader/00-04 says ${length} bytes)`,
        });
        return { end: next };
      }
    }
    if (found !== -1) {
      const actual = found + 1 - pos;
      if (length < 0) {
        issues.push({
          severity: "major",
          offset,
          message: `leader/00-04 is not a number ("${buf.latin1Slice(pos, pos + 5)}"); record taken up to its terminator (${actual} bytes)`,
        });
      } else {
        issues.push({
          severity: "major",
          offset,
          message: `leader/00-04 says ${length} bytes but the record terminator comes after ${actual} bytes`,
        });
      }
      return { end: found + 1 };
    }
    if (buf.length - pos >= this.maxRecordBytes) {
      issues.push({
        severity: "fatal",
        offset,
        message: `no record terminator within ${this.maxRecordBytes} bytes; bytes skipped`,
      });
      return { end: pos + this.maxRecordBytes };
    }
    if (!atEnd) return undefined;
    issues.push({
      severity: "major",
      offset: this.base + buf.length,
      message:
        length >= 0
          ? `truncated record: leader/00-04 says ${length} bytes but input ends after ${available}`
          : `truncated record: input ends after ${available} bytes without a record terminator`,
    });
    return { end: buf.length };
  }
}

/**
 * Reads ISO 2709 records from chunks of any size.
 *
 * Each yielded result holds the record (unless an issue is `fatal`), its issues, the byte
 * offset where it starts and its index. Reading never stops on bad data; it goes on with
 * the next record.
 */
export async function* readIso2709(
  input: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  options: Iso2709ReadOptions = {},
): AsyncGenerator<ReadResult<MarcRecord>> {
  const framer = new Iso2709Framer(options);
  let index = 0;
  for await (const chunk of input) {
    for (const frame of framer.push(chunk)) yield decodeFrame(frame, index++, options);
  }
  for (const frame of framer.end()) yield decodeFrame(frame, index++, options);
}

/** One record read from ISO 2709, with its bytes exactly as they stood in the input. */
export interface Iso2709RecordBytes {
  readonly result: ReadResult<MarcRecord>;
  readonly bytes: Buffer;
}

/** One record's bytes framed from ISO 2709 input, not decoded yet. */
export interface Iso2709Frame {
  /** The bytes exactly as they stood in the input. */
  readonly bytes: Buffer;
  readonly offset: number;
  readonly index: number;
  /** Decodes the record (as {@link readIso2709} would have); each call decodes again. */
  decode(): ReadResult<MarcRecord>;
}

/**
 * The records of ISO 2709 input as bytes, each decoded only when asked: a reader that queues
 * records (an import waiting for its batch) keeps bytes, not decoded records, meanwhile.
 */
export async function* readIso2709Frames(
  input: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  options: Iso2709ReadOptions = {},
): AsyncGenerator<Iso2709Frame> {
  const framer = new Iso2709Framer(options);
  let index = 0;
  const framed = (frame: Frame): Iso2709Frame => {
    const at = index++;
    return {
      bytes: frame.bytes,
      offset: frame.offset,
      index: at,
      // The framing issues are copied: decoding adds its own to the list it is given.
      decode: () => decodeFrame({ ...frame, issues: [...frame.issues] }, at, options),
    };
  };
  for await (const chunk of input) {
    for (const frame of framer.push(chunk)) yield framed(frame);
  }
  for (const frame of framer.end()) yield framed(frame);
}

/**
 * {@link readIso2709}, with each record's bytes as they were in the input (what an importer
 * keeps, and what a Connexion client sends).
 */
export async function* readIso2709WithBytes(
  input: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  options: Iso2709ReadOptions = {},
): AsyncGenerator<Iso2709RecordBytes> {
  for await (const frame of readIso2709Frames(input, options)) {
    yield { result: frame.decode(), bytes: frame.bytes };
  }
}

/** Reads every record of a complete ISO 2709 buffer (the synchronous twin of {@link readIso2709}). */
export function* readIso2709Buffer(
  bytes: Uint8Array,
  options: Iso2709ReadOptions = {},
): Generator<ReadResult<MarcRecord>> {
  const framer = new Iso2709Framer(options);
  let index = 0;
  for (const frame of framer.push(bytes)) yield decodeFrame(frame, index++, options);
  for (const frame of framer.end()) yield decodeFrame(frame, index++, options);
}

/**
 * Decodes one record's bytes (from its leader to its record terminator).
 * `offset` is where the bytes start in the input; issue offsets are absolute.
 */
export function decodeIso2709(
  bytes: Uint8Array,
  options: Iso2709ReadOptions & { readonly offset?: number } = {},
): ReadResult<MarcRecord> {
  return decodeFrame(
    { bytes: toBuffer(bytes), offset: options.offset ?? 0, issues: [] },
    0,
    options,
  );
}

/** `utf8-checked`: UTF-8 in a record that is not valid UTF-8 as a whole, so each value is checked. */
type Coding = "ascii" | "utf8" | "utf8-checked" | "marc8" | "latin1";

/** Values are decoded one at a time; this carries what they need. */
interface ValueDecoder {
  readonly buf: Buffer;
  readonly coding: Coding;
  readonly offset: number;
  readonly issues: MarcIssue[];
  /** Indicators per data field: leader/10 when it is a digit, else 2. */
  readonly indicatorCount: number;
  /** For one-byte codings (ASCII, Latin-1): the whole record as a string, values are slices of it. */
  readonly text: string | undefined;
}

const SINGLE_CHARS: readonly string[] = Array.from({ length: 256 }, (_, i) =>
  String.fromCharCode(i),
);

function decodeValue(d: ValueDecoder, start: number, end: number, tag: string): string {
  if (start >= end) return "";
  const { buf } = d;
  if (d.text !== undefined) return d.text.slice(start, end);
  if (d.coding === "marc8") {
    const result = marc8ToUnicode(buf, start, end);
    for (const p of result.problems) {
      d.issues.push({
        severity: "major",
        offset: d.offset + p.at,
        tag,
        message: `MARC-8: ${p.message}`,
      });
    }
    return result.text;
  }
  const text = buf.utf8Slice(start, end);
  if (d.coding === "utf8-checked" && !isUtf8(buf.subarray(start, end))) {
    d.issues.push({
      severity: "major",
      offset: d.offset + firstBadUtf8(buf, start, end),
      tag,
      message: "invalid UTF-8; bad bytes replaced with U+FFFD",
    });
  }
  return text;
}

/** Offset of the first byte that breaks UTF-8 in buf[start, end). */
function firstBadUtf8(buf: Buffer, start: number, end: number): number {
  // Walk sequence by sequence (only ever on bad data).
  for (let i = start; i < end;) {
    const b = buf[i]!;
    const need =
      b < 0x80
        ? 1
        : b >= 0xc2 && b < 0xe0
          ? 2
          : b >= 0xe0 && b < 0xf0
            ? 3
            : b >= 0xf0 && b < 0xf5
              ? 4
              : 0;
    if (need === 0 || i + need > end || !isUtf8(buf.subarray(i, i + need))) return i;
    i += need;
  }
  return end;
}

function decodeFrame(
  frame: Frame,
  index: number,
  options: Iso2709ReadOptions,
): ReadResult<MarcRecord> {
  const { bytes: buf, offset } = frame;
  const issues = frame.issues;
  const fatal = issues.some((i) => i.severity === "fatal");
  if (fatal) return { record: undefined, issues, offset, index };
  const size = buf.length;
  if (size < Iso2709.LeaderLength) {
    issues.push({
      severity: "fatal",
      offset,
      message: `record of ${size} bytes is shorter than a leader (24)`,
    });
    return { record: undefined, issues, offset, index };
  }
  if (size > Iso2709.MaxRecordLength) {
    issues.push({
      severity: "major",
      offset,
      message: `record is ${size} bytes, more than the 99999 ISO 2709 allows`,
    });
  }
  let leader = buf.latin1Slice(0, Iso2709.LeaderLength);
  for (let i = 0; i < Iso2709.LeaderLength; i++) {
    if (buf[i]! < 0x20 || buf[i]! > 0x7e) {
      issues.push({
        severity: "minor",
        offset: offset + i,
        message: `leader/${String(i).padStart(2, "0")} is not a printable ASCII character`,
      });
      break;
    }
  }

  if (leader[10] !== "2" || leader[11] !== "2") {
    issues.push({
      severity: "minor",
      offset: offset + 10,
      message: `leader/10-11 is "${leader.slice(10, 12)}", not "22" (indicator count, subfield code length)`,
    });
  }

  // Character coding (leader/09).
  const leader09 = leader[9];
  let coding: Coding;
  if (leader09 === "a") coding = "utf8";
  else if (leader09 === " ") {
    if (options.marc8 === "keep") coding = "latin1";
    else if (looksLikeUtf8(buf)) {
      coding = "utf8";
      issues.push({
        severity: "minor",
        offset: offset + 9,
        message:
          "leader/09 says MARC-8 but the data is UTF-8 (no MARC-8 escapes, valid multi-byte UTF-8); read as UTF-8 and leader/09 set to 'a'",
      });
    } else coding = "marc8";
    if (coding !== "latin1") leader = leader.slice(0, 9) + "a" + leader.slice(10);
  } else {
    coding = "utf8";
    leader = leader.slice(0, 9) + "a" + leader.slice(10);
    issues.push({
      severity: "minor",
      offset: offset + 9,
      message: `leader/09 is '${leader09 ?? ""}', neither 'a' (Unicode) nor blank (MARC-8); read as UTF-8 and leader/09 set to 'a'`,
    });
  }

  // Directory: from byte 24 to the first field terminator, 12 bytes an entry.
  let dirEnd = buf.indexOf(Iso2709.FieldTerminator, Iso2709.LeaderLength);
  if (dirEnd === -1) {
    issues.push({
      severity: "fatal",
      offset: offset + Iso2709.LeaderLength,
      message: "directory has no field terminator (1E)",
    });
    return { record: undefined, issues, offset, index };
  }
  const baseAddress = readNumber(buf, 12, 5);
  if (baseAddress !== dirEnd + 1) {
    const said = baseAddress < 0 ? `"${buf.latin1Slice(12, 17)}"` : String(baseAddress);
    issues.push({
      severity: "major",
      offset: offset + 12,
      message: `leader/12-16 (base address) says ${said} but the directory ends at ${dirEnd + 1}; using ${dirEnd + 1}`,
    });
  }
  const dataBase = dirEnd + 1;
  const dirLength = dirEnd - Iso2709.LeaderLength;
  if (dirLength % Iso2709.DirectoryEntryLength !== 0) {
    issues.push({
      severity: "major",
      offset:
        offset + Iso2709.LeaderLength + dirLength - (dirLength % Iso2709.DirectoryEntryLength),
      message: `directory length ${dirLength} is not a multiple of 12; ${dirLength % Iso2709.DirectoryEntryLength} trailing byte(s) ignored`,
    });
    dirEnd -= dirLength % Iso2709.DirectoryEntryLength;
  }

  // One native check of the whole record spares a check per value when it is all valid UTF-8.
  if (coding === "utf8") coding = isAscii(buf) ? "ascii" : isUtf8(buf) ? "utf8" : "utf8-checked";
  const text = coding === "ascii" || coding === "latin1" ? buf.latin1Slice(0, size) : undefined;
  const indicatorCount = buf[10]! >= DIGIT_0 && buf[10]! <= DIGIT_9 ? buf[10]! - DIGIT_0 : 2;
  const decoder: ValueDecoder = { buf, coding, offset, issues, text, indicatorCount };
  const fields: Field[] = [];
  // Where the next field's data would start if data is laid out in directory order.
  let expectedStart = 0;
  for (let e = Iso2709.LeaderLength; e < dirEnd; e += Iso2709.DirectoryEntryLength) {
    const tag = tagAt(buf, e);
    const length = readNumber(buf, e + 3, 4);
    const start = readNumber(buf, e + 7, 5);
    if (start !== expectedStart && expectedStart >= 0 && start >= 0) {
      issues.push({
        severity: "minor",
        offset: offset + e,
        tag,
        message: `field data is not in directory order (starts at ${start}, not ${expectedStart}); it will be written back in directory order`,
      });
      expectedStart = -1; // once a record is enough
    }
    if (length < 0 || start < 0) {
      issues.push({
        severity: "major",
        offset: offset + e,
        tag,
        message: `directory entry "${buf.latin1Slice(e, e + 12)}" has a non-numeric length or start; this and later entries ignored`,
      });
      break;
    }
    const from = dataBase + start;
    if (from >= size - 1 || length === 0) {
      issues.push({
        severity: "major",
        offset: offset + e,
        tag,
        message:
          length === 0
            ? "directory entry has length 0; field dropped"
            : `directory entry points at ${from}, past the end of the record (${size} bytes); field dropped`,
      });
      continue;
    }
    // The field ends at its terminator. When the directory disagrees, the terminator wins.
    let to = from + length - 1;
    const wellFormed =
      to < size &&
      (text !== undefined
        ? text.indexOf("\x1e", from)
        : buf.indexOf(Iso2709.FieldTerminator, from)) === to;
    if (!wellFormed) {
      const firstTerm = firstTerminator(buf, from, size);
      const cut = firstTerm === -1 ? size : firstTerm;
      issues.push({
        severity: "major",
        offset: offset + from,
        tag,
        message:
          firstTerm === -1
            ? `field has no field terminator; taken up to the end of the record (directory length ${length})`
            : firstTerm === to
              ? "field ends with a record terminator (1D) instead of a field terminator (1E)"
              : `directory length ${length} disagrees with the field terminator after ${cut - from + 1} bytes; the terminator wins`,
      });
      to = cut;
    }
    if (expectedStart >= 0) expectedStart = to + 1 - dataBase;
    if (!isControlTag(tag)) {
      fields.push(
        regularDataField(decoder, tag, from, to) ?? decodeDataField(decoder, tag, from, to),
      );
    } else if (
      to - from > indicatorCount &&
      buf[from + indicatorCount] === Iso2709.SubfieldDelimiter
    ) {
      // A 00X field with indicators and subfields (DanMARC, some UNIMARC exports): as yaz does,
      // read it as a data field.
      issues.push({
        severity: "minor",
        offset: offset + from,
        tag,
        message: "control field holds indicators and subfields; read as a data field",
      });
      fields.push(decodeDataField(decoder, tag, from, to));
    } else fields.push({ tag, value: decodeValue(decoder, from, to, tag) });
  }
  if (
    buf[size - 1] !== Iso2709.RecordTerminator &&
    !issues.some(
      (i) => i.message.startsWith("record terminator") || i.message.startsWith("truncated"),
    )
  ) {
    issues.push({
      severity: "major",
      offset: offset + size - 1,
      message: "record does not end with a record terminator (1D)",
    });
  }
  return { record: { leader, fields }, issues, offset, index };
}

const NUMERIC_TAGS: readonly string[] = Array.from({ length: 1000 }, (_, i) =>
  String(i).padStart(3, "0"),
);

/** The three-byte tag at `at`; numeric tags come from a table instead of a new string each time. */
function tagAt(buf: Buffer, at: number): string {
  const a = buf[at]! - DIGIT_0;
  const b = buf[at + 1]! - DIGIT_0;
  const c = buf[at + 2]! - DIGIT_0;
  if (a >= 0 && a <= 9 && b >= 0 && b <= 9 && c >= 0 && c <= 9)
    return NUMERIC_TAGS[a * 100 + b * 10 + c]!;
  return buf.latin1Slice(at, at + 3);
}

/** First field or record terminator in buf[from, limit), or -1. */
function firstTerminator(buf: Buffer, from: number, limit: number): number {
  for (let i = from; i < limit; i++) {
    const b = buf[i];
    if (b === Iso2709.FieldTerminator || b === Iso2709.RecordTerminator) return i;
  }
  return -1;
}

/**
 * The indicator at `at` and how many bytes it takes. ASCII is the rule; a UTF-8 record may hold
 * a multi-byte character there and a MARC-8 record an ANSEL one: kept and reported. What cannot
 * be decoded becomes a blank, reported.
 */
function indicator(d: ValueDecoder, tag: string, at: number, to: number): [string, number] {
  const byte = d.buf[at]!;
  if (byte < 0x80 || d.coding === "latin1") return [SINGLE_CHARS[byte]!, 1];
  let char: string | undefined;
  let width = 1;
  if (d.coding === "marc8") {
    const decoded = marc8ToUnicode(d.buf, at, at + 1);
    if (decoded.problems.length === 0 && decoded.text.length === 1) char = decoded.text;
  } else {
    width = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    const bytes = d.buf.subarray(at, at + width);
    if (at + width <= to && width > 1 && isUtf8(bytes)) char = bytes.toString("utf8");
    else width = 1;
  }
  d.issues.push({
    severity: char === undefined ? "major" : "minor",
    offset: d.offset + at,
    tag,
    message:
      char === undefined
        ? `indicator byte 0x${byte.toString(16).toUpperCase()} is not a character; set to blank`
        : `indicator '${char}' is not ASCII`,
  });
  return [char ?? " ", width];
}

/**
 * The fast path for the usual data field: two indicators, a delimiter, then subfields each
 * with a printable ASCII code, decoded from one string of the whole field. `undefined` for
 * anything else, which {@link decodeDataField} then reads byte by byte, reporting what it finds.
 */
function regularDataField(
  d: ValueDecoder,
  tag: string,
  from: number,
  to: number,
): DataField | undefined {
  if (d.indicatorCount !== 2 || to - from < 3) return undefined;
  let field: string;
  if (d.text !== undefined) field = d.text.slice(from, to);
  else if (d.coding === "utf8") field = d.buf.utf8Slice(from, to);
  else return undefined;
  const ind1 = field.charCodeAt(0);
  const ind2 = field.charCodeAt(1);
  if (
    field.charCodeAt(2) !== Iso2709.SubfieldDelimiter ||
    ind1 < 0x20 ||
    ind1 > 0x7e ||
    ind2 < 0x20 ||
    ind2 > 0x7e
  ) {
    return undefined;
  }
  const subfields: Subfield[] = [];
  let at = 2; // a delimiter
  const end = field.length;
  while (at < end) {
    const code = field.charCodeAt(at + 1);
    if (!(code > 0x20 && code < 0x7f) || code === Iso2709.SubfieldDelimiter) return undefined;
    let next = field.indexOf("\x1f", at + 2);
    if (next === -1) next = end;
    subfields.push({ code: SINGLE_CHARS[code]!, value: field.slice(at + 2, next) });
    at = next;
  }
  return { tag, ind1: SINGLE_CHARS[ind1]!, ind2: SINGLE_CHARS[ind2]!, subfields };
}

function decodeDataField(d: ValueDecoder, tag: string, from: number, to: number): DataField {
  const { buf } = d;
  let ind1 = " ";
  let ind2 = " ";
  let i = from;
  // Indicators: leader/10 of them (2 in MARC 21) before the first subfield delimiter, unless
  // the field's own bytes show two (a leader that lies). The model holds two; a third and
  // further are reported below with any other stray bytes.
  const count =
    buf[from + d.indicatorCount] !== Iso2709.SubfieldDelimiter &&
    buf[from + 2] === Iso2709.SubfieldDelimiter
      ? 2
      : d.indicatorCount;
  const wanted = Math.min(count, 2);
  const found: string[] = [];
  while (found.length < wanted && i < to && buf[i] !== Iso2709.SubfieldDelimiter) {
    const [char, width] = indicator(d, tag, i, to);
    found.push(char);
    i += width;
  }
  if (found.length < wanted) {
    d.issues.push({
      severity: "major",
      offset: d.offset + i,
      tag,
      message:
        found.length === 0
          ? "indicators missing; both set to blank"
          : "second indicator missing; set to blank",
    });
  }
  ind1 = found[0] ?? " ";
  ind2 = found[1] ?? " ";
  const subfields: Subfield[] = [];
  if (i < to && buf[i] !== Iso2709.SubfieldDelimiter) {
    // Data with no delimiter and code before it. One byte is most likely an extra indicator
    // and is dropped; longer text is kept as a subfield $a rather than lost (both reported).
    const next = buf.indexOf(Iso2709.SubfieldDelimiter, i);
    const junkEnd = next === -1 || next > to ? to : next;
    if (junkEnd - i === 1) {
      d.issues.push({
        severity: "major",
        offset: d.offset + i,
        tag,
        message: `1 byte between the indicators and the first subfield dropped: "${buf.latin1Slice(i, junkEnd)}"`,
      });
    } else {
      d.issues.push({
        severity: "major",
        offset: d.offset + i,
        tag,
        message: `${junkEnd - i} bytes of data with no subfield delimiter and code before them; kept as subfield $a`,
      });
      subfields.push({ code: "a", value: decodeValue(d, i, junkEnd, tag) });
    }
    i = junkEnd;
  }
  while (i < to) {
    // buf[i] is a subfield delimiter.
    // The next delimiter: a string search when the record is one-byte text, else bytes.
    let next =
      d.text !== undefined
        ? d.text.indexOf("\x1f", i + 1)
        : buf.indexOf(Iso2709.SubfieldDelimiter, i + 1);
    if (next === -1 || next > to) next = to;
    if (next === i + 1) {
      d.issues.push({
        severity: "minor",
        offset: d.offset + i,
        tag,
        message: "empty subfield (delimiter without a code) dropped",
      });
    } else {
      const codeByte = buf[i + 1]!;
      let valueStart = i + 2;
      let code = SINGLE_CHARS[codeByte]!;
      if (codeByte >= 0x80 && d.coding !== "latin1" && d.coding !== "marc8") {
        // A non-ASCII code in a UTF-8 record: one character if it is valid UTF-8, else U+FFFD.
        const width = codeByte >= 0xf0 ? 4 : codeByte >= 0xe0 ? 3 : 2;
        const char = i + 1 + width <= next ? buf.subarray(i + 1, i + 1 + width) : undefined;
        if (char && isUtf8(char)) {
          valueStart = i + 1 + width;
          code = char.toString("utf8");
        } else code = "\uFFFD";
      }
      if (codeByte < 0x20 || codeByte >= 0x7f) {
        d.issues.push({
          severity: "minor",
          offset: d.offset + i + 1,
          tag,
          message: "subfield code is not a printable ASCII character",
        });
      }
      subfields.push({ code, value: decodeValue(d, valueStart, next, tag) });
    }
    i = next;
  }
  return { tag, ind1, ind2, subfields };
}

/** A MARC-8-labelled record whose bytes are really UTF-8: high bytes, valid UTF-8, no escapes. */
function looksLikeUtf8(buf: Buffer): boolean {
  let high = false;
  for (let i = Iso2709.LeaderLength; i < buf.length; i++) {
    const b = buf[i]!;
    if (b === 0x1b) return false;
    if (b >= 0x80) high = true;
  }
  return high && isUtf8(buf);
}

/**
 * Writes one record as ISO 2709 bytes. The record length (leader/00-04) and base address
 * (leader/12-16) are computed, leader/10-11 is `22` (two indicators, one-character codes, as
 * the model holds); every other leader position is written as it is, except leader/09 below.
 *
 * Text is Unicode and written as UTF-8, with leader/09 `a`, whatever leader/09 the record
 * carried (a record read from MARCXML may say MARC-8 while its text is Unicode). With
 * `marc8: "keep"`, a record whose leader/09 is blank is taken to hold MARC-8 bytes read with
 * the same option, and each character is written back as one byte.
 *
 * @throws RangeError when the record cannot be expressed in ISO 2709: more than 99,999 bytes,
 * a field longer than 9,999 bytes, or (with `marc8: "keep"`) a character above U+00FF in a
 * record whose leader/09 is blank. Callers that build records can check {@link iso2709Fits}.
 */
export function writeIso2709(record: MarcRecord, options: Iso2709WriteOptions = {}): Buffer {
  const encoded = encodeFields(record, options);
  if (typeof encoded === "string") throw new RangeError(encoded);
  return encoded;
}

/** Options of {@link writeIso2709}. */
export interface Iso2709WriteOptions {
  /**
   * `"keep"`: records with leader/09 blank hold MARC-8 bytes (as {@link readIso2709} gives them
   * with `marc8: "keep"`) and are written byte for byte. `"convert"`: all text is Unicode.
   * @default "convert"
   */
  readonly marc8?: "convert" | "keep";
}

/** `undefined` when {@link writeIso2709} can write the record, else the reason it cannot. */
export function iso2709Fits(
  record: MarcRecord,
  options: Iso2709WriteOptions = {},
): string | undefined {
  const encoded = encodeFields(record, options);
  return typeof encoded === "string" ? encoded : undefined;
}

function fieldText(field: Field): string {
  if (isControlField(field)) return field.value + "\x1e";
  let s = (field.ind1 || " ").charAt(0) + (field.ind2 || " ").charAt(0);
  for (const sf of field.subfields) s += "\x1f" + sf.code + sf.value;
  return s + "\x1e";
}

/** A character no single byte can hold. */
const ABOVE_LATIN1 = /[\u0100-\uffff]/;
/** A character UTF-8 writes in more than one byte. */
const ABOVE_ASCII = /[\u0080-\uffff]/;

function encodeFields(record: MarcRecord, options: Iso2709WriteOptions): Buffer | string {
  const leader =
    record.leader.length >= 24 ? record.leader.slice(0, 24) : record.leader.padEnd(24, " ");
  const encoding: BufferEncoding =
    options.marc8 === "keep" && leader[9] === " " ? "latin1" : "utf8";
  const fields = record.fields;
  const count = fields.length;
  const texts: string[] = new Array<string>(count);
  let data = "";
  for (let i = 0; i < count; i++) {
    const text = fieldText(fields[i]!);
    texts[i] = text;
    data += text;
  }
  // When every character is one byte (ASCII, or MARC-8 bytes kept as Latin-1, as most records
  // are), a field's length in bytes is its length in characters.
  const oneByte = !(encoding === "utf8" ? ABOVE_ASCII : ABOVE_LATIN1).test(data);
  let directory = "";
  let start = 0;
  for (let i = 0; i < count; i++) {
    const field = fields[i]!;
    const text = texts[i]!;
    if (!oneByte && encoding === "latin1" && ABOVE_LATIN1.test(text)) {
      return `field ${field.tag} holds a character above U+00FF in a record kept as MARC-8 bytes (leader/09 blank)`;
    }
    const length = oneByte || encoding === "latin1" ? text.length : Buffer.byteLength(text, "utf8");
    if (length > 9999) return `field ${field.tag} is ${length} bytes; ISO 2709 allows 9999`;
    directory +=
      field.tag.slice(0, 3).padEnd(3, " ") +
      String(length).padStart(4, "0") +
      String(start).padStart(5, "0");
    start += length;
  }
  const baseAddress = Iso2709.LeaderLength + count * Iso2709.DirectoryEntryLength + 1;
  const total = baseAddress + start + 1;
  if (total > Iso2709.MaxRecordLength) return `record is ${total} bytes; ISO 2709 allows 99999`;
  const out = Buffer.allocUnsafe(total);
  // Leader, directory and its field terminator in one write; then all the fields in one.
  out.latin1Write(
    String(total).padStart(5, "0") +
      leader.slice(5, 9) +
      (encoding === "utf8" ? "a" : leader[9]) +
      "22" + // two indicators, one-character subfield codes: what the model holds
      String(baseAddress).padStart(5, "0") +
      leader.slice(17, 24) +
      directory +
      "\x1e",
    0,
  );
  if (encoding === "utf8") out.utf8Write(data, baseAddress);
  else out.latin1Write(data, baseAddress);
  out[total - 1] = Iso2709.RecordTerminator;
  return out;
}
