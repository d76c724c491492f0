/** Every match method by its name: the one list `runMatchMethod` and Multi-step choose from. */
import type { MatchStepName } from "../profile.js";
import { isbnIssn } from "./isbn-issn.js";
import type { MatchMethod } from "./method.js";
import { controlNumberToMmsId } from "./mms-id.js";
import { otherSystemIdentifier } from "./other-system-id.js";
import { standardIdOr035 } from "./standard-id.js";
import { titleAndAuthor } from "./title-author.js";
import { uniqueOclcIdentifier } from "./unique-oclc.js";

/** The methods a profile (or a multi-step list) can name, but Multi-step itself. */
export const MATCH_METHODS: Readonly<Record<MatchStepName, MatchMethod>> = {
  "Unique OCLC Identifier": uniqueOclcIdentifier,
  "035 (Other System Identifier)": otherSystemIdentifier,
  "ISBN/ISSN": isbnIssn,
  "024 / 035": standardIdOr035,
  "001 to MMS ID": controlNumberToMmsId,
  "Title and author": titleAndAuthor,
};
