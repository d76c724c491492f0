/** Progress on a terminal: a counter on standard error, redrawn at most twice a second. */
export class Progress {
  private last = 0;
  private shown = false;
  private readonly enabled: boolean;

  constructor(private readonly label: string) {
    this.enabled = process.stderr.isTTY === true;
  }

  /** Reports the running count; cheap when not on a terminal or not yet time to redraw. */
  tick(count: number): void {
    if (!this.enabled || (count & 255) !== 0) return;
    const now = Date.now();
    if (now - this.last < 500) return;
    this.last = now;
    this.shown = true;
    process.stderr.write(`\r${this.label}: ${count.toLocaleString("en")} records`);
  }

  /** Clears the counter line. */
  done(): void {
    if (this.shown) process.stderr.write("\r\x1b[K");
  }
}
