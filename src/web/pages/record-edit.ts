/**
 * The MARC editor of the record view (Cataloger and up): the record as mnemonic text (the
 * `.mrk` lines of MarcEdit, `=245  10$aTitle`) in a plain form, so it works without JavaScript.
 * Save reads the text back (every problem named with its line), checks a MARC 21 bibliographic
 * record with the institution's validation exception profile (errors stop the save, warnings are
 * said after it), and saves a new version through `editRecord`: who, and why in the version's
 * action; a record saved since it was opened, or locked by someone else, is refused and the text
 * is shown again, so no edit is lost.
 */
import type { FastifyInstance } from "fastify";
import { CatalogError, type StoredRecord } from "../../catalog/catalog.js";
import { EDIT_REASON_LIMIT, editRecord } from "../../catalog/record-actions.js";
import { loadConnexionProfile } from "../../import/profile.js";
import { readMnemonic, writeMnemonic } from "../../marc/mnemonic.js";
import { getControlValue, type MarcRecord } from "../../marc/record.js";
import { DEFAULT_VALIDATION_PROFILE, resolveValidationProfile } from "../../validation/profile.js";
import { formatValidationIssue, validateRecord } from "../../validation/validate.js";
import { html, type Html } from "../html.js";
import { csrfField, page, type Flash, type PageContext } from "../layout.js";
import { fields, pageRoute, redirect, type Web } from "../server.js";

/** The longest text the editor takes (a record is at most 99,999 bytes in ISO 2709). */
const EDIT_TEXT_LIMIT = 400_000;

/** The edited text read as one record, or what is wrong with it, line by line. */
export async function readEditedText(
  text: string,
): Promise<{ readonly record: MarcRecord } | { readonly errors: readonly string[] }> {
  if (text.length > EDIT_TEXT_LIMIT)
    return { errors: [`the text is ${text.length} characters; at most ${EDIT_TEXT_LIMIT}`] };
  const records: MarcRecord[] = [];
  const errors: string[] = [];
  for await (const read of readMnemonic([text])) {
    for (const issue of read.issues)
      errors.push(
        `line ${issue.line ?? "?"}${issue.tag !== undefined ? ` (${issue.tag})` : ""}: ${issue.message}`,
      );
    if (read.record) records.push(read.record);
  }
  if (records.length === 0) errors.push("the text holds no record (it starts with =LDR)");
  if (records.length > 1)
    errors.push(`the text holds ${records.length} records; edit one (no blank lines inside it)`);
  return errors.length > 0 ? { errors } : { record: records[0]! };
}

/** Validation of an edited MARC 21 bibliographic record under the institution's profile. */
async function validationOf(
  web: Web,
  institution: string,
  stored: StoredRecord,
  marc: MarcRecord,
): Promise<{ errors: string[]; warnings: string[]; profile: string }> {
  if (stored.format !== "MARC21" || !"acdefgijkmoprt".includes(marc.leader[6] ?? ""))
    return { errors: [], warnings: [], profile: "none (not a MARC 21 bibliographic record)" };
  const loaded = await loadConnexionProfile(web.catalog, institution);
  const settings = loaded && "profile" in loaded ? loaded.profile : undefined;
  const name = settings?.validationProfile ?? DEFAULT_VALIDATION_PROFILE;
  const resolved = resolveValidationProfile(name, settings?.ruleFiles?.[name]);
  if ("error" in resolved) return { errors: [resolved.error], warnings: [], profile: name };
  const result = validateRecord(marc, resolved.profile);
  return {
    errors: result.errors.map(formatValidationIssue),
    warnings: result.warnings.map(formatValidationIssue),
    profile: name,
  };
}

function editForm(
  ctx: PageContext,
  stored: StoredRecord,
  text: string,
  version: number,
  why: string,
  problems: readonly string[],
): Html {
  const rows = Math.min(40, Math.max(12, text.split("\n").length + 2));
  return html`${
      problems.length > 0
        ? html`<div class="card" role="alert">
            <p><strong>Not saved:</strong></p>
            <ul>
              ${problems.map((p) => html`<li>${p}</li>`)}
            </ul>
          </div>`
        : ""
    }
    <form method="post" action="/records/${stored.mmsId}/edit" class="stack card">
      ${csrfField(ctx)}
      <input type="hidden" name="version" value="${String(version)}" />
      <label for="marc-text"
        >Record
        <span class="hint"
          >(mnemonic: <code>=TAG&nbsp;&nbsp;II$aSubfield</code>, <code>\\</code> for a blank,
          <code>{dollar}</code> for a $; the leader's length and base address are computed)</span
        ></label
      ><textarea id="marc-text" name="text" rows="${String(rows)}" spellcheck="false">
${text}</textarea>
      <label for="edit-why">Why <span class="hint">(kept with the new version)</span></label>
      <input
        id="edit-why"
        name="why"
        value="${why}"
        maxlength="${String(EDIT_REASON_LIMIT)}"
        required
      />
      <p>
        <button type="submit">Check and save</button>
        <a class="button secondary" href="/records/${stored.mmsId}">Cancel</a>
      </p>
    </form>`;
}

async function editPage(
  web: Web,
  ctx: PageContext,
  mmsId: string,
  form?: { text: string; version: number; why: string; problems: readonly string[] },
  flash?: Flash,
): Promise<Html> {
  const stored = await web.catalog.record(mmsId);
  if (!stored) throw new CatalogError("unknown-record", `No record ${mmsId}.`);
  const lock = stored.lock;
  const locked =
    lock && lock.by !== ctx.principal.user.name
      ? html`<p class="card">
          Locked by ${lock.by} since ${lock.since.toISOString()}: saving is refused until the lock
          is released.
        </p>`
      : "";
  return page(
    ctx,
    `Edit ${mmsId} (version ${String(form?.version ?? stored.version)})`,
    html`${locked}${editForm(
      ctx,
      stored,
      form?.text ?? writeMnemonic(stored.marc).trimEnd(),
      form?.version ?? stored.version,
      form?.why ?? "",
      form?.problems ?? [],
    )}`,
    flash,
  );
}

export function register(app: FastifyInstance, web: Web): void {
  pageRoute(app, web, "GET", "/records/:mmsId/edit", "catalog", async (ctx, request) => {
    const mmsId = fields(request.params)["mmsId"] ?? "";
    await ctx.access.record(web.catalog, mmsId, "catalog");
    return editPage(web, ctx, mmsId);
  });
  pageRoute(app, web, "POST", "/records/:mmsId/edit", "catalog", async (ctx, request, reply) => {
    const mmsId = fields(request.params)["mmsId"] ?? "";
    const zone = await ctx.access.record(web.catalog, mmsId, "catalog");
    const form = fields(request.body);
    const text = (form["text"] ?? "").replace(/\r\n/g, "\n");
    const why = form["why"] ?? "";
    const version = Number(form["version"]);
    const again = (problems: readonly string[], asOf = version): Promise<Html> => {
      reply.code(422);
      return editPage(web, ctx, mmsId, { text, version: asOf, why, problems });
    };
    const stored = await web.catalog.record(mmsId);
    if (!stored) throw new CatalogError("unknown-record", `No record ${mmsId}.`);
    if (!Number.isSafeInteger(version) || version < 1)
      return again(["the form names no version; open the editor again"]);
    if (why.trim() === "") return again(["say why the record is edited (the Why box)"]);
    const read = await readEditedText(text);
    if ("errors" in read) return again(read.errors);
    const was = getControlValue(stored.marc, "001");
    if (was === mmsId && getControlValue(read.record, "001") !== mmsId)
      return again([`the 001 is the MMS ID (${mmsId}) and stays as it is`]);
    const institution = ctx.institution?.code ?? zone;
    const checked = await validationOf(web, institution, stored, read.record);
    if (checked.errors.length > 0)
      return again(checked.errors.map((e) => `${e} (validation profile ${checked.profile})`));
    try {
      const saved = await editRecord(web.catalog, {
        mmsId,
        expectedVersion: version,
        marc: read.record,
        by: ctx.principal.user.name,
        why,
      });
      const warned =
        checked.warnings.length > 0 ? `; warnings: ${checked.warnings.join("; ")}` : "";
      redirect(reply, `/records/${mmsId}`, {
        kind: "ok",
        text: saved.changed
          ? `Saved as version ${saved.version ?? "?"}${warned}.`
          : "Nothing changed: no new version.",
      });
      return undefined;
    } catch (error) {
      if (
        error instanceof CatalogError &&
        (error.code === "version-conflict" || error.code === "locked" || error.code === "invalid")
      )
        return again(
          [`${error.message}; your text is below: compare it with the record and save again`],
          // Saving again is then an edit of the version there is now.
          error.code === "version-conflict"
            ? ((await web.catalog.record(mmsId))?.version ?? version)
            : version,
        );
      throw error;
    }
  });
}
