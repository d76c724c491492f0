import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  Iso2709Framer,
  iso2709Fits,
  readIso2709,
  readIso2709Buffer,
  readIso2709Frames,
  writeIso2709,
  type Iso2709Frame,
} from "../../src/marc/iso2709.js";
import type { MarcIssue, ReadResult } from "../../src/marc/issue.js";
import type { MarcRecord } from "../../src/marc/record.js";
import { timeGrowth } from "../_timing.js";

const FT = "\x1e";
const SD = "\x1f";
const RT = "\x1d";

/** Builds a well-formed ISO 2709 record by hand (independently of the writer). */
function rawRecord(
  fields: [string, string][],
  leader = "     nam a22     4a 4500",
  encoding: "utf8" | "latin1" = "utf8",
): Buffer {
  const datas = fields.map(([, d]) => Buffer.from(d + FT, encoding));
  let dir = "";
  let start = 0;
  fields.forEach(([tag], i) => {
    const len = datas[i]!.length;
    dir += tag + String(len).padStart(4, "0") + String(start).padStart(5, "0");
    start += len;
  });
  const base = 24 + dir.length + 1;
  const total = base + start + 1;
  const head =
    String(total).padStart(5, "0") +
    leader.slice(5, 12) +
    String(base).padStart(5, "0") +
    leader.slice(17) +
    dir +
    FT;
  return Buffer.concat([Buffer.from(head, "latin1"), ...datas, Buffer.from(RT, "latin1")]);
}

const BOOK: [string, string][] = [
  ["001", "ocm00012345"],
  ["008", "850101s1985    nyu           000 0 eng d"],
  ["020", `  ${SD}a0060128003`],
  ["245", `10${SD}aCafé au lait :${SD}bun récit /${SD}cJ. Müller.`],
  ["880", `10${SD}6245-01${SD}a中国`],
];

async function readAll(bytes: Uint8Array, chunkSize?: number): Promise<ReadResult<MarcRecord>[]> {
  const chunks: Uint8Array[] = [];
  if (chunkSize === undefined) chunks.push(bytes);
  else
    for (let i = 0; i < bytes.length; i += chunkSize) chunks.push(bytes.subarray(i, i + chunkSize));
  const out: ReadResult<MarcRecord>[] = [];
  for await (const r of readIso2709(chunks)) out.push(r);
  return out;
}

function only(issues: readonly MarcIssue[]): Pick<MarcIssue, "severity" | "offset" | "message">[] {
  return issues.map(({ severity, offset, message }) => ({ severity, offset, message }));
}

describe("readIso2709: well-formed records", () => {
  test("reads leader, control fields, indicators and subfields in order", async () => {
    const [r] = await readAll(rawRecord(BOOK));
    assert.deepEqual(r!.issues, []);
    assert.equal(r!.record!.leader.length, 24);
    assert.deepEqual(r!.record!.fields[0], { tag: "001", value: "ocm00012345" });
    assert.deepEqual(r!.record!.fields[3], {
      tag: "245",
      ind1: "1",
      ind2: "0",
      subfields: [
        { code: "a", value: "Café au lait :" },
        { code: "b", value: "un récit /" },
        { code: "c", value: "J. Müller." },
      ],
    });
    assert.deepEqual(r!.record!.fields[4], {
      tag: "880",
      ind1: "1",
      ind2: "0",
      subfields: [
        { code: "6", value: "245-01" },
        { code: "a", value: "中国" },
      ],
    });
  });

  test("writes a read record back byte for byte", async () => {
    const bytes = rawRecord(BOOK);
    const [r] = await readAll(bytes);
    assert.deepEqual(writeIso2709(r!.record!), bytes);
  });

  test("keeps field order exactly, control fields after data fields included", async () => {
    const bytes = rawRecord([
      ["245", `00${SD}aT`],
      ["001", "x"],
      ["020", `  ${SD}a1`],
      ["008", "y"],
    ]);
    const [r] = await readAll(bytes);
    assert.deepEqual(
      r!.record!.fields.map((f) => f.tag),
      ["245", "001", "020", "008"],
    );
    assert.deepEqual(writeIso2709(r!.record!), bytes);
  });

  test("keeps a subfield with an empty value", async () => {
    const [r] = await readAll(rawRecord([["500", `  ${SD}a${SD}bx`]]));
    assert.deepEqual(r!.issues, []);
    assert.deepEqual(r!.record!.fields[0], {
      tag: "500",
      ind1: " ",
      ind2: " ",
      subfields: [
        { code: "a", value: "" },
        { code: "b", value: "x" },
      ],
    });
  });

  test("gives offsets and indexes of consecutive records", async () => {
    const a = rawRecord(BOOK);
    const b = rawRecord([["001", "2"]]);
    const rs = await readAll(Buffer.concat([a, b]));
    assert.deepEqual(
      rs.map((r) => [r.index, r.offset]),
      [
        [0, 0],
        [1, a.length],
      ],
    );
  });

  test("a newline after each record (common in files) is skipped without an issue", async () => {
    const a = rawRecord(BOOK);
    const rs = await readAll(Buffer.concat([a, Buffer.from("\n"), a, Buffer.from("\n")]));
    assert.equal(rs.length, 2);
    assert.deepEqual(
      rs.flatMap((r) => r.issues),
      [],
    );
  });
});

describe("readIso2709: chunking", () => {
  const a = rawRecord(BOOK);
  const b = rawRecord([
    ["001", "second"],
    ["245", `00${SD}aΕλληνικά`],
  ]);
  const both = Buffer.concat([a, b]);

  test("the stream split at every offset gives the same records", async () => {
    const whole = await readAll(both);
    for (let cut = 0; cut <= both.length; cut++) {
      const out: ReadResult<MarcRecord>[] = [];
      for await (const r of readIso2709([both.subarray(0, cut), both.subarray(cut)])) out.push(r);
      assert.deepEqual(out, whole, `split at ${cut}`);
    }
  });

  for (const size of [1, 2, 3, 7]) {
    test(`the stream in ${size}-byte chunks gives the same records`, async () => {
      assert.deepEqual(await readAll(both, size), await readAll(both));
    });
  }

  // Issue 18: every 1-byte chunk rescanned and copied all pending bytes (100 KB: 2.8 s).
  test("1-byte chunks of junk take time linear in their length", async () => {
    const feed = (size: number): void => {
      const framer = new Iso2709Framer();
      const junk = Buffer.alloc(size, 0x41);
      for (let i = 0; i < size; i++) framer.push(junk.subarray(i, i + 1));
      const frames = framer.end();
      assert.equal(frames.length, 1);
    };
    const { ratio, smallMs, largeMs } = await timeGrowth(feed, { small: 12_500, large: 50_000 });
    // Four times the bytes: about 4 if linear, 16 if quadratic.
    assert.ok(ratio < 8, `12.5 KB: ${smallMs.toFixed(1)} ms, 50 KB: ${largeMs.toFixed(1)} ms`);
  });

  test("a framer holds back an incomplete record until the rest arrives", () => {
    const framer = new Iso2709Framer();
    assert.deepEqual(framer.push(a.subarray(0, 10)), []);
    const frames = framer.push(a.subarray(10));
    assert.equal(frames.length, 1);
    assert.deepEqual(frames[0]!.bytes, a);
    assert.deepEqual(framer.end(), []);
  });

  test("the synchronous buffer reader gives the same records", async () => {
    assert.deepEqual([...readIso2709Buffer(both)], await readAll(both));
  });
});

describe("readIso2709: malformed input", () => {
  test("leader length too large: record taken up to its terminator", async () => {
    const bad = rawRecord(BOOK);
    bad.write("99999", 0, "latin1");
    const good = rawRecord([["001", "next"]]);
    const rs = await readAll(Buffer.concat([bad, good]));
    assert.equal(rs.length, 2);
    assert.deepEqual(only(rs[0]!.issues), [
      {
        severity: "major",
        offset: 0,
        message: `leader/00-04 says 99999 bytes but the record terminator comes after ${bad.length} bytes`,
      },
    ]);
    assert.equal(rs[0]!.record!.fields.length, BOOK.length);
    assert.deepEqual(rs[1]!.record!.fields, [{ tag: "001", value: "next" }]);
  });

  test("leader length too small: record taken up to its terminator", async () => {
    const bad = rawRecord(BOOK);
    bad.write("00100", 0, "latin1");
    const [r] = await readAll(bad);
    assert.equal(
      r!.issues[0]!.message,
      `leader/00-04 says 100 bytes but the record terminator comes after ${bad.length} bytes`,
    );
    assert.equal(r!.record!.fields.length, BOOK.length);
  });

  test("leader length not a number", async () => {
    const bad = rawRecord(BOOK);
    bad.write("0x1A3", 0, "latin1");
    const [r] = await readAll(bad);
    assert.deepEqual(only(r!.issues), [
      {
        severity: "major",
        offset: 0,
        message: `leader/00-04 is not a number ("0x1A3"); record taken up to its terminator (${bad.length} bytes)`,
      },
    ]);
    assert.equal(r!.record!.fields.length, BOOK.length);
  });

  test("record terminator missing, next record follows", async () => {
    const a = rawRecord(BOOK);
    const cut = a.subarray(0, a.length - 1);
    const rs = await readAll(Buffer.concat([cut, Buffer.from("X"), rawRecord([["001", "n"]])]));
    assert.equal(rs.length, 2);
    assert.deepEqual(only(rs[0]!.issues), [
      {
        severity: "major",
        offset: a.length - 1,
        message: `record terminator (1D) missing at end of record (leader/00-04 says ${a.length} bytes)`,
      },
    ]);
    assert.deepEqual(rs[1]!.record!.fields, [{ tag: "001", value: "n" }]);
  });

  test("truncated last record: salvaged fields and an issue at the end of input", async () => {
    const a = rawRecord(BOOK);
    const cut = a.subarray(0, a.length - 20);
    const rs = await readAll(Buffer.concat([rawRecord([["001", "first"]]), cut]));
    assert.equal(rs.length, 2);
    const second = rs[1]!;
    assert.equal(second.issues[0]!.severity, "major");
    assert.equal(
      second.issues[0]!.message,
      `truncated record: leader/00-04 says ${a.length} bytes but input ends after ${cut.length}`,
    );
    assert.deepEqual(
      second.record!.fields.map((f) => f.tag),
      ["001", "008", "020", "245", "880"].slice(0, second.record!.fields.length),
    );
    assert.ok(second.record!.fields.length >= 3);
  });

  test("a few stray bytes at the end of input are a fatal issue, not a crash", async () => {
    const rs = await readAll(Buffer.concat([rawRecord([["001", "a"]]), Buffer.from("12")]));
    assert.equal(rs.length, 2);
    assert.equal(rs[1]!.record, undefined);
    assert.deepEqual(only(rs[1]!.issues), [
      {
        severity: "fatal",
        offset: 0 + rawRecord([["001", "a"]]).length,
        message: "truncated record: only 2 byte(s) at end of input",
      },
    ]);
  });

  test("junk between records is skipped and reported", async () => {
    const a = rawRecord([["001", "a"]]);
    const rs = await readAll(Buffer.concat([a, Buffer.from("\r\n\r\n"), a]));
    assert.deepEqual(only(rs[1]!.issues), [
      { severity: "minor", offset: a.length, message: "4 byte(s) between records skipped" },
    ]);
  });

  test("frames are the records' bytes, decoded on demand as readIso2709 reads them, again on each call", async () => {
    const a = rawRecord(BOOK);
    const bad = rawRecord(BOOK);
    bad.write("00050", 12, "latin1");
    const input = Buffer.concat([a, Buffer.from("\r\n\r\n"), bad]);
    const frames: Iso2709Frame[] = [];
    for await (const frame of readIso2709Frames([input.subarray(0, 7), input.subarray(7)])) {
      frames.push(frame);
    }
    assert.deepEqual(
      frames.map((f) => [f.offset, f.index, f.bytes.length]),
      [
        [0, 0, a.length],
        [a.length + 4, 1, bad.length],
      ],
    );
    assert.ok(frames[1]!.bytes.equals(bad));
    const read = await readAll(input);
    for (const [i, frame] of frames.entries()) {
      // Each call gives the same result: its issues are not counted twice.
      assert.deepEqual(frame.decode(), read[i]);
      assert.deepEqual(frame.decode(), read[i]);
    }
  });

  test("base address disagrees with the directory", async () => {
    const bad = rawRecord(BOOK);
    const real = bad.latin1Slice(12, 17);
    bad.write("00050", 12, "latin1");
    const [r] = await readAll(bad);
    assert.deepEqual(only(r!.issues), [
      {
        severity: "major",
        offset: 12,
        message: `leader/12-16 (base address) says 50 but the directory ends at ${Number(real)}; using ${Number(real)}`,
      },
    ]);
    assert.equal(r!.record!.fields.length, BOOK.length);
  });

  test("directory length disagrees with the field terminator: the terminator wins", async () => {
    const bad = rawRecord(BOOK);
    // 245 is the fourth entry: make its length 5 bytes too long.
    const entry = 24 + 3 * 12;
    const len = Number(bad.latin1Slice(entry + 3, entry + 7));
    bad.write(String(len + 5).padStart(4, "0"), entry + 3, "latin1");
    const [r] = await readAll(bad);
    assert.equal(r!.issues.length, 1);
    assert.equal(r!.issues[0]!.tag, "245");
    assert.equal(
      r!.issues[0]!.message,
      `directory length ${len + 5} disagrees with the field terminator after ${len} bytes; the terminator wins`,
    );
    assert.deepEqual(r!.record!.fields[3], {
      tag: "245",
      ind1: "1",
      ind2: "0",
      subfields: [
        { code: "a", value: "Café au lait :" },
        { code: "b", value: "un récit /" },
        { code: "c", value: "J. Müller." },
      ],
    });
  });

  test("missing field terminator in the last field", async () => {
    const good = rawRecord([
      ["001", "a"],
      ["500", `  ${SD}anote`],
    ]);
    // Remove the 500's field terminator (the byte before the record terminator).
    const bad = Buffer.concat([good.subarray(0, good.length - 2), good.subarray(good.length - 1)]);
    bad.write(String(bad.length).padStart(5, "0"), 0, "latin1");
    const [r] = await readAll(bad);
    assert.deepEqual(r!.record!.fields[1], {
      tag: "500",
      ind1: " ",
      ind2: " ",
      subfields: [{ code: "a", value: "note" }],
    });
    assert.equal(
      r!.issues[0]!.message,
      "field ends with a record terminator (1D) instead of a field terminator (1E)",
    );
    assert.equal(r!.issues[0]!.tag, "500");
  });

  test("directory entry with a non-numeric length stops the directory", async () => {
    const bad = rawRecord(BOOK);
    bad.write("00x1", 24 + 2 * 12 + 3, "latin1");
    const [r] = await readAll(bad);
    assert.deepEqual(
      r!.record!.fields.map((f) => f.tag),
      ["001", "008"],
    );
    assert.equal(r!.issues[0]!.offset, 24 + 2 * 12);
    assert.equal(r!.issues[0]!.tag, "020");
  });

  test("invalid UTF-8 is replaced, with the offset of the bad byte", async () => {
    const good = rawRecord([["245", `00${SD}aabc`]]);
    const at = good.indexOf("abc") + 1;
    good[at] = 0xff;
    const [r] = await readAll(good);
    assert.deepEqual(only(r!.issues), [
      { severity: "major", offset: at, message: "invalid UTF-8; bad bytes replaced with U+FFFD" },
    ]);
    assert.equal(r!.issues[0]!.tag, "245");
    assert.deepEqual(r!.record!.fields[0], {
      tag: "245",
      ind1: "0",
      ind2: "0",
      subfields: [{ code: "a", value: "a\uFFFDc" }],
    });
  });

  test("a record over 99,999 bytes is read whole and reported", async () => {
    const fields: [string, string][] = [];
    for (let i = 0; i < 12; i++) fields.push(["500", `  ${SD}a${"x".repeat(9000)}`]);
    const big = rawRecord(fields); // its length no longer fits in 5 digits
    assert.ok(big.length > 99999);
    const rs = await readAll(Buffer.concat([big, rawRecord([["001", "after"]])]), 4096);
    assert.equal(rs.length, 2);
    assert.equal(rs[0]!.record!.fields.length, 12);
    assert.ok(
      rs[0]!.issues.some(
        (i) => i.message === `record is ${big.length} bytes, more than the 99999 ISO 2709 allows`,
      ),
    );
    assert.deepEqual(rs[1]!.record!.fields, [{ tag: "001", value: "after" }]);
  });

  test("indicators missing", async () => {
    const [r] = await readAll(rawRecord([["245", `${SD}aTitle`]]));
    assert.deepEqual(only(r!.issues), [
      { severity: "major", offset: 24 + 12 + 1, message: "indicators missing; both set to blank" },
    ]);
    assert.deepEqual(r!.record!.fields[0], {
      tag: "245",
      ind1: " ",
      ind2: " ",
      subfields: [{ code: "a", value: "Title" }],
    });
  });

  test("one byte between indicators and the first subfield (a third indicator) is dropped and quoted", async () => {
    const [r] = await readAll(rawRecord([["260", `  0${SD}aParis`]]));
    assert.deepEqual(only(r!.issues), [
      {
        severity: "major",
        offset: 24 + 12 + 1 + 2,
        message: '1 byte between the indicators and the first subfield dropped: "0"',
      },
    ]);
    assert.deepEqual(r!.record!.fields[0], {
      tag: "260",
      ind1: " ",
      ind2: " ",
      subfields: [{ code: "a", value: "Paris" }],
    });
  });

  test("text with no delimiter and code before it is kept as subfield $a", async () => {
    const [r] = await readAll(rawRecord([["250", `  2η εκδ.${SD}bx`]]));
    assert.deepEqual(only(r!.issues), [
      {
        severity: "major",
        offset: 24 + 12 + 1 + 2,
        message:
          "11 bytes of data with no subfield delimiter and code before them; kept as subfield $a",
      },
    ]);
    assert.deepEqual(r!.record!.fields[0], {
      tag: "250",
      ind1: " ",
      ind2: " ",
      subfields: [
        { code: "a", value: "2η εκδ." },
        { code: "b", value: "x" },
      ],
    });
  });

  test("leader/10 gives the number of indicators, and a 00X field with subfields is a data field", async () => {
    const bytes = rawRecord([["001", `001${SD}a9 181${SD}bx`]], "     nam a32     4a 4500");
    const [r] = await readAll(bytes);
    assert.deepEqual(r!.record!.fields[0], {
      tag: "001",
      ind1: "0",
      ind2: "0",
      subfields: [
        { code: "a", value: "9 181" },
        { code: "b", value: "x" },
      ],
    });
    assert.deepEqual(
      r!.issues.map((i) => i.message),
      [
        'leader/10-11 is "32", not "22" (indicator count, subfield code length)',
        "control field holds indicators and subfields; read as a data field",
        '1 byte between the indicators and the first subfield dropped: "1"',
      ],
    );
  });

  test("a non-ASCII indicator in a UTF-8 record is kept as one character", async () => {
    const [r] = await readAll(rawRecord([["092", ` á${SD}aDVD`]]));
    assert.deepEqual(only(r!.issues), [
      { severity: "minor", offset: 24 + 12 + 1 + 1, message: "indicator 'á' is not ASCII" },
    ]);
    assert.deepEqual(r!.record!.fields[0], {
      tag: "092",
      ind1: " ",
      ind2: "á",
      subfields: [{ code: "a", value: "DVD" }],
    });
  });

  test("field data out of directory order is read and reported (it cannot round-trip byte for byte)", async () => {
    const good = rawRecord([
      ["001", "a"],
      ["002", "b"],
    ]);
    // Swap the two directory entries: data order now differs from directory order.
    const e1 = good.subarray(24, 36).toString("latin1");
    const e2 = good.subarray(36, 48).toString("latin1");
    good.write(e2 + e1, 24, "latin1");
    const [r] = await readAll(good);
    assert.deepEqual(r!.record!.fields, [
      { tag: "002", value: "b" },
      { tag: "001", value: "a" },
    ]);
    assert.equal(
      r!.issues[0]!.message,
      "field data is not in directory order (starts at 2, not 0); it will be written back in directory order",
    );
  });

  test("an empty subfield (two delimiters in a row) is dropped", async () => {
    const [r] = await readAll(rawRecord([["245", `00${SD}${SD}aT`]]));
    assert.equal(r!.issues[0]!.message, "empty subfield (delimiter without a code) dropped");
    assert.deepEqual(r!.record!.fields[0], {
      tag: "245",
      ind1: "0",
      ind2: "0",
      subfields: [{ code: "a", value: "T" }],
    });
  });

  test("garbage never hangs or crashes the reader", async () => {
    const garbage = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919 + 13) % 256));
    const rs = await readAll(Buffer.concat([garbage, rawRecord([["001", "survivor"]])]), 333);
    assert.ok(rs.length >= 1);
    assert.ok(rs.some((r) => r.record?.fields.some((f) => "value" in f && f.value === "survivor")));
  });
});

describe("readIso2709: MARC-8 records", () => {
  test("marc8: keep reads each byte as one character and writes it back unchanged", async () => {
    // MARC-8 "Café": the combining acute (E2) precedes its base letter.
    const latin = rawRecord([["245", `00${SD}aCaf\xe2e`]], "     nam  22     4a 4500", "latin1");
    const rs: ReadResult<MarcRecord>[] = [];
    for await (const r of readIso2709([latin], { marc8: "keep" })) rs.push(r);
    assert.deepEqual(rs[0]!.issues, []);
    assert.equal(rs[0]!.record!.leader[9], " ");
    assert.deepEqual(writeIso2709(rs[0]!.record!, { marc8: "keep" }), latin);
  });

  test("a record labelled MARC-8 whose bytes are UTF-8 is read as UTF-8", async () => {
    const bytes = rawRecord([["245", `00${SD}aՀայերեն`]], "     nam  22     4a 4500");
    const [r] = await readAll(bytes);
    assert.equal(r!.record!.leader[9], "a");
    assert.deepEqual(r!.record!.fields[0], {
      tag: "245",
      ind1: "0",
      ind2: "0",
      subfields: [{ code: "a", value: "Հայերեն" }],
    });
    assert.equal(r!.issues[0]!.offset, 9);
  });
});

describe("writeIso2709", () => {
  test("computes record length and base address, keeps the other leader positions", () => {
    const record: MarcRecord = {
      leader: "XXXXXcam a22YYYYY1i 4500",
      fields: [{ tag: "001", value: "1" }],
    };
    const bytes = writeIso2709(record);
    assert.equal(bytes.latin1Slice(0, 24), "00040cam a22000371i 4500");
    assert.equal(bytes.length, 40);
  });

  test("refuses a record over 99,999 bytes", () => {
    const record: MarcRecord = {
      leader: "00000nam a2200000 a 4500",
      fields: Array.from({ length: 11 }, () => ({
        tag: "500",
        ind1: " ",
        ind2: " ",
        subfields: [{ code: "a", value: "x".repeat(9500) }],
      })),
    };
    assert.equal(iso2709Fits(record), "record is 104713 bytes; ISO 2709 allows 99999");
    assert.throws(() => writeIso2709(record), /record is 104713 bytes; ISO 2709 allows 99999/);
  });

  test("writes Unicode text as UTF-8 and says so in leader/09, whatever the record claimed", () => {
    const record: MarcRecord = {
      leader: "00000nam  2200000 a 4500",
      fields: [{ tag: "245", ind1: "0", ind2: "0", subfields: [{ code: "a", value: "中é" }] }],
    };
    const bytes = writeIso2709(record);
    assert.equal(bytes[9], 0x61);
    assert.ok(bytes.includes(Buffer.from("中é", "utf8")));
  });

  test("with marc8: keep, refuses a character above U+00FF in a record kept as MARC-8 bytes", () => {
    const record: MarcRecord = {
      leader: "00000nam  2200000 a 4500",
      fields: [{ tag: "245", ind1: "0", ind2: "0", subfields: [{ code: "a", value: "中" }] }],
    };
    assert.equal(
      iso2709Fits(record, { marc8: "keep" }),
      "field 245 holds a character above U+00FF in a record kept as MARC-8 bytes (leader/09 blank)",
    );
  });

  test("with marc8: keep, a field's length is its characters, one byte each, even beside a field it refuses", () => {
    // 6,000 × é: 6,000 bytes kept as MARC-8 (12,000 in UTF-8, over the 9,999 a field may have).
    const note = { code: "a", value: "é".repeat(6000) };
    const record: MarcRecord = {
      leader: "00000nam  2200000 a 4500",
      fields: [{ tag: "500", ind1: " ", ind2: " ", subfields: [note] }],
    };
    assert.equal(iso2709Fits(record, { marc8: "keep" }), undefined);
    const refused: MarcRecord = {
      ...record,
      fields: [
        ...record.fields,
        { tag: "245", ind1: "0", ind2: "0", subfields: [{ code: "a", value: "中" }] },
      ],
    };
    assert.equal(
      iso2709Fits(refused, { marc8: "keep" }),
      "field 245 holds a character above U+00FF in a record kept as MARC-8 bytes (leader/09 blank)",
    );
  });
});
