/**
 * `marcgate load`: bulk load of an existing catalog into an institution's zone. Every record
 * gets a new MMS ID; records are written with `createMany` a batch at a time.
 */
import { COMPACT_AFTER_RECORDS, type RecordCreate } from "../catalog/catalog.js";
import { FORMAT_NAMES, readFormat, sniffFormat } from "../marc/formats.js";
import { formatIssue, worstSeverity } from "../marc/issue.js";
import { getControlValue } from "../marc/record.js";
import {
  CATALOG_HELP,
  CATALOG_OPTIONS,
  requireOption,
  requireZone,
  withCatalog,
} from "./catalog-options.js";
import { defaultBriefLevel } from "../import/brief-level.js";
import { describeRecord } from "./describe.js";
import { openInput } from "./io.js";
import { Progress } from "./progress.js";
import { formatOption, parseCommandArgs, UsageError } from "./usage.js";

/** Records per `createMany` transaction. */
const BATCH = 1000;

const HELP = `usage: marcgate load FILE|- --institution CODE [--from FORMAT] [--data DIR | --db URL]

Bulk-loads an existing catalog (a file, or - for standard input) into the institution's zone.
Every record gets a new MMS ID and version 1 (saved by "load", action "load"), in transactions
of ${BATCH} records, under one import job (source "load"). FORMAT (${FORMAT_NAMES.join(", ")}) is
sniffed from the content when absent; MARC-8 records are converted to UTF-8.

Loaded records get no job row of their own: a job row keeps the incoming bytes, which for a
bulk load would double the database, and the file loaded is the original. Each record's
version 1 names the job, so it can still be traced to the load.

Brief level, until brief-level rules are configured, comes from leader/17 (encoding level):
  blank, 1, I, L: 10   4: 08   2, K, M: 07   7: 05   5: 04   3: 03   8: 02   other: 10

Records that cannot be read at all are listed on standard error with their byte offset and
counted; records repaired on reading are loaded (marcgate lint lists what was repaired).
Exit status 0 when every record was loaded, 1 when a record could not be read or the
institution is unknown, 2 on bad usage.
  --institution CODE   the zone to load into (required)
  --from FORMAT        input format
${CATALOG_HELP}`;

/** Runs `marcgate load`; returns the exit code. */
export async function loadCommand(args: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    args,
    {
      institution: { type: "string" },
      from: { type: "string" },
      ...CATALOG_OPTIONS,
    },
    HELP,
  );
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  if (positionals.length !== 1)
    throw new UsageError("name one file to load (or - for standard input)");
  const code = requireOption(values.institution, "--institution");
  const from = formatOption(values.from, "--from");
  return withCatalog(
    values,
    async (catalog) => {
      const zone = await requireZone(catalog, code);
      const input = await openInput(positionals[0]!);
      const format = from ?? sniffFormat(input.head);
      const started = process.hrtime.bigint();
      const job = await catalog.startJob({
        institution: zone.code,
        source: "load",
        description: `load ${input.name} (${format})`,
      });
      const context = { savedBy: "load", action: "load", jobId: job.id };
      // Its messages go to standard error, above the counter.
      const progress = new Progress(`load ${input.name}`, { out: process.stderr });
      let batch: RecordCreate[] = [];
      let loaded = 0;
      let unreadable = 0;
      let repaired = 0;
      let count = 0;
      const flush = async (): Promise<void> => {
        if (batch.length === 0) return;
        loaded += (await catalog.createMany(batch, context)).mmsIds.length;
        batch = [];
      };
      try {
        for await (const result of readFormat(format, input.chunks)) {
          count++;
          progress.tick(count);
          if (!result.record) {
            unreadable++;
            const fatal = result.issues.find((i) => i.severity === "fatal") ?? result.issues[0];
            progress.message(
              `${describeRecord(result)}: not readable${fatal ? `: ${formatIssue(fatal)}` : ""}\n`,
            );
            continue;
          }
          const worst = worstSeverity(result.issues);
          if (worst === "major" || worst === "minor") repaired++;
          const version = getControlValue(result.record, "005")?.trim();
          batch.push({
            kind: "create",
            zone: zone.code,
            marc: result.record,
            briefLevel: defaultBriefLevel(result.record),
            // The originating system's version: what a later import's "older version" guard compares.
            ...(version ? { originatingVersion: version } : {}),
          });
          if (batch.length >= BATCH) await flush();
        }
        await flush();
      } catch (error) {
        // A read error mid-way, the catalog refusing a batch: the job says why.
        progress.done();
        const why = `${error instanceof Error ? error.message : String(error)} (after ${count.toLocaleString("en")} records)`;
        await catalog.finishJob(job.id, why);
        throw error;
      }
      await catalog.finishJob(job.id);
      progress.done();
      if (loaded >= COMPACT_AFTER_RECORDS) await catalog.compact();
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const rate = Math.round(loaded / Math.max(seconds, 1e-9)).toLocaleString("en");
      process.stdout.write(
        `${loaded.toLocaleString("en")} records loaded into ${zone.code} in ${seconds.toFixed(1)} s (${rate}/s); ` +
          `${unreadable.toLocaleString("en")} not readable` +
          (repaired > 0 ? `; ${repaired.toLocaleString("en")} repaired on reading` : "") +
          ` (job ${job.id})\n`,
      );
      return unreadable > 0 ? 1 : 0;
    },
    { writer: "marcgate load" },
  );
}
