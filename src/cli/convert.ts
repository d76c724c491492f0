/** `marcgate convert`: records from one format to another, issues on standard error. */
import { FORMAT_NAMES, formatWriter, readFormat, sniffFormat } from "../marc/formats.js";
import { formatIssue } from "../marc/issue.js";
import { BufferedOutput, openInput } from "./io.js";
import { Progress } from "./progress.js";
import { formatOption, parseCommandArgs, UsageError } from "./usage.js";
import { describeRecord } from "./describe.js";

const HELP = `usage: marcgate convert [--from FORMAT] [--to FORMAT] [--keep-marc8] [-o OUT] [IN|-]

Reads records from IN (default: standard input) and writes them to OUT (default: standard output).
FORMAT is one of: ${FORMAT_NAMES.join(", ")}.
  --from FORMAT   input format; sniffed from the content when absent
  --to FORMAT     output format (default: mrk)
  --keep-marc8    keep MARC-8 records (leader/09 blank) as MARC-8 instead of converting to UTF-8
  -o, --output    output file
Issues found in the input go to standard error, one line each. Exit status: 0 when every record
was written, 1 when a record could not be read or written (its issues say why), 2 on bad usage.
`;

export async function convertCommand(args: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    args,
    {
      from: { type: "string" },
      to: { type: "string" },
      output: { type: "string", short: "o" },
      "keep-marc8": { type: "boolean" },
    },
    HELP,
  );
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  if (positionals.length > 1)
    throw new UsageError(`one input at a time, got ${positionals.length}`);
  const from = formatOption(values.from, "--from");
  const to = formatOption(values.to, "--to") ?? "mrk";
  const input = await openInput(positionals[0] ?? "-");
  const format = from ?? sniffFormat(input.head);
  const output = BufferedOutput.open(values.output);
  const marc8 = values["keep-marc8"] ? "keep" : "convert";
  const writer = formatWriter(to, { marc8 });
  const progress = new Progress(`convert ${input.name}`);
  let written = 0;
  let failed = 0;
  let count = 0;
  await output.write(writer.start);
  for await (const result of readFormat(format, input.chunks, { marc8 })) {
    count++;
    progress.tick(count);
    const label = describeRecord(result);
    for (const issue of result.issues) process.stderr.write(`${label}: ${formatIssue(issue)}\n`);
    if (!result.record) {
      failed++;
      continue;
    }
    const encoded = writer.record(result.record, written);
    if (typeof encoded === "object" && "error" in encoded) {
      failed++;
      process.stderr.write(`${label}: not written as ${to}: ${encoded.error}\n`);
      continue;
    }
    await output.write(encoded);
    written++;
  }
  await output.write(writer.end);
  await output.close();
  progress.done();
  process.stderr.write(
    `${written} record(s) written as ${to}${failed ? `, ${failed} not written` : ""}\n`,
  );
  return failed > 0 ? 1 : 0;
}
