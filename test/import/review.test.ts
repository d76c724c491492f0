/**
 * Resolving held records through the import layer (`forceHeld`) on a real SQLite catalog:
 * decide options, the forced row and its link, refusals that write nothing.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Catalog, Zone } from "../../src/catalog/catalog.js";
import { openCatalog } from "../../src/catalog/open.js";
import { decide, readIncoming } from "../../src/import/decide.js";
import { Importer } from "../../src/import/importer.js";
import { parseProfile } from "../../src/import/profile.js";
import { forceHeld, heldCandidates } from "../../src/import/review.js";
import { writeIso2709 } from "../../src/marc/iso2709.js";
import type { MarcRecord } from "../../src/marc/record.js";

function oclcRecord(oclc: string, title: string): MarcRecord {
  return {
    leader: "00000cam a2200000 a 4500",
    fields: [
      { tag: "001", value: `ocm${oclc.padStart(8, "0")}` },
      { tag: "003", value: "OCoLC" },
      { tag: "008", value: "260101s2026    nyu           000 0 eng d" },
      { tag: "245", ind1: "1", ind2: "0", subfields: [{ code: "a", value: title }] },
    ],
  };
}

describe("forceHeld", () => {
  let dir: string;
  let catalog: Catalog;
  let institution: Zone;
  let other: Zone;
  let jobId: number;
  const parsed = parseProfile({ code: "CONNEXION", password: "pw" });
  assert.ok("input" in parsed);
  const settings = parsed.input.profile;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "marcgate-review-"));
    const opened = await openCatalog({ data: dir });
    assert.ok(opened.catalog);
    catalog = opened.catalog;
    institution = await catalog.addInstitution({ code: "01REV_INST", name: "Review" });
    other = await catalog.addInstitution({ code: "01OTHER_INST", name: "Other" });
    for (const zone of [institution, other])
      await catalog.setIntegrationProfile({
        institution: zone.code,
        type: "OCLC Connexion",
        code: "CONNEXION",
        settings: { ...settings, ruleFiles: {} },
      });
    jobId = (
      await catalog.startJob({ institution: institution.code, source: "t", description: "t" })
    ).id;
  });
  after(async () => {
    await catalog.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function heldRow(
    oclc: string,
    importer: Importer,
  ): Promise<{ entryId: number; ids: string[] }> {
    const ids = (
      await catalog.createMany(
        [1, 2].map((n) => ({
          kind: "create" as const,
          zone: institution.code,
          marc: oclcRecord(oclc, `Copy ${n}`),
        })),
        { savedBy: "load", action: "load" },
      )
    ).mmsIds;
    const result = await importer.import({
      raw: writeIso2709(oclcRecord(oclc, "Incoming")),
      institution,
      profile: { ...settings, ruleFiles: {} },
      jobId,
      savedBy: "connexion:x",
    });
    assert.equal(result.decision.outcome, "review");
    assert.equal(result.decision.reasonCode, "several-matches");
    return { entryId: result.entryId!, ids };
  }

  test("decide with match: a chosen record is merged, 'new' creates, another zone is refused", async () => {
    const importer = new Importer(catalog);
    const { ids } = await heldRow("9001", importer);
    const incoming = readIncoming(writeIso2709(oclcRecord("9001", "Incoming")));
    const context = { institution, profile: { ...settings, ruleFiles: {} } };
    const into = await decide(incoming, context, catalog, { match: { mmsId: ids[1]! } });
    assert.equal(into.outcome, "merged");
    assert.equal(into.mmsId, ids[1]);
    assert.ok(
      into.log.some((e) => e.message === `staff chose record ${ids[1]}: no match method run`),
    );
    const asNew = await decide(incoming, context, catalog, { match: "new" });
    assert.equal(asNew.outcome, "created");
    const foreign = (
      await catalog.commit({
        change: { kind: "create", zone: other.code, marc: oclcRecord("9001", "Elsewhere") },
        context: { savedBy: "t", action: "create" },
      })
    ).mmsId!;
    const refused = await decide(incoming, context, catalog, { match: { mmsId: foreign } });
    assert.equal(refused.outcome, "rejected");
    assert.match(refused.reason, /is in zone 01OTHER_INST, not in 01REV_INST/);
  });

  test("force into a candidate: its own row, reason code forced, linked both ways", async () => {
    const importer = new Importer(catalog);
    const { entryId, ids } = await heldRow("9002", importer);
    const held = (await catalog.jobRecord(entryId))!;
    assert.deepEqual(heldCandidates(held), ids);
    const outcome = await forceHeld(catalog, importer, entryId, { into: ids[0]! }, "alice");
    assert.ok("forced" in outcome, "refused" in outcome ? outcome.refused : "");
    assert.equal(outcome.forced.decision.outcome, "merged");
    assert.equal(outcome.forced.mmsId, ids[0]);
    const row = (await catalog.jobRecord(outcome.forced.entryId!))!;
    assert.deepEqual([row.jobId, row.reasonCode, row.forcedFrom], [jobId, "forced", entryId]);
    const resolved = (await catalog.jobRecord(entryId))!;
    assert.deepEqual(
      [resolved.review?.state, resolved.review?.by, resolved.review?.forcedEntry],
      ["forced", "alice", row.id],
    );
    const version = (await catalog.versions(ids[0]!)).at(-1)!;
    assert.deepEqual([version.savedBy, version.jobId, version.action], ["alice", jobId, "merge"]);
    const again = await forceHeld(catalog, importer, entryId, "new", "bob");
    assert.ok("refused" in again);
    assert.match(again.refused, /was forced already by alice/);
  });

  test("force again while several still match: refused, nothing written", async () => {
    const importer = new Importer(catalog);
    const { entryId } = await heldRow("9003", importer);
    const rows = (await catalog.jobRecords(jobId)).length;
    const outcome = await forceHeld(catalog, importer, entryId, "again", "alice");
    assert.ok("refused" in outcome);
    assert.match(outcome.refused, /would be held for review again: 2 records match/);
    assert.equal((await catalog.jobRecords(jobId)).length, rows);
    assert.equal((await catalog.jobRecord(entryId))!.review?.state, "open");
    const missing = await forceHeld(catalog, importer, 999999, "new", "alice");
    assert.ok("refused" in missing);
    assert.match(missing.refused, /no job row 999999/);
  });

  test("a record held because it was locked: refused while locked, forced again once free", async () => {
    const importer = new Importer(catalog);
    const profile = { ...settings, ruleFiles: {} };
    const { mmsId } = await catalog.commit({
      change: { kind: "create", zone: institution.code, marc: oclcRecord("9004", "Stored") },
      context: { savedBy: "load", action: "load" },
    });
    await catalog.lock(mmsId!, "carol");
    const held = await importer.import({
      raw: writeIso2709(oclcRecord("9004", "Incoming")),
      institution,
      profile,
      jobId,
      savedBy: "connexion:x",
    });
    assert.deepEqual([held.decision.outcome, held.decision.reasonCode], ["review", "locked"]);
    const refused = await forceHeld(catalog, importer, held.entryId!, "again", "alice");
    assert.ok("refused" in refused);
    assert.match(
      refused.refused,
      /would be held for review again: record \d+ is being edited \(locked by carol/,
    );
    await catalog.unlock(mmsId!, "carol");
    const forced = await forceHeld(catalog, importer, held.entryId!, "again", "alice");
    assert.ok("forced" in forced);
    assert.deepEqual([forced.forced.decision.outcome, forced.forced.mmsId], ["merged", mmsId]);
    assert.equal((await catalog.record(mmsId!))!.version, 2);
  });
});
