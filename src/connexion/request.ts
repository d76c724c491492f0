/**
 * The Connexion request parser: pure and incremental (no I/O, no timers). It takes the bytes
 * of one client connection in chunks of any size and returns each request as soon as it is
 * complete: the logon prefix (`U`, `A`, `P` fields) and the record bytes.
 *
 * ```text
 * request := *SP *(field *SP) marc-record [NUL]
 * field   := tag length value        ; tag U (user), A (logon ID), P (password), any order
 * length  := one byte >= 0x40        ; desktop client: length = byte - 0x40 (0..191)
 *          | 1*DIGIT                 ; browser, Record Manager: decimal; a lone "0" = empty
 * ```
 *
 * A request ends at the record terminator (0x1D), at a NUL, when the client closes (`end`) or
 * when the caller's idle timer fires (`idle`). Lengths count bytes; values are UTF-8.
 *
 * A decimal length is ambiguous when the value starts with a digit (`P62024ab` is password
 * `2024ab`, or 62 bytes, or 620 …). Each reading of the digit run is tried, shortest first, and
 * the first whose continuation parses (another field, or a plausible MARC leader) is taken;
 * when none does, the greedy reading (all digits, at most 6), as Koha and FOLIO read it.
 *
 * See the research note connexion-protocol.md §0.2 and §0.4.
 */
import { Iso2709 } from "../marc/iso2709-bytes.js";

/**
 * The logon prefix of a request; a field that was not sent is absent.
 * @example
 * ```ts
 * // from "A8kohauserP0" + record: an empty password is sent, so it is present
 * const logon: ConnexionLogon = { logonId: "kohauser", password: "" };
 * ```
 */
export interface ConnexionLogon {
  /** `U`: a user field of unknown origin; mask it in logs. */
  readonly user?: string;
  /** `A`: the Logon ID typed in the client's export destination. */
  readonly logonId?: string;
  /** `P`: the password of the export destination. */
  readonly password?: string;
}

/**
 * What ended a request: `terminator` = the record terminator (0x1D) arrived; `nul` = a 0x00
 * byte; `eof` = the client closed; `idle` = the caller's idle timer fired.
 * @example
 * ```ts
 * if (request.end !== "terminator") log(`record cut short (${request.end})`);
 * ```
 */
export type RequestEnd = "terminator" | "nul" | "eof" | "idle";

/**
 * One request: the logon and the record bytes, with where they stood in the stream.
 * @example
 * ```ts
 * // "AHkohauserPFs3cret" + a 714-byte record
 * const request: ConnexionRequest = {
 *   logon: { logonId: "kohauser", password: "s3cret" },
 *   record, // the 714 bytes, from the leader to the 0x1D
 *   end: "terminator",
 *   offset: 0,
 *   recordOffset: 18,
 *   declaredLength: 714,
 *   lengthForm: "byte",
 * };
 * ```
 */
export interface ConnexionRequest {
  readonly logon: ConnexionLogon;
  /** The record bytes only (never the prefix: credentials must not be stored). */
  readonly record: Uint8Array;
  readonly end: RequestEnd;
  /** Byte offset of the request's first byte in the connection stream (spaces before it skipped). */
  readonly offset: number;
  /** Byte offset of the record's first byte in the stream. */
  readonly recordOffset: number;
  /** leader/00-04, when the record starts with 5 digits. */
  readonly declaredLength?: number;
  /** How the prefix encoded its lengths (for logs): `none` = no prefix. */
  readonly lengthForm: "byte" | "decimal" | "none" | "mixed";
}

/**
 * `too-large`: more than `maxRequestBytes` without a complete record (fatal); `bad-length`: a
 * field's length byte is neither a digit nor 0x40 or above (fatal); `no-record`: the request
 * ended after a logon prefix, or inside one, without any record byte.
 * @example
 * ```ts
 * if (error.code === "too-large") socket.end(`Error: ${error.message}\0`);
 * ```
 */
export type RequestErrorCode = "too-large" | "bad-length" | "no-record";

/**
 * A request that cannot be used. After a `fatal` one the parser emits nothing more.
 * @example
 * ```ts
 * // from "A%x"
 * const error: RequestError = {
 *   code: "bad-length",
 *   message: "bad length byte 0x25 after field A at byte 1",
 *   offset: 1,
 *   fatal: true,
 * };
 * ```
 */
export interface RequestError {
  readonly code: RequestErrorCode;
  readonly message: string;
  /** Byte offset in the stream where the problem is. */
  readonly offset: number;
  readonly fatal: boolean;
}

/**
 * What the parser returns: a complete request, or an error.
 * @example
 * ```ts
 * for (const event of parser.push(chunk)) {
 *   if (event.kind === "request") queue.push(event.request);
 *   else log(event.error.message);
 * }
 * ```
 */
export type ParserEvent =
  | { readonly kind: "request"; readonly request: ConnexionRequest }
  | { readonly kind: "error"; readonly error: RequestError };

/**
 * Options of {@link ConnexionRequestParser}.
 * @example
 * ```ts
 * const parser = new ConnexionRequestParser({ maxRequestBytes: 200_000 });
 * ```
 */
export interface RequestParserOptions {
  /**
   * Most bytes of one request's record before it is refused as `too-large`; the logon prefix
   * may take up to {@link MAX_PREFIX_BYTES} more (ISO 2709's largest record, 99,999 bytes,
   * fits whatever prefix is sent).
   * @default 100000
   */
  readonly maxRequestBytes?: number;
}

/** The protocol's bytes, named once. */
const enum Byte {
  Nul = 0x00,
  LineFeed = 0x0a,
  CarriageReturn = 0x0d,
  Space = 0x20,
  Digit0 = 0x30,
  Digit9 = 0x39,
  TagLogonId = 0x41, // "A"
  TagPassword = 0x50, // "P"
  TagUser = 0x55, // "U"
  /** A length byte at or above this is the desktop client's one-byte form: length = byte - 0x40. */
  ByteLengthBase = 0x40,
}

/**
 * Most bytes of a logon prefix, beyond the record's limit: three short values (the desktop
 * client's one-byte lengths allow 191 each).
 */
export const MAX_PREFIX_BYTES = 2_048;

/** Most prefix fields read; a tag byte after them starts the record. */
const MAX_FIELDS = 8;
/** Most digits of a decimal length (lengths beyond 999,999 cannot fit a request). */
const MAX_LENGTH_DIGITS = 6;
/**
 * What a plausible leader shows: digits where ISO 2709 puts numbers — leader/00-04 (record
 * length), 10-11 (indicator count, subfield code length), 12-16 (base address of data), 20-21
 * (length of the length-of-field and starting-position parts). Real records vary in 22-23 (e.g.
 * `4504`), and a leader that is not `22`/`4500` is still a record to read and report on, so
 * those are not required; fourteen digit positions are more than a logon value shows by chance.
 */
const LEADER_CHECKS: readonly (readonly [number, "digit"])[] = [
  0, 1, 2, 3, 4, 10, 11, 12, 13, 14, 15, 16, 20, 21,
].map((position) => [position, "digit"] as const);

const UTF8 = new TextDecoder("utf-8", { ignoreBOM: true });

/**
 * Whether the bytes after a value make a parsable rest of the request: `accept`, `reject`, or
 * a number: the stream must hold bytes up to that offset (exclusive) before it can be told.
 */
type Verdict = "accept" | "reject" | number;

/** One prefix field as read: its tag and where its value stands (stream offsets). */
interface FieldRead {
  readonly tag: number;
  readonly start: number;
  readonly end: number;
  readonly form: "byte" | "decimal";
}

/** The request being read. All positions are stream offsets. */
interface Unfinished {
  readonly offset: number;
  readonly fields: FieldRead[];
  /** Where reading of the prefix goes on. */
  cursor: number;
  /** Prefix reading waits until the stream holds this many bytes. */
  waitFor: number;
  recordOffset: number | undefined;
  /** The record has been searched for its terminator up to here. */
  scanned: number;
  /** Verdicts that more bytes cannot change, by (offset after a value, fields so far). */
  readonly verdicts: Map<number, "accept" | "reject">;
  /** Ends of long space runs, by their start. */
  readonly spaceRuns: Map<number, number>;
  /** Searches for a record terminator inside values, by value start. */
  readonly terminators: Map<number, { scanned: number; found: number }>;
}

/** What a judgement may look at. */
interface Scope {
  /** Bytes at or past this offset are not part of the request (yet). */
  readonly end: number;
  /** The request's bytes are all there (NUL, end of stream, idle). */
  readonly final: boolean;
  /** Bytes at or past this offset would make the request too large. */
  readonly limit: number;
  readonly verdicts: Map<number, "accept" | "reject">;
}

type PrefixStep =
  | { readonly kind: "wait" }
  | { readonly kind: "done" }
  | { readonly kind: "error"; readonly error: RequestError };

function isDigit(byte: number): boolean {
  return byte >= Byte.Digit0 && byte <= Byte.Digit9;
}

function isTag(byte: number): boolean {
  return byte === Byte.TagUser || byte === Byte.TagLogonId || byte === Byte.TagPassword;
}

/** Bytes skipped between requests. */
function isSeparator(byte: number): boolean {
  return (
    byte === Byte.Nul ||
    byte === Byte.Space ||
    byte === Byte.CarriageReturn ||
    byte === Byte.LineFeed
  );
}

/** Whether the logon ID and the password have both been read. */
function logonComplete(fields: readonly FieldRead[]): boolean {
  return (
    fields.some((f) => f.tag === Byte.TagLogonId) && fields.some((f) => f.tag === Byte.TagPassword)
  );
}

function hex(byte: number): string {
  return `0x${byte.toString(16).toUpperCase().padStart(2, "0")}`;
}

/**
 * Splits the bytes of one Connexion connection into requests. `push` takes the next chunk and
 * returns what it completed; `end` and `idle` take what is buffered as it is.
 *
 * @example
 * ```ts
 * const parser = new ConnexionRequestParser();
 * socket.on("data", (chunk) => {
 *   for (const event of parser.push(chunk)) {
 *     if (event.kind === "request") handle(event.request.logon, event.request.record);
 *     else if (event.error.fatal) socket.end(`Error: ${event.error.message}\0`);
 *   }
 * });
 * socket.on("end", () => parser.end().forEach(handleEvent));
 * ```
 */
export class ConnexionRequestParser {
  private readonly maxRequestBytes: number;
  /** Buffered bytes: `buf[0, length)` holds stream offsets `[base, base + length)`. */
  private buf = new Uint8Array(1024);
  private length = 0;
  private base = 0;
  /** Stream offset where the next request is looked for (when none is unfinished). */
  private next = 0;
  private request: Unfinished | undefined;
  private failed = false;
  /** The first NUL at or after `nulFrom`, or -1 when there is none before `nulScanned`. */
  private nulFrom = 0;
  private nulAt = -1;
  private nulScanned = 0;

  constructor(options: RequestParserOptions = {}) {
    this.maxRequestBytes = options.maxRequestBytes ?? 100_000;
  }

  /** Bytes of the current unfinished request (0 = between requests). */
  get pending(): number {
    return this.request && !this.failed ? this.streamEnd() - this.request.offset : 0;
  }

  /** Adds the next chunk; returns the requests and errors it completes, in order. */
  push(chunk: Uint8Array): ParserEvent[] {
    if (this.failed || chunk.length === 0) return [];
    this.append(chunk);
    return this.run(undefined);
  }

  /**
   * The client closed the connection: a request being read is taken as it is (end `eof`) when
   * it has record bytes, else it is a `no-record` error; separators alone give nothing.
   */
  end(): ParserEvent[] {
    return this.failed ? [] : this.run("eof");
  }

  /** The idle timer fired: as {@link end}, with end `idle`; the parser stays usable. */
  idle(): ParserEvent[] {
    return this.failed ? [] : this.run("idle");
  }

  /** Stream offset just past the last buffered byte. */
  private streamEnd(): number {
    return this.base + this.length;
  }

  private at(offset: number): number {
    return this.buf[offset - this.base]!;
  }

  private append(chunk: Uint8Array): void {
    if (this.length + chunk.length > this.buf.length) {
      // Drop the bytes already consumed, then grow when that is not enough.
      const keep = this.request ? this.request.offset : this.next;
      const kept = this.streamEnd() - keep;
      let capacity = this.buf.length;
      while (capacity < kept + chunk.length) capacity *= 2;
      if (capacity === this.buf.length) {
        this.buf.copyWithin(0, keep - this.base, this.length);
      } else {
        const grown = new Uint8Array(capacity);
        grown.set(this.buf.subarray(keep - this.base, this.length));
        this.buf = grown;
      }
      this.base = keep;
      this.length = kept;
    }
    this.buf.set(chunk, this.length);
    this.length += chunk.length;
  }

  /** Reads as many requests as the buffer completes. `final`: the stream ended or went idle. */
  private run(final: "eof" | "idle" | undefined): ParserEvent[] {
    const events: ParserEvent[] = [];
    for (;;) {
      if (!this.request) {
        let at = this.next;
        while (at < this.streamEnd() && isSeparator(this.at(at))) at++;
        this.next = at;
        if (at >= this.streamEnd()) break;
        this.request = {
          offset: at,
          fields: [],
          cursor: at,
          waitFor: 0,
          recordOffset: undefined,
          scanned: at,
          verdicts: new Map(),
          spaceRuns: new Map(),
          terminators: new Map(),
        };
      }
      const request = this.request;
      const limit = this.limitOf(request);
      const nul = this.firstNul(request.offset);
      const endedByNul = nul !== -1 && nul <= limit;
      const endKind: RequestEnd | undefined = endedByNul ? "nul" : final;
      const scope: Scope = {
        end: endedByNul ? nul : Math.min(this.streamEnd(), limit),
        final: endKind !== undefined,
        limit,
        verdicts: endKind !== undefined ? new Map() : request.verdicts,
      };
      const step = this.readPrefix(request, scope);
      if (step.kind === "error") {
        events.push({ kind: "error", error: step.error });
        if (step.error.fatal) {
          this.fail();
          break;
        }
        this.finish(scope.end);
        continue;
      }
      if (step.kind === "done") {
        const recordOffset = request.recordOffset!;
        // The record's own limit, now that it is known where the record starts.
        const recordLimit = this.limitOf(request);
        const byNul = endedByNul && nul <= recordLimit;
        const recordEndKind: RequestEnd | undefined = byNul ? "nul" : final;
        const end = byNul ? nul : Math.min(this.streamEnd(), recordLimit);
        const from = Math.max(request.scanned, recordOffset);
        const found =
          from < end
            ? this.buf
                .subarray(0, end - this.base)
                .indexOf(Iso2709.RecordTerminator, from - this.base)
            : -1;
        if (found !== -1) {
          const end = found + this.base + 1;
          events.push(this.requestEvent(request, end, "terminator"));
          this.finish(end);
          continue;
        }
        request.scanned = end;
        if (recordEndKind !== undefined) {
          events.push(this.requestEvent(request, end, recordEndKind));
          this.finish(end);
          continue;
        }
      }
      const over = this.limitOf(request);
      if (this.streamEnd() > over) {
        const what =
          request.recordOffset !== undefined
            ? `record exceeds ${this.maxRequestBytes.toLocaleString("en-US")} bytes`
            : `request exceeds ${(this.maxRequestBytes + MAX_PREFIX_BYTES).toLocaleString("en-US")} bytes`;
        events.push({
          kind: "error",
          error: {
            code: "too-large",
            message: `${what} at byte ${over} without a complete record`,
            offset: over,
            fatal: true,
          },
        });
        this.fail();
      }
      break;
    }
    this.release();
    return events;
  }

  /**
   * Where the request becomes too large: `maxRequestBytes` past the record's start, or, while
   * the prefix is being read, {@link MAX_PREFIX_BYTES} more past the request's start.
   */
  private limitOf(request: Unfinished): number {
    return request.recordOffset !== undefined
      ? request.recordOffset + this.maxRequestBytes
      : request.offset + MAX_PREFIX_BYTES + this.maxRequestBytes;
  }

  /** The current request is over at `end`; the next one is looked for from there. */
  private finish(end: number): void {
    this.request = undefined;
    this.next = end;
  }

  private fail(): void {
    this.failed = true;
    this.request = undefined;
    this.buf = new Uint8Array(0);
    this.length = 0;
  }

  /** Between requests, a large buffer is given back. */
  private release(): void {
    if (!this.request && this.next >= this.streamEnd() && this.buf.length > 65536) {
      this.buf = new Uint8Array(1024);
      this.base = this.streamEnd();
      this.length = 0;
    }
  }

  /** The first NUL at or after `from` among the buffered bytes, or -1; never rescans a byte. */
  private firstNul(from: number): number {
    if (this.nulAt !== -1 && this.nulAt >= from && this.nulFrom <= from) return this.nulAt;
    const scanFrom =
      this.nulAt === -1 && this.nulFrom <= from ? Math.max(from, this.nulScanned) : from;
    const index = this.buf.subarray(0, this.length).indexOf(Byte.Nul, scanFrom - this.base);
    this.nulFrom = from;
    this.nulAt = index === -1 ? -1 : index + this.base;
    this.nulScanned = this.streamEnd();
    return this.nulAt;
  }

  /** Reads prefix fields from the cursor on, committing each as soon as it is certain. */
  private readPrefix(request: Unfinished, scope: Scope): PrefixStep {
    if (request.recordOffset !== undefined) return { kind: "done" };
    if (!scope.final && this.streamEnd() < request.waitFor) return { kind: "wait" };
    const wait = (offset: number): PrefixStep => {
      request.waitFor = offset;
      return { kind: "wait" };
    };
    for (;;) {
      const q = this.skipSpaces(request, request.cursor, scope.end);
      if (q >= scope.end) {
        return scope.final ? this.noRecord(scope.end, "") : wait(q + 1);
      }
      const tag = this.at(q);
      if (!isTag(tag) || request.fields.length >= MAX_FIELDS) {
        request.recordOffset = q;
        return { kind: "done" };
      }
      if (logonComplete(request.fields)) {
        // After the logon ID and the password, a tag byte that starts a plausible leader
        // (leader/00 aside: it is the tag byte) is a record whose length is damaged.
        const leader = this.judgeLeader(q, scope, { from: 1, cutShort: "reject" });
        if (typeof leader === "number") return wait(leader);
        if (leader === "accept") {
          request.recordOffset = q;
          return { kind: "done" };
        }
      }
      const lengthAt = q + 1;
      if (lengthAt >= scope.end) {
        return scope.final
          ? this.noRecord(
              scope.end,
              `: field ${String.fromCharCode(tag)} at byte ${q} has no length`,
            )
          : wait(lengthAt + 1);
      }
      const first = this.at(lengthAt);
      let field: FieldRead;
      if (first >= Byte.ByteLengthBase || first === Byte.Digit0) {
        const valueLength = first === Byte.Digit0 ? 0 : first - Byte.ByteLengthBase;
        const form = first === Byte.Digit0 ? "decimal" : "byte";
        field = { tag, start: lengthAt + 1, end: lengthAt + 1 + valueLength, form };
      } else if (isDigit(first)) {
        const decided = this.decimalField(request, q, scope);
        if (typeof decided === "number") return wait(decided);
        field = decided;
      } else {
        return {
          kind: "error",
          error: {
            code: "bad-length",
            message: `bad length byte ${hex(first)} after field ${String.fromCharCode(tag)} at byte ${lengthAt}`,
            offset: lengthAt,
            fatal: true,
          },
        };
      }
      if (field.end > scope.end) {
        if (!scope.final) return wait(field.end);
        const arrived = scope.end - field.start;
        return this.noRecord(
          scope.end,
          `: field ${String.fromCharCode(tag)} at byte ${q} says ${field.end - field.start} bytes, ${arrived} arrived`,
        );
      }
      request.fields.push(field);
      request.cursor = field.end;
    }
  }

  /**
   * The field at `q` whose length starts with a digit 1-9: the shortest reading of the digit
   * run whose rest parses, else the greedy one. A number: wait until the stream holds that much.
   */
  private decimalField(request: Unfinished, q: number, scope: Scope): FieldRead | number {
    const tag = this.at(q);
    const count = request.fields.length + 1;
    let valueLength = 0;
    let digits = 0;
    for (; digits < MAX_LENGTH_DIGITS; digits++) {
      const at = q + 1 + digits;
      if (at >= scope.end) {
        if (scope.final) break;
        return at + 1;
      }
      const byte = this.at(at);
      if (!isDigit(byte)) break;
      const candidate = valueLength * 10 + (byte - Byte.Digit0);
      const verdict = this.judgeAfterValue(request, at + 1, at + 1 + candidate, count, scope);
      if (verdict === "accept") {
        return { tag, start: at + 1, end: at + 1 + candidate, form: "decimal" };
      }
      if (typeof verdict === "number") return verdict;
      valueLength = candidate;
    }
    // No reading parses: the greedy one (all digits read), as Koha and FOLIO read it.
    const start = q + 1 + digits;
    return { tag, start, end: start + valueLength, form: "decimal" };
  }

  /**
   * Whether a value read as `[start, at)` makes a reading: it holds no record terminator (the
   * bytes that cannot lie: a logon value never does, so a reading that would swallow the
   * record is refused as soon as its terminator arrives, never waited on), and the rest of the
   * request parses after it (`count` fields so far).
   */
  private judgeAfterValue(
    request: Unfinished,
    start: number,
    at: number,
    count: number,
    scope: Scope,
  ): Verdict {
    if (this.terminatorIn(request, start, Math.min(at, scope.end))) return "reject";
    if (at > scope.end) {
      if (scope.final || at > scope.limit) return "reject";
      return scope.end + 1; // each byte may be the terminator that settles it
    }
    const key = (at - request.offset) * (MAX_FIELDS + 1) + count;
    const known = scope.verdicts.get(key);
    if (known !== undefined) return known;
    const verdict = this.judgeRest(request, at, count, scope);
    if (typeof verdict === "string") scope.verdicts.set(key, verdict);
    return verdict;
  }

  /** Whether a record terminator stands in `[start, end)`; each byte is searched once per start. */
  private terminatorIn(request: Unfinished, start: number, end: number): boolean {
    let search = request.terminators.get(start);
    if (!search) {
      search = { scanned: start, found: -1 };
      request.terminators.set(start, search);
    }
    if (search.found === -1 && search.scanned < end) {
      const index = this.buf
        .subarray(0, end - this.base)
        .indexOf(Iso2709.RecordTerminator, search.scanned - this.base);
      search.found = index === -1 ? -1 : index + this.base;
      search.scanned = end;
    }
    return search.found !== -1 && search.found < end;
  }

  private judgeRest(request: Unfinished, at: number, count: number, scope: Scope): Verdict {
    const q = this.skipSpaces(request, at, scope.end);
    if (q >= scope.end) return this.missing(q, scope, "reject");
    const tag = this.at(q);
    if (!isTag(tag) || count >= MAX_FIELDS) return this.judgeLeader(q, scope);
    const lengthAt = q + 1;
    if (lengthAt >= scope.end) return this.missing(lengthAt, scope, "reject");
    const first = this.at(lengthAt);
    if (first >= Byte.ByteLengthBase) {
      const start = lengthAt + 1;
      return this.judgeAfterValue(
        request,
        start,
        start + first - Byte.ByteLengthBase,
        count + 1,
        scope,
      );
    }
    if (first === Byte.Digit0) {
      return this.judgeAfterValue(request, lengthAt + 1, lengthAt + 1, count + 1, scope);
    }
    if (!isDigit(first)) return "reject";
    let valueLength = 0;
    for (let digits = 0; digits < MAX_LENGTH_DIGITS; digits++) {
      const digitAt = lengthAt + digits;
      if (digitAt >= scope.end) return this.missing(digitAt, scope, "reject");
      const byte = this.at(digitAt);
      if (!isDigit(byte)) break;
      valueLength = valueLength * 10 + (byte - Byte.Digit0);
      const start = digitAt + 1;
      const verdict = this.judgeAfterValue(request, start, start + valueLength, count + 1, scope);
      if (verdict !== "reject") return verdict;
    }
    return "reject";
  }

  /**
   * Whether a plausible MARC leader starts at `q` (which is buffered), judged from leader
   * position `from` on; `cutShort`: the verdict when the request ends inside the leader.
   */
  private judgeLeader(
    q: number,
    scope: Scope,
    options: { readonly from: number; readonly cutShort: "accept" | "reject" } = {
      from: 0,
      cutShort: "accept",
    },
  ): Verdict {
    const present = Math.min(q + Iso2709.LeaderLength, scope.end);
    for (let at = q; at < present; at++) {
      if (this.at(at) === Iso2709.RecordTerminator) return "reject";
    }
    for (const [position, expected] of LEADER_CHECKS) {
      if (position < options.from) continue;
      const at = q + position;
      // Cut short at the end of the request: plausible as far as it goes.
      if (at >= scope.end) return this.missing(at, scope, options.cutShort);
      const byte = this.at(at);
      if (expected === "digit" && !isDigit(byte)) return "reject";
    }
    return "accept";
  }

  /** The verdict when the byte at `at` is not there: `atEnd` if it never will be, else wait. */
  private missing(at: number, scope: Scope, atEnd: "accept" | "reject"): Verdict {
    if (scope.final) return atEnd;
    if (at >= scope.limit) return "reject";
    return at + 1;
  }

  /** The first non-space offset at or after `from`, before `end`. */
  private skipSpaces(request: Unfinished, from: number, end: number): number {
    let at = request.spaceRuns.get(from) ?? from;
    while (at < end && this.at(at) === Byte.Space) at++;
    if (at - from > 16) request.spaceRuns.set(from, at);
    return at;
  }

  private noRecord(end: number, detail: string): PrefixStep {
    return {
      kind: "error",
      error: {
        code: "no-record",
        message: `logon prefix without a record${detail} (ends at byte ${end})`,
        offset: end,
        fatal: false,
      },
    };
  }

  private requestEvent(request: Unfinished, end: number, kind: RequestEnd): ParserEvent {
    const recordOffset = request.recordOffset!;
    const logon: { user?: string; logonId?: string; password?: string } = {};
    const forms = new Set<string>();
    for (const field of request.fields) {
      const value = UTF8.decode(this.buf.subarray(field.start - this.base, field.end - this.base));
      if (field.tag === Byte.TagUser) logon.user = value;
      else if (field.tag === Byte.TagLogonId) logon.logonId = value;
      else logon.password = value;
      forms.add(field.form);
    }
    const record = this.buf.slice(recordOffset - this.base, end - this.base);
    let declaredLength: number | undefined;
    if (record.length >= 5 && record.subarray(0, 5).every(isDigit)) {
      declaredLength = Number(String.fromCharCode(...record.subarray(0, 5)));
    }
    const lengthForm =
      forms.size === 0 ? "none" : forms.size > 1 ? "mixed" : forms.has("byte") ? "byte" : "decimal";
    return {
      kind: "request",
      request: {
        logon,
        record,
        end: kind,
        offset: request.offset,
        recordOffset,
        ...(declaredLength !== undefined ? { declaredLength } : {}),
        lengthForm,
      },
    };
  }
}
