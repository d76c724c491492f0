/**
 * Authority records over Connexion end to end (issue 23 item 3): real TCP clients against
 * `startApp` on a fresh SQLite catalog. An authority export (leader/06 `z`) is added as an
 * authority record, a second export of it merges (by OCLC number, or by LCCN), a bib with the
 * same OCLC number is another record, and exports mixing the two kinds keep them apart. Real
 * authority records from the shared corpus are read by path (never copied), when it is there.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import type { Catalog } from "../../src/catalog/catalog.js";
import { ConnexionClient } from "../../src/connexion/client.js";
import { hashPassword } from "../../src/import/password.js";
import { readIso2709Buffer, writeIso2709 } from "../../src/marc/iso2709.js";
import { getDataFields, type Field, type MarcRecord } from "../../src/marc/record.js";
import { Auth, SESSION_COOKIE } from "../../src/web/auth.js";
import {
  INSTITUTION,
  PASSWORD,
  data,
  oclcRecord,
  startGateway,
  type RunningGateway,
} from "./_fixture.js";

const LOGON = { logonId: INSTITUTION, password: PASSWORD };
const CORPUS = "/work/shared/corpus/bench/all-utf8.mrc";

/** A name authority record as Connexion exports it (OCLC number in 035, LCCN in 010). */
function authority(options: {
  readonly oclc?: number;
  readonly lccn?: string;
  readonly heading?: string;
  readonly extra?: readonly Field[];
}): MarcRecord {
  return {
    leader: "00000cz  a2200000n  4500",
    fields: [
      { tag: "005", value: "20261128101500.0" },
      { tag: "008", value: "850101n| acannaabn          |a aaa      " },
      ...(options.lccn !== undefined ? [data("010", "  ", `a${options.lccn}`)] : []),
      ...(options.oclc !== undefined ? [data("035", "  ", `a(OCoLC)${options.oclc}`)] : []),
      data("040", "  ", "aDLC", "beng", "cDLC"),
      ...(options.heading !== undefined
        ? [data("100", "1 ", `a${options.heading}`, "d1835-1910")]
        : []),
      data("400", "1 ", "aClemens, Samuel Langhorne,", "d1835-1910"),
      ...(options.extra ?? []),
    ],
  };
}

describe("Connexion gateway: authority records", () => {
  let gateway: RunningGateway;
  let catalog: Catalog;

  before(async () => {
    gateway = await startGateway({ publicUrl: "http://catalog.example.org" });
    ({ catalog } = gateway);
  });
  after(() => gateway.close());

  async function send(...records: MarcRecord[]): Promise<string[]> {
    const client = await ConnexionClient.connect({
      host: "127.0.0.1",
      port: gateway.app.connexionPort,
    });
    try {
      const replies: string[] = [];
      for (const r of records) replies.push(await client.send(writeIso2709(r), LOGON, "byte"));
      return replies;
    } finally {
      await client.close();
    }
  }

  const added = (reply: string | undefined, noun: string): string => {
    const m = new RegExp(`^Success\\. ${noun} (99\\d+) added\\.`).exec(reply ?? "");
    assert.ok(m, reply);
    return m[1]!;
  };

  test("an authority export is added, a second export merges, a bib with its OCLC number is another record", async () => {
    const [first] = await send(authority({ oclc: 8101, heading: "Twain, Mark," }));
    const mmsId = added(first, "Authority record");
    const stored = await catalog.record(mmsId);
    assert.ok(stored);
    assert.equal(stored.marc.leader.charAt(6), "z");

    const again = authority({
      oclc: 8101,
      heading: "Twain, Mark,",
      extra: [data("670", "  ", "aHuckleberry Finn, 1884.")],
    });
    const [merged] = await send(again);
    assert.match(
      merged!,
      new RegExp(
        `^Success\\. Authority record ${mmsId} merged \\(Overlay all fields but local\\): shares OCLC number 8101\\.`,
      ),
    );
    const after2 = await catalog.record(mmsId);
    assert.equal(after2!.version, 2);
    assert.equal(getDataFields(after2!.marc, "670").length, 1);

    // A bibliographic record with the same OCLC number: a record of its own.
    const [bibReply] = await send(oclcRecord(8101, "A book with the number of an authority"));
    const bibId = added(bibReply, "Record");
    assert.notEqual(bibId, mmsId);
    assert.deepEqual(await catalog.findByKey("oclc", "8101", [INSTITUTION]), [bibId]);
    assert.deepEqual(await catalog.findByKey("oclc", "8101", [INSTITUTION], "authority"), [mmsId]);
    // And the authority again still merges into the authority, not the bib.
    const [third] = await send(again);
    assert.match(third!, new RegExp(`^Success\\. Authority record ${mmsId} `));
  });

  test("an authority record is found by its heading, see-from and see-also forms", async () => {
    const [reply] = await send(
      authority({
        oclc: 8401,
        heading: "Quillfeather, Amabel,",
        extra: [data("500", "1 ", "aPenwright, Odalys,", "d1901-1970")],
      }),
    );
    const mmsId = added(reply, "Authority record");
    for (const words of ["quillfeather", "clemens samuel", "penwright"]) {
      const found = await catalog.search({ text: words, index: "title", zones: [INSTITUTION] });
      assert.ok(
        found.hits.some((h) => h.mmsId === mmsId),
        `${words}: ${JSON.stringify(found.hits)}`,
      );
    }
    const hit = (
      await catalog.search({ text: "quillfeather", index: "title", zones: [INSTITUTION] })
    ).hits.find((h) => h.mmsId === mmsId);
    assert.equal(hit?.title, "Quillfeather, Amabel, 1835-1910");
    // A word of no heading is not in the heading (title) index.
    const none = await catalog.search({ text: "DLC", index: "title", zones: [INSTITUTION] });
    assert.ok(!none.hits.some((h) => h.mmsId === mmsId));
  });

  test("the record view is named by the heading; the staff search says 'Authority record'", async () => {
    const [reply] = await send(authority({ oclc: 8501, heading: "Brightwater, Ysolde," }));
    const mmsId = added(reply, "Authority record");
    await catalog.addUser({
      name: "auth-viewer",
      roles: [{ institution: INSTITUTION, role: "Viewer" }],
      passwordHash: await hashPassword("viewer password"),
    });
    const login = await new Auth(catalog).login("auth-viewer", "viewer password", "127.0.0.1");
    assert.ok(login.ok);
    const headers = { cookie: `${SESSION_COOKIE}=${login.secret}` };
    const base = `http://127.0.0.1:${gateway.app.httpPort}`;
    const page = await fetch(`${base}/records/${mmsId}`, { headers });
    assert.equal(page.status, 200);
    const body = await page.text();
    assert.match(body, /<h1[^>]*>[^<]*Brightwater, Ysolde, 1835-1910/);
    const search = await (await fetch(`${base}/search?q=brightwater`, { headers })).text();
    assert.match(search, new RegExp(`${mmsId}[\\s\\S]*Authority record`));
  });

  test("an authority record without an OCLC number matches by its LCCN (010 $a)", async () => {
    const [first] = await send(authority({ lccn: "n  79021164", heading: "Twain, Mark," }));
    const mmsId = added(first, "Authority record");
    const [second] = await send(
      authority({
        lccn: "n 79021164",
        heading: "Twain, Mark,",
        extra: [data("670", "  ", "aTom Sawyer.")],
      }),
    );
    assert.match(second!, new RegExp(`^Success\\. Authority record ${mmsId} merged`), second);
  });

  test("an authority record without a heading (1XX) is held by MarcXML Authority Import", async () => {
    const [reply] = await send(authority({ oclc: 8201 }));
    assert.match(reply!, /\(authority record\): .*MarcXML Authority Import.*no heading \(1XX\)/);
    assert.deepEqual(await catalog.findByKey("oclc", "8201", [INSTITUTION], "authority"), []);
  });

  test("a mixed export (bib, authority, bib, authority) keeps each kind apart", async () => {
    const replies = await send(
      oclcRecord(8301, "Mixed one"),
      authority({ oclc: 8301, heading: "Mixed, Heading," }),
      oclcRecord(8302, "Mixed two"),
      authority({ oclc: 8302, heading: "Other, Heading," }),
    );
    const ids = [
      added(replies[0], "Record"),
      added(replies[1], "Authority record"),
      added(replies[2], "Record"),
      added(replies[3], "Authority record"),
    ];
    assert.equal(new Set(ids).size, 4);
    for (const [i, id] of ids.entries()) {
      const stored = await catalog.record(id);
      assert.equal(stored!.marc.leader.charAt(6), i % 2 === 1 ? "z" : "a");
    }
  });

  test(
    "real authority records from the shared corpus are added as authority records",
    { skip: existsSync(CORPUS) ? false : `${CORPUS} is not here` },
    async () => {
      const records: MarcRecord[] = [];
      for (const read of readIso2709Buffer(readFileSync(CORPUS))) {
        if (read.record?.leader.charAt(6) === "z") records.push(read.record);
        if (records.length === 20) break;
      }
      assert.equal(records.length, 20);
      const replies = await send(...records);
      const words = replies.map((r) => r.split(" ").slice(0, 3).join(" "));
      // Every one is an authority record: added, or merged into one sent before it.
      for (const [i, reply] of replies.entries()) {
        assert.match(reply, /^Success\. Authority record 99\d+ (added|merged)/, `${i}: ${reply}`);
      }
      assert.ok(words.length === 20);
    },
  );
});
