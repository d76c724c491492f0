/**
 * `marcgate.toml`: a TOML file of settings, one top-level key per command-line option
 * (`http-port = 8080`, `db = "postgres://…"`). Parsed by smol-toml; each key keeps the line it
 * was written on, so that an unknown key or a bad value can be reported as `FILE line N`.
 */
import { readFileSync } from "node:fs";
import { parse, TomlError, type TomlValue } from "smol-toml";

/** One setting read from the file: its value as TOML gave it and the line of its key. */
export interface FileSetting {
  readonly value: TomlValue;
  readonly line: number;
}

/** A configuration file read: its path and its top-level keys. */
export interface ConfigFile {
  readonly path: string;
  readonly settings: ReadonlyMap<string, FileSetting>;
}

/** The file marcgate reads when no `--config` (nor `MARCGATE_CONFIG`) names one, if present. */
export const DEFAULT_CONFIG_FILE = "marcgate.toml";

/** Reads and parses a configuration file; a file that cannot be read or parsed is an error. */
export function readConfigFile(path: string): ConfigFile | { readonly error: string } {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    return { error: `cannot read the configuration file ${path}: ${(error as Error).message}` };
  }
  return parseConfigText(text, path);
}

/** Parses the text of a configuration file named `path` (for the messages). */
export function parseConfigText(
  text: string,
  path: string,
): ConfigFile | { readonly error: string } {
  let table: Record<string, TomlValue>;
  try {
    table = parse(text);
  } catch (error) {
    if (error instanceof TomlError) {
      const reason = error.message.split("\n")[0] ?? error.message;
      return { error: `${path} line ${error.line}: ${reason}` };
    }
    throw error;
  }
  const lines = keyLines(text);
  const settings = new Map<string, FileSetting>();
  for (const [key, value] of Object.entries(table)) {
    settings.set(key, { value, line: lines.get(key) ?? 0 });
  }
  return { path, settings };
}

const BARE_KEY = /^\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*[=.]/;
const TABLE_HEADER = /^\s*\[\[?\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([A-Za-z0-9_-]+))/;

/**
 * The line (1-based) where each top-level key of a TOML text is first written: a `key =` or
 * `key.sub =` line before any table header, or a `[key]` / `[[key]]` header. Lines inside
 * multi-line strings are skipped. (smol-toml gives values, not positions.)
 */
function keyLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  let inTable = false;
  let openString: string | undefined;
  text.split(/\r?\n/).forEach((line, index) => {
    if (openString !== undefined) {
      if (line.includes(openString)) openString = undefined;
      return;
    }
    const header = TABLE_HEADER.exec(line);
    const assignment = header ? null : BARE_KEY.exec(line);
    const match = header ?? (inTable ? null : assignment);
    if (header) inTable = true;
    if (match) {
      const key = match[1] ?? match[2] ?? match[3] ?? "";
      if (!lines.has(key)) lines.set(key, index + 1);
    }
    for (const quote of ['"""', "'''"]) {
      const count = line.split(quote).length - 1;
      if (count % 2 === 1) openString = quote;
    }
  });
  return lines;
}
