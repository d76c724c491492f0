/**
 * `marcgate serve --log-format json --access-log FILE`: every line it prints is one JSON
 * object (start, exports, stop), the access log goes to the file (secrets masked) and is
 * reopened on SIGHUP, and /metrics counts the exports of a real Connexion session.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import net from "node:net";
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { ConnexionClient } from "../../src/connexion/client.js";
import { writeIso2709 } from "../../src/marc/iso2709.js";
import { checkExposition, promtoolCheck } from "../observe/_exposition.js";
import { MARCGATE } from "../_serve.js";

const dir = mkdtempSync(join(tmpdir(), "marcgate-serve-observe-"));
const data = join(dir, "data");
const INSTITUTION = "01OBS_INST";
after(() => rmSync(dir, { recursive: true, force: true }));

function marcgate(args: string[]): void {
  const r = spawnSync(process.execPath, [MARCGATE, ...args, "--data", data], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
}

const record = writeIso2709({
  leader: "00000cam a2200000 a 4500",
  fields: [
    { tag: "001", value: "ocm00000077" },
    { tag: "003", value: "OCoLC" },
    { tag: "245", ind1: "0", ind2: "0", subfields: [{ code: "a", value: "Observed" }] },
  ],
});

test("JSON lines, an access log file reopened on SIGHUP, /metrics after two exports", async () => {
  marcgate(["institution", "add", INSTITUTION, "--name", "Observed"]);
  writeFileSync(join(dir, "p.json"), JSON.stringify({ code: "CONNEXION", password: "pw-7" }));
  marcgate(["profile", "import", "--institution", INSTITUTION, join(dir, "p.json")]);
  const accessPath = join(dir, "access.log");
  const child = spawn(process.execPath, [
    MARCGATE,
    "serve",
    "--data",
    data,
    "--host",
    "127.0.0.1",
    "--connexion-port",
    "0",
    "--http-port",
    "0",
    "--z3950-port",
    "0",
    "--node-name",
    "n1",
    "--log-format",
    "json",
    "--access-log",
    accessPath,
  ]);
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  const kill = setTimeout(() => child.kill("SIGKILL"), 60_000);
  try {
    const start = await new Promise<Record<string, unknown>>((resolve, reject) => {
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        const line = stdout.split("\n").find((l) => l.includes('"event":"start"'));
        if (line !== undefined) resolve(JSON.parse(line) as Record<string, unknown>);
      });
      void exited.then((code) => reject(new Error(`serve exited (${code}): ${stderr}`)));
    });
    assert.equal(start["node"], "n1");
    const http = `http://127.0.0.1:${String(start["httpPort"])}`;
    const client = await ConnexionClient.connect({
      host: "127.0.0.1",
      port: Number(start["connexionPort"]),
      timeoutMs: 20_000,
    });
    try {
      assert.match(
        await client.send(record, { logonId: INSTITUTION, password: "pw-7" }, "byte"),
        /added/,
      );
      assert.doesNotMatch(
        await client.send(record, { logonId: INSTITUTION, password: "wrong" }, "byte"),
        /added/,
      );
    } finally {
      await client.close();
    }
    const login = await fetch(`${http}/search?q=x&password=hunter2`, { redirect: "manual" });
    assert.equal(login.status, 303);
    const scrape = await fetch(`${http}/metrics`);
    assert.equal(scrape.status, 200);
    const text = await scrape.text();
    const checked = checkExposition(text);
    assert.deepEqual(checked.problems, []);
    promtoolCheck(text);
    const exports = checked.samples.filter((s) => s.name === "marcgate_connexion_exports_total");
    assert.equal(exports.find((s) => s.labels["outcome"] === "created")?.value, 1);
    assert.equal(
      exports.reduce((n, s) => n + s.value, 0),
      2,
    );
    const value = (name: string, labels: Record<string, string> = {}) =>
      checked.samples.find(
        (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
      )?.value;
    assert.equal(value("marcgate_connexion_reply_seconds_count"), 2);
    assert.equal(value("marcgate_jobs", { state: "open" }), 1);
    assert.ok(
      (value("marcgate_catalog_operation_seconds_count", { operation: "commit" }) ?? 0) >= 1,
    );
    assert.equal(value("marcgate_info", { engine: "sqlite", node: "n1" }), 1);
    // logrotate: the file moved away, SIGHUP, the next lines in a new file at the path.
    renameSync(accessPath, `${accessPath}.1`);
    child.kill("SIGHUP");
    const until = Date.now() + 10_000;
    while (!existsSync(accessPath)) {
      assert.ok(Date.now() < until, "no new access log after SIGHUP");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal((await fetch(`${http}/livez`)).status, 200);
    child.kill("SIGTERM");
    assert.equal(await exited, 0, stderr);
  } finally {
    clearTimeout(kill);
    child.kill("SIGKILL");
  }
  const lines = stdout.trimEnd().split("\n");
  const events = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.ok(events.every((e) => typeof e["time"] === "string" && e["node"] === "n1"));
  assert.deepEqual(
    events.map((e) => e["event"]),
    ["start", "export", "export", "stop", "stopped"],
  );
  assert.equal(events[1]!["outcome"], "created");
  assert.equal(events[1]!["institution"], INSTITUTION);
  assert.equal(events[1]!["profile"], "CONNEXION");
  assert.equal(stdout.includes("pw-7"), false);
  const rotated = readFileSync(`${accessPath}.1`, "utf8").trimEnd().split("\n");
  const access = rotated.map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(
    access.map((a) => [a["event"], a["method"], a["path"], a["status"]]),
    [
      ["http", "GET", "/search?q=x&password=***", 303],
      ["http", "GET", "/metrics", 200],
    ],
  );
  assert.equal(rotated.join("\n").includes("hunter2"), false);
  const reopened = readFileSync(accessPath, "utf8").trimEnd().split("\n");
  assert.deepEqual(
    reopened.map((l) => (JSON.parse(l) as Record<string, unknown>)["path"]),
    ["/livez"],
  );
});

test("--log-format json: a serve that cannot start says why as JSON too (and on standard error)", async () => {
  const busy = net.createServer();
  await new Promise<void>((done) => busy.listen(0, "127.0.0.1", done));
  const port = (busy.address() as net.AddressInfo).port;
  try {
    const child = spawn(process.execPath, [
      MARCGATE,
      "serve",
      "--data",
      join(dir, "fatal"),
      "--host",
      "127.0.0.1",
      "--connexion-port",
      String(port),
      "--http-port",
      "0",
      "--z3950-port",
      "0",
      "--log-format",
      "json",
    ]);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    const status = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    clearTimeout(timer);
    assert.equal(status, 1);
    const line = JSON.parse(stdout.trim()) as Record<string, unknown>;
    assert.equal(line["event"], "fatal");
    assert.match(String(line["msg"]), /EADDRINUSE/);
    assert.match(stderr, /^marcgate serve: listen EADDRINUSE/);
  } finally {
    busy.close();
  }
});
