/** The PostgreSQL side of {@link AccountStore} (migration 5). */
import { DatabaseError, type Pool } from "pg";
import { checkUser, type AccountStore, type User } from "./accounts.js";
import { CatalogError } from "./catalog.js";
import { toKey, toUser, type KeyRow, type UserRow } from "./rows.js";

const USER_COLUMNS = "name, role, password_hash, created";
const KEY_COLUMNS = "hash, kind, user_name, label, csrf, created, expires";

/** The account methods of the PostgreSQL catalog. */
export function postgresAccounts(pool: Pool): AccountStore {
  const user = async (name: string): Promise<User | undefined> => {
    const { rows } = await pool.query<UserRow>(
      `SELECT ${USER_COLUMNS} FROM users WHERE name = $1`,
      [name],
    );
    return rows[0] ? toUser(rows[0]) : undefined;
  };
  return {
    addUser: async (account) => {
      const problem = checkUser(account);
      if (problem) throw new CatalogError("invalid", problem);
      try {
        const { rows } = await pool.query<UserRow>(
          `INSERT INTO users (name, role, password_hash, created) VALUES ($1, $2, $3, now())
           RETURNING ${USER_COLUMNS}`,
          [account.name, account.role, account.passwordHash],
        );
        return toUser(rows[0]!);
      } catch (error) {
        if (error instanceof DatabaseError && error.code === "23505") {
          throw new CatalogError("duplicate-user", `user ${account.name} exists already`);
        }
        throw error;
      }
    },
    user,
    users: async () =>
      (await pool.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users ORDER BY name`)).rows.map(
        toUser,
      ),
    updateUser: async (name, change) => {
      if (change.role !== undefined) {
        const problem = checkUser({ name, role: change.role });
        if (problem) throw new CatalogError("invalid", problem);
      }
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        const { rows } = await client.query<UserRow>(
          `UPDATE users SET role = coalesce($2, role), password_hash = coalesce($3, password_hash)
           WHERE name = $1 RETURNING ${USER_COLUMNS}`,
          [name, change.role ?? null, change.passwordHash ?? null],
        );
        if (!rows[0]) throw new CatalogError("unknown-user", `no user ${name}`);
        if (change.passwordHash !== undefined) {
          await client.query("DELETE FROM access_keys WHERE user_name = $1 AND kind = 'session'", [
            name,
          ]);
        }
        await client.query("COMMIT");
        return toUser(rows[0]);
      } catch (error) {
        await client.query("ROLLBACK");
        throw error;
      } finally {
        client.release();
      }
    },
    addAccessKey: async (key) => {
      await pool.query("DELETE FROM access_keys WHERE expires IS NOT NULL AND expires <= now()");
      try {
        const { rows } = await pool.query<KeyRow>(
          `INSERT INTO access_keys (hash, kind, user_name, label, csrf, created, expires)
           VALUES ($1, $2, $3, $4, $5, now(), $6) RETURNING ${KEY_COLUMNS}`,
          [key.hash, key.kind, key.user, key.label, key.csrf ?? null, key.expires ?? null],
        );
        return toKey(rows[0]!);
      } catch (error) {
        if (error instanceof DatabaseError && error.code === "23503") {
          throw new CatalogError("unknown-user", `no user ${key.user}`);
        }
        throw error;
      }
    },
    accessKey: async (hash) => {
      const { rows } = await pool.query<KeyRow>(
        `SELECT ${KEY_COLUMNS} FROM access_keys WHERE hash = $1
         AND (expires IS NULL OR expires > now())`,
        [hash],
      );
      return rows[0] ? toKey(rows[0]) : undefined;
    },
    accessKeys: async (name, kind) =>
      (
        await pool.query<KeyRow>(
          `SELECT ${KEY_COLUMNS} FROM access_keys WHERE user_name = $1 AND kind = $2
           AND (expires IS NULL OR expires > now()) ORDER BY created DESC, hash`,
          [name, kind],
        )
      ).rows.map(toKey),
    removeAccessKey: async (hash) => {
      await pool.query("DELETE FROM access_keys WHERE hash = $1", [hash]);
    },
  };
}
