/**
 * What a cataloger does to a stored record outside an import, through the catalog's one save
 * path (`commit` with an update: a new version, who and why, the record lock respected).
 */
import { CatalogError, type Catalog, type CommitResult } from "./catalog.js";

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
