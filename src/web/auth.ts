/**
 * Who is asking, and may they: browser sessions (a random secret in an HttpOnly, SameSite=Strict
 * cookie; the catalog keeps its SHA-256 and the session's CSRF token), API tokens (`Authorization:
 * Bearer …`, same hashing), the roles' permissions, and login throttling (the Connexion
 * listener's {@link LogonThrottle}: growing delays per address and user name, and a budget
 * of failures per address).
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { AccessKey, User, UserRole } from "../catalog/accounts.js";
import type { Catalog } from "../catalog/catalog.js";
import { LogonThrottle } from "../connexion/throttle.js";
import { verifyPassword } from "../import/password.js";

/** What a role may do. Each level includes the ones below it. */
export type Permission = "view" | "catalog" | "administer";

const LEVEL: Readonly<Record<UserRole, number>> = {
  Viewer: 0,
  Cataloger: 1,
  "General System Administrator": 2,
};
const NEEDS: Readonly<Record<Permission, number>> = { view: 0, catalog: 1, administer: 2 };

/**
 * Whether a role has a permission: Viewer views; Cataloger also resolves, restores, undoes; the
 * administrator also configures. No role (none in that institution) has none.
 */
export function may(role: UserRole | undefined, permission: Permission): boolean {
  return role !== undefined && LEVEL[role] >= NEEDS[permission];
}

/** The higher of two roles (either may be absent). */
export function higherRole(a: UserRole | undefined, b: UserRole | undefined): UserRole | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return LEVEL[b] > LEVEL[a] ? b : a;
}

/** The role a permission needs at least, for messages. */
export function roleFor(permission: Permission): UserRole {
  return permission === "administer"
    ? "General System Administrator"
    : permission === "catalog"
      ? "Cataloger"
      : "Viewer";
}

export const SESSION_COOKIE = "marcgate_session";
/** Sessions last 8 hours (a working day), then the user logs in again. */
export const SESSION_MS = 8 * 3_600_000;

/** SHA-256 hex of a secret: what the catalog keeps. */
export function keyHash(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

function secret(): string {
  return randomBytes(32).toString("base64url");
}

/** Constant-time comparison of two strings. */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The signed-in user and the key they came with. */
export interface Principal {
  readonly user: User;
  readonly key: AccessKey;
}

/** The cookies of a request header, by name (first one wins). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (!cookies.has(name)) {
      try {
        cookies.set(name, decodeURIComponent(part.slice(eq + 1).trim()));
      } catch {
        // A malformed cookie is no cookie.
      }
    }
  }
  return cookies;
}

/** A `Set-Cookie` value: HttpOnly, SameSite=Strict, Path=/, Secure when asked. */
export function cookie(
  name: string,
  value: string,
  options: { secure: boolean; maxAgeSeconds?: number; httpOnly?: boolean },
): string {
  return [
    `${name}=${encodeURIComponent(value)}`,
    "Path=/",
    ...(options.httpOnly === false ? [] : ["HttpOnly"]),
    "SameSite=Strict",
    ...(options.secure ? ["Secure"] : []),
    ...(options.maxAgeSeconds !== undefined ? [`Max-Age=${options.maxAgeSeconds}`] : []),
  ].join("; ");
}

/**
 * The two throttles of logins. Per address and user name: 5 failures, then 1 s, 2 s, 4 s …
 * up to 15 minutes after each further one; per address (all names): 30 failures within 10
 * minutes block it for 15 minutes. Nobody blocks a name for everyone: the real user's own
 * address still gets in (NIST SP 800-63B §5.2.2).
 */
export interface LoginThrottles {
  readonly perName: LogonThrottle;
  readonly perAddress: LogonThrottle;
}

/**
 * The default {@link LoginThrottles}: counted in the catalog when it is shared by several nodes
 * (PostgreSQL), so that each node does not give an attacker a budget of its own.
 */
export function loginThrottles(catalog?: Catalog): LoginThrottles {
  const maxKeys = 10_000;
  const store = (scope: string) => catalog?.throttleStore?.(scope, maxKeys);
  return {
    perName: new LogonThrottle(
      { maxFailures: 5, blockMs: 1_000, blockGrowth: 2, maxBlockMs: 900_000, maxKeys },
      store("web-login-name"),
    ),
    perAddress: new LogonThrottle({ maxFailures: 30, maxKeys }, store("web-login-address")),
  };
}

/** "3 second(s)" or "2 minute(s)". */
function waitText(ms: number): string {
  return ms < 60_000 ? `${Math.ceil(ms / 1000)} second(s)` : `${Math.ceil(ms / 60_000)} minute(s)`;
}

/** The result of a login attempt. */
export type LoginResult =
  | { readonly ok: true; readonly secret: string; readonly key: AccessKey; readonly user: User }
  | { readonly ok: false; readonly message: string };

/** Sessions, tokens and logins on a catalog. */
export class Auth {
  private readonly throttles: LoginThrottles;

  constructor(
    private readonly catalog: Catalog,
    throttles?: LoginThrottles,
  ) {
    this.throttles = throttles ?? loginThrottles(catalog);
  }

  /** Checks the password (throttled per address and name, and per address) and opens a session. */
  async login(name: string, password: string, address: string): Promise<LoginResult> {
    const { perName, perAddress } = this.throttles;
    // Names are cut to what a user name can be, so that long ones cost no memory.
    const pair = `${address} ${name.slice(0, 200)}`;
    const blocked = Math.max(await perName.blockedFor(pair), await perAddress.blockedFor(address));
    if (blocked > 0) {
      return {
        ok: false,
        message: `Too many failed logins; try again in ${waitText(blocked)}.`,
      };
    }
    const user = await this.catalog.user(name);
    // A missing user costs the same scrypt as a wrong password (no timing oracle on names).
    const valid = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
    if (!user || !valid) {
      await perName.failed(pair);
      await perAddress.failed(address);
      return { ok: false, message: "Unknown user name or wrong password." };
    }
    // The address's budget stays spent: one good account must not buy more guesses.
    await perName.succeeded(pair);
    const value = secret();
    const key = await this.catalog.addAccessKey({
      hash: keyHash(value),
      kind: "session",
      user: user.name,
      label: address,
      csrf: secret(),
      expires: new Date(Date.now() + SESSION_MS),
    });
    return { ok: true, secret: value, key, user };
  }

  /** A new API token for a user: the secret is shown once; the catalog keeps its hash. */
  async createToken(user: string, label: string): Promise<{ secret: string; key: AccessKey }> {
    const value = `mgt_${secret()}`;
    const key = await this.catalog.addAccessKey({
      hash: keyHash(value),
      kind: "token",
      user,
      label,
    });
    return { secret: value, key };
  }

  /** Who holds this secret (a session cookie or a token), if anyone. */
  async principal(
    secretValue: string | undefined,
    kind: AccessKey["kind"],
  ): Promise<Principal | undefined> {
    if (!secretValue) return undefined;
    const key = await this.catalog.accessKey(keyHash(secretValue));
    if (!key || key.kind !== kind) return undefined;
    const user = await this.catalog.user(key.user);
    return user ? { user, key } : undefined;
  }

  async logout(secretValue: string): Promise<void> {
    await this.catalog.removeAccessKey(keyHash(secretValue));
  }
}

/** A valid hash of a password nobody has, checked when the user name is unknown. */
const DUMMY_HASH =
  "scrypt$16384$8$1$bWFyY2dhdGUtZHVtbXk=$Ynq6JZcGYtPtLoyH0BfMTj2yMQnJw9cHB1zS7WQx8Eo=";
