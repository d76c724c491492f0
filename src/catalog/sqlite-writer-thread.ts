/**
 * The body of the SQLite writer thread (see `sqlite-writer.ts`): opens its own connection to
 * the catalog and runs each batch of commits it is sent as one transaction, in the order sent;
 * starts the checkpointer thread that keeps the write-ahead log short.
 */
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
  workerData: { file: join(data.dir, "marcgate.sqlite") } satisfies CheckpointerData,
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
});
