import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { BIB_FORMATS, crosswalk } from "../../src/crosswalk/crosswalk.js";
import { decodeIso5426 } from "../../src/crosswalk/iso5426.js";
import { decodeUnimarcText } from "../../src/crosswalk/read.js";
import { readIso2709Buffer, writeIso2709 } from "../../src/marc/iso2709.js";
import type { DataField, Field, MarcRecord } from "../../src/marc/record.js";

const main = resolve(dirname(fileURLToPath(import.meta.url)), "../../src/cli/main.js");

function df(tag: string, ind: string, ...subfields: string[]): DataField {
  return {
    tag,
    ind1: ind[0]!,
    ind2: ind[1]!,
    subfields: subfields.map((s) => ({ code: s[0]!, value: s.slice(1) })),
  };
}

const BOOK: MarcRecord = {
  leader: "00000cam a2200000 i 4500",
  fields: [
    { tag: "001", value: "ocm12345678" },
    { tag: "003", value: "OCoLC" },
    { tag: "008", value: "200101s2019    fr a          000 1 fre d" },
    df("020", "  ", "a9782070368228 (pbk.) :", "c12 EUR"),
    df("035", "  ", "a(OCoLC)12345678"),
    df("040", "  ", "aDLC", "beng", "erda", "cDLC"),
    df("100", "1 ", "aCamus, Albert,", "d1913-1960,", "eauthor."),
    df("245", "14", "aThe stranger /", "cAlbert Camus ; translated by Matthew Ward."),
    df("250", "  ", "a1st ed."),
    df("264", " 1", "aParis :", "bGallimard,", "c2019."),
    df("300", "  ", "a123 pages :", "billustrations ;", "c18 cm."),
    df("490", "1 ", "aFolio ;", "v2"),
    df("500", "  ", "aTranslation of L'étranger."),
    df("650", " 0", "aExistentialism", "vFiction."),
    df("700", "1 ", "aWard, Matthew,", "etranslator."),
    df("830", " 0", "aFolio ;", "v2."),
    df("880", "10", "6245-01/(N", "aПосторонний"),
    df("949", "  ", "aLOCAL 1"),
    df("999", "  ", "ano mapping here?"),
  ],
};

const find = (r: MarcRecord, tag: string): DataField[] =>
  r.fields.filter((f): f is DataField => f.tag === tag && "subfields" in f);
const sub = (f: DataField | undefined, code: string): string | undefined =>
  f?.subfields.find((s) => s.code === code)?.value;

describe("MARC 21 → UNIMARC", () => {
  const { record, notes } = crosswalk(BOOK, "MARC21", "UNIMARC");

  test("the record label says UNIMARC: 450 directory map, hierarchy, no leader/09", () => {
    assert.equal(record.leader.length, 24);
    assert.equal(record.leader.slice(5, 9), "cam0");
    assert.equal(record.leader.slice(20, 24), "450 ");
    assert.equal(record.leader[9], " ");
  });

  test("100 $a: dates from 008, language of cataloguing from 040 $b, UTF-8 (50) at 26-29, Latin script", () => {
    const a = sub(find(record, "100")[0], "a")!;
    assert.equal(a.length, 36);
    assert.equal(a.slice(0, 8), "20200101");
    assert.equal(a[8], "d");
    assert.equal(a.slice(9, 13), "2019");
    assert.equal(a.slice(22, 25), "eng");
    assert.equal(a.slice(26, 30), "50  ");
    assert.equal(a.slice(34, 36), "ba");
    assert.equal(sub(find(record, "101")[0], "a"), "fre");
    assert.equal(sub(find(record, "102")[0], "a"), "FR");
    assert.equal(sub(find(record, "105")[0], "a")!.slice(0, 4), "a   ");
    assert.equal(sub(find(record, "105")[0], "a")![11], "a"); // 008/33 1 fiction
  });

  test("020 → 010 with the qualifier in $b and the price in $d, no ISBD punctuation", () => {
    const f = find(record, "010")[0]!;
    assert.deepEqual(f.subfields, [
      { code: "a", value: "9782070368228" },
      { code: "b", value: "pbk." },
      { code: "d", value: "12 EUR" },
    ]);
  });

  test("245 → 200: non-filing part between NSB/NSE, responsibility split into $f and $g", () => {
    const f = find(record, "200").find((x) => !x.subfields.some((s) => s.code === "7"))!;
    assert.equal(f.ind1, "1");
    assert.equal(sub(f, "a"), "\u0098The \u009cstranger");
    assert.equal(sub(f, "f"), "Albert Camus");
    assert.equal(sub(f, "g"), "translated by Matthew Ward");
  });

  test("264 → 214 with its function indicator; 300 → 215; 490/830 → 225/410", () => {
    const p = find(record, "214")[0]!;
    assert.equal(p.ind2, "1");
    assert.deepEqual(
      p.subfields.map((s) => `${s.code}${s.value}`),
      ["aParis", "cGallimard", "d2019"],
    );
    assert.deepEqual(
      find(record, "215")[0]!.subfields.map((s) => `${s.code}${s.value}`),
      ["a123 pages", "cillustrations", "d18 cm"],
    );
    assert.equal(sub(find(record, "225")[0], "a"), "Folio");
    assert.equal(sub(find(record, "410")[0], "t"), "Folio");
    assert.equal(sub(find(record, "410")[0], "v"), "2");
  });

  test("names: 100 → 700 split, dates in $f, relator term → 070; translator → 702 $4 730", () => {
    const main = find(record, "700")[0]!;
    assert.equal(main.ind2, "1");
    assert.deepEqual(
      main.subfields.map((s) => `${s.code}${s.value}`),
      ["aCamus", "bAlbert", "f1913-1960", "4070"],
    );
    const trl = find(record, "702")[0]!;
    assert.equal(sub(trl, "4"), "730");
    assert.equal(find(record, "701").length, 0);
  });

  test("650 → 606 with subdivision $v → $j and the thesaurus as $2 lc", () => {
    const f = find(record, "606")[0]!;
    assert.deepEqual(
      f.subfields.map((s) => `${s.code}${s.value}`),
      ["aExistentialism", "jFiction", "2lc"],
    );
  });

  test("880 becomes a second 200 with $6 and the script in $7; 9XX kept as local", () => {
    const alt = find(record, "200").find((x) => x.subfields.some((s) => s.code === "7"))!;
    assert.equal(sub(alt, "6"), "a01");
    assert.equal(sub(alt, "7"), "ca");
    assert.equal(sub(alt, "a"), "Посторонний");
    assert.equal(sub(find(record, "949")[0], "a"), "LOCAL 1");
  });

  test("every dropped or approximate field is noted with tag and reason", () => {
    const tags = notes.map((n) => `${n.tag} ${n.kind}`);
    assert.ok(tags.includes("003 dropped"), tags.join(", "));
    assert.ok(tags.includes("040 approximate"), tags.join(", "));
    for (const n of notes) assert.ok(n.reason.length > 10);
  });

  test("and back to MARC 21: the description, identifiers, names and subjects come back", () => {
    const back = crosswalk(record, "UNIMARC", "MARC21").record;
    assert.equal(back.leader.slice(5, 10), "cam a");
    const t = find(back, "245")[0]!;
    assert.equal(t.ind2, "4");
    assert.deepEqual(
      t.subfields.map((s) => `${s.code}${s.value}`),
      ["aThe stranger /", "cAlbert Camus ; translated by Matthew Ward."],
    );
    assert.equal(sub(find(back, "880")[0], "6"), "245-01/(N");
    assert.equal(sub(find(back, "245")[0], "6"), undefined);
    assert.deepEqual(
      find(back, "100")[0]!.subfields.map((s) => `${s.code}${s.value}`),
      ["aCamus, Albert,", "d1913-1960.", "4aut"],
    );
    assert.equal(sub(find(back, "020")[0], "a"), "9782070368228");
    assert.equal(sub(find(back, "020")[0], "q"), "pbk.");
    assert.equal(sub(find(back, "035")[0], "a"), "(OCoLC)12345678");
    assert.equal(find(back, "650")[0]!.ind2, "0");
    assert.equal(find(back, "490")[0]!.ind1, "1");
    const f008 = back.fields.find((f) => f.tag === "008") as { value: string };
    assert.equal(f008.value.slice(7, 11), "2019");
    assert.equal(f008.value.slice(35, 38), "fre");
    assert.equal(f008.value.slice(15, 17), "fr");
  });
});

describe("KORMARC and CNMARC", () => {
  const kdc: MarcRecord = {
    leader: BOOK.leader,
    fields: [
      ...BOOK.fields,
      df("084", "  ", "a813.6", "2kdc6"),
      df("084", "  ", "aI565.45", "2clc"),
    ],
  };

  test("KORMARC: 084 $2 kdc → 056 with the edition in $2; other fields unchanged; and back", () => {
    const k = crosswalk(kdc, "MARC21", "KORMARC").record;
    assert.deepEqual(find(k, "056")[0]!.subfields, [
      { code: "a", value: "813.6" },
      { code: "2", value: "6" },
    ]);
    assert.equal(find(k, "084").length, 1);
    assert.deepEqual(find(k, "245"), find(kdc, "245"));
    const back = crosswalk(k, "KORMARC", "MARC21").record;
    assert.ok(find(back, "084").some((f) => sub(f, "2") === "kdc6"));
  });

  test("CNMARC: the CLC number goes to 690; and back to MARC 21 084 $2 clc", () => {
    const c = crosswalk(kdc, "MARC21", "CNMARC").record;
    assert.equal(sub(find(c, "690")[0], "a"), "I565.45");
    assert.ok(find(c, "200").length > 0);
    const back = crosswalk(c, "CNMARC", "MARC21").record;
    assert.ok(find(back, "084").some((f) => sub(f, "2") === "clc" && sub(f, "a") === "I565.45"));
  });

  test("the same format is returned as it is", () => {
    assert.equal(crosswalk(BOOK, "MARC21", "MARC21").record, BOOK);
  });
});

describe("reading UNIMARC", () => {
  test("ISO 5426: diacritics written before the letter are composed after it (as yaz-iconv -f ISO5426)", () => {
    assert.equal(decodeIso5426(Buffer.from("caf\xc2e \xc8u \xe8", "latin1")), "café ü Ł");
  });

  test("an ISO 2709 UNIMARC record: UTF-8 bytes read as UTF-8, ISO 5426 when 100 says 03 and bytes are not UTF-8", () => {
    // Written with marc8 "keep": each character of a value is one byte (leader/09 blank).
    const unimarc = (title: Buffer): Buffer =>
      writeIso2709(
        {
          leader: "00000nam0 2200000   450 ",
          fields: [
            { tag: "001", value: "1" },
            df("100", "  ", "a20200101d2019    u  y0frey0103    ba"),
            df("200", "1 ", `a${title.toString("latin1")}`),
          ],
        },
        { marc8: "keep" },
      );
    for (const [bytes, text] of [
      [Buffer.from("Caf\u00e9", "utf8"), "Café"],
      [Buffer.from("Caf\xc2e", "latin1"), "Café"],
    ] as const) {
      const [r] = [...readIso2709Buffer(unimarc(bytes), { marc8: "keep" })];
      const { record } = decodeUnimarcText(r!.record!);
      assert.equal(sub(find(record, "200")[0], "a"), text);
      assert.equal(record.leader[9], " ");
    }
  });
});

describe("marcgate crosswalk", () => {
  test("MARC 21 in, UNIMARC MARCXML out, dropped fields on standard error; and --to marc21 back", () => {
    const out = spawnSync(process.execPath, [main, "crosswalk", "--to", "unimarc", "-"], {
      input: writeIso2709(BOOK),
    });
    assert.equal(out.status, 0, out.stderr.toString());
    const xml = out.stdout.toString();
    assert.match(xml, /<datafield tag="200" ind1="1" ind2=" ">/);
    assert.match(
      out.stderr.toString(),
      /001 ocm12345678\): 003 dropped: UNIMARC has no control number identifier/,
    );
    assert.match(out.stderr.toString(), /over all records:/);
    const back = spawnSync(
      process.execPath,
      [main, "crosswalk", "--to", "marc21", "--format", "mrk", "-"],
      {
        input: out.stdout,
      },
    );
    assert.equal(back.status, 0, back.stderr.toString());
    assert.match(
      back.stdout.toString(),
      /=245 {2}14\$aThe stranger \/\$cAlbert Camus ; translated by Matthew Ward\./,
    );
  });

  test("a format it does not know is a usage error (exit 2) naming the choices", () => {
    const out = spawnSync(process.execPath, [main, "crosswalk", "--to", "dublincore", "-"], {
      input: "",
    });
    assert.equal(out.status, 2);
    assert.match(out.stderr.toString(), /marc21\|unimarc\|kormarc\|cnmarc/);
  });
});

describe("marcgate import --source-format unimarc", () => {
  test("a file of UNIMARC records lands in a UNIMARC zone; the same file again changes nothing", () => {
    const dir = mkdtempSync(join(tmpdir(), "marcgate-crosswalk-"));
    const data = join(dir, "data");
    const run = (...args: string[]) => spawnSync(process.execPath, [main, ...args, "--data", data]);
    assert.equal(run("institution", "add", "01UNI_INST", "--name", "UNI").status, 0);
    writeFileSync(
      join(dir, "p.json"),
      JSON.stringify({ code: "CONNEXION", targetFormat: "UNIMARC", password: "pw" }),
    );
    assert.equal(
      run("profile", "import", "--institution", "01UNI_INST", join(dir, "p.json")).status,
      0,
    );
    const unimarc = crosswalk(BOOK, "MARC21", "UNIMARC").record;
    writeFileSync(join(dir, "u.mrc"), writeIso2709(unimarc));
    const first = run(
      "import",
      join(dir, "u.mrc"),
      "--source-format",
      "unimarc",
      "--institution",
      "01UNI_INST",
    );
    assert.equal(first.status, 0, first.stderr.toString());
    assert.match(first.stdout.toString() + first.stderr.toString(), /1 new/);
    const again = run(
      "import",
      join(dir, "u.mrc"),
      "--source-format",
      "unimarc",
      "--institution",
      "01UNI_INST",
    );
    assert.match(again.stdout.toString() + again.stderr.toString(), /1 unchanged/);
    const found = run("search", "9782070368228", "--index", "isbn", "--institution", "01UNI_INST");
    assert.match(found.stdout.toString(), /stranger/);
    const bad = run(
      "import",
      join(dir, "u.mrc"),
      "--source-format",
      "dc",
      "--institution",
      "01UNI_INST",
    );
    assert.equal(bad.status, 2);
  });
});

describe("any record", () => {
  const value = fc.string({ maxLength: 30 });
  const controlField: fc.Arbitrary<Field> = fc.record({
    tag: fc.constantFrom("001", "003", "005", "007", "008"),
    value: fc.string({ maxLength: 45 }),
  });
  const dataField: fc.Arbitrary<Field> = fc.record({
    tag: fc.integer({ min: 10, max: 999 }).map((n) => String(n).padStart(3, "0")),
    ind1: fc.constantFrom(" ", "0", "1", "2", "3", "7", "a"),
    ind2: fc.constantFrom(" ", "0", "1", "2", "4", "7", "9"),
    subfields: fc.array(
      fc.record({ code: fc.constantFrom(..."abcdefghlnpqtvxyz012346789"), value }),
      { minLength: 1, maxLength: 6 },
    ),
  });
  const record: fc.Arbitrary<MarcRecord> = fc.record({
    leader: fc.string({ minLength: 24, maxLength: 24 }),
    fields: fc.array(fc.oneof(controlField, dataField), { maxLength: 15 }),
  });

  test("every conversion gives a well-formed record and notes, never an exception", () => {
    fc.assert(
      fc.property(
        record,
        fc.constantFrom(...BIB_FORMATS),
        fc.constantFrom(...BIB_FORMATS),
        (r, from, to) => {
          const { record: out, notes } = crosswalk(r, from, to);
          assert.equal(out.leader.length, 24);
          for (const f of out.fields) {
            assert.match(f.tag, /^\d{3}$/);
            if ("subfields" in f) {
              assert.equal(f.ind1.length, 1);
              assert.equal(f.ind2.length, 1);
              for (const s of f.subfields) assert.equal(s.code.length, 1);
            }
          }
          for (const n of notes) assert.ok(n.reason.length > 0);
          // What it gives can be written and read back.
          assert.equal([...readIso2709Buffer(writeIso2709(out))].length, 1);
        },
      ),
      { numRuns: 500 },
    );
  });
});
