/**
 * The checks a validation exception profile gives a severity to, each with a stable id (what a
 * profile file names) and what it looks at. The severities marcgate's "MarcXML Bib Import"
 * profile gives them are in `profile.ts`.
 */

/** The check ids, in the order `marcgate validation show` lists them. */
export const CHECK_IDS = [
  "structure.damaged",
  "structure.repaired",
  "leader.length",
  "leader.structure",
  "leader.record-status",
  "leader.type-of-record",
  "leader.bibliographic-level",
  "leader.type-of-control",
  "leader.character-coding",
  "leader.encoding-level",
  "leader.descriptive-cataloging-form",
  "leader.multipart-level",
  "field.245-missing",
  "field.non-repeatable",
  "field.undefined-tag",
  "field.obsolete-tag",
  "field.kind",
  "indicator.invalid",
  "subfield.undefined",
  "880.linkage",
  "008.missing",
  "008.length",
  "008.type-of-date",
  "008.material",
  "008.modified-record",
  "008.cataloging-source",
  "006.length",
  "006.form-of-material",
  "006.material",
  "authority.heading-missing",
] as const;
export type CheckId = (typeof CHECK_IDS)[number];

/** What each check looks at, for `marcgate validation show` and the docs. */
export const CHECK_DESCRIPTIONS: Readonly<Record<CheckId, string>> = {
  "structure.damaged":
    "the reader repaired the record's structure and data may be lost or guessed (leader lengths, directory, terminators, character coding)",
  "structure.repaired": "the reader repaired the record's structure without loss",
  "leader.length": "the leader is 24 characters",
  "leader.structure":
    "leader/10-11 are 22 (indicator count, subfield code length) and leader/20-23 are 4500",
  "leader.record-status": "leader/05 (record status) is a, c, d, n or p",
  "leader.type-of-record":
    "leader/06 (type of record) is a bibliographic type: a c d e f g i j k m o p r t",
  "leader.bibliographic-level": "leader/07 (bibliographic level) is a b c d i m or s",
  "leader.type-of-control": "leader/08 (type of control) is blank or a",
  "leader.character-coding": "leader/09 (character coding scheme) is blank or a",
  "leader.encoding-level":
    "leader/17 (encoding level) is blank, 1-5, 7, 8, u, z or OCLC's E I J K L M",
  "leader.descriptive-cataloging-form":
    "leader/18 (descriptive cataloging form) is blank, a, c, i, n or u",
  "leader.multipart-level": "leader/19 (multipart resource record level) is blank, a, b or c",
  "field.245-missing": "the record has a 245 (title statement)",
  "field.non-repeatable":
    "a field MARC 21 defines as not repeatable occurs once (880s count for themselves)",
  "field.undefined-tag":
    "the tag is defined in MARC 21 Bibliographic or local (9XX, 09X, 59X, 69X, any other tag with a 9)",
  "field.obsolete-tag": "the tag is not one MARC 21 has made obsolete (440, 503, 652 …)",
  "field.kind":
    "control fields (00X) hold a value, data fields indicators and subfields; tags are 3 characters",
  "indicator.invalid": "each indicator is a value MARC 21 defines for the tag",
  "subfield.undefined":
    "each subfield code is one MARC 21 defines for the tag ($9 is local in every field and not checked)",
  "880.linkage":
    "an 880 has a $6 naming the field it represents (a defined tag, occurrence number)",
  "008.missing": "the record has an 008 (fixed-length data elements)",
  "008.length": "the 008 is 40 characters",
  "008.type-of-date": "008/06 (type of date/publication status) is a defined code",
  "008.material":
    "008/18-34 hold codes defined for the record's material type (books, computer files, maps, music, continuing resources, visual materials, mixed materials), as leader/06-07 select it",
  "008.modified-record": "008/38 (modified record) is a defined code",
  "008.cataloging-source": "008/39 (cataloging source) is a defined code",
  "006.length": "each 006 (additional material characteristics) is 18 characters",
  "authority.heading-missing":
    "an authority record (leader/06 z) has a heading: one 1XX (100, 110, 111, 130, 147, 148, 150, 151, 155, 162, 180-182, 185)",
  "006.form-of-material": "006/00 (form of material) is a c d e f g i j k m o p r s t",
  "006.material": "006/01-17 hold the codes of 008/18-34 for the material type 006/00 names",
};

/** Whether a text is a check id. */
export function isCheckId(id: string): id is CheckId {
  return (CHECK_IDS as readonly string[]).includes(id);
}
