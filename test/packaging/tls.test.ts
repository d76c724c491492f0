/**
 * TLS behind HAProxy, as docs/operations.md describes it: packaging/haproxy.cfg (its addresses and
 * certificate path replaced by loopback ports and a self-signed certificate made with openssl) in
 * front of `marcgate serve --proxy 127.0.0.1`; /login fetched over HTTPS with `curl --cacert`
 * is answered as a secure request (X-Forwarded-Proto believed: the cookie is Secure, no warning),
 * the same page over plain HTTP to serve is not. Skipped when haproxy, openssl or curl is missing.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { freePort, MARCGATE } from "../_serve.js";

const has = (command: string): boolean =>
  spawnSync("sh", ["-c", `command -v ${command}`]).status === 0;
const missing = ["haproxy", "openssl", "curl"].filter((c) => !has(c));
const skip = missing.length > 0 ? `${missing.join(", ")} not installed` : false;

const dir = mkdtempSync(join(tmpdir(), "marcgate-tls-"));
const children: ChildProcess[] = [];
after(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((done) => child.once("exit", done));
      child.kill("SIGTERM");
      await exited;
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

const HOST = "marcgate.test";

/** curl's answer: status line and headers, then the body. */
function curl(args: string[]): { status: number | null; out: string; err: string } {
  const run = spawnSync("curl", ["-sS", "--max-time", "5", "-D", "-", ...args], {
    encoding: "utf8",
  });
  return { status: run.status, out: run.stdout, err: run.stderr };
}

test("HTTPS through HAProxy (packaging/haproxy.cfg) to serve", { skip }, async () => {
  // A self-signed certificate for marcgate.test; HAProxy wants certificate and key in one file.
  const cert = join(dir, "cert.pem");
  const key = join(dir, "key.pem");
  const made = spawnSync(
    "openssl",
    [
      ...["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"],
      ...["-keyout", key, "-out", cert, "-subj", `/CN=${HOST}`],
      ...["-addext", `subjectAltName=DNS:${HOST}`],
    ],
    { encoding: "utf8" },
  );
  assert.equal(made.status, 0, made.stderr);
  const pem = join(dir, "marcgate.pem");
  writeFileSync(pem, readFileSync(cert, "utf8") + readFileSync(key, "utf8"));

  const httpPort = await freePort();
  const httpsPort = await freePort();
  const plainPort = await freePort();
  const example = readFileSync("packaging/haproxy.cfg", "utf8");
  const config = example
    .replace("bind :443 ", `bind 127.0.0.1:${httpsPort} `)
    .replace("bind :80\n", `bind 127.0.0.1:${plainPort}\n`)
    .replace("/etc/haproxy/certs/marcgate.pem", pem)
    .replace("server marcgate 127.0.0.1:8080 ", `server marcgate 127.0.0.1:${httpPort} `)
    .replace("inter 2s", "inter 200ms");
  assert.notEqual(config, example);
  assert.ok(!/bind :|marcgate 127\.0\.0\.1:8080 /.test(config), config);
  const cfg = join(dir, "haproxy.cfg");
  writeFileSync(cfg, config);
  const checked = spawnSync("haproxy", ["-c", "-q", "-f", cfg], { encoding: "utf8" });
  assert.equal(checked.status, 0, checked.stderr);

  const serve = spawn(
    process.execPath,
    [
      MARCGATE,
      "serve",
      ...["--data", join(dir, "catalog"), "--connexion-port", "0", "--z3950-port", "0"],
      ...["--http-port", String(httpPort), "--proxy", "127.0.0.1"],
      ...["--public-url", `https://${HOST}:${httpsPort}`],
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  children.push(serve);
  await new Promise<void>((ready, fail) => {
    let out = "";
    serve.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes("marcgate serving")) ready();
    });
    serve.once("exit", (code) => fail(new Error(`serve exited (${code}): ${out}`)));
  });
  const haproxy = spawn("haproxy", ["-db", "-f", cfg], { stdio: ["ignore", "pipe", "pipe"] });
  children.push(haproxy);

  const resolve = ["--resolve", `${HOST}:${httpsPort}:127.0.0.1`, "--cacert", cert];
  const url = `https://${HOST}:${httpsPort}`;
  // Until HAProxy listens and its health check has seen serve's /readyz (at most 10 s).
  let ready = curl([...resolve, `${url}/readyz`]);
  for (let i = 0; i < 100 && !/^HTTP\/\S+ 200/.test(ready.out); i++) {
    await new Promise((done) => setTimeout(done, 100));
    ready = curl([...resolve, `${url}/readyz`]);
  }
  assert.match(ready.out, /^HTTP\/\S+ 200/, `${ready.out}${ready.err}`);

  const login = curl([...resolve, `${url}/login`]);
  assert.equal(login.status, 0, login.err);
  assert.match(login.out, /^HTTP\/\S+ 200/);
  assert.match(login.out, /<form[^>]*action="\/login"/);
  const cookie = /^set-cookie: (marcgate_login=[^\r\n]*)/im.exec(login.out)?.[1] ?? "";
  assert.match(cookie, /; Secure/i, login.out);
  assert.ok(!login.out.includes("This connection is not encrypted"));

  // Without --cacert curl refuses the self-signed certificate: the TLS is real.
  const untrusted = curl(["--resolve", `${HOST}:${httpsPort}:127.0.0.1`, `${url}/login`]);
  assert.notEqual(untrusted.status, 0);

  // Plain HTTP on HAProxy's port 80 is sent to HTTPS.
  const plain = curl([`http://127.0.0.1:${plainPort}/login`]);
  assert.match(plain.out, /^HTTP\/\S+ 301/);
  assert.match(plain.out, /^location: https:\/\/127\.0\.0\.1:\d+\/login/im);

  // The same page straight from serve, over HTTP under that host name: not secure.
  const direct = curl(["-H", `Host: ${HOST}`, `http://127.0.0.1:${httpPort}/login`]);
  assert.match(direct.out, /^HTTP\/\S+ 200/);
  assert.doesNotMatch(
    /^set-cookie: (marcgate_login=[^\r\n]*)/im.exec(direct.out)?.[1] ?? "",
    /Secure/i,
  );
  assert.ok(direct.out.includes("This connection is not encrypted"));
});
