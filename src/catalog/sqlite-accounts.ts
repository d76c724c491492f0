/** The SQLite side of {@link AccountStore} (migrations 5 and 14), on the catalog's connection. */
import type Database from "better-sqlite3";
import { checkUser, type AccountStore, type InstitutionRole, type User } from "./accounts.js";
import { CatalogError } from "./catalog.js";
import { toKey, toUser, type KeyRow, type UserRoleRow, type UserRow } from "./rows.js";

/** The account methods of the SQLite catalog (synchronous work wrapped in promises). */
export function sqliteAccounts(db: Database.Database): AccountStore {
  const p = (sql: string): Database.Statement => db.prepare(sql);
  const s = {
    user: p("SELECT * FROM users WHERE name = ?"),
    users: p("SELECT * FROM users ORDER BY name"),
    rolesOf: p("SELECT * FROM user_roles WHERE user_name = ?"),
    roles: p("SELECT * FROM user_roles"),
    institution: p("SELECT kind FROM zones WHERE code = ?"),
    insertUser: p(
      "INSERT INTO users (name, installation_admin, password_hash, created) VALUES (?, ?, ?, ?)",
    ),
    clearRoles: p("DELETE FROM user_roles WHERE user_name = ?"),
    insertRole: p("INSERT INTO user_roles (user_name, institution, role) VALUES (?, ?, ?)"),
    setAdmin: p("UPDATE users SET installation_admin = ? WHERE name = ?"),
    setPassword: p("UPDATE users SET password_hash = ? WHERE name = ?"),
    endSessions: p("DELETE FROM access_keys WHERE user_name = ? AND kind = 'session'"),
    expire: p("DELETE FROM access_keys WHERE expires IS NOT NULL AND expires <= ?"),
    insertKey: p(`INSERT INTO access_keys (hash, kind, user_name, label, csrf, created, expires)
      VALUES (?, ?, ?, ?, ?, ?, ?)`),
    key: p("SELECT * FROM access_keys WHERE hash = ? AND (expires IS NULL OR expires > ?)"),
    keys: p(`SELECT * FROM access_keys WHERE user_name = ? AND kind = ?
      AND (expires IS NULL OR expires > ?) ORDER BY created DESC, hash`),
    keyAsStored: p("SELECT * FROM access_keys WHERE hash = ?"),
    removeKey: p("DELETE FROM access_keys WHERE hash = ?"),
  };
  const userSync = (name: string): User | undefined => {
    const row = s.user.get(name) as UserRow | undefined;
    return row ? toUser(row, s.rolesOf.all(name) as UserRoleRow[]) : undefined;
  };
  const setRoles = (name: string, roles: readonly InstitutionRole[]): void => {
    s.clearRoles.run(name);
    for (const { institution, role } of roles) {
      const zone = s.institution.get(institution) as { kind: string } | undefined;
      if (zone?.kind !== "institution")
        throw new CatalogError("unknown-zone", `no institution ${institution}`);
      s.insertRole.run(name, institution, role);
    }
  };
  const wrap = <T>(work: () => T): Promise<T> => {
    try {
      return Promise.resolve(work());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  };
  return {
    addUser: (user) =>
      wrap(() => {
        const problem = checkUser(user);
        if (problem) throw new CatalogError("invalid", problem);
        return db
          .transaction(() => {
            if (userSync(user.name)) {
              throw new CatalogError("duplicate-user", `user ${user.name} exists already`);
            }
            s.insertUser.run(
              user.name,
              user.installationAdmin === true ? 1 : 0,
              user.passwordHash,
              new Date().toISOString(),
            );
            setRoles(user.name, user.roles ?? []);
            return userSync(user.name)!;
          })
          .immediate();
      }),
    user: (name) => wrap(() => userSync(name)),
    users: () =>
      wrap(() => {
        const roles = s.roles.all() as UserRoleRow[];
        return (s.users.all() as UserRow[]).map((row) => toUser(row, roles));
      }),
    updateUser: (name, change) =>
      wrap(() => {
        const problem = checkUser({ name, ...(change.roles ? { roles: change.roles } : {}) });
        if (problem) throw new CatalogError("invalid", problem);
        return db
          .transaction(() => {
            if (!userSync(name)) throw new CatalogError("unknown-user", `no user ${name}`);
            if (change.roles !== undefined) setRoles(name, change.roles);
            if (change.installationAdmin !== undefined)
              s.setAdmin.run(change.installationAdmin ? 1 : 0, name);
            if (change.passwordHash !== undefined) {
              s.setPassword.run(change.passwordHash, name);
              s.endSessions.run(name);
            }
            return userSync(name)!;
          })
          .immediate();
      }),
    addAccessKey: (key) =>
      wrap(() =>
        db
          .transaction(() => {
            const now = new Date().toISOString();
            s.expire.run(now);
            if (!userSync(key.user)) throw new CatalogError("unknown-user", `no user ${key.user}`);
            s.insertKey.run(
              key.hash,
              key.kind,
              key.user,
              key.label,
              key.csrf ?? null,
              now,
              key.expires?.toISOString() ?? null,
            );
            return toKey(s.keyAsStored.get(key.hash) as KeyRow);
          })
          .immediate(),
      ),
    accessKey: (hash) =>
      wrap(() => {
        const row = s.key.get(hash, new Date().toISOString()) as KeyRow | undefined;
        return row ? toKey(row) : undefined;
      }),
    accessKeys: (user, kind) =>
      wrap(() => (s.keys.all(user, kind, new Date().toISOString()) as KeyRow[]).map(toKey)),
    removeAccessKey: (hash) =>
      wrap(() => {
        s.removeKey.run(hash);
      }),
  };
}
