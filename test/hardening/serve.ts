/**
 * The abuse tests of the hardening suite: a real `marcgate serve` (SQLite, loopback only, its
 * default limits) under attack, bounded in count and time — 2,000 idle connections from
 * 127.0.0.2–127.0.0.21, slowloris senders, a 10 MB request, garbage, a client that never
 * reads its replies. During each, a legitimate client's export must be answered in under 1 s.
 * Then the web side over HTTP: login CSRF, every open-redirect shape, the status codes of
 * error pages. The server's memory (RSS) is reported before and after.
 */
import assert from "node:assert/strict";
import { execFile, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { ConnexionClient, encodeRequest } from "../../src/connexion/client.js";
import { writeIso2709 } from "../../src/marc/iso2709.js";
import type { MarcRecord } from "../../src/marc/record.js";
import { MARCGATE, startServe } from "../_serve.js";

const INSTITUTION = "01HRD_INST";
const PASSWORD = "hardening-pw";
const ADMIN_PASSWORD = "admin-password-1";
const run = promisify(execFile);

function book(n: number): MarcRecord {
  return {
    leader: "00000cam a2200000 a 4500",
    fields: [
      { tag: "001", value: `ocm${String(70_000_000 + n)}` },
      { tag: "003", value: "OCoLC" },
      { tag: "008", value: "260101s2026    nyu           000 0 eng d" },
      { tag: "245", ind1: "1", ind2: "0", subfields: [{ code: "a", value: `Hardening ${n}` }] },
    ],
  };
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

describe("marcgate serve under attack (loopback)", () => {
  let dir: string;
  let serve: ChildProcess;
  let connexionPort: number;
  let base: string;
  let exported = 0;
  const replyTimes: Record<string, number[]> = {};

  const rssMb = (): number => {
    const status = readFileSync(`/proc/${serve.pid!}/status`, "utf8");
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? "0") / 1024;
  };

  /** A legitimate export from 127.0.0.1; its reply time in ms. */
  async function legitimate(attack: string): Promise<number> {
    const started = performance.now();
    const client = await ConnexionClient.connect({ host: "127.0.0.1", port: connexionPort });
    try {
      const reply = await client.send(
        writeIso2709(book(exported++)),
        { logonId: INSTITUTION, password: PASSWORD },
        "byte",
      );
      assert.match(reply, /^Success\. Record 99\d+ added\./, `${attack}: ${reply}`);
    } finally {
      await client.close();
    }
    const ms = performance.now() - started;
    (replyTimes[attack] ??= []).push(ms);
    return ms;
  }

  function connectFrom(localAddress: string): Promise<net.Socket> {
    return new Promise((done) => {
      const socket = net.connect({ port: connexionPort, host: "127.0.0.1", localAddress }, () =>
        done(socket),
      );
      socket.on("error", () => undefined);
      socket.on("data", () => undefined); // read what the server says, so it can close
    });
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "marcgate-hardening-"));
    const marcgate = (args: string[], env: Record<string, string> = {}) =>
      run(process.execPath, [MARCGATE, ...args, "--data", dir], {
        env: { ...process.env, ...env },
      });
    await marcgate(["institution", "add", INSTITUTION, "--name", "Hardening University"]);
    const profile = join(dir, "connexion.json");
    writeFileSync(profile, JSON.stringify({ code: "CONNEXION", password: PASSWORD }));
    await marcgate(["profile", "import", "--institution", INSTITUTION, profile]);
    await marcgate(["user", "add", "admin", "--role", "General System Administrator"], {
      MARCGATE_PASSWORD: ADMIN_PASSWORD,
    });
    ({ process: serve, connexionPort, base } = await startServe(dir));
  });

  after(async () => {
    if (serve.exitCode === null) {
      serve.kill("SIGTERM");
      await new Promise((done) => serve.once("exit", done));
    }
    rmSync(dir, { recursive: true, force: true });
    for (const [attack, times] of Object.entries(replyTimes)) {
      process.stdout.write(
        `# legitimate export during ${attack}: ${times.map((t) => `${t.toFixed(0)} ms`).join(", ")}\n`,
      );
    }
  });

  let rssBefore = 0;

  test("a legitimate export, before any attack", async () => {
    await legitimate("no attack");
    await legitimate("no attack");
    rssBefore = rssMb();
    process.stdout.write(`# serve RSS before the attacks: ${rssBefore.toFixed(0)} MB\n`);
  });

  test("2,000 idle connections from 127.0.0.2–127.0.0.21: an export is answered in under 1 s", async () => {
    const idle: net.Socket[] = [];
    try {
      for (let a = 2; a <= 21; a++) {
        const batch = Array.from({ length: 100 }, () => connectFrom(`127.0.0.${a}`));
        idle.push(...(await Promise.all(batch)));
      }
      for (let i = 0; i < 3; i++) assert.ok((await legitimate("2,000 idle connections")) < 1_000);
    } finally {
      for (const s of idle) s.destroy();
    }
  });

  test("slowloris: 300 connections trickling a byte every 500 ms: an export is answered in under 1 s", async () => {
    const slow: net.Socket[] = [];
    const request = encodeRequest(
      writeIso2709(book(999_999)),
      { logonId: INSTITUTION, password: "wrong" },
      "byte",
    );
    let at = 0;
    const trickle = setInterval(() => {
      at++;
      for (const s of slow) if (!s.destroyed) s.write(request.subarray(at, at + 1));
    }, 500);
    try {
      for (let a = 22; a <= 24; a++) {
        const batch = Array.from({ length: 100 }, () => connectFrom(`127.0.0.${a}`));
        slow.push(...(await Promise.all(batch)));
      }
      for (const s of slow) s.write(request.subarray(0, 1));
      await sleep(2_500);
      for (let i = 0; i < 3; i++) assert.ok((await legitimate("slowloris")) < 1_000);
    } finally {
      clearInterval(trickle);
      for (const s of slow) s.destroy();
    }
  });

  test("a 10 MB request is refused at the record's limit; an export meanwhile is answered in under 1 s", async () => {
    const huge = await connectFrom("127.0.0.25");
    let answer = "";
    huge.on("data", (c: Buffer) => (answer += c.toString("latin1")));
    const closed = new Promise((done) => huge.on("close", done));
    const prefix = encodeRequest(
      new Uint8Array(0),
      { logonId: INSTITUTION, password: PASSWORD },
      "byte",
    );
    huge.write(Buffer.concat([prefix, Buffer.from("99999"), Buffer.alloc(10_000_000, 0x41)]));
    assert.ok((await legitimate("a 10 MB request")) < 1_000);
    await closed;
    assert.match(
      answer,
      /^Error: record exceeds 100,000 bytes at byte \d+ without a complete record/,
    );
  });

  test("garbage: 50 connections sending 64 KB of random bytes each; an export is answered in under 1 s", async () => {
    const junk: net.Socket[] = [];
    try {
      for (let i = 0; i < 50; i++) {
        const s = await connectFrom("127.0.0.26");
        const bytes = Buffer.alloc(65_536);
        for (let j = 0; j < bytes.length; j++) bytes[j] = (j * 7919 + i * 104_729) % 251;
        s.write(bytes);
        junk.push(s);
      }
      for (let i = 0; i < 3; i++) assert.ok((await legitimate("garbage")) < 1_000);
    } finally {
      for (const s of junk) s.destroy();
    }
  });

  test("a client that never reads its replies: an export is answered in under 1 s", async () => {
    const deaf = await new Promise<net.Socket>((done) => {
      const s = net.connect(
        { port: connexionPort, host: "127.0.0.1", localAddress: "127.0.0.27" },
        () => done(s),
      );
      s.on("error", () => undefined);
      s.pause(); // never reads
    });
    try {
      const request = Buffer.concat([
        encodeRequest(
          Buffer.from("not a record\x1d"),
          { logonId: "NOBODY", password: "x" },
          "byte",
        ),
      ]);
      for (let i = 0; i < 2_000; i++) deaf.write(request);
      await sleep(500);
      for (let i = 0; i < 3; i++)
        assert.ok((await legitimate("a client that never reads")) < 1_000);
    } finally {
      deaf.destroy();
    }
  });

  test("memory after the attacks", async () => {
    await sleep(1_500);
    await legitimate("after the attacks");
    const rssAfter = rssMb();
    process.stdout.write(
      `# serve RSS: ${rssBefore.toFixed(0)} MB before the attacks, ${rssAfter.toFixed(0)} MB after\n`,
    );
    assert.ok(rssAfter - rssBefore < 100, `RSS grew ${(rssAfter - rssBefore).toFixed(0)} MB`);
  });

  describe("the web, over HTTP", () => {
    async function loginForm(next = ""): Promise<{ cookie: string; token: string; next: string }> {
      const page = await fetch(`${base}/login${next}`);
      const body = await page.text();
      return {
        cookie: (page.headers.get("set-cookie") ?? "").split(";")[0]!,
        token: /name="_csrf" value="([^"]+)"/.exec(body)?.[1] ?? "",
        next: /name="next" value="([^"]*)"/.exec(body)?.[1] ?? "",
      };
    }

    const login = (form: Record<string, string>, headers: Record<string, string>) =>
      fetch(`${base}/login`, {
        method: "POST",
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
        body: new URLSearchParams({ name: "admin", password: ADMIN_PASSWORD, ...form }).toString(),
      });

    test("login CSRF: no token, a wrong token, or another Origin is refused with 403", async () => {
      const form = await loginForm();
      assert.equal((await login({}, {})).status, 403);
      assert.equal((await login({ _csrf: form.token }, {})).status, 403);
      assert.equal((await login({ _csrf: "x".repeat(43) }, { cookie: form.cookie })).status, 403);
      const foreign = await login(
        { _csrf: form.token },
        { cookie: form.cookie, origin: "https://evil.example" },
      );
      assert.equal(foreign.status, 403);
      assert.equal((await login({ _csrf: form.token }, { cookie: form.cookie })).status, 303);
    });

    test("every open-redirect shape, from the link and from the form, lands on /search", async () => {
      const shapes = [
        "//evil.example",
        "/\\evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        "https://evil.example/",
        "https:evil.example",
        "/%2Fevil.example",
        "/%2fevil.example",
        "/%5Cevil.example",
        "/%5cevil.example",
        "/a/../..//evil.example",
      ];
      for (const next of shapes) {
        const form = await loginForm(`?next=${encodeURIComponent(next)}`);
        assert.equal(form.next, "/search", JSON.stringify(next));
        const r = await login({ _csrf: form.token, next }, { cookie: form.cookie });
        assert.equal(r.status, 303);
        assert.equal(r.headers.get("location"), "/search", JSON.stringify(next));
      }
    });

    test("error pages answer with their status", async () => {
      const form = await loginForm();
      const r = await login({ _csrf: form.token }, { cookie: form.cookie });
      const cookie = (r.headers.get("set-cookie") ?? "").split(";")[0]!;
      const status = async (url: string) =>
        (await fetch(`${base}${url}`, { headers: { cookie }, redirect: "manual" })).status;
      assert.equal(await status("/no-such-page"), 404);
      assert.equal(await status("/records/991999999"), 404);
      assert.equal(await status("/records/991999999/download/marcxml"), 404);
      assert.equal(await status("/jobs/abc"), 404);
      assert.equal(await status("/api/jobs/abc"), 400);
      assert.equal(await status("/api/jobs/999999"), 404);
    });
  });
});
