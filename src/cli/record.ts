/** `marcgate record`: one record, its header (zone, brief level, version…), and its versions. */
import type { LocalFields, RecordVersion, StoredRecord } from "../catalog/catalog.js";
import { recordForInstitution } from "../catalog/institution-view.js";
import { deleteRecord, setSuppressed } from "../catalog/record-actions.js";
import { formatSummary, recordSummary } from "../catalog/summary.js";
import { formatWriter, type FormatName } from "../marc/formats.js";
import type { MarcRecord } from "../marc/record.js";
import { CATALOG_HELP, CATALOG_OPTIONS, withCatalog } from "./catalog-options.js";
import { BufferedOutput } from "./io.js";
import { BY_HELP, BY_OPTION, staffName } from "./staff.js";
import { formatTable } from "./table.js";
import {
  CommandError,
  formatOption,
  integerOption,
  parseCommandArgs,
  UsageError,
} from "./usage.js";

const HELP = `usage: marcgate record MMSID [--institution CODE] [--format FORMAT] [--versions | --version N] [--data DIR | --db URL]
       marcgate record restore MMSID --version N [--by NAME] [--data DIR | --db URL]
       marcgate record suppress|unsuppress MMSID [--by NAME] [--data DIR | --db URL]
       marcgate record delete MMSID [--by NAME] [--data DIR | --db URL]

Shows a record as the catalog holds it now: a header on standard error (zone, brief level,
version, management tag, Community Zone link, lock, created, updated, and the 005 of the last
import: the originating system's version) and the record
on standard output in FORMAT, so the output can be saved or piped as it is.
  --format FORMAT   mrk (default), marcxml, json or iso2709
  --versions        list the versions instead: number, saved by, when, action, job
  --version N       show version N (its header and its record)
  --institution CODE
                    the record as institution CODE sees it: a network-zone record with CODE's
                    own local fields (09X, 59X, 69X, 9XX, $9 LOCAL), which no other member sees;
                    with --versions, the saved states of those local fields are listed too

restore saves version N again as a new version (MARC, brief level, management tag, import
005): history is kept, and the restore can itself be restored away. A record deleted (by
marcgate record delete or marcgate job undo) comes back with its MMS ID.

delete removes a record from the catalog (search, matching, SRU, Z39.50; OAI-PMH harvesters
see it as deleted): its versions are kept, its last state among them, and marcgate record
restore MMSID --version N brings it back. A record locked by someone else is left alone.

suppress (unsuppress) saves a new version with the record suppressed (not) from discovery
(SRU and Z39.50 leave suppressed records out); a record already so is left alone.
${BY_HELP}${CATALOG_HELP}Exit status 1 when there is no such record or version, 2 on bad usage.
`;

function recordHeader(r: StoredRecord, institution?: string, local?: LocalFields): string {
  const pairs = recordSummary(r);
  if (institution !== undefined && r.zone !== institution) {
    pairs.push([
      "local fields",
      local
        ? `${local.fields.length} of ${institution} (version ${local.version}, ${local.savedAt.toISOString()})`
        : `none of ${institution}`,
    ]);
  }
  return formatSummary(pairs);
}

function versionHeader(v: RecordVersion, current: number): string {
  return formatSummary([
    ["MMS ID", v.mmsId],
    ["version", `${v.version} of ${current}`],
    ["brief level", v.briefLevel],
    ["saved by", v.savedBy],
    ["saved at", v.savedAt.toISOString()],
    ["action", v.action],
    ["job", v.jobId !== undefined ? String(v.jobId) : "none"],
  ]);
}

async function writeRecord(marc: MarcRecord, format: FormatName): Promise<void> {
  const writer = formatWriter(format);
  const encoded = writer.record(marc, 0);
  if (typeof encoded === "object" && "error" in encoded) {
    throw new CommandError(`the record cannot be written as ${format}: ${encoded.error}`);
  }
  const output = BufferedOutput.open(undefined);
  await output.write(writer.start);
  await output.write(encoded);
  await output.write(writer.end);
  await output.close();
}

/** Runs `marcgate record`; returns the exit code. */
export async function recordCommand(args: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    args,
    {
      format: { type: "string" },
      versions: { type: "boolean" },
      version: { type: "string" },
      institution: { type: "string" },
      ...BY_OPTION,
      ...CATALOG_OPTIONS,
    },
    HELP,
  );
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  if (positionals[0] === "suppress" || positionals[0] === "unsuppress") {
    const action = positionals[0];
    if (positionals.length !== 2) throw new UsageError(`name one MMS ID: record ${action} MMSID`);
    const mmsId = positionals[1]!;
    const by = staffName(values.by);
    return withCatalog(
      values,
      async (catalog) => {
        const saved = await setSuppressed(catalog, mmsId, action === "suppress", by);
        process.stdout.write(
          saved.changed
            ? `record ${mmsId}: ${action}ed as version ${saved.version ?? "?"} by ${by}\n`
            : `record ${mmsId}: already ${action === "suppress" ? "suppressed" : "not suppressed"}; nothing saved\n`,
        );
        return 0;
      },
      { writer: `marcgate record ${action}` },
    );
  }
  if (positionals[0] === "delete") {
    if (positionals.length !== 2) throw new UsageError("name one MMS ID: record delete MMSID");
    const mmsId = positionals[1]!;
    const by = staffName(values.by);
    return withCatalog(
      values,
      async (catalog) => {
        const deleted = await deleteRecord(catalog, mmsId, by);
        process.stdout.write(
          `record ${mmsId}: deleted by ${by}; its ${deleted.version} version${deleted.version === 1 ? " is" : "s are"} kept (marcgate record restore ${mmsId} --version ${deleted.version} brings it back)\n`,
        );
        return 0;
      },
      { writer: "marcgate record delete" },
    );
  }
  if (positionals[0] === "restore") {
    if (positionals.length !== 2)
      throw new UsageError("name one MMS ID: record restore MMSID --version N");
    if (values.version === undefined) throw new UsageError("--version N is required");
    const mmsId = positionals[1]!;
    const version = integerOption(values.version, "--version", {
      min: 1,
      max: Number.MAX_SAFE_INTEGER,
      default: 1,
    });
    const by = staffName(values.by);
    return withCatalog(
      values,
      async (catalog) => {
        const deleted = await catalog.deletion(mmsId);
        const saved = await catalog.restore(mmsId, version, { savedBy: by, action: "restore" });
        process.stdout.write(
          `record ${mmsId}: version ${version} restored as version ${saved.version ?? "?"} by ${by}` +
            (deleted
              ? ` (it had been deleted by ${deleted.deletedBy}, ${deleted.action}${deleted.jobId !== undefined ? ` of job ${deleted.jobId}` : ""})`
              : "") +
            "\n",
        );
        return 0;
      },
      { writer: "marcgate record restore" },
    );
  }
  if (positionals.length !== 1) throw new UsageError("name one MMS ID");
  const mmsId = positionals[0]!;
  const format = formatOption(values.format, "--format") ?? "mrk";
  if (values.versions && values.version !== undefined)
    throw new UsageError("give --versions or --version N, not both");
  const wanted =
    values.version === undefined
      ? undefined
      : integerOption(values.version, "--version", {
          min: 1,
          max: Number.MAX_SAFE_INTEGER,
          default: 1,
        });
  const institution = values.institution;
  if (institution !== undefined && wanted !== undefined)
    throw new UsageError(
      "--version N shows the record as it was saved, without local fields; leave out --institution (--versions --institution CODE lists the local fields' versions)",
    );
  await withCatalog(values, async (catalog) => {
    const view =
      institution !== undefined
        ? await recordForInstitution(catalog, mmsId, institution)
        : { record: await catalog.record(mmsId) };
    const record = view?.record;
    const deleted = record ? undefined : await catalog.deletion(mmsId);
    if (!record && !deleted) throw new CommandError(`no record ${mmsId} in the catalog`);
    if (!record && !values.versions && wanted === undefined) {
      throw new CommandError(
        `record ${mmsId} was deleted by ${deleted!.deletedBy} at ${deleted!.deletedAt.toISOString()} (${deleted!.action}${deleted!.jobId !== undefined ? ` of job ${deleted!.jobId}` : ""}); its versions are kept: --versions lists them, marcgate record restore ${mmsId} --version ${deleted!.version} brings it back`,
      );
    }
    const last = record?.version ?? deleted!.version;
    if (values.versions) {
      const versions = await catalog.versions(mmsId);
      const lines = formatTable(
        [
          { heading: "version" },
          { heading: "saved by" },
          { heading: "when" },
          { heading: "action" },
          { heading: "job" },
        ],
        versions.map((v) => [
          String(v.version),
          v.savedBy,
          v.savedAt.toISOString(),
          v.action,
          v.jobId !== undefined ? String(v.jobId) : "",
        ]),
      );
      process.stdout.write(lines.join("\n") + "\n");
      if (institution !== undefined && record && record.zone !== institution) {
        const local = await catalog.localFieldVersions(mmsId, institution);
        const table = formatTable(
          [
            { heading: `local fields of ${institution}` },
            { heading: "fields" },
            { heading: "saved by" },
            { heading: "when" },
            { heading: "action" },
            { heading: "job" },
          ],
          local.map((v) => [
            String(v.version),
            v.fields.map((f) => f.tag).join(" ") || "(none)",
            v.savedBy,
            v.savedAt.toISOString(),
            v.action,
            v.jobId !== undefined ? String(v.jobId) : "",
          ]),
        );
        process.stdout.write(
          local.length === 0 ? `no local fields of ${institution}\n` : `\n${table.join("\n")}\n`,
        );
      }
      return;
    }
    if (wanted !== undefined) {
      const version = await catalog.version(mmsId, wanted);
      if (!version) {
        throw new CommandError(
          `record ${mmsId} has no version ${wanted} (it has versions 1 to ${last})`,
        );
      }
      process.stderr.write(versionHeader(version, last));
      await writeRecord(version.marc, format);
      return;
    }
    process.stderr.write(
      recordHeader(
        record!,
        institution,
        view && "localFields" in view ? view.localFields : undefined,
      ),
    );
    await writeRecord(record!.marc, format);
  });
  return 0;
}
