/**
 * What a cataloger does to a stored record outside an import, through the catalog's one save
 * path (`commit` with an update: a new version, who and why, the record lock respected), and
 * the delete (`Catalog.deleteRecord`: the versions kept, restorable).
 */
import { sameMarc, type MarcRecord } from "../marc/record.js";
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

/** The longest "why" an edit keeps (it goes into the version's action). */
export const EDIT_REASON_LIMIT = 200;

/**
 * Saves a cataloger's edit of a record: a new version with the MARC given, saved by `by` with
 * the action `edit: WHY`; `expectedVersion` is the version the cataloger opened, so an edit of a
 * record saved since (by an export, say) is `version-conflict` and nothing is lost; `locked`
 * while someone else holds its lock. The same record as now (`sameMarc`, as an import judges
 * "unchanged") saves nothing (`changed` false).
 */
export async function editRecord(
  catalog: Catalog,
  edit: {
    readonly mmsId: string;
    readonly expectedVersion: number;
    readonly marc: MarcRecord;
    readonly by: string;
    readonly why: string;
  },
): Promise<CommitResult & { changed: boolean }> {
  const record = await catalog.record(edit.mmsId);
  if (!record) throw new CatalogError("unknown-record", `No record ${edit.mmsId}.`);
  const why = edit.why.replace(/\s+/g, " ").trim().slice(0, EDIT_REASON_LIMIT);
  if (why === "") throw new CatalogError("invalid", "say why the record is edited");
  if (record.version !== edit.expectedVersion) {
    throw new CatalogError(
      "version-conflict",
      `record ${edit.mmsId} was saved as version ${record.version} since you opened version ${edit.expectedVersion}`,
    );
  }
  if (sameMarc(record.marc, edit.marc))
    return { mmsId: edit.mmsId, version: record.version, changed: false };
  const result = await catalog.commit({
    change: {
      kind: "update",
      mmsId: edit.mmsId,
      expectedVersion: edit.expectedVersion,
      marc: edit.marc,
    },
    context: { savedBy: edit.by, action: `edit: ${why}` },
  });
  return { ...result, changed: true };
}
