/**
 * Rule files (kept with each of the institution's OCLC Connexion profiles: `?profile=CODE`, none
 * for the default profile's): the list, an editor that shows
 * the parser's errors at their line (as `marcgate rules check` does) and saves nothing while there
 * are any, and "try": normalization rules run on a record (before, after, and what each rule did).
 */
import type { FastifyInstance } from "fastify";
import {
  CONNEXION_INTEGRATION_TYPE,
  ruleFileNames,
  type StoredProfileSettings,
} from "../../import/profile.js";
import type { MarcRecord } from "../../marc/record.js";
import { normalize, type RuleLogEntry } from "../../rules/normalize.js";
import { parseRules } from "../../rules/parser.js";
import { may } from "../auth.js";
import { html, type Html } from "../html.js";
import { csrfField, dataTable, page, type PageContext } from "../layout.js";
import {
  checkStoredFile,
  currentProfile,
  expectedKind,
  type StoredFileError,
} from "../profile-form.js";
import { fields, pageRoute, redirect, type Web } from "../server.js";
import { readOneRecord } from "../service.js";
import { taggedDisplay } from "./record.js";

/** A rule file's text with line numbers, the lines with errors marked and their messages below. */
function numbered(text: string, errors: readonly StoredFileError[]): Html {
  const byLine = new Map<number, StoredFileError[]>();
  for (const e of errors) byLine.set(e.line ?? 1, [...(byLine.get(e.line ?? 1) ?? []), e]);
  return html`<table class="marc" aria-label="Rule file with line numbers">
    <tbody>
      ${text.split("\n").map((line, i) => {
        const here = byLine.get(i + 1);
        return html`<tr${here ? html` class="err-line"` : ""}><td class="ind">${i + 1}</td><td><pre>${line}</pre>${here ? here.map((e) => html`<div class="flash error" role="alert">line ${e.line ?? "?"}${e.column !== undefined ? `, column ${e.column}` : ""}: ${e.message}</div>`) : ""}</td></tr>`;
      })}
    </tbody>
  </table>`;
}

/** The profile whose rule files a page shows: `profile=CODE`, or undefined (the default's). */
function profileOf(values: Readonly<Record<string, string>>): string | undefined {
  return values["profile"] ? values["profile"] : undefined;
}

/** A rules page's address for that profile (none: the default's). */
function rulesUrl(path: string, profile: string | undefined, query = ""): string {
  const parts = [query, profile !== undefined ? `profile=${encodeURIComponent(profile)}` : ""];
  const q = parts.filter((p) => p !== "").join("&");
  return q === "" ? path : `${path}?${q}`;
}

/** `NAME:LINE:COLUMN: message`, as `marcgate rules check` prints it. */
function formatStoredError(e: StoredFileError, name: string): string {
  return `${name}${e.line !== undefined ? `:${e.line}` : ""}${e.column !== undefined ? `:${e.column}` : ""}: ${e.message}`;
}

function usedFor(profile: StoredProfileSettings, name: string): string {
  if (profile.normalization.includes(name)) return "normalization (Correct the data using)";
  if (profile.mergeMethod === name) return "merge method";
  if (profile.briefLevelRules === name) return "brief level rules";
  if (profile.validationProfile === name) return "validation profile (Check the data using)";
  return "not used by the profile";
}

function editor(
  ctx: PageContext,
  name: string,
  text: string,
  errors: readonly StoredFileError[],
  isNew: boolean,
  profile?: string,
): Html {
  const admin = may(ctx.role, "administer");
  return html`${
      errors.length > 0
        ? html`<div class="flash error" role="alert">
            ${errors.length} error(s); nothing is saved until they are fixed:
            <ul>
              ${errors.map((e) => html`<li>${formatStoredError(e, name)}</li>`)}
            </ul>
          </div>`
        : ""
    }
    ${
      admin
        ? html`<form method="post" action="/rules/file" class="stack card">
            ${csrfField(ctx)}
            ${profile !== undefined ? html`<input type="hidden" name="profile" value="${profile}" />` : ""}
            <label for="rule-name">File name</label
            ><input
              type="text"
              id="rule-name"
              name="name"
              value="${name}"
              ${isNew ? "" : html` readonly`}
              required
            />
            <label for="rule-text">Rules</label
            ><textarea id="rule-text" name="text" rows="18" spellcheck="false">${text}</textarea>
            <p>
              <button type="submit">Check and save</button>
              <a class="button secondary" href="${rulesUrl("/rules", profile)}">Back</a>
            </p>
          </form>`
        : ""
    }
    <h2>With line numbers</h2>
    <div class="card">${numbered(text, errors)}</div>`;
}

/**
 * The most characters of rules, and of a pasted record, that "Try rules" reads: a record in
 * MARCXML is at most about 0.5 MB (ISO 2709 stops at 99,999 bytes), and the web shares its
 * thread with the Connexion listener.
 */
const TRY_LIMIT = 1_000_000;

function tryForm(ctx: PageContext, rules: string, record: string): Html {
  return html`<form method="post" action="/rules/try" class="stack card">
    ${csrfField(ctx)} <label for="try-rules">Normalization rules</label
    ><textarea id="try-rules" name="rules" rows="10" spellcheck="false">${rules}</textarea>
    <label for="try-record"
      >Record
      <span class="hint"
        >(an MMS ID, or a record as mnemonic text, MARCXML or MARC-in-JSON)</span
      ></label
    ><textarea id="try-record" name="record" rows="8" spellcheck="false">${record}</textarea>
    <p><button type="submit">Try</button></p>
  </form>`;
}

function logTable(log: readonly RuleLogEntry[]): Html {
  return dataTable(
    [
      { heading: "Line", cell: (e) => e.line },
      { heading: "Rule", cell: (e) => e.rule },
      { heading: "Action", cell: (e) => html`<code>${e.action}</code>` },
      { heading: "Ran", cell: (e) => (e.ran ? "yes" : "no") },
      {
        heading: "What happened",
        cell: (e) => `${e.message}${e.fields.length > 0 ? ` [${e.fields.join(", ")}]` : ""}`,
      },
    ],
    log,
  );
}

export function register(app: FastifyInstance, web: Web): void {
  pageRoute(app, web, "GET", "/rules", "view", async (ctx, request) => {
    if (!ctx.institution) return page(ctx, "Rule files", html`<p>There is no institution yet.</p>`);
    const asked = profileOf(fields(request.query));
    const current = await currentProfile(web.catalog, ctx.institution.code, asked);
    if (!current.profile) {
      return page(
        ctx,
        "Rule files",
        html`<p>
          Rule files are kept with the institution's OCLC Connexion profile.
          ${current.error ?? html`Create the profile first (<a href="/profiles">Integration profiles</a>).`}
        </p>`,
      );
    }
    const profile = current.profile;
    const files = Object.entries(profile.ruleFiles ?? {});
    const others = (await web.catalog.integrationProfiles(ctx.institution.code)).filter(
      (p) => p.type === CONNEXION_INTEGRATION_TYPE && p.code !== profile.code,
    );
    return page(
      ctx,
      "Rule files",
      html`<p>
          The rule files of the ${ctx.institution.code} profile ${profile.code} (Alma's rule
          language; see docs/rules.md).
        </p>
        ${
          others.length > 0
            ? html`<p>
                Other OCLC Connexion profiles:
                ${others.map(
                  (p, i) =>
                    html`${i > 0 ? ", " : ""}<a
                        href="${rulesUrl("/rules", p.isDefault ? undefined : p.code)}"
                        >${p.code}</a
                      >`,
                )}
              </p>`
            : ""
        }
        ${dataTable(
          [
            {
              heading: "Name",
              cell: ({ name }) =>
                html`<a href="${rulesUrl("/rules/file", asked, `name=${encodeURIComponent(name)}`)}"
                  >${name}</a
                >`,
            },
            { heading: "Kind", cell: ({ checked }) => checked.kind },
            { heading: "Rules", cell: ({ checked }) => checked.rules },
            { heading: "Errors", cell: ({ checked }) => checked.errors.length },
            { heading: "Used for", cell: ({ name }) => usedFor(profile, name) },
          ],
          files.map(([name, text]) => ({ name, checked: checkStoredFile(text) })),
          { empty: "No rule files yet." },
        )}
        <p class="row">
          ${may(ctx.role, "administer") ? html`<a class="button" href="${rulesUrl("/rules/file", asked, "new=1")}">New rule file</a>` : ""}
          <a class="button secondary" href="${rulesUrl("/rules/try", asked)}"
            >Try rules on a record</a
          >
        </p>`,
    );
  });
  pageRoute(app, web, "GET", "/rules/file", "view", async (ctx, request) => {
    const q = fields(request.query);
    if (q["new"])
      return page(
        ctx,
        "New rule file",
        editor(
          ctx,
          "",
          'rule "My rule"\n  when\n    (TRUE)\n  then\n    removeField "029"\nend\n',
          [],
          true,
          profileOf(q),
        ),
      );
    const name = q["name"] ?? "";
    const current = ctx.institution
      ? await currentProfile(web.catalog, ctx.institution.code, profileOf(q))
      : {};
    const text = current.profile?.ruleFiles?.[name];
    if (text === undefined)
      return page(
        ctx,
        "Rule file not found",
        html`<p>
          No rule file ${name}. <a href="${rulesUrl("/rules", profileOf(q))}">Rule files</a>.
        </p>`,
      );
    return page(
      ctx,
      `Rule file ${name}`,
      editor(ctx, name, text, checkStoredFile(text).errors, false, profileOf(q)),
    );
  });
  pageRoute(app, web, "POST", "/rules/file", "administer", async (ctx, request, reply) => {
    const form = fields(request.body);
    const name = (form["name"] ?? "").trim();
    const text = (form["text"] ?? "").replace(/\r\n/g, "\n");
    if (!ctx.institution) return page(ctx, "Rule files", html`<p>There is no institution yet.</p>`);
    const asked = profileOf(form);
    const current = await currentProfile(web.catalog, ctx.institution.code, asked);
    if (!current.profile)
      return page(
        ctx,
        "Rule files",
        html`<p>
          ${
            asked === undefined
              ? "Create the OCLC Connexion profile first."
              : `There is no OCLC Connexion profile ${asked}.`
          }
        </p>`,
      );
    const checked = checkStoredFile(text);
    const errors = [...checked.errors];
    const problems: string[] = [];
    if (!/^[\w.-]{1,100}$/.test(name))
      problems.push(`the file name "${name}" must be 1–100 letters, digits, ".", "_" or "-"`);
    const profile = current.profile;
    if (errors.length === 0 && ruleFileNames(profile).includes(name)) {
      const expected = expectedKind(profile, name);
      if (checked.kind !== expected)
        problems.push(`the profile uses ${name} for ${expected}, but it now holds ${checked.kind}`);
    }
    if (errors.length > 0 || problems.length > 0) {
      reply.code(422);
      return page(
        ctx,
        name ? `Rule file ${name}` : "New rule file",
        editor(ctx, name, text, errors, !(profile.ruleFiles && name in profile.ruleFiles), asked),
        problems.length > 0 ? { kind: "error", text: problems.join("; ") } : undefined,
      );
    }
    await web.catalog.setIntegrationProfile({
      institution: ctx.institution.code,
      type: CONNEXION_INTEGRATION_TYPE,
      code: profile.code,
      settings: { ...profile, ruleFiles: { ...(profile.ruleFiles ?? {}), [name]: text } },
    });
    redirect(reply, rulesUrl("/rules/file", asked, `name=${encodeURIComponent(name)}`), {
      kind: "ok",
      text: `${name} saved (${checked.kind}${checked.kind === "validation" ? "" : `, ${checked.rules} rule(s)`}), no errors.`,
    });
    return undefined;
  });
  pageRoute(app, web, "GET", "/rules/try", "view", async (ctx, request) => {
    const q = fields(request.query);
    const current =
      ctx.institution && q["name"]
        ? await currentProfile(web.catalog, ctx.institution.code, profileOf(q))
        : {};
    return page(
      ctx,
      "Try rules on a record",
      tryForm(ctx, current.profile?.ruleFiles?.[q["name"] ?? ""] ?? "", q["record"] ?? ""),
    );
  });
  pageRoute(app, web, "POST", "/rules/try", "view", async (ctx, request, reply) => {
    const form = fields(request.body);
    const rulesText = (form["rules"] ?? "").replace(/\r\n/g, "\n");
    const recordText = (form["record"] ?? "").trim();
    if (rulesText.length > TRY_LIMIT || recordText.length > TRY_LIMIT) {
      reply.code(413);
      return page(ctx, "Try rules on a record", tryForm(ctx, "", ""), {
        kind: "error",
        text: `The rules and the record may have at most ${TRY_LIMIT.toLocaleString("en-US")} characters each.`,
      });
    }
    const parsed = parseRules(rulesText);
    let record: MarcRecord | undefined;
    let problem: string | undefined;
    if (/^99\d+$/.test(recordText)) {
      await ctx.access.record(web.catalog, recordText, "view");
      record = (await web.catalog.record(recordText))?.marc;
      if (!record) problem = `No record ${recordText}.`;
    } else {
      const read = await readOneRecord(Buffer.from(recordText));
      if ("error" in read) problem = `The record: ${read.error}`;
      else record = read.record;
    }
    const top = tryForm(ctx, rulesText, recordText);
    if (parsed.errors.length > 0) {
      return page(
        ctx,
        "Try rules on a record",
        html`${top}
          <h2>Errors</h2>
          ${numbered(rulesText, checkStoredFile(rulesText).errors)}`,
        { kind: "error", text: `The rules have ${parsed.errors.length} error(s).` },
      );
    }
    if (!record)
      return page(ctx, "Try rules on a record", top, {
        kind: "error",
        text: problem ?? "No record.",
      });
    const result = normalize(record, parsed.rules);
    return page(
      ctx,
      "Try rules on a record",
      html`${top}
        <div class="layout halves">
          <section>
            <h2>Before</h2>
            <div class="card">${taggedDisplay(record)}</div>
          </section>
          <section>
            <h2>After</h2>
            <div class="card">${taggedDisplay(result.record)}</div>
          </section>
        </div>
        <h2>Log</h2>
        ${logTable(result.log)}`,
    );
  });
}
