/** `marcgate rules check|apply`, `merge`, `brief-level` as a librarian runs them. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { writeIso2709 } from "../../src/marc/iso2709.js";
import type { MarcRecord } from "../../src/marc/record.js";

const main = resolve(dirname(fileURLToPath(import.meta.url)), "../../src/cli/main.js");
const dir = mkdtempSync(join(tmpdir(), "marcgate-cli-rules-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function marcgate(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [main, ...args]);
  return { status: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

function record(title: string, extra: MarcRecord["fields"] = []): MarcRecord {
  return {
    leader: "00000nam a2200000 a 4500",
    fields: [
      { tag: "001", value: "991000000010001" },
      { tag: "029", ind1: "1", ind2: " ", subfields: [{ code: "a", value: "AU@" }] },
      { tag: "245", ind1: "1", ind2: "0", subfields: [{ code: "a", value: title }] },
      ...extra,
    ],
  };
}

describe("marcgate rules, merge, brief-level", () => {
  test("rules check: every error as FILE:LINE:COLUMN, exit 1; a good file exits 0", () => {
    const good = file(
      "good.txt",
      'rule "drop 029"\nwhen\n  TRUE\nthen\n  removeField "029"\nend\n',
    );
    const bad = file("bad.txt", 'rule "x"\nwhen\n  TRUE\n  removeField "029"\nend\n');
    const ok = marcgate(["rules", "check", good]);
    assert.equal(ok.status, 0);
    assert.equal(ok.stdout, `${good}: 1 rule(s), 1 action(s), 0 error(s)\n`);
    const wrong = marcgate(["rules", "check", good, bad]);
    assert.equal(wrong.status, 1);
    assert.match(
      wrong.stdout,
      new RegExp(`^${bad.replace(/[.\\/]/g, "\\$&")}:4:3: expected "then"`, "m"),
    );
  });

  test("rules apply: the records after the rules, with --log what each action did", () => {
    const rules = file(
      "apply.txt",
      'rule "drop 029"\nwhen\n  TRUE\nthen\n  removeField "029"\nend\n',
    );
    const records = file("r.mrc", writeIso2709(record("Title")));
    const applied = marcgate(["rules", "apply", rules, records, "--log"]);
    assert.equal(applied.status, 0, applied.stderr);
    assert.match(applied.stdout, /^# ran {2}line 5 rule "drop 029" removeField "029" \[029\]: /m);
    assert.doesNotMatch(applied.stdout, /^=029/m);
    assert.match(applied.stdout, /^=245 {2}10\$aTitle$/m);
  });

  test("merge: a predefined method on two records, the log and the merged record", () => {
    const existing = file(
      "e.mrc",
      writeIso2709(
        record("Old", [
          { tag: "949", ind1: " ", ind2: " ", subfields: [{ code: "a", value: "local" }] },
        ]),
      ),
    );
    const incoming = file("i.mrc", writeIso2709(record("New")));
    const merged = marcgate([
      "merge",
      "--method",
      "Overlay all fields but local",
      existing,
      incoming,
    ]);
    assert.equal(merged.status, 0, merged.stderr);
    assert.match(merged.stdout, /^=245 {2}10\$aNew$/m);
    assert.match(merged.stdout, /^=949 {2}\\\\\$alocal$/m);
    assert.match(merged.stdout, /^# line \d+ rule "Overlay all fields but local" /m);
    const unknown = marcgate(["merge", "--method", "Nope", existing, incoming]);
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /Nope: cannot be read/);
  });

  test("brief-level: each record's level and the rule that gave it", () => {
    const records = file("b.mrc", writeIso2709(record("Title")));
    const levels = marcgate(["brief-level", records]);
    assert.equal(levels.status, 0, levels.stderr);
    assert.match(
      levels.stdout,
      /^record 1 \(byte 0, 001 991000000010001\): 02 \(line \d+ rule "02 /m,
    );
  });
});
