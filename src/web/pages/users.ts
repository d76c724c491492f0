/** Users (installation administrators: add, set a role per institution, the flag) and each user's own account page (API tokens). */
import type { FastifyInstance } from "fastify";
import { MIN_PASSWORD, USER_ROLES, describeRoles, type UserRole } from "../../catalog/accounts.js";
import { CatalogError, type Zone } from "../../catalog/catalog.js";
import { hashPassword } from "../../import/password.js";
import { html } from "../html.js";
import { csrfField, dataTable, page, postButton, when } from "../layout.js";
import { fields, pageRoute, redirect, type Web } from "../server.js";

function roleSelect(id: string, chosen: string, none: boolean): ReturnType<typeof html> {
  return html`<select id="${id}" name="role">
    ${none ? html`<option value="none">no role</option>` : ""}
    ${USER_ROLES.map((r) => html`<option value="${r}" ${r === chosen ? html` selected` : ""}>${r}</option>`)}
  </select>`;
}

function institutionSelect(id: string, institutions: readonly Zone[]): ReturnType<typeof html> {
  return html`<select id="${id}" name="institution">
    ${institutions.map((z) => html`<option value="${z.code}">${z.code} — ${z.name}</option>`)}
  </select>`;
}

export function register(app: FastifyInstance, web: Web): void {
  // Accounts are the installation administrators' (migration 14); roles are per institution.
  pageRoute(app, web, "GET", "/users", "installation", async (ctx) => {
    const users = await web.catalog.users();
    const institutions = ctx.access.zones.filter((z) => z.kind === "institution");
    return page(
      ctx,
      "Users",
      html`${dataTable(
          [
            { heading: "Name", cell: (u) => u.name },
            {
              heading: "Roles",
              cell: (u) =>
                u.roles.length === 0
                  ? html`<span class="muted">no role</span>`
                  : html`<ul>
                      ${u.roles.map((r) => html`<li>${r.role} in ${r.institution}</li>`)}
                    </ul>`,
            },
            {
              heading: "Installation administrator",
              cell: (u) =>
                postButton(
                  ctx,
                  "/users/installation-admin",
                  u.installationAdmin ? `Yes — revoke for ${u.name}` : `No — make ${u.name} one`,
                  { name: u.name, admin: u.installationAdmin ? "0" : "1" },
                  "secondary",
                ),
            },
            { heading: "Created", cell: (u) => when(u.created) },
            {
              heading: "Set a role",
              cell: (u) =>
                html`<form method="post" action="/users/role" class="row">
                  ${csrfField(ctx)}<input type="hidden" name="name" value="${u.name}" /><label
                    for="institution-${u.name}"
                    class="muted"
                    >Institution of ${u.name}</label
                  >${institutionSelect(`institution-${u.name}`, institutions)}<label
                    for="role-${u.name}"
                    class="muted"
                    >Role of ${u.name}</label
                  >${roleSelect(`role-${u.name}`, "Viewer", true)}<button
                    type="submit"
                    class="secondary"
                  >
                    Set
                  </button>
                </form>`,
            },
          ],
          users,
        )}
        <h2>Institutions</h2>
        ${dataTable(
          [
            { heading: "Code", cell: (z) => z.code },
            { heading: "Name", cell: (z) => z.name },
            {
              heading: "Kind",
              cell: (z) => (z.kind === "network" ? "network zone" : "institution"),
            },
            { heading: "Network zone", cell: (z) => z.network ?? "" },
            {
              heading: "Staff",
              cell: (z) =>
                z.kind === "institution"
                  ? String(
                      users.filter((u) => u.roles.some((r) => r.institution === z.code)).length,
                    )
                  : "",
            },
          ],
          ctx.access.zones,
          { empty: "No institution yet." },
        )}
        <form method="post" action="/institutions" class="stack card">
          ${csrfField(ctx)}<label for="zone-code">Institution code</label
          ><input type="text" id="zone-code" name="code" required />
          <label for="zone-name">Name</label
          ><input type="text" id="zone-name" name="name" required />
          <label for="zone-network">Member of the network zone</label>
          <select id="zone-network" name="network">
            <option value="">none</option>
            ${ctx.access.zones
              .filter((z) => z.kind === "network")
              .map((z) => html`<option value="${z.code}">${z.code} — ${z.name}</option>`)}
          </select>
          <p><button type="submit">Add institution</button></p>
        </form>
        <h2>Add a user</h2>
        <form method="post" action="/users" class="stack card">
          ${csrfField(ctx)} <label for="new-name">User name</label
          ><input type="text" id="new-name" name="name" required />
          <label for="new-institution">Institution</label
          >${institutionSelect("new-institution", institutions)}
          <label for="new-role">Role</label>${roleSelect("new-role", "Viewer", true)}
          <label
            ><input type="checkbox" name="installationAdmin" value="1" /> Installation administrator
            (manages accounts)</label
          >
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
  pageRoute(app, web, "POST", "/institutions", "installation", async (_ctx, request, reply) => {
    const form = fields(request.body);
    const network = form["network"] ?? "";
    try {
      const zone = await web.catalog.addInstitution({
        code: (form["code"] ?? "").trim(),
        name: (form["name"] ?? "").trim(),
        ...(network !== "" ? { network } : {}),
      });
      redirect(reply, "/users", {
        kind: "ok",
        text: `Institution ${zone.code} added (MMS ID suffix ${zone.suffix}); it has no staff until you give roles.`,
      });
    } catch (error) {
      if (!(error instanceof CatalogError)) throw error;
      redirect(reply, "/users", { kind: "error", text: error.message });
    }
    return undefined;
  });
  pageRoute(app, web, "POST", "/users", "installation", async (_ctx, request, reply) => {
    const form = fields(request.body);
    const password = form["password"] ?? "";
    if (password.length < MIN_PASSWORD) {
      redirect(reply, "/users", {
        kind: "error",
        text: `The password must have at least ${MIN_PASSWORD} characters.`,
      });
      return undefined;
    }
    const role = form["role"] ?? "";
    const user = await web.catalog.addUser({
      name: form["name"] ?? "",
      roles:
        role === "none" ? [] : [{ institution: form["institution"] ?? "", role: role as UserRole }],
      installationAdmin: form["installationAdmin"] === "1",
      passwordHash: await hashPassword(password),
    });
    redirect(reply, "/users", {
      kind: "ok",
      text: `User ${user.name} (${describeRoles(user)}) added.`,
    });
    return undefined;
  });
  pageRoute(app, web, "POST", "/users/role", "installation", async (_ctx, request, reply) => {
    const form = fields(request.body);
    const name = form["name"] ?? "";
    const institution = form["institution"] ?? "";
    const role = form["role"] ?? "";
    const user = await web.catalog.user(name);
    if (!user) throw new CatalogError("unknown-user", `No user ${name}.`);
    const others = user.roles.filter((r) => r.institution !== institution);
    const updated = await web.catalog.updateUser(name, {
      roles: role === "none" ? others : [...others, { institution, role: role as UserRole }],
    });
    redirect(reply, "/users", { kind: "ok", text: `${updated.name}: ${describeRoles(updated)}.` });
    return undefined;
  });
  pageRoute(
    app,
    web,
    "POST",
    "/users/installation-admin",
    "installation",
    async (ctx, request, reply) => {
      const form = fields(request.body);
      const name = form["name"] ?? "";
      if (name === ctx.principal.user.name) {
        redirect(reply, "/users", {
          kind: "error",
          text: "You cannot change your own installation administrator flag (another administrator can).",
        });
        return undefined;
      }
      const updated = await web.catalog.updateUser(name, {
        installationAdmin: form["admin"] === "1",
      });
      redirect(reply, "/users", {
        kind: "ok",
        text: `${updated.name}: ${describeRoles(updated)}.`,
      });
      return undefined;
    },
  );
  pageRoute(app, web, "GET", "/account", "signed-in", async (ctx) => {
    const tokens = await web.catalog.accessKeys(ctx.principal.user.name, "token");
    return page(
      ctx,
      `Account ${ctx.principal.user.name}`,
      html`<p>Roles: ${describeRoles(ctx.principal.user)}.</p>
        <h2>API tokens</h2>
        <p>
          Scripts call the REST API (<a href="/api/openapi.json">/api/openapi.json</a>) with
          <code>Authorization: Bearer TOKEN</code>; a token acts with your roles, in your
          institutions only (<code>?institution=CODE</code> picks one).
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
  pageRoute(app, web, "POST", "/account/tokens", "signed-in", async (ctx, request) => {
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
  pageRoute(
    app,
    web,
    "POST",
    "/account/tokens/revoke",
    "signed-in",
    async (ctx, request, reply) => {
      const hash = fields(request.body)["hash"] ?? "";
      const mine = await web.catalog.accessKeys(ctx.principal.user.name, "token");
      if (mine.some((t) => t.hash === hash)) await web.catalog.removeAccessKey(hash);
      redirect(reply, "/account", { kind: "ok", text: "Token revoked." });
      return undefined;
    },
  );
}
