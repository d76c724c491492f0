/**
 * An OAI-PMH harvest (ListRecords, marc21, every page by its resumption token) of one zone beside
 * `marcgate export` of the same zone as MARCXML: records per second, and the peak memory of the
 * serving process and of the export (/usr/bin/time). MARCGATE_BENCH_OAI_RECORDS records
 * (default 20,000; the figure is 1,000,000), bibliographic records of the corpus repeated.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { writeIso2709 } from "../src/marc/iso2709.js";
import { bibliographicRecords, replicated } from "./_records.js";

const here = dirname(fileURLToPath(import.meta.url));
const MARCGATE = resolve(here, "../../bin/marcgate.js");
const SOURCE = resolve(here, "../../../shared/corpus/bench/all-utf8.mrc");
const total = Number(process.env.MARCGATE_BENCH_OAI_RECORDS ?? 20_000);
const ZONE = "01BENCH_OAI";

function peakKb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "marcgate-bench-oai-"));
  try {
    const data = join(dir, "data");
    const file = join(dir, "in.mrc");
    const bibs = bibliographicRecords(SOURCE);
    const chunks: Buffer[] = [];
    for (const record of replicated(bibs, total)) chunks.push(writeIso2709(record));
    writeFileSync(file, Buffer.concat(chunks));
    const cli = (args: string[]): void => {
      const r = spawnSync(process.execPath, [MARCGATE, ...args, "--data", data], {
        stdio: "ignore",
      });
      if (r.status !== 0) throw new Error(`marcgate ${args.join(" ")} failed`);
    };
    cli(["institution", "add", ZONE, "--name", "Bench"]);
    cli(["load", file, "--institution", ZONE]);

    const startExport = process.hrtime.bigint();
    const exported = spawnSync(
      "/usr/bin/time",
      [
        "-f",
        "%M",
        process.execPath,
        MARCGATE,
        "export",
        "--institution",
        ZONE,
        "--format",
        "marcxml",
        "-o",
        join(dir, "out.xml"),
        "--data",
        data,
      ],
      { encoding: "utf8" },
    );
    const exportSeconds = Number(process.hrtime.bigint() - startExport) / 1e9;
    const exportKb = Number(exported.stderr.trim().split("\n").at(-1));

    const serve = spawn(
      process.execPath,
      [
        MARCGATE,
        "serve",
        "--host",
        "127.0.0.1",
        "--http-port",
        "0",
        "--connexion-port",
        "0",
        "--z3950-port",
        "0",
        "--data",
        data,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    const port = await new Promise<number>((ok, fail) => {
      let seen = "";
      serve.stdout.on("data", (chunk: Buffer) => {
        seen += chunk.toString();
        const m = /HTTP on port (\d+)/.exec(seen);
        if (m) ok(Number(m[1]));
      });
      serve.on("exit", () => fail(new Error("serve stopped")));
    });
    const base = `http://127.0.0.1:${port}/oai/${ZONE}`;
    const startHarvest = process.hrtime.bigint();
    let harvested = 0;
    let query = "verb=ListRecords&metadataPrefix=marc21";
    for (let pages = 0; pages < total; pages++) {
      const xml = await (await fetch(`${base}?${query}`)).text();
      harvested += xml.split("<header>").length - 1;
      const token = /<resumptionToken[^>]*>([^<]+)<\/resumptionToken>/.exec(xml);
      if (!token) break;
      query = `verb=ListRecords&resumptionToken=${encodeURIComponent(token[1]!)}`;
    }
    const harvestSeconds = Number(process.hrtime.bigint() - startHarvest) / 1e9;
    const serveKb = peakKb(serve.pid!);
    serve.kill("SIGTERM");
    const rate = (n: number, s: number): string => Math.round(n / s).toLocaleString("en");
    process.stdout.write(
      `OAI-PMH harvest (ListRecords marc21, ${harvested.toLocaleString("en")} records): ${rate(harvested, harvestSeconds)} records/s, serve peak RSS ${(serveKb / 1024).toFixed(0)} MB\n` +
        `marcgate export --format marcxml (same zone): ${rate(total, exportSeconds)} records/s, peak RSS ${(exportKb / 1024).toFixed(0)} MB\n` +
        `harvest / export: ${(harvestSeconds / exportSeconds).toFixed(1)}× the time\n`,
    );
    if (harvested !== total) throw new Error(`harvested ${harvested} of ${total}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
