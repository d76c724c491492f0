/** `marcgate export`: every record of a zone, in MMS ID order, in one of the four formats. */
import { FORMAT_NAMES } from "../marc/formats.js";
import { formatWriter } from "../marc/formats.js";
import {
  CATALOG_HELP,
  CATALOG_OPTIONS,
  requireOption,
  requireZone,
  withCatalog,
} from "./catalog-options.js";
import { BufferedOutput } from "./io.js";
import { Progress } from "./progress.js";
import { formatOption, parseCommandArgs, UsageError } from "./usage.js";

const HELP = `usage: marcgate export --institution CODE [--format FORMAT] [-o FILE] [--data DIR | --db URL]

Writes every record of the zone CODE (an institution's, or a network zone's), in MMS ID order,
to FILE or standard output. Only the zone's own records: an institution's export does not
include its network zone's. A count goes to standard error at the end.
  --institution CODE   the zone (required)
  --format FORMAT      ${FORMAT_NAMES.join(", ")} (default: iso2709)
  -o, --output FILE    output file (default: standard output)
${CATALOG_HELP}Exit status 1 when the zone is unknown or a record cannot be written in FORMAT (ISO 2709
holds at most 99,999 bytes a record), 2 on bad usage.
`;

/** Runs `marcgate export`; returns the exit code. */
export async function exportCommand(args: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    args,
    {
      institution: { type: "string" },
      format: { type: "string" },
      output: { type: "string", short: "o" },
      ...CATALOG_OPTIONS,
    },
    HELP,
  );
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  if (positionals.length > 0)
    throw new UsageError(`export takes no arguments; use --institution CODE`);
  const code = requireOption(values.institution, "--institution");
  const format = formatOption(values.format, "--format") ?? "iso2709";
  return withCatalog(values, async (catalog) => {
    const zone = await requireZone(catalog, code);
    const output = BufferedOutput.open(values.output);
    const writer = formatWriter(format);
    const progress = new Progress(`export ${zone.code}`);
    let written = 0;
    let failed = 0;
    await output.write(writer.start);
    for await (const stored of catalog.recordsOf(zone.code)) {
      const encoded = writer.record(stored.marc, written);
      if (typeof encoded === "object" && "error" in encoded) {
        failed++;
        process.stderr.write(
          `record ${stored.mmsId}: not written as ${format}: ${encoded.error}\n`,
        );
        continue;
      }
      await output.write(encoded);
      written++;
      progress.tick(written);
    }
    await output.write(writer.end);
    await output.close();
    progress.done();
    process.stderr.write(
      `${written.toLocaleString("en")} record(s) of ${zone.code} written as ${format}${failed ? `, ${failed} not written` : ""}\n`,
    );
    return failed > 0 ? 1 : 0;
  });
}
