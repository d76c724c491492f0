/**
 * The review queue side by side: a record held for review against each record it is about
 * (the candidates that matched, or the locked record it matched), with the match keys that
 * found each candidate, the differences marked (the versions diff, `diffRecords`), and the
 * checks that held it; force import and discard below (Cataloger and up).
 */
import type { FastifyInstance } from "fastify";
import { CatalogError, type JobRecord, type StoredRecord } from "../../catalog/catalog.js";
import { recordForInstitution } from "../../catalog/institution-view.js";
import { outcomeHeading } from "../../catalog/outcome-words.js";
import { searchDocument } from "../../catalog/search-text.js";
import { checksThatHeld, keysThatFound, reviewCandidates } from "../../import/review.js";
import { decodeIso2709 } from "../../marc/iso2709.js";
import type { MarcRecord } from "../../marc/record.js";
import { html, type Html } from "../html.js";
import { dataTable, page, when, type PageContext } from "../layout.js";
import { fields, pageRoute, type Web } from "../server.js";
import { diffRecords } from "../service.js";
import { forceForm } from "./jobs.js";
import { diffTable, taggedDisplay } from "./record.js";

/** The held record as it arrived, when its bytes read as a record. */
function incomingRecord(row: JobRecord): MarcRecord | undefined {
  try {
    return decodeIso2709(row.raw).record;
  } catch {
    return undefined;
  }
}

/**
 * The record with the leader's record length and base address (leader/00-04, 12-16) as zeros:
 * the ISO 2709 writer computes them, so they differ between any two records and say nothing.
 */
function withoutComputedLeader(marc: MarcRecord): MarcRecord {
  const l = marc.leader;
  return { ...marc, leader: `00000${l.slice(5, 12)}00000${l.slice(17)}` };
}

/** A candidate as the job's institution sees it (its network zone's records with its local fields). */
async function candidateRecord(
  web: Web,
  mmsId: string,
  institution: string,
): Promise<StoredRecord | undefined> {
  const view = await recordForInstitution(web.catalog, mmsId, institution).catch(() => undefined);
  return view?.record ?? (await web.catalog.record(mmsId));
}

function candidateSection(
  row: JobRecord,
  incoming: MarcRecord | undefined,
  mmsId: string,
  record: StoredRecord | undefined,
): Html {
  const keys = keysThatFound(row, mmsId);
  if (!record)
    return html`<section class="card" aria-label="Candidate ${mmsId}">
      <h3>Candidate ${mmsId}</h3>
      <p>Record ${mmsId} is not in the catalog any more (deleted since).</p>
    </section>`;
  const title = searchDocument(record.marc).displayTitle || "(no title)";
  const rows = incoming
    ? diffRecords(withoutComputedLeader(incoming), withoutComputedLeader(record.marc))
    : [];
  const changed = rows.filter((r) => !r.same).length;
  return html`<section class="card" aria-label="Candidate ${mmsId}">
    <h3><a href="/records/${mmsId}">${mmsId}</a>: ${title}</h3>
    <p>
      Version ${record.version} · brief level ${record.briefLevel} ·
      ${record.zone}${record.lock ? ` · locked by ${record.lock.by} since ${when(record.lock.since)}` : ""}
    </p>
    <p>
      Match key that matched:
      ${keys.length > 0 ? html`<strong>${keys.join("; ")}</strong>` : html`<span class="muted">none in the decision log (the record was matched before it was held)</span>`}
    </p>
    ${
      incoming
        ? html`<p>
              ${changed === 0 ? "The incoming record and this one are the same." : `${changed} line${changed === 1 ? "" : "s"} differ.`}
            </p>
            ${diffTable(rows, `Incoming (job ${row.jobId}, row #${row.id})`, `${mmsId} (version ${record.version})`)}`
        : html`<p>The incoming bytes do not read as a record.</p>`
    }
  </section>`;
}

export function register(app: FastifyInstance, web: Web): void {
  pageRoute(app, web, "GET", "/review/:row", "view", async (ctx: PageContext, request) => {
    const param = fields(request.params)["row"] ?? "";
    // The row's institution is checked first (src/web/access.ts): another's is "no such row".
    const row = await ctx.access.jobRow(web.catalog, param, "view");
    if (row.outcome !== "review")
      throw new CatalogError("unknown-job", `No job row ${param} held for review.`);
    const job = await web.catalog.job(row.jobId);
    const incoming = incomingRecord(row);
    const mmsIds = reviewCandidates(row);
    const candidates = await Promise.all(
      mmsIds.map((id) => candidateRecord(web, id, job?.institution ?? "")),
    );
    const checks = checksThatHeld(row);
    const open = row.review?.state === "open";
    return page(
      ctx,
      `${outcomeHeading("review")}: job ${row.jobId}, row #${row.id}`,
      html`<p>
          <a href="/review">Back to the review queue</a> ·
          <a href="/jobs/${String(row.jobId)}/rows/${String(row.id)}">the job row</a> · received
          ${when(row.received)} · review ${row.review?.state ?? "—"}
        </p>
        <div class="card">
          <p><strong>${row.reasonCode ?? ""}</strong>: ${row.messages.join(" ")}</p>
        </div>
        <h2>The checks that held it</h2>
        ${dataTable(
          [
            { heading: "Stage", cell: (e) => e.stage },
            { heading: "Check", cell: (e) => e.message },
          ],
          checks,
          { empty: "The decision log names no check; the reason above says why." },
        )}
        <h2>
          The incoming record beside
          ${mmsIds.length === 1 ? "the record" : `each of the ${mmsIds.length} candidates`}
        </h2>
        ${
          mmsIds.length === 0
            ? html`<p>
                  No record matched before it was held (validation holds a record before matching).
                </p>
                ${incoming ? taggedDisplay(incoming, undefined, "Incoming record") : ""}`
            : html`<p class="muted">
                  The incoming record as received (before the profile's normalization); the leader's
                  record length and base address (leader/00-04, 12-16) are shown as zeros, since the
                  ISO 2709 writer computes them.
                </p>
                ${mmsIds.map((id, i) => candidateSection(row, incoming, id, candidates[i]))}`
        }
        ${
          open && job !== undefined && ctx.access.may(job.institution, "catalog")
            ? html`<h2>Resolve</h2>
                <div class="card">${forceForm(ctx, row)}</div>`
            : ""
        }`,
    );
  });
}
