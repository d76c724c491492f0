/**
 * Several OCLC Connexion profiles per institution, chosen by the logon ID (`01TEST_INST` → the
 * default profile, `01TEST_INST/SERIALS` → the profile SERIALS), end to end over TCP: on SQLite,
 * and on PostgreSQL when `MARCGATE_TEST_PG` names a server (a fresh schema, dropped after).
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { Pool } from "pg";
import { startApp, type App } from "../../src/app.js";
import type { Catalog } from "../../src/catalog/catalog.js";
import { openCatalog } from "../../src/catalog/open.js";
import { ConnexionClient } from "../../src/connexion/client.js";
import { Importer } from "../../src/import/importer.js";
import { hashPassword } from "../../src/import/password.js";
import { CONNEXION_INTEGRATION_TYPE, parseProfile } from "../../src/import/profile.js";
import { forceHeld } from "../../src/import/review.js";
import { writeIso2709 } from "../../src/marc/iso2709.js";
import { INSTITUTION, PASSWORD, oclcRecord, setUpInstitution } from "./_fixture.js";

const SERIALS_PASSWORD = "serials-pw";
const pgUrl = process.env.MARCGATE_TEST_PG;

/** Where a test catalog lives, and how it goes away. */
interface Place {
  readonly open: () => Promise<Catalog>;
  readonly remove: () => Promise<void>;
}

function sqlitePlace(): Place {
  const dir = mkdtempSync(join(tmpdir(), "marcgate-routing-"));
  return {
    open: async () => (await openCatalog({ data: dir })).catalog!,
    remove: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
  };
}

function postgresPlace(url: string): Place {
  const schema = `t_${randomBytes(6).toString("hex")}`;
  return {
    open: async () => {
      const opened = await openCatalog({ db: url, schema });
      assert.ok(opened.catalog, opened.error);
      return opened.catalog;
    },
    remove: async () => {
      const admin = new Pool({ connectionString: url, max: 1 });
      try {
        await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await admin.end();
      }
    },
  };
}

/** Adds the profile SERIALS beside the default one, its own password and management tag. */
async function addSerialsProfile(catalog: Catalog): Promise<void> {
  const parsed = parseProfile({
    code: "SERIALS",
    name: "Serials",
    synchronizeWithExternalCatalog: "Don't publish",
  });
  assert.ok("input" in parsed);
  await catalog.setIntegrationProfile({
    institution: INSTITUTION,
    type: CONNEXION_INTEGRATION_TYPE,
    code: "SERIALS",
    settings: { ...parsed.input.profile, passwordHash: await hashPassword(SERIALS_PASSWORD) },
  });
}

const engines: [string, (() => Place) | undefined][] = [
  ["sqlite", sqlitePlace],
  ["postgres", pgUrl !== undefined ? () => postgresPlace(pgUrl) : undefined],
];

for (const [engine, place] of engines) {
  describe(
    `Connexion profiles by logon ID (${engine})`,
    { skip: !place && "MARCGATE_TEST_PG is not set" },
    () => {
      let where: Place;
      let catalog: Catalog;
      let app: App;
      const lines: string[] = [];
      let oclc = 5000;

      before(async () => {
        where = place!();
        catalog = await where.open();
        await setUpInstitution(catalog);
        await addSerialsProfile(catalog);
        app = await startApp(catalog, {
          connexionPort: 0,
          httpPort: 0,
          host: "127.0.0.1",
          publicUrl: "http://catalog.example.org",
          throttle: { maxFailures: 4, blockMs: 60_000 },
          log: (line) => lines.push(line),
        });
      });
      after(async () => {
        await app?.close();
        await catalog?.close();
        await where?.remove();
      });

      async function send(logonId: string, password: string, title: string): Promise<string> {
        const client = await ConnexionClient.connect({
          host: "127.0.0.1",
          port: app.connexionPort,
        });
        try {
          return await client.send(
            writeIso2709(oclcRecord(oclc++, title)),
            { logonId, password },
            "byte",
          );
        } finally {
          await client.close();
        }
      }

      function mmsIdOf(reply: string): string {
        const match = /^Success\. Record (99\d+) /.exec(reply);
        assert.ok(match, reply);
        return match[1]!;
      }

      /** The log line of the export whose reply named this MMS ID. */
      function logLine(mmsId: string): string {
        const line = lines.find((l) => l.includes(` ${mmsId} `));
        assert.ok(line, `no log line for ${mmsId}`);
        return line;
      }

      test("the bare logon ID: the default profile, the reply and job as before", async () => {
        const reply = await send(INSTITUTION, PASSWORD, "Default route");
        assert.match(reply, /^Success\. Record 99\d+ added\.\n\n/);
        assert.doesNotMatch(reply, /profile/);
        const mmsId = mmsIdOf(reply);
        const record = await catalog.record(mmsId);
        assert.equal(record?.managementTag, "Publish bibliographic records");
        assert.match(logLine(mmsId), new RegExp(`logon ${INSTITUTION} profile CONNEXION created`));
        const [job] = (await catalog.jobs(INSTITUTION)).filter((j) => j.source === "connexion");
        assert.match(job!.description, /^OCLC Connexion exports \d{4}-\d{2}-\d{2}$/);
      });

      test("/SERIALS: that profile's settings, its name in the reply and the log, a job of its own", async () => {
        const reply = await send(`${INSTITUTION}/SERIALS`, SERIALS_PASSWORD, "Serials route");
        assert.match(reply, /^Success\. Record 99\d+ added \(profile SERIALS\)\.\n\n/);
        const mmsId = mmsIdOf(reply);
        assert.equal((await catalog.record(mmsId))?.managementTag, "Don't publish");
        assert.match(logLine(mmsId), new RegExp(`logon ${INSTITUTION} profile SERIALS created`));
        const jobs = (await catalog.jobs(INSTITUTION)).filter((j) => j.source === "connexion");
        assert.equal(jobs.length, 2);
        const serials = jobs.find((j) => j.description.endsWith("(profile SERIALS)"));
        assert.ok(serials, jobs.map((j) => j.description).join(", "));
        assert.equal(serials.finished, undefined);
        assert.equal(serials.counts.created, 1);
        // The default profile's job of the same day is still open.
        assert.ok(jobs.every((j) => j.finished === undefined));
      });

      test("/CONNEXION names the default profile by its code: the default's job", async () => {
        const reply = await send(`${INSTITUTION}/CONNEXION`, PASSWORD, "Default by code");
        assert.match(reply, /^Success\. Record 99\d+ added\.\n\n/);
        const jobs = (await catalog.jobs(INSTITUTION)).filter((j) => j.source === "connexion");
        assert.equal(jobs.length, 2);
        const main = jobs.find((j) => !j.description.includes("profile"));
        assert.equal(main?.counts.created, 2);
      });

      test("each profile takes only its own password; an unknown code is the same refusal", async () => {
        const before = (await catalog.jobs(INSTITUTION)).map((j) => j.counts);
        const refusals = [
          await send(`${INSTITUTION}/SERIALS`, PASSWORD, "Wrong for serials"),
          await send(INSTITUTION, SERIALS_PASSWORD, "Wrong for default"),
          await send(`${INSTITUTION}/NOPE`, PASSWORD, "Unknown code"),
        ];
        for (const reply of refusals) assert.match(reply, /^Error: Unauthorized request/);
        // Nothing tells an unknown code from a wrong password.
        assert.equal(new Set(refusals).size, 1);
        assert.deepEqual(
          (await catalog.jobs(INSTITUTION)).map((j) => j.counts),
          before,
        );
        assert.ok(
          lines.some((l) => l.includes(`logon ${INSTITUTION}/NOPE profile - unauthorized`)),
        );
        assert.ok(!lines.some((l) => l.includes(SERIALS_PASSWORD) || l.includes(PASSWORD)));
        // The right logon still works (and clears the address's failures).
        assert.match(await send(`${INSTITUTION}/SERIALS`, SERIALS_PASSWORD, "Again"), /^Success/);
        // Lower case is another code: codes are compared as typed.
        assert.match(
          await send(`${INSTITUTION}/serials`, SERIALS_PASSWORD, "Case"),
          /^Error: Unauthorized request/,
        );
        assert.match(await send(INSTITUTION, PASSWORD, "Default again"), /^Success/);
      });

      test("a row held through SERIALS is forced under SERIALS, not the default", async () => {
        // Two records of one OCLC number: the export is held for review.
        for (const title of ["Twin one", "Twin two"]) {
          await catalog.commit({
            change: { kind: "create", zone: INSTITUTION, marc: oclcRecord(4242, title) },
            context: { savedBy: "test", action: "create" },
          });
        }
        const client = await ConnexionClient.connect({
          host: "127.0.0.1",
          port: app.connexionPort,
        });
        let reply: string;
        try {
          reply = await client.send(
            writeIso2709(oclcRecord(4242, "Twin three")),
            { logonId: `${INSTITUTION}/SERIALS`, password: SERIALS_PASSWORD },
            "byte",
          );
        } finally {
          await client.close();
        }
        assert.match(reply, /^Held for review: .* \(profile SERIALS\)\.$/);
        const job = (await catalog.jobs(INSTITUTION)).find((j) => j.profile === "SERIALS");
        assert.ok(job);
        const held = (await catalog.jobRecords(job.id)).find((r) => r.outcome === "review");
        assert.ok(held);
        const forced = await forceHeld(catalog, new Importer(catalog), held.id, "new", "tester");
        assert.ok("forced" in forced, JSON.stringify(forced));
        const mmsId = forced.forced.mmsId!;
        assert.equal((await catalog.record(mmsId))?.managementTag, "Don't publish");
      });

      test("another default: the bare logon ID reaches it at once, the old one by its code", async () => {
        await catalog.setDefaultIntegrationProfile(
          INSTITUTION,
          CONNEXION_INTEGRATION_TYPE,
          "SERIALS",
        );
        try {
          const reply = await send(INSTITUTION, SERIALS_PASSWORD, "New default");
          assert.match(reply, /^Success\. Record 99\d+ added\.\n/);
          assert.equal((await catalog.record(mmsIdOf(reply)))?.managementTag, "Don't publish");
          assert.match(
            await send(`${INSTITUTION}/CONNEXION`, PASSWORD, "Old default"),
            /^Success\. Record 99\d+ added \(profile CONNEXION\)\./,
          );
        } finally {
          await catalog.setDefaultIntegrationProfile(
            INSTITUTION,
            CONNEXION_INTEGRATION_TYPE,
            "CONNEXION",
          );
        }
      });

      test("unknown profile codes count for throttling like wrong passwords", async () => {
        for (let i = 0; i < 4; i++) {
          assert.match(
            await send(`${INSTITUTION}/GUESS${i}`, SERIALS_PASSWORD, "Guess"),
            /^Error: Unauthorized request/,
          );
        }
        assert.match(
          await send(`${INSTITUTION}/SERIALS`, SERIALS_PASSWORD, "Blocked"),
          /^Error: too many failed logons from 127\.0\.0\.1/,
        );
      });
    },
  );
}
