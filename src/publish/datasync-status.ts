/**
 * What the record view says of a record and OCLC: whether it would be published now and why (or
 * why not), and what each Data Sync consumer last sent of it.
 */
import type { StoredRecord, ZoneKind } from "../catalog/catalog.js";
import type { OclcPublication } from "../catalog/publishing.js";
import { oclcEligibility } from "./datasync.js";

/** Whether the next Data Sync run of the record's institution would send it, and why. */
export function oclcNow(record: StoredRecord, zoneKind: ZoneKind): string {
  if (zoneKind === "network")
    return "Not published to OCLC: a network-zone record (each institution publishes its own zone).";
  const now = oclcEligibility(record, record.zone);
  const numbers = (list: readonly string[]): string =>
    list.length === 0 ? "no OCLC number" : `OCLC ${list.map((n) => `(OCoLC)${n}`).join(", ")}`;
  switch (now.as) {
    case "bib":
      return `Published to OCLC as a bibliographic record (management tag "${record.managementTag}"; ${numbers(now.oclcNumbers)}).`;
    case "holdings":
      return `Published to OCLC as holdings only (management tag "${record.managementTag}"; ${numbers(now.oclcNumbers)}).`;
    default:
      return `Not published to OCLC: ${now.reason}.`;
  }
}

/** One consumer's last publication of the record, in words. */
export function oclcSent(publication: OclcPublication): string {
  const numbers = publication.oclcNumbers.map((n) => `(OCoLC)${n}`).join(", ") || "no OCLC number";
  switch (publication.sent) {
    case "n":
      return `sent as new (leader/05 n; ${numbers})`;
    case "c":
      return `sent as changed (leader/05 c; ${numbers})`;
    case "d":
      return `sent as deleted (leader/05 d; ${numbers})`;
    case "set":
      return `holdings set on ${numbers}`;
    case "delete":
      return `holdings deleted on ${numbers}`;
    case "kept":
      return `withdrawn, nothing sent: ${numbers} still held by another record`;
  }
}

/** The symbol of a consumer named `oclc:INSTITUTION:SYMBOL`. */
export function consumerSymbol(consumer: string): string {
  return consumer.split(":")[2] ?? consumer;
}
