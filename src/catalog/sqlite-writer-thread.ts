/**
 * The body of the SQLite writer thread (see `sqlite-writer.ts`): opens its own connection to
 * the catalog and runs each batch of commits it is sent as one transaction, in the order sent;
 * starts the checkpointer thread that keeps the write-ahead log short.
 */
import { join } from "node:path";
import { parentPort, Worker, workerData } from "node:worker_threads";
import { CatalogError } from "./catalog.js";
import type { CheckpointerData } from "./sqlite-checkpointer.js";
import { openSqliteCatalog } from "./sqlite.js";
import {
  commitRequestsOf,
  type WriterData,
  type WriterReply,
  type WriterRequest,
} from "./sqlite-writer.js";

const data = workerData as WriterData;
const port = parentPort;
if (!port) throw new Error("sqlite-writer-thread.js runs as a worker thread only");

const catalog = await openSqliteCatalog(data.dir, {
  synchronous: data.synchronous,
  autoCheckpoint: false,
});
// Checkpoints run beside the commits, not inside them (see sqlite-checkpointer.ts).
const checkpointer = new Worker(new URL("./sqlite-checkpointer.js", import.meta.url), {
  workerData: { file: join(data.dir, "marcgate.sqlite") } satisfies CheckpointerData,
});
checkpointer.unref();

port.on("message", (request: WriterRequest) => {
  void catalog.commitMany(commitRequestsOf(request)).then(
    (results) => port.postMessage({ id: request.id, results } satisfies WriterReply),
    (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      const reply: WriterReply =
        error instanceof CatalogError
          ? { id: request.id, error: { message, code: error.code } }
          : { id: request.id, error: { message } };
      port.postMessage(reply);
    },
  );
});
