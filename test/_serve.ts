/**
 * Test helper: `marcgate serve` as a process on free loopback ports (so parallel runs do not
 * collide), ready once it says "marcgate serving".
 */
import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import { resolve } from "node:path";

/** The executable `npx marcgate` runs. */
export const MARCGATE = resolve("bin/marcgate.js");

/** A port nothing listens on now. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const address = server.address();
  await new Promise<void>((done) => server.close(() => done()));
  return typeof address === "object" && address ? address.port : 0;
}

/** A running `marcgate serve`. */
export interface Serving {
  readonly process: ChildProcess;
  readonly connexionPort: number;
  /** The HTTP base URL (also its --public-url). */
  readonly base: string;
}

/**
 * Starts `marcgate serve --data dir` on 127.0.0.1; `host` names the base URL's host. Without
 * Z39.50 unless `z3950Port` is given (the default port 2100 is the machine's).
 */
export async function startServe(dir: string, host = "127.0.0.1", z3950Port = 0): Promise<Serving> {
  const httpPort = await freePort();
  const connexionPort = await freePort();
  const base = `http://${host}:${httpPort}`;
  const child = spawn(process.execPath, [
    MARCGATE,
    "serve",
    "--data",
    dir,
    "--host",
    "127.0.0.1",
    "--http-port",
    String(httpPort),
    "--connexion-port",
    String(connexionPort),
    "--public-url",
    base,
    "--z3950-port",
    String(z3950Port),
  ]);
  await new Promise<void>((ready, fail) => {
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes("marcgate serving")) ready();
    });
    child.once("exit", (code) =>
      fail(new Error(`marcgate serve exited (${String(code)}): ${out}`)),
    );
  });
  return { process: child, connexionPort, base };
}
