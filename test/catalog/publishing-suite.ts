/**
 * The publishing log on every engine (migration 13): each change of a record logs one row in the
 * same transaction, locks log nothing, deletes stay as deleted items.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Catalog } from "../../src/catalog/catalog.js";
import { book } from "./suite.js";

/** Registers the publishing suite for one engine. `open` gives a new, empty catalog. */
export function publishingSuite(engine: string, open: () => Promise<Catalog>): void {
  describe(`catalog (${engine}): publishing log`, () => {
    test("create, update, management tag, lock, undo (delete) and restore each log what happened", async () => {
      const catalog = await open();
      try {
        const zone = "01ABC_INST";
        await catalog.addInstitution({ code: zone, name: "ABC University" });
        const first = await catalog.commit({
          change: { kind: "create", zone, marc: book({ title: "One", oclc: "1" }) },
          context: { savedBy: "t", action: "create" },
        });
        const job = await catalog.startJob({
          institution: zone,
          source: "import",
          description: "x",
        });
        const entry = { jobId: job.id, raw: new Uint8Array([0x31]), messages: [], log: [] };
        const created = await catalog.commit({
          change: { kind: "create", zone, marc: book({ title: "Two", oclc: "2" }) },
          entry: { ...entry, outcome: "created" },
          context: { savedBy: "t", action: "create", jobId: job.id },
        });
        await catalog.commit({
          change: {
            kind: "update",
            mmsId: first.mmsId!,
            expectedVersion: 1,
            marc: book({ title: "One", oclc: "1" }),
            managementTag: "Don't publish",
          },
          context: { savedBy: "t", action: "attributes" },
        });
        await catalog.lock(first.mmsId!, "someone");
        await catalog.unlock(first.mmsId!, "someone");
        await catalog.undoJob(job.id, "alice");
        const deleted = await catalog.publishing.publishedItem(created.mmsId!);
        assert.equal(deleted?.deleted, true);
        await catalog.restore(created.mmsId!, 1, { savedBy: "alice", action: "restore" });

        const log = await catalog.publishing.publishLog([zone], 0, 100);
        assert.deepEqual(
          log.map((e) => [e.mmsId, e.event, e.managementTag, e.recordType]),
          [
            [first.mmsId, "created", "Publish bibliographic records", "a"],
            [created.mmsId, "created", "Publish bibliographic records", "a"],
            [first.mmsId, "changed", "Don't publish", "a"],
            [created.mmsId, "deleted", "Publish bibliographic records", "a"],
            [created.mmsId, "created", "Publish bibliographic records", "a"],
          ],
        );
        assert.ok(log.every((e) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(e.at)));
        const after = await catalog.publishing.publishLog([zone], log[2]!.seq, 100);
        assert.deepEqual(
          after.map((e) => e.seq),
          [log[3]!.seq, log[4]!.seq],
        );

        const page = await catalog.publishing.publishedItems({ zones: [zone], limit: 1 });
        assert.equal(page.total, 2);
        assert.equal(page.items.length, 1);
        const rest = await catalog.publishing.publishedItems({
          zones: [zone],
          limit: 10,
          after: { datestamp: page.items[0]!.datestamp, mmsId: page.items[0]!.mmsId },
        });
        assert.equal(rest.items.length, 1);
        assert.notEqual(rest.items[0]!.mmsId, page.items[0]!.mmsId);
        const restored = await catalog.publishing.publishedItem(created.mmsId!);
        assert.equal(restored?.deleted, false);
        const tagged = await catalog.publishing.publishedItems({
          zones: [zone],
          limit: 10,
          managementTag: "Don't publish",
        });
        assert.deepEqual(
          tagged.items.map((i) => i.mmsId),
          [first.mmsId],
        );
        assert.equal(
          await catalog.publishing.earliestDatestamp([zone]),
          [...log].map((e) => e.at).sort()[0],
        );

        await catalog.publishing.saveConsumer({
          name: "oclc:01ABC_INST",
          highWater: log[4]!.seq,
          lastRun: "2026-01-01T00:00:00Z",
          lastCount: 2,
          lastFiles: ["a.mrc"],
        });
        assert.deepEqual(await catalog.publishing.consumers(), [
          {
            name: "oclc:01ABC_INST",
            highWater: log[4]!.seq,
            lastRun: "2026-01-01T00:00:00Z",
            lastCount: 2,
            lastFiles: ["a.mrc"],
          },
        ]);
      } finally {
        await catalog.close();
      }
    });
  });
}
