/** Users (administrators: add, change role, set a password) and each user's own account page (API tokens). */
import type { FastifyInstance } from "fastify";
import { MIN_PASSWORD, USER_ROLES, type UserRole } from "../../catalog/accounts.js";
import { hashPassword } from "../../import/password.js";
import { html } from "../html.js";
import { csrfField, dataTable, page, postButton, when } from "../layout.js";
import { fields, pageRoute, redirect, type Web } from "../server.js";

function roleSelect(id: string, chosen: string): ReturnType<typeof html> {
  return html`<select id="${id}" name="role">
    ${USER_ROLES.map((r) => html`<option value="${r}" ${r === chosen ? html` selected` : ""}>${r}</option>`)}
  </select>`;
}

export function register(app: FastifyInstance, web: Web): void {
  pageRoute(app, web, "GET", "/users", "administer", async (ctx) => {
    const users = await web.catalog.users();
    return page(
      ctx,
      "Users",
      html`${dataTable(
          [
            { heading: "Name", cell: (u) => u.name },
            { heading: "Role", cell: (u) => u.role },
            { heading: "Created", cell: (u) => when(u.created) },
            {
              heading: "Change role",
              cell: (u) =>
                html`<form method="post" action="/users/role" class="row">
                  ${csrfField(ctx)}<input type="hidden" name="name" value="${u.name}" /><label
                    for="role-${u.name}"
                    class="muted"
                    >Role of ${u.name}</label
                  >${roleSelect(`role-${u.name}`, u.role)}<button type="submit" class="secondary">
                    Change
                  </button>
                </form>`,
            },
          ],
          users,
        )}
        <h2>Add a user</h2>
        <form method="post" action="/users" class="stack card">
          ${csrfField(ctx)} <label for="new-name">User name</label
          ><input type="text" id="new-name" name="name" required />
          <label for="new-role">Role</label>${roleSelect("new-role", "Viewer")}
          <label for="new-password"
            >Password <span class="hint">(at least ${MIN_PASSWORD} characters)</span></label
          ><input
            type="password"
            id="new-password"
            name="password"
            autocomplete="new-password"
            required
          />
          <p><button type="submit">Add user</button></p>
        </form>`,
    );
  });
  pageRoute(app, web, "POST", "/users", "administer", async (_ctx, request, reply) => {
    const form = fields(request.body);
    const password = form["password"] ?? "";
    if (password.length < MIN_PASSWORD) {
      redirect(reply, "/users", {
        kind: "error",
        text: `The password must have at least ${MIN_PASSWORD} characters.`,
      });
      return undefined;
    }
    const user = await web.catalog.addUser({
      name: form["name"] ?? "",
      role: (form["role"] ?? "") as UserRole,
      passwordHash: await hashPassword(password),
    });
    redirect(reply, "/users", { kind: "ok", text: `User ${user.name} (${user.role}) added.` });
    return undefined;
  });
  pageRoute(app, web, "POST", "/users/role", "administer", async (ctx, request, reply) => {
    const form = fields(request.body);
    const name = form["name"] ?? "";
    if (name === ctx.principal.user.name) {
      redirect(reply, "/users", {
        kind: "error",
        text: "You cannot change your own role (another administrator can).",
      });
      return undefined;
    }
    const user = await web.catalog.updateUser(name, { role: (form["role"] ?? "") as UserRole });
    redirect(reply, "/users", { kind: "ok", text: `${user.name} is now ${user.role}.` });
    return undefined;
  });
  pageRoute(app, web, "GET", "/account", "view", async (ctx) => {
    const tokens = await web.catalog.accessKeys(ctx.principal.user.name, "token");
    return page(
      ctx,
      `Account ${ctx.principal.user.name}`,
      html`<p>Role: ${ctx.principal.user.role}.</p>
        <h2>API tokens</h2>
        <p>
          Scripts call the REST API (<a href="/api/openapi.json">/api/openapi.json</a>) with
          <code>Authorization: Bearer TOKEN</code>; a token acts with your role.
        </p>
        ${dataTable(
          [
            { heading: "Name", cell: (t) => t.label },
            { heading: "Created", cell: (t) => when(t.created) },
            {
              heading: "Revoke",
              cell: (t) =>
                postButton(
                  ctx,
                  "/account/tokens/revoke",
                  `Revoke ${t.label}`,
                  { hash: t.hash },
                  "danger",
                ),
            },
          ],
          tokens,
        )}
        <form method="post" action="/account/tokens" class="row card">
          ${csrfField(ctx)}<label for="token-name">New token named</label
          ><input type="text" id="token-name" name="label" required /><button type="submit">
            Create token
          </button>
        </form>`,
    );
  });
  pageRoute(app, web, "POST", "/account/tokens", "view", async (ctx, request) => {
    const label = (fields(request.body)["label"] ?? "").trim() || "token";
    const { secret } = await web.auth.createToken(ctx.principal.user.name, label);
    return page(
      ctx,
      "API token created",
      html`<p>The token <strong>${label}</strong> — copy it now, it is not shown again:</p>
        <p class="card"><code id="new-token">${secret}</code></p>
        <p><a href="/account">Back to the account</a></p>`,
    );
  });
  pageRoute(app, web, "POST", "/account/tokens/revoke", "view", async (ctx, request, reply) => {
    const hash = fields(request.body)["hash"] ?? "";
    const mine = await web.catalog.accessKeys(ctx.principal.user.name, "token");
    if (mine.some((t) => t.hash === hash)) await web.catalog.removeAccessKey(hash);
    redirect(reply, "/account", { kind: "ok", text: "Token revoked." });
    return undefined;
  });
}
