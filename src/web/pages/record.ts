/**
 * The record view (the link a Connexion reply gives): the header (zone, brief level, management
 * tag, CZ link …), the MARC in the tagged display, downloads, and the versions with a
 * side-by-side diff between any two and restore (Cataloger and up).
 */
import type { FastifyInstance, FastifyReply } from "fastify";
import {
  CatalogError,
  type JobRecord,
  type RecordVersion,
  type StoredRecord,
} from "../../catalog/catalog.js";
import { recordForInstitution } from "../../catalog/institution-view.js";
import { deleteRecord, setSuppressed } from "../../catalog/record-actions.js";
import { outcomeLabel } from "../../catalog/outcome-words.js";
import { recordSummary } from "../../catalog/summary.js";
import { FORMAT_NAMES, isFormatName, type FormatName } from "../../marc/formats.js";
import { isControlField, type MarcRecord } from "../../marc/record.js";
import { readIso2709Buffer } from "../../marc/iso2709.js";
import { UNIMARC_LABELS } from "../../crosswalk/unimarc-labels.js";
import type { OclcPublication } from "../../catalog/publishing.js";
import { consumerSymbol, oclcNow, oclcSent } from "../../publish/datasync-status.js";
import { html, type Html } from "../html.js";
import { fixedFieldCell, isFixedField, linkageDirection } from "../marc-display.js";
import { dataTable, page, postButton, when, type PageContext } from "../layout.js";
import { fields, pageRoute, redirect, type Web } from "../server.js";
import { DOWNLOADS, diffRecords, encodeRecord, type DiffRow } from "../service.js";

/**
 * The MARC record in the usual tagged display: tag, indicators, `$a` subfields; with `labels`
 * (a UNIMARC record's field names), each tag carries its name as a tooltip and a column.
 */
export function taggedDisplay(
  marc: MarcRecord,
  labels?: ReadonlyMap<string, string>,
  name = "MARC record",
): Html {
  const label = (tag: string): Html =>
    labels ? html`<td class="label">${labels.get(tag) ?? ""}</td>` : html``;
  return html`<table class="marc" aria-label="${name}">
    <tbody>
      <tr>
        <td class="tag">LDR</td>
        ${labels ? html`<td class="label">RECORD LABEL</td>` : html``}
        <td class="ind"></td>
        <td>${fixedFieldCell(marc.leader)}</td>
      </tr>
      ${marc.fields.map((f) =>
        isControlField(f)
          ? html`<tr>
              <td class="tag">${f.tag}</td>
              ${label(f.tag)}
              <td class="ind"></td>
              <td>${isFixedField(f.tag) ? fixedFieldCell(f.value) : f.value}</td>
            </tr>`
          : html`<tr>
              <td class="tag">${f.tag}</td>
              ${label(f.tag)}
              <td class="ind">${f.ind1}${f.ind2}</td>
              <td${linkageDirection(f.subfields) === "rtl" ? html` dir="rtl"` : html``}>
                ${f.subfields.map((s) => html`<span class="sf">$${s.code}</span> ${s.value} `)}
              </td>
            </tr>`,
      )}
    </tbody>
  </table>`;
}

function versionsTable(
  ctx: PageContext,
  record: StoredRecord,
  versions: readonly RecordVersion[],
): Html {
  const canRestore = ctx.access.may(record.zone, "catalog");
  const options = (selected: number): Html[] =>
    versions.map(
      (v) =>
        html`<option value="${String(v.version)}" ${v.version === selected ? html` selected` : ""}>
          version ${v.version}
        </option>`,
    );
  return html`${dataTable(
    [
      {
        heading: "Version",
        cell: (v) => `${v.version}${v.version === record.version ? " (current)" : ""}`,
      },
      { heading: "Saved by", cell: (v) => v.savedBy },
      { heading: "When", cell: (v) => when(v.savedAt) },
      { heading: "Action", cell: (v) => v.action },
      {
        heading: "Job",
        cell: (v) =>
          v.jobId !== undefined ? html`<a href="/jobs/${String(v.jobId)}">job ${v.jobId}</a>` : "",
      },
      { heading: "Brief level", cell: (v) => v.briefLevel },
      canRestore && {
        heading: "Restore",
        cell: (v) =>
          v.version === record.version
            ? ""
            : postButton(
                ctx,
                `/records/${record.mmsId}/restore`,
                `Restore version ${v.version}`,
                { version: String(v.version) },
                "secondary",
              ),
      },
    ],
    [...versions].reverse(),
  )}
  ${
    versions.length > 1
      ? html`<form method="get" action="/records/${record.mmsId}/diff" class="row spaced">
          <label for="diff-a">Compare</label
          ><select id="diff-a" name="a">
            ${options(versions[versions.length - 2]!.version)}
          </select>
          <label for="diff-b">with</label
          ><select id="diff-b" name="b">
            ${options(versions[versions.length - 1]!.version)}
          </select>
          <button type="submit" class="secondary">Show the differences</button>
        </form>`
      : ""
  }`;
}

/** A deleted record: who deleted it, when and how, its versions, restore (Cataloger and up). */
async function deletedRecordPage(web: Web, ctx: PageContext, mmsId: string): Promise<Html> {
  const deleted = await web.catalog.deletion(mmsId);
  if (!deleted) throw new CatalogError("unknown-record", `No record ${mmsId}.`);
  const versions = await web.catalog.versions(mmsId);
  const canRestore = ctx.access.may(deleted.zone, "catalog");
  return page(
    ctx,
    `${mmsId} (deleted)`,
    html`<div class="card">
        <p>
          Record ${mmsId} of ${deleted.zone} was deleted by ${deleted.deletedBy} at
          ${when(deleted.deletedAt)}
          (${deleted.action}${deleted.jobId !== undefined ? html` of <a href="/jobs/${String(deleted.jobId)}">job ${deleted.jobId}</a>` : ""}).
          Its ${versions.length} version(s) are kept; restoring one brings the record back with its
          MMS ID.
        </p>
      </div>
      <h2>Versions</h2>
      ${dataTable(
        [
          { heading: "Version", cell: (v) => String(v.version) },
          { heading: "Saved by", cell: (v) => v.savedBy },
          { heading: "When", cell: (v) => when(v.savedAt) },
          { heading: "Action", cell: (v) => v.action },
          canRestore && {
            heading: "Restore",
            cell: (v) =>
              postButton(
                ctx,
                `/records/${mmsId}/restore`,
                `Restore version ${v.version}`,
                { version: String(v.version) },
                "secondary",
              ),
          },
        ],
        [...versions].reverse(),
      )}
      ${versions.length > 1 ? html`<p><a href="/records/${mmsId}/diff?a=${String(versions[versions.length - 2]!.version)}&b=${String(versions[versions.length - 1]!.version)}">Compare the last two versions</a></p>` : ""}`,
  );
}

async function recordPage(web: Web, ctx: PageContext, mmsId: string): Promise<Html> {
  // Only a record of the institution or of its network zone (src/web/access.ts), as the
  // institution sees it: its own local fields of a network-zone record put in, no other member's.
  // A deleted one (checked the same way: its versions stay) shows its deletion and versions.
  await ctx.access.record(web.catalog, mmsId, "view");
  if (!(await web.catalog.record(mmsId))) return deletedRecordPage(web, ctx, mmsId);
  const institution = ctx.institution?.code;
  const view = institution
    ? await recordForInstitution(web.catalog, mmsId, institution)
    : undefined;
  const record = view?.record;
  if (!record) throw new CatalogError("unknown-record", `No record ${mmsId}.`);
  const versions = await web.catalog.versions(mmsId);
  // A network-zone record's job rows come from every member's jobs: only the rows of jobs of
  // the institution in view are shown (their raw bytes and messages are the member's own).
  const rows = await web.catalog.jobRecordsOf(mmsId);
  const jobs = await Promise.all(
    [...new Set(rows.map((r) => r.jobId))].map((id) => web.catalog.job(id)),
  );
  const ours = new Set(
    jobs.filter((j) => j !== undefined && ctx.access.may(j.institution, "view")).map((j) => j!.id),
  );
  const decisions = rows.filter((r) => ours.has(r.jobId));
  const publications = await web.catalog.publishing.oclcPublicationsOf(mmsId);
  const zoneKind = (await web.catalog.zone(record.zone))?.kind ?? "institution";
  const unimarc = record.format === "UNIMARC" || record.format === "CNMARC";
  // An authority record's page is named by its heading (1XX, docs/authorities.md).
  const authority = record.marc.leader.charAt(6) === "z";
  const title = record.marc.fields.find((f) =>
    authority ? /^1\d\d$/.test(f.tag) : f.tag === (unimarc ? "200" : "245"),
  );
  const heading =
    title && !isControlField(title)
      ? title.subfields
          .filter((s) => (authority ? "abcdqtvxyz" : unimarc ? "aehi" : "abnp").includes(s.code))
          .map((s) => s.value)
          .join(" ")
      : mmsId;
  return page(
    ctx,
    heading,
    html`<div class="card">
        <table aria-label="Record header">
          <tbody>
            ${recordSummary(record).map(
              ([label, value]) =>
                html`<tr>
                  <th scope="row">${label}</th>
                  <td>${value}</td>
                </tr>`,
            )}
          </tbody>
        </table>
        ${
          ctx.access.may(record.zone, "catalog")
            ? html`<p class="row">
                ${postButton(
                  ctx,
                  `/records/${mmsId}/suppress`,
                  record.suppressed ? "Unsuppress" : "Suppress",
                  { suppressed: record.suppressed ? "0" : "1" },
                  "secondary",
                )}
                <a class="button secondary" href="/records/${mmsId}/edit">Edit</a>
                ${postButton(ctx, `/records/${mmsId}/delete`, "Delete record", {}, "danger")}
                <span class="muted">(its versions are kept: it can be restored)</span>
              </p>`
            : html``
        }
        <p class="row">
          Download:
          ${FORMAT_NAMES.map(
            (f) =>
              html`<a class="button secondary" href="/records/${mmsId}/download/${f}"
                >${DOWNLOADS[f].label}</a
              >`,
          )}
        </p>
      </div>
      <h2>OCLC</h2>
      ${oclcCard(record, zoneKind, publications)}
      <h2>${record.format === "MARC21" ? "MARC" : record.format}</h2>
      <div class="card">
        ${taggedDisplay(record.marc, unimarc ? UNIMARC_LABELS : undefined, `${record.format} record`)}
      </div>
      ${receivedMarc21(record, decisions)}
      <h2>Versions</h2>
      ${versionsTable(ctx, record, versions)}
      <h2>Import decisions</h2>
      ${decisionsTable(decisions)}`,
  );
}

/** Whether the record goes to OCLC now and why, and when each Data Sync export last sent it. */
function oclcCard(
  record: StoredRecord,
  zoneKind: "institution" | "network",
  publications: readonly OclcPublication[],
): Html {
  return html`<div class="card">
    <p>${oclcNow(record, zoneKind)}</p>
    ${dataTable(
      [
        { heading: "OCLC symbol", cell: (p) => consumerSymbol(p.consumer) },
        { heading: "Last published", cell: (p) => p.at },
        { heading: "What", cell: (p) => oclcSent(p) },
        { heading: "File", cell: (p) => p.file },
      ],
      publications,
      { empty: "Never published to OCLC (marcgate publish oclc)." },
    )}
  </div>`;
}

/**
 * A record kept in another format than MARC 21: the MARC 21 record its last import received
 * (the job row's bytes, as Connexion sent them), beside the converted one.
 */
function receivedMarc21(record: StoredRecord, rows: readonly JobRecord[]): Html {
  if (record.format === "MARC21") return html``;
  const row = rows.find((r) => r.raw.length > 0);
  const received = row ? [...readIso2709Buffer(Buffer.from(row.raw))][0]?.record : undefined;
  if (!row || !received) return html``;
  return html`<h2>MARC 21 as received</h2>
    <div class="card">
      <p class="muted">
        The record Connexion sent (job ${row.jobId}, row ${row.id}), before the crosswalk to
        ${record.format}; the decision log of the row lists what was dropped or mapped
        approximately.
      </p>
      ${taggedDisplay(received, undefined, "MARC 21 record as received")}
    </div>`;
}

/**
 * The job rows that saved into the record, newest first: what the import decided and why (the
 * match and the checks of the validation stage that made it one, e.g. `shares OCLC number 7`).
 */
function decisionsTable(rows: readonly JobRecord[]): Html {
  return dataTable(
    [
      {
        heading: "Job row",
        cell: (r) =>
          html`<a href="/jobs/${String(r.jobId)}/rows/${String(r.id)}"
            >job ${r.jobId}, row ${r.id}</a
          >`,
      },
      { heading: "Received", cell: (r) => when(r.received) },
      { heading: "Outcome", cell: (r) => outcomeLabel(r.outcome) },
      { heading: "Why", cell: (r) => r.messages.join(" ") },
    ],
    rows,
    { empty: "No import saved into this record." },
  );
}

/** One side of a diff row: the marker and the line, no white space around (the cell keeps it). */
function diffCell(className: string, marker: string, line: string | undefined): Html {
  return html`<td class="${className}">${marker}${line ?? ""}</td>`;
}

/**
 * Two records side by side (rows of {@link diffRecords}): lines only on the left marked `−`
 * (class `del`), lines only on the right `+` (class `add`), equal lines unmarked.
 */
export function diffTable(
  rows: readonly DiffRow[],
  leftHeading: Html | string,
  rightHeading: Html | string,
): Html {
  return html`<table class="diff">
    <thead>
      <tr>
        <th scope="col">${leftHeading}</th>
        <th scope="col">${rightHeading}</th>
      </tr>
    </thead>
    <tbody>
      ${rows.map(
        (r) =>
          html`<tr>
            ${diffCell(r.same ? "" : r.left !== undefined ? "del" : "", r.same || r.left === undefined ? "" : "− ", r.left)}
            ${diffCell(r.same ? "" : r.right !== undefined ? "add" : "", r.same || r.right === undefined ? "" : "+ ", r.right)}
          </tr>`,
      )}
    </tbody>
  </table>`;
}

async function diffPage(
  web: Web,
  ctx: PageContext,
  mmsId: string,
  a: number,
  b: number,
): Promise<Html> {
  const [left, right] = await Promise.all([
    web.catalog.version(mmsId, a),
    web.catalog.version(mmsId, b),
  ]);
  if (!left || !right)
    throw new CatalogError("unknown-version", `Record ${mmsId} has no version ${!left ? a : b}.`);
  const rows = diffRecords(left.marc, right.marc);
  const changed = rows.filter((r) => !r.same).length;
  return page(
    ctx,
    `${mmsId}: version ${a} and version ${b}`,
    html`<p>
        <a href="/records/${mmsId}">Back to the record</a> ·
        ${changed === 0 ? "The two versions are the same." : `${changed} line${changed === 1 ? "" : "s"} differ.`}
      </p>
      ${diffTable(
        rows,
        `Version ${a} (${left.action}, ${when(left.savedAt)})`,
        `Version ${b} (${right.action}, ${when(right.savedAt)})`,
      )}`,
  );
}

/** Sends a record as a download file. */
export function sendRecordFile(
  reply: FastifyReply,
  mmsId: string,
  marc: MarcRecord,
  format: FormatName,
): FastifyReply {
  const encoded = encodeRecord(marc, format);
  if ("error" in encoded) {
    return reply
      .code(422)
      .type("text/plain; charset=utf-8")
      .send(`record ${mmsId} cannot be written as ${format}: ${encoded.error}\n`);
  }
  const d = DOWNLOADS[format];
  return reply
    .type(d.type)
    .header("content-disposition", `attachment; filename="${mmsId}.${d.extension}"`)
    .send(encoded.bytes);
}

function mmsParam(params: unknown): string {
  return fields(params)["mmsId"] ?? "";
}

export function register(app: FastifyInstance, web: Web): void {
  pageRoute(app, web, "GET", "/records/:mmsId", "view", (ctx, request) =>
    recordPage(web, ctx, mmsParam(request.params)),
  );
  pageRoute(app, web, "GET", "/records/:mmsId/diff", "view", async (ctx, request) => {
    const q = fields(request.query);
    const mmsId = mmsParam(request.params);
    await ctx.access.record(web.catalog, mmsId, "view");
    return diffPage(web, ctx, mmsId, Number(q["a"]), Number(q["b"]));
  });
  pageRoute(
    app,
    web,
    "GET",
    "/records/:mmsId/download/:format",
    "view",
    async (ctx, request, reply) => {
      const mmsId = mmsParam(request.params);
      const format = fields(request.params)["format"] ?? "";
      await ctx.access.record(web.catalog, mmsId, "view");
      const record = await web.catalog.record(mmsId);
      if (!record || !isFormatName(format)) {
        throw new CatalogError(
          "unknown-record",
          `No record ${mmsId}, or no format ${format} (${FORMAT_NAMES.join(", ")}).`,
        );
      }
      sendRecordFile(reply, mmsId, record.marc, format);
      return undefined;
    },
  );
  pageRoute(
    app,
    web,
    "POST",
    "/records/:mmsId/suppress",
    "catalog",
    async (ctx, request, reply) => {
      const mmsId = mmsParam(request.params);
      await ctx.access.record(web.catalog, mmsId, "catalog");
      const suppressed = fields(request.body)["suppressed"] === "1";
      const result = await setSuppressed(web.catalog, mmsId, suppressed, ctx.principal.user.name);
      redirect(reply, `/records/${mmsId}`, {
        kind: "ok",
        text: result.changed
          ? `${suppressed ? "Suppressed" : "Unsuppressed"} as version ${result.version ?? "?"}.`
          : `Already ${suppressed ? "suppressed" : "not suppressed"}.`,
      });
      return undefined;
    },
  );
  pageRoute(app, web, "POST", "/records/:mmsId/delete", "catalog", async (ctx, request, reply) => {
    const mmsId = mmsParam(request.params);
    await ctx.access.record(web.catalog, mmsId, "catalog");
    const deleted = await deleteRecord(web.catalog, mmsId, ctx.principal.user.name);
    redirect(reply, `/records/${mmsId}`, {
      kind: "ok",
      text: `Record ${mmsId} deleted; its versions are kept (restore version ${deleted.version} to bring it back).`,
    });
    return undefined;
  });
  pageRoute(app, web, "POST", "/records/:mmsId/restore", "catalog", async (ctx, request, reply) => {
    const mmsId = mmsParam(request.params);
    await ctx.access.record(web.catalog, mmsId, "catalog");
    const version = Number(fields(request.body)["version"]);
    const result = await web.catalog.restore(mmsId, version, {
      savedBy: ctx.principal.user.name,
      action: "restore",
    });
    redirect(reply, `/records/${mmsId}`, {
      kind: "ok",
      text: `Version ${version} restored as version ${result.version ?? "?"}.`,
    });
    return undefined;
  });
}
