/**
 * Match methods over TCP: a profile that matches books by ISBN and serials by a Multi-step of
 * OCLC number then ISSN, records exported with the Connexion client to a running gateway.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ConnexionClient } from "../../src/connexion/client.js";
import type { LogEntry } from "../../src/import/log.js";
import { hashPassword } from "../../src/import/password.js";
import { CONNEXION_INTEGRATION_TYPE, parseProfile } from "../../src/import/profile.js";
import { writeIso2709 } from "../../src/marc/iso2709.js";
import type { DataField, MarcRecord } from "../../src/marc/record.js";
import { getDataFields } from "../../src/marc/record.js";
import {
  data,
  INSTITUTION,
  PASSWORD,
  startGateway,
  type RunningGateway,
} from "../connexion/_fixture.js";

/** A record with an OCLC number in its 001 (none when `oclc` is undefined), dated 2026. */
function record(
  level: string,
  oclc: number | undefined,
  fields: DataField[],
  year = "2026",
): MarcRecord {
  return {
    leader: `00000ca${level} a2200000 a 4500`,
    fields: [
      ...(oclc !== undefined
        ? [
            { tag: "001", value: `ocn${String(oclc).padStart(9, "0")}` },
            { tag: "003", value: "OCoLC" },
          ]
        : []),
      { tag: "008", value: `261128s${year}    nyu           000 0 eng d` },
      ...fields,
    ],
  };
}

describe("match methods over the Connexion gateway", () => {
  let gateway: RunningGateway;

  before(async () => {
    gateway = await startGateway({ publicUrl: "http://catalog.example.org" });
    const parsed = parseProfile({
      code: "CONNEXION",
      nonSerialMatchMethod: "ISBN Match Method",
      serialMatchMethod: "Multi-step",
      serialMatchSteps: ["Unique OCLC Identifier", "ISBN/ISSN"],
    });
    assert.ok("input" in parsed);
    await gateway.catalog.setIntegrationProfile({
      institution: INSTITUTION,
      type: CONNEXION_INTEGRATION_TYPE,
      code: "CONNEXION",
      settings: { ...parsed.input.profile, passwordHash: await hashPassword(PASSWORD) },
    });
  });
  after(() => gateway.close());

  async function send(marc: MarcRecord): Promise<string> {
    const client = await ConnexionClient.connect({
      host: "127.0.0.1",
      port: gateway.app.connexionPort,
    });
    try {
      return await client.send(
        writeIso2709(marc),
        { logonId: INSTITUTION, password: PASSWORD },
        "decimal",
      );
    } finally {
      await client.close();
    }
  }

  const added = (reply: string): string => {
    const m = /^Success\. Record (99\d+) added\./.exec(reply);
    assert.ok(m, reply);
    return m[1]!;
  };

  test("a book whose OCLC number was merged into another, with the same ISBN, merges into the record", async () => {
    const first = added(
      await send(
        record("m", 7001, [data("020", "  ", "a0060128003"), data("245", "10", "aFirst.")]),
      ),
    );
    const reply = await send(
      record("m", 7002, [
        data("019", "  ", "a7001"),
        data("020", "  ", "a978-0-06-012800-5"),
        data("245", "10", "aSecond."),
      ]),
    );
    assert.match(reply, new RegExp(`^Success\\. Record ${first} merged`));
    const stored = await gateway.catalog.record(first);
    assert.equal(getDataFields(stored!.marc, "245")[0]!.subfields[0]!.value, "Second.");
    const jobs = await gateway.catalog.jobs(INSTITUTION);
    const rows = (await Promise.all(jobs.map((j) => gateway.catalog.jobRecords(j.id)))).flat();
    const row = rows.find((r) => r.outcome === "merged" && r.mmsId === first);
    assert.ok(row);
    const log = (row.log as { entries: readonly LogEntry[] }).entries;
    assert.ok(
      log.some(
        (e) =>
          e.stage === "match" &&
          e.message === `ISBN 9780060128005: 1 record(s): ${first}` &&
          e.data?.["method"] === "ISBN/ISSN",
      ),
      JSON.stringify(log),
    );
    assert.ok(
      log.some((e) =>
        e.message.startsWith(
          `validation of record ${first} (found by ISBN 9780060128005): matches — one record: OCLC number 7001 cancelled (019)`,
        ),
      ),
      JSON.stringify(log),
    );
  });

  test("the same ISBN under another OCLC number is another resource: a new record", async () => {
    const first = added(
      await send(
        record("m", 7011, [data("020", "  ", "a9781234567897"), data("245", "10", "aLaws 2025.")]),
      ),
    );
    const second = added(
      await send(
        record("m", 7012, [data("020", "  ", "a9781234567897"), data("245", "10", "aLaws 2026.")]),
      ),
    );
    assert.notEqual(first, second);
  });

  test("the same ISBN and another date, no OCLC number: held for review with the reasons", async () => {
    const book = [data("020", "  ", "a9780306406157"), data("245", "10", "aSession laws.")];
    const first = added(await send(record("m", undefined, book, "2025")));
    const reply = await send(record("m", undefined, book, "2024"));
    assert.equal(
      reply,
      `Held for review: candidate ${first} found by ISBN 9780306406157 but 008 date 2024 != 2025; nothing was changed. Staff can resolve it in job 1.`,
    );
  });

  test("a serial: Multi-step finds nothing by OCLC number, then the ISSN", async () => {
    const serial = added(
      await send(
        record("s", 7101, [data("022", "  ", "a0028-0836"), data("245", "10", "aJournal.")]),
      ),
    );
    const reply = await send(
      record("s", undefined, [
        data("022", "  ", "a00280836"),
        data("245", "10", "aJournal (New York)."),
      ]),
    );
    assert.match(reply, new RegExp(`^Success\\. Record ${serial} merged`));
    // No ISSN, no matching OCLC number: a new record.
    added(await send(record("s", 7103, [data("245", "10", "aAnother journal.")])));
  });
});
