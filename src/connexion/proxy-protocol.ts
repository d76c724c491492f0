/**
 * The PROXY protocol, version 1 (HAProxy's text header, haproxy.org/download/2.8/doc/proxy-protocol.txt
 * §2.1): a load balancer in TCP mode opens each connection to a node with one line that names the
 * client, `PROXY TCP4 192.0.2.7 10.0.0.5 51234 5500\r\n` (or `PROXY UNKNOWN\r\n`, for its own
 * health checks). Behind HAProxy every connection comes from HAProxy's address; without this the
 * per-address limits and the failed-logon throttle would count every cataloger as one.
 */

/** The longest v1 header, CRLF included (the specification's 107 bytes). */
export const PROXY_HEADER_MAX = 107;

/** What the header says: the client, or unknown (the proxy's own connection). */
export type ProxyHeader =
  | { readonly kind: "client"; readonly address: string; readonly port: number }
  | { readonly kind: "unknown" };

/** The header at the start of `bytes`: what it says and how many bytes it took, or why not. */
export type ProxyParse =
  | { readonly header: ProxyHeader; readonly length: number }
  | { readonly incomplete: true }
  | { readonly error: string };

const TCP = /^PROXY (TCP4|TCP6) (\S+) (\S+) (\d{1,5}) (\d{1,5})$/;

/** Reads a PROXY protocol v1 header from the first bytes of a connection. */
export function parseProxyHeader(bytes: Uint8Array): ProxyParse {
  const limit = Math.min(bytes.length, PROXY_HEADER_MAX);
  let end = -1;
  for (let i = 0; i + 1 < limit; i++) {
    if (bytes[i] === 0x0d && bytes[i + 1] === 0x0a) {
      end = i;
      break;
    }
  }
  const start = Buffer.from(bytes.subarray(0, Math.min(6, bytes.length))).toString("latin1");
  if (!"PROXY ".startsWith(start) && !start.startsWith("PROXY ")) {
    return { error: "the connection did not begin with a PROXY protocol header (serve --proxy)" };
  }
  if (end < 0) {
    return bytes.length >= PROXY_HEADER_MAX
      ? { error: `the PROXY protocol header is longer than ${PROXY_HEADER_MAX} bytes` }
      : { incomplete: true };
  }
  const line = Buffer.from(bytes.subarray(0, end)).toString("latin1");
  if (line === "PROXY UNKNOWN" || line.startsWith("PROXY UNKNOWN ")) {
    return { header: { kind: "unknown" }, length: end + 2 };
  }
  const m = TCP.exec(line);
  const port = Number(m?.[4]);
  if (!m || port > 65535) return { error: `not a PROXY protocol v1 header: "${line}"` };
  return { header: { kind: "client", address: m[2]!, port }, length: end + 2 };
}
