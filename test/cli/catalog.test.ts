import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { openSqliteCatalog } from "../../src/catalog/sqlite.js";
import { readFormat } from "../../src/marc/formats.js";
import { writeIso2709 } from "../../src/marc/iso2709.js";
import type { MarcRecord } from "../../src/marc/record.js";

const main = resolve(dirname(fileURLToPath(import.meta.url)), "../../src/cli/main.js");
const dir = mkdtempSync(join(tmpdir(), "marcgate-cli-catalog-"));
const data = join(dir, "data");
after(() => rmSync(dir, { recursive: true, force: true }));

function marcgate(
  args: string[],
  input?: Buffer,
): { status: number | null; stdout: string; bytes: Buffer; stderr: string } {
  const r = spawnSync(process.execPath, [main, ...args], { input });
  return {
    status: r.status,
    stdout: r.stdout.toString(),
    bytes: r.stdout,
    stderr: r.stderr.toString(),
  };
}

/** A small book record; `level` is leader/17. */
function book(n: number, title: string, author: string, isbn: string, level = " "): MarcRecord {
  return {
    leader: `00000nam a22000003${level}4500`.slice(0, 17) + level + "i 4500".slice(0, 6),
    fields: [
      { tag: "001", value: `ocm0000010${n}` },
      { tag: "003", value: "OCoLC" },
      { tag: "005", value: `2024010112000${n}.0` },
      { tag: "008", value: `850101s199${n}    sz            000 0 ger d` },
      { tag: "020", ind1: " ", ind2: " ", subfields: [{ code: "a", value: isbn }] },
      { tag: "100", ind1: "1", ind2: " ", subfields: [{ code: "a", value: author }] },
      { tag: "245", ind1: "1", ind2: "0", subfields: [{ code: "a", value: title }] },
    ],
  };
}

const RECORDS = [
  book(1, "Zürich streets", "Keller, Gottfried", "0-06-012800-3"),
  book(2, "Der grüne Heinrich", "Keller, Gottfried", "080442957x", "7"),
  book(3, "Lake Geneva", "Ramuz, C. F.", "9780306406157", "8"),
];
const ISO = Buffer.concat(RECORDS.map((r) => writeIso2709(r)));
const TRUNCATED = Buffer.from("12"); // a fatal record: two bytes at the end of the input
const FILE = join(dir, "load.mrc");
writeFileSync(FILE, Buffer.concat([ISO, TRUNCATED]));
const at = (...args: string[]): string[] => [...args, "--data", data];

/** MMS IDs in load order, filled by the load case. */
let mmsIds: string[] = [];

describe("marcgate catalog commands", () => {
  test("network add and institution add print the zone with its suffix", () => {
    const nz = marcgate(at("network", "add", "01ABC_NETWORK", "--name", "ABC Network"));
    assert.equal(nz.status, 0, nz.stderr);
    assert.equal(
      nz.stdout,
      'added network zone 01ABC_NETWORK "ABC Network" (MMS ID suffix 1001)\n',
    );
    const iz = marcgate(
      at(
        "institution",
        "add",
        "01ABC_INST",
        "--name",
        "ABC University",
        "--network",
        "01ABC_NETWORK",
      ),
    );
    assert.equal(iz.status, 0, iz.stderr);
    assert.equal(
      iz.stdout,
      'added institution 01ABC_INST "ABC University" (MMS ID suffix 1002, network 01ABC_NETWORK)\n',
    );
  });

  test("institution list shows code, name, kind, suffix and network", () => {
    const r = marcgate(at("institution", "list"));
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.stdout.split("\n"), [
      "code           name            kind         suffix  network",
      "01ABC_INST     ABC University  institution  1002    01ABC_NETWORK",
      "01ABC_NETWORK  ABC Network     network      1001",
      "",
    ]);
  });

  test("load gives every record an MMS ID, reports the unreadable one with its offset, exits 1", () => {
    const r = marcgate(at("load", FILE, "--institution", "01ABC_INST"));
    assert.equal(r.status, 1);
    assert.equal(
      r.stderr,
      `record 4 (byte ${ISO.length}): not readable: fatal at byte ${ISO.length}: truncated record: only 2 byte(s) at end of input\n`,
    );
    assert.match(
      r.stdout,
      /^3 records loaded into 01ABC_INST in \d+\.\d s \([\d,]+\/s\); 1 not readable \(job 1\)\n$/,
    );
    const all = marcgate(at("search", "gottfried", "--institution", "01ABC_INST", "--json"));
    const result = JSON.parse(all.stdout) as { total: number; hits: { mmsId: string }[] };
    assert.equal(result.total, 2);
    mmsIds = ["9900000000011002", "9900000000021002", "9900000000031002"];
    assert.deepEqual(result.hits.map((h) => h.mmsId).sort(), mmsIds.slice(0, 2));
  });

  test("load from standard input", () => {
    const other = join(dir, "other");
    marcgate(["institution", "add", "01XYZ_INST", "--name", "XYZ", "--data", other]);
    const r = marcgate(["load", "-", "--institution", "01XYZ_INST", "--data", other], ISO);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^3 records loaded into 01XYZ_INST in .* 0 not readable \(job 1\)\n$/);
  });

  test("search shows a table with the total; the diacritic folds", () => {
    const r = marcgate(at("search", "zurich", "--institution", "01ABC_INST"));
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.stdout.split("\n"), [
      "MMS ID            title           author             date  zone",
      "9900000000011002  Zürich streets  Keller, Gottfried  1991  01ABC_INST",
      '1 hit(s) for "zurich" (keyword) in 01ABC_INST, 01ABC_NETWORK, showing 1–1',
      "",
    ]);
  });

  test("compact tidies the indexes; search finds the same records afterwards", () => {
    const before = marcgate(at("search", "zurich", "--institution", "01ABC_INST"));
    const r = marcgate(at("compact"));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^compacted the sqlite catalog's indexes in \d+\.\d s\n$/);
    assert.equal(
      marcgate(at("search", "zurich", "--institution", "01ABC_INST")).stdout,
      before.stdout,
    );
    const bad = marcgate(at("compact", "now"));
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^marcgate compact: no arguments expected, got "now"/);
  });

  test("search by ISBN, with limit and offset, as JSON", () => {
    const isbn = marcgate(
      at("search", "0060128003", "--index", "isbn", "--institution", "01ABC_INST", "--json"),
    );
    const found = JSON.parse(isbn.stdout) as {
      total: number;
      hits: { mmsId: string; title: string }[];
    };
    assert.equal(found.total, 1);
    assert.equal(found.hits[0]!.title, "Zürich streets");
    const paged = marcgate(
      at(
        "search",
        "keller",
        "--institution",
        "01ABC_INST",
        "--limit",
        "1",
        "--offset",
        "1",
        "--json",
      ),
    );
    const page = JSON.parse(paged.stdout) as { total: number; hits: unknown[] };
    assert.equal(page.total, 2);
    assert.equal(page.hits.length, 1);
    const none = marcgate(at("search", "nothing-like-this", "--institution", "01ABC_INST"));
    assert.equal(none.status, 0);
    assert.equal(
      none.stdout,
      '0 hit(s) for "nothing-like-this" (keyword) in 01ABC_INST, 01ABC_NETWORK\n',
    );
  });

  test("record shows the header on standard error and the record as mrk on standard output", () => {
    const r = marcgate(at("record", mmsIds[1]!));
    assert.equal(r.status, 0, r.stderr);
    const header = r.stderr.split("\n");
    assert.deepEqual(header.slice(0, 9), [
      "MMS ID:         9900000000021002",
      "zone:           01ABC_INST",
      "format:         MARC21",
      "brief level:    02",
      "version:        1",
      "management tag: Publish bibliographic records",
      "CZ link:        none",
      "lock:           none",
      "suppressed:     no",
    ]);
    assert.match(header[9]!, /^created: {8}\d{4}-\d\d-\d\dT/);
    assert.equal(
      header[11],
      "import 005:     20240101120002.0",
      "the 005 of the load is the originating version",
    );
    assert.match(r.stdout, /^=LDR {2}\d{5}nam\\a2200\d{3}7i\\4500\n=001 {2}ocm00000102\n/);
    assert.match(r.stdout, /=245 {2}10\$aDer grüne Heinrich\n/);
  });

  test("record in each format reads back to the loaded record", async () => {
    for (const format of ["iso2709", "marcxml", "json"] as const) {
      const r = marcgate(at("record", mmsIds[2]!, "--format", format));
      assert.equal(r.status, 0, r.stderr);
      const back = await records(format, r.bytes);
      assert.deepEqual(back, [await decoded(RECORDS[2]!)], format);
    }
  });

  test("record --versions and --version N after an update", async () => {
    const catalog = await openSqliteCatalog(data);
    const changed: MarcRecord = {
      ...RECORDS[0]!,
      fields: [
        ...RECORDS[0]!.fields,
        { tag: "500", ind1: " ", ind2: " ", subfields: [{ code: "a", value: "Revised." }] },
      ],
    };
    await catalog.commit({
      change: { kind: "update", mmsId: mmsIds[0]!, expectedVersion: 1, marc: changed },
      context: { savedBy: "cataloger", action: "overlay" },
    });
    await catalog.close();
    const list = marcgate(at("record", mmsIds[0]!, "--versions"));
    assert.equal(list.status, 0, list.stderr);
    const rows = list.stdout
      .trimEnd()
      .split("\n")
      .map((line) => line.split(/ {2,}/));
    assert.deepEqual(rows[0], ["version", "saved by", "when", "action", "job"]);
    assert.deepEqual(
      [rows[1]![0], rows[1]![1], rows[1]![3], rows[1]![4]],
      ["1", "load", "load", "1"],
    );
    assert.deepEqual([rows[2]![0], rows[2]![1], rows[2]![3]], ["2", "cataloger", "overlay"]);
    assert.match(rows[2]![2]!, /^\d{4}-\d\d-\d\dT[\d:.]+Z$/);
    assert.equal(rows.length, 3);
    const first = marcgate(at("record", mmsIds[0]!, "--version", "1"));
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stderr, /^MMS ID: {6}9900000000011002\nversion: {5}1 of 2\n/);
    assert.doesNotMatch(first.stdout, /=500/);
    const now = marcgate(at("record", mmsIds[0]!));
    assert.match(now.stdout, /=500 {2}\\\\\$aRevised\.\n/);
    assert.match(now.stderr, /\nversion: {8}2\n/);
  });

  test("export writes the zone's records in MMS ID order; each format reads back", async () => {
    const out = join(dir, "export.mrc");
    const iso = marcgate(at("export", "--institution", "01ABC_INST", "-o", out));
    assert.equal(iso.status, 0, iso.stderr);
    assert.equal(iso.stderr, "3 record(s) of 01ABC_INST written as iso2709\n");
    const expected = [...(await records("iso2709", ISO))];
    const exported = await records("iso2709", readFileSync(out));
    assert.deepEqual(exported.slice(1), expected.slice(1));
    assert.equal(exported[0]!.fields.at(-1)!.tag, "500", "the export has the record as it now is");
    for (const format of ["marcxml", "json", "mrk"] as const) {
      const r = marcgate(at("export", "--institution", "01ABC_INST", "--format", format));
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(await records(format, r.bytes), exported, format);
    }
    const nz = marcgate(at("export", "--institution", "01ABC_NETWORK"));
    assert.equal(nz.status, 0);
    assert.equal(nz.bytes.length, 0);
    assert.equal(nz.stderr, "0 record(s) of 01ABC_NETWORK written as iso2709\n");
  });

  test("every catalog command has --help", () => {
    for (const command of ["network", "institution", "load", "search", "record", "export"]) {
      const r = marcgate([command, "--help"]);
      assert.equal(r.status, 0, command);
      assert.match(r.stdout, new RegExp(`^usage: marcgate ${command}`), command);
    }
  });
});

describe("marcgate catalog commands: errors in one line", () => {
  const cases: { name: string; args: string[]; status: number; stderr: string }[] = [
    {
      name: "unknown institution",
      args: at("search", "x", "--institution", "01NOPE_INST"),
      status: 1,
      stderr:
        'marcgate search: no institution or network zone "01NOPE_INST" in the catalog (marcgate institution list shows them)\n',
    },
    {
      name: "load into an unknown institution",
      args: at("load", FILE, "--institution", "01NOPE_INST"),
      status: 1,
      stderr:
        'marcgate load: no institution or network zone "01NOPE_INST" in the catalog (marcgate institution list shows them)\n',
    },
    {
      name: "unknown MMS ID",
      args: at("record", "9900000009991002"),
      status: 1,
      stderr: "marcgate record: no record 9900000009991002 in the catalog\n",
    },
    {
      name: "unknown version",
      args: at("record", "9900000000031002", "--version", "7"),
      status: 1,
      stderr:
        "marcgate record: record 9900000000031002 has no version 7 (it has versions 1 to 1)\n",
    },
    {
      name: "duplicate institution",
      args: at("institution", "add", "01ABC_INST", "--name", "Again"),
      status: 1,
      stderr: "marcgate institution: zone 01ABC_INST exists already\n",
    },
    {
      name: "institution in an unknown network",
      args: at("institution", "add", "01DEF_INST", "--name", "DEF", "--network", "01NO_NETWORK"),
      status: 1,
      stderr: "marcgate institution: no network zone 01NO_NETWORK\n",
    },
    {
      name: "a code that is not a code",
      args: at("network", "add", "A B", "--name", "Spaces"),
      status: 1,
      stderr:
        'marcgate network: network zone code "A B" must be 1–40 letters, digits, "_" or "-"\n',
    },
    {
      name: "a --db that is not a PostgreSQL URL",
      args: ["search", "x", "--institution", "I", "--db", "mysql://localhost/x"],
      status: 1,
      stderr: 'marcgate search: --db "mysql://localhost/x" is not a postgres:// URL\n',
    },
    {
      name: "--data and --db together",
      args: ["institution", "list", "--data", data, "--db", "postgres://localhost/x"],
      status: 2,
      stderr: "marcgate institution: give --data DIR or --db URL, not both\n",
    },
    {
      name: "missing --institution",
      args: at("load", FILE),
      status: 2,
      stderr: "marcgate load: --institution is required\n",
    },
    {
      name: "missing --name",
      args: at("institution", "add", "01X_INST"),
      status: 2,
      stderr: "marcgate institution: --name is required\n",
    },
    {
      name: "unknown index",
      args: at("search", "x", "--institution", "01ABC_INST", "--index", "color"),
      status: 2,
      stderr:
        'marcgate search: --index "color" is not an index; use one of keyword, title, author, subject, isbn, issn, oclc, mmsId\n',
    },
    {
      name: "a limit that is not a number",
      args: at("search", "x", "--institution", "01ABC_INST", "--limit", "ten"),
      status: 2,
      stderr: 'marcgate search: --limit "ten" is not a whole number from 1 to 1000\n',
    },
    {
      name: "--versions with --version",
      args: at("record", "9900000000011002", "--versions", "--version", "1"),
      status: 2,
      stderr: "marcgate record: give --versions or --version N, not both\n",
    },
    {
      name: "unknown export format",
      args: at("export", "--institution", "01ABC_INST", "--format", "pdf"),
      status: 2,
      stderr:
        'marcgate export: --format "pdf" is not a format; use one of iso2709, marcxml, json, mrk\n',
    },
    {
      name: "unknown subcommand of institution",
      args: at("institution", "remove", "01ABC_INST"),
      status: 2,
      stderr:
        'marcgate institution: expected "institution add CODE --name NAME" or "institution list"\n',
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const r = marcgate(c.args);
      assert.equal(r.stderr, c.stderr);
      assert.equal(r.status, c.status);
    });
  }
});

async function records(
  format: "iso2709" | "marcxml" | "json" | "mrk",
  bytes: Uint8Array,
): Promise<MarcRecord[]> {
  const out: MarcRecord[] = [];
  for await (const r of readFormat(format, [bytes])) {
    assert.deepEqual(r.issues, []);
    out.push(r.record!);
  }
  return out;
}

async function decoded(record: MarcRecord): Promise<MarcRecord> {
  return (await records("iso2709", writeIso2709(record)))[0]!;
}
