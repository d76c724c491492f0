/**
 * The OAI-PMH endpoint on the web server: `GET` and `POST` `/oai/{institution}`. Open without
 * login, like the SRU (Alma's OAI-PMH is open too): it reads, never writes.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Catalog } from "../catalog/catalog.js";
import { loadConnexionProfile } from "../import/profile.js";
import { oai } from "./oai.js";

const XML = "text/xml; charset=utf-8";

function parameters(source: unknown): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (typeof source !== "object" || source === null) return out;
  for (const [name, value] of Object.entries(source as Record<string, unknown>)) {
    const values = (Array.isArray(value) ? value : [value]).filter(
      (v): v is string => typeof v === "string",
    );
    out[name] = values;
  }
  return out;
}

/**
 * Registers `/oai/:institution`. `adminEmail` is what Identify gives (default `marcgate@` the
 * host); `pageSize` records or headers per list page (default `OAI_PAGE_SIZE`, 100).
 */
export function registerOai(
  app: FastifyInstance,
  catalog: Catalog,
  options: { adminEmail?: string; pageSize?: number } = {},
): void {
  const handle = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const code = (request.params as { institution?: string }).institution ?? "";
    const zone = await catalog.zone(code);
    if (!zone || zone.kind !== "institution")
      return reply
        .code(404)
        .type("text/plain; charset=utf-8")
        .send(`No such institution: ${code}\n`);
    const host = request.headers.host ?? "127.0.0.1";
    const params = parameters(request.method === "POST" ? request.body : request.query);
    // The zone's own format is its Connexion profile's target format (MARC 21 without one).
    const loaded = await loadConnexionProfile(catalog, zone.code);
    const ownFormat = loaded && "profile" in loaded ? loaded.profile.targetFormat : undefined;
    const xml = await oai(
      {
        catalog,
        institution: zone,
        baseUrl: `${request.protocol}://${host}/oai/${encodeURIComponent(code)}`,
        adminEmail: options.adminEmail ?? `marcgate@${host.split(":")[0]}`,
        ...(options.pageSize === undefined ? {} : { pageSize: options.pageSize }),
        ...(ownFormat === undefined ? {} : { ownFormat }),
      },
      params,
    );
    return reply.type(XML).send(xml);
  };
  app.get("/oai/:institution", handle);
  app.post("/oai/:institution", handle);
}
