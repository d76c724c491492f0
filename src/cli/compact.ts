/** `marcgate compact`: tidies the catalog's indexes (for a nightly job after busy days). */
import { CATALOG_HELP, CATALOG_OPTIONS, withCatalog } from "./catalog-options.js";
import { parseCommandArgs, UsageError } from "./usage.js";

const HELP = `usage: marcgate compact [--data DIR | --db URL]

Tidies the catalog's indexes: on SQLite the full-text search index is merged into one segment
(each record update costs less afterwards; about 4 s for a million records, during which saves
wait), on PostgreSQL the planner statistics are updated. marcgate load and marcgate import do
it themselves after 10,000 records or more; run it nightly on a catalog that Connexion exports
keep updating. Exit status 0 when done, 1 when the catalog cannot be opened, 2 on bad usage.
${CATALOG_HELP}`;

/** Runs `marcgate compact`; returns the exit code. */
export async function compactCommand(args: string[]): Promise<number> {
  const parsed = parseCommandArgs(args, { ...CATALOG_OPTIONS }, HELP);
  if (!parsed) return 0;
  if (parsed.positionals.length > 0) {
    throw new UsageError(`no arguments expected, got "${parsed.positionals[0]}"`);
  }
  const started = process.hrtime.bigint();
  const engine = await withCatalog(
    parsed.values,
    async (catalog) => {
      await catalog.compact();
      return catalog.engine;
    },
    { writer: "marcgate compact" },
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(`compacted the ${engine} catalog's indexes in ${seconds.toFixed(1)} s\n`);
  return 0;
}
