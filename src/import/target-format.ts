/**
 * The profile's target format (MARC 21, UNIMARC, KORMARC, CNMARC). Connexion sends MARC 21, so
 * `decide` runs every stage — normalization, validation, matching, the guards, the merge method,
 * brief level — on MARC 21: the records of a UNIMARC zone are read through their MARC 21
 * reading ({@link inMarc21}), and what is to be saved is converted to the target format at the
 * end ({@link toTargetFormat}), with every field dropped or mapped approximately in the log.
 * The keys the catalog stores for a UNIMARC record come from UNIMARC's own places (010, 011,
 * 035, 001, 200/700), so they equal those of the MARC 21 record it was made from.
 *
 * A zone holds one format: a decision to merge into a record of another format is refused.
 */
import type { Catalog, RecordFormat, StoredRecord } from "../catalog/catalog.js";
import { crosswalk } from "../crosswalk/crosswalk.js";
import { formatNote, summarizeNotes } from "../crosswalk/note.js";
import { sameMarc } from "../marc/record.js";
import type { CatalogView, Decision } from "./decide.js";
import type { LogEntry } from "./log.js";

/** What the MARC 21 reading of the catalog saw: each record as stored. */
export interface StoredFormats {
  readonly stored: Map<string, StoredRecord>;
}

/** The view with every stored record as MARC 21 (converted from its format when it is another). */
export function inMarc21(view: CatalogView, seen: StoredFormats): CatalogView {
  return {
    findByKey: (kind, value, zones, recordKind) => view.findByKey(kind, value, zones, recordKind),
    search: (query) => view.search(query),
    localFields: (mmsId, institution) => view.localFields(mmsId, institution),
    record: async (mmsId) => {
      const stored = await view.record(mmsId);
      if (!stored) return stored;
      seen.stored.set(mmsId, stored);
      if (stored.format === "MARC21") return stored;
      return { ...stored, marc: crosswalk(stored.marc, stored.format, "MARC21").record };
    },
  };
}

const NAMES: Readonly<Record<RecordFormat, string>> = {
  MARC21: "MARC 21",
  UNIMARC: "UNIMARC",
  KORMARC: "KORMARC",
  CNMARC: "CNMARC",
};

/**
 * A decision made on MARC 21, in the target format: the record to save converted (the
 * conversion's notes in the log, stage `convert`); a merge into a record of another format
 * refused; a merge that changes nothing once converted is `unchanged`.
 */
export function toTargetFormat(
  decision: Decision,
  target: RecordFormat,
  seen: StoredFormats,
): Decision {
  if (target === "MARC21" && ![...seen.stored.values()].some((r) => r.format !== "MARC21"))
    return decision;
  const log: LogEntry[] = [...decision.log];
  const change = decision.change;
  if (change?.kind === "update") {
    const stored = seen.stored.get(change.mmsId);
    if (stored && stored.format !== target) {
      const reason = `record ${change.mmsId} is ${NAMES[stored.format]} but the profile's target format is ${NAMES[target]}; a zone holds one format — change the profile's target format back, or export the record to a zone of ${NAMES[target]} records`;
      log.push({ stage: "convert", message: reason });
      return { outcome: "rejected", reason, reasonCode: "profile", log, claims: decision.claims };
    }
  }
  if (target === "MARC21") return decision;
  const converted = (marc: NonNullable<Decision["record"]>) => crosswalk(marc, "MARC21", target);
  if (!change) {
    return decision.record ? { ...decision, record: converted(decision.record).record } : decision;
  }
  const result = converted(change.marc);
  log.push({
    stage: "convert",
    message: `MARC 21 → ${NAMES[target]}: ${result.notes.length === 0 ? "every field mapped" : `${result.notes.length} field(s) dropped or mapped approximately (the MARC 21 record as received stays with the job)`}`,
  });
  for (const n of summarizeNotes(result.notes))
    log.push({ stage: "convert", message: formatNote(n) });
  if (change.kind === "update") {
    const stored = seen.stored.get(change.mmsId);
    if (stored && sameMarc(stored.marc, result.record) && stored.format === target) {
      const reason = `merging by the merge method would change nothing in the ${NAMES[target]} record; no new version was saved`;
      log.push({ stage: "merge", message: `record ${change.mmsId} unchanged: ${reason}` });
      return {
        outcome: "unchanged",
        mmsId: change.mmsId,
        reason,
        reasonCode: "unchanged",
        log,
        record: result.record,
        claims: decision.claims,
      };
    }
  }
  return {
    ...decision,
    change: { ...change, marc: result.record, format: target },
    record: decision.record ? converted(decision.record).record : result.record,
    log,
  };
}

/**
 * Why a profile may not save records of `format` into `zone`: the zone already holds records of
 * another format (a zone holds one format; its records would have to be converted first).
 * Undefined when the zone is empty or holds that format.
 */
export async function zoneFormatConflict(
  catalog: Pick<Catalog, "recordsOf">,
  zone: string,
  format: RecordFormat,
): Promise<string | undefined> {
  for await (const record of catalog.recordsOf(zone)) {
    if (record.format === format) return undefined;
    return `zone ${zone} holds ${NAMES[record.format]} records (${record.mmsId} and others); a zone holds one format, so the target format cannot become ${NAMES[format]} while they are there — keep ${NAMES[record.format]}, or export the records (marcgate export), convert them (marcgate crosswalk --to ${format.toLowerCase()}) and load them into a new zone`;
  }
  return undefined;
}
