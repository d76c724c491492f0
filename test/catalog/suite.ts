/**
 * The one test suite every catalog engine passes. `sqlite.test.ts` and `postgres.test.ts` run
 * it with a fresh, empty catalog for each test.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  CatalogError,
  type Catalog,
  type CatalogErrorCode,
  type CommitRequest,
  type JobOutcome,
  type SearchResult,
} from "../../src/catalog/catalog.js";
import { searchWords, type SearchNode, type TextIndex } from "../../src/catalog/search-query.js";
import type { MarcRecord } from "../../src/marc/record.js";
import { writeIso2709 } from "../../src/marc/iso2709.js";

/** A small book record built in code. */
export function book(options: {
  oclc?: string;
  title: string;
  author?: string;
  isbn?: string;
  issn?: string;
  subject?: string;
  date?: string;
}): MarcRecord {
  const fields: MarcRecord["fields"][number][] = [
    { tag: "008", value: `850101s${options.date ?? "1999"}    nyu           000 0 eng d` },
  ];
  if (options.isbn)
    fields.push({
      tag: "020",
      ind1: " ",
      ind2: " ",
      subfields: [{ code: "a", value: options.isbn }],
    });
  if (options.issn)
    fields.push({
      tag: "022",
      ind1: " ",
      ind2: " ",
      subfields: [{ code: "a", value: options.issn }],
    });
  if (options.oclc) {
    fields.push({
      tag: "035",
      ind1: " ",
      ind2: " ",
      subfields: [{ code: "a", value: `(OCoLC)${options.oclc}` }],
    });
  }
  if (options.author) {
    fields.push({
      tag: "100",
      ind1: "1",
      ind2: " ",
      subfields: [{ code: "a", value: options.author }],
    });
  }
  fields.push({
    tag: "245",
    ind1: "1",
    ind2: "0",
    subfields: [{ code: "a", value: options.title }],
  });
  if (options.subject) {
    fields.push({
      tag: "650",
      ind1: " ",
      ind2: "0",
      subfields: [{ code: "a", value: options.subject }],
    });
  }
  return { leader: "00000nam a2200000 i 4500", fields };
}

async function rejects(promise: Promise<unknown>, code: CatalogErrorCode): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof CatalogError, `expected a CatalogError, got ${String(error)}`);
    assert.equal(error.code, code);
    return true;
  });
}

const WHO = { savedBy: "tester", action: "create" };

/** Registers the shared suite for one engine. `open` gives a new, empty catalog. */
export function catalogSuite(engine: string, open: () => Promise<Catalog>): void {
  async function withCatalog(fn: (catalog: Catalog) => Promise<void>): Promise<void> {
    const catalog = await open();
    try {
      await fn(catalog);
    } finally {
      await catalog.close();
    }
  }

  async function withInstitution(
    fn: (catalog: Catalog, zone: string) => Promise<void>,
  ): Promise<void> {
    await withCatalog(async (catalog) => {
      await catalog.addInstitution({ code: "01ABC_INST", name: "ABC University" });
      await fn(catalog, "01ABC_INST");
    });
  }

  describe(`catalog (${engine}): zones`, () => {
    test("institutions and network zones get distinct 4-digit suffixes", () =>
      withCatalog(async (catalog) => {
        const nz = await catalog.addNetworkZone({ code: "01ABC_NETWORK", name: "ABC Network" });
        const iz = await catalog.addInstitution({
          code: "01ABC_INST",
          name: "ABC University",
          network: "01ABC_NETWORK",
        });
        assert.equal(nz.kind, "network");
        assert.equal(iz.kind, "institution");
        assert.equal(iz.network, "01ABC_NETWORK");
        assert.match(nz.suffix, /^\d{4}$/);
        assert.match(iz.suffix, /^\d{4}$/);
        assert.notEqual(nz.suffix, iz.suffix);
        assert.deepEqual(await catalog.zone("01ABC_INST"), iz);
        assert.deepEqual((await catalog.zones()).map((z) => z.code).sort(), [
          "01ABC_INST",
          "01ABC_NETWORK",
        ]);
      }));

    test("a zone code is used once", () =>
      withInstitution(async (catalog) => {
        await rejects(
          catalog.addInstitution({ code: "01ABC_INST", name: "again" }),
          "duplicate-zone",
        );
      }));

    test("a zone code of other characters is invalid (a rejection, not a throw)", () =>
      withCatalog(async (catalog) => {
        await rejects(catalog.addInstitution({ code: "01 ABC", name: "space" }), "invalid");
        await rejects(catalog.addNetworkZone({ code: "", name: "empty" }), "invalid");
        assert.deepEqual(await catalog.zones(), []);
      }));

    test("an institution's network zone must exist", () =>
      withCatalog(async (catalog) => {
        await rejects(
          catalog.addInstitution({ code: "X", name: "x", network: "NOPE" }),
          "unknown-zone",
        );
      }));
  });

  describe(`catalog (${engine}): records and versions`, () => {
    test("oddities a reader reports as minor are stored and read back as they are", () =>
      // Found by the corpus import check: stanford-solr-marc oclcNumTests.mrc (a control
      // character in leader/22), marc4j sample1.mrc (a non-ASCII subfield code), evergreen
      // oss.marc (indicator 'ø'). Reading them back must not fail.
      withInstitution(async (catalog, zone) => {
        const plain = book({ title: "Odd" });
        const marc = {
          leader: "00000nam a2200000 a 45\u00010",
          fields: [
            ...plain.fields,
            { tag: "500", ind1: "ø", ind2: " ", subfields: [{ code: "é", value: "odd code" }] },
          ],
        };
        const { mmsId } = await catalog.commit({
          change: { kind: "create", zone, marc },
          context: WHO,
        });
        const stored = (await catalog.record(mmsId!))!;
        assert.deepEqual(stored.marc.fields, marc.fields);
        assert.equal(stored.marc.leader[22], "\u0001");
      }));

    test("a created record gets an MMS ID 99…suffix, version 1, and reads back", () =>
      withInstitution(async (catalog, zone) => {
        const suffix = (await catalog.zone(zone))!.suffix;
        const marc = book({ oclc: "ocm00012345", title: "Café society", author: "Müller, Anna" });
        const result = await catalog.commit({
          change: {
            kind: "create",
            zone,
            marc,
            briefLevel: "07",
            originatingVersion: "20240101120000.0",
          },
          context: WHO,
        });
        assert.match(result.mmsId!, new RegExp(`^99\\d+${suffix}$`));
        assert.equal(result.version, 1);
        const stored = (await catalog.record(result.mmsId!))!;
        assert.equal(stored.zone, zone);
        assert.equal(stored.version, 1);
        assert.equal(stored.briefLevel, "07");
        assert.equal(stored.originatingVersion, "20240101120000.0");
        assert.equal(stored.format, "MARC21");
        assert.equal(stored.managementTag, "Publish bibliographic records");
        assert.equal(stored.czLinked, false);
        assert.equal(stored.suppressed, false);
        assert.equal(stored.lock, undefined);
        assert.deepEqual(stored.marc.fields, marc.fields);
      }));

    test("unknown zone and unknown record are errors, not crashes", () =>
      withInstitution(async (catalog) => {
        await rejects(
          catalog.commit({
            change: { kind: "create", zone: "NOPE", marc: book({ title: "x" }) },
            context: WHO,
          }),
          "unknown-zone",
        );
        assert.equal(await catalog.record("99123451234"), undefined);
        await rejects(
          catalog.commit({
            change: {
              kind: "update",
              mmsId: "99123451234",
              expectedVersion: 1,
              marc: book({ title: "x" }),
            },
            context: WHO,
          }),
          "unknown-record",
        );
      }));

    test("every save keeps the state before it; any version reads back", () =>
      withInstitution(async (catalog, zone) => {
        const first = book({ title: "First title" });
        const { mmsId } = await catalog.commit({
          change: { kind: "create", zone, marc: first },
          context: WHO,
        });
        const second = book({ title: "Second title" });
        const saved = await catalog.commit({
          change: {
            kind: "update",
            mmsId: mmsId!,
            expectedVersion: 1,
            marc: second,
            briefLevel: "09",
          },
          context: { savedBy: "cataloger", action: "overlay", jobId: undefined },
        });
        assert.equal(saved.version, 2);
        const versions = await catalog.versions(mmsId!);
        assert.deepEqual(
          versions.map((v) => [v.version, v.savedBy, v.action]),
          [
            [1, "tester", "create"],
            [2, "cataloger", "overlay"],
          ],
        );
        assert.deepEqual((await catalog.version(mmsId!, 1))!.marc.fields, first.fields);
        assert.deepEqual((await catalog.version(mmsId!, 2))!.marc.fields, second.fields);
        assert.equal((await catalog.version(mmsId!, 2))!.briefLevel, "09");
        assert.equal(await catalog.version(mmsId!, 3), undefined);
      }));

    test("a save from a stale version is refused and writes nothing, job row included", () =>
      withInstitution(async (catalog, zone) => {
        const job = await catalog.startJob({
          institution: zone,
          source: "test",
          description: "stale",
        });
        const { mmsId } = await catalog.commit({
          change: { kind: "create", zone, marc: book({ title: "A" }) },
          context: WHO,
        });
        await catalog.commit({
          change: { kind: "update", mmsId: mmsId!, expectedVersion: 1, marc: book({ title: "B" }) },
          context: WHO,
        });
        await rejects(
          catalog.commit({
            change: {
              kind: "update",
              mmsId: mmsId!,
              expectedVersion: 1,
              marc: book({ title: "C" }),
            },
            entry: {
              jobId: job.id,
              raw: new Uint8Array([1, 2, 3]),
              outcome: "merged",
              messages: [],
              log: [],
            },
            context: WHO,
          }),
          "version-conflict",
        );
        assert.equal((await catalog.record(mmsId!))!.version, 2);
        assert.deepEqual(await catalog.jobRecords(job.id), []);
      }));

    test("restore saves an earlier version as a new one; history is kept", () =>
      withInstitution(async (catalog, zone) => {
        const first = book({ title: "Original", oclc: "111" });
        const { mmsId } = await catalog.commit({
          change: { kind: "create", zone, marc: first },
          context: WHO,
        });
        await catalog.commit({
          change: {
            kind: "update",
            mmsId: mmsId!,
            expectedVersion: 1,
            marc: book({ title: "Changed", oclc: "222" }),
          },
          context: WHO,
        });
        const restored = await catalog.restore(mmsId!, 1, { savedBy: "staff", action: "restore" });
        assert.equal(restored.version, 3);
        const now = (await catalog.record(mmsId!))!;
        assert.deepEqual(now.marc.fields, first.fields);
        assert.deepEqual(
          (await catalog.versions(mmsId!)).map((v) => v.action),
          ["create", "create", "restore"],
        );
        // The match keys follow the restored content.
        assert.deepEqual(await catalog.findByKey("oclc", "111", [zone]), [mmsId]);
        assert.deepEqual(await catalog.findByKey("oclc", "222", [zone]), []);
        await rejects(catalog.restore(mmsId!, 9, WHO), "unknown-version");
      }));

    test("record attributes are kept unless a save sets them", () =>
      withInstitution(async (catalog, zone) => {
        const { mmsId } = await catalog.commit({
          change: {
            kind: "create",
            zone,
            marc: book({ title: "T" }),
            czLinked: true,
            managementTag: "Don't publish",
            suppressed: true,
          },
          context: WHO,
        });
        await catalog.commit({
          change: {
            kind: "update",
            mmsId: mmsId!,
            expectedVersion: 1,
            marc: book({ title: "U" }),
            briefLevel: "03",
          },
          context: WHO,
        });
        const r = (await catalog.record(mmsId!))!;
        assert.equal(r.czLinked, true);
        assert.equal(r.managementTag, "Don't publish");
        assert.equal(r.suppressed, true);
        assert.equal(r.briefLevel, "03");
      }));

    test("concurrent creates get distinct MMS IDs", () =>
      withInstitution(async (catalog, zone) => {
        const results = await Promise.all(
          Array.from({ length: 40 }, (_, i) =>
            catalog.commit({
              change: { kind: "create", zone, marc: book({ title: `Book ${i}` }) },
              context: WHO,
            }),
          ),
        );
        assert.equal(new Set(results.map((r) => r.mmsId)).size, 40);
      }));

    test("createMany gives every record its own MMS ID and keys", () =>
      withInstitution(async (catalog, zone) => {
        const creates = Array.from({ length: 25 }, (_, i) => ({
          kind: "create" as const,
          zone,
          marc: book({ title: `Bulk ${i}`, oclc: String(5000 + i) }),
        }));
        const { mmsIds } = await catalog.createMany(creates, { savedBy: "load", action: "load" });
        assert.equal(new Set(mmsIds).size, 25);
        assert.deepEqual(await catalog.findByKey("oclc", "5007", [zone]), [mmsIds[7]]);
        const all: string[] = [];
        for await (const r of catalog.recordsOf(zone)) all.push(r.mmsId);
        assert.deepEqual(all, [...mmsIds].sort());
      }));

    test("a lock held by one keeps others from taking it or saving", () =>
      withInstitution(async (catalog, zone) => {
        const { mmsId } = await catalog.commit({
          change: { kind: "create", zone, marc: book({ title: "L" }) },
          context: WHO,
        });
        const lock = await catalog.lock(mmsId!, "alice");
        assert.equal(lock.by, "alice");
        assert.equal((await catalog.record(mmsId!))!.lock?.by, "alice");
        await rejects(catalog.lock(mmsId!, "bob"), "locked");
        await rejects(
          catalog.commit({
            change: {
              kind: "update",
              mmsId: mmsId!,
              expectedVersion: 1,
              marc: book({ title: "M" }),
            },
            context: { savedBy: "bob", action: "overlay" },
          }),
          "locked",
        );
        await rejects(catalog.unlock(mmsId!, "bob"), "locked");
        await catalog.unlock(mmsId!, "alice");
        assert.equal((await catalog.record(mmsId!))!.lock, undefined);
        await catalog.lock(mmsId!, "bob");
      }));
  });

  describe(`catalog (${engine}): match keys`, () => {
    test("keys are extracted on save and looked up by normalized value within zones", () =>
      withCatalog(async (catalog) => {
        await catalog.addInstitution({ code: "A", name: "A" });
        await catalog.addInstitution({ code: "B", name: "B" });
        const marc = book({
          title: "K",
          oclc: "ocm00012345",
          isbn: "0-306-40615-2 (pbk.)",
          issn: "0317-8471",
        });
        const { mmsId } = await catalog.commit({
          change: { kind: "create", zone: "A", marc },
          context: WHO,
        });
        assert.deepEqual(await catalog.findByKey("oclc", "12345", ["A"]), [mmsId]);
        assert.deepEqual(await catalog.findByKey("oclc", "12345", ["B"]), []);
        assert.deepEqual(await catalog.findByKey("isbn", "9780306406157", ["A", "B"]), [mmsId]);
        assert.deepEqual(await catalog.findByKey("issn", "0317-8471", ["A"]), [mmsId]);
        const kinds = (await catalog.keysOf(mmsId!)).map((k) => k.kind);
        for (const kind of ["oclc", "isbn", "issn", "title-key"])
          assert.ok(kinds.includes(kind as never), kind);
      }));

    test("a save replaces the record's keys", () =>
      withInstitution(async (catalog, zone) => {
        const { mmsId } = await catalog.commit({
          change: {
            kind: "create",
            zone,
            marc: book({ title: "K", oclc: "1", isbn: "9780306406157" }),
          },
          context: WHO,
        });
        const before = await catalog.keysOf(mmsId!);
        await catalog.commit({
          change: {
            kind: "update",
            mmsId: mmsId!,
            expectedVersion: 1,
            marc: book({ title: "K", oclc: "2", isbn: "9780306406157" }),
          },
          context: WHO,
        });
        assert.deepEqual(await catalog.findByKey("oclc", "1", [zone]), []);
        assert.deepEqual(await catalog.findByKey("oclc", "2", [zone]), [mmsId]);
        // The key that stayed is found once; the keys are those of the new state, nothing else.
        assert.deepEqual(await catalog.findByKey("isbn", "9780306406157", [zone]), [mmsId]);
        const after = await catalog.keysOf(mmsId!);
        assert.deepEqual(
          after,
          before.map((k) => (k.kind === "oclc" ? { ...k, value: "2" } : k)),
        );
        // A save that changes no identifier (a subject added) keeps the same keys.
        await catalog.commit({
          change: {
            kind: "update",
            mmsId: mmsId!,
            expectedVersion: 2,
            marc: book({ title: "K", oclc: "2", isbn: "9780306406157", subject: "Cats" }),
          },
          context: WHO,
        });
        assert.deepEqual(await catalog.keysOf(mmsId!), after);
      }));
  });

  describe(`catalog (${engine}): jobs`, () => {
    test("the job rows that saved into a record, newest first (the record view's decisions)", () =>
      withInstitution(async (catalog, zone) => {
        const job = await catalog.startJob({ institution: zone, source: "t", description: "d" });
        const marc = book({ title: "Decided" });
        const entry = (messages: string[]) => ({
          jobId: job.id,
          raw: writeIso2709(marc),
          outcome: "created" as const,
          messages,
          log: [],
        });
        const context = { savedBy: "connexion:x", action: "create", jobId: job.id };
        const created = await catalog.commit({
          change: { kind: "create", zone, marc },
          entry: entry(["added"]),
          context,
        });
        const mmsId = created.mmsId!;
        const merged = await catalog.commit({
          change: {
            kind: "update",
            mmsId,
            expectedVersion: 1,
            marc: book({ title: "Decided again" }),
          },
          entry: { ...entry(["merged: shares OCLC number 7"]), outcome: "merged" },
          context: { ...context, action: "merge" },
        });
        await catalog.commit({
          change: { kind: "create", zone, marc },
          entry: entry(["other"]),
          context,
        });
        const rows = await catalog.jobRecordsOf(mmsId);
        assert.deepEqual(
          rows.map((r) => [r.id, r.outcome, r.messages]),
          [
            [merged.entryId, "merged", ["merged: shares OCLC number 7"]],
            [created.entryId, "created", ["added"]],
          ],
        );
        assert.deepEqual(
          (await catalog.jobRecordsOf(mmsId, { limit: 1 })).map((r) => r.id),
          [merged.entryId],
        );
        assert.deepEqual(await catalog.jobRecordsOf("9999999999999999"), []);
      }));

    test("a job keeps every incoming record's raw bytes, outcome and log, rejected ones too", () =>
      withInstitution(async (catalog, zone) => {
        const job = await catalog.startJob({
          institution: zone,
          source: "connexion",
          description: "export",
        });
        const marc = book({ title: "Imported" });
        const raw = writeIso2709(marc);
        const created = await catalog.commit({
          change: { kind: "create", zone, marc },
          entry: {
            jobId: job.id,
            raw,
            outcome: "created",
            messages: ["new record"],
            log: [{ step: "match", found: 0 }],
          },
          context: { savedBy: "connexion:01ABC_INST", action: "create", jobId: job.id },
        });
        const garbage = new Uint8Array([0x30, 0x31, 0xff, 0x00, 0x1d]);
        await catalog.commit({
          entry: {
            jobId: job.id,
            raw: garbage,
            outcome: "rejected",
            messages: ["not a record"],
            log: [],
          },
          context: { savedBy: "connexion:01ABC_INST", action: "reject", jobId: job.id },
        });
        const finished = await catalog.finishJob(job.id);
        assert.deepEqual(finished.counts, { created: 1, rejected: 1 });
        assert.ok(finished.finished instanceof Date);
        const rows = await catalog.jobRecords(job.id);
        assert.equal(rows.length, 2);
        assert.deepEqual(Buffer.from(rows[0]!.raw), Buffer.from(raw));
        assert.equal(rows[0]!.mmsId, created.mmsId);
        assert.deepEqual(rows[0]!.log, [{ step: "match", found: 0 }]);
        assert.deepEqual(rows[0]!.messages, ["new record"]);
        assert.deepEqual(Buffer.from(rows[1]!.raw), Buffer.from(garbage));
        assert.equal(rows[1]!.outcome, "rejected");
        assert.equal(rows[1]!.mmsId, undefined);
        assert.equal((await catalog.versions(created.mmsId!))[0]!.jobId, job.id);
        assert.deepEqual(
          (await catalog.jobs(zone)).map((j) => j.id),
          [job.id],
        );
      }));

    test("a job finished with a failure is failed with its reason; a finished job keeps its state", () =>
      withInstitution(async (catalog, zone) => {
        const start = (description: string) =>
          catalog.startJob({ institution: zone, source: "import", description });
        const failing = await start("import two\nlines.mrc");
        const done = await start("import good.mrc");
        const open = await start("import still.mrc");
        assert.equal(failing.description, "import two lines.mrc");
        assert.equal(failing.failure, undefined);
        const failed = await catalog.finishJob(failing.id, "cannot read\nx: ENOENT");
        assert.equal(failed.description, "import two lines.mrc");
        assert.equal(failed.failure, "cannot read x: ENOENT");
        assert.ok(failed.finished instanceof Date);
        await catalog.finishJob(done.id);
        // Finishing again, failed or not, changes nothing.
        assert.equal((await catalog.finishJob(done.id, "late")).failure, undefined);
        assert.equal((await catalog.finishJob(failing.id)).failure, "cannot read x: ENOENT");
        assert.equal((await catalog.job(failing.id))?.failure, "cannot read x: ENOENT");
        assert.deepEqual(
          (await catalog.jobs(zone)).map((j) => [j.id, j.failure ?? "-"]),
          [
            [open.id, "-"],
            [done.id, "-"],
            [failing.id, "cannot read x: ENOENT"],
          ],
        );
        assert.deepEqual({ ...(await catalog.jobStates()) }, { open: 1, finished: 1, failed: 1 });
        await rejects(catalog.finishJob(999999, "gone"), "unknown-job");
      }));

    test("an entry for an unknown job is refused", () =>
      withInstitution(async (catalog) => {
        await rejects(
          catalog.commit({
            entry: {
              jobId: 999999,
              raw: new Uint8Array([1]),
              outcome: "rejected",
              messages: [],
              log: null,
            },
            context: WHO,
          }),
          "unknown-job",
        );
      }));
  });

  describe(`catalog (${engine}): search`, () => {
    async function seeded(
      fn: (catalog: Catalog, ids: Record<string, string>) => Promise<void>,
    ): Promise<void> {
      await withCatalog(async (catalog) => {
        await catalog.addNetworkZone({ code: "NZ", name: "Network" });
        await catalog.addInstitution({ code: "IZ", name: "Institution", network: "NZ" });
        await catalog.addInstitution({ code: "OTHER", name: "Other" });
        const ids: Record<string, string> = {};
        const add = async (name: string, zone: string, marc: MarcRecord): Promise<void> => {
          ids[name] = (
            await catalog.commit({ change: { kind: "create", zone, marc }, context: WHO })
          ).mmsId!;
        };
        await add(
          "zurich",
          "IZ",
          book({
            title: "Zürich in winter",
            author: "Keller, Gottfried",
            subject: "Switzerland History",
            isbn: "9780306406157",
            oclc: "777",
          }),
        );
        await add(
          "lakes",
          "IZ",
          book({ title: "Lakes and rivers", author: "Zurich, Paul", subject: "Hydrology" }),
        );
        await add("journal", "NZ", book({ title: "Journal of lakes", issn: "0317-8471" }));
        await add("elsewhere", "OTHER", book({ title: "Zurich elsewhere" }));
        await fn(catalog, ids);
      });
    }
    const zones = ["IZ", "NZ"];

    test("keyword search ignores case and diacritics and stays in the given zones", () =>
      seeded(async (catalog, ids) => {
        const result = await catalog.search({ text: "ZURICH", zones });
        assert.equal(result.total, 2);
        assert.deepEqual(
          new Set(result.hits.map((h) => h.mmsId)),
          new Set([ids.zurich, ids.lakes]),
        );
      }));

    test("compact after updates and a delete: search finds what the records say now", () =>
      seeded(async (catalog, ids) => {
        const before = (await catalog.record(ids.lakes!))!;
        await catalog.commit({
          change: {
            kind: "update",
            mmsId: ids.lakes!,
            expectedVersion: before.version,
            marc: book({ title: "Ponds and streams", author: "Meier, Anna", subject: "Hydrology" }),
          },
          context: WHO,
        });
        await catalog.compact();
        assert.deepEqual(
          (await catalog.search({ text: "zurich", zones })).hits.map((h) => h.mmsId),
          [ids.zurich],
        );
        assert.deepEqual(
          (await catalog.search({ text: "ponds", zones })).hits.map((h) => h.mmsId),
          [ids.lakes],
        );
        await catalog.compact();
        assert.equal((await catalog.search({ text: "lakes", zones })).total, 1);
      }));

    test("a title match ranks above a match elsewhere", () =>
      seeded(async (catalog, ids) => {
        const result = await catalog.search({ text: "zurich", zones, index: "keyword" });
        assert.equal(result.hits[0]!.mmsId, ids.zurich);
        const hit = result.hits[0]!;
        assert.equal(hit.title, "Zürich in winter");
        assert.equal(hit.author, "Keller, Gottfried");
        assert.equal(hit.date, "1999");
        assert.equal(hit.zone, "IZ");
      }));

    test("title, author and subject indexes look only there", () =>
      seeded(async (catalog, ids) => {
        assert.deepEqual(
          (await catalog.search({ text: "zurich", zones, index: "title" })).hits.map(
            (h) => h.mmsId,
          ),
          [ids.zurich],
        );
        assert.deepEqual(
          (await catalog.search({ text: "zurich", zones, index: "author" })).hits.map(
            (h) => h.mmsId,
          ),
          [ids.lakes],
        );
        assert.deepEqual(
          (await catalog.search({ text: "history", zones, index: "subject" })).hits.map(
            (h) => h.mmsId,
          ),
          [ids.zurich],
        );
      }));

    test("all words must match", () =>
      seeded(async (catalog, ids) => {
        assert.deepEqual(
          (await catalog.search({ text: "lakes journal", zones })).hits.map((h) => h.mmsId),
          [ids.journal],
        );
        assert.equal((await catalog.search({ text: "lakes nothere", zones })).total, 0);
      }));

    test("identifier indexes normalize the query", () =>
      seeded(async (catalog, ids) => {
        assert.deepEqual(
          (await catalog.search({ text: "0-306-40615-2", zones, index: "isbn" })).hits.map(
            (h) => h.mmsId,
          ),
          [ids.zurich],
        );
        assert.deepEqual(
          (await catalog.search({ text: "03178471", zones, index: "issn" })).hits.map(
            (h) => h.mmsId,
          ),
          [ids.journal],
        );
        assert.deepEqual(
          (await catalog.search({ text: "(OCoLC)ocm00000777", zones, index: "oclc" })).hits.map(
            (h) => h.mmsId,
          ),
          [ids.zurich],
        );
        assert.deepEqual(
          (await catalog.search({ text: ids.lakes!, zones, index: "mmsId" })).hits.map(
            (h) => h.mmsId,
          ),
          [ids.lakes],
        );
        assert.equal(
          (await catalog.search({ text: ids.elsewhere!, zones, index: "mmsId" })).total,
          0,
        );
      }));

    test("results are paged with the total", () =>
      seeded(async (catalog) => {
        const all = await catalog.search({
          text: "zurich",
          zones: ["IZ", "NZ", "OTHER"],
          limit: 2,
        });
        assert.equal(all.total, 3);
        assert.equal(all.hits.length, 2);
        const rest = await catalog.search({
          text: "zurich",
          zones: ["IZ", "NZ", "OTHER"],
          limit: 2,
          offset: 2,
        });
        assert.equal(rest.hits.length, 1);
        assert.ok(!all.hits.some((h) => h.mmsId === rest.hits[0]!.mmsId));
      }));

    test("a query with no words finds nothing and is no error", () =>
      seeded(async (catalog) => {
        assert.deepEqual(await catalog.search({ text: " -- ", zones }), { total: 0, hits: [] });
      }));

    test("search follows saves", () =>
      seeded(async (catalog, ids) => {
        const r = (await catalog.record(ids.lakes!))!;
        await catalog.commit({
          change: {
            kind: "update",
            mmsId: ids.lakes!,
            expectedVersion: r.version,
            marc: book({ title: "Mountains" }),
          },
          context: WHO,
        });
        assert.equal((await catalog.search({ text: "rivers", zones })).total, 0);
        assert.equal(
          (await catalog.search({ text: "mountains", zones })).hits[0]!.mmsId,
          ids.lakes,
        );
      }));
  });

  describe(`catalog (${engine}): search trees, rank and sort`, () => {
    const words = (index: TextIndex, text: string, phrase = false): SearchNode => ({
      kind: "words",
      index,
      words: searchWords(text),
      phrase,
    });
    async function shelf(
      fn: (catalog: Catalog, ids: Record<string, string>) => Promise<void>,
    ): Promise<void> {
      await withCatalog(async (catalog) => {
        await catalog.addInstitution({ code: "IZ", name: "Institution" });
        const ids: Record<string, string> = {};
        const add = async (name: string, marc: MarcRecord): Promise<void> => {
          ids[name] = (
            await catalog.commit({ change: { kind: "create", zone: "IZ", marc }, context: WHO })
          ).mmsId!;
        };
        await add("notes", {
          ...book({ title: "Jazz on record", author: "Cole, Bill", date: "1960" }),
          fields: [
            ...book({ title: "Jazz on record", author: "Cole, Bill", date: "1960" }).fields,
            {
              tag: "500",
              ind1: " ",
              ind2: " ",
              subfields: [{ code: "a", value: "Includes Kind of blue and other blue albums." }],
            },
          ],
        });
        await add("blue", book({ title: "Kind of blue", author: "Davis, Miles", date: "1959" }));
        await add(
          "making",
          book({ title: "The making of Kind of blue", author: "Kahn, Ashley", date: "2000" }),
        );
        await add(
          "history",
          book({
            title: "A history of jazz",
            author: "Abbott, Ann",
            date: "1987",
            isbn: "9780306406157",
          }),
        );
        await add("historians", book({ title: "Historians and their blue moods", date: "1975" }));
        await add("oved", book({ title: "ʻAm ʻoved", author: "Ṭabenḳin, Yitsḥaḳ", date: "1950" }));
        await fn(catalog, ids);
      });
    }
    const zones = ["IZ"];
    const ids = async (p: Promise<SearchResult>): Promise<string[]> =>
      (await p).hits.map((h) => h.mmsId);

    test("the exact title comes first; title words weigh more than notes", () =>
      shelf(async (catalog, id) => {
        const hits = await ids(catalog.search({ text: "kind of blue", zones }));
        assert.equal(hits[0], id.blue);
        assert.deepEqual(hits.slice(1, 3).sort(), [id.making, id.notes].sort());
        assert.equal(hits.indexOf(id.making!) < hits.indexOf(id.notes!), true);
        const scores = (await catalog.search({ text: "blue", zones })).hits.map((h) => h.score);
        assert.ok(
          scores.every((s) => s !== 0),
          "every hit has a score",
        );
      }));

    test("truncation, phrases, AND, OR, NOT", () =>
      shelf(async (catalog, id) => {
        assert.deepEqual(
          new Set(await ids(catalog.search({ query: words("title", "hist*"), zones }))),
          new Set([id.history, id.historians]),
        );
        assert.deepEqual(
          new Set(
            await ids(catalog.search({ query: words("keyword", "kind of blue", true), zones })),
          ),
          new Set([id.blue, id.making, id.notes]),
        );
        assert.deepEqual(
          await ids(catalog.search({ query: words("keyword", "blue kind", true), zones })),
          [],
        );
        const blue = words("title", "blue");
        assert.deepEqual(
          new Set(
            await ids(
              catalog.search({
                query: { kind: "not", left: blue, right: words("title", "kind") },
                zones,
              }),
            ),
          ),
          new Set([id.historians]),
        );
        assert.deepEqual(
          new Set(
            await ids(
              catalog.search({
                query: {
                  kind: "or",
                  left: words("author", "davis"),
                  right: words("author", "abbott"),
                },
                zones,
              }),
            ),
          ),
          new Set([id.blue, id.history]),
        );
        assert.deepEqual(
          await ids(
            catalog.search({
              query: {
                kind: "and",
                left: words("title", "jazz"),
                right: { kind: "identifier", index: "isbn", value: "0-306-40615-2" },
              },
              zones,
            }),
          ),
          [id.history],
        );
        assert.deepEqual(
          new Set(
            await ids(
              catalog.search({
                query: {
                  kind: "and",
                  left: words("keyword", "blue"),
                  right: { kind: "date", relation: "<", year: 1970 },
                },
                zones,
              }),
            ),
          ),
          new Set([id.blue, id.notes]),
        );
      }));

    test("ayn and alif are folded: oved finds ʻAm ʻoved", () =>
      shelf(async (catalog, id) => {
        assert.deepEqual(await ids(catalog.search({ text: "oved", zones })), [id.oved]);
        assert.deepEqual(await ids(catalog.search({ text: "tabenkin", zones, index: "author" })), [
          id.oved,
        ]);
      }));

    test("sorting by title, author and date", () =>
      shelf(async (catalog, id) => {
        const query = words("keyword", "blue");
        const r = await catalog.search({ query, zones, sort: { key: "title" } });
        assert.equal(r.order, "title");
        assert.deepEqual(
          r.hits.map((h) => h.mmsId),
          [id.historians, id.notes, id.blue, id.making],
        );
        assert.deepEqual(await ids(catalog.search({ query, zones, sort: { key: "date" } })), [
          id.making,
          id.historians,
          id.notes,
          id.blue,
        ]);
        assert.deepEqual(
          await ids(
            catalog.search({ query, zones, sort: { key: "date", descending: false }, limit: 2 }),
          ),
          [id.blue, id.notes],
        );
        assert.deepEqual(
          (await catalog.search({ query, zones, sort: { key: "author" } })).hits.map(
            (h) => h.author,
          ),
          ["Cole, Bill", "Davis, Miles", "Kahn, Ashley", ""],
        );
      }));
  });

  describe(`catalog (${engine}): 001 as the MMS ID`, () => {
    /** A record whose 001 is an OCLC number without 003 (which gives `oclc` and `system-id`). */
    const withOclc001 = (): MarcRecord => {
      const b = book({ title: "Numbered" });
      return {
        leader: b.leader,
        fields: [
          { tag: "001", value: "ocm00012345" },
          { tag: "001", value: "second001" },
          ...b.fields,
        ],
      };
    };

    test("controlNumber mms-id replaces the first 001 in place; keys come from the new 001", () =>
      withInstitution(async (catalog, zone) => {
        const marc = withOclc001();
        const { mmsId } = await catalog.commit({
          change: { kind: "create", zone, marc, controlNumber: "mms-id" },
          context: WHO,
        });
        const stored = (await catalog.record(mmsId!))!;
        assert.deepEqual(stored.marc.fields, [
          { tag: "001", value: mmsId },
          ...marc.fields.slice(1),
        ]);
        assert.deepEqual((await catalog.version(mmsId!, 1))!.marc.fields, stored.marc.fields);
        // A bare 001 (no 003) gives its system-id as written; the old OCLC 001 gives nothing.
        assert.deepEqual(await catalog.findByKey("system-id", mmsId!, [zone]), [mmsId]);
        assert.deepEqual(await catalog.findByKey("system-id", "ocm00012345", [zone]), []);
        assert.deepEqual(await catalog.findByKey("oclc", "12345", [zone]), []);
        const keys = await catalog.keysOf(mmsId!);
        assert.deepEqual(
          keys.filter((k) => k.kind === "system-id"),
          [{ kind: "system-id", value: mmsId }],
        );
        assert.ok(!keys.some((k) => k.kind === "oclc"));
      }));

    test("controlNumber mms-id puts a 001 first when the record has none", () =>
      withInstitution(async (catalog, zone) => {
        const marc = book({ title: "No control number", oclc: "777" });
        const { mmsId } = await catalog.commit({
          change: { kind: "create", zone, marc, controlNumber: "mms-id" },
          context: WHO,
        });
        const stored = (await catalog.record(mmsId!))!;
        assert.deepEqual(stored.marc.fields, [{ tag: "001", value: mmsId }, ...marc.fields]);
        assert.equal(stored.marc.leader.slice(5, 9), marc.leader.slice(5, 9));
        assert.deepEqual(await catalog.findByKey("system-id", mmsId!, [zone]), [mmsId]);
        assert.deepEqual(await catalog.findByKey("oclc", "777", [zone]), [mmsId]);
        assert.deepEqual(
          (await catalog.search({ text: "control number", zones: [zone] })).hits.map(
            (h) => h.mmsId,
          ),
          [mmsId],
        );
      }));

    test("without controlNumber the MARC is stored as given, 001 included", () =>
      withInstitution(async (catalog, zone) => {
        const marc = withOclc001();
        const { mmsId } = await catalog.commit({
          change: { kind: "create", zone, marc },
          context: WHO,
        });
        assert.deepEqual((await catalog.record(mmsId!))!.marc.fields, marc.fields);
        assert.deepEqual(await catalog.findByKey("oclc", "12345", [zone]), [mmsId]);
        assert.deepEqual(await catalog.findByKey("system-id", "ocm00012345", [zone]), [mmsId]);
        assert.deepEqual(await catalog.findByKey("system-id", mmsId!, [zone]), []);
      }));

    test("createMany sets the 001 of each record that asks to its own MMS ID", () =>
      withInstitution(async (catalog, zone) => {
        const creates = Array.from({ length: 6 }, (_, i) => ({
          kind: "create" as const,
          zone,
          marc: withOclc001(),
          ...(i % 2 === 0 ? { controlNumber: "mms-id" as const } : {}),
        }));
        const { mmsIds } = await catalog.createMany(creates, { savedBy: "load", action: "load" });
        for (const [i, mmsId] of mmsIds.entries()) {
          const first = (await catalog.record(mmsId))!.marc.fields[0];
          assert.deepEqual(
            first,
            { tag: "001", value: i % 2 === 0 ? mmsId : "ocm00012345" },
            `${i}`,
          );
          assert.deepEqual(
            await catalog.findByKey("system-id", mmsId, [zone]),
            i % 2 === 0 ? [mmsId] : [],
          );
        }
        assert.deepEqual(await catalog.findByKey("oclc", "12345", [zone]), [
          mmsIds[1],
          mmsIds[3],
          mmsIds[5],
        ]);
      }));
  });

  describe(`catalog (${engine}): integration profiles`, () => {
    const CONNEXION = "OCLC Connexion";

    test("a profile is set, read back and listed by type", () =>
      withInstitution(async (catalog, zone) => {
        assert.equal(await catalog.integrationProfile(zone, CONNEXION), undefined);
        assert.deepEqual(await catalog.integrationProfiles(zone), []);
        const before = Date.now();
        const saved = await catalog.setIntegrationProfile({
          institution: zone,
          type: CONNEXION,
          code: "OCLC_CX",
          settings: { targetFormat: "MARC21", passwordHash: "scrypt$abc$def" },
        });
        assert.equal(saved.institution, zone);
        assert.equal(saved.type, CONNEXION);
        assert.equal(saved.code, "OCLC_CX");
        assert.deepEqual(saved.settings, {
          targetFormat: "MARC21",
          passwordHash: "scrypt$abc$def",
        });
        assert.ok(saved.updated instanceof Date);
        assert.ok(Math.abs(saved.updated.getTime() - before) < 60_000);
        assert.equal(saved.isDefault, true);
        assert.deepEqual(await catalog.integrationProfile(zone, CONNEXION), saved);
        const other = await catalog.setIntegrationProfile({
          institution: zone,
          type: "Aleph X-Server",
          code: "X",
          settings: {},
        });
        assert.deepEqual(await catalog.integrationProfiles(zone), [other, saved]);
        assert.equal(await catalog.integrationProfile(zone, "oclc connexion"), undefined);
      }));

    test("setting a code again replaces that profile, settings and all", () =>
      withInstitution(async (catalog, zone) => {
        const first = await catalog.setIntegrationProfile({
          institution: zone,
          type: CONNEXION,
          code: "FIRST",
          settings: { old: true, keep: 1 },
        });
        const again = await catalog.setIntegrationProfile({
          institution: zone,
          type: CONNEXION,
          code: "FIRST",
          settings: { keep: 2 },
        });
        assert.equal(again.code, "FIRST");
        assert.equal(again.isDefault, true);
        assert.deepEqual(again.settings, { keep: 2 });
        assert.ok(again.updated.getTime() >= first.updated.getTime());
        assert.deepEqual(await catalog.integrationProfiles(zone), [again]);
      }));

    test("several profiles of a type: the first is the default, each is read by its code", () =>
      withInstitution(async (catalog, zone) => {
        const set = (code: string, type = CONNEXION) =>
          catalog.setIntegrationProfile({ institution: zone, type, code, settings: { code } });
        const main = await set("MAIN");
        const serials = await set("SERIALS");
        const books = await set("BOOKS");
        const other = await set("X", "Aleph X-Server");
        assert.deepEqual(
          [main, serials, books, other].map((p) => p.isDefault),
          [true, false, false, true],
        );
        assert.deepEqual(await catalog.integrationProfile(zone, CONNEXION), main);
        assert.deepEqual(await catalog.integrationProfile(zone, CONNEXION, "SERIALS"), serials);
        assert.deepEqual(await catalog.integrationProfile(zone, CONNEXION, "MAIN"), main);
        assert.equal(await catalog.integrationProfile(zone, CONNEXION, "serials"), undefined);
        assert.equal(await catalog.integrationProfile(zone, CONNEXION, "NONE"), undefined);
        assert.equal(
          await catalog.integrationProfile(zone, "Aleph X-Server", "SERIALS"),
          undefined,
        );
        // Replacing one that is not the default leaves the default where it was.
        const serials2 = await set("SERIALS");
        assert.equal(serials2.isDefault, false);
        assert.equal((await catalog.integrationProfile(zone, CONNEXION))?.code, "MAIN");
        assert.deepEqual(
          (await catalog.integrationProfiles(zone)).map((p) => `${p.type}/${p.code}`),
          ["Aleph X-Server/X", `${CONNEXION}/MAIN`, `${CONNEXION}/BOOKS`, `${CONNEXION}/SERIALS`],
        );
      }));

    test("another profile is made the default; a profile but the default is deleted", () =>
      withInstitution(async (catalog, zone) => {
        const set = (code: string) =>
          catalog.setIntegrationProfile({ institution: zone, type: CONNEXION, code, settings: {} });
        await set("MAIN");
        await set("SERIALS");
        await catalog.setDefaultIntegrationProfile(zone, CONNEXION, "SERIALS");
        assert.equal((await catalog.integrationProfile(zone, CONNEXION))?.code, "SERIALS");
        assert.deepEqual(
          (await catalog.integrationProfiles(zone)).map((p) => [p.code, p.isDefault]),
          [
            ["SERIALS", true],
            ["MAIN", false],
          ],
        );
        // Again: still one default.
        await catalog.setDefaultIntegrationProfile(zone, CONNEXION, "SERIALS");
        assert.equal(
          (await catalog.integrationProfiles(zone)).filter((p) => p.isDefault).length,
          1,
        );
        await rejects(
          catalog.setDefaultIntegrationProfile(zone, CONNEXION, "NOPE"),
          "unknown-profile",
        );
        await rejects(catalog.deleteIntegrationProfile(zone, CONNEXION, "SERIALS"), "invalid");
        await rejects(catalog.deleteIntegrationProfile(zone, CONNEXION, "NOPE"), "unknown-profile");
        await catalog.deleteIntegrationProfile(zone, CONNEXION, "MAIN");
        assert.deepEqual(
          (await catalog.integrationProfiles(zone)).map((p) => p.code),
          ["SERIALS"],
        );
        assert.equal(await catalog.integrationProfile(zone, CONNEXION, "MAIN"), undefined);
        // A profile set again after its deletion is new: not the default.
        assert.equal((await set("MAIN")).isDefault, false);
      }));

    test("a job keeps the code of the profile its records went through", () =>
      withInstitution(async (catalog, zone) => {
        const serials = await catalog.startJob({
          institution: zone,
          source: "connexion",
          description: "serials",
          profile: "SERIALS",
        });
        const plain = await catalog.startJob({ institution: zone, source: "t", description: "d" });
        assert.equal(serials.profile, "SERIALS");
        assert.equal((await catalog.job(serials.id))?.profile, "SERIALS");
        assert.equal("profile" in plain, false);
        // A shared job is joined only by the same profile.
        const shared = (profile?: string) =>
          catalog.startJob({
            institution: zone,
            source: "connexion",
            description: "day",
            ...(profile !== undefined ? { profile } : {}),
            shared: true,
          });
        const a = await shared("A");
        assert.equal((await shared("A")).id, a.id);
        const b = await shared("B");
        assert.notEqual(b.id, a.id);
        const none = await shared();
        assert.ok(none.id !== a.id && none.id !== b.id);
        assert.equal((await shared()).id, none.id);
        assert.deepEqual(
          (await catalog.jobs(zone)).map((j) => j.profile),
          [undefined, "B", "A", undefined, "SERIALS"],
        );
      }));

    test("profiles are per institution", () =>
      withCatalog(async (catalog) => {
        await catalog.addInstitution({ code: "A", name: "A" });
        await catalog.addInstitution({ code: "B", name: "B" });
        const a = await catalog.setIntegrationProfile({
          institution: "A",
          type: CONNEXION,
          code: "A_CX",
          settings: { who: "A" },
        });
        assert.equal(await catalog.integrationProfile("B", CONNEXION), undefined);
        assert.deepEqual(await catalog.integrationProfiles("B"), []);
        const b = await catalog.setIntegrationProfile({
          institution: "B",
          type: CONNEXION,
          code: "B_CX",
          settings: { who: "B" },
        });
        assert.deepEqual(await catalog.integrationProfile("A", CONNEXION), a);
        assert.deepEqual(await catalog.integrationProfile("B", CONNEXION), b);
      }));

    test("settings round-trip as JSON: nested objects, arrays, numbers, unicode, escapes", () =>
      withInstitution(async (catalog, zone) => {
        const settings = {
          passwordHash: "scrypt$16384$8$1$c2FsdA==$aGFzaA==",
          match: { serial: { method: "Unique OCLC Identifier", zone: "IZ" }, nonSerial: null },
          numbers: [0, -1, 2.5, 1e21, 12345678901234],
          flags: [true, false, null, [], {}],
          names: "Zürich Ελληνικά 北京 😀 e\u0301",
          escapes: 'quote " backslash \\ newline \n tab \t nul \u0000 del \u007f',
          "key with spaces / ünïcode": { "": "empty key" },
        };
        await catalog.setIntegrationProfile({
          institution: zone,
          type: CONNEXION,
          code: "RT",
          settings,
        });
        const stored = await catalog.integrationProfile(zone, CONNEXION);
        assert.deepEqual(stored!.settings, settings);
        assert.equal(JSON.stringify(stored!.settings), JSON.stringify(settings), "key order kept");
        // JSON's meaning: what JSON.stringify drops or turns into text reads back that way.
        await catalog.setIntegrationProfile({
          institution: zone,
          type: CONNEXION,
          code: "RT",
          settings: { gone: undefined, when: new Date(0) },
        });
        assert.deepEqual((await catalog.integrationProfile(zone, CONNEXION))!.settings, {
          when: "1970-01-01T00:00:00.000Z",
        });
      }));

    test("an unknown institution or a network zone gets no profile", () =>
      withCatalog(async (catalog) => {
        await catalog.addNetworkZone({ code: "NZ", name: "Network" });
        const profile = (institution: string) => ({
          institution,
          type: CONNEXION,
          code: "CX",
          settings: {},
        });
        await rejects(catalog.setIntegrationProfile(profile("NOPE")), "unknown-zone");
        await rejects(catalog.setIntegrationProfile(profile("NZ")), "unknown-zone");
        assert.deepEqual(await catalog.integrationProfiles("NZ"), []);
        assert.deepEqual(await catalog.integrationProfiles("NOPE"), []);
      }));

    test("settings that are not a JSON object, and blank types or codes, are invalid", () =>
      withInstitution(async (catalog, zone) => {
        const base = { institution: zone, type: CONNEXION, code: "CX" };
        for (const settings of [null, undefined, [], "text", 42, true])
          await rejects(catalog.setIntegrationProfile({ ...base, settings }), "invalid");
        const cyclic: Record<string, unknown> = {};
        cyclic.self = cyclic;
        await rejects(catalog.setIntegrationProfile({ ...base, settings: cyclic }), "invalid");
        await rejects(catalog.setIntegrationProfile({ ...base, settings: { n: 1n } }), "invalid");
        await rejects(
          catalog.setIntegrationProfile({ ...base, type: "", settings: {} }),
          "invalid",
        );
        await rejects(
          catalog.setIntegrationProfile({ ...base, code: "  ", settings: {} }),
          "invalid",
        );
        await rejects(
          catalog.setIntegrationProfile({ ...base, code: "a\nb", settings: {} }),
          "invalid",
        );
        assert.deepEqual(await catalog.integrationProfiles(zone), []);
      }));
  });

  describe(`catalog (${engine}): commitMany`, () => {
    test("creates, updates and job rows commit in order, one result each", () =>
      withInstitution(async (catalog, zone) => {
        const job = await catalog.startJob({
          institution: zone,
          source: "test",
          description: "batch",
        });
        const { mmsId: existing } = await catalog.commit({
          change: { kind: "create", zone, marc: book({ title: "Existing", oclc: "100" }) },
          context: WHO,
        });
        const entry = (n: number, outcome: "created" | "overlaid" | "rejected") => ({
          jobId: job.id,
          raw: new Uint8Array([n]),
          outcome,
          messages: [`record ${n}`],
          log: { n },
        });
        const context = { savedBy: "connexion:01ABC_INST", action: "import", jobId: job.id };
        const results = await catalog.commitMany([
          {
            change: {
              kind: "create",
              zone,
              marc: book({ title: "New one", oclc: "200" }),
              controlNumber: "mms-id",
            },
            entry: entry(0, "created"),
            context,
          },
          {
            change: {
              kind: "update",
              mmsId: existing!,
              expectedVersion: 1,
              marc: book({ title: "Existing again", oclc: "101" }),
            },
            entry: entry(1, "overlaid"),
            context,
          },
          { entry: entry(2, "rejected"), context },
          {
            change: { kind: "create", zone, marc: book({ title: "New two", oclc: "300" }) },
            context,
          },
          {
            change: {
              kind: "update",
              mmsId: existing!,
              expectedVersion: 2,
              marc: book({ title: "Existing thrice", oclc: "102" }),
            },
            entry: entry(4, "overlaid"),
            context,
          },
        ]);
        assert.equal(results.length, 5);
        const [one, update, rejected, two, again] = results;
        assert.equal(one!.version, 1);
        assert.equal(two!.version, 1);
        assert.ok(one!.mmsId! < two!.mmsId!, "MMS IDs in request order");
        assert.deepEqual([update!.mmsId, update!.version], [existing, 2]);
        assert.deepEqual([again!.mmsId, again!.version], [existing, 3]);
        assert.deepEqual(rejected, { entryId: rejected!.entryId });
        assert.equal(two!.entryId, undefined);
        const entryIds = [one, update, rejected, again].map((r) => r!.entryId!);
        assert.deepEqual(
          [...entryIds].sort((a, b) => a - b),
          entryIds,
          "entries in request order",
        );

        assert.deepEqual((await catalog.record(one!.mmsId!))!.marc.fields[0], {
          tag: "001",
          value: one!.mmsId,
        });
        assert.deepEqual(await catalog.findByKey("system-id", one!.mmsId!, [zone]), [one!.mmsId]);
        assert.deepEqual(await catalog.findByKey("oclc", "300", [zone]), [two!.mmsId]);
        assert.deepEqual(await catalog.findByKey("oclc", "102", [zone]), [existing]);
        assert.deepEqual(await catalog.findByKey("oclc", "101", [zone]), []);
        assert.deepEqual(
          (await catalog.versions(existing!)).map((v) => [v.version, v.action, v.jobId]),
          [
            [1, "create", undefined],
            [2, "import", job.id],
            [3, "import", job.id],
          ],
        );
        const rows = await catalog.jobRecords(job.id);
        assert.deepEqual(
          rows.map((r) => [r.id, r.outcome, r.mmsId, [...r.raw]]),
          [
            [one!.entryId, "created", one!.mmsId, [0]],
            [update!.entryId, "overlaid", existing, [1]],
            [rejected!.entryId, "rejected", undefined, [2]],
            [again!.entryId, "overlaid", existing, [4]],
          ],
        );
        assert.equal(
          (await catalog.search({ text: "thrice", zones: [zone] })).hits[0]!.mmsId,
          existing,
        );
      }));

    test("when one request conflicts, nothing of the batch is written and its error is thrown", () =>
      withInstitution(async (catalog, zone) => {
        const job = await catalog.startJob({ institution: zone, source: "test", description: "x" });
        const { mmsId: existing } = await catalog.commit({
          change: { kind: "create", zone, marc: book({ title: "Kept", oclc: "100" }) },
          context: WHO,
        });
        const entry = {
          jobId: job.id,
          raw: new Uint8Array([1]),
          outcome: "created" as const,
          messages: [],
          log: null,
        };
        const update = (title: string) => ({
          change: {
            kind: "update" as const,
            mmsId: existing!,
            expectedVersion: 1,
            marc: book({ title, oclc: "101" }),
          },
          entry,
          context: WHO,
        });
        await rejects(
          catalog.commitMany([
            {
              change: { kind: "create", zone, marc: book({ title: "Lost", oclc: "900" }) },
              entry,
              context: WHO,
            },
            update("First wins"),
            update("Second conflicts"),
            { entry, context: WHO },
          ]),
          "version-conflict",
        );
        assert.equal((await catalog.record(existing!))!.version, 1);
        assert.equal((await catalog.versions(existing!)).length, 1);
        assert.deepEqual(await catalog.findByKey("oclc", "100", [zone]), [existing]);
        assert.deepEqual(await catalog.findByKey("oclc", "101", [zone]), []);
        assert.deepEqual(await catalog.findByKey("oclc", "900", [zone]), []);
        assert.deepEqual(await catalog.jobRecords(job.id), []);
        assert.equal((await catalog.search({ text: "lost", zones: [zone] })).total, 0);
        const all: string[] = [];
        for await (const r of catalog.recordsOf(zone)) all.push(r.mmsId);
        assert.deepEqual(all, [existing]);

        // Other failures roll back the same way; the catalog goes on afterwards.
        await catalog.lock(existing!, "alice");
        await rejects(catalog.commitMany([{ entry, context: WHO }, update("Locked")]), "locked");
        await catalog.unlock(existing!, "alice");
        await rejects(
          catalog.commitMany([
            { entry, context: WHO },
            { entry: { ...entry, jobId: 999999 }, context: WHO },
          ]),
          "unknown-job",
        );
        assert.deepEqual(await catalog.jobRecords(job.id), []);
        const [after] = await catalog.commitMany([update("After")]);
        assert.equal(after!.version, 2);
      }));

    test("an empty batch returns nothing", () =>
      withInstitution(async (catalog) => {
        assert.deepEqual(await catalog.commitMany([]), []);
      }));

    test("concurrent batches and commits get distinct MMS IDs", () =>
      withInstitution(async (catalog, zone) => {
        const create = (title: string) => ({
          change: { kind: "create" as const, zone, marc: book({ title }) },
          context: WHO,
        });
        const batches = Array.from({ length: 8 }, (_, b) =>
          catalog.commitMany(Array.from({ length: 5 }, (_, i) => create(`Batch ${b}.${i}`))),
        );
        const singles = Array.from({ length: 8 }, (_, i) =>
          catalog.commit(create(`Single ${i}`)).then((r) => [r]),
        );
        const ids = (await Promise.all([...batches, ...singles])).flat().map((r) => r.mmsId);
        assert.equal(ids.length, 48);
        assert.equal(new Set(ids).size, 48);
      }));
  });

  describe(`catalog (${engine}): reason codes, review, job report`, () => {
    /** A job row with no change: held, skipped, rejected … */
    const row = (jobId: number, outcome: JobOutcome, reasonCode: string) =>
      ({
        entry: { jobId, raw: new Uint8Array([0x31]), outcome, reasonCode, messages: [], log: [] },
        context: { savedBy: "connexion:x", action: outcome, jobId },
      }) satisfies CommitRequest;

    test("a job row keeps its reason code; held rows start open", () =>
      withInstitution(async (catalog, zone) => {
        const job = await catalog.startJob({ institution: zone, source: "t", description: "d" });
        const held = await catalog.commit(row(job.id, "review", "several-matches"));
        const skipped = await catalog.commit(row(job.id, "skipped", "cz-linked"));
        const rows = await catalog.jobRecords(job.id);
        assert.deepEqual(
          rows.map((r) => [r.id, r.outcome, r.reasonCode, r.review?.state]),
          [
            [held.entryId, "review", "several-matches", "open"],
            [skipped.entryId, "skipped", "cz-linked", undefined],
          ],
        );
        assert.equal((await catalog.jobRecord(held.entryId!))!.reasonCode, "several-matches");
        assert.equal(await catalog.jobRecord(999999), undefined);
      }));

    test("the review queue holds open rows of the institution's jobs, oldest first", () =>
      withInstitution(async (catalog, zone) => {
        await catalog.addInstitution({ code: "01XYZ_INST", name: "XYZ" });
        const mine = await catalog.startJob({ institution: zone, source: "t", description: "a" });
        const other = await catalog.startJob({
          institution: "01XYZ_INST",
          source: "t",
          description: "b",
        });
        const a = await catalog.commit(row(mine.id, "review", "several-matches"));
        await catalog.commit(row(other.id, "review", "locked"));
        const b = await catalog.commit(row(mine.id, "review", "validation"));
        await catalog.commit(row(mine.id, "skipped", "cz-linked"));
        assert.deepEqual(
          (await catalog.reviewQueue(zone)).map((r) => r.id),
          [a.entryId, b.entryId],
        );
        assert.equal((await catalog.reviewQueue("01XYZ_INST")).length, 1);
        assert.deepEqual(
          (await catalog.reviewQueue(zone, { limit: 1 })).map((r) => r.id),
          [a.entryId],
        );
      }));

    test("discard takes a held row out of the queue with who, when and a note; once", () =>
      withInstitution(async (catalog, zone) => {
        const job = await catalog.startJob({ institution: zone, source: "t", description: "d" });
        const held = await catalog.commit(row(job.id, "review", "validation"));
        const skipped = await catalog.commit(row(job.id, "skipped", "older-version"));
        const before = Date.now();
        const discarded = await catalog.discardReview(held.entryId!, "alice", "duplicate");
        assert.equal(discarded.review?.state, "discarded");
        assert.equal(discarded.review?.by, "alice");
        assert.equal(discarded.review?.note, "duplicate");
        assert.ok(discarded.review!.at!.getTime() >= before - 1000);
        assert.deepEqual(await catalog.reviewQueue(zone), []);
        await rejects(catalog.discardReview(held.entryId!, "bob"), "not-in-review");
        await rejects(catalog.discardReview(skipped.entryId!, "bob"), "not-in-review");
        await rejects(catalog.discardReview(999999, "bob"), "not-in-review");
      }));

    test("a forced import links both rows and resolves the held one in its commit; once", () =>
      withInstitution(async (catalog, zone) => {
        const job = await catalog.startJob({ institution: zone, source: "t", description: "d" });
        const held = await catalog.commit(row(job.id, "review", "several-matches"));
        const forced = await catalog.commit({
          change: { kind: "create", zone, marc: book({ title: "Forced" }) },
          entry: {
            jobId: job.id,
            raw: new Uint8Array([0x31]),
            outcome: "created",
            reasonCode: "forced",
            forcedFrom: held.entryId!,
            messages: ["forced"],
            log: [],
          },
          context: { savedBy: "alice", action: "create", jobId: job.id },
        });
        const heldNow = (await catalog.jobRecord(held.entryId!))!;
        assert.equal(heldNow.review?.state, "forced");
        assert.equal(heldNow.review?.by, "alice");
        assert.equal(heldNow.review?.forcedEntry, forced.entryId);
        const forcedRow = (await catalog.jobRecord(forced.entryId!))!;
        assert.equal(forcedRow.forcedFrom, held.entryId);
        assert.equal(forcedRow.mmsId, forced.mmsId);
        assert.deepEqual(await catalog.reviewQueue(zone), []);
        // Forcing it again writes nothing, record included.
        const again = catalog.commit({
          change: { kind: "create", zone, marc: book({ title: "Twice" }) },
          entry: { ...row(job.id, "created", "forced").entry, forcedFrom: held.entryId! },
          context: { savedBy: "bob", action: "create", jobId: job.id },
        });
        await rejects(again, "not-in-review");
        assert.equal((await catalog.search({ text: "twice", zones: [zone] })).total, 0);
        assert.equal((await catalog.jobRecords(job.id)).length, 2);
      }));

    test("the job report counts received, new, merged … skipped and held by reason", () =>
      withInstitution(async (catalog, zone) => {
        const job = await catalog.startJob({ institution: zone, source: "t", description: "d" });
        const created = await catalog.commit({
          change: { kind: "create", zone, marc: book({ title: "New" }) },
          entry: { ...row(job.id, "created", "no-match").entry },
          context: { savedBy: "x", action: "create", jobId: job.id },
        });
        await catalog.commit({
          change: {
            kind: "update",
            mmsId: created.mmsId!,
            expectedVersion: 1,
            marc: book({ title: "Merged" }),
          },
          entry: { ...row(job.id, "merged", "matched").entry },
          context: { savedBy: "x", action: "merge", jobId: job.id },
        });
        await catalog.commit(row(job.id, "unchanged", "unchanged"));
        await catalog.commit(row(job.id, "skipped", "cz-linked"));
        await catalog.commit(row(job.id, "skipped", "cz-linked"));
        await catalog.commit(row(job.id, "skipped", "older-version"));
        const several = await catalog.commit(row(job.id, "review", "several-matches"));
        await catalog.commit(row(job.id, "review", "locked"));
        const invalid = await catalog.commit(row(job.id, "review", "validation"));
        await catalog.commit(row(job.id, "review", "validation"));
        await catalog.commit(row(job.id, "rejected", "unreadable"));
        await catalog.commit(row(job.id, "rejected", "failed"));
        await catalog.discardReview(invalid.entryId!, "alice");
        await catalog.commit({
          change: { kind: "create", zone, marc: book({ title: "Forced" }) },
          entry: {
            ...row(job.id, "created", "forced").entry,
            forcedFrom: several.entryId!,
          },
          context: { savedBy: "alice", action: "create", jobId: job.id },
        });
        const report = (await catalog.jobReport(job.id))!;
        assert.equal(report.job.id, job.id);
        assert.deepEqual(
          {
            received: report.received,
            created: report.created,
            merged: report.merged,
            overlaid: report.overlaid,
            unchanged: report.unchanged,
            skipped: report.skipped,
            heldForReview: report.heldForReview,
            failed: report.failed,
            review: report.review,
            forced: report.forced,
            undone: report.undone,
          },
          {
            received: 12,
            created: 1,
            merged: 1,
            overlaid: 0,
            unchanged: 1,
            skipped: { "cz-linked": 2, "older-version": 1 },
            heldForReview: { "several-matches": 1, locked: 1, validation: 2 },
            failed: { unreadable: 1, failed: 1 },
            review: { open: 2, forced: 1, discarded: 1 },
            forced: { created: 1 },
            undone: 0,
          },
        );
        assert.equal(await catalog.jobReport(999999), undefined);
      }));

    test("a job's rows come in pages, of one outcome or all, in arrival order", () =>
      withInstitution(async (catalog, zone) => {
        const job = await catalog.startJob({ institution: zone, source: "t", description: "d" });
        const outcomes: JobOutcome[] = [];
        for (let i = 0; i < 7; i++) outcomes.push(i % 3 === 0 ? "review" : "skipped");
        outcomes.push("rejected");
        const ids: number[] = [];
        for (const outcome of outcomes)
          ids.push((await catalog.commit(row(job.id, outcome, "r"))).entryId!);
        const idsOf = (rows: readonly { id: number }[]) => rows.map((r) => r.id);
        assert.deepEqual(idsOf(await catalog.jobRecords(job.id)), ids);
        assert.deepEqual(idsOf(await catalog.jobRecords(job.id, { limit: 3 })), ids.slice(0, 3));
        assert.deepEqual(
          idsOf(await catalog.jobRecords(job.id, { limit: 3, offset: 6 })),
          ids.slice(6),
        );
        const held = ids.filter((_, i) => outcomes[i] === "review");
        assert.deepEqual(idsOf(await catalog.jobRecords(job.id, { outcome: "review" })), held);
        assert.deepEqual(
          idsOf(await catalog.jobRecords(job.id, { outcome: "review", limit: 1, offset: 1 })),
          held.slice(1, 2),
        );
        assert.deepEqual(
          (await catalog.jobRecords(job.id, { outcome: "skipped", offset: 2 })).map(
            (r) => r.outcome,
          ),
          ["skipped", "skipped"],
        );
        assert.deepEqual(await catalog.jobRecords(job.id, { outcome: "created" }), []);
        assert.deepEqual(await catalog.jobRecords(job.id, { offset: 100 }), []);
        const counted = (await catalog.job(job.id))!.counts;
        assert.deepEqual({ ...counted }, { review: held.length, skipped: 4, rejected: 1 });
      }));
  });

  describe(`catalog (${engine}): undo and restore`, () => {
    const importJob = (catalog: Catalog, zone: string) =>
      catalog.startJob({ institution: zone, source: "import", description: "undo test" });
    const entry = (jobId: number, outcome: JobOutcome) => ({
      jobId,
      raw: new Uint8Array([0x31]),
      outcome,
      messages: [],
      log: [],
    });

    test("a cataloger's delete keeps the versions, is published as a delete, and restore brings it back", () =>
      withInstitution(async (catalog, zone) => {
        const { mmsId } = await catalog.commit({
          change: { kind: "create", zone, marc: book({ title: "Delete me", oclc: "4321" }) },
          context: WHO,
        });
        await catalog.commit({
          change: {
            kind: "update",
            mmsId: mmsId!,
            expectedVersion: 1,
            marc: book({ title: "Delete me, edited", oclc: "4321" }),
          },
          context: { savedBy: "alice", action: "edit" },
        });
        await rejects(
          catalog.deleteRecord(mmsId!, 1, { savedBy: "bob", action: "delete" }),
          "version-conflict",
        );
        await catalog.lock(mmsId!, "carol");
        await rejects(
          catalog.deleteRecord(mmsId!, 2, { savedBy: "bob", action: "delete" }),
          "locked",
        );
        await catalog.unlock(mmsId!, "carol");
        await rejects(
          catalog.deleteRecord("9999999999999999", 1, { savedBy: "bob", action: "delete" }),
          "unknown-record",
        );
        assert.equal((await catalog.record(mmsId!))?.version, 2, "a refused delete writes nothing");
        const deletion = await catalog.deleteRecord(mmsId!, 2, {
          savedBy: "bob",
          action: "delete",
        });
        assert.deepEqual(
          { ...deletion, deletedAt: undefined },
          { mmsId, zone, version: 2, deletedBy: "bob", deletedAt: undefined, action: "delete" },
        );
        assert.deepEqual(await catalog.deletion(mmsId!), deletion);
        assert.equal(await catalog.record(mmsId!), undefined);
        assert.deepEqual(await catalog.findByKey("oclc", "4321", [zone]), []);
        assert.equal((await catalog.search({ text: "delete", zones: [zone] })).total, 0);
        assert.deepEqual(
          (await catalog.versions(mmsId!)).map((v) => [v.version, v.savedBy, v.action]),
          [
            [1, "tester", "create"],
            [2, "alice", "edit"],
          ],
        );
        assert.equal((await catalog.publishing.publishedItem(mmsId!))?.deleted, true);
        await rejects(
          catalog.deleteRecord(mmsId!, 2, { savedBy: "bob", action: "delete" }),
          "unknown-record",
        );
        const restored = await catalog.restore(mmsId!, 2, { savedBy: "bob", action: "restore" });
        assert.equal(restored.version, 3);
        assert.equal(await catalog.deletion(mmsId!), undefined);
        const back = (await catalog.record(mmsId!))!;
        assert.equal(back.version, 3);
        assert.deepEqual(await catalog.findByKey("oclc", "4321", [zone]), [mmsId]);
        assert.equal((await catalog.publishing.publishedItem(mmsId!))?.deleted, false);
      }));

    test("undo restores what a job merged and deletes what it created; restore brings it back", () =>
      withInstitution(async (catalog, zone) => {
        const before = await catalog.commit({
          change: {
            kind: "create",
            zone,
            marc: book({ title: "Before", oclc: "100" }),
            briefLevel: "05",
            originatingVersion: "20200101000000.0",
          },
          context: WHO,
        });
        const job = await importJob(catalog, zone);
        const ctx = (action: string) => ({ savedBy: "connexion:x", action, jobId: job.id });
        await catalog.commit({
          change: {
            kind: "update",
            mmsId: before.mmsId!,
            expectedVersion: 1,
            marc: book({ title: "Merged by job", oclc: "100", isbn: "9780306406157" }),
            briefLevel: "09",
            originatingVersion: "20240101000000.0",
            managementTag: "Don't publish",
          },
          entry: entry(job.id, "merged"),
          context: ctx("merge"),
        });
        const created = await catalog.commit({
          change: { kind: "create", zone, marc: book({ title: "Created by job", oclc: "200" }) },
          entry: entry(job.id, "created"),
          context: ctx("create"),
        });
        // The same job saves the new record a second time (an export sent twice).
        await catalog.commit({
          change: {
            kind: "update",
            mmsId: created.mmsId!,
            expectedVersion: 1,
            marc: book({ title: "Created by job, again", oclc: "200" }),
          },
          entry: entry(job.id, "merged"),
          context: ctx("merge"),
        });
        await catalog.commit({ entry: entry(job.id, "skipped"), context: ctx("skipped") });

        const report = await catalog.undoJob(job.id, "alice");
        assert.equal(report.jobId, job.id);
        assert.equal(report.alreadyUndone, 0);
        assert.deepEqual(
          report.records,
          [
            { mmsId: before.mmsId, reverted: "restored", toVersion: 1, version: 3 },
            { mmsId: created.mmsId, reverted: "deleted", lastVersion: 2 },
          ].sort((a, b) => (a.mmsId! < b.mmsId! ? -1 : 1)),
        );
        const reverted = (await catalog.record(before.mmsId!))!;
        assert.equal(reverted.marc.fields.find((f) => f.tag === "245") !== undefined, true);
        assert.deepEqual(reverted.marc, (await catalog.version(before.mmsId!, 1))!.marc);
        assert.equal(reverted.briefLevel, "05");
        assert.equal(reverted.originatingVersion, "20200101000000.0");
        assert.equal(reverted.managementTag, "Publish bibliographic records");
        const last = (await catalog.versions(before.mmsId!)).at(-1)!;
        assert.deepEqual(
          [last.version, last.action, last.savedBy, last.jobId],
          [3, "undo", "alice", job.id],
        );
        assert.deepEqual(await catalog.findByKey("isbn", "9780306406157", [zone]), []);

        // The created record is gone, keys and search too; its versions are kept.
        assert.equal(await catalog.record(created.mmsId!), undefined);
        assert.deepEqual(await catalog.findByKey("oclc", "200", [zone]), []);
        assert.equal((await catalog.search({ text: "created", zones: [zone] })).total, 0);
        assert.deepEqual(
          (await catalog.versions(created.mmsId!)).map((v) => [v.version, v.action]),
          [
            [1, "create"],
            [2, "merge"],
          ],
        );
        const deletion = (await catalog.deletion(created.mmsId!))!;
        assert.deepEqual(
          [deletion.version, deletion.deletedBy, deletion.action, deletion.jobId],
          [2, "alice", "undo", job.id],
        );
        const rows = await catalog.jobRecords(job.id);
        assert.deepEqual(
          rows.map((r) => r.undone?.by),
          ["alice", "alice", "alice", undefined],
        );
        assert.equal((await catalog.jobReport(job.id))!.undone, 3);

        // Undoing again finds nothing left to do.
        const again = await catalog.undoJob(job.id, "alice");
        assert.deepEqual(again.records, []);
        assert.equal(again.alreadyUndone, 2);

        // Restore brings the deleted record back with its MMS ID, as a new version.
        const back = await catalog.restore(created.mmsId!, 2, {
          savedBy: "bob",
          action: "restore",
        });
        assert.deepEqual(back, { mmsId: created.mmsId, version: 3 });
        const record = (await catalog.record(created.mmsId!))!;
        assert.equal(record.version, 3);
        assert.equal(record.zone, zone);
        assert.deepEqual(record.marc, (await catalog.version(created.mmsId!, 2))!.marc);
        assert.deepEqual(await catalog.findByKey("oclc", "200", [zone]), [created.mmsId]);
        assert.equal(await catalog.deletion(created.mmsId!), undefined);
        assert.deepEqual(
          (await catalog.versions(created.mmsId!)).map((v) => [v.version, v.action, v.savedBy]),
          [
            [1, "create", "connexion:x"],
            [2, "merge", "connexion:x"],
            [3, "restore", "bob"],
          ],
        );
        // And it can be saved as usual.
        const saved = await catalog.commit({
          change: {
            kind: "update",
            mmsId: created.mmsId!,
            expectedVersion: 3,
            marc: book({ title: "Later" }),
          },
          context: WHO,
        });
        assert.equal(saved.version, 4);
      }));

    test("undo leaves a record changed since alone and says why; the rest is undone", () =>
      withInstitution(async (catalog, zone) => {
        const job = await importJob(catalog, zone);
        const ctx = { savedBy: "connexion:x", action: "create", jobId: job.id };
        const changed = await catalog.commit({
          change: { kind: "create", zone, marc: book({ title: "Changed later" }) },
          entry: entry(job.id, "created"),
          context: ctx,
        });
        const untouched = await catalog.commit({
          change: { kind: "create", zone, marc: book({ title: "Untouched" }) },
          entry: entry(job.id, "created"),
          context: ctx,
        });
        const locked = await catalog.commit({
          change: { kind: "create", zone, marc: book({ title: "Locked" }) },
          entry: entry(job.id, "created"),
          context: ctx,
        });
        await catalog.commit({
          change: {
            kind: "update",
            mmsId: changed.mmsId!,
            expectedVersion: 1,
            marc: book({ title: "Edited by staff" }),
          },
          context: { savedBy: "carol", action: "edit" },
        });
        await catalog.lock(locked.mmsId!, "dave");
        const report = await catalog.undoJob(job.id, "alice");
        const byId = new Map(report.records.map((r) => [r.mmsId, r]));
        const refused = byId.get(changed.mmsId!)!;
        assert.equal(refused.reverted, false);
        assert.match(
          refused.reverted === false ? refused.reason : "",
          /changed since job \d+ saved it: version 2 was saved by carol .*\(edit\)/,
        );
        const lockedOutcome = byId.get(locked.mmsId!)!;
        assert.equal(lockedOutcome.reverted, false);
        assert.match(
          lockedOutcome.reverted === false ? lockedOutcome.reason : "",
          /locked by dave/,
        );
        assert.equal(byId.get(untouched.mmsId!)!.reverted, "deleted");
        assert.equal((await catalog.record(changed.mmsId!))!.version, 2);
        assert.equal(await catalog.record(untouched.mmsId!), undefined);
        // Once the lock is gone, undoing again does the rest.
        await catalog.unlock(locked.mmsId!, "dave");
        const again = await catalog.undoJob(job.id, "alice");
        assert.deepEqual(
          again.records.map((r) => [r.mmsId, r.reverted]),
          [
            [changed.mmsId, false],
            [locked.mmsId, "deleted"],
          ].sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : 1)),
        );
        await rejects(catalog.undoJob(999999, "alice"), "unknown-job");
      }));

    test("a later job's saves that were undone since do not count as a change", () =>
      withInstitution(async (catalog, zone) => {
        const first = await importJob(catalog, zone);
        const second = await importJob(catalog, zone);
        const { mmsId } = await catalog.commit({
          change: { kind: "create", zone, marc: book({ title: "First" }) },
          entry: entry(first.id, "created"),
          context: { savedBy: "x", action: "create", jobId: first.id },
        });
        await catalog.commit({
          change: { kind: "update", mmsId: mmsId!, expectedVersion: 1, marc: book({ title: "S" }) },
          entry: entry(second.id, "merged"),
          context: { savedBy: "x", action: "merge", jobId: second.id },
        });
        const refused = await catalog.undoJob(first.id, "alice");
        assert.equal(refused.records[0]!.reverted, false);
        assert.equal((await catalog.undoJob(second.id, "alice")).records[0]!.reverted, "restored");
        const undone = await catalog.undoJob(first.id, "alice");
        assert.deepEqual(undone.records, [{ mmsId, reverted: "deleted", lastVersion: 3 }]);
      }));

    test("restore of an unknown record or version is refused", () =>
      withInstitution(async (catalog) => {
        await rejects(catalog.restore("9900000000991001", 1, WHO), "unknown-record");
      }));
  });
  describe(`catalog (${engine}): local fields of network-zone records`, () => {
    const local = (value: string): MarcRecord["fields"][number] => ({
      tag: "949",
      ind1: " ",
      ind2: " ",
      subfields: [{ code: "a", value }],
    });

    async function withNetwork(
      fn: (catalog: Catalog, nz: string, a: string, b: string) => Promise<void>,
    ): Promise<void> {
      await withCatalog(async (catalog) => {
        await catalog.addNetworkZone({ code: "01NET_NETWORK", name: "Network" });
        await catalog.addInstitution({ code: "01A_INST", name: "A", network: "01NET_NETWORK" });
        await catalog.addInstitution({ code: "01B_INST", name: "B", network: "01NET_NETWORK" });
        await catalog.addInstitution({ code: "01OUT_INST", name: "Outside" });
        await fn(catalog, "01NET_NETWORK", "01A_INST", "01B_INST");
      });
    }

    test("saved with the record, per institution, apart from the shared record", () =>
      withNetwork(async (catalog, nz, a, b) => {
        const job = await catalog.startJob({ institution: a, source: "test", description: "t" });
        const marc = book({ title: "Shared", oclc: "77" });
        const created = await catalog.commit({
          change: { kind: "create", zone: nz, marc },
          localFields: { institution: a, fields: [local("A's note"), local('ünïcode "q" \\')] },
          entry: {
            jobId: job.id,
            raw: new Uint8Array([1]),
            outcome: "created",
            messages: [],
            log: {},
          },
          context: { savedBy: "connexion:01A_INST", action: "create", jobId: job.id },
        });
        const mmsId = created.mmsId!;
        const stored = (await catalog.record(mmsId))!;
        assert.deepEqual(stored.marc.fields, marc.fields);
        const mine = (await catalog.localFields(mmsId, a))!;
        assert.deepEqual(mine.fields, [local("A's note"), local('ünïcode "q" \\')]);
        assert.equal(mine.version, 1);
        assert.equal(mine.savedBy, "connexion:01A_INST");
        assert.equal(mine.action, "create");
        assert.equal(mine.jobId, job.id);
        assert.equal(await catalog.localFields(mmsId, b), undefined);
        assert.deepEqual(await catalog.localFieldVersions(mmsId, b), []);
        assert.equal((await catalog.jobRecords(job.id))[0]!.mmsId, mmsId);
      }));

    test("undo reverts a member's local fields with the shared record, or alone", () =>
      withNetwork(async (catalog, nz, a, b) => {
        const { mmsId } = await catalog.commit({
          change: { kind: "create", zone: nz, marc: book({ title: "Shared" }) },
          localFields: { institution: a, fields: [local("before")] },
          context: WHO,
        });
        const row = (jobId: number) => ({
          jobId,
          raw: new Uint8Array([1]),
          outcome: "merged" as const,
          messages: [],
          log: {},
        });
        // Job 1 merges the shared record and A's local fields; B's are not A's job's.
        const merged = await catalog.startJob({ institution: a, source: "t", description: "m" });
        await catalog.commit({
          change: { kind: "update", mmsId: mmsId!, expectedVersion: 1, marc: book({ title: "M" }) },
          localFields: { institution: a, fields: [local("merged")] },
          entry: row(merged.id),
          context: { savedBy: "connexion:a", action: "merge", jobId: merged.id },
        });
        await catalog.commit({
          localFields: { institution: b, mmsId: mmsId!, fields: [local("B's own")] },
          context: WHO,
        });
        const undone = await catalog.undoJob(merged.id, "alice");
        assert.deepEqual(undone.records, [
          {
            mmsId,
            reverted: "restored",
            toVersion: 1,
            version: 3,
            localFields: { institution: a, toVersion: 1, version: 3 },
          },
        ]);
        assert.deepEqual((await catalog.localFields(mmsId!, a))!.fields, [local("before")]);
        assert.equal((await catalog.localFields(mmsId!, a))!.action, "undo");
        assert.deepEqual((await catalog.localFields(mmsId!, b))!.fields, [local("B's own")]);
        assert.equal((await catalog.record(mmsId!))!.version, 3);

        // Job 2 changes only B's local fields (no record version): undo puts them back.
        const localOnly = await catalog.startJob({ institution: b, source: "t", description: "l" });
        await catalog.commit({
          localFields: { institution: b, mmsId: mmsId!, fields: [local("B, later")] },
          entry: { ...row(localOnly.id), outcome: "unchanged" },
          context: { savedBy: "connexion:b", action: "merge", jobId: localOnly.id },
        });
        const alone = await catalog.undoJob(localOnly.id, "alice");
        assert.deepEqual(alone.records, [
          {
            mmsId,
            reverted: "restored",
            localFields: { institution: b, toVersion: 1, version: 3 },
          },
        ]);
        assert.deepEqual((await catalog.localFields(mmsId!, b))!.fields, [local("B's own")]);
        assert.equal((await catalog.record(mmsId!))!.version, 3);

        // Local fields changed since by someone else: the record is left alone.
        const third = await catalog.startJob({ institution: a, source: "t", description: "3" });
        await catalog.commit({
          localFields: { institution: a, mmsId: mmsId!, fields: [local("third")] },
          entry: { ...row(third.id), outcome: "unchanged" },
          context: { savedBy: "connexion:a", action: "merge", jobId: third.id },
        });
        await catalog.commit({
          localFields: { institution: a, mmsId: mmsId!, fields: [local("staff")] },
          context: { savedBy: "carol", action: "edit" },
        });
        const refused = (await catalog.undoJob(third.id, "alice")).records[0]!;
        assert.equal(refused.reverted, false);
        assert.match(
          refused.reverted === false ? refused.reason : "",
          /the local fields of record \d+ changed since job \d+ saved it: version 5 was saved by carol/,
        );
      }));

    test("a save of local fields alone keeps the record's version; every state is kept", () =>
      withNetwork(async (catalog, nz, a, b) => {
        const { mmsId } = await catalog.commit({
          change: { kind: "create", zone: nz, marc: book({ title: "Shared" }) },
          localFields: { institution: a, fields: [local("one")] },
          context: WHO,
        });
        const job = await catalog.startJob({ institution: a, source: "test", description: "t" });
        const result = await catalog.commit({
          localFields: {
            institution: a,
            mmsId: mmsId!,
            fields: [local("two")],
            expectedVersion: 1,
          },
          entry: {
            jobId: job.id,
            raw: new Uint8Array([1]),
            outcome: "merged",
            messages: [],
            log: {},
          },
          context: { savedBy: "tester", action: "merge" },
        });
        assert.equal(result.mmsId, mmsId);
        assert.equal(result.version, undefined);
        assert.equal((await catalog.record(mmsId!))!.version, 1);
        assert.equal((await catalog.jobRecords(job.id))[0]!.mmsId, mmsId);
        await catalog.commit({
          localFields: { institution: b, mmsId: mmsId!, fields: [local("B")], expectedVersion: 0 },
          context: WHO,
        });
        const versions = await catalog.localFieldVersions(mmsId!, a);
        assert.deepEqual(
          versions.map((v) => [v.version, v.fields]),
          [
            [1, [local("one")]],
            [2, [local("two")]],
          ],
        );
        assert.deepEqual((await catalog.localFields(mmsId!, b))!.fields, [local("B")]);
        // An empty list clears them (a new state, the earlier ones kept).
        await catalog.commit({
          localFields: { institution: a, mmsId: mmsId!, fields: [] },
          context: WHO,
        });
        assert.deepEqual((await catalog.localFields(mmsId!, a))!.fields, []);
        assert.equal((await catalog.localFieldVersions(mmsId!, a)).length, 3);
        // The shared record's versions and restore leave every member's local fields alone.
        await catalog.commit({
          change: {
            kind: "update",
            mmsId: mmsId!,
            expectedVersion: 1,
            marc: book({ title: "New" }),
          },
          context: WHO,
        });
        await catalog.restore(mmsId!, 1, WHO);
        const restored = (await catalog.record(mmsId!))!;
        assert.equal(restored.version, 3);
        assert.equal(restored.marc.fields.length, book({ title: "Shared" }).fields.length);
        assert.deepEqual((await catalog.localFields(mmsId!, b))!.fields, [local("B")]);
        assert.equal((await catalog.localFieldVersions(mmsId!, a)).length, 3);
      }));

    test("a stale version is refused and nothing of the commit is written", () =>
      withNetwork(async (catalog, nz, a) => {
        const { mmsId } = await catalog.commit({
          change: { kind: "create", zone: nz, marc: book({ title: "Shared" }) },
          localFields: { institution: a, fields: [local("one")] },
          context: WHO,
        });
        const job = await catalog.startJob({ institution: a, source: "test", description: "t" });
        await rejects(
          catalog.commit({
            change: {
              kind: "update",
              mmsId: mmsId!,
              expectedVersion: 1,
              marc: book({ title: "New" }),
            },
            localFields: { institution: a, fields: [local("two")], expectedVersion: 0 },
            entry: {
              jobId: job.id,
              raw: new Uint8Array([1]),
              outcome: "merged",
              messages: [],
              log: {},
            },
            context: WHO,
          }),
          "version-conflict",
        );
        assert.equal((await catalog.record(mmsId!))!.version, 1);
        assert.deepEqual((await catalog.localFields(mmsId!, a))!.fields, [local("one")]);
        assert.deepEqual(await catalog.jobRecords(job.id), []);
      }));

    test("only a member institution of the record's network zone has local fields", () =>
      withNetwork(async (catalog, nz, a) => {
        const { mmsId } = await catalog.commit({
          change: { kind: "create", zone: nz, marc: book({ title: "Shared" }) },
          context: WHO,
        });
        const own = await catalog.commit({
          change: { kind: "create", zone: "01OUT_INST", marc: book({ title: "Own" }) },
          context: WHO,
        });
        const save = (institution: string, id: string | undefined) =>
          catalog.commit({
            localFields: { institution, fields: [local("x")], ...(id ? { mmsId: id } : {}) },
            context: WHO,
          });
        await rejects(save("01OUT_INST", mmsId), "invalid");
        await rejects(save(a, own.mmsId), "invalid");
        await rejects(save(nz, mmsId), "unknown-zone");
        await rejects(save("01NOPE_INST", mmsId), "unknown-zone");
        await rejects(save(a, "9999999999999999"), "unknown-record");
        await rejects(save(a, undefined), "invalid");
        assert.equal(await catalog.localFields(mmsId!, "01OUT_INST"), undefined);
      }));

    test("commitMany saves local fields with each request's record", () =>
      withNetwork(async (catalog, nz, a, b) => {
        const results = await catalog.commitMany([
          {
            change: { kind: "create", zone: nz, marc: book({ title: "One" }) },
            localFields: { institution: a, fields: [local("a1")] },
            context: WHO,
          },
          {
            change: { kind: "create", zone: nz, marc: book({ title: "Two" }) },
            localFields: { institution: b, fields: [local("b2")] },
            context: WHO,
          },
        ]);
        assert.deepEqual((await catalog.localFields(results[0]!.mmsId!, a))!.fields, [local("a1")]);
        assert.deepEqual((await catalog.localFields(results[1]!.mmsId!, b))!.fields, [local("b2")]);
        assert.equal(await catalog.localFields(results[1]!.mmsId!, a), undefined);
      }));
  });

  describe(`catalog (${engine}): accounts`, () => {
    const HASH = "scrypt$16384$8$1$c2FsdA==$aGFzaA==";

    test("users are added once, read back, listed by name and updated", () =>
      withCatalog(async (catalog) => {
        await catalog.addInstitution({ code: "01A_INST", name: "A" });
        assert.equal(await catalog.user("ada"), undefined);
        const ada = await catalog.addUser({
          name: "ada",
          roles: [{ institution: "01A_INST", role: "Cataloger" }],
          passwordHash: HASH,
        });
        assert.equal(ada.name, "ada");
        assert.deepEqual(ada.roles, [{ institution: "01A_INST", role: "Cataloger" }]);
        assert.equal(ada.installationAdmin, false);
        assert.equal(ada.passwordHash, HASH);
        assert.ok(ada.created instanceof Date);
        assert.deepEqual(await catalog.user("ada"), ada);
        await rejects(catalog.addUser({ name: "ada", passwordHash: HASH }), "duplicate-user");
        const admin = await catalog.addUser({
          name: "admin",
          installationAdmin: true,
          passwordHash: HASH,
        });
        assert.deepEqual(admin.roles, []);
        assert.equal(admin.installationAdmin, true);
        assert.deepEqual(
          (await catalog.users()).map((u) => [u.name, u.roles.length, u.installationAdmin]),
          [
            ["ada", 1, false],
            ["admin", 0, true],
          ],
        );
        await rejects(catalog.addUser({ name: "bad name", passwordHash: HASH }), "invalid");
        await rejects(
          catalog.addUser({
            name: "x",
            roles: [{ institution: "01A_INST", role: "Owner" as "Viewer" }],
            passwordHash: HASH,
          }),
          "invalid",
        );
        const promoted = await catalog.updateUser("ada", {
          roles: [{ institution: "01A_INST", role: "General System Administrator" }],
        });
        assert.deepEqual(promoted.roles, [
          { institution: "01A_INST", role: "General System Administrator" },
        ]);
        assert.equal(promoted.passwordHash, HASH);
        await rejects(catalog.updateUser("nobody", { roles: [] }), "unknown-user");
      }));

    test("roles per institution: one each, only in institutions, replaced as a whole", () =>
      withCatalog(async (catalog) => {
        await catalog.addNetworkZone({ code: "01N_NETWORK", name: "N" });
        await catalog.addInstitution({ code: "01B_INST", name: "B", network: "01N_NETWORK" });
        await catalog.addInstitution({ code: "01A_INST", name: "A", network: "01N_NETWORK" });
        const bo = await catalog.addUser({
          name: "bo",
          roles: [
            { institution: "01B_INST", role: "Viewer" },
            { institution: "01A_INST", role: "Cataloger" },
          ],
          passwordHash: HASH,
        });
        // By institution code, whatever the order given.
        assert.deepEqual(
          bo.roles.map((r) => `${r.role} in ${r.institution}`),
          ["Cataloger in 01A_INST", "Viewer in 01B_INST"],
        );
        await rejects(
          catalog.addUser({
            name: "cy",
            roles: [{ institution: "01N_NETWORK", role: "Viewer" }],
            passwordHash: HASH,
          }),
          "unknown-zone",
        );
        assert.equal(await catalog.user("cy"), undefined, "nothing is kept of a refused user");
        await rejects(
          catalog.addUser({
            name: "cy",
            roles: [{ institution: "01NOPE_INST", role: "Viewer" }],
            passwordHash: HASH,
          }),
          "unknown-zone",
        );
        await rejects(
          catalog.addUser({
            name: "cy",
            roles: [
              { institution: "01A_INST", role: "Viewer" },
              { institution: "01A_INST", role: "Cataloger" },
            ],
            passwordHash: HASH,
          }),
          "invalid",
        );
        const moved = await catalog.updateUser("bo", {
          roles: [{ institution: "01B_INST", role: "General System Administrator" }],
          installationAdmin: true,
        });
        assert.deepEqual(moved.roles, [
          { institution: "01B_INST", role: "General System Administrator" },
        ]);
        assert.equal(moved.installationAdmin, true);
        await rejects(
          catalog.updateUser("bo", { roles: [{ institution: "01N_NETWORK", role: "Viewer" }] }),
          "unknown-zone",
        );
        assert.deepEqual(
          (await catalog.user("bo"))?.roles,
          moved.roles,
          "a refused update keeps all",
        );
        const flagOnly = await catalog.updateUser("bo", { installationAdmin: false });
        assert.deepEqual(flagOnly.roles, moved.roles);
        assert.equal(flagOnly.installationAdmin, false);
        assert.deepEqual((await catalog.users())[0], flagOnly);
      }));

    test("access keys: sessions and tokens by hash, expiry, removal, a new password ends sessions", () =>
      withCatalog(async (catalog) => {
        await catalog.addUser({ name: "ada", passwordHash: HASH });
        const hour = new Date(Date.now() + 3_600_000);
        const session = await catalog.addAccessKey({
          hash: "s1",
          kind: "session",
          user: "ada",
          label: "127.0.0.1",
          csrf: "c1",
          expires: hour,
        });
        assert.equal(session.user, "ada");
        assert.equal(session.csrf, "c1");
        assert.equal(session.expires?.getTime(), hour.getTime());
        assert.deepEqual(await catalog.accessKey("s1"), session);
        await catalog.addAccessKey({ hash: "t1", kind: "token", user: "ada", label: "nightly" });
        const token = await catalog.accessKey("t1");
        assert.equal(token?.kind, "token");
        assert.equal(token?.expires, undefined);
        assert.equal(token?.csrf, undefined);
        await catalog.addAccessKey({
          hash: "old",
          kind: "session",
          user: "ada",
          label: "x",
          expires: new Date(Date.now() - 1000),
        });
        assert.equal(await catalog.accessKey("old"), undefined);
        assert.deepEqual(
          (await catalog.accessKeys("ada", "session")).map((k) => k.hash),
          ["s1"],
        );
        assert.deepEqual(
          (await catalog.accessKeys("ada", "token")).map((k) => k.hash),
          ["t1"],
        );
        await rejects(
          catalog.addAccessKey({ hash: "x", kind: "token", user: "nobody", label: "x" }),
          "unknown-user",
        );
        await catalog.removeAccessKey("t1");
        await catalog.removeAccessKey("t1");
        assert.equal(await catalog.accessKey("t1"), undefined);
        await catalog.updateUser("ada", { passwordHash: HASH.replace("aGFzaA==", "bmV3") });
        assert.equal(await catalog.accessKey("s1"), undefined);
      }));
  });
}
