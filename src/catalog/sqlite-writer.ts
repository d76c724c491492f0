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
 * What the main thread asks of the writer. A commit: the staged requests as JSON text (V8 copies
 * one string far faster than it structured-clones thousands of small objects) without their
 * bulky parts, which travel beside it: the decision logs (already JSON text), and the job rows'
 * raw bytes and the records' stored bytes packed into one buffer that is moved, not copied
 * (`spans`: for request i, its raw bytes at [4i, 4i+1) and its record at [4i+2, 4i+3), -1 for
 * none). A reservation: MMS sequence numbers for the main thread to give the records it stages.
 */
export type WriterRequest =
  | {
      readonly kind: "commit";
      readonly id: number;
      readonly json: string;
      readonly logs: readonly (string | null)[];
      readonly packed: ArrayBuffer;
      readonly spans: readonly number[];
    }
  | { readonly kind: "reserve"; readonly id: number; readonly count: number };

/**
 * The message for a batch of staged commits. (Posting a byte array that views part of a larger
 * buffer would copy the whole buffer — a file chunk for each record read from it — so the bytes
 * are packed.)
 */
export function writerRequest(id: number, requests: readonly StagedCommit[]): WriterRequest {
  let size = 0;
  for (const { change, entry } of requests) {
    size += (change?.prepared.bytes.byteLength ?? 0) + (entry?.raw.byteLength ?? 0);
  }
  const packed = new ArrayBuffer(size);
  const view = new Uint8Array(packed);
  const spans: number[] = [];
  let at = 0;
  const pack = (bytes: Uint8Array | undefined): void => {
    if (!bytes) {
      spans.push(-1, -1);
      return;
    }
    view.set(bytes, at);
    spans.push(at, at + bytes.byteLength);
    at += bytes.byteLength;
  };
  const logs: (string | null)[] = [];
  const skeletons = requests.map((r) => {
    const { change, entry } = r;
    pack(entry?.raw);
    pack(change?.prepared.bytes);
    logs.push(entry ? entry.logJson : null);
    return {
      ...r,
      ...(change ? { change: { ...change, prepared: { ...change.prepared, bytes: null } } } : {}),
      ...(entry ? { entry: { ...entry, raw: null, logJson: null } } : {}),
    };
  });
  return { kind: "commit", id, json: JSON.stringify(skeletons), logs, packed, spans };
}

/** The staged commits of a message, as the main thread gave them. */
export function stagedCommitsOf(message: WriterRequest & { kind: "commit" }): StagedCommit[] {
  const { packed, spans, logs } = message;
  const bytes = (start: number, end: number): Buffer => Buffer.from(packed, start, end - start);
  return (JSON.parse(message.json) as StagedCommit[]).map((r, i) => {
    const { change, entry } = r;
    const [rawStart, rawEnd, recordStart, recordEnd] = spans.slice(4 * i, 4 * i + 4) as [
      number,
      number,
      number,
      number,
    ];
    const logJson = logs[i];
    return {
      ...r,
      ...(change && recordStart >= 0
        ? {
            change: {
              ...change,
              prepared: { ...change.prepared, bytes: bytes(recordStart, recordEnd) },
            },
          }
        : {}),
      ...(entry && rawStart >= 0 && typeof logJson === "string"
        ? { entry: { ...entry, raw: bytes(rawStart, rawEnd), logJson } }
        : {}),
    };
  });
}

/** What the writer answers: the results, the first reserved number, or the error. */
export type WriterReply =
  | { readonly id: number; readonly results: CommitResult[] }
  | { readonly id: number; readonly first: number }
  | {
      readonly id: number;
      readonly error: { readonly message: string; readonly code?: CatalogErrorCode };
    };

/** What the worker is started with. */
export interface WriterData {
  readonly dir: string;
  readonly synchronous: "FULL" | "NORMAL";
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
      workerData: { dir: data.dir, synchronous: "NORMAL" } satisfies WriterData,
    });
    // Idle, the thread does not keep the process alive; a commit in flight does.
    this.worker.unref();
    this.worker.on("message", (reply: WriterReply) => this.answer(reply));
    this.worker.on("error", (error) => this.stop(`it failed: ${error.message}`));
    this.worker.on("exit", (code) => this.stop(`it exited with code ${code}`));
  }

  /** Commits the staged requests in one transaction on the writer thread; resolves once durable. */
  async commitMany(requests: readonly StagedCommit[]): Promise<CommitResult[]> {
    const reply = await this.send((id) => writerRequest(id, requests));
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
