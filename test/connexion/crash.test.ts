/**
 * kill -9 of `marcgate serve` under load loses no record that got a "Success" reply: every MMS
 * ID a client was told about is in the catalog when it is opened again.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { openCatalog } from "../../src/catalog/open.js";
import { ConnexionClient } from "../../src/connexion/client.js";
import { writeIso2709 } from "../../src/marc/iso2709.js";
import { INSTITUTION, PASSWORD, oclcRecord, setUpInstitution } from "./_fixture.js";

/** Acknowledged records after which the server is killed. */
const KILL_AFTER = 200;

const BIN = join(import.meta.dirname, "../../../bin/marcgate.js");

test("kill -9 under load: every record answered Success is in the catalog", async () => {
  const dir = mkdtempSync(join(tmpdir(), "marcgate-crash-"));
  try {
    const setup = await openCatalog({ data: dir });
    assert.ok(setup.catalog);
    await setUpInstitution(setup.catalog);
    await setup.catalog.close();

    const server = spawn(
      process.execPath,
      [
        BIN,
        "serve",
        "--z3950-port",
        "0",
        "--data",
        dir,
        "--connexion-port",
        "0",
        "--http-port",
        "0",
        "--host",
        "127.0.0.1",
      ],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const port = await new Promise<number>((resolve, reject) => {
      let out = "";
      server.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        const found = /Connexion on port (\d+)/.exec(out);
        if (found) resolve(Number(found[1]));
      });
      server.on("exit", (code) =>
        reject(new Error(`server exited (${code}) before listening: ${out}`)),
      );
    });

    const acknowledged: string[] = [];
    let stop = false;
    // Killed once enough records are acknowledged (not after a time: a loaded machine is slow),
    // with the 8 clients still sending, so some requests are in flight.
    let enough: () => void = () => undefined;
    const enoughAcknowledged = new Promise<void>((resolve) => {
      enough = resolve;
    });
    const clients = Array.from({ length: 8 }, async (_, c) => {
      for (let i = 0; !stop; i++) {
        let client: ConnexionClient;
        try {
          client = await ConnexionClient.connect({ host: "127.0.0.1", port, timeoutMs: 5000 });
        } catch {
          return;
        }
        try {
          const reply = await client.send(
            writeIso2709(oclcRecord(c * 1_000_000 + i, `Crash ${c}/${i}`)),
            { logonId: INSTITUTION, password: PASSWORD },
            "byte",
          );
          const id = /^Success\. Record (99\d+) added\./.exec(reply)?.[1];
          if (id) acknowledged.push(id);
          if (acknowledged.length === KILL_AFTER) enough();
        } catch {
          return; // the server died mid-request: no reply, no promise made
        } finally {
          await client.close().catch(() => undefined);
        }
      }
    });
    await Promise.race([enoughAcknowledged, Promise.all(clients)]);
    server.kill("SIGKILL");
    stop = true;
    await Promise.all(clients);
    assert.ok(
      acknowledged.length >= KILL_AFTER,
      `only ${acknowledged.length} records were acknowledged before the clients stopped`,
    );

    const reopened = await openCatalog({ data: dir });
    assert.ok(reopened.catalog);
    try {
      const missing: string[] = [];
      for (const id of acknowledged) if (!(await reopened.catalog.record(id))) missing.push(id);
      assert.deepEqual(
        missing,
        [],
        `${missing.length} of ${acknowledged.length} acknowledged records lost`,
      );
    } finally {
      await reopened.catalog.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
