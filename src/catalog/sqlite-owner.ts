/**
 * One process at a time writes records to an SQLite catalog: its decisions are serialized in
 * that process (the importer's claims), and a second writer would decide beside them, unseen
 * (two `marcgate serve` on one directory stored 37 records for 30 exported twice each). The
 * writer owns the directory through `DIR/marcgate.lock`: its process ID, command and boot, made
 * with O_EXCL. A lock whose process is gone (kill -9, a reboot) is taken over. Readers and
 * settings commands (profiles, users, institutions) need no lock: SQLite serializes their
 * writes, and the server reads profiles afresh for each export.
 */
import { readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** The lock file in a data directory. */
export const OWNER_FILE = "marcgate.lock";

interface Owner {
  readonly pid: number;
  readonly command: string;
  readonly since: string;
  readonly boot?: string;
}

/** A directory owned by this process, until released. */
export interface DataDirectoryOwnership {
  release(): void;
}

/**
 * Makes this process the directory's one writer, or says who is (with what to do instead).
 * `command` names this process in the other's message ("marcgate serve").
 */
export function ownDataDirectory(
  dir: string,
  command: string,
): DataDirectoryOwnership | { readonly error: string } {
  const path = join(dir, OWNER_FILE);
  const me: Owner = {
    pid: process.pid,
    command,
    since: new Date().toISOString(),
    ...(bootId() !== undefined ? { boot: bootId()! } : {}),
  };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, `${JSON.stringify(me)}\n`, { flag: "wx", mode: 0o644 });
      return {
        release: () => {
          if (readOwner(path)?.pid === process.pid) unlinkSync(path);
        },
      };
    } catch (error) {
      if (!isCode(error, "EEXIST")) {
        return { error: `cannot write ${path}: ${error instanceof Error ? error.message : ""}` };
      }
    }
    const owner = readOwner(path);
    if (owner && alive(owner)) {
      return {
        error:
          `the SQLite catalog in ${dir} is in use by ${owner.command} (process ${owner.pid}, since ${owner.since}); ` +
          `one process at a time may write records to an SQLite catalog. ` +
          (owner.command === "marcgate serve"
            ? `Send records through it (marcgate send, or the web's Import page), or stop it first. `
            : `Wait for it to end. `) +
          `To run several marcgate nodes or writers at once, use PostgreSQL (--db postgres://…; docs/scale-out.md)`,
      };
    }
    // The owner is gone: its lock is stale. Take it over (one of two racing processes wins).
    try {
      unlinkSync(path);
    } catch {
      // Another process took it over first: the next attempt reads its lock.
    }
  }
  return { error: `cannot take ${path}: another process keeps taking it` };
}

function readOwner(path: string): Owner | undefined {
  try {
    const owner = JSON.parse(readFileSync(path, "utf8")) as Partial<Owner>;
    if (typeof owner.pid !== "number") return undefined;
    return {
      pid: owner.pid,
      command: typeof owner.command === "string" ? owner.command : "marcgate",
      since: typeof owner.since === "string" ? owner.since : "?",
      ...(typeof owner.boot === "string" ? { boot: owner.boot } : {}),
    };
  } catch {
    return undefined;
  }
}

/** Whether the lock's process still runs (this boot, and the process exists). */
function alive(owner: Owner): boolean {
  const boot = bootId();
  if (owner.boot !== undefined && boot !== undefined && owner.boot !== boot) return false;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    return isCode(error, "EPERM");
  }
}

let boot: string | undefined | null = null;

/** Linux's ID of this boot, so a lock from before a reboot is known stale. */
function bootId(): string | undefined {
  if (boot === null) {
    try {
      boot = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
    } catch {
      boot = undefined;
    }
  }
  return boot;
}

function isCode(error: unknown, code: string): boolean {
  return typeof error === "object" && error !== null && "code" in error && error.code === code;
}
