/**
 * Staff per institution: which institutions' things a signed-in user may touch, and with which
 * role. Every page and API route asks {@link Access} with the institution of what it touches (a
 * record's zone, a job's institution, a job row's job, the institution whose profile or rule
 * files it reads) and gets the role, or an error:
 *
 * - not visible (no role in that institution, or for a network-zone record in none of its member
 *   institutions in scope): the same `unknown-…` error as for an ID that does not exist, so a
 *   404 tells a guesser nothing about another institution;
 * - visible, but the role there is too low: {@link AccessDenied} (403).
 *
 * The institutions in scope are the session's current institution (pages: the institution menu,
 * as staff work in Alma in one institution at a time), or for the API the `?institution=` given,
 * else every institution the token's user works in.
 */
import { roleIn, type User, type UserRole } from "../catalog/accounts.js";
import {
  CatalogError,
  type Catalog,
  type ImportJob,
  type JobRecord,
  type Zone,
} from "../catalog/catalog.js";
import { higherRole, may, roleFor, type Permission } from "./auth.js";

/** A role too low for what was asked (the thing is visible: 403). */
export class AccessDenied extends Error {
  constructor(
    readonly permission: Permission,
    readonly role: UserRole | undefined,
    readonly where: string | undefined,
  ) {
    super(
      `this needs the role ${roleFor(permission)}${where !== undefined ? ` in ${where}` : ""}; ${role === undefined ? "you have no role there" : `you are ${role}`}`,
    );
  }
}

/**
 * Not in view here, but in view from other institutions of the user's own (outside this
 * request's scope): the pages offer to open it there. Never thrown for what the user cannot
 * see at all.
 */
export class InOtherInstitution extends Error {
  constructor(
    readonly notFound: CatalogError,
    readonly institutions: readonly Zone[],
  ) {
    super(notFound.message);
  }
}

/** The institutions a user works in (has a role in), by code. */
export function staffInstitutions(user: User, zones: readonly Zone[]): Zone[] {
  return zones.filter((z) => z.kind === "institution" && roleIn(user, z.code) !== undefined);
}

/** A whole number, given as one or as the text of one (a path's `:id`). */
function wholeNumber(value: number | string): number | undefined {
  if (typeof value === "number") return Number.isSafeInteger(value) ? value : undefined;
  return /^[0-9]{1,15}$/.test(value) ? Number(value) : undefined;
}

/** What one request may touch. */
export class Access {
  /**
   * @param zones every zone of the catalog
   * @param scope the institutions whose roles count for this request (all the user's own)
   * @param institution the institution the request works in (profiles, jobs lists, imports)
   */
  constructor(
    readonly user: User,
    readonly zones: readonly Zone[],
    readonly scope: readonly Zone[],
    readonly institution: Zone | undefined,
  ) {}

  /**
   * The user's role for a zone's things: in an institution, their role there (when in scope);
   * in a network zone, the highest of their roles in its member institutions in scope.
   */
  roleFor(zone: string): UserRole | undefined {
    let best: UserRole | undefined;
    for (const institution of this.scope) {
      if (institution.code !== zone && institution.network !== zone) continue;
      best = higherRole(best, roleIn(this.user, institution.code));
    }
    return best;
  }

  /** Whether the user may do this to a zone's things (for links and buttons). */
  may(zone: string | undefined, permission: Permission): boolean {
    return zone !== undefined && may(this.roleFor(zone), permission);
  }

  /**
   * The check: `notFound` when the thing does not exist (`zone` undefined) or is not visible,
   * {@link AccessDenied} when the role is too low; else the role.
   */
  require(zone: string | undefined, permission: Permission, notFound: CatalogError): UserRole {
    const role = zone === undefined ? undefined : this.roleFor(zone);
    if (role === undefined) {
      const elsewhere = staffInstitutions(this.user, this.zones).filter(
        (z) => z.code === zone || (z.network !== undefined && z.network === zone),
      );
      throw elsewhere.length > 0 ? new InOtherInstitution(notFound, elsewhere) : notFound;
    }
    if (!may(role, permission)) throw new AccessDenied(permission, role, zone);
    return role;
  }

  /** The institution the request works in, checked; `unknown-zone` when there is none. */
  workingInstitution(permission: Permission): Zone {
    const notFound = new CatalogError("unknown-zone", "you have no role in any institution");
    this.require(this.institution?.code, permission, notFound);
    return this.institution!;
  }

  /** The zone of a record (a deleted one's too: its versions stay), checked. */
  async record(catalog: Catalog, mmsId: string, permission: Permission): Promise<string> {
    const zone = (await catalog.record(mmsId))?.zone ?? (await catalog.deletion(mmsId))?.zone;
    this.require(zone, permission, new CatalogError("unknown-record", `No record ${mmsId}.`));
    return zone!;
  }

  /** A job (by its number, or the text of one from a path), checked against its institution. */
  async job(catalog: Catalog, jobId: number | string, permission: Permission): Promise<ImportJob> {
    const id = wholeNumber(jobId);
    const job = id !== undefined ? await catalog.job(id) : undefined;
    this.require(
      job?.institution,
      permission,
      new CatalogError("unknown-job", `No job ${String(jobId)}.`),
    );
    return job!;
  }

  /** A job row (its raw bytes, its review state), checked against its job's institution. */
  async jobRow(
    catalog: Catalog,
    entryId: number | string,
    permission: Permission,
  ): Promise<JobRecord> {
    const id = wholeNumber(entryId);
    const row = id !== undefined ? await catalog.jobRecord(id) : undefined;
    const job = row ? await catalog.job(row.jobId) : undefined;
    this.require(
      job?.institution,
      permission,
      new CatalogError("unknown-job", `No job row ${String(entryId)}.`),
    );
    return row!;
  }
}

/** What a route needs: a role's permission in the institution, any session, or the flag. */
export type RouteNeed = Permission | "signed-in" | "installation";

/**
 * The access of a request. Pages (`all` false): the institution `wanted` (the institution menu's
 * cookie) when the user works there, else their first; it alone is in scope. The API (`all`
 * true): `wanted` (`?institution=`) alone, or every institution of the user when none is given;
 * `undefined` when `wanted` is given but is none of the user's (the route answers 404, as for
 * a code that does not exist).
 */
export async function requestAccess(
  catalog: Catalog,
  user: User,
  wanted: string | undefined,
  all: boolean,
): Promise<Access | undefined> {
  const zones = await catalog.zones();
  const institutions = staffInstitutions(user, zones);
  const chosen = institutions.find((z) => z.code === wanted);
  if (all && wanted !== undefined && !chosen) return undefined;
  const institution = chosen ?? institutions[0];
  const scope = all && !chosen ? institutions : institution ? [institution] : [];
  return new Access(user, zones, scope, institution);
}

/** Why a route's need is not met (a sentence), or `undefined` when it is. */
export function unmetNeed(access: Access, need: RouteNeed): string | undefined {
  if (need === "signed-in") return undefined;
  if (need === "installation") {
    return access.user.installationAdmin
      ? undefined
      : "This needs an installation administrator (who manages institutions and accounts).";
  }
  const code = access.institution?.code;
  const role = code === undefined ? undefined : access.roleFor(code);
  if (access.scope.some((z) => may(access.roleFor(z.code), need))) return undefined;
  return code === undefined
    ? `This needs the role ${roleFor(need)} in an institution; you have no role in any (an installation administrator gives roles on the Users page).`
    : `This needs the role ${roleFor(need)} in ${code}; you are ${role ?? "not staff there"}.`;
}
