/** `marcgate backup` and `marcgate restore`: SQLite catalogs (PostgreSQL: pg_dump, docs/operations.md). */
import { DEFAULT_DATA_DIR } from "../catalog/open.js";
import { backupSqlite, restoreSqlite, type CatalogCounts } from "../backup/sqlite-backup.js";
import { catalogValues, requireOption } from "./catalog-options.js";
import { CommandError, parseCommandArgs, UsageError } from "./usage.js";

const BACKUP_HELP = `usage: marcgate backup [--data DIR] --out FILE

Writes a consistent copy of the SQLite catalog DIR/marcgate.sqlite to FILE (a new file), through
SQLite's online backup API: it runs beside marcgate serve, which goes on taking exports. A
PostgreSQL catalog is backed up with pg_dump -Fc (docs/operations.md). Exit status 0 when written,
1 when refused, 2 on bad usage.
  --data DIR      the catalog's directory (default: ${DEFAULT_DATA_DIR})
  --out FILE      the backup file to write
`;

const RESTORE_HELP = `usage: marcgate restore --from FILE [--data DIR] [--force]

Puts a backup written by marcgate backup in place as DIR/marcgate.sqlite. Refused while marcgate
serve (or another writer) owns DIR, and when DIR's catalog holds zones or records, unless --force.
A PostgreSQL catalog is restored with pg_restore (docs/operations.md). Exit status 0 when restored,
1 when refused, 2 on bad usage.
  --from FILE     the backup file
  --data DIR      the catalog's directory (default: ${DEFAULT_DATA_DIR})
  --force         replace a catalog that is not empty
`;

const PG_NOTE =
  "a PostgreSQL catalog is backed up with pg_dump -Fc and restored with pg_restore (docs/operations.md)";

function describe(counts: CatalogCounts): string {
  return `${counts.zones} zones, ${counts.records} records, ${counts.versions} versions, ${counts.jobs} jobs, ${counts.jobRecords} job records`;
}

/** Runs `marcgate backup`; returns the exit code. */
export async function backupCommand(args: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    args,
    { data: { type: "string" }, db: { type: "string" }, out: { type: "string" } },
    BACKUP_HELP,
  );
  if (!parsed) return 0;
  const catalog = catalogValues(parsed.values);
  if (catalog.db !== undefined) throw new UsageError(PG_NOTE);
  if (parsed.positionals.length > 0) {
    throw new UsageError(`no arguments expected, got "${parsed.positionals[0]}"`);
  }
  const out = requireOption(parsed.values.out, "--out FILE");
  const dir = catalog.data ?? DEFAULT_DATA_DIR;
  const done = await backupSqlite(dir, out);
  if ("error" in done) throw new CommandError(done.error);
  process.stdout.write(
    `backed up ${dir} to ${out} (${done.bytes} bytes): ${describe(done.counts)}\n`,
  );
  return 0;
}

/** Runs `marcgate restore`; returns the exit code. */
export async function restoreCommand(args: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    args,
    {
      data: { type: "string" },
      db: { type: "string" },
      from: { type: "string" },
      force: { type: "boolean" },
    },
    RESTORE_HELP,
  );
  if (!parsed) return 0;
  const catalog = catalogValues(parsed.values);
  if (catalog.db !== undefined) throw new UsageError(PG_NOTE);
  if (parsed.positionals.length > 0) {
    throw new UsageError(`no arguments expected, got "${parsed.positionals[0]}"`);
  }
  const from = requireOption(parsed.values.from, "--from FILE");
  const dir = catalog.data ?? DEFAULT_DATA_DIR;
  const done = restoreSqlite(from, dir, parsed.values.force === true);
  if ("error" in done) throw new CommandError(done.error);
  process.stdout.write(`restored ${from} into ${dir}: ${describe(done.counts)}\n`);
  return Promise.resolve(0);
}
