/**
 * The one test suite every catalog engine passes. `sqlite.test.ts` and `postgres.test.ts` run
 * it with a fresh, empty catalog for each test.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CatalogError, type Catalog, type CatalogErrorCode } from "../../src/catalog/catalog.js";
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

    test("an institution's network zone must exist", () =>
      withCatalog(async (catalog) => {
        await rejects(
          catalog.addInstitution({ code: "X", name: "x", network: "NOPE" }),
          "unknown-zone",
        );
      }));
  });

  describe(`catalog (${engine}): records and versions`, () => {
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
          change: { kind: "create", zone, marc: book({ title: "K", oclc: "1" }) },
          context: WHO,
        });
        await catalog.commit({
          change: {
            kind: "update",
            mmsId: mmsId!,
            expectedVersion: 1,
            marc: book({ title: "K", oclc: "2" }),
          },
          context: WHO,
        });
        assert.deepEqual(await catalog.findByKey("oclc", "1", [zone]), []);
        assert.deepEqual(await catalog.findByKey("oclc", "2", [zone]), [mmsId]);
      }));
  });

  describe(`catalog (${engine}): jobs`, () => {
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
}
