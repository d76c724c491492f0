/**
 * Unique OCLC Identifier: the incoming record's OCLC numbers (`035 $a (OCoLC)…`, or `001` with
 * `003 OCoLC`) against the stored OCLC numbers, and the cancelled numbers both ways round, as
 * Alma does (its multi-match option "Disregard invalid/canceled system control number
 * identifiers" exists because matches through them count):
 *
 * - an incoming number among the stored records' cancelled numbers (`019 $a`, `035 $z`): the
 *   stored record is the one WorldCat merged the incoming number into;
 * - an incoming cancelled number among the stored OCLC numbers: the stored record is a copy of
 *   a WorldCat record that has since been merged into the incoming one.
 *
 * Two cancelled numbers are not compared with each other: a shared old number says less than
 * either record's own number.
 */
import { keyMethod } from "./method.js";

export const uniqueOclcIdentifier = keyMethod(
  "Unique OCLC Identifier",
  [
    { from: "oclc", among: ["oclc", "oclc-cancelled"] },
    { from: "oclc-cancelled", among: ["oclc"] },
  ],
  "OCLC number (035 $a (OCoLC)…, 019, 035 $z)",
);
