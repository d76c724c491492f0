/**
 * Benchmark worker: reads an ISO 2709 file as a stream into in-memory records and prints
 * `records maxRssBytes` on one line. Run by bench/run.ts as its own process.
 */
import { createReadStream } from "node:fs";
import { readIso2709 } from "../src/marc/iso2709.js";

const file = process.argv[2];
if (!file) throw new Error("usage: parse.js FILE");
let records = 0;
let fields = 0;
for await (const result of readIso2709(createReadStream(file, { highWaterMark: 1 << 20 }))) {
  records++;
  if (result.record) fields += result.record.fields.length;
}
process.stdout.write(`${records} ${process.resourceUsage().maxRSS * 1024} ${fields}\n`);
