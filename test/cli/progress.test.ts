/**
 * The progress line: on a terminal only, messages printed above it (line cleared, message,
 * counter drawn again), nothing at all when standard error is not a terminal; and `marcgate
 * import` on a pseudo-terminal (`script`), where its record messages and its counter share one.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { Progress, type TextStream } from "../../src/cli/progress.js";
import { writeIso2709 } from "../../src/marc/iso2709.js";
import { MARCGATE } from "../_serve.js";

/** A stream that keeps what is written, a terminal or not. */
function stream(isTTY: boolean): TextStream & { text: string } {
  const s = {
    isTTY,
    text: "",
    write(chunk: string) {
      s.text += chunk;
      return true;
    },
  };
  return s;
}

const CLEAR = "\r\x1b[K";

describe("Progress", () => {
  test("on a terminal: the counter, a message above it, the counter again, cleared at the end", () => {
    const terminal = stream(true);
    const out = stream(true);
    let clock = 1_000;
    const progress = new Progress("import a.mrc", { terminal, out, now: () => clock });
    progress.tick(100); // not a multiple of 256: not drawn
    progress.tick(256);
    clock += 100;
    progress.tick(512); // too soon: not drawn
    clock += 500;
    progress.tick(768);
    progress.message("record 7: failed: not a record\n");
    progress.done();
    assert.equal(
      terminal.text,
      `${CLEAR}import a.mrc: 256 records${CLEAR}import a.mrc: 768 records${CLEAR}import a.mrc: 768 records${CLEAR}`,
    );
    assert.equal(out.text, "record 7: failed: not a record\n");
  });

  test("standard error not a terminal: no counter at all, messages as they are", () => {
    const terminal = stream(false);
    const out = stream(true);
    const progress = new Progress("import a.mrc", { terminal, out, now: () => 10_000 });
    progress.tick(256);
    progress.message("line\n");
    progress.done();
    assert.equal(terminal.text, "");
    assert.equal(out.text, "line\n");
  });

  test("messages into a file while the counter is on the terminal: the counter stays", () => {
    const terminal = stream(true);
    const out = stream(false);
    const progress = new Progress("x", { terminal, out, now: () => 10_000 });
    progress.tick(256);
    progress.message("line\n");
    assert.equal(terminal.text, `${CLEAR}x: 256 records`);
    assert.equal(out.text, "line\n");
  });

  test("before the first counter, a message clears nothing", () => {
    const terminal = stream(true);
    const out = stream(true);
    new Progress("x", { terminal, out }).message("line\n");
    assert.equal(terminal.text, "");
  });
});

const script = spawnSync("script", ["--version"]).status === 0;

test(
  "marcgate import on a pseudo-terminal: each record message on a line of its own",
  { skip: !script && "no script(1)" },
  () => {
    const dir = mkdtempSync(join(tmpdir(), "marcgate-progress-"));
    try {
      const data = join(dir, "data");
      const run = (args: string[]) =>
        spawnSync(process.execPath, [MARCGATE, ...args, "--data", data], { encoding: "utf8" });
      assert.equal(run(["institution", "add", "01PTY_INST", "--name", "P"]).status, 0);
      writeFileSync(join(dir, "p.json"), JSON.stringify({ code: "CONNEXION", password: "pw" }));
      assert.equal(
        run(["profile", "import", "--institution", "01PTY_INST", join(dir, "p.json")]).status,
        0,
      );
      // Enough records for the counter (every 256th, twice a second), some of them garbage
      // (failed: a message each) spread through the file.
      const parts: Buffer[] = [];
      for (let i = 0; i < 6_000; i++) {
        const record = writeIso2709({
          leader: "00000cam a2200000 a 4500",
          fields: [
            { tag: "001", value: `ocm${String(i + 1).padStart(8, "0")}` },
            { tag: "245", ind1: "0", ind2: "0", subfields: [{ code: "a", value: `T ${i}` }] },
          ],
        });
        parts.push(Buffer.from(record));
        if (i % 1_000 === 999) parts.push(Buffer.from("99999junk\x1d"));
      }
      writeFileSync(join(dir, "many.mrc"), Buffer.concat(parts));
      const command = [
        process.execPath,
        MARCGATE,
        "import",
        join(dir, "many.mrc"),
        "--institution",
        "01PTY_INST",
        "--data",
        data,
      ]
        .map((a) => `'${a}'`)
        .join(" ");
      const tty = spawnSync("script", ["-qec", command, "/dev/null"], {
        encoding: "utf8",
        timeout: 120_000,
      });
      // What the terminal shows: each "\r\x1b[K" wipes the line back to its start.
      const screen = tty.stdout
        .replace(/\r\n/g, "\n")
        .split("\n")
        .map((line) => line.split(CLEAR).pop()!);
      const messages = screen.filter((line) => /: failed/.test(line));
      assert.equal(messages.length, 6, tty.stdout);
      for (const line of messages) assert.match(line, /^record \d+ .*: failed/);
      assert.ok(tty.stdout.includes("import "), "the counter was drawn");
      assert.match(screen.at(-2) ?? "", /^[\d,]+ records in /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
