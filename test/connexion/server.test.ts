/**
 * The gateway end to end: `startApp` on a fresh SQLite catalog, real TCP clients, every prefix
 * form, and the protections.
 */
import assert from "node:assert/strict";
import net from "node:net";
import { after, before, describe, test } from "node:test";
import type { App } from "../../src/app.js";
import type { Catalog } from "../../src/catalog/catalog.js";
import { ConnexionClient, encodeRequest, type LengthForm } from "../../src/connexion/client.js";
import { writeIso2709 } from "../../src/marc/iso2709.js";
import { getDataFields } from "../../src/marc/record.js";
import { apiToken } from "../web/_token.js";
import {
  INSTITUTION,
  PASSWORD,
  oclcRecord,
  startGateway,
  type RunningGateway,
} from "./_fixture.js";

const LOGON = { logonId: INSTITUTION, password: PASSWORD };

/** Sends raw bytes on a new connection and collects what comes back until the server closes or `waitMs` pass. */
function exchange(
  port: number,
  bytes: Uint8Array,
  waitMs = 3000,
): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text: Buffer.concat(chunks).toString("latin1"), closed: false });
    }, waitMs);
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("error", () => undefined);
    socket.on("close", () => {
      clearTimeout(timer);
      resolve({ text: Buffer.concat(chunks).toString("latin1"), closed: true });
    });
    socket.write(bytes);
  });
}

describe("Connexion gateway", () => {
  let gateway: RunningGateway;
  let catalog: Catalog;
  let app: App;
  let lines: string[];

  before(async () => {
    gateway = await startGateway({
      publicUrl: "http://catalog.example.org",
      connexion: {
        idleTimeoutMs: 400,
        requestTimeoutMs: 3000,
        lingerMs: 1500,
        maxRequestBytes: 100_000,
      },
      throttle: { maxFailures: 3, blockMs: 60_000 },
    });
    ({ catalog, app, lines } = gateway);
  });
  after(() => gateway.close());

  async function send(record: Uint8Array, form: LengthForm, logon = LOGON): Promise<string> {
    const client = await ConnexionClient.connect({ host: "127.0.0.1", port: app.connexionPort });
    try {
      return await client.send(record, logon, form);
    } finally {
      await client.close();
    }
  }

  for (const [i, form] of (["byte", "decimal"] as const).entries()) {
    test(`a new record in the ${form} prefix form: added, with the record's address`, async () => {
      const reply = await send(writeIso2709(oclcRecord(1000 + i, `Export ${form}`)), form);
      const match =
        /^Success\. Record (99\d+) added\.\n\nhttp:\/\/catalog\.example\.org\/records\/(99\d+)$/.exec(
          reply,
        );
      assert.ok(match, reply);
      assert.equal(match[1], match[2]);
      const stored = await catalog.record(match[1]!);
      assert.ok(stored);
      assert.equal(getDataFields(stored.marc, "245")[0]!.subfields[0]!.value, `Export ${form} /`);
    });
  }

  test("the same record again: merged (Overlay all fields but local)", async () => {
    const first = await send(writeIso2709(oclcRecord(2000, "Once")), "byte");
    const mmsId = /Record (99\d+)/.exec(first)![1]!;
    const again = await send(writeIso2709(oclcRecord(2000, "Twice")), "decimal");
    assert.match(
      again,
      new RegExp(
        `^Success\\. Record ${mmsId} merged \\(Overlay all fields but local\\): shares OCLC number 2000\\.\\n\\nhttp://`,
      ),
    );
    assert.equal((await catalog.record(mmsId))!.version, 2);
  });

  test("no prefix: refused without a default institution, nothing stored", async () => {
    const before = (await catalog.jobs(INSTITUTION)).length;
    const reply = await send(writeIso2709(oclcRecord(3000, "No logon")), "none");
    assert.match(reply, /^Error: Unauthorized request: no logon ID was sent\./);
    assert.deepEqual(await catalog.findByKey("oclc", "3000", [INSTITUTION]), []);
    assert.equal((await catalog.jobs(INSTITUTION)).length, before);
  });

  test("a wrong password or logon ID: Error, nothing stored, the password never logged", async () => {
    const reply = await send(writeIso2709(oclcRecord(4000, "Wrong")), "byte", {
      logonId: INSTITUTION,
      password: "guess-one",
    });
    assert.match(reply, /^Error: Unauthorized request: the logon ID or password is wrong\./);
    const unknown = await send(writeIso2709(oclcRecord(4000, "Wrong")), "decimal", {
      logonId: "01NOPE_INST",
      password: PASSWORD,
    });
    assert.equal(unknown, reply);
    assert.deepEqual(await catalog.findByKey("oclc", "4000", [INSTITUTION]), []);
    assert.ok(lines.some((l) => / unauthorized /.test(l)));
    assert.ok(lines.every((l) => !l.includes("guess-one") && !l.includes(PASSWORD)));
  });

  test("garbage bytes: Error naming the problem; the bytes are kept in the job", async () => {
    const garbage = Buffer.from("hello, is this the library?\x1d");
    const reply = await send(garbage, "byte");
    assert.match(
      reply,
      /^Error: the record cannot be read as MARC 21 \(ISO 2709\): fatal at byte \d+: .+ The record failed and was kept in job \d+; correct it and export it again\.$/,
    );
    const jobId = Number(/job (\d+)/.exec(reply)![1]);
    const rows = await catalog.jobRecords(jobId);
    assert.ok(rows.some((r) => r.outcome === "rejected" && Buffer.from(r.raw).equals(garbage)));
  });

  test("a request over 100,000 bytes: an error reply, then the connection is closed", async () => {
    const huge = Buffer.concat([
      encodeRequest(Buffer.alloc(0), LOGON, "byte"),
      Buffer.from("99999"),
      Buffer.alloc(100_500, 0x41),
    ]);
    const { text, closed } = await exchange(app.connexionPort, huge);
    assert.match(text, /^Error: record exceeds 100,000 bytes/);
    assert.ok(text.endsWith("\0"));
    assert.ok(closed);
  });

  test("half a record, then silence: taken as it is after the idle timeout, answered with an error", async () => {
    const whole = encodeRequest(writeIso2709(oclcRecord(5000, "Half")), LOGON, "byte");
    const { text } = await exchange(app.connexionPort, whole.subarray(0, whole.length - 60), 2000);
    assert.match(
      text,
      /^Error: the record is incomplete: \d+ of the \d+ bytes its leader gives arrived before the client went quiet\. The record failed and was kept in job \d+; correct it and export it again\.\0$/,
    );
    assert.deepEqual(await catalog.findByKey("oclc", "5000", [INSTITUTION]), []);
  });

  test("several records on one connection, each answered in order", async () => {
    const client = await ConnexionClient.connect({ host: "127.0.0.1", port: app.connexionPort });
    try {
      for (let i = 0; i < 3; i++) {
        const reply = await client.send(
          writeIso2709(oclcRecord(6000 + i, `Batch ${i}`)),
          LOGON,
          "byte",
        );
        assert.match(reply, /^Success\. Record 99\d+ added\./);
      }
    } finally {
      await client.close();
    }
  });

  test("50 concurrent clients × 100 records: every one stored exactly once and answered", async () => {
    const clients = 50;
    const perClient = 100;
    const replies = await Promise.all(
      Array.from({ length: clients }, async (_, c) => {
        const client = await ConnexionClient.connect({
          host: "127.0.0.1",
          port: app.connexionPort,
        });
        try {
          const got: string[] = [];
          for (let i = 0; i < perClient; i++) {
            const oclc = 100_000 + c * perClient + i;
            got.push(
              await client.send(
                writeIso2709(oclcRecord(oclc, `Load ${oclc}`)),
                LOGON,
                c % 2 ? "byte" : "decimal",
              ),
            );
          }
          return got;
        } finally {
          await client.close();
        }
      }),
    );
    const all = replies.flat();
    assert.equal(all.length, clients * perClient);
    const ids = all.map((r) => /^Success\. Record (99\d+) added\./.exec(r)?.[1]);
    assert.ok(
      ids.every((id) => id !== undefined),
      all.find((r) => !r.startsWith("Success")),
    );
    assert.equal(new Set(ids).size, clients * perClient);
    for (const oclc of [100_000, 102_345, 104_999]) {
      assert.equal((await catalog.findByKey("oclc", String(oclc), [INSTITUTION])).length, 1);
    }
  });

  test("repeated failed logons from one address are throttled", async () => {
    // A success clears an address's failures; three in a row block it.
    for (const guess of ["guess-two", "guess-three", "guess-four"]) {
      const reply = await send(writeIso2709(oclcRecord(7000, "x")), "byte", {
        logonId: INSTITUTION,
        password: guess,
      });
      assert.match(reply, /^Error: Unauthorized request/);
    }
    const reply = await send(writeIso2709(oclcRecord(7000, "x")), "byte");
    assert.equal(reply, "Error: too many failed logons from 127.0.0.1; try again in 1 minute.");
    assert.deepEqual(await catalog.findByKey("oclc", "7000", [INSTITUTION]), []);
  });

  test("/healthz and the record link answer over HTTP", async () => {
    const health = await fetch(`http://127.0.0.1:${app.httpPort}/healthz`);
    assert.equal(health.status, 200);
    const body = (await health.json()) as { status: string; connexion: { exports: number } };
    assert.equal(body.status, "ok");
    assert.ok(body.connexion.exports > 5000);
    const [mmsId] = await catalog.findByKey("oclc", "1000", [INSTITUTION]);
    // The reply's link is the record page: a browser is sent to log in first.
    const page = await fetch(`http://127.0.0.1:${app.httpPort}/records/${mmsId!}`, {
      redirect: "manual",
    });
    assert.equal(page.status, 303);
    assert.equal(page.headers.get("location"), `/login?next=%2Frecords%2F${mmsId!}`);
    // Scripts read it through the API with a token.
    const token = await apiToken(catalog);
    const api = `http://127.0.0.1:${app.httpPort}/api/records/${mmsId!}`;
    const json = (await (await fetch(api, { headers: token })).json()) as { mmsId: string };
    assert.equal(json.mmsId, mmsId);
    const text = await (await fetch(`${api}?format=mrk`, { headers: token })).text();
    assert.match(text, /=245 {2}10\$aExport byte \//);
  });
});

describe("Connexion listener limits", () => {
  let gateway: RunningGateway;
  let app: App;
  let lines: string[];

  before(async () => {
    gateway = await startGateway({
      connexion: {
        idleTimeoutMs: 2000,
        requestTimeoutMs: 600,
        lingerMs: 400,
        firstByteTimeoutMs: 300,
        maxConnectionsPerAddress: 3,
      },
    });
    ({ app, lines } = gateway);
  });
  after(() => gateway.close());

  function connect(localAddress = "127.0.0.1"): Promise<net.Socket> {
    return connectFrom(app.connexionPort, localAddress);
  }

  test("a slow sender (bytes trickling under the idle timeout) is refused after the request timeout", async () => {
    const socket = await connect();
    const request = encodeRequest(writeIso2709(oclcRecord(1, "Slow")), LOGON, "byte");
    let received = "";
    socket.on("data", (c: Buffer) => (received += c.toString("latin1")));
    const closed = new Promise((resolve) => socket.on("close", resolve));
    let at = 0;
    const trickle = setInterval(() => {
      if (at < request.length && !socket.destroyed) socket.write(request.subarray(at, ++at));
    }, 50);
    await closed;
    clearInterval(trickle);
    assert.equal(received, "Error: the record did not arrive within 0.6 s.\0");
    assert.ok(lines.some((l) => /refused: the record did not arrive within 0\.6 s/.test(l)));
  });

  // Issue 18: idle connections held the limit until the 30 s idle timeout.
  test("more connections from one address than allowed: the oldest silent one makes room", async () => {
    const held = [await connect(), await connect(), await connect()];
    const closed = new Promise((resolve) => held[0]!.on("close", resolve));
    try {
      const reply = await send(app.connexionPort, writeIso2709(oclcRecord(5, "Room")));
      assert.match(reply, /^Success\. Record 99\d+ added\./);
      await closed;
      assert.ok(
        lines.some((l) => /^connexion 127\.0\.0\.1:\d+ shed: silent, to make room$/.test(l)),
      );
    } finally {
      for (const s of held) s.destroy();
    }
  });

  test("more connections from one address than allowed, all sending: the extra one is refused with a reply", async () => {
    await new Promise((resolve) => setTimeout(resolve, 100)); // the held connections are gone
    const request = encodeRequest(writeIso2709(oclcRecord(6, "Busy")), LOGON, "byte");
    const held = await Promise.all([connect(), connect(), connect()]);
    for (const s of held) s.write(request.subarray(0, 40));
    await new Promise((resolve) => setTimeout(resolve, 50));
    try {
      const { text, closed } = await exchange(app.connexionPort, new Uint8Array(0), 2000);
      assert.equal(
        text,
        "Error: too many connections from 127.0.0.1; export again when the others are done.\0",
      );
      assert.ok(closed);
    } finally {
      for (const s of held) s.destroy();
    }
  });

  test("a connection that sends nothing is closed after the first-byte timeout", async () => {
    await new Promise((resolve) => setTimeout(resolve, 300)); // the held connections are gone
    const socket = await connect();
    socket.resume();
    const started = Date.now();
    const closed = await new Promise((resolve) => {
      socket.on("close", () => resolve(true));
      setTimeout(() => resolve(false), 3_000).unref();
    });
    const waited = Date.now() - started;
    socket.destroy();
    assert.ok(
      closed && waited >= 200 && waited < 1_500,
      `closed after ${waited} ms: ${lines.slice(-5).join("; ")}`,
    );
  });

  test("a client that stalls mid-record does not hold up another client's export", async () => {
    await new Promise((resolve) => setTimeout(resolve, 100)); // the held connections are gone
    const stalled = await connect();
    try {
      const request = encodeRequest(writeIso2709(oclcRecord(2, "Stalled")), LOGON, "byte");
      stalled.write(request.subarray(0, 40));
      const started = Date.now();
      const reply = await send(app.connexionPort, writeIso2709(oclcRecord(3, "Flowing")));
      assert.match(reply, /^Success\. Record 99\d+ added\./);
      assert.ok(Date.now() - started < 500);
    } finally {
      stalled.destroy();
    }
  });

  test("after a reply the connection stays open, then is closed after the linger time", async () => {
    const client = await ConnexionClient.connect({ host: "127.0.0.1", port: app.connexionPort });
    const reply = await client.send(writeIso2709(oclcRecord(4, "Linger")), LOGON, "byte");
    assert.match(reply, /^Success/);
    const started = Date.now();
    await client.closed;
    const waited = Date.now() - started;
    assert.ok(waited >= 300 && waited < 2000, `closed after ${waited} ms`);
  });
});

describe("Connexion listener: a full server sheds its oldest silent connection", () => {
  let gateway: RunningGateway;
  let app: App;

  before(async () => {
    gateway = await startGateway({
      connexion: { maxConnections: 6, maxConnectionsPerAddress: 3, firstByteTimeoutMs: 30_000 },
    });
    ({ app } = gateway);
  });
  after(() => gateway.close());

  test("6 silent connections from 127.0.0.2 and .3 fill it; an export still gets in at once", async () => {
    const held: net.Socket[] = [];
    for (const address of ["127.0.0.2", "127.0.0.3"])
      for (let i = 0; i < 3; i++) held.push(await connectFrom(app.connexionPort, address));
    try {
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(app.connexionStats().connections, 6);
      const started = Date.now();
      const reply = await send(app.connexionPort, writeIso2709(oclcRecord(7, "Full")));
      assert.match(reply, /^Success\. Record 99\d+ added\./);
      assert.ok(Date.now() - started < 1_000);
      assert.equal(app.connexionStats().shedConnections, 1);
      assert.equal(app.connexionStats().refusedConnections, 0);
    } finally {
      for (const s of held) s.destroy();
    }
  });
});

function connectFrom(port: number, localAddress: string): Promise<net.Socket> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: "127.0.0.1", localAddress }, () => resolve(socket));
    socket.on("error", () => undefined);
  });
}

async function send(port: number, record: Uint8Array): Promise<string> {
  const client = await ConnexionClient.connect({ host: "127.0.0.1", port });
  try {
    return await client.send(record, LOGON, "byte");
  } finally {
    await client.close();
  }
}
