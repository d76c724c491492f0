/**
 * `marcgate validation`: the validation exception profiles. List and show them, export one as a
 * file to copy and change, and check a file of records against one.
 */
import { initialNormalization } from "../import/initial-normalization.js";
import { FORMAT_NAMES, readFormat, sniffFormat } from "../marc/formats.js";
import { formatIssue } from "../marc/issue.js";
import { CHECK_DESCRIPTIONS, CHECK_IDS, type CheckId } from "../validation/checks.js";
import {
  BUILT_IN_PROFILES,
  DEFAULT_VALIDATION_PROFILE,
  exportValidationProfile,
  formatValidationProfileError,
  parseValidationProfile,
  type ValidationProfile,
} from "../validation/profile.js";
import { formatValidationIssue, validateRecord } from "../validation/validate.js";
import { describeRecord } from "./describe.js";
import { BufferedOutput, openInput } from "./io.js";
import { Progress } from "./progress.js";
import { readProfileFile } from "./rule-files.js";
import { formatTable } from "./table.js";
import { CommandError, formatOption, parseCommandArgs, UsageError } from "./usage.js";

const HELP = `usage: marcgate validation list
       marcgate validation show NAME|FILE.json
       marcgate validation export NAME|FILE.json
       marcgate validation check [--profile NAME|FILE.json] [--from FORMAT] FILE|-

Validation exception profiles give each check a severity: error (the record is held for
review on import), warning (logged, the record goes on) or ignore. marcgate ships
"${DEFAULT_VALIDATION_PROFILE}". To change one, export it, edit the copy and name the file in
the Connexion profile ("validationProfile": "ours.json"):
  { "name": "Ours", "basedOn": "${DEFAULT_VALIDATION_PROFILE}",
    "checks": { "indicator.invalid": "error", "field.obsolete-tag": "ignore" } }
Checks a file leaves out keep the severity of the profile it is based on.
  list     the built-in profiles
  show     every check of a profile with its severity and what it looks at
  export   print a profile as a file to copy
  check    validate every record of FILE (default profile "${DEFAULT_VALIDATION_PROFILE}"), as the
           import does (after the initial normalization): one line per issue,
             record N (byte B, 001 ID): SEVERITY [CHECK] WHERE: MESSAGE
           then the count per check. FORMAT (${FORMAT_NAMES.join(", ")}) is sniffed when absent.
Exit status 1 when a record has an error or cannot be read (check), or when a profile file
has errors (each with its line); 2 on bad usage.
`;

/** A validation profile file as read: its text and profile, or its errors as lines. */
export async function readValidationProfileFile(
  path: string,
): Promise<
  | { readonly text: string; readonly profile: ValidationProfile }
  | { readonly errors: readonly string[] }
  | { readonly error: string }
> {
  const read = await readProfileFile(path);
  if ("error" in read) return read;
  const text = read.text;
  const parsed = parseValidationProfile(text);
  if ("errors" in parsed) {
    return { errors: parsed.errors.map((e) => formatValidationProfileError(e, path)) };
  }
  return { text, profile: parsed.profile };
}

/** A built-in profile by name, or a profile file; a file with errors is a refusal. */
async function profileNamed(name: string): Promise<ValidationProfile> {
  const builtIn = BUILT_IN_PROFILES[name];
  if (builtIn && Object.hasOwn(BUILT_IN_PROFILES, name)) return builtIn;
  if (!name.toLowerCase().endsWith(".json")) {
    throw new CommandError(
      `"${name}" is not a validation profile; use one of ${Object.keys(BUILT_IN_PROFILES)
        .map((n) => JSON.stringify(n))
        .join(", ")} or a profile file (.json)`,
    );
  }
  const read = await readValidationProfileFile(name);
  if ("error" in read) throw new CommandError(read.error);
  if ("errors" in read) throw new CommandError(read.errors.join("\n"));
  return read.profile;
}

async function check(
  file: string,
  profile: ValidationProfile,
  from: string | undefined,
): Promise<number> {
  const input = await openInput(file);
  const format = formatOption(from, "--from") ?? sniffFormat(input.head);
  const progress = new Progress(`validate ${input.name}`);
  const perCheck = new Map<CheckId, { errors: number; warnings: number }>();
  let records = 0;
  let held = 0;
  let warned = 0;
  let unreadable = 0;
  const output = BufferedOutput.open(undefined);
  for await (const result of readFormat(format, input.chunks, { marc8: "convert" })) {
    records++;
    progress.tick(records);
    const label = describeRecord(result);
    if (result.record === undefined) {
      unreadable++;
      const fatal = result.issues.find((i) => i.severity === "fatal");
      await output.write(`${label}: unreadable: ${fatal ? formatIssue(fatal) : "no record"}\n`);
      continue;
    }
    const record = initialNormalization(result.record).record;
    const { errors, warnings } = validateRecord(record, profile, result.issues);
    if (errors.length > 0) held++;
    else if (warnings.length > 0) warned++;
    for (const issue of [...errors, ...warnings]) {
      await output.write(`${label}: ${formatValidationIssue(issue)}\n`);
      const count = perCheck.get(issue.check) ?? { errors: 0, warnings: 0 };
      if (issue.severity === "error") count.errors++;
      else count.warnings++;
      perCheck.set(issue.check, count);
    }
  }
  progress.done();
  await output.close();
  const clean = records - held - warned - unreadable;
  process.stdout.write(
    `${input.name}: ${records} record(s) read as ${format}, validated by "${profile.name}": ` +
      `${held} with errors (held for review on import), ${warned} with warnings only, ${clean} clean` +
      (unreadable > 0 ? `, ${unreadable} unreadable` : "") +
      "\n",
  );
  if (perCheck.size > 0) {
    const rows = CHECK_IDS.filter((id) => perCheck.has(id)).map((id) => {
      const c = perCheck.get(id)!;
      return [id, profile.checks[id], String(c.errors + c.warnings)];
    });
    for (const line of formatTable(
      [{ heading: "check" }, { heading: "severity" }, { heading: "issues" }],
      rows,
    )) {
      process.stdout.write(`  ${line}\n`);
    }
  }
  return held > 0 || unreadable > 0 ? 1 : 0;
}

export async function validationCommand(args: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    args,
    { profile: { type: "string" }, from: { type: "string" } },
    HELP,
  );
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  const [action, ...rest] = positionals;
  if (action === "list") {
    if (rest.length !== 0) throw new UsageError("validation list takes no argument");
    for (const profile of Object.values(BUILT_IN_PROFILES)) {
      const counts = { error: 0, warning: 0, ignore: 0 };
      for (const id of CHECK_IDS) counts[profile.checks[id]]++;
      process.stdout.write(
        `${profile.name}  (${CHECK_IDS.length} checks: ${counts.error} error, ${counts.warning} warning, ${counts.ignore} ignore)\n`,
      );
    }
    return 0;
  }
  if (action === "show" || action === "export") {
    if (rest.length !== 1) throw new UsageError(`name one profile: validation ${action} NAME`);
    const profile = await profileNamed(rest[0]!);
    if (action === "export") {
      process.stdout.write(exportValidationProfile(profile));
      return 0;
    }
    process.stdout.write(
      `${profile.name}${profile.basedOn !== undefined ? ` (based on ${profile.basedOn})` : ""}\n`,
    );
    const rows = CHECK_IDS.map((id) => [id, profile.checks[id], CHECK_DESCRIPTIONS[id]]);
    for (const line of formatTable(
      [{ heading: "check" }, { heading: "severity" }, { heading: "what it looks at" }],
      rows,
    )) {
      process.stdout.write(`${line}\n`);
    }
    return 0;
  }
  if (action === "check") {
    if (rest.length !== 1) throw new UsageError("name one file to check (or - for standard input)");
    const profile = await profileNamed(values.profile ?? DEFAULT_VALIDATION_PROFILE);
    return check(rest[0]!, profile, values.from);
  }
  throw new UsageError(
    action === undefined
      ? "say list, show, export or check"
      : `unknown action "${action}"; say list, show, export or check`,
  );
}
