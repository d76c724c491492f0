/**
 * Progress on a terminal: a counter on standard error, redrawn at most twice a second, only when
 * standard error is a terminal (never in a file or a pipe). Lines a command prints meanwhile go
 * through {@link Progress.message}, which prints them above the counter: the counter line is
 * cleared, the message printed, the counter drawn again.
 */

/** A stream as the progress line uses it (process.stderr, process.stdout, or a test's). */
export interface TextStream {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

/** Options of {@link Progress}. */
export interface ProgressOptions {
  /** Where the counter goes; drawn only when it is a terminal. @default process.stderr */
  readonly terminal?: TextStream;
  /** Where messages go. @default process.stdout */
  readonly out?: TextStream;
  /** The clock in milliseconds (tests). @default Date.now */
  readonly now?: () => number;
}

/** Erases the line the cursor is on and goes back to its start. */
const CLEAR_LINE = "\r\x1b[K";

export class Progress {
  private last = 0;
  /** The counter as drawn now ("" when nothing is on the terminal). */
  private shown = "";
  private readonly terminal: TextStream;
  private readonly out: TextStream;
  private readonly now: () => number;

  constructor(
    private readonly label: string,
    options: ProgressOptions = {},
  ) {
    this.terminal = options.terminal ?? process.stderr;
    this.out = options.out ?? process.stdout;
    this.now = options.now ?? Date.now;
  }

  /** Reports the running count; cheap when not on a terminal or not yet time to redraw. */
  tick(count: number): void {
    if (this.terminal.isTTY !== true || (count & 255) !== 0) return;
    const now = this.now();
    if (now - this.last < 500) return;
    this.last = now;
    this.shown = `${this.label}: ${count.toLocaleString("en")} records`;
    this.terminal.write(`${CLEAR_LINE}${this.shown}`);
  }

  /**
   * Prints `text` (whole lines) on the output, above the counter when both are on the terminal.
   */
  message(text: string): void {
    const above = this.shown !== "" && this.out.isTTY === true;
    if (above) this.terminal.write(CLEAR_LINE);
    this.out.write(text);
    if (above) this.terminal.write(this.shown);
  }

  /** Clears the counter line. */
  done(): void {
    if (this.shown !== "") this.terminal.write(CLEAR_LINE);
    this.shown = "";
  }
}
