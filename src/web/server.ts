/**
 * The HTTP side: one Fastify server for the staff pages (server-rendered HTML, no JavaScript),
 * the REST API under /api, /healthz, and the record link every Connexion reply gives. Every page
 * and API call but /healthz, /login and the style sheet needs a session (browser) or an API
 * token (scripts); every form carries the session's CSRF token.
 */
import { randomBytes } from "node:crypto";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { CatalogError, type Catalog } from "../catalog/catalog.js";
import type { ConnexionStats } from "../connexion/server.js";
import type { Importer } from "../import/importer.js";
import {
  AccessDenied,
  InOtherInstitution,
  requestAccess,
  staffInstitutions,
  unmetNeed,
  type RouteNeed,
} from "./access.js";
import {
  Auth,
  cookie,
  parseCookies,
  sameSecret,
  SESSION_COOKIE,
  SESSION_MS,
  type LoginThrottles,
  type Principal,
} from "./auth.js";
import { html, type Html } from "./html.js";
import { barePage, page, type Flash, type PageContext } from "./layout.js";
import { registerSru } from "../sru/route.js";
import { registerOai } from "../publish/oai-route.js";
import { STYLE_CSS } from "./style.js";
import { noteUser, registerObservability, type ObserveOptions } from "./observe.js";

/** What the pages and the API work with (and the access log, metrics and /livez: observe.ts). */
export interface WebOptions extends ObserveOptions {
  readonly catalog: Catalog;
  readonly importer: Importer;
  /** The address staff reach marcgate at (record links). */
  readonly publicUrl: () => string;
  /** The Connexion listener's counters, for /healthz and the status page. */
  readonly connexion?: () => ConnexionStats;
  /** Login throttling (tests pass small ones). @default {@link loginThrottles} */
  readonly throttle?: LoginThrottles;
  /** This node's name, for /healthz and /readyz (several nodes behind a load balancer). */
  readonly nodeName?: string;
  /**
   * Addresses of reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (the
   * client's address for login throttling, HTTPS for cookies). @default none
   */
  readonly trustedProxies?: readonly string[];
  /** True once the server is stopping: /readyz then says 503, so a load balancer drains it. */
  readonly stopping?: () => boolean;
}

/** The shared state of the route modules. */
export interface Web extends WebOptions {
  readonly auth: Auth;
}

/** A form or query as name → value (the last value of a repeated name). */
export type Fields = Readonly<Record<string, string>>;

export const INSTITUTION_COOKIE = "marcgate_institution";

/** Browsers accept Secure cookies over plain HTTP only from localhost; elsewhere HTTPS is needed. */
function secureRequest(request: FastifyRequest): boolean {
  if (request.protocol === "https") return true;
  const host = request.hostname.replace(/:\d+$/, "");
  return host === "localhost" || host === "127.0.0.1" || host === "[::1]" || host === "::1";
}

/** The request's form body or query string as fields. */
export function fields(value: unknown): Fields {
  if (typeof value !== "object" || value === null) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v === "string") out[k] = v;
    else if (Array.isArray(v) && typeof v[v.length - 1] === "string")
      out[k] = v[v.length - 1] as string;
  }
  return out;
}

/** The signed-in user of a browser request, if any. */
async function sessionOf(web: Web, request: FastifyRequest): Promise<Principal | undefined> {
  return web.auth.principal(parseCookies(request.headers.cookie).get(SESSION_COOKIE), "session");
}

/** The URL with `institution=CODE` in its query (in place of one it has). */
function withInstitution(url: string, code: string): string {
  const parsed = new URL(url, "http://marcgate.invalid");
  parsed.searchParams.set("institution", code);
  return parsed.pathname + parsed.search;
}

/** A page handler: returns the page, or nothing when it answered itself (redirect, download). */
export type PageHandler = (
  ctx: PageContext,
  request: FastifyRequest,
  reply: FastifyReply,
) => Promise<Html | undefined>;

/** Sends a page. */
export function sendHtml(reply: FastifyReply, body: Html, status = 200): FastifyReply {
  return reply.code(status).type("text/html; charset=utf-8").send(body.text);
}

/** Redirects after a POST (303 See Other), with a message for the next page. */
export function redirect(reply: FastifyReply, to: string, flash?: Flash): FastifyReply {
  if (flash) {
    reply.header(
      "set-cookie",
      cookie("marcgate_flash", `${flash.kind}:${flash.text}`, { secure: false, maxAgeSeconds: 60 }),
    );
  }
  return reply.code(303).header("location", to).send();
}

/** The message a redirect left, read once. */
function takeFlash(request: FastifyRequest, reply: FastifyReply): Flash | undefined {
  const value = parseCookies(request.headers.cookie).get("marcgate_flash");
  if (!value) return undefined;
  reply.header("set-cookie", cookie("marcgate_flash", "", { secure: false, maxAgeSeconds: 0 }));
  const [kind, ...text] = value.split(":");
  return kind === "ok" || kind === "error" || kind === "warn"
    ? { kind, text: text.join(":") }
    : undefined;
}

/** Registers a signed-in page: GET shows, POST acts (CSRF checked first). */
export function pageRoute(
  app: FastifyInstance,
  web: Web,
  method: "GET" | "POST",
  url: string,
  need: RouteNeed,
  handler: PageHandler,
): void {
  app.route({
    method,
    url,
    handler: async (request, reply) => {
      const principal = await sessionOf(web, request);
      if (principal) noteUser(request, principal.user.name);
      if (!principal) {
        if (method === "GET") {
          return reply
            .code(303)
            .header("location", `/login?next=${encodeURIComponent(request.url)}`)
            .send();
        }
        return sendHtml(
          reply,
          barePage("Session ended", html`<p><a href="/login">Log in again</a>.</p>`),
          401,
        );
      }
      const cookies = parseCookies(request.headers.cookie);
      // The institution menu's choice; a link may name one (`?institution=CODE`).
      const wanted = fields(request.query)["institution"] ?? cookies.get(INSTITUTION_COOKIE);
      const access = (await requestAccess(web.catalog, principal.user, wanted, false))!;
      const institution = access.institution;
      const role = institution ? access.roleFor(institution.code) : undefined;
      const ctx: PageContext = {
        principal,
        access,
        ...(institution ? { institution } : {}),
        ...(role ? { role } : {}),
        institutions: staffInstitutions(principal.user, access.zones),
        csrf: principal.key.csrf ?? "",
        path: request.url,
      };
      if (method === "POST") {
        const sent = fields(request.body)["_csrf"] ?? "";
        if (!principal.key.csrf || !sameSecret(sent, principal.key.csrf)) {
          return sendHtml(
            reply,
            page(
              ctx,
              "Form expired",
              html`<p>
                The form was not sent from this session (missing or wrong CSRF token). Go back,
                reload the page and try again.
              </p>`,
            ),
            403,
          );
        }
      }
      const unmet = unmetNeed(access, need);
      if (unmet !== undefined) {
        return sendHtml(reply, page(ctx, "Not allowed", html`<p>${unmet}</p>`), 403);
      }
      const flash = takeFlash(request, reply);
      try {
        const body = await handler({ ...ctx, ...(flash ? { flash } : {}) }, request, reply);
        if (body) return sendHtml(reply, body, reply.statusCode);
        return reply;
      } catch (error) {
        if (error instanceof InOtherInstitution) {
          const here = ctx.institution?.code ?? "no institution";
          return sendHtml(
            reply,
            page(
              ctx,
              "Not found",
              html`<p>${error.message}</p>
                <p>
                  You are working in ${here}; it is in view from
                  ${error.institutions.map((z, i) =>
                    method === "GET"
                      ? html`${i > 0 ? ", " : ""}<a href="${withInstitution(request.url, z.code)}"
                            >${z.code}</a
                          >`
                      : html`${i > 0 ? ", " : ""}${z.code}`,
                  )}
                  (switch institution in the menu).
                </p>`,
            ),
            404,
          );
        }
        if (error instanceof AccessDenied) {
          const sentence = `${error.message.charAt(0).toUpperCase()}${error.message.slice(1)}.`;
          return sendHtml(reply, page(ctx, "Not allowed", html`<p>${sentence}</p>`), 403);
        }
        if (error instanceof CatalogError) {
          const status = error.code.startsWith("unknown") ? 404 : 409;
          return sendHtml(
            reply,
            page(ctx, status === 404 ? "Not found" : "Refused", html`<p>${error.message}</p>`),
            status,
          );
        }
        throw error;
      }
    },
  });
}

/** A registered route: its method and its URL pattern (`/jobs/:id`). */
export interface RegisteredRoute {
  readonly method: string;
  readonly url: string;
}

const ROUTES = new WeakMap<FastifyInstance, RegisteredRoute[]>();

/**
 * Every route {@link buildServer} registered (HEAD routes Fastify adds for GET left out): the
 * isolation test checks each one against a user of another institution.
 */
export function routesOf(app: FastifyInstance): readonly RegisteredRoute[] {
  return ROUTES.get(app) ?? [];
}

/** Builds the Fastify server with every route (not listening yet). */
export async function buildServer(options: WebOptions): Promise<FastifyInstance> {
  const web: Web = { ...options, auth: new Auth(options.catalog, options.throttle) };
  const app = Fastify({
    logger: false,
    bodyLimit: 16 * 1024 * 1024,
    ...(web.trustedProxies && web.trustedProxies.length > 0
      ? { trustProxy: [...web.trustedProxies] }
      : {}),
  });
  const routes: RegisteredRoute[] = [];
  ROUTES.set(app, routes);
  app.addHook("onRoute", (route) => {
    for (const method of [route.method].flat()) {
      if (method !== "HEAD") routes.push({ method, url: route.url });
    }
  });
  app.addContentTypeParser(
    "application/x-www-form-urlencoded",
    { parseAs: "string" },
    (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    },
  );
  app.addContentTypeParser(
    ["application/marc", "application/octet-stream", "application/marcxml+xml", "text/plain"],
    { parseAs: "buffer" },
    (_request, body, done) => {
      done(null, body);
    },
  );
  app.addHook("onSend", async (_request, reply, payload) => {
    reply.header("x-content-type-options", "nosniff");
    reply.header("cache-control", reply.getHeader("cache-control") ?? "no-store");
    reply.header("referrer-policy", "same-origin");
    if (String(reply.getHeader("content-type") ?? "").startsWith("text/html")) {
      reply.header(
        "content-security-policy",
        "default-src 'self'; script-src 'none'; frame-ancestors 'none'",
      );
    }
    return payload;
  });

  registerObservability(app, web);
  app.get("/static/style.css", async (_request, reply) =>
    reply.type("text/css; charset=utf-8").header("cache-control", "max-age=3600").send(STYLE_CSS),
  );
  app.get("/healthz", async (_request, reply) => {
    await web.catalog.zones();
    return reply.send({
      status: "ok",
      ...(web.nodeName !== undefined ? { node: web.nodeName } : {}),
      catalog: web.catalog.engine,
      connexion: web.connexion?.(),
    });
  });
  // Readiness, for a load balancer's health checks: the catalog answers within a moment. A node
  // whose database is unreachable says 503 and is routed around (docs/scale-out.md).
  app.get("/readyz", async (_request, reply) => {
    const node = web.nodeName !== undefined ? { node: web.nodeName } : {};
    const problem = web.stopping?.()
      ? "the node is stopping (answering the exports in progress)"
      : await catalogProblem(web.catalog);
    if (problem !== undefined) {
      return reply.code(503).send({ status: "not ready", ...node, reason: problem });
    }
    return reply.send({ status: "ready", ...node, catalog: web.catalog.engine });
  });

  app.get("/login", async (request, reply) => {
    const next = safeNext(fields(request.query)["next"]);
    if (await sessionOf(web, request)) return reply.code(303).header("location", next).send();
    return sendLogin(request, reply, next, secureRequest(request) ? undefined : INSECURE);
  });
  app.post("/login", async (request, reply) => {
    const form = fields(request.body);
    const next = safeNext(form["next"]);
    // Login CSRF: a foreign page must not log the browser into another account. The form
    // carries the token of the login cookie (double submit), and a browser's Origin, when
    // sent, must be this server.
    const token = parseCookies(request.headers.cookie).get(LOGIN_COOKIE);
    if (!sameOrigin(request) || !token || !sameSecret(form["_csrf"] ?? "", token)) {
      const expired: Flash = {
        kind: "error",
        text: "The login form was not sent from this site, or it expired; log in again.",
      };
      return sendLogin(request, reply, next, expired, "", 403);
    }
    const result = await web.auth.login(form["name"] ?? "", form["password"] ?? "", request.ip);
    if (!result.ok) {
      const flash: Flash = { kind: "error", text: result.message };
      return sendLogin(request, reply, next, flash, form["name"], 401);
    }
    reply.header("set-cookie", [
      cookie(SESSION_COOKIE, result.secret, {
        secure: secureRequest(request),
        maxAgeSeconds: SESSION_MS / 1000,
      }),
      cookie(LOGIN_COOKIE, "", { secure: secureRequest(request), maxAgeSeconds: 0 }),
    ]);
    return reply.code(303).header("location", next).send();
  });
  app.post("/logout", async (request, reply) => {
    const secret = parseCookies(request.headers.cookie).get(SESSION_COOKIE);
    const principal = await sessionOf(web, request);
    // Logging out needs the CSRF token too (a foreign page must not end the session).
    if (
      secret &&
      principal?.key.csrf &&
      sameSecret(fields(request.body)["_csrf"] ?? "", principal.key.csrf)
    ) {
      await web.auth.logout(secret);
    }
    reply.header(
      "set-cookie",
      cookie(SESSION_COOKIE, "", { secure: secureRequest(request), maxAgeSeconds: 0 }),
    );
    return reply.code(303).header("location", "/login").send();
  });
  pageRoute(app, web, "POST", "/institution", "signed-in", async (ctx, request, reply) => {
    const code = fields(request.body)["institution"] ?? "";
    if (!ctx.institutions.some((z) => z.code === code)) {
      redirect(reply, "/search", { kind: "error", text: `No institution ${code}.` });
      return undefined;
    }
    reply.header(
      "set-cookie",
      cookie(INSTITUTION_COOKIE, code, {
        secure: secureRequest(request),
        maxAgeSeconds: 365 * 86400,
      }),
    );
    reply.code(303).header("location", "/search").send();
    return undefined;
  });
  app.get("/", async (_request, reply) => reply.code(303).header("location", "/search").send());
  // SRU (src/sru/): open, read-only, outside the staff session.
  registerSru(app, web.catalog);
  // OAI-PMH (src/publish/): open, read-only, outside the staff session.
  registerOai(app, web.catalog);

  const modules = await Promise.all([
    import("./pages/search.js"),
    import("./pages/record.js"),
    import("./pages/profiles.js"),
    import("./pages/rules.js"),
    import("./pages/jobs.js"),
    import("./pages/review-compare.js"),
    import("./pages/status.js"),
    import("./pages/users.js"),
    import("./pages/publishing.js"),
    import("./api.js"),
  ]);
  for (const module of modules) module.register(app, web);

  app.setNotFoundHandler(async (request, reply) =>
    request.url.startsWith("/api/")
      ? reply.code(404).send({ error: "not-found", message: `no ${request.method} ${request.url}` })
      : sendHtml(
          reply,
          barePage(
            "Not found",
            html`<p>No page ${request.url}. <a href="/search">Repository search</a>.</p>`,
          ),
          404,
        ),
  );
  return app;
}

const INSECURE: Flash = {
  kind: "warn",
  text: "This connection is not encrypted: the session cookie is sent without the Secure flag. Put marcgate behind HTTPS for use beyond this machine.",
};

/** The cookie whose value the login form must carry back (login CSRF). */
export const LOGIN_COOKIE = "marcgate_login";

/**
 * Whether a browser's `Origin` (when sent) is this server: its host and port are the request's
 * `Host` (the scheme is not compared: behind an HTTPS proxy the browser says `https:` to a
 * server that is spoken to over HTTP).
 */
function sameOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === (request.headers.host ?? "");
  } catch {
    return false; // "null" (a sandboxed or privacy-redirected page) and other non-URLs
  }
}

/** The login page with a fresh login token (cookie and hidden field). */
function sendLogin(
  request: FastifyRequest,
  reply: FastifyReply,
  next: string,
  flash?: Flash,
  name = "",
  status = 200,
): FastifyReply {
  const token = randomBytes(32).toString("base64url");
  reply.header(
    "set-cookie",
    cookie(LOGIN_COOKIE, token, { secure: secureRequest(request), maxAgeSeconds: 3600 }),
  );
  return sendHtml(reply, loginPage(next, token, flash, name), status);
}

/**
 * Where to go after login: a path of this server, else `/search` (no open redirect). Browsers
 * read `\` as `/` and drop tabs and line breaks anywhere in a URL, so `/\evil.example` and
 * `/<TAB>/evil.example` are other hosts; a percent-encoded `/` or `\` right after the first
 * slash (`/%2F`, `/%5C`) is refused too, as servers and proxies that decode it would go there.
 */
export function safeNext(next: string | undefined): string {
  if (next === undefined || !next.startsWith("/")) return "/search";
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  if (/[\u0000-\u0020\u007f\\]/.test(next)) return "/search";
  if (/^\/(\/|%2f|%5c)/i.test(next)) return "/search";
  const base = "http://marcgate.invalid";
  let url: URL;
  try {
    url = new URL(next, base);
  } catch {
    return "/search";
  }
  if (url.origin !== base) return "/search";
  const path = url.pathname + url.search + url.hash;
  // Dot segments can leave `//` in front (`/a/../..//evil.example`).
  return path.startsWith("//") || path.startsWith("/login") ? "/search" : path;
}

function loginPage(next: string, token: string, flash?: Flash, name = ""): Html {
  return barePage(
    "Log in",
    html`<div class="card">
      <form method="post" action="/login" class="stack">
        <input type="hidden" name="_csrf" value="${token}" />
        <input type="hidden" name="next" value="${next}" />
        <label for="name">User name</label
        ><input
          type="text"
          id="name"
          name="name"
          value="${name}"
          autocomplete="username"
          required
          autofocus
        />
        <label for="password">Password</label
        ><input
          type="password"
          id="password"
          name="password"
          autocomplete="current-password"
          required
        />
        <p><button type="submit">Log in</button></p>
      </form>
      <p class="muted">
        No account yet? The first administrator is created on the server:
        <code>marcgate user add NAME --installation-admin</code> (and a role in an institution:
        <code>--role "General System Administrator" --institution CODE</code>).
      </p>
    </div>`,
    flash,
  );
}

/** How long /readyz waits for the catalog. */
const READY_TIMEOUT_MS = 2_000;

/** Why the catalog does not answer now, if it does not. */
async function catalogProblem(catalog: Catalog): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((done) => {
    timer = setTimeout(
      () => done(`the catalog did not answer within ${READY_TIMEOUT_MS} ms`),
      READY_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([
      catalog.zones().then(
        () => undefined,
        (error: unknown) =>
          `the catalog cannot be read: ${error instanceof Error ? error.message : String(error)}`,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
