/**
 * Every field of the seed's "OCLC Connexion" profile table, end to end: marcgate running
 * (`startApp`), records exported over TCP by the Connexion client code `marcgate send` uses, the
 * profile changed between exports, and what each setting does to the exported record pinned —
 * each protection also with the setting off. The last test undoes the day's jobs: every export
 * is explained by its job row and reverted, or the undo says why not. One gateway for the file;
 * each test has its own OCLC numbers.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { apiToken } from "../web/_token.js";
import { CONNEXION_INTEGRATION_TYPE, parseProfile } from "../../src/import/profile.js";
import { hashPassword } from "../../src/import/password.js";
import type { Catalog } from "../../src/catalog/catalog.js";
import { ConnexionClient } from "../../src/connexion/client.js";
import { writeIso2709 } from "../../src/marc/iso2709.js";
import {
  getControlValue,
  getDataFields,
  type Field,
  type MarcRecord,
} from "../../src/marc/record.js";
import { data, INSTITUTION, PASSWORD, startGateway, type RunningGateway } from "./_fixture.js";

const NETWORK = "01TEST_NETWORK";
const MEMBER = "01MEMBER_INST";

/**
 * An OCLC record as Connexion exports it. `full` adds a publication and a physical description
 * (a higher brief level by marcgate's default rules than without them). No `oclc`: a record
 * without an OCLC number (found by other identifiers only).
 */
function exported(
  oclc: number | undefined,
  title: string,
  options: {
    full?: boolean;
    version005?: string;
    extra?: Field[];
    leader?: string;
    without?: string;
  } = {},
): Uint8Array {
  const built: MarcRecord = {
    leader: options.leader ?? "00000cam a2200000 a 4500",
    fields: [
      ...(oclc !== undefined
        ? [
            { tag: "001", value: `ocn${String(oclc).padStart(9, "0")}` },
            { tag: "003", value: "OCoLC" },
          ]
        : []),
      { tag: "005", value: options.version005 ?? "20261128101500.0" },
      { tag: "008", value: "261128s2026    nyu           000 0 eng d" },
      data("040", "  ", "aDLC", "beng", "cDLC"),
      data("100", "  ", "aCataloger, Ann."),
      { tag: "245", ind1: "1", ind2: "0", subfields: [{ code: "a", value: title }] },
      ...(options.full
        ? [data("260", "  ", "aNew York :", "bPress,", "c2026."), data("300", "  ", "a200 p.")]
        : []),
      data("500", "  ", `aNote of ${title}.`),
      ...(options.extra ?? []),
    ],
  };
  const record = { ...built, fields: built.fields.filter((f) => f.tag !== options.without) };
  return writeIso2709(record);
}

function title(record: MarcRecord): string | undefined {
  return getDataFields(record, "245")[0]?.subfields[0]?.value;
}

describe("the Connexion profile's settings, each over TCP", () => {
  let gateway: RunningGateway;
  let catalog: Catalog;

  before(async () => {
    gateway = await startGateway({ publicUrl: "http://catalog.example.org" });
    catalog = gateway.catalog;
    await catalog.addNetworkZone({ code: NETWORK, name: "Test network" });
    await catalog.addInstitution({ code: MEMBER, name: "Member library", network: NETWORK });
  });
  after(() => gateway.close());

  /** Sets the institution's profile: these settings, rule files as text, a password. */
  async function profile(
    settings: Record<string, unknown> = {},
    options: { institution?: string; ruleFiles?: Record<string, string>; password?: string } = {},
  ): Promise<void> {
    const parsed = parseProfile({ code: "CONNEXION", ...settings });
    assert.ok("input" in parsed, JSON.stringify(parsed));
    await catalog.setIntegrationProfile({
      institution: options.institution ?? INSTITUTION,
      type: CONNEXION_INTEGRATION_TYPE,
      code: "CONNEXION",
      settings: {
        ...parsed.input.profile,
        passwordHash: await hashPassword(options.password ?? PASSWORD),
        ...(options.ruleFiles ? { ruleFiles: options.ruleFiles } : {}),
      },
    });
  }

  /** Exports one record as Connexion does and returns the reply text. */
  async function send(
    record: Uint8Array,
    logon: { logonId?: string; password?: string } = {},
  ): Promise<string> {
    const client = await ConnexionClient.connect({
      host: "127.0.0.1",
      port: gateway.app.connexionPort,
    });
    try {
      return await client.send(
        record,
        { logonId: logon.logonId ?? INSTITUTION, password: logon.password ?? PASSWORD },
        "byte",
      );
    } finally {
      await client.close();
    }
  }

  /** The MMS ID a `Success.` reply names. */
  function mmsIdOf(reply: string): string {
    const found = /^Success\. Record (99\d+) /.exec(reply);
    assert.ok(found, reply);
    return found[1]!;
  }

  async function stored(
    mmsId: string,
  ): Promise<NonNullable<Awaited<ReturnType<Catalog["record"]>>>> {
    const record = await catalog.record(mmsId);
    assert.ok(record, `record ${mmsId}`);
    return record;
  }

  test("useNetworkZone: off, the member's own zone keeps every field; on, the network zone, the local fields with the member", async () => {
    const local = [data("949", "  ", "aMember copy")];
    await profile({ useNetworkZone: false }, { institution: MEMBER });
    const own = mmsIdOf(await send(exported(101, "Zones", { extra: local }), { logonId: MEMBER }));
    const ownRecord = await stored(own);
    assert.equal(ownRecord.zone, MEMBER);
    assert.equal(getDataFields(ownRecord.marc, "949").length, 1);

    await profile({ useNetworkZone: true }, { institution: MEMBER });
    const reply = await send(exported(101, "Zones", { extra: local }), { logonId: MEMBER });
    assert.match(reply, /^Success\. Record 99\d+ added\./);
    const shared = mmsIdOf(reply);
    assert.notEqual(shared, own);
    const sharedRecord = await stored(shared);
    assert.equal(sharedRecord.zone, NETWORK);
    assert.deepEqual(getDataFields(sharedRecord.marc, "949"), []);
    assert.deepEqual((await catalog.localFields(shared, MEMBER))!.fields, local);
    // The record's address with the institution shows the member's view.
    const url = `http://127.0.0.1:${gateway.app.httpPort}/api/records/${shared}?format=mrk`;
    const headers = await apiToken(catalog);
    assert.doesNotMatch(await (await fetch(url, { headers })).text(), /=949/);
    assert.match(
      await (await fetch(`${url}&institution=${MEMBER}`, { headers })).text(),
      /=949 {2}\\\\\$aMember copy/,
    );
    // An institution in no network zone cannot use it: a clear error, the record kept.
    await profile({ useNetworkZone: true });
    assert.match(
      await send(exported(102, "Alone")),
      /^Error: the profile says "use network zone" but institution 01TEST_INST belongs to no network zone\. The record failed and was kept in job \d+/,
    );
    await profile();
  });

  test("targetFormat: MARC 21 is stored as it is; a UNIMARC, KORMARC or CNMARC zone gets the export converted, finds it by OCLC number, ISBN and title, and merges a re-export into it", async () => {
    await profile({ targetFormat: "MARC21" });
    const mmsId = mmsIdOf(await send(exported(201, "Format")));
    assert.equal((await stored(mmsId)).format, "MARC21");
    let oclc = 202;
    for (const format of ["UNIMARC", "KORMARC", "CNMARC"] as const) {
      const code = `01${format}_INST`;
      await catalog.addInstitution({ code, name: `${format} library` });
      await profile(
        {
          targetFormat: format,
          nonSerialMatchMethod: "Multi-step",
          nonSerialMatchSteps: ["Unique OCLC Identifier", "ISBN/ISSN"],
        },
        { institution: code },
      );
      const isbn = data("020", "  ", "a9780306406157");
      const first = mmsIdOf(
        await send(exported(oclc, `Crosswalked ${format}`, { full: true, extra: [isbn] }), {
          logonId: code,
        }),
      );
      const saved = await stored(first);
      assert.equal(saved.format, format);
      assert.equal(saved.zone, code);
      const unimarc = format !== "KORMARC";
      const titleTag = unimarc ? "200" : "245";
      assert.equal(
        getDataFields(saved.marc, titleTag)[0]?.subfields[0]?.value,
        `Crosswalked ${format}`,
      );
      if (unimarc) {
        assert.equal(getDataFields(saved.marc, "245").length, 0);
        assert.match(
          getDataFields(saved.marc, "100")[0]!.subfields[0]!.value.slice(26, 30),
          /^50 {2}$/,
        );
        assert.equal(saved.marc.leader.slice(20, 23), "450");
      }
      assert.deepEqual(await catalog.findByKey("oclc", String(oclc), [code]), [first]);
      assert.deepEqual(await catalog.findByKey("isbn", "9780306406157", [code]), [first]);
      const hits = await catalog.search({
        text: `crosswalked ${format}`,
        index: "title",
        zones: [code],
      });
      assert.deepEqual(
        hits.hits.map((h) => h.mmsId),
        [first],
      );
      assert.equal(hits.hits[0]!.title, `Crosswalked ${format}`);
      // The MARC 21 record as received stays with the job row of the version.
      const rows = await catalog.jobRecordsOf(first);
      assert.ok(Buffer.from(rows[0]!.raw).includes(Buffer.from(`Crosswalked ${format}`)));
      assert.ok(Buffer.from(rows[0]!.raw).includes(Buffer.from("4500")));
      // A re-export with a changed note merges into the converted record.
      const again = await send(
        exported(oclc, `Crosswalked ${format}`, {
          full: true,
          extra: [isbn, data("504", "  ", "aIncludes bibliographical references.")],
          version005: "20261129101500.0",
        }),
        { logonId: code },
      );
      assert.equal(mmsIdOf(again), first);
      const merged = await stored(first);
      assert.equal(merged.version, 2);
      assert.equal(merged.format, format);
      assert.equal(getDataFields(merged.marc, unimarc ? "320" : "504").length, 1);
      // The same export again changes nothing.
      assert.equal(
        mmsIdOf(
          await send(
            exported(oclc, `Crosswalked ${format}`, {
              full: true,
              extra: [isbn, data("504", "  ", "aIncludes bibliographical references.")],
              version005: "20261129101500.0",
            }),
            { logonId: code },
          ),
        ),
        first,
      );
      assert.equal((await stored(first)).version, 2);
      oclc++;
    }
    await profile();
  });

  test("normalization: the profile's rule file changes the record; without it, nothing", async () => {
    await profile();
    const plain = await stored(mmsIdOf(await send(exported(301, "Plain"))));
    assert.deepEqual(getDataFields(plain.marc, "500").length, 1);
    assert.deepEqual(getDataFields(plain.marc, "998"), []);
    await profile(
      { normalization: ["fix.txt"] },
      {
        ruleFiles: {
          "fix.txt":
            'rule "no notes, a stamp"\nwhen\n  TRUE\nthen\n  removeField "500"\n  addField "998.a.CONNEXION"\nend\n',
        },
      },
    );
    const fixed = await stored(mmsIdOf(await send(exported(302, "Fixed"))));
    assert.deepEqual(getDataFields(fixed.marc, "500"), []);
    assert.equal(getDataFields(fixed.marc, "998")[0]!.subfields[0]!.value, "CONNEXION");
    await profile();
  });

  test("mergeMethod: Overlay all fields but local, Keep only old value, and a merge-rule file", async () => {
    await profile();
    const mmsId = mmsIdOf(
      await send(exported(401, "First", { extra: [data("949", "  ", "aItem")] })),
    );
    // Overlay (the default): the title and note come from the export, the 949 stays.
    const overlay = await send(exported(401, "Second"));
    assert.match(
      overlay,
      /^Success\. Record 99\d+ merged \(Overlay all fields but local\): shares OCLC number 401\./,
    );
    let record = await stored(mmsId);
    assert.equal(title(record.marc), "Second");
    assert.equal(getDataFields(record.marc, "949").length, 1);
    // Keep only old value: the record stays as it is (only the new 005 is a new version).
    await profile({ mergeMethod: "Keep only old value" });
    const kept = await send(exported(401, "Third", { version005: "20261129000000.0" }));
    assert.match(kept, /merged \(Keep only old value\)/);
    record = await stored(mmsId);
    assert.equal(title(record.marc), "Second");
    assert.equal(getDataFields(record.marc, "500")[0]!.subfields[0]!.value, "Note of Second.");
    // A merge-rule file: only the 245 is replaced.
    await profile(
      { mergeMethod: "title-only.txt" },
      {
        ruleFiles: {
          "title-only.txt": 'rule "title only"\nwhen\n  merge\nthen\n  replace MARC."245"\nend\n',
        },
      },
    );
    const byFile = await send(exported(401, "Fourth", { version005: "20261130000000.0" }));
    assert.match(byFile, /merged \(title-only\.txt\)/);
    record = await stored(mmsId);
    assert.equal(title(record.marc), "Fourth");
    assert.equal(getDataFields(record.marc, "500")[0]!.subfields[0]!.value, "Note of Second.");
    await profile();
  });

  test("validationProfile: MarcXML Bib Import holds a record without 245; a library's file lets it through", async () => {
    await profile();
    const held = await send(exported(1401, "No title", { without: "245" }));
    assert.match(
      held,
      /^Held for review: 1 validation error \(MarcXML Bib Import\): 245: the record has no 245 \(title statement\) \[field\.245-missing\]\. Staff can resolve it in job (\d+)\./,
    );
    assert.deepEqual(await catalog.findByKey("oclc", "1401", [INSTITUTION]), []);
    const jobId = Number(/in job (\d+)\./.exec(held)![1]);
    const row = (await catalog.jobRecords(jobId)).at(-1)!;
    assert.equal(row.outcome, "review");
    assert.equal(row.reasonCode, "validation");
    await profile(
      { validationProfile: "ours.json" },
      {
        ruleFiles: {
          "ours.json": JSON.stringify({
            name: "Our bib import",
            basedOn: "MarcXML Bib Import",
            checks: { "field.245-missing": "warning" },
          }),
        },
      },
    );
    const added = await send(exported(1401, "No title", { without: "245" }));
    assert.match(added, /^Success\. Record 99\d+ added\./);
    assert.equal(getDataFields((await stored(mmsIdOf(added))).marc, "245").length, 0);
    await profile();
  });

  test("nonSerialMatchMethod: Unique OCLC Identifier finds no record by ISBN; ISBN/ISSN does", async () => {
    await profile();
    const isbn = [data("020", "  ", "a9780306406157")];
    const first = mmsIdOf(await send(exported(1201, "By ISBN", { extra: isbn })));
    // Another OCLC number, the same ISBN: by OCLC number a new record …
    const byOclc = mmsIdOf(await send(exported(1202, "By ISBN", { extra: isbn })));
    assert.notEqual(byOclc, first);
    // … by ISBN/ISSN a match for a record without an OCLC number (here two records have the
    // ISBN by now: held for review). Another OCLC number would make it another resource.
    await profile({ nonSerialMatchMethod: "ISBN/ISSN" });
    const held = await send(exported(undefined, "By ISBN", { extra: isbn }));
    assert.match(held, new RegExp(`^Held for review: 2 records match .*${first}, ${byOclc}`));
    const other = [data("020", "  ", "a9781566199094")];
    const single = mmsIdOf(await send(exported(1204, "Only one", { extra: other })));
    const merged = await send(exported(undefined, "Only one, again", { extra: other }));
    assert.match(merged, new RegExp(`^Success\\. Record ${single} merged`));
    await profile();
  });

  test("serialMatchMethod: a serial (leader/07 s) takes the serial method, a book the other", async () => {
    await profile({ serialMatchMethod: "ISBN/ISSN" });
    const issn = [data("022", "  ", "a0378-5955")];
    const serial = "00000cas a2200000 a 4500";
    const first = mmsIdOf(await send(exported(1301, "Journal", { leader: serial, extra: issn })));
    const again = await send(exported(undefined, "Journal", { leader: serial, extra: issn }));
    assert.match(again, new RegExp(`^Success\\. Record ${first} `));
    // The same ISSN on a book: the non-serial method (Unique OCLC Identifier) finds nothing.
    const book = await send(exported(1303, "Journal", { extra: issn }));
    assert.notEqual(mmsIdOf(book), first);
    await profile();
  });

  test("doNotOverrideLowerBriefLevel: on, a briefer export is skipped; off, it merges", async () => {
    await profile({ doNotOverrideLowerBriefLevel: true });
    const mmsId = mmsIdOf(await send(exported(501, "Full", { full: true })));
    const full = await stored(mmsId);
    const skipped = await send(exported(501, "Brief"));
    const level = /brief level (\d\d) is lower than record (99\d+)'s (\d\d)/.exec(skipped);
    assert.ok(level, skipped);
    assert.match(skipped, /^Skipped: the incoming record's brief level/);
    assert.equal(level[2], mmsId);
    assert.equal(level[3], full.briefLevel);
    assert.ok(level[1]! < full.briefLevel);
    assert.equal((await stored(mmsId)).version, 1);
    // A fuller or equal export still merges with the protection on.
    assert.match(await send(exported(501, "Full again", { full: true })), /merged/);
    await profile({ doNotOverrideLowerBriefLevel: false });
    assert.match(await send(exported(501, "Brief")), /^Success\. Record 99\d+ merged/);
    assert.equal(title((await stored(mmsId)).marc), "Brief");
    await profile();
  });

  test("doNotOverrideOlderVersion: on, an export with an older 005 is skipped; off, it merges", async () => {
    await profile({ doNotOverrideOlderVersion: true });
    const mmsId = mmsIdOf(await send(exported(601, "New", { version005: "20261128000000.0" })));
    const older = await send(exported(601, "Old", { version005: "20200101000000.0" }));
    assert.match(
      older,
      /^Skipped: the incoming 005 20200101000000\.0 is older than record 99\d+'s originating version 20261128000000\.0/,
    );
    assert.equal((await stored(mmsId)).version, 1);
    assert.match(await send(exported(601, "Newer", { version005: "20261201000000.0" })), /merged/);
    await profile({ doNotOverrideOlderVersion: false });
    assert.match(
      await send(exported(601, "Old", { version005: "20200101000000.0" })),
      /^Success\. Record 99\d+ merged/,
    );
    const record = await stored(mmsId);
    assert.equal(title(record.marc), "Old");
    assert.equal(record.originatingVersion, "20200101000000.0");
    await profile();
  });

  test("synchronizeWithExternalCatalog: the management tag set on new and merged records", async () => {
    let mmsId: string | undefined;
    for (const tag of ["Don't publish", "Publish holdings only", "Publish bibliographic records"]) {
      await profile({ synchronizeWithExternalCatalog: tag });
      const reply = await send(exported(701, "Tagged"));
      mmsId ??= mmsIdOf(reply);
      assert.equal(mmsIdOf(reply), mmsId);
      assert.equal((await stored(mmsId)).managementTag, tag);
    }
    assert.equal((await stored(mmsId!)).version, 3);
  });

  test("password: only the profile's password is accepted, and a new one at once", async () => {
    await profile({}, { password: "first-password" });
    assert.match(
      await send(exported(801, "Secret"), { password: PASSWORD }),
      /^Error: Unauthorized request: the logon ID or password is wrong\./,
    );
    assert.deepEqual(await catalog.findByKey("oclc", "801", [INSTITUTION]), []);
    assert.match(
      await send(exported(801, "Secret"), { password: "first-password" }),
      /^Success\. Record 99\d+ added\./,
    );
    await profile();
    assert.match(
      await send(exported(801, "Secret"), { password: "first-password" }),
      /^Error: Unauthorized request/,
    );
  });

  test("a record linked to the Community Zone is skipped", async () => {
    await profile();
    const mmsId = mmsIdOf(await send(exported(901, "Linked")));
    const record = await stored(mmsId);
    await catalog.commit({
      change: {
        kind: "update",
        mmsId,
        expectedVersion: record.version,
        marc: record.marc,
        czLinked: true,
      },
      context: { savedBy: "test", action: "link" },
    });
    assert.match(
      await send(exported(901, "Linked, changed")),
      new RegExp(`^Skipped: record ${mmsId} is linked to the Community Zone\\.`),
    );
    assert.equal(title((await stored(mmsId)).marc), "Linked");
  });

  test("a locked record is held for review, and merges once it is released", async () => {
    await profile();
    const mmsId = mmsIdOf(await send(exported(1001, "Locked")));
    await catalog.lock(mmsId, "jdoe");
    const held = await send(exported(1001, "Locked, changed"));
    assert.match(
      held,
      new RegExp(
        `^Held for review: record ${mmsId} is being edited \\(locked by jdoe since [^)]+\\); nothing was changed\\. Staff can resolve it in job \\d+\\.`,
      ),
    );
    assert.equal((await stored(mmsId)).version, 1);
    await catalog.unlock(mmsId, "jdoe");
    assert.match(await send(exported(1001, "Locked, changed")), /merged/);
  });

  test("the same export again: unchanged, no new version, the job row kept", async () => {
    await profile();
    const mmsId = mmsIdOf(await send(exported(1101, "Again")));
    const reply = await send(exported(1101, "Again"));
    assert.equal(
      reply,
      `Success. Record ${mmsId} is unchanged: merging by Overlay all fields but local would change nothing; no new version was saved.\n\nhttp://catalog.example.org/records/${mmsId}`,
    );
    const record = await stored(mmsId);
    assert.equal(record.version, 1);
    assert.equal(getControlValue(record.marc, "001"), mmsId);
    const jobs = await catalog.jobs(INSTITUTION);
    const rows = await catalog.jobRecords(jobs[0]!.id);
    assert.equal(rows.at(-1)!.outcome, "unchanged");
  });

  // Runs last: every export above went into the day's job of each institution.
  test("every export is explained by its job row and undone with the job, or said why not", async () => {
    for (const code of [INSTITUTION, MEMBER]) {
      const [job] = await catalog.jobs(code);
      assert.ok(job);
      const rows = await catalog.jobRecords(job.id);
      assert.ok(rows.length > 0);
      for (const row of rows) {
        assert.ok(row.messages[0]!.length > 0, `row ${row.id} says why`);
        assert.ok(row.reasonCode !== undefined, `row ${row.id} has a reason code`);
      }
      const report = await catalog.undoJob(job.id, "test");
      const refused = report.records.filter((r) => r.reverted === false);
      // Only the record the test linked to the Community Zone behind the job's back changed since.
      for (const r of refused) assert.match(r.reason, /changed since job \d+ saved it/);
      assert.equal(refused.length, code === INSTITUTION ? 1 : 0);
    }
    // Records the job created are gone, and a record it created in the network zone too.
    assert.deepEqual(await catalog.findByKey("oclc", "1101", [INSTITUTION]), []);
    assert.deepEqual(await catalog.findByKey("oclc", "101", [NETWORK, MEMBER]), []);
  });
});
