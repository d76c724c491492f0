/** The PROXY protocol v1 header a load balancer sends: parsed, and the client it names used. */
import assert from "node:assert/strict";
import net from "node:net";
import { describe, test } from "node:test";
import { encodeRequest } from "../../src/connexion/client.js";
import { parseProxyHeader } from "../../src/connexion/proxy-protocol.js";
import { writeIso2709 } from "../../src/marc/iso2709.js";
import { INSTITUTION, PASSWORD, oclcRecord, startGateway } from "./_fixture.js";

const bytes = (text: string): Buffer => Buffer.from(text, "latin1");

describe("PROXY protocol v1 header", () => {
  test("TCP4, TCP6 and UNKNOWN headers; what follows is left", () => {
    assert.deepEqual(parseProxyHeader(bytes("PROXY TCP4 192.0.2.7 10.0.0.5 51234 5500\r\nrest")), {
      header: { kind: "client", address: "192.0.2.7", port: 51234 },
      length: 42,
    });
    const six = parseProxyHeader(bytes("PROXY TCP6 2001:db8::1 2001:db8::2 4000 5500\r\n"));
    assert.ok(
      "header" in six && six.header.kind === "client" && six.header.address === "2001:db8::1",
    );
    assert.deepEqual(parseProxyHeader(bytes("PROXY UNKNOWN\r\n")), {
      header: { kind: "unknown" },
      length: 15,
    });
  });

  test("incomplete, too long, not a header", () => {
    assert.deepEqual(parseProxyHeader(bytes("PROXY TCP4 192.0")), { incomplete: true });
    assert.deepEqual(parseProxyHeader(bytes("PRO")), { incomplete: true });
    assert.match(
      (parseProxyHeader(bytes(`PROXY TCP4 ${"1".repeat(120)}`)) as { error: string }).error,
      /longer than 107 bytes/,
    );
    assert.match(
      (parseProxyHeader(bytes("00123nam a2200")) as { error: string }).error,
      /did not begin with a PROXY protocol header/,
    );
    assert.match(
      (parseProxyHeader(bytes("PROXY TCP4 a b 99999 1\r\n")) as { error: string }).error,
      /not a PROXY protocol v1 header/,
    );
  });

  test("behind a trusted proxy, an export counts as the client's the header names", async () => {
    const gateway = await startGateway({ trustedProxies: ["127.0.0.1"] });
    const exchange = (payload: Buffer): Promise<string> =>
      new Promise((done, fail) => {
        const socket = net.connect({ host: "127.0.0.1", port: gateway.app.connexionPort });
        let reply = "";
        socket.on("data", (chunk: Buffer) => {
          reply += chunk.toString("latin1");
          if (reply.includes("\0")) socket.end();
        });
        socket.on("close", () => done(reply));
        socket.on("error", fail);
        socket.write(payload);
      });
    try {
      const request = encodeRequest(
        writeIso2709(oclcRecord(4242, "Proxied")),
        { logonId: INSTITUTION, password: PASSWORD },
        "byte",
      );
      const reply = await exchange(
        Buffer.concat([
          bytes("PROXY TCP4 192.0.2.9 127.0.0.1 40001 5500\r\n"),
          Buffer.from(request),
        ]),
      );
      assert.match(reply, /^Success\. Record 99\d+ added\./);
      assert.ok(
        gateway.lines.some((l) => l.startsWith("connexion 192.0.2.9:40001 logon")),
        gateway.lines.join("\n"),
      );
      // From a trusted proxy, a connection without the header is refused.
      assert.equal(await exchange(Buffer.from(request)), "");
      assert.ok(
        gateway.lines.some((l) =>
          /refused: the connection did not begin with a PROXY protocol header/.test(l),
        ),
      );
    } finally {
      await gateway.close();
    }
  });
});
