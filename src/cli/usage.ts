import { parseArgs, type ParseArgsConfig } from "node:util";

/** A mistake in how a command was called: shown as one line, exit code 2. */
export class UsageError extends Error {}

/** `parseArgs` whose errors become {@link UsageError}s. */
export function parseCommandArgs<T extends ParseArgsConfig>(
  config: T,
): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}
