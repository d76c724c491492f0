/** `marcgate lint`: each record's issues with byte offsets; non-zero exit when a record is fatal. */
import { readFormat, sniffFormat, FORMAT_NAMES } from "../marc/formats.js";
import { formatIssue, worstSeverity, type Severity } from "../marc/issue.js";
import { describeRecord } from "./describe.js";
import { openInput } from "./io.js";
import { Progress } from "./progress.js";
import { formatOption, parseCommandArgs, UsageError } from "./usage.js";

const HELP = `usage: marcgate lint [--from FORMAT] FILE|-

Reads every record of FILE and lists its issues, one line each:
  record N (byte OFFSET, 001 ID): SEVERITY at byte B, tag T: MESSAGE
Severities: info, minor (repaired without loss), major (repaired, data may be lost or guessed),
fatal (no record could be read). Exit status 1 when any record is fatal, else 0; 2 on bad usage.
FORMAT (${FORMAT_NAMES.join(", ")}) is sniffed from the content when absent.
`;

export async function lintCommand(args: string[]): Promise<number> {
  const parsed = parseCommandArgs(args, { from: { type: "string" } }, HELP);
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  if (positionals.length !== 1)
    throw new UsageError("name one file to lint (or - for standard input)");
  const from = formatOption(values.from, "--from");
  const input = await openInput(positionals[0]!);
  const format = from ?? sniffFormat(input.head);
  const progress = new Progress(`lint ${input.name}`);
  const counts: Record<Severity, number> = { info: 0, minor: 0, major: 0, fatal: 0 };
  let records = 0;
  let clean = 0;
  for await (const result of readFormat(format, input.chunks, { marc8: "convert" })) {
    records++;
    progress.tick(records);
    const worst = worstSeverity(result.issues);
    if (worst === undefined) {
      clean++;
      continue;
    }
    counts[worst]++;
    const label = describeRecord(result);
    for (const issue of result.issues) process.stdout.write(`${label}: ${formatIssue(issue)}\n`);
  }
  progress.done();
  process.stdout.write(
    `${input.name}: ${records} record(s) read as ${format}; ${clean} clean, ${counts.info} info, ${counts.minor} minor, ${counts.major} major, ${counts.fatal} fatal\n`,
  );
  return counts.fatal > 0 ? 1 : 0;
}
