/**
 * Integration profiles: the list (an institution may have several OCLC Connexion profiles, each
 * reached by its own logon ID), and the seed's two-page wizard to add or edit one — page 1 (code,
 * name, use network zone, integration type; the Default box shown, not functional for this type,
 * as the seed says: the first profile is the default) and page 2, the Actions section. A profile
 * is named by `?profile=CODE` (none: the default).
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { logonIdFor } from "../../connexion/logon-id.js";
import { CatalogError, MANAGEMENT_TAGS, RECORD_FORMATS, type Zone } from "../../catalog/catalog.js";
import type { ProfileError, StoredProfileSettings } from "../../import/profile.js";
import { CONNEXION_INTEGRATION_TYPE, MATCH_METHOD_NAMES } from "../../import/profile.js";
import { parseProfile } from "../../import/profile.js";
import { AUTHORITY_VALIDATION_PROFILE, BUILT_IN_PROFILES } from "../../validation/profile.js";
import { PREDEFINED_MERGE_METHODS } from "../../rules/predefined-merge.js";
import { may } from "../auth.js";
import { html, type Html, type HtmlValue } from "../html.js";
import { csrfField, dataTable, page, postButton, when, type PageContext } from "../layout.js";
import {
  checkStoredFile,
  currentProfile,
  PAGE_1_KEYS,
  profileCodeProblem,
  saveProfile,
  settingsFromForm,
} from "../profile-form.js";
import { fields, pageRoute, redirect, type Web } from "../server.js";

const FORMAT_LABELS: Readonly<Record<string, string>> = {
  MARC21: "MARC 21 Bibliographic",
  UNIMARC: "UNIMARC Bibliographic",
  KORMARC: "KORMARC Bibliographic",
  CNMARC: "CNMARC Bibliographic",
};

function errorFor(errors: readonly ProfileError[], key: string): HtmlValue {
  const mine = errors.filter((e) => e.key === key);
  return mine.length > 0
    ? html`<div class="flash error" id="${key}-error" role="alert">
        ${mine.map((e) => e.message).join("; ")}
      </div>`
    : undefined;
}

function select(
  name: string,
  values: readonly { value: string; label: string; disabled?: boolean }[],
  chosen: string,
): Html {
  return html`<select id="${name}" name="${name}">
    ${values.map(
      (v) =>
        html`<option
          value="${v.value}"
          ${v.value === chosen ? html` selected` : ""}${v.disabled ? html` disabled` : ""}
        >
          ${v.label}
        </option>`,
    )}
  </select>`;
}

function checkbox(
  name: string,
  label: string,
  checked: boolean,
  hint?: string,
  disabled = false,
): Html {
  return html`<p>
    <input
      type="checkbox"
      id="${name}"
      name="${name}"
      ${checked ? html` checked` : ""}${disabled ? html` disabled` : ""}
    />
    <label for="${name}" class="inline">${label}</label
    >${hint ? html` <span class="hint">${hint}</span>` : ""}
  </p>`;
}

/** The profile a page is about: `?profile=CODE`, or undefined (the default profile). */
function profileParam(request: FastifyRequest): string | undefined {
  const code = fields(request.query)["profile"];
  return code === undefined || code === "" ? undefined : code;
}

/** A profile's page address (`edit`, or the view). */
function profileUrl(code: string, edit = false): string {
  return `/profiles/${edit ? "edit" : "connexion"}?profile=${encodeURIComponent(code)}`;
}

/** The hidden field that says which profile the wizard edits (none: it adds one). */
function editingField(editing: string | undefined): HtmlValue {
  return editing !== undefined
    ? html`<input type="hidden" name="editing" value="${editing}" />`
    : undefined;
}

function steps(current: 1 | 2): Html {
  return html`<p class="steps" aria-label="Wizard steps"><span${current === 1 ? html` aria-current="step"` : ""}>1. Profile definition</span><span${current === 2 ? html` aria-current="step"` : ""}>2. Actions</span></p>`;
}

/** Page 1: code, name, use network zone, integration type, the Default box. */
function page1(
  ctx: PageContext,
  institution: Zone,
  form: Readonly<Record<string, string>>,
  errors: readonly ProfileError[],
  editing?: string,
): Html {
  return page(
    ctx,
    "Integration profile — definition",
    html`${steps(1)}
      <form method="post" action="/profiles/wizard" class="stack card">
        ${csrfField(ctx)}
        <input type="hidden" name="step" value="1" />
        ${editingField(editing)}
        <label for="code"
          >Code
          <span class="hint"
            >${
              editing !== undefined
                ? "(it cannot change: Connexion logon IDs name it)"
                : `(Connexion reaches this profile with the logon ID ${institution.code}/CODE; the default profile also with ${institution.code})`
            }</span
          ></label
        >${errorFor(errors, "code")}<input
          type="text"
          id="code"
          name="code"
          value="${form["code"] ?? ""}"
          required
          ${editing !== undefined ? html` readonly` : ""}
        />
        <label for="name">Name</label>${errorFor(errors, "name")}<input
          type="text"
          id="name"
          name="name"
          value="${form["name"] ?? "OCLC Connexion"}"
          required
        />
        ${errorFor(errors, "useNetworkZone")}${checkbox("useNetworkZone", "Use network zone", form["useNetworkZone"] === "on", institution.network ? `match and save in the network zone ${institution.network}` : `${institution.code} is not a member of a network zone`, !institution.network)}
        <label for="integrationType">Integration type</label
        >${errorFor(errors, "integrationType")}${select("integrationType", [{ value: CONNEXION_INTEGRATION_TYPE, label: CONNEXION_INTEGRATION_TYPE }], CONNEXION_INTEGRATION_TYPE)}
        ${checkbox("default", "Default", false, "The Default check box is not functional for this integration type. The institution's first OCLC Connexion profile is its default; another can be made the default on its page.")}
        <p>
          <button type="submit">Next</button>
          <a href="/profiles" class="button secondary">Cancel</a>
        </p>
      </form>`,
  );
}

/** Page 2: the Actions section. Page 1's answers travel as hidden fields. */
function page2(
  ctx: PageContext,
  form: Readonly<Record<string, string>>,
  stored: StoredProfileSettings | undefined,
  errors: readonly ProfileError[],
  editing?: string,
  /** Whose rule files to offer, when not the stored profile's (a new profile: the default's). */
  fileSource: StoredProfileSettings | undefined = stored,
): Html {
  const files = Object.entries(fileSource?.ruleFiles ?? {}).map(([name, text]) => ({
    name,
    kind: checkStoredFile(text).kind,
  }));
  const normalizationFiles = files.filter((f) => f.kind === "normalization");
  const mergeFiles = files.filter((f) => f.kind === "merge");
  const briefFiles = files.filter((f) => f.kind === "brief-level");
  const chosenNormalization = new Set(
    Object.keys(form)
      .filter((k) => k.startsWith("normalization:") && form[k] === "on")
      .map((k) => k.slice("normalization:".length)),
  );
  const matchOptions = MATCH_METHOD_NAMES.map((name) => ({ value: name, label: name }));
  return page(
    ctx,
    "Integration profile — actions",
    html`${steps(2)}
      <form method="post" action="/profiles/wizard" class="stack card">
        ${csrfField(ctx)}
        <input type="hidden" name="step" value="2" />
        ${editingField(editing)}
        ${PAGE_1_KEYS.map((k) => html`<input type="hidden" name="${k}" value="${form[k] ?? ""}" />`)}
        <p class="muted">
          Profile ${form["code"] ?? ""} — ${form["name"] ?? ""}
          (${CONNEXION_INTEGRATION_TYPE}${form["useNetworkZone"] === "on" ? ", network zone" : ""})
        </p>
        <fieldset>
          <legend>Format</legend>
          <label for="targetFormat">Target format</label
          >${errorFor(errors, "targetFormat")}${select(
            "targetFormat",
            RECORD_FORMATS.map((f) => ({ value: f, label: FORMAT_LABELS[f] ?? f })),
            form["targetFormat"] ?? "MARC21",
          )}
        </fieldset>
        <fieldset>
          <legend>Normalization</legend>
          <p>
            Correct the data using
            <span class="hint"
              >(normalization rule files, run in order after the MARC 21 Bib Initial Normalization,
              which always runs)</span
            >
          </p>
          ${errorFor(errors, "normalization")}
          ${normalizationFiles.length === 0 ? html`<p class="muted">No normalization rule files yet (add them on the <a href="/rules">Rule files</a> page).</p>` : normalizationFiles.map((f) => checkbox(`normalization:${f.name}`, f.name, chosenNormalization.has(f.name)))}
        </fieldset>
        <fieldset>
          <legend>Validation</legend>
          <label for="validationProfile">Check the data using</label
          >${errorFor(errors, "validationProfile")}${select(
            "validationProfile",
            [
              // Authority records take "MarcXML Authority Import" whatever is chosen here.
              ...Object.keys(BUILT_IN_PROFILES)
                .filter((v) => v !== AUTHORITY_VALIDATION_PROFILE)
                .map((v) => ({ value: v, label: v })),
              ...files
                .filter((f) => f.kind === "validation")
                .map((f) => ({ value: f.name, label: `${f.name} (validation profile file)` })),
            ],
            form["validationProfile"] ?? "MarcXML Bib Import",
          )}
        </fieldset>
        <fieldset>
          <legend>Merge</legend>
          <label for="serialMatchMethod">Serial match method</label
          >${errorFor(errors, "serialMatchMethod")}${select("serialMatchMethod", matchOptions, form["serialMatchMethod"] ?? "Unique OCLC Identifier")}
          <label for="serialMatchSteps"
            >Serial multi-step steps
            <span class="hint"
              >(only with Multi-step: methods in order, separated by commas)</span
            ></label
          >${errorFor(errors, "serialMatchSteps")}<input
            type="text"
            id="serialMatchSteps"
            name="serialMatchSteps"
            value="${form["serialMatchSteps"] ?? ""}"
          />
          <label for="nonSerialMatchMethod">Non-serial match method</label
          >${errorFor(errors, "nonSerialMatchMethod")}${select("nonSerialMatchMethod", matchOptions, form["nonSerialMatchMethod"] ?? "Unique OCLC Identifier")}
          <label for="nonSerialMatchSteps"
            >Non-serial multi-step steps <span class="hint">(only with Multi-step)</span></label
          >${errorFor(errors, "nonSerialMatchSteps")}<input
            type="text"
            id="nonSerialMatchSteps"
            name="nonSerialMatchSteps"
            value="${form["nonSerialMatchSteps"] ?? ""}"
          />
          <label for="mergeMethod">Merge method</label>${errorFor(errors, "mergeMethod")}${select(
            "mergeMethod",
            [
              ...Object.keys(PREDEFINED_MERGE_METHODS).map((m) => ({ value: m, label: m })),
              ...mergeFiles.map((f) => ({ value: f.name, label: `${f.name} (merge rules)` })),
            ],
            form["mergeMethod"] ?? "Overlay all fields but local",
          )}
          ${checkbox("doNotOverrideLowerBriefLevel", "Do not override/merge a record with lower brief version", form["doNotOverrideLowerBriefLevel"] === "on")}
          ${checkbox("doNotOverrideOlderVersion", "Do not override/merge record with an older version", form["doNotOverrideOlderVersion"] === "on")}
          ${
            briefFiles.length > 0
              ? html`<label for="briefLevelRules"
                    >Brief level rules
                    <span class="hint"
                      >(marcgate setting; Alma keeps them in the metadata profile)</span
                    ></label
                  >${errorFor(errors, "briefLevelRules")}${select("briefLevelRules", [{ value: "", label: "marcgate's default rules" }, ...briefFiles.map((f) => ({ value: f.name, label: f.name }))], form["briefLevelRules"] ?? "")}`
              : ""
          }
        </fieldset>
        <fieldset>
          <legend>Management Tags</legend>
          <label for="synchronizeWithExternalCatalog">Synchronize with External Catalog</label
          >${errorFor(errors, "synchronizeWithExternalCatalog")}${select(
            "synchronizeWithExternalCatalog",
            MANAGEMENT_TAGS.map((t) => ({ value: t, label: t })),
            form["synchronizeWithExternalCatalog"] ?? "Publish bibliographic records",
          )}
        </fieldset>
        <fieldset>
          <legend>Authorization</legend>
          <label for="password"
            >Password
            <span class="hint"
              >${stored?.passwordHash ? "(a password is set; leave empty to keep it)" : "(the password you enter in OCLC Connexion's export options)"}</span
            ></label
          >${errorFor(errors, "password")}
          <input type="password" id="password" name="password" autocomplete="new-password" />
        </fieldset>
        ${errors.filter((e) => ![...PAGE_1_KEYS, "targetFormat", "normalization", "validationProfile", "serialMatchMethod", "serialMatchSteps", "nonSerialMatchMethod", "nonSerialMatchSteps", "mergeMethod", "briefLevelRules", "synchronizeWithExternalCatalog", "password"].includes(e.key)).map((e) => html`<div class="flash error" role="alert">${e.key}: ${e.message}</div>`)}
        <p>
          <button type="submit">Save</button>
          <a href="/profiles" class="button secondary">Cancel</a>
        </p>
      </form>`,
  );
}

/** A stored profile as the wizard's form fields (to edit it). */
function formOf(profile: StoredProfileSettings): Record<string, string> {
  const form: Record<string, string> = {
    code: profile.code,
    name: profile.name,
    integrationType: profile.integrationType,
    targetFormat: profile.targetFormat,
    validationProfile: profile.validationProfile,
    serialMatchMethod: profile.serialMatchMethod,
    nonSerialMatchMethod: profile.nonSerialMatchMethod,
    mergeMethod: profile.mergeMethod,
    synchronizeWithExternalCatalog: profile.synchronizeWithExternalCatalog,
    ...(profile.briefLevelRules ? { briefLevelRules: profile.briefLevelRules } : {}),
    ...(profile.serialMatchSteps ? { serialMatchSteps: profile.serialMatchSteps.join(", ") } : {}),
    ...(profile.nonSerialMatchSteps
      ? { nonSerialMatchSteps: profile.nonSerialMatchSteps.join(", ") }
      : {}),
  };
  if (profile.useNetworkZone) form["useNetworkZone"] = "on";
  if (profile.doNotOverrideLowerBriefLevel) form["doNotOverrideLowerBriefLevel"] = "on";
  if (profile.doNotOverrideOlderVersion) form["doNotOverrideOlderVersion"] = "on";
  for (const name of profile.normalization) form[`normalization:${name}`] = "on";
  return form;
}

function noInstitution(ctx: PageContext): Html {
  return page(
    ctx,
    "Integration profiles",
    html`<p>
      There is no institution yet: <code>marcgate institution add CODE --name NAME</code>.
    </p>`,
  );
}

export function register(app: FastifyInstance, web: Web): void {
  pageRoute(app, web, "GET", "/profiles", "view", async (ctx) => {
    if (!ctx.institution) return noInstitution(ctx);
    const code = ctx.institution.code;
    const profiles = await web.catalog.integrationProfiles(code);
    const current = await currentProfile(web.catalog, code);
    const admin = may(ctx.role, "administer");
    return page(
      ctx,
      "Integration profiles",
      html`<p>
          ${code}: the external systems this institution works with. It may have several OCLC
          Connexion profiles, each with its own password: the default one takes the exports whose
          Connexion logon ID is <code>${code}</code>, another the exports whose logon ID is
          <code>${code}/</code> and its code.
        </p>
        ${current.error ? html`<div class="flash error" role="alert">${current.error}</div>` : ""}
        ${dataTable(
          [
            { heading: "Code", cell: (p) => p.code },
            {
              heading: "Name",
              cell: (p) => {
                const settings = p.settings as { name?: unknown };
                return typeof settings.name === "string" ? settings.name : "";
              },
            },
            { heading: "Integration type", cell: (p) => p.type },
            { heading: "Default", cell: (p) => (p.isDefault ? "yes" : "") },
            {
              heading: "Connexion logon ID",
              cell: (p) =>
                p.type === CONNEXION_INTEGRATION_TYPE
                  ? html`<code>${logonIdFor(code, p.isDefault ? undefined : p.code)}</code>`
                  : "",
            },
            { heading: "Updated", cell: (p) => when(p.updated) },
            {
              heading: "Actions",
              cell: (p) =>
                p.type === CONNEXION_INTEGRATION_TYPE
                  ? html`<a href="${profileUrl(p.code)}">View</a
                      >${admin ? html` · <a href="${profileUrl(p.code, true)}">Edit</a>` : ""}`
                  : "",
            },
          ],
          profiles,
          { empty: "No integration profiles yet." },
        )}
        ${admin ? html`<p><a class="button" href="/profiles/new">Add External System</a></p>` : ""}`,
    );
  });
  pageRoute(app, web, "GET", "/profiles/connexion", "view", async (ctx, request, reply) => {
    if (!ctx.institution) return noInstitution(ctx);
    const code = profileParam(request);
    const current = await currentProfile(web.catalog, ctx.institution.code, code);
    if (!current.profile) {
      if (!current.error) reply.code(404);
      return page(
        ctx,
        "OCLC Connexion profile",
        html`<p>
          ${
            current.error ??
            (code === undefined
              ? "No OCLC Connexion profile yet."
              : `${ctx.institution.code} has no OCLC Connexion profile ${code}.`)
          }
        </p>`,
      );
    }
    const p = current.profile;
    const rows: [string, string][] = [
      ["Code", p.code],
      ["Name", p.name],
      ["Integration type", p.integrationType],
      ["Default", current.isDefault ? "yes" : "no"],
      [
        "Connexion logon ID",
        logonIdFor(ctx.institution.code, current.isDefault ? undefined : p.code),
      ],
      ["Use network zone", p.useNetworkZone ? "yes" : "no"],
      ["Target format", FORMAT_LABELS[p.targetFormat] ?? p.targetFormat],
      ["Correct the data using", p.normalization.join(", ") || "(initial normalization only)"],
      ["Check the data using", p.validationProfile],
      ["Serial match method", p.serialMatchMethod],
      ["Non-serial match method", p.nonSerialMatchMethod],
      ...(p.serialMatchSteps
        ? [["Serial multi-step", p.serialMatchSteps.join(", ")] as [string, string]]
        : []),
      ...(p.nonSerialMatchSteps
        ? [["Non-serial multi-step", p.nonSerialMatchSteps.join(", ")] as [string, string]]
        : []),
      ["Merge method", p.mergeMethod],
      [
        "Do not override/merge a record with lower brief version",
        p.doNotOverrideLowerBriefLevel ? "yes" : "no",
      ],
      [
        "Do not override/merge record with an older version",
        p.doNotOverrideOlderVersion ? "yes" : "no",
      ],
      ["Synchronize with External Catalog", p.synchronizeWithExternalCatalog],
      ["Authorization password", p.passwordHash ? "(set)" : "(none)"],
    ];
    return page(
      ctx,
      `OCLC Connexion profile ${p.code}`,
      html`<table>
          <tbody>
            ${rows.map(
              ([k, v]) =>
                html`<tr>
                  <th scope="row">${k}</th>
                  <td>${v}</td>
                </tr>`,
            )}
          </tbody>
        </table>
        ${
          may(ctx.role, "administer")
            ? html`<p class="row">
                <a class="button" href="${profileUrl(p.code, true)}">Edit</a>
                ${
                  current.isDefault
                    ? ""
                    : html`${postButton(ctx, "/profiles/default", "Make it the default", { profile: p.code })}
                      ${postButton(ctx, "/profiles/delete", "Delete", { profile: p.code }, "secondary")}`
                }
              </p>`
            : ""
        }
        <p>
          <a href="${current.isDefault ? "/rules" : `/rules?profile=${encodeURIComponent(p.code)}`}"
            >The profile's rule files</a
          >
        </p>`,
    );
  });
  // Another default, or a profile deleted (not the default: the catalog refuses it).
  for (const action of ["default", "delete"] as const) {
    pageRoute(
      app,
      web,
      "POST",
      `/profiles/${action}`,
      "administer",
      async (ctx, request, reply) => {
        if (!ctx.institution) return noInstitution(ctx);
        const code = fields(request.body)["profile"] ?? "";
        const institution = ctx.institution.code;
        try {
          if (action === "default") {
            await web.catalog.setDefaultIntegrationProfile(
              institution,
              CONNEXION_INTEGRATION_TYPE,
              code,
            );
          } else {
            await web.catalog.deleteIntegrationProfile(
              institution,
              CONNEXION_INTEGRATION_TYPE,
              code,
            );
          }
        } catch (error) {
          if (!(error instanceof CatalogError)) throw error;
          redirect(reply, "/profiles", { kind: "error", text: error.message });
          return undefined;
        }
        redirect(reply, "/profiles", {
          kind: "ok",
          text:
            action === "default"
              ? `The OCLC Connexion profile ${code} is the default of ${institution}. Its Connexion logon ID: ${institution}.`
              : `The OCLC Connexion profile ${code} of ${institution} is deleted.`,
        });
        return undefined;
      },
    );
  }
  pageRoute(app, web, "GET", "/profiles/new", "administer", (ctx) => {
    if (!ctx.institution) return Promise.resolve(noInstitution(ctx));
    return Promise.resolve(page1(ctx, ctx.institution, {}, []));
  });
  pageRoute(app, web, "GET", "/profiles/edit", "administer", async (ctx, request, reply) => {
    if (!ctx.institution) return noInstitution(ctx);
    const current = await currentProfile(web.catalog, ctx.institution.code, profileParam(request));
    if (!current.profile) {
      // Nothing to edit: add the first one (or the code asked for does not exist).
      if (profileParam(request) !== undefined) reply.code(404);
      return page1(
        ctx,
        ctx.institution,
        {},
        current.error ? [{ key: "code", message: current.error }] : [],
      );
    }
    return page1(ctx, ctx.institution, formOf(current.profile), [], current.profile.code);
  });
  pageRoute(app, web, "POST", "/profiles/wizard", "administer", async (ctx, request, reply) => {
    if (!ctx.institution) return noInstitution(ctx);
    const form = fields(request.body);
    const editing = form["editing"] ? form["editing"] : undefined;
    const current =
      editing !== undefined
        ? await currentProfile(web.catalog, ctx.institution.code, editing)
        : undefined;
    if (editing !== undefined && !current?.profile) {
      reply.code(404);
      return page1(ctx, ctx.institution, form, [
        {
          key: "code",
          message:
            current?.error ?? `${ctx.institution.code} has no OCLC Connexion profile ${editing}`,
        },
      ]);
    }
    // The rule files page 2 offers: the edited profile's, or the default's (a new one's copy).
    const files =
      current?.profile ?? (await currentProfile(web.catalog, ctx.institution.code)).profile;
    if (form["step"] === "1") {
      const checked = parseProfile(settingsFromForm(form, 1));
      const errors = "errors" in checked ? [...checked.errors] : [];
      if (form["useNetworkZone"] === "on" && !ctx.institution.network) {
        errors.push({
          key: "useNetworkZone",
          message: `${ctx.institution.code} is not a member of a network zone`,
        });
      }
      if (!errors.some((e) => e.key === "code")) {
        const problem = await profileCodeProblem(
          web.catalog,
          ctx.institution.code,
          form["code"] ?? "",
          editing,
        );
        if (problem) errors.push({ key: "code", message: problem });
      }
      if (errors.length > 0) return page1(ctx, ctx.institution, form, errors, editing);
      // Page 2 starts from the stored settings (editing) or the defaults, keeping page 1's answers.
      const start = current?.profile ? formOf(current.profile) : {};
      const rest = { ...start };
      delete rest["useNetworkZone"];
      return page2(
        ctx,
        { ...rest, ...Object.fromEntries(PAGE_1_KEYS.map((k) => [k, form[k] ?? ""])) },
        current?.profile,
        [],
        editing,
        files,
      );
    }
    const saved = await saveProfile(
      web.catalog,
      ctx.institution,
      settingsFromForm(form, 2),
      editing !== undefined ? { editing } : { adding: true },
    );
    if ("errors" in saved) {
      reply.code(422);
      return page2(ctx, form, current?.profile, saved.errors, editing, files);
    }
    const logonId = logonIdFor(
      ctx.institution.code,
      saved.isDefault ? undefined : saved.profile.code,
    );
    redirect(reply, "/profiles", {
      kind: "ok",
      text: `The OCLC Connexion profile ${saved.profile.code} of ${ctx.institution.code} is saved. Its Connexion logon ID: ${logonId}.`,
    });
    return undefined;
  });
}
