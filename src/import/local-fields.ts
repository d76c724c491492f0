/**
 * Local fields of network-zone records — Alma's "local extensions". In a network zone the
 * bibliographic record is shared by the member institutions, but some fields are each
 * institution's own: `09X` (local call numbers), `59X` (local notes), `69X` (local subject
 * access), `9XX` (local data), and any field marked `$9 LOCAL`. An import through the network
 * zone keeps these with the institution that sent them, apart from the shared record and
 * invisible to the other members (the catalog's `localFields`).
 */
import { isDataField, sameField, tagMatches, type Field, type MarcRecord } from "../marc/record.js";

/** The tags of local fields, whatever their content. */
export const LOCAL_FIELD_TAGS = ["09X", "59X", "69X", "9XX"] as const;

/**
 * Whether a field is a local field: a data field with a local tag (`09X`, `59X`, `69X`, `9XX`)
 * or with a subfield `$9` `LOCAL` (any case). Control fields never are.
 *
 * @example
 * ```ts
 * isLocalField({ tag: "949", ind1: " ", ind2: " ", subfields: [{ code: "a", value: "x" }] }); // true
 * isLocalField({ tag: "650", ind1: " ", ind2: "0", subfields: [{ code: "9", value: "local" }] }); // true
 * isLocalField({ tag: "650", ind1: " ", ind2: "0", subfields: [{ code: "a", value: "Cats." }] }); // false
 * ```
 */
export function isLocalField(field: Field): boolean {
  if (!isDataField(field)) return false;
  if (LOCAL_FIELD_TAGS.some((pattern) => tagMatches(field.tag, pattern))) return true;
  return field.subfields.some((s) => s.code === "9" && s.value.trim().toUpperCase() === "LOCAL");
}

/** A record split into its shared part and its local fields (each in record order). */
export interface SplitRecord {
  readonly shared: MarcRecord;
  readonly local: readonly Field[];
}

/** Splits a record into the fields every member shares and the local fields. */
export function splitLocalFields(record: MarcRecord): SplitRecord {
  const shared: Field[] = [];
  const local: Field[] = [];
  for (const field of record.fields) (isLocalField(field) ? local : shared).push(field);
  return { shared: { leader: record.leader, fields: shared }, local };
}

/** Whether two lists of fields are the same, in order. */
export function sameFields(a: readonly Field[], b: readonly Field[]): boolean {
  return a.length === b.length && a.every((f, i) => sameField(f, b[i]!));
}
