/**
 * The REST API under /api (described by /api/openapi.json): what the pages show, as JSON, for
 * scripts with an API token (`Authorization: Bearer …`) or the browser's session (writes then
 * need the session's CSRF token in `X-CSRF-Token`). Errors are `{ error, message }` with a
 * status: 400 bad request, 401 no credentials, 403 role, 404 unknown, 409 refused, 422 invalid.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { CatalogError, type Catalog, type StoredRecord, type Zone } from "../catalog/catalog.js";
import { recordForInstitution } from "../catalog/institution-view.js";
import { deleteRecord } from "../catalog/record-actions.js";
import { jobRowsPage, jobRowsRequest } from "../catalog/job-pages.js";
import { outcomeLabel, outcomeVocabulary, reportLines } from "../catalog/outcome-words.js";
import { jobRowLog } from "../import/log.js";
import { logonIdFor } from "../connexion/logon-id.js";
import {
  CONNEXION_INTEGRATION_TYPE,
  describeProfile,
  type StoredProfileSettings,
} from "../import/profile.js";
import { forceHeld, type ForceTarget } from "../import/review.js";
import { readIncoming, textIncoming, type Incoming } from "../import/decide.js";
import { loadConnexionProfile } from "../import/profile.js";
import { isFormatName, readFormat, sniffFormat } from "../marc/formats.js";
import { readIso2709WithBytes } from "../marc/iso2709.js";
import { writeMarcJson } from "../marc/marcjson.js";
import type { MarcRecord } from "../marc/record.js";
import {
  AccessDenied,
  InOtherInstitution,
  requestAccess,
  unmetNeed,
  type Access,
  type RouteNeed,
} from "./access.js";
import { parseCookies, sameSecret, SESSION_COOKIE, type Principal } from "./auth.js";
import { OPENAPI } from "./openapi.js";
import { sendRecordFile } from "./pages/record.js";
import { status } from "./pages/status.js";
import { saveProfile } from "./profile-form.js";
import { fields, type Web } from "./server.js";
import { noteUser } from "./observe.js";
import { runSearch, searchRequest } from "./service.js";

/** A record as a MARC-in-JSON object (the writer's text, parsed). */
function marcJsonOf(marc: MarcRecord): unknown {
  return JSON.parse(writeMarcJson(marc)) as unknown;
}

/**
 * Each record of a body with the bytes to keep for it: as sent for ISO 2709, else written as
 * ISO 2709 (see {@link textIncoming} for a record too big for it).
 */
async function* bodyRecords(
  raw: Buffer,
  format: ReturnType<typeof sniffFormat>,
): AsyncGenerator<{ index: number; bytes: Uint8Array; incoming: Incoming }> {
  if (format === "iso2709") {
    for await (const { result, bytes } of readIso2709WithBytes([raw]))
      yield { index: result.index, bytes, incoming: readIncoming(bytes) };
    return;
  }
  for await (const read of readFormat(format, [raw])) {
    // A record that does not read is kept as the text it came as (rejected, with its reason).
    const { raw: bytes, incoming } = textIncoming(read, raw);
    yield { index: read.index, bytes, incoming };
  }
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A numeric id from the path (`/api/jobs/{id}`): a whole number, else a 400 that names the
 * bad id (`Number("abc")` had answered "no job NaN").
 */
function idParam(request: FastifyRequest, name: "id" | "row"): number {
  const text = fields(request.params)[name] ?? "";
  if (!/^[0-9]{1,15}$/.test(text))
    throw new ApiError(400, "invalid-id", `${name} ${JSON.stringify(text)} is not a whole number`);
  return Number(text);
}

interface ApiContext {
  readonly principal: Principal;
  /** What the token's (or session's) user may touch: the one check of every route. */
  readonly access: Access;
  /** The institution the call works in: `?institution=CODE`, else the user's first. */
  readonly institution?: Zone;
}

type ApiHandler = (
  ctx: ApiContext,
  request: FastifyRequest,
  reply: FastifyReply,
) => Promise<unknown>;

function route(
  app: FastifyInstance,
  web: Web,
  method: "GET" | "POST" | "PUT" | "DELETE",
  url: string,
  need: RouteNeed,
  handler: ApiHandler,
): void {
  app.route({
    method,
    url,
    handler: async (request, reply) => {
      try {
        const authorization = request.headers.authorization;
        let principal: Principal | undefined;
        if (authorization?.startsWith("Bearer ")) {
          principal = await web.auth.principal(authorization.slice(7).trim(), "token");
          if (!principal)
            throw new ApiError(401, "unauthorized", "the API token is unknown or revoked");
          noteUser(request, principal.user.name);
        } else {
          principal = await web.auth.principal(
            parseCookies(request.headers.cookie).get(SESSION_COOKIE),
            "session",
          );
          if (!principal)
            throw new ApiError(
              401,
              "unauthorized",
              "send Authorization: Bearer TOKEN (create a token on the account page)",
            );
          noteUser(request, principal.user.name);
          if (method !== "GET") {
            const sent = request.headers["x-csrf-token"];
            if (
              typeof sent !== "string" ||
              !principal.key.csrf ||
              !sameSecret(sent, principal.key.csrf)
            ) {
              throw new ApiError(
                403,
                "csrf",
                "a session's write needs its CSRF token in X-CSRF-Token",
              );
            }
          }
        }
        // An institution the user does not work in is answered as one that does not exist.
        const wanted = fields(request.query)["institution"];
        const access = await requestAccess(web.catalog, principal.user, wanted, true);
        if (!access) throw new ApiError(404, "unknown-zone", `no institution ${wanted ?? ""}`);
        const unmet = unmetNeed(access, need);
        if (unmet !== undefined) throw new ApiError(403, "forbidden", unmet);
        const institution = access.institution;
        const result = await handler(
          { principal, access, ...(institution ? { institution } : {}) },
          request,
          reply,
        );
        if (result === undefined) return reply;
        return reply.send(result);
      } catch (error) {
        if (error instanceof ApiError)
          return reply.code(error.status).send({ error: error.code, message: error.message });
        if (error instanceof InOtherInstitution)
          return reply.code(404).send({
            error: error.notFound.code,
            message: `${error.message} (in view from ${error.institutions.map((z) => z.code).join(", ")}: ask with ?institution=)`,
          });
        if (error instanceof AccessDenied)
          return reply.code(403).send({ error: "forbidden", message: error.message });
        if (error instanceof CatalogError) {
          const code = error.code.startsWith("unknown")
            ? 404
            : error.code === "invalid"
              ? 422
              : 409;
          return reply.code(code).send({ error: error.code, message: error.message });
        }
        throw error;
      }
    },
  });
}

function recordJson(record: StoredRecord): Record<string, unknown> {
  const { marc, lock, ...header } = record;
  return { ...header, ...(lock ? { lock } : {}), marc: marcJsonOf(marc) };
}

/** A record the user may view: as `institution` sees it, else as stored. */
async function recordOf(
  catalog: Catalog,
  access: Access,
  mmsId: string,
  institution: Zone | undefined,
): Promise<StoredRecord> {
  await access.record(catalog, mmsId, "view");
  const record = institution
    ? ((await recordForInstitution(catalog, mmsId, institution.code).catch(() => undefined))
        ?.record ?? (await catalog.record(mmsId)))
    : await catalog.record(mmsId);
  if (!record) throw new ApiError(404, "unknown-record", `no record ${mmsId}`);
  return record;
}

/** A Connexion profile as the API shows it: its settings, whether it is the default, its logon ID. */
function connexionProfileBody(
  institution: string,
  profile: StoredProfileSettings,
  isDefault: boolean,
): Record<string, unknown> {
  return {
    ...describeProfile(profile),
    isDefault,
    logonId: logonIdFor(institution, isDefault ? undefined : profile.code),
  };
}

function body(request: FastifyRequest): Record<string, unknown> {
  const b = request.body;
  if (typeof b !== "object" || b === null || Array.isArray(b) || Buffer.isBuffer(b)) return {};
  return b as Record<string, unknown>;
}

export function register(app: FastifyInstance, web: Web): void {
  app.get("/api/openapi.json", async (_request, reply) => reply.send(OPENAPI));

  route(app, web, "GET", "/api/status", "view", async (ctx) =>
    status(web, web.catalog, ctx.institution),
  );

  route(app, web, "GET", "/api/search", "view", async (ctx, request) => {
    const parsed = searchRequest(fields(request.query));
    if ("error" in parsed) throw new ApiError(400, "bad-index", parsed.error);
    return runSearch(web.catalog, ctx.access.workingInstitution("view"), parsed.request);
  });

  route(app, web, "GET", "/api/records/:mmsId", "view", async (ctx, request, reply) => {
    const mmsId = fields(request.params)["mmsId"] ?? "";
    // ?institution=CODE: the record as that institution sees it; without it, as stored.
    const record = await recordOf(
      web.catalog,
      ctx.access,
      mmsId,
      fields(request.query)["institution"] !== undefined ? ctx.institution : undefined,
    );
    const format = fields(request.query)["format"];
    if (format !== undefined) {
      if (!isFormatName(format))
        throw new ApiError(400, "bad-format", `"${format}" is not iso2709, marcxml, json or mrk`);
      sendRecordFile(reply, mmsId, record.marc, format);
      return undefined;
    }
    return recordJson(record);
  });
  route(app, web, "GET", "/api/records/:mmsId/versions", "view", async (ctx, request) => {
    const mmsId = fields(request.params)["mmsId"] ?? "";
    await ctx.access.record(web.catalog, mmsId, "view");
    const versions = await web.catalog.versions(mmsId);
    return versions.map(({ marc, ...v }) => ({ ...v, marc: marcJsonOf(marc) }));
  });
  route(app, web, "POST", "/api/records/:mmsId/restore", "catalog", async (ctx, request) => {
    const mmsId = fields(request.params)["mmsId"] ?? "";
    await ctx.access.record(web.catalog, mmsId, "catalog");
    const version = body(request)["version"];
    if (typeof version !== "number")
      throw new ApiError(400, "bad-request", 'send { "version": N }');
    return web.catalog.restore(mmsId, version, {
      savedBy: ctx.principal.user.name,
      action: "restore",
    });
  });

  route(app, web, "GET", "/api/jobs", "view", async (ctx) =>
    web.catalog.jobs(ctx.access.workingInstitution("view").code, { limit: 100 }),
  );
  route(app, web, "POST", "/api/records/:mmsId/delete", "catalog", async (ctx, request) => {
    const mmsId = fields(request.params)["mmsId"] ?? "";
    await ctx.access.record(web.catalog, mmsId, "catalog");
    return deleteRecord(web.catalog, mmsId, ctx.principal.user.name);
  });
  route(app, web, "GET", "/api/outcomes", "signed-in", () => Promise.resolve(outcomeVocabulary()));
  route(app, web, "GET", "/api/jobs/:id", "view", async (ctx, request) => {
    const id = idParam(request, "id");
    await ctx.access.job(web.catalog, id, "view");
    const report = await web.catalog.jobReport(id);
    if (!report) throw new ApiError(404, "unknown-job", `no job ${id}`);
    const q = fields(request.query);
    const { rows, ...shown } = await jobRowsPage(
      web.catalog,
      report.job,
      jobRowsRequest({ outcome: q["outcome"], page: q["page"] }),
    );
    return {
      report: { ...report, outcomes: reportLines(report) },
      ...shown,
      records: rows.map(({ raw, log: _log, ...row }) => ({
        ...row,
        outcomeLabel: outcomeLabel(row.outcome),
        raw: Buffer.from(raw).toString("base64"),
        log: jobRowLog({ log: _log }),
      })),
    };
  });
  route(app, web, "POST", "/api/jobs/:id/undo", "catalog", async (ctx, request) => {
    const job = await ctx.access.job(web.catalog, idParam(request, "id"), "catalog");
    return web.catalog.undoJob(job.id, ctx.principal.user.name);
  });

  route(app, web, "GET", "/api/review", "view", async (ctx) =>
    (
      await web.catalog.reviewQueue(ctx.access.workingInstitution("view").code, { limit: 1000 })
    ).map(({ raw, log, ...row }) => ({
      ...row,
      outcomeLabel: outcomeLabel(row.outcome),
      raw: Buffer.from(raw).toString("base64"),
      log: jobRowLog({ log }),
    })),
  );
  route(app, web, "POST", "/api/review/:row/force", "catalog", async (ctx, request, reply) => {
    const row = await ctx.access.jobRow(web.catalog, idParam(request, "row"), "catalog");
    const given = body(request)["target"];
    const target: ForceTarget =
      given === "new"
        ? "new"
        : typeof given === "string" && /^99\d+$/.test(given)
          ? { into: given }
          : "again";
    if (typeof target === "object") await ctx.access.record(web.catalog, target.into, "catalog");
    const result = await forceHeld(
      web.catalog,
      web.importer,
      row.id,
      target,
      ctx.principal.user.name,
    );
    if ("refused" in result) {
      reply.code(409);
      return { error: "refused", message: result.refused };
    }
    return {
      outcome: result.forced.decision.outcome,
      outcomeLabel: outcomeLabel(result.forced.decision.outcome),
      mmsId: result.forced.mmsId,
      reason: result.forced.decision.reason,
      entryId: result.forced.entryId,
    };
  });
  route(app, web, "POST", "/api/review/:row/discard", "catalog", async (ctx, request) => {
    const row = await ctx.access.jobRow(web.catalog, idParam(request, "row"), "catalog");
    const note = body(request)["note"];
    return web.catalog.discardReview(
      row.id,
      ctx.principal.user.name,
      typeof note === "string" ? note : undefined,
    );
  });

  route(app, web, "GET", "/api/profiles", "view", async (ctx) => {
    const institution = ctx.access.workingInstitution("view");
    const loaded = await loadConnexionProfile(web.catalog, institution.code);
    return {
      institution: institution.code,
      profiles: (await web.catalog.integrationProfiles(institution.code)).map((p) => ({
        code: p.code,
        type: p.type,
        isDefault: p.isDefault,
        ...(p.type === CONNEXION_INTEGRATION_TYPE
          ? { logonId: logonIdFor(institution.code, p.isDefault ? undefined : p.code) }
          : {}),
        updated: p.updated,
      })),
      // The default OCLC Connexion profile's settings.
      connexion: loaded && "profile" in loaded ? describeProfile(loaded.profile) : loaded?.error,
    };
  });
  route(app, web, "GET", "/api/profiles/connexion/:code", "view", async (ctx, request) => {
    const institution = ctx.access.workingInstitution("view");
    const code = fields(request.params)["code"] ?? "";
    const loaded = await loadConnexionProfile(web.catalog, institution.code, code);
    if (!loaded) {
      throw new ApiError(
        404,
        "no-profile",
        `${institution.code} has no OCLC Connexion profile ${code}`,
      );
    }
    if ("error" in loaded) throw new ApiError(409, "profile", loaded.error);
    return connexionProfileBody(institution.code, loaded.profile, loaded.isDefault);
  });
  /** Sets the profile of the body's code (new or replaced); with `:code`, the body's code must agree. */
  const putProfile: ApiHandler = async (ctx, request, reply) => {
    const institution = ctx.access.workingInstitution("administer");
    const code = fields(request.params)["code"];
    const settings = body(request);
    if (code !== undefined && settings["code"] !== undefined && settings["code"] !== code) {
      reply.code(422);
      return {
        error: "invalid",
        message: "the profile has errors",
        errors: [{ key: "code", message: `must be ${code}, the profile the address names` }],
      };
    }
    const saved = await saveProfile(
      web.catalog,
      institution,
      code !== undefined ? { ...settings, code } : settings,
    );
    if ("errors" in saved) {
      reply.code(422);
      return { error: "invalid", message: "the profile has errors", errors: saved.errors };
    }
    return connexionProfileBody(institution.code, saved.profile, saved.isDefault);
  };
  route(app, web, "PUT", "/api/profiles/connexion", "administer", putProfile);
  route(app, web, "PUT", "/api/profiles/connexion/:code", "administer", putProfile);
  route(
    app,
    web,
    "POST",
    "/api/profiles/connexion/:code/default",
    "administer",
    async (ctx, request) => {
      const institution = ctx.access.workingInstitution("administer");
      const code = fields(request.params)["code"] ?? "";
      await web.catalog.setDefaultIntegrationProfile(
        institution.code,
        CONNEXION_INTEGRATION_TYPE,
        code,
      );
      return { code, isDefault: true, logonId: institution.code };
    },
  );
  route(app, web, "DELETE", "/api/profiles/connexion/:code", "administer", async (ctx, request) => {
    const institution = ctx.access.workingInstitution("administer");
    const code = fields(request.params)["code"] ?? "";
    await web.catalog.deleteIntegrationProfile(institution.code, CONNEXION_INTEGRATION_TYPE, code);
    return { code, deleted: true };
  });

  route(app, web, "POST", "/api/import", "catalog", async (ctx, request) => {
    const institution = ctx.access.workingInstitution("catalog");
    const raw = request.body;
    if (!Buffer.isBuffer(raw) || raw.length === 0) {
      throw new ApiError(
        400,
        "bad-request",
        "send records as the body (Content-Type application/marc, application/marcxml+xml, text/plain or application/octet-stream)",
      );
    }
    const profileCode = fields(request.query)["profile"] || undefined;
    const loaded = await loadConnexionProfile(web.catalog, institution.code, profileCode);
    if (!loaded)
      throw new ApiError(
        409,
        "no-profile",
        `${institution.code} has no OCLC Connexion profile${profileCode !== undefined ? ` ${profileCode}` : ""}`,
      );
    if ("error" in loaded) throw new ApiError(409, "profile", loaded.error);
    const dryRun = fields(request.query)["dryRun"] === "true";
    const from = fields(request.query)["from"];
    const format = from !== undefined && isFormatName(from) ? from : sniffFormat(raw);
    const job = dryRun
      ? undefined
      : await web.catalog.startJob({
          institution: institution.code,
          source: "api",
          description: `API import by ${ctx.principal.user.name}`,
          ...(profileCode !== undefined ? { profile: loaded.profile.code } : {}),
        });
    const results: Record<string, unknown>[] = [];
    try {
      for await (const read of bodyRecords(raw, format)) {
        const bytes = read.bytes;
        const request = {
          raw: bytes,
          incoming: read.incoming,
          institution,
          profile: loaded.profile,
        };
        if (dryRun) {
          const decision = await web.importer.dryRun(request);
          results.push({
            index: read.index,
            outcome: decision.outcome,
            outcomeLabel: outcomeLabel(decision.outcome),
            reasonCode: decision.reasonCode,
            reason: decision.reason,
            mmsId: decision.mmsId,
            log: decision.log,
          });
        } else {
          const result = await web.importer.import({
            ...request,
            jobId: job!.id,
            savedBy: ctx.principal.user.name,
            source: { kind: "api", index: read.index },
          });
          results.push({
            index: read.index,
            outcome: result.decision.outcome,
            outcomeLabel: outcomeLabel(result.decision.outcome),
            reasonCode: result.decision.reasonCode,
            reason: result.decision.reason,
            mmsId: result.mmsId,
            entryId: result.entryId,
          });
        }
      }
    } catch (error) {
      // The job says why it ended early (a record the catalog refused, the database away).
      if (job) {
        const why = error instanceof Error ? error.message : String(error);
        await web.catalog.finishJob(job.id, `${why} (after ${results.length} records)`);
      }
      throw error;
    }
    if (job) await web.catalog.finishJob(job.id);
    return { dryRun, ...(job ? { jobId: job.id } : {}), records: results };
  });
}
