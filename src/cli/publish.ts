/** `marcgate publish oclc`: an OCLC Data Sync export of an institution (src/publish/datasync.ts). */
import { mkdirSync } from "node:fs";
import { describeDataSync, isOclcSymbol, publishToOclc } from "../publish/datasync.js";
import {
  CATALOG_HELP,
  CATALOG_OPTIONS,
  requireOption,
  requireZone,
  withCatalog,
} from "./catalog-options.js";
import { CommandError, parseCommandArgs, UsageError } from "./usage.js";

const HELP = `usage: marcgate publish oclc --institution CODE --symbol SYM --mode full|incremental
                        [--out DIR] [--collection ID] [--data DIR | --db URL]

Writes the institution's records for OCLC WorldShare Data Sync into DIR (docs/publishing.md):
  SYM.DATE.TIME.N.bib.mrc            "Publish bibliographic records": MARC 21 (ISO 2709, UTF-8),
                                     049 $a SYM, leader/05 n (new to OCLC), c (sent before),
                                     d (deleted, suppressed or no longer published)
  SYM.DATE.TIME.N.holdings-set.csv   "Publish holdings only": OCLC numbers to set holdings on
  SYM.DATE.TIME.N.holdings-delete.csv OCLC numbers no record of the zone holds any more
(N: the high-water mark), each with a manifest (FILE.json: counts, sha256, mode, high-water mark, time). A file with
nothing to say is not written. One consumer of the publishing log per institution and symbol:
incremental sends what changed since its last run; full sends every published record. A run
with nothing changed since the last one writes nothing and says so.
  --institution CODE   the institution (required)
  --symbol SYM         its OCLC symbol, 3-8 capital letters or digits (required)
  --mode MODE          full or incremental (required)
  --out DIR            where the files go (default: the current directory; made if missing)
  --collection ID      the Data Sync collection ID, first in the file names
${CATALOG_HELP}On SQLite, refused while marcgate serve runs on the catalog: use serve's --publish-oclc.
`;

/** Runs `marcgate publish`; returns the exit code. */
export async function publishCommand(args: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    args,
    {
      institution: { type: "string" },
      symbol: { type: "string" },
      mode: { type: "string" },
      out: { type: "string" },
      collection: { type: "string" },
      ...CATALOG_OPTIONS,
    },
    HELP,
  );
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  if (positionals.length !== 1 || positionals[0] !== "oclc")
    throw new UsageError(`say what to publish: marcgate publish oclc …`);
  const code = requireOption(values.institution, "--institution");
  const symbol = requireOption(values.symbol, "--symbol");
  if (!isOclcSymbol(symbol))
    throw new UsageError(`--symbol "${symbol}" is not an OCLC symbol (3-8 capitals or digits)`);
  const mode = requireOption(values.mode, "--mode");
  if (mode !== "full" && mode !== "incremental")
    throw new UsageError(`--mode "${mode}" is neither full nor incremental`);
  const collection = values.collection;
  if (collection !== undefined && !/^[A-Za-z0-9_-]{1,32}$/.test(collection))
    throw new UsageError(`--collection "${collection}" must be letters, digits, "_" or "-"`);
  const outDir = values.out ?? ".";
  return withCatalog(
    values,
    async (catalog) => {
      const zone = await requireZone(catalog, code);
      if (zone.kind !== "institution")
        throw new CommandError(`${code} is a network zone; publish each institution's records`);
      try {
        mkdirSync(outDir, { recursive: true });
      } catch (error) {
        throw new CommandError(`cannot make ${outDir}: ${(error as Error).message}`);
      }
      const result = await publishToOclc({
        catalog,
        institution: zone.code,
        symbol,
        mode,
        outDir,
        ...(collection !== undefined ? { collection } : {}),
      });
      for (const line of describeDataSync(result)) process.stdout.write(`${line}\n`);
      return 0;
    },
    { writer: "marcgate publish oclc" },
  );
}
