/**
 * The HTTP server about itself: an access line per request (client, masked path, status, bytes,
 * user), HTTP counts in /metrics, /metrics for loopback and allowed addresses only, /livez
 * without the catalog, and X-Forwarded-For believed only from a trusted proxy.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { Catalog } from "../../src/catalog/catalog.js";
import { openSqliteCatalog } from "../../src/catalog/sqlite.js";
import { Importer } from "../../src/import/importer.js";
import { hashPassword } from "../../src/import/password.js";
import { Auth, SESSION_COOKIE } from "../../src/web/auth.js";
import type { LogFields } from "../../src/observe/log.js";
import { ServerMetrics } from "../../src/observe/server-metrics.js";
import { buildServer } from "../../src/web/server.js";
import { checkExposition } from "../observe/_exposition.js";
import { apiToken } from "./_token.js";

test("access log, /metrics, /livez", async () => {
  const dir = mkdtempSync(join(tmpdir(), "marcgate-observe-"));
  const catalog = await openSqliteCatalog(dir);
  let broken = false;
  const flaky = new Proxy(catalog, {
    get(target, key, receiver) {
      if (key === "zones" && broken) return () => Promise.reject(new Error("database away"));
      const value: unknown = Reflect.get(target, key, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  }) as Catalog;
  const access: { message: string; fields?: LogFields }[] = [];
  const errors: string[] = [];
  const metrics = new ServerMetrics({ jobStates: () => catalog.jobStates() });
  const app = await buildServer({
    catalog: flaky,
    importer: new Importer(flaky),
    publicUrl: () => "",
    accessLog: (message, fields) => access.push({ message, ...(fields ? { fields } : {}) }),
    log: (message) => errors.push(message),
    metrics,
    metricsAllow: ["10.0.0.9"],
    trustedProxies: ["127.0.0.1"],
  });
  try {
    await catalog.addInstitution({ code: "01OBS_INST", name: "Observed" });
    const headers = await apiToken(catalog);
    const failed = await catalog.startJob({
      institution: "01OBS_INST",
      source: "import",
      description: "import gone.mrc",
    });
    await catalog.finishJob(failed.id, "ENOENT: no such file");
    const jobs = await app.inject({
      url: "/api/jobs?token=s3cret",
      headers,
      remoteAddress: "192.0.2.7",
    });
    assert.equal(jobs.statusCode, 200, jobs.body);
    // The API gives a failed job's reason.
    assert.deepEqual(
      (jobs.json() as { id: number; failure?: string }[]).map((j) => [j.id, j.failure]),
      [[failed.id, "ENOENT: no such file"]],
    );
    const line = access.at(-1)!;
    assert.match(
      line.message,
      /^http 192\.0\.2\.7 GET \/api\/jobs\?token=\*\*\* 200 \d+ bytes [\d.]+ ms user viewer-[0-9a-f]{8}$/,
    );
    assert.equal(line.message.includes("s3cret"), false);
    assert.equal(line.fields?.["status"], 200);
    assert.equal(line.fields?.["bytes"], Buffer.byteLength(jobs.body));
    // A trusted proxy's X-Forwarded-For names the client; anyone else's is ignored.
    await app.inject({
      url: "/livez",
      remoteAddress: "127.0.0.1",
      headers: { "x-forwarded-for": "198.51.100.4" },
    });
    assert.match(access.at(-1)!.message, /^http 198\.51\.100\.4 GET \/livez 200 .* user -$/);
    await app.inject({
      url: "/livez",
      remoteAddress: "192.0.2.7",
      headers: { "x-forwarded-for": "198.51.100.4" },
    });
    assert.match(access.at(-1)!.message, /^http 192\.0\.2\.7 GET \/livez 200/);
    // Liveness does not ask the catalog; readiness does.
    broken = true;
    assert.equal((await app.inject({ url: "/livez" })).statusCode, 200);
    assert.equal((await app.inject({ url: "/readyz" })).statusCode, 503);
    broken = false;
    await app.inject({ url: "/no/such/page" });
    // /metrics: loopback and --metrics-allow addresses; others 403.
    const refused = await app.inject({ url: "/metrics", remoteAddress: "192.0.2.7" });
    assert.equal(refused.statusCode, 403);
    const allowed = await app.inject({ url: "/metrics", remoteAddress: "10.0.0.9" });
    assert.equal(allowed.statusCode, 200);
    const scraped = await app.inject({ url: "/metrics", remoteAddress: "127.0.0.1" });
    assert.equal(scraped.statusCode, 200);
    assert.equal(scraped.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8");
    const checked = checkExposition(scraped.body);
    assert.deepEqual(checked.problems, []);
    const count = (status: string) =>
      checked.samples.find(
        (s) => s.name === "marcgate_http_requests_total" && s.labels["status"] === status,
      )?.value;
    // 200: /api/jobs, two /livez, one more /livez, /metrics allowed (this scrape counts after).
    assert.equal(count("200"), 5);
    assert.equal(count("503"), 1);
    assert.equal(count("404"), 1);
    assert.equal(count("403"), 1);
    assert.equal(
      checked.samples.find((s) => s.name === "marcgate_jobs" && s.labels["state"] === "failed")
        ?.value,
      1,
    );
    assert.deepEqual(errors, []);
  } finally {
    await app.close();
    await catalog.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("/readyz says 503 once the server is stopping; /livez stays 200", async () => {
  const dir = mkdtempSync(join(tmpdir(), "marcgate-observe-stop-"));
  const catalog = await openSqliteCatalog(dir);
  let stopping = false;
  const app = await buildServer({
    catalog,
    importer: new Importer(catalog),
    publicUrl: () => "",
    stopping: () => stopping,
  });
  try {
    assert.equal((await app.inject({ url: "/readyz" })).statusCode, 200);
    stopping = true;
    const ready = await app.inject({ url: "/readyz" });
    assert.equal(ready.statusCode, 503);
    assert.match(ready.json().reason, /stopping/);
    assert.equal((await app.inject({ url: "/livez" })).statusCode, 200);
    // Without metrics there is no /metrics.
    assert.equal((await app.inject({ url: "/metrics" })).statusCode, 404);
  } finally {
    await app.close();
    await catalog.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the job pages show a failed job's state and reason; the access line names the session's user", async () => {
  const dir = mkdtempSync(join(tmpdir(), "marcgate-observe-jobs-"));
  const catalog = await openSqliteCatalog(dir);
  const access: string[] = [];
  const app = await buildServer({
    catalog,
    importer: new Importer(catalog),
    publicUrl: () => "",
    accessLog: (message) => access.push(message),
  });
  try {
    await catalog.addInstitution({ code: "01OBS_INST", name: "Observed" });
    await catalog.addUser({
      name: "cataloger1",
      roles: [{ institution: "01OBS_INST", role: "Cataloger" }],
      passwordHash: await hashPassword("pw-pages"),
    });
    const login = await new Auth(catalog).login("cataloger1", "pw-pages", "127.0.0.1");
    assert.ok(login.ok);
    const cookie = `${SESSION_COOKIE}=${login.secret}`;
    const job = await catalog.startJob({
      institution: "01OBS_INST",
      source: "import",
      description: "import folder.mrc",
    });
    await catalog.finishJob(job.id, "EISDIR: illegal operation on a directory, read");
    const list = await app.inject({ url: "/jobs", headers: { cookie } });
    assert.equal(list.statusCode, 200);
    assert.match(
      list.body,
      /<span class="badge failed" title="EISDIR: illegal operation on a directory, read"\s*>failed<\/span/,
    );
    const page = await app.inject({ url: `/jobs/${job.id}`, headers: { cookie } });
    assert.match(
      page.body,
      /<p class="flash error">This job failed: EISDIR: illegal operation on a directory, read<\/p>/,
    );
    assert.match(
      access.at(-1)!,
      new RegExp(`^http \\S+ GET /jobs/${job.id} 200 .* user cataloger1$`),
    );
  } finally {
    await app.close();
    await catalog.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
