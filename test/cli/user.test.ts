/**
 * `marcgate user` with roles per institution: --role and --institution in pairs (or one role
 * for several institutions), --installation-admin, `user role` changing one institution's role
 * and keeping the others, `user list` showing them; a command of before (--role without
 * --institution) means what migration 14 made of such accounts.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { MARCGATE } from "../_serve.js";

const dir = mkdtempSync(join(tmpdir(), "marcgate-user-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function marcgate(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MARCGATE, ...args, "--data", dir], {
    env: { ...process.env, MARCGATE_PASSWORD: "a long enough password" },
  });
  return { status: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

/** `user list` as name → roles column. */
function listed(): Map<string, string> {
  const r = marcgate("user", "list");
  assert.equal(r.status, 0, r.stderr);
  const rows = r.stdout.trim().split("\n").slice(1);
  return new Map(
    rows
      .filter((l) => !/^-+/.test(l))
      .map((l) => {
        const [name, ...rest] = l.trim().split(/\s{2,}/);
        return [name!, rest[0]!];
      }),
  );
}

test("marcgate user: roles per institution and the installation administrator flag", () => {
  assert.equal(marcgate("institution", "add", "01A_INST", "--name", "A").status, 0);
  assert.equal(marcgate("institution", "add", "01B_INST", "--name", "B").status, 0);
  const ada = marcgate(
    "user",
    "add",
    "ada",
    "--role",
    "cataloger",
    "--institution",
    "01A_INST",
    "--role",
    "Viewer",
    "--institution",
    "01B_INST",
  );
  assert.equal(ada.status, 0, ada.stderr);
  assert.match(ada.stdout, /Cataloger in 01A_INST, Viewer in 01B_INST/);
  const both = marcgate(
    "user",
    "add",
    "bo",
    "--role",
    "Viewer",
    "--institution",
    "01A_INST",
    "--institution",
    "01B_INST",
  );
  assert.equal(both.status, 0, both.stderr);
  assert.equal(marcgate("user", "add", "root", "--installation-admin").status, 0);
  // As before roles were per institution: every institution, and the flag for administrators.
  assert.equal(marcgate("user", "add", "old", "--role", "General System Administrator").status, 0);
  let users = listed();
  assert.equal(users.get("ada"), "Cataloger in 01A_INST, Viewer in 01B_INST");
  assert.equal(users.get("bo"), "Viewer in 01A_INST, Viewer in 01B_INST");
  assert.equal(users.get("root"), "installation administrator; no role");
  assert.equal(
    users.get("old"),
    "installation administrator; General System Administrator in 01A_INST, General System Administrator in 01B_INST",
  );

  const changed = marcgate("user", "role", "ada", "--role", "none", "--institution", "01B_INST");
  assert.equal(changed.status, 0, changed.stderr);
  assert.equal(
    marcgate("user", "role", "bo", "--role", "Cataloger", "--institution", "01B_INST").status,
    0,
  );
  assert.equal(marcgate("user", "role", "root", "--no-installation-admin").status, 0);
  users = listed();
  assert.equal(users.get("ada"), "Cataloger in 01A_INST");
  assert.equal(users.get("bo"), "Viewer in 01A_INST, Cataloger in 01B_INST");
  assert.equal(users.get("root"), "no role");

  const badRole = marcgate("user", "add", "x", "--role", "Owner", "--institution", "01A_INST");
  assert.equal(badRole.status, 2);
  assert.match(badRole.stderr, /"Owner" is not a role/);
  const unpaired = marcgate(
    "user",
    "add",
    "x",
    "--role",
    "Viewer",
    "--role",
    "Cataloger",
    "--institution",
    "01A_INST",
  );
  assert.equal(unpaired.status, 2);
  assert.match(unpaired.stderr, /give them in pairs/);
  const unknown = marcgate("user", "add", "x", "--role", "Viewer", "--institution", "01NO_INST");
  assert.equal(unknown.status, 1);
  assert.match(unknown.stderr, /no institution 01NO_INST/);
  assert.equal(listed().has("x"), false);
});
