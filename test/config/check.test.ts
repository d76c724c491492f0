/**
 * `marcgate config check` and `marcgate serve` reading ./marcgate.toml, --config and MARCGATE_*
 * variables, as processes.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { freePort, MARCGATE } from "../_serve.js";

const dir = mkdtempSync(join(tmpdir(), "marcgate-config-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The environment without any MARCGATE_ setting of the caller's. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith("MARCGATE_")) env[name] = value;
  }
  return { ...env, ...extra };
}

function marcgate(args: string[], cwd: string, env: Record<string, string> = {}) {
  const run = spawnSync(process.execPath, [MARCGATE, ...args], {
    cwd,
    env: cleanEnv(env),
    encoding: "utf8",
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

test("config check: ./marcgate.toml found, each setting's source, the database password masked", () => {
  const cwd = join(dir, "check");
  spawnSync("mkdir", ["-p", cwd]);
  writeFileSync(
    join(cwd, "marcgate.toml"),
    '# marcgate serve settings\nhttp-port = 9001\nconnexion-port = "5601"\ndata = "/srv/catalog"\n',
  );
  const run = marcgate(["config", "check", "--http-port", "9002"], cwd, {
    MARCGATE_CONNEXION_PORT: "5602",
    MARCGATE_DB_URL: "postgres://marcgate:Sup3r-Secret@db.example:5432/marcgate",
    MARCGATE_NODE_NAME: "",
  });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^configuration file: marcgate\.toml \(\.\/marcgate\.toml, present\)/);
  const row = (name: string): string =>
    run.stdout.split("\n").find((l) => l.startsWith(`${name} `)) ?? "";
  assert.match(row("http-port"), /^http-port +9002 +--http-port \(over marcgate\.toml line 2\)$/);
  assert.match(
    row("connexion-port"),
    /^connexion-port +5602 +MARCGATE_CONNEXION_PORT \(over marcgate\.toml line 3\)$/,
  );
  // The environment's database hides the file's data directory.
  assert.match(
    row("db"),
    /postgres:\/\/marcgate:\*\*\*\*@db\.example:5432\/marcgate +MARCGATE_DB_URL$/,
  );
  assert.match(row("data"), /\(not used: db is set\) +marcgate\.toml line 4$/);
  assert.match(row("node-name"), /\(the host name\) +default$/);
  assert.ok(!run.stdout.includes("Sup3r-Secret"), run.stdout);
  assert.match(run.stdout, /the settings are good\n$/);
  // Without the variable the file's data directory, with its line.
  const file = marcgate(["config", "check"], cwd);
  assert.equal(file.status, 0, file.stderr);
  assert.match(file.stdout, /\ndata +\/srv\/catalog +marcgate\.toml line 4\n/);
  assert.match(file.stdout, /\nhttp-port +9001 +marcgate\.toml line 2\n/);
});

test("config check: an unknown key or a bad value is exit 2 naming the file, line and key", () => {
  const cwd = join(dir, "bad");
  spawnSync("mkdir", ["-p", cwd]);
  const config = join(cwd, "site.toml");
  writeFileSync(config, "http-port = 9001\n\n# a typo\nhttp-prot = 9002\n");
  const unknown = marcgate(["config", "check", "--config", config], cwd);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, new RegExp(`${config} line 4: unknown setting "http-prot"`));
  writeFileSync(config, "http-port = 9001\nidle-timeout = 0\n");
  const value = marcgate(["config", "check"], cwd, { MARCGATE_CONFIG: config });
  assert.equal(value.status, 2);
  assert.match(
    value.stderr,
    /site\.toml line 2: idle-timeout "0" is not a whole number from 1 to 600/,
  );
  const env = marcgate(["config", "check", "--config", config, "--idle-timeout", "5"], cwd, {
    MARCGATE_HTTP_PORT: "http",
  });
  assert.equal(env.status, 2);
  assert.match(env.stderr, /MARCGATE_HTTP_PORT "http" is not a whole number/);
  const missing = marcgate(["config", "check", "--config", join(cwd, "none.toml")], cwd);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /cannot read the configuration file .*none\.toml/);
});

test("serve takes its ports and catalog from --config and MARCGATE_* (flag > env > file)", async () => {
  const cwd = join(dir, "serve");
  spawnSync("mkdir", ["-p", cwd]);
  const httpPort = await freePort();
  const connexionPort = await freePort();
  const config = join(cwd, "marcgate.toml");
  writeFileSync(
    config,
    `http-port = ${httpPort}\nconnexion-port = 1\nz3950-port = 0\ndata = "${join(cwd, "catalog")}"\nnode-name = "from-file"\n`,
  );
  const child = spawn(
    process.execPath,
    [MARCGATE, "serve", "--config", config, "--node-name", "from-flag"],
    {
      cwd: dir,
      env: cleanEnv({ MARCGATE_CONNEXION_PORT: String(connexionPort), MARCGATE_HOST: "127.0.0.1" }),
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  try {
    const line = await new Promise<string>((resolve, reject) => {
      let out = "";
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        const found = out.split("\n").find((l) => l.includes("marcgate serving"));
        if (found !== undefined) resolve(found);
      });
      child.stderr.on("data", (chunk: Buffer) => (out += chunk.toString()));
      child.once("exit", (code) => reject(new Error(`serve exited (${code}): ${out}`)));
    });
    assert.match(line, / from-flag marcgate serving/);
    assert.match(line, new RegExp(`Connexion on port ${connexionPort}, HTTP on port ${httpPort} `));
    const health = await fetch(`http://127.0.0.1:${httpPort}/healthz`);
    assert.equal(health.status, 200);
    assert.ok(spawnSync("test", ["-f", join(cwd, "catalog", "marcgate.sqlite")]).status === 0);
  } finally {
    const exited = new Promise((done) => child.once("exit", done));
    child.kill("SIGTERM");
    await exited;
  }
});

test("every catalog command finds the catalog by MARCGATE_DATA_DIR or MARCGATE_DB_URL; a flag wins", () => {
  const cwd = join(dir, "commands");
  spawnSync("mkdir", ["-p", cwd]);
  const catalog = join(cwd, "catalog");
  const added = marcgate(["institution", "add", "01ENV_INST", "--name", "Env"], cwd, {
    MARCGATE_DATA_DIR: catalog,
  });
  assert.equal(added.status, 0, added.stderr);
  const listed = marcgate(["institution", "list"], cwd, { MARCGATE_DATA_DIR: catalog });
  assert.equal(listed.status, 0, listed.stderr);
  assert.match(listed.stdout, /01ENV_INST/);
  // The flag wins: another directory, which has no catalog (a read-only command refuses it).
  const flag = marcgate(["institution", "list", "--data", join(cwd, "other")], cwd, {
    MARCGATE_DATA_DIR: catalog,
  });
  assert.equal(flag.status, 1);
  assert.match(flag.stderr, /no catalog in .*other/);
  const both = marcgate(["institution", "list"], cwd, {
    MARCGATE_DATA_DIR: catalog,
    MARCGATE_DB_URL: "postgres://u:p@127.0.0.1:1/x",
  });
  assert.equal(both.status, 2);
  assert.match(both.stderr, /MARCGATE_DATA_DIR and MARCGATE_DB_URL are both set/);
  const backup = marcgate(["backup", "--out", join(cwd, "copy.sqlite")], cwd, {
    MARCGATE_DATA_DIR: catalog,
  });
  assert.equal(backup.status, 0, backup.stderr);
  assert.match(backup.stdout, /backed up .*catalog to .*copy\.sqlite .*1 zones/);
  const pg = marcgate(["backup", "--out", join(cwd, "pg.sqlite")], cwd, {
    MARCGATE_DB_URL: "postgres://u:p@127.0.0.1:1/x",
  });
  assert.equal(pg.status, 2);
  assert.match(pg.stderr, /pg_dump/);
});
