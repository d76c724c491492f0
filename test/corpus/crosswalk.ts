/**
 * The crosswalks on real records (`src/crosswalk/`):
 *
 * 1. MARC 21 → UNIMARC on the 400 records of ../shared/data/unimarc-reference/, compared with
 *    the independent reading stored there (MarcEdit's stylesheet), field by field as sets of
 *    (tag, indicators, subfield code, value). Agreement is printed per tag; every tuple that
 *    differs is put in a class, and every class has its reason in {@link REASONS} — a class
 *    without one fails the suite (as ./exceptions.ts does for yaz), and so does a listed class
 *    that no longer occurs.
 * 2. The real UNIMARC records of ../shared/corpus/qa-catalogue/: read (character set from the
 *    bytes and 100 $a), converted to MARC 21 and back; what survives is counted.
 * 3. MARC 21 → UNIMARC → MARC 21 over every bibliographic record of the corpus: per element
 *    (title, responsibility, edition, …) the share of values that come back, pinned as floors
 *    in {@link FLOORS}.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { crosswalk } from "../../src/crosswalk/crosswalk.js";
import { stripIsbd } from "../../src/crosswalk/apply.js";
import { decodeIso5426 } from "../../src/crosswalk/iso5426.js";
import { decodeUnimarcText } from "../../src/crosswalk/read.js";
import { readIso2709Buffer } from "../../src/marc/iso2709.js";
import { readMarcXml } from "../../src/marc/marcxml.js";
import { isControlField, type MarcRecord } from "../../src/marc/record.js";
import { BIB_TYPES } from "./merge.js";

/** A value compared loosely: NFC, lower case, no ISBD punctuation, brackets or non-sort marks. */
function loose(value: string): string {
  return stripIsbd(value.normalize("NFC").replace(/[\u0098\u009c[\]]/g, ""))
    .replace(/[.\s]+$/, "")
    .replace(/\s+/g, " ")
    .trim()
    .toLowerCase();
}

interface Tuple {
  readonly tag: string;
  readonly ind: string;
  readonly code: string;
  readonly value: string;
}

function tuples(record: MarcRecord): Tuple[] {
  const out: Tuple[] = [];
  for (const f of record.fields) {
    if (isControlField(f)) out.push({ tag: f.tag, ind: "", code: "", value: f.value });
    else
      for (const s of f.subfields)
        out.push({
          tag: f.tag,
          ind: f.ind1 + f.ind2,
          code: s.code,
          value: s.value.normalize("NFC"),
        });
  }
  return out;
}

const key = (t: Tuple): string => `${t.tag}|${t.ind}|${t.code}|${t.value}`;

/**
 * Why marcgate's UNIMARC differs from the stylesheet's, by class of difference. The class is
 * `kind tag$code` (see {@link classify}). "Manual" is the UNIMARC Manual — Bibliographic Format.
 */
const REASONS: Readonly<Record<string, string>> = {
  "punctuation *":
    "the stylesheet keeps ISBD punctuation (` :`, ` ;`, ` /`, final `.`) inside values; the Manual has it generated from subfield codes, so marcgate removes it",
  "relator 7XX$4":
    "the stylesheet copies relator terms into $4 (`$4 ил.`); the Manual's $4 holds a three-digit relator code (Appendix C), which marcgate writes from MARC $e terms and $4 codes",
  "coded 100$a":
    "100 $a: the stylesheet defaults the language of cataloguing to `eng` and fills 17-19 and 34-35 its own way; marcgate takes the language from 040 $b (`und` without one), audience from 008/22, the title's script from its letters",
  "coded 105$a":
    "105 $a: marcgate codes the illustrations, contents, literature and biography positions from 008/18-34 by the Manual's code lists; the stylesheet fills blanks and `|`",
  "coded 106$a": "106 $a: written from 008/23 for books, serials and music only",
  "coded 110$a":
    "110 $a: written from 008/18-29 for continuing resources by the Manual's code lists",
  "indicators *":
    "indicators: marcgate sets them by the Manual (e.g. 200 ind1 1, 7XX ind2 1 for surnames, 225 ind1 from 490 ind1); the stylesheet copies or leaves some MARC 21 indicators",
  "moved 7XX":
    "added names: marcgate writes 701/711 (alternative responsibility) for authors (no relator, or aut/cre) and 702/712 (secondary) for other relators; the stylesheet decides otherwise, and files some names as subjects",
  "only-ours 7XX":
    "names: marcgate keeps the authority link ($0 → $3), alternate-script links ($6/$7) and meeting subfields by the Manual; the stylesheet drops them",
  "value 7XX":
    "names: marcgate splits `Surname, Forename` into $a/$b and moves dates to $f, numeration to $d, fuller forms to $g as the Manual defines them; the stylesheet splits differently",
  "only-ref 7XX":
    "names: the stylesheet writes name/title parts ($p, $t) that marcgate reports as approximate instead",
  "value 8XX":
    "801: the stylesheet writes one 801 per 040 subfield ($a as #0, $c as #1, $d as #2); marcgate writes 801 #0 for the original agency, its country from the MARC organization code, $g from 040 $e",
  "only-ref 8XX":
    "801/802: the stylesheet writes transcribing and modifying agencies (801 #1, #2) and 802 (ISSN centre) that marcgate does not carry (listed as approximate in the decision log)",
  "only-ours 8XX": "801 $g (cataloguing rules) from 040 $e; the stylesheet drops 040 $e",
  "moved 102":
    "a country code: marcgate's 102 (country of publication, from 008/15-17) holds the code the stylesheet writes in 801 $a (the agency's country)",
  "moved 994":
    "OCLC's 994 (local) stays a local 994 in marcgate; the stylesheet makes its agency an 801 #2",
  "moved 0XX":
    "standard numbers: 010 (LCCN) is carried as the national bibliography number 020 $a US; 024 3# (EAN) goes to 073; the stylesheet places them elsewhere",
  "only-ours 0XX":
    "standard numbers: marcgate carries 010 (LCCN) as 020 $a US $b, 019 as 035 $z, the qualifier of 020 $a (`(pbk.)`) in 010 $b, ISSN-L in 011 $f, 024 by its kind (016 ISRC, 017 other, 072 UPC, 073 EAN) and 072 subject codes; the stylesheet keeps qualifiers in $a/$z or drops these",
  "value 0XX":
    "standard numbers: marcgate strips the qualifier from 010 $a/$z and puts it in $b, as the Manual defines; the stylesheet keeps `(pbk.)` in the number",
  "only-ref 0XX":
    "standard numbers: the stylesheet writes 020/022 qualifiers and 035 from other MARC fields that marcgate maps elsewhere (035 $z from 019)",
  "only-ours 1XX":
    "101 and 102: marcgate writes them from 008/35-37 and 008/15-17 when there is no 041/044 (the Manual makes 101 mandatory for language material); the stylesheet writes them from 041/044 only",
  "value 1XX": "102: the country of publication from 044, converted from MARC to ISO 3166 codes",
  "only-ours 2XX":
    "214 (publication, production, distribution, manufacture, copyright — MARC 264) is defined in UNIMARC since 2012; 225 is the series statement from 490/440; 200 $b from 245 $h; 206/207 from 255/362; $6/$7 alternate-script links; the stylesheet has none of these",
  "value 2XX":
    "200/205/210/225: marcgate removes ISBD brackets and splits 245 $c at ` ; ` into 200 $f and $g, as the Manual records them; the stylesheet differs in places",
  "only-ref 2XX":
    "the stylesheet writes 200 $d/$g, 211 from parts of MARC fields marcgate maps to other subfields",
  "moved 2XX":
    "series and titles: 490/8XX become 225 (statement) and 410 (link) in marcgate; the stylesheet uses one or the other",
  "only-ours 3XX":
    "notes: marcgate maps more MARC 5XX to their own UNIMARC note (302, 307, 316, 321–327, 334, 336, 371, 326, 207) and keeps the others, local 59X included, in 300 (listed as approximate); the stylesheet drops or merges some",
  "value 3XX":
    "notes: marcgate keeps every subfield's text of 5XX notes it collapses into one $a; the stylesheet keeps $a only",
  "only-ref 3XX":
    "345 (acquisition information) is written by the stylesheet from 037/938 vendor data, which marcgate drops (listed in the decision log); 327 $c",
  "moved 3XX":
    "local notes: marcgate keeps 59X as general notes 300, the stylesheet as local 9XX; series numbering",
  "only-ours 4XX":
    "linking entries: marcgate writes 410 for 8XX series with $t and $v, and the record control number ($w) as $0; the stylesheet writes $3 or no 410",
  "only-ref 4XX":
    "linking entries: the stylesheet writes the record control number in $3 (an authority number in UNIMARC), marcgate in $0",
  "moved 4XX": "series: the stylesheet files some series under 225 or 711",
  "moved 5XX":
    "variant titles: marcgate maps 246 by its ind2 to 510 (parallel), 512 (cover), 513 (added title page), 515 (running), 516 (spine) and 517 (other) as the Manual defines them; the stylesheet writes 532 (expanded title) for many, and key titles (222) to 530",
  "only-ours 5XX":
    "titles: 246 variants, 730 (500 with ind2 1) and their $6 links; the stylesheet writes them elsewhere",
  "only-ref 5XX":
    "the stylesheet writes 530/531 (key and abbreviated title from 222/210), 545 and 500 $j that marcgate does not map",
  "value 6XX":
    "subjects: marcgate splits personal names in 600 into $a/$b, re-codes subdivisions ($v → $j, $y → $z, $z → $y) and writes the thesaurus from ind2 ($2 lc, mesh…) or $2; the stylesheet keeps names whole and writes sources and subdivisions its own way",
  "only-ours 6XX":
    "subjects: 655 → 608 (form, genre, defined since UNIMARC 2008), $0 → $3, 060 → 686 $2 nlm; the stylesheet drops them",
  "only-ref 6XX":
    "subjects: the stylesheet writes empty $b/$c subfields and 620 (place access) from 752, which marcgate does not map",
  "moved 6XX":
    "subjects: the stylesheet files some headings under another 60X (geographic names in 606, corporate names in 710) than the MARC tag says",
  "only-ours 856":
    "856: marcgate copies every subfield as it is ($3 materials specified); the stylesheet writes $3 into $2",
  "only-ref 856": "856: see only-ours 856",
  "only-ours 035":
    "019 (OCLC numbers of merged records) kept as cancelled system numbers 035 $z; the stylesheet drops 019",
  "value 035": "035: OCLC numbers of merged records (019) are 035 $z in marcgate",
};

/** A difference's class: punctuation, relator, coded field, indicators, moved, only-ours, only-ref, value. */
function classify(t: Tuple, other: readonly Tuple[], side: "ours" | "ref"): string {
  if (t.tag === "100" && t.code === "a") return "coded 100$a";
  if (/^1(05|06|10)$/.test(t.tag) && t.code === "a") return `coded ${t.tag}$a`;
  if (t.code === "4" && /^7/.test(t.tag)) return "relator 7XX$4";
  const v = loose(t.value);
  const same = other.filter((o) => o.code === t.code && loose(o.value) === v);
  if (same.some((o) => o.tag === t.tag && o.value !== t.value)) return "punctuation *";
  if (same.some((o) => o.tag === t.tag && o.value === t.value && o.ind !== t.ind))
    return "indicators *";
  const moved = same.find((o) => o.tag !== t.tag);
  if (moved) return side === "ours" ? `moved ${t.tag}>${moved.tag}` : `moved ${moved.tag}>${t.tag}`;
  if (other.some((o) => o.tag === t.tag && o.code === t.code)) return `value ${t.tag}`;
  return `${side === "ours" ? "only-ours" : "only-ref"} ${t.tag}`;
}

interface TagRow {
  agree: number;
  ours: number;
  ref: number;
}

/** Minimum shares of values that survive MARC 21 → UNIMARC → MARC 21 (what it does today). */
const FLOORS: Readonly<Record<string, number>> = {
  title: 0.999,
  responsibility: 0.999,
  edition: 0.995,
  publication: 0.98,
  extent: 0.999,
  series: 0.995,
  ISBN: 0.999,
  ISSN: 0.99,
  "OCLC number": 0.999,
  names: 0.999,
  subjects: 0.999,
};

/** Each element: the MARC 21 tags and codes it is read from. */
const ELEMENTS: Readonly<Record<string, readonly [RegExp, string][]>> = {
  title: [[/^245$/, "a"]],
  responsibility: [[/^245$/, "c"]],
  edition: [[/^250$/, "a"]],
  publication: [[/^26[04]$/, "abc"]],
  extent: [[/^300$/, "a"]],
  series: [
    [/^490$/, "a"],
    [/^830$/, "a"],
  ],
  ISBN: [[/^020$/, "a"]],
  ISSN: [[/^022$/, "a"]],
  "OCLC number": [[/^035$/, "a"]],
  names: [[/^[17][01]0$/, "a"]],
  subjects: [[/^6[05]0$/, "a"]],
};

function elementValues(record: MarcRecord, element: string): string[] {
  const out: string[] = [];
  for (const f of record.fields) {
    if (isControlField(f)) continue;
    for (const [tag, codes] of ELEMENTS[element]!) {
      if (!tag.test(f.tag)) continue;
      for (const s of f.subfields) {
        if (!codes.includes(s.code)) continue;
        if (element === "OCLC number" && !/OCoLC/i.test(s.value)) continue;
        out.push(loose(s.value).replace(/\s*\(.*\)$/, ""));
      }
    }
  }
  return out;
}

export interface CrosswalkCheck {
  readonly table: string[];
  readonly failures: string[];
}

export async function checkCrosswalk(
  corpus: string,
  data: string,
  paths: readonly string[],
): Promise<CrosswalkCheck> {
  const table: string[] = [];
  const failures: string[] = [];

  // 1. The reference reading.
  const marc = [...readIso2709Buffer(readFileSync(join(data, "unimarc-reference/marc21.mrc")))];
  const reference: MarcRecord[] = [];
  for await (const r of readMarcXml([
    readFileSync(join(data, "unimarc-reference/unimarc-reference.xml")),
  ]))
    if (r.record) reference.push(r.record);
  if (marc.length !== reference.length)
    failures.push(
      `unimarc-reference: ${marc.length} MARC 21 records but ${reference.length} UNIMARC readings`,
    );
  const byTag = new Map<string, TagRow>();
  const classes = new Map<string, { count: number; example: string }>();
  for (let i = 0; i < Math.min(marc.length, reference.length); i++) {
    const source = marc[i]!.record;
    if (!source) continue;
    const ours = tuples(crosswalk(source, "MARC21", "UNIMARC").record);
    const ref = tuples(reference[i]!);
    const refKeys = new Set(ref.map(key));
    const ourKeys = new Set(ours.map(key));
    const row = (tag: string): TagRow => {
      let r = byTag.get(tag);
      if (!r) byTag.set(tag, (r = { agree: 0, ours: 0, ref: 0 }));
      return r;
    };
    for (const t of ours) {
      const r = row(t.tag);
      r.ours++;
      if (refKeys.has(key(t))) r.agree++;
      else note(classify(t, ref, "ours"), `record ${i} ${t.tag} ${t.ind} $${t.code} ${t.value}`);
    }
    for (const t of ref) {
      row(t.tag).ref++;
      if (!ourKeys.has(key(t)))
        note(classify(t, ours, "ref"), `record ${i} ${t.tag} ${t.ind} $${t.code} ${t.value}`);
    }
  }
  function note(cls: string, example: string): void {
    const seen = classes.get(cls);
    if (seen) seen.count++;
    else classes.set(cls, { count: 1, example: example.slice(0, 100) });
  }
  table.push(
    `MARC 21 → UNIMARC against the reference reading (${marc.length} records): tuples agreeing per tag`,
  );
  const tags = [...byTag.keys()].sort();
  const line: string[] = [];
  let agree = 0;
  let union = 0;
  for (const tag of tags) {
    const r = byTag.get(tag)!;
    const u = r.ours + r.ref - r.agree;
    agree += r.agree;
    union += u;
    line.push(`${tag} ${((100 * r.agree) / Math.max(1, u)).toFixed(0)}% (${r.agree}/${u})`);
  }
  for (let i = 0; i < line.length; i += 6) table.push(`  ${line.slice(i, i + 6).join("  ")}`);
  table.push(
    `  all tags: ${((100 * agree) / Math.max(1, union)).toFixed(1)}% of ${union} tuples agree`,
  );
  table.push("classes of difference (tuples), each with its reason:");
  const reasonOf = (cls: string): string | undefined => {
    const [kind, where] = cls.split(" ") as [string, string];
    return (
      REASONS[cls] ??
      REASONS[`${kind} ${where.slice(0, 3)}`] ??
      REASONS[`${kind} ${where[0]}XX`] ??
      REASONS[`${kind} *`]
    );
  };
  for (const [cls, { count, example }] of [...classes].sort((a, b) => b[1].count - a[1].count)) {
    const reason = reasonOf(cls);
    if (!reason)
      failures.push(
        `crosswalk reference: difference class "${cls}" (${count}) has no reason; e.g. ${example}`,
      );
    table.push(
      `  ${String(count).padStart(5)}  ${cls}: ${reason ?? "UNEXPLAINED"}  e.g. ${example}`,
    );
  }
  const used = new Set(
    [...classes.keys()].flatMap((c) => {
      const [kind, where] = c.split(" ") as [string, string];
      return [c, `${kind} ${where.slice(0, 3)}`, `${kind} ${where[0]}XX`, `${kind} *`];
    }),
  );
  for (const cls of Object.keys(REASONS))
    if (!used.has(cls))
      failures.push(
        `crosswalk reference: class "${cls}" is listed with a reason but no longer occurs`,
      );

  // 2. Real UNIMARC records.
  let read = 0;
  let notUnimarc = 0;
  let titleKept = 0;
  let converted = 0;
  for (const path of ["short.bnr.1993.mrc", "serial.bnr.1993.mrc", "short.firenze.1977.mrc"]) {
    const bytes = readFileSync(join(corpus, "qa-catalogue", path));
    for (const r of readIso2709Buffer(bytes, { marc8: "keep" })) {
      if (!r.record) {
        failures.push(
          `qa-catalogue/${path}#${r.index}: not read: ${r.issues.map((i) => i.message).join("; ")}`,
        );
        continue;
      }
      read++;
      const { record } = decodeUnimarcText(r.record);
      // MARC 21 in UNIMARC clothing: leader/20-23 4500 and a personal name in 100.
      if (record.leader.slice(20, 23) === "450" && record.leader[23] === "0") {
        notUnimarc++;
        continue;
      }
      const marc21 = crosswalk(record, "UNIMARC", "MARC21");
      const back = crosswalk(marc21.record, "MARC21", "UNIMARC");
      converted++;
      const title = (rec: MarcRecord, tag: string): string =>
        loose(
          rec.fields.flatMap((f) =>
            isControlField(f) || f.tag !== tag ? [] : f.subfields.filter((s) => s.code === "a"),
          )[0]?.value ?? "",
        );
      if (
        title(record, "200") === title(back.record, "200") &&
        title(marc21.record, "245") === title(record, "200")
      )
        titleKept++;
      else
        failures.push(
          `qa-catalogue/${path}#${r.index}: title "${title(record, "200")}" not kept (245 "${title(marc21.record, "245")}", back "${title(back.record, "200")}")`,
        );
    }
  }
  table.push(
    `real UNIMARC (qa-catalogue): ${read} records read, ${notUnimarc} are MARC 21 (leader/20-23 4500: short.firenze.1977.mrc), ${converted} converted to MARC 21 and back, title kept in ${titleKept}`,
  );

  // 3. Round trip over the corpus.
  const kept: Record<string, { total: number; kept: number }> = {};
  let records = 0;
  for (const path of paths) {
    for (const r of readIso2709Buffer(readFileSync(join(corpus, path)))) {
      if (!r.record || !BIB_TYPES.includes(r.record.leader.charAt(6))) continue;
      records++;
      const back = crosswalk(
        crosswalk(r.record, "MARC21", "UNIMARC").record,
        "UNIMARC",
        "MARC21",
      ).record;
      for (const element of Object.keys(ELEMENTS)) {
        const before = elementValues(r.record, element);
        if (before.length === 0) continue;
        const after = new Set(elementValues(back, element));
        const k = (kept[element] ??= { total: 0, kept: 0 });
        k.total += before.length;
        k.kept += before.filter((v) => after.has(v)).length;
      }
    }
  }
  table.push(
    `MARC 21 → UNIMARC → MARC 21 over ${records} bibliographic records: share of values kept (floor)`,
  );
  for (const [element, { total, kept: n }] of Object.entries(kept)) {
    const share = n / Math.max(1, total);
    const floor = FLOORS[element] ?? 1;
    table.push(
      `  ${element.padEnd(15)} ${(100 * share).toFixed(2).padStart(6)}%  of ${total}  (floor ${(100 * floor).toFixed(1)}%)`,
    );
    if (share < floor)
      failures.push(
        `crosswalk round trip: ${element} kept ${(100 * share).toFixed(2)}% < floor ${(100 * floor).toFixed(0)}%`,
      );
  }
  return { table, failures };
}

/**
 * ISO 5426 against `yaz-iconv -f ISO5426 -t UTF-8`: every byte of the table alone (a combining
 * mark before `a`, `e`, `o`), in one text, decoded by both. Returns the lines and failures.
 */
/** Byte sequences on which marcgate and yaz-iconv knowingly differ, with the reason. */
const ISO5426_DIFFERENCES: Readonly<Record<string, string>> = {
  a2: "A2: the UNIMARC code table marcgate's table is generated from gives U+201C LEFT DOUBLE QUOTATION MARK, yaz U+201E DOUBLE LOW-9 QUOTATION MARK; marcgate follows the table",
  de61de65de6f:
    "DE: the table gives U+031B COMBINING HORN; yaz drops the mark; marcgate keeps it (nothing lost)",
};

export function checkIso5426(): CrosswalkCheck {
  const failures: string[] = [];
  const explained: string[] = [];
  const samples: Buffer[] = [];
  for (let b = 0xa0; b <= 0xff; b++) {
    const mark = b >= 0xc0 && b <= 0xdf;
    samples.push(mark ? Buffer.from([b, 0x61, b, 0x65, b, 0x6f]) : Buffer.from([b]));
  }
  let compared = 0;
  let agreed = 0;
  let undefinedInBoth = 0;
  for (const bytes of samples) {
    const r = spawnSync("yaz-iconv", ["-f", "ISO5426", "-t", "UTF-8"], { input: bytes });
    if (r.status !== 0) continue; // a byte yaz does not define
    compared++;
    const theirs = r.stdout.toString("utf8").normalize("NFC");
    const ours = decodeIso5426(bytes);
    const hex = bytes.toString("hex");
    const known = ISO5426_DIFFERENCES[hex];
    if (theirs === ours) {
      agreed++;
      if (known)
        failures.push(`ISO 5426 ${hex} is listed as a difference but agrees with yaz-iconv now`);
    } else if (known) explained.push(`  ${hex}: ${known}`);
    else if (ours.includes("\ufffd") && theirs.replace(/[aeo]/g, "") === "") undefinedInBoth++;
    else failures.push(`ISO 5426 ${hex}: ours "${ours}" yaz-iconv "${theirs}"`);
  }
  return {
    table: [
      `ISO 5426: ${agreed} of ${compared} byte sequences decode as yaz-iconv -f ISO5426 does, ${undefinedInBoth} are undefined in both (U+FFFD here, nothing from yaz); ${explained.length} differ, explained:`,
      ...explained,
    ],
    failures,
  };
}
