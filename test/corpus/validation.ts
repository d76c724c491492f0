/**
 * The "MarcXML Bib Import" validation exception profile on every ISO 2709 record of the corpus,
 * as the import pipeline runs it (after the initial normalization, with the reader's repairs).
 *
 * Prints, per check, its severity and how many bibliographic records it finds something in, and
 * per source the bibliographic records an error would hold. Fails when validation throws, when
 * a record that is not bibliographic (authority, holdings) would not be held, or when more than
 * {@link MAX_HELD_SHARE} of the records catalogued at OCLC or LC would be held: real catalog
 * records should very rarely be, so a wrong table or a too strict severity shows here. (The
 * corpus also holds fixtures made to be broken or cut down to a few fields for a test; they are
 * counted, but not held to that share.)
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { initialNormalization } from "../../src/import/initial-normalization.js";
import { readIso2709Buffer } from "../../src/marc/iso2709.js";
import {
  getControlValue,
  getDataFields,
  subfieldValues,
  type MarcRecord,
} from "../../src/marc/record.js";
import { CHECK_IDS, type CheckId } from "../../src/validation/checks.js";
import { materialType } from "../../src/validation/fixed-fields.js";
import { BUILT_IN_PROFILES } from "../../src/validation/profile.js";
import {
  findProblems,
  issueLocation,
  type ValidationProblem,
} from "../../src/validation/validate.js";

/** At most this share of the corpus's OCLC/LC bibliographic records may be held by an error. */
const MAX_HELD_SHARE = 0.02;

export interface ValidationCheck {
  readonly table: readonly string[];
  readonly failures: readonly string[];
}

/**
 * Corpus files whose records were damaged on purpose, to test a reader (their names say so, or
 * their project's tests do): their OCLC/LC records are counted and shown, but not held to
 * {@link MAX_HELD_SHARE}. Every entry is a file an error rightly holds.
 */
const BROKEN_ON_PURPOSE: Readonly<Record<string, string>> = {
  "incomplete_esc_seq.mrc": "MARC-8 escape sequences cut short",
  "chinese_mangled_multibyte.mrc": "EACC characters mangled",
  "bad_eacc_encoding.dat": "EACC characters that do not exist",
  "bad_eacc_encoding.marc8.marc": "EACC characters that do not exist",
  "bad_marc8_escape.dat": "unknown MARC-8 escape sequences",
  "greekmissingcharsetchange.mrc": "Greek text without its MARC-8 character set change",
  "pride-and-prejudice-with-many-errors.mrc":
    "marc4j's record-error fixture: bytes broken throughout",
  "bad_subfield_code.dat": "pymarc's fixture of broken subfield codes and indicators",
  "bad_indicator.dat": "pymarc's fixture of broken indicators",
  "hebrew.marc": "every record carries a second, empty 008 before its real one",
  "hebrew.mrc": "every record carries a second, empty 008 before its real one",
};

interface Count {
  records: number;
  problems: number;
  example?: string;
}

interface SourceRow {
  bib: number;
  held: number;
  real: number;
  realHeld: number;
  other: number;
}

/**
 * A record catalogued at OCLC or the Library of Congress, as far as it says so: an OCLC number
 * (`001` ocm/ocn/on, `003 OCoLC`, `035 $a (OCoLC)`) or `040 $a DLC`.
 */
function fromOclcOrLc(record: MarcRecord): boolean {
  const id = getControlValue(record, "001") ?? "";
  if (/^(ocm|ocn|on)\d/.test(id) || getControlValue(record, "003") === "OCoLC") return true;
  for (const f of getDataFields(record, "035")) {
    if (subfieldValues(f, "a").some((v) => v.startsWith("(OCoLC)"))) return true;
  }
  for (const f of getDataFields(record, "040")) {
    if (subfieldValues(f, "a").includes("DLC")) return true;
  }
  return false;
}

function cells(name: string, values: readonly (number | string)[]): string {
  return `${name.padEnd(36)} ${values.map((v) => String(v).padStart(8)).join(" ")}`;
}

export function checkValidation(corpus: string, paths: readonly string[]): ValidationCheck {
  const profile = BUILT_IN_PROFILES["MarcXML Bib Import"]!;
  const failures: string[] = [];
  const byCheck = new Map<CheckId, Count>(CHECK_IDS.map((id) => [id, { records: 0, problems: 0 }]));
  const bySource = new Map<string, SourceRow>();
  const heldExamples: string[] = [];
  for (const path of paths) {
    const source = path.split("/")[0]!;
    const row = bySource.get(source) ?? { bib: 0, held: 0, real: 0, realHeld: 0, other: 0 };
    bySource.set(source, row);
    for (const result of readIso2709Buffer(readFileSync(join(corpus, path)))) {
      if (result.record === undefined) continue; // unreadable: rejected before validation
      const where = `${path}#${result.index}`;
      const record = initialNormalization(result.record).record;
      const bib = materialType(record.leader.charAt(6), record.leader.charAt(7)) !== undefined;
      let problems: ValidationProblem[];
      try {
        problems = findProblems(record, result.issues);
      } catch (error) {
        failures.push(
          `${where}: validation threw ${error instanceof Error ? error.stack : String(error)}`,
        );
        continue;
      }
      const errors = problems.filter((p) => profile.checks[p.check] === "error");
      if (!bib) {
        row.other++;
        if (errors.length === 0) {
          failures.push(`${where}: a '${record.leader.charAt(6)}' record passes as bibliographic`);
        }
        continue;
      }
      row.bib++;
      const real = fromOclcOrLc(record) && !(path.split("/").pop()! in BROKEN_ON_PURPOSE);
      if (real) row.real++;
      if (errors.length > 0) {
        row.held++;
        if (real) {
          row.realHeld++;
          heldExamples.push(
            `${where}: ${errors
              .map((e) => `${e.check} ${issueLocation(e)}: ${e.message}`)
              .join("; ")
              .slice(0, 200)}`,
          );
        }
      }
      const seen = new Set<CheckId>();
      for (const p of problems) {
        const count = byCheck.get(p.check)!;
        count.problems++;
        count.example ??= `${where} ${issueLocation(p)}: ${p.message}`.slice(0, 110);
        if (!seen.has(p.check)) {
          seen.add(p.check);
          count.records++;
        }
      }
    }
  }
  const table: string[] = [
    `${"check".padEnd(36)} ${"severity".padEnd(8)} ${"records".padStart(8)} ${"problems".padStart(8)}  first seen`,
  ];
  for (const id of CHECK_IDS) {
    const c = byCheck.get(id)!;
    table.push(
      `${id.padEnd(36)} ${profile.checks[id].padEnd(8)} ${String(c.records).padStart(8)} ${String(c.problems).padStart(8)}  ${c.example ?? ""}`,
    );
  }
  table.push(
    "",
    `OCLC/LC: records catalogued at OCLC or LC, outside the ${Object.keys(BROKEN_ON_PURPOSE).length} files broken on purpose`,
    cells("source", ["bib", "held", "OCLC/LC", "held", "not bib"]),
  );
  const total: SourceRow = { bib: 0, held: 0, real: 0, realHeld: 0, other: 0 };
  for (const [source, row] of [...bySource].sort()) {
    for (const k of Object.keys(total) as (keyof SourceRow)[]) total[k] += row[k];
    table.push(cells(source, [row.bib, row.held, row.real, row.realHeld, row.other]));
  }
  table.push(cells("TOTAL", [total.bib, total.held, total.real, total.realHeld, total.other]));
  table.push(
    "",
    `OCLC/LC records held (${heldExamples.length}${heldExamples.length > 30 ? ", first 30" : ""}):`,
    ...heldExamples.slice(0, 30).map((e) => `  ${e}`),
  );
  if (total.realHeld > total.real * MAX_HELD_SHARE) {
    failures.push(
      `validation: ${total.realHeld} of ${total.real} OCLC/LC bibliographic records held by an error (more than ${MAX_HELD_SHARE * 100}%)`,
    );
  }
  return { table, failures };
}
