/**
 * The body of the SQLite writer thread (see `sqlite-writer.ts`): opens its own connection to
 * the catalog and runs each batch of commits it is sent as one transaction, in the order sent;
 * starts the checkpointer thread that keeps the write-ahead log short.
 */
import { statSync } from "node:fs";
import { join } from "node:path";
import { parentPort, Worker, workerData } from "node:worker_threads";
import { CatalogError } from "./catalog.js";
import type { CheckpointerData } from "./sqlite-checkpointer.js";
import { openSqliteWriterConnection } from "./sqlite.js";
import {
  stagedCommitsOf,
  type WriterData,
  type WriterReply,
  type WriterRequest,
} from "./sqlite-writer.js";

const data = workerData as WriterData;
const port = parentPort;
if (!port) throw new Error("sqlite-writer-thread.js runs as a worker thread only");

const catalog = openSqliteWriterConnection(data.dir, data.synchronous);
// Checkpoints run beside the commits, not inside them (see sqlite-checkpointer.ts).
const checkpointer = new Worker(new URL("./sqlite-checkpointer.js", import.meta.url), {
  workerData: {
    file: join(data.dir, "marcgate.sqlite"),
    intervalMs: data.checkpointIntervalMs,
  } satisfies CheckpointerData,
});
checkpointer.unref();

port.on("message", (request: WriterRequest) => {
  let reply: WriterReply;
  try {
    reply =
      request.kind === "reserve"
        ? { id: request.id, first: catalog.reserveMmsSequences(request.count) }
        : { id: request.id, results: catalog.commitStagedMany(stagedCommitsOf(request)) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    reply =
      error instanceof CatalogError
        ? { id: request.id, error: { message, code: error.code } }
        : { id: request.id, error: { message } };
  }
  port.postMessage(reply);
  if (request.kind === "commit") keepLogShort();
});

/**
 * The log's size on disk from which the writer has it start again. SQLite starts the log again
 * only when a commit begins with every frame copied into the database, which never happens
 * while commits follow each other faster than the checkpoints (a burst of exports at full
 * speed: 300 MB in the exports bench, and growing). The checkpointer has copied nearly all of
 * it; the writer copies the rest between two batches, after replying to the last. That takes
 * 20–100 ms on the shared test machine, mostly syncing the database file: hence the high limit.
 */
const RESTART_LOG_BYTES = 512 * 1024 * 1024;
/** How often the writer looks at the log's size. */
const LOOK_EVERY_MS = 1000;

const logFile = join(data.dir, "marcgate.sqlite-wal");
let lastLook = Date.now();

function keepLogShort(): void {
  const now = Date.now();
  if (now - lastLook < LOOK_EVERY_MS) return;
  lastLook = now;
  const size = statSync(logFile, { throwIfNoEntry: false })?.size ?? 0;
  if (size < RESTART_LOG_BYTES) return;
  try {
    catalog.restartLog();
  } catch {
    // The log goes on as it is; the next look tries again.
  }
}
