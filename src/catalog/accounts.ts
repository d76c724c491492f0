/**
 * Staff accounts (migrations 5 and 14): users with a role in each institution they work in, an
 * installation administrator flag, and access keys — browser sessions and API tokens. The catalog stores only hashes: a user's password as a salted scrypt hash
 * (src/import/password.ts), a key as the SHA-256 of the random secret the browser or script holds
 * (so a stolen database opens no session). The web layer (src/web/auth.ts) decides what a role may do.
 */

/** Alma's role names, in the order of what they may do (most first). */
export const USER_ROLES = ["General System Administrator", "Cataloger", "Viewer"] as const;
export type UserRole = (typeof USER_ROLES)[number];

/** The shortest password a user may have (the pages and `marcgate user` check it). */
export const MIN_PASSWORD = 10;

/** A user's role in one institution (code of an institution zone). */
export interface InstitutionRole {
  readonly institution: string;
  readonly role: UserRole;
}

/** A staff account. */
export interface User {
  /** The login name: 1–64 letters, digits, `.`, `_`, `-`, `@`. */
  readonly name: string;
  /** The institutions the user works in, by institution code (one role each). */
  readonly roles: readonly InstitutionRole[];
  /**
   * Manages institutions and accounts (the Users page, `marcgate user`); gives no role in any
   * institution by itself.
   */
  readonly installationAdmin: boolean;
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

/** A new account; no roles and no flag by default. */
export interface NewUser {
  readonly name: string;
  readonly passwordHash: string;
  readonly roles?: readonly InstitutionRole[];
  readonly installationAdmin?: boolean;
}

/** What an update changes; `roles` replaces all the user's roles. */
export interface UserChange {
  readonly roles?: readonly InstitutionRole[];
  readonly installationAdmin?: boolean;
  readonly passwordHash?: string;
}

/** What the catalog keeps about accounts. Both engines implement it with the same meaning. */
export interface AccountStore {
  /**
   * A new user; `duplicate-user` when the name is taken, `invalid` for a bad name or role,
   * `unknown-zone` for a role in a code that is no institution.
   */
  addUser(user: NewUser): Promise<User>;
  user(name: string): Promise<User | undefined>;
  /** Every user, by name. */
  users(): Promise<User[]>;
  /**
   * Changes a user's roles, flag or password (`unknown-user`, and as {@link addUser}); a new
   * password ends their sessions.
   */
  updateUser(name: string, change: UserChange): Promise<User>;
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

  addUser(user: NewUser): Promise<User> {
    return this.accounts.addUser(user);
  }
  user(name: string): Promise<User | undefined> {
    return this.accounts.user(name);
  }
  users(): Promise<User[]> {
    return this.accounts.users();
  }
  updateUser(name: string, change: UserChange): Promise<User> {
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

/** Why a user cannot be created with this name or these roles; `undefined` when it can. */
export function checkUser(user: {
  name: string;
  roles?: readonly { institution: string; role: string }[];
}): string | undefined {
  if (!/^[A-Za-z0-9._@-]{1,64}$/.test(user.name)) {
    return `user name "${user.name}" must be 1–64 letters, digits, ".", "_", "-" or "@"`;
  }
  const seen = new Set<string>();
  for (const { institution, role } of user.roles ?? []) {
    if (!isUserRole(role)) {
      return `"${role}" is not a role; use one of ${USER_ROLES.map((r) => `"${r}"`).join(", ")}`;
    }
    if (seen.has(institution)) return `two roles in ${institution}; a user has one per institution`;
    seen.add(institution);
  }
  return undefined;
}

export function isUserRole(value: string): value is UserRole {
  return (USER_ROLES as readonly string[]).includes(value);
}

/** The user's role in an institution, if they work there. */
export function roleIn(user: User, institution: string): UserRole | undefined {
  return user.roles.find((r) => r.institution === institution)?.role;
}

/** Roles as people read them: `Cataloger in 01ABC_INST, Viewer in 01DEF_INST` (or `no role`). */
export function describeRoles(user: User): string {
  const roles = user.roles.map((r) => `${r.role} in ${r.institution}`).join(", ") || "no role";
  return user.installationAdmin ? `installation administrator; ${roles}` : roles;
}
