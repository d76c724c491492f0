/**
 * The MARC editor of the record view over HTTP (Fastify's inject): the record as mnemonic text,
 * a save as a new version with who and why, the text's problems named by line, validation
 * errors refusing the save, an edit of a record saved since refused with the text kept, the
 * record lock respected, Viewers refused.
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
import { hashPassword } from "../../src/import/password.js";
import { writeMnemonic } from "../../src/marc/mnemonic.js";
import type { DataField, MarcRecord } from "../../src/marc/record.js";
import { Auth, SESSION_COOKIE } from "../../src/web/auth.js";
import { readEditedText } from "../../src/web/pages/record-edit.js";
import { buildServer } from "../../src/web/server.js";

const INSTITUTION = "01ED_INST";
const PASSWORD = "editor password";

const RECORD: MarcRecord = {
  leader: "00000cam a2200000 a 4500",
  fields: [
    { tag: "008", value: "260101s2026    nyu           000 0 eng d" },
    { tag: "100", ind1: "1", ind2: " ", subfields: [{ code: "a", value: "Davis, Miles." }] },
    { tag: "245", ind1: "1", ind2: "0", subfields: [{ code: "a", value: "Kind of bleu" }] },
  ],
};

interface Session {
  readonly cookie: string;
  readonly csrf: string;
}

describe("the MARC editor", () => {
  let dir: string;
  let catalog: Catalog;
  let app: FastifyInstance;
  let mmsId = "";
  let viewer: Session;
  let cataloger: Session;

  const session = async (name: string): Promise<Session> => {
    const login = await new Auth(catalog).login(name, PASSWORD, "10.0.0.9");
    assert.ok(login.ok);
    return { cookie: `${SESSION_COOKIE}=${login.secret}`, csrf: login.key.csrf ?? "" };
  };
  const get = (who: Session, url: string) => app.inject({ url, headers: { cookie: who.cookie } });
  const post = (who: Session, url: string, form: Record<string, string>) =>
    app.inject({
      method: "POST",
      url,
      payload: new URLSearchParams({ _csrf: who.csrf, ...form }).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: who.cookie },
    });
  const title = async (): Promise<string> => {
    const f = (await catalog.record(mmsId))!.marc.fields.find((x) => x.tag === "245");
    return (f as DataField).subfields[0]!.value;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "marcgate-editor-"));
    catalog = await openSqliteCatalog(dir);
    await catalog.addInstitution({ code: INSTITUTION, name: "Editor University" });
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
    mmsId = (
      await catalog.commit({
        change: { kind: "create", zone: INSTITUTION, marc: RECORD, controlNumber: "mms-id" },
        context: { savedBy: "test", action: "create" },
      })
    ).mmsId!;
    app = await buildServer({
      catalog,
      importer: new Importer(catalog),
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

  test("the record view links the editor for a Cataloger; the editor shows the record as mnemonic text", async () => {
    assert.match((await get(cataloger, `/records/${mmsId}`)).body, /href="\/records\/\d+\/edit"/);
    assert.doesNotMatch((await get(viewer, `/records/${mmsId}`)).body, /\/edit"/);
    const editor = await get(cataloger, `/records/${mmsId}/edit`);
    assert.equal(editor.statusCode, 200);
    assert.match(editor.body, /=245 {2}10\$aKind of bleu/);
    assert.match(editor.body, new RegExp(`=001 {2}${mmsId}`));
    assert.match(editor.body, /name="version" value="1"/);
    assert.equal((await get(viewer, `/records/${mmsId}/edit`)).statusCode, 403);
  });

  test("a save is a new version with who and why; the same text again saves nothing", async () => {
    const text = writeMnemonic((await catalog.record(mmsId))!.marc).replace(
      "Kind of bleu",
      "Kind of blue",
    );
    const saved = await post(cataloger, `/records/${mmsId}/edit`, {
      version: "1",
      why: "typo in the title",
      text,
    });
    assert.equal(saved.statusCode, 303, saved.body);
    assert.equal(await title(), "Kind of blue");
    const versions = await catalog.versions(mmsId);
    assert.equal(versions.length, 2);
    assert.equal(versions.at(-1)!.savedBy, "cat");
    assert.equal(versions.at(-1)!.action, "edit: typo in the title");
    const again = await post(cataloger, `/records/${mmsId}/edit`, {
      version: "2",
      why: "no change",
      text,
    });
    assert.equal(again.statusCode, 303);
    assert.equal((await catalog.versions(mmsId)).length, 2);
    assert.equal(
      (await post(viewer, `/records/${mmsId}/edit`, { version: "2", why: "x", text })).statusCode,
      403,
    );
  });

  test("what is wrong is said, by line, with the text kept; nothing is saved", async () => {
    const current = writeMnemonic((await catalog.record(mmsId))!.marc);
    const broken = current.replace("=245  10$a", "=245  10Kind");
    const r = await post(cataloger, `/records/${mmsId}/edit`, {
      version: "2",
      why: "broken",
      text: broken,
    });
    assert.equal(r.statusCode, 422);
    assert.match(r.body, /line 5 \(245\)/);
    assert.match(r.body, /=245 {2}10Kind/, "the text is shown again as it was sent");
    // Validation (MarcXml Bib Import): no 245 is an error.
    const noTitle = current
      .split("\n")
      .filter((l) => !l.startsWith("=245"))
      .join("\n");
    const v = await post(cataloger, `/records/${mmsId}/edit`, {
      version: "2",
      why: "drop the title",
      text: noTitle,
    });
    assert.equal(v.statusCode, 422);
    assert.match(v.body, /245/);
    assert.match(v.body, /validation profile/);
    const noWhy = await post(cataloger, `/records/${mmsId}/edit`, {
      version: "2",
      why: " ",
      text: current,
    });
    assert.equal(noWhy.statusCode, 422);
    assert.match(noWhy.body, /say why/);
    const mms = await post(cataloger, `/records/${mmsId}/edit`, {
      version: "2",
      why: "another 001",
      text: current.replace(`=001  ${mmsId}`, "=001  123"),
    });
    assert.equal(mms.statusCode, 422);
    assert.match(mms.body, /the 001 is the MMS ID/);
    assert.equal((await catalog.versions(mmsId)).length, 2);
    assert.equal(await title(), "Kind of blue");
  });

  test("an edit of a version saved since is refused with the text kept; the lock is respected", async () => {
    const opened = writeMnemonic((await catalog.record(mmsId))!.marc);
    const record = (await catalog.record(mmsId))!;
    // An export overlays the record while the cataloger edits version 2.
    await catalog.commit({
      change: { kind: "update", mmsId, expectedVersion: record.version, marc: record.marc },
      context: { savedBy: "connexion:01ED_INST", action: "overlay" },
    });
    const late = opened.replace("Kind of blue", "Kind of blue (stale)");
    const r = await post(cataloger, `/records/${mmsId}/edit`, {
      version: "2",
      why: "late edit",
      text: late,
    });
    assert.equal(r.statusCode, 422);
    assert.match(r.body, /saved as version 3 since you opened version 2/);
    assert.match(r.body, /Kind of blue \(stale\)/);
    assert.match(r.body, /name="version" value="3"/, "saving again edits version 3");
    assert.equal(await title(), "Kind of blue");
    await catalog.lock(mmsId, "someone-else");
    const locked = await post(cataloger, `/records/${mmsId}/edit`, {
      version: "3",
      why: "while locked",
      text: late,
    });
    assert.equal(locked.statusCode, 422);
    assert.match((await get(cataloger, `/records/${mmsId}/edit`)).body, /Locked by someone-else/);
    await catalog.unlock(mmsId, "someone-else");
    const ok = await post(cataloger, `/records/${mmsId}/edit`, {
      version: "3",
      why: "after the lock",
      text: late,
    });
    assert.equal(ok.statusCode, 303, ok.body);
    assert.equal(await title(), "Kind of blue (stale)");
  });

  test("readEditedText: one record only, problems by line", async () => {
    const two = await readEditedText(
      "=LDR  00000nam\\\\2200000\\\\4500\n\n=LDR  00000nam\\\\2200000\\\\4500\n",
    );
    assert.ok("errors" in two && /holds 2 records/.test(two.errors.join()));
    const none = await readEditedText("");
    assert.ok("errors" in none && /no record/.test(none.errors.join()));
  });
});
