/**
 * Z39.50 for copy cataloguing, by an existing engine: Index Data's Simple2ZOOM gateway (Debian
 * `libnet-z3950-simple2zoom-perl`, on Net::Z3950::SimpleServer and YAZ) answers Z39.50 on its
 * own port and asks marcgate's SRU (`/sru/{institution}`) for every search and record. This
 * module writes its configuration — one database per institution (the Z39.50 database name is
 * the institution code; `Default` is the default institution), Bib-1 use attributes mapped to
 * CQL indexes as Alma lists them (`src/search/indexes.ts`), USMARC/MARC21 records built from
 * the SRU's MARCXML — and starts and stops the process.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Zone } from "../catalog/catalog.js";
import { escapeXmlAttribute as attr, escapeXmlText as text } from "../marc/marcxml.js";
import { INDEXES } from "../search/indexes.js";
import { MARCXML_SCHEMA_URI } from "../sru/sru.js";

/** The program Simple2ZOOM installs. */
export const SIMPLE2ZOOM = "simple2zoom";
/** The Z39.50 port marcgate offers by default. */
export const DEFAULT_Z3950_PORT = 2100;
/** USMARC (= MARC 21) record syntax. */
const USMARC_OID = "1.2.840.10003.5.10";

export interface Z3950Options {
  readonly port: number;
  /** Listen on this address only; @default every address */
  readonly host?: string;
  /** Where marcgate's HTTP server answers, e.g. `http://127.0.0.1:8080`. */
  readonly httpBase: string;
  readonly institutions: readonly Zone[];
  /** The institution of the `Default` database (clients that name none). */
  readonly defaultInstitution?: string;
  readonly log?: (line: string) => void;
}

export interface Z3950Bridge {
  readonly port: number;
  close(): Promise<void>;
}

/** The Simple2ZOOM configuration for the institutions. */
export function simple2zoomConfig(options: Z3950Options): string {
  const maps = INDEXES.flatMap((info) =>
    info.bib1.map((use) => `      <map use="${use}"><index>${text(info.name)}</index></map>`),
  ).join("\n");
  const database = (name: string, code: string): string => `  <database name="${attr(name)}">
    <zurl>${text(`${options.httpBase}/sru/${encodeURIComponent(code)}`)}</zurl>
    <option name="sru">get</option>
    <option name="sru_version">1.2</option>
    <option name="preferredRecordSyntax">xml</option>
    <option name="schema">marcxml</option>
    <charset>UTF-8</charset>
    <search>
      <querytype>cql</querytype>
${maps}
    </search>
    <schema oid="${USMARC_OID}" sru="${MARCXML_SCHEMA_URI}" format="MARC21" encoding="UTF-8"/>
  </database>`;
  const institutions = options.institutions.filter((z) => z.kind === "institution");
  const fallback =
    options.defaultInstitution ?? (institutions.length === 1 ? institutions[0]!.code : undefined);
  const databases = institutions.map((z) => database(z.code, z.code));
  if (fallback !== undefined) databases.push(database("Default", fallback));
  return `<?xml version="1.0" encoding="UTF-8"?>\n<client>\n${databases.join("\n")}\n</client>\n`;
}

async function listening(
  host: string,
  port: number,
  child: ChildProcess,
  deadline: number,
): Promise<void> {
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`simple2zoom exited with status ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect({ host, port });
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline)
      throw new Error(`simple2zoom did not listen on port ${port} within 10 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts the Z39.50 gateway; rejects with the reason when it cannot (not installed, port taken). */
export async function startZ3950Bridge(options: Z3950Options): Promise<Z3950Bridge> {
  const dir = mkdtempSync(join(tmpdir(), "marcgate-z3950-"));
  const config = join(dir, "simple2zoom.xml");
  writeFileSync(config, simple2zoomConfig(options));
  const listener =
    options.host !== undefined ? `tcp:${options.host}:${options.port}` : `@:${options.port}`;
  // YAZ forks a process per Z39.50 session (SimpleServer handlers are not thread-safe); -v: errors only.
  const child = spawn(SIMPLE2ZOOM, ["-c", config, "--", "-v", "fatal,warn", listener], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const spawned = new Promise<void>((resolve, reject) => {
    child.once("spawn", resolve);
    child.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "ENOENT"
          ? new Error(`${SIMPLE2ZOOM} not found: install Debian's libnet-z3950-simple2zoom-perl`)
          : error,
      ),
    );
  });
  try {
    await spawned;
    await listening(options.host ?? "127.0.0.1", options.port, child, Date.now() + 10_000);
  } catch (error) {
    child.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
    const detail = stderr.trim().split("\n").slice(-3).join(" | ");
    throw new Error(
      `Z39.50 gateway not started: ${(error as Error).message}${detail ? ` (${detail})` : ""}`,
    );
  }
  let closing = false;
  child.on("exit", (code, signal) => {
    if (!closing)
      options.log?.(
        `Z39.50 gateway stopped unexpectedly (${signal ?? `status ${code}`}): ${stderr.trim().split("\n").at(-1) ?? ""}`,
      );
  });
  return {
    port: options.port,
    close: async () => {
      closing = true;
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
