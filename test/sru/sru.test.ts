/**
 * The SRU service on a SQLite catalog, called directly: paging past 10,000 records with exact
 * counts, schemas and packings, sort, scan, and the diagnostics of bad requests.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { Catalog, Zone } from "../../src/catalog/catalog.js";
import { openSqliteCatalog } from "../../src/catalog/sqlite.js";
import type { MarcRecord } from "../../src/marc/record.js";
import { crosswalk } from "../../src/crosswalk/crosswalk.js";
import { sru } from "../../src/sru/sru.js";

const dir = mkdtempSync(join(tmpdir(), "marcgate-sru-unit-"));
let catalog: Catalog;
let institution: Zone;
const COUNT = 10_050;

function record(n: number): MarcRecord {
  return {
    leader: "00000nam a2200000 a 4500",
    fields: [
      { tag: "008", value: `200101s${1900 + (n % 100)}    nyu           000 0 eng d` },
      { tag: "100", ind1: "1", ind2: " ", subfields: [{ code: "a", value: `Author ${n % 7}` }] },
      {
        tag: "245",
        ind1: "1",
        ind2: "0",
        subfields: [{ code: "a", value: `Common words volume ${n}` }],
      },
      { tag: "650", ind1: " ", ind2: "0", subfields: [{ code: "a", value: "Music" }] },
    ],
  };
}

before(async () => {
  catalog = await openSqliteCatalog(dir);
  await catalog.addInstitution({ code: "IZ", name: "Institution" });
  institution = (await catalog.zone("IZ"))!;
  const batch = Array.from({ length: COUNT }, (_, n) => ({
    kind: "create" as const,
    zone: "IZ",
    marc: record(n),
  }));
  await catalog.createMany(batch, { savedBy: "t", action: "load" });
});
after(async () => {
  await catalog.close();
  rmSync(dir, { recursive: true, force: true });
});

const ask = async (params: Record<string, string>): Promise<string> =>
  (await sru({ catalog, institution, host: "localhost", port: 80, path: "/sru/IZ" }, params)).xml;

test("paging goes past 10,000 records: exact count, positions, next record position", async () => {
  const xml = await ask({
    version: "1.2",
    operation: "searchRetrieve",
    query: "dc.title = common",
    startRecord: "10041",
    maximumRecords: "5",
  });
  assert.match(xml, /<zs:numberOfRecords>10050<\/zs:numberOfRecords>/);
  assert.deepEqual(
    [...xml.matchAll(/<zs:recordPosition>(\d+)</g)].map((m) => Number(m[1])),
    [10041, 10042, 10043, 10044, 10045],
  );
  assert.match(xml, /<zs:nextRecordPosition>10046<\/zs:nextRecordPosition>/);
  const last = await ask({
    version: "1.2",
    operation: "searchRetrieve",
    query: "common",
    startRecord: "10046",
    maximumRecords: "10",
  });
  assert.equal([...last.matchAll(/<zs:record>/g)].length, 5);
  assert.doesNotMatch(last, /nextRecordPosition/);
  const beyond = await ask({
    version: "1.2",
    operation: "searchRetrieve",
    query: "common",
    startRecord: "20000",
  });
  assert.match(beyond, /info:srw\/diagnostic\/1\/61/);
});

test("Dublin Core and string packing; SRU 2.0 namespaces and escaping", async () => {
  const dc = await ask({
    version: "1.2",
    operation: "searchRetrieve",
    query: 'rec.identifier = "x" or dc.title adj "volume 42"',
    recordSchema: "dc",
  });
  assert.match(dc, /<zs:numberOfRecords>1<\/zs:numberOfRecords>/);
  assert.match(
    dc,
    /<dc:title>Common words volume 42<\/dc:title><dc:creator>Author 0<\/dc:creator>/,
  );
  assert.match(dc, /<dc:date>1942<\/dc:date>/);
  const packed = await ask({
    version: "2.0",
    query: 'dc.title adj "volume 42"',
    recordXMLEscaping: "string",
  });
  assert.match(
    packed,
    /<sruResponse:searchRetrieveResponse xmlns:sruResponse="http:\/\/docs.oasis-open.org\/ns\/search-ws\/sruResponse">/,
  );
  assert.match(packed, /<sruResponse:recordData>&lt;record xmlns=/);
  assert.match(packed, /resultCountPrecision\/1\/exact/);
});

test("sortBy and sortKeys order the hits; too many to sort is said", async () => {
  const sorted = await ask({
    version: "1.2",
    operation: "searchRetrieve",
    query: 'dc.title adj "volume 10*" and dc.date < 1905 sortBy dc.date/sort.ascending',
    maximumRecords: "3",
  });
  assert.deepEqual(
    [...sorted.matchAll(/tag="008">200101s(\d{4})/g)].map((m) => m[1]),
    ["1900", "1900", "1900"],
  );
  const tooMany = await ask({
    version: "1.2",
    operation: "searchRetrieve",
    query: "common sortBy dc.title",
    maximumRecords: "1",
  });
  assert.match(tooMany, /info:srw\/diagnostic\/1\/83/);
  const keys = await ask({
    version: "1.1",
    operation: "searchRetrieve",
    query: "dc.date = 1999",
    sortKeys: "dc.title,,0",
    maximumRecords: "1",
  });
  assert.match(keys, /<zs:version>1.1<\/zs:version>/);
  assert.match(keys, /Common words volume 9999</);
});

test("scan browses titles and authors with counts", async () => {
  const xml = await ask({
    version: "1.2",
    operation: "scan",
    scanClause: 'dc.creator = "author 5"',
    maximumTerms: "3",
  });
  assert.deepEqual(
    [...xml.matchAll(/<zs:value>([^<]+)<\/zs:value><zs:numberOfRecords>(\d+)/g)].map((m) => [
      m[1],
      Number(m[2]),
    ]),
    [
      ["Author 5", 1435],
      ["Author 6", 1435],
    ],
  );
  assert.match(
    await ask({ version: "1.2", operation: "scan", scanClause: "dc.subject = music" }),
    /diagnostic\/1\/16/,
  );
});

test("bad requests are SRU diagnostics: version, operation, parameter, schema, query", async () => {
  const cases: [Record<string, string>, number][] = [
    [{ version: "1.3", operation: "explain" }, 5],
    [{ version: "1.2", operation: "delete" }, 4],
    [{ version: "1.2", operation: "searchRetrieve" }, 7],
    [{ version: "1.2", operation: "searchRetrieve", query: "x", foo: "1" }, 8],
    [{ version: "1.2", operation: "searchRetrieve", query: "x", recordSchema: "mods" }, 66],
    [{ version: "1.2", operation: "searchRetrieve", query: "x", recordPacking: "json" }, 71],
    [{ version: "1.2", operation: "searchRetrieve", query: "x", maximumRecords: "-1" }, 6],
    [{ version: "1.2", operation: "searchRetrieve", query: "dc.title = (" }, 10],
  ];
  for (const [params, code] of cases)
    assert.match(
      await ask(params),
      new RegExp(`info:srw/diagnostic/1/${code}<`),
      JSON.stringify(params),
    );
  const explain = await ask({ version: "1.2", operation: "explain" });
  assert.match(explain, /<name set="alma">oclc_control_number_035_a<\/name>/);
  assert.match(explain, /<index search="true" scan="true" sort="true"><title>title/);
});

test("a suppressed record is not served", async () => {
  const [hit] = (await catalog.search({ text: "volume 43", index: "title", zones: ["IZ"] })).hits;
  const stored = (await catalog.record(hit!.mmsId))!;
  await catalog.commit({
    change: {
      kind: "update",
      mmsId: stored.mmsId,
      expectedVersion: stored.version,
      marc: stored.marc,
      suppressed: true,
    },
    context: { savedBy: "t", action: "suppress" },
  });
  const query = (text: string): Promise<string> =>
    ask({ version: "1.2", operation: "searchRetrieve", query: text });
  assert.match(await query('dc.title adj "volume 43"'), /<zs:numberOfRecords>0</);
  assert.match(
    await query('dc.title adj "volume 43" or dc.date = 1942'),
    /<zs:numberOfRecords>101</,
  );
  assert.match(await query(`rec.identifier = ${stored.mmsId}`), /<zs:numberOfRecords>0</);
  assert.equal(
    (await catalog.search({ text: "volume 43", index: "title", zones: ["IZ"] })).total,
    1,
  );
});

test("a UNIMARC record is served as MARC 21 (MARCXML and Dublin Core), through the crosswalk", async () => {
  const unimarc = crosswalk(
    {
      leader: "00000nam a2200000 a 4500",
      fields: [
        { tag: "008", value: "200101s1999    fr            000 0 fre d" },
        {
          tag: "245",
          ind1: "1",
          ind2: "0",
          subfields: [{ code: "a", value: "Livre unimarc" }],
        },
      ],
    },
    "MARC21",
    "UNIMARC",
  ).record;
  const saved = await catalog.commit({
    change: { kind: "create", zone: "IZ", marc: unimarc, format: "UNIMARC" },
    context: { savedBy: "t", action: "create" },
  });
  const get = (schema: string): Promise<string> =>
    ask({
      version: "1.2",
      operation: "searchRetrieve",
      query: `rec.identifier = ${saved.mmsId}`,
      recordSchema: schema,
    });
  const marcxml = await get("marcxml");
  assert.match(
    marcxml,
    /<datafield tag="245" ind1="\d" ind2="0">\s*<subfield code="a">Livre unimarc/,
  );
  assert.doesNotMatch(marcxml, /tag="200"/);
  assert.match(await get("dc"), /<dc:title>Livre unimarc/);
});
