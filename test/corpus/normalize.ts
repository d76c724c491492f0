/**
 * The normalization rules on real records: every normalization file of
 * ../shared/research/alma-rules (a file with no merge rule and no `set`) on every ISO 2709
 * record of the corpus, and, for a handful of them, exactly what they do to chosen records.
 *
 * Every run must not throw, write one log entry per action, return the very input object when
 * no action ran (and a new one when some did), leave the input untouched (the records are
 * frozen, so a write would throw), and give a record that writes as ISO 2709 and reads back the
 * same. The expectations (EXPECTATIONS) pin, for a real
 * file on a real record, the leader, the fields removed and added, that the other fields keep
 * their order, and which actions ran.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { iso2709Fits, readIso2709Buffer, writeIso2709 } from "../../src/marc/iso2709.js";
import { isControlField, type Field, type MarcRecord } from "../../src/marc/record.js";
import type { Rule } from "../../src/rules/ast.js";
import { normalize } from "../../src/rules/normalize.js";
import { parseRules } from "../../src/rules/parser.js";

/** What the normalization check found. */
export interface NormalizeCheck {
  readonly records: number;
  readonly runs: number;
  /** One line per file: records changed, actions that ran on some record. */
  readonly table: readonly string[];
  readonly failures: readonly string[];
}

/** What one file does to one record. */
interface Expectation {
  readonly file: string;
  /** `path#index` in the corpus. */
  readonly record: string;
  /** The leader after, when it changes. */
  readonly leader?: string;
  /** The fields removed and added, as `TAG II $aVALUE` lines (`_` for a blank indicator). */
  readonly removed: readonly string[];
  readonly added: readonly string[];
  /** The actions that ran, as `LINE ACTION`, in the order they ran. */
  readonly ran: readonly string[];
}

const EXPECTATIONS: readonly Expectation[] = [
  {
    // UMich's clean-up of OCLC records: OCLC's K (minimal) becomes 7; 994 (OCLC's holdings
    // code) goes.
    file: "umich-norm-fix-oclc-import.txt",
    record: "evergreen/hebrew.marc#0",
    leader: "01218nam a22003617  4500",
    removed: ["994 __ $axwb"],
    added: [],
    ran: ['10 replaceControlContents "LDR.{17,1}.K" with "7"', '38 removeField "994"'],
  },
  {
    // OCLC's I (full level, input by a member) becomes "#", which is a blank.
    file: "umich-norm-fix-oclc-import.txt",
    record: "evergreen/hebrew.marc#1",
    leader: "01395nam a2200385 a 4500",
    removed: ["994 __ $axkg$axmt"],
    added: [],
    ran: ['8 replaceControlContents "LDR.{17,1}.I" with "#"', '38 removeField "994"'],
  },
  {
    // A real Connexion export (Danish cataloguing): the 040 warning is added (its if sees the
    // record's 040s: $b dan, not eng), the 001, the 029s, 994 and 948 go; the 035 (OCoLC) without
    // an ocm/ocn prefix stays.
    file: "harvard-norm-external-resources-and-connexion.txt",
    record: "folio-edge-connexion/manden.marc#0",
    removed: [
      "001 ocn253248524",
      "029 1_ $aDKDLA$b820010-katalog:5186899",
      "029 1_ $aDKDLA$b852470-katalog:93001419",
      "029 1_ $aDKDLA$b870970-basis:27225888",
      "029 1_ $aDKDLA$b800010-katalog:99122932906805763",
      "994 __ $aZ0$bPAOLF",
      "948 __ $hNO HOLDINGS IN PAOLF - 4 OTHER HOLDINGS",
    ],
    added: [
      "040 __ $aATTENTION !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!! THIS IS A NON-ENGLISH LANGUAGE CATALOGING RECORD. Best practice is to derive an English language cataloging record in Connexion and use that record. If you must use this record in Alma, please delete the 035 and 040 of this record and change the encoding level to 5.",
    ],
    ran: [
      '22 removeControlField "001"',
      '25 removeField "029"',
      '39 removeField "94*"',
      '44 removeField "99*"',
      '6 addField "040.a.ATTENTION !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!! THIS IS A NON-ENGLISH LANGUAGE CATALOGING RECORD. Best practice is to derive an English language cataloging record in Connexion and use that record. If you must use this record in Alma, please delete the 035 and 040 of this record and change the encoding level to 5."',
    ],
  },
  {
    // Harvard's WorldCat updates: the rule declared last fires first, so the 035s without
    // (OCoLC) go before "fix 035" strips the OCLC number's leading zero.
    file: "harvard-norm-worldcat-updates-incoming.txt",
    record: "marc-perl/marc-record/t/title_proper.usmarc#1",
    removed: [
      "001 913385",
      "019 __ $a01779114$a07619124$a11810351",
      "035 __ $a(OCoLC)04738786",
      "035 __ $9ADZ9248AM",
      "035 __ $a913385",
      "049 __ $aTXAO",
      "265 __ $aSupt. of Docs., U.S. Govt. Print. Off., Washington, DC, 20402",
      "856 41 $uhttp://www.census.gov/ftp/pub/mp/www/pub/pop/mspop10.html",
    ],
    added: ["035 __ $a(OCoLC)4738786"],
    ran: [
      '32 removeField "019"',
      '34 removeField "035"',
      '35 removeField "049"',
      '46 removeField "265"',
      '56 removeField "85*"',
      '6 removeControlField "001"',
      '14 replaceContents "035.*.(OCoLC)0" with "(OCoLC)"',
    ],
  },
  {
    // Harvard BIBonSave, the VE dedupe key of a serial without ISSN: the 035 OCLC number and the
    // 776 $w (OCoLC) number, split out through the scratch tag TMP, become 959s.
    file: "harvard-norm-bib-on-save.txt",
    record: "openlibrary/marc/tests/test_data/bin_input/thewilliamsrecord_vol29b_meta.mrc#0",
    removed: [],
    added: ["959 __ $a(OCoLC)181375421", "959 __ $a(OCoLC)19879318."],
    ran: [
      '39 copyField "035.a" to "959.a"',
      '40 splitSubField "776.w.(" to "TMP.a"',
      '41 replaceContents "TMP.a.OCoLC" with "(OCoLC"',
      '42 changeField "TMP" to "959"',
    ],
  },
  {
    // UMich's Zephir/Google export on a HathiTrust record with two 974 items: the leader's
    // lengths zeroed, the Aleph number reformatted twice in 035 $z, each 974 copied to an 899
    // and retagged 955, the collection of the non-MIU item set to MIU.
    file: "umich-norm-zephir-google-export.txt",
    record: "marc4j/bad_hathi_records.mrc#0",
    leader: "00000nam a2200000 a 4500",
    removed: [
      "035 __ $a(MiU)003034057",
      "974 __ $bMIU$cMIU$d20161105$sgoogle$umdp.39015038422765$y1912$rpdus$qbib",
      "974 __ $bUIU$cUIUC$d20141114$sgoogle$uuiug.30112023821819$y1912$rpdus$qbib",
    ],
    added: [
      "035 __ $z(MiU)Aleph003034057",
      "035 __ $z(MiU)MIU01000000000000003034057-goog",
      "899 __ $umdp.39015038422765$y1912$rpdus$qbib",
      "899 __ $uuiug.30112023821819$y1912$rpdus$qbib",
      "955 __ $bMIU$cMIU$sgoogle$umdp.39015038422765$y1912$rpdus$qbib",
      "955 __ $bUIU$cMIU$sgoogle$uuiug.30112023821819$y1912$rpdus$qbib",
    ],
    ran: [
      '8 replaceControlContents "LDR.{0,5}" with "00000"',
      '10 replaceControlContents "LDR.{9,8}" with "a2200000"',
      '51 copyField "974" to "899"',
      '59 replaceContents "035.a.(MiU)" with "(MiU)Aleph"',
      '61 changeSubField "035.a" to "z"',
      '64 copyField "035.z" to "035.a"',
      '65 replaceContents "035.a.(MiU)Aleph" with "(MiU)MIU01000000000000"',
      '66 suffix "035.a" with "-goog"',
      '67 changeSubField "035.a" to "z"',
      '88 replaceContents "974.c.*" with "MIU"',
      '95 removeSubField "974.d"',
      '158 changeField "974" to "955"',
      '162 removeSubField "899.s"',
      '163 removeSubField "899.b"',
      '165 removeSubField "899.c"',
      '167 removeSubField "899.d"',
    ],
  },
  {
    // Harvard's Hathi publishing: 003 MH added, the 900 turned into two 035s.
    file: "harvard-norm-hathi-zephir-publishing.txt",
    record: "evergreen/jazz_1k.mrc#980",
    removed: [
      "900 __ $a2000-03-01",
      "949 __ $aML399K53 1985$wLC$i30007002740024$rY$tBOOKS$lHUNT-CIRC$mHUNTINGTON",
    ],
    added: ["003 MH", "035 __ $z(MH)Aleph2000-03-01", "035 __ $a(MH)2000-03-01HVD01-Aleph"],
    ran: [
      '22 removeField "94*"',
      '47 addControlField "003.MH"',
      '58 prefix "900.a" with "(MH)"',
      '59 suffix "900.a" with "HVD01-Aleph"',
      '60 copyField "900" to "035"',
      '61 changeSubField "035.a" to "z"',
      '62 replaceContents "035.z.(MH)" with "(MH)Aleph"',
      '63 replaceContents "035.z.HVD01-Aleph" with ""',
      '64 changeField "900" to "035"',
    ],
  },
  {
    // The Ex Libris blog's temporary-suffix idiom takes the final comma off a 500 $a (of an
    // authority record) and leaves the other 500 as it was.
    file: "exlibris-devblog-normalization-examples.txt",
    record: "folio-mod-data-import/5000.mrc#847",
    removed: ["001 sh2009008466", "500 0_ $wg$aMary,$cBlessed Virgin, Saint$xArt"],
    added: ["500 0_ $wg$aMary$cBlessed Virgin, Saint$xArt"],
    ran: [
      '59 suffix "500.a" with "temporary_suffix_to_replace"',
      '66 replaceContents "500.a.,temporary_suffix_to_replace" with ""',
      '73 replaceContents "500.a.temporary_suffix_to_replace" with ""',
      '13 removeControlField "001"',
    ],
  },
  {
    // Harvard HOLonSave: a public 583 copied to 993 for discovery, labelled, and every subfield
    // given a final period (the file's suffix "993.*" takes $5 and $2 too).
    file: "harvard-norm-hol-on-save.txt",
    record: "folio-mod-data-import/CornellFOLIOExemplars.mrc#18",
    removed: [],
    added: [
      "993 1_ $aAction: digitized.$cTime/date of action: 2010.$hHathiTrust Digital Library.$lStatus: committed to preserve.$5MiAaHDL.$2pda.",
    ],
    ran: [
      '70 copyField "583" to "993"',
      '72 prefix "993.a" with "Action: "',
      '73 prefix "993.c" with "Time/date of action: "',
      '75 prefix "993.l" with "Status: "',
      '77 suffix "993.*" with "."',
    ],
  },
];

/** The record frozen all the way down: normalization must never write to its input. */
function deepFreeze(r: MarcRecord): MarcRecord {
  for (const f of r.fields) {
    if (!isControlField(f)) {
      for (const s of f.subfields) Object.freeze(s);
      Object.freeze(f.subfields);
    }
    Object.freeze(f);
  }
  Object.freeze(r.fields);
  return Object.freeze(r);
}

function line(f: Field): string {
  return isControlField(f)
    ? `${f.tag} ${f.value}`
    : `${f.tag} ${(f.ind1 + f.ind2).replaceAll(" ", "_")} ${f.subfields.map((s) => `$${s.code}${s.value}`).join("")}`;
}

/** Whether a file holds normalization rules only. */
function isNormalization(rules: readonly Rule[]): boolean {
  return (
    rules.length > 0 &&
    rules.every((r) => r.when.kind !== "merge" && r.actions.every((a) => a.kind !== "set"))
  );
}

/** Why a record is not well formed, or undefined. */
function malformed(r: MarcRecord): string | undefined {
  if (r.leader.length !== 24) return `leader of ${r.leader.length} characters`;
  for (const f of r.fields) {
    if (f.tag.length !== 3) return `tag "${f.tag}"`;
    if (isControlField(f)) continue;
    if (f.ind1.length !== 1 || f.ind2.length !== 1)
      return `${f.tag} indicators "${f.ind1}${f.ind2}"`;
    for (const s of f.subfields)
      if (s.code.length !== 1) return `${f.tag} subfield code "${s.code}"`;
  }
  return undefined;
}

/**
 * Why the record does not come back the same from ISO 2709, or undefined (also when ISO 2709
 * cannot hold it at all: a field over 9,999 bytes, as some corpus records have as they are read).
 */
function roundTrip(r: MarcRecord): string | undefined {
  if (iso2709Fits(r) !== undefined) return undefined;
  const back = [...readIso2709Buffer(writeIso2709(r))][0]?.record;
  if (!back) return "does not read back";
  const a = r.fields.map(line);
  const b = back.fields.map(line);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return `field ${i + 1} "${a[i] ?? ""}" reads back as "${b[i] ?? ""}"`;
  }
  return undefined;
}

/** Checks one expectation; the failures found. */
function checkExpectation(e: Expectation, before: MarcRecord, rules: readonly Rule[]): string[] {
  const where = `normalize: ${e.file} on ${e.record}`;
  const out: string[] = [];
  const { record, log } = normalize(before, rules);
  const leader = e.leader ?? before.leader;
  if (record.leader !== leader)
    out.push(`${where}: leader "${record.leader}", expected "${leader}"`);
  const a = before.fields.map(line);
  const b = record.fields.map(line);
  const remaining = [...b];
  const removed: string[] = [];
  for (const l of a) {
    const k = remaining.indexOf(l);
    if (k >= 0) remaining.splice(k, 1);
    else removed.push(l);
  }
  const same = (x: readonly string[], y: readonly string[]): boolean =>
    x.length === y.length && x.every((v, i) => v === y[i]);
  if (!same(removed, e.removed))
    out.push(`${where}: removed ${JSON.stringify(removed)}, expected ${JSON.stringify(e.removed)}`);
  if (!same(remaining, e.added))
    out.push(`${where}: added ${JSON.stringify(remaining)}, expected ${JSON.stringify(e.added)}`);
  // The fields that stayed keep their order.
  const kept = a.filter((l) => !e.removed.includes(l));
  const keptAfter = b.filter((l) => kept.includes(l));
  if (!same(kept, keptAfter)) out.push(`${where}: the remaining fields changed order`);
  const ran = log.filter((x) => x.ran).map((x) => `${x.line} ${x.action}`);
  if (!same(ran, e.ran))
    out.push(`${where}: ran ${JSON.stringify(ran)}, expected ${JSON.stringify(e.ran)}`);
  return out;
}

/**
 * Runs the check: every normalization file in `rulesDir` on every record of the corpus files
 * (`paths`, relative to `corpus`), then the expectations.
 */
export function checkNormalize(
  corpus: string,
  rulesDir: string,
  paths: readonly string[],
): NormalizeCheck {
  const failures: string[] = [];
  const table: string[] = [];
  const records = new Map<string, MarcRecord>();
  for (const path of paths) {
    let index = 0;
    for (const r of readIso2709Buffer(readFileSync(join(corpus, path)))) {
      const where = `${path}#${index++}`;
      if (r.record) records.set(where, deepFreeze(r.record));
    }
  }
  const files = new Map<string, readonly Rule[]>();
  for (const name of readdirSync(rulesDir).sort()) {
    const parsed = parseRules(readFileSync(join(rulesDir, name), "utf8"));
    if (parsed.errors.length === 0 && isNormalization(parsed.rules)) files.set(name, parsed.rules);
  }
  let runs = 0;
  for (const [name, rules] of files) {
    const actions = rules.reduce((n, r) => n + r.actions.length, 0);
    const ranSomewhere = new Set<string>();
    let changed = 0;
    for (const [where, before] of records) {
      runs++;
      const at = `normalize: ${name} on ${where}`;
      let result: ReturnType<typeof normalize>;
      try {
        result = normalize(before, rules);
      } catch (error) {
        failures.push(`${at}: threw ${String(error)}`);
        continue;
      }
      const { record, log } = result;
      if (log.length !== actions)
        failures.push(`${at}: ${log.length} log entries for ${actions} actions`);
      const ran = log.filter((e) => e.ran);
      for (const e of ran) ranSomewhere.add(`${e.line}`);
      if ((ran.length === 0) !== (record === before))
        failures.push(
          `${at}: ${ran.length} actions ran but the record is ${record === before ? "the same object" : "a new object"}`,
        );
      if (record === before) continue;
      changed++;
      const bad = malformed(record) ?? roundTrip(record);
      if (bad) failures.push(`${at}: the result is not a sound record: ${bad}`);
    }
    table.push(
      `  ${name.padEnd(48)} ${String(changed).padStart(6)} records changed; ${String(ranSomewhere.size).padStart(3)} of ${String(actions).padStart(3)} actions ran on some record`,
    );
  }
  for (const e of EXPECTATIONS) {
    const rules = files.get(e.file);
    const before = records.get(e.record);
    if (!rules)
      failures.push(`normalize: ${e.file} has expectations but is not a normalization file here`);
    else if (!before)
      failures.push(`normalize: ${e.record} (expected for ${e.file}) is not in the corpus`);
    else failures.push(...checkExpectation(e, before, rules));
  }
  return { records: records.size, runs, table, failures };
}
