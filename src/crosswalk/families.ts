/**
 * KORMARC and CNMARC as their differences from the format each is built on, as tables run
 * by the same engine. Every difference listed here is sourced; what could not be sourced is
 * said in docs/crosswalk.md instead of being guessed.
 *
 * - KORMARC (National Library of Korea, KS X 6006-0) is MARC 21 plus Korean fields. 056 is
 *   the Korean Decimal Classification (KDC) number, `$2` its edition (Sun-Yoon Lee, "KORMARC
 *   and MARC21"; Oh Dong-Geun, "KORMARC", Int. Inf. & Library Review 24:4, 1992). MARC 21 has
 *   no KDC field: it records KDC in 084 with `$2 kdc` (MARC Classification Scheme Source Codes).
 *   049 (local holdings) has the same tag and role in both (OCLC's 049 too) and stays.
 * - CNMARC (National Library of China) is UNIMARC plus Chinese fields. 690 is the Chinese
 *   Library Classification (CLC) number, `$v` its edition (Ben Gu, "MARC Formats in China:
 *   Local or International?", JLIS.it 5(1) 2014); UNIMARC records it in 686 with `$2 clc`.
 */
import type { CrosswalkTable } from "./table.js";

const SAME = {
  to: "=",
  ind1: { from: "ind1" },
  ind2: { from: "ind2" },
  subfields: { "*": "*" },
} as const;

/** MARC 21 → KORMARC: 084 `$2 kdc…` becomes 056; everything else stays. */
export const MARC21_TO_KORMARC: CrosswalkTable = {
  "084": {
    ...SAME,
    to: { by: "subfield", code: "2", map: { kdc: "056" }, otherwise: "=" },
    variants: {
      "056": {
        ind1: " ",
        ind2: " ",
        subfields: { a: "a", b: "b", "2": "2" },
        steps: ["kdc-edition"],
      },
    },
  },
  "*": SAME,
};

/** KORMARC → MARC 21: 056 becomes 084 `$2 kdc` + edition. */
export const KORMARC_TO_MARC21: CrosswalkTable = {
  "056": {
    to: "084",
    ind1: " ",
    ind2: " ",
    subfields: { a: "a", b: "b", "2": "2" },
    steps: ["kdc-source"],
  },
  "*": SAME,
};

/** UNIMARC → CNMARC: 686 `$2 clc` becomes 690 (`$v` edition). */
export const UNIMARC_TO_CNMARC: CrosswalkTable = {
  "686": {
    ...SAME,
    to: { by: "subfield", code: "2", map: { clc: "690" }, otherwise: "=" },
    variants: { "690": { ind1: " ", ind2: " ", subfields: { a: "a", v: "v" } } },
  },
  "*": SAME,
};

/** CNMARC → UNIMARC: 690 becomes 686 `$2 clc`. */
export const CNMARC_TO_UNIMARC: CrosswalkTable = {
  "690": { to: "686", ind1: " ", ind2: " ", subfields: { a: "a", v: "v" }, add: [["2", "clc"]] },
  "*": SAME,
};
