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

/** Size of the slabs output is gathered in before it is written. */
const SLAB_BYTES = 1 << 21;

/**
 * Collects output in a slab of bytes and writes it in large pieces, waiting when the
 * destination is full. Text is encoded straight into the slab (no buffer per piece).
 */
export class BufferedOutput {
  private slab = Buffer.allocUnsafe(SLAB_BYTES);
  private used = 0;
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
    // A UTF-16 code unit takes at most three bytes in UTF-8.
    const most = typeof part === "string" ? part.length * 3 : part.length;
    if (this.used + most > this.slab.length) await this.flush();
    if (most > this.slab.length) {
      await this.send(typeof part === "string" ? Buffer.from(part, "utf8") : part);
    } else if (typeof part === "string") {
      this.used += this.slab.utf8Write(part, this.used);
    } else {
      this.slab.set(part, this.used);
      this.used += part.length;
    }
  }

  async flush(): Promise<void> {
    if (this.used === 0) return;
    const full = this.slab.subarray(0, this.used);
    // The stream may hold the slab until it is written, so the next output goes to a new one.
    this.slab = Buffer.allocUnsafe(SLAB_BYTES);
    this.used = 0;
    await this.send(full);
  }

  private async send(chunk: Uint8Array): Promise<void> {
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
