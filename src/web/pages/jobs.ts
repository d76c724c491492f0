/**
 * Import jobs: the history with each job's report counters, a job's rows (outcome, reason, the
 * record, the raw incoming record, the decision log), undo of a job; and the review queue with
 * force-import and discard (Cataloger and up).
 */
import type { FastifyInstance } from "fastify";
import { CatalogError, type JobRecord, type JobReport } from "../../catalog/catalog.js";
import { jobState } from "../../catalog/job-state.js";
import { jobRowLog } from "../../import/log.js";
import { forceHeld, heldCandidates, type ForceTarget } from "../../import/review.js";
import { decodeIso2709 } from "../../marc/iso2709.js";
import { writeMnemonic } from "../../marc/mnemonic.js";
import { may } from "../auth.js";
import { html, type Html } from "../html.js";
import { csrfField, dataTable, page, postButton, when, type PageContext } from "../layout.js";
import { fields, pageRoute, redirect, type Web } from "../server.js";

/** The sum of counts by reason (none: 0). */
function sum(counts: Readonly<Record<string, number>> | undefined): number {
  return Object.values(counts ?? {}).reduce((a, b) => a + b, 0);
}

function byReason(counts: Readonly<Record<string, number>>): Html {
  const entries = Object.entries(counts);
  const total = sum(counts);
  return html`${total}${entries.length > 0 ? html` <span class="muted">(${entries.map(([k, n]) => `${k} ${n}`).join(", ")})</span>` : ""}`;
}

/** The job report as counters. */
export function reportCounters(report: JobReport): Html {
  const cells: [string, Html | number][] = [
    ["Received", report.received],
    ["New", report.created],
    ["Merged", report.merged],
    ["Overlaid", report.overlaid],
    ["Unchanged", report.unchanged],
    ["Skipped", byReason(report.skipped)],
    ["Held for review", byReason(report.heldForReview)],
    ["Rejected by validation", report.rejectedByValidation],
    ["Failed", byReason(report.failed)],
  ];
  if (report.loaded > 0) cells.splice(5, 0, ["Loaded", report.loaded]);
  const { open, forced, discarded } = report.review;
  if (open + forced + discarded > 0)
    cells.push(["Review open / forced / discarded", html`${open} / ${forced} / ${discarded}`]);
  if (report.undone > 0) cells.push(["Undone", report.undone]);
  return html`<div class="counters" aria-label="Job report">
    ${cells.map(([k, v]) => html`<div><b>${v}</b>${k}</div>`)}
  </div>`;
}

/** The raw bytes of a job row for people: the record in mnemonic form when it reads, else the bytes escaped. */
function rawText(row: JobRecord): string {
  try {
    const read = decodeIso2709(row.raw);
    if (read.record) return writeMnemonic(read.record);
  } catch {
    // Shown as bytes below.
  }
  return Buffer.from(row.raw)
    .toString("latin1")
    .replace(
      /[^\x20-\x7e\xa0-\xff]/g,
      (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`,
    );
}

function outcomeBadge(row: JobRecord): Html {
  return html`<span class="badge ${row.outcome}">${row.outcome}</span
    >${row.reasonCode ? html` <span class="muted">${row.reasonCode}</span>` : ""}${row.review ? html` <span class="badge">${row.review.state}</span>` : ""}${row.undone ? html` <span class="badge">undone</span>` : ""}`;
}

function forceForm(ctx: PageContext, row: JobRecord): Html {
  const candidates = heldCandidates(row);
  return html`<form method="post" action="/review/${String(row.id)}/force" class="row">
      ${csrfField(ctx)}
      <label for="target-${String(row.id)}">Force import</label>
      <select id="target-${String(row.id)}" name="target">
        <option value="again">as it comes (decide again)</option>
        <option value="new">as a new record</option>
        ${candidates.map((c) => html`<option value="${c}">into ${c}</option>`)}
      </select>
      <button type="submit">Force import</button>
    </form>
    <form method="post" action="/review/${String(row.id)}/discard" class="row">
      ${csrfField(ctx)}<label for="note-${String(row.id)}">Note</label
      ><input type="text" id="note-${String(row.id)}" name="note" /><button
        type="submit"
        class="danger"
      >
        Discard
      </button>
    </form>`;
}

export function register(app: FastifyInstance, web: Web): void {
  pageRoute(app, web, "GET", "/jobs", "view", async (ctx) => {
    if (!ctx.institution)
      return page(ctx, "Import jobs", html`<p>There is no institution yet.</p>`);
    const jobs = await web.catalog.jobs(ctx.institution.code, { limit: 100 });
    const reports = await Promise.all(jobs.map((j) => web.catalog.jobReport(j.id)));
    return page(
      ctx,
      "Import jobs",
      html`<p>
          The last ${jobs.length} jobs of ${ctx.institution.code} (Connexion exports: one job per
          day).
        </p>
        ${dataTable(
          [
            {
              heading: "Job",
              cell: ({ job }) =>
                html`<a href="/jobs/${String(job.id)}">job ${job.id}</a>
                  <div class="muted">${job.description}</div>`,
            },
            { heading: "Source", cell: ({ job }) => job.source },
            { heading: "Started", cell: ({ job }) => when(job.started) },
            { heading: "Finished", cell: ({ job }) => when(job.finished) || "open" },
            {
              heading: "State",
              cell: ({ job }) =>
                html`<span class="badge ${jobState(job)}" title="${job.failure ?? ""}"
                  >${jobState(job)}</span
                >`,
            },
            { heading: "Received", cell: ({ report }) => report?.received ?? 0 },
            { heading: "New", cell: ({ report }) => report?.created ?? 0 },
            { heading: "Merged", cell: ({ report }) => report?.merged ?? 0 },
            { heading: "Overlaid", cell: ({ report }) => report?.overlaid ?? 0 },
            { heading: "Unchanged", cell: ({ report }) => report?.unchanged ?? 0 },
            { heading: "Skipped", cell: ({ report }) => sum(report?.skipped) },
            {
              heading: "Held",
              cell: ({ report }) =>
                sum(report?.heldForReview) + (report?.rejectedByValidation ?? 0),
            },
            { heading: "Failed", cell: ({ report }) => sum(report?.failed) },
          ],
          jobs.map((job, i) => ({ job, report: reports[i] })),
          { empty: "No jobs yet." },
        )}`,
    );
  });
  pageRoute(app, web, "GET", "/jobs/:id", "view", async (ctx, request) => {
    const id = Number(fields(request.params)["id"]);
    const report = await web.catalog.jobReport(id);
    if (!report)
      throw new CatalogError("unknown-job", `No job ${fields(request.params)["id"] ?? ""}.`);
    const rows = await web.catalog.jobRecords(id);
    const canCatalog = may(ctx.principal.user.role, "catalog");
    return page(
      ctx,
      `Job ${id}: ${report.job.description}`,
      html`<p>
          ${report.job.institution} · ${report.job.source} · started
          ${when(report.job.started)}${report.job.finished ? html` · finished ${when(report.job.finished)}` : " · open"}
        </p>
        ${
          report.job.failure !== undefined
            ? html`<p class="flash error">This job failed: ${report.job.failure}</p>`
            : ""
        }
        ${reportCounters(report)}
        <h2>Records</h2>
        ${dataTable(
          [
            {
              heading: "Row",
              cell: (r) => html`<a href="/jobs/${String(id)}/rows/${String(r.id)}">#${r.id}</a>`,
            },
            { heading: "Received", cell: (r) => when(r.received) },
            { heading: "Outcome", cell: outcomeBadge },
            { heading: "Reason", cell: (r) => r.messages.join(" ") },
            {
              heading: "Record",
              cell: (r) => (r.mmsId ? html`<a href="/records/${r.mmsId}">${r.mmsId}</a>` : ""),
            },
          ],
          rows,
        )}
        ${
          canCatalog
            ? html`<h2>Undo</h2>
                <p>
                  Reverts every change this job made (records it created are deleted, their versions
                  kept; records saved since are left alone and listed).
                </p>
                ${postButton(ctx, `/jobs/${String(id)}/undo`, `Undo job ${id}`, {}, "danger")}`
            : ""
        }`,
    );
  });
  pageRoute(app, web, "GET", "/jobs/:id/rows/:row", "view", async (ctx, request) => {
    const params = fields(request.params);
    const row = await web.catalog.jobRecord(Number(params["row"]));
    if (!row || row.jobId !== Number(params["id"]))
      throw new CatalogError(
        "unknown-job",
        `No row ${params["row"] ?? ""} in job ${params["id"] ?? ""}.`,
      );
    const log = jobRowLog(row);
    return page(
      ctx,
      `Job ${row.jobId}, row #${row.id}`,
      html`<p><a href="/jobs/${String(row.jobId)}">Back to job ${row.jobId}</a></p>
        <div class="card">
          <p>${outcomeBadge(row)} ${row.messages.join(" ")}</p>
          ${row.mmsId ? html`<p>Record: <a href="/records/${row.mmsId}">${row.mmsId}</a></p>` : ""}${
            row.review
              ? html`<p>
                  Review:
                  ${row.review.state}${row.review.by ? ` by ${row.review.by}` : ""}${row.review.at ? ` at ${when(row.review.at)}` : ""}${row.review.note ? ` — ${row.review.note}` : ""}
                </p>`
              : ""
          }
        </div>
        ${
          row.review?.state === "open" && may(ctx.principal.user.role, "catalog")
            ? html`<h2>Resolve</h2>
                <div class="card">${forceForm(ctx, row)}</div>`
            : ""
        }
        <h2>Decision log</h2>
        ${dataTable(
          [
            { heading: "Stage", cell: (e) => e.stage },
            { heading: "What happened", cell: (e) => e.message },
          ],
          log,
        )}
        <h2>The record as received (${row.raw.length} bytes)</h2>
        <div class="card"><pre>${rawText(row)}</pre></div>`,
    );
  });
  pageRoute(app, web, "POST", "/jobs/:id/undo", "catalog", async (ctx, request, reply) => {
    const id = Number(fields(request.params)["id"]);
    const result = await web.catalog.undoJob(id, ctx.principal.user.name);
    const reverted = result.records.filter((r) => r.reverted !== false).length;
    const left = result.records.filter((r) => r.reverted === false);
    redirect(reply, `/jobs/${String(id)}`, {
      kind: left.length > 0 ? "warn" : "ok",
      text: `Job ${id} undone: ${reverted} record(s) reverted${left.length > 0 ? `; left alone: ${left.map((r) => `${r.mmsId} (${r.reverted === false ? r.reason : ""})`).join("; ")}` : ""}${result.alreadyUndone > 0 ? `; ${result.alreadyUndone} undone before` : ""}.`,
    });
    return undefined;
  });
  pageRoute(app, web, "GET", "/review", "view", async (ctx) => {
    if (!ctx.institution)
      return page(ctx, "Review queue", html`<p>There is no institution yet.</p>`);
    const queue = await web.catalog.reviewQueue(ctx.institution.code, { limit: 200 });
    const canCatalog = may(ctx.principal.user.role, "catalog");
    return page(
      ctx,
      "Review queue",
      html`<p>
          Records of ${ctx.institution.code} held for review (several matches, a locked record, a
          validation error), oldest first.
        </p>
        ${dataTable(
          [
            {
              heading: "Row",
              cell: (r) =>
                html`<a href="/jobs/${String(r.jobId)}/rows/${String(r.id)}"
                  >job ${r.jobId} #${r.id}</a
                >`,
            },
            { heading: "Received", cell: (r) => when(r.received) },
            { heading: "Reason", cell: (r) => `${r.reasonCode ?? ""}: ${r.messages.join(" ")}` },
            {
              heading: "Candidates",
              cell: (r) => heldCandidates(r).map((c) => html`<a href="/records/${c}">${c}</a> `),
            },
            canCatalog && { heading: "Resolve", cell: (r) => forceForm(ctx, r) },
          ],
          queue,
          { empty: "Nothing waits for review." },
        )}`,
    );
  });
  pageRoute(app, web, "POST", "/review/:row/force", "catalog", async (ctx, request, reply) => {
    const row = Number(fields(request.params)["row"]);
    const choice = fields(request.body)["target"] ?? "again";
    const target: ForceTarget = choice === "new" || choice === "again" ? choice : { into: choice };
    const result = await forceHeld(web.catalog, web.importer, row, target, ctx.principal.user.name);
    redirect(
      reply,
      "/review",
      "refused" in result
        ? { kind: "error", text: `Row #${row} not imported: ${result.refused}` }
        : {
            kind: "ok",
            text: `Row #${row} force-imported: ${result.forced.decision.outcome}${result.forced.mmsId ? ` ${result.forced.mmsId}` : ""} (${result.forced.decision.reason})`,
          },
    );
    return undefined;
  });
  pageRoute(app, web, "POST", "/review/:row/discard", "catalog", async (ctx, request, reply) => {
    const row = Number(fields(request.params)["row"]);
    const note = fields(request.body)["note"];
    await web.catalog.discardReview(row, ctx.principal.user.name, note || undefined);
    redirect(reply, "/review", { kind: "ok", text: `Row #${row} discarded.` });
    return undefined;
  });
}
