/**
 * The Connexion logon ID as marcgate reads it: the institution code, and optionally `/` and the
 * code of one of the institution's OCLC Connexion profiles (`01ABC_INST/SERIALS`). Without a
 * profile code the institution's default profile takes the export. Institution and profile codes
 * are letters, digits, `_` and `-`, so the first `/` is where the two meet. Why the logon ID and
 * not the `U` field or the password: docs/connexion.md, "Several profiles".
 */

/** What a logon ID names. */
export interface LogonTarget {
  /** The institution code (the whole logon ID when it holds no `/`). */
  readonly institution: string;
  /** The profile code after the `/`; absent: the institution's default profile. */
  readonly profile?: string;
}

/** The separator between the institution code and a profile code in a logon ID. */
export const PROFILE_SEPARATOR = "/";

/**
 * Splits a logon ID at its first `/`. Nothing is trimmed or case-folded: codes are compared as
 * typed, as the institution code always was.
 *
 * @example
 * ```ts
 * logonTarget("01ABC_INST"); // { institution: "01ABC_INST" }
 * logonTarget("01ABC_INST/SERIALS"); // { institution: "01ABC_INST", profile: "SERIALS" }
 * logonTarget("01ABC_INST/"); // { institution: "01ABC_INST", profile: "" } (no such profile)
 * ```
 */
export function logonTarget(logonId: string): LogonTarget {
  const at = logonId.indexOf(PROFILE_SEPARATOR);
  if (at < 0) return { institution: logonId };
  return { institution: logonId.slice(0, at), profile: logonId.slice(at + 1) };
}

/** The logon ID that reaches an institution's profile (`undefined`: its default profile). */
export function logonIdFor(institution: string, profile?: string): string {
  return profile === undefined ? institution : `${institution}${PROFILE_SEPARATOR}${profile}`;
}
