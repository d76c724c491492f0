/**
 * Every ISO 2709 record of the corpus through the import pipeline (the same `Importer` the
 * Connexion gateway uses), twice, into a scratch SQLite catalog:
 *
 * 1. First pass: every record gets an outcome and a job row with its exact bytes; nothing
 *    throws; a record is rejected only when it cannot be read (and then with the reader's reason).
 * 2. Second pass, the same records again: a record with an OCLC number is never created again
 *    (it merges, or is held for review when several records share the number); a record with
 *    none is created again (Unique OCLC Identifier cannot match it), unless validation holds it.
 *    An authority record (leader/06 `z`) is matched by its OCLC number, its 035s and its LCCN
 *    (010, as `(DLC)`; docs/authorities.md): with any of them it is never created again, with
 *    none it is.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { JobOutcome } from "../../src/catalog/catalog.js";
import { openCatalog } from "../../src/catalog/open.js";
import { matchableRecord, readIncoming } from "../../src/import/decide.js";
import { Importer } from "../../src/import/importer.js";
import { parseProfile } from "../../src/import/profile.js";
import { readIso2709WithBytes } from "../../src/marc/iso2709.js";
import { initialNormalization } from "../../src/import/initial-normalization.js";
import { extractMatchKeys } from "../../src/marc/match-keys.js";
import { recordKind } from "../../src/marc/record.js";

/** Outcome counts per pass, and the failures found. */
export interface ImportCheck {
  readonly records: number;
  readonly passes: readonly Readonly<Partial<Record<JobOutcome, number>>>[];
  readonly failures: readonly string[];
}

/** Runs the check on the corpus files (paths relative to `corpus`) in a scratch directory. */
export async function checkImport(
  corpus: string,
  paths: readonly string[],
  scratch: string,
): Promise<ImportCheck> {
  // With the writer thread, as `serve` and `import` run: records are written where their keys
  // and search text are derived from the stored bytes.
  const opened = await openCatalog({ data: join(scratch, "import"), writerThread: true });
  if (!opened.catalog) throw new Error(opened.error);
  const catalog = opened.catalog;
  const failures: string[] = [];
  const passes: Partial<Record<JobOutcome, number>>[] = [];
  let records = 0;
  try {
    const institution = await catalog.addInstitution({ code: "01CORPUS_INST", name: "Corpus" });
    const parsed = parseProfile({ code: "CONNEXION" });
    if (!("input" in parsed)) throw new Error("the default profile does not parse");
    const profile = parsed.input.profile;
    const importer = new Importer(catalog);
    for (const pass of [1, 2]) {
      const counts: Partial<Record<JobOutcome, number>> = {};
      passes.push(counts);
      const job = await catalog.startJob({
        institution: institution.code,
        source: "corpus",
        description: `pass ${pass}`,
      });
      for (const path of paths) {
        const work: Promise<void>[] = [];
        for await (const { result, bytes } of readIso2709WithBytes([
          readFileSync(join(corpus, path)),
        ])) {
          if (pass === 1) records++;
          const where = `${path}#${result.index} (byte ${result.offset})`;
          const raw = Buffer.from(bytes);
          // Whether the profile's matching can find the record again: by OCLC number, and for an
          // authority record also by a 035 or its LCCN.
          const authority =
            result.record !== undefined && recordKind(result.record) === "authority";
          const keyKinds = authority ? ["oclc", "other-system-id", "system-id"] : ["oclc"];
          const oclc =
            result.record !== undefined &&
            extractMatchKeys(matchableRecord(initialNormalization(result.record).record)).some(
              (k) => keyKinds.includes(k.kind),
            );
          work.push(
            importer
              .import({
                raw,
                incoming: readIncoming(raw),
                institution,
                profile,
                jobId: job.id,
                savedBy: "corpus",
              })
              .then(async (r) => {
                const outcome = r.decision.outcome;
                counts[outcome] = (counts[outcome] ?? 0) + 1;
                if (outcome === "rejected" && result.record !== undefined) {
                  failures.push(
                    `${where}: pass ${pass}: a readable record was rejected: ${r.decision.reason}`,
                  );
                }
                if (outcome !== "rejected" && result.record === undefined) {
                  failures.push(`${where}: pass ${pass}: an unreadable record was ${outcome}`);
                }
                if (pass === 2 && oclc && outcome === "created") {
                  failures.push(
                    `${where}: pass 2: created again although it has ${authority ? "an OCLC number, a 035 or an LCCN" : "an OCLC number"}`,
                  );
                }
                const held = outcome === "review" && r.decision.reasonCode === "validation";
                if (
                  pass === 2 &&
                  result.record !== undefined &&
                  !oclc &&
                  outcome !== "created" &&
                  !held
                ) {
                  failures.push(
                    `${where}: pass 2: ${outcome} although it has no ${authority ? "OCLC number, 035 or LCCN" : "OCLC number"} to match`,
                  );
                }
                if (r.entryId === undefined) failures.push(`${where}: pass ${pass}: no job row`);
              })
              .catch((error: unknown) => {
                failures.push(
                  `${where}: pass ${pass}: threw ${error instanceof Error ? error.stack : String(error)}`,
                );
              }),
          );
        }
        await Promise.all(work);
      }
      const rows = await catalog.jobRecords(job.id);
      if (rows.length !== records)
        failures.push(`pass ${pass}: ${rows.length} job rows for ${records} records`);
      await catalog.finishJob(job.id);
    }
  } finally {
    await catalog.close();
  }
  return { records, passes, failures };
}
