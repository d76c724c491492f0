/**
 * A command's effective settings from its option table: each option from the command line, else
 * from the environment (`MARCGATE_` and the option's name: `--http-port` → `MARCGATE_HTTP_PORT`),
 * else from the configuration file (the option's name as a key), else its default. Every option
 * of the table is covered, so an option added to the table is settable all three ways.
 */
import type { TomlValue } from "smol-toml";
import type { ConfigFile } from "./file.js";

/** A `parseArgs` option table: what the resolver needs of it. */
export type OptionTable = Readonly<
  Record<string, { readonly type: "string" | "boolean"; readonly multiple?: boolean }>
>;

/** The values of an option table, as `parseArgs` gives them. */
export type OptionValues<O extends OptionTable> = {
  -readonly [K in keyof O]?: O[K]["type"] extends "boolean"
    ? O[K]["multiple"] extends true
      ? boolean[]
      : boolean
    : O[K]["multiple"] extends true
      ? string[]
      : string;
};

/** Where a setting's value came from. */
export type SettingSource =
  | { readonly kind: "flag" }
  | { readonly kind: "env"; readonly name: string }
  | { readonly kind: "file"; readonly path: string; readonly line: number }
  | { readonly kind: "default" };

/** Options whose environment variable is not the derived name. */
const ENV_NAMES: Readonly<Record<string, string>> = {
  db: "MARCGATE_DB_URL",
  // Not MARCGATE_DATA: the corpus suite (test/corpus/run.ts) names ../shared/data by it.
  data: "MARCGATE_DATA_DIR",
};

/** The environment variable of an option: `http-port` → `MARCGATE_HTTP_PORT` (`db`: `MARCGATE_DB_URL`, `data`: `MARCGATE_DATA_DIR`). */
export function envName(option: string): string {
  return ENV_NAMES[option] ?? `MARCGATE_${option.toUpperCase().replace(/-/g, "_")}`;
}

/** How a message names a setting by its source: `--http-port`, `MARCGATE_HTTP_PORT`, `FILE line 3: http-port`. */
export function settingLabel(option: string, source: SettingSource): string {
  switch (source.kind) {
    case "env":
      return source.name;
    case "file":
      return `${source.path} line ${source.line}: ${option}`;
    default:
      return `--${option}`;
  }
}

/** The settings resolved: the values (as if given as flags) and each one's source. */
export interface ResolvedSettings<O extends OptionTable> {
  readonly values: OptionValues<O>;
  readonly sources: ReadonlyMap<keyof O & string, SettingSource>;
  /**
   * Values given but not used, each option's highest: set at a lower level than the one used,
   * or hidden by the other option of an exclusive group (`data` in the file, `MARCGATE_DB_URL`).
   */
  readonly unused: ReadonlyMap<keyof O & string, SettingSource>;
  /** How a message names an option as it was set (`--option` when unset). */
  readonly label: (option: keyof O & string) => string;
}

/** How {@link resolveSettings} treats particular options. */
export interface ResolveOptions {
  /**
   * Groups of options that name one thing in different ways (`data` / `db`): a source that sets
   * one of a group hides the group's options of every lower source.
   */
  readonly exclusive?: readonly (readonly string[])[];
  /** Options the configuration file may not set (`config`: a file naming another). */
  readonly notInFile?: readonly string[];
}

type Value = string | boolean | string[] | boolean[];

/**
 * Merges the command line's values (flag > env > file); an environment variable that is empty is
 * taken as unset. A bad value or an unknown key of the file is an error naming it and its line.
 */
export function resolveSettings<O extends OptionTable>(
  table: O,
  flags: OptionValues<O>,
  env: NodeJS.ProcessEnv,
  file: ConfigFile | undefined,
  options: ResolveOptions = {},
): ResolvedSettings<O> | { readonly error: string } {
  const layers: Map<string, { value: Value; source: SettingSource }>[] = [];
  const fromFlags = new Map<string, { value: Value; source: SettingSource }>();
  for (const [option, value] of Object.entries(flags as Record<string, Value | undefined>)) {
    if (value !== undefined && option in table) {
      fromFlags.set(option, { value, source: { kind: "flag" } });
    }
  }
  layers.push(fromFlags);

  const fromEnv = new Map<string, { value: Value; source: SettingSource }>();
  for (const [option, spec] of Object.entries(table)) {
    const name = envName(option);
    const text = env[name];
    if (text === undefined || text === "") continue;
    const value = envValue(text, spec);
    if (typeof value === "object" && "error" in value) return { error: `${name} ${value.error}` };
    fromEnv.set(option, { value, source: { kind: "env", name } });
  }
  layers.push(fromEnv);

  const fromFile = new Map<string, { value: Value; source: SettingSource }>();
  if (file) {
    const known = Object.keys(table).filter((o) => !(options.notInFile ?? []).includes(o));
    for (const [key, setting] of file.settings) {
      const where = `${file.path} line ${setting.line}`;
      if (!known.includes(key)) {
        return {
          error: `${where}: unknown setting "${key}" (the settings are ${known.join(", ")})`,
        };
      }
      const value = fileValue(setting.value, table[key]!);
      if (typeof value === "object" && "error" in value) {
        return { error: `${where}: ${key} ${value.error}` };
      }
      fromFile.set(key, {
        value,
        source: { kind: "file", path: file.path, line: setting.line },
      });
    }
  }
  layers.push(fromFile);

  const chosen = new Map<string, { value: Value; source: SettingSource }>();
  const hidden = new Set<string>();
  const unused = new Map<string, SettingSource>();
  for (const layer of layers) {
    for (const [option, entry] of layer) {
      if (!chosen.has(option) && !hidden.has(option)) chosen.set(option, entry);
      else if (chosen.get(option) !== entry && !unused.has(option)) {
        unused.set(option, entry.source);
      }
    }
    for (const group of options.exclusive ?? []) {
      if (group.some((o) => chosen.has(o))) for (const o of group) hidden.add(o);
    }
  }
  const values: Record<string, Value> = {};
  const sources = new Map<string, SettingSource>();
  for (const [option, entry] of chosen) {
    values[option] = entry.value;
    sources.set(option, entry.source);
  }
  return {
    values: values as OptionValues<O>,
    sources: sources as Map<keyof O & string, SettingSource>,
    unused: unused as Map<keyof O & string, SettingSource>,
    label: (option) => settingLabel(option, sources.get(option) ?? { kind: "flag" }),
  };
}

const TRUE = ["1", "true", "yes", "on"];
const FALSE = ["0", "false", "no", "off"];

function envValue(text: string, spec: OptionTable[string]): Value | { readonly error: string } {
  if (spec.type === "string") {
    return spec.multiple === true ? text.split(",").filter((s) => s !== "") : text;
  }
  const flags = text.split(",").map((word) => {
    const lower = word.trim().toLowerCase();
    return TRUE.includes(lower) ? true : FALSE.includes(lower) ? false : undefined;
  });
  if (flags.some((f) => f === undefined)) {
    return { error: `"${text}" is not true or false (1, true, yes, on / 0, false, no, off)` };
  }
  const booleans = flags as boolean[];
  return spec.multiple === true ? booleans : booleans[0]!;
}

function fileValue(
  value: TomlValue,
  spec: OptionTable[string],
): Value | { readonly error: string } {
  const items = Array.isArray(value) ? value : [value];
  if (Array.isArray(value) && spec.multiple !== true) {
    return { error: "takes one value, not a list" };
  }
  if (spec.type === "boolean") {
    if (!items.every((v) => typeof v === "boolean")) {
      return { error: `must be true or false, not ${describe(value)}` };
    }
    const booleans = items as boolean[];
    return spec.multiple === true ? booleans : booleans[0]!;
  }
  const strings: string[] = [];
  for (const item of items) {
    if (typeof item === "string") strings.push(item);
    else if (typeof item === "number" || typeof item === "bigint") strings.push(String(item));
    else return { error: `must be a string or a number, not ${describe(item)}` };
  }
  return spec.multiple === true ? strings : strings[0]!;
}

function describe(value: TomlValue): string {
  if (value instanceof Date) return "a date";
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "a table" : `a ${typeof value}`;
}
