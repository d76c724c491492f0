/** The status page: is the Connexion listener up, exports today, failures, the review queue's size. */
import type { FastifyInstance } from "fastify";
import type { Catalog, Zone } from "../../catalog/catalog.js";
import { outcomeHeading } from "../../catalog/outcome-words.js";
import { html } from "../html.js";
import { page } from "../layout.js";
import { pageRoute, type Web } from "../server.js";

/** The figures of the status page (and `GET /api/status`). */
export interface Status {
  readonly catalog: string;
  readonly listener?: {
    readonly up: boolean;
    readonly connections: number;
    readonly exports: number;
    readonly failures: number;
    readonly refusedConnections: number;
  };
  readonly institution?: string;
  /** Records received today (UTC) by the institution's jobs, how many failed and how many were held for review. */
  readonly today?: { readonly received: number; readonly failed: number; readonly held: number };
  readonly reviewQueue?: number;
}

export async function status(
  web: Web,
  catalog: Catalog,
  institution: Zone | undefined,
): Promise<Status> {
  const stats = web.connexion?.();
  const base: Status = {
    catalog: catalog.engine,
    ...(stats ? { listener: { up: true, ...stats } } : {}),
  };
  if (!institution) return base;
  const midnight = new Date();
  midnight.setUTCHours(0, 0, 0, 0);
  const jobs = (await catalog.jobs(institution.code, { limit: 100 })).filter(
    (j) => (j.finished ?? new Date()) >= midnight,
  );
  let received = 0;
  let failed = 0;
  let held = 0;
  for (const job of jobs) {
    for (const row of await catalog.jobRecords(job.id)) {
      if (row.received < midnight || row.forcedFrom !== undefined) continue;
      received++;
      if (row.outcome === "rejected") failed++;
      if (row.outcome === "review") held++;
    }
  }
  const queue = await catalog.reviewQueue(institution.code, { limit: 10_000 });
  return {
    ...base,
    institution: institution.code,
    today: { received, failed, held },
    reviewQueue: queue.length,
  };
}

export function register(app: FastifyInstance, web: Web): void {
  pageRoute(app, web, "GET", "/status", "view", async (ctx) => {
    const s = await status(web, web.catalog, ctx.institution);
    return page(
      ctx,
      "Status",
      html`<div class="counters" aria-label="Status">
        <div>
          <b>${s.listener ? "up" : "not running"}</b>Connexion
          listener${s.listener ? html` <span class="muted">(${s.listener.connections} open connection(s))</span>` : ""}
        </div>
        <div>
          <b>${s.today?.received ?? 0}</b>Exports today${s.institution ? ` (${s.institution})` : ""}
        </div>
        <div><b>${s.today?.failed ?? 0}</b>${outcomeHeading("rejected")} today</div>
        <div><b>${s.today?.held ?? 0}</b>${outcomeHeading("review")} today</div>
        <div>
          <b>${s.listener?.failures ?? 0}</b>Failed exports since start
          <span class="muted">(of ${s.listener?.exports ?? 0})</span>
        </div>
        <div><b>${s.reviewQueue ?? 0}</b><a href="/review">Review queue</a></div>
        <div><b>${s.catalog}</b>Catalog engine</div>
      </div>`,
    );
  });
}
