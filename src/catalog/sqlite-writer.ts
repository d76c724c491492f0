/**
 * The SQLite catalog's writer thread: import commits (`commit`, `commitMany`) run on their own
 * connection in a worker thread, so the event loop that serves Connexion clients and decides
 * the next records never waits for SQLite writing pages or merging its full-text index. With
 * two cores, deciding batch N+1 and committing batch N overlap.
 *
 * A commit still resolves only once it is durable. With `synchronous = FULL` the worker commits
 * without syncing and this side syncs the write-ahead log (`fdatasync`, on libuv's thread pool)
 * before the commit counts — one sync for every batch committed meanwhile — so the writer starts
 * the next batch while the disk flushes. SQLite's log stays consistent without its own sync
 * (NORMAL), and a batch's frames are on disk once a sync started after its commit returns.
 * Reads stay on the main connection: in WAL mode it sees each commit at its next statement.
 */
import { closeSync, fdatasync, openSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { CatalogError, type CatalogErrorCode, type CommitResult } from "./catalog.js";
import type { StagedCommit } from "./prepare.js";

/**
 * What the main thread asks of the writer. A commit: its staged requests, each packed by
 * {@link packStagedCommit}, one after another in one buffer that is moved to the writer, not
 * copied. A reservation: MMS sequence numbers for the main thread to give the records it stages.
 */
export type WriterRequest =
  | { readonly kind: "commit"; readonly id: number; readonly packed: ArrayBuffer }
  | { readonly kind: "reserve"; readonly id: number; readonly count: number };

/** The writer's commit message. */
export type CommitMessage = Extract<WriterRequest, { kind: "commit" }>;

/** A packed staged commit starts with four 32-bit lengths: its JSON, log, raw bytes, record. */
const HEADER_BYTES = 16;
/** The length that stands for "none" (no job row, no record). */
const NONE = 0xffffffff;

/**
 * A staged commit packed into one byte array, outside the JavaScript heap: the staged request
 * as JSON text without its bulky parts, then the decision log (already JSON text), the job row's
 * raw bytes and the record's stored bytes, each after its length. The importer stages each record
 * as it decides it and the batch is written later; packed at once, the staged text is garbage
 * straight away instead of being carried (copied twice by the young-generation collector) until
 * the batch goes to the writer.
 */
export function packStagedCommit(staged: StagedCommit): Buffer {
  const { change, entry } = staged;
  const json = JSON.stringify({
    ...staged,
    ...(change ? { change: { ...change, prepared: { ...change.prepared, bytes: null } } } : {}),
    ...(entry ? { entry: { ...entry, raw: null, logJson: null } } : {}),
  });
  const log = entry?.logJson;
  const raw = entry?.raw;
  const record = change?.prepared.bytes;
  const jsonBytes = Buffer.byteLength(json);
  const logBytes = log === undefined ? 0 : Buffer.byteLength(log);
  const packed = Buffer.allocUnsafe(
    HEADER_BYTES + jsonBytes + logBytes + (raw?.byteLength ?? 0) + (record?.byteLength ?? 0),
  );
  packed.writeUInt32LE(jsonBytes, 0);
  packed.writeUInt32LE(log === undefined ? NONE : logBytes, 4);
  packed.writeUInt32LE(raw?.byteLength ?? NONE, 8);
  packed.writeUInt32LE(record?.byteLength ?? NONE, 12);
  let at = HEADER_BYTES + packed.write(json, HEADER_BYTES);
  if (log !== undefined) at += packed.write(log, at);
  if (raw) {
    packed.set(raw, at);
    at += raw.byteLength;
  }
  if (record) packed.set(record, at);
  return packed;
}

/**
 * The message for a batch of packed staged commits: copied into one buffer of its own (posting a
 * byte array that views part of a larger buffer would copy the whole buffer).
 */
export function writerRequest(id: number, packed: readonly Uint8Array[]): CommitMessage {
  let size = 0;
  for (const p of packed) size += p.byteLength;
  const buffer = new ArrayBuffer(size);
  const view = new Uint8Array(buffer);
  let at = 0;
  for (const p of packed) {
    view.set(p, at);
    at += p.byteLength;
  }
  return { kind: "commit", id, packed: buffer };
}

/** The staged commits of a message, as the main thread staged them. */
export function stagedCommitsOf(message: CommitMessage): StagedCommit[] {
  const buffer = Buffer.from(message.packed);
  const staged: StagedCommit[] = [];
  let at = 0;
  while (at < buffer.byteLength) {
    const jsonBytes = buffer.readUInt32LE(at);
    const logBytes = buffer.readUInt32LE(at + 4);
    const rawBytes = buffer.readUInt32LE(at + 8);
    const recordBytes = buffer.readUInt32LE(at + 12);
    at += HEADER_BYTES;
    const r = JSON.parse(buffer.toString("utf8", at, (at += jsonBytes))) as StagedCommit;
    const logJson = logBytes === NONE ? undefined : buffer.toString("utf8", at, (at += logBytes));
    const raw = rawBytes === NONE ? undefined : buffer.subarray(at, (at += rawBytes));
    const record = recordBytes === NONE ? undefined : buffer.subarray(at, (at += recordBytes));
    const { change, entry } = r;
    staged.push({
      ...r,
      ...(change && record
        ? { change: { ...change, prepared: { ...change.prepared, bytes: record } } }
        : {}),
      ...(entry && raw && logJson !== undefined ? { entry: { ...entry, raw, logJson } } : {}),
    });
  }
  return staged;
}

/** What the writer answers: the results, the first reserved number, or the error. */
export type WriterReply =
  | { readonly id: number; readonly results: CommitResult[] }
  | { readonly id: number; readonly first: number }
  | {
      readonly id: number;
      readonly error: { readonly message: string; readonly code?: CatalogErrorCode };
    };

/**
 * The checkpointer's pause between two checkpoints when Connexion exports come in (`serve`).
 * Exports at full speed rewrite the same pages (index roots, full-text segments, the job) many
 * times a second; copying and syncing them 10 times a second cost more than once a second. In
 * alternating exports bench runs at 32 clients, 1 s against 100 ms: 10–15% more exports per
 * second and a p99 25% lower (docs/catalog.md).
 */
export const CHECKPOINT_INTERVAL_MS = 1000;
/**
 * The pause for `marcgate import`, whose batches write ~30 new pages per record: checkpoints
 * that keep up let the log start again between batches, and the import was 5% slower with 1 s.
 */
export const BULK_CHECKPOINT_INTERVAL_MS = 100;

/** What the worker is started with. */
export interface WriterData {
  readonly dir: string;
  readonly synchronous: "FULL" | "NORMAL";
  /** The checkpointer's pause between two checkpoints, in milliseconds. */
  readonly checkpointIntervalMs: number;
}

interface Waiting {
  readonly resolve: (reply: WriterReply) => void;
  readonly reject: (error: Error) => void;
}

/** A block of reserved MMS sequence numbers: `next` up to, not including, `end`. */
interface Reserved {
  next: number;
  readonly end: number;
}

/** The first block of MMS sequence numbers reserved; each next one doubles, up to the last. */
const FIRST_BLOCK = 64;
const LARGEST_BLOCK = 4096;

export class SqliteWriterThread {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;
  /** Why the thread cannot take commits any more (it stopped, or the catalog closed). */
  private stopped: string | undefined;
  /** The write-ahead log, synced here when commits must survive power loss (else undefined). */
  private readonly log: number | undefined;
  /** Replies to commits (and reservations) waiting for the log sync that makes them durable. */
  private unsynced: WriterReply[] = [];
  private syncing = false;
  /** Called when nothing is waiting any more. */
  private readonly whenIdle: (() => void)[] = [];
  /** MMS sequence numbers reserved and not yet given out. */
  private reserved: Reserved | undefined;
  private nextBlock = FIRST_BLOCK;
  /** The last taking of sequence numbers: takings run one after another. */
  private taking: Promise<unknown> = Promise.resolve();

  constructor(data: WriterData) {
    // With FULL, the writer commits without syncing (NORMAL) and this side syncs the log before
    // a commit counts, once for every batch committed meanwhile: the writer goes on with the
    // next batch while the disk flushes, instead of waiting for it inside each commit.
    this.log =
      data.synchronous === "FULL"
        ? openSync(join(data.dir, "marcgate.sqlite-wal"), "a")
        : undefined;
    this.worker = new Worker(new URL("./sqlite-writer-thread.js", import.meta.url), {
      workerData: { ...data, synchronous: "NORMAL" } satisfies WriterData,
    });
    // Idle, the thread does not keep the process alive; a commit in flight does.
    this.worker.unref();
    this.worker.on("message", (reply: WriterReply) => this.answer(reply));
    this.worker.on("error", (error) => this.stop(`it failed: ${error.message}`));
    this.worker.on("exit", (code) => this.stop(`it exited with code ${code}`));
  }

  /**
   * Commits the staged requests (each packed by {@link packStagedCommit}) in one transaction on
   * the writer thread; resolves once durable.
   */
  async commitMany(packed: readonly Uint8Array[]): Promise<CommitResult[]> {
    const reply = await this.send((id) => writerRequest(id, packed));
    if (!("results" in reply)) throw new Error("the writer thread answered a commit wrongly");
    return reply.results;
  }

  /**
   * `count` MMS sequence numbers for records about to be staged, in increasing order. They come
   * from blocks the writer reserves in the catalog's sequence (64 numbers, doubling up to 4,096
   * while records keep coming), so staging rarely waits for the writer; the numbers of a block
   * not used up when the process ends are skipped, as an MMS ID sequence may be.
   */
  takeMmsSequences(count: number): Promise<number[]> {
    const taken = this.taking.then(() => this.take(count));
    this.taking = taken.catch(() => undefined);
    return taken;
  }

  private async take(count: number): Promise<number[]> {
    if (this.stopped !== undefined) throw this.notRunning();
    const numbers: number[] = [];
    while (numbers.length < count) {
      const block = this.reserved;
      if (!block) {
        const size = Math.max(count - numbers.length, this.nextBlock);
        this.nextBlock = Math.min(this.nextBlock * 2, LARGEST_BLOCK);
        const reply = await this.send((id) => ({ kind: "reserve", id, count: size }));
        if (!("first" in reply))
          throw new Error("the writer thread answered a reservation wrongly");
        this.reserved = { next: reply.first, end: reply.first + size };
        continue;
      }
      while (block.next < block.end && numbers.length < count) numbers.push(block.next++);
      if (block.next === block.end) this.reserved = undefined;
    }
    return numbers;
  }

  private send(message: (id: number) => WriterRequest): Promise<WriterReply> {
    if (this.stopped !== undefined) return Promise.reject(this.notRunning());
    const id = this.nextId++;
    const request = message(id);
    if (this.waiting.size === 0) this.worker.ref();
    return new Promise<WriterReply>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage(request, request.kind === "commit" ? [request.packed] : []);
    });
  }

  private notRunning(): Error {
    return new Error(`the catalog's writer thread is not running: ${this.stopped}`);
  }

  /** Waits for the commits in flight, then stops the thread. */
  async close(): Promise<void> {
    if (this.stopped !== undefined) return;
    if (this.waiting.size > 0) await new Promise<void>((resolve) => this.whenIdle.push(resolve));
    this.stopped = "the catalog is closed";
    await this.worker.terminate();
    if (this.log !== undefined) closeSync(this.log);
  }

  private settle(id: number, outcome: (waiting: Waiting) => void): void {
    const waiting = this.waiting.get(id);
    if (!waiting) return;
    this.waiting.delete(id);
    outcome(waiting);
    if (this.waiting.size > 0) return;
    this.worker.unref();
    for (const idle of this.whenIdle.splice(0)) idle();
  }

  /** Syncs the log for the batches committed so far; those committed meanwhile wait for the next. */
  private sync(): void {
    if (this.syncing || this.unsynced.length === 0 || this.log === undefined) return;
    this.syncing = true;
    const batches = this.unsynced;
    this.unsynced = [];
    fdatasync(this.log, (error) => {
      this.syncing = false;
      for (const reply of batches) {
        this.settle(reply.id, (w) =>
          error
            ? w.reject(
                new Error(
                  `the commit could not be made durable (syncing the write-ahead log failed: ${error.message})`,
                ),
              )
            : w.resolve(reply),
        );
      }
      this.sync();
    });
  }

  private answer(reply: WriterReply): void {
    if ("error" in reply) {
      const { code, message } = reply.error;
      this.settle(reply.id, (w) =>
        w.reject(code !== undefined ? new CatalogError(code, message) : new Error(message)),
      );
    } else if (this.log === undefined) {
      this.settle(reply.id, (w) => w.resolve(reply));
    } else {
      // A reservation is synced too: a number given out is never given out again after a crash.
      this.unsynced.push(reply);
      this.sync();
    }
  }

  private stop(why: string): void {
    this.stopped ??= why;
    const error = new Error(`the catalog's writer thread stopped: ${why}`);
    for (const waiting of this.waiting.values()) waiting.reject(error);
    this.waiting.clear();
    this.unsynced = [];
    for (const idle of this.whenIdle.splice(0)) idle();
  }
}
