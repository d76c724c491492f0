/** `marcgate job`: import jobs and what became of each record in them. */
import type { ImportJob, JobRecord, JobReport, UndoReport } from "../catalog/catalog.js";
import { jobRowsPage, jobRowsRequest } from "../catalog/job-pages.js";
import {
  countsInWords,
  countWithReasons,
  outcomeLabel,
  reportLines,
} from "../catalog/outcome-words.js";
import { jobState } from "../catalog/job-state.js";
import { formatLog, jobRowLog } from "../import/log.js";

export { jobRowLog };
import {
  CATALOG_HELP,
  CATALOG_OPTIONS,
  requireOption,
  requireZone,
  withCatalog,
} from "./catalog-options.js";
import { BY_HELP, BY_OPTION, staffName } from "./staff.js";
import { formatTable } from "./table.js";
import { CommandError, integerOption, parseCommandArgs, UsageError } from "./usage.js";

const HELP = `usage: marcgate job list --institution CODE [--limit N] [--data DIR | --db URL]
       marcgate job show ID [--outcome OUTCOME] [--page N] [--log] [--data DIR | --db URL]
       marcgate job undo ID [--by NAME] [--data DIR | --db URL]

  list   the institution's import jobs, newest first: source, description, started,
         finished, and the count of records per outcome
  show   one job: its report (received, new, merged, overlaid, unchanged, skipped by reason,
         held for review by reason, failed by reason; the review queue's state, forced
         imports, undone), then one line per record received (row, received, outcome and
         reason code, MMS ID, reason); --log adds each record's decision log. --outcome
         lists one outcome's rows (its words or code: new/created, merged, overlaid,
         unchanged, loaded, skipped, held-for-review/review, failed/rejected); --page N
         lists page N only (100 rows a page)
  undo   revert every change the job made: a record it merged or overlaid is saved again as
         it was before (a new version, action undo), a record it created is deleted (its
         versions kept: marcgate record restore MMSID --version N brings it back). A record
         changed since the job saved it, or locked, is left alone; the command says which and
         why, and exits 1. Running it again retries only what was left.
${BY_HELP}${CATALOG_HELP}`;

function counts(job: ImportJob): string {
  const total = Object.values(job.counts).reduce((sum, n) => sum + n, 0);
  return total === 0 ? "0 records" : `${total} records: ${countsInWords(job.counts)}`;
}

function jobId(rest: readonly string[]): number {
  if (rest.length !== 1) throw new UsageError("name one job: job show|undo ID");
  return integerOption(rest[0], "job ID", { min: 1, max: Number.MAX_SAFE_INTEGER, default: 0 });
}

/** The job report as lines for people: received, then a line per outcome in the report's words. */
export function formatReport(report: JobReport): string[] {
  const lines = [
    `received ${report.received}`,
    ...reportLines(report).map((line) => `${line.label} ${countWithReasons(line)}`),
  ];
  const { open, forced, discarded } = report.review;
  if (open + forced + discarded > 0) {
    const imports = countsInWords(report.forced);
    lines.push(
      `review: ${open} open, ${forced} forced${imports ? ` (${imports})` : ""}, ${discarded} discarded`,
    );
  }
  if (report.undone > 0) lines.push(`undone: ${report.undone} records' changes reverted`);
  return lines;
}

/** ` [reason, review state, forced from #N, undone]` after a row's outcome. */
function rowTags(r: JobRecord): string {
  const tags = [
    ...(r.reasonCode !== undefined ? [r.reasonCode] : []),
    ...(r.review ? [r.review.state] : []),
    ...(r.forcedFrom !== undefined ? [`forced from #${r.forcedFrom}`] : []),
    ...(r.undone ? [`undone by ${r.undone.by}`] : []),
  ];
  return tags.length > 0 ? ` [${tags.join(", ")}]` : "";
}

/** What an undo did, a line per record, and a closing count. */
export function formatUndo(report: UndoReport): string {
  const lines = report.records.map((r) => {
    switch (r.reverted) {
      case "restored": {
        const parts: string[] = [];
        if (r.toVersion !== undefined)
          parts.push(`version ${r.toVersion} saved again as version ${r.version ?? "?"}`);
        const local = r.localFields;
        if (local)
          parts.push(
            `the local fields of ${local.institution} ${local.toVersion === 0 ? "cleared" : `of version ${local.toVersion} saved again`} (local-fields version ${local.version})`,
          );
        return `reverted ${r.mmsId}: ${parts.join("; ")}`;
      }
      case "deleted":
        return `deleted ${r.mmsId}: the job created it (marcgate record restore ${r.mmsId} --version ${r.lastVersion} brings it back)`;
      default:
        return `NOT reverted ${r.mmsId}: ${r.reason}`;
    }
  });
  const refused = report.records.filter((r) => r.reverted === false).length;
  const done = report.records.length - refused;
  lines.push(
    `job ${report.jobId}: ${done} record${done === 1 ? "" : "s"} reverted, ${refused} not` +
      (report.alreadyUndone > 0 ? `, ${report.alreadyUndone} undone before` : ""),
  );
  return lines.map((l) => `${l}\n`).join("");
}

export async function jobCommand(args: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    args,
    {
      institution: { type: "string" },
      limit: { type: "string" },
      log: { type: "boolean" },
      outcome: { type: "string" },
      page: { type: "string" },
      ...BY_OPTION,
      ...CATALOG_OPTIONS,
    },
    HELP,
  );
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  const [action, ...rest] = positionals;
  if (action === "list") {
    if (rest.length > 0) throw new UsageError("job list takes no argument but --institution");
    const code = requireOption(values.institution, "--institution");
    const limit = integerOption(values.limit, "--limit", { min: 1, max: 100_000, default: 50 });
    return withCatalog(values, async (catalog) => {
      const zone = await requireZone(catalog, code);
      const jobs = await catalog.jobs(zone.code, { limit });
      const lines = formatTable(
        [
          { heading: "job" },
          { heading: "source" },
          { heading: "description", max: 50 },
          { heading: "started" },
          { heading: "finished" },
          { heading: "state", max: 60 },
          { heading: "records" },
        ],
        jobs.map((j) => [
          String(j.id),
          j.source,
          j.description,
          j.started.toISOString(),
          j.finished?.toISOString() ?? "open",
          j.failure !== undefined ? `failed: ${j.failure}` : jobState(j),
          counts(j),
        ]),
      );
      process.stdout.write(lines.map((l) => `${l}\n`).join(""));
      return 0;
    });
  }
  if (action === "undo") {
    const id = jobId(rest);
    const by = staffName(values.by);
    return withCatalog(
      values,
      async (catalog) => {
        const report = await catalog.undoJob(id, by);
        process.stdout.write(formatUndo(report));
        return report.records.some((r) => r.reverted === false) ? 1 : 0;
      },
      { writer: "marcgate job undo" },
    );
  }
  if (action === "show") {
    const id = jobId(rest);
    return withCatalog(values, async (catalog) => {
      const report = await catalog.jobReport(id);
      if (!report) throw new CommandError(`no import job ${id}`);
      const { job } = report;
      process.stdout.write(
        `job ${job.id}: ${job.description} (${job.source}, ${job.institution})\n` +
          `started ${job.started.toISOString()}, ${job.finished ? `finished ${job.finished.toISOString()}` : "still open"}\n` +
          (job.failure !== undefined ? `failed: ${job.failure}\n` : "") +
          formatReport(report).join("\n") +
          "\n\n",
      );
      const request = jobRowsRequest({ outcome: values.outcome, page: values.page });
      // Without --page, every page in turn (a page's rows in memory at a time).
      const onePage = request.page !== undefined;
      for (let page = request.page ?? 1; ; page++) {
        const shown = await jobRowsPage(catalog, job, { ...request, page });
        if (onePage || (page === 1 && request.outcome !== undefined)) {
          const first = shown.total === 0 ? 0 : (shown.page - 1) * shown.perPage + 1;
          process.stdout.write(
            `${request.outcome !== undefined ? `${outcomeLabel(request.outcome)}: ` : ""}` +
              `${shown.total} row${shown.total === 1 ? "" : "s"}` +
              (onePage
                ? `; rows ${first}-${Math.min(shown.total, shown.page * shown.perPage)}, page ${shown.page} of ${shown.pages}`
                : "") +
              "\n",
          );
        }
        for (const r of shown.rows) {
          process.stdout.write(
            `#${r.id} ${r.received.toISOString()} ${outcomeLabel(r.outcome)}${rowTags(r)} ${r.mmsId ?? "-"} ${r.raw.length} bytes: ${r.messages.join("; ")}\n`,
          );
          if (values.log)
            for (const line of formatLog(jobRowLog(r))) process.stdout.write(`    ${line}\n`);
        }
        if (onePage || shown.page >= shown.pages) break;
      }
      return 0;
    });
  }
  throw new UsageError(
    action === undefined
      ? "say list, show or undo"
      : `unknown action "${action}"; say list, show or undo`,
  );
}
