/**
 * 024 / 035: the record's other standard identifiers (`024 $a` as `type:number`, e.g.
 * `upc:012345678905`, `doi:10.1000/182`) among the stored ones, and its `035 $a` as in
 * "035 (Other System Identifier)". Both are looked up and every record found counts.
 */
import { keyMethod } from "./method.js";
import { SYSTEM_NUMBER_ROUTES } from "./other-system-id.js";

export const standardIdOr035 = keyMethod(
  "024 / 035",
  [{ from: "standard-id", among: ["standard-id"] }, ...SYSTEM_NUMBER_ROUTES],
  "024 $a or 035 $a",
);
