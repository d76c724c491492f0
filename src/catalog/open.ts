/**
 * Opens the catalog a command names: SQLite in a data directory (the default, `./data`), or
 * PostgreSQL when given a `postgres://` URL. The PostgreSQL engine is loaded only when asked
 * for, so SQLite users need nothing else.
 */
import type { Catalog } from "./catalog.js";
import { openSqliteCatalog } from "./sqlite.js";

/** Where the catalog is. At most one of `data` and `db`. */
export interface CatalogLocation {
  /**
   * Directory of the SQLite catalog (`DIR/marcgate.sqlite`, created when missing).
   * @default "./data"
   */
  readonly data?: string;
  /** A PostgreSQL URL (`postgres://…` or `postgresql://…`); when set, `data` must be absent. */
  readonly db?: string;
  /**
   * SQLite only: `FULL` makes every commit durable against power loss, `NORMAL` only against a
   * crash of marcgate.
   * @default "FULL"
   */
  readonly synchronous?: "FULL" | "NORMAL";
  /**
   * SQLite only: import commits on a writer thread of their own (`serve`, `import`).
   * @default false
   */
  readonly writerThread?: boolean;
  /**
   * SQLite with a writer thread only: the pause between two checkpoints, in milliseconds.
   * @default 1 s (`CHECKPOINT_INTERVAL_MS`)
   */
  readonly checkpointIntervalMs?: number;
  /**
   * PostgreSQL only: the schema holding marcgate's tables (created when missing).
   * @default the server's `search_path` (usually `public`)
   */
  readonly schema?: string;
}

/** The catalog, or why it could not be opened (one line). */
export type OpenCatalogResult =
  | { readonly catalog: Catalog; readonly error?: undefined }
  | { readonly catalog?: undefined; readonly error: string };

/** The default data directory. */
export const DEFAULT_DATA_DIR = "./data";

const POSTGRES_URL = /^postgres(ql)?:\/\/[^\s]+$/;

/**
 * Opens the catalog at a location. Bad locations and unreachable databases are values, not
 * exceptions; an error in the engine itself (a bug) still throws.
 *
 * @example
 * ```ts
 * const opened = await openCatalog({ data: "./data" });
 * if (opened.error) throw new Error(opened.error);
 * const zones = await opened.catalog.zones();
 * ```
 */
export async function openCatalog(location: CatalogLocation): Promise<OpenCatalogResult> {
  if (location.db !== undefined && location.data !== undefined) {
    return { error: "give --data DIR or --db URL, not both" };
  }
  if (location.db === undefined) {
    const dir = location.data ?? DEFAULT_DATA_DIR;
    try {
      const options = {
        ...(location.synchronous ? { synchronous: location.synchronous } : {}),
        ...(location.writerThread ? { writerThread: true } : {}),
        ...(location.checkpointIntervalMs !== undefined
          ? { checkpointIntervalMs: location.checkpointIntervalMs }
          : {}),
      };
      return { catalog: await openSqliteCatalog(dir, options) };
    } catch (error) {
      return { error: `cannot open the SQLite catalog in ${dir}: ${messageOf(error)}` };
    }
  }
  if (!POSTGRES_URL.test(location.db)) {
    return { error: `--db "${location.db}" is not a postgres:// URL` };
  }
  const engine = await loadPostgresEngine();
  if (typeof engine === "string") return { error: engine };
  try {
    const options = location.schema !== undefined ? { schema: location.schema } : {};
    return { catalog: await engine(location.db, options) };
  } catch (error) {
    return {
      error: `cannot open the PostgreSQL catalog at ${redact(location.db)}: ${messageOf(error)}`,
    };
  }
}

type PostgresOpener = (url: string, options: { schema?: string }) => Promise<Catalog>;

/** The PostgreSQL engine's opener, or why it is not there. */
async function loadPostgresEngine(): Promise<PostgresOpener | string> {
  // A computed specifier: the engine is optional at build time and loaded on demand.
  const specifier = "./postgres.js";
  let module: unknown;
  try {
    module = await import(specifier);
  } catch (error) {
    if (isModuleNotFound(error)) {
      return "the PostgreSQL engine is not part of this build (src/catalog/postgres.ts); use --data DIR for SQLite";
    }
    throw error;
  }
  const opener =
    typeof module === "object" && module !== null && "openPostgresCatalog" in module
      ? module.openPostgresCatalog
      : undefined;
  if (typeof opener !== "function") {
    return "the PostgreSQL engine module has no openPostgresCatalog; use --data DIR for SQLite";
  }
  return opener as PostgresOpener;
}

function isModuleNotFound(error: unknown): boolean {
  return (
    error instanceof Error &&
    "code" in error &&
    error.code === "ERR_MODULE_NOT_FOUND" &&
    error.message.includes("postgres.js")
  );
}

/** The URL without its password, for messages. */
function redact(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:/@]*):[^@]*@/, "$1:***@");
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0]!;
}
