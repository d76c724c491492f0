/**
 * OCLC Data Sync export over the publishing log (`Catalog.publishing`): one consumer per
 * institution and OCLC symbol, reading the log from its high-water mark.
 *
 * - "Publish bibliographic records": MARC 21 ISO 2709 UTF-8, the symbol in 049 $a, leader/05
 *   `n` (not sent to OCLC before), `c` (sent before), `d` (sent before, and now deleted,
 *   suppressed or tagged otherwise).
 * - "Publish holdings only": OCLC's non-MARC numeric search key CSV, one line per OCLC number
 *   (`(OCoLC)…`): a set-holdings file and a delete-holdings file. Holdings are per OCLC number,
 *   not per record: a number leaves OCLC only when no record of the zone that OCLC holds (either
 *   way) still carries it, so records sharing a number never undo each other; a bibliographic
 *   `d` whose number another record still holds is kept back for the same reason.
 *
 * Files are renamed into place whole, a manifest beside each; the high-water mark and what was
 * sent of each record are saved after that, in one transaction. A run with no log row past the
 * mark writes nothing.
 */
import type { Catalog, StoredRecord } from "../catalog/catalog.js";
import type { OclcPublication, PublishConsumer } from "../catalog/publishing.js";
import { iso2709Fits, writeIso2709 } from "../marc/iso2709.js";
import { extractMatchKeys } from "../marc/match-keys.js";
import { insertFieldsByTag, withLeaderValue, type MarcRecord } from "../marc/record.js";
import {
  DataSyncFile,
  dataSyncFileName,
  searchKeyLine,
  type DataSyncManifest,
  type ManifestContext,
} from "./datasync-files.js";

export type DataSyncMode = "full" | "incremental";

/** A run's settings. */
export interface DataSyncOptions {
  readonly catalog: Catalog;
  /** The institution's zone code. */
  readonly institution: string;
  /** The OCLC symbol, put in 049 $a. */
  readonly symbol: string;
  readonly mode: DataSyncMode;
  /** Where the files go (it must exist). */
  readonly outDir: string;
  /** The Data Sync collection ID, first in the file names. */
  readonly collection?: string;
  readonly now?: () => Date;
}

/** A record the run left out, and why. */
export interface DataSyncSkip {
  readonly mmsId: string;
  readonly reason: string;
}

/** What a run did. */
export interface DataSyncResult {
  readonly consumer: string;
  readonly mode: DataSyncMode;
  /** No log row past the high-water mark: nothing was read or written. */
  readonly unchanged: boolean;
  readonly previousHighWater: number;
  readonly highWater: number;
  /** Records looked at (changed since the mark; every record of the zone in full mode). */
  readonly examined: number;
  readonly manifests: readonly DataSyncManifest[];
  readonly skipped: readonly DataSyncSkip[];
  /** Records withdrawn with nothing sent: their OCLC numbers stay held by other records. */
  readonly kept: readonly { readonly mmsId: string; readonly oclcNumbers: readonly string[] }[];
}

/** Why a record is (or is not) published to OCLC now. */
export type OclcEligibility =
  | { readonly as: "bib"; readonly oclcNumbers: readonly string[] }
  | { readonly as: "holdings"; readonly oclcNumbers: readonly string[] }
  | { readonly as: "none"; readonly reason: string };

/** leader/06 of bibliographic records (holdings are x, y, u, v; authorities z). */
const BIBLIOGRAPHIC_TYPES = "acdefgijkmoprt";

/** The consumer name of an institution's export under a symbol. */
export function oclcConsumerName(institution: string, symbol: string): string {
  return `oclc:${institution}:${symbol}`;
}

/** A symbol OCLC could have given: 3 to 8 letters and digits. */
export function isOclcSymbol(text: string): boolean {
  return /^[A-Z0-9]{3,8}$/.test(text);
}

/** The record's OCLC numbers, normalized as the catalog's match keys store them. */
export function oclcNumbers(marc: MarcRecord): string[] {
  const found = extractMatchKeys(marc)
    .filter((k) => k.kind === "oclc")
    .map((k) => k.value);
  return [...new Set(found)];
}

/**
 * How the record goes to OCLC by its management tag, suppression and format. `record`
 * undefined: deleted. `zone`: the exporting institution (a record of another zone is not its).
 */
export function oclcEligibility(record: StoredRecord | undefined, zone: string): OclcEligibility {
  if (!record) return { as: "none", reason: "deleted" };
  if (record.zone !== zone) return { as: "none", reason: `in zone ${record.zone}` };
  if (record.suppressed) return { as: "none", reason: "suppressed" };
  if (record.managementTag === "Don't publish")
    return { as: "none", reason: `management tag "Don't publish"` };
  if (record.format !== "MARC21") return { as: "none", reason: `${record.format}, not MARC 21` };
  const type = record.marc.leader.charAt(6);
  if (!BIBLIOGRAPHIC_TYPES.includes(type) || type === "")
    return { as: "none", reason: `not a bibliographic record (leader/06 ${type || "missing"})` };
  const numbers = oclcNumbers(record.marc);
  if (record.managementTag === "Publish holdings only") {
    if (numbers.length === 0)
      return { as: "none", reason: "holdings only, and no OCLC number (035 (OCoLC))" };
    return { as: "holdings", oclcNumbers: numbers };
  }
  return { as: "bib", oclcNumbers: numbers };
}

/**
 * The record as sent: leader/05 set, leader/20-23 the `4500` MARC 21 always has (records from the
 * field carry other bytes there), 049 $a the symbol (any 049 it had replaced).
 */
export function dataSyncRecord(
  marc: MarcRecord,
  status: "n" | "c" | "d",
  symbol: string,
): MarcRecord {
  const leader = withLeaderValue(marc.leader, "recordStatus", status).padEnd(24, " ");
  const without049: MarcRecord = {
    leader: `${leader.slice(0, 20)}4500${leader.slice(24)}`,
    fields: marc.fields.filter((f) => f.tag !== "049"),
  };
  return insertFieldsByTag(without049, [
    { tag: "049", ind1: " ", ind2: " ", subfields: [{ code: "a", value: symbol }] },
  ]);
}

/** Records read from the catalog at once. */
const CHUNK = 500;

/** Runs one export. Throws when the zone is unknown (the CLI checks first). */
export async function publishToOclc(options: DataSyncOptions): Promise<DataSyncResult> {
  const { catalog, institution, symbol, mode } = options;
  const store = catalog.publishing;
  const consumer = oclcConsumerName(institution, symbol);
  const previous = await store.consumer(consumer);
  const previousHighWater = previous?.highWater ?? 0;
  const highWater = await store.latestSeq([institution]);
  const result = (
    examined: number,
    manifests: DataSyncManifest[],
    skipped: DataSyncSkip[],
    kept: DataSyncResult["kept"] = [],
    unchanged = false,
  ): DataSyncResult => ({
    consumer,
    mode,
    unchanged,
    previousHighWater,
    highWater: unchanged ? previousHighWater : highWater,
    examined,
    manifests,
    skipped,
    kept,
  });
  if (previous && highWater <= previousHighWater) return result(0, [], [], [], true);

  const candidates =
    mode === "full"
      ? await everyRecord(catalog, institution, consumer)
      : await changedSince(catalog, institution, previousHighWater, highWater);
  const now = (options.now ?? (() => new Date()))();
  const at = now.toISOString().replace(/\.\d{3}Z$/, "Z");
  const run = new Run(catalog, institution, symbol, consumer, at);
  const names = {
    bib: dataSyncFileName("bib", symbol, now, highWater, options.collection),
    set: dataSyncFileName("holdings-set", symbol, now, highWater, options.collection),
    delete: dataSyncFileName("holdings-delete", symbol, now, highWater, options.collection),
  };
  const bib = await DataSyncFile.create("bib", options.outDir, names.bib);
  try {
    for (let i = 0; i < candidates.length; i += CHUNK) {
      await run.decide(candidates.slice(i, i + CHUNK), highWater, bib);
    }
    const { setNumbers, deleteNumbers } = await run.holdings();
    const context: ManifestContext = {
      institution,
      symbol,
      consumer,
      mode,
      highWater,
      previousHighWater,
      time: now.toISOString(),
    };
    const manifests: DataSyncManifest[] = [];
    if (bib.count > 0) manifests.push(await bib.finish(context));
    else await bib.discard();
    for (const [kind, name, numbers] of [
      ["holdings-set", names.set, setNumbers],
      ["holdings-delete", names.delete, deleteNumbers],
    ] as const) {
      if (numbers.length === 0) continue;
      const file = await DataSyncFile.create(kind, options.outDir, name);
      try {
        const countAs = kind === "holdings-set" ? "set" : "delete";
        for (const n of numbers) await file.add(searchKeyLine(n), countAs);
        manifests.push(await file.finish(context));
      } catch (error) {
        await file.discard();
        throw error;
      }
    }
    const saved: PublishConsumer = {
      name: consumer,
      highWater,
      lastRun: at,
      lastCount: manifests.reduce((n, m) => n + m.count, 0),
      lastFiles: manifests.map((m) => m.file),
    };
    const publications = run.publications(names);
    await store.saveOclcRun(saved, publications);
    const kept = publications
      .filter((p) => p.sent === "kept")
      .map((p) => ({ mmsId: p.mmsId, oclcNumbers: p.oclcNumbers }));
    return result(candidates.length, manifests, run.skipped, kept);
  } catch (error) {
    await bib.discard();
    throw error;
  }
}

/** Every record of the zone, and every record the consumer ever sent (deleted ones too). */
async function everyRecord(catalog: Catalog, zone: string, consumer: string): Promise<string[]> {
  const ids = new Set<string>();
  for await (const record of catalog.recordsOf(zone)) ids.add(record.mmsId);
  for (const p of await catalog.publishing.oclcPublications(consumer)) ids.add(p.mmsId);
  return [...ids].sort();
}

/** The records with a log row in (after, upTo]. */
async function changedSince(
  catalog: Catalog,
  zone: string,
  after: number,
  upTo: number,
): Promise<string[]> {
  const ids = new Set<string>();
  let cursor = after;
  for (;;) {
    const rows = await catalog.publishing.publishLog([zone], cursor, 1000);
    for (const row of rows) if (row.seq <= upTo) ids.add(row.mmsId);
    if (rows.length < 1000 || rows[rows.length - 1]!.seq >= upTo) break;
    cursor = rows[rows.length - 1]!.seq;
  }
  return [...ids].sort();
}

/** A publication decided, before the file names are known to be kept. */
type Decided = Omit<OclcPublication, "file" | "consumer"> & {
  readonly into: "bib" | "set" | "delete" | "none";
};

/** The decisions of one run. */
class Run {
  readonly skipped: DataSyncSkip[] = [];
  private readonly decided: Decided[] = [];
  /** OCLC numbers of records now held as holdings only, that this run sets. */
  private readonly toSet = new Set<string>();
  /** OCLC numbers records stopped carrying (withdrawn, or their number changed). */
  private readonly released = new Set<string>();
  /** Records withdrawn whose `d` waits on whether another record holds their number. */
  private readonly withdrawals: { record: MarcRecord; decided: Decided }[] = [];
  private readonly holders = new Map<string, boolean>();

  constructor(
    private readonly catalog: Catalog,
    private readonly zone: string,
    private readonly symbol: string,
    private readonly consumer: string,
    private readonly at: string,
  ) {}

  /** Decides a chunk of records; `d` records wait for {@link holdings}. */
  async decide(mmsIds: readonly string[], seq: number, bib: DataSyncFile): Promise<void> {
    const before = new Map(
      (await this.catalog.publishing.oclcPublications(this.consumer, mmsIds)).map((p) => [
        p.mmsId,
        p,
      ]),
    );
    for (const mmsId of mmsIds) {
      const record = await this.catalog.record(mmsId);
      const now = oclcEligibility(record, this.zone);
      const last = before.get(mmsId);
      const held = last !== undefined && last.publishedAs !== "withdrawn";
      const base = { mmsId, zone: this.zone, seq, at: this.at };
      const release = (keep: readonly string[]): void => {
        if (held) for (const n of last.oclcNumbers) if (!keep.includes(n)) this.released.add(n);
      };
      if (now.as === "bib") {
        const status = last?.publishedAs === "bib" ? "c" : "n";
        const marc = dataSyncRecord(record!.marc, status, this.symbol);
        const tooLong = iso2709Fits(marc);
        if (tooLong !== undefined) {
          this.skipped.push({ mmsId, reason: `not written as ISO 2709: ${tooLong}` });
          continue;
        }
        await bib.add(writeIso2709(marc), status);
        release(now.oclcNumbers);
        this.decided.push({
          ...base,
          publishedAs: "bib",
          oclcNumbers: now.oclcNumbers,
          sent: status,
          into: "bib",
        });
      } else if (now.as === "holdings") {
        for (const n of now.oclcNumbers) this.toSet.add(n);
        release(now.oclcNumbers);
        this.decided.push({
          ...base,
          publishedAs: "holdings",
          oclcNumbers: now.oclcNumbers,
          sent: "set",
          into: "set",
        });
      } else if (held) {
        if (last.publishedAs === "bib") {
          const marc = record?.marc ?? (await this.lastMarc(mmsId));
          if (marc === undefined) {
            release([]);
            this.skipped.push({ mmsId, reason: "deleted, and no version left to send as d" });
            continue;
          }
          this.withdrawals.push({
            record: marc,
            decided: {
              ...base,
              publishedAs: "withdrawn",
              oclcNumbers: last.oclcNumbers,
              sent: "d",
              into: "bib",
            },
          });
        } else {
          release([]);
          this.decided.push({
            ...base,
            publishedAs: "withdrawn",
            oclcNumbers: last.oclcNumbers,
            sent: "delete",
            into: "delete",
          });
        }
      }
      // Neither published now nor before: nothing to tell OCLC.
    }
    // The bibliographic deletes of this chunk: a `d` cancels the holding on the record OCLC
    // matches, so one whose number another record still holds is kept back.
    for (const { record, decided } of this.withdrawals.splice(0)) {
      const stillHeld = [];
      for (const n of decided.oclcNumbers) if (await this.heldElsewhere(n)) stillHeld.push(n);
      if (stillHeld.length > 0) {
        for (const n of decided.oclcNumbers) if (!stillHeld.includes(n)) this.released.add(n);
        this.decided.push({ ...decided, sent: "kept", into: "none" });
        continue;
      }
      const marc = dataSyncRecord(record, "d", this.symbol);
      if (iso2709Fits(marc) !== undefined) {
        this.skipped.push({ mmsId: decided.mmsId, reason: "not written as ISO 2709 (as d)" });
        continue;
      }
      await bib.add(writeIso2709(marc), "d");
      this.decided.push(decided);
    }
  }

  /**
   * The holdings files' OCLC numbers: to set (full mode: every number of every holdings-only
   * record), to delete (numbers released that no record OCLC holds carries any more).
   */
  async holdings(): Promise<{ setNumbers: string[]; deleteNumbers: string[] }> {
    const deleteNumbers: string[] = [];
    for (const n of [...this.released].sort()) {
      if (this.toSet.has(n) || (await this.heldElsewhere(n))) continue;
      deleteNumbers.push(n);
    }
    // A holdings-only record withdrawn whose numbers all stay held sent nothing.
    const deleting = new Set(deleteNumbers);
    for (let i = 0; i < this.decided.length; i++) {
      const d = this.decided[i]!;
      if (d.into === "delete" && !d.oclcNumbers.some((n) => deleting.has(n)))
        this.decided[i] = { ...d, sent: "kept", into: "none" };
    }
    return { setNumbers: [...this.toSet].sort(), deleteNumbers };
  }

  /** Whether a record of the zone that OCLC holds now (bib or holdings) carries this number. */
  private async heldElsewhere(oclcNumber: string): Promise<boolean> {
    const known = this.holders.get(oclcNumber);
    if (known !== undefined) return known;
    let held = false;
    for (const mmsId of await this.catalog.findByKey("oclc", oclcNumber, [this.zone])) {
      const now = oclcEligibility(await this.catalog.record(mmsId), this.zone);
      if (now.as !== "none" && now.oclcNumbers.includes(oclcNumber)) {
        held = true;
        break;
      }
    }
    this.holders.set(oclcNumber, held);
    return held;
  }

  /** The MARC of a deleted record: its last version. */
  private async lastMarc(mmsId: string): Promise<MarcRecord | undefined> {
    const versions = await this.catalog.versions(mmsId);
    return versions[versions.length - 1]?.marc;
  }

  /** What to save: each decision with its file (files that were not written are empty names). */
  publications(names: { bib: string; set: string; delete: string }): OclcPublication[] {
    return this.decided.map(({ into, ...d }) => ({
      ...d,
      consumer: this.consumer,
      file: into === "none" ? "" : names[into],
    }));
  }
}

/** A run in a few lines, for the command and the `serve` log. */
export function describeDataSync(result: DataSyncResult): string[] {
  if (result.unchanged)
    return [
      `${result.consumer}: nothing changed since the last run (high-water mark ${result.highWater}): no file written`,
    ];
  const counts = (m: DataSyncManifest): string =>
    Object.entries(m.counts)
      .map(([k, n]) => `${n.toLocaleString("en")} ${k}`)
      .join(", ");
  const lines = result.manifests.map((m) => `${m.file}: ${counts(m)} (sha256 ${m.sha256})`);
  if (lines.length === 0) lines.push(`nothing to publish to OCLC`);
  for (const skip of result.skipped)
    lines.push(`record ${skip.mmsId} not published: ${skip.reason}`);
  for (const k of result.kept)
    lines.push(
      `record ${k.mmsId} withdrawn, nothing sent: ${k.oclcNumbers.map((n) => `(OCoLC)${n}`).join(", ")} still held by another record`,
    );
  lines.push(
    `${result.consumer}: ${result.mode}, ${result.examined.toLocaleString("en")} record(s) examined, ` +
      `${result.manifests.length} file(s); high-water mark ${result.previousHighWater} -> ${result.highWater}`,
  );
  return lines;
}
