/**
 * The HTTP side, first version: `/healthz` for monitoring and `/records/MMSID`, the address a
 * Connexion reply points the cataloger to (the record's header and its MARC in mnemonic form).
 * The staff pages and the REST API come later on the same port.
 */
import http from "node:http";
import { CatalogError, type Catalog, type StoredRecord } from "../catalog/catalog.js";
import { recordForInstitution } from "../catalog/institution-view.js";
import { formatSummary, recordSummary } from "../catalog/summary.js";
import { writeMnemonic } from "../marc/mnemonic.js";
import type { ConnexionStats } from "../connexion/server.js";

/** Options of {@link startHttp}. */
export interface HttpOptions {
  /** @default 8080 */
  readonly port?: number;
  /** @default "::" */
  readonly host?: string;
  /** The listener's counters, for `/healthz`. */
  readonly connexion?: () => ConnexionStats;
}

/** A running HTTP server. */
export interface HttpServer {
  readonly port: number;
  close(): Promise<void>;
}

function send(response: http.ServerResponse, status: number, type: string, body: string): void {
  response.writeHead(status, {
    "content-type": `${type}; charset=utf-8`,
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
  });
  response.end(body);
}

/** Starts the HTTP server. */
export async function startHttp(catalog: Catalog, options: HttpOptions = {}): Promise<HttpServer> {
  const server = http.createServer((request, response) => {
    void route(catalog, options, request, response).catch((error: unknown) => {
      send(
        response,
        500,
        "text/plain",
        `error: ${error instanceof Error ? error.message : String(error)}\n`,
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 8080, options.host ?? "::", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  return {
    port: typeof address === "object" && address ? address.port : 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function route(
  catalog: Catalog,
  options: HttpOptions,
  request: http.IncomingMessage,
  response: http.ServerResponse,
): Promise<void> {
  const url = new URL(request.url ?? "/", "http://localhost");
  if (request.method !== "GET" && request.method !== "HEAD") {
    send(response, 405, "text/plain", "only GET\n");
    return;
  }
  if (url.pathname === "/healthz") {
    await catalog.zones();
    send(
      response,
      200,
      "application/json",
      `${JSON.stringify({ status: "ok", catalog: catalog.engine, connexion: options.connexion?.() })}\n`,
    );
    return;
  }
  const record = /^\/records\/(99\d+)$/.exec(url.pathname);
  if (record) {
    // ?institution=CODE: the record as that institution sees it (its local fields of a
    // network-zone record put in).
    const institution = url.searchParams.get("institution");
    let stored: StoredRecord | undefined;
    try {
      stored =
        institution !== null
          ? (await recordForInstitution(catalog, record[1]!, institution))?.record
          : await catalog.record(record[1]!);
    } catch (error) {
      if (!(error instanceof CatalogError)) throw error;
      send(response, 404, "text/plain", `${error.message}\n`);
      return;
    }
    if (!stored) {
      send(response, 404, "text/plain", `no record ${record[1]!}\n`);
      return;
    }
    send(
      response,
      200,
      "text/plain",
      `${formatSummary(recordSummary(stored))}\n${writeMnemonic(stored.marc)}`,
    );
    return;
  }
  send(response, 404, "text/plain", "not found; try /healthz or /records/MMSID\n");
}
