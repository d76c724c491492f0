/**
 * A log file appended to, line by line, for `--access-log FILE`: each line written at once
 * (nothing is lost when the process is killed), and reopened on SIGHUP so logrotate can move
 * the file away (`postrotate: systemctl kill -s HUP marcgate`).
 */
import { closeSync, openSync, writeSync } from "node:fs";

/** An open log file. */
export interface LogFile {
  /** Appends a line (with its newline). */
  write(line: string): void;
  /** Closes the file and opens it again at its path (after a rotation). */
  reopen(): void;
  close(): void;
}

/** Opens (creates) `path` for appending; throws when it cannot be written. */
export function openLogFile(path: string): LogFile {
  let fd = openSync(path, "a", 0o640);
  return {
    write: (line) => {
      writeSync(fd, line);
    },
    reopen: () => {
      const next = openSync(path, "a", 0o640);
      closeSync(fd);
      fd = next;
    },
    close: () => closeSync(fd),
  };
}
