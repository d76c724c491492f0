/**
 * The MARC record model: read-only plain data.
 *
 * A record is a 24-character leader and an ordered list of fields. A control field
 * (tags `001`–`009`) holds one value; a data field holds two indicators and an ordered
 * list of subfields. Field order is kept exactly as read, so a well-formed record
 * written back gives the same bytes.
 *
 * @example
 * ```ts
 * const record: MarcRecord = {
 *   leader: "00000nam a2200000 a 4500",
 *   fields: [
 *     { tag: "001", value: "ocm12345" },
 *     { tag: "245", ind1: "1", ind2: "0", subfields: [{ code: "a", value: "Title" }] },
 *   ],
 * };
 * getFields(record, "245")[0]; // the 245 field
 * leaderValue(record, "bibliographicLevel"); // "m"
 * ```
 */

/** One subfield: its one-character code and its value. */
export interface Subfield {
  readonly code: string;
  readonly value: string;
}

/** A control field (`001`–`009`): a tag and one value, no indicators, no subfields. */
export interface ControlField {
  readonly tag: string;
  readonly value: string;
}

/** A data field: tag, two one-character indicators, and ordered subfields. */
export interface DataField {
  readonly tag: string;
  readonly ind1: string;
  readonly ind2: string;
  readonly subfields: readonly Subfield[];
}

export type Field = ControlField | DataField;

/** A MARC record: the 24-character leader and its fields in their original order. */
export interface MarcRecord {
  readonly leader: string;
  readonly fields: readonly Field[];
}

/** Tells a control field from a data field. The one place that decides it. */
export function isControlField(field: Field): field is ControlField {
  return !("subfields" in field);
}

/** Tells a data field from a control field (the negation of {@link isControlField}). */
export function isDataField(field: Field): field is DataField {
  return "subfields" in field;
}

/**
 * Whether a tag names a control field when read from ISO 2709 or a line format:
 * tags starting `00` (MARC 21 `001`–`009`). This follows yaz and MARC 21.
 */
export function isControlTag(tag: string): boolean {
  return tag.length === 3 && tag.charCodeAt(0) === 0x30 && tag.charCodeAt(1) === 0x30;
}

/** Named leader positions (zero-based, as MARC 21 writes `leader/06`). */
export const LEADER_POSITIONS = {
  /** leader/05: n new, c corrected, d deleted, a increase in encoding level, p prepublication */
  recordStatus: 5,
  /** leader/06: a language material, c notated music, e cartographic, … z authority, x/y/u/v holdings */
  typeOfRecord: 6,
  /** leader/07: m monograph, s serial, i integrating resource, a/b/c/d components and collections */
  bibliographicLevel: 7,
  /** leader/08: type of control (a archival) */
  typeOfControl: 8,
  /** leader/09: character coding scheme, blank MARC-8, `a` UCS/Unicode */
  characterCoding: 9,
  /** leader/17: encoding level (blank full, 1–8, u, z; OCLC also I, K, M, L, J) */
  encodingLevel: 17,
  /** leader/18: descriptive cataloging form (a AACR2, i ISBD, c/n …) */
  descriptiveCatalogingForm: 18,
  /** leader/19: multipart resource record level */
  multipartResourceRecordLevel: 19,
} as const;

export type LeaderPositionName = keyof typeof LEADER_POSITIONS;

/** The leader character at a named position (`" "` when the leader is too short). */
export function leaderValue(record: MarcRecord, name: LeaderPositionName): string {
  return record.leader.charAt(LEADER_POSITIONS[name]) || " ";
}

/**
 * The two kinds of record the catalog keeps apart: MARC 21 authority records (leader/06 `z`)
 * and bibliographic records (every other type). Matching never compares records of two kinds.
 */
export type RecordKind = "bib" | "authority";

/** The kind of a record by its leader/06 (`z`: authority). */
export function recordKind(record: MarcRecord): RecordKind {
  return leaderValue(record, "typeOfRecord") === "z" ? "authority" : "bib";
}

/** A copy of the leader with one position replaced. */
export function withLeaderValue(leader: string, name: LeaderPositionName, value: string): string {
  const at = LEADER_POSITIONS[name];
  const padded = leader.length > at ? leader : leader.padEnd(at + 1, " ");
  return padded.slice(0, at) + value.charAt(0) + padded.slice(at + 1);
}

/**
 * A tag pattern: an exact tag (`"245"`), a tag with `X` wildcards in the MARC manner
 * (`"6XX"`, `"1X0"`; `x` and `.` work too), or a regular expression tested against the tag.
 */
export type TagPattern = string | RegExp;

/** Whether a tag matches a {@link TagPattern}. */
export function tagMatches(tag: string, pattern: TagPattern): boolean {
  if (typeof pattern !== "string") return pattern.test(tag);
  if (pattern.length !== tag.length) return false;
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i];
    if (p !== "X" && p !== "x" && p !== "." && p !== tag[i]) return false;
  }
  return true;
}

/** All fields whose tag matches the pattern, in record order. */
export function getFields(record: MarcRecord, pattern: TagPattern): Field[] {
  return record.fields.filter((f) => tagMatches(f.tag, pattern));
}

/** All data fields whose tag matches the pattern, in record order. */
export function getDataFields(record: MarcRecord, pattern: TagPattern): DataField[] {
  return record.fields.filter((f): f is DataField => isDataField(f) && tagMatches(f.tag, pattern));
}

/** The value of the first control field with this tag, or `undefined`. */
export function getControlValue(record: MarcRecord, tag: string): string | undefined {
  for (const f of record.fields) if (f.tag === tag && isControlField(f)) return f.value;
  return undefined;
}

/** The values of a field's subfields with the given code(s), in order. */
export function subfieldValues(field: DataField, codes: string): string[] {
  const out: string[] = [];
  for (const s of field.subfields) if (codes.includes(s.code)) out.push(s.value);
  return out;
}

/** Whether two fields are the same: tag, and value or indicators and subfields in order. */
export function sameField(f: Field, g: Field): boolean {
  if (f.tag !== g.tag) return false;
  if (isControlField(f)) return isControlField(g) && f.value === g.value;
  if (isControlField(g)) return false;
  return (
    f.ind1 === g.ind1 &&
    f.ind2 === g.ind2 &&
    f.subfields.length === g.subfields.length &&
    f.subfields.every(
      (s, j) => s.code === g.subfields[j]!.code && s.value === g.subfields[j]!.value,
    )
  );
}

/**
 * Tags whose repeated fields are a set, not a sequence: `035` system numbers (no one reads a
 * meaning into which comes first, and a merge keeps a record's own `035 9_` apart from the
 * incoming `035`s, so cannot know where it stood among them).
 */
const UNORDERED_TAGS: ReadonlySet<string> = new Set(["035"]);

/** The fields of a record grouped by tag, each group in record order. */
function fieldsByTag(record: MarcRecord): Map<string, Field[]> {
  const byTag = new Map<string, Field[]>();
  for (const f of record.fields) {
    const group = byTag.get(f.tag);
    if (group) group.push(f);
    else byTag.set(f.tag, [f]);
  }
  return byTag;
}

/** Whether two groups of fields hold the same fields, each as often, in any order. */
function sameFieldsAnyOrder(a: readonly Field[], b: readonly Field[]): boolean {
  const left = [...b];
  for (const f of a) {
    const at = left.findIndex((g) => sameField(f, g));
    if (at < 0) return false;
    left.splice(at, 1);
  }
  return true;
}

/**
 * Whether two records hold the same content — what "unchanged" means to an import: the same
 * leader (the positions a writer computes, 00-04 lengths, 09 coding, 10-11, 12-16, don't count)
 * and, tag by tag, the same fields in the same order. The order of fields of different tags
 * does not count (`500 700` is `700 500`): a record sent out of tag order and the merge's result
 * in tag order are the same record. The order of repeated fields of one tag does count (the
 * first `650` is the main subject, `700`s and `5XX` notes are in the cataloger's order), except
 * for `035`s, which are a set. See `docs/import.md`.
 */
export function sameMarc(a: MarcRecord, b: MarcRecord): boolean {
  const leader = (l: string): string => l.slice(5, 9) + l.slice(17);
  if (leader(a.leader) !== leader(b.leader) || a.fields.length !== b.fields.length) return false;
  const bByTag = fieldsByTag(b);
  for (const [tag, fields] of fieldsByTag(a)) {
    const other = bByTag.get(tag) ?? [];
    if (other.length !== fields.length) return false;
    if (UNORDERED_TAGS.has(tag)) {
      if (!sameFieldsAnyOrder(fields, other)) return false;
    } else if (!fields.every((f, i) => sameField(f, other[i]!))) return false;
  }
  return true;
}

/**
 * The record with more fields put in by tag: each after the last field whose tag is not greater,
 * so a record in tag order stays in tag order and the record's own fields keep their order.
 */
export function insertFieldsByTag(record: MarcRecord, added: readonly Field[]): MarcRecord {
  if (added.length === 0) return record;
  const fields = [...record.fields];
  for (const field of added) {
    let at = fields.length;
    while (at > 0 && fields[at - 1]!.tag > field.tag) at--;
    fields.splice(at, 0, field);
  }
  return { leader: record.leader, fields };
}
