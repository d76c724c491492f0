/**
 * The SRU endpoint on the web server: `GET /sru/{institution}` (and `POST` of the same
 * parameters as a form, as SRU 2.0 allows). Open like Alma's SRU and Z39.50 servers (no login):
 * it reads, never writes. An unknown institution is an HTTP 404 with an SRU diagnostic.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Catalog } from "../catalog/catalog.js";
import { DIAGNOSTIC, diagnostic } from "../search/diagnostic.js";
import { sru, sruRefusal } from "./sru.js";

const XML = "text/xml; charset=utf-8";

function parameters(source: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof source !== "object" || source === null) return out;
  for (const [name, value] of Object.entries(source as Record<string, unknown>)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === "string") out[name] = first;
  }
  return out;
}

export function registerSru(app: FastifyInstance, catalog: Catalog): void {
  const handle = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const code = (request.params as { institution?: string }).institution ?? "";
    const params = request.method === "POST" ? parameters(request.body) : parameters(request.query);
    const zone = await catalog.zone(code);
    const [host = "127.0.0.1", port = ""] = (request.headers.host ?? "").split(/:(?=\d+$)/);
    if (!zone || zone.kind !== "institution")
      return reply
        .code(404)
        .type(XML)
        .send(
          sruRefusal(params, diagnostic(DIAGNOSTIC.generalSystemError, "No such institution", code))
            .xml,
        );
    const institution = zone;
    const answer = await sru(
      {
        catalog,
        institution,
        host,
        port: Number(port) || 80,
        path: request.url.split("?")[0]!,
      },
      params,
    );
    return reply.type(XML).send(answer.xml);
  };
  app.get("/sru/:institution", handle);
  app.post("/sru/:institution", handle);
}
