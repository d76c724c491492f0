/**
 * The Connexion listener: plain TCP (default port 5500). The client speaks first; each request
 * (optional logon prefix and one ISO 2709 record) gets one reply, text and a NUL, in order.
 * After a reply the connection stays open until the client closes it or `lingerMs` pass, and
 * any further record on it is a new export.
 *
 * Protection: a record may buffer at most `maxRequestBytes`; a connection that sends nothing
 * within `firstByteTimeoutMs` is closed; the server holds at most `maxConnections` connections
 * and `maxConnectionsPerAddress` from one address, and when either is reached it sheds the
 * oldest silent connection (nothing queued or being answered, and no request arriving, or one
 * arriving for longer than {@link SLOW_REQUEST_MS}) of the whole server, or of that address,
 * rather than refusing the new one; a request that stops arriving for `idleTimeoutMs` is taken
 * as it is (the parser's idle end), one that takes longer than `requestTimeoutMs` in all (a slow
 * sender) is refused; a client that sends requests faster than they are answered is paused.
 * Every connection is independent, so one bad client never stalls the others. See
 * docs/connexion.md for the figures and why.
 */
import net from "node:net";
import type { Log, LogFields } from "../observe/log.js";
import type { ExportOutcome, Peer } from "./gateway.js";
import { parseProxyHeader } from "./proxy-protocol.js";
import { errorReply } from "./reply.js";
import { ConnexionRequestParser, type ConnexionRequest, type ParserEvent } from "./request.js";

/** Options of {@link ConnexionServer}. */
export interface ConnexionServerOptions {
  /** @default 5500 */
  readonly port?: number;
  /** @default "::" (all addresses) */
  readonly host?: string;
  /** @default 100000 */
  readonly maxRequestBytes?: number;
  /** @default 1000 */
  readonly maxConnections?: number;
  /** @default 100 */
  readonly maxConnectionsPerAddress?: number;
  /** How long a new connection may stay silent before its first byte. @default 5000 */
  readonly firstByteTimeoutMs?: number;
  /** Silence in the middle of a request before it is taken as complete. @default 10000 */
  readonly idleTimeoutMs?: number;
  /** Longest time from a request's first byte to its last. @default 60000 */
  readonly requestTimeoutMs?: number;
  /** How long an idle connection stays open (before the first request and after a reply). @default 30000 */
  readonly lingerMs?: number;
  /** Requests of one connection waiting for their reply before its reading is paused. @default 4 */
  readonly maxQueuedRequests?: number;
  /**
   * Addresses of load balancers (HAProxy) that open each connection with a PROXY protocol v1
   * header naming the client: their connections count as the client's. @default none
   */
  readonly trustedProxies?: readonly string[];
  /** One line per export and per refused connection (never credentials). */
  readonly log?: Log;
}

/** Handles one request and says what came of it. Must not throw. */
export type ExportHandler = (request: ConnexionRequest, peer: Peer) => Promise<ExportOutcome>;

/** Counters for the status page and `/healthz`. */
export interface ConnexionStats {
  readonly connections: number;
  readonly exports: number;
  readonly failures: number;
  readonly refusedConnections: number;
  /** Silent connections closed to make room for new ones. */
  readonly shedConnections: number;
}

/** What the listener is busy with now ({@link ConnexionServer.load}). */
export interface ConnexionLoad {
  /** Requests handed to the gateway and not answered yet. */
  readonly answering: number;
  /** Requests fully received, waiting behind an earlier one of their connection. */
  readonly queued: number;
}

/**
 * A request still arriving after this long is as good as silent, and may be shed: a Connexion
 * client sends its record at once (100 KB take well under a second on any network it uses).
 */
export const SLOW_REQUEST_MS = 2_000;

/** Reply bytes a client may leave unread before its connection is no longer read from. */
const MAX_UNREAD_REPLY_BYTES = 65_536;

const FAILURE_OUTCOMES = new Set(["rejected", "unauthorized", "throttled", "failed", "refused"]);

export class ConnexionServer {
  private readonly server: net.Server;
  /** Open connections, oldest first. */
  private readonly connections = new Map<net.Socket, Connection>();
  private readonly perAddress = new Map<string, number>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private counters = { exports: 0, failures: 0, refusedConnections: 0, shedConnections: 0 };
  private readonly settings: Required<Omit<ConnexionServerOptions, "log" | "trustedProxies">>;
  private readonly proxies: ReadonlySet<string>;
  private readonly log: Log;

  constructor(
    private readonly handler: ExportHandler,
    options: ConnexionServerOptions = {},
  ) {
    this.settings = {
      port: options.port ?? 5500,
      host: options.host ?? "::",
      maxRequestBytes: options.maxRequestBytes ?? 100_000,
      maxConnections: options.maxConnections ?? 1000,
      maxConnectionsPerAddress: options.maxConnectionsPerAddress ?? 100,
      firstByteTimeoutMs: options.firstByteTimeoutMs ?? 5_000,
      idleTimeoutMs: options.idleTimeoutMs ?? 10_000,
      requestTimeoutMs: options.requestTimeoutMs ?? 60_000,
      lingerMs: options.lingerMs ?? 30_000,
      maxQueuedRequests: options.maxQueuedRequests ?? 4,
    };
    this.log = options.log ?? (() => undefined);
    this.proxies = new Set((options.trustedProxies ?? []).map(plainAddress));
    this.server = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) =>
      this.accept(socket),
    );
  }

  /** Starts listening; resolves with the port (useful with port 0). */
  listen(): Promise<{ port: number }> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(this.settings.port, this.settings.host, () => {
        this.server.off("error", reject);
        const address = this.server.address();
        resolve({ port: typeof address === "object" && address ? address.port : 0 });
      });
    });
  }

  get stats(): ConnexionStats {
    return { connections: this.connections.size, ...this.counters };
  }

  /** Exports being answered now, and requests received and waiting for their turn (metrics). */
  get load(): ConnexionLoad {
    let queued = 0;
    for (const connection of this.connections.values()) queued += connection.queued;
    return { answering: this.inFlight.size, queued };
  }

  /** Stops accepting, lets requests being handled finish and answer, then closes every connection. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    for (const socket of this.connections.keys()) socket.destroy();
    await closed;
  }

  private accept(socket: net.Socket): void {
    const address = socket.remoteAddress ?? "unknown";
    const peer: Peer = { address, port: socket.remotePort ?? 0 };
    if (this.proxies.has(plainAddress(address))) {
      this.acceptFromProxy(socket, peer);
      return;
    }
    this.admit(socket, peer);
  }

  /**
   * A load balancer's connection: its PROXY header first (within the first-byte timeout), then
   * the connection is the client's it names. A bad header closes it.
   */
  private acceptFromProxy(socket: net.Socket, proxy: Peer): void {
    let head = Buffer.alloc(0);
    const fail = (message: string): void => {
      clearTimeout(timer);
      socket.off("data", onData);
      this.counters.refusedConnections++;
      this.log(`connexion ${proxy.address}:${proxy.port} refused: ${message}`, {
        event: "connexion-refused",
        client: proxy.address,
        port: proxy.port,
        reason: message,
      });
      socket.destroy();
    };
    const timer = setTimeout(
      () => fail("no PROXY protocol header within the first-byte timeout"),
      this.settings.firstByteTimeoutMs,
    );
    socket.on("error", () => socket.destroy());
    socket.on("close", () => clearTimeout(timer));
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const parsed = parseProxyHeader(head);
      if ("incomplete" in parsed) return;
      if ("error" in parsed) return fail(parsed.error);
      clearTimeout(timer);
      socket.off("data", onData);
      socket.pause();
      const peer: Peer =
        parsed.header.kind === "client"
          ? { address: plainAddress(parsed.header.address), port: parsed.header.port }
          : proxy;
      this.admit(socket, peer, head.subarray(parsed.length));
      socket.resume();
    };
    socket.on("data", onData);
  }

  /** Takes a connection from `peer` (refused or shed by the limits), `first` its bytes so far. */
  private admit(socket: net.Socket, peer: Peer, first?: Buffer): void {
    const { address } = peer;
    if ((this.perAddress.get(address) ?? 0) >= this.settings.maxConnectionsPerAddress)
      this.shed(address);
    if (this.connections.size >= this.settings.maxConnections) this.shed(undefined);
    const refusal =
      this.connections.size >= this.settings.maxConnections
        ? "the server is busy (too many connections); export again in a minute"
        : (this.perAddress.get(address) ?? 0) >= this.settings.maxConnectionsPerAddress
          ? `too many connections from ${address}; export again when the others are done`
          : undefined;
    if (refusal) {
      this.counters.refusedConnections++;
      this.log(`connexion ${address}:${peer.port} refused: ${refusal}`, {
        event: "connexion-refused",
        client: address,
        port: peer.port,
        reason: refusal,
      });
      socket.on("error", () => undefined);
      socket.end(`${errorReply(refusal)}\0`, "latin1");
      setTimeout(() => socket.destroy(), 1000).unref();
      return;
    }
    this.perAddress.set(address, (this.perAddress.get(address) ?? 0) + 1);
    socket.on("close", () => this.release(socket, address));
    const connection = new Connection(socket, peer, this.settings, this.handler, {
      track: (work) => {
        this.inFlight.add(work);
        void work.finally(() => this.inFlight.delete(work));
      },
      exported: (outcome, request, ms) => {
        this.counters.exports++;
        if (FAILURE_OUTCOMES.has(outcome.outcome)) this.counters.failures++;
        this.log(exportLine(peer, outcome, request, ms), exportFields(peer, outcome, request, ms));
      },
      refused: (message) => {
        this.counters.failures++;
        this.log(`connexion ${peer.address}:${peer.port} refused: ${message}`, {
          event: "connexion-refused",
          client: peer.address,
          port: peer.port,
          reason: message,
        });
      },
    });
    this.connections.set(socket, connection);
    if (first !== undefined && first.length > 0) connection.data(first);
  }

  /** Closes the oldest silent connection (of `address`, or of any), if there is one. */
  private shed(address: string | undefined): void {
    for (const [socket, connection] of this.connections) {
      if (address !== undefined && connection.peer.address !== address) continue;
      if (!connection.silent()) continue;
      this.counters.shedConnections++;
      this.log(
        `connexion ${connection.peer.address}:${connection.peer.port} shed: silent, to make room`,
        { event: "connexion-shed", client: connection.peer.address, port: connection.peer.port },
      );
      this.release(socket, connection.peer.address);
      connection.shed();
      return;
    }
  }

  /** Forgets a connection (once: on shedding or on close). */
  private release(socket: net.Socket, address: string): void {
    if (!this.connections.delete(socket)) return;
    const n = (this.perAddress.get(address) ?? 1) - 1;
    if (n > 0) this.perAddress.set(address, n);
    else this.perAddress.delete(address);
  }
}

function exportLine(
  peer: Peer,
  outcome: ExportOutcome,
  request: ConnexionRequest,
  ms: number,
): string {
  return [
    `connexion ${peer.address}:${peer.port}`,
    `logon ${outcome.institution ?? "-"}`,
    `profile ${outcome.profile ?? "-"}`,
    outcome.outcome,
    outcome.mmsId ?? "-",
    outcome.jobId !== undefined ? `job ${outcome.jobId}` : "job -",
    `${request.record.length} bytes`,
    `${request.lengthForm} prefix`,
    `end ${request.end}`,
    `${ms} ms`,
  ].join(" ");
}

/** The export line's facts, named (JSON logs). */
function exportFields(
  peer: Peer,
  outcome: ExportOutcome,
  request: ConnexionRequest,
  ms: number,
): LogFields {
  return {
    event: "export",
    client: peer.address,
    port: peer.port,
    institution: outcome.institution,
    profile: outcome.profile,
    outcome: outcome.outcome,
    mmsId: outcome.mmsId,
    jobId: outcome.jobId,
    bytes: request.record.length,
    prefix: request.lengthForm,
    end: request.end,
    ms,
  };
}

interface ConnectionHooks {
  readonly track: (work: Promise<unknown>) => void;
  readonly exported: (outcome: ExportOutcome, request: ConnexionRequest, ms: number) => void;
  readonly refused: (message: string) => void;
}

/** One client connection: its parser, its timers and its queue of requests to answer in order. */
class Connection {
  private readonly parser: ConnexionRequestParser;
  private readonly queue: ConnexionRequest[] = [];
  private answering = false;
  private ended = false;
  private closing = false;
  private idleTimer: NodeJS.Timeout | undefined;
  private requestTimer: NodeJS.Timeout | undefined;
  /** Replies are waiting for the client to read them (reading is paused). */
  private unread = false;
  /** Whether any byte has arrived. */
  private heard = false;
  /** When the request being read began to arrive (`performance.now()`). */
  private requestStarted = 0;

  constructor(
    private readonly socket: net.Socket,
    readonly peer: Peer,
    private readonly settings: Required<Omit<ConnexionServerOptions, "log" | "trustedProxies">>,
    private readonly handler: ExportHandler,
    private readonly hooks: ConnectionHooks,
  ) {
    this.parser = new ConnexionRequestParser({ maxRequestBytes: settings.maxRequestBytes });
    socket.on("data", (chunk: Buffer) => this.data(chunk));
    socket.on("end", () => {
      this.ended = true;
      this.clearTimers();
      this.received(this.parser.end());
      this.finishIfDone();
    });
    socket.on("error", () => socket.destroy());
    socket.on("close", () => this.clearTimers());
    this.armTimers();
  }

  /** Requests received and not yet handed to the gateway. */
  get queued(): number {
    return this.queue.length;
  }

  /** Bytes from the client. */
  data(chunk: Buffer): void {
    this.heard = true;
    if (this.parser.pending === 0) this.requestStarted = performance.now();
    this.received(this.parser.push(chunk));
  }

  /**
   * Whether closing this connection loses nothing: no reply owed, and no request arriving,
   * or one that has been arriving for longer than {@link SLOW_REQUEST_MS}.
   */
  silent(): boolean {
    if (this.closing || this.answering || this.queue.length > 0) return false;
    return this.parser.pending === 0 || performance.now() - this.requestStarted > SLOW_REQUEST_MS;
  }

  /** Closed to make room for a new connection. */
  shed(): void {
    this.closing = true;
    this.clearTimers();
    if (this.parser.pending > 0)
      this.write(errorReply("the server is busy and this record was too slow; export again"));
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  private received(events: ParserEvent[]): void {
    if (this.closing) return;
    for (const event of events) {
      if (event.kind === "request") this.queue.push(event.request);
      else if (event.error.fatal) {
        this.hooks.refused(event.error.message);
        this.closeWith(errorReply(event.error.message));
        return;
      } else {
        this.hooks.refused(event.error.message);
        this.write(errorReply(event.error.message));
      }
    }
    if (this.queue.length >= this.settings.maxQueuedRequests) this.socket.pause();
    this.armTimers();
    void this.answer();
  }

  private async answer(): Promise<void> {
    if (this.answering) return;
    this.answering = true;
    try {
      while (this.queue.length > 0 && !this.closing) {
        const request = this.queue.shift()!;
        if (this.queue.length < this.settings.maxQueuedRequests && !this.unread)
          this.socket.resume();
        const started = performance.now();
        const work = this.handler(request, this.peer);
        this.hooks.track(work);
        const outcome = await work;
        this.write(outcome.reply);
        this.hooks.exported(outcome, request, Math.round(performance.now() - started));
      }
    } finally {
      this.answering = false;
    }
    this.armTimers();
    this.finishIfDone();
  }

  /** The client closed its side: once every reply is written, close ours. */
  private finishIfDone(): void {
    if (this.ended && !this.answering && this.queue.length === 0 && !this.closing) {
      this.closing = true;
      this.socket.end();
    }
  }

  private write(reply: string): void {
    if (this.socket.destroyed || !this.socket.writable) return;
    this.socket.write(`${reply}\0`, "latin1");
    // A client that does not read its replies is not read from either, until it catches up.
    if (this.socket.writableLength > MAX_UNREAD_REPLY_BYTES && !this.unread) {
      this.unread = true;
      this.socket.pause();
      this.socket.once("drain", () => {
        this.unread = false;
        if (this.queue.length < this.settings.maxQueuedRequests) this.socket.resume();
      });
    }
  }

  private closeWith(reply: string): void {
    this.closing = true;
    this.clearTimers();
    this.write(reply);
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 5000).unref();
  }

  private clearTimers(): void {
    clearTimeout(this.idleTimer);
    clearTimeout(this.requestTimer);
    this.idleTimer = undefined;
    this.requestTimer = undefined;
  }

  /**
   * While a request is arriving: the idle timer (silence → the request is taken as it is) and
   * the request timer (too slow overall → refused). Between requests, when nothing is being
   * answered: the linger timer (silence → the connection is closed).
   */
  private armTimers(): void {
    if (this.closing || this.ended) return;
    clearTimeout(this.idleTimer);
    const pending = this.parser.pending > 0;
    if (pending) {
      this.idleTimer = setTimeout(
        () => this.received(this.parser.idle()),
        this.settings.idleTimeoutMs,
      );
      if (!this.requestTimer) {
        this.requestTimer = setTimeout(() => {
          const message = `the record did not arrive within ${this.settings.requestTimeoutMs / 1000} s`;
          this.hooks.refused(message);
          this.closeWith(errorReply(message));
        }, this.settings.requestTimeoutMs);
      }
    } else {
      clearTimeout(this.requestTimer);
      this.requestTimer = undefined;
      if (!this.answering && this.queue.length === 0) {
        // Before the first byte the wait is short: a client connects to send.
        this.idleTimer = setTimeout(
          () => {
            this.closing = true;
            this.socket.end();
            setTimeout(() => this.socket.destroy(), 5000).unref();
          },
          this.heard ? this.settings.lingerMs : this.settings.firstByteTimeoutMs,
        );
      }
    }
  }
}

/** An IPv4 address as itself, not in IPv6's mapped form (`::ffff:127.0.0.1`). */
function plainAddress(address: string): string {
  return address.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
}
