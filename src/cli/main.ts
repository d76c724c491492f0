/**
 * The `marcgate` command. Each subcommand lives in its own module and returns an exit code;
 * bad usage prints a one-line reason and exits 2; a refusal (unknown institution or MMS ID, a
 * catalog that cannot be opened) prints a one-line reason and exits 1.
 */
import { CatalogError } from "../catalog/catalog.js";
import { backupCommand, restoreCommand } from "./backup.js";
import { compactCommand } from "./compact.js";
import { configCommand } from "./config.js";
import { convertCommand } from "./convert.js";
import { crosswalkCommand } from "./crosswalk.js";
import { exportCommand } from "./export.js";
import { importCommand } from "./import.js";
import { jobCommand } from "./job.js";
import { institutionCommand } from "./institution.js";
import { lintCommand } from "./lint.js";
import { loadCommand } from "./load.js";
import { networkCommand } from "./network.js";
import { profileCommand } from "./profile.js";
import { publishCommand } from "./publish.js";
import { recordCommand } from "./record.js";
import { reviewCommand } from "./review.js";
import { briefLevelCommand, mergeCommand, rulesCommand } from "./rules.js";
import { searchCommand } from "./search.js";
import { sendCommand } from "./send.js";
import { serveCommand } from "./serve.js";
import { userCommand } from "./user.js";
import { CommandError, UsageError } from "./usage.js";
import { validationCommand } from "./validation.js";

interface Command {
  readonly summary: string;
  readonly run: (args: string[]) => Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  convert: {
    summary: "convert records between ISO 2709, MARCXML, MARC-in-JSON and mnemonic",
    run: convertCommand,
  },
  crosswalk: {
    summary: "convert records between MARC 21, UNIMARC, KORMARC and CNMARC (dropped fields listed)",
    run: crosswalkCommand,
  },
  lint: { summary: "list each record's structural issues with byte offsets", run: lintCommand },
  network: { summary: "add a network zone", run: networkCommand },
  institution: { summary: "add an institution zone, or list the zones", run: institutionCommand },
  load: { summary: "bulk-load a file of records into an institution's zone", run: loadCommand },
  compact: {
    summary: "tidy the catalog's indexes (nightly, on a busy catalog)",
    run: compactCommand,
  },
  backup: { summary: "copy an SQLite catalog to a file, online beside serve", run: backupCommand },
  restore: {
    summary: "put an SQLite catalog backup in place (serve stopped)",
    run: restoreCommand,
  },
  search: { summary: "search an institution's and its network's records", run: searchCommand },
  record: {
    summary: "show a record with its header, or its versions; restore a version",
    run: recordCommand,
  },
  export: { summary: "write every record of a zone to a file", run: exportCommand },
  publish: {
    summary: "publish an institution's records for OCLC Data Sync (full or incremental)",
    run: publishCommand,
  },
  profile: {
    summary: "an institution's OCLC Connexion profile: import or show",
    run: profileCommand,
  },
  serve: {
    summary: "listen for Connexion exports (port 5500) and serve HTTP (8080)",
    run: serveCommand,
  },
  config: {
    summary: "check serve's settings (marcgate.toml, MARCGATE_* variables, flags), secrets masked",
    run: configCommand,
  },
  send: {
    summary: "export a file's records to a Connexion gateway, as Connexion does",
    run: sendCommand,
  },
  import: {
    summary: "run the Connexion profile on a file of records (one job)",
    run: importCommand,
  },
  rules: {
    summary: "check Alma rule files, or apply normalization rules to records",
    run: rulesCommand,
  },
  merge: { summary: "merge two records by a merge method or merge-rule file", run: mergeCommand },
  "brief-level": {
    summary: "each record's brief level by brief-level rules",
    run: briefLevelCommand,
  },
  user: {
    summary: "staff accounts of the web pages and API: add, password, role, list",
    run: userCommand,
  },
  job: {
    summary: "list import jobs, show one (its report, each record's outcome and log), undo one",
    run: jobCommand,
  },
  review: {
    summary: "the review queue: list, show, force-import or discard held records",
    run: reviewCommand,
  },
  validation: {
    summary: "validation exception profiles: list, show, export, check a file",
    run: validationCommand,
  },
};

function help(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(12)} ${c.summary}`);
  return [
    "marcgate — OCLC Connexion import gateway",
    "",
    "usage: marcgate <command> [options]   (marcgate <command> --help for more)",
    "",
    "commands:",
    ...lines,
    "",
  ].join("\n");
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(help());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`marcgate: unknown command "${name}" (try marcgate --help)\n`);
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`marcgate ${name}: ${error.message}\n`);
      return 2;
    }
    if (error instanceof CommandError || error instanceof CatalogError) {
      // Called right, but the catalog says no (unknown institution, duplicate code…): one line.
      process.stderr.write(`marcgate ${name}: ${error.message}\n`);
      return 1;
    }
    if (error instanceof Error && "code" in error && typeof error.code === "string") {
      // File system errors (ENOENT, EACCES, EPIPE…) are the user's to fix, in one line.
      if (error.code === "EPIPE") return 0;
      process.stderr.write(`marcgate ${name}: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

// The reader went away (`marcgate lint FILE | head`): it has what it wanted; stop quietly, as
// the tools it is piped with do, instead of an unhandled stream error.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE") throw error;
  process.exit(0);
});

process.exitCode = await main(process.argv.slice(2));
