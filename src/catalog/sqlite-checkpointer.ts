/**
 * The SQLite checkpointer thread, started by the writer thread (`sqlite-writer-thread.ts`):
 * copies committed pages from the write-ahead log into the database file a pause after the last
 * copy ended (`CHECKPOINT_INTERVAL_MS` and `BULK_CHECKPOINT_INTERVAL_MS` in sqlite-writer.ts), on
 * a connection of its own, so the writer never stops committing to do it. SQLite's automatic
 * checkpoint would run inside the commit that crosses 1,000 pages of log — with ~30 pages per
 * imported record, every second or third batch — copying pages and syncing the database file
 * while the batch's clients wait for their replies. A PASSIVE checkpoint blocks neither the
 * writer nor readers; durability does not depend on it (a commit is durable in the log).
 */
import { workerData } from "node:worker_threads";
import Database from "better-sqlite3";

/** What the checkpointer is started with. */
export interface CheckpointerData {
  /** The database file. */
  readonly file: string;
  /** The pause between two checkpoints, in milliseconds. */
  readonly intervalMs: number;
}

const { file, intervalMs } = workerData as CheckpointerData;
const db = new Database(file);
db.pragma("busy_timeout = 1000");
// Re-armed after each checkpoint, so the thread always sleeps between two: a long checkpoint
// (a large log into a large file) never runs back to back with the next.
const checkpoint = (): void => {
  try {
    db.pragma("wal_checkpoint(PASSIVE)");
  } catch {
    // Busy (another checkpoint, a recovery): the next turn tries again.
  }
  setTimeout(checkpoint, intervalMs);
};
setTimeout(checkpoint, intervalMs);
