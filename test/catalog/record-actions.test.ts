import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { openSqliteCatalog } from "../../src/catalog/sqlite.js";
import { setSuppressed } from "../../src/catalog/record-actions.js";
import type { MarcRecord } from "../../src/marc/record.js";

const scratch = mkdtempSync(join(tmpdir(), "marcgate-actions-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

const marc: MarcRecord = {
  leader: "00000nam a2200000 a 4500",
  fields: [{ tag: "245", ind1: "0", ind2: "0", subfields: [{ code: "a", value: "Suppress me" }] }],
};

test("suppress and unsuppress: each a new version with who and why; the same state twice saves nothing", async () => {
  const catalog = await openSqliteCatalog(mkdtempSync(join(scratch, "c-")));
  try {
    await catalog.addInstitution({ code: "01ABC_INST", name: "ABC" });
    const { mmsId } = await catalog.commit({
      change: { kind: "create", zone: "01ABC_INST", marc },
      context: { savedBy: "test", action: "create" },
    });
    assert.ok(mmsId);
    const first = await setSuppressed(catalog, mmsId, true, "alice");
    assert.equal(first.changed, true);
    assert.equal((await catalog.record(mmsId))?.suppressed, true);
    assert.equal((await setSuppressed(catalog, mmsId, true, "alice")).changed, false);
    await setSuppressed(catalog, mmsId, false, "bob");
    assert.equal((await catalog.record(mmsId))?.suppressed, false);
    const versions = await catalog.versions(mmsId);
    assert.deepEqual(
      versions.map((v) => [v.version, v.savedBy, v.action]),
      [
        [1, "test", "create"],
        [2, "alice", "suppress"],
        [3, "bob", "unsuppress"],
      ],
    );
    await catalog.lock(mmsId, "carol");
    await assert.rejects(setSuppressed(catalog, mmsId, true, "alice"), /locked/);
    await assert.rejects(setSuppressed(catalog, "99999", true, "alice"), /No record 99999/);
  } finally {
    await catalog.close();
  }
});
