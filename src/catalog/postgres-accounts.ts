/** The PostgreSQL side of {@link AccountStore} (migrations 5 and 14). */
import { DatabaseError, type Pool, type PoolClient } from "pg";
import { checkUser, type AccountStore, type InstitutionRole, type User } from "./accounts.js";
import { CatalogError } from "./catalog.js";
import { toKey, toUser, type KeyRow, type UserRoleRow, type UserRow } from "./rows.js";

const USER_COLUMNS = "name, installation_admin, password_hash, created";
const ROLE_COLUMNS = "user_name, institution, role";
const KEY_COLUMNS = "hash, kind, user_name, label, csrf, created, expires";

/** Runs `work` in a transaction on a client of its own. */
async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK");
    throw error;
  } finally {
    client.release();
  }
}

/** The account methods of the PostgreSQL catalog. */
export function postgresAccounts(pool: Pool): AccountStore {
  const user = async (name: string, on: Pool | PoolClient = pool): Promise<User | undefined> => {
    const { rows } = await on.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE name = $1`, [
      name,
    ]);
    if (!rows[0]) return undefined;
    const roles = await on.query<UserRoleRow>(
      `SELECT ${ROLE_COLUMNS} FROM user_roles WHERE user_name = $1`,
      [name],
    );
    return toUser(rows[0], roles.rows);
  };
  const setRoles = async (
    client: PoolClient,
    name: string,
    roles: readonly InstitutionRole[],
  ): Promise<void> => {
    await client.query("DELETE FROM user_roles WHERE user_name = $1", [name]);
    for (const { institution, role } of roles) {
      const zone = await client.query<{ kind: string }>("SELECT kind FROM zones WHERE code = $1", [
        institution,
      ]);
      if (zone.rows[0]?.kind !== "institution")
        throw new CatalogError("unknown-zone", `no institution ${institution}`);
      await client.query(`INSERT INTO user_roles (${ROLE_COLUMNS}) VALUES ($1, $2, $3)`, [
        name,
        institution,
        role,
      ]);
    }
  };
  return {
    addUser: async (account) => {
      const problem = checkUser(account);
      if (problem) throw new CatalogError("invalid", problem);
      try {
        return await inTransaction(pool, async (client) => {
          await client.query(
            `INSERT INTO users (name, installation_admin, password_hash, created)
             VALUES ($1, $2, $3, now())`,
            [account.name, account.installationAdmin === true, account.passwordHash],
          );
          await setRoles(client, account.name, account.roles ?? []);
          return (await user(account.name, client))!;
        });
      } catch (error) {
        if (error instanceof DatabaseError && error.code === "23505") {
          throw new CatalogError("duplicate-user", `user ${account.name} exists already`);
        }
        throw error;
      }
    },
    user: (name) => user(name),
    users: async () => {
      const roles = (await pool.query<UserRoleRow>(`SELECT ${ROLE_COLUMNS} FROM user_roles`)).rows;
      return (
        await pool.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users ORDER BY name`)
      ).rows.map((row) => toUser(row, roles));
    },
    updateUser: async (name, change) => {
      const problem = checkUser({ name, ...(change.roles ? { roles: change.roles } : {}) });
      if (problem) throw new CatalogError("invalid", problem);
      return inTransaction(pool, async (client) => {
        const { rowCount } = await client.query(
          `UPDATE users SET installation_admin = coalesce($2, installation_admin),
             password_hash = coalesce($3, password_hash) WHERE name = $1`,
          [name, change.installationAdmin ?? null, change.passwordHash ?? null],
        );
        if (!rowCount) throw new CatalogError("unknown-user", `no user ${name}`);
        if (change.roles !== undefined) await setRoles(client, name, change.roles);
        if (change.passwordHash !== undefined) {
          await client.query("DELETE FROM access_keys WHERE user_name = $1 AND kind = 'session'", [
            name,
          ]);
        }
        return (await user(name, client))!;
      });
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
