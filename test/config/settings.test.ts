/**
 * Settings from flags, the environment and marcgate.toml (src/config): precedence, sources with
 * their lines, unknown keys and bad values named, secrets masked.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseConfigText, type ConfigFile } from "../../src/config/file.js";
import { isSecretOption, maskSetting } from "../../src/config/secrets.js";
import { envName, resolveSettings, type OptionValues } from "../../src/config/settings.js";
import { SERVE_OPTIONS, serveConfiguration } from "../../src/cli/serve.js";

const TABLE = {
  "http-port": { type: "string" },
  host: { type: "string" },
  verbose: { type: "boolean" },
  tag: { type: "string", multiple: true },
  data: { type: "string" },
  db: { type: "string" },
  config: { type: "string" },
} as const;

function file(text: string): ConfigFile {
  const parsed = parseConfigText(text, "test.toml");
  if ("error" in parsed) throw new Error(parsed.error);
  return parsed;
}

function resolve(
  flags: OptionValues<typeof TABLE>,
  env: Record<string, string>,
  text: string | undefined,
) {
  return resolveSettings(TABLE, flags, env, text === undefined ? undefined : file(text), {
    exclusive: [["data", "db"]],
    notInFile: ["config"],
  });
}

test("environment variable names derive from the option names", () => {
  assert.equal(envName("http-port"), "MARCGATE_HTTP_PORT");
  assert.equal(envName("default-institution"), "MARCGATE_DEFAULT_INSTITUTION");
  assert.equal(envName("db"), "MARCGATE_DB_URL");
  // Every serve option has a variable, distinct from the others'.
  const names = Object.keys(SERVE_OPTIONS).map(envName);
  assert.equal(new Set(names).size, names.length);
});

test("a flag wins over the environment, which wins over the file; each value says where it came from", () => {
  const text = '# comment\n\nhttp-port = 9000\nhost = "::1"\nverbose = true\n';
  const r = resolve(
    { "http-port": "7000" },
    { MARCGATE_HTTP_PORT: "8000", MARCGATE_HOST: "127.0.0.2" },
    text,
  );
  assert.ok(!("error" in r));
  assert.equal(r.values["http-port"], "7000");
  assert.deepEqual(r.sources.get("http-port"), { kind: "flag" });
  assert.equal(r.values.host, "127.0.0.2");
  assert.deepEqual(r.sources.get("host"), { kind: "env", name: "MARCGATE_HOST" });
  assert.equal(r.values.verbose, true);
  assert.deepEqual(r.sources.get("verbose"), { kind: "file", path: "test.toml", line: 5 });
  assert.equal(r.label("verbose"), "test.toml line 5: verbose");
  assert.equal(r.label("host"), "MARCGATE_HOST");
  assert.equal(r.label("http-port"), "--http-port");
  // What was given but not used: the highest of the lower sources.
  assert.deepEqual(r.unused.get("http-port"), { kind: "env", name: "MARCGATE_HTTP_PORT" });
  assert.deepEqual(r.unused.get("host"), { kind: "file", path: "test.toml", line: 4 });
  assert.equal(r.unused.get("verbose"), undefined);
  // Without the flag the environment's; without both the file's, as a string.
  const env = resolve({}, { MARCGATE_HTTP_PORT: "8000" }, text);
  assert.ok(!("error" in env));
  assert.equal(env.values["http-port"], "8000");
  const fromFile = resolve({}, {}, text);
  assert.ok(!("error" in fromFile));
  assert.equal(fromFile.values["http-port"], "9000");
  assert.equal(fromFile.sources.get("host")?.kind, "file");
  // An empty variable is unset; nothing set is absent (the command's default applies).
  const none = resolve({}, { MARCGATE_HOST: "" }, undefined);
  assert.ok(!("error" in none));
  assert.equal(none.values.host, undefined);
  assert.equal(none.sources.size, 0);
});

test("booleans and lists from the environment and the file", () => {
  const r = resolve({}, { MARCGATE_VERBOSE: "no", MARCGATE_TAG: "a,b" }, 'tag = ["x", 2]\n');
  assert.ok(!("error" in r));
  assert.equal(r.values.verbose, false);
  assert.deepEqual(r.values.tag, ["a", "b"]);
  const f = resolve({}, {}, 'tag = ["x", 2]\n');
  assert.ok(!("error" in f));
  assert.deepEqual(f.values.tag, ["x", "2"]);
  const bad = resolve({}, { MARCGATE_VERBOSE: "maybe" }, undefined);
  assert.ok("error" in bad);
  assert.match(bad.error, /^MARCGATE_VERBOSE "maybe" is not true or false/);
});

test("data and db name one catalog: a higher source's db hides the file's data", () => {
  const r = resolve({}, { MARCGATE_DB_URL: "postgres://u:p@h/db" }, 'data = "/srv/marcgate"\n');
  assert.ok(!("error" in r));
  assert.equal(r.values.db, "postgres://u:p@h/db");
  assert.equal(r.values.data, undefined);
  assert.deepEqual(r.unused.get("data"), { kind: "file", path: "test.toml", line: 1 });
  const flag = resolve({ data: "./here" }, { MARCGATE_DB_URL: "postgres://u:p@h/db" }, undefined);
  assert.ok(!("error" in flag));
  assert.equal(flag.values.data, "./here");
  assert.equal(flag.values.db, undefined);
});

test("unknown keys, tables, wrong types and syntax errors name the key and line", () => {
  const unknown = resolve({}, {}, "http-port = 1\n\nhttp_port = 2\n");
  assert.ok("error" in unknown);
  assert.match(unknown.error, /^test\.toml line 3: unknown setting "http_port"/);
  const table = resolve({}, {}, 'host = "::1"\n[serve]\nhttp-port = 1\n');
  assert.ok("error" in table);
  assert.match(table.error, /^test\.toml line 2: unknown setting "serve"/);
  const type = resolve({}, {}, "\nhost = true\n");
  assert.ok("error" in type);
  assert.equal(type.error, "test.toml line 2: host must be a string or a number, not a boolean");
  const list = resolve({}, {}, 'host = ["a"]\n');
  assert.ok("error" in list);
  assert.match(list.error, /line 1: host takes one value, not a list/);
  const boolean = resolve({}, {}, 'verbose = "yes"\n');
  assert.ok("error" in boolean);
  assert.match(boolean.error, /line 1: verbose must be true or false, not a string/);
  const config = resolve({}, {}, 'config = "other.toml"\n');
  assert.ok("error" in config);
  assert.match(config.error, /unknown setting "config"/);
  const syntax = parseConfigText('host = "::1"\nhttp-port = \n', "bad.toml");
  assert.ok("error" in syntax);
  assert.match(syntax.error, /^bad\.toml line 2: /);
  // A key after a multi-line string is found on its own line.
  const multi = file('public-url = """\nhost = no\n"""\nhost = "::1"\n');
  assert.equal(multi.settings.get("host")?.line, 4);
});

test("serve's values are checked with the source in the message", () => {
  assert.throws(
    () => serveConfiguration({}, { MARCGATE_HTTP_PORT: "99999" }),
    /MARCGATE_HTTP_PORT "99999" is not a whole number from 0 to 65535$/,
  );
  assert.throws(
    () => serveConfiguration({ "public-url": "ftp://x" }, {}),
    /--public-url "ftp:\/\/x" is not an http/,
  );
  assert.throws(
    () => serveConfiguration({}, { MARCGATE_PROXY: "10.0.0.1,haproxy" }),
    /MARCGATE_PROXY "haproxy" is not an IP address/,
  );
  const ok = serveConfiguration({ "http-port": "0" }, { MARCGATE_DB_URL: "postgres://a:b@c/d" });
  assert.equal(ok.settings.httpPort, 0);
  assert.equal(ok.settings.connexionPort, 5500);
  assert.equal(ok.settings.httpHost, "127.0.0.1");
  assert.deepEqual(ok.settings.catalog, { db: "postgres://a:b@c/d" });
  assert.throws(
    () => serveConfiguration({ config: "/nonexistent/marcgate.toml" }, {}),
    /cannot read the configuration file \/nonexistent\/marcgate\.toml/,
  );
});

test("secrets are masked: a URL's password, options named for secrets", () => {
  assert.equal(
    maskSetting("db", "postgres://marcgate:s3cr@t@db.example:5432/marcgate"),
    "postgres://marcgate:****@db.example:5432/marcgate",
  );
  assert.equal(
    maskSetting("db", "postgres://marcgate@db.example/marcgate"),
    "postgres://marcgate@db.example/marcgate",
  );
  assert.equal(
    maskSetting("db", "postgres://h/db?user=u&password=pw"),
    "postgres://h/db?user=u&password=****",
  );
  assert.equal(maskSetting("smtp-password", "hunter2"), "****");
  assert.equal(maskSetting("api-token", "abc"), "****");
  assert.equal(maskSetting("session-secret", "abc"), "****");
  assert.equal(maskSetting("http-port", "8080"), "8080");
  assert.ok(isSecretOption("tls-key"));
  assert.ok(!isSecretOption("keyword-index"));
  assert.ok(!isSecretOption("host"));
});
