/**
 * The body of the SQLite writer thread (see `sqlite-writer.ts`): opens its own connection to
 * the catalog and runs each batch of commits it is sent as one transaction, in the order sent.
 */
import { parentPort, workerData } from "node:worker_threads";
import { CatalogError } from "./catalog.js";
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

const catalog = await openSqliteCatalog(data.dir, { synchronous: data.synchronous });

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
