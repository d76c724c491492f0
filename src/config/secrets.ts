/** Settings shown to people (`marcgate config check`) with their secrets masked. */

const MASK = "****";

/** An option whose whole value is a secret: its name says password, secret, token or key. */
export function isSecretOption(option: string): boolean {
  return /(password|passwd|secret|token|(^|-)key)($|-)/i.test(option);
}

/**
 * A setting's value as it may be shown: a secret option's value masked whole; in any other value,
 * the password of a URL (`postgres://user:PASSWORD@host/db`) and `password=` parameters masked.
 */
export function maskSetting(option: string, value: string): string {
  if (isSecretOption(option)) return value === "" ? "" : MASK;
  return value
    .replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:\s]*:)[^\s/?#]*@/i, `$1${MASK}@`)
    .replace(/([?&;\s](?:password|passwd|secret|token)=)[^&;\s]*/gi, `$1${MASK}`);
}
