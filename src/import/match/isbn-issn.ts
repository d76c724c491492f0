/**
 * ISBN/ISSN: an exact subfield match, as Alma's ISBN and ISSN methods: incoming `020 $a` among
 * the stored `020 $a`, `020 $z` among the stored `020 $z`, `022 $a` among `022 $a`, `022 $y`/`$z`
 * among `022 $y`/`$z`. Values are normalized by the match-key extractor (an ISBN-10 folded to
 * its ISBN-13, an ISSN with its hyphen). The linking ISSN (`022 $l`) is not used: it is shared
 * by the print and the online editions, which are different records.
 */
import { keyMethod } from "./method.js";

export const isbnIssn = keyMethod(
  "ISBN/ISSN",
  [
    { from: "isbn", among: ["isbn"] },
    { from: "isbn-cancelled", among: ["isbn-cancelled"] },
    { from: "issn", among: ["issn"] },
    { from: "issn-cancelled", among: ["issn-cancelled"] },
  ],
  "ISBN or ISSN (020 $a $z, 022 $a $y $z)",
);
