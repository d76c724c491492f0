/**
 * A Connexion client, as `marcgate send` and the tests use it: it encodes a request the way the
 * OCLC Connexion client (desktop), the Connexion browser or Record Manager do, sends it over
 * TCP and waits for the NUL-terminated reply. Like the real client it sends one record per
 * request and neither a NUL nor a close after the record.
 */
import net from "node:net";

/**
 * How the logon prefix encodes its lengths: `byte` = the desktop client's one byte (0x40 +
 * length); `decimal` = the browser's and Record Manager's ASCII digits; `none` = no prefix
 * (the client's "Send Local System Logon ID and Password" unchecked).
 * @example
 * ```ts
 * const form: LengthForm = "byte"; // AHkohauserPFs3cret
 * ```
 */
export type LengthForm = "byte" | "decimal" | "none";

/**
 * The logon fields a request may carry; a field left out is not sent.
 * @example
 * ```ts
 * const logon: ClientLogon = { logonId: "01ABC_INST", password: "s3cret" };
 * ```
 */
export interface ClientLogon {
  /** Sent as `A`. */
  readonly logonId?: string;
  /** Sent as `P`. */
  readonly password?: string;
  /** Sent as `U`, first. */
  readonly user?: string;
}

/** Longest value the one-byte length form can carry (0xFF − 0x40). */
const MAX_BYTE_LENGTH = 191;
const BYTE_LENGTH_BASE = 0x40;
const NUL = 0x00;

/**
 * The bytes of one request: the logon prefix in the given form (fields in the order `U`, `A`,
 * `P`, each only when given), then the record. Throws a RangeError when a value is longer than
 * 191 bytes in the byte form.
 *
 * @example
 * ```ts
 * encodeRequest(record, { logonId: "kohauser", password: "s3cret" }, "byte");
 * // "AHkohauserPFs3cret" + record
 * encodeRequest(record, { logonId: "kohauser", password: "" }, "decimal");
 * // "A8kohauserP0" + record
 * ```
 */
export function encodeRequest(
  record: Uint8Array,
  logon: ClientLogon,
  form: LengthForm,
): Uint8Array {
  const parts: Uint8Array[] = [];
  if (form !== "none") {
    const fields: readonly (readonly [string, string, string | undefined])[] = [
      ["U", "user", logon.user],
      ["A", "logon ID", logon.logonId],
      ["P", "password", logon.password],
    ];
    for (const [tag, name, value] of fields) {
      if (value === undefined) continue;
      const bytes = Buffer.from(value, "utf8");
      if (form === "byte") {
        if (bytes.length > MAX_BYTE_LENGTH) {
          throw new RangeError(
            `the ${name} (${tag}) is ${bytes.length} bytes; the byte length form carries at most ${MAX_BYTE_LENGTH}`,
          );
        }
        parts.push(Buffer.from([tag.charCodeAt(0), BYTE_LENGTH_BASE + bytes.length]));
      } else {
        parts.push(Buffer.from(`${tag}${bytes.length}`, "latin1"));
      }
      parts.push(bytes);
    }
  }
  parts.push(record);
  return Buffer.concat(parts);
}

/**
 * Splits a server's replies: each is text terminated by one NUL.
 *
 * @example
 * ```ts
 * const reader = new ReplyReader();
 * reader.push(Buffer.from("Success. Record 99")); // []
 * reader.push(Buffer.from("1 added.\0")); // ["Success. Record 991 added."]
 * ```
 */
export class ReplyReader {
  private parts: Uint8Array[] = [];
  private readonly decoder = new TextDecoder("utf-8", { ignoreBOM: true });

  /** Adds a chunk; returns the replies it completes (UTF-8 decoded, without the NUL). */
  push(chunk: Uint8Array): string[] {
    const replies: string[] = [];
    let from = 0;
    for (let nul = chunk.indexOf(NUL); nul !== -1; nul = chunk.indexOf(NUL, from)) {
      this.parts.push(chunk.subarray(from, nul));
      replies.push(this.decoder.decode(Buffer.concat(this.parts)));
      this.parts = [];
      from = nul + 1;
    }
    if (from < chunk.length) this.parts.push(chunk.slice(from));
    return replies;
  }

  /** Bytes of a reply begun but not yet terminated. */
  get pending(): number {
    return this.parts.reduce((n, part) => n + part.length, 0);
  }
}

/**
 * Options of {@link ConnexionClient.connect}.
 * @example
 * ```ts
 * const options: ClientOptions = { host: "localhost", port: 5500, timeoutMs: 100_000 };
 * ```
 */
export interface ClientOptions {
  readonly host: string;
  readonly port: number;
  /**
   * How long to wait for the connection and for each reply, in milliseconds.
   * @default 30000
   */
  readonly timeoutMs?: number;
  /** The local address to connect from (a loopback alias such as 127.0.0.55 in tests). */
  readonly localAddress?: string;
}

interface Waiter {
  readonly resolve: (reply: string) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * One connection to a Connexion gateway.
 *
 * @example
 * ```ts
 * const client = await ConnexionClient.connect({ host: "localhost", port: 5500 });
 * try {
 *   const reply = await client.send(record, { logonId: "01ABC_INST", password: "pw" }, "byte");
 *   console.log(reply); // "Success. Record 991000000010001 added. …"
 * } finally {
 *   await client.close();
 * }
 * ```
 */
export class ConnexionClient {
  private readonly reader = new ReplyReader();
  private readonly replies: string[] = [];
  private readonly waiters: Waiter[] = [];
  private ended = false;
  private closing = false;
  private failure: Error | undefined;
  private readonly whenClosed: Promise<void>;
  private readonly where: string;

  private constructor(
    private readonly socket: net.Socket,
    private readonly timeoutMs: number,
    options: ClientOptions,
  ) {
    this.where = `${options.host}:${options.port}`;
    this.whenClosed = new Promise((resolve) => socket.once("close", () => resolve()));
    socket.on("data", (chunk: Buffer) => {
      for (const reply of this.reader.push(chunk)) {
        const waiter = this.waiters.shift();
        if (waiter) {
          clearTimeout(waiter.timer);
          waiter.resolve(reply);
        } else this.replies.push(reply);
      }
    });
    socket.on("end", () => this.stop(undefined));
    socket.on("error", (error) => this.stop(error));
    socket.on("close", () => this.stop(undefined));
  }

  /**
   * Opens a connection; rejects when it cannot be made within the timeout.
   * @example
   * ```ts
   * const client = await ConnexionClient.connect({ host: "127.0.0.1", port: 5500, timeoutMs: 5000 });
   * ```
   */
  static connect(options: ClientOptions): Promise<ConnexionClient> {
    const timeoutMs = options.timeoutMs ?? 30_000;
    return new Promise((resolve, reject) => {
      const socket = net.connect({
        host: options.host,
        port: options.port,
        noDelay: true,
        ...(options.localAddress !== undefined ? { localAddress: options.localAddress } : {}),
      });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(
          new Error(
            `cannot connect to ${options.host}:${options.port} within ${timeoutMs / 1000} s`,
          ),
        );
      }, timeoutMs);
      const failed = (error: Error): void => {
        clearTimeout(timer);
        reject(new Error(`cannot connect to ${options.host}:${options.port}: ${error.message}`));
      };
      socket.once("error", failed);
      socket.once("connect", () => {
        clearTimeout(timer);
        socket.off("error", failed);
        resolve(new ConnexionClient(socket, timeoutMs, options));
      });
    });
  }

  /**
   * Sends one request (record + logon in the given form) and resolves with the reply text
   * (without the NUL). Rejects with a clear Error on timeout or if the server closes first.
   * @example
   * ```ts
   * const reply = await client.send(record, { logonId: "kohauser", password: "s3cret" }, "decimal");
   * ```
   */
  async send(record: Uint8Array, logon: ClientLogon, form: LengthForm): Promise<string> {
    const reply = this.nextReply();
    try {
      await this.write(encodeRequest(record, logon, form));
    } catch (error) {
      reply.catch(() => undefined);
      throw error;
    }
    return reply;
  }

  /**
   * Sends raw bytes (tests: garbage, half records).
   * @example
   * ```ts
   * await client.write(Buffer.from("hello\x1d"));
   * ```
   */
  write(bytes: Uint8Array): Promise<void> {
    if (this.ended || this.socket.destroyed || !this.socket.writable) {
      return Promise.reject(this.closedError(`cannot send to ${this.where}`));
    }
    return new Promise((resolve, reject) => {
      this.socket.write(bytes, (error) => {
        if (error) reject(new Error(`cannot send to ${this.where}: ${error.message}`));
        else resolve();
      });
    });
  }

  /**
   * The next reply not yet taken. After a timeout, replies no longer pair with requests: close
   * the connection.
   * @example
   * ```ts
   * await client.write(request);
   * const reply = await client.nextReply();
   * ```
   */
  nextReply(): Promise<string> {
    const reply = this.replies.shift();
    if (reply !== undefined) return Promise.resolve(reply);
    if (this.ended) return Promise.reject(this.closedError(`no reply from ${this.where}`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const index = this.waiters.findIndex((w) => w.timer === timer);
        if (index !== -1) this.waiters.splice(index, 1);
        reject(new Error(`no reply from ${this.where} within ${this.timeoutMs / 1000} s`));
      }, this.timeoutMs);
      this.waiters.push({ resolve, reject, timer });
    });
  }

  /**
   * Closes the connection (as the client does after the reply) and resolves once it is closed.
   * @example
   * ```ts
   * await client.close();
   * ```
   */
  async close(): Promise<void> {
    this.closing = true;
    if (!this.socket.destroyed) {
      this.socket.end();
      const timer = setTimeout(() => this.socket.destroy(), this.timeoutMs);
      await this.whenClosed;
      clearTimeout(timer);
    }
    this.stop(undefined);
  }

  /**
   * Resolves when the connection is closed (by the server or by {@link close}).
   * @example
   * ```ts
   * await client.closed; // the server hung up
   * ```
   */
  get closed(): Promise<void> {
    return this.whenClosed;
  }

  /** The server ended the connection or it failed: waiting replies will not come. */
  private stop(error: Error | undefined): void {
    this.failure ??= error;
    this.ended = true;
    for (const waiter of this.waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(this.closedError(`no reply from ${this.where}`));
    }
  }

  private closedError(what: string): Error {
    const partial = this.reader.pending;
    const cause = this.failure
      ? `the connection failed (${this.failure.message})`
      : this.closing
        ? "the connection was closed"
        : "the server closed the connection";
    const unfinished = partial > 0 ? ` after ${partial} bytes of an unterminated reply` : "";
    return new Error(`${what}: ${cause}${unfinished}`);
  }
}
