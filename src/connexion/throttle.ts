/**
 * Throttling of failed logons, per key (a client address, or an address and a user name):
 * after `maxFailures` failures within `windowMs`, the key is refused for `blockMs` without its
 * credentials being checked. With `blockGrowth` above 1, every further failure before the key
 * has gone quiet for `windowMs` blocks it again, each time `blockGrowth` times longer, up to
 * `maxBlockMs` (growing delays, NIST SP 800-63B §5.2.2). Memory is bounded: at most
 * `maxKeys` keys are tracked, the one seen longest ago forgotten first, and each keeps at
 * most `maxFailures` times.
 */

/** Options of {@link LogonThrottle}. */
export interface LogonThrottleOptions {
  /** @default 5 */
  readonly maxFailures?: number;
  /** @default 600000 (10 minutes) */
  readonly windowMs?: number;
  /** The first block. @default 900000 (15 minutes) */
  readonly blockMs?: number;
  /** How much longer each further block lasts. @default 1 (every block lasts `blockMs`) */
  readonly blockGrowth?: number;
  /** The longest block. @default blockMs */
  readonly maxBlockMs?: number;
  /** @default 10000 */
  readonly maxKeys?: number;
  /** The clock. @default Date.now */
  readonly now?: () => number;
}

interface Failures {
  readonly times: number[];
  blockedUntil: number;
  /** Blocks since the key was last quiet for the window (or succeeded). */
  blocks: number;
  lastFailure: number;
}

export class LogonThrottle {
  private readonly keys = new Map<string, Failures>();
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly blockMs: number;
  private readonly blockGrowth: number;
  private readonly maxBlockMs: number;
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(options: LogonThrottleOptions = {}) {
    this.maxFailures = options.maxFailures ?? 5;
    this.windowMs = options.windowMs ?? 600_000;
    this.blockMs = options.blockMs ?? 900_000;
    this.blockGrowth = options.blockGrowth ?? 1;
    this.maxBlockMs = options.maxBlockMs ?? this.blockMs;
    this.maxKeys = options.maxKeys ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** How many keys are tracked (memory is bounded by `maxKeys`). */
  get size(): number {
    return this.keys.size;
  }

  /** Milliseconds the key is still refused for; 0 when it may log on. */
  blockedFor(key: string): number {
    const entry = this.keys.get(key);
    return entry ? Math.max(0, entry.blockedUntil - this.now()) : 0;
  }

  /** Records a failed logon; returns whether the key is now blocked. */
  failed(key: string): boolean {
    const now = this.now();
    let entry = this.keys.get(key);
    if (entry) this.keys.delete(key);
    else entry = { times: [], blockedUntil: 0, blocks: 0, lastFailure: now };
    // Re-inserted last: the map's order is the order keys were last seen.
    this.keys.set(key, entry);
    if (now - Math.max(entry.lastFailure, entry.blockedUntil) > this.windowMs) entry.blocks = 0;
    entry.lastFailure = now;
    while (entry.times.length > 0 && entry.times[0]! <= now - this.windowMs) entry.times.shift();
    entry.times.push(now);
    const again = entry.blocks > 0 && this.blockGrowth > 1;
    if (again || entry.times.length >= this.maxFailures) {
      const block = Math.min(this.blockMs * this.blockGrowth ** entry.blocks, this.maxBlockMs);
      entry.blockedUntil = now + block;
      entry.blocks++;
      entry.times.length = 0;
    }
    while (this.keys.size > this.maxKeys) {
      const oldest = this.keys.keys().next().value;
      if (oldest === undefined) break;
      this.keys.delete(oldest);
    }
    return entry.blockedUntil > now;
  }

  /** A successful logon clears the key's failures. */
  succeeded(key: string): void {
    const entry = this.keys.get(key);
    if (entry && entry.blockedUntil <= this.now()) this.keys.delete(key);
  }
}
