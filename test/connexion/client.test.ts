import assert from "node:assert/strict";
import net from "node:net";
import { after, describe, test } from "node:test";
import { ConnexionClient, encodeRequest, ReplyReader } from "../../src/connexion/client.js";
import { ConnexionRequestParser } from "../../src/connexion/request.js";
import { writeIso2709 } from "../../src/marc/iso2709.js";

const RECORD = writeIso2709({
  leader: "00000cam a2200000 a 4500",
  fields: [
    { tag: "001", value: "ocm00012345" },
    { tag: "245", ind1: "1", ind2: "0", subfields: [{ code: "a", value: "Café au lait" }] },
  ],
});

function bytes(...parts: (string | Uint8Array)[]): Buffer {
  return Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "latin1") : p)));
}

describe("encodeRequest", () => {
  const KOHA = { logonId: "kohauser", password: "s3cret" };

  test("byte form (desktop client): AHkohauserPFs3cret + record", () => {
    assert.deepEqual(
      Buffer.from(encodeRequest(RECORD, KOHA, "byte")),
      bytes("AHkohauserPFs3cret", RECORD),
    );
  });

  test("decimal form (browser, Record Manager): A8kohauserP6s3cret + record", () => {
    assert.deepEqual(
      Buffer.from(encodeRequest(RECORD, KOHA, "decimal")),
      bytes("A8kohauserP6s3cret", RECORD),
    );
  });

  test("none: the record alone, whatever the logon", () => {
    assert.deepEqual(Buffer.from(encodeRequest(RECORD, KOHA, "none")), bytes(RECORD));
  });

  test("fields in the order U, A, P, each only when given", () => {
    const logon = { password: "hij", logonId: "fg", user: "abcde" };
    assert.deepEqual(
      Buffer.from(encodeRequest(RECORD, logon, "byte")),
      bytes("UEabcdeABfgPChij", RECORD),
    );
    assert.deepEqual(
      Buffer.from(encodeRequest(RECORD, logon, "decimal")),
      bytes("U5abcdeA2fgP3hij", RECORD),
    );
    assert.deepEqual(
      Buffer.from(encodeRequest(RECORD, { logonId: "fg" }, "decimal")),
      bytes("A2fg", RECORD),
    );
  });

  test("an empty password: P@ in byte form, P0 in decimal form", () => {
    const logon = { logonId: "kohauser", password: "" };
    assert.deepEqual(
      Buffer.from(encodeRequest(RECORD, logon, "byte")),
      bytes("AHkohauserP@", RECORD),
    );
    assert.deepEqual(
      Buffer.from(encodeRequest(RECORD, logon, "decimal")),
      bytes("A8kohauserP0", RECORD),
    );
  });

  test("lengths count UTF-8 bytes: 'bøf' is 4", () => {
    const logon = { logonId: "bøf" };
    assert.deepEqual(
      Buffer.from(encodeRequest(RECORD, logon, "byte")),
      bytes("AD", Buffer.from("bøf"), RECORD),
    );
    assert.deepEqual(
      Buffer.from(encodeRequest(RECORD, logon, "decimal")),
      bytes("A4", Buffer.from("bøf"), RECORD),
    );
  });

  test("byte form up to 191 bytes (length byte 0xFF); 192 is a RangeError naming the field", () => {
    const key = "k".repeat(191);
    assert.deepEqual(
      Buffer.from(encodeRequest(RECORD, { logonId: key }, "byte")),
      bytes("A", Buffer.from([0xff]), key, RECORD),
    );
    assert.throws(() => encodeRequest(RECORD, { logonId: `${key}k` }, "byte"), {
      name: "RangeError",
      message: "the logon ID (A) is 192 bytes; the byte length form carries at most 191",
    });
    assert.throws(() => encodeRequest(RECORD, { password: "é".repeat(96) }, "byte"), {
      name: "RangeError",
      message: "the password (P) is 192 bytes; the byte length form carries at most 191",
    });
    assert.deepEqual(
      Buffer.from(encodeRequest(RECORD, { logonId: `${key}k` }, "decimal")),
      bytes(`A192${key}k`, RECORD),
    );
  });

  test("the parser reads back what it encodes", () => {
    for (const form of ["byte", "decimal", "none"] as const) {
      const [event] = new ConnexionRequestParser().push(encodeRequest(RECORD, KOHA, form));
      assert.equal(event?.kind, "request");
      if (event?.kind !== "request") continue;
      assert.deepEqual({ ...event.request.logon }, form === "none" ? {} : KOHA);
      assert.deepEqual(Buffer.from(event.request.record), RECORD);
    }
  });
});

describe("ReplyReader", () => {
  const stream = Buffer.from(
    "Success. Record 991 added.\n\nhttp://x/991\0\0Error: café\0Held",
    "utf8",
  );
  const expected = ["Success. Record 991 added.\n\nhttp://x/991", "", "Error: café"];

  function read(chunks: readonly Uint8Array[]): { replies: string[]; pending: number } {
    const reader = new ReplyReader();
    const replies = chunks.flatMap((c) => reader.push(c));
    return { replies, pending: reader.pending };
  }

  test("replies are the texts between NULs (an empty one included); the unfinished tail waits", () => {
    assert.deepEqual(read([stream]), { replies: expected, pending: 4 });
  });

  test("the same replies split at every offset (UTF-8 characters split too)", () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      assert.deepEqual(
        read([stream.subarray(0, cut), stream.subarray(cut)]),
        { replies: expected, pending: 4 },
        `split at ${cut}`,
      );
    }
  });

  for (const size of [1, 2, 3]) {
    test(`the same replies in ${size}-byte chunks`, () => {
      const chunks: Uint8Array[] = [];
      for (let i = 0; i < stream.length; i += size) chunks.push(stream.subarray(i, i + size));
      assert.deepEqual(read(chunks), { replies: expected, pending: 4 });
    });
  }
});

interface TestServer {
  readonly port: number;
  readonly server: net.Server;
  readonly sockets: Set<net.Socket>;
}

/** A test server on a free port; `handle` gets each connection. */
async function listen(handle: (socket: net.Socket) => void): Promise<TestServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    handle(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  assert.ok(address && typeof address === "object");
  return { port: address.port, server, sockets };
}

/** Stops a test server, its open connections included. */
function shut({ server, sockets }: TestServer): Promise<void> {
  for (const socket of sockets) socket.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** What the parser server saw on each connection. */
interface Seen {
  received: Buffer[];
  endedBeforeReply: boolean;
}

/** A gateway stand-in: replies `ok <logon ID> <record bytes> <end>` + NUL to each request. */
async function parserServer(): Promise<TestServer & { readonly seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = await listen((socket) => {
    const parser = new ConnexionRequestParser();
    const mine: Seen = { received: [], endedBeforeReply: false };
    let replied = false;
    seen.push(mine);
    socket.on("error", () => undefined);
    socket.on("data", (chunk: Buffer) => {
      mine.received.push(chunk);
      for (const event of parser.push(chunk)) {
        if (event.kind === "error") {
          socket.write(`Error: ${event.error.message}\0`);
          continue;
        }
        const { logon, record, end } = event.request;
        // The reply in two writes, so the client meets a split reply.
        const text = `ok ${logon.logonId ?? "-"} ${record.length} ${end} café`;
        socket.write(text.slice(0, 5));
        setTimeout(() => socket.write(`${text.slice(5)}\0`), 5);
        replied = true;
      }
    });
    socket.on("end", () => {
      if (!replied) mine.endedBeforeReply = true;
      socket.end();
    });
  });
  return { ...server, seen };
}

describe("ConnexionClient", async () => {
  const gateway = await parserServer();
  after(() => shut(gateway));
  const options = { host: "127.0.0.1", port: gateway.port, timeoutMs: 2000 };

  test("send: one request per form, each reply without its NUL", async () => {
    for (const form of ["byte", "decimal", "none"] as const) {
      const client = await ConnexionClient.connect(options);
      try {
        const reply = await client.send(RECORD, { logonId: "kohauser", password: "s3cret" }, form);
        const logonId = form === "none" ? "-" : "kohauser";
        assert.equal(reply, `ok ${logonId} ${RECORD.length} terminator café`);
      } finally {
        await client.close();
      }
    }
  });

  test("like the real client: the request's bytes only, no NUL and no close before the reply", async () => {
    const before = gateway.seen.length;
    const client = await ConnexionClient.connect(options);
    await client.send(RECORD, { logonId: "kohauser", password: "s3cret" }, "byte");
    await client.close();
    await client.closed;
    const mine = gateway.seen[before]!;
    assert.deepEqual(Buffer.concat(mine.received), bytes("AHkohauserPFs3cret", RECORD));
    assert.equal(mine.endedBeforeReply, false);
  });

  test("several records on one connection, each answered in order", async () => {
    const client = await ConnexionClient.connect(options);
    try {
      const replies: string[] = [];
      for (let i = 0; i < 3; i++) {
        replies.push(await client.send(RECORD, { logonId: `inst${i}`, password: "" }, "decimal"));
      }
      assert.deepEqual(
        replies,
        [0, 1, 2].map((i) => `ok inst${i} ${RECORD.length} terminator café`),
      );
    } finally {
      await client.close();
    }
  });

  test("write and nextReply: a record in two halves", async () => {
    const client = await ConnexionClient.connect(options);
    try {
      const request = encodeRequest(RECORD, { logonId: "half" }, "byte");
      await client.write(request.subarray(0, 20));
      await new Promise((resolve) => setTimeout(resolve, 20));
      await client.write(request.subarray(20));
      assert.equal(await client.nextReply(), `ok half ${RECORD.length} terminator café`);
    } finally {
      await client.close();
    }
  });

  test("write: garbage the server refuses", async () => {
    const client = await ConnexionClient.connect(options);
    try {
      await client.write(bytes("A%garbage"));
      assert.equal(await client.nextReply(), "Error: bad length byte 0x25 after field A at byte 1");
    } finally {
      await client.close();
    }
  });

  test("no reply within the timeout: a clear error", async () => {
    const silent = await listen((socket) => socket.on("error", () => undefined));
    try {
      const client = await ConnexionClient.connect({
        ...options,
        port: silent.port,
        timeoutMs: 200,
      });
      try {
        await assert.rejects(client.send(RECORD, {}, "none"), {
          message: `no reply from 127.0.0.1:${silent.port} within 0.2 s`,
        });
      } finally {
        await client.close();
      }
    } finally {
      await shut(silent);
    }
  });

  test("the server closes before replying: a clear error, and closed resolves", async () => {
    const rude = await listen((socket) => {
      socket.on("error", () => undefined);
      socket.once("data", () => socket.end());
    });
    try {
      const client = await ConnexionClient.connect({ ...options, port: rude.port });
      await assert.rejects(client.send(RECORD, { logonId: "x" }, "byte"), {
        message: `no reply from 127.0.0.1:${rude.port}: the server closed the connection`,
      });
      await client.closed;
      await assert.rejects(client.nextReply(), {
        message: `no reply from 127.0.0.1:${rude.port}: the server closed the connection`,
      });
      await client.close();
    } finally {
      await shut(rude);
    }
  });

  test("the server closes in the middle of a reply: the error says so", async () => {
    const cut = await listen((socket) => {
      socket.on("error", () => undefined);
      socket.once("data", () => socket.end("Success. Rec"));
    });
    try {
      const client = await ConnexionClient.connect({ ...options, port: cut.port });
      await assert.rejects(client.send(RECORD, {}, "none"), {
        message: `no reply from 127.0.0.1:${cut.port}: the server closed the connection after 12 bytes of an unterminated reply`,
      });
      await client.close();
    } finally {
      await shut(cut);
    }
  });

  test("after close, sending is refused", async () => {
    const client = await ConnexionClient.connect(options);
    await client.close();
    await assert.rejects(client.send(RECORD, {}, "none"), {
      message: `cannot send to 127.0.0.1:${gateway.port}: the connection was closed`,
    });
  });

  test("nothing listening: connect rejects naming the address", async () => {
    const gone = await listen(() => undefined);
    await shut(gone);
    await assert.rejects(
      ConnexionClient.connect({ ...options, port: gone.port }),
      (error: Error) => {
        assert.match(
          error.message,
          new RegExp(`^cannot connect to 127\\.0\\.0\\.1:${gone.port}: .*ECONNREFUSED`),
        );
        return true;
      },
    );
  });
});
