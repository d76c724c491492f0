/**
 * A record as one institution sees it. An institution sees its own zone's records as they are,
 * and its network zone's records with its own local fields put in by tag (never another
 * member's); a record of any other zone is not in its view.
 */
import { insertFieldsByTag } from "../marc/record.js";
import { CatalogError, type Catalog, type LocalFields, type StoredRecord } from "./catalog.js";

/** The record with the institution's local fields in its MARC, and those local fields. */
export interface InstitutionView {
  readonly record: StoredRecord;
  /** The institution's local fields of a network-zone record, when it has saved any. */
  readonly localFields?: LocalFields;
}

/**
 * The record as `institution` sees it; `undefined` when there is no such record. An unknown
 * institution is `unknown-zone`; a record outside its zone and network zone, `unknown-record`.
 */
export async function recordForInstitution(
  catalog: Pick<Catalog, "record" | "zone" | "localFields">,
  mmsId: string,
  institution: string,
): Promise<InstitutionView | undefined> {
  const zone = await catalog.zone(institution);
  if (!zone || zone.kind !== "institution")
    throw new CatalogError("unknown-zone", `no institution ${institution}`);
  const record = await catalog.record(mmsId);
  if (!record) return undefined;
  if (record.zone === zone.code) return { record };
  if (record.zone !== zone.network) {
    throw new CatalogError(
      "unknown-record",
      `record ${mmsId} is in zone ${record.zone}, which ${institution} does not see (its own zone${zone.network !== undefined ? ` and network zone ${zone.network}` : ""})`,
    );
  }
  const localFields = await catalog.localFields(mmsId, institution);
  if (!localFields) return { record };
  return {
    record: { ...record, marc: insertFieldsByTag(record.marc, localFields.fields) },
    localFields,
  };
}
