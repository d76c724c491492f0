/**
 * Real clients against a real `marcgate serve`: yaz-client and zoomsh over SRU and over
 * Z39.50 (Simple2ZOOM on --z3950-port), and Catmandu's SRU importer. Searches by title, ISBN
 * and OCLC number; records shown as MARCXML and as ISO 2709 (read back by yaz-marcdump); hit
 * counts checked against `marcgate search`. Responses are checked well-formed by xmllint.
 */
import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { writeIso2709 } from "../../src/marc/iso2709.js";
import type { MarcRecord } from "../../src/marc/record.js";
import { freePort, MARCGATE, startServe, type Serving } from "../_serve.js";

const run = promisify(execFile);
const INSTITUTION = "01SRU_INST";

function book(title: string, author: string, isbn: string, oclc: string, year: string): MarcRecord {
  return {
    leader: "00000cam a2200000 i 4500",
    fields: [
      { tag: "001", value: `ocm${oclc}` },
      { tag: "003", value: "OCoLC" },
      { tag: "008", value: `200101s${year}    nyu           000 0 eng d` },
      { tag: "020", ind1: " ", ind2: " ", subfields: [{ code: "a", value: isbn }] },
      { tag: "100", ind1: "1", ind2: " ", subfields: [{ code: "a", value: author }] },
      { tag: "245", ind1: "1", ind2: "0", subfields: [{ code: "a", value: title }] },
      {
        tag: "650",
        ind1: " ",
        ind2: "0",
        subfields: [
          { code: "a", value: "Jazz" },
          { code: "x", value: "History" },
        ],
      },
    ],
  };
}

const BOOKS = [
  book("Kind of blue", "Davis, Miles", "9780306406157", "11111111", "1959"),
  book("The making of Kind of blue", "Kahn, Ashley", "9781566390538", "22222222", "2000"),
  book("A history of jazz", "Gioia, Ted", "9780195126532", "33333333", "1997"),
  book("Jazz ʻoved & blues", "Müller, Anna", "9783161484100", "44444444", "2010"),
];

const have = (program: string): boolean => spawnSync("which", [program]).status === 0;
const missing = [
  "yaz-client",
  "zoomsh",
  "simple2zoom",
  "catmandu",
  "xmllint",
  "yaz-marcdump",
].filter((p) => !have(p));

describe(
  "SRU and Z39.50 with real clients",
  { skip: missing.length > 0 ? `not installed: ${missing.join(", ")}` : false },
  () => {
    let dir: string;
    let serving: Serving;
    let z3950: number;
    const sru = (): string => `${serving.base}/sru/${INSTITUTION}`;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), "marcgate-sru-"));
      const data = join(dir, "data");
      await run(process.execPath, [
        MARCGATE,
        "institution",
        "add",
        INSTITUTION,
        "--name",
        "SRU test",
        "--data",
        data,
      ]);
      const file = join(dir, "books.mrc");
      writeFileSync(file, Buffer.concat(BOOKS.map((b) => writeIso2709(b))));
      await run(process.execPath, [
        MARCGATE,
        "load",
        file,
        "--institution",
        INSTITUTION,
        "--data",
        data,
      ]);
      z3950 = await freePort();
      serving = await startServe(data, "127.0.0.1", z3950);
    });

    after(async () => {
      if (serving && serving.process.exitCode === null) {
        serving.process.kill("SIGTERM");
        await new Promise((done) => serving.process.once("exit", done));
      }
      rmSync(dir, { recursive: true, force: true });
    });

    /** `marcgate search` total (the reference for every client's count). */
    async function marcgateTotal(query: string, index: string): Promise<number> {
      const { stdout } = await run(process.execPath, [
        MARCGATE,
        "search",
        query,
        "--index",
        index,
        "--institution",
        INSTITUTION,
        "--json",
        "--data",
        join(dir, "data"),
      ]);
      return (JSON.parse(stdout) as { total: number }).total;
    }

    async function yaz(target: string, commands: string[]): Promise<string> {
      const child = spawnSync("yaz-client", [target], {
        input: [...commands, "quit"].join("\n") + "\n",
        encoding: "utf8",
        timeout: 20_000,
      });
      return child.stdout + child.stderr;
    }

    function hits(output: string): number[] {
      return [...output.matchAll(/Number of hits: (\d+)/g)].map((m) => Number(m[1]));
    }

    test("yaz-client over SRU: title, ISBN, OCLC number; counts as marcgate search; MARCXML shown; diagnostics", async () => {
      const out = await yaz(sru(), [
        "sru get 1.2",
        "querytype cql",
        'find dc.title = "kind of blue"',
        "format xml",
        "elements marcxml",
        "show 1",
        "find bath.isbn = 978-0-19-512653-2",
        'find alma.oclc_control_number = "(OCoLC)ocm22222222"',
        "find dc.nothing = x",
      ]);
      const counts = hits(out);
      assert.deepEqual(counts.slice(0, 4), [
        await marcgateTotal("kind of blue", "title"),
        await marcgateTotal("kind of blue", "title"),
        await marcgateTotal("978-0-19-512653-2", "isbn"),
        await marcgateTotal("(OCoLC)ocm22222222", "oclc"),
      ]);
      assert.deepEqual(counts.slice(0, 4), [2, 2, 1, 1]);
      // The exact title first.
      assert.match(
        out,
        /pos=1 schema=info:srw\/schema\/1\/marcxml-v1.1\s*<record xmlns="http:\/\/www.loc.gov\/MARC21\/slim">[\s\S]*?<subfield code="a">Kind of blue<\/subfield>/,
      );
      assert.match(
        out,
        /SRW diagnostic info:srw\/diagnostic\/1\/16\s+Message: Unsupported index\s+Details: dc.nothing/,
      );
    });

    test("yaz-client over Z39.50: Bib-1 title, ISBN, OCLC number, any; USMARC records valid ISO 2709", async () => {
      const dump = join(dir, "z.mrc");
      const out = await yaz(`tcp:127.0.0.1:${z3950}/${INSTITUTION}`, [
        `set_marcdump ${dump}`,
        'find @attr 1=4 "kind of blue"',
        "format usmarc",
        "show 1+2",
        "find @attr 1=7 9780195126532",
        "find @attr 1=1211 33333333",
        "find @attr 1=1016 oved",
        "find @attr 1=1003 kahn",
        "find @attr 1=31 1959",
      ]);
      assert.match(out, /Connection accepted by v3 target/);
      assert.deepEqual(hits(out), [
        await marcgateTotal("kind of blue", "title"),
        await marcgateTotal("9780195126532", "isbn"),
        await marcgateTotal("33333333", "oclc"),
        await marcgateTotal("oved", "keyword"),
        await marcgateTotal("kahn", "author"),
        1,
      ]);
      assert.match(out, /245 10 \$a Kind of blue/);
      const read = spawnSync("yaz-marcdump", ["-i", "marc", "-o", "line", dump], {
        encoding: "utf8",
      });
      assert.equal(read.status, 0, read.stderr);
      assert.equal((read.stdout.match(/^\d{5}[a-z ]{5}/gm) ?? []).length, 2, read.stdout);
      assert.match(read.stdout, /245 10 \$a The making of Kind of blue/);
    });

    test("zoomsh over SRU and Z39.50 agree with marcgate search", async () => {
      const expected = await marcgateTotal("jazz", "subject");
      const viaSru = spawnSync(
        "zoomsh",
        [
          "set sru get",
          "set sru_version 1.2",
          `connect ${sru()}`,
          "search cql:dc.subject=jazz",
          "quit",
        ],
        { encoding: "utf8", timeout: 20_000 },
      );
      assert.match(viaSru.stdout, new RegExp(`: ${expected} hits`));
      const viaZ = spawnSync(
        "zoomsh",
        [
          `connect tcp:127.0.0.1:${z3950}/${INSTITUTION}`,
          "search @attr 1=21 jazz",
          "set preferredRecordSyntax usmarc",
          "show 0 1",
          "quit",
        ],
        { encoding: "utf8", timeout: 20_000 },
      );
      assert.match(viaZ.stdout, new RegExp(`: ${expected} hits`));
      assert.match(viaZ.stdout, /650 {2}0 \$a Jazz \$x History/);
    });

    test("Catmandu's SRU importer reads every page as MARCXML", async () => {
      const { stdout } = await run("catmandu", [
        "convert",
        "SRU",
        "--base",
        sru(),
        "--query",
        "cql.serverChoice = jazz",
        "--recordSchema",
        "marcxml",
        "--limit",
        "1",
        "to",
        "JSON",
        "--line_delimited",
        "1",
      ]);
      const records = stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { recordPosition: string });
      assert.equal(records.length, await marcgateTotal("jazz", "keyword"));
      assert.deepEqual(
        records.map((r) => r.recordPosition),
        records.map((_, i) => String(i + 1)),
      );
    });

    test("every operation answers well-formed XML in SRU 1.2 and 2.0", async () => {
      const urls = [
        "?version=1.2&operation=explain",
        "",
        "?version=1.2&operation=searchRetrieve&query=jazz&recordSchema=dc",
        "?version=2.0&query=jazz%20sortBy%20dc.date/sort.ascending&recordXMLEscaping=string",
        "?version=1.2&operation=scan&scanClause=dc.title%3Dk",
        "?version=2.0&operation=scan&scanClause=dc.creator%3Dd",
        "?version=1.2&operation=searchRetrieve&query=title%20%3D%20(",
        "?version=3.0&operation=explain",
      ];
      for (const url of urls) {
        const response = await fetch(sru() + url);
        assert.equal(response.status, 200);
        assert.match(response.headers.get("content-type") ?? "", /^text\/xml/);
        const file = join(dir, "response.xml");
        writeFileSync(file, await response.text());
        const lint = spawnSync("xmllint", ["--noout", file], { encoding: "utf8" });
        assert.equal(lint.status, 0, `${url}: ${lint.stderr}`);
        assert.ok(readFileSync(file, "utf8").length > 100);
      }
      assert.equal((await fetch(`${serving.base}/sru/NOPE`)).status, 404);
    });
  },
);
