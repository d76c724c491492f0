/**
 * Throttling of failed logons, per key (a client address, or an address and a user name):
 * after `maxFailures` failures within `windowMs`, the key is refused for `blockMs` without its
 * credentials being checked. With `blockGrowth` above 1, every further failure before the key
 * has gone quiet for `windowMs` blocks it again, each time `blockGrowth` times longer, up to
 * `maxBlockMs` (growing delays, NIST SP 800-63B §5.2.2). Memory is bounded: at most
 * `maxKeys` keys are tracked, the one seen longest ago forgotten first, and each keeps at
 * most `maxFailures` times. Several nodes on one catalog share the counts through the
 * catalog's store (PostgreSQL), so an attacker's budget is not multiplied by the nodes.
 */
import type { ThrottleChange, ThrottleState, ThrottleStore } from "../catalog/catalog.js";

export type { ThrottleChange, ThrottleState, ThrottleStore };

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

export class LogonThrottle {
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly blockMs: number;
  private readonly blockGrowth: number;
  private readonly maxBlockMs: number;
  private readonly now: () => number;
  private readonly store: ThrottleStore;

  /** In this process, unless a store is given (a catalog's, shared by every node). */
  constructor(options: LogonThrottleOptions = {}, store?: ThrottleStore) {
    this.maxFailures = options.maxFailures ?? 5;
    this.windowMs = options.windowMs ?? 600_000;
    this.blockMs = options.blockMs ?? 900_000;
    this.blockGrowth = options.blockGrowth ?? 1;
    this.maxBlockMs = options.maxBlockMs ?? this.blockMs;
    this.now = options.now ?? Date.now;
    this.store = store ?? new MemoryThrottleStore(options.maxKeys ?? 10_000);
  }

  /** How many keys are tracked, when the store is this process's memory. */
  get size(): number | undefined {
    return this.store instanceof MemoryThrottleStore ? this.store.size : undefined;
  }

  /** Milliseconds the key is still refused for; 0 when it may log on. */
  async blockedFor(key: string): Promise<number> {
    const entry = await this.store.get(key);
    return entry ? Math.max(0, entry.blockedUntil - this.now()) : 0;
  }

  /** Records a failed logon; returns whether the key is now blocked. */
  async failed(key: string): Promise<boolean> {
    const now = this.now();
    const after = await this.store.update(key, (current) => {
      const entry: ThrottleState = current
        ? { ...current, times: [...current.times] }
        : { times: [], blockedUntil: 0, blocks: 0, lastFailure: now };
      if (now - Math.max(entry.lastFailure, entry.blockedUntil) > this.windowMs) entry.blocks = 0;
      entry.lastFailure = now;
      entry.times = entry.times.filter((t) => t > now - this.windowMs);
      entry.times.push(now);
      const again = entry.blocks > 0 && this.blockGrowth > 1;
      if (again || entry.times.length >= this.maxFailures) {
        const block = Math.min(this.blockMs * this.blockGrowth ** entry.blocks, this.maxBlockMs);
        entry.blockedUntil = now + block;
        entry.blocks++;
        entry.times = [];
      }
      // Kept while it blocks, and for the window after its last failure.
      return { state: entry, until: Math.max(entry.blockedUntil, now) + this.windowMs };
    });
    return (after?.blockedUntil ?? 0) > now;
  }

  /** A successful logon clears the key's failures (not a block in force). */
  async succeeded(key: string): Promise<void> {
    const now = this.now();
    if ((await this.store.get(key)) === undefined) return;
    await this.store.update(key, (current) =>
      current && current.blockedUntil > now
        ? { state: current, until: current.blockedUntil + this.windowMs }
        : undefined,
    );
  }
}

/** The throttle's memory in this process: at most `maxKeys`, the one seen longest ago forgotten. */
export class MemoryThrottleStore implements ThrottleStore {
  private readonly keys = new Map<string, ThrottleState>();

  constructor(private readonly maxKeys: number) {}

  get size(): number {
    return this.keys.size;
  }

  get(key: string): Promise<ThrottleState | undefined> {
    return Promise.resolve(this.keys.get(key));
  }

  update(key: string, change: ThrottleChange): Promise<ThrottleState | undefined> {
    const next = change(this.keys.get(key));
    this.keys.delete(key);
    if (next === undefined) return Promise.resolve(undefined);
    // Re-inserted last: the map's order is the order keys were last seen.
    this.keys.set(key, next.state);
    while (this.keys.size > this.maxKeys) {
      const oldest = this.keys.keys().next().value;
      if (oldest === undefined) break;
      this.keys.delete(oldest);
    }
    return Promise.resolve(next.state);
  }
}
