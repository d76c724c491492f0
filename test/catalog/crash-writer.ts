/**
 * The child process of `crash.test.ts`: writes records to a catalog one `commit` at a time, each
 * with its job row, and prints `N MMSID` on standard output as soon as the commit returns, until
 * it is killed. Writes to a pipe are synchronous on Linux, so a printed line means acknowledged.
 *
 * Usage: node crash-writer.js <location as JSON> <zone> <jobId>
 */
import { writeSync } from "node:fs";
import { openCatalog, type CatalogLocation } from "../../src/catalog/open.js";
import { writeIso2709 } from "../../src/marc/iso2709.js";
import { crashRecord } from "./crash-record.js";

const [location, zone, jobId] = process.argv.slice(2);
if (!location || !zone || !jobId)
  throw new Error("usage: crash-writer.js <location> <zone> <jobId>");
const opened = await openCatalog(JSON.parse(location) as CatalogLocation);
if (opened.error !== undefined) throw new Error(opened.error);
const catalog = opened.catalog;
for (let n = 0; ; n++) {
  const marc = crashRecord(n);
  const { mmsId } = await catalog.commit({
    change: { kind: "create", zone, marc },
    entry: {
      jobId: Number(jobId),
      raw: writeIso2709(marc),
      outcome: "created",
      messages: [`record ${n}`],
      log: { n },
    },
    context: { savedBy: "crash-writer", action: "create", jobId: Number(jobId) },
  });
  writeSync(1, `${n} ${mmsId}\n`);
}
