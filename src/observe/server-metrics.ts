/**
 * The metrics of `marcgate serve` (docs/operations.md, "Monitoring"): what the Connexion
 * listener, the import queue, the jobs, the catalog and the HTTP server do, by name. The
 * composition root (`src/app.ts`) feeds them; `/metrics` renders them.
 */
import { Metrics, SECONDS_BUCKETS, type Counter, type Histogram } from "./metrics.js";

/** What is read when scraped. Each is optional (tests give what they have). */
export interface MetricSources {
  /** The Connexion listener's counters and open connections. */
  readonly connexion?: () => {
    readonly connections: number;
    readonly refusedConnections: number;
    readonly shedConnections: number;
  };
  /** Exports being answered, and requests waiting behind another on their connection. */
  readonly connexionLoad?: () => { readonly answering: number; readonly queued: number };
  /** Records waiting in the importer to be decided. */
  readonly importQueue?: () => number;
  /** Jobs by state, over every institution. */
  readonly jobStates?: () => Promise<Readonly<Record<string, number>>>;
  /** `marcgate_info` labels: the catalog engine and this node's name. */
  readonly info?: { readonly engine: string; readonly node?: string; readonly version?: string };
}

/** Bigger buckets for Connexion replies: an export's reply waits for its batch's commit. */
const REPLY_BUCKETS: readonly number[] = [...SECONDS_BUCKETS, 30, 60];

/** The families of `marcgate serve`, and the ones its parts add to. */
export class ServerMetrics {
  readonly registry = new Metrics();
  /** Exports by outcome (`created`, `merged`, `rejected`, `unauthorized`, …). */
  readonly exports: Counter;
  /** Seconds from a request's arrival in full to its reply. */
  readonly replySeconds: Histogram;
  /** HTTP requests answered, by status code. */
  readonly httpRequests: Counter;
  readonly httpSeconds: Histogram;
  /** Catalog calls, seconds by operation. */
  readonly catalogSeconds: Histogram;
  readonly catalogErrors: Counter;

  constructor(sources: MetricSources = {}) {
    const m = this.registry;
    if (sources.info) {
      const { engine, node, version } = sources.info;
      m.gauge("marcgate_info", "This marcgate: its version, catalog engine and node name.", () => [
        {
          labels: { version: version ?? "", engine, node: node ?? "" },
          value: 1,
        },
      ]);
    }
    const startSeconds = Math.round(Date.now() / 1000 - process.uptime());
    m.gauge(
      "process_start_time_seconds",
      "When the process started, in seconds since 1970.",
      () => [{ value: startSeconds }],
    );
    m.gauge("process_resident_memory_bytes", "Resident memory of the process.", () => [
      { value: process.memoryUsage.rss() },
    ]);
    this.exports = m.counter(
      "marcgate_connexion_exports_total",
      "Connexion exports answered, by outcome.",
      ["outcome"],
    );
    this.replySeconds = m.histogram(
      "marcgate_connexion_reply_seconds",
      "Seconds from a Connexion request received to its reply.",
      { buckets: REPLY_BUCKETS },
    );
    const connexion = sources.connexion;
    if (connexion) {
      m.gauge("marcgate_connexion_connections", "Open Connexion connections.", () => [
        { value: connexion().connections },
      ]);
      m.counterOf(
        "marcgate_connexion_refused_connections_total",
        "Connexion connections refused (limits, bad PROXY header).",
        () => [{ value: connexion().refusedConnections }],
      );
      m.counterOf(
        "marcgate_connexion_shed_connections_total",
        "Silent Connexion connections closed to make room for new ones.",
        () => [{ value: connexion().shedConnections }],
      );
    }
    const load = sources.connexionLoad;
    if (load) {
      m.gauge("marcgate_connexion_in_flight", "Connexion exports being answered now.", () => [
        { value: load().answering },
      ]);
      m.gauge(
        "marcgate_connexion_queued",
        "Connexion requests received and waiting behind an earlier one of their connection.",
        () => [{ value: load().queued }],
      );
    }
    const importQueue = sources.importQueue;
    if (importQueue) {
      m.gauge(
        "marcgate_import_queue_depth",
        "Records waiting in the importer to be decided.",
        () => [{ value: importQueue() }],
      );
    }
    const jobStates = sources.jobStates;
    if (jobStates) {
      m.gauge("marcgate_jobs", "Import jobs by state (open, finished, failed).", async () =>
        Object.entries(await jobStates()).map(([state, value]) => ({ labels: { state }, value })),
      );
    }
    this.catalogSeconds = m.histogram(
      "marcgate_catalog_operation_seconds",
      "Seconds per catalog (database) call, by operation.",
      { labelNames: ["operation"] },
    );
    this.catalogErrors = m.counter(
      "marcgate_catalog_operation_errors_total",
      "Catalog (database) calls that failed, by operation.",
      ["operation"],
    );
    this.httpRequests = m.counter(
      "marcgate_http_requests_total",
      "HTTP requests answered, by status code.",
      ["status"],
    );
    this.httpSeconds = m.histogram(
      "marcgate_http_request_seconds",
      "Seconds from an HTTP request to its response.",
    );
  }
}
