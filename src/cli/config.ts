/** `marcgate config check`: serve's effective settings, where each came from, secrets masked. */
import { DEFAULT_CONFIG_FILE } from "../config/file.js";
import { maskSetting } from "../config/secrets.js";
import { envName, settingLabel, type SettingSource } from "../config/settings.js";
import { SERVE_DEFAULTS, SERVE_OPTIONS, serveConfiguration, type ServeOption } from "./serve.js";
import { formatTable } from "./table.js";
import { parseCommandArgs, UsageError } from "./usage.js";

const HELP = `usage: marcgate config check [--config FILE] [any option of marcgate serve]

Prints the settings marcgate serve would run with, each with where it came from: a flag, an
environment variable (MARCGATE_HTTP_PORT …; the database URL: MARCGATE_DB_URL), the configuration
file and its line, or the default. A flag wins over the environment, which wins over the file
(--config FILE, else MARCGATE_CONFIG, else ./${DEFAULT_CONFIG_FILE} if present). Passwords and
secrets are masked (a URL's password, any option named password, secret, token or key).
Exit status 0 when the settings are good; 2, with the reason, when a key is unknown or a value
is bad (naming the file and line, or the variable or flag).
`;

/** Runs `marcgate config`; returns the exit code. */
export async function configCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === "--help" || sub === "-h") {
    process.stdout.write(HELP);
    return sub === undefined ? 2 : 0;
  }
  if (sub !== "check") throw new UsageError(`unknown subcommand "${sub}" (try config check)`);
  const parsed = parseCommandArgs(rest, SERVE_OPTIONS, HELP);
  if (!parsed) return 0;
  if (parsed.positionals.length > 0) {
    throw new UsageError(`unexpected argument "${parsed.positionals[0]!}"`);
  }
  const configuration = serveConfiguration(parsed.values, process.env);
  const { resolved, file } = configuration;
  const lines: string[] = [];
  lines.push(
    file
      ? `configuration file: ${file.path} (${file.how === "default" ? `./${DEFAULT_CONFIG_FILE}, present` : file.how})`
      : `configuration file: none (no --config, no ${envName("config")}, no ./${DEFAULT_CONFIG_FILE})`,
  );
  const rows: string[][] = [];
  for (const option of Object.keys(SERVE_OPTIONS) as ServeOption[]) {
    if (option === "config") continue;
    const source = resolved.sources.get(option);
    const value = resolved.values[option];
    rows.push([
      option,
      source
        ? maskSetting(option, String(value))
        : option === "data" && resolved.values.db !== undefined
          ? "(not used: db is set)"
          : `(${SERVE_DEFAULTS[option] ?? "not set"})`,
      describeSource(option, source ?? resolved.unused.get(option)) +
        describeUnused(option, resolved.unused.get(option), source),
    ]);
  }
  lines.push(
    "",
    ...formatTable([{ heading: "setting" }, { heading: "value" }, { heading: "from" }], rows),
  );
  const known = new Set(Object.keys(SERVE_OPTIONS).map(envName));
  const ignored = Object.keys(process.env).filter(
    (name) => name.startsWith("MARCGATE_") && !known.has(name) && !name.startsWith("MARCGATE_TEST"),
  );
  if (ignored.length > 0) {
    lines.push("", `not settings of marcgate serve (ignored): ${ignored.sort().join(", ")}`);
  }
  lines.push("", "the settings are good");
  process.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}

/** A value given but not used: where, after the source of the one used. */
function describeUnused(
  option: string,
  unused: SettingSource | undefined,
  used: SettingSource | undefined,
): string {
  if (unused === undefined) return "";
  return used === undefined ? "" : ` (over ${describeSource(option, unused)})`;
}

function describeSource(option: string, source: SettingSource | undefined): string {
  if (source === undefined) return "default";
  if (source.kind === "flag") return `--${option}`;
  if (source.kind === "file") return `${source.path} line ${source.line}`;
  return settingLabel(option, source);
}
