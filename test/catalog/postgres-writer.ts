/**
 * One marcgate process of the multi-process test in `postgres.test.ts`: opens the catalog in a
 * schema (migrating it, perhaps at the same moment as another process), adds the institution
 * unless another process did, creates records one commit at a time and in a bulk load, and
 * prints the MMS IDs it got as JSON.
 *
 * Usage: node postgres-writer.js <url> <schema> <zone> <commits> <bulk>
 */
import { CatalogError } from "../../src/catalog/catalog.js";
import { openPostgresCatalog } from "../../src/catalog/postgres.js";
import { book } from "./suite.js";

const [url, schema, zone, commits, bulk] = process.argv.slice(2);
if (!url || !schema || !zone || !commits || !bulk) {
  throw new Error("usage: postgres-writer.js <url> <schema> <zone> <commits> <bulk>");
}

const catalog = await openPostgresCatalog(url, { schema, poolSize: 4 });
try {
  try {
    await catalog.addInstitution({ code: zone, name: "Shared" });
  } catch (error) {
    if (!(error instanceof CatalogError && error.code === "duplicate-zone")) throw error;
  }
  const context = { savedBy: `writer-${process.pid}`, action: "create" };
  const single = await Promise.all(
    Array.from({ length: Number(commits) }, (_, i) =>
      catalog.commit({
        change: { kind: "create", zone, marc: book({ title: `Process ${process.pid} #${i}` }) },
        context,
      }),
    ),
  );
  const { mmsIds } = await catalog.createMany(
    Array.from({ length: Number(bulk) }, (_, i) => ({
      kind: "create" as const,
      zone,
      marc: book({ title: `Bulk ${process.pid} #${i}`, oclc: String(process.pid * 100000 + i) }),
    })),
    { savedBy: `writer-${process.pid}`, action: "load" },
  );
  process.stdout.write(JSON.stringify([...single.map((r) => r.mmsId), ...mmsIds]));
} finally {
  await catalog.close();
}
