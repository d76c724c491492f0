/**
 * The HTTP side's door for the composition root: builds the Fastify server (src/web/server.ts)
 * and listens. `/healthz` for monitoring; `/records/MMSID`, the link each Connexion reply gives,
 * is the record view (after login).
 */
import type { Catalog } from "../catalog/catalog.js";
import type { ConnexionStats } from "../connexion/server.js";
import type { Importer } from "../import/importer.js";
import type { LoginThrottles } from "./auth.js";
import type { ObserveOptions } from "./observe.js";
import { buildServer } from "./server.js";

/** Options of {@link startHttp} (the access log, the log, metrics: see observe.ts). */
export interface HttpOptions extends ObserveOptions {
  /** @default 8080 */
  readonly port?: number;
  /** @default "::" */
  readonly host?: string;
  /** The listener's counters, for `/healthz` and the status page. */
  readonly connexion?: () => ConnexionStats;
  /** The address staff reach marcgate at. */
  readonly publicUrl?: () => string;
  /** Login throttling. @default {@link loginThrottles} */
  readonly loginThrottle?: LoginThrottles;
  /** This node's name, for /healthz and /readyz. */
  readonly nodeName?: string;
  /** Reverse proxies whose X-Forwarded-* headers are believed. */
  readonly trustedProxies?: readonly string[];
  /** True once stopping (/readyz 503). */
  readonly stopping?: () => boolean;
}

/** A running HTTP server. */
export interface HttpServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Starts the HTTP server: the staff pages, the REST API, /healthz. */
export async function startHttp(
  catalog: Catalog,
  importer: Importer,
  options: HttpOptions = {},
): Promise<HttpServer> {
  const app = await buildServer({
    catalog,
    importer,
    publicUrl: options.publicUrl ?? (() => ""),
    ...(options.connexion ? { connexion: options.connexion } : {}),
    ...(options.loginThrottle ? { throttle: options.loginThrottle } : {}),
    ...(options.nodeName !== undefined ? { nodeName: options.nodeName } : {}),
    ...(options.trustedProxies ? { trustedProxies: options.trustedProxies } : {}),
    ...(options.accessLog ? { accessLog: options.accessLog } : {}),
    ...(options.log ? { log: options.log } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
    ...(options.metricsAllow ? { metricsAllow: options.metricsAllow } : {}),
    ...(options.stopping ? { stopping: options.stopping } : {}),
  });
  await app.listen({ port: options.port ?? 8080, host: options.host ?? "::" });
  const address = app.server.address();
  return {
    port: typeof address === "object" && address ? address.port : 0,
    close: async () => {
      app.server.closeAllConnections();
      await app.close();
    },
  };
}
