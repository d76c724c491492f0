/** What every catalog command shares: `--data DIR` or `--db URL`, and opening the catalog. */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Catalog, Zone } from "../catalog/catalog.js";
import { DEFAULT_DATA_DIR, openCatalog, type CatalogLocation } from "../catalog/open.js";
import { SQLITE_FILE } from "../catalog/sqlite.js";
import { ownDataDirectory, type DataDirectoryOwnership } from "../catalog/sqlite-owner.js";
import { envName } from "../config/settings.js";
import { CommandError, UsageError } from "./usage.js";

/** The `parseArgs` options naming the catalog. */
export const CATALOG_OPTIONS = {
  data: { type: "string" },
  db: { type: "string" },
} as const;

/** The help lines of {@link CATALOG_OPTIONS}. */
export const CATALOG_HELP = `  --data DIR      the SQLite catalog in DIR/marcgate.sqlite (default: ${DEFAULT_DATA_DIR};
                  without --data and --db: $${envName("data")}, else $${envName("db")})
  --db URL        a PostgreSQL catalog instead (postgres://user:password@host:5432/db; better
                  in $${envName("db")}, which ps does not show)
`;

/** The catalog options a command was given. */
export interface CatalogValues {
  readonly data?: string | undefined;
  readonly db?: string | undefined;
}

/**
 * The catalog the command names: its `--data` or `--db`, else the environment's
 * `MARCGATE_DATA_DIR` or `MARCGATE_DB_URL` (serve's variables, so that every command finds the
 * catalog serve uses, and the database password stays out of `ps`). Both variables set is a
 * {@link UsageError}.
 */
export function catalogValues(
  values: CatalogValues,
  env: NodeJS.ProcessEnv = process.env,
): CatalogValues {
  if (values.data !== undefined || values.db !== undefined) return values;
  const data = env[envName("data")] || undefined;
  const db = env[envName("db")] || undefined;
  if (data !== undefined && db !== undefined) {
    throw new UsageError(
      `${envName("data")} and ${envName("db")} are both set: unset one, or give --data or --db`,
    );
  }
  return data !== undefined ? { data } : db !== undefined ? { db } : {};
}

/**
 * Opens the catalog the options (or the environment, {@link catalogValues}) name, runs `work`
 * on it and closes it, whatever happens.
 * A catalog that cannot be opened is a {@link CommandError}.
 */
export async function withCatalog<T>(
  values: CatalogValues,
  work: (catalog: Catalog) => Promise<T>,
  options: Pick<CatalogLocation, "synchronous" | "writerThread" | "checkpointIntervalMs"> & {
    /**
     * The command writes records (`marcgate serve`, `marcgate import` …): on SQLite it must be
     * the only process that does (see src/catalog/sqlite-owner.ts).
     */
    readonly writer?: string;
    /**
     * The command may start a catalog (`serve`, `import`, `load`, `institution add`, `network
     * add`, `user add`): an SQLite directory with no catalog gets a new one. Every other command
     * refuses it, so that a mistyped `--data` says so instead of creating an empty catalog.
     */
    readonly create?: boolean;
  } = {},
): Promise<T> {
  values = catalogValues(values);
  if (values.data !== undefined && values.db !== undefined) {
    throw new UsageError("give --data DIR or --db URL, not both");
  }
  if (values.db === undefined && options.create !== true) {
    const dir = values.data ?? DEFAULT_DATA_DIR;
    if (!existsSync(join(dir, SQLITE_FILE))) {
      throw new CommandError(
        `no catalog in ${dir} (no ${SQLITE_FILE} there): check --data, or start one with ` +
          `marcgate institution add (or marcgate serve)`,
      );
    }
  }
  const { writer } = options;
  const location: CatalogLocation = {
    ...(values.data !== undefined ? { data: values.data } : {}),
    ...(values.db !== undefined ? { db: values.db } : {}),
    ...(options.synchronous !== undefined ? { synchronous: options.synchronous } : {}),
    ...(options.writerThread !== undefined ? { writerThread: options.writerThread } : {}),
    ...(options.checkpointIntervalMs !== undefined
      ? { checkpointIntervalMs: options.checkpointIntervalMs }
      : {}),
  };
  const opened = await openCatalog(location);
  if (opened.error !== undefined) throw new CommandError(opened.error);
  let owned: DataDirectoryOwnership | undefined;
  if (writer !== undefined && opened.catalog.engine === "sqlite") {
    const owner = ownDataDirectory(values.data ?? DEFAULT_DATA_DIR, writer);
    if ("error" in owner) {
      await opened.catalog.close();
      throw new CommandError(owner.error);
    }
    owned = owner;
  }
  try {
    return await work(opened.catalog);
  } finally {
    await opened.catalog.close();
    owned?.release();
  }
}

/** The zone with this code, or a {@link CommandError} saying there is none. */
export async function requireZone(catalog: Catalog, code: string): Promise<Zone> {
  const zone = await catalog.zone(code);
  if (!zone) {
    throw new CommandError(
      `no institution or network zone "${code}" in the catalog (marcgate institution list shows them)`,
    );
  }
  return zone;
}

/** The zones an institution sees: its own and its network zone's. */
export function visibleZones(zone: Zone): string[] {
  return zone.network !== undefined ? [zone.code, zone.network] : [zone.code];
}

/** One required string option, or a {@link UsageError} naming it. */
export function requireOption(value: string | undefined, option: string): string {
  if (value === undefined || value === "") throw new UsageError(`${option} is required`);
  return value;
}
