import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { writeIso2709 } from "../../src/marc/iso2709.js";
import type { MarcRecord } from "../../src/marc/record.js";

const main = resolve(dirname(fileURLToPath(import.meta.url)), "../../src/cli/main.js");
const dir = mkdtempSync(join(tmpdir(), "marcgate-cli-"));

function marcgate(
  args: string[],
  input?: Buffer,
): { status: number | null; stdout: Buffer; stderr: string } {
  const r = spawnSync(process.execPath, [main, ...args], { input });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
}

const RECORD: MarcRecord = {
  leader: "00000nam a2200000 i 4500",
  fields: [
    { tag: "001", value: "ocm00000001" },
    { tag: "245", ind1: "1", ind2: "0", subfields: [{ code: "a", value: "Zürich & <Genève> $5" }] },
  ],
};
const iso = Buffer.concat([writeIso2709(RECORD), writeIso2709(RECORD)]);

test("a reader that goes away (| head) ends the command quietly, exit 0", async () => {
  const file = join(dir, "many.mrc");
  // A control character in leader/22: lint reports every record, one line each.
  const odd = { ...RECORD, leader: "00000nam a2200000 i 45\u00010" };
  writeFileSync(file, Buffer.concat(Array.from({ length: 20_000 }, () => writeIso2709(odd))));
  const child = spawn(process.execPath, [main, "lint", file]);
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  // Like `head`: read a little, then close the pipe.
  await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
  child.stdout.destroy();
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  assert.equal(stderr, "");
  assert.equal(code, 0);
});

describe("marcgate convert", () => {
  test("ISO 2709 → each format → ISO 2709 gives the same bytes", () => {
    const file = join(dir, "in.mrc");
    writeFileSync(file, iso);
    for (const to of ["marcxml", "json", "mrk"]) {
      const out = join(dir, `out.${to}`);
      const there = marcgate(["convert", "--to", to, "-o", out, file]);
      assert.equal(there.status, 0, there.stderr);
      assert.equal(there.stderr, `2 record(s) written as ${to}\n`);
      const back = marcgate(["convert", "--to", "iso2709", out]); // input format sniffed
      assert.equal(back.status, 0, back.stderr);
      assert.deepEqual(back.stdout, iso, `through ${to}`);
    }
  });

  test("reads standard input and writes standard output", () => {
    const r = marcgate(["convert", "--to", "mrk", "-"], iso);
    assert.equal(r.status, 0);
    assert.match(
      r.stdout.toString(),
      /^=LDR {2}\d{5}nam\\a22\d{5}\\i\\4500\n=001 {2}ocm00000001\n=245 {2}10\$aZürich & <Genève> {dollar}5\n/,
    );
  });

  test("an unknown format is a usage error naming the option", () => {
    const r = marcgate(["convert", "--to", "pdf", "-"], iso);
    assert.equal(r.status, 2);
    assert.equal(
      r.stderr,
      'marcgate convert: --to "pdf" is not a format; use one of iso2709, marcxml, json, mrk\n',
    );
  });

  test("a missing file is one line and exit 1", () => {
    const r = marcgate(["convert", join(dir, "nope.mrc")]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^marcgate convert: ENOENT: no such file or directory/);
  });

  test("--keep-marc8 writes a MARC-8 record back unchanged", () => {
    const marc8: MarcRecord = {
      leader: "00000nam  2200000 i 4500",
      fields: [
        { tag: "245", ind1: "0", ind2: "0", subfields: [{ code: "a", value: "Caf\u00e2e" }] },
      ],
    };
    const bytes = writeIso2709(marc8, { marc8: "keep" }); // 0xE2 is MARC-8's combining acute
    const kept = marcgate(["convert", "--keep-marc8", "--to", "iso2709", "-"], bytes);
    assert.deepEqual(kept.stdout, bytes);
    const converted = marcgate(["convert", "--to", "json", "-"], bytes);
    const json = JSON.parse(converted.stdout.toString()) as {
      leader: string;
      fields: { "245": { subfields: { a: string }[] } }[];
    }[];
    assert.equal(json[0]!.leader[9], "a");
    assert.equal(json[0]!.fields[0]!["245"].subfields[0]!.a, "Cafe\u0301");
  });
});

describe("marcgate lint", () => {
  test("lists issues with byte offsets and exits 1 when a record is fatal", () => {
    const file = join(dir, "broken.mrc");
    const bad = Buffer.from(iso);
    bad.write("0x1A3", 0, "latin1"); // first record: leader length not a number
    writeFileSync(file, Buffer.concat([bad, Buffer.from("12")])); // two stray bytes at the end
    const r = marcgate(["lint", file]);
    assert.equal(r.status, 1);
    const lines = r.stdout.toString().trim().split("\n");
    assert.match(
      lines[0]!,
      /^record 1 \(byte 0, 001 ocm00000001\): major at byte 0: leader\/00-04 is not a number \("0x1A3"\)/,
    );
    assert.equal(
      lines[1],
      `record 3 (byte ${bad.length}): fatal at byte ${bad.length}: truncated record: only 2 byte(s) at end of input`,
    );
    assert.equal(
      lines[2],
      `${file}: 3 record(s) read as iso2709; 1 clean, 0 info, 0 minor, 1 major, 1 fatal`,
    );
  });

  test("a clean file exits 0", () => {
    const file = join(dir, "clean.mrc");
    writeFileSync(file, iso);
    const r = marcgate(["lint", file]);
    assert.equal(r.status, 0);
    assert.equal(
      r.stdout.toString(),
      `${file}: 2 record(s) read as iso2709; 2 clean, 0 info, 0 minor, 0 major, 0 fatal\n`,
    );
  });
});

test("marcgate with no command prints help and exits 2", () => {
  const r = marcgate([]);
  assert.equal(r.status, 2);
  assert.match(r.stdout.toString(), /^marcgate — /);
  assert.ok(readFileSync(main).length > 0);
});
