/**
 * An OAI-PMH harvest (ListRecords, marc21, every page by its resumption token) of one zone beside
 * `marcgate export` of the same zone as MARCXML: records per second, and the peak memory of the
 * serving process and of the export (/usr/bin/time). MARCGATE_BENCH_OAI_RECORDS records
 * (default 20,000; the issue's figure is 1,000,000), bibliographic records of the corpus repeated.
 * The serving process' resident memory is sampled as the harvest goes (at each tenth of the
 * records, and at 100,000, 500,000 and 1,000,000 when the run is that large), so a harvest whose
 * memory grows with the records harvested shows it; the load and the export are timed too.
 */
import { spawn, spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
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

/** A process' memory from /proc: `VmHWM` (peak resident) or `VmRSS` (resident now), in kB. */
function memoryKb(pid: number, line: "VmHWM" | "VmRSS"): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(new RegExp(`${line}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
}

/** Where the harvest samples memory: every tenth of `count`, and the round marks within it. */
function samplePoints(count: number): number[] {
  const points = new Set<number>();
  for (let i = 1; i <= 10; i++) points.add(Math.round((count * i) / 10));
  for (const mark of [100_000, 500_000, 1_000_000]) if (mark <= count) points.add(mark);
  return [...points].filter((p) => p > 0).sort((a, b) => a - b);
}

const mb = (kb: number): string => `${(kb / 1024).toFixed(0)} MB`;
const seconds = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e9;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "marcgate-bench-oai-"));
  try {
    const data = join(dir, "data");
    const file = join(dir, "in.mrc");
    const bibs = bibliographicRecords(SOURCE);
    // Written a batch at a time: a million records are more than one Buffer should hold.
    const fd = openSync(file, "w");
    let batch: Uint8Array[] = [];
    for (const record of replicated(bibs, total)) {
      batch.push(writeIso2709(record));
      if (batch.length === 10_000) {
        writeSync(fd, Buffer.concat(batch));
        batch = [];
      }
    }
    writeSync(fd, Buffer.concat(batch));
    closeSync(fd);
    const cli = (args: string[]): void => {
      const r = spawnSync(process.execPath, [MARCGATE, ...args, "--data", data], {
        stdio: "ignore",
      });
      if (r.status !== 0) throw new Error(`marcgate ${args.join(" ")} failed`);
    };
    cli(["institution", "add", ZONE, "--name", "Bench"]);
    const startLoad = process.hrtime.bigint();
    cli(["load", file, "--institution", ZONE]);
    const loadSeconds = seconds(startLoad);
    process.stdout.write(
      `loaded ${total.toLocaleString("en")} records in ${loadSeconds.toFixed(0)} s\n`,
    );

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
    const exportSeconds = seconds(startExport);
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
    const points = samplePoints(total);
    const samples: { harvested: number; seconds: number; rssKb: number }[] = [];
    let harvested = 0;
    let query = "verb=ListRecords&metadataPrefix=marc21";
    for (let pages = 0; pages < total; pages++) {
      const xml = await (await fetch(`${base}?${query}`)).text();
      harvested += xml.split("<header>").length - 1;
      while (points.length && harvested >= points[0]!) {
        points.shift();
        const sample = {
          harvested,
          seconds: seconds(startHarvest),
          rssKb: memoryKb(serve.pid!, "VmRSS"),
        };
        samples.push(sample);
        process.stdout.write(
          `  harvested ${harvested.toLocaleString("en")} in ${sample.seconds.toFixed(0)} s: serve RSS ${mb(sample.rssKb)}\n`,
        );
      }
      const token = /<resumptionToken[^>]*>([^<]+)<\/resumptionToken>/.exec(xml);
      if (!token) break;
      query = `verb=ListRecords&resumptionToken=${encodeURIComponent(token[1]!)}`;
    }
    const harvestSeconds = seconds(startHarvest);
    const serveKb = memoryKb(serve.pid!, "VmHWM");
    serve.kill("SIGTERM");
    const rate = (n: number, s: number): string => Math.round(n / s).toLocaleString("en");
    process.stdout.write(
      `OAI-PMH harvest (ListRecords marc21, ${harvested.toLocaleString("en")} records): ${rate(harvested, harvestSeconds)} records/s, serve peak RSS ${mb(serveKb)}\n` +
        `serve RSS during the harvest: ${samples.map((s) => `${s.harvested.toLocaleString("en")}: ${mb(s.rssKb)}`).join(", ")}\n` +
        `marcgate export --format marcxml (same zone): ${rate(total, exportSeconds)} records/s, peak RSS ${mb(exportKb)}\n` +
        `harvest / export: ${(harvestSeconds / exportSeconds).toFixed(1)}× the time\n`,
    );
    if (harvested !== total) throw new Error(`harvested ${harvested} of ${total}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
