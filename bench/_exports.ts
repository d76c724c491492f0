/**
 * The benchmarks' Connexion client loop (bench/connexion.ts, bench/cluster.ts): clients act like
 * the Connexion client, one TCP connection per record (connect, send, read to the NUL, close),
 * each taking the next export when its reply has come.
 */
import net from "node:net";

/** How long one export may wait for its reply. */
const EXCHANGE_TIMEOUT_MS = 60_000;

/** One export to send: the request's bytes and the outcome it was made for. */
export interface BenchExport {
  readonly request: Uint8Array;
  readonly expected: "added" | "merged";
  /** Its record number, for messages. */
  readonly number: number;
}

export interface Exchange {
  readonly ms: number;
  readonly reply?: string;
  readonly error?: string;
}

/** One export as the Connexion client makes it: connect, send, read to the NUL, close. */
export function exchange(port: number, request: Uint8Array): Promise<Exchange> {
  const start = performance.now();
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port, noDelay: true });
    const parts: Buffer[] = [];
    let done = false;
    const finish = (result: { reply?: string; error?: string }): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ ms: performance.now() - start, ...result });
    };
    const timer = setTimeout(
      () => finish({ error: `no reply within ${EXCHANGE_TIMEOUT_MS / 1000} s` }),
      EXCHANGE_TIMEOUT_MS,
    );
    socket.once("connect", () => socket.write(request));
    socket.on("data", (chunk: Buffer) => {
      const nul = chunk.indexOf(0);
      if (nul === -1) {
        parts.push(chunk);
        return;
      }
      parts.push(chunk.subarray(0, nul));
      finish({ reply: Buffer.concat(parts).toString("utf8") });
    });
    socket.on("error", (error) => finish({ error: error.message }));
    socket.on("close", () => finish({ error: "closed before the reply" }));
  });
}

export interface Run {
  readonly exports: number;
  readonly seconds: number;
  /** Connect-to-reply times, sorted, in milliseconds. */
  readonly latencies: readonly number[];
  readonly failures: number;
  readonly firstFailures: readonly string[];
  /** Replies by what they say happened: added, merged, unchanged, other. */
  readonly outcomes: ReadonlyMap<string, number>;
  /** Successful replies that say another outcome than the export was made for. */
  readonly unexpected: number;
  readonly firstUnexpected: readonly string[];
}

export function outcomeOf(reply: string): string {
  const m = /^Success\. Record \S+ (added|merged|is unchanged)/.exec(reply);
  return m ? m[1]!.replace("is ", "") : "other";
}

/** Sends `exports` with `clients` clients at once, each taking the next export when done. */
export async function drive(
  port: number,
  exports: readonly BenchExport[],
  clients: number,
): Promise<Run> {
  const latencies: number[] = [];
  const firstFailures: string[] = [];
  const outcomes = new Map<string, number>();
  let failures = 0;
  let unexpected = 0;
  const firstUnexpected: string[] = [];
  let next = 0;
  const client = async (): Promise<void> => {
    while (next < exports.length) {
      const x = exports[next++]!;
      const result = await exchange(port, x.request);
      latencies.push(result.ms);
      if (result.reply !== undefined && result.reply.startsWith("Success")) {
        const outcome = outcomeOf(result.reply);
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
        if (outcome !== x.expected && outcome !== "other") {
          unexpected++;
          if (firstUnexpected.length < 3) {
            firstUnexpected.push(`record ${x.number}, made to be ${x.expected}: ${result.reply}`);
          }
        }
        continue;
      }
      failures++;
      if (firstFailures.length < 3) firstFailures.push(result.reply ?? `(${result.error})`);
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: clients }, client));
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    exports: exports.length,
    seconds,
    latencies,
    failures,
    firstFailures,
    outcomes,
    unexpected,
    firstUnexpected,
  };
}

export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN;
}
