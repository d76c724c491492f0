/**
 * `marcgate import`: the Connexion pipeline on a file — each record decided and committed under
 * the institution's OCLC Connexion profile, as if exported one by one, in one job.
 */
import { COMPACT_AFTER_RECORDS, type Catalog, type Zone } from "../catalog/catalog.js";
import { countsInWords, outcomeLabel, SAVED_OUTCOMES } from "../catalog/outcome-words.js";
import { BULK_CHECKPOINT_INTERVAL_MS } from "../catalog/sqlite-writer.js";
import { receivedCoding, textIncoming, type Incoming } from "../import/decide.js";
import { Importer, incomingOf, type ImportResult } from "../import/importer.js";
import { formatLog } from "../import/log.js";
import { loadConnexionProfile, type StoredProfileSettings } from "../import/profile.js";
import { readFormat, sniffFormat } from "../marc/formats.js";
import {
  bibFormatByName,
  BIB_FORMATS,
  crosswalk,
  familyOf,
  type BibFormat,
} from "../crosswalk/crosswalk.js";
import { formatNote } from "../crosswalk/note.js";
import { readUnimarc } from "../crosswalk/read.js";
import { readIso2709Frames } from "../marc/iso2709.js";
import { writeMnemonic } from "../marc/mnemonic.js";
import {
  CATALOG_HELP,
  CATALOG_OPTIONS,
  requireOption,
  requireZone,
  withCatalog,
} from "./catalog-options.js";
import { describeRecord } from "./describe.js";
import { openInput } from "./io.js";
import { Progress } from "./progress.js";
import { CommandError, formatOption, parseCommandArgs, UsageError } from "./usage.js";

const HELP = `usage: marcgate import FILE --institution CODE [--profile P] [--dry-run] [--from FORMAT] [--source-format BIB] [--data DIR | --db URL]

Runs the institution's OCLC Connexion profile on every record of FILE, as if each had been
exported from Connexion: read (MARC-8 converted), initial normalization, match, merge,
management tag; one import job for the file, every record kept in it with its bytes. Prints a
line for each record that was not added or merged, then the job's counts.
  --institution CODE   the institution (it needs an OCLC Connexion profile)
  --profile P          the institution's profile P (default: its default profile)
  --dry-run            decide only: print each record's outcome, decision log, candidates and
                       the record as it would be saved (merged or new, mnemonic); write nothing
  --source-format BIB  marc21 (default, as Connexion sends), unimarc, kormarc or cnmarc: records
                       of another format are converted to MARC 21 to be decided (what the
                       conversion dropped is in the decision log), then saved in the profile's
                       target format; the job keeps each as read
  --from FORMAT        the file's format (default: sniffed); records in other formats than
                       ISO 2709 are kept in the job as UTF-8 ISO 2709
${CATALOG_HELP}Exit status 0 when every record was imported (new, merged, overlaid, unchanged), 1 when any
failed, was held for review or was skipped, or when the import could not finish (a missing or
unreadable file, a read error, Ctrl-C or SIGTERM: the records read so far are finished and the
job is closed as failed, with the reason, in marcgate job list), 2 on bad usage.
`;

/**
 * Records committed in one transaction: a file's records all arrive at once, so bigger batches
 * than the Connexion gateway's (fewer commits, fewer full-text segments to merge).
 */
const BATCH = 500;

/** Records in flight at once: enough for the importer to fill a batch while one commits. */
const IN_FLIGHT = 2 * BATCH;

interface FileRecord {
  readonly raw: Uint8Array;
  /** Where the record starts in the file, and its number (from 0). */
  readonly offset: number;
  readonly index: number;
  /**
   * The record as read: ISO 2709 is decoded when the importer comes to it, so the records
   * waiting for their batch are bytes, not decoded records; other formats are read at once.
   */
  readonly incoming: Incoming | (() => Incoming);
}

async function* fileRecords(
  file: string,
  from: ReturnType<typeof formatOption>,
  source: BibFormat = "MARC21",
): AsyncGenerator<FileRecord> {
  const input = await openInput(file);
  const format = from ?? sniffFormat(input.head);
  if (source !== "MARC21") {
    // Records of another format: kept in the job as read (UTF-8 ISO 2709), decided as MARC 21.
    const read =
      familyOf(source) === "UNIMARC"
        ? readUnimarc(format, input.chunks)
        : readFormat(format, input.chunks);
    for await (const result of read) {
      const { raw, incoming } = textIncoming(result, new Uint8Array(0));
      if (!result.record) {
        yield { raw, offset: result.offset, index: result.index, incoming };
        continue;
      }
      const converted = crosswalk(result.record, source, "MARC21");
      const notes = converted.notes.map((n) => ({
        severity: "info" as const,
        offset: result.offset,
        tag: n.tag,
        message: `${source} → MARC 21: ${formatNote(n)}`,
      }));
      yield {
        raw,
        offset: result.offset,
        index: result.index,
        incoming: {
          ...incoming,
          read: { ...result, record: converted.record, issues: [...result.issues, ...notes] },
        },
      };
    }
    return;
  }
  if (format === "iso2709") {
    for await (const frame of readIso2709Frames(input.chunks)) {
      const { bytes, offset, index } = frame;
      yield {
        raw: bytes,
        offset,
        index,
        incoming: () => ({ read: frame.decode(), receivedCoding: receivedCoding(bytes) }),
      };
    }
    return;
  }
  for await (const result of readFormat(format, input.chunks)) {
    const { raw, incoming } = textIncoming(result, new Uint8Array(0));
    yield { raw, offset: result.offset, index: result.index, incoming };
  }
}

async function institutionProfile(
  catalog: Catalog,
  code: string,
  profileCode: string | undefined,
): Promise<{ zone: Zone; profile: StoredProfileSettings }> {
  const zone = await requireZone(catalog, code);
  const loaded = await loadConnexionProfile(catalog, zone.code, profileCode);
  if (!loaded) {
    throw new CommandError(
      profileCode === undefined
        ? `${zone.code} has no OCLC Connexion profile (marcgate profile import --institution ${zone.code} FILE.json)`
        : `${zone.code} has no OCLC Connexion profile ${profileCode} (marcgate profile list --institution ${zone.code})`,
    );
  }
  if ("error" in loaded) throw new CommandError(loaded.error);
  return { zone, profile: loaded.profile };
}

/** Each line of `text` indented. */
function indent(text: string, by: string): string {
  return text
    .trimEnd()
    .split("\n")
    .map((line) => `${by}${line}\n`)
    .join("");
}

/** An error as one line, for the job's failure. */
function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Ctrl-C or SIGTERM during an import: the records read so far are finished and the job is closed
 * as failed (interrupted); a second signal ends the process at once. Standard input is closed, as
 * the import may be waiting for it.
 */
function interruptions(file: string): { readonly signal: string | undefined; stop(): void } {
  const state: { signal: string | undefined; stop(): void } = {
    signal: undefined,
    stop: () => {
      process.off("SIGINT", on);
      process.off("SIGTERM", on);
    },
  };
  function on(signal: NodeJS.Signals): void {
    if (state.signal !== undefined) process.exit(130);
    state.signal = signal;
    if (file === "-") process.stdin.destroy();
  }
  process.on("SIGINT", on);
  process.on("SIGTERM", on);
  return state;
}

function outcomeLine(label: string, result: ImportResult): string {
  const { decision, mmsId } = result;
  return `${label}: ${outcomeLabel(decision.outcome)}${mmsId !== undefined ? ` ${mmsId}` : ""}: ${decision.reason}\n`;
}

export async function importCommand(args: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    args,
    {
      institution: { type: "string" },
      profile: { type: "string" },
      "dry-run": { type: "boolean" },
      from: { type: "string" },
      "source-format": { type: "string" },
      ...CATALOG_OPTIONS,
    },
    HELP,
  );
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  if (positionals.length !== 1)
    throw new UsageError("name one file to import (or - for standard input)");
  const file = positionals[0]!;
  const code = requireOption(values.institution, "--institution");
  const from = formatOption(values.from, "--from");
  const sourceName = values["source-format"];
  const source = sourceName === undefined ? "MARC21" : bibFormatByName(sourceName);
  if (!source)
    throw new UsageError(
      `--source-format "${sourceName}" is not a bibliographic format; use one of ${BIB_FORMATS.map((f) => f.toLowerCase()).join(", ")}`,
    );
  return withCatalog(
    values,
    async (catalog) => {
      const { zone, profile } = await institutionProfile(catalog, code, values.profile);
      const importer = new Importer(catalog, { maxBatch: BATCH });
      if (values["dry-run"]) {
        let problems = 0;
        for await (const record of fileRecords(file, from, source)) {
          const incoming = incomingOf(record);
          const decision = await importer.dryRun({
            raw: record.raw,
            incoming,
            institution: zone,
            profile,
          });
          if (!SAVED_OUTCOMES.has(decision.outcome)) problems++;
          process.stdout.write(
            `${describeRecord(incoming.read)}: would be ${outcomeLabel(decision.outcome)}${decision.mmsId !== undefined ? ` ${decision.mmsId}` : ""}: ${decision.reason}\n` +
              formatLog(decision.log)
                .map((line) => `  ${line}\n`)
                .join("") +
              (decision.candidates ? `  candidates: ${decision.candidates.join(" ")}\n` : "") +
              (decision.record
                ? `  record as it would be saved:\n${indent(writeMnemonic(decision.record), "    ")}`
                : ""),
          );
        }
        return problems > 0 ? 1 : 0;
      }
      const started = process.hrtime.bigint();
      const job = await catalog.startJob({
        institution: zone.code,
        source: "import",
        description: `import ${file}`,
        ...(values.profile !== undefined ? { profile: profile.code } : {}),
      });
      const progress = new Progress(`import ${file}`);
      let count = 0;
      let problems = 0;
      let failure: unknown;
      // Records in flight are counted, not kept in a set of promises: each waits in the importer
      // until its batch is written, and all it holds then is kept alive that long.
      let inFlight = 0;
      let wake: (() => void) | undefined;
      const settled = (): void => {
        inFlight--;
        wake?.();
        wake = undefined;
      };
      const room = (): Promise<void> => new Promise<void>((resolve) => (wake = resolve));
      const interruption = interruptions(file);
      try {
        for await (const record of fileRecords(file, from, source)) {
          count++;
          progress.tick(count);
          inFlight++;
          importer
            .import({
              raw: record.raw,
              incoming: record.incoming,
              institution: zone,
              profile,
              jobId: job.id,
              savedBy: "import",
              source: { kind: "file", file, offset: record.offset, index: record.index },
            })
            .then(
              (result) => {
                try {
                  if (!SAVED_OUTCOMES.has(result.decision.outcome)) {
                    problems++;
                    // Named from the record read again: only the few records that need a line.
                    progress.message(outcomeLine(describeRecord(incomingOf(record).read), result));
                  }
                } catch (error) {
                  failure ??= error;
                } finally {
                  settled();
                }
              },
              (error: unknown) => {
                failure ??= error;
                settled();
              },
            );
          if (inFlight >= IN_FLIGHT) await room();
          if (failure !== undefined || interruption.signal !== undefined) break;
        }
      } catch (error) {
        // The file could not be opened or read (missing, a directory, a read error mid-way).
        failure ??= error;
      }
      let why: string | undefined;
      let finished;
      try {
        while (inFlight > 0) await room();
        progress.done();
        const records = `${count.toLocaleString("en")} records`;
        why =
          interruption.signal !== undefined
            ? `interrupted by ${interruption.signal} after ${records}`
            : failure !== undefined
              ? `${errorText(failure)} (after ${records})`
              : undefined;
        finished = await catalog.finishJob(job.id, why);
      } finally {
        interruption.stop();
      }
      if (why !== undefined) {
        throw new CommandError(`${why}; job ${job.id} failed (marcgate job show ${job.id})`);
      }
      if (count >= COMPACT_AFTER_RECORDS) await catalog.compact();
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const counts = countsInWords(finished.counts);
      process.stdout.write(
        `${count.toLocaleString("en")} records in ${seconds.toFixed(1)} s (${Math.round(count / Math.max(seconds, 1e-9)).toLocaleString("en")}/s): ${counts || "none"} (job ${job.id}; marcgate job show ${job.id})\n`,
      );
      return problems > 0 ? 1 : 0;
    },
    {
      writerThread: true,
      checkpointIntervalMs: BULK_CHECKPOINT_INTERVAL_MS,
      ...(values["dry-run"] ? {} : { writer: "marcgate import" }),
    },
  );
}
