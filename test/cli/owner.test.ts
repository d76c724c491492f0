/**
 * One process writes records to an SQLite catalog: while `marcgate serve` runs on a directory, a
 * second serve and the record-writing commands are refused with a message that points to
 * PostgreSQL; readers and settings commands work; a lock left by kill -9 is taken over.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { writeIso2709 } from "../../src/marc/iso2709.js";
import { MARCGATE, startServe, type Serving } from "../_serve.js";

const dir = mkdtempSync(join(tmpdir(), "marcgate-owner-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function marcgate(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MARCGATE, ...args, "--data", dir]);
  return { status: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

const exited = (serving: Serving): Promise<unknown> =>
  new Promise((done) => serving.process.once("exit", done));

describe("an SQLite catalog has one writing process", () => {
  const file = join(dir, "one.mrc");
  writeFileSync(
    file,
    writeIso2709({
      leader: "00000cam a2200000 a 4500",
      fields: [
        { tag: "001", value: "ocn000000042" },
        { tag: "003", value: "OCoLC" },
        { tag: "245", ind1: "1", ind2: "0", subfields: [{ code: "a", value: "Owned" }] },
      ],
    }),
  );
  const profile = join(dir, "profile.json");
  writeFileSync(profile, JSON.stringify({ code: "CONNEXION", password: "pw" }));

  test("while serve runs: a second serve and an import are refused; search and profile import work", async () => {
    assert.equal(marcgate("institution", "add", "01OWN_INST", "--name", "Own").status, 0);
    const serving = await startServe(dir);
    try {
      assert.ok(existsSync(join(dir, "marcgate.lock")));
      const second = marcgate(
        "serve",
        "--http-port",
        "0",
        "--connexion-port",
        "0",
        "--host",
        "127.0.0.1",
      );
      assert.equal(second.status, 1, second.stderr);
      assert.match(second.stderr, /is in use by marcgate serve \(process \d+, since /);
      assert.match(second.stderr, /use PostgreSQL \(--db postgres:\/\/…; docs\/scale-out\.md\)/);
      const imported = marcgate("import", "--institution", "01OWN_INST", file);
      assert.equal(imported.status, 1, imported.stderr);
      assert.match(
        imported.stderr,
        /Send records through it \(marcgate send, or the web's Import page\)/,
      );
      const saved = marcgate("profile", "import", "--institution", "01OWN_INST", profile);
      assert.equal(saved.status, 0, saved.stderr);
      const dry = marcgate("import", "--institution", "01OWN_INST", "--dry-run", file);
      assert.equal(dry.status, 0, dry.stderr);
      assert.equal(marcgate("search", "--institution", "01OWN_INST", "owned").status, 0);
    } finally {
      serving.process.kill("SIGTERM");
      await exited(serving);
    }
    assert.ok(!existsSync(join(dir, "marcgate.lock")), "a clean stop removes the lock");
    const imported = marcgate("import", "--institution", "01OWN_INST", file);
    assert.equal(imported.status, 0, imported.stderr);
  });

  test("a lock left by kill -9 is taken over", async () => {
    const serving = await startServe(dir);
    serving.process.kill("SIGKILL");
    await exited(serving);
    assert.ok(existsSync(join(dir, "marcgate.lock")), "kill -9 leaves the lock behind");
    const imported = marcgate("import", "--institution", "01OWN_INST", file);
    assert.equal(imported.status, 0, imported.stderr);
    const again = await startServe(dir);
    again.process.kill("SIGTERM");
    await exited(again);
  });
});
