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
import {
  CatalogError,
  type CatalogErrorCode,
  type CommitRequest,
  type CommitResult,
} from "./catalog.js";

/**
 * What the main thread asks of the writer: the commit requests as JSON text (V8 copies one
 * string far faster than it structured-clones thousands of small field and subfield objects),
 * with the job rows' raw bytes beside it, in request order (`null`: a request without a row).
 */
export interface WriterRequest {
  readonly id: number;
  readonly json: string;
  readonly raws: readonly (Uint8Array | null)[];
}

/** The message for a batch of commit requests. */
export function writerRequest(id: number, requests: readonly CommitRequest[]): WriterRequest {
  const raws = requests.map((r) => r.entry?.raw ?? null);
  // Without the bytes (and without a replacer, which would leave V8's fast path).
  const json = JSON.stringify(
    requests.map((r) => {
      if (!r.entry) return r;
      const { raw, ...entry } = r.entry;
      void raw;
      return { ...r, entry };
    }),
  );
  return { id, json, raws };
}

/** The commit requests of a message, as the main thread gave them. */
export function commitRequestsOf(message: WriterRequest): CommitRequest[] {
  const requests = JSON.parse(message.json) as CommitRequest[];
  return requests.map((r, i) => {
    const raw = message.raws[i];
    return r.entry && raw ? { ...r, entry: { ...r.entry, raw } } : r;
  });
}

/** What the writer answers: the results, or the error (a refusal carries its catalog code). */
export type WriterReply =
  | { readonly id: number; readonly results: CommitResult[] }
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
  readonly resolve: (results: CommitResult[]) => void;
  readonly reject: (error: Error) => void;
}

/** A batch the writer has committed, waiting for the log sync that makes it durable. */
interface Unsynced {
  readonly id: number;
  readonly results: CommitResult[];
}

export class SqliteWriterThread {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;
  /** Why the thread cannot take commits any more (it stopped, or the catalog closed). */
  private stopped: string | undefined;
  /** The write-ahead log, synced here when commits must survive power loss (else undefined). */
  private readonly log: number | undefined;
  private unsynced: Unsynced[] = [];
  private syncing = false;
  /** Called when nothing is waiting any more. */
  private readonly whenIdle: (() => void)[] = [];

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

  /** Commits the requests in one transaction on the writer thread; resolves once durable. */
  commitMany(requests: readonly CommitRequest[]): Promise<CommitResult[]> {
    if (this.stopped !== undefined) {
      return Promise.reject(
        new Error(`the catalog's writer thread is not running: ${this.stopped}`),
      );
    }
    const id = this.nextId++;
    const message = writerRequest(id, requests);
    if (this.waiting.size === 0) this.worker.ref();
    return new Promise<CommitResult[]>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage(message);
    });
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
      for (const { id, results } of batches) {
        this.settle(id, (w) =>
          error
            ? w.reject(
                new Error(
                  `the commit could not be made durable (syncing the write-ahead log failed: ${error.message})`,
                ),
              )
            : w.resolve(results),
        );
      }
      this.sync();
    });
  }

  private answer(reply: WriterReply): void {
    if ("results" in reply) {
      if (this.log === undefined) {
        this.settle(reply.id, (w) => w.resolve(reply.results));
        return;
      }
      this.unsynced.push({ id: reply.id, results: reply.results });
      this.sync();
    } else {
      const { code, message } = reply.error;
      this.settle(reply.id, (w) =>
        w.reject(code !== undefined ? new CatalogError(code, message) : new Error(message)),
      );
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
