/**
 * Claims across marcgate processes on one PostgreSQL database: session-level advisory locks on
 * 64-bit hashes of (zone, claim). Each zone's decisions have a connection of their own (not one
 * of the pool's), so a wait for a claim never holds up another zone or a commit.
 *
 * Why advisory locks and not a claims table: a claim lives for a few milliseconds and is never
 * read again; a lock costs one statement and no row (no table to vacuum, nothing to clean up
 * after a crash: the server releases a dead session's locks when its connection drops).
 *
 * Deadlock freedom: `tryHold` never waits. `hold` waits, but only when its session holds
 * nothing (the importer ensures it), and it takes the locks in ascending key order; so no cycle
 * of waiting sessions can form. `lock_timeout` bounds a wait on a process that hangs.
 */
import { createHash } from "node:crypto";
import type { Client, QueryResult, QueryResultRow } from "pg";
import { CatalogError, type ClaimHold, type ClaimLocks, type ClaimSession } from "./catalog.js";

/** The longest a decision waits for a claim held by another process. */
export const CLAIM_TIMEOUT_MS = 30_000;

/** The advisory-lock key of a claim: the first 8 bytes of SHA-256 of zone and claim, signed. */
export function claimKey(zone: string, claim: string): bigint {
  return createHash("sha256").update(zone).update("\0").update(claim).digest().readBigInt64BE(0);
}

/** The keys of a set of claims, each once, in ascending order (the order locks are taken in). */
export function claimKeys(zone: string, claims: readonly string[]): bigint[] {
  const keys = [...new Set(claims.map((c) => claimKey(zone, c)))];
  return keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Opens a connection of one's own to the database the pool uses. */
export type Connect = () => Promise<Client>;

export class PostgresClaimLocks implements ClaimLocks {
  private readonly sessions = new Map<string, PostgresClaimSession>();

  constructor(private readonly connect: Connect) {}

  session(zone: string): ClaimSession {
    let session = this.sessions.get(zone);
    if (!session) {
      session = new PostgresClaimSession(zone, this.connect);
      this.sessions.set(zone, session);
    }
    return session;
  }

  async close(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(all.map((s) => s.close()));
  }
}

class PostgresClaimSession implements ClaimSession {
  private client: Promise<Client> | undefined;

  constructor(
    private readonly zone: string,
    private readonly connect: Connect,
  ) {}

  /** The session's connection; a broken one is replaced (its locks went with it). */
  private connection(): Promise<Client> {
    if (!this.client) {
      const opening = this.connect().then(async (client) => {
        client.on("error", () => {
          if (this.client === opening) this.client = undefined;
        });
        await client.query(`SET lock_timeout = ${CLAIM_TIMEOUT_MS}`);
        return client;
      });
      opening.catch(() => {
        if (this.client === opening) this.client = undefined;
      });
      this.client = opening;
    }
    return this.client;
  }

  private async query<R extends QueryResultRow>(
    text: string,
    values: unknown[],
  ): Promise<QueryResult<R>> {
    const client = await this.connection();
    try {
      return await client.query<R>(text, values);
    } catch (error) {
      if (isLockTimeout(error)) throw error;
      // The connection may be gone: the next statement opens a new one.
      const current = this.client;
      this.client = undefined;
      void current?.then((c) => c.end()).catch(() => undefined);
      throw error;
    }
  }

  async tryHold(claims: readonly string[]): Promise<ClaimHold | undefined> {
    const keys = claimKeys(this.zone, claims);
    if (keys.length === 0) return this.holdOf([]);
    const { rows } = await this.query<{ key: string; ok: boolean }>(
      "SELECT k::text AS key, pg_try_advisory_lock(k) AS ok FROM unnest($1::bigint[]) AS k",
      [keys.map(String)],
    );
    const taken = rows.filter((r) => r.ok).map((r) => BigInt(r.key));
    if (taken.length === keys.length) return this.holdOf(keys);
    await this.unlock(taken);
    return undefined;
  }

  async hold(claims: readonly string[]): Promise<ClaimHold> {
    const keys = claimKeys(this.zone, claims);
    const taken: bigint[] = [];
    try {
      // One statement per key, in ascending order: the order is what keeps waits deadlock-free.
      for (const key of keys) {
        await this.query("SELECT pg_advisory_lock($1::bigint)", [String(key)]);
        taken.push(key);
      }
    } catch (error) {
      await this.unlock(taken).catch(() => undefined);
      if (isLockTimeout(error)) {
        throw new CatalogError(
          "claim-timeout",
          `another marcgate process has been deciding a record with the same identifiers for ${CLAIM_TIMEOUT_MS / 1000} s (zone ${this.zone})`,
        );
      }
      throw error;
    }
    return this.holdOf(keys);
  }

  private holdOf(keys: readonly bigint[]): ClaimHold {
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        await this.unlock(keys);
      },
    };
  }

  private async unlock(keys: readonly bigint[]): Promise<void> {
    if (keys.length === 0) return;
    try {
      await this.query("SELECT pg_advisory_unlock(k) FROM unnest($1::bigint[]) AS k", [
        keys.map(String),
      ]);
    } catch {
      // A session that broke has lost its locks with it: nothing left to release.
    }
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) await client.then((c) => c.end()).catch(() => undefined);
  }
}

/** PostgreSQL's `lock_not_available` (55P03): `lock_timeout` ran out. */
function isLockTimeout(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error && error.code === "55P03";
}
