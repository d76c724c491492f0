/**
 * The gateway's commands as a user runs them: profile import/show, import (and --dry-run),
 * job list/show, and serve + send over real TCP between two processes.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { writeIso2709 } from "../../src/marc/iso2709.js";
import { writeMarcXml } from "../../src/marc/marcxml.js";
import type { MarcRecord } from "../../src/marc/record.js";

const main = resolve(dirname(fileURLToPath(import.meta.url)), "../../src/cli/main.js");
const dir = mkdtempSync(join(tmpdir(), "marcgate-cli-gateway-"));
const data = join(dir, "data");
const INSTITUTION = "01CLI_INST";

function marcgate(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [main, ...args, "--data", data]);
  return { status: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

function oclcBook(oclc: number, title: string): MarcRecord {
  return {
    leader: "00000cam a2200000 a 4500",
    fields: [
      { tag: "001", value: `ocm${String(oclc).padStart(8, "0")}` },
      { tag: "003", value: "OCoLC" },
      { tag: "008", value: "850101s1999    nyu           000 0 eng d" },
      { tag: "245", ind1: "1", ind2: "0", subfields: [{ code: "a", value: title }] },
    ],
  };
}

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

after(() => rmSync(dir, { recursive: true, force: true }));

describe("marcgate gateway commands", () => {
  test("profile import names every wrong key and exits 1; a good file is saved", () => {
    assert.equal(marcgate(["institution", "add", INSTITUTION, "--name", "CLI library"]).status, 0);
    file(
      "fix.txt",
      'rule "drop 029"\nwhen\n  TRUE\nthen\n  removeField "029"\n  addField "998.a.CONNEXION"\nend\n',
    );

    const bad = file("bad.json", JSON.stringify({ code: "C", mergeMethod: "Overlay", colour: 1 }));
    const refused = marcgate(["profile", "import", "--institution", INSTITUTION, bad]);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /bad\.json: "colour": unknown setting;/);
    const overlay = file(
      "overlay.json",
      JSON.stringify({ code: "C", mergeMethod: "Overlay", password: "x" }),
    );
    const noMethod = marcgate(["profile", "import", "--institution", INSTITUTION, overlay]);
    assert.equal(noMethod.status, 1);
    assert.match(
      noMethod.stderr,
      /overlay\.json: "mergeMethod": "Overlay" is neither a predefined merge method \(Overlay all fields but local, .+\) nor a readable merge-rule file: .+Overlay: cannot be read/,
    );
    // A rule file with a mistake: FILE:LINE:COLUMN, nothing saved.
    file(
      "broken.txt",
      'rule "x"\nwhen\n  TRUE\nthen\n  removeField "029"\n  frobnicate "1"\nend\n',
    );
    const withBroken = file(
      "broken.json",
      JSON.stringify({ code: "C", normalization: ["broken.txt"], password: "x" }),
    );
    const broken = marcgate(["profile", "import", "--institution", INSTITUTION, withBroken]);
    assert.equal(broken.status, 1);
    assert.match(broken.stderr, /broken\.txt:6:3: /);
    const noPassword = file(
      "nopw.json",
      JSON.stringify({ code: "CONNEXION", normalization: ["fix.txt"] }),
    );
    const first = marcgate(["profile", "import", "--institution", INSTITUTION, noPassword]);
    assert.equal(first.status, 1);
    assert.match(first.stderr, /"password": is required/);
    const good = file(
      "good.json",
      JSON.stringify({ code: "CONNEXION", password: "pw1", normalization: ["fix.txt"] }),
    );
    const saved = marcgate(["profile", "import", "--institution", INSTITUTION, good]);
    assert.equal(saved.status, 0, saved.stderr);
    assert.equal(saved.stdout, `saved the OCLC Connexion profile CONNEXION of ${INSTITUTION}\n`);
    const shown = marcgate(["profile", "show", "--institution", INSTITUTION]);
    assert.match(shown.stdout, /^code: +CONNEXION$/m);
    assert.match(shown.stdout, /^password: +\(set\)$/m);
    assert.equal(shown.stdout.includes("pw1"), false);
    assert.equal(shown.stdout.includes("scrypt"), false);
    // Importing again without a password keeps it.
    const replaced = marcgate(["profile", "import", "--institution", INSTITUTION, noPassword]);
    assert.equal(
      replaced.stdout,
      `replaced the OCLC Connexion profile CONNEXION of ${INSTITUTION} (password unchanged)\n`,
    );
  });

  test("import: a file through the pipeline in one job; --dry-run writes nothing", () => {
    const records = file(
      "batch.mrc",
      Buffer.concat(
        [oclcBook(11, "One"), oclcBook(12, "Two"), oclcBook(11, "One again")].map((r) =>
          writeIso2709(r),
        ),
      ),
    );
    const dry = marcgate(["import", records, "--institution", INSTITUTION, "--dry-run"]);
    assert.equal(dry.status, 0, dry.stderr);
    assert.match(dry.stdout, /^record 1 \(byte 0, 001 ocm00000011\): would be new: added$/m);
    assert.match(dry.stdout, /^ {2}match: OCLC number 11: no record$/m);
    assert.match(dry.stdout, /^ {2}normalize: fix\.txt:6 rule "drop 029": /m);
    assert.equal(
      marcgate(["job", "list", "--institution", INSTITUTION]).stdout.split("\n").length,
      2,
    );
    const run = marcgate(["import", records, "--institution", INSTITUTION]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(
      run.stdout,
      /^3 records in [\d.]+ s \([\d,]+\/s\): 2 new, 1 merged \(job 1; marcgate job show 1\)$/m,
    );
    const job = marcgate(["job", "show", "1", "--log"]);
    assert.equal(job.status, 0);
    assert.match(
      job.stdout,
      /^received 3\nnew 2\nmerged 1\noverlaid 0\nunchanged 0\nskipped 0\nheld for review 0\nfailed 0$/m,
    );
    assert.match(
      job.stdout,
      /^#3 \S+ merged \[matched\] 99\d+ \d+ bytes: merged \(Overlay all fields but local\): shares OCLC number \d+$/m,
    );
    assert.match(
      job.stdout,
      /^ {4}merge: Overlay all fields but local rule "Overlay all fields but local": removed from the primary: 008, 245; kept by excluding: 001, 035, 998;/m,
    );
    const search = spawnSync(process.execPath, [
      main,
      "search",
      "One again",
      "--institution",
      INSTITUTION,
      "--data",
      data,
    ]);
    assert.match(search.stdout.toString(), /One again/);
  });

  // Issue 18: marcgate import died with an uncaught RangeError; nothing was kept.
  test("import: a 10,000-field MARCXML record is rejected with a clear reason and kept", () => {
    const xml = writeMarcXml({
      leader: "00000nam a2200000 a 4500",
      fields: [
        { tag: "001", value: "ocm00000099" },
        ...Array.from({ length: 10_000 }, (_, i) => ({
          tag: "500",
          ind1: " ",
          ind2: " ",
          subfields: [{ code: "a", value: `Note ${i}.` }],
        })),
      ],
    });
    const run = marcgate(["import", file("big.xml", xml), "--institution", INSTITUTION]);
    assert.doesNotMatch(run.stderr, /RangeError|at .*\.js:\d+/);
    assert.match(
      run.stdout,
      /^record 1 \(byte 0, 001 ocm00000099\): failed: the record is too big for ISO 2709 \(record is \d+ bytes; ISO 2709 allows 99999\): it is kept as MARC-in-JSON and not imported$/m,
    );
    const jobId = /job (\d+); marcgate job show/.exec(run.stdout)?.[1];
    assert.ok(jobId, run.stdout);
    const job = marcgate(["job", "show", jobId, "--log"]);
    assert.match(
      job.stdout,
      /^#\d+ \S+ failed \[unreadable\] - \d+ bytes: the record is too big for ISO 2709/m,
    );
  });

  test("serve and send: records exported over TCP in all three prefix forms, replies printed", async () => {
    const server = spawn(process.execPath, [
      main,
      "serve",
      "--z3950-port",
      "0",
      "--data",
      data,
      "--connexion-port",
      "0",
      "--http-port",
      "0",
      "--host",
      "127.0.0.1",
      "--default-institution",
      INSTITUTION,
      "--public-url",
      "http://lib.example",
    ]);
    let log = "";
    server.stdout.on("data", (c: Buffer) => (log += c.toString()));
    try {
      const port = await new Promise<number>((resolvePort, reject) => {
        server.stdout.on("data", () => {
          const found = /Connexion on port (\d+)/.exec(log);
          if (found) resolvePort(Number(found[1]));
        });
        server.on("exit", (code) => reject(new Error(`serve exited with ${code}: ${log}`)));
      });
      const records = file(
        "send.mrc",
        Buffer.concat(
          [oclcBook(21, "Sent"), oclcBook(22, "Also sent")].map((r) => writeIso2709(r)),
        ),
      );
      const send = (
        form: string,
        password = "pw1",
      ): Promise<{ status: number | null; stdout: string }> =>
        new Promise((done) => {
          const child = spawn(process.execPath, [
            main,
            "send",
            records,
            "--host",
            "127.0.0.1",
            "--port",
            String(port),
            "--logon",
            INSTITUTION,
            "--password",
            password,
            "--length-form",
            form,
          ]);
          let out = "";
          child.stdout.on("data", (c: Buffer) => (out += c.toString()));
          child.on("exit", (status) => done({ status, stdout: out }));
        });
      const byte = await send("byte");
      assert.equal(byte.status, 0, byte.stdout);
      assert.match(
        byte.stdout,
        /^record 1 \(byte 0, 001 ocm00000021\): Success\. Record (99\d+) added\. http:\/\/lib\.example\/records\/\1$/m,
      );
      // The same records again: the merge would change nothing, so no new version.
      const decimal = await send("decimal");
      assert.match(
        decimal.stdout,
        /^record 2 \(byte \d+, 001 ocm00000022\): Success\. Record 99\d+ is unchanged: merging by Overlay all fields but local would change nothing; no new version was saved\./m,
      );
      // No prefix: the default institution, whose password is not empty: refused.
      const none = await send("none");
      assert.equal(none.status, 1);
      assert.match(none.stdout, /Error: Unauthorized request: the logon ID or password is wrong\./);
      const wrong = await send("byte", "nope");
      assert.equal(wrong.status, 1);
      assert.match(
        log,
        / logon 01CLI_INST profile CONNEXION created 99\d+ job \d+ \d+ bytes byte prefix end terminator \d+ ms$/m,
      );
      assert.equal(log.includes("nope"), false);
      assert.equal(log.includes("pw1"), false);
    } finally {
      server.kill("SIGTERM");
      await new Promise((r) => server.on("exit", r));
    }
    assert.match(log, /stopped$/m);
  });
});
