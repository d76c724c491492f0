/**
 * "MARC 21 Bib Initial Normalization": what Alma runs on every imported record before the
 * profile's own normalization rules.
 *
 * 1. `001` + `003` become `035 $a(003)001` (not added again when the record already has that
 *    `035 $a`), and `003` is removed. A `001` that is an OCLC number by its prefix (`ocm`, `ocn`,
 *    `on`) without `003` is taken as `003 OCoLC`; any other `001` without `003` stays as it is.
 * 2. Empty subfields (no text, or only spaces) are dropped, then data fields left with no
 *    subfields, and control fields with no text.
 *
 * The `001` itself is replaced by the MMS ID when the record is saved (see `decide`).
 */
import {
  getControlValue,
  isControlField,
  type DataField,
  type Field,
  type MarcRecord,
} from "../marc/record.js";
import { hasOclcLetters } from "../marc/match-keys.js";
import type { LogEntry } from "./log.js";

/**
 * The record after the initial normalization, and one log entry per change.
 *
 * @example
 * ```ts
 * initialNormalization({ leader, fields: [{ tag: "001", value: "ocm123" }, { tag: "003", value: "OCoLC" }] });
 * // record: 001 ocm123, 035 $a(OCoLC)ocm123; log: ["001 ocm123 with 003 OCoLC copied to 035 $a(OCoLC)ocm123; 003 removed"]
 * ```
 */
export function initialNormalization(record: MarcRecord): {
  readonly record: MarcRecord;
  readonly log: LogEntry[];
} {
  const log: LogEntry[] = [];
  let fields: Field[] = [];
  let emptySubfields = 0;
  const emptyFields: string[] = [];
  for (const field of record.fields) {
    if (isControlField(field)) {
      if (field.value.trim() === "") emptyFields.push(field.tag);
      else fields.push(field);
      continue;
    }
    const subfields = field.subfields.filter((s) => s.value.trim() !== "");
    emptySubfields += field.subfields.length - subfields.length;
    if (subfields.length === 0) emptyFields.push(field.tag);
    else fields.push(subfields.length === field.subfields.length ? field : { ...field, subfields });
  }
  if (emptySubfields > 0) {
    log.push({ stage: "normalize", message: `${emptySubfields} empty subfield(s) dropped` });
  }
  if (emptyFields.length > 0) {
    log.push({
      stage: "normalize",
      message: `empty field(s) dropped: ${emptyFields.join(", ")}`,
    });
  }

  const controlNumber = getControlValue({ leader: record.leader, fields }, "001")?.trim();
  let identifier = getControlValue({ leader: record.leader, fields }, "003")?.trim();
  const hadIdentifier = Boolean(identifier);
  if (controlNumber && !identifier && hasOclcLetters(controlNumber)) {
    // An OCLC number (ocm/ocn/on) without its 003: the 001 is about to become the MMS ID, so
    // the number would be lost, and with it the match on the next export.
    identifier = "OCoLC";
    log.push({
      stage: "normalize",
      message: `001 ${controlNumber} is an OCLC number (ocm/ocn/on) with no 003: taken as 003 OCoLC`,
    });
  }
  if (controlNumber && identifier) {
    const value = `(${identifier})${controlNumber}`;
    const present = fields.some(
      (f) =>
        f.tag === "035" &&
        !isControlField(f) &&
        f.subfields.some((s) => s.code === "a" && s.value === value),
    );
    fields = fields.filter((f) => f.tag !== "003");
    if (!present) {
      const added: DataField = {
        tag: "035",
        ind1: " ",
        ind2: " ",
        subfields: [{ code: "a", value }],
      };
      fields = insertInTagOrder(fields, added);
    }
    log.push({
      stage: "normalize",
      message: present
        ? `${hadIdentifier ? "003 removed" : "no 035 added"} (035 $a${value} was already there)`
        : `001 ${controlNumber} with 003 ${identifier} copied to 035 $a${value}${hadIdentifier ? "; 003 removed" : ""}`,
    });
  }
  return { record: { leader: record.leader, fields }, log };
}

/** The fields with one more, after the last field whose tag sorts at or before its tag. */
export function insertInTagOrder(fields: readonly Field[], added: Field): Field[] {
  let at = 0;
  for (let i = 0; i < fields.length; i++) if (fields[i]!.tag <= added.tag) at = i + 1;
  return [...fields.slice(0, at), added, ...fields.slice(at)];
}
