/**
 * OCLC Data Sync export on both engines (PostgreSQL when MARCGATE_TEST_PG is set): each file read
 * back with yaz-marcdump (the bibliographic file) or as CSV, and checked against its manifest;
 * full, then incremental after a merge, a delete (job undo), tag changes and a suppression;
 * re-runs write nothing; records sharing an OCLC number never undo each other's holdings; the
 * high-water mark stays when a run fails; the command line.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import pg from "pg";
import type { Catalog, ManagementTag } from "../../src/catalog/catalog.js";
import { openPostgresCatalog } from "../../src/catalog/postgres.js";
import { openSqliteCatalog } from "../../src/catalog/sqlite.js";
import type { DataSyncManifest } from "../../src/publish/datasync-files.js";
import {
  dataSyncRecord,
  describeDataSync,
  oclcConsumerName,
  publishToOclc,
  type DataSyncResult,
} from "../../src/publish/datasync.js";
import { parseDataSyncTarget, scheduleDataSync } from "../../src/publish/datasync-schedule.js";
import { freePort, MARCGATE } from "../_serve.js";
import { book } from "../catalog/suite.js";

const ZONE = "01SYNC_INST";
const SYMBOL = "SYN";
const haveYaz = spawnSync("which", ["yaz-marcdump"]).status === 0;
const root = mkdtempSync(join(tmpdir(), "marcgate-datasync-"));
after(() => rmSync(root, { recursive: true, force: true }));

/** A record as yaz-marcdump prints it: leader, and the lines by tag. */
interface Dumped {
  readonly leader: string;
  readonly lines: readonly string[];
  readonly id: string;
}

/** Reads an ISO 2709 file with yaz-marcdump (the oracle), as UTF-8. */
function yazRead(file: string): Dumped[] {
  const r = spawnSync(
    "yaz-marcdump",
    ["-i", "marc", "-o", "line", "-f", "UTF-8", "-t", "UTF-8", file],
    {
      encoding: "utf8",
    },
  );
  assert.equal(r.status, 0, r.stderr);
  return r.stdout
    .split(/\n\s*\n/)
    .map((block) => block.split("\n").filter((l) => l !== ""))
    .filter((lines) => lines.length > 0)
    .map((lines) => ({
      leader: lines[0]!,
      lines: lines.slice(1),
      id: lines.find((l) => l.startsWith("001 "))!.slice(4),
    }));
}

/** The CSV's OCLC numbers, the heading checked. */
function csvNumbers(file: string): string[] {
  const [heading, ...rows] = readFileSync(file, "utf8")
    .split("\r\n")
    .filter((l) => l !== "");
  assert.equal(heading, "LSN,OCLC_Number");
  return rows.map((row) => {
    const m = /^,\(OCoLC\)(\d+)$/.exec(row);
    assert.ok(m, `line ${row}`);
    return m[1]!;
  });
}

/** The run's files by kind, each checked against its manifest (sha256, bytes, the name). */
function filesOf(
  dir: string,
  result: DataSyncResult,
): Map<string, { path: string; m: DataSyncManifest }> {
  const byKind = new Map<string, { path: string; m: DataSyncManifest }>();
  for (const m of result.manifests) {
    const path = join(dir, m.file);
    const bytes = readFileSync(path);
    assert.equal(createHash("sha256").update(bytes).digest("hex"), m.sha256);
    assert.equal(bytes.length, m.bytes);
    const beside = JSON.parse(readFileSync(`${path}.json`, "utf8")) as DataSyncManifest;
    assert.deepEqual(beside, m);
    assert.equal(m.highWater, result.highWater);
    byKind.set(m.kind, { path, m });
  }
  return byKind;
}

function engines(): { name: string; open: () => Promise<Catalog> }[] {
  const list = [{ name: "sqlite", open: () => openSqliteCatalog(mkdtempSync(join(root, "c-"))) }];
  const url = process.env.MARCGATE_TEST_PG;
  if (url) {
    const schemas: string[] = [];
    after(async () => {
      const admin = new pg.Pool({ connectionString: url, max: 1 });
      for (const s of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
      await admin.end();
    });
    list.push({
      name: "postgres",
      open: () => {
        const schema = `t_${randomBytes(6).toString("hex")}`;
        schemas.push(schema);
        return openPostgresCatalog(url, { schema });
      },
    });
  }
  return list;
}

for (const engine of engines()) {
  describe(`OCLC Data Sync (${engine.name})`, { skip: haveYaz ? false : "no yaz-marcdump" }, () => {
    let catalog: Catalog;
    let dir: string;
    let n = 0;
    const create = async (
      title: string,
      oclc: string | undefined,
      managementTag: ManagementTag = "Publish bibliographic records",
      jobId?: number,
    ): Promise<string> => {
      const saved = await catalog.commit({
        change: {
          kind: "create",
          zone: ZONE,
          marc: book({ title, ...(oclc !== undefined ? { oclc } : {}) }),
          managementTag,
          controlNumber: "mms-id",
        },
        ...(jobId !== undefined
          ? {
              entry: {
                jobId,
                raw: new Uint8Array([0x31]),
                outcome: "created" as const,
                messages: [],
                log: [],
              },
            }
          : {}),
        context: { savedBy: "t", action: "create", ...(jobId !== undefined ? { jobId } : {}) },
      });
      return saved.mmsId!;
    };
    const change = async (
      mmsId: string,
      attributes: { managementTag?: ManagementTag; suppressed?: boolean; title?: string },
      action = "attributes",
    ): Promise<void> => {
      const now = (await catalog.record(mmsId))!;
      const marc = attributes.title
        ? {
            leader: now.marc.leader,
            fields: now.marc.fields.map((f) =>
              f.tag === "245" && "subfields" in f
                ? { ...f, subfields: [{ code: "a", value: attributes.title! }] }
                : f,
            ),
          }
        : now.marc;
      await catalog.commit({
        change: {
          kind: "update",
          mmsId,
          expectedVersion: now.version,
          marc,
          ...(attributes.managementTag ? { managementTag: attributes.managementTag } : {}),
          ...(attributes.suppressed !== undefined ? { suppressed: attributes.suppressed } : {}),
        },
        context: { savedBy: "t", action },
      });
    };
    const publish = (mode: "full" | "incremental", symbol = SYMBOL): Promise<DataSyncResult> =>
      publishToOclc({ catalog, institution: ZONE, symbol, mode, outDir: dir });
    const statuses = (file: string): Record<string, string> =>
      Object.fromEntries(yazRead(file).map((r) => [r.id, r.leader.charAt(5)]));

    test("full, then incremental after a merge, a delete and tag changes; re-runs write nothing", async () => {
      catalog = await engine.open();
      dir = join(root, `out-${engine.name}-${n++}`);
      mkdirSync(dir);
      try {
        await catalog.addInstitution({ code: ZONE, name: "Sync" });
        const a = await create("Alpha", "101");
        const b = await create("Bravo", "102");
        const c = await create("Charlie", "103");
        const job = await catalog.startJob({
          institution: ZONE,
          source: "import",
          description: "d",
        });
        const d = await create("Delta", "104", "Publish bibliographic records", job.id);
        const e = await create("Echo", "105", "Don't publish");

        const full = await publish("full");
        assert.equal(full.unchanged, false);
        const files = filesOf(dir, full);
        assert.deepEqual([...files.keys()], ["bib"]);
        const bib = files.get("bib")!;
        const read = yazRead(bib.path);
        assert.deepEqual(read.map((r) => r.id).sort(), [a, b, c, d].sort());
        for (const r of read) {
          assert.equal(r.leader.charAt(5), "n");
          assert.equal(r.leader.charAt(9), "a");
          assert.ok(r.lines.includes(`049    $a ${SYMBOL}`), r.lines.join("\n"));
        }
        assert.deepEqual(bib.m.counts, { n: 4 });
        assert.equal(bib.m.mode, "full");
        assert.equal(full.highWater, await catalog.publishing.latestSeq([ZONE]));
        const consumer = await catalog.publishing.consumer(oclcConsumerName(ZONE, SYMBOL));
        assert.equal(consumer?.highWater, full.highWater);
        assert.deepEqual(consumer?.lastFiles, [bib.m.file]);

        const listing = readdirSync(dir).sort();
        for (const mode of ["full", "incremental"] as const) {
          const again = await publish(mode);
          assert.equal(again.unchanged, true);
          assert.equal(again.manifests.length, 0);
          assert.deepEqual(readdirSync(dir).sort(), listing);
        }

        await change(a, { title: "Alpha, merged" }, "merge");
        await catalog.undoJob(job.id, "alice");
        await change(b, { managementTag: "Don't publish" });
        await change(c, { managementTag: "Publish holdings only" });
        await change(e, { managementTag: "Publish bibliographic records" });

        const inc = await publish("incremental");
        assert.equal(inc.previousHighWater, full.highWater);
        assert.ok(inc.highWater > full.highWater);
        assert.equal(inc.examined, 5);
        const out = filesOf(dir, inc);
        assert.deepEqual([...out.keys()].sort(), ["bib", "holdings-set"]);
        const incBib = out.get("bib")!;
        assert.deepEqual(statuses(incBib.path), { [a]: "c", [b]: "d", [d]: "d", [e]: "n" });
        assert.deepEqual(incBib.m.counts, { c: 1, d: 2, n: 1 });
        const merged = yazRead(incBib.path).find((r) => r.id === a)!;
        assert.ok(merged.lines.some((l) => l.startsWith("245 ") && l.includes("Alpha, merged")));
        assert.deepEqual(csvNumbers(out.get("holdings-set")!.path), ["103"]);
        assert.deepEqual(out.get("holdings-set")!.m.counts, { set: 1 });

        const published = await catalog.publishing.oclcPublicationsOf(d);
        assert.deepEqual(
          published.map((p) => [p.publishedAs, p.sent, p.file]),
          [["withdrawn", "d", incBib.m.file]],
        );
        assert.equal((await publish("incremental")).unchanged, true);

        // A change that publishes nothing moves the mark and writes no file.
        await change(b, { title: "Bravo, still unpublished" });
        const quiet = await publish("incremental");
        assert.equal(quiet.unchanged, false);
        assert.equal(quiet.manifests.length, 0);
        assert.ok(quiet.highWater > inc.highWater);

        // Full again, after a suppression: every published record as c, the suppressed one as d.
        await change(a, { suppressed: true });
        const again = await publish("full");
        const last = filesOf(dir, again);
        assert.deepEqual(statuses(last.get("bib")!.path), { [a]: "d", [e]: "c" });
        assert.deepEqual(csvNumbers(last.get("holdings-set")!.path), ["103"]);
      } finally {
        await catalog.close();
      }
    });

    test("holdings only: records sharing an OCLC number never undo each other's holdings", async () => {
      catalog = await engine.open();
      dir = join(root, `out-${engine.name}-${n++}`);
      mkdirSync(dir);
      try {
        await catalog.addInstitution({ code: ZONE, name: "Sync" });
        const job = await catalog.startJob({
          institution: ZONE,
          source: "import",
          description: "g",
        });
        const f = await create("Foxtrot", "200", "Publish holdings only");
        const g = await create("Golf", "200", "Publish holdings only", job.id);
        await create("Hotel", "201", "Publish holdings only");
        await create("India, no number", undefined, "Publish holdings only");
        const bibJob = await catalog.startJob({
          institution: ZONE,
          source: "import",
          description: "i",
        });
        const i = await create("Juliett, bib", "300", "Publish bibliographic records", bibJob.id);
        const j = await create("Kilo, holdings", "300", "Publish holdings only");

        const first = await publish("incremental");
        const files = filesOf(dir, first);
        assert.deepEqual(csvNumbers(files.get("holdings-set")!.path), ["200", "201", "300"]);
        assert.deepEqual(Object.keys(statuses(files.get("bib")!.path)), [i]);

        // One of two records with 200 goes: the other still holds it, nothing is deleted.
        await catalog.undoJob(job.id, "alice");
        // The bibliographic record with 300 goes: its `d` would cancel Kilo's holding.
        await catalog.undoJob(bibJob.id, "alice");
        const second = await publish("incremental");
        assert.equal(second.examined, 2);
        assert.deepEqual(second.manifests, []);
        assert.deepEqual(
          describeDataSync(second)
            .filter((l) => l.includes("withdrawn"))
            .sort(),
          [
            `record ${g} withdrawn, nothing sent: (OCoLC)200 still held by another record`,
            `record ${i} withdrawn, nothing sent: (OCoLC)300 still held by another record`,
          ].sort(),
        );
        const kept = await catalog.publishing.oclcPublications(oclcConsumerName(ZONE, SYMBOL), [
          g,
          i,
        ]);
        assert.deepEqual(
          kept.map((p) => [p.mmsId, p.publishedAs, p.sent]),
          [
            [g, "withdrawn", "kept"],
            [i, "withdrawn", "kept"],
          ].sort((x, y) => x[0]!.localeCompare(y[0]!)),
        );

        // The last record with 200 is suppressed, Kilo stops publishing: both numbers go.
        await change(f, { suppressed: true });
        await change(j, { managementTag: "Don't publish" });
        const third = await publish("incremental");
        const out = filesOf(dir, third);
        assert.deepEqual([...out.keys()], ["holdings-delete"]);
        assert.deepEqual(csvNumbers(out.get("holdings-delete")!.path), ["200", "300"]);
        assert.deepEqual(out.get("holdings-delete")!.m.counts, { delete: 2 });

        // A holdings-only record's number changes: the new one is set, the old one deleted.
        const hotel = (await catalog.publishing.oclcPublications(oclcConsumerName(ZONE, SYMBOL)))
          .filter((p) => p.oclcNumbers.includes("201"))
          .map((p) => p.mmsId)[0]!;
        const now = (await catalog.record(hotel))!;
        await catalog.commit({
          change: {
            kind: "update",
            mmsId: hotel,
            expectedVersion: now.version,
            marc: {
              leader: now.marc.leader,
              fields: now.marc.fields.map((f) =>
                f.tag === "035" && "subfields" in f
                  ? { ...f, subfields: [{ code: "a", value: "(OCoLC)202" }] }
                  : f,
              ),
            },
          },
          context: { savedBy: "t", action: "overlay" },
        });
        const renumbered = filesOf(dir, await publish("incremental"));
        assert.deepEqual(csvNumbers(renumbered.get("holdings-set")!.path), ["202"]);
        assert.deepEqual(csvNumbers(renumbered.get("holdings-delete")!.path), ["201"]);

        // Full mode sets every holdings-only number still held.
        const full = await publish("full", "SYN2");
        assert.deepEqual(csvNumbers(filesOf(dir, full).get("holdings-set")!.path), ["202"]);
      } finally {
        await catalog.close();
      }
    });

    test("a run that fails leaves the high-water mark and no file under a final name", async () => {
      catalog = await engine.open();
      try {
        await catalog.addInstitution({ code: ZONE, name: "Sync" });
        await create("Lima", "400");
        const missing = join(root, `missing-${engine.name}`, "deeper");
        await assert.rejects(
          publishToOclc({
            catalog,
            institution: ZONE,
            symbol: SYMBOL,
            mode: "full",
            outDir: missing,
          }),
        );
        assert.equal(await catalog.publishing.consumer(oclcConsumerName(ZONE, SYMBOL)), undefined);
      } finally {
        await catalog.close();
      }
    });
  });
}

const pgUrl = process.env.MARCGATE_TEST_PG;
describe(
  "OCLC Data Sync (postgres): the high-water mark",
  { skip: pgUrl ? false : "MARCGATE_TEST_PG is not set" },
  () => {
    test("waits for a transaction still writing the log, so no row below the mark comes later", async () => {
      const schema = `t_${randomBytes(6).toString("hex")}`;
      const catalog = await openPostgresCatalog(pgUrl!, { schema });
      const writer = new pg.Client({
        connectionString: pgUrl!,
        options: `-c search_path="${schema}"`,
      });
      await writer.connect();
      try {
        await catalog.addInstitution({ code: ZONE, name: "Sync" });
        const made = await catalog.commit({
          change: { kind: "create", zone: ZONE, marc: book({ title: "Quebec" }) },
          context: { savedBy: "t", action: "create" },
        });
        const before = await catalog.publishing.latestSeq([ZONE]);
        await writer.query("BEGIN");
        await writer.query("UPDATE records SET suppressed = NOT suppressed WHERE mms_id = $1", [
          made.mmsId,
        ]);
        let settled = false;
        const mark = catalog.publishing.latestSeq([ZONE]).then((n) => {
          settled = true;
          return n;
        });
        await new Promise((r) => setTimeout(r, 300));
        assert.equal(settled, false, "the mark was read past a transaction still writing");
        await writer.query("COMMIT");
        assert.ok((await mark) > before);
      } finally {
        await writer.end();
        await catalog.close();
        const admin = new pg.Client({ connectionString: pgUrl! });
        await admin.connect();
        await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await admin.end();
      }
    });
  },
);

test("the record as sent: leader/05, leader/20-23 4500, one 049 $a with the symbol", () => {
  const sent = dataSyncRecord(
    {
      leader: "00000cam a2200000 a 45\u00ed0",
      fields: [
        { tag: "001", value: "x1" },
        { tag: "049", ind1: " ", ind2: " ", subfields: [{ code: "a", value: "OLD" }] },
        { tag: "245", ind1: "1", ind2: "0", subfields: [{ code: "a", value: "T" }] },
      ],
    },
    "d",
    "NEW",
  );
  assert.equal(sent.leader, "00000dam a2200000 a 4500");
  assert.deepEqual(
    sent.fields.map((f) => f.tag),
    ["001", "049", "245"],
  );
  assert.deepEqual(sent.fields[1], {
    tag: "049",
    ind1: " ",
    ind2: " ",
    subfields: [{ code: "a", value: "NEW" }],
  });
});

describe("marcgate publish oclc", { skip: haveYaz ? false : "no yaz-marcdump" }, () => {
  const marcgate = (...args: string[]): { status: number | null; out: string; err: string } => {
    const r = spawnSync(process.execPath, [MARCGATE, ...args], { encoding: "utf8" });
    return { status: r.status, out: r.stdout, err: r.stderr };
  };

  test("writes the files, says so, and writes nothing the second time", async () => {
    const data = join(root, "cli-data");
    const out = join(root, "cli-out");
    const catalog = await openSqliteCatalog(data);
    try {
      await catalog.addInstitution({ code: ZONE, name: "Sync" });
      await catalog.commit({
        change: {
          kind: "create",
          zone: ZONE,
          marc: book({ title: "Mike", oclc: "500" }),
          controlNumber: "mms-id",
        },
        context: { savedBy: "t", action: "create" },
      });
    } finally {
      await catalog.close();
    }
    const base = ["publish", "oclc", "--institution", ZONE, "--symbol", SYMBOL, "--data", data];
    assert.equal(marcgate(...base, "--mode", "sideways").status, 2);
    assert.equal(marcgate(...base.slice(0, 5), "abc", "--mode", "full", "--data", data).status, 2);
    const first = marcgate(
      ...base,
      "--mode",
      "incremental",
      "--out",
      out,
      "--collection",
      "1011111",
    );
    assert.equal(first.status, 0, first.err);
    assert.match(
      first.out,
      /^1011111\.SYN\.\d{8}\.\d{6}\.\d+\.bib\.mrc: 1 n \(sha256 [0-9a-f]{64}\)$/m,
    );
    const files = readdirSync(out).sort();
    assert.equal(files.length, 2);
    assert.equal(yazRead(join(out, files[0]!)).length, 1);
    const second = marcgate(...base, "--mode", "incremental", "--out", out);
    assert.equal(second.status, 0, second.err);
    assert.match(second.out, /nothing changed since the last run/);
    assert.deepEqual(readdirSync(out).sort(), files);
  });
});

describe("the Data Sync schedule", { skip: haveYaz ? false : "no yaz-marcdump" }, () => {
  test("CODE:SYMBOL:DIR is read, a bad one refused", () => {
    assert.deepEqual(parseDataSyncTarget("01X_INST:ABC:/tmp/a:b"), {
      institution: "01X_INST",
      symbol: "ABC",
      outDir: "/tmp/a:b",
    });
    assert.ok("error" in parseDataSyncTarget("01X_INST:abc:/tmp"));
    assert.ok("error" in parseDataSyncTarget("01X_INST"));
  });

  test("runs at start and at every interval, one run at a time; stop waits for the run", async () => {
    const catalog = await openSqliteCatalog(mkdtempSync(join(root, "sched-")));
    const out = mkdtempSync(join(root, "sched-out-"));
    try {
      await catalog.addInstitution({ code: ZONE, name: "Sync" });
      const add = (title: string): Promise<unknown> =>
        catalog.commit({
          change: { kind: "create", zone: ZONE, marc: book({ title }), controlNumber: "mms-id" },
          context: { savedBy: "t", action: "create" },
        });
      await add("November");
      const lines: string[] = [];
      const schedule = scheduleDataSync(
        catalog,
        [{ institution: ZONE, symbol: SYMBOL, outDir: out }],
        {
          intervalMs: 30,
          log: (line) => lines.push(line),
        },
      );
      const waitFor = async (done: () => boolean): Promise<void> => {
        for (let i = 0; i < 200 && !done(); i++) await new Promise((r) => setTimeout(r, 25));
        assert.ok(done(), lines.join("\n"));
      };
      const bibFiles = (): string[] => readdirSync(out).filter((f) => f.endsWith(".bib.mrc"));
      await waitFor(() => bibFiles().length === 1);
      await waitFor(() => lines.some((l) => l.includes("nothing changed")));
      await add("Oscar");
      await waitFor(() => bibFiles().length === 2);
      await schedule.stop();
      const ticks = schedule.ticks;
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(schedule.ticks, ticks);
      const counts = bibFiles()
        .sort()
        .map((f) =>
          yazRead(join(out, f))
            .map((r) => r.leader.charAt(5))
            .join(""),
        );
      assert.deepEqual(counts, ["n", "n"]);
    } finally {
      await catalog.close();
    }
  });

  test("marcgate serve --publish-oclc publishes at start and logs each run", async () => {
    const data = mkdtempSync(join(root, "serve-"));
    const out = join(root, "serve-out");
    const catalog = await openSqliteCatalog(data);
    try {
      await catalog.addInstitution({ code: ZONE, name: "Sync" });
      await catalog.commit({
        change: {
          kind: "create",
          zone: ZONE,
          marc: book({ title: "Papa" }),
          controlNumber: "mms-id",
        },
        context: { savedBy: "t", action: "create" },
      });
    } finally {
      await catalog.close();
    }
    const bad = spawnSync(
      process.execPath,
      [MARCGATE, "serve", "--data", data, "--publish-oclc", "nope"],
      {
        encoding: "utf8",
      },
    );
    assert.equal(bad.status, 2);
    const child = spawn(process.execPath, [
      MARCGATE,
      "serve",
      "--data",
      data,
      "--host",
      "127.0.0.1",
      "--http-port",
      String(await freePort()),
      "--connexion-port",
      String(await freePort()),
      "--z3950-port",
      "0",
      "--publish-oclc",
      `${ZONE}:${SYMBOL}:${out}`,
      "--publish-interval",
      "1",
    ]);
    let log = "";
    child.stdout.on("data", (chunk: Buffer) => (log += chunk.toString()));
    const exited = new Promise<number | null>((done) => child.once("exit", done));
    try {
      for (let i = 0; i < 200 && !/nothing changed since the last run/.test(log); i++)
        await new Promise((r) => setTimeout(r, 50));
      assert.match(log, /publish oclc: SYN\.\d{8}\.\d{6}\.\d+\.bib\.mrc: 1 n/);
      assert.match(log, /publish oclc: oclc:01SYNC_INST:SYN: nothing changed since the last run/);
      const files = readdirSync(out).filter((f) => f.endsWith(".bib.mrc"));
      assert.equal(files.length, 1);
      assert.equal(yazRead(join(out, files[0]!))[0]!.leader.charAt(5), "n");
      // serve owns the SQLite directory: the command is refused, the schedule is the way.
      const beside = spawnSync(
        process.execPath,
        [
          MARCGATE,
          "publish",
          "oclc",
          "--institution",
          ZONE,
          "--symbol",
          SYMBOL,
          "--mode",
          "full",
        ].concat(["--out", out, "--data", data]),
        { encoding: "utf8" },
      );
      assert.equal(beside.status, 1, beside.stdout);
      assert.equal(readdirSync(out).filter((f) => f.endsWith(".bib.mrc")).length, 1);
    } finally {
      child.kill("SIGTERM");
      assert.equal(await exited, 0, log);
    }
  });
});
