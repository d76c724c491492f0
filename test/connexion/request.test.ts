import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { encodeRequest, type LengthForm } from "../../src/connexion/client.js";
import {
  ConnexionRequestParser,
  MAX_PREFIX_BYTES,
  type ConnexionLogon,
  type ConnexionRequest,
  type ParserEvent,
  type RequestError,
  type RequestParserOptions,
} from "../../src/connexion/request.js";
import { writeIso2709 } from "../../src/marc/iso2709.js";
import type { Field, MarcRecord } from "../../src/marc/record.js";

/** A small bibliographic record as Connexion sends it (UTF-8, leader/20-23 `4500`). */
const RECORD = writeIso2709({
  leader: "00000cam a2200000 a 4500",
  fields: [
    { tag: "001", value: "ocm00012345" },
    { tag: "008", value: "850101s1985    nyu           000 0 eng d" },
    { tag: "245", ind1: "1", ind2: "0", subfields: [{ code: "a", value: "Café au lait" }] },
  ],
});
const SECOND = writeIso2709({
  leader: "00000nam a2200000 i 4500",
  fields: [{ tag: "245", ind1: "0", ind2: "0", subfields: [{ code: "a", value: "Ελληνικά" }] }],
});
/** A record of 99,999 bytes, the most ISO 2709 can say in leader/00-04. */
function largestRecord(): Buffer {
  const build = (last: number): Buffer =>
    writeIso2709({
      leader: "00000nam a2200000 a 4500",
      fields: [
        { tag: "001", value: "ocm99999" },
        ...Array.from({ length: 11 }, (_, i) => ({
          tag: "500",
          ind1: " ",
          ind2: " ",
          subfields: [{ code: "a", value: "x".repeat(i === 10 ? last : 9_000) }],
        })),
      ],
    });
  const probe = build(0);
  return build(99_999 - probe.length);
}

/** The record without its terminator (0x1D). */
const UNTERMINATED = RECORD.subarray(0, RECORD.length - 1);

/** Bytes from parts: strings are taken byte for byte (latin1), so `\x80` is one byte. */
function bytes(...parts: (string | Uint8Array)[]): Buffer {
  return Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "latin1") : p)));
}

/** How the stream is left after its last byte. */
type Finish = "end" | "idle" | "open";

function parse(
  chunks: readonly Uint8Array[],
  finish: Finish,
  options?: RequestParserOptions,
): ParserEvent[] {
  const parser = new ConnexionRequestParser(options);
  const events: ParserEvent[] = [];
  for (const chunk of chunks) events.push(...parser.push(chunk));
  if (finish === "end") events.push(...parser.end());
  if (finish === "idle") events.push(...parser.idle());
  return events;
}

function chunked(input: Uint8Array, size: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < input.length; i += size) chunks.push(input.subarray(i, i + size));
  return chunks;
}

/**
 * The events of `input` read whole; asserts that the same bytes split at every offset, and in
 * 1-, 2- and 3-byte chunks, give the same events.
 */
function events(input: Uint8Array, finish: Finish, options?: RequestParserOptions): ParserEvent[] {
  const whole = parse([input], finish, options);
  for (let cut = 0; cut <= input.length; cut++) {
    const split = parse([input.subarray(0, cut), input.subarray(cut)], finish, options);
    assert.deepEqual(split, whole, `split at ${cut}`);
  }
  for (const size of [1, 2, 3]) {
    assert.deepEqual(parse(chunked(input, size), finish, options), whole, `${size}-byte chunks`);
  }
  return whole;
}

/** An expected request event; the record bytes as the parser gives them (a Uint8Array). */
function request(
  fields: Omit<ConnexionRequest, "record" | "lengthForm" | "end"> &
    Partial<Pick<ConnexionRequest, "lengthForm" | "end">> & { readonly record: Uint8Array },
): ParserEvent {
  const { record, ...rest } = fields;
  const declared =
    record.length >= 5 && /^\d{5}$/.test(Buffer.from(record.subarray(0, 5)).toString("latin1"))
      ? { declaredLength: Number(Buffer.from(record.subarray(0, 5)).toString("latin1")) }
      : {};
  return {
    kind: "request",
    request: {
      end: "terminator",
      lengthForm: "none",
      ...declared,
      ...rest,
      record: new Uint8Array(record),
    },
  };
}

function error(e: RequestError): ParserEvent {
  return { kind: "error", error: e };
}

const KOHA: ConnexionLogon = { logonId: "kohauser", password: "s3cret" };

describe("ConnexionRequestParser: the research note's worked examples (§0.2)", () => {
  test("desktop client, byte lengths: AHkohauserPFs3cret + record", () => {
    assert.deepEqual(events(bytes("AHkohauserPFs3cret", RECORD), "open"), [
      request({ logon: KOHA, record: RECORD, offset: 0, recordOffset: 18, lengthForm: "byte" }),
    ]);
  });

  test("browser / Record Manager, decimal lengths: A8kohauserP6s3cret + record", () => {
    assert.deepEqual(events(bytes("A8kohauserP6s3cret", RECORD), "open"), [
      request({ logon: KOHA, record: RECORD, offset: 0, recordOffset: 18, lengthForm: "decimal" }),
    ]);
  });

  test("browser, empty password: A8kohauserP0 + record (the leader's digits follow the 0)", () => {
    assert.deepEqual(events(bytes("A8kohauserP0", RECORD), "open"), [
      request({
        logon: { logonId: "kohauser", password: "" },
        record: RECORD,
        offset: 0,
        recordOffset: 12,
        lengthForm: "decimal",
      }),
    ]);
  });

  test("logon not sent: the record alone", () => {
    assert.deepEqual(events(RECORD, "open"), [
      request({ logon: {}, record: RECORD, offset: 0, recordOffset: 0 }),
    ]);
  });

  test("the leader's length is reported as declaredLength", () => {
    const [event] = events(RECORD, "open");
    assert.equal(event?.kind === "request" && event.request.declaredLength, RECORD.length);
  });
});

describe("ConnexionRequestParser: FOLIO edge-connexion's cases (ConnexionRequestTest)", () => {
  test("decimal lengths: U5abcdeA2fgP3hij + record", () => {
    assert.deepEqual(events(bytes("U5abcdeA2fgP3hij", RECORD), "open"), [
      request({
        logon: { user: "abcde", logonId: "fg", password: "hij" },
        record: RECORD,
        offset: 0,
        recordOffset: 16,
        lengthForm: "decimal",
      }),
    ]);
  });

  test("byte lengths with spaces between the fields: ' UEabcde ABfg PChij ' + record", () => {
    assert.deepEqual(events(bytes(" UEabcde ABfg PChij ", RECORD), "open"), [
      request({
        logon: { user: "abcde", logonId: "fg", password: "hij" },
        record: RECORD,
        offset: 1,
        recordOffset: 20,
        lengthForm: "byte",
      }),
    ]);
  });

  for (const [length, byte] of [
    [63, 0x7f],
    [64, 0x80],
    [100, 0xa4],
    [191, 0xff],
  ] as const) {
    test(`a long logon ID (an API key) of ${length} bytes: length byte 0x${byte.toString(16).toUpperCase()}`, () => {
      const key = "k".repeat(length - 1) + "!";
      const input = bytes("A", Buffer.from([byte]), key, "PFs3cret", RECORD);
      assert.deepEqual(events(input, "open"), [
        request({
          logon: { logonId: key, password: "s3cret" },
          record: RECORD,
          offset: 0,
          recordOffset: length + 10,
          lengthForm: "byte",
        }),
      ]);
    });
  }

  test("a UTF-8 logon: the length counts bytes (17 for 'testlib user bøf'); two records in one buffer", () => {
    const input = bytes("A17", Buffer.from("testlib user bøf"), RECORD, SECOND);
    assert.deepEqual(events(input, "open"), [
      request({
        logon: { logonId: "testlib user bøf" },
        record: RECORD,
        offset: 0,
        recordOffset: 20,
        lengthForm: "decimal",
      }),
      request({
        logon: {},
        record: SECOND,
        offset: 20 + RECORD.length,
        recordOffset: 20 + RECORD.length,
      }),
    ]);
  });

  test("a UTF-8 logon in byte lengths: 'bøf' is 4 bytes (D)", () => {
    const input = bytes("AD", Buffer.from("bøf"), "P@", RECORD);
    assert.deepEqual(events(input, "open"), [
      request({
        logon: { logonId: "bøf", password: "" },
        record: RECORD,
        offset: 0,
        recordOffset: 8,
        lengthForm: "byte",
      }),
    ]);
  });

  test("P09876 (EDGCONX-11): an empty password, then the record's first bytes", () => {
    assert.deepEqual(events(bytes("P09876"), "end"), [
      request({
        logon: { password: "" },
        record: bytes("9876"),
        offset: 0,
        recordOffset: 2,
        lengthForm: "decimal",
        end: "eof",
      }),
    ]);
  });

  test("P0U3abc (EDGCONX-11): an empty password, then a user; with a record after it", () => {
    assert.deepEqual(events(bytes("P0U3abc", RECORD), "open"), [
      request({
        logon: { password: "", user: "abc" },
        record: RECORD,
        offset: 0,
        recordOffset: 7,
        lengthForm: "decimal",
      }),
    ]);
  });

  test("P0U3abc and the client closes: a prefix without a record", () => {
    assert.deepEqual(events(bytes("P0U3abc"), "end"), [
      error({
        code: "no-record",
        message: "logon prefix without a record (ends at byte 7)",
        offset: 7,
        fatal: false,
      }),
    ]);
  });

  test("a byte-form and a decimal field in one prefix: lengthForm mixed", () => {
    assert.deepEqual(events(bytes("AHkohauserP6s3cret", RECORD), "open"), [
      request({ logon: KOHA, record: RECORD, offset: 0, recordOffset: 18, lengthForm: "mixed" }),
    ]);
  });
});

describe("ConnexionRequestParser: decimal lengths before values that start with digits", () => {
  test("password 2024ab sent as P62024ab: the shortest reading whose rest parses (6)", () => {
    const input = bytes("A8kohauserP62024ab", RECORD);
    assert.deepEqual(events(input, "open"), [
      request({
        logon: { logonId: "kohauser", password: "2024ab" },
        record: RECORD,
        offset: 0,
        recordOffset: 18,
        lengthForm: "decimal",
      }),
    ]);
  });

  test("a 12-byte password of digits (P12123456789012): 1 does not parse, 12 does", () => {
    const input = bytes("P12123456789012", RECORD);
    assert.deepEqual(events(input, "open"), [
      request({
        logon: { password: "123456789012" },
        record: RECORD,
        offset: 0,
        recordOffset: 15,
        lengthForm: "decimal",
      }),
    ]);
  });

  test("an Alma institution code (01ABC_INST) as the logon ID, before a leader ending 4504", () => {
    // Found exporting folio-mod-copycat/marc1.marc: Alma codes start with digits, and real
    // leaders do not all end 4500; the 10-byte reading must still be found.
    const odd = Buffer.from(RECORD);
    odd.write("4504", 20, "latin1");
    const input = bytes("A1001ABC_INSTP6s3cret", odd);
    assert.deepEqual(events(input, "open"), [
      request({
        logon: { logonId: "01ABC_INST", password: "s3cret" },
        record: odd,
        offset: 0,
        recordOffset: 21,
        lengthForm: "decimal",
      }),
    ]);
  });

  test("a password of digits before a logon ID: P3007A8kohauser", () => {
    const input = bytes("P3007A8kohauser", RECORD);
    assert.deepEqual(events(input, "open"), [
      request({
        logon: { password: "007", logonId: "kohauser" },
        record: RECORD,
        offset: 0,
        recordOffset: 15,
        lengthForm: "decimal",
      }),
    ]);
  });

  test("no reading parses (the record is not MARC): the greedy one, as Koha and FOLIO", () => {
    // "P62024ab" + "hello": 6 → "2024ab" then "hello" (no leader); 62, 620, 6202, 62024 → cut.
    assert.deepEqual(events(bytes("P62024abhello\x1d"), "end"), [
      error({
        code: "no-record",
        message:
          "logon prefix without a record: field P at byte 0 says 62024 bytes, 8 arrived (ends at byte 14)",
        offset: 14,
        fatal: false,
      }),
    ]);
  });

  // Found by the property test: "A10" + "U\u030b…" also reads as value "0" and a field U with
  // length byte 0xCC (140 bytes), which would swallow the record. A logon value never holds a
  // record terminator, so that reading is refused when the terminator arrives, not waited on.
  test("a 10-byte logon ID starting with U (decimal): the reading that would swallow the record is refused", () => {
    const logonId = "U\u030b\u0800\u{10000}";
    assert.equal(Buffer.byteLength(logonId), 10);
    assert.deepEqual(events(encodeRequest(RECORD, { logonId }, "decimal"), "open"), [
      request({
        logon: { logonId },
        record: RECORD,
        offset: 0,
        recordOffset: 13,
        lengthForm: "decimal",
      }),
    ]);
  });

  // The one ambiguity backtracking cannot settle: a password that is itself a valid prefix
  // field. "A8kohauser" (10 bytes) sent as P10A8kohauser reads as password "0" followed by a
  // logon ID, since the shorter reading parses. Koha and FOLIO read it right (greedy) but fail
  // on any password starting with a digit. The property test keeps values from holding a tag
  // after their leading digits for this reason.
  test("contrived: password 'A8kohauser' in decimal form reads as password '0' + logon ID", () => {
    const input = encodeRequest(RECORD, { password: "A8kohauser" }, "decimal");
    assert.deepEqual(events(input, "open"), [
      request({
        logon: { password: "0", logonId: "kohauser" },
        record: RECORD,
        offset: 0,
        recordOffset: 13,
        lengthForm: "decimal",
      }),
    ]);
  });
});

describe("ConnexionRequestParser: the end of a request", () => {
  test("a NUL after the record: the record ends at its terminator, the NUL is skipped", () => {
    const parser = new ConnexionRequestParser();
    assert.deepEqual(events(bytes("AHkohauserPFs3cret", RECORD, "\0"), "end"), [
      request({ logon: KOHA, record: RECORD, offset: 0, recordOffset: 18, lengthForm: "byte" }),
    ]);
    parser.push(bytes(RECORD, "\0"));
    assert.equal(parser.pending, 0);
  });

  test("no record terminator but a NUL: the record is what comes before the NUL", () => {
    assert.deepEqual(events(bytes("AHkohauserPFs3cret", UNTERMINATED, "\0"), "open"), [
      request({
        logon: KOHA,
        record: UNTERMINATED,
        offset: 0,
        recordOffset: 18,
        lengthForm: "byte",
        end: "nul",
      }),
    ]);
  });

  test("bytes after a NUL are the next request (here cut short by the close)", () => {
    const input = bytes("AHkohauserPFs3cret", UNTERMINATED, "\0xyz");
    const nul = 18 + UNTERMINATED.length;
    assert.deepEqual(events(input, "end"), [
      request({
        logon: KOHA,
        record: UNTERMINATED,
        offset: 0,
        recordOffset: 18,
        lengthForm: "byte",
        end: "nul",
      }),
      request({
        logon: {},
        record: bytes("xyz"),
        offset: nul + 1,
        recordOffset: nul + 1,
        end: "eof",
      }),
    ]);
  });

  test("a NUL inside a logon value: the request ends there without a record", () => {
    const input = bytes("AHkoha\0", RECORD);
    assert.deepEqual(events(input, "open"), [
      error({
        code: "no-record",
        message:
          "logon prefix without a record: field A at byte 0 says 8 bytes, 4 arrived (ends at byte 6)",
        offset: 6,
        fatal: false,
      }),
      request({ logon: {}, record: RECORD, offset: 7, recordOffset: 7 }),
    ]);
  });

  test("the leader's length too large, a terminator present: the terminator ends the record", () => {
    const wrong = bytes("99999", RECORD.subarray(5));
    assert.deepEqual(events(bytes("A8kohauserP6s3cret", wrong, SECOND), "open"), [
      request({
        logon: KOHA,
        record: wrong,
        offset: 0,
        recordOffset: 18,
        lengthForm: "decimal",
      }),
      request({
        logon: {},
        record: SECOND,
        offset: 18 + RECORD.length,
        recordOffset: 18 + RECORD.length,
      }),
    ]);
  });

  test("the leader's length too small: the record still ends at its terminator", () => {
    const wrong = bytes("00030", RECORD.subarray(5));
    assert.deepEqual(events(wrong, "open"), [
      request({ logon: {}, record: wrong, offset: 0, recordOffset: 0 }),
    ]);
  });

  test("a record whose leader is not a number ends at the first terminator", () => {
    assert.deepEqual(events(bytes("AHkohauserPFs3crethello\x1dworld"), "end"), [
      request({
        logon: KOHA,
        record: bytes("hello\x1d"),
        offset: 0,
        recordOffset: 18,
        lengthForm: "byte",
      }),
      request({ logon: {}, record: bytes("world"), offset: 24, recordOffset: 24, end: "eof" }),
    ]);
  });

  test("the client closes mid-record: the partial record, end eof", () => {
    const half = RECORD.subarray(0, 40);
    assert.deepEqual(events(bytes("AHkohauserPFs3cret", half), "end"), [
      request({
        logon: KOHA,
        record: half,
        offset: 0,
        recordOffset: 18,
        lengthForm: "byte",
        end: "eof",
      }),
    ]);
  });

  test("idle mid-record: the partial record, end idle; the parser goes on afterwards", () => {
    const half = RECORD.subarray(0, 3);
    assert.deepEqual(events(bytes("A8kohauserP6s3cret", half), "idle"), [
      request({
        logon: KOHA,
        record: half,
        offset: 0,
        recordOffset: 18,
        lengthForm: "decimal",
        end: "idle",
      }),
    ]);
    const parser = new ConnexionRequestParser();
    parser.push(bytes("A8kohauserP6s3cret", half));
    assert.equal(parser.pending, 21);
    parser.idle();
    assert.equal(parser.pending, 0);
    assert.deepEqual(parser.push(RECORD), [
      request({ logon: {}, record: RECORD, offset: 21, recordOffset: 21 }),
    ]);
  });

  test("idle with only a logon prefix: no-record (not fatal)", () => {
    assert.deepEqual(events(bytes("AHkohauserPFs3cret"), "idle"), [
      error({
        code: "no-record",
        message: "logon prefix without a record (ends at byte 18)",
        offset: 18,
        fatal: false,
      }),
    ]);
  });

  test("idle inside a logon value: no-record naming the field", () => {
    assert.deepEqual(events(bytes("AHkohauserPFs3"), "idle"), [
      error({
        code: "no-record",
        message:
          "logon prefix without a record: field P at byte 10 says 6 bytes, 2 arrived (ends at byte 14)",
        offset: 14,
        fatal: false,
      }),
    ]);
  });

  test("the client closes after a tag: no-record naming the field", () => {
    assert.deepEqual(events(bytes("AHkohauserP"), "end"), [
      error({
        code: "no-record",
        message:
          "logon prefix without a record: field P at byte 10 has no length (ends at byte 11)",
        offset: 11,
        fatal: false,
      }),
    ]);
  });

  test("only separators (NUL, CR, LF, spaces): nothing, nothing pending", () => {
    const parser = new ConnexionRequestParser();
    assert.deepEqual(parser.push(bytes("\r\n\0  \0")), []);
    assert.equal(parser.pending, 0);
    assert.deepEqual(events(bytes("\r\n\0  \0"), "end"), []);
    assert.deepEqual(events(bytes("\r\n\0  \0"), "idle"), []);
  });

  test("several requests on one connection, NULs and CRLFs between them", () => {
    const first = bytes("AHkohauserPFs3cret", RECORD);
    const second = bytes("A8kohauserP6s3cret", SECOND);
    const input = bytes(first, "\0\r\n", second, "\r\n", RECORD, "\0");
    const third = first.length + 3 + second.length + 2;
    assert.deepEqual(events(input, "end"), [
      request({ logon: KOHA, record: RECORD, offset: 0, recordOffset: 18, lengthForm: "byte" }),
      request({
        logon: KOHA,
        record: SECOND,
        offset: first.length + 3,
        recordOffset: first.length + 3 + 18,
        lengthForm: "decimal",
      }),
      request({ logon: {}, record: RECORD, offset: third, recordOffset: third }),
    ]);
  });

  // Issue 18: such a leader was read as one more logon field ("the logon ID or password is wrong").
  for (const first of ["A", "P", "U"]) {
    test(`after a complete logon, a leader starting with ${first} is the record`, () => {
      const damaged = bytes(first, RECORD.subarray(1));
      for (const prefix of ["A8kohauserP6s3cret", "AHkohauserPFs3cret", "PFs3cretAHkohauser"]) {
        const input = bytes(prefix, damaged);
        const expected = [
          request({
            logon: KOHA,
            record: damaged,
            offset: 0,
            recordOffset: 18,
            lengthForm: prefix.startsWith("A8") ? "decimal" : "byte",
          }),
        ];
        assert.deepEqual(parse([input], "open"), expected, prefix);
        assert.deepEqual(parse(chunked(input, 1), "open"), expected, prefix);
      }
    });
  }

  test("a tag byte after eight fields starts the record", () => {
    const input = bytes("U@".repeat(8), "A@", RECORD);
    assert.deepEqual(events(input, "end"), [
      request({
        logon: { user: "" },
        record: bytes("A@", RECORD),
        offset: 0,
        recordOffset: 16,
        lengthForm: "byte",
      }),
    ]);
  });

  test("pending counts the bytes of the unfinished request", () => {
    const parser = new ConnexionRequestParser();
    assert.equal(parser.pending, 0);
    parser.push(bytes("\r\n AHkoha"));
    assert.equal(parser.pending, 6);
    parser.push(bytes("userPFs3cret", RECORD.subarray(0, 10)));
    assert.equal(parser.pending, 28);
    parser.push(RECORD.subarray(10));
    assert.equal(parser.pending, 0);
  });
});

describe("ConnexionRequestParser: refused requests", () => {
  test("too large (limit 100): a fatal error at the first byte beyond it; nothing after", () => {
    const input = bytes("AHkohauserPFs3cret", "00500", "x".repeat(200), "\x1d", RECORD);
    assert.deepEqual(events(input, "end", { maxRequestBytes: 100 }), [
      error({
        code: "too-large",
        message: "record exceeds 100 bytes at byte 118 without a complete record",
        offset: 118,
        fatal: true,
      }),
    ]);
  });

  test("too large: the limit counts from the record's first byte", () => {
    assert.ok(RECORD.length < 150);
    const input = bytes(RECORD, "\r\n", "A8kohauserP6s3cret", "x".repeat(151));
    const recordOffset = RECORD.length + 2 + 18;
    assert.deepEqual(events(input, "open", { maxRequestBytes: 150 }), [
      request({ logon: {}, record: RECORD, offset: 0, recordOffset: 0 }),
      error({
        code: "too-large",
        message: `record exceeds 150 bytes at byte ${recordOffset + 150} without a complete record`,
        offset: recordOffset + 150,
        fatal: true,
      }),
    ]);
  });

  test("a record of exactly the limit is taken, whatever its prefix; one byte more is refused", () => {
    const input = bytes("A8kohauserP6s3cret", RECORD);
    const limit = { maxRequestBytes: RECORD.length };
    assert.deepEqual(events(input, "open", limit), [
      request({ logon: KOHA, record: RECORD, offset: 0, recordOffset: 18, lengthForm: "decimal" }),
    ]);
    const over = { maxRequestBytes: RECORD.length - 1 };
    assert.deepEqual(events(input, "open", over), [
      error({
        code: "too-large",
        message: `record exceeds ${RECORD.length - 1} bytes at byte ${input.length - 1} without a complete record`,
        offset: input.length - 1,
        fatal: true,
      }),
    ]);
  });

  test("too large (default 100,000): 100,500 bytes without a terminator", () => {
    const input = bytes("AHkohauserPFs3cret", "99999", "A".repeat(100_500));
    const expected = [
      error({
        code: "too-large",
        message: "record exceeds 100,000 bytes at byte 100018 without a complete record",
        offset: 100_018,
        fatal: true,
      }),
    ];
    assert.deepEqual(parse([input], "end"), expected);
    assert.deepEqual(parse(chunked(input, 1), "end"), expected);
    for (const cut of [1, 18, 99_999, 100_018, 100_019]) {
      assert.deepEqual(parse([input.subarray(0, cut), input.subarray(cut)], "end"), expected);
    }
  });

  // Issue 18: the limit counted the logon prefix, so ISO 2709's largest record was refused.
  test("the largest legal record (99,999 bytes) is taken after a full logon prefix", () => {
    const big = largestRecord();
    assert.equal(big.length, 99_999);
    const prefix = `U${String.fromCharCode(0x40 + 191)}${"u".repeat(191)}AHkohauserPFs3cret`;
    const input = bytes(prefix, big);
    const expected = [
      request({
        logon: { user: "u".repeat(191), ...KOHA },
        record: big,
        offset: 0,
        recordOffset: prefix.length,
        lengthForm: "byte",
      }),
    ];
    assert.deepEqual(parse([input], "open"), expected);
    assert.deepEqual(parse(chunked(input, 4096), "open"), expected);
  });

  test("a prefix longer than MAX_PREFIX_BYTES and the record's limit is too large", () => {
    const input = bytes("P999999", "p".repeat(100 + MAX_PREFIX_BYTES));
    assert.deepEqual(events(input, "open", { maxRequestBytes: 100 }), [
      error({
        code: "too-large",
        message: `request exceeds ${(100 + MAX_PREFIX_BYTES).toLocaleString("en-US")} bytes at byte ${100 + MAX_PREFIX_BYTES} without a complete record`,
        offset: 100 + MAX_PREFIX_BYTES,
        fatal: true,
      }),
    ]);
  });

  test("bad length byte: fatal, and the parser emits nothing more", () => {
    assert.deepEqual(events(bytes("A%x", RECORD), "end"), [
      error({
        code: "bad-length",
        message: "bad length byte 0x25 after field A at byte 1",
        offset: 1,
        fatal: true,
      }),
    ]);
    const parser = new ConnexionRequestParser();
    assert.equal(parser.push(bytes(" P\x1f")).length, 1);
    assert.deepEqual(parser.push(RECORD), []);
    assert.deepEqual(parser.end(), []);
    assert.equal(parser.pending, 0);
  });

  test("bad length byte after a field: named with its offset", () => {
    assert.deepEqual(events(bytes("A8kohauserP\x1fs3cret"), "open"), [
      error({
        code: "bad-length",
        message: "bad length byte 0x1F after field P at byte 11",
        offset: 11,
        fatal: true,
      }),
    ]);
  });
});

describe("ConnexionRequestParser: cost", () => {
  test("a 100 KB request in 1-byte chunks is read in linear time", () => {
    const fields: Field[] = [];
    for (let i = 0; fields.length < 400; i++) {
      fields.push({
        tag: "500",
        ind1: " ",
        ind2: " ",
        subfields: [{ code: "a", value: "x".repeat(230) }],
      });
    }
    const big = writeIso2709({ leader: "00000nam a2200000 a 4500", fields });
    const input = bytes("A8kohauserP62024ab", big);
    assert.ok(input.length > 95_000 && input.length <= 100_000, `${input.length} bytes`);
    const started = performance.now();
    const out = parse(chunked(input, 1), "open");
    const ms = performance.now() - started;
    assert.equal(out.length, 1);
    assert.deepEqual(
      out[0],
      request({
        logon: { logonId: "kohauser", password: "2024ab" },
        record: big,
        offset: 0,
        recordOffset: 18,
        lengthForm: "decimal",
      }),
    );
    assert.ok(ms < 2000, `${Math.round(ms)} ms`);
  });
});

describe("ConnexionRequestParser: property", () => {
  /** A NUL ends a request wherever it is, so values hold none. */
  const noNul = (s: string): string => s.replaceAll("\0", "?");
  /** Record values hold no ISO 2709 delimiters. */
  const marcText = (s: string): string => [...s].filter((c) => c < "\x1d" || c > "\x1f").join("");
  const digits = fc.stringMatching(/^[0-9]{1,8}$/);
  const text = fc.string({ unit: "grapheme", maxLength: 30 }).map(noNul);
  /** Logon values: empty, text, any code points (UTF-8), and values that start with digits. */
  const value = fc.oneof(
    fc.constant(""),
    text,
    fc.string({ unit: "binary", maxLength: 20 }).map(noNul),
    fc.tuple(digits, text).map(([d, t]) => d + t),
  );
  const logon = fc.record({ user: value, logonId: value, password: value }, { requiredKeys: [] });
  const leader = fc
    .tuple(fc.constantFrom("n", "c"), fc.constantFrom("a", "m", "z"), fc.constantFrom(" ", "7"))
    .map(([status, type, level]) => `00000${status}${type}m a2200000${level}i 4500`);
  const field: fc.Arbitrary<Field> = fc.oneof(
    fc.record({ tag: fc.constantFrom("001", "005", "008"), value: text.map(marcText) }),
    fc.record({
      tag: fc.constantFrom("020", "100", "245", "500", "650"),
      ind1: fc.constantFrom(" ", "0", "1"),
      ind2: fc.constantFrom(" ", "0", "4"),
      subfields: fc.array(
        fc.record({ code: fc.constantFrom("a", "b", "c"), value: text.map(marcText) }),
        { minLength: 1, maxLength: 3 },
      ),
    }),
  );
  const record: fc.Arbitrary<MarcRecord> = fc.record({
    leader,
    fields: fc.array(field, { maxLength: 6 }),
  });
  const form = fc.constantFrom<LengthForm>("byte", "decimal", "none");
  /**
   * In decimal form, a value of 10 bytes or more holds no tag letter or space: with them it
   * could be a prefix of its own, the one reading backtracking cannot settle (the contrived
   * case above). 200,000 runs without this found none; it keeps the property from ever being
   * flaky.
   */
  const sendable = (l: ConnexionLogon, f: LengthForm): ConnexionLogon =>
    f !== "decimal"
      ? l
      : Object.fromEntries(
          Object.entries(l).map(([k, v]) => [
            k,
            typeof v === "string" && Buffer.byteLength(v) >= 10 ? v.replace(/[UAP ]/g, "x") : v,
          ]),
        );

  test("random logons × records × forms, in random chunks: the logon and the record bytes back", () => {
    fc.assert(
      fc.property(logon, record, form, fc.array(fc.nat(), { maxLength: 8 }), (l, r, f, cuts) => {
        const values = [l.user, l.logonId, l.password];
        fc.pre(f !== "byte" || values.every((v) => v === undefined || Buffer.byteLength(v) <= 191));
        const logon = sendable(l, f);
        const bytesOut = writeIso2709(r);
        const input = encodeRequest(bytesOut, logon, f);
        const points = [...new Set(cuts.map((c) => c % (input.length + 1)))].sort((a, b) => a - b);
        const chunks: Uint8Array[] = [];
        let from = 0;
        for (const p of points) {
          chunks.push(input.subarray(from, p));
          from = p;
        }
        chunks.push(input.subarray(from));
        const out = parse(chunks, "open");
        assert.equal(out.length, 1);
        const event = out[0]!;
        assert.equal(event.kind, "request");
        if (event.kind !== "request") return;
        const expected: ConnexionLogon =
          f === "none"
            ? {}
            : Object.fromEntries(Object.entries(logon).filter(([, v]) => v !== undefined));
        assert.deepEqual({ ...event.request.logon }, expected);
        assert.deepEqual(event.request.record, new Uint8Array(bytesOut));
        assert.equal(event.request.end, "terminator");
      }),
      { numRuns: 2000 },
    );
  });
});
