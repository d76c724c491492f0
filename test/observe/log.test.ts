/** The server log's two formats, and the access line without secrets. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { accessLine, maskedPath } from "../../src/observe/access-log.js";
import { createLog } from "../../src/observe/log.js";

const now = () => new Date("2026-12-08T01:02:03.004Z");

describe("createLog", () => {
  test("text: time, node, message, as marcgate has always written", () => {
    const lines: string[] = [];
    const log = createLog({ node: "a1", write: (l) => lines.push(l), now });
    log("marcgate serving", { event: "start", httpPort: 8080 });
    createLog({ write: (l) => lines.push(l), now })("stopped");
    assert.deepEqual(lines, [
      "2026-12-08T01:02:03.004Z a1 marcgate serving\n",
      "2026-12-08T01:02:03.004Z stopped\n",
    ]);
  });

  test("json: one object per line, the fields after time, node, event and msg", () => {
    const lines: string[] = [];
    const log = createLog({ format: "json", node: "a1", write: (l) => lines.push(l), now });
    log("connexion 10.0.0.1:5 logon X created", {
      event: "export",
      outcome: "created",
      ms: 12,
      mmsId: undefined,
      msg: "not this",
      time: "nor this",
    });
    log('a "quoted"\nline');
    assert.equal(lines.length, 2);
    assert.ok(lines.every((l) => l.endsWith("}\n") && !l.slice(0, -1).includes("\n")));
    assert.deepEqual(JSON.parse(lines[0]!), {
      time: "2026-12-08T01:02:03.004Z",
      node: "a1",
      event: "export",
      msg: "connexion 10.0.0.1:5 logon X created",
      outcome: "created",
      ms: 12,
    });
    assert.deepEqual(Object.keys(JSON.parse(lines[0]!)).slice(0, 4), [
      "time",
      "node",
      "event",
      "msg",
    ]);
    assert.deepEqual(JSON.parse(lines[1]!), {
      time: "2026-12-08T01:02:03.004Z",
      node: "a1",
      event: "log",
      msg: 'a "quoted"\nline',
    });
  });
});

describe("access log", () => {
  test("secret query values are masked, search terms kept", () => {
    assert.equal(
      maskedPath("/oai/X?verb=ListRecords&resumptionToken=abc.def&author=Smith"),
      "/oai/X?verb=ListRecords&resumptionToken=***&author=Smith",
    );
    assert.equal(
      maskedPath("/login?password=pw&_csrf=t&api_key=k&Token=1&next=/search&sortKeys=title"),
      "/login?password=***&_csrf=***&api_key=***&Token=***&next=/search&sortKeys=title",
    );
    assert.equal(maskedPath("/search?pass%77ord=x"), "/search?pass%77ord=***");
    assert.equal(maskedPath("/records/991"), "/records/991");
    assert.equal(maskedPath("/x?flag&token"), "/x?flag&token");
  });

  test("the line: client, method, masked path, status, bytes, ms, user", () => {
    const { message, fields } = accessLine({
      client: "10.1.2.3",
      method: "GET",
      url: "/sru/X?query=a b&x-token=s",
      status: 200,
      bytes: 512,
      ms: 3.14159,
      user: "alice",
    });
    assert.equal(
      message,
      "http 10.1.2.3 GET /sru/X?query=a%20b&x-token=*** 200 512 bytes 3.1 ms user alice",
    );
    assert.deepEqual(fields, {
      event: "http",
      client: "10.1.2.3",
      method: "GET",
      path: "/sru/X?query=a b&x-token=***",
      status: 200,
      bytes: 512,
      ms: 3.1,
      user: "alice",
    });
    assert.equal(
      accessLine({ client: "::1", method: "POST", url: "/login", status: 303, ms: 1 }).message,
      "http ::1 POST /login 303 - bytes 1 ms user -",
    );
  });
});
