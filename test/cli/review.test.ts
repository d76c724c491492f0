/**
 * Review, undo, restore and the job report as a user runs them: `marcgate review
 * list|show|force|discard`, `job show`, `job undo`, `record restore`, `import --dry-run`, each
 * a process on one SQLite catalog.
 */
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
const dir = mkdtempSync(join(tmpdir(), "marcgate-cli-review-"));
const data = join(dir, "data");
const INSTITUTION = "01REV_INST";
after(() => rmSync(dir, { recursive: true, force: true }));

function marcgate(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [main, ...args, "--data", data]);
  return { status: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

function ok(args: string[]): string {
  const r = marcgate(args);
  assert.equal(r.status, 0, `${args.join(" ")}: ${r.stderr}${r.stdout}`);
  return r.stdout;
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

function file(name: string, records: MarcRecord[]): string {
  const path = join(dir, name);
  writeFileSync(path, Buffer.concat(records.map((r) => writeIso2709(r))));
  return path;
}

/** The MMS IDs a `job show` lists, by row ID. */
function rowMmsIds(show: string): Map<number, string> {
  const ids = new Map<number, string>();
  for (const m of show.matchAll(/^#(\d+) \S+ \S+(?: \[[^\]]*\])? (99\d+) /gm))
    ids.set(Number(m[1]), m[2]!);
  return ids;
}

describe("marcgate review, job undo, record restore", () => {
  // Two records share OCLC number 500 (a duplicate in the catalog); 600 is there once.
  let dup1 = "";
  let dup2 = "";
  let existing = "";
  let created = "";
  let held: number[] = [];

  test("set-up: a catalog with a duplicate, and an import that holds, merges and creates", () => {
    ok(["institution", "add", INSTITUTION, "--name", "Review library"]);
    const profile = join(dir, "profile.json");
    writeFileSync(profile, JSON.stringify({ code: "CONNEXION", password: "pw" }));
    ok(["profile", "import", "--institution", INSTITUTION, profile]);
    const loaded = ok([
      "load",
      file("load.mrc", [
        oclcBook(500, "Duplicate one"),
        oclcBook(500, "Duplicate two"),
        oclcBook(600, "Existing"),
      ]),
      "--institution",
      INSTITUTION,
    ]);
    assert.match(loaded, /3 records loaded/);
    const ids = [...ok(["search", "duplicate", "--institution", INSTITUTION]).matchAll(/99\d+/g)];
    [dup1 = "", dup2 = ""] = ids.map((m) => m[0]).sort();
    existing = /99\d+/.exec(ok(["search", "existing", "--institution", INSTITUTION]))![0];

    const run = marcgate([
      "import",
      file("import.mrc", [
        oclcBook(500, "Held A"),
        oclcBook(600, "Existing, revised"),
        oclcBook(700, "Brand new"),
        oclcBook(500, "Held B"),
        oclcBook(500, "Held C"),
      ]),
      "--institution",
      INSTITUTION,
    ]);
    assert.equal(run.status, 1, "records held for review make the import exit 1");
    assert.match(run.stdout, /: held for review: 2 records match OCLC number 500 /);
    assert.match(run.stdout, /\(job 2; marcgate job show 2\)$/m);
  });

  test("job show prints the report; review list and show the queue", () => {
    const show = ok(["job", "show", "2"]);
    assert.match(
      show,
      /^received 5\nnew 1\nmerged 1\noverlaid 0\nunchanged 0\nskipped 0\nheld for review 3 \(several-matches 3\)\nfailed 0\nreview: 3 open, 0 forced, 0 discarded$/m,
    );
    assert.match(
      show,
      /^#\d+ \S+ held for review \[several-matches, open\] - \d+ bytes: 2 records match/m,
    );
    created = /^#\d+ \S+ new \[no-match\] (99\d+) /m.exec(show)![1]!;

    const list = ok(["review", "list", "--institution", INSTITUTION]);
    const rows = list.trimEnd().split("\n");
    assert.match(rows[0]!, /^row +job +received +reason +record\(s\) +why$/);
    assert.equal(rows.length, 4);
    held = rows.slice(1).map((r) => Number(r.split(/\s+/)[0]));
    assert.match(rows[1]!, new RegExp(`several-matches +${dup1} ${dup2} +2 records match`));

    const one = ok(["review", "show", String(held[0])]);
    assert.match(
      one,
      /^outcome: +held for review \(several-matches\): 2 records match OCLC number 500/m,
    );
    assert.match(one, /^review: +open$/m);
    assert.match(one, new RegExp(`^ {2}${dup1} +version 1, brief level \\d+: Duplicate one`, "m"));
    assert.match(one, /^ {2}=245 {2}10\$aHeld A$/m);
    assert.match(one, /^ {2}match: several matches: held for review$/m);
    const unknownRow = marcgate(["review", "show", "999"]);
    assert.equal(unknownRow.status, 1);
    assert.match(unknownRow.stderr, /there is no job row 999/);
    assert.equal(marcgate(["review", "frob"]).status, 2);
  });

  test("force: again is refused while several match; --into merges, --as-new creates; once", () => {
    const again = marcgate(["review", "force", String(held[0])]);
    assert.equal(again.status, 1);
    assert.match(
      again.stderr,
      /was not forced: it would be held for review again: 2 records match/,
    );
    assert.equal(ok(["job", "show", "2"]).includes("3 open"), true, "nothing was written");

    const into = ok(["review", "force", String(held[0]), "--into", dup1, "--by", "alice"]);
    assert.match(
      into,
      new RegExp(
        `^job row ${held[0]} forced by alice: merged ${dup1}: merged .*\\(job row \\d+ of job 2\\)$`,
        "m",
      ),
    );
    const asNew = ok(["review", "force", String(held[1]), "--as-new", "--by", "alice"]);
    assert.match(asNew, /forced by alice: new 99\d+: added/);
    const twice = marcgate(["review", "force", String(held[0]), "--as-new"]);
    assert.equal(twice.status, 1);
    assert.match(twice.stderr, /was forced already by alice/);
    assert.equal(
      marcgate(["review", "force", String(held[2]), "--into", dup1, "--as-new"]).status,
      2,
    );
    const versions = ok(["record", dup1, "--versions"]);
    assert.match(versions, /^2 +alice +\S+ +merge +2$/m);
  });

  test("discard keeps who and the note; the report counts what became of the held rows", () => {
    const discarded = ok([
      "review",
      "discard",
      String(held[2]),
      "--note",
      "a duplicate",
      "--by",
      "bob",
    ]);
    assert.equal(discarded, `job row ${held[2]} discarded by bob: a duplicate\n`);
    assert.equal(marcgate(["review", "discard", String(held[2])]).status, 1);
    assert.match(
      ok(["review", "list", "--institution", INSTITUTION]),
      /^no records held for review in 01REV_INST$/m,
    );
    assert.match(
      ok(["review", "show", String(held[2])]),
      /^review: +discarded by bob at \S+: a duplicate$/m,
    );
    const show = ok(["job", "show", "2"]);
    assert.match(show, /^review: 0 open, 2 forced \(1 new, 1 merged\), 1 discarded$/m);
    assert.match(show, /^received 5$/m);
    assert.match(
      show,
      new RegExp(`^#\\d+ \\S+ merged \\[forced, forced from #${held[0]}\\] ${dup1} `, "m"),
    );
  });

  test("job undo reverts merges and deletes creations; a record changed since is left alone", () => {
    // A later job changes the record job 2 created.
    const later = marcgate([
      "import",
      file("later.mrc", [oclcBook(700, "Brand new, revised")]),
      "--institution",
      INSTITUTION,
    ]);
    assert.equal(later.status, 0, later.stderr);
    const ids = rowMmsIds(ok(["job", "show", "2"]));
    const forcedNew = [...ids.values()].find(
      (id) => ![dup1, dup2, existing, created].includes(id),
    )!;

    const undo = marcgate(["job", "undo", "2", "--by", "carol"]);
    assert.equal(undo.status, 1, "a record could not be reverted");
    assert.match(
      undo.stdout,
      new RegExp(`^reverted ${existing}: version 1 saved again as version 3$`, "m"),
    );
    assert.match(
      undo.stdout,
      new RegExp(`^reverted ${dup1}: version 1 saved again as version 3$`, "m"),
    );
    assert.match(
      undo.stdout,
      new RegExp(
        `^deleted ${forcedNew}: the job created it \\(marcgate record restore ${forcedNew} --version 1 brings it back\\)$`,
        "m",
      ),
    );
    assert.match(
      undo.stdout,
      new RegExp(
        `^NOT reverted ${created}: record ${created} changed since job 2 saved it: version 2 was saved by import at \\S+ \\(merge, job 3\\)$`,
        "m",
      ),
    );
    assert.match(undo.stdout, /^job 2: 3 records reverted, 1 not$/m);
    assert.match(ok(["record", existing]), /=245 {2}10\$aExisting$/m);
    const versions = ok(["record", existing, "--versions"]);
    assert.match(versions, /^3 +carol +\S+ +undo +2$/m);

    // The deleted record: gone from search and matching, its versions kept.
    const gone = marcgate(["record", forcedNew]);
    assert.equal(gone.status, 1);
    assert.match(
      gone.stderr,
      /was deleted by carol at \S+ \(undo of job 2\); its versions are kept/,
    );
    assert.match(ok(["record", forcedNew, "--versions"]), /^1 +alice +\S+ +create +2$/m);

    // Undo job 3 first, then job 2 again: now the created record goes too.
    assert.match(ok(["job", "undo", "3"]), /^reverted \S+: version 1 saved again as version 3$/m);
    // Job 3's change is undone: job 2's save of the record is the last that counts again.
    const rest = ok(["job", "undo", "2", "--by", "carol"]);
    assert.match(rest, new RegExp(`^deleted ${created}: the job created it`, "m"));
    assert.match(rest, /^job 2: 1 record reverted, 0 not, 3 undone before$/m);
    assert.match(ok(["job", "show", "2"]), /^undone: 4 records' changes reverted$/m);
    assert.equal(marcgate(["job", "undo", "99"]).status, 1);
  });

  test("record restore saves a version again, and brings a deleted record back", () => {
    const restored = ok(["record", "restore", existing, "--version", "2", "--by", "dave"]);
    assert.equal(restored, `record ${existing}: version 2 restored as version 4 by dave\n`);
    assert.match(ok(["record", existing]), /=245 {2}10\$aExisting, revised$/m);
    const ids = rowMmsIds(ok(["job", "show", "2"]));
    const forcedNew = [...ids.values()].find(
      (id) => ![dup1, dup2, existing, created].includes(id),
    )!;
    const back = ok(["record", "restore", forcedNew, "--version", "1"]);
    assert.match(
      back,
      /restored as version 2 by \S+ \(it had been deleted by carol, undo of job 2\)/,
    );
    assert.match(ok(["record", forcedNew]), /=245 {2}10\$aHeld B$/m);
    const missing = marcgate(["record", "restore", existing, "--version", "9"]);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /has no version 9/);
    assert.equal(marcgate(["record", "restore", existing]).status, 2);
  });

  test("record suppress / unsuppress: a new version each, by the named staff member", () => {
    assert.equal(
      ok(["record", "suppress", existing, "--by", "erin"]),
      `record ${existing}: suppressed as version 5 by erin\n`,
    );
    assert.equal(
      ok(["record", "suppress", existing, "--by", "erin"]),
      `record ${existing}: already suppressed; nothing saved\n`,
    );
    assert.match(ok(["record", existing, "--versions"]), /erin.*suppress/);
    assert.equal(
      ok(["record", "unsuppress", existing, "--by", "erin"]),
      `record ${existing}: unsuppressed as version 6 by erin\n`,
    );
    const missing = marcgate(["record", "suppress", "99999999"]);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /No record 99999999/);
    assert.equal(marcgate(["record", "suppress"]).status, 2);
  });

  test("import --dry-run shows the record as it would be saved, and writes nothing", () => {
    const before = ok(["job", "list", "--institution", INSTITUTION]);
    const dry = marcgate([
      "import",
      file("dry.mrc", [oclcBook(600, "Dry merge"), oclcBook(500, "Dry held")]),
      "--institution",
      INSTITUTION,
      "--dry-run",
    ]);
    assert.equal(dry.status, 1, "a record would be held");
    assert.match(dry.stdout, new RegExp(`would be merged ${existing}: merged`));
    assert.match(
      dry.stdout,
      /^ {2}record as it would be saved:\n(?: {4}.*\n)*? {4}=245 {2}10\$aDry merge$/m,
    );
    assert.match(dry.stdout, new RegExp(`^ {2}candidates: ${dup1} ${dup2} 99\\d+$`, "m"));
    assert.equal(ok(["job", "list", "--institution", INSTITUTION]), before);
    assert.match(ok(["record", existing]), /=245 {2}10\$aExisting, revised$/m);
  });
});
