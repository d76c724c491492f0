/**
 * Network-zone local fields as a user sees them: `marcgate import` with a `useNetworkZone`
 * profile for two member institutions, then `marcgate record MMSID --institution CODE`.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { writeIso2709 } from "../../src/marc/iso2709.js";
import type { DataField, MarcRecord } from "../../src/marc/record.js";

const main = resolve(dirname(fileURLToPath(import.meta.url)), "../../src/cli/main.js");
const dir = mkdtempSync(join(tmpdir(), "marcgate-cli-local-"));
const data = join(dir, "data");
after(() => rmSync(dir, { recursive: true, force: true }));

function marcgate(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [main, ...args, "--data", data]);
  return { status: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

function field(tag: string, value: string): DataField {
  return { tag, ind1: " ", ind2: " ", subfields: [{ code: "a", value }] };
}

function exported(local: DataField[]): string {
  const record: MarcRecord = {
    leader: "00000cam a2200000 a 4500",
    fields: [
      { tag: "001", value: "ocm00000777" },
      { tag: "003", value: "OCoLC" },
      { tag: "008", value: "850101s1999    nyu           000 0 eng d" },
      { tag: "245", ind1: "1", ind2: "0", subfields: [{ code: "a", value: "Shared" }] },
      ...local,
    ],
  };
  const path = join(dir, `${local[0]!.tag}.mrc`);
  writeFileSync(path, writeIso2709(record));
  return path;
}

test("record --institution: the network-zone record with that member's local fields only", () => {
  assert.equal(marcgate(["network", "add", "01N_NETWORK", "--name", "N"]).status, 0);
  for (const code of ["01A_INST", "01B_INST"]) {
    const added = marcgate([
      "institution",
      "add",
      code,
      "--name",
      code,
      "--network",
      "01N_NETWORK",
    ]);
    assert.equal(added.status, 0, added.stderr);
  }
  assert.equal(marcgate(["institution", "add", "01OUT_INST", "--name", "Out"]).status, 0);
  const profile = join(dir, "profile.json");
  writeFileSync(profile, JSON.stringify({ code: "C", useNetworkZone: true, password: "pw" }));
  for (const code of ["01A_INST", "01B_INST"]) {
    assert.equal(marcgate(["profile", "import", "--institution", code, profile]).status, 0);
  }
  const a = marcgate(["import", exported([field("949", "A copy")]), "--institution", "01A_INST"]);
  assert.equal(a.status, 0, a.stderr);
  const b = marcgate(["import", exported([field("590", "B note.")]), "--institution", "01B_INST"]);
  assert.equal(b.status, 0, b.stderr);
  assert.match(b.stdout, /1 merged/);
  const search = marcgate(["search", "Shared", "--institution", "01A_INST", "--json"]);
  const mmsId = (JSON.parse(search.stdout) as { hits: { mmsId: string }[] }).hits[0]!.mmsId;

  const shared = marcgate(["record", mmsId]);
  assert.equal(shared.status, 0, shared.stderr);
  assert.doesNotMatch(shared.stdout, /=949|=590/);
  const seenByA = marcgate(["record", mmsId, "--institution", "01A_INST"]);
  assert.match(seenByA.stdout, /^=245 {2}10\$aShared\n=949 {2}\\\\\$aA copy$/m);
  assert.doesNotMatch(seenByA.stdout, /=590/);
  assert.match(seenByA.stderr, /^local fields: +1 of 01A_INST \(version 1, /m);
  const seenByB = marcgate(["record", mmsId, "--institution", "01B_INST"]);
  assert.match(seenByB.stdout, /=590 {2}\\\\\$aB note\./);
  assert.doesNotMatch(seenByB.stdout, /=949/);

  const versions = marcgate(["record", mmsId, "--institution", "01B_INST", "--versions"]);
  assert.match(versions.stdout, /^local fields of 01B_INST +fields +saved by/m);
  assert.match(versions.stdout, /^1 +590 +import +\S+ +merge +2$/m);

  const outside = marcgate(["record", mmsId, "--institution", "01OUT_INST"]);
  assert.equal(outside.status, 1);
  assert.match(outside.stderr, /is in zone 01N_NETWORK, which 01OUT_INST does not see/);
  const both = marcgate(["record", mmsId, "--institution", "01A_INST", "--version", "1"]);
  assert.equal(both.status, 2);
});
