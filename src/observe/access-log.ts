/**
 * The HTTP access log: one line per request, `http CLIENT METHOD PATH STATUS BYTES bytes MS ms
 * user NAME`, and the same facts as JSON fields. No secret reaches it: the values of query
 * parameters that carry one (see {@link SECRET_PARAMETER}) are written as `***`; headers
 * (cookies, Authorization) and bodies (login forms) are never written.
 */
import type { LogFields } from "./log.js";

/**
 * Query parameters whose values are masked, by how their names end: passwords, secrets, API
 * and CSRF tokens, keys, sessions, and so OAI-PMH's `resumptionToken` (each continues a
 * harvest: a capability, and long). Search terms (`query`, `author`, …) are kept.
 */
export const SECRET_PARAMETER =
  /(pass|password|passwd|pwd|secret|token|key|csrf|session|auth|authorization)$/i;

/** What is known of one answered request. */
export interface AccessEntry {
  /** The client's address (the X-Forwarded-For client only from a trusted proxy). */
  readonly client: string;
  readonly method: string;
  /** The request target as sent (path and query). */
  readonly url: string;
  readonly status: number;
  /** The body's size, when known. */
  readonly bytes?: number;
  readonly ms: number;
  /** The signed-in user (session or API token), if any. */
  readonly user?: string;
}

/** A request target with the values of secret query parameters masked. */
export function maskedPath(url: string): string {
  const at = url.indexOf("?");
  if (at < 0) return url;
  const query = url
    .slice(at + 1)
    .split("&")
    .map((pair) => {
      const eq = pair.indexOf("=");
      if (eq < 0) return pair;
      let name = pair.slice(0, eq);
      try {
        name = decodeURIComponent(name.replace(/\+/g, " "));
      } catch {
        // A malformed name is tested as it is.
      }
      return SECRET_PARAMETER.test(name) ? `${pair.slice(0, eq)}=***` : pair;
    })
    .join("&");
  return `${url.slice(0, at)}?${query}`;
}

/** The access line and its fields. */
export function accessLine(entry: AccessEntry): { message: string; fields: LogFields } {
  const path = maskedPath(entry.url);
  const ms = Math.round(entry.ms * 10) / 10;
  const message = [
    "http",
    entry.client,
    entry.method,
    // A space or control character in the target would break the line into fields.
    // eslint-disable-next-line no-control-regex -- control characters are what is escaped
    path.replace(/[\s\u0000-\u001f\u007f]/g, (c) => encodeURIComponent(c)),
    String(entry.status),
    entry.bytes !== undefined ? `${entry.bytes} bytes` : "- bytes",
    `${ms} ms`,
    `user ${entry.user ?? "-"}`,
  ].join(" ");
  return {
    message,
    fields: {
      event: "http",
      client: entry.client,
      method: entry.method,
      path,
      status: entry.status,
      bytes: entry.bytes,
      ms,
      user: entry.user,
    },
  };
}
