/**
 * The README's quick start, as written: its commands are read from README.md and run in order
 * in an empty directory (with the repository's samples/ linked in), `npx marcgate` being this
 * checkout's bin/marcgate.js and port 5500 a free one (the machine's own may be taken). serve is
 * started as the first block says (the catalog in ./data); each later command must exit 0, the
 * search find Kind of blue and the job list count the eight records.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, test } from "node:test";
import { freePort, MARCGATE } from "../_serve.js";

const dir = mkdtempSync(join(tmpdir(), "marcgate-readme-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The shell commands of the README's "Quick start" section, comments dropped. */
function quickStart(): string[][] {
  const readme = readFileSync("README.md", "utf8");
  const start = readme.indexOf("## Quick start");
  const end = readme.indexOf("\n## ", start + 1);
  assert.ok(start >= 0 && end > start, "README has a Quick start section");
  const section = readme.slice(start, end);
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((block) =>
    block[1]!
      .split("\n")
      .map((line) => line.replace(/\s+#\s.*$/, "").trim())
      .filter((line) => line !== ""),
  );
}

test("the README's quick start works as written", { timeout: 120_000 }, async () => {
  const blocks = quickStart();
  assert.ok(blocks.length >= 2, "two command blocks");
  const [first, second] = blocks as [string[], string[]];
  assert.equal(first[0], "npm ci && npx marcgate serve");
  symlinkSync(resolve("samples"), join(dir, "samples"));

  const connexion = await freePort();
  const http = await freePort();
  const serve = spawn(
    process.execPath,
    [MARCGATE, "serve", "--connexion-port", String(connexion), "--http-port", String(http)].concat([
      "--z3950-port",
      "0",
    ]),
    { cwd: dir, stdio: ["ignore", "pipe", "pipe"] },
  );
  const exited = new Promise((done) => serve.once("exit", done));
  try {
    await new Promise<void>((ready, fail) => {
      let out = "";
      serve.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes("marcgate serving")) ready();
      });
      serve.once("exit", (code) => fail(new Error(`serve exited (${code}): ${out}`)));
    });
    const outputs: string[] = [];
    const npx = `"${process.execPath}" "${MARCGATE}"`;
    for (const line of second) {
      assert.ok(/^(npx marcgate |echo )/.test(line), `a command the test knows: ${line}`);
      const command = line
        .replace(/^npx marcgate /, `${npx} `)
        .replace("--port 5500", `--port ${connexion}`);
      const run = spawnSync("sh", ["-c", command], { cwd: dir, encoding: "utf8" });
      assert.equal(run.status, 0, `${line}\n${run.stdout}${run.stderr}`);
      outputs.push(run.stdout + run.stderr);
    }
    const output = (prefix: string): string =>
      outputs[second.findIndex((l) => l.startsWith(prefix))] ?? "";
    assert.match(output("npx marcgate send"), /(Success\. Record \d+ added\.[^\n]*\n.*){8}/s);
    assert.match(output("npx marcgate search"), /Kind of blue +Davis, Miles +1959/);
    assert.match(output("npx marcgate job list"), /8 records: 8 new/);
  } finally {
    serve.kill("SIGTERM");
    await exited;
  }
  // The catalog went where the README says: ./data.
  assert.equal(spawnSync("test", ["-f", join(dir, "data", "marcgate.sqlite")]).status, 0);
});
