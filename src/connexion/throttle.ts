/**
 * Throttling of failed logons, per client address: after `maxFailures` failures within
 * `windowMs`, the address is refused for `blockMs` without its credentials being checked.
 * Memory is bounded: at most `maxAddresses` addresses are tracked, the oldest forgotten first.
 */

/** Options of {@link LogonThrottle}. */
export interface LogonThrottleOptions {
  /** @default 5 */
  readonly maxFailures?: number;
  /** @default 600000 (10 minutes) */
  readonly windowMs?: number;
  /** @default 900000 (15 minutes) */
  readonly blockMs?: number;
  /** @default 10000 */
  readonly maxAddresses?: number;
  /** The clock. @default Date.now */
  readonly now?: () => number;
}

interface Failures {
  readonly times: number[];
  blockedUntil: number;
}

export class LogonThrottle {
  private readonly addresses = new Map<string, Failures>();
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly blockMs: number;
  private readonly maxAddresses: number;
  private readonly now: () => number;

  constructor(options: LogonThrottleOptions = {}) {
    this.maxFailures = options.maxFailures ?? 5;
    this.windowMs = options.windowMs ?? 600_000;
    this.blockMs = options.blockMs ?? 900_000;
    this.maxAddresses = options.maxAddresses ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** Milliseconds the address is still refused for; 0 when it may log on. */
  blockedFor(address: string): number {
    const entry = this.addresses.get(address);
    return entry ? Math.max(0, entry.blockedUntil - this.now()) : 0;
  }

  /** Records a failed logon; returns whether the address is now blocked. */
  failed(address: string): boolean {
    const now = this.now();
    let entry = this.addresses.get(address);
    if (entry) this.addresses.delete(address);
    else entry = { times: [], blockedUntil: 0 };
    // Re-inserted last: the map's order is the order addresses were last seen.
    this.addresses.set(address, entry);
    while (entry.times.length > 0 && entry.times[0]! <= now - this.windowMs) entry.times.shift();
    entry.times.push(now);
    if (entry.times.length >= this.maxFailures) {
      entry.blockedUntil = now + this.blockMs;
      entry.times.length = 0;
    }
    while (this.addresses.size > this.maxAddresses) {
      const oldest = this.addresses.keys().next().value;
      if (oldest === undefined) break;
      this.addresses.delete(oldest);
    }
    return entry.blockedUntil > now;
  }

  /** A successful logon clears the address's failures. */
  succeeded(address: string): void {
    const entry = this.addresses.get(address);
    if (entry && entry.blockedUntil <= this.now()) this.addresses.delete(address);
  }
}
