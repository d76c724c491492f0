/**
 * samples/: records.mrc is what scripts/gen-samples.sh writes from records.mrk (converted again
 * here and compared byte for byte), its records are clean and valid, and the README's claims of
 * them hold: "kind of blue" finds Miles Davis, and a second import with an ISBN/ISSN profile
 * matches the two records that carry an identifier.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { readFormat } from "../../src/marc/formats.js";
import { getControlValue, getDataFields, subfieldValues } from "../../src/marc/record.js";
import { MARCGATE } from "../_serve.js";

const dir = mkdtempSync(join(tmpdir(), "marcgate-samples-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function marcgate(args: string[]) {
  const run = spawnSync(process.execPath, [MARCGATE, ...args], { encoding: "utf8" });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

test("records.mrc is records.mrk converted by marcgate (scripts/gen-samples.sh)", () => {
  const out = join(dir, "records.mrc");
  const run = marcgate([
    "convert",
    "--from",
    "mrk",
    "--to",
    "iso2709",
    "-o",
    out,
    "samples/records.mrk",
  ]);
  assert.equal(run.status, 0, run.stderr);
  assert.ok(
    readFileSync(out).equals(readFileSync("samples/records.mrc")),
    "run scripts/gen-samples.sh",
  );
  const script = readFileSync("scripts/gen-samples.sh", "utf8");
  assert.match(
    script,
    /convert --from mrk --to iso2709 -o "\$ROOT\/samples\/records\.mrc" "\$ROOT\/samples\/records\.mrk"/,
  );
});

test("the sample records read clean and pass validation", async () => {
  const lint = marcgate(["lint", "samples/records.mrc"]);
  assert.equal(lint.status, 0, lint.stdout + lint.stderr);
  assert.match(lint.stdout + lint.stderr, /8 record\(s\) read as iso2709; 8 clean/);
  const valid = marcgate(["validation", "check", "samples/records.mrc"]);
  assert.equal(valid.status, 0, valid.stdout + valid.stderr);
  assert.match(valid.stdout + valid.stderr, /0 with errors/);
  const titles: string[] = [];
  for await (const { record } of readFormat("iso2709", [readFileSync("samples/records.mrc")])) {
    assert.ok(record);
    assert.equal(getControlValue(record, "008")?.length, 40);
    assert.equal(record.leader[9], "a");
    titles.push(getDataFields(record, "245").flatMap((f) => subfieldValues(f, "a"))[0] ?? "");
  }
  assert.equal(titles.length, 8);
  assert.equal(titles[0], "Kind of blue /");
});

test("search finds Kind of blue; a second import matches the records with an ISBN or ISSN", () => {
  const data = join(dir, "catalog");
  assert.equal(
    marcgate(["institution", "add", "01ABC_INST", "--name", "ABC", "--data", data]).status,
    0,
  );
  const profile = join(dir, "profile.json");
  writeFileSync(
    profile,
    JSON.stringify({
      code: "CONNEXION",
      password: "s3cret",
      nonSerialMatchMethod: "ISBN/ISSN",
      serialMatchMethod: "ISBN/ISSN",
    }),
  );
  const saved = marcgate([
    "profile",
    "import",
    "--institution",
    "01ABC_INST",
    "--data",
    data,
    profile,
  ]);
  assert.equal(saved.status, 0, saved.stderr);
  const first = marcgate([
    "import",
    "samples/records.mrc",
    "--institution",
    "01ABC_INST",
    "--data",
    data,
  ]);
  assert.equal(first.status, 0, first.stderr);
  assert.match(first.stdout + first.stderr, /8 records in .*: 8 new/);
  const search = marcgate([
    "search",
    "kind of blue",
    "--institution",
    "01ABC_INST",
    "--data",
    data,
    "--json",
  ]);
  assert.equal(search.status, 0, search.stderr);
  const found = JSON.parse(search.stdout) as {
    total: number;
    hits: { title: string; author: string }[];
  };
  assert.equal(found.total, 1);
  assert.match(found.hits[0]!.title, /^Kind of blue/);
  const again = marcgate([
    "import",
    "samples/records.mrc",
    "--institution",
    "01ABC_INST",
    "--data",
    data,
  ]);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout + again.stderr, /8 records in .*: 6 new, 2 unchanged/);
});
