/**
 * The Publishing page (administrators): the institution's records by management tag as OAI-PMH
 * lists them, the publishing log's consumers with their high-water marks, last runs and what is
 * waiting for them, and the OAI-PMH base URL.
 */
import type { FastifyInstance } from "fastify";
import { MANAGEMENT_TAGS } from "../../catalog/catalog.js";
import type { PublishConsumer } from "../../catalog/publishing.js";
import { html } from "../html.js";
import { dataTable, page } from "../layout.js";
import { pageRoute, type Web } from "../server.js";

/** Log rows counted past a consumer's mark before the page says "more than". */
const PENDING_CAP = 1000;

export function register(app: FastifyInstance, web: Web): void {
  pageRoute(app, web, "GET", "/publishing", "administer", async (ctx) => {
    const institution = ctx.institution;
    if (!institution) return page(ctx, "Publishing", html`<p>Choose an institution first.</p>`);
    const zones = [institution.code, ...(institution.network ? [institution.network] : [])];
    const store = web.catalog.publishing;
    const byTag = await Promise.all(
      MANAGEMENT_TAGS.map(async (tag) => ({
        tag,
        count: (await store.publishedItems({ zones, managementTag: tag, limit: 0 })).total,
      })),
    );
    const consumers = await store.consumers();
    const pending = await Promise.all(
      consumers.map(async (c) => (await store.publishLog(zones, c.highWater, PENDING_CAP)).length),
    );
    const rows = consumers.map((c, i) => ({ consumer: c, pending: pending[i]! }));
    return page(
      ctx,
      "Publishing",
      html`<p>
          OAI-PMH: <code>/oai/${institution.code}</code> (open, no login;
          <a href="/oai/${institution.code}?verb=Identify">Identify</a>)
        </p>
        ${dataTable(
          [
            { heading: "Management tag", cell: (r: (typeof byTag)[number]) => r.tag },
            { heading: "Records (deleted ones included)", cell: (r) => String(r.count) },
          ],
          byTag,
        )}
        <h2>Consumers of the publishing log</h2>
        ${dataTable(
          [
            {
              heading: "Consumer",
              cell: (r: { consumer: PublishConsumer; pending: number }) => r.consumer.name,
            },
            { heading: "High-water mark", cell: (r) => String(r.consumer.highWater) },
            { heading: "Last run", cell: (r) => r.consumer.lastRun ?? "never" },
            { heading: "Records last run", cell: (r) => String(r.consumer.lastCount) },
            { heading: "Files last run", cell: (r) => r.consumer.lastFiles.join(", ") },
            {
              heading: "Changes waiting",
              cell: (r) =>
                r.pending >= PENDING_CAP ? `${PENDING_CAP} or more` : String(r.pending),
            },
          ],
          rows,
          { empty: "No consumer has read the log yet (OAI-PMH harvesters keep their own marks)." },
        )}`,
    );
  });
}
