/**
 * Readiness for systemd (`Type=notify`, packaging/marcgate.service): when systemd started us it
 * sets `NOTIFY_SOCKET`, and `systemd-notify` (a child process, hence the unit's
 * `NotifyAccess=all`) tells it that serve is listening, or stopping. Node cannot write to a Unix
 * datagram socket itself. Anywhere else (no `NOTIFY_SOCKET`) nothing is done.
 */
import { spawn } from "node:child_process";

/**
 * Sends systemd's notification variables (`READY=1`, `STATUS=…`, `STOPPING=1`) when it asked for
 * them; resolves once sent, or with the reason it could not be (logged by the caller).
 */
export function notifyServiceManager(
  variables: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | undefined> {
  if (env.NOTIFY_SOCKET === undefined || env.NOTIFY_SOCKET === "") {
    return Promise.resolve(undefined);
  }
  return new Promise((resolve) => {
    let err = "";
    const child = spawn("systemd-notify", [...variables], { stdio: ["ignore", "ignore", "pipe"] });
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    child.once("error", (error) => resolve(`systemd-notify: ${error.message}`));
    child.once("close", (code) =>
      resolve(code === 0 ? undefined : `systemd-notify exited ${code}: ${err.trim()}`),
    );
  });
}
