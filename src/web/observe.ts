/**
 * What the HTTP server tells about itself: the access log (a line per request, after it is
 * answered), the HTTP metrics, `/metrics` (Prometheus text format: loopback clients and the
 * addresses allowed by `--metrics-allow`, others 403), `/livez` (the process answers: for a
 * restart policy, never looks at the catalog) and the log line of a failed request (500).
 * `/healthz` and `/readyz` (the catalog answers: for a load balancer) are in server.ts.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { accessLine } from "../observe/access-log.js";
import type { Log } from "../observe/log.js";
import { METRICS_CONTENT_TYPE } from "../observe/metrics.js";
import type { ServerMetrics } from "../observe/server-metrics.js";

/** Options of {@link registerObservability}. */
export interface ObserveOptions {
  /** One line per answered request. @default none */
  readonly accessLog?: Log;
  /** The server's log, for requests that failed (500). @default none */
  readonly log?: Log;
  /** The server's metrics: HTTP counts go to them, `/metrics` renders them. @default no /metrics */
  readonly metrics?: ServerMetrics;
  /** Addresses besides loopback that may read `/metrics` (a Prometheus server). @default none */
  readonly metricsAllow?: readonly string[];
}

/** Who is signed in on a request, once the route has looked (for the access log). */
const users = new WeakMap<FastifyRequest, string>();

/** Notes the signed-in user of a request (session or API token), for its access line. */
export function noteUser(request: FastifyRequest, name: string): void {
  users.set(request, name);
}

/** Whether an address is a loopback address (127.0.0.0/8, ::1), which only this machine reaches. */
export function isLoopback(address: string): boolean {
  const plain = address.startsWith("::ffff:") ? address.slice(7) : address;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(plain) || plain === "::1" || plain === "localhost";
}

/** Registers the hooks and routes of {@link ObserveOptions}, and `/livez`. */
export function registerObservability(app: FastifyInstance, options: ObserveOptions): void {
  const { accessLog, log, metrics } = options;
  const allowed = new Set(
    (options.metricsAllow ?? []).map((a) => (a.startsWith("::ffff:") ? a.slice(7) : a)),
  );
  app.addHook("onResponse", async (request, reply) => {
    const status = reply.statusCode;
    const ms = reply.elapsedTime;
    metrics?.httpRequests.inc({ status: String(status) });
    metrics?.httpSeconds.observe(ms / 1000);
    if (!accessLog) return;
    const length = Number(reply.getHeader("content-length"));
    const user = users.get(request);
    const { message, fields } = accessLine({
      client: request.ip,
      method: request.method,
      url: request.url,
      status,
      ...(Number.isFinite(length) ? { bytes: length } : {}),
      ms,
      ...(user !== undefined ? { user } : {}),
    });
    accessLog(message, fields);
  });
  if (log) {
    app.addHook("onError", async (request, _reply, error) => {
      const status = (error as { statusCode?: number }).statusCode ?? 500;
      if (status < 500) return;
      log(`http ${request.method} ${request.url.split("?")[0]!} failed: ${error.message}`, {
        event: "http-error",
        method: request.method,
        path: request.url.split("?")[0]!,
        error: error.message,
      });
    });
  }
  app.get("/livez", async (_request, reply) => reply.send({ status: "alive" }));
  if (metrics) {
    app.get("/metrics", async (request, reply) => {
      const client = request.ip.startsWith("::ffff:") ? request.ip.slice(7) : request.ip;
      if (!isLoopback(client) && !allowed.has(client)) {
        return reply
          .code(403)
          .type("text/plain; charset=utf-8")
          .send(`/metrics is for this machine and --metrics-allow addresses, not ${client}\n`);
      }
      return reply.type(METRICS_CONTENT_TYPE).send(await metrics.registry.render());
    });
  }
}
