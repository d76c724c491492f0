/**
 * OAI-PMH on a real HTTP server over a catalog of each engine (SQLite; PostgreSQL too when
 * MARCGATE_TEST_PG is set, in a fresh schema dropped at the end; the two engines' suites run at
 * once, each its tests in order, so PostgreSQL adds little time): every response validated by xmllint
 * against OAI-PMH.xsd, MARC21slim.xsd and oai_dc.xsd (../shared/data/xml-schemas, read by path);
 * paging by resumption tokens (idempotent, damaged ones refused); persistent deletes; the Debian
 * harvester `oai_pmh` (libhttp-oai-perl) harvests exactly the publishable records.
 */
import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import Fastify, { type FastifyInstance } from "fastify";
import pg from "pg";
import type { Catalog } from "../../src/catalog/catalog.js";
import { openPostgresCatalog } from "../../src/catalog/postgres.js";
import { openSqliteCatalog } from "../../src/catalog/sqlite.js";
import { crosswalk } from "../../src/crosswalk/crosswalk.js";
import { CONNEXION_INTEGRATION_TYPE, parseProfile } from "../../src/import/profile.js";
import { registerOai } from "../../src/publish/oai-route.js";
import { book } from "../catalog/suite.js";

const run = promisify(execFile);
const SCHEMAS = resolve(process.cwd(), "../shared/data/xml-schemas");
const ZONE = "01OAI_INST";
/** An institution whose Connexion profile's target format is UNIMARC. */
const UNIMARC_ZONE = "01OAI_UNI";
const have = (program: string): boolean => spawnSync("which", [program]).status === 0;
const missing = ["xmllint", "oai_pmh", "catmandu"].filter((p) => !have(p));
if (!existsSync(join(SCHEMAS, "OAI-PMH.xsd"))) missing.push(SCHEMAS);

/** The engines to run on: each opens a fresh catalog (`data` is the SQLite directory). */
function engines(): { name: string; open: (data: string) => Promise<Catalog> }[] {
  const list = [{ name: "sqlite", open: (data: string) => openSqliteCatalog(data) }];
  const url = process.env.MARCGATE_TEST_PG;
  if (url) {
    const schemas: string[] = [];
    after(async () => {
      const admin = new pg.Pool({ connectionString: url, max: 1 });
      for (const s of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
      await admin.end();
    });
    list.push({
      name: "postgres",
      open: () => {
        const schema = `t_${randomBytes(6).toString("hex")}`;
        schemas.push(schema);
        return openPostgresCatalog(url, { schema });
      },
    });
  }
  return list;
}

describe("OAI-PMH provider on each engine", { concurrency: true }, () => {
  for (const engine of engines()) providerSuite(engine);
});

function providerSuite(engine: { name: string; open: (data: string) => Promise<Catalog> }): void {
  describe(
    `OAI-PMH provider (${engine.name})`,
    { skip: missing.length ? `missing: ${missing.join(", ")}` : false, concurrency: 1 },
    () => {
      let dir: string;
      let catalog: Catalog;
      let app: FastifyInstance;
      let base: string;
      let schema: string;
      const mmsIds: string[] = [];
      let unimarcId = "";

      const get = async (query: string): Promise<string> => {
        const response = await fetch(`${base}?${query}`);
        assert.equal(response.status, 200);
        const xml = await response.text();
        const file = join(dir, `r${Math.random().toString(36).slice(2)}.xml`);
        writeFileSync(file, xml);
        const check = spawnSync("xmllint", ["--noout", "--nonet", "--schema", schema, file], {
          encoding: "utf8",
        });
        assert.equal(check.status, 0, `${query}: ${check.stderr}\n${xml.slice(0, 2000)}`);
        return xml;
      };

      before(async () => {
        dir = mkdtempSync(join(tmpdir(), "marcgate-oai-"));
        schema = join(dir, "all.xsd");
        // simpledc20021212.xsd imports xml:lang from w3.org; tests never use the network, so the
        // XML namespace is declared here first (the one attribute the Dublin Core schema uses).
        writeFileSync(
          join(dir, "xml.xsd"),
          `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="http://www.w3.org/XML/1998/namespace">
<xs:attribute name="lang" type="xs:language"/>
</xs:schema>`,
        );
        writeFileSync(
          schema,
          `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
<xs:import namespace="http://www.w3.org/XML/1998/namespace" schemaLocation="${dir}/xml.xsd"/>
<xs:import namespace="http://www.openarchives.org/OAI/2.0/" schemaLocation="${SCHEMAS}/OAI-PMH.xsd"/>
<xs:import namespace="http://www.loc.gov/MARC21/slim" schemaLocation="${SCHEMAS}/MARC21slim.xsd"/>
<xs:import namespace="http://www.openarchives.org/OAI/2.0/oai_dc/" schemaLocation="${SCHEMAS}/oai_dc.xsd"/>
</xs:schema>`,
        );
        catalog = await engine.open(join(dir, "data"));
        await catalog.addInstitution({ code: ZONE, name: "OAI test" });
        for (let i = 0; i < 7; i++) {
          const saved = await catalog.commit({
            change: {
              kind: "create",
              zone: ZONE,
              marc: book({ title: `Book ${i} & co`, oclc: `${100 + i}`, author: "Müller, Anna" }),
            },
            context: { savedBy: "t", action: "create" },
          });
          mmsIds.push(saved.mmsId!);
        }
        await catalog.addInstitution({ code: UNIMARC_ZONE, name: "OAI UNIMARC test" });
        const parsed = parseProfile({ code: "CONNEXION", targetFormat: "UNIMARC" });
        assert.ok("input" in parsed);
        await catalog.setIntegrationProfile({
          institution: UNIMARC_ZONE,
          type: CONNEXION_INTEGRATION_TYPE,
          code: "CONNEXION",
          settings: parsed.input.profile,
        });
        const marc21 = book({ title: "Un livre", oclc: "900", author: "Dupont, Jean" });
        unimarcId = (
          await catalog.commit({
            change: {
              kind: "create",
              zone: UNIMARC_ZONE,
              marc: crosswalk(marc21, "MARC21", "UNIMARC").record,
              format: "UNIMARC",
            },
            context: { savedBy: "t", action: "create" },
          })
        ).mmsId!;
        app = Fastify();
        registerOai(app, catalog, { adminEmail: "admin@example.org", pageSize: 3 });
        const address = await app.listen({ host: "127.0.0.1", port: 0 });
        base = `${address}/oai/${ZONE}`;
      });
      after(async () => {
        await app.close();
        await catalog.close();
        rmSync(dir, { recursive: true, force: true });
      });

      test("Identify, ListMetadataFormats and ListSets are valid and say persistent, seconds", async () => {
        const identify = await get("verb=Identify");
        assert.match(identify, /<deletedRecord>persistent<\/deletedRecord>/);
        assert.match(identify, /<granularity>YYYY-MM-DDThh:mm:ssZ<\/granularity>/);
        assert.match(
          await get("verb=ListMetadataFormats"),
          /<metadataPrefix>oai_dc<\/metadataPrefix>/,
        );
        assert.match(await get("verb=ListSets"), /<setSpec>tag:publish-bib<\/setSpec>/);
      });

      test("every error code the protocol defines that applies, each a valid response", async () => {
        assert.match(
          await get("verb=Nope"),
          /<error code="badVerb">Nope is not an OAI-PMH verb<\/error>/,
        );
        assert.match(await get("verb=Identify&verb=Identify"), /code="badVerb">verb is repeated/);
        assert.match(
          await get("verb=ListRecords"),
          /code="badArgument">ListRecords needs metadataPrefix/,
        );
        assert.match(
          await get("verb=Identify&x=1"),
          /code="badArgument">Identify takes no argument x/,
        );
        assert.match(
          await get("verb=ListRecords&metadataPrefix=mods"),
          /code="cannotDisseminateFormat"/,
        );
        assert.match(
          await get("verb=GetRecord&metadataPrefix=marc21&identifier=oai:marcgate:1"),
          /code="idDoesNotExist"/,
        );
        assert.match(
          await get("verb=ListRecords&metadataPrefix=marc21&from=2999-01-01"),
          /code="noRecordsMatch"/,
        );
        assert.match(
          await get(
            "verb=ListRecords&metadataPrefix=marc21&from=2020-01-01&until=2020-01-01T00:00:00Z",
          ),
          /different granularities/,
        );
        assert.match(
          await get("verb=ListRecords&metadataPrefix=marc21&from=yesterday"),
          /from yesterday is not YYYY-MM-DD/,
        );
        assert.match(
          await get("verb=ListRecords&resumptionToken=abc.def"),
          /code="badResumptionToken"/,
        );
      });

      test("pages by signed tokens: idempotent, every record once, completeListSize, empty last token", async () => {
        const first = await fetchPaged();
        assert.deepEqual([...first.ids].sort(), [...mmsIds].sort());
        assert.equal(
          first.sizes.every((s) => s === 7),
          true,
        );
        // The same token twice: the same page.
        assert.equal(first.pages[1], first.pages[1]);
        const again = await get(
          `verb=ListIdentifiers&resumptionToken=${encodeURIComponent(first.tokens[0]!)}`,
        );
        assert.equal(
          again.replace(/<responseDate>.*<\/responseDate>/, ""),
          first.pages[1]!.replace(/<responseDate>.*<\/responseDate>/, ""),
        );
        const damaged = first.tokens[0]!.replace(/^./, (c) => (c === "e" ? "f" : "e"));
        assert.match(
          await get(`verb=ListIdentifiers&resumptionToken=${encodeURIComponent(damaged)}`),
          /badResumptionToken/,
        );
      });

      test("GetRecord as marc21 and oai_dc; a deleted record is a deleted header", async () => {
        const marc = await get(
          `verb=GetRecord&metadataPrefix=marc21&identifier=oai:marcgate:${mmsIds[0]}`,
        );
        assert.match(marc, /<subfield code="a">Book 0 &amp; co<\/subfield>/);
        const dc = await get(
          `verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:marcgate:${mmsIds[0]}`,
        );
        assert.match(dc, /<dc:title>Book 0 &amp; co<\/dc:title>/);
        const job = await catalog.startJob({
          institution: ZONE,
          source: "import",
          description: "d",
        });
        const created = await catalog.commit({
          change: { kind: "create", zone: ZONE, marc: book({ title: "Gone soon" }) },
          entry: {
            jobId: job.id,
            raw: new Uint8Array([0x31]),
            outcome: "created",
            messages: [],
            log: [],
          },
          context: { savedBy: "t", action: "create", jobId: job.id },
        });
        await catalog.undoJob(job.id, "alice");
        const gone = await get(
          `verb=GetRecord&metadataPrefix=marc21&identifier=oai:marcgate:${created.mmsId}`,
        );
        assert.match(gone, /<header status="deleted">/);
        assert.doesNotMatch(gone, /<metadata>/);
      });

      test("a UNIMARC zone offers its own format as MarcXchange, and marc21 / oai_dc through the crosswalk", async () => {
        const uni = base.replace(ZONE, UNIMARC_ZONE);
        const fetchUni = async (query: string): Promise<string> =>
          (await fetch(`${uni}?${query}`)).text();
        assert.deepEqual(
          [
            ...(await fetchUni("verb=ListMetadataFormats")).matchAll(/<metadataPrefix>([^<]+)</g),
          ].map((m) => m[1]),
          ["marc21", "oai_dc", "unimarc"],
        );
        // A MARC 21 zone does not offer it.
        assert.match(
          await get(`verb=GetRecord&metadataPrefix=unimarc&identifier=oai:marcgate:${mmsIds[0]}`),
          /code="cannotDisseminateFormat">metadataPrefix unimarc is not one of marc21, oai_dc/,
        );
        const id = `oai:marcgate:${unimarcId}`;
        const own = await fetchUni(`verb=GetRecord&metadataPrefix=unimarc&identifier=${id}`);
        assert.match(
          own,
          /<record xmlns="info:lc\/xmlns\/marcxchange-v1" format="UNIMARC" type="Bibliographic">/,
        );
        // UNIMARC's title is 200 $a, as stored.
        assert.match(own, /<datafield tag="200" ind1="1" ind2=" ">\s*<subfield code="a">Un livre</);
        // The same record as MARC 21 (valid against MARC21slim.xsd) and Dublin Core, crosswalked.
        const asMarc21 = await fetchUni(`verb=GetRecord&metadataPrefix=marc21&identifier=${id}`);
        const file = join(dir, "uni-marc21.xml");
        writeFileSync(file, asMarc21);
        const check = spawnSync("xmllint", ["--noout", "--nonet", "--schema", schema, file], {
          encoding: "utf8",
        });
        assert.equal(check.status, 0, check.stderr);
        assert.match(
          asMarc21,
          /<datafield tag="245" ind1="1" ind2="0">\s*<subfield code="a">Un livre/,
        );
        const dc = await fetchUni(`verb=GetRecord&metadataPrefix=oai_dc&identifier=${id}`);
        assert.match(dc, /<dc:title>Un livre/);
        assert.match(dc, /<dc:creator>Dupont, Jean/);
        assert.match(await fetchUni("verb=ListRecords&metadataPrefix=unimarc"), /format="UNIMARC"/);
      });

      test("the harvester oai_pmh (libhttp-oai-perl) harvests exactly the publishable records", async () => {
        const { stdout } = await run(
          "oai_pmh",
          ["--metadataPrefix", "marc21", "-X", "ListIdentifiers", base],
          { maxBuffer: 1 << 24 },
        );
        // oai_pmh prints each header as "identifier: …", "datestamp: …", "status: [deleted]".
        const live = [
          ...stdout.matchAll(/identifier: oai:marcgate:(\d+)\ndatestamp: \S+\nstatus: (\S*)/g),
        ]
          .filter((m) => m[2] === "")
          .map((m) => m[1]!);
        assert.deepEqual(live.sort(), [...mmsIds].sort());
      });

      test("after a merge, a restore, an undo and a delete, an incremental harvest (oai_pmh --from, catmandu) returns exactly those", async () => {
        // Seconds granularity: start the changes in a second no earlier change shares.
        const start = new Date(Math.floor(Date.now() / 1000) * 1000 + 1000);
        while (Date.now() < start.getTime()) await new Promise((r) => setTimeout(r, 50));
        const from = start.toISOString().replace(/\.\d{3}Z$/, "Z");
        const merged = await catalog.commit({
          change: {
            kind: "update",
            mmsId: mmsIds[1]!,
            expectedVersion: 1,
            marc: book({ title: "Book 1, merged", oclc: "101" }),
          },
          context: { savedBy: "t", action: "merge" },
        });
        await catalog.restore(mmsIds[2]!, 1, { savedBy: "t", action: "restore" });
        const job = await catalog.startJob({
          institution: ZONE,
          source: "import",
          description: "u",
        });
        const made = await catalog.commit({
          change: { kind: "create", zone: ZONE, marc: book({ title: "Undone" }) },
          entry: {
            jobId: job.id,
            raw: new Uint8Array([0x31]),
            outcome: "created",
            messages: [],
            log: [],
          },
          context: { savedBy: "t", action: "create", jobId: job.id },
        });
        await catalog.undoJob(job.id, "alice");
        assert.equal(merged.mmsId, mmsIds[1]);
        const { stdout } = await run(
          "oai_pmh",
          ["--metadataPrefix", "marc21", "-X", "ListIdentifiers", "--from", from, base],
          { maxBuffer: 1 << 24 },
        );
        const ids = [...stdout.matchAll(/oai:marcgate:(\d+)/g)].map((m) => m[1]!);
        assert.deepEqual([...new Set(ids)].sort(), [mmsIds[1]!, mmsIds[2]!, made.mmsId!].sort());
        const deleted = await get(`verb=ListIdentifiers&metadataPrefix=oai_dc&from=${from}`);
        assert.match(
          deleted,
          new RegExp(`<header status="deleted"><identifier>oai:marcgate:${made.mmsId}<`),
        );
        const catmandu = await run(
          "catmandu",
          [
            "convert",
            "OAI",
            "--url",
            base,
            "--metadataPrefix",
            "oai_dc",
            "--from",
            from,
            "to",
            "JSON",
            "--line_delimited",
            "1",
          ],
          { maxBuffer: 1 << 24 },
        );
        const harvested = catmandu.stdout
          .trim()
          .split("\n")
          .map((line) => JSON.parse(line) as { _id: string; _status?: string });
        assert.deepEqual(
          harvested.map((r) => [r._id, r._status ?? ""]).sort(),
          [
            [`oai:marcgate:${mmsIds[1]}`, ""],
            [`oai:marcgate:${mmsIds[2]}`, ""],
            [`oai:marcgate:${made.mmsId}`, "deleted"],
          ].sort(),
        );
      });

      async function fetchPaged(): Promise<{
        ids: string[];
        pages: string[];
        tokens: string[];
        sizes: number[];
      }> {
        const ids: string[] = [];
        const pages: string[] = [];
        const tokens: string[] = [];
        const sizes: number[] = [];
        let query = "verb=ListIdentifiers&metadataPrefix=marc21";
        for (let guard = 0; guard < 20; guard++) {
          const xml = await get(query);
          pages.push(xml);
          for (const m of xml.matchAll(/<identifier>oai:marcgate:(\d+)<\/identifier>/g))
            ids.push(m[1]!);
          const size = /completeListSize="(\d+)"/.exec(xml);
          if (size) sizes.push(Number(size[1]));
          const token = /<resumptionToken[^>]*>([^<]+)<\/resumptionToken>/.exec(xml);
          if (!token) break;
          tokens.push(token[1]!);
          query = `verb=ListIdentifiers&resumptionToken=${encodeURIComponent(token[1]!)}`;
        }
        assert.equal(new Set(ids).size, ids.length, "no record twice");
        return { ids, pages, tokens, sizes };
      }
    },
  );
}
