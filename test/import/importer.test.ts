/**
 * The importer on a real (SQLite) catalog: decide and commit, every outcome of this step, and
 * concurrent imports of the same record.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Catalog, Zone } from "../../src/catalog/catalog.js";
import { recordForInstitution } from "../../src/catalog/institution-view.js";
import { openCatalog } from "../../src/catalog/open.js";
import { Importer, type ImportRequest } from "../../src/import/importer.js";
import { parseProfile, type ConnexionProfile } from "../../src/import/profile.js";
import { writeIso2709 } from "../../src/marc/iso2709.js";
import type { DataField, MarcRecord } from "../../src/marc/record.js";
import { getControlValue, getDataFields } from "../../src/marc/record.js";

function data(tag: string, ind: string, ...subfields: string[]): DataField {
  return {
    tag,
    ind1: ind[0]!,
    ind2: ind[1]!,
    subfields: subfields.map((s) => ({ code: s[0]!, value: s.slice(1) })),
  };
}

/** An OCLC record as Connexion exports it: 001 ocm…, 003 OCoLC. */
function oclcRecord(
  oclc: string,
  title: string,
  options: { leader?: string; extra?: DataField[] } = {},
): MarcRecord {
  return {
    leader: options.leader ?? "00000cam a2200000 a 4500",
    fields: [
      { tag: "001", value: `ocm${oclc.padStart(8, "0")}` },
      { tag: "003", value: "OCoLC" },
      { tag: "005", value: "20260101120000.0" },
      { tag: "008", value: "260101s2026    nyu           000 0 eng d" },
      data("020", "  ", "a9780306406157"),
      data("050", " 4", "aQA76.6"),
      data("100", "1 ", "aAuthor, Ann."),
      data("245", "10", `a${title}`),
      data("260", "  ", "aNew York :", "bPress,", "c2026."),
      data("300", "  ", "a200 p."),
      data("650", " 0", "aComputers."),
      ...(options.extra ?? []),
    ],
  };
}

function profile(settings: Record<string, unknown> = {}): ConnexionProfile {
  const parsed = parseProfile({ code: "CONNEXION", ...settings });
  assert.ok("input" in parsed);
  return parsed.input.profile;
}

describe("Importer", () => {
  let dir: string;
  let catalog: Catalog;
  let institution: Zone;
  let member: Zone;
  let jobId: number;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "marcgate-importer-"));
    const opened = await openCatalog({ data: dir });
    assert.ok(opened.catalog);
    catalog = opened.catalog;
    institution = await catalog.addInstitution({ code: "01TEST_INST", name: "Test" });
    await catalog.addNetworkZone({ code: "01TEST_NETWORK", name: "Network" });
    member = await catalog.addInstitution({
      code: "01MEMBER_INST",
      name: "Member",
      network: "01TEST_NETWORK",
    });
    jobId = (
      await catalog.startJob({ institution: institution.code, source: "test", description: "t" })
    ).id;
  });
  after(async () => {
    await catalog.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function request(
    record: MarcRecord | Uint8Array,
    settings: Record<string, unknown> = {},
    zone = institution,
  ): ImportRequest {
    return {
      raw: record instanceof Uint8Array ? record : writeIso2709(record),
      institution: zone,
      profile: profile(settings),
      jobId,
      savedBy: "test",
    };
  }

  test("no match: a new record, 001 the MMS ID, the OCLC number in 035, the management tag set", async () => {
    const importer = new Importer(catalog);
    const raw = writeIso2709(oclcRecord("1001", "First"));
    const result = await importer.import({
      ...request(raw, { synchronizeWithExternalCatalog: "Don't publish" }),
    });
    assert.equal(result.decision.outcome, "created");
    assert.match(result.mmsId!, /^99\d+$/);
    const stored = await catalog.record(result.mmsId!);
    assert.ok(stored);
    assert.equal(getControlValue(stored.marc, "001"), result.mmsId);
    assert.equal(getControlValue(stored.marc, "003"), undefined);
    assert.deepEqual(
      getDataFields(stored.marc, "035").map((f) => f.subfields[0]!.value),
      ["(OCoLC)ocm00001001"],
    );
    assert.equal(stored.managementTag, "Don't publish");
    assert.equal(stored.originatingVersion, "20260101120000.0");
    const rows = await catalog.jobRecords(jobId);
    const row = rows.find((r) => r.id === result.entryId);
    assert.ok(row);
    assert.equal(row.outcome, "created");
    assert.deepEqual(Buffer.from(row.raw), raw);
    assert.equal(row.mmsId, result.mmsId);
  });

  test("a re-send that a merge only puts in another field order: unchanged, no new version", async () => {
    // As ILS exports send them: local fields out of tag order (852 after 949), and a local
    // 035 9_ after the OCLC number, which the merge keeps apart from the incoming 035s.
    const sent = (title: string, notes: readonly string[] = ["aFirst note.", "aSecond note."]) =>
      oclcRecord("3434", title, {
        extra: [
          data("035", "9 ", "aLOCAL-3434"),
          ...notes.map((n) => data("500", "  ", n)),
          data("949", "  ", "aitem 1"),
          data("852", "  ", "aMAIN", "hQA76.6"),
          data("700", "1 ", "aFirst, Added."),
          data("700", "1 ", "aSecond, Added."),
        ],
      });
    const importer = new Importer(catalog);
    const first = await importer.import(request(sent("Reordered")));
    assert.equal(first.decision.outcome, "created");
    const stored = (await catalog.record(first.mmsId!))!;
    const again = await importer.import(request(sent("Reordered")));
    assert.equal(again.decision.outcome, "unchanged");
    assert.equal(again.decision.reasonCode, "unchanged");
    // Stored as sent, out of tag order, which the merge's result (fields put by tag) is not.
    const order = stored.marc.fields.map((f) => f.tag).join(" ");
    assert.match(order, / 949 852 /);
    assert.match(order, / 035 035 /);
    assert.equal((await catalog.record(first.mmsId!))!.version, stored.version);
    assert.equal((await catalog.versions(first.mmsId!)).length, 1);
    // The order of repeated fields of one tag (here the 500 notes) is content: a new version.
    const swapped = await importer.import(
      request(sent("Reordered", ["aSecond note.", "aFirst note."])),
    );
    assert.equal(swapped.decision.outcome, "merged");
    assert.deepEqual(
      getDataFields((await catalog.record(first.mmsId!))!.marc, "500").map(
        (f) => f.subfields[0]!.value,
      ),
      ["Second note.", "First note."],
    );
  });

  test("one match: merged with Overlay all fields but local; the local fields stay", async () => {
    const importer = new Importer(catalog);
    const first = await importer.import(request(oclcRecord("2002", "Before")));
    const stored = (await catalog.record(first.mmsId!))!;
    // Staff add local fields to the record.
    await catalog.commit({
      change: {
        kind: "update",
        mmsId: stored.mmsId,
        expectedVersion: stored.version,
        marc: {
          ...stored.marc,
          fields: [
            ...stored.marc.fields,
            data("035", "9 ", "aLOCAL-1"),
            data("949", "  ", "aitem"),
          ],
        },
      },
      context: { savedBy: "staff", action: "edit" },
    });
    const second = await importer.import(
      request(oclcRecord("2002", "After", { extra: [data("650", " 0", "aNew subject")] })),
    );
    assert.equal(second.decision.outcome, "merged");
    assert.equal(second.mmsId, first.mmsId);
    assert.equal(
      second.decision.reason,
      "merged (Overlay all fields but local): shares OCLC number 2002",
    );
    const merged = (await catalog.record(first.mmsId!))!;
    assert.equal(merged.version, 3);
    assert.equal(getControlValue(merged.marc, "001"), first.mmsId);
    assert.equal(getDataFields(merged.marc, "245")[0]!.subfields[0]!.value, "After");
    assert.deepEqual(
      getDataFields(merged.marc, "035").map((f) => `${f.ind1}${f.ind2}${f.subfields[0]!.value}`),
      ["9 LOCAL-1", "  (OCoLC)ocm00002002"],
    );
    assert.equal(getDataFields(merged.marc, "949").length, 1);
    assert.equal(getDataFields(merged.marc, "650").length, 2);
    assert.ok(
      second.decision.log.some(
        (e) =>
          e.stage === "match" && e.message === `OCLC number 2002: 1 record(s): ${first.mmsId!}`,
      ),
    );
  });

  test("a merge that would change nothing: unchanged, no new version, only the job row", async () => {
    const importer = new Importer(catalog);
    const first = await importer.import(request(oclcRecord("1212", "Same")));
    assert.equal(first.decision.outcome, "created");
    const rowsBefore = (await catalog.jobRecords(jobId)).length;
    const again = await importer.import(request(oclcRecord("1212", "Same")));
    assert.equal(again.decision.outcome, "unchanged");
    assert.equal(again.decision.reasonCode, "unchanged");
    assert.equal(again.mmsId, first.mmsId);
    assert.equal(
      again.decision.reason,
      "merging by Overlay all fields but local would change nothing; no new version was saved",
    );
    const stored = (await catalog.record(first.mmsId!))!;
    assert.equal(stored.version, 1);
    const rows = await catalog.jobRecords(jobId);
    assert.equal(rows.length, rowsBefore + 1);
    assert.equal(rows.at(-1)!.outcome, "unchanged");
    // A record attribute counts as a change: another management tag is a new version …
    const tagged = await importer.import(
      request(oclcRecord("1212", "Same"), { synchronizeWithExternalCatalog: "Don't publish" }),
    );
    assert.equal(tagged.decision.outcome, "merged");
    assert.equal((await catalog.record(first.mmsId!))!.managementTag, "Don't publish");
    // … and so is a newer 005 (the originating version), even when the MARC stays the same.
    const kept = await importer.import(
      request(oclcRecord("1212", "Changed title"), {
        mergeMethod: "Keep only old value",
        synchronizeWithExternalCatalog: "Don't publish",
      }),
    );
    assert.equal(kept.decision.outcome, "unchanged");
    const newer = oclcRecord("1212", "Same");
    const newer005 = {
      ...newer,
      fields: newer.fields.map((f) =>
        f.tag === "005" ? { tag: "005", value: "20270101000000.0" } : f,
      ),
    };
    const versioned = await importer.import(
      request(newer005, {
        mergeMethod: "Keep only old value",
        synchronizeWithExternalCatalog: "Don't publish",
      }),
    );
    assert.equal(versioned.decision.outcome, "merged");
    const after = (await catalog.record(first.mmsId!))!;
    assert.equal(after.version, 3);
    assert.equal(after.originatingVersion, "20270101000000.0");
  });

  test("several matches: held for review, nothing overwritten", async () => {
    const importer = new Importer(catalog);
    const a = await catalog.commit({
      change: {
        kind: "create",
        zone: institution.code,
        marc: {
          leader: "00000nam a2200000 a 4500",
          fields: [data("035", "  ", "a(OCoLC)3003"), data("245", "10", "aA")],
        },
      },
      context: { savedBy: "t", action: "create" },
    });
    const b = await catalog.commit({
      change: {
        kind: "create",
        zone: institution.code,
        marc: {
          leader: "00000nam a2200000 a 4500",
          fields: [data("035", "  ", "a(OCoLC)3003"), data("245", "10", "aB")],
        },
      },
      context: { savedBy: "t", action: "create" },
    });
    const result = await importer.import(request(oclcRecord("3003", "C")));
    assert.equal(result.decision.outcome, "review");
    assert.deepEqual(result.decision.candidates, [a.mmsId, b.mmsId]);
    assert.equal(
      result.decision.reason,
      `2 records match OCLC number 3003 (${a.mmsId!}, ${b.mmsId!}); nothing was changed`,
    );
    assert.equal((await catalog.record(a.mmsId!))!.version, 1);
    assert.equal((await catalog.record(b.mmsId!))!.version, 1);
  });

  test("MARC-8 is converted to UTF-8 and the log says so", async () => {
    const importer = new Importer(catalog);
    const marc8 = writeIso2709(
      { ...oclcRecord("4004", "Caf\u00e2e"), leader: "00000cam  2200000 a 4500" },
      { marc8: "keep" },
    );
    assert.equal(marc8[9], 0x20);
    const result = await importer.import(request(marc8));
    assert.equal(result.decision.outcome, "created");
    const stored = (await catalog.record(result.mmsId!))!;
    assert.equal(
      getDataFields(stored.marc, "245")[0]!.subfields[0]!.value.normalize("NFC"),
      "Café",
    );
    assert.equal(stored.marc.leader[9], "a");
    assert.ok(
      result.decision.log.some((e) => e.stage === "convert" && /MARC-8 to UTF-8/.test(e.message)),
    );
  });

  test("bytes that are no record: rejected, kept in the job with the reason", async () => {
    const importer = new Importer(catalog);
    const garbage = Buffer.from("this is not MARC at all\x1d");
    const result = await importer.import(request(garbage));
    assert.equal(result.decision.outcome, "rejected");
    assert.match(
      result.decision.reason,
      /^the record cannot be read as MARC 21 \(ISO 2709\): fatal at byte 24: directory has no field terminator \(1E\)$/,
    );
    const row = (await catalog.jobRecords(jobId)).find((r) => r.id === result.entryId)!;
    assert.equal(row.outcome, "rejected");
    assert.deepEqual(Buffer.from(row.raw), garbage);
  });

  test("a record linked to the Community Zone is skipped; a locked one is held for review", async () => {
    const importer = new Importer(catalog);
    const linked = await catalog.commit({
      change: {
        kind: "create",
        zone: institution.code,
        czLinked: true,
        marc: { leader: "00000nam a2200000 a 4500", fields: [data("035", "  ", "a(OCoLC)5005")] },
      },
      context: { savedBy: "t", action: "create" },
    });
    const skipped = await importer.import(request(oclcRecord("5005", "X")));
    assert.equal(skipped.decision.outcome, "skipped");
    assert.equal(
      skipped.decision.reason,
      `record ${linked.mmsId!} is linked to the Community Zone`,
    );
    const locked = await importer.import(request(oclcRecord("6006", "Y")));
    await catalog.lock(locked.mmsId!, "jdoe");
    const held = await importer.import(request(oclcRecord("6006", "Y2")));
    assert.equal(held.decision.outcome, "review");
    assert.match(
      held.decision.reason,
      new RegExp(`^record ${locked.mmsId!} is being edited \\(locked by jdoe since `),
    );
    assert.equal((await catalog.record(locked.mmsId!))!.version, 1);
  });

  test("the two protections: lower brief level, older 005", async () => {
    const importer = new Importer(catalog);
    const full = await importer.import(request(oclcRecord("7007", "Full")));
    const brief = oclcRecord("7007", "Brief", { leader: "00000cam a22000003a 4500" });
    const lower = await importer.import(request(brief, { doNotOverrideLowerBriefLevel: true }));
    assert.equal(lower.decision.outcome, "skipped");
    assert.match(lower.decision.reason, /brief level 05 is lower than record \d+'s 10/);
    const older = oclcRecord("7007", "Old");
    const old = {
      ...older,
      fields: older.fields.map((f) =>
        f.tag === "005" ? { tag: "005", value: "20190101000000.0" } : f,
      ),
    };
    const refused = await importer.import(request(old, { doNotOverrideOlderVersion: true }));
    assert.equal(refused.decision.outcome, "skipped");
    assert.match(
      refused.decision.reason,
      /incoming 005 20190101000000.0 is older than record \d+'s originating version 20260101120000.0/,
    );
    // Without the protections the same records merge.
    assert.equal((await importer.import(request(old))).decision.outcome, "merged");
    assert.equal((await catalog.record(full.mmsId!))!.version, 2);
  });

  test("use network zone: matched and saved in the network zone", async () => {
    const importer = new Importer(catalog);
    const result = await importer.import(
      request(oclcRecord("8008", "Shared"), { useNetworkZone: true }, member),
    );
    assert.equal(result.decision.outcome, "created");
    assert.equal((await catalog.record(result.mmsId!))!.zone, "01TEST_NETWORK");
    const alone = await importer.import(
      request(oclcRecord("8009", "Alone"), { useNetworkZone: true }),
    );
    assert.equal(alone.decision.outcome, "rejected");
    assert.match(alone.decision.reason, /belongs to no network zone/);
  });

  test("network zone: local fields stay with each member institution, apart from the shared record", async () => {
    const importer = new Importer(catalog);
    const other = await catalog.addInstitution({
      code: "01OTHER_INST",
      name: "Other member",
      network: "01TEST_NETWORK",
    });
    const nz = { useNetworkZone: true };
    const mine = [data("949", "  ", "aMember copy"), data("590", "  ", "aMember note.")];
    const first = await importer.import(
      request(oclcRecord("8118", "Shared", { extra: mine }), nz, member),
    );
    assert.equal(first.decision.outcome, "created");
    const mmsId = first.mmsId!;
    const shared = (await catalog.record(mmsId))!;
    assert.equal(shared.zone, "01TEST_NETWORK");
    assert.deepEqual(getDataFields(shared.marc, "949"), []);
    assert.deepEqual(getDataFields(shared.marc, "590"), []);
    assert.deepEqual((await catalog.localFields(mmsId, member.code))!.fields, mine);
    assert.ok(
      first.decision.log.some((e) =>
        /local fields of 01MEMBER_INST \(949, 590\): kept with the institution/.test(e.message),
      ),
    );

    // Another member exports the same record with its own local fields: merged into the shared
    // record; the first member's fields are untouched and were never part of the merge.
    const theirs = [data("590", "  ", "aOther note."), data("949", "  ", "aOther copy")];
    const second = await importer.import(
      request(oclcRecord("8118", "Shared", { extra: theirs }), nz, other),
    );
    assert.equal(second.decision.outcome, "merged");
    assert.equal(second.mmsId, mmsId);
    assert.equal(
      second.decision.reason,
      "merged (Overlay all fields but local): only the local fields of 01OTHER_INST changed",
    );
    assert.equal((await catalog.record(mmsId))!.version, 1);
    assert.deepEqual((await catalog.localFields(mmsId, member.code))!.fields, mine);
    // Overlay all fields but local does not take an incoming 9XX; the 59X is overlaid.
    assert.deepEqual((await catalog.localFields(mmsId, other.code))!.fields, [
      data("590", "  ", "aOther note."),
    ]);

    // The first member again, with a changed title and a new 590 and 949: the title goes to the
    // shared record, the 590 replaces the member's (overlaid), the earlier 949 stays (9XX kept).
    const revisedExport = request(
      oclcRecord("8118", "Shared, revised", {
        extra: [data("590", "  ", "aRevised note."), data("949", "  ", "aIgnored")],
      }),
      nz,
      member,
    );
    const again = await importer.import(revisedExport);
    assert.equal(again.decision.outcome, "merged");
    const revised = (await catalog.record(mmsId))!;
    assert.equal(revised.version, 2);
    assert.equal(getDataFields(revised.marc, "245")[0]!.subfields[0]!.value, "Shared, revised");
    assert.deepEqual(getDataFields(revised.marc, "590"), []);
    const now = (await catalog.localFields(mmsId, member.code))!;
    assert.deepEqual(now.fields, [data("590", "  ", "aRevised note."), mine[0]]);
    assert.equal(now.version, 2);
    // The member sees the shared record with its own local fields.
    const view = (await recordForInstitution(catalog, mmsId, member.code))!;
    assert.deepEqual(
      getDataFields(view.record.marc, "9XX").map((f) => f.subfields[0]!.value),
      ["Member copy"],
    );

    // A dry run's record is the member's view too.
    const preview = await importer.dryRun(revisedExport);
    assert.deepEqual(
      getDataFields(preview.record!, "9XX").map((f) => f.subfields[0]!.value),
      ["Member copy"],
    );

    // The same export once more: nothing changes, shared or local.
    const same = await importer.import(revisedExport);
    assert.equal(same.decision.outcome, "unchanged");
    assert.ok(
      same.decision.log.some(
        (e) =>
          e.message ===
          "local fields of 01MEMBER_INST (590, 949): unchanged, kept with the institution",
      ),
    );
    assert.equal((await catalog.record(mmsId))!.version, 2);
    assert.equal((await catalog.localFieldVersions(mmsId, member.code)).length, 2);

    // Without useNetworkZone a member works in its own zone: a record of its own, 949 included.
    const own = await importer.import(
      request(oclcRecord("8118", "Shared", { extra: mine }), {}, member),
    );
    assert.equal(own.decision.outcome, "created");
    const ownRecord = (await catalog.record(own.mmsId!))!;
    assert.equal(ownRecord.zone, member.code);
    assert.equal(getDataFields(ownRecord.marc, "949").length, 1);
  });

  test("network zone: the record's own local fields (loaded there) belong to no member and stay", async () => {
    const importer = new Importer(catalog);
    const loaded = await catalog.commit({
      change: {
        kind: "create",
        zone: "01TEST_NETWORK",
        controlNumber: "mms-id",
        marc: {
          leader: "00000nam a2200000 a 4500",
          fields: [
            data("035", "  ", "a(OCoLC)8228"),
            data("245", "10", "aLoaded"),
            data("999", "  ", "aNetwork data"),
          ],
        },
      },
      context: { savedBy: "load", action: "load" },
    });
    const merged = await importer.import(
      request(
        oclcRecord("8228", "Exported", { extra: [data("949", "  ", "aMine")] }),
        { useNetworkZone: true },
        member,
      ),
    );
    assert.equal(merged.decision.outcome, "merged");
    const stored = (await catalog.record(loaded.mmsId!))!;
    assert.deepEqual(
      getDataFields(stored.marc, "999").map((f) => f.subfields[0]!.value),
      ["Network data"],
    );
    assert.equal(getDataFields(stored.marc, "245")[0]!.subfields[0]!.value, "Exported");
    assert.equal(await catalog.localFields(loaded.mmsId!, member.code), undefined);
  });

  test("50 concurrent exports of one new record: one created, the rest merged into it", async () => {
    const importer = new Importer(catalog);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        importer.import(request(oclcRecord("9009", `Copy ${i}`))),
      ),
    );
    const created = results.filter((r) => r.decision.outcome === "created");
    assert.equal(created.length, 1);
    assert.equal(results.filter((r) => r.decision.outcome === "merged").length, 49);
    assert.ok(results.every((r) => r.mmsId === created[0]!.mmsId));
    assert.equal((await catalog.findByKey("oclc", "9009", [institution.code])).length, 1);
    assert.equal((await catalog.record(created[0]!.mmsId!))!.version, 50);
  });

  test("200 concurrent exports of different records are committed in batches, each once", async () => {
    const importer = new Importer(catalog);
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        importer.import(request(oclcRecord(String(100000 + i), `Book ${i}`))),
      ),
    );
    assert.ok(results.every((r) => r.decision.outcome === "created"));
    assert.equal(new Set(results.map((r) => r.mmsId)).size, 200);
  });

  test("a dry run decides and writes nothing", async () => {
    const importer = new Importer(catalog);
    const before = (await catalog.job(jobId))!;
    const decision = await importer.dryRun({
      raw: writeIso2709(oclcRecord("9999999", "Dry")),
      institution,
      profile: profile(),
    });
    assert.equal(decision.outcome, "created");
    assert.deepEqual(await catalog.findByKey("oclc", "9999999", [institution.code]), []);
    assert.deepEqual((await catalog.job(jobId))!.counts, before.counts);
  });
});
