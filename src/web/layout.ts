/** The page shell (header, navigation, institution menu) and small form helpers shared by the pages. */
import type { UserRole } from "../catalog/accounts.js";
import type { Zone } from "../catalog/catalog.js";
import type { Access } from "./access.js";
import type { Principal } from "./auth.js";
import { may } from "./auth.js";
import { html, type Html, type HtmlValue } from "./html.js";

/** What every signed-in page knows. */
export interface PageContext {
  readonly principal: Principal;
  /** What the user may touch; every route asks it with the institution of what it touches. */
  readonly access: Access;
  /**
   * The institution the pages work in (chosen in the header among the user's; the first one by
   * default), and the user's role there.
   */
  readonly institution?: Zone;
  readonly role?: UserRole;
  /** The institutions the user works in (the institution menu). */
  readonly institutions: readonly Zone[];
  /** The session's CSRF token, for the forms. */
  readonly csrf: string;
  /** The request path, for the current navigation entry. */
  readonly path: string;
  /** The message the previous request left (after a redirect). */
  readonly flash?: Flash;
}

/** A message at the top of a page. */
export interface Flash {
  readonly kind: "ok" | "error" | "warn";
  readonly text: string;
}

/** The hidden CSRF field every form carries. */
export function csrfField(ctx: PageContext): Html {
  return html`<input type="hidden" name="_csrf" value="${ctx.csrf}" />`;
}

/** A one-button form (POST), e.g. restore or discard. */
export function postButton(
  ctx: PageContext,
  action: string,
  label: string,
  fields: Readonly<Record<string, string>> = {},
  className = "",
): Html {
  return html`<form method="post" action="${action}" class="inline">
    ${csrfField(ctx)}${Object.entries(fields).map(
      ([name, value]) => html`<input type="hidden" name="${name}" value="${value}" />`,
    )}<button type="submit" class="${className}">${label}</button>
  </form>`;
}

/** One column of a {@link dataTable}: its heading, and its cell for an item. */
export interface Column<T> {
  readonly heading: string;
  readonly cell: (item: T) => HtmlValue;
}

/**
 * A table of items: a header row of the columns' headings, a row per item, and when there are
 * none, one muted row saying `empty`. A column given as `false` is left out (one only some roles
 * see is `canX && { … }`).
 */
export function dataTable<T>(
  columns: readonly (Column<T> | false)[],
  items: readonly T[],
  options: { readonly empty?: string; readonly caption?: Html } = {},
): Html {
  const shown = columns.filter((c): c is Column<T> => c !== false);
  return html`<table>
    ${options.caption}
    <thead>
      <tr>
        ${shown.map((c) => html`<th scope="col">${c.heading}</th>`)}
      </tr>
    </thead>
    <tbody>
      ${items.map(
        (item) =>
          html`<tr>
            ${shown.map((c) => html`<td>${c.cell(item)}</td>`)}
          </tr>`,
      )}
      ${
        items.length === 0 && options.empty !== undefined
          ? html`<tr>
              <td colspan="${shown.length}" class="muted">${options.empty}</td>
            </tr>`
          : ""
      }
    </tbody>
  </table>`;
}

const NAV: readonly { path: string; label: string; admin?: boolean; installation?: boolean }[] = [
  { path: "/search", label: "Repository search" },
  { path: "/jobs", label: "Import jobs" },
  { path: "/review", label: "Review queue" },
  { path: "/profiles", label: "Integration profiles" },
  { path: "/rules", label: "Rule files" },
  { path: "/status", label: "Status" },
  { path: "/users", label: "Users", installation: true },
  { path: "/publishing", label: "Publishing", admin: true },
];

function flashBox(flash: Flash | undefined): HtmlValue {
  return flash
    ? html`<div class="flash ${flash.kind}" role="${flash.kind === "error" ? "alert" : "status"}">
        ${flash.text}
      </div>`
    : undefined;
}

/** A whole signed-in page. */
export function page(ctx: PageContext, title: string, body: Html, flash?: Flash): Html {
  const nav = NAV.filter((n) =>
    n.installation
      ? ctx.principal.user.installationAdmin
      : ctx.role !== undefined && (!n.admin || may(ctx.role, "administer")),
  );
  return document(
    title,
    html`<header class="top">
        <a class="brand" href="/search">marcgate</a><span class="spacer"></span>
        <nav aria-label="Main">
          ${nav.map(
            (n) =>
              html`<a
                href="${n.path}"
                ${ctx.path.startsWith(n.path) ? html` aria-current="page"` : ""}
                >${n.label}</a
              >`,
          )}
        </nav>
        ${
          ctx.institutions.length > 0
            ? html`<form method="post" action="/institution">
                ${csrfField(ctx)}<label for="institution-menu" class="on-dark">Institution</label>
                <select id="institution-menu" name="institution">
                  ${ctx.institutions.map(
                    (z) =>
                      html`<option
                        value="${z.code}"
                        ${z.code === ctx.institution?.code ? html` selected` : ""}
                      >
                        ${z.code} — ${z.name}
                      </option>`,
                  )}
                </select>
                <button type="submit" class="secondary">Switch</button>
              </form>`
            : ""
        }
        <span
          ><a href="/account">${ctx.principal.user.name}</a>
          <span class="on-dark"
            >(${ctx.role ?? "no role here"}${ctx.principal.user.installationAdmin ? "; installation administrator" : ""})</span
          ></span
        >
        <form method="post" action="/logout">
          ${csrfField(ctx)}<button type="submit" class="secondary">Log out</button>
        </form>
      </header>
      <main>
        ${flashBox(flash ?? ctx.flash)}
        <h1>${title}</h1>
        ${body}
      </main>`,
  );
}

/** An HTML document around a body (the login page uses it bare). */
export function document(title: string, body: Html): Html {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} — marcgate</title>
        <link rel="stylesheet" href="/static/style.css" />
      </head>
      <body>
        ${body}
      </body>
    </html> `;
}

/** A page without the signed-in header (login, errors before login). */
export function barePage(title: string, body: Html, flash?: Flash): Html {
  return document(
    title,
    html`<header class="top"><span class="brand">marcgate</span></header>
      <main>
        ${flashBox(flash)}
        <h1>${title}</h1>
        ${body}
      </main>`,
  );
}

/** A date for people: `2026-11-28 04:45:39` UTC. */
export function when(date: Date | undefined): string {
  return date ? `${date.toISOString().slice(0, 19).replace("T", " ")} UTC` : "";
}
