/** Command-line input and output: files or standard streams, buffered, with backpressure. */
import { createReadStream, createWriteStream } from "node:fs";
import { once } from "node:events";
import type { Writable } from "node:stream";

/** An input opened for reading: its first bytes (for sniffing) and all its chunks. */
export interface OpenedInput {
  readonly name: string;
  readonly head: Uint8Array;
  readonly chunks: AsyncIterable<Uint8Array>;
}

/** Opens a file, or standard input for `-`, and reads its first chunk so the format can be sniffed. */
export async function openInput(path: string): Promise<OpenedInput> {
  const stream = path === "-" ? process.stdin : createReadStream(path, { highWaterMark: 1 << 20 });
  const iterator = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  const first = await iterator.next();
  const head: Uint8Array = first.done ? new Uint8Array(0) : first.value;
  async function* chunks(): AsyncGenerator<Uint8Array> {
    if (head.length > 0) yield head;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  }
  return { name: path === "-" ? "standard input" : path, head, chunks: chunks() };
}

/** Collects output and writes it in large pieces, waiting when the destination is full. */
export class BufferedOutput {
  private parts: (string | Uint8Array)[] = [];
  private size = 0;
  private constructor(
    private readonly stream: Writable,
    private readonly ownsStream: boolean,
  ) {}

  /** A file (created or truncated), or standard output for `-` / undefined. */
  static open(path: string | undefined): BufferedOutput {
    if (path === undefined || path === "-") return new BufferedOutput(process.stdout, false);
    return new BufferedOutput(createWriteStream(path), true);
  }

  async write(part: string | Uint8Array): Promise<void> {
    this.parts.push(part);
    this.size += part.length;
    if (this.size >= 1 << 20) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.parts.length === 0) return;
    const chunk = Buffer.concat(
      this.parts.map((p) => (typeof p === "string" ? Buffer.from(p, "utf8") : p)),
    );
    this.parts = [];
    this.size = 0;
    if (!this.stream.write(chunk)) await once(this.stream, "drain");
  }

  async close(): Promise<void> {
    await this.flush();
    if (this.ownsStream) {
      this.stream.end();
      await once(this.stream, "finish");
    }
  }
}
