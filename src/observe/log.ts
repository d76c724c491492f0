/**
 * The server's log: one line per event, as text (`TIME [NODE] MESSAGE`, as marcgate has always
 * written) or as one JSON object per line (`--log-format json`: `time`, `node`, `event`, `msg`
 * and the event's fields), for a log collector. Every part of `marcgate serve` (the Connexion
 * listener, the HTTP access log, the Z39.50 bridge, startup and stop) logs through one {@link Log}.
 */

/** What an event carries besides its message (absent values are left out). */
export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;

/**
 * Logs one event: `message` is the text line (never a password); `fields` the same facts as
 * named values, for JSON lines. `fields.event` names the kind of event (`export`, `http`, …).
 */
export type Log = (message: string, fields?: LogFields) => void;

/** The formats of {@link createLog}. */
export const LOG_FORMATS = ["text", "json"] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Options of {@link createLog}. */
export interface LogOptions {
  /** @default "text" */
  readonly format?: LogFormat;
  /** This node's name, on every line (several nodes on one catalog). @default none */
  readonly node?: string;
  /** Where each line goes (with its newline). @default standard output */
  readonly write?: (line: string) => void;
  /** The clock (tests). @default `() => new Date()` */
  readonly now?: () => Date;
}

/**
 * A log writing lines to one stream.
 * @example
 * const log = createLog({ format: "json", node: "a" });
 * log("marcgate serving", { event: "start" }); // {"time":"…","node":"a","event":"start","msg":"marcgate serving"}
 */
export function createLog(options: LogOptions = {}): Log {
  const write = options.write ?? ((line: string) => void process.stdout.write(line));
  const now = options.now ?? (() => new Date());
  const node = options.node;
  if (options.format === "json") {
    return (message, fields = {}) => {
      write(`${jsonLine(now(), node, message, fields)}\n`);
    };
  }
  const prefix = node !== undefined ? ` ${node}` : "";
  return (message) => write(`${now().toISOString()}${prefix} ${message}\n`);
}

/** One event as a JSON object: time, node, event, msg, then the fields (later keys never replace these). */
export function jsonLine(
  time: Date,
  node: string | undefined,
  message: string,
  fields: LogFields,
): string {
  const object: Record<string, string | number | boolean> = { time: time.toISOString() };
  if (node !== undefined) object["node"] = node;
  object["event"] = typeof fields["event"] === "string" ? fields["event"] : "log";
  object["msg"] = message;
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined || key in object) continue;
    object[key] = typeof value === "number" && !Number.isFinite(value) ? String(value) : value;
  }
  return JSON.stringify(object);
}
