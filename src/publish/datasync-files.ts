/**
 * The files of an OCLC Data Sync run: written under a hidden temporary name, synced, then renamed
 * into place, so a file with the final name is always whole; each with a JSON manifest beside it
 * (written the same way, after the file).
 */
import { createHash, type Hash } from "node:crypto";
import { open, rename, rm, type FileHandle } from "node:fs/promises";
import { join } from "node:path";

/** What a file holds (docs/publishing.md, "OCLC Data Sync"). */
export type DataSyncFileKind = "bib" | "holdings-set" | "holdings-delete";

const SUFFIX: Record<DataSyncFileKind, string> = {
  bib: "bib.mrc",
  "holdings-set": "holdings-set.csv",
  "holdings-delete": "holdings-delete.csv",
};

const FORMAT: Record<DataSyncFileKind, string> = {
  bib: "MARC 21 ISO 2709, UTF-8 (leader/09 a)",
  "holdings-set": "CSV UTF-8: LSN, OCLC_Number (non-MARC numeric search key, set holdings)",
  "holdings-delete": "CSV UTF-8: LSN, OCLC_Number (non-MARC numeric search key, delete holdings)",
};

/**
 * The file name: the collection ID first when there is one, then the OCLC symbol, as OCLC asks
 * of uploaded files ("1011111.ABC.…"), then the date, the time, the high-water mark (which makes
 * it unique: a consumer's mark grows with every run that writes) and what the file is.
 */
export function dataSyncFileName(
  kind: DataSyncFileKind,
  symbol: string,
  at: Date,
  highWater: number,
  collection?: string,
): string {
  const stamp = at
    .toISOString()
    .replace(/\.\d{3}Z$/, "")
    .replace(/[-:]/g, "")
    .replace("T", ".");
  return `${collection !== undefined ? `${collection}.` : ""}${symbol}.${stamp}.${highWater}.${SUFFIX[kind]}`;
}

/** A file being written: bytes go to a temporary name and into a SHA-256 as they come. */
export class DataSyncFile {
  private handle: FileHandle | undefined;
  private readonly hash: Hash = createHash("sha256");
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private bytes = 0;
  /** Entries written (records, or CSV lines after the heading). */
  count = 0;
  /** Entries by leader/05 (`n`, `c`, `d`) or by what they ask (`set`, `delete`). */
  readonly counts: Record<string, number> = {};

  private constructor(
    readonly kind: DataSyncFileKind,
    readonly dir: string,
    readonly name: string,
  ) {}

  static async create(kind: DataSyncFileKind, dir: string, name: string): Promise<DataSyncFile> {
    const file = new DataSyncFile(kind, dir, name);
    file.handle = await open(file.temporaryPath(), "w");
    if (kind !== "bib") await file.write(Buffer.from("LSN,OCLC_Number\r\n", "utf8"));
    return file;
  }

  private temporaryPath(): string {
    return join(this.dir, `.${this.name}.part`);
  }

  /** Adds one entry: its bytes and what it counts as. */
  async add(bytes: Buffer, countAs: string): Promise<void> {
    this.count++;
    this.counts[countAs] = (this.counts[countAs] ?? 0) + 1;
    await this.write(bytes);
  }

  private async write(bytes: Buffer): Promise<void> {
    this.hash.update(bytes);
    this.bytes += bytes.length;
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    if (this.pendingBytes >= 1 << 20) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.pendingBytes === 0) return;
    const chunk = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    await this.handle!.write(chunk);
  }

  /**
   * Syncs the file and renames it into place, then writes its manifest the same way. Returns the
   * manifest.
   */
  async finish(about: ManifestContext): Promise<DataSyncManifest> {
    await this.flush();
    await this.handle!.sync();
    await this.handle!.close();
    this.handle = undefined;
    await rename(this.temporaryPath(), join(this.dir, this.name));
    const manifest: DataSyncManifest = {
      file: this.name,
      kind: this.kind,
      format: FORMAT[this.kind],
      ...about,
      count: this.count,
      counts: { ...this.counts },
      bytes: this.bytes,
      sha256: this.hash.digest("hex"),
    };
    const manifestName = `${this.name}.json`;
    const temporary = join(this.dir, `.${manifestName}.part`);
    const handle = await open(temporary, "w");
    try {
      await handle.write(JSON.stringify(manifest, null, 2) + "\n");
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, join(this.dir, manifestName));
    return manifest;
  }

  /** Removes the temporary file (a run that failed, or wrote no entry). */
  async discard(): Promise<void> {
    await this.handle?.close().catch(() => undefined);
    this.handle = undefined;
    await rm(this.temporaryPath(), { force: true });
  }
}

/** What every manifest of a run says. */
export interface ManifestContext {
  readonly institution: string;
  readonly symbol: string;
  readonly consumer: string;
  readonly mode: "full" | "incremental";
  /** The publishing log row the run read up to: the consumer's high-water mark after it. */
  readonly highWater: number;
  readonly previousHighWater: number;
  /** UTC, ISO 8601. */
  readonly time: string;
}

/** The JSON beside each file. */
export interface DataSyncManifest extends ManifestContext {
  readonly file: string;
  readonly kind: DataSyncFileKind;
  readonly format: string;
  readonly count: number;
  readonly counts: Readonly<Record<string, number>>;
  readonly bytes: number;
  readonly sha256: string;
}

/** One line of a numeric search key file: no LSN (a single library), the `(OCoLC)` number. */
export function searchKeyLine(oclcNumber: string): Buffer {
  return Buffer.from(`,(OCoLC)${oclcNumber}\r\n`, "utf8");
}
