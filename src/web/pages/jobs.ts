/**
 * Import jobs: the history with each job's report counters, a job's rows (outcome, reason, the
 * record, the raw incoming record, the decision log), undo of a job; and the review queue with
 * force-import and discard (Cataloger and up).
 */
import type { FastifyInstance } from "fastify";
import {
  CatalogError,
  type JobOutcome,
  type JobRecord,
  type JobReport,
} from "../../catalog/catalog.js";
import { jobRowsPage, jobRowsRequest, type JobRowsPage } from "../../catalog/job-pages.js";
import {
  OUTCOME_ORDER,
  outcomeHeading,
  outcomeLabel,
  reportLines,
} from "../../catalog/outcome-words.js";
import { jobState } from "../../catalog/job-state.js";
import { jobRowLog } from "../../import/log.js";
import {
  forceHeld,
  heldCandidates,
  reviewCandidates,
  type ForceTarget,
} from "../../import/review.js";
import { searchDocument } from "../../catalog/search-text.js";
import { decodeIso2709 } from "../../marc/iso2709.js";
import { writeMnemonic } from "../../marc/mnemonic.js";
import { may } from "../auth.js";
import { html, type Html } from "../html.js";
import { csrfField, dataTable, page, postButton, when, type PageContext } from "../layout.js";
import { fields, pageRoute, redirect, type Web } from "../server.js";

/** The job report as counters: received, then each outcome in the job report's words. */
export function reportCounters(report: JobReport): Html {
  const cells: [string, Html | number][] = [["Received", report.received]];
  for (const line of reportLines(report)) {
    const reasons = Object.entries(line.byReason);
    cells.push([
      outcomeHeading(line.outcome),
      html`${line.count}${reasons.length > 0 ? html` <span class="muted">(${reasons.map(([k, n]) => `${k} ${n}`).join(", ")})</span>` : ""}`,
    ]);
  }
  const { open, forced, discarded } = report.review;
  if (open + forced + discarded > 0)
    cells.push(["Review open / forced / discarded", html`${open} / ${forced} / ${discarded}`]);
  if (report.undone > 0) cells.push(["Undone", report.undone]);
  return html`<div class="counters" aria-label="Job report">
    ${cells.map(([k, v]) => html`<div><b>${v}</b>${k}</div>`)}
  </div>`;
}

/** The address of a page of a job's rows. */
function rowsHref(jobId: number, outcome: JobOutcome | undefined, pageNumber: number): string {
  const query = new URLSearchParams();
  if (outcome !== undefined) query.set("outcome", outcome);
  if (pageNumber > 1) query.set("page", String(pageNumber));
  const text = query.toString();
  return `/jobs/${jobId}${text ? `?${text}` : ""}#records`;
}

/** The filter links (every outcome the job has, with its count) and the pager. */
function rowsNavigation(jobId: number, shown: JobRowsPage): Html {
  const all = Object.values(shown.counts).reduce((a, b) => a + b, 0);
  const link = (outcome: JobOutcome | undefined, label: string, n: number): Html =>
    outcome === shown.outcome
      ? html`<strong aria-current="true">${label} (${n})</strong>`
      : html`<a href="${rowsHref(jobId, outcome, 1)}">${label} (${n})</a>`;
  const filters = [
    link(undefined, "All", all),
    ...OUTCOME_ORDER.filter((o) => (shown.counts[o] ?? 0) > 0).map((o) =>
      link(o, outcomeHeading(o), shown.counts[o] ?? 0),
    ),
  ];
  const first = shown.total === 0 ? 0 : (shown.page - 1) * shown.perPage + 1;
  const last = Math.min(shown.total, shown.page * shown.perPage);
  return html`<nav class="row spaced" aria-label="Outcome filter">
      ${filters.map((f) => html`${f} `)}
    </nav>
    <nav class="row spaced" aria-label="Pages">
      <span>Rows ${first}–${last} of ${shown.total} · page ${shown.page} of ${shown.pages}</span>
      ${shown.page > 1 ? html`<a href="${rowsHref(jobId, shown.outcome, shown.page - 1)}" rel="prev">Previous page</a>` : ""}
      ${shown.page < shown.pages ? html`<a href="${rowsHref(jobId, shown.outcome, shown.page + 1)}" rel="next">Next page</a>` : ""}
    </nav>`;
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
  return html`<span class="badge ${row.outcome}">${outcomeLabel(row.outcome)}</span
    >${row.reasonCode ? html` <span class="muted">${row.reasonCode}</span>` : ""}${row.review ? html` <span class="badge">${row.review.state}</span>` : ""}${row.undone ? html` <span class="badge">undone</span>` : ""}`;
}

/** Force import (into a candidate, as new, or again) and discard, for a held row (Cataloger and up). */
export function forceForm(ctx: PageContext, row: JobRecord): Html {
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
            ...OUTCOME_ORDER.filter((o) => o !== "loaded").map((outcome) => ({
              heading: outcomeHeading(outcome),
              cell: ({ report }: { report: JobReport | undefined }) =>
                report ? (reportLines(report).find((l) => l.outcome === outcome)?.count ?? 0) : 0,
            })),
          ],
          jobs.map((job, i) => ({ job, report: reports[i] })),
          { empty: "No jobs yet." },
        )}`,
    );
  });
  pageRoute(app, web, "GET", "/jobs/:id", "view", async (ctx, request) => {
    const job = await ctx.access.job(web.catalog, fields(request.params)["id"] ?? "", "view");
    const id = job.id;
    const report = await web.catalog.jobReport(job.id);
    if (!report) throw new CatalogError("unknown-job", `No job ${id}.`);
    const shown = await jobRowsPage(web.catalog, report.job, jobRowsRequest(fields(request.query)));
    const rows = shown.rows;
    const canCatalog = ctx.access.may(job.institution, "catalog");
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
        <h2 id="records">Records</h2>
        ${rowsNavigation(id, shown)}
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
          { empty: "No rows." },
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
    const row = await ctx.access.jobRow(web.catalog, params["row"] ?? "", "view");
    if (row.jobId !== Number(params["id"]))
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
          row.outcome === "review"
            ? html`<p>
                <a href="/review/${String(row.id)}"
                  >The incoming record side by side with the candidates</a
                >
              </p>`
            : ""
        }
        ${
          row.review?.state === "open" && may(ctx.role, "catalog")
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
    const id = (await ctx.access.job(web.catalog, fields(request.params)["id"] ?? "", "catalog"))
      .id;
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
    const canCatalog = may(ctx.role, "catalog");
    // Each candidate's title, read once however many rows name it.
    const titles = new Map<string, string>();
    for (const mmsId of new Set(queue.flatMap((r) => reviewCandidates(r)))) {
      const record = await web.catalog.record(mmsId);
      titles.set(
        mmsId,
        record ? searchDocument(record.marc).displayTitle || "(no title)" : "(deleted)",
      );
    }
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
              cell: (r) =>
                html`${reviewCandidates(r).map(
                    (c) => html`<div><a href="/records/${c}">${c}</a> ${titles.get(c) ?? ""}</div>`,
                  )}<a href="/review/${String(r.id)}">side by side</a>`,
            },
            canCatalog && { heading: "Resolve", cell: (r) => forceForm(ctx, r) },
          ],
          queue,
          { empty: "Nothing waits for review." },
        )}`,
    );
  });
  pageRoute(app, web, "POST", "/review/:row/force", "catalog", async (ctx, request, reply) => {
    const row = (
      await ctx.access.jobRow(web.catalog, fields(request.params)["row"] ?? "", "catalog")
    ).id;
    const choice = fields(request.body)["target"] ?? "again";
    const target: ForceTarget = choice === "new" || choice === "again" ? choice : { into: choice };
    if (typeof target === "object") await ctx.access.record(web.catalog, target.into, "catalog");
    const result = await forceHeld(web.catalog, web.importer, row, target, ctx.principal.user.name);
    redirect(
      reply,
      "/review",
      "refused" in result
        ? { kind: "error", text: `Row #${row} not imported: ${result.refused}` }
        : {
            kind: "ok",
            text: `Row #${row} force-imported: ${outcomeLabel(result.forced.decision.outcome)}${result.forced.mmsId ? ` ${result.forced.mmsId}` : ""} (${result.forced.decision.reason})`,
          },
    );
    return undefined;
  });
  pageRoute(app, web, "POST", "/review/:row/discard", "catalog", async (ctx, request, reply) => {
    const row = (
      await ctx.access.jobRow(web.catalog, fields(request.params)["row"] ?? "", "catalog")
    ).id;
    const note = fields(request.body)["note"];
    await web.catalog.discardReview(row, ctx.principal.user.name, note || undefined);
    redirect(reply, "/review", { kind: "ok", text: `Row #${row} discarded.` });
    return undefined;
  });
}
