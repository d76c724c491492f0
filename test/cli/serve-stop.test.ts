/**
 * How `marcgate serve` starts and stops as a service: the HTTP server on loopback unless told
 * otherwise, and a stop when npm, which started it (`npx marcgate serve`), is stopped: npm runs
 * serve through a shell, and a SIGTERM to npm ends that shell without reaching serve.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { MARCGATE } from "../_serve.js";

const dir = mkdtempSync(join(tmpdir(), "marcgate-serve-stop-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Resolves with the first output line that matches, or rejects when the process exits first. */
function waitFor(child: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    const onData = (chunk: Buffer): void => {
      text += chunk.toString();
      const line = text.split("\n").find((l) => pattern.test(l));
      if (line !== undefined) resolve(line);
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => reject(new Error(`exited (${code}) before ${pattern}: ${text}`)));
  });
}

/**
 * Whether the process runs. A process that exited but was not reaped yet (a zombie: its new parent
 * after the shell died may be a subreaper that waits late) has stopped too.
 */
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
};

test("serve under npm stops when npm's shell is gone; HTTP listens on 127.0.0.1 only by default", async () => {
  // As npm runs a bin: a shell that does not exec (`; :`), with npm's environment.
  const command = `"${process.execPath}" "${MARCGATE}" serve --data "${dir}" --connexion-port 0 --http-port 0 --z3950-port 0 & echo "serve $!"; wait; :`;
  const shell = spawn("sh", ["-c", command], {
    env: { ...process.env, npm_lifecycle_event: "npx" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  shell.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  shell.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  let pid = 0;
  try {
    pid = Number(/serve (\d+)/.exec(await waitFor(shell, /^serve \d+/))![1]);
    const serving = await waitFor(shell, /marcgate serving/);
    assert.match(serving, /HTTP on port \d+ of 127\.0\.0\.1 only \(http:\/\/127\.0\.0\.1:\d+\)/);
    shell.kill("SIGKILL");
    let waited = 0;
    while (alive(pid) && waited < 30_000) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      waited += 100;
    }
    assert.equal(
      alive(pid),
      false,
      `serve outlived the shell npm started it with; it printed:\n${output}`,
    );
  } finally {
    shell.kill("SIGKILL");
    // A serve that did not stop holds the shell's pipes, and this file would never end.
    if (pid > 0 && alive(pid)) process.kill(pid, "SIGKILL");
    shell.stdout.destroy();
    shell.stderr.destroy();
  }
});

test("a reading command on a directory with no catalog refuses it and creates nothing", () => {
  const typo = join(dir, "mistyped");
  const r = spawnSync(process.execPath, [MARCGATE, "institution", "list", "--data", typo]);
  assert.equal(r.status, 1, r.stderr.toString());
  assert.match(r.stderr.toString(), /no catalog in .*mistyped \(no marcgate\.sqlite there\)/);
  assert.equal(existsSync(typo), false, "nothing created");
  const added = spawnSync(process.execPath, [
    MARCGATE,
    "institution",
    "add",
    "01NEW_INST",
    "--name",
    "New",
    "--data",
    typo,
  ]);
  assert.equal(added.status, 0, added.stderr.toString());
  assert.equal(
    spawnSync(process.execPath, [MARCGATE, "institution", "list", "--data", typo]).status,
    0,
  );
});
