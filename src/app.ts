/**
 * The composition root: a catalog, the importer, the Connexion gateway and listener, and the
 * HTTP server, started together by `marcgate serve` (and by the tests and the benchmark).
 */
import { hostname } from "node:os";
import type { Catalog } from "./catalog/catalog.js";
import { ConnexionGateway } from "./connexion/gateway.js";
import {
  ConnexionServer,
  type ConnexionServerOptions,
  type ConnexionStats,
} from "./connexion/server.js";
import type { LogonThrottleOptions } from "./connexion/throttle.js";
import { Importer } from "./import/importer.js";
import type { Log } from "./observe/log.js";
import { ServerMetrics } from "./observe/server-metrics.js";
import { timedCatalog } from "./observe/timed-catalog.js";
import { startHttp } from "./web/http.js";
import { isLoopback } from "./web/observe.js";

export { isLoopback };

/** Options of {@link startApp}. */
export interface AppOptions {
  /** @default 5500 */
  readonly connexionPort?: number;
  /** @default 8080 */
  readonly httpPort?: number;
  /** The Connexion listener's address (and the HTTP server's, unless `httpHost`). @default "::" */
  readonly host?: string;
  /** The HTTP server's address. @default `host` */
  readonly httpHost?: string;
  /**
   * The address of the HTTP server as catalogers reach it, for the record links in replies.
   * @default `http://<host name>:<HTTP port>`; `http://127.0.0.1:<HTTP port>` when HTTP listens on loopback only
   */
  readonly publicUrl?: string;
  /** The institution of exports that send no logon ID. */
  readonly defaultInstitution?: string;
  /** Listener limits and timeouts. */
  readonly connexion?: Omit<ConnexionServerOptions, "port" | "host" | "log">;
  readonly throttle?: LogonThrottleOptions;
  /** One line per export and per event (and per failed HTTP request). */
  readonly log?: Log;
  /** One line per HTTP request. @default none */
  readonly accessLog?: Log;
  /** Addresses besides loopback that may read /metrics. @default none */
  readonly metricsAllow?: readonly string[];
  /** The running version, for `marcgate_info`. */
  readonly version?: string;
  /** This node's name, in /healthz and /readyz (the log function adds it to its lines). */
  readonly nodeName?: string;
  /**
   * Load balancers in front of this node: their Connexion connections begin with a PROXY
   * protocol header, their HTTP requests' X-Forwarded-For is believed.
   */
  readonly trustedProxies?: readonly string[];
}

/** A running marcgate. */
export interface App {
  readonly connexionPort: number;
  readonly httpPort: number;
  readonly publicUrl: string;
  /** The Connexion listener's counters (as /healthz gives them). */
  connexionStats(): ConnexionStats;
  /** What /metrics renders. */
  readonly metrics: ServerMetrics;
  /** Stops listening, answers the exports being handled, finishes the open jobs. The catalog stays open. */
  close(): Promise<void>;
}

/** Starts the Connexion listener and the HTTP server on a catalog. */
export async function startApp(plainCatalog: Catalog, options: AppOptions = {}): Promise<App> {
  const log = options.log ?? (() => undefined);
  let publicUrl = options.publicUrl?.replace(/\/+$/, "");
  // Filled in once the listener and the importer exist; read only when /metrics is scraped.
  const sources: { connexion?: ConnexionServer; importer?: Importer } = {};
  const metrics = new ServerMetrics({
    connexion: () => sources.connexion!.stats,
    connexionLoad: () => sources.connexion!.load,
    importQueue: () => sources.importer!.queued,
    jobStates: () => catalog.jobStates(),
    info: {
      engine: plainCatalog.engine,
      ...(options.nodeName !== undefined ? { node: options.nodeName } : {}),
      ...(options.version !== undefined ? { version: options.version } : {}),
    },
  });
  const catalog = timedCatalog(plainCatalog, {
    seconds: metrics.catalogSeconds,
    errors: metrics.catalogErrors,
  });
  const importer = new Importer(catalog);
  sources.importer = importer;
  const gateway = new ConnexionGateway(catalog, importer, {
    ...(options.defaultInstitution !== undefined
      ? { defaultInstitution: options.defaultInstitution }
      : {}),
    ...(options.throttle ? { throttle: options.throttle } : {}),
    recordUrl: (mmsId) => `${publicUrl ?? ""}/records/${mmsId}`,
  });
  const answer = async (...[request, peer]: Parameters<ConnexionGateway["handle"]>) => {
    const started = performance.now();
    const outcome = await gateway.handle(request, peer);
    metrics.exports.inc({ outcome: outcome.outcome });
    metrics.replySeconds.observe((performance.now() - started) / 1000);
    return outcome;
  };
  const connexion = new ConnexionServer(answer, {
    ...options.connexion,
    ...(options.trustedProxies ? { trustedProxies: options.trustedProxies } : {}),
    port: options.connexionPort ?? 5500,
    ...(options.host !== undefined ? { host: options.host } : {}),
    log,
  });
  sources.connexion = connexion;
  let stopping = false;
  const httpHost = options.httpHost ?? options.host;
  const http = await startHttp(catalog, importer, {
    port: options.httpPort ?? 8080,
    ...(httpHost !== undefined ? { host: httpHost } : {}),
    connexion: () => connexion.stats,
    publicUrl: () => publicUrl ?? "",
    ...(options.nodeName !== undefined ? { nodeName: options.nodeName } : {}),
    ...(options.trustedProxies ? { trustedProxies: options.trustedProxies } : {}),
    ...(options.accessLog ? { accessLog: options.accessLog } : {}),
    log,
    metrics,
    ...(options.metricsAllow ? { metricsAllow: options.metricsAllow } : {}),
    stopping: () => stopping,
  });
  let listening;
  try {
    listening = await connexion.listen();
  } catch (error) {
    await http.close();
    throw error;
  }
  publicUrl ??= `http://${httpHost !== undefined && isLoopback(httpHost) ? (httpHost.includes(":") ? `[${httpHost}]` : httpHost) : hostname()}:${http.port}`;
  return {
    connexionPort: listening.port,
    httpPort: http.port,
    publicUrl,
    connexionStats: () => connexion.stats,
    metrics,
    close: async () => {
      stopping = true;
      await connexion.close();
      await gateway.close();
      await http.close();
    },
  };
}
