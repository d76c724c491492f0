/**
 * `marcgate import` that cannot finish its work closes its job as failed, with the reason, in
 * `job list`, `job show` and the exit status: a missing file, a file that cannot be read (a
 * directory), and an import interrupted mid-way (Ctrl-C while standard input is still coming).
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { writeIso2709 } from "../../src/marc/iso2709.js";
import type { MarcRecord } from "../../src/marc/record.js";
import { MARCGATE } from "../_serve.js";

const dir = mkdtempSync(join(tmpdir(), "marcgate-import-failure-"));
const data = join(dir, "data");
const INSTITUTION = "01FAIL_INST";

function marcgate(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MARCGATE, ...args, "--data", data]);
  return { status: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

function book(oclc: number): MarcRecord {
  return {
    leader: "00000cam a2200000 a 4500",
    fields: [
      { tag: "001", value: `ocm${String(oclc).padStart(8, "0")}` },
      { tag: "003", value: "OCoLC" },
      { tag: "008", value: "850101s1999    nyu           000 0 eng d" },
      { tag: "245", ind1: "1", ind2: "0", subfields: [{ code: "a", value: `Book ${oclc}` }] },
    ],
  };
}

/** The `job list` line of a job (its columns joined by runs of spaces). */
function jobLine(id: number): string {
  const list = marcgate(["job", "list", "--institution", INSTITUTION]);
  assert.equal(list.status, 0, list.stderr);
  const line = list.stdout.split("\n").find((l) => l.startsWith(`${id} `));
  assert.ok(line, `job ${id} in\n${list.stdout}`);
  return line;
}

before(() => {
  assert.equal(marcgate(["institution", "add", INSTITUTION, "--name", "Failing"]).status, 0);
  const profile = join(dir, "profile.json");
  writeFileSync(profile, JSON.stringify({ code: "CONNEXION", password: "pw" }));
  const saved = marcgate(["profile", "import", "--institution", INSTITUTION, profile]);
  assert.equal(saved.status, 0, saved.stderr);
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe("marcgate import that fails", () => {
  test("a missing file: the job is failed with the reason, exit 1", () => {
    const missing = join(dir, "missing.mrc");
    const run = marcgate(["import", missing, "--institution", INSTITUTION]);
    assert.equal(run.status, 1);
    assert.match(
      run.stderr,
      /^marcgate import: ENOENT: no such file or directory, open '.*missing\.mrc' \(after 0 records\); job 1 failed \(marcgate job show 1\)\n$/,
    );
    const line = jobLine(1);
    assert.match(line, /\s\d{4}-\d\d-\d\dT[\d:.]+Z\s+failed: ENOENT: no such file/);
    const show = marcgate(["job", "show", "1"]);
    assert.match(
      show.stdout,
      /^started .+, finished .+\nfailed: ENOENT: no such file or directory/m,
    );
  });

  test("a directory instead of a file: failed with EISDIR", () => {
    const folder = join(dir, "folder.mrc");
    mkdirSync(folder);
    const run = marcgate(["import", folder, "--institution", INSTITUTION]);
    assert.equal(run.status, 1);
    assert.match(
      run.stderr,
      /EISDIR: illegal operation on a directory, read \(after 0 records\); job 2 failed/,
    );
    assert.match(jobLine(2), /failed: EISDIR/);
  });

  test("a good file still finishes its job as finished", () => {
    const good = join(dir, "good.mrc");
    writeFileSync(good, Buffer.concat([book(1), book(2)].map((r) => writeIso2709(r))));
    const run = marcgate(["import", good, "--institution", INSTITUTION]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(jobLine(3), /Z\s+finished\s+2 records: 2 new$/);
  });

  test("interrupted mid-way (SIGINT while standard input is open): the records read are kept, the job is failed", async () => {
    const child = spawn(process.execPath, [
      MARCGATE,
      "import",
      "-",
      "--institution",
      INSTITUTION,
      "--data",
      data,
    ]);
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    // Three records, then silence with standard input left open: the import waits for more.
    child.stdin.write(Buffer.concat([book(10), book(11), book(12)].map((r) => writeIso2709(r))));
    // Interrupt once the job exists (job list shows it open), at most 20 s from now.
    const until = Date.now() + 20_000;
    while (!marcgate(["job", "list", "--institution", INSTITUTION]).stdout.match(/^4 /m)) {
      assert.ok(Date.now() < until, "the import did not start its job");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    child.kill("SIGINT");
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    const status = await exited;
    clearTimeout(timer);
    assert.equal(status, 1, stderr);
    assert.match(stderr, /interrupted by SIGINT after 3 records; job 4 failed/);
    const line = jobLine(4);
    assert.match(line, /failed: interrupted by SIGINT after 3 records\s+3 records: 3 new$/);
  });
});
