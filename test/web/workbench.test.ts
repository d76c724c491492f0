/**
 * The cataloger's workbench over HTTP (Fastify's inject) and the command line: one vocabulary of
 * outcomes on every surface (the Connexion reply, the job page, the API, `marcgate job show`),
 * job rows paged and filtered by outcome, and the review queue side by side.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";
import type { Catalog, JobOutcome } from "../../src/catalog/catalog.js";
import { outcomeHeading, outcomeLabel, parseOutcome } from "../../src/catalog/outcome-words.js";
import { openSqliteCatalog } from "../../src/catalog/sqlite.js";
import { replyText } from "../../src/connexion/reply.js";
import { Importer, type ImportResult } from "../../src/import/importer.js";
import { hashPassword } from "../../src/import/password.js";
import { parseProfile, type ConnexionProfile } from "../../src/import/profile.js";
import { writeIso2709 } from "../../src/marc/iso2709.js";
import type { MarcRecord } from "../../src/marc/record.js";
import { Auth, SESSION_COOKIE } from "../../src/web/auth.js";
import { buildServer } from "../../src/web/server.js";

const here = dirname(fileURLToPath(import.meta.url));
const main = resolve(here, "../../src/cli/main.js");
/** The repository's `src/` (the tests run from `dist/test/web`). */
const sources = resolve(here, "../../../src");
const INSTITUTION = "01WB_INST";
const PASSWORD = "workbench password";
/** Skipped rows added to the job so that it has several pages. */
const FILLER = 230;

function book(oclc: string, title: string, extra: MarcRecord["fields"] = []): MarcRecord {
  return {
    leader: "00000cam a2200000 a 4500",
    fields: [
      { tag: "001", value: `ocm${oclc}` },
      { tag: "003", value: "OCoLC" },
      { tag: "008", value: "260101s2026    nyu           000 0 eng d" },
      ...(title
        ? [{ tag: "245", ind1: "1", ind2: "0", subfields: [{ code: "a", value: title }] }]
        : []),
      ...extra,
    ],
  };
}

interface Session {
  readonly cookie: string;
  readonly csrf: string;
}

describe("the workbench: outcomes, job rows, review side by side", () => {
  let dir: string;
  let catalog: Catalog;
  let app: FastifyInstance;
  let profile: ConnexionProfile;
  let jobId = 0;
  let held: ImportResult;
  let unreadable: ImportResult;
  let invalid: ImportResult;
  const duplicates: string[] = [];
  let viewer: Session;
  let cataloger: Session;

  async function session(name: string): Promise<Session> {
    const login = await new Auth(catalog).login(name, PASSWORD, "10.0.0.9");
    assert.ok(login.ok);
    return { cookie: `${SESSION_COOKIE}=${login.secret}`, csrf: login.key.csrf ?? "" };
  }

  async function get(who: Session, url: string) {
    return app.inject({ url, headers: { cookie: who.cookie } });
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "marcgate-workbench-"));
    catalog = await openSqliteCatalog(dir);
    await catalog.addInstitution({ code: INSTITUTION, name: "Workbench University" });
    const hash = await hashPassword(PASSWORD);
    await catalog.addUser({
      name: "view",
      roles: [{ institution: INSTITUTION, role: "Viewer" }],
      passwordHash: hash,
    });
    await catalog.addUser({
      name: "cat",
      roles: [{ institution: INSTITUTION, role: "Cataloger" }],
      passwordHash: hash,
    });
    const parsed = parseProfile({ code: "CONNEXION" });
    assert.ok("input" in parsed);
    profile = parsed.input.profile;
    const zone = (await catalog.zone(INSTITUTION))!;
    // Two records share OCLC number 777: an export of it is held for several matches.
    for (const title of ["Duplicate one", "Duplicate two"]) {
      const saved = await catalog.commit({
        change: { kind: "create", zone: INSTITUTION, marc: book("00000777", title) },
        context: { savedBy: "test", action: "create" },
      });
      duplicates.push(saved.mmsId!);
    }
    jobId = (await catalog.startJob({ institution: INSTITUTION, source: "t", description: "t" }))
      .id;
    const importer = new Importer(catalog);
    const send = (raw: Uint8Array) =>
      importer.import({ raw, institution: zone, profile, jobId, savedBy: "test" });
    held = await send(
      writeIso2709(
        book("00000777", "Incoming title", [
          { tag: "500", ind1: " ", ind2: " ", subfields: [{ code: "a", value: "A new note." }] },
        ]),
      ),
    );
    unreadable = await send(new TextEncoder().encode("this is not a MARC record at all"));
    invalid = await send(writeIso2709(book("00000888", "")));
    for (let i = 0; i < FILLER; i++) {
      await catalog.commit({
        entry: {
          jobId,
          raw: new Uint8Array([0x31]),
          outcome: "skipped",
          reasonCode: "cz-linked",
          messages: [`filler ${i}`],
          log: { entries: [] },
        },
        context: { savedBy: "test", action: "skipped", jobId },
      });
    }
    app = await buildServer({
      catalog,
      importer,
      publicUrl: () => "http://localhost",
    });
    viewer = await session("view");
    cataloger = await session("cat");
  });
  after(async () => {
    await app.close();
    await catalog.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("set-up: one record held for several matches, one unreadable, one held by validation", () => {
    assert.equal(held.decision.outcome, "review");
    assert.equal(held.decision.reasonCode, "several-matches");
    assert.equal(unreadable.decision.outcome, "rejected");
    assert.equal(invalid.decision.outcome, "review");
    assert.equal(invalid.decision.reasonCode, "validation");
  });

  test("the words of the outcome codes, and what names them back", () => {
    assert.equal(outcomeLabel("review"), "held for review");
    assert.equal(outcomeLabel("rejected"), "failed");
    assert.equal(outcomeLabel("created"), "new");
    assert.equal(outcomeHeading("review"), "Held for review");
    const named: [string, JobOutcome | undefined][] = [
      ["review", "review"],
      ["Held for review", "review"],
      ["held-for-review", "review"],
      ["failed", "rejected"],
      ["rejected", "rejected"],
      ["new", "created"],
      ["held", undefined],
      ["", undefined],
    ];
    for (const [text, outcome] of named) assert.equal(parseOutcome(text), outcome, text);
  });

  /** What each surface calls the held and the unreadable record. */
  test("one vocabulary: the reply, the job page, the API and marcgate job show say the same words", async () => {
    const heldWords = outcomeLabel("review");
    const failedWords = outcomeLabel("rejected");
    // The Connexion reply: the client's grammar first (`Error:` for a failure), then the words.
    const heldReply = replyText(held, { jobId });
    const failedReply = replyText(unreadable, { jobId });
    assert.match(heldReply, new RegExp(`^${outcomeHeading("review")}: 2 records match`));
    assert.match(failedReply, /^Error: /);
    assert.match(failedReply, new RegExp(`The record ${failedWords} and was kept in job ${jobId}`));

    // The job page: counters and row badges.
    const pageBody = (await get(viewer, `/jobs/${jobId}?outcome=review`)).body;
    assert.match(
      pageBody,
      /<div><b>2 <span class="muted">\(several-matches 1, validation 1\)<\/span><\/b>Held for review<\/div>/,
    );
    assert.match(
      pageBody,
      /<div><b>1 <span class="muted">\(unreadable 1\)<\/span><\/b>Failed<\/div>/,
    );
    const badges = [...pageBody.matchAll(/<span class="badge (\w+)">([^<]*)<\/span/g)];
    assert.deepEqual(
      badges.map((m) => [m[1], m[2]]),
      [
        ["review", heldWords],
        ["review", heldWords],
      ],
    );
    const failedPage = (await get(viewer, `/jobs/${jobId}?outcome=rejected`)).body;
    assert.match(failedPage, new RegExp(`<span class="badge rejected">${failedWords}</span`));
    const list = (await get(viewer, "/jobs")).body;
    assert.match(list, /<th scope="col">Held for review<\/th>/);
    assert.match(list, /<th scope="col">Failed<\/th>/);
    for (const body of [pageBody, failedPage, list]) {
      assert.doesNotMatch(body, /Rejected by validation|>Held<|>review<|>rejected</);
    }

    // The API: the code for programs, its words beside it, the report's lines in the same words.
    const headers = { cookie: viewer.cookie };
    const api = (
      await app.inject({ url: `/api/jobs/${jobId}?outcome=failed`, headers })
    ).json() as {
      report: { outcomes: { outcome: string; label: string; count: number }[] };
      records: { outcome: string; outcomeLabel: string }[];
    };
    assert.deepEqual(
      api.records.map((r) => [r.outcome, r.outcomeLabel]),
      [["rejected", failedWords]],
    );
    assert.deepEqual(
      api.report.outcomes.filter((l) => l.count > 0).map((l) => [l.label, l.count]),
      [
        ["skipped", FILLER],
        [heldWords, 2],
        [failedWords, 1],
      ],
    );
    const vocabulary = (await app.inject({ url: "/api/outcomes", headers })).json() as {
      outcome: JobOutcome;
      label: string;
    }[];
    for (const { outcome, label } of vocabulary) assert.equal(label, outcomeLabel(outcome));

    // marcgate job show: the report and the rows.
    const show = spawnSync(process.execPath, [main, "job", "show", String(jobId), "--data", dir]);
    assert.equal(show.status, 0, show.stderr.toString());
    const out = show.stdout.toString();
    assert.match(out, /^held for review 2 \(several-matches 1, validation 1\)$/m);
    assert.match(out, /^failed 1 \(unreadable 1\)$/m);
    assert.match(
      out,
      new RegExp(`^#${held.entryId!} \\S+ held for review \\[several-matches, open\\]`, "m"),
    );
    assert.match(out, new RegExp(`^#${unreadable.entryId!} \\S+ failed \\[unreadable\\]`, "m"));
    assert.doesNotMatch(out, /rejected by validation|^#\d+ \S+ (review|rejected) /m);
  });

  test("no module but outcome-words.ts spells an outcome's words as a string of its own", () => {
    const files: string[] = [];
    const walk = (folder: string): void => {
      for (const name of readdirSync(folder)) {
        const path = join(folder, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (name.endsWith(".ts")) files.push(path);
      }
    };
    walk(sources);
    assert.ok(files.length > 50, `the sources at ${sources}`);
    // "failed" is also a reason code, so only the words that are no code are looked for.
    const spelled = /["'`][Hh]eld for review\b|[Rr]ejected by validation|["'`]Held["'`]/;
    const offenders = files
      .filter((f) => !f.endsWith(join("catalog", "outcome-words.ts")))
      .filter((f) => spelled.test(readFileSync(f, "utf8")))
      .map((f) => f.slice(sources.length));
    assert.deepEqual(offenders, []);
  });

  test("job rows: 100 a page, filter links with counts per outcome, the API and the CLI page alike", async () => {
    const total = FILLER + 3;
    const first = (await get(viewer, `/jobs/${jobId}`)).body;
    const rowsOf = (body: string) => [...body.matchAll(/href="\/jobs\/\d+\/rows\/(\d+)"/g)].length;
    assert.equal(rowsOf(first), 100);
    assert.match(first, new RegExp(`Rows 1–100 of ${total} · page 1 of 3`));
    assert.match(first, new RegExp(`<strong aria-current="true">All \\(${total}\\)</strong>`));
    assert.match(
      first,
      new RegExp(`href="/jobs/${jobId}\\?outcome=skipped#records">Skipped \\(${FILLER}\\)</a>`),
    );
    assert.match(
      first,
      new RegExp(`href="/jobs/${jobId}\\?outcome=review#records">Held for review \\(2\\)</a>`),
    );
    assert.match(
      first,
      new RegExp(`href="/jobs/${jobId}\\?outcome=rejected#records">Failed \\(1\\)</a>`),
    );
    assert.match(first, new RegExp(`href="/jobs/${jobId}\\?page=2#records" rel="next"`));
    const last = (await get(viewer, `/jobs/${jobId}?page=3`)).body;
    assert.equal(rowsOf(last), total - 200);
    assert.match(last, new RegExp(`Rows 201–${total} of ${total} · page 3 of 3`));
    assert.doesNotMatch(last, /rel="next"/);
    const skippedTwo = (await get(viewer, `/jobs/${jobId}?outcome=skipped&page=2`)).body;
    assert.equal(rowsOf(skippedTwo), 100);
    assert.match(skippedTwo, /filler 100</);
    assert.doesNotMatch(skippedTwo, /filler 99</);
    const bogus = await get(viewer, `/jobs/${jobId}?outcome=bogus`);
    assert.equal(bogus.statusCode, 409);
    assert.match(bogus.body, /no outcome &quot;bogus&quot;/);

    const headers = { cookie: viewer.cookie };
    const api = (await app.inject({ url: `/api/jobs/${jobId}?page=3`, headers })).json() as {
      page: number;
      pages: number;
      total: number;
      counts: Record<string, number>;
      records: unknown[];
    };
    assert.deepEqual(
      { page: api.page, pages: api.pages, total: api.total, rows: api.records.length },
      { page: 3, pages: 3, total, rows: total - 200 },
    );
    assert.deepEqual(api.counts, { review: 2, rejected: 1, skipped: FILLER });
    const byWords = await app.inject({
      url: `/api/jobs/${jobId}?outcome=${encodeURIComponent("held for review")}`,
      headers,
    });
    assert.equal((byWords.json() as { total: number }).total, 2);
    const badPage = await app.inject({ url: `/api/jobs/${jobId}?page=0`, headers });
    assert.equal(badPage.statusCode, 422);

    const cli = (args: string[]) => {
      const r = spawnSync(process.execPath, [
        main,
        "job",
        "show",
        String(jobId),
        ...args,
        "--data",
        dir,
      ]);
      assert.equal(r.status, 0, r.stderr.toString());
      return r.stdout
        .toString()
        .split("\n")
        .filter((l) => l.startsWith("#"));
    };
    assert.equal(cli([]).length, total, "without --page, every row");
    assert.equal(cli(["--page", "2"]).length, 100);
    assert.deepEqual(
      cli(["--outcome", "held for review"]).map((l) => l.split(" ")[0]),
      [`#${held.entryId!}`, `#${invalid.entryId!}`],
    );
  });

  test("review side by side: the incoming record against each candidate, its match key, the differences, the checks", async () => {
    const queue = (await get(viewer, "/review")).body;
    assert.match(queue, new RegExp(`href="/review/${held.entryId!}"`));
    // The queue names each candidate with its title, not as a bare MMS ID.
    assert.match(queue, new RegExp(`${duplicates[0]}</a> Duplicate one</div>`));
    assert.match(queue, new RegExp(`${duplicates[1]}</a> Duplicate two</div>`));
    const compare = await get(viewer, `/review/${held.entryId!}`);
    assert.equal(compare.statusCode, 200, compare.body);
    const body = compare.body;
    for (const [i, mmsId] of duplicates.entries()) {
      assert.match(
        body,
        new RegExp(
          `<h3><a href="/records/${mmsId}">${mmsId}</a>: Duplicate ${i === 0 ? "one" : "two"}</h3>`,
        ),
      );
    }
    assert.equal(
      [...body.matchAll(/Match key that matched:\s*<strong>OCLC number 777<\/strong>/g)].length,
      2,
    );
    // The incoming title and note are only on the left; each candidate's title only on the right.
    assert.match(body, /<td class="del">− 245 10 \$a Incoming title<\/td>/);
    assert.match(body, /<td class="del">− 500 {4}\$a A new note\.<\/td>/);
    assert.match(body, /<td class="add">\+ 245 10 \$a Duplicate one<\/td>/);
    assert.match(body, /<td class="add">\+ 245 10 \$a Duplicate two<\/td>/);
    assert.match(body, /<td class="">008 {4}260101s2026/);
    // The leader's computed positions (length, base address) do not count as a difference.
    assert.equal(
      [...body.matchAll(/<td class="">LDR {4}00000cam a2200000 a 4500<\/td>/g)].length,
      4,
    );
    assert.match(body, /<h2>The checks that held it<\/h2>/);
    assert.match(body, /several matches: held for review/);
    // A Viewer sees no resolve form; a Cataloger does, with each candidate to force into.
    assert.doesNotMatch(body, /Force import/);
    const asCataloger = (await get(cataloger, `/review/${held.entryId!}`)).body;
    for (const mmsId of duplicates)
      assert.match(asCataloger, new RegExp(`<option value="${mmsId}">`));

    const byValidation = (await get(viewer, `/review/${invalid.entryId!}`)).body;
    assert.match(byValidation, /245: the record has no 245 \(title statement\)/);
    assert.match(byValidation, /No record matched before it was held/);
    assert.match(byValidation, /aria-label="Incoming record"/);

    assert.equal((await get(viewer, `/review/${unreadable.entryId!}`)).statusCode, 404);
    assert.equal((await get(viewer, "/review/99999999")).statusCode, 404);
    assert.equal((await get(viewer, "/review/abc")).statusCode, 404);
  });

  test("delete from the workbench: a Cataloger's button, the versions kept, restore brings it back; the API and the CLI", async () => {
    const { mmsId } = await catalog.commit({
      change: { kind: "create", zone: INSTITUTION, marc: book("00004444", "To be deleted") },
      context: { savedBy: "test", action: "create" },
    });
    const view = (await get(viewer, `/records/${mmsId!}`)).body;
    assert.doesNotMatch(view, /Delete record/);
    const asCataloger = (await get(cataloger, `/records/${mmsId!}`)).body;
    assert.match(asCataloger, new RegExp(`action="/records/${mmsId!}/delete"`));
    const post = (who: Session, url: string, form: Record<string, string>) =>
      app.inject({
        method: "POST",
        url,
        payload: new URLSearchParams({ _csrf: who.csrf, ...form }).toString(),
        headers: { "content-type": "application/x-www-form-urlencoded", cookie: who.cookie },
      });
    assert.equal((await post(viewer, `/records/${mmsId!}/delete`, {})).statusCode, 403);
    assert.ok(await catalog.record(mmsId!), "a Viewer's delete changes nothing");
    const deleted = await post(cataloger, `/records/${mmsId!}/delete`, {});
    assert.equal(deleted.statusCode, 303, deleted.body);
    assert.equal(await catalog.record(mmsId!), undefined);
    assert.equal((await catalog.deletion(mmsId!))?.deletedBy, "cat");
    assert.equal((await catalog.publishing.publishedItem(mmsId!))?.deleted, true);
    const tombstone = await get(cataloger, `/records/${mmsId!}`);
    assert.equal(tombstone.statusCode, 200);
    assert.match(tombstone.body, /was deleted by cat at/);
    assert.match(tombstone.body, /Restore version 1/);
    const restored = await post(cataloger, `/records/${mmsId!}/restore`, { version: "1" });
    assert.equal(restored.statusCode, 303, restored.body);
    assert.equal((await catalog.record(mmsId!))?.version, 2);

    // The API, with the session's CSRF token (a Viewer is refused).
    const api = (who: Session) =>
      app.inject({
        method: "POST",
        url: `/api/records/${mmsId!}/delete`,
        headers: { cookie: who.cookie, "x-csrf-token": who.csrf },
      });
    assert.equal((await api(viewer)).statusCode, 403);
    const byApi = await api(cataloger);
    assert.equal(byApi.statusCode, 200, byApi.body);
    assert.deepEqual(
      (({ version, deletedBy, action }) => ({ version, deletedBy, action }))(
        byApi.json() as { version: number; deletedBy: string; action: string },
      ),
      { version: 2, deletedBy: "cat", action: "delete" },
    );
    assert.equal((await api(cataloger)).statusCode, 404, "deleted already");
    await catalog.restore(mmsId!, 2, { savedBy: "test", action: "restore" });

    // The command line.
    const cli = (args: string[]) =>
      spawnSync(process.execPath, [main, "record", ...args, "--data", dir]);
    await catalog.lock(mmsId!, "someone");
    const locked = cli(["delete", mmsId!, "--by", "erin"]);
    assert.equal(locked.status, 1);
    assert.match(locked.stderr.toString(), /locked by someone/);
    await catalog.unlock(mmsId!, "someone");
    const byCli = cli(["delete", mmsId!, "--by", "erin"]);
    assert.equal(byCli.status, 0, byCli.stderr.toString());
    assert.equal(
      byCli.stdout.toString(),
      `record ${mmsId!}: deleted by erin; its 3 versions are kept (marcgate record restore ${mmsId!} --version 3 brings it back)\n`,
    );
    assert.equal((await catalog.deletion(mmsId!))?.deletedBy, "erin");
    assert.equal(cli(["delete", mmsId!]).status, 1);
    assert.equal(cli(["delete"]).status, 2);
  });
});
