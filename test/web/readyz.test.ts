/** /healthz and /readyz: the node's name, and "not ready" while the catalog does not answer. */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { Catalog } from "../../src/catalog/catalog.js";
import { openSqliteCatalog } from "../../src/catalog/sqlite.js";
import { Importer } from "../../src/import/importer.js";
import { buildServer } from "../../src/web/server.js";

test("/readyz is 200 with the node's name, 503 with the reason when the catalog fails or hangs", async () => {
  const dir = mkdtempSync(join(tmpdir(), "marcgate-readyz-"));
  const catalog = await openSqliteCatalog(dir);
  let mode: "ok" | "fail" | "hang" = "ok";
  // The catalog as a node sees it when its database goes away: zones() rejects, or never answers.
  const flaky = new Proxy(catalog, {
    get(target, key, receiver) {
      if (key === "zones" && mode === "fail") {
        return () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:5432"));
      }
      if (key === "zones" && mode === "hang") return () => new Promise(() => undefined);
      const value: unknown = Reflect.get(target, key, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  }) as Catalog;
  const app = await buildServer({
    catalog: flaky,
    importer: new Importer(flaky),
    publicUrl: () => "",
    nodeName: "node7",
  });
  try {
    const ready = await app.inject({ url: "/readyz" });
    assert.equal(ready.statusCode, 200);
    assert.deepEqual(ready.json(), { status: "ready", node: "node7", catalog: "sqlite" });
    assert.equal((await app.inject({ url: "/healthz" })).json().node, "node7");
    mode = "fail";
    const failing = await app.inject({ url: "/readyz" });
    assert.equal(failing.statusCode, 503);
    assert.match(failing.json().reason, /the catalog cannot be read: connect ECONNREFUSED/);
    mode = "hang";
    const started = Date.now();
    const hanging = await app.inject({ url: "/readyz" });
    assert.equal(hanging.statusCode, 503);
    assert.match(hanging.json().reason, /did not answer within 2000 ms/);
    assert.ok(Date.now() - started < 4_000);
  } finally {
    await app.close();
    await catalog.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
