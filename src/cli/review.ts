/**
 * `marcgate review`: the review queue — records held for review (several matches, a locked
 * record, validation errors) — and resolving them: force-import or discard.
 */
import type { Catalog, JobRecord } from "../catalog/catalog.js";
import { outcomeLabel } from "../catalog/outcome-words.js";
import { searchDocument } from "../catalog/search-text.js";
import { readIncoming } from "../import/decide.js";
import { Importer } from "../import/importer.js";
import { formatLog } from "../import/log.js";
import { forceHeld, heldCandidates, type ForceTarget } from "../import/review.js";
import { writeMnemonic } from "../marc/mnemonic.js";
import {
  CATALOG_HELP,
  CATALOG_OPTIONS,
  requireOption,
  requireZone,
  withCatalog,
} from "./catalog-options.js";
import { jobRowLog } from "./job.js";
import { BY_HELP, BY_OPTION, staffName } from "./staff.js";
import { formatTable } from "./table.js";
import { CommandError, integerOption, parseCommandArgs, UsageError } from "./usage.js";

const HELP = `usage: marcgate review list --institution CODE [--limit N]
       marcgate review show ID
       marcgate review force ID [--into MMSID | --as-new] [--by NAME]
       marcgate review discard ID [--note TEXT] [--by NAME]
       (each with [--data DIR | --db URL])

Records held for review wait in the review queue, one job row each (ID = the job row, as
marcgate job show lists them): several records matched, the matched record was locked, or
validation found an error. Nothing of them was saved.
  list      the institution's open rows, oldest first: row, job, received, reason, record(s)
  show      one row: why it was held, the records that matched, the record as it arrived
            (mnemonic) and its decision log
  force     import it now, validation errors not holding it: --into MMSID merges it into that
            record (one of the candidates, say), --as-new adds it as a new record, neither
            decides it again as it comes (once the lock is gone). Its own job row, in the same
            job, links to the held one. Refused, with nothing written, when it would be held,
            skipped or rejected again.
  discard   take it out of the queue without importing it (its row and bytes stay in the job)
  --note TEXT     why it was discarded
${BY_HELP}${CATALOG_HELP}Exit status 1 when the row is unknown or not open, or a force is refused; 2 on bad usage.
`;

function entryId(value: string | undefined): number {
  if (value === undefined) throw new UsageError("name one job row: review show|force|discard ID");
  return integerOption(value, "job row ID", {
    min: 1,
    max: Number.MAX_SAFE_INTEGER,
    default: 0,
  });
}

/** What a held row concerns: its candidates, or the record it matched. */
function concerns(row: JobRecord): string {
  const candidates = heldCandidates(row);
  return candidates.length > 0 ? candidates.join(" ") : (row.mmsId ?? "");
}

async function heldRow(catalog: Catalog, id: number): Promise<JobRecord> {
  const row = await catalog.jobRecord(id);
  if (!row) throw new CommandError(`there is no job row ${id}`);
  return row;
}

async function show(catalog: Catalog, id: number): Promise<string> {
  const row = await heldRow(catalog, id);
  const job = await catalog.job(row.jobId);
  const review = row.review;
  const lines = [
    `job row ${row.id} of job ${row.jobId}${job ? ` (${job.institution}, ${job.description})` : ""}`,
    `received:  ${row.received.toISOString()}, ${row.raw.length} bytes`,
    `outcome:   ${outcomeLabel(row.outcome)}${row.reasonCode !== undefined ? ` (${row.reasonCode})` : ""}: ${row.messages.join("; ")}`,
    `review:    ${
      review
        ? review.state === "open"
          ? "open"
          : `${review.state} by ${review.by ?? "?"} at ${review.at?.toISOString() ?? "?"}${review.note !== undefined ? `: ${review.note}` : ""}${review.forcedEntry !== undefined ? ` (job row ${review.forcedEntry})` : ""}`
        : "not held for review"
    }`,
  ];
  const candidates = heldCandidates(row);
  const matched = candidates.length > 0 ? candidates : row.mmsId !== undefined ? [row.mmsId] : [];
  if (matched.length > 0) {
    lines.push(candidates.length > 0 ? "candidates:" : "record:");
    for (const mmsId of matched) {
      const record = await catalog.record(mmsId);
      lines.push(
        record
          ? `  ${mmsId}  version ${record.version}, brief level ${record.briefLevel}${record.lock ? `, locked by ${record.lock.by}` : ""}: ${searchDocument(record.marc).displayTitle}`
          : `  ${mmsId}  (no longer in the catalog)`,
      );
    }
  }
  const incoming = readIncoming(row.raw).read.record;
  lines.push("record as it arrived:");
  lines.push(
    incoming
      ? writeMnemonic(incoming)
          .trimEnd()
          .split("\n")
          .map((l) => `  ${l}`)
          .join("\n")
      : "  (not readable as ISO 2709)",
  );
  lines.push("log:");
  for (const line of formatLog(jobRowLog(row))) lines.push(`  ${line}`);
  return lines.join("\n") + "\n";
}

export async function reviewCommand(args: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    args,
    {
      institution: { type: "string" },
      limit: { type: "string" },
      into: { type: "string" },
      "as-new": { type: "boolean" },
      note: { type: "string" },
      ...BY_OPTION,
      ...CATALOG_OPTIONS,
    },
    HELP,
  );
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  const [action, ...rest] = positionals;
  if (rest.length > 1) throw new UsageError(`unexpected argument "${rest[1]}"`);
  switch (action) {
    case "list": {
      if (rest.length > 0) throw new UsageError("review list takes no argument but --institution");
      const code = requireOption(values.institution, "--institution");
      const limit = integerOption(values.limit, "--limit", { min: 1, max: 100_000, default: 1000 });
      return withCatalog(values, async (catalog) => {
        const zone = await requireZone(catalog, code);
        const rows = await catalog.reviewQueue(zone.code, { limit });
        if (rows.length === 0) {
          process.stdout.write(`no records held for review in ${zone.code}\n`);
          return 0;
        }
        const lines = formatTable(
          [
            { heading: "row" },
            { heading: "job" },
            { heading: "received" },
            { heading: "reason" },
            { heading: "record(s)", max: 60 },
            { heading: "why", max: 80 },
          ],
          rows.map((r) => [
            String(r.id),
            String(r.jobId),
            r.received.toISOString(),
            r.reasonCode ?? "",
            concerns(r),
            r.messages.join("; "),
          ]),
        );
        process.stdout.write(lines.map((l) => `${l}\n`).join(""));
        return 0;
      });
    }
    case "show": {
      const id = entryId(rest[0]);
      return withCatalog(values, async (catalog) => {
        process.stdout.write(await show(catalog, id));
        return 0;
      });
    }
    case "force": {
      const id = entryId(rest[0]);
      if (values.into !== undefined && values["as-new"])
        throw new UsageError("give --into MMSID or --as-new, not both");
      const target: ForceTarget =
        values.into !== undefined ? { into: values.into } : values["as-new"] ? "new" : "again";
      const by = staffName(values.by);
      return withCatalog(
        values,
        async (catalog) => {
          const outcome = await forceHeld(catalog, new Importer(catalog), id, target, by);
          if ("refused" in outcome) {
            const log = outcome.decision ? formatLog(outcome.decision.log) : [];
            process.stdout.write(log.map((l) => `  ${l}\n`).join(""));
            throw new CommandError(`job row ${id} was not forced: ${outcome.refused}`);
          }
          const { decision, mmsId, entryId: forcedEntry } = outcome.forced;
          process.stdout.write(
            `job row ${id} forced by ${by}: ${outcomeLabel(decision.outcome)}${mmsId !== undefined ? ` ${mmsId}` : ""}: ${decision.reason} (job row ${forcedEntry ?? "?"} of job ${outcome.held.jobId})\n`,
          );
          return decision.outcome === "rejected" ? 1 : 0;
        },
        { writer: "marcgate review force" },
      );
    }
    case "discard": {
      const id = entryId(rest[0]);
      const by = staffName(values.by);
      return withCatalog(
        values,
        async (catalog) => {
          const row = await catalog.discardReview(id, by, values.note);
          process.stdout.write(
            `job row ${row.id} discarded by ${by}${values.note !== undefined ? `: ${values.note}` : ""}\n`,
          );
          return 0;
        },
        { writer: "marcgate review discard" },
      );
    }
    default:
      throw new UsageError(
        action === undefined
          ? "say list, show, force or discard"
          : `unknown action "${action}"; say list, show, force or discard`,
      );
  }
}
