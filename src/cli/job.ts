/** `marcgate job`: import jobs and what became of each record in them. */
import type { ImportJob, JobRecord } from "../catalog/catalog.js";
import { formatLog, type LogEntry } from "../import/log.js";
import {
  CATALOG_HELP,
  CATALOG_OPTIONS,
  requireOption,
  requireZone,
  withCatalog,
} from "./catalog-options.js";
import { formatTable } from "./table.js";
import { CommandError, integerOption, parseCommandArgs, UsageError } from "./usage.js";

const HELP = `usage: marcgate job list --institution CODE [--limit N] [--data DIR | --db URL]
       marcgate job show ID [--log] [--data DIR | --db URL]

  list   the institution's import jobs, newest first: source, description, started,
         finished, and the count of records per outcome
  show   one job: its counts, then one line per record received (entry, received, outcome,
         MMS ID, reason); --log adds each record's decision log
${CATALOG_HELP}`;

function counts(job: ImportJob): string {
  const entries = Object.entries(job.counts);
  const total = entries.reduce((sum, [, n]) => sum + n, 0);
  return entries.length === 0
    ? "0 records"
    : `${total} records: ${entries.map(([o, n]) => `${n} ${o}`).join(", ")}`;
}

/** The decision log kept with a job row, when it has the importer's shape. */
function logEntries(record: JobRecord): LogEntry[] {
  const log = record.log;
  if (typeof log === "object" && log !== null && "entries" in log && Array.isArray(log.entries)) {
    return (log.entries as unknown[]).filter(
      (e): e is LogEntry =>
        typeof e === "object" &&
        e !== null &&
        "stage" in e &&
        "message" in e &&
        typeof e.message === "string",
    );
  }
  return [];
}

export async function jobCommand(args: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    args,
    {
      institution: { type: "string" },
      limit: { type: "string" },
      log: { type: "boolean" },
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
          { heading: "records" },
        ],
        jobs.map((j) => [
          String(j.id),
          j.source,
          j.description,
          j.started.toISOString(),
          j.finished?.toISOString() ?? "open",
          counts(j),
        ]),
      );
      process.stdout.write(lines.map((l) => `${l}\n`).join(""));
      return 0;
    });
  }
  if (action === "show") {
    if (rest.length !== 1) throw new UsageError("name one job: job show ID");
    const id = integerOption(rest[0], "job ID", {
      min: 1,
      max: Number.MAX_SAFE_INTEGER,
      default: 0,
    });
    return withCatalog(values, async (catalog) => {
      const job = await catalog.job(id);
      if (!job) throw new CommandError(`no import job ${id}`);
      process.stdout.write(
        `job ${job.id}: ${job.description} (${job.source}, ${job.institution})\n` +
          `started ${job.started.toISOString()}, ${job.finished ? `finished ${job.finished.toISOString()}` : "still open"}\n` +
          `${counts(job)}\n\n`,
      );
      const records = await catalog.jobRecords(job.id);
      for (const r of records) {
        process.stdout.write(
          `#${r.id} ${r.received.toISOString()} ${r.outcome} ${r.mmsId ?? "-"} ${r.raw.length} bytes: ${r.messages.join("; ")}\n`,
        );
        if (values.log)
          for (const line of formatLog(logEntries(r))) process.stdout.write(`    ${line}\n`);
      }
      return 0;
    });
  }
  throw new UsageError(
    action === undefined ? "say list or show" : `unknown action "${action}"; say list or show`,
  );
}
