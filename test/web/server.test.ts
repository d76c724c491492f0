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
import type { UserRole } from "../../src/catalog/accounts.js";
import type { Catalog } from "../../src/catalog/catalog.js";
import { openSqliteCatalog } from "../../src/catalog/sqlite.js";
import { LogonThrottle } from "../../src/connexion/throttle.js";
import type { LoginThrottles } from "../../src/web/auth.js";
import { Importer } from "../../src/import/importer.js";
import { hashPassword } from "../../src/import/password.js";
import { parseProfile } from "../../src/import/profile.js";
import { writeIso2709 } from "../../src/marc/iso2709.js";
import { writeMarcXml } from "../../src/marc/marcxml.js";
import type { MarcRecord } from "../../src/marc/record.js";
import { publishToOclc } from "../../src/publish/datasync.js";
import { escapeHtml, html } from "../../src/web/html.js";
import { buildServer, safeNext } from "../../src/web/server.js";
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
  let clock = 1_000_000;
  const throttle: LoginThrottles = {
    perName: new LogonThrottle({
      maxFailures: 3,
      blockMs: 1_000,
      blockGrowth: 2,
      maxBlockMs: 60_000,
      now: () => clock,
    }),
    perAddress: new LogonThrottle({ maxFailures: 10, now: () => clock }),
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "marcgate-web-"));
    catalog = await openSqliteCatalog(dir);
    await catalog.addInstitution({ code: INSTITUTION, name: "Web University" });
    const hash = await hashPassword(PASSWORD);
    const at = (role: UserRole) => [{ institution: INSTITUTION, role }];
    await catalog.addUser({
      name: "admin",
      roles: at("General System Administrator"),
      installationAdmin: true,
      passwordHash: hash,
    });
    await catalog.addUser({ name: "cat", roles: at("Cataloger"), passwordHash: hash });
    await catalog.addUser({ name: "view", roles: at("Viewer"), passwordHash: hash });
    await catalog.addUser({ name: "victim", roles: at("Viewer"), passwordHash: hash });
    app = await buildServer({
      catalog,
      importer: new Importer(catalog),
      publicUrl: () => "http://localhost",
      throttle,
    });
  });
  after(async () => {
    await app.close();
    await catalog.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The login page's token and the cookie that goes with it. */
  async function loginForm(next = ""): Promise<{ cookie: string; token: string; body: string }> {
    const page = await app.inject({ url: `/login${next}`, headers: { host: "localhost" } });
    const cookie = String(page.headers["set-cookie"]).split(";")[0]!;
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? "";
    return { cookie, token, body: page.body };
  }

  async function tryLogin(
    name: string,
    password: string,
    options: { address?: string; next?: string; headers?: Record<string, string> } = {},
  ) {
    const form = await loginForm();
    return app.inject({
      method: "POST",
      url: "/login",
      remoteAddress: options.address ?? "10.0.0.1",
      payload: new URLSearchParams({
        _csrf: form.token,
        name,
        password,
        next: options.next ?? "/jobs",
      }).toString(),
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        host: "localhost",
        cookie: form.cookie,
        ...options.headers,
      },
    });
  }

  async function login(name: string, address = "10.0.0.1"): Promise<Session> {
    const response = await tryLogin(name, PASSWORD, { address });
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

  test("a wrong password is refused; failures from one address slow down that address and name", async () => {
    const attempt = (password: string, address = "10.9.9.9") =>
      tryLogin("victim", password, { address });
    for (let i = 0; i < 3; i++) {
      const r = await attempt("wrong");
      assert.equal(r.statusCode, 401);
      assert.match(r.body, /Unknown user name or wrong password/);
    }
    const blocked = await attempt(PASSWORD);
    assert.equal(blocked.statusCode, 401);
    assert.match(blocked.body, /Too many failed logins; try again in 1 second\(s\)/);
    // Issue 18: the attacker's failures do not lock the victim out of their own address.
    assert.equal((await attempt(PASSWORD, "10.0.0.77")).statusCode, 303);
    // Each further failure doubles the delay.
    clock += 1_001;
    assert.equal((await attempt("wrong")).statusCode, 401);
    assert.match((await attempt(PASSWORD)).body, /try again in 2 second\(s\)/);
    clock += 2_001;
    assert.equal((await attempt("wrong")).statusCode, 401);
    assert.match((await attempt(PASSWORD)).body, /try again in 4 second\(s\)/);
    clock += 4_001;
    assert.equal((await attempt(PASSWORD)).statusCode, 303);
  });

  test("an address's budget of failures covers all names; other addresses still log in", async () => {
    for (let i = 0; i < 10; i++) {
      const r = await tryLogin(`nobody${i}`, "wrong", { address: "10.6.6.6" });
      assert.equal(r.statusCode, 401);
      assert.match(r.body, /Unknown user name or wrong password/);
    }
    const blocked = await tryLogin("admin", PASSWORD, { address: "10.6.6.6" });
    assert.match(blocked.body, /Too many failed logins; try again in 15 minute\(s\)/);
    assert.equal((await tryLogin("admin", PASSWORD, { address: "10.6.6.7" })).statusCode, 303);
  });

  test("failed logins with ever new names and addresses keep the throttles' memory bounded", async () => {
    const small: LoginThrottles = {
      perName: new LogonThrottle({ maxKeys: 50 }),
      perAddress: new LogonThrottle({ maxKeys: 20 }),
    };
    const bounded = await buildServer({
      catalog,
      importer: new Importer(catalog),
      publicUrl: () => "http://localhost",
      throttle: small,
    });
    const page = await bounded.inject({ url: "/login", headers: { host: "localhost" } });
    const cookie = String(page.headers["set-cookie"]).split(";")[0]!;
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? "";
    for (let i = 0; i < 120; i++) {
      await bounded.inject({
        method: "POST",
        url: "/login",
        remoteAddress: `10.7.${i >> 8}.${i & 255}`,
        payload: new URLSearchParams({
          _csrf: token,
          name: `n${i}`.repeat(50),
          password: "x",
        }).toString(),
        headers: { "content-type": "application/x-www-form-urlencoded", host: "localhost", cookie },
      });
    }
    assert.deepEqual([small.perName.size, small.perAddress.size], [50, 20]);
    await bounded.close();
  });

  // Issue 18: /login had no token or Origin check; a cross-site page logged the victim in.
  test("login CSRF: without the login form's token, or from another origin, nothing happens", async () => {
    const form = await loginForm();
    const post = (payload: Record<string, string>, headers: Record<string, string>) =>
      app.inject({
        method: "POST",
        url: "/login",
        payload: new URLSearchParams({ name: "admin", password: PASSWORD, ...payload }).toString(),
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          host: "localhost",
          ...headers,
        },
      });
    const refused = [
      await post({}, {}),
      await post({ _csrf: form.token }, {}),
      await post({ _csrf: "x".repeat(43) }, { cookie: form.cookie }),
      await post({ _csrf: form.token }, { cookie: form.cookie, origin: "https://evil.example" }),
    ];
    for (const r of refused) {
      assert.equal(r.statusCode, 403);
      assert.match(r.body, /The login form was not sent from this site, or it expired/);
      assert.doesNotMatch(String(r.headers["set-cookie"]), /marcgate_session=[^;]/);
    }
    assert.equal(
      (await post({ _csrf: form.token }, { cookie: form.cookie, origin: "null" })).statusCode,
      403,
    );
    // Behind an HTTPS proxy the browser's Origin says https: to a server spoken to over HTTP.
    const ok = await post(
      { _csrf: form.token },
      { cookie: form.cookie, origin: "https://localhost" },
    );
    assert.equal(ok.statusCode, 303);
    assert.match(String(ok.headers["set-cookie"]), /marcgate_session=[^;]/);
  });

  // Issue 18: `/\evil.example` and `/<TAB>/evil.example` passed; Chromium went to the other host.
  test("no open redirect after login: every shape of another host goes to /search", async () => {
    const shapes = [
      "//evil.example",
      "/\\evil.example",
      "/\t/evil.example",
      "/\n/evil.example",
      "/\r//evil.example",
      " /evil.example",
      "https://evil.example/",
      "https:evil.example",
      "http:/evil.example",
      "javascript:alert(1)",
      "/%2Fevil.example",
      "/%2fevil.example",
      "/%5Cevil.example",
      "/%5cevil.example",
      "/a/../..//evil.example",
      "/./\\evil.example",
      "evil.example",
      "",
      "/login?next=//evil.example",
    ];
    for (const next of shapes) {
      assert.equal(safeNext(next), "/search", JSON.stringify(next));
      const response = await tryLogin("admin", PASSWORD, { next });
      assert.equal(response.headers.location, "/search", JSON.stringify(next));
      const link = await loginForm(`?next=${encodeURIComponent(next)}`);
      assert.match(link.body, /name="next" value="\/search"/, JSON.stringify(next));
    }
    for (const next of ["/jobs", "/records/991?x=%2F", "/search?q=a%5Cb#top"])
      assert.equal((await tryLogin("admin", PASSWORD, { next })).headers.location, next);
  });

  // Issue 18: a Viewer's 240 KB of nested <record> took 18.8 s on the listener's thread, and
  // 5,000 parentheses answered 500.
  test("Try rules: deep nesting and oversized posts are answered at once, with the problem", async () => {
    const viewer = await login("view");
    const started = performance.now();
    const xml = await post(viewer, "/rules/try", {
      rules: 'rule "r" when TRUE then removeField "500" end',
      record: "<record>".repeat(20_000),
    });
    assert.equal(xml.statusCode, 200);
    assert.match(xml.body, /XML nests deeper than 32 elements at line 1, &lt;record&gt;/);
    const parens = await post(viewer, "/rules/try", {
      rules: `rule "r" when ${"(".repeat(5_000)}TRUE${")".repeat(5_000)} then removeField "500" end`,
      record: "<record/>",
    });
    assert.equal(parens.statusCode, 200);
    assert.match(
      parens.body,
      /a condition may nest &quot;\(&quot; and &quot;not&quot; at most 64 deep/,
    );
    const big = await post(viewer, "/rules/try", { rules: "", record: "x".repeat(1_000_001) });
    assert.equal(big.statusCode, 413);
    assert.match(big.body, /at most 1,000,000 characters each/);
    assert.ok(performance.now() - started < 5_000);
  });

  // Issue 18: the pages' own CSP (no inline styles) blocked 7 style= attributes.
  test("no page carries an inline style= attribute (the CSP would block it)", async () => {
    const admin = await login("admin");
    const pages = [
      "/search",
      "/search?q=a",
      "/profiles",
      "/rules",
      "/rules/try",
      "/jobs",
      "/status",
      "/users",
      "/account",
    ];
    for (const url of pages) {
      const r = await app.inject({ url, headers: { cookie: admin.cookie } });
      assert.doesNotMatch(r.body, /\sstyle=/i, url);
    }
    const tried = await post(admin, "/rules/try", {
      rules: 'rule "r" when TRUE then removeField "500" end',
      record: `<record><leader>00000nam a2200000 a 4500</leader></record>`,
    });
    assert.match(tried.body, /class="layout halves"/);
    assert.doesNotMatch(tried.body, /\sstyle=/i);
  });

  test("the Publishing page shows administrators the records by management tag and the consumers; viewers are refused", async () => {
    await catalog.publishing.saveConsumer({
      name: `oclc:${INSTITUTION}`,
      highWater: 0,
      lastCount: 0,
      lastFiles: [],
    });
    const admin = await login("admin");
    const shown = await app.inject({ url: "/publishing", headers: { cookie: admin.cookie } });
    assert.equal(shown.statusCode, 200, shown.body);
    assert.match(shown.body, /Publish bibliographic records/);
    assert.match(shown.body, new RegExp(`oclc:${INSTITUTION}`));
    assert.match(shown.body, new RegExp(`/oai/${INSTITUTION}`));
    const viewer = await login("view");
    const refused = await app.inject({ url: "/publishing", headers: { cookie: viewer.cookie } });
    assert.equal(refused.statusCode, 403);
  });

  test("error pages answer with their status: unknown pages, records, versions, downloads, ids", async () => {
    const viewer = await login("view");
    const get = (url: string) => app.inject({ url, headers: { cookie: viewer.cookie } });
    const cases: [string, number, RegExp][] = [
      ["/no-such-page", 404, /No page \/no-such-page/],
      ["/records/991999999", 404, /No record 991999999/],
      ["/records/991999999/download/marcxml", 404, /No record 991999999/],
      ["/records/991999999/diff?a=1&b=2", 404, /No record 991999999/],
      ["/jobs/abc", 404, /No job abc/],
      ["/jobs/999999", 404, /No job 999999/],
    ];
    for (const [url, status, body] of cases) {
      const r = await get(url);
      assert.equal(r.statusCode, status, url);
      assert.match(r.body, body, url);
      assert.match(String(r.headers["content-type"]), /^text\/html/, url);
    }
    const api = await get("/api/jobs/abc");
    assert.equal(api.statusCode, 400);
    assert.deepEqual(api.json(), {
      error: "invalid-id",
      message: 'id "abc" is not a whole number',
    });
    assert.equal((await get("/api/jobs/999999")).statusCode, 404);
    assert.equal((await get("/api/nothing")).statusCode, 404);
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
      institution: INSTITUTION,
      role: "Viewer",
      password: "0123456789ab",
    });
    assert.equal(ok.statusCode, 303);
    assert.deepEqual((await catalog.user("newbie"))?.roles, [
      { institution: INSTITUTION, role: "Viewer" },
    ]);
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

  test("the record view says when the record was last published to OCLC, and why it is or is not", async () => {
    const sent = await catalog.commit({
      change: { kind: "create", zone: INSTITUTION, marc: book("Sent to OCLC.", "8181") },
      context: { savedBy: "t", action: "create" },
    });
    const held = await catalog.commit({
      change: {
        kind: "create",
        zone: INSTITUTION,
        marc: book("Kept home.", "8282"),
        managementTag: "Don't publish",
      },
      context: { savedBy: "t", action: "create" },
    });
    const out = mkdtempSync(join(dir, "oclc-"));
    const run = await publishToOclc({
      catalog,
      institution: INSTITUTION,
      symbol: "WEB",
      mode: "full",
      outDir: out,
    });
    const file = run.manifests[0]!.file;
    const viewer = await login("view");
    const view = async (mmsId: string): Promise<string> => {
      const page = await app.inject({
        url: `/records/${mmsId}`,
        headers: { cookie: viewer.cookie },
      });
      assert.equal(page.statusCode, 200);
      return page.body;
    };
    const first = await view(sent.mmsId!);
    assert.match(
      first,
      /Published to OCLC as a bibliographic record \(management tag &quot;Publish bibliographic records&quot;; OCLC \(OCoLC\)8181\)/,
    );
    assert.match(
      first,
      /<td>WEB<\/td>\s*<td>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ<\/td>\s*<td>sent as new \(leader\/05 n; \(OCoLC\)8181\)<\/td>/,
    );
    assert.ok(first.includes(file));
    const second = await view(held.mmsId!);
    assert.match(second, /Not published to OCLC: management tag &quot;Don&#39;t publish&quot;\./);
    assert.match(second, /Never published to OCLC/);
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

  test("the wizard names each wrong setting, saves the profile, and refuses a code taken", async () => {
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
    const again = await post(admin, "/profiles/wizard", { ...settings, step: "1" });
    assert.match(again.body, /has an OCLC Connexion profile CONNEXION already: edit it/);
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

  test("suppress by a Cataloger: a button in the record view, a new version; a Viewer is refused", async () => {
    const { mmsId } = await catalog.commit({
      change: { kind: "create", zone: INSTITUTION, marc: book("Suppressed title", "889") },
      context: { savedBy: "test", action: "create" },
    });
    const cataloger = await login("cat");
    const view = await app.inject({
      url: `/records/${mmsId!}`,
      headers: { cookie: cataloger.cookie },
    });
    assert.match(view.body, new RegExp(`action="/records/${mmsId!}/suppress"`));
    assert.match(view.body, /class="blank"/, "the leader's blanks are shown");
    const viewer = await login("view");
    assert.equal(
      (await post(viewer, `/records/${mmsId!}/suppress`, { suppressed: "1" })).statusCode,
      403,
    );
    assert.equal((await catalog.record(mmsId!))?.suppressed, false);
    const done = await post(cataloger, `/records/${mmsId!}/suppress`, { suppressed: "1" });
    assert.equal(done.statusCode, 303);
    const record = await catalog.record(mmsId!);
    assert.equal(record?.suppressed, true);
    assert.equal(record?.version, 2);
    const versions = await catalog.versions(mmsId!);
    assert.equal(versions.at(-1)?.action, "suppress");
    assert.equal(versions.at(-1)?.savedBy, "cat");
    await post(cataloger, `/records/${mmsId!}/suppress`, { suppressed: "0" });
    assert.equal((await catalog.record(mmsId!))?.suppressed, false);
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
    // CQL through the API: a query, and a bad one with its position.
    const cql = await app.inject({
      url: `/api/search?index=cql&q=${encodeURIComponent('dc.title = escap* not alma.title = "nothing here"')}`,
      headers,
    });
    assert.equal(cql.statusCode, 200, cql.body);
    assert.equal((cql.json() as { total: number }).total, 1);
    const bad = await app.inject({
      url: `/api/search?index=cql&q=${encodeURIComponent("dc.title = (")}`,
      headers,
    });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /CQL: Query syntax error.*at character 12/);
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

  // Issue 18: a record too big for ISO 2709 answered 500 and was not kept.
  test("the API: a 10,000-field MARCXML record is rejected with its reason and kept in the job", async () => {
    const admin = await login("admin");
    const created = await post(admin, "/account/tokens", { label: "big" });
    const token = /id="new-token">([^<]+)</.exec(created.body)?.[1];
    const xml = writeMarcXml({
      leader: "00000nam a2200000 a 4500",
      fields: Array.from({ length: 10_000 }, (_, i) => ({
        tag: "500",
        ind1: " ",
        ind2: " ",
        subfields: [{ code: "a", value: `Note ${i}.` }],
      })),
    });
    const response = await app.inject({
      method: "POST",
      url: `/api/import?institution=${INSTITUTION}`,
      payload: xml,
      headers: { authorization: `Bearer ${token!}`, "content-type": "application/marcxml+xml" },
    });
    assert.equal(response.statusCode, 200, response.body);
    // Leader, 12-byte directory entries and their terminator, each field (indicators, $a,
    // value, terminator), the record terminator.
    let total = 24 + 12 * 10_000 + 1 + 1;
    for (let i = 0; i < 10_000; i++) total += 2 + 2 + `Note ${i}.`.length + 1;
    const answer = response.json() as {
      jobId: number;
      records: { outcome: string; reasonCode: string; reason: string }[];
    };
    assert.deepEqual(
      answer.records.map((r) => [r.outcome, r.reasonCode, r.reason]),
      [
        [
          "rejected",
          "unreadable",
          `the record is too big for ISO 2709 (record is ${total} bytes; ISO 2709 allows 99999): it is kept as MARC-in-JSON and not imported`,
        ],
      ],
    );
    const rows = await catalog.jobRecords(answer.jobId);
    assert.equal(rows.length, 1);
    const kept = JSON.parse(Buffer.from(rows[0]!.raw).toString("utf8")) as { fields: unknown[] };
    assert.equal(kept.fields.length, 10_000);
  });

  // Last but one: a second institution changes which one a staff session works in.
  test("a UNIMARC record's view: UNIMARC tags with their names, the MARC 21 record as received beside it", async () => {
    const parsed = parseProfile({ code: "CONNEXION", targetFormat: "UNIMARC" });
    assert.ok("input" in parsed);
    const zone = await catalog.addInstitution({ code: "01UNIMARC_WEB", name: "UNIMARC library" });
    const { id: jobId } = await catalog.startJob({
      institution: zone.code,
      source: "t",
      description: "t",
    });
    const result = await new Importer(catalog).import({
      raw: writeIso2709({
        leader: "00000cam a2200000 a 4500",
        fields: [
          { tag: "001", value: "ocm00005151" },
          { tag: "003", value: "OCoLC" },
          { tag: "008", value: "260101s2026    fr            000 0 fre d" },
          {
            tag: "245",
            ind1: "1",
            ind2: "0",
            subfields: [{ code: "a", value: "Crosswalked title." }],
          },
        ],
      }),
      institution: zone,
      profile: parsed.input.profile,
      jobId,
      savedBy: "test",
    });
    assert.equal((await catalog.record(result.mmsId!))?.format, "UNIMARC");
    // Staff of that institution see it (a link may name the institution).
    await catalog.addUser({
      name: "unimarc-viewer",
      roles: [{ institution: zone.code, role: "Viewer" }],
      passwordHash: await hashPassword(PASSWORD),
    });
    const viewer = await login("unimarc-viewer");
    const page = await app.inject({
      url: `/records/${result.mmsId!}?institution=${zone.code}`,
      headers: { cookie: viewer.cookie },
    });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<h1>Crosswalked title<\/h1>|Crosswalked title/);
    assert.match(page.body, /<h2>UNIMARC<\/h2>/);
    assert.match(
      page.body,
      /<td class="tag">200<\/td>\s*<td class="label">TITLE AND STATEMENT OF RESPONSIBILITY<\/td>/,
    );
    assert.match(page.body, /<h2>MARC 21 as received<\/h2>/);
    assert.match(
      page.body,
      /aria-label="MARC 21 record as received"[\s\S]*<td class="tag">245<\/td>/,
    );
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
