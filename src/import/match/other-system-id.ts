/**
 * 035 (Other System Identifier): every `035 $a` of the incoming record against the stored
 * `035 $a` values. A number of another system (`(DLC)2001012345`, `(Sirsi)a999`) is looked up
 * among the stored other-system numbers and system numbers (`(003)001` of records loaded with
 * their own control number), with whitespace removed and letter case kept; an `(OCoLC)` number
 * among the stored OCLC numbers (normalized the same way as for Unique OCLC Identifier, but
 * without the cancelled numbers: those are that method's business).
 */
import { keyMethod, type KeyRoute } from "./method.js";

/** The look-ups of an `035 $a`, shared with "024 / 035". */
export const SYSTEM_NUMBER_ROUTES: readonly KeyRoute[] = [
  { from: "other-system-id", among: ["other-system-id", "system-id"] },
  { from: "oclc", among: ["oclc"] },
];

export const otherSystemIdentifier = keyMethod(
  "035 (Other System Identifier)",
  SYSTEM_NUMBER_ROUTES,
  "035 $a",
);
