/**
 * packaging/marcgate.service: `systemd-analyze verify` accepts it without a warning (its
 * /opt/marcgate replaced by this checkout, since verify wants ExecStart to exist), `systemd-analyze
 * security --offline` rates it, and serve speaks the notify protocol the unit's Type=notify waits
 * for: READY=1 once listening and STOPPING=1 on SIGTERM, through the real systemd-notify, to a
 * datagram socket read by python3 (Node has no Unix datagram sockets). Skipped, saying why, when
 * systemd-analyze (or, for the protocol, systemd-notify or python3) is missing.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, test } from "node:test";
import { MARCGATE } from "../_serve.js";

const has = (command: string): boolean =>
  spawnSync("sh", ["-c", `command -v ${command}`]).status === 0;
const UNIT = readFileSync("packaging/marcgate.service", "utf8");
const dir = mkdtempSync(join(tmpdir(), "marcgate-systemd-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The unit's settings of one section, `KEY=value` lines (comments dropped). */
function directives(unit: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of unit.split("\n")) {
    const match = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (match) out.set(match[1]!, [...(out.get(match[1]!) ?? []), match[2]!]);
  }
  return out;
}

test("the unit asks for readiness, restarts on failure, is hardened, reads its secrets from a file", () => {
  const d = directives(UNIT);
  const one = (key: string): string | undefined => d.get(key)?.[0];
  assert.equal(one("Type"), "notify");
  assert.equal(one("NotifyAccess"), "all");
  assert.equal(one("Restart"), "on-failure");
  assert.equal(one("User"), "marcgate");
  assert.equal(one("NoNewPrivileges"), "yes");
  assert.equal(one("ProtectSystem"), "strict");
  assert.equal(one("ProtectHome"), "yes");
  assert.equal(one("PrivateTmp"), "yes");
  assert.equal(one("ReadWritePaths"), "/var/lib/marcgate");
  assert.equal(one("EnvironmentFile"), "-/etc/marcgate/marcgate.env");
  assert.match(one("ExecStart") ?? "", /^\/opt\/marcgate\/bin\/marcgate\.js serve --config \S+$/);
  // No secret on the command line.
  assert.doesNotMatch(one("ExecStart") ?? "", /--db|postgres:/);
});

const noAnalyze = has("systemd-analyze")
  ? false
  : "systemd-analyze is not installed (apt-get install systemd)";

test("systemd-analyze verify accepts the unit without a warning", { skip: noAnalyze }, () => {
  const unit = join(dir, "marcgate.service");
  writeFileSync(unit, UNIT.replaceAll("/opt/marcgate", resolve(".")));
  const run = spawnSync("systemd-analyze", ["verify", unit], { encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stderr.trim(), "", run.stderr);
  // A mistake in it is reported (verify's warnings are not silent).
  const broken = join(dir, "broken.service");
  writeFileSync(
    broken,
    readFileSync(unit, "utf8").replace("ProtectSystem=strict", "ProtectSystem=stirct"),
  );
  const bad = spawnSync("systemd-analyze", ["verify", broken], { encoding: "utf8" });
  assert.match(bad.stderr, /broken\.service:\d+: .*stirct/);

  const security = spawnSync("systemd-analyze", ["security", "--offline=yes", unit], {
    encoding: "utf8",
  });
  const level = /Overall exposure level for \S+: ([\d.]+)/.exec(security.stdout)?.[1];
  assert.ok(level !== undefined, security.stdout + security.stderr);
  // systemd's scale: 0 (exposure none) … 10 (unprotected); a bare unit rates 9.6.
  assert.ok(Number(level) <= 4, `exposure ${level}`);
});

const noNotify = !has("systemd-notify")
  ? "systemd-notify is not installed"
  : !has("python3")
    ? "python3 is not installed (the test's notification socket)"
    : false;

test(
  "serve reports READY=1 once listening and STOPPING=1 on SIGTERM",
  { skip: noNotify },
  async () => {
    const socket = join(dir, "notify.sock");
    const receiver = spawn(
      "python3",
      [
        "-c",
        [
          "import socket, sys",
          "s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)",
          "s.bind(sys.argv[1])",
          "print('listening', flush=True)",
          "s.settimeout(60)",
          "while True:",
          "    print(repr(s.recv(65536).decode()), flush=True)",
        ].join("\n"),
        socket,
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let received = "";
    receiver.stdout.on("data", (chunk: Buffer) => (received += chunk.toString()));
    const until = async (pattern: RegExp, what: string): Promise<void> => {
      for (let i = 0; i < 300 && !pattern.test(received); i++) {
        await new Promise((done) => setTimeout(done, 50));
      }
      assert.match(received, pattern, `${what}: ${received}`);
    };
    try {
      await until(/listening/, "the receiver");
      const serve = spawn(
        process.execPath,
        [MARCGATE, "serve", "--data", join(dir, "catalog"), "--connexion-port", "0"].concat([
          "--http-port",
          "0",
          "--z3950-port",
          "0",
        ]),
        { env: { ...process.env, NOTIFY_SOCKET: socket }, stdio: ["ignore", "pipe", "pipe"] },
      );
      let out = "";
      serve.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
      const exited = new Promise<number | null>((done) => serve.once("exit", done));
      await until(/READY=1/, "READY");
      assert.match(out, /marcgate serving/);
      assert.match(received, /STATUS=Connexion on port \d+, HTTP on port \d+/);
      assert.match(received, new RegExp(`MAINPID=${serve.pid}`));
      assert.doesNotMatch(received, /STOPPING=1/);
      serve.kill("SIGTERM");
      await until(/STOPPING=1/, "STOPPING");
      assert.equal(await exited, 0, out);
      assert.doesNotMatch(out, /readiness not reported/);
    } finally {
      receiver.kill("SIGTERM");
    }
  },
);

test("packaging/marcgate.toml, the unit's configuration, passes marcgate config check", () => {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith("MARCGATE_")) env[name] = value;
  }
  const check = (extra: NodeJS.ProcessEnv) =>
    spawnSync(
      process.execPath,
      [MARCGATE, "config", "check", "--config", "packaging/marcgate.toml"],
      {
        env: { ...env, ...extra },
        encoding: "utf8",
      },
    );
  const file = check({});
  assert.equal(file.status, 0, file.stderr);
  assert.match(file.stdout, /\ndata +\/var\/lib\/marcgate +packaging\/marcgate\.toml line \d+\n/);
  assert.match(file.stdout, /\npublic-url +https:\/\/catalog\.example\.edu +packaging/);
  // The unit's EnvironmentFile gives the database URL: it replaces data, its password masked.
  const pg = check({ MARCGATE_DB_URL: "postgres://marcgate:pw-in-env-file@db/marcgate" });
  assert.equal(pg.status, 0, pg.stderr);
  assert.match(pg.stdout, /\ndb +postgres:\/\/marcgate:\*\*\*\*@db\/marcgate +MARCGATE_DB_URL\n/);
  assert.match(pg.stdout, /\ndata +\(not used: db is set\)/);
  assert.ok(!pg.stdout.includes("pw-in-env-file"));
});
