/**
 * Backups of an SQLite catalog. `backupSqlite` is a reader: it copies `DIR/marcgate.sqlite`
 * through SQLite's online backup API, so it runs beside `marcgate serve` and the copy is one
 * consistent snapshot (the pages of one moment, whatever serve writes meanwhile).
 * `restoreSqlite` is a writer: it takes the directory's lock (src/catalog/sqlite-owner.ts), so it
 * is refused while serve owns the directory, and it will not replace a catalog that holds zones
 * or records unless told to.
 */
import Database from "better-sqlite3";
import { copyFileSync, existsSync, renameSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { ownDataDirectory } from "../catalog/sqlite-owner.js";

/** The catalog file in a data directory. */
export const CATALOG_FILE = "marcgate.sqlite";

/** What a catalog file holds, to report and to compare. */
export interface CatalogCounts {
  readonly zones: number;
  readonly records: number;
  readonly versions: number;
  readonly jobs: number;
  readonly jobRecords: number;
}

/** Tables a marcgate catalog has (a file without them is not a marcgate backup). */
const COUNTED = {
  zones: "zones",
  records: "records",
  versions: "record_versions",
  jobs: "import_jobs",
  jobRecords: "job_records",
} as const;

/** Counts the rows of a catalog file, or says why it is not a marcgate catalog. */
export function catalogCounts(file: string): CatalogCounts | { readonly error: string } {
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (error) {
    return { error: `cannot open ${file}: ${message(error)}` };
  }
  try {
    const tables = new Set(
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[],
    );
    const missing = Object.values(COUNTED).filter((t) => !tables.has(t));
    if (missing.length > 0) {
      return { error: `${file} is not a marcgate catalog (no table ${missing.join(", ")})` };
    }
    const count = (table: string): number =>
      db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
    return {
      zones: count(COUNTED.zones),
      records: count(COUNTED.records),
      versions: count(COUNTED.versions),
      jobs: count(COUNTED.jobs),
      jobRecords: count(COUNTED.jobRecords),
    };
  } catch (error) {
    return { error: `cannot read ${file}: ${message(error)}` };
  } finally {
    db.close();
  }
}

/** Writes a consistent copy of `dir`'s catalog to `out` (which must not exist). */
export async function backupSqlite(
  dir: string,
  out: string,
): Promise<
  { readonly counts: CatalogCounts; readonly bytes: number } | { readonly error: string }
> {
  const source = join(dir, CATALOG_FILE);
  if (!existsSync(source)) return { error: `no catalog in ${dir} (no ${CATALOG_FILE})` };
  if (existsSync(out)) return { error: `${out} exists; name a new file` };
  const partial = `${out}.partial`;
  let db: Database.Database;
  try {
    // Not readonly: a WAL reader must be able to map the -shm file that serve keeps.
    db = new Database(source, { fileMustExist: true });
  } catch (error) {
    return { error: `cannot open ${source}: ${message(error)}` };
  }
  try {
    await db.backup(partial);
  } catch (error) {
    rmSync(partial, { force: true });
    return { error: `cannot write ${out}: ${message(error)}` };
  } finally {
    db.close();
  }
  const counts = catalogCounts(partial);
  if ("error" in counts) {
    rmSync(partial, { force: true });
    return counts;
  }
  renameSync(partial, out);
  return { counts, bytes: statSync(out).size };
}

/**
 * Replaces `dir`'s catalog by the backup `from`. Refused while another process owns the
 * directory, and when the catalog there holds zones or records, unless `force`.
 */
export function restoreSqlite(
  from: string,
  dir: string,
  force: boolean,
): { readonly counts: CatalogCounts } | { readonly error: string } {
  const counts = catalogCounts(from);
  if ("error" in counts) return counts;
  if (!existsSync(dir)) return { error: `no directory ${dir} (create it first)` };
  const owner = ownDataDirectory(dir, "marcgate restore");
  if ("error" in owner) return owner;
  try {
    const target = join(dir, CATALOG_FILE);
    if (existsSync(target) && !force) {
      const present = catalogCounts(target);
      if ("error" in present) {
        return { error: `${present.error}; give --force to replace it` };
      }
      if (present.zones > 0 || present.records > 0) {
        return {
          error:
            `the catalog in ${dir} is not empty (${present.zones} zones, ${present.records} records); ` +
            `give --force to replace it`,
        };
      }
    }
    const partial = join(dir, `${CATALOG_FILE}.restoring`);
    copyFileSync(from, partial);
    // The old catalog's write-ahead log belongs to the old file: it must not be replayed into the new one.
    rmSync(`${target}-wal`, { force: true });
    rmSync(`${target}-shm`, { force: true });
    renameSync(partial, target);
    return { counts };
  } finally {
    owner.release();
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
