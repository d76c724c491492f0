/**
 * Staff per institution over HTTP (issue 23): every route the server registers, called by staff
 * of another institution with the IDs of 01A_INST's things — records, versions, downloads,
 * jobs, job rows and their raw bytes, review rows, profiles, rule files — by a browser session
 * and by an API token. What another institution holds answers exactly as an ID that does not
 * exist (404, the same message); 01A_INST's own staff get through with the same requests, so
 * the IDs are real. The table must name every registered route: a route added without a case
 * here fails the first test. Runs on SQLite, and on PostgreSQL when MARCGATE_TEST_PG is set.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { Pool } from "pg";
import type { InstitutionRole } from "../../src/catalog/accounts.js";
import type { Catalog, Zone } from "../../src/catalog/catalog.js";
import { openPostgresCatalog } from "../../src/catalog/postgres.js";
import { openSqliteCatalog } from "../../src/catalog/sqlite.js";
import { Importer } from "../../src/import/importer.js";
import { hashPassword } from "../../src/import/password.js";
import { writeIso2709 } from "../../src/marc/iso2709.js";
import type { MarcRecord } from "../../src/marc/record.js";
import { Auth, keyHash } from "../../src/web/auth.js";
import { saveProfile } from "../../src/web/profile-form.js";
import { buildServer, routesOf } from "../../src/web/server.js";

const A = "01A_INST";
const B = "01B_INST";
const C = "01C_INST";
const N = "01N_NETWORK";
const PASSWORD = "correct horse battery";
/** Words only 01A_INST's things hold: none may reach another institution's staff. */
const SECRETS = [
  "ALICE BOOK",
  "ALICE COPY",
  "ALICE JOB",
  "ALICE DECISION",
  "APROFILE",
  "ALICE_RULE",
];

function book(title: string, extra: MarcRecord["fields"] = []): MarcRecord {
  return {
    leader: "00000nam a2200000 a 4500",
    fields: [
      { tag: "008", value: "200101s2020    xxu           000 0 eng d" },
      { tag: "245", ind1: "1", ind2: "0", subfields: [{ code: "a", value: title }] },
      ...extra,
    ],
  };
}

/** The IDs of 01A_INST's things, and IDs nobody has (guesses). */
interface Ids {
  readonly record: string;
  readonly network: string;
  readonly job: number;
  readonly row: number;
  readonly tokenHash: string;
}

/** A request; `csrf` and the credentials are added by whoever sends it. */
interface Call {
  readonly method: "GET" | "POST" | "PUT" | "DELETE";
  readonly url: string;
  readonly form?: Readonly<Record<string, string>>;
  readonly json?: unknown;
  readonly body?: Buffer;
}

/**
 * How a route treats another institution's staff:
 * - `hidden`: it touches one of 01A_INST's things (by ID): 404, as for the guessed ID;
 * - `own`: it works in the caller's own institution; naming 01A_INST (`?institution=`) gets
 *   the API's 404, and the pages stay in the caller's institution; `shows`: what 01A_INST's
 *   staff see there (proof that the secret would show if the check were missing);
 * - `installation`: installation administrators only (403 for staff);
 * - `account`: the caller's own account (their tokens);
 * - `open`: no staff session by design (login, health, the style sheet, SRU and OAI-PMH, the
 *   OpenAPI description).
 */
type Case =
  | { readonly kind: "hidden"; readonly call: (ids: Ids) => Call }
  | { readonly kind: "own"; readonly call: (ids: Ids) => Call; readonly shows?: string }
  | { readonly kind: "installation"; readonly call: (ids: Ids) => Call }
  | { readonly kind: "account"; readonly call: (ids: Ids) => Call }
  | { readonly kind: "open" };

const get = (url: string): Call => ({ method: "GET", url });
const post = (url: string, form: Record<string, string> = {}): Call => ({
  method: "POST",
  url,
  form,
});
const api = (method: Call["method"], url: string, json?: unknown): Call => ({
  method,
  url,
  ...(json !== undefined ? { json } : {}),
});
const ofA = (url: string): string => `${url}${url.includes("?") ? "&" : "?"}institution=${A}`;

/** Every route of the server: `METHOD url-pattern` → how another institution fares. */
const ROUTES: Readonly<Record<string, Case>> = {
  "GET /static/style.css": { kind: "open" },
  "GET /healthz": { kind: "open" },
  "GET /readyz": { kind: "open" },
  "GET /livez": { kind: "open" },
  "GET /login": { kind: "open" },
  "POST /login": { kind: "open" },
  "POST /logout": { kind: "open" },
  "GET /": { kind: "open" },
  "GET /sru/:institution": { kind: "open" },
  "POST /sru/:institution": { kind: "open" },
  "GET /oai/:institution": { kind: "open" },
  "POST /oai/:institution": { kind: "open" },
  "GET /api/openapi.json": { kind: "open" },
  "POST /institution": { kind: "own", call: () => post("/institution", { institution: A }) },

  "GET /search": { kind: "own", call: () => get(ofA("/search?q=ALICE")), shows: "ALICE BOOK" },
  "GET /records/:mmsId": { kind: "hidden", call: (i) => get(`/records/${i.record}`) },
  "GET /records/:mmsId/diff": {
    kind: "hidden",
    call: (i) => get(`/records/${i.record}/diff?a=1&b=2`),
  },
  "GET /records/:mmsId/download/:format": {
    kind: "hidden",
    call: (i) => get(`/records/${i.record}/download/mrk`),
  },
  "POST /records/:mmsId/suppress": {
    kind: "hidden",
    call: (i) => post(`/records/${i.record}/suppress`, { suppressed: "1" }),
  },
  "GET /records/:mmsId/edit": { kind: "hidden", call: (i) => get(`/records/${i.record}/edit`) },
  "POST /records/:mmsId/edit": {
    kind: "hidden",
    call: (i) =>
      post(`/records/${i.record}/edit`, {
        version: "2",
        why: "mallory",
        text: "=LDR  00000nam a2200000 a 4500\n=245  10$aMALLORY",
      }),
  },
  "POST /records/:mmsId/delete": {
    kind: "hidden",
    call: (i) => post(`/records/${i.record}/delete`),
  },
  "POST /records/:mmsId/restore": {
    kind: "hidden",
    call: (i) => post(`/records/${i.record}/restore`, { version: "1" }),
  },
  "GET /profiles": { kind: "own", call: () => get(ofA("/profiles")), shows: "APROFILE" },
  "GET /profiles/connexion": {
    kind: "own",
    call: () => get(ofA("/profiles/connexion")),
    shows: "APROFILE",
  },
  "GET /profiles/new": { kind: "own", call: () => get(ofA("/profiles/new")) },
  "GET /profiles/edit": {
    kind: "own",
    call: () => get(ofA("/profiles/edit")),
    shows: "APROFILE",
  },
  "POST /profiles/wizard": {
    kind: "own",
    call: () => post(ofA("/profiles/wizard"), { step: "1", code: "MALLORY", name: "x" }),
  },
  "POST /profiles/default": {
    kind: "own",
    call: () => post(ofA("/profiles/default"), { profile: "APROFILE" }),
  },
  "POST /profiles/delete": {
    kind: "own",
    call: () => post(ofA("/profiles/delete"), { profile: "APROFILE" }),
  },
  "GET /rules": { kind: "own", call: () => get(ofA("/rules")), shows: "a-norm.txt" },
  "GET /rules/file": {
    kind: "own",
    call: () => get(ofA("/rules/file?name=a-norm.txt")),
    shows: "ALICE_RULE",
  },
  "POST /rules/file": {
    kind: "own",
    call: () =>
      post(ofA("/rules/file"), {
        name: "a-norm.txt",
        text: 'rule "MALLORY" when TRUE then removeField "598" end',
      }),
  },
  "GET /rules/try": {
    kind: "own",
    call: () => get(ofA("/rules/try?name=a-norm.txt")),
    shows: "ALICE_RULE",
  },
  "POST /rules/try": {
    kind: "hidden",
    call: (i) =>
      post("/rules/try", {
        rules: 'rule "r" when TRUE then removeField "599" end',
        record: i.record,
      }),
  },
  "GET /jobs": { kind: "own", call: () => get(ofA("/jobs")), shows: "ALICE JOB" },
  "GET /jobs/:id": { kind: "hidden", call: (i) => get(`/jobs/${i.job}`) },
  "GET /jobs/:id/rows/:row": { kind: "hidden", call: (i) => get(`/jobs/${i.job}/rows/${i.row}`) },
  "POST /jobs/:id/undo": { kind: "hidden", call: (i) => post(`/jobs/${i.job}/undo`) },
  "GET /review": { kind: "own", call: () => get(ofA("/review")), shows: `#${"ROW"}` },
  "GET /review/:row": { kind: "hidden", call: (i) => get(`/review/${i.row}`) },
  "POST /review/:row/force": {
    kind: "hidden",
    call: (i) => post(`/review/${i.row}/force`, { target: "new" }),
  },
  "POST /review/:row/discard": {
    kind: "hidden",
    call: (i) => post(`/review/${i.row}/discard`, { note: "mallory" }),
  },
  "GET /status": { kind: "own", call: () => get(ofA("/status")) },
  "GET /publishing": { kind: "own", call: () => get(ofA("/publishing")) },
  "GET /users": { kind: "installation", call: () => get("/users") },
  "POST /users": {
    kind: "installation",
    call: () =>
      post("/users", { name: "mallory", institution: A, role: "Cataloger", password: PASSWORD }),
  },
  "POST /institutions": {
    kind: "installation",
    call: () => post("/institutions", { code: "01MALLORY_INST", name: "Mallory's" }),
  },
  "POST /users/role": {
    kind: "installation",
    call: () =>
      post("/users/role", { name: "carl", institution: A, role: "General System Administrator" }),
  },
  "POST /users/installation-admin": {
    kind: "installation",
    call: () => post("/users/installation-admin", { name: "carl", admin: "1" }),
  },
  "GET /account": { kind: "account", call: () => get("/account") },
  "POST /account/tokens": { kind: "account", call: () => post("/account/tokens", { label: "x" }) },
  "POST /account/tokens/revoke": {
    kind: "account",
    call: (i) => post("/account/tokens/revoke", { hash: i.tokenHash }),
  },

  "GET /api/status": { kind: "own", call: () => api("GET", ofA("/api/status")) },
  "GET /api/search": {
    kind: "own",
    call: () => api("GET", ofA("/api/search?q=ALICE")),
    shows: "ALICE BOOK",
  },
  "GET /api/records/:mmsId": {
    kind: "hidden",
    call: (i) => api("GET", `/api/records/${i.record}`),
  },
  "GET /api/records/:mmsId/versions": {
    kind: "hidden",
    call: (i) => api("GET", `/api/records/${i.record}/versions`),
  },
  "POST /api/records/:mmsId/restore": {
    kind: "hidden",
    call: (i) => api("POST", `/api/records/${i.record}/restore`, { version: 1 }),
  },
  "GET /api/jobs": { kind: "own", call: () => api("GET", ofA("/api/jobs")), shows: "ALICE JOB" },
  "POST /api/records/:mmsId/delete": {
    kind: "hidden",
    call: (i) => api("POST", `/api/records/${i.record}/delete`, {}),
  },
  "GET /api/outcomes": { kind: "account", call: () => api("GET", "/api/outcomes") },
  "GET /api/jobs/:id": { kind: "hidden", call: (i) => api("GET", `/api/jobs/${i.job}`) },
  "POST /api/jobs/:id/undo": {
    kind: "hidden",
    call: (i) => api("POST", `/api/jobs/${i.job}/undo`),
  },
  "GET /api/review": { kind: "own", call: () => api("GET", ofA("/api/review")), shows: "ALICE" },
  "POST /api/review/:row/force": {
    kind: "hidden",
    call: (i) => api("POST", `/api/review/${i.row}/force`, { target: "new" }),
  },
  "POST /api/review/:row/discard": {
    kind: "hidden",
    call: (i) => api("POST", `/api/review/${i.row}/discard`, { note: "mallory" }),
  },
  "GET /api/profiles": {
    kind: "own",
    call: () => api("GET", ofA("/api/profiles")),
    shows: "APROFILE",
  },
  "PUT /api/profiles/connexion": {
    kind: "own",
    call: () => api("PUT", ofA("/api/profiles/connexion"), { code: "MALLORY", password: "x" }),
  },
  "GET /api/profiles/connexion/:code": {
    kind: "own",
    call: () => api("GET", ofA("/api/profiles/connexion/APROFILE")),
    shows: "APROFILE",
  },
  "PUT /api/profiles/connexion/:code": {
    kind: "own",
    call: () => api("PUT", ofA("/api/profiles/connexion/MALLORY"), { password: "x" }),
  },
  "POST /api/profiles/connexion/:code/default": {
    kind: "own",
    call: () => api("POST", ofA("/api/profiles/connexion/APROFILE/default"), {}),
  },
  "DELETE /api/profiles/connexion/:code": {
    kind: "own",
    call: () => api("DELETE", ofA("/api/profiles/connexion/APROFILE")),
  },
  "POST /api/import": {
    kind: "own",
    call: () => ({
      method: "POST",
      url: ofA("/api/import?dryRun=true"),
      body: Buffer.from(writeIso2709(book("MALLORY"))),
    }),
  },
};

/** A signed-in browser (cookie and CSRF token) or a script (API token). */
type Who =
  | { readonly name: string; readonly cookie: string; readonly csrf: string }
  | { readonly name: string; readonly token: string };

function isolationSuite(engine: string, open: () => Promise<Catalog>): void {
  describe(`staff per institution over HTTP (${engine})`, () => {
    let catalog: Catalog;
    let app: FastifyInstance;
    let ids: Ids;
    let guess: Ids;
    const zones: Record<string, Zone> = {};

    before(async () => {
      catalog = await open();
      zones[N] = await catalog.addNetworkZone({ code: N, name: "Network" });
      zones[A] = await catalog.addInstitution({ code: A, name: "Alice's", network: N });
      zones[B] = await catalog.addInstitution({ code: B, name: "Bob's", network: N });
      zones[C] = await catalog.addInstitution({ code: C, name: "Carl's" });
      const hash = await hashPassword(PASSWORD);
      const user = (name: string, roles: InstitutionRole[], installationAdmin = false) =>
        catalog.addUser({ name, roles, installationAdmin, passwordHash: hash });
      const gsa = "General System Administrator" as const;
      await user("alice", [{ institution: A, role: gsa }]);
      await user("bob", [{ institution: B, role: gsa }]);
      await user("carl", [{ institution: C, role: gsa }]);
      await user("mixed", [
        { institution: A, role: "Viewer" },
        { institution: C, role: gsa },
      ]);
      await user("ia", [], true);

      const who = { savedBy: "t", action: "create" };
      const created = await catalog.commit({
        change: { kind: "create", zone: A, marc: book("ALICE BOOK") },
        context: who,
      });
      await catalog.commit({
        change: {
          kind: "update",
          mmsId: created.mmsId!,
          expectedVersion: 1,
          marc: book("ALICE BOOK", [
            { tag: "500", ind1: " ", ind2: " ", subfields: [{ code: "a", value: "Second." }] },
          ]),
        },
        context: { savedBy: "t", action: "update" },
      });
      const job = await catalog.startJob({ institution: A, source: "t", description: "ALICE JOB" });
      const shared = await catalog.commit({
        change: { kind: "create", zone: N, marc: book("Shared book") },
        localFields: {
          institution: A,
          fields: [
            { tag: "949", ind1: " ", ind2: " ", subfields: [{ code: "a", value: "ALICE COPY" }] },
          ],
        },
        entry: {
          jobId: job.id,
          raw: writeIso2709(book("Shared book")),
          outcome: "created",
          messages: ["ALICE DECISION"],
          log: {},
        },
        context: who,
      });
      const held = await catalog.commit({
        entry: {
          jobId: job.id,
          raw: writeIso2709(book("ALICE BOOK held")),
          outcome: "review",
          reasonCode: "several-matches",
          messages: ["ALICE held"],
          log: {},
        },
        context: who,
      });
      await catalog.finishJob(job.id);
      const saved = await saveProfile(
        catalog,
        zones[A],
        { code: "APROFILE", password: "alice connexion", normalization: ["a-norm.txt"] },
        { ruleFiles: { "a-norm.txt": 'rule "ALICE_RULE" when TRUE then removeField "599" end' } },
      );
      assert.ok("profile" in saved, JSON.stringify(saved));
      const token = await new Auth(catalog).createToken("alice", "alice's script");
      ids = {
        record: created.mmsId!,
        network: shared.mmsId!,
        job: job.id,
        row: held.entryId!,
        tokenHash: token.key.hash,
      };
      guess = {
        record: created.mmsId!.replace(/^99\d{10}/, "999999999999"),
        network: shared.mmsId!.replace(/^99\d{10}/, "999999999999"),
        job: job.id + 900_000,
        row: held.entryId! + 900_000,
        tokenHash: keyHash("nobody's"),
      };
      app = await buildServer({
        catalog,
        importer: new Importer(catalog),
        publicUrl: () => "http://localhost",
      });
    });
    after(async () => {
      await app?.close();
      await catalog?.close();
    });

    async function session(name: string): Promise<Who> {
      const form = await app.inject({ url: "/login", headers: { host: "localhost" } });
      const loginCookie = String(form.headers["set-cookie"]).split(";")[0]!;
      const token = /name="_csrf" value="([^"]+)"/.exec(form.body)![1]!;
      const r = await app.inject({
        method: "POST",
        url: "/login",
        payload: new URLSearchParams({
          _csrf: token,
          name,
          password: PASSWORD,
          next: "/account",
        }).toString(),
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          host: "localhost",
          cookie: loginCookie,
        },
      });
      assert.equal(r.statusCode, 303, r.body);
      const cookie = String(r.headers["set-cookie"]).split(";")[0]!;
      const account = await app.inject({ url: "/account", headers: { cookie } });
      const csrf = /name="_csrf" value="([^"]+)"/.exec(account.body)![1]!;
      return { name, cookie, csrf };
    }

    async function token(name: string): Promise<Who> {
      const { secret } = await new Auth(catalog).createToken(
        name,
        `test ${randomBytes(2).toString("hex")}`,
      );
      return { name, token: secret };
    }

    function send(who: Who, call: Call): Promise<LightMyRequestResponse> {
      const headers: Record<string, string> = { host: "localhost" };
      if ("token" in who) headers["authorization"] = `Bearer ${who.token}`;
      else {
        headers["cookie"] = who.cookie;
        if (call.method !== "GET") headers["x-csrf-token"] = who.csrf;
      }
      if (call.form) {
        headers["content-type"] = "application/x-www-form-urlencoded";
        const form = "cookie" in who ? { ...call.form, _csrf: who.csrf } : call.form;
        return app.inject({
          method: call.method,
          url: call.url,
          headers,
          payload: new URLSearchParams(form).toString(),
        });
      }
      if (call.body) {
        headers["content-type"] = "application/marc";
        return app.inject({ method: call.method, url: call.url, headers, payload: call.body });
      }
      return app.inject({
        method: call.method,
        url: call.url,
        headers,
        ...(call.json !== undefined ? { payload: call.json as object } : {}),
      });
    }

    /** The part of an answer that says what happened: a page's <main>, or the API's JSON. */
    function said(r: LightMyRequestResponse, replace?: [Ids, Ids]): string {
      let text = /<main>([\s\S]*)<\/main>/.exec(r.body)?.[1] ?? r.body;
      if (replace) {
        const [from, to] = replace;
        for (const key of ["record", "network", "job", "row"] as const) {
          text = text.replace(new RegExp(`\\b${String(from[key])}\\b`, "g"), String(to[key]));
        }
      }
      return text;
    }

    const isApi = (key: string): boolean => key.split(" ")[1]!.startsWith("/api/");

    test("the table names every route the server registers, and no other", () => {
      const registered = routesOf(app).map((r) => `${r.method} ${r.url}`);
      const missing = registered.filter((k) => !(k in ROUTES));
      assert.deepEqual(missing, [], "routes without an isolation case: add them to ROUTES");
      assert.deepEqual(
        Object.keys(ROUTES).filter((k) => !registered.includes(k)),
        [],
        "cases of routes that are gone",
      );
    });

    test("01A_INST's things are 404 to another institution's staff, as IDs that do not exist; its own staff reach them", async () => {
      const outsiders = [
        await session("carl"),
        await token("carl"),
        await session("bob"),
        await token("bob"),
      ];
      for (const [key, c] of Object.entries(ROUTES)) {
        if (c.kind !== "hidden") continue;
        for (const who of outsiders) {
          // A page answers sessions only; the API answers both.
          if ("token" in who && !isApi(key)) continue;
          const what = `${key} as ${who.name} (${"token" in who ? "token" : "session"})`;
          const real = await send(who, c.call(ids));
          const made = await send(who, c.call(guess));
          assert.equal(real.statusCode, 404, `${what}: ${real.body.slice(0, 300)}`);
          assert.equal(made.statusCode, 404, `${what}, guessed ID`);
          assert.equal(said(real, [ids, guess]), said(made), `${what}: the same answer as a guess`);
          for (const secret of SECRETS)
            assert.ok(!real.body.includes(secret), `${what}: ${secret}`);
        }
      }
      // Nothing they sent changed anything.
      const record = (await catalog.record(ids.record))!;
      assert.equal(record.version, 2);
      assert.equal(record.suppressed, false);
      assert.equal((await catalog.jobRecord(ids.row))?.review?.state, "open");
      assert.equal((await catalog.jobReport(ids.job))?.undone, 0);
    });

    test("routes of the caller's own institution never show 01A_INST's things, even when it is named", async () => {
      const alice = await session("alice");
      const carl = await session("carl");
      const carlToken = await token("carl");
      for (const [key, c] of Object.entries(ROUTES)) {
        if (c.kind !== "own") continue;
        for (const who of isApi(key) ? [carl, carlToken] : [carl]) {
          const what = `${key} as carl (${"token" in who ? "token" : "session"})`;
          const r = await send(who, c.call(ids));
          assert.ok(r.statusCode < 500, `${what}: ${r.statusCode}`);
          if (isApi(key)) assert.equal(r.statusCode, 404, `${what}: naming ${A}`);
          for (const secret of SECRETS) assert.ok(!r.body.includes(secret), `${what}: ${secret}`);
          if (c.call(ids).method === "GET" && !isApi(key)) {
            assert.match(r.body, new RegExp(`value="${C}"\\s+selected`), `${what}: stays in ${C}`);
          }
        }
        if (c.shows !== undefined) {
          const shows = c.shows === "#ROW" ? `#${ids.row}` : c.shows;
          const r = await send(alice, c.call(ids));
          assert.equal(r.statusCode, 200, `${key} as alice`);
          assert.ok(r.body.includes(shows), `${key} as alice shows ${shows}`);
          const t = isApi(key) ? await send(await token("alice"), c.call(ids)) : undefined;
          if (t) assert.ok(t.body.includes(shows), `${key} as alice's token shows ${shows}`);
        }
      }
      const profile = await catalog.integrationProfiles(A);
      assert.deepEqual(
        profile.map((p) => p.code),
        ["APROFILE"],
      );
      assert.doesNotMatch(JSON.stringify(profile[0]!.settings), /MALLORY/);
    });

    test("accounts: only installation administrators manage them; a token is revoked by its owner only", async () => {
      const carl = await session("carl");
      const ia = await session("ia");
      for (const [key, c] of Object.entries(ROUTES)) {
        if (c.kind !== "installation") continue;
        assert.equal((await send(carl, c.call(ids))).statusCode, 403, `${key} as carl`);
      }
      assert.equal(await catalog.user("mallory"), undefined);
      assert.equal(await catalog.zone("01MALLORY_INST"), undefined);
      assert.deepEqual((await catalog.user("carl"))?.roles, [
        { institution: C, role: "General System Administrator" },
      ]);
      assert.equal((await catalog.user("carl"))?.installationAdmin, false);
      for (const [key, c] of Object.entries(ROUTES)) {
        if (c.kind !== "account") continue;
        assert.ok((await send(carl, c.call(ids))).statusCode < 400, `${key} as carl`);
      }
      assert.ok(await catalog.accessKey(ids.tokenHash), "alice's token is not carl's to revoke");
      // The installation administrator without a role: the Users page, no institution's things.
      const usersPage = await send(ia, get("/users"));
      assert.equal(usersPage.statusCode, 200);
      assert.doesNotMatch(usersPage.body, /href="\/jobs"/, "no institution pages in the menu");
      assert.equal((await send(ia, get(`/records/${ids.record}`))).statusCode, 403);
      assert.equal((await send(ia, get("/jobs"))).statusCode, 403);
      const given = await send(
        ia,
        post("/users/role", { name: "carl", institution: B, role: "Viewer" }),
      );
      assert.equal(given.statusCode, 303);
      assert.deepEqual((await catalog.user("carl"))?.roles, [
        { institution: B, role: "Viewer" },
        { institution: C, role: "General System Administrator" },
      ]);
      await send(ia, post("/users/role", { name: "carl", institution: B, role: "none" }));
      assert.equal((await catalog.user("carl"))?.roles.length, 1);
      // … and institutions.
      const added = await send(
        ia,
        post("/institutions", { code: "01D_INST", name: "D", network: N }),
      );
      assert.equal(added.statusCode, 303);
      assert.equal((await catalog.zone("01D_INST"))?.network, N);
      const again = await send(ia, post("/institutions", { code: "01D_INST", name: "D" }));
      assert.equal(again.statusCode, 303);
      assert.match(decodeURIComponent(String(again.headers["set-cookie"])), /exists already/);
      assert.match((await send(ia, get("/users"))).body, /01D_INST/);
    });

    test("a network zone's record: its members see it, each with only its own local fields", async () => {
      const [alice, bob, carl] = [
        await session("alice"),
        await session("bob"),
        await session("carl"),
      ];
      const page = (who: Who) => send(who, get(`/records/${ids.network}`));
      const mine = await page(alice);
      assert.equal(mine.statusCode, 200);
      assert.match(mine.body, /ALICE COPY/);
      assert.match(mine.body, /ALICE DECISION/);
      const member = await page(bob);
      assert.equal(member.statusCode, 200);
      assert.match(member.body, /Shared book/);
      assert.doesNotMatch(member.body, /ALICE COPY/);
      assert.doesNotMatch(member.body, /ALICE DECISION/, "another member's job rows");
      assert.equal((await page(carl)).statusCode, 404);
      const bobToken = await token("bob");
      const asB = await send(
        bobToken,
        api("GET", `/api/records/${ids.network}?institution=${B}&format=mrk`),
      );
      assert.equal(asB.statusCode, 200);
      assert.doesNotMatch(asB.body, /ALICE COPY/);
      const asA = await send(bobToken, api("GET", `/api/records/${ids.network}?institution=${A}`));
      assert.equal(asA.statusCode, 404, "bob cannot ask as 01A_INST");
      assert.doesNotMatch(asA.body, /ALICE COPY/);
      const stored = await send(bobToken, api("GET", `/api/records/${ids.network}`));
      assert.equal(stored.statusCode, 200);
      assert.doesNotMatch(stored.body, /ALICE COPY/);
      assert.equal(
        (await send(await token("carl"), api("GET", `/api/records/${ids.network}`))).statusCode,
        404,
      );
    });

    test("a role too low in the institution of the thing is 403, whatever role elsewhere", async () => {
      // mixed: Viewer in 01A_INST, General System Administrator in 01C_INST.
      const mixed = await session("mixed");
      assert.ok("cookie" in mixed);
      const inA: Who = { ...mixed, cookie: `${mixed.cookie}; marcgate_institution=${A}` };
      assert.equal((await send(inA, get(`/records/${ids.record}`))).statusCode, 200);
      const refused = await send(inA, post(`/records/${ids.record}/restore`, { version: "1" }));
      assert.equal(refused.statusCode, 403);
      assert.match(refused.body, /Cataloger in 01A_INST; you are Viewer/);
      assert.equal((await send(inA, get("/profiles/new"))).statusCode, 403);
      // Working in 01C_INST, 01A_INST's record is not in view at all.
      const inC: Who = { ...mixed, cookie: `${mixed.cookie}; marcgate_institution=${C}` };
      const fromC = await send(inC, get(`/records/${ids.record}`));
      assert.equal(fromC.statusCode, 404);
      // Theirs elsewhere: the page offers the institution that has it in view.
      assert.match(fromC.body, new RegExp(`href="/records/${ids.record}\\?institution=${A}"`));
      const there = await send(inC, get(`/records/${ids.record}?institution=${A}`));
      assert.equal(there.statusCode, 200);
      const script = await token("mixed");
      assert.equal((await send(script, api("GET", `/api/records/${ids.record}`))).statusCode, 200);
      const apiRefused = await send(
        script,
        api("POST", `/api/records/${ids.record}/restore`, { version: 1 }),
      );
      assert.equal(apiRefused.statusCode, 403);
      assert.equal((apiRefused.json() as { error: string }).error, "forbidden");
      assert.equal((await send(script, api("POST", `/api/jobs/${ids.job}/undo`))).statusCode, 403);
      const profile = await send(
        script,
        api("PUT", `/api/profiles/connexion?institution=${A}`, { code: "X" }),
      );
      assert.equal(profile.statusCode, 403);
      assert.equal((await catalog.record(ids.record))?.version, 2);
    });

    test("01A_INST's own staff reach every one of its things with the same requests", async () => {
      const alice = await session("alice");
      const script = await token("alice");
      // Reads first, then writes (which change what they touch).
      const hidden = Object.entries(ROUTES).filter(([, c]) => c.kind === "hidden");
      const order = [
        ...hidden.filter(([k]) => k.startsWith("GET")),
        ...hidden.filter(([k]) => !k.startsWith("GET")),
      ];
      for (const [key, c] of order) {
        if (c.kind !== "hidden") continue;
        const r = await send(isApi(key) ? script : alice, c.call(ids));
        assert.ok(
          r.statusCode !== 404 && r.statusCode < 500,
          `${key} as alice: ${r.statusCode} ${r.body.slice(0, 300)}`,
        );
      }
    });
  });
}

isolationSuite("sqlite", async () => {
  const dir = mkdtempSync(join(tmpdir(), "marcgate-isolation-"));
  const catalog = await openSqliteCatalog(dir);
  const close = catalog.close.bind(catalog);
  return Object.assign(catalog, {
    close: async () => {
      await close();
      rmSync(dir, { recursive: true, force: true });
    },
  });
});

const url = process.env["MARCGATE_TEST_PG"];
if (url) {
  isolationSuite("postgres", async () => {
    const schema = `t_${randomBytes(6).toString("hex")}`;
    const catalog = await openPostgresCatalog(url, { schema });
    const close = catalog.close.bind(catalog);
    return Object.assign(catalog, {
      close: async () => {
        await close();
        const admin = new Pool({ connectionString: url, max: 1 });
        await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await admin.end();
      },
    });
  });
}
