/**
 * What a cataloger does to a stored record outside an import, through the catalog's one save
 * path (`commit` with an update: a new version, who and why, the record lock respected), and
 * the delete (`Catalog.deleteRecord`: the versions kept, restorable).
 */
import { CatalogError, type Catalog, type CommitResult, type RecordDeletion } from "./catalog.js";

/** The action of a cataloger's delete, as its tombstone keeps it. */
export const DELETE_ACTION = "delete";

/**
 * Suppresses (or unsuppresses) a record: a new version with the same MARC and the flag changed,
 * saved by `by` with the action `suppress` / `unsuppress`. A record already in that state is
 * left alone (no version) and `changed` is false.
 */
export async function setSuppressed(
  catalog: Catalog,
  mmsId: string,
  suppressed: boolean,
  by: string,
): Promise<CommitResult & { changed: boolean }> {
  const record = await catalog.record(mmsId);
  if (!record) throw new CatalogError("unknown-record", `No record ${mmsId}.`);
  if (record.suppressed === suppressed) return { mmsId, version: record.version, changed: false };
  const result = await catalog.commit({
    change: {
      kind: "update",
      mmsId,
      expectedVersion: record.version,
      marc: record.marc,
      suppressed,
    },
    context: { savedBy: by, action: suppressed ? "suppress" : "unsuppress" },
  });
  return { ...result, changed: true };
}

/**
 * Deletes a record as `by` (action `delete`): its versions stay and `restore` brings it back
 * with its MMS ID; the publishing log records the delete. `locked` while someone else holds its
 * lock, `unknown-record` for none.
 */
export async function deleteRecord(
  catalog: Catalog,
  mmsId: string,
  by: string,
): Promise<RecordDeletion> {
  const record = await catalog.record(mmsId);
  if (!record) throw new CatalogError("unknown-record", `No record ${mmsId}.`);
  return catalog.deleteRecord(mmsId, record.version, { savedBy: by, action: DELETE_ACTION });
}
