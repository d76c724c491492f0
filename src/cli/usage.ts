import { parseArgs, type ParseArgsConfig } from "node:util";

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig["options"]>;
import { FORMAT_NAMES, formatByName, type FormatName } from "../marc/formats.js";

/** A mistake in how a command was called: shown as one line, exit code 2. */
export class UsageError extends Error {}

const HELP_OPTION = { help: { type: "boolean", short: "h" } } as const;

/**
 * A command's arguments (`parseArgs` with positionals and `--help`/`-h`), parse errors as
 * {@link UsageError}s. Prints `help` and returns `undefined` when help was asked for; the
 * command then exits 0.
 */
export function parseCommandArgs<const O extends ParseArgsOptionsConfig>(
  args: string[],
  options: O,
  help: string,
):
  ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true }>> | undefined {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { ...options, ...HELP_OPTION }, allowPositionals: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if ((parsed.values as { help?: boolean }).help) {
    process.stdout.write(help);
    return undefined;
  }
  return parsed;
}

/** The format an option names (aliases such as `xml` or `mrc` accepted), or undefined when absent. */
export function formatOption(value: string | undefined, option: string): FormatName | undefined {
  if (value === undefined) return undefined;
  const format = formatByName(value);
  if (!format) {
    throw new UsageError(
      `${option} "${value}" is not a format; use one of ${FORMAT_NAMES.join(", ")}`,
    );
  }
  return format;
}

/**
 * A command that was called correctly but cannot do its work (an unknown institution or MMS ID,
 * a catalog that cannot be opened): shown as one line, exit code 1.
 */
export class CommandError extends Error {}

/** A whole-number option (absent: the default); anything else is a {@link UsageError}. */
export function integerOption(
  value: string | undefined,
  option: string,
  limits: { readonly min: number; readonly max: number; readonly default: number },
): number {
  if (value === undefined) return limits.default;
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < limits.min || n > limits.max) {
    throw new UsageError(
      `${option} "${value}" is not a whole number from ${limits.min} to ${limits.max}`,
    );
  }
  return n;
}
