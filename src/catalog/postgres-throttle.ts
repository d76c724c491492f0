/**
 * Failed-logon counts shared by every node on one PostgreSQL catalog (table `logon_throttle`,
 * migration 9). A change of one key runs under a transaction-level advisory lock on it, so two
 * nodes counting failures of one address at once both count. Rows are kept until their `until`
 * and at most `maxKeys` per throttle: expired rows and, past the bound, the rows seen longest
 * ago are deleted as new keys come.
 */
import type { Pool } from "pg";
import type { ThrottleChange, ThrottleState, ThrottleStore } from "./catalog.js";
import { claimKey } from "./postgres-claims.js";

export function postgresThrottleStore(pool: Pool, scope: string, maxKeys: number): ThrottleStore {
  return {
    async get(key: string): Promise<ThrottleState | undefined> {
      const { rows } = await pool.query<{ state: ThrottleState }>(
        "SELECT state FROM logon_throttle WHERE scope = $1 AND key = $2 AND until > now()",
        [scope, key],
      );
      return rows[0]?.state;
    },

    async update(key: string, change: ThrottleChange): Promise<ThrottleState | undefined> {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        await client.query("SELECT pg_advisory_xact_lock($1::bigint)", [
          String(claimKey(`throttle:${scope}`, key)),
        ]);
        const { rows } = await client.query<{ state: ThrottleState }>(
          "SELECT state FROM logon_throttle WHERE scope = $1 AND key = $2 AND until > now()",
          [scope, key],
        );
        const next = change(rows[0]?.state);
        if (next === undefined) {
          await client.query("DELETE FROM logon_throttle WHERE scope = $1 AND key = $2", [
            scope,
            key,
          ]);
        } else {
          const upserted = await client.query<{ inserted: boolean }>(
            `INSERT INTO logon_throttle (scope, key, state, until)
             VALUES ($1, $2, $3, to_timestamp($4 / 1000.0))
             ON CONFLICT (scope, key) DO UPDATE SET state = excluded.state, until = excluded.until
             RETURNING (xmax = 0) AS inserted`,
            [scope, key, JSON.stringify(next.state), next.until],
          );
          if (upserted.rows[0]?.inserted) {
            // A new key: forget what has expired, and the oldest past the bound.
            await client.query(
              `DELETE FROM logon_throttle WHERE ctid IN (
                 SELECT ctid FROM logon_throttle WHERE until <= now() LIMIT 1000)`,
            );
            await client.query(
              `DELETE FROM logon_throttle WHERE ctid IN (
                 SELECT ctid FROM logon_throttle WHERE scope = $1 ORDER BY until
                 LIMIT greatest(0, (SELECT count(*) FROM logon_throttle WHERE scope = $1) - $2))`,
              [scope, maxKeys],
            );
          }
        }
        await client.query("COMMIT");
        return next?.state;
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
  };
}
