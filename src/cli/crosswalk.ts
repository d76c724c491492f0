/** `marcgate crosswalk`: records from one bibliographic format to another, notes on standard error. */
import {
  BIB_FORMATS,
  bibFormatByName,
  crosswalk,
  familyOf,
  type BibFormat,
} from "../crosswalk/crosswalk.js";
import { formatNote, summarizeNotes } from "../crosswalk/note.js";
import { readUnimarc } from "../crosswalk/read.js";
import { FORMAT_NAMES, formatWriter, readFormat, sniffFormat } from "../marc/formats.js";
import { formatIssue } from "../marc/issue.js";
import { describeRecord } from "./describe.js";
import { BufferedOutput, openInput } from "./io.js";
import { Progress } from "./progress.js";
import { formatOption, parseCommandArgs, UsageError } from "./usage.js";

const NAMES = BIB_FORMATS.map((f) => f.toLowerCase()).join("|");

const HELP = `usage: marcgate crosswalk --to ${NAMES} [--from FORMAT] [--format FORMAT] [-o OUT] [IN|-]

Converts bibliographic records between MARC 21, UNIMARC, KORMARC and CNMARC, reading IN
(default: standard input; ISO 2709, MARCXML, MARC-in-JSON or mnemonic, sniffed) and writing OUT
(default: standard output).
  --to FORMAT       the target format: ${NAMES}
  --from FORMAT     the records' format (default: marc21, or unimarc with --to marc21)
  --format FORMAT   how to write them: ${FORMAT_NAMES.join(", ")} (default: marcxml)
  -o, --output      output file
Every field dropped or mapped approximately is listed on standard error, per record, with
its tag and the reason; a summary per tag follows. Exit status: 0 when every record was
written, 1 when a record could not be read or written, 2 on bad usage.
`;

function bibOption(value: string | undefined, option: string): BibFormat | undefined {
  if (value === undefined) return undefined;
  const format = bibFormatByName(value);
  if (!format)
    throw new UsageError(`${option} "${value}" is not a bibliographic format; use one of ${NAMES}`);
  return format;
}

export async function crosswalkCommand(args: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    args,
    {
      to: { type: "string" },
      from: { type: "string" },
      format: { type: "string" },
      output: { type: "string", short: "o" },
    },
    HELP,
  );
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  if (positionals.length > 1)
    throw new UsageError(`one input at a time, got ${positionals.length}`);
  const to = bibOption(values.to, "--to");
  if (!to) throw new UsageError(`--to is required (${NAMES})`);
  const from = bibOption(values.from, "--from") ?? (to === "MARC21" ? "UNIMARC" : "MARC21");
  const serialization = formatOption(values.format, "--format") ?? "marcxml";
  const input = await openInput(positionals[0] ?? "-");
  const format = sniffFormat(input.head);
  const records =
    familyOf(from) === "UNIMARC"
      ? readUnimarc(format, input.chunks)
      : readFormat(format, input.chunks);
  const output = BufferedOutput.open(values.output);
  const writer = formatWriter(serialization);
  const progress = new Progress(`crosswalk ${input.name}`);
  const total = new Map<string, { tag: string; kind: string; reason: string; count: number }>();
  let written = 0;
  let failed = 0;
  let count = 0;
  await output.write(writer.start);
  for await (const result of records) {
    count++;
    progress.tick(count);
    const label = describeRecord(result);
    for (const issue of result.issues) process.stderr.write(`${label}: ${formatIssue(issue)}\n`);
    if (!result.record) {
      failed++;
      continue;
    }
    const converted = crosswalk(result.record, from, to);
    for (const n of summarizeNotes(converted.notes)) {
      process.stderr.write(`${label}: ${formatNote(n)}\n`);
      const key = `${n.tag} ${n.kind} ${n.reason}`;
      const seen = total.get(key);
      if (seen) seen.count += n.count;
      else total.set(key, { ...n });
    }
    const encoded = writer.record(converted.record, written);
    if (typeof encoded === "object" && "error" in encoded) {
      failed++;
      process.stderr.write(`${label}: not written as ${serialization}: ${encoded.error}\n`);
      continue;
    }
    await output.write(encoded);
    written++;
  }
  await output.write(writer.end);
  await output.close();
  progress.done();
  const summary = [...total.values()].sort((a, b) =>
    a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : b.count - a.count,
  );
  if (summary.length > 0) {
    process.stderr.write(
      `fields dropped or mapped approximately (${from} → ${to}), over all records:\n`,
    );
    for (const n of summary) process.stderr.write(`  ${formatNote(n)}\n`);
  }
  process.stderr.write(
    `${written} record(s) written as ${to} (${serialization})${failed ? `, ${failed} not written` : ""}\n`,
  );
  return failed > 0 ? 1 : 0;
}
