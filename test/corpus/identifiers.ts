/**
 * The match-key extractor on every ISO 2709 record of the corpus (bench file included): what it
 * could not read.
 *
 * For each identifier place (035 `$a`/`$z`, 019 `$a`, 020 `$a`/`$z`, 022 `$a`/`$y`/`$z`), every
 * value that looks like an identifier of its kind (see {@link PLACES}) is put, alone, in a
 * record of one field, and {@link extractMatchKeys} must give the key kind that place gives.
 * Values that give none are counted and a few are printed. The suite fails when a place has more
 * unread values than its ceiling in {@link PLACES}: the ceilings are what the extractor leaves
 * unread today, each with the reason, so a regression in extraction shows here.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readIso2709Buffer } from "../../src/marc/iso2709.js";
import { extractMatchKeys, type MatchKeyKind } from "../../src/marc/match-keys.js";
import { getDataFields } from "../../src/marc/record.js";

/** One place identifiers are written in, what it must give, and how many may stay unread. */
interface Place {
  readonly tag: string;
  readonly code: string;
  readonly kind: MatchKeyKind;
  /** Whether a value looks like an identifier of this place's kind. */
  readonly looksLike: (value: string) => boolean;
  /** Values that look like one but give no key of the kind by decision: counted apart. */
  readonly byDecision?: (value: string) => boolean;
  /** At most this many such values may give no key (what is unread today, and why). */
  readonly ceiling: number;
}

/** An OCLC number: OCLC's name or its prefixes, and a digit. */
const oclcLike = (v: string): boolean =>
  /\d/.test(v) && (/oc[o]?lc/i.test(v) || /(?:^|[^\p{L}])(?:ocm|ocn|on)\s*\d/iu.test(v));
/** A cancelled OCLC number in OCLC's own field: any value with a digit. */
const anyDigits = (v: string): boolean => /\d/.test(v);
/** An ISBN: a run of at least ten digits (separators allowed), the last one may be an X. */
const isbnLike = (v: string): boolean => /\d(?:[\s-]?\d){8,}[\s-]?[\dXx]/.test(v);
/** An ISSN: four digits, a hyphen or not, four more (the last may be an X). */
const issnLike = (v: string): boolean => /\d{4}\s*-?\s*\d{3}[\dXx]/.test(v);

/** `(OCoLC-I)`: an institution record's number, not a WorldCat one (docs/match-keys.md). */
const institutionRecord = (v: string): boolean => /^\s*\(\s*ocolc\s*-\s*i\s*\)/i.test(v);

// The ceilings, by what is left unread today (from the corpus, December 2026):
// - 035 $a 8: `(OCoLC)cis10504687` and `(OCoLC)pks04480619` (2 each: other numbers in OCLC's
//   name), `(WaSeSS)OCM1ssj0000060` (2: Serials Solutions ids), `OCoLC-M656729` (2: no
//   parentheses, so no prefix is sure).
// - 019 $a 2: `-10-07` and `Serie :2485015178` in one record of a library whose 019 is not OCLC's.
// - 020 $a 11 and $z 8: 13 characters ending in X (`979123456789X`, `978185585039X (pbk.)`,
//   `000123456789X`), 11 digits (`0-397-47189-17 (v. 1)`), 13 digits not 978/979
//   (`0092753139554`, an EAN): none is an ISBN.
// - 022 $a 3: nine digits (`1234-56789`), and a Chilean tax number in a 022 `$a` of free text.
const PLACES: readonly Place[] = [
  {
    tag: "035",
    code: "a",
    kind: "oclc",
    looksLike: oclcLike,
    byDecision: institutionRecord,
    ceiling: 8,
  },
  {
    tag: "035",
    code: "z",
    kind: "oclc-cancelled",
    looksLike: oclcLike,
    byDecision: institutionRecord,
    ceiling: 0,
  },
  { tag: "019", code: "a", kind: "oclc-cancelled", looksLike: anyDigits, ceiling: 2 },
  { tag: "020", code: "a", kind: "isbn", looksLike: isbnLike, ceiling: 11 },
  { tag: "020", code: "z", kind: "isbn-cancelled", looksLike: isbnLike, ceiling: 8 },
  { tag: "022", code: "a", kind: "issn", looksLike: issnLike, ceiling: 3 },
  { tag: "022", code: "y", kind: "issn-cancelled", looksLike: issnLike, ceiling: 0 },
  { tag: "022", code: "z", kind: "issn-cancelled", looksLike: issnLike, ceiling: 0 },
];

/** Examples printed per place. */
const EXAMPLES = 8;

/** What the identifier check found. */
export interface IdentifierCheck {
  readonly records: number;
  readonly table: readonly string[];
  readonly failures: readonly string[];
}

/** Whether the value, alone in its place, gives a key of the place's kind. */
function gives(place: Place, value: string): boolean {
  const keys = extractMatchKeys(
    {
      leader: "00000nam a2200000 a 4500",
      fields: [{ tag: place.tag, ind1: " ", ind2: " ", subfields: [{ code: place.code, value }] }],
    },
    { titleKey: false },
  );
  return keys.some((k) => k.kind === place.kind);
}

/** Runs the check over the ISO 2709 files at `paths` (relative to `corpus`). */
export function checkIdentifiers(corpus: string, paths: readonly string[]): IdentifierCheck {
  const seen = PLACES.map(() => 0);
  const decided = PLACES.map(() => 0);
  const unread = PLACES.map((): { value: string; where: string }[] => []);
  let records = 0;
  for (const path of paths) {
    let index = 0;
    for (const r of readIso2709Buffer(readFileSync(join(corpus, path)))) {
      const where = `${path}#${index++}`;
      if (!r.record) continue;
      records++;
      PLACES.forEach((place, i) => {
        for (const field of getDataFields(r.record!, place.tag)) {
          for (const s of field.subfields) {
            if (s.code !== place.code || !place.looksLike(s.value)) continue;
            seen[i]!++;
            if (gives(place, s.value)) continue;
            if (place.byDecision?.(s.value)) decided[i]!++;
            else unread[i]!.push({ value: s.value, where });
          }
        }
      });
    }
  }
  const table: string[] = [
    `  ${"place".padEnd(8)} ${"kind".padEnd(15)} ${"look like one".padStart(13)} ${"no key".padStart(7)} ${"ceiling".padStart(7)} ${"by decision".padStart(11)}`,
  ];
  const failures: string[] = [];
  PLACES.forEach((place, i) => {
    const name = `${place.tag} $${place.code}`;
    const misses = unread[i]!;
    table.push(
      `  ${name.padEnd(8)} ${place.kind.padEnd(15)} ${String(seen[i]).padStart(13)} ${String(misses.length).padStart(7)} ${String(place.ceiling).padStart(7)} ${String(decided[i]).padStart(11)}`,
    );
    for (const m of misses.slice(0, EXAMPLES))
      table.push(`      ${JSON.stringify(m.value)}  ${m.where}`);
    if (misses.length > EXAMPLES) table.push(`      … and ${misses.length - EXAMPLES} more`);
    if (misses.length > place.ceiling) {
      failures.push(
        `identifiers: ${name}: ${misses.length} values that look like a ${place.kind} give no key (at most ${place.ceiling})`,
      );
    }
  });
  return { records, table, failures };
}
