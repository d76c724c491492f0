/**
 * The SQLite catalog's writer thread: import commits (`commit`, `commitMany`) run on their own
 * connection in a worker thread, so the event loop that serves Connexion clients and decides
 * the next records never waits for SQLite writing pages, merging its full-text index or
 * flushing to disk. With two cores, deciding batch N+1 and committing batch N overlap.
 *
 * A commit still resolves only once SQLite has committed it (the worker's connection uses the
 * same `synchronous` setting), so "Success" still means durable. Reads stay on the main
 * connection: in WAL mode it sees each commit as soon as the worker has made it.
 */
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

export class SqliteWriterThread {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;
  /** Why the thread cannot take commits any more (it stopped, or the catalog closed). */
  private stopped: string | undefined;

  constructor(data: WriterData) {
    this.worker = new Worker(new URL("./sqlite-writer-thread.js", import.meta.url), {
      workerData: data,
    });
    // Idle, the thread does not keep the process alive; a commit in flight does.
    this.worker.unref();
    this.worker.on("message", (reply: WriterReply) => this.answer(reply));
    this.worker.on("error", (error) => this.stop(`it failed: ${error.message}`));
    this.worker.on("exit", (code) => this.stop(`it exited with code ${code}`));
  }

  /** Commits the requests in one transaction on the writer thread. */
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
    await this.drained();
    this.stopped = "the catalog is closed";
    await this.worker.terminate();
  }

  private drained(): Promise<void> {
    if (this.waiting.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.waiting.size > 0) return;
        this.worker.off("message", check);
        resolve();
      };
      this.worker.on("message", check);
    });
  }

  private answer(reply: WriterReply): void {
    const waiting = this.waiting.get(reply.id);
    if (!waiting) return;
    this.waiting.delete(reply.id);
    if (this.waiting.size === 0) this.worker.unref();
    if ("results" in reply) {
      waiting.resolve(reply.results);
    } else if (reply.error.code !== undefined) {
      waiting.reject(new CatalogError(reply.error.code, reply.error.message));
    } else {
      waiting.reject(new Error(reply.error.message));
    }
  }

  private stop(why: string): void {
    this.stopped ??= why;
    const error = new Error(`the catalog's writer thread stopped: ${why}`);
    for (const waiting of this.waiting.values()) waiting.reject(error);
    this.waiting.clear();
  }
}
