/**
 * The web server in process (Fastify's inject): login and its throttling, sessions, CSRF on
 * every form, role limits, escaping of MARC data, the profile wizard's checks, the API with a
 * token. The browser test (browser.test.ts) drives the same pages in Chromium.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { FastifyInstance } from "fastify";
import type { Catalog } from "../../src/catalog/catalog.js";
import { openSqliteCatalog } from "../../src/catalog/sqlite.js";
import { LogonThrottle } from "../../src/connexion/throttle.js";
import { Importer } from "../../src/import/importer.js";
import { hashPassword } from "../../src/import/password.js";
import { parseProfile } from "../../src/import/profile.js";
import { writeIso2709 } from "../../src/marc/iso2709.js";
import type { MarcRecord } from "../../src/marc/record.js";
import { escapeHtml, html } from "../../src/web/html.js";
import { buildServer } from "../../src/web/server.js";
import { diffRecords } from "../../src/web/service.js";

const INSTITUTION = "01WEB_INST";
const PASSWORD = "correct horse battery";

function book(title: string, oclc: string): MarcRecord {
  return {
    leader: "00000nam a2200000 a 4500",
    fields: [
      { tag: "001", value: `ocm${oclc}` },
      { tag: "003", value: "OCoLC" },
      { tag: "008", value: "200101s2020    xxu           000 0 eng d" },
      { tag: "100", ind1: "1", ind2: " ", subfields: [{ code: "a", value: "Doe, Jane." }] },
      { tag: "245", ind1: "1", ind2: "0", subfields: [{ code: "a", value: title }] },
    ],
  };
}

interface Session {
  readonly cookie: string;
  readonly csrf: string;
}

describe("web server", () => {
  let dir: string;
  let catalog: Catalog;
  let app: FastifyInstance;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "marcgate-web-"));
    catalog = await openSqliteCatalog(dir);
    await catalog.addInstitution({ code: INSTITUTION, name: "Web University" });
    const hash = await hashPassword(PASSWORD);
    await catalog.addUser({
      name: "admin",
      role: "General System Administrator",
      passwordHash: hash,
    });
    await catalog.addUser({ name: "cat", role: "Cataloger", passwordHash: hash });
    await catalog.addUser({ name: "view", role: "Viewer", passwordHash: hash });
    await catalog.addUser({ name: "victim", role: "Viewer", passwordHash: hash });
    app = await buildServer({
      catalog,
      importer: new Importer(catalog),
      publicUrl: () => "http://localhost",
      throttle: new LogonThrottle({ maxFailures: 3 }),
    });
  });
  after(async () => {
    await app.close();
    await catalog.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function login(name: string, address = "10.0.0.1"): Promise<Session> {
    const response = await app.inject({
      method: "POST",
      url: "/login",
      remoteAddress: address,
      payload: new URLSearchParams({ name, password: PASSWORD, next: "/jobs" }).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded", host: "localhost" },
    });
    assert.equal(response.statusCode, 303, response.body);
    assert.equal(response.headers.location, "/jobs");
    const setCookie = String(response.headers["set-cookie"]);
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Strict/);
    assert.match(setCookie, /Secure/);
    const cookie = setCookie.split(";")[0]!;
    const page = await app.inject({ url: "/search", headers: { cookie } });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
    assert.ok(csrf);
    return { cookie, csrf };
  }

  function post(session: Session, url: string, form: Record<string, string>, csrf = session.csrf) {
    return app.inject({
      method: "POST",
      url,
      payload: new URLSearchParams({ _csrf: csrf, ...form }).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: session.cookie },
    });
  }

  test("pages need a session; /healthz and the style sheet do not", async () => {
    const page = await app.inject({ url: "/records/9912341001" });
    assert.equal(page.statusCode, 303);
    assert.equal(page.headers.location, "/login?next=%2Frecords%2F9912341001");
    assert.equal((await app.inject({ url: "/healthz" })).statusCode, 200);
    assert.equal((await app.inject({ url: "/static/style.css" })).statusCode, 200);
    const api = await app.inject({ url: "/api/jobs" });
    assert.equal(api.statusCode, 401);
    assert.equal((api.json() as { error: string }).error, "unauthorized");
  });

  test("a wrong password is refused, and repeated failures block the address", async () => {
    const attempt = (password: string) =>
      app.inject({
        method: "POST",
        url: "/login",
        remoteAddress: "10.9.9.9",
        payload: new URLSearchParams({ name: "victim", password }).toString(),
        headers: { "content-type": "application/x-www-form-urlencoded" },
      });
    for (let i = 0; i < 3; i++) {
      const r = await attempt("wrong");
      assert.equal(r.statusCode, 401);
      assert.match(r.body, /Unknown user name or wrong password/);
    }
    const blocked = await attempt(PASSWORD);
    assert.equal(blocked.statusCode, 401);
    assert.match(blocked.body, /Too many failed logins/);
  });

  test("a form without the session's CSRF token is refused and changes nothing", async () => {
    const admin = await login("admin");
    const r = await post(
      admin,
      "/users",
      { name: "mallory", role: "Viewer", password: "0123456789ab" },
      "forged",
    );
    assert.equal(r.statusCode, 403);
    assert.equal(await catalog.user("mallory"), undefined);
    const ok = await post(admin, "/users", {
      name: "newbie",
      role: "Viewer",
      password: "0123456789ab",
    });
    assert.equal(ok.statusCode, 303);
    assert.equal((await catalog.user("newbie"))?.role, "Viewer");
  });

  test("the record view lists the import decisions that saved into it, with the checks", async () => {
    const parsed = parseProfile({ code: "CONNEXION" });
    assert.ok("input" in parsed);
    const zone = (await catalog.zone(INSTITUTION))!;
    const { id: jobId } = await catalog.startJob({
      institution: INSTITUTION,
      source: "t",
      description: "t",
    });
    const exported = (title: string): Uint8Array =>
      writeIso2709({
        leader: "00000cam a2200000 a 4500",
        fields: [
          { tag: "001", value: "ocm00004242" },
          { tag: "003", value: "OCoLC" },
          { tag: "008", value: "260101s2026    nyu           000 0 eng d" },
          { tag: "245", ind1: "1", ind2: "0", subfields: [{ code: "a", value: title }] },
        ],
      });
    const importer = new Importer(catalog);
    const request = (title: string) => ({
      raw: exported(title),
      institution: zone,
      profile: parsed.input.profile,
      jobId,
      savedBy: "test",
    });
    const first = await importer.import(request("Decided."));
    const second = await importer.import(request("Decided, again."));
    assert.equal(second.mmsId, first.mmsId);
    assert.equal(
      second.decision.reason,
      "merged (Overlay all fields but local): shares OCLC number 4242",
    );
    const viewer = await login("view");
    const page = await app.inject({
      url: `/records/${first.mmsId!}`,
      headers: { cookie: viewer.cookie },
    });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<h2>Import decisions<\/h2>/);
    assert.match(page.body, /merged \(Overlay all fields but local\): shares OCLC number 4242/);
    assert.match(page.body, new RegExp(`href="/jobs/${jobId}/rows/${second.entryId!}"`));
  });

  test("role limits: a Viewer cannot configure or restore, a Cataloger cannot configure", async () => {
    const viewer = await login("view");
    assert.equal(
      (await app.inject({ url: "/profiles/new", headers: { cookie: viewer.cookie } })).statusCode,
      403,
    );
    assert.equal(
      (await app.inject({ url: "/users", headers: { cookie: viewer.cookie } })).statusCode,
      403,
    );
    assert.equal(
      (await post(viewer, "/records/9900000000011001/restore", { version: "1" })).statusCode,
      403,
    );
    const cataloger = await login("cat");
    assert.equal(
      (await app.inject({ url: "/profiles/new", headers: { cookie: cataloger.cookie } }))
        .statusCode,
      403,
    );
    assert.equal(
      (await app.inject({ url: "/review", headers: { cookie: cataloger.cookie } })).statusCode,
      200,
    );
  });

  test("the wizard names each wrong setting, saves the profile, and allows one per institution", async () => {
    const admin = await login("admin");
    const page1 = await post(admin, "/profiles/wizard", {
      step: "1",
      code: "bad code!",
      name: "",
      integrationType: "OCLC Connexion",
    });
    assert.match(page1.body, /id="code-error"/);
    assert.match(page1.body, /must be 1–40 letters/);
    const page2 = await post(admin, "/profiles/wizard", {
      step: "1",
      code: "CONNEXION",
      name: "OCLC Connexion",
      integrationType: "OCLC Connexion",
    });
    assert.match(page2.body, /Target format/);
    assert.match(page2.body, /Synchronize with External Catalog/);
    const settings = {
      step: "2",
      code: "CONNEXION",
      name: "OCLC Connexion",
      integrationType: "OCLC Connexion",
      targetFormat: "MARC21",
      validationProfile: "MarcXML Bib Import",
      serialMatchMethod: "Unique OCLC Identifier",
      nonSerialMatchMethod: "Unique OCLC Identifier",
      mergeMethod: "Overlay all fields but local",
      synchronizeWithExternalCatalog: "Publish bibliographic records",
    };
    const noPassword = await post(admin, "/profiles/wizard", settings);
    assert.equal(noPassword.statusCode, 422);
    assert.match(noPassword.body, /id="password-error"/);
    const saved = await post(admin, "/profiles/wizard", { ...settings, password: "s3cret-pw" });
    assert.equal(saved.statusCode, 303);
    const stored = await catalog.integrationProfile(INSTITUTION, "OCLC Connexion");
    assert.equal(stored?.code, "CONNEXION");
    const second = await post(admin, "/profiles/wizard", { ...settings, code: "OTHER", step: "1" });
    assert.match(second.body, /only one should be configured/);
  });

  test("MARC data is escaped: a 245 holding <script> shows as text in search and record view", async () => {
    const { mmsId } = await catalog.commit({
      change: {
        kind: "create",
        zone: INSTITUTION,
        marc: book("<script>alert(1)</script> Escaped", "777"),
      },
      context: { savedBy: "test", action: "create" },
    });
    const viewer = await login("view");
    for (const url of ["/search?q=escaped", `/records/${mmsId!}`]) {
      const page = await app.inject({ url, headers: { cookie: viewer.cookie } });
      assert.equal(page.statusCode, 200);
      assert.doesNotMatch(page.body, /<script>/);
      assert.match(page.body, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    }
  });

  test("restore by a Cataloger saves the old version as a new one; the diff shows both", async () => {
    const { mmsId } = await catalog.commit({
      change: { kind: "create", zone: INSTITUTION, marc: book("First title", "888") },
      context: { savedBy: "test", action: "create" },
    });
    await catalog.commit({
      change: {
        kind: "update",
        mmsId: mmsId!,
        expectedVersion: 1,
        marc: book("Second title", "888"),
      },
      context: { savedBy: "test", action: "merge" },
    });
    const cataloger = await login("cat");
    const diff = await app.inject({
      url: `/records/${mmsId!}/diff?a=1&b=2`,
      headers: { cookie: cataloger.cookie },
    });
    assert.match(diff.body, /class="del">− 245 10 \$a First title/);
    assert.match(diff.body, /class="add">\+ 245 10 \$a Second title/);
    const restored = await post(cataloger, `/records/${mmsId!}/restore`, { version: "1" });
    assert.equal(restored.statusCode, 303);
    const record = await catalog.record(mmsId!);
    assert.equal(record?.version, 3);
    assert.deepEqual(
      record?.marc.fields.find((f) => f.tag === "245"),
      book("First title", "888").fields[4],
    );
  });

  test("the API: a token reads, dryRun decides without writing, a Viewer's token cannot import", async () => {
    const admin = await login("admin");
    const created = await post(admin, "/account/tokens", { label: "script" });
    const token = /id="new-token">([^<]+)</.exec(created.body)?.[1];
    assert.ok(token);
    const headers = { authorization: `Bearer ${token}` };
    const spec = await app.inject({ url: "/api/openapi.json" });
    assert.equal((spec.json() as { openapi: string }).openapi, "3.1.0");
    const raw = writeIso2709(book("Dry run only", "999"));
    const dry = await app.inject({
      method: "POST",
      url: `/api/import?dryRun=true&institution=${INSTITUTION}`,
      payload: raw,
      headers: { ...headers, "content-type": "application/marc" },
    });
    assert.equal(dry.statusCode, 200, dry.body);
    const answer = dry.json() as { dryRun: boolean; records: { outcome: string }[] };
    assert.equal(answer.dryRun, true);
    assert.equal(answer.records[0]?.outcome, "created");
    assert.deepEqual(await catalog.findByKey("oclc", "999", [INSTITUTION]), []);
    const search = await app.inject({ url: "/api/search?q=escaped", headers });
    assert.equal((search.json() as { total: number }).total, 1);
    const viewer = await login("view");
    const viewerToken = /id="new-token">([^<]+)</.exec(
      (await post(viewer, "/account/tokens", { label: "v" })).body,
    )?.[1];
    const refused = await app.inject({
      method: "POST",
      url: "/api/import",
      payload: raw,
      headers: { authorization: `Bearer ${viewerToken!}`, "content-type": "application/marc" },
    });
    assert.equal(refused.statusCode, 403);
  });

  test("logging out ends the session", async () => {
    const viewer = await login("view");
    assert.equal((await post(viewer, "/logout", {})).statusCode, 303);
    assert.equal(
      (await app.inject({ url: "/search", headers: { cookie: viewer.cookie } })).statusCode,
      303,
    );
  });
});

test("html escapes every interpolated value, lists included, but not its own markup", () => {
  assert.equal(
    escapeHtml(`<a href="x">'&'</a>`),
    "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;",
  );
  const inner = html`<b>${"<i>"}</b>`;
  assert.equal(html`<p>${inner}${["<", 1]}${undefined}</p>`.text, "<p><b>&lt;i&gt;</b>&lt;1</p>");
});

test("diffRecords pairs equal lines and marks removed and added ones", () => {
  const rows = diffRecords(book("A", "1"), book("B", "1"));
  assert.deepEqual(
    rows.filter((r) => !r.same),
    [
      { left: "245 10 $a A", same: false },
      { right: "245 10 $a B", same: false },
    ],
  );
});
