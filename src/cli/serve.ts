/** `marcgate serve`: the Connexion listener and the HTTP server on the catalog, until stopped. */
import { once } from "node:events";
import { existsSync, mkdirSync } from "node:fs";
import { isIP } from "node:net";
import { hostname } from "node:os";
import {
  parseDataSyncTarget,
  scheduleDataSync,
  type DataSyncSchedule,
  type DataSyncTarget,
} from "../publish/datasync-schedule.js";
import { DEFAULT_Z3950_PORT, startZ3950Bridge, type Z3950Bridge } from "../z3950/bridge.js";
import { isLoopback, startApp } from "../app.js";
import { DEFAULT_DATA_DIR } from "../catalog/open.js";
import { DEFAULT_CONFIG_FILE, readConfigFile, type ConfigFile } from "../config/file.js";
import { createLog, LOG_FORMATS, type Log, type LogFormat } from "../observe/log.js";
import { openLogFile, type LogFile } from "../observe/log-file.js";
import {
  envName,
  resolveSettings,
  type OptionValues,
  type ResolvedSettings,
} from "../config/settings.js";
import { CATALOG_HELP, CATALOG_OPTIONS, requireZone, withCatalog } from "./catalog-options.js";
import { notifyServiceManager } from "./service-notify.js";
import { CommandError, integerOption, parseCommandArgs, UsageError } from "./usage.js";

const HELP = `usage: marcgate serve [--config FILE] [--connexion-port 5500] [--http-port 8080] [--z3950-port 2100] [--host ADDRESS]
                      [--http-host ADDRESS] [--public-url URL] [--default-institution CODE]
                      [--log-format text|json] [--access-log off|stdout|FILE] [--metrics-allow ADDRESS[,ADDRESS]]
                      [--publish-oclc CODE:SYM:DIR ...] [--publish-interval S] [--data DIR | --db URL]

Listens for OCLC Connexion exports (Connexion client: Tools > Options > Export > OCLC Gateway
Export, Port = the Connexion port, Logon ID = the institution code (its default profile) or
CODE/PROFILE (another of its profiles), Password = the one in that profile, "Send Local System
Logon ID and Password" checked, Record
Characteristics UTF-8 or MARC-8) and serves HTTP: the staff pages and REST API (docs/web.md), /healthz, and /records/MMSID, the link each
reply gives, SRU at /sru/{institution} (docs/search.md), /readyz for a load balancer, /livez, and /metrics
(Prometheus, docs/operations.md). Logs one line per export and per HTTP request on standard
output (never a password or a token). Stops on
Ctrl-C or SIGTERM after answering the exports in progress; started by npx or npm, also when
npm is stopped (SIGTERM to npm does not reach this process: npm's shell goes, the server sees its
parent change and stops the same way).
  --config FILE               settings from this TOML file (default: ./${DEFAULT_CONFIG_FILE} if present);
                              each option below is a key (http-port = 8080) and a variable
                              (MARCGATE_HTTP_PORT; --db: MARCGATE_DB_URL); a flag wins over the
                              environment, which wins over the file (docs/operations.md);
                              marcgate config check shows the settings and their sources
  --connexion-port N          the Connexion port (default 5500)
  --http-port N               the HTTP port (default 8080)
  --host ADDRESS              listen on this address only (default: Connexion on every address,
                              HTTP on 127.0.0.1 only)
  --http-host ADDRESS         the HTTP server's address (default: --host, else 127.0.0.1: the staff
                              pages are not offered to the network until you say so, e.g. "::" for
                              every address, or a reverse proxy with TLS in front; docs/web.md)
  --public-url URL            the HTTP address catalogers reach, for the reply's link
                              (default http://<host name>:<HTTP port>)
  --default-institution CODE  the institution of exports that send no logon ID
  --idle-timeout S            silence in the middle of a record before it is taken as it is (default 10)
  --node-name NAME            this node's name in its log lines, /healthz and /readyz, when several
                              nodes share a PostgreSQL catalog (default: the host name, not logged)
  --proxy ADDRESS[,ADDRESS]   load balancers in front (HAProxy): their Connexion connections begin
                              with a PROXY protocol v1 header (HAProxy's send-proxy) naming the
                              client, and their HTTP X-Forwarded-For is believed (docs/scale-out.md)
  --log-format FORMAT         text (default: TIME [NODE] MESSAGE) or json (one object per line:
                              time, node, event, msg and the event's fields), for every line
  --access-log WHERE          the HTTP access log: stdout (default: with the other lines), off,
                              or a FILE appended to (reopened on SIGHUP, for logrotate); query
                              values of tokens, passwords and keys are written as ***
  --metrics-allow ADDRESS[,ADDRESS]
                              besides this machine (loopback), who may read /metrics (the
                              Prometheus server's address); others get 403
  --z3950-port N              the Z39.50 port (default 2100; 0: no Z39.50): Simple2ZOOM
                              (Debian libnet-z3950-simple2zoom-perl) in front of /sru/{institution},
                              database = institution code (docs/search.md)
  --publish-oclc CODE:SYM:DIR publish institution CODE to OCLC Data Sync as symbol SYM into DIR,
                              incrementally, at start and every --publish-interval (repeatable;
                              as marcgate publish oclc --mode incremental; docs/publishing.md;
                              in marcgate.toml a list, in MARCGATE_PUBLISH_OCLC comma-separated)
  --publish-interval S        seconds between Data Sync runs (default 86400: daily)
${CATALOG_HELP}`;

/**
 * Every option of `marcgate serve`. The same names are the keys of marcgate.toml and, as
 * `MARCGATE_HTTP_PORT` …, the environment variables (src/config/settings.ts): an option added
 * here is settable all three ways, and `marcgate config check` shows it.
 */
export const SERVE_OPTIONS = {
  config: { type: "string" },
  "connexion-port": { type: "string" },
  "http-port": { type: "string" },
  host: { type: "string" },
  "http-host": { type: "string" },
  "public-url": { type: "string" },
  "default-institution": { type: "string" },
  "idle-timeout": { type: "string" },
  "node-name": { type: "string" },
  proxy: { type: "string" },
  "z3950-port": { type: "string" },
  "log-format": { type: "string" },
  "access-log": { type: "string" },
  "metrics-allow": { type: "string" },
  "publish-oclc": { type: "string", multiple: true },
  "publish-interval": { type: "string" },
  ...CATALOG_OPTIONS,
} as const;

/** A serve option's name. */
export type ServeOption = keyof typeof SERVE_OPTIONS;

/** What each option is when nobody sets it, as `marcgate config check` shows it. */
export const SERVE_DEFAULTS: Partial<Record<ServeOption, string>> = {
  config: `./${DEFAULT_CONFIG_FILE} if present`,
  "connexion-port": "5500",
  "http-port": "8080",
  host: "every address for Connexion",
  "http-host": "--host, else 127.0.0.1",
  "public-url": "http://<host name>:<HTTP port>",
  "idle-timeout": "10",
  "node-name": "the host name",
  "z3950-port": String(DEFAULT_Z3950_PORT),
  "log-format": "text",
  "access-log": "stdout",
  "metrics-allow": "loopback only",
  "publish-oclc": "none",
  "publish-interval": "86400",
  data: DEFAULT_DATA_DIR,
};

/** serve's settings, checked. */
export interface ServeSettings {
  readonly connexionPort: number;
  readonly httpPort: number;
  readonly z3950Port: number;
  /** The Z39.50 port was set (a failure to start it is then a failure of serve). */
  readonly z3950Asked: boolean;
  readonly idleSeconds: number;
  readonly host?: string;
  readonly httpHost: string;
  readonly publicUrl?: string;
  readonly nodeName?: string;
  readonly proxies: readonly string[];
  readonly defaultInstitution?: string;
  readonly logFormat: LogFormat;
  /** The access log: `stdout`, `off` or a file's path. */
  readonly accessLog: string;
  /** Who besides loopback may read /metrics. */
  readonly metricsAllow: readonly string[];
  /** Data Sync runs serve makes (`--publish-oclc`), every `publishInterval` seconds. */
  readonly publishTargets: readonly DataSyncTarget[];
  readonly publishInterval: number;
  /** The catalog: `--data` or `--db`. */
  readonly catalog: { readonly data?: string; readonly db?: string };
}

/** The settings resolved, with where each came from and the configuration file read. */
export interface ServeConfiguration {
  readonly resolved: ResolvedSettings<typeof SERVE_OPTIONS>;
  /** The configuration file read, and why (`--config`, `MARCGATE_CONFIG`, `default`). */
  readonly file?: { readonly path: string; readonly how: string };
  readonly settings: ServeSettings;
}

/**
 * serve's settings from its command-line values, the environment and the configuration file
 * (flag > environment > file > default); a bad value is a {@link UsageError} naming the flag,
 * the variable, or the file, line and key it came from.
 */
export function serveConfiguration(
  flags: OptionValues<typeof SERVE_OPTIONS>,
  env: NodeJS.ProcessEnv,
): ServeConfiguration {
  const named = flags.config ?? (env[envName("config")] || undefined);
  const how =
    flags.config !== undefined ? "--config" : named !== undefined ? envName("config") : "default";
  const path = named ?? (existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined);
  let file: ConfigFile | undefined;
  if (path !== undefined) {
    const read = readConfigFile(path);
    if ("error" in read) throw new UsageError(read.error);
    file = read;
  }
  const resolved = resolveSettings(SERVE_OPTIONS, flags, env, file, {
    exclusive: [["data", "db"]],
    notInFile: ["config"],
  });
  if ("error" in resolved) throw new UsageError(resolved.error);
  return {
    resolved,
    ...(path !== undefined ? { file: { path, how } } : {}),
    settings: checkServeSettings(resolved),
  };
}

function checkServeSettings(resolved: ResolvedSettings<typeof SERVE_OPTIONS>): ServeSettings {
  const { values, label } = resolved;
  const port = { min: 0, max: 65535 };
  const connexionPort = integerOption(values["connexion-port"], label("connexion-port"), {
    ...port,
    default: 5500,
  });
  const httpPort = integerOption(values["http-port"], label("http-port"), {
    ...port,
    default: 8080,
  });
  const z3950Port = integerOption(values["z3950-port"], label("z3950-port"), {
    ...port,
    default: DEFAULT_Z3950_PORT,
  });
  const idleSeconds = integerOption(values["idle-timeout"], label("idle-timeout"), {
    min: 1,
    max: 600,
    default: 10,
  });
  const publicUrl = values["public-url"];
  if (publicUrl !== undefined && !/^https?:\/\/\S+$/.test(publicUrl)) {
    throw new UsageError(
      `${label("public-url")} "${publicUrl}" is not an http:// or https:// address`,
    );
  }
  const nodeName = values["node-name"];
  if (nodeName !== undefined && !/^[A-Za-z0-9._-]{1,64}$/.test(nodeName)) {
    throw new UsageError(
      `${label("node-name")} "${nodeName}" must be 1-64 letters, digits, ".", "_" or "-"`,
    );
  }
  const proxies = addresses(values.proxy, label("proxy"));
  const metricsAllow = addresses(values["metrics-allow"], label("metrics-allow"));
  const logFormat = values["log-format"] ?? "text";
  if (!(LOG_FORMATS as readonly string[]).includes(logFormat)) {
    throw new UsageError(
      `${label("log-format")} "${logFormat}" is not one of ${LOG_FORMATS.join(", ")}`,
    );
  }
  const host = values.host;
  const httpHost = values["http-host"] ?? host ?? "127.0.0.1";
  if (isIP(httpHost) === 0 && httpHost !== "localhost") {
    throw new UsageError(`${label("http-host")} "${httpHost}" is not an IP address`);
  }
  if (values.data !== undefined && values.db !== undefined) {
    throw new UsageError(`give ${label("data")} or ${label("db")}, not both`);
  }
  const defaultInstitution = values["default-institution"];
  const publishTargets: DataSyncTarget[] = [];
  for (const text of values["publish-oclc"] ?? []) {
    const target = parseDataSyncTarget(text);
    if ("error" in target) throw new UsageError(`${label("publish-oclc")} ${target.error}`);
    publishTargets.push(target);
  }
  const publishInterval = integerOption(values["publish-interval"], label("publish-interval"), {
    min: 1,
    max: 31 * 86400,
    default: 86400,
  });
  return {
    connexionPort,
    httpPort,
    z3950Port,
    z3950Asked: values["z3950-port"] !== undefined,
    idleSeconds,
    ...(host !== undefined ? { host } : {}),
    httpHost,
    ...(publicUrl !== undefined ? { publicUrl } : {}),
    ...(nodeName !== undefined ? { nodeName } : {}),
    proxies,
    ...(defaultInstitution !== undefined ? { defaultInstitution } : {}),
    logFormat: logFormat as LogFormat,
    accessLog: values["access-log"] ?? "stdout",
    metricsAllow,
    publishTargets,
    publishInterval,
    catalog: {
      ...(values.data !== undefined ? { data: values.data } : {}),
      ...(values.db !== undefined ? { db: values.db } : {}),
    },
  };
}

/** A comma-separated list of IP addresses (absent: none); `option` names it in an error. */
function addresses(value: string | undefined, option: string): string[] {
  const list = (value ?? "").split(",").filter((a) => a !== "");
  for (const address of list) {
    if (isIP(address) === 0) throw new UsageError(`${option} "${address}" is not an IP address`);
  }
  return list;
}

/**
 * The parent process when this module was loaded, long before serve says it is serving: read
 * later, a parent that died in between (killed as soon as that line appeared) would already have
 * been replaced, and the change never seen.
 */
const STARTED_BY = process.ppid;

export async function serveCommand(args: string[]): Promise<number> {
  const parsed = parseCommandArgs(args, SERVE_OPTIONS, HELP);
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]!}"`);
  const { settings } = serveConfiguration(values, process.env);
  const { httpHost, nodeName, publicUrl, defaultInstitution, proxies } = settings;
  const logOptions = {
    format: settings.logFormat,
    ...(nodeName !== undefined ? { node: nodeName } : {}),
  };
  const log = createLog(logOptions);
  const where = settings.accessLog;
  let accessFile: LogFile | undefined;
  let accessLog: Log | undefined;
  if (where === "stdout") accessLog = log;
  else if (where !== "off") {
    try {
      accessFile = openLogFile(where);
    } catch (error) {
      throw new UsageError(`--access-log "${where}": ${(error as Error).message}`);
    }
    const file = accessFile;
    accessLog = createLog({ ...logOptions, write: (line) => file.write(line) });
  }
  const reopen = (): void => {
    try {
      accessFile?.reopen();
    } catch (error) {
      log(`--access-log "${where}" could not be reopened: ${(error as Error).message}`, {
        event: "error",
      });
    }
  };
  if (accessFile) process.on("SIGHUP", reopen);
  const serving = withCatalog(
    settings.catalog,
    async (catalog) => {
      // Listened for before anything starts: a SIGTERM while serve starts up (or while it tells
      // systemd it is ready) stops it cleanly once it is up, instead of ending it on the spot.
      const stop = Promise.race([
        once(process, "SIGINT").then(() => "SIGINT"),
        once(process, "SIGTERM").then(() => "SIGTERM"),
        npmParentGone(STARTED_BY),
      ]);
      if (defaultInstitution !== undefined) await requireZone(catalog, defaultInstitution);
      for (const target of settings.publishTargets) {
        const zone = await requireZone(catalog, target.institution);
        if (zone.kind !== "institution")
          throw new CommandError(`--publish-oclc: ${zone.code} is a network zone`);
        try {
          mkdirSync(target.outDir, { recursive: true });
        } catch (error) {
          throw new CommandError(
            `--publish-oclc: cannot make ${target.outDir}: ${(error as Error).message}`,
          );
        }
      }
      const app = await startApp(catalog, {
        connexionPort: settings.connexionPort,
        httpPort: settings.httpPort,
        ...(settings.host !== undefined ? { host: settings.host } : {}),
        httpHost,
        ...(publicUrl !== undefined ? { publicUrl } : {}),
        ...(defaultInstitution !== undefined ? { defaultInstitution } : {}),
        connexion: { idleTimeoutMs: settings.idleSeconds * 1000 },
        log,
        nodeName: nodeName ?? hostname(),
        ...(proxies.length > 0 ? { trustedProxies: proxies } : {}),
        ...(accessLog ? { accessLog } : {}),
        ...(settings.metricsAllow.length > 0 ? { metricsAllow: settings.metricsAllow } : {}),
      });
      let z3950: Z3950Bridge | undefined;
      if (settings.z3950Port !== 0) {
        // Simple2ZOOM asks the HTTP server; "every address" is reached on loopback.
        const everywhere = httpHost === "::" || httpHost === "0.0.0.0";
        const base = everywhere ? "127.0.0.1" : httpHost.includes(":") ? `[${httpHost}]` : httpHost;
        try {
          z3950 = await startZ3950Bridge({
            port: settings.z3950Port,
            ...(settings.host !== undefined ? { host: settings.host } : {}),
            httpBase: `http://${base}:${app.httpPort}`,
            institutions: await catalog.zones(),
            ...(defaultInstitution !== undefined ? { defaultInstitution } : {}),
            log,
          });
        } catch (error) {
          // The default port: serve goes on without Z39.50; a port asked for is a failure.
          if (settings.z3950Asked) {
            await app.close();
            throw error;
          }
          log(`${(error as Error).message}; serving without Z39.50`, { event: "error" });
        }
      }
      const started = {
        event: "start",
        connexionPort: app.connexionPort,
        httpPort: app.httpPort,
        publicUrl: app.publicUrl,
        z3950Port: z3950?.port,
        catalog: catalog.engine,
      };
      log(
        `marcgate serving: Connexion on port ${app.connexionPort}, HTTP on port ${app.httpPort}${isLoopback(httpHost) ? ` of ${httpHost} only` : ""} (${app.publicUrl})` +
          `${z3950 ? `, Z39.50 on port ${z3950.port}` : ""}, catalog ${catalog.engine}`,
        started,
      );
      const notified = await notifyServiceManager([
        "READY=1",
        `STATUS=Connexion on port ${app.connexionPort}, HTTP on port ${app.httpPort}`,
        `MAINPID=${process.pid}`,
      ]);
      if (notified !== undefined) log(`${notified} (readiness not reported)`, { event: "error" });
      let publishing: DataSyncSchedule | undefined;
      if (settings.publishTargets.length > 0)
        publishing = scheduleDataSync(catalog, settings.publishTargets, {
          intervalMs: settings.publishInterval * 1000,
          log,
        });
      const why = await stop;
      log(`stopping (${why}): answering the exports in progress`, { event: "stop", why });
      void notifyServiceManager(["STOPPING=1"]);
      await publishing?.stop();
      await z3950?.close();
      await app.close();
      log("stopped", { event: "stopped" });
      process.off("SIGHUP", reopen);
      accessFile?.close();
      return 0;
    },
    { writerThread: true, writer: "marcgate serve", create: true },
  );
  if (settings.logFormat !== "json") return serving;
  // A log collector sees why serve did not start or stopped (as JSON); the person, on standard
  // error, as marcgate says it anywhere else.
  return serving.catch((error: unknown) => {
    log(`marcgate serve: ${error instanceof Error ? error.message : String(error)}`, {
      event: "fatal",
    });
    throw error;
  });
}

/**
 * Under `npx marcgate serve` or an npm script, npm runs this process through a shell; a SIGTERM to
 * npm ends the shell and never reaches us. When npm started us (it sets `npm_lifecycle_event`),
 * our parent changing from `parent` (read when serve began: npm may go while the catalog opens)
 * means it is gone: resolves then (checked twice a second). Otherwise never
 * resolves: a server started from a shell with `&` or `nohup` outlives that shell, as it should.
 */
function npmParentGone(parent: number): Promise<string> {
  if (process.env.npm_lifecycle_event === undefined) return new Promise(() => undefined);
  const gone = (): string => `npm, which started this process, is gone (parent ${parent})`;
  if (process.ppid !== parent) return Promise.resolve(gone());
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      if (process.ppid !== parent) {
        clearInterval(timer);
        resolve(gone());
      }
    }, 500);
    timer.unref();
  });
}
