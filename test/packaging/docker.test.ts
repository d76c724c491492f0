/**
 * The container image (Dockerfile, .dockerignore). Always: the Dockerfile's promises read from it
 * (two stages, a non-root user, the /data volume, EXPOSE 5500 8080, a HEALTHCHECK on /readyz), the
 * files it copies exist and pass .dockerignore, and its MARCGATE_* variables are serve settings.
 * When `docker info` works: the image is built and run, and becomes healthy (its HEALTHCHECK) with
 * /readyz answering on the published port. Skipped, saying why, when no Docker daemon answers.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { envName } from "../../src/config/settings.js";
import { SERVE_OPTIONS } from "../../src/cli/serve.js";
import { freePort } from "../_serve.js";

const DOCKERFILE = readFileSync("Dockerfile", "utf8");
/** The instructions, continuation lines joined, comments dropped. */
const INSTRUCTIONS = DOCKERFILE.replace(/\\\n/g, " ")
  .split("\n")
  .map((l) => l.trim())
  .filter((l) => l !== "" && !l.startsWith("#"));
const stages = INSTRUCTIONS.map((l, i) => (l.startsWith("FROM ") ? i : -1)).filter((i) => i >= 0);
const final = INSTRUCTIONS.slice(stages[stages.length - 1]);

test("the Dockerfile: multi-stage, non-root, /data volume, ports, HEALTHCHECK on /readyz", () => {
  assert.ok(stages.length >= 2, "a build stage and a run stage");
  const user = final.filter((l) => l.startsWith("USER ")).pop();
  assert.ok(user !== undefined && !/^USER (root|0)(:|$)/.test(user), `final user: ${user}`);
  assert.ok(final.some((l) => /^VOLUME \["\/data"\]$/.test(l)));
  assert.ok(final.some((l) => /^EXPOSE 5500 8080$/.test(l)));
  assert.ok(final.some((l) => /^HEALTHCHECK .*CMD .*\/readyz/.test(l)));
  // Every variable it sets for marcgate is a setting of serve (a renamed option would show here).
  const settings = new Set(Object.keys(SERVE_OPTIONS).map(envName));
  const names = [...DOCKERFILE.matchAll(/\b(MARCGATE_[A-Z0-9_]+)=/g)].map((m) => m[1]!);
  assert.ok(names.includes("MARCGATE_DATA_DIR"));
  for (const name of names) assert.ok(settings.has(name), `${name} is not a serve setting`);
});

test("what the Dockerfile copies from the context exists and is not in .dockerignore", () => {
  const allowed = readFileSync(".dockerignore", "utf8")
    .split("\n")
    .filter((l) => l.startsWith("!"))
    .map((l) => l.slice(1).replace(/\/$/, ""));
  const copies = INSTRUCTIONS.filter((l) => l.startsWith("COPY ") && !l.includes("--from="));
  assert.ok(copies.length > 0);
  for (const copy of copies) {
    const sources = copy.split(/\s+/).slice(1, -1);
    for (const source of sources) {
      assert.ok(existsSync(source), `${copy}: ${source} does not exist`);
      assert.ok(allowed.includes(source.split("/")[0]!), `${source} is excluded by .dockerignore`);
    }
  }
});

const info = spawnSync("docker", ["info", "--format", "{{.ServerVersion}}"], { encoding: "utf8" });
const noDocker =
  info.error !== undefined
    ? "docker is not installed"
    : info.status !== 0
      ? `no Docker daemon answers (docker info: ${(info.stderr || info.stdout).trim().split("\n").pop()})`
      : false;

const docker = (args: string[], timeout = 60_000) =>
  spawnSync("docker", args, { encoding: "utf8", timeout });

test(
  "docker build, run: the container becomes healthy",
  { skip: noDocker, timeout: 1_800_000 },
  async () => {
    const tag = `marcgate-test:${randomBytes(4).toString("hex")}`;
    const name = tag.replace(":", "-");
    const built = docker(["build", "-t", tag, "."], 1_500_000);
    assert.equal(built.status, 0, built.stderr);
    try {
      const http = await freePort();
      const connexion = await freePort();
      const run = docker([
        ...["run", "-d", "--init", "--name", name],
        ...["-p", `127.0.0.1:${http}:8080`, "-p", `127.0.0.1:${connexion}:5500`, tag],
      ]);
      assert.equal(run.status, 0, run.stderr);
      let health = "";
      for (let i = 0; i < 120 && health !== "healthy"; i++) {
        await new Promise((done) => setTimeout(done, 1000));
        health = docker(["inspect", "--format", "{{.State.Health.Status}}", name]).stdout.trim();
      }
      assert.equal(health, "healthy", docker(["logs", name]).stdout);
      const ready = await fetch(`http://127.0.0.1:${http}/readyz`);
      assert.equal(ready.status, 200);
      const user = docker(["exec", name, "id", "-u"]).stdout.trim();
      assert.notEqual(user, "0");
      const stopped = docker(["stop", "-t", "30", name]);
      assert.equal(stopped.status, 0, stopped.stderr);
      const code = docker(["inspect", "--format", "{{.State.ExitCode}}", name]).stdout.trim();
      assert.equal(code, "0", docker(["logs", name]).stdout);
    } finally {
      docker(["rm", "-f", name]);
      docker(["rmi", "-f", tag]);
    }
  },
);
