/**
 * Staff accounts (migration 5): users with a role, and access keys — browser sessions and API
 * tokens. The catalog stores only hashes: a user's password as a salted scrypt hash
 * (src/import/password.ts), a key as the SHA-256 of the random secret the browser or script holds
 * (so a stolen database opens no session). The web layer (src/web/auth.ts) decides what a role may do.
 */

/** Alma's role names, in the order of what they may do (most first). */
export const USER_ROLES = ["General System Administrator", "Cataloger", "Viewer"] as const;
export type UserRole = (typeof USER_ROLES)[number];

/** The shortest password a user may have (the pages and `marcgate user` check it). */
export const MIN_PASSWORD = 10;

/** A staff account. */
export interface User {
  /** The login name: 1–64 letters, digits, `.`, `_`, `-`, `@`. */
  readonly name: string;
  readonly role: UserRole;
  /** `scrypt$N$r$p$salt$hash` (src/import/password.ts). */
  readonly passwordHash: string;
  readonly created: Date;
}

/** A browser session or an API token, by the hash of its secret. */
export interface AccessKey {
  /** SHA-256 (hex) of the secret. */
  readonly hash: string;
  readonly kind: "session" | "token";
  readonly user: string;
  /** A token's name (what the script is), or a session's client address. */
  readonly label: string;
  /** A session's CSRF token (the forms carry it); absent for API tokens. */
  readonly csrf?: string;
  readonly created: Date;
  /** Absent: never expires (API tokens until revoked). */
  readonly expires?: Date;
}

/** What the catalog keeps about accounts. Both engines implement it with the same meaning. */
export interface AccountStore {
  /** A new user; `duplicate-user` when the name is taken, `invalid` for a bad name or role. */
  addUser(user: { name: string; role: UserRole; passwordHash: string }): Promise<User>;
  user(name: string): Promise<User | undefined>;
  /** Every user, by name. */
  users(): Promise<User[]>;
  /** Changes a user's role or password (`unknown-user`); a new password ends their sessions. */
  updateUser(name: string, change: { role?: UserRole; passwordHash?: string }): Promise<User>;
  /** Stores a key (`unknown-user`); expired keys are forgotten on the way. */
  addAccessKey(key: Omit<AccessKey, "created">): Promise<AccessKey>;
  /** The key with this hash, unless it expired. */
  accessKey(hash: string): Promise<AccessKey | undefined>;
  /** A user's unexpired keys of a kind, newest first. */
  accessKeys(user: string, kind: AccessKey["kind"]): Promise<AccessKey[]>;
  /** Forgets a key (log out, revoke a token); no error when there is none. */
  removeAccessKey(hash: string): Promise<void>;
}

/**
 * The account methods of a catalog, handed on to its engine's store (`sqliteAccounts`,
 * `postgresAccounts`): both catalogs extend it.
 */
export abstract class DelegatedAccounts implements AccountStore {
  constructor(private readonly accounts: AccountStore) {}

  addUser(user: { name: string; role: UserRole; passwordHash: string }): Promise<User> {
    return this.accounts.addUser(user);
  }
  user(name: string): Promise<User | undefined> {
    return this.accounts.user(name);
  }
  users(): Promise<User[]> {
    return this.accounts.users();
  }
  updateUser(name: string, change: { role?: UserRole; passwordHash?: string }): Promise<User> {
    return this.accounts.updateUser(name, change);
  }
  addAccessKey(key: Omit<AccessKey, "created">): Promise<AccessKey> {
    return this.accounts.addAccessKey(key);
  }
  accessKey(hash: string): Promise<AccessKey | undefined> {
    return this.accounts.accessKey(hash);
  }
  accessKeys(user: string, kind: AccessKey["kind"]): Promise<AccessKey[]> {
    return this.accounts.accessKeys(user, kind);
  }
  removeAccessKey(hash: string): Promise<void> {
    return this.accounts.removeAccessKey(hash);
  }
}

/** Why a user cannot be created with this name or role; `undefined` when it can. */
export function checkUser(user: { name: string; role: string }): string | undefined {
  if (!/^[A-Za-z0-9._@-]{1,64}$/.test(user.name)) {
    return `user name "${user.name}" must be 1–64 letters, digits, ".", "_", "-" or "@"`;
  }
  if (!(USER_ROLES as readonly string[]).includes(user.role)) {
    return `"${user.role}" is not a role; use one of ${USER_ROLES.map((r) => `"${r}"`).join(", ")}`;
  }
  return undefined;
}
