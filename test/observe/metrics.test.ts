/** The metrics writer against the exposition format's rules, and the catalog timings. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Catalog } from "../../src/catalog/catalog.js";
import { Metrics } from "../../src/observe/metrics.js";
import { ServerMetrics } from "../../src/observe/server-metrics.js";
import { timedCatalog } from "../../src/observe/timed-catalog.js";
import { checkExposition, promtoolCheck } from "./_exposition.js";

describe("Metrics", () => {
  test("counters, histograms and gauges in the text format, exactly", async () => {
    const m = new Metrics();
    const exports = m.counter("x_exports_total", "Exports\nby outcome \\ kind.", ["outcome"]);
    const seconds = m.histogram("x_reply_seconds", "Reply time.", { buckets: [0.1, 1] });
    m.gauge("x_jobs", "Jobs.", () => [
      { labels: { state: "open" }, value: 2 },
      { labels: { state: 'we"ird\\\n' }, value: 0 },
    ]);
    exports.inc({ outcome: "created" });
    exports.inc({ outcome: "created" });
    exports.inc({ outcome: "rejected" }, 3);
    seconds.observe(0.05);
    seconds.observe(0.5);
    seconds.observe(7);
    const text = await m.render();
    assert.equal(
      text,
      [
        "# HELP x_exports_total Exports\\nby outcome \\\\ kind.",
        "# TYPE x_exports_total counter",
        'x_exports_total{outcome="created"} 2',
        'x_exports_total{outcome="rejected"} 3',
        "# HELP x_reply_seconds Reply time.",
        "# TYPE x_reply_seconds histogram",
        'x_reply_seconds_bucket{le="0.1"} 1',
        'x_reply_seconds_bucket{le="1"} 2',
        'x_reply_seconds_bucket{le="+Inf"} 3',
        "x_reply_seconds_sum 7.55",
        "x_reply_seconds_count 3",
        "# HELP x_jobs Jobs.",
        "# TYPE x_jobs gauge",
        'x_jobs{state="open"} 2',
        'x_jobs{state="we\\"ird\\\\\\n"} 0',
        "",
      ].join("\n"),
    );
    const checked = checkExposition(text);
    assert.deepEqual(checked.problems, []);
    assert.equal(
      checked.samples.find((s) => s.name === "x_jobs" && s.value === 0)?.labels["state"],
      'we"ird\\\n',
    );
  });

  test("names are checked; a gauge that fails is left out of the scrape", async () => {
    const m = new Metrics();
    assert.throws(() => m.counter("1bad", "x"), /"1bad" is not a metric name/);
    assert.throws(() => m.counter("ok_total", "x", ["__reserved"]), /not a label name/);
    assert.throws(() => m.histogram("h", "x", { labelNames: ["le"] }), /may not have a label "le"/);
    m.counter("ok_total", "x");
    assert.throws(() => m.counter("ok_total", "x"), /exists already/);
    m.gauge("broken", "x", () => Promise.reject(new Error("database away")));
    const text = await m.render();
    assert.deepEqual(checkExposition(text).problems, []);
    assert.match(text, /# TYPE broken gauge\n$/);
  });

  test("the checker finds what breaks the format", () => {
    const bad = (text: string) => checkExposition(text).problems.join("; ");
    assert.match(bad("a 1"), /last line/);
    assert.match(bad('a{x="1\\t"} 1\n'), /bad escape/);
    assert.match(bad("a 1\nb 1\na 2\n"), /a continues after another family/);
    assert.match(bad("a one\n"), /bad value/);
    assert.match(bad("a 1\n# TYPE a counter\n"), /TYPE of a after its samples/);
    assert.match(
      bad('# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n'),
      /not cumulative/,
    );
    assert.match(bad('# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n'), /no \+Inf/);
    assert.match(bad("# TYPE c counter\nc -1\n"), /negative/);
  });

  test("the server's families render valid text before and after use", async () => {
    const metrics = new ServerMetrics({
      connexion: () => ({ connections: 1, refusedConnections: 2, shedConnections: 0 }),
      connexionLoad: () => ({ answering: 1, queued: 3 }),
      importQueue: () => 5,
      jobStates: async () => ({ open: 1, finished: 4, failed: 2 }),
      info: { engine: "sqlite", node: "n1" },
    });
    assert.deepEqual(checkExposition(await metrics.registry.render()).problems, []);
    metrics.exports.inc({ outcome: "created" });
    metrics.replySeconds.observe(0.02);
    metrics.catalogSeconds.observe(0.001, { operation: "commit" });
    metrics.httpRequests.inc({ status: "200" });
    metrics.httpSeconds.observe(0.003);
    const text = await metrics.registry.render();
    const checked = checkExposition(text);
    assert.deepEqual(checked.problems, []);
    const value = (name: string, labels: Record<string, string> = {}) =>
      checked.samples.find(
        (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
      )?.value;
    assert.equal(value("marcgate_connexion_exports_total", { outcome: "created" }), 1);
    assert.equal(value("marcgate_jobs", { state: "failed" }), 2);
    assert.equal(value("marcgate_connexion_queued"), 3);
    assert.equal(value("marcgate_import_queue_depth"), 5);
    assert.equal(value("marcgate_connexion_refused_connections_total"), 2);
    assert.equal(value("marcgate_catalog_operation_seconds_count", { operation: "commit" }), 1);
    assert.equal(checked.types.get("marcgate_connexion_reply_seconds"), "histogram");
    promtoolCheck(text);
  });
});

test("timedCatalog: every asynchronous call timed by name, failures counted, others untouched", async () => {
  const metrics = new ServerMetrics();
  const fake = {
    engine: "sqlite",
    async zones() {
      return [];
    },
    async record(id: string) {
      throw new Error(`no ${id}`);
    },
    stageAhead() {
      return 42;
    },
  };
  const catalog = timedCatalog(fake as unknown as Catalog, {
    seconds: metrics.catalogSeconds,
    errors: metrics.catalogErrors,
  });
  assert.equal(catalog.engine, "sqlite");
  await catalog.zones();
  await catalog.zones();
  await assert.rejects(catalog.record("991"), /no 991/);
  assert.equal((catalog as unknown as typeof fake).stageAhead(), 42);
  assert.equal(metrics.catalogSeconds.count({ operation: "zones" }), 2);
  assert.equal(metrics.catalogSeconds.count({ operation: "record" }), 1);
  assert.equal(metrics.catalogErrors.get({ operation: "record" }), 1);
  assert.equal(metrics.catalogSeconds.count({ operation: "stageAhead" }), 0);
});
