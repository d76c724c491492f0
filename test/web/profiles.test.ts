/**
 * Several OCLC Connexion profiles on the staff pages and the API: the list with each profile's
 * logon ID, adding a second profile through the wizard, editing one (its code cannot change),
 * the view by `?profile=CODE`, and the API's list, read, set and import by profile.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { FastifyInstance } from "fastify";
import type { Catalog } from "../../src/catalog/catalog.js";
import { openSqliteCatalog } from "../../src/catalog/sqlite.js";
import { Importer } from "../../src/import/importer.js";
import { hashPassword, verifyPassword } from "../../src/import/password.js";
import { CONNEXION_INTEGRATION_TYPE } from "../../src/import/profile.js";
import { writeIso2709 } from "../../src/marc/iso2709.js";
import { Auth } from "../../src/web/auth.js";
import { buildServer } from "../../src/web/server.js";

const INSTITUTION = "01PROF_INST";
const PASSWORD = "correct horse battery";

interface Session {
  readonly cookie: string;
  readonly csrf: string;
}

/** The wizard's page 2 fields for a profile of that code. */
function page2Fields(code: string, name: string): Record<string, string> {
  return {
    step: "2",
    code,
    name,
    integrationType: CONNEXION_INTEGRATION_TYPE,
    targetFormat: "MARC21",
    validationProfile: "MarcXML Bib Import",
    serialMatchMethod: "Unique OCLC Identifier",
    nonSerialMatchMethod: "Unique OCLC Identifier",
    mergeMethod: "Overlay all fields but local",
    synchronizeWithExternalCatalog: "Publish bibliographic records",
  };
}

describe("web: several OCLC Connexion profiles", () => {
  let dir: string;
  let catalog: Catalog;
  let app: FastifyInstance;
  let admin: Session;
  let adminToken: string;

  async function login(name: string): Promise<Session> {
    const form = await app.inject({ url: "/login", headers: { host: "localhost" } });
    const formCookie = String(form.headers["set-cookie"]).split(";")[0]!;
    const token = /name="_csrf" value="([^"]+)"/.exec(form.body)?.[1] ?? "";
    const response = await app.inject({
      method: "POST",
      url: "/login",
      payload: new URLSearchParams({
        _csrf: token,
        name,
        password: PASSWORD,
        next: "/jobs",
      }).toString(),
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        host: "localhost",
        cookie: formCookie,
      },
    });
    assert.equal(response.statusCode, 303, response.body);
    const cookie = String(response.headers["set-cookie"]).split(";")[0]!;
    const page = await app.inject({ url: "/search", headers: { cookie } });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
    assert.ok(csrf);
    return { cookie, csrf };
  }

  function post(url: string, form: Record<string, string>) {
    return app.inject({
      method: "POST",
      url,
      payload: new URLSearchParams({ _csrf: admin.csrf, ...form }).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: admin.cookie },
    });
  }

  function get(url: string) {
    return app.inject({ url, headers: { cookie: admin.cookie } });
  }

  function api(
    method: "GET" | "PUT" | "POST" | "DELETE",
    url: string,
    payload?: unknown,
    type?: string,
  ) {
    return app.inject({
      method,
      url,
      headers: {
        authorization: `Bearer ${adminToken}`,
        ...(payload !== undefined ? { "content-type": type ?? "application/json" } : {}),
      },
      ...(payload !== undefined
        ? {
            payload:
              typeof payload === "string" || Buffer.isBuffer(payload)
                ? payload
                : JSON.stringify(payload),
          }
        : {}),
    });
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "marcgate-web-profiles-"));
    catalog = await openSqliteCatalog(dir);
    await catalog.addInstitution({ code: INSTITUTION, name: "Profiles University" });
    await catalog.addUser({
      name: "admin",
      roles: [{ institution: INSTITUTION, role: "General System Administrator" }],
      passwordHash: await hashPassword(PASSWORD),
    });
    app = await buildServer({
      catalog,
      importer: new Importer(catalog),
      publicUrl: () => "http://localhost",
    });
    admin = await login("admin");
    adminToken = (await new Auth(catalog).createToken("admin", "test")).secret;
  });
  after(async () => {
    await app.close();
    await catalog.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("the wizard adds a first profile (the default), then a second; the list shows both", async () => {
    const first = await post("/profiles/wizard", {
      ...page2Fields("CONNEXION", "Main"),
      password: "pw-main",
    });
    assert.equal(first.statusCode, 303, first.body);
    // Adding again is possible: the button stays, page 1 is blank.
    const list1 = await get("/profiles");
    assert.match(list1.body, /href="\/profiles\/new"/);
    const blank = await get("/profiles/new");
    assert.equal(blank.statusCode, 200);
    assert.match(blank.body, /name="code"\s+value=""/);
    // Page 1 of a new profile: the code must be new.
    const taken = await post("/profiles/wizard", {
      step: "1",
      code: "CONNEXION",
      name: "x",
      integrationType: CONNEXION_INTEGRATION_TYPE,
    });
    assert.match(taken.body, /has an OCLC Connexion profile CONNEXION already: edit it/);
    const next = await post("/profiles/wizard", {
      step: "1",
      code: "SERIALS",
      name: "Serials",
      integrationType: CONNEXION_INTEGRATION_TYPE,
    });
    assert.match(next.body, /Target format/);
    assert.doesNotMatch(next.body, /name="editing"/);
    assert.match(
      next.body,
      /the password you enter in OCLC Connexion/,
      "a new profile has no password yet",
    );
    const noPassword = await post("/profiles/wizard", page2Fields("SERIALS", "Serials"));
    assert.equal(noPassword.statusCode, 422);
    assert.match(noPassword.body, /id="password-error"/);
    const saved = await post("/profiles/wizard", {
      ...page2Fields("SERIALS", "Serials"),
      synchronizeWithExternalCatalog: "Don't publish",
      password: "pw-serials",
    });
    assert.equal(saved.statusCode, 303, saved.body);
    const flashCookie = String(saved.headers["set-cookie"]).split(";")[0]!;
    const flash = await app.inject({
      url: "/profiles",
      headers: { cookie: `${admin.cookie}; ${flashCookie}` },
    });
    assert.match(
      flash.body,
      new RegExp(
        `profile SERIALS of ${INSTITUTION} is saved\\. Its Connexion logon ID: ${INSTITUTION}/SERIALS\\.`,
      ),
    );

    const rows = [...flash.body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) =>
      m[1]!
        .replace(/<[^>]+>/g, " ")
        .replace(/\s+/g, " ")
        .trim(),
    );
    const main = rows.find((r) => r.startsWith("CONNEXION "));
    const serials = rows.find((r) => r.startsWith("SERIALS "));
    assert.ok(main && serials, rows.join("\n"));
    assert.match(main, new RegExp(`^CONNEXION Main OCLC Connexion yes ${INSTITUTION} `));
    assert.match(serials, new RegExp(`^SERIALS Serials OCLC Connexion ${INSTITUTION}/SERIALS `));
    assert.match(flash.body, /href="\/profiles\/edit\?profile=SERIALS"/);

    const stored = await catalog.integrationProfile(
      INSTITUTION,
      CONNEXION_INTEGRATION_TYPE,
      "SERIALS",
    );
    assert.equal(stored?.isDefault, false);
    const settings = stored?.settings as {
      passwordHash: string;
      synchronizeWithExternalCatalog: string;
    };
    assert.equal(settings.synchronizeWithExternalCatalog, "Don't publish");
    assert.ok(await verifyPassword("pw-serials", settings.passwordHash));
    const main2 = await catalog.integrationProfile(INSTITUTION, CONNEXION_INTEGRATION_TYPE);
    assert.equal(main2?.code, "CONNEXION");
  });

  test("a profile is viewed and edited by ?profile=CODE; its code cannot change", async () => {
    const view = await get("/profiles/connexion?profile=SERIALS");
    assert.equal(view.statusCode, 200);
    assert.match(view.body, /OCLC Connexion profile SERIALS/);
    assert.match(view.body, new RegExp(`<td>${INSTITUTION}/SERIALS</td>`));
    assert.match(view.body, /<th scope="row">Default<\/th>\s*<td>no<\/td>/);
    const defaultView = await get("/profiles/connexion");
    assert.match(defaultView.body, /OCLC Connexion profile CONNEXION/);
    assert.equal((await get("/profiles/connexion?profile=NOPE")).statusCode, 404);
    assert.equal((await get("/profiles/edit?profile=NOPE")).statusCode, 404);

    const edit = await get("/profiles/edit?profile=SERIALS");
    assert.match(edit.body, /name="editing" value="SERIALS"/);
    assert.match(edit.body, /name="code"\s+value="SERIALS"/);
    const renamed = await post("/profiles/wizard", {
      step: "1",
      editing: "SERIALS",
      code: "RENAMED",
      name: "Serials",
      integrationType: CONNEXION_INTEGRATION_TYPE,
    });
    assert.match(renamed.body, /a profile&#39;s code cannot change|a profile's code cannot change/);
    // Renaming onto another profile's code at the last step is refused as well.
    const onto = await post("/profiles/wizard", {
      ...page2Fields("CONNEXION", "Overwritten"),
      editing: "SERIALS",
    });
    assert.equal(onto.statusCode, 422);
    assert.equal(
      (
        (await catalog.integrationProfile(INSTITUTION, CONNEXION_INTEGRATION_TYPE))?.settings as {
          name: string;
        }
      ).name,
      "Main",
    );

    const page2 = await post("/profiles/wizard", {
      step: "1",
      editing: "SERIALS",
      code: "SERIALS",
      name: "Serials and more",
      integrationType: CONNEXION_INTEGRATION_TYPE,
    });
    assert.match(page2.body, /a password is set; leave empty to keep it/);
    assert.match(page2.body, /name="editing" value="SERIALS"/);
    const saved = await post("/profiles/wizard", {
      ...page2Fields("SERIALS", "Serials and more"),
      editing: "SERIALS",
    });
    assert.equal(saved.statusCode, 303, saved.body);
    const stored = await catalog.integrationProfile(
      INSTITUTION,
      CONNEXION_INTEGRATION_TYPE,
      "SERIALS",
    );
    const settings = stored?.settings as { name: string; passwordHash: string };
    assert.equal(settings.name, "Serials and more");
    assert.ok(await verifyPassword("pw-serials", settings.passwordHash), "the password is kept");
    assert.equal(stored?.isDefault, false);
  });

  test("each profile's rule files are its own: /rules?profile=CODE", async () => {
    const rule = 'rule "drop 029"\n  when\n    (TRUE)\n  then\n    removeField "029"\nend\n';
    const saved = await post("/rules/file", {
      profile: "SERIALS",
      name: "serials.txt",
      text: rule,
    });
    assert.equal(saved.statusCode, 303, saved.body);
    assert.equal(saved.headers.location, "/rules/file?name=serials.txt&profile=SERIALS");
    const serials = await catalog.integrationProfile(
      INSTITUTION,
      CONNEXION_INTEGRATION_TYPE,
      "SERIALS",
    );
    assert.deepEqual(Object.keys((serials?.settings as { ruleFiles?: object }).ruleFiles ?? {}), [
      "serials.txt",
    ]);
    const main = await catalog.integrationProfile(INSTITUTION, CONNEXION_INTEGRATION_TYPE);
    assert.equal((main?.settings as { ruleFiles?: object }).ruleFiles, undefined);
    const list = await get("/rules?profile=SERIALS");
    assert.match(list.body, /profile SERIALS/);
    assert.match(
      list.body,
      /href="\/rules\/file\?name=serials\.txt&amp;profile=SERIALS"|href="\/rules\/file\?name=serials\.txt&profile=SERIALS"/,
    );
    assert.match(list.body, /Other OCLC Connexion profiles:/);
    const file = await get("/rules/file?name=serials.txt&profile=SERIALS");
    assert.match(file.body, /name="profile" value="SERIALS"/);
    const defaultList = await get("/rules");
    assert.doesNotMatch(defaultList.body, /serials\.txt/);
    assert.match((await get("/rules/file?name=serials.txt")).body, /No rule file serials\.txt/);
    const view = await get("/profiles/connexion?profile=SERIALS");
    assert.match(view.body, /href="\/rules\?profile=SERIALS"/);
  });

  test("the API lists, reads and sets profiles by code, and imports through one", async () => {
    const list = await api("GET", `/api/profiles?institution=${INSTITUTION}`);
    assert.equal(list.statusCode, 200);
    const body = list.json() as {
      profiles: { code: string; isDefault: boolean; logonId: string }[];
      connexion: { code: string };
    };
    assert.deepEqual(
      body.profiles.map((p) => [p.code, p.isDefault, p.logonId]),
      [
        ["CONNEXION", true, INSTITUTION],
        ["SERIALS", false, `${INSTITUTION}/SERIALS`],
      ],
    );
    assert.equal(body.connexion.code, "CONNEXION");
    const one = await api("GET", `/api/profiles/connexion/SERIALS?institution=${INSTITUTION}`);
    assert.equal(one.statusCode, 200);
    assert.equal((one.json() as { name: string; password: string }).name, "Serials and more");
    assert.equal((one.json() as { password: string }).password, "(set)");
    assert.equal(
      (await api("GET", `/api/profiles/connexion/NOPE?institution=${INSTITUTION}`)).statusCode,
      404,
    );

    const mismatch = await api("PUT", `/api/profiles/connexion/EBOOKS?institution=${INSTITUTION}`, {
      code: "OTHER",
      password: "x",
    });
    assert.equal(mismatch.statusCode, 422);
    const put = await api("PUT", `/api/profiles/connexion/EBOOKS?institution=${INSTITUTION}`, {
      name: "E-books",
      password: "pw-e",
      synchronizeWithExternalCatalog: "Publish holdings only",
    });
    assert.equal(put.statusCode, 200, put.body);
    const set = put.json() as { code: string; isDefault: boolean; logonId: string };
    assert.deepEqual(
      [set.code, set.isDefault, set.logonId],
      ["EBOOKS", false, `${INSTITUTION}/EBOOKS`],
    );

    const record = writeIso2709({
      leader: "00000cam a2200000 a 4500",
      fields: [
        { tag: "001", value: "ocm00009191" },
        { tag: "003", value: "OCoLC" },
        { tag: "008", value: "200101s2020    xxu           000 0 eng d" },
        { tag: "245", ind1: "1", ind2: "0", subfields: [{ code: "a", value: "An e-book" }] },
      ],
    });
    const imported = await api(
      "POST",
      `/api/import?institution=${INSTITUTION}&profile=EBOOKS`,
      Buffer.from(record),
      "application/marc",
    );
    assert.equal(imported.statusCode, 200, imported.body);
    const result = imported.json() as { jobId: number; records: { mmsId: string }[] };
    assert.equal((await catalog.job(result.jobId))?.profile, "EBOOKS");
    assert.equal(
      (await catalog.record(result.records[0]!.mmsId))?.managementTag,
      "Publish holdings only",
    );
    const unknown = await api(
      "POST",
      `/api/import?institution=${INSTITUTION}&profile=NOPE`,
      Buffer.from(record),
      "application/marc",
    );
    assert.equal(unknown.statusCode, 409);
  });

  test("the view page makes a profile the default and deletes one; the default is kept", async () => {
    const view = await get("/profiles/connexion?profile=EBOOKS");
    assert.match(view.body, /action="\/profiles\/default"/);
    assert.match(view.body, /action="\/profiles\/delete"/);
    assert.doesNotMatch((await get("/profiles/connexion")).body, /action="\/profiles\/delete"/);
    const made = await post("/profiles/default", { profile: "EBOOKS" });
    assert.equal(made.statusCode, 303);
    assert.equal(
      (await catalog.integrationProfile(INSTITUTION, CONNEXION_INTEGRATION_TYPE))?.code,
      "EBOOKS",
    );
    // The default cannot go; another can.
    const refused = await post("/profiles/delete", { profile: "EBOOKS" });
    assert.match(
      decodeURIComponent(String(refused.headers["set-cookie"])),
      /is the default; make another profile the default/,
    );
    assert.ok(await catalog.integrationProfile(INSTITUTION, CONNEXION_INTEGRATION_TYPE, "EBOOKS"));
    assert.equal((await post("/profiles/delete", { profile: "SERIALS" })).statusCode, 303);
    assert.equal(
      await catalog.integrationProfile(INSTITUTION, CONNEXION_INTEGRATION_TYPE, "SERIALS"),
      undefined,
    );
    // Through the API: CONNEXION the default again, EBOOKS deleted.
    const back = await api(
      "POST",
      `/api/profiles/connexion/CONNEXION/default?institution=${INSTITUTION}`,
      {},
    );
    assert.equal(back.statusCode, 200, back.body);
    assert.equal(
      (await api("DELETE", `/api/profiles/connexion/CONNEXION?institution=${INSTITUTION}`))
        .statusCode,
      422,
    );
    assert.equal(
      (await api("DELETE", `/api/profiles/connexion/EBOOKS?institution=${INSTITUTION}`)).statusCode,
      200,
    );
    assert.equal(
      (await api("DELETE", `/api/profiles/connexion/EBOOKS?institution=${INSTITUTION}`)).statusCode,
      404,
    );
    assert.deepEqual(
      (await catalog.integrationProfiles(INSTITUTION)).map((p) => [p.code, p.isDefault]),
      [["CONNEXION", true]],
    );
  });
});
