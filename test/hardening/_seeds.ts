/**
 * Seeds for the fuzzers: real records from ../shared/corpus (read in place, never copied into
 * the repository), the first few small files of each format its MANIFEST.tsv lists, and the
 * same records written in every format by our writers. Without the corpus, one built-in record
 * stands in, and the suite says so.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { readIso2709Buffer, writeIso2709 } from "../../src/marc/iso2709.js";
import { writeMarcJson } from "../../src/marc/marcjson.js";
import { writeMarcXml } from "../../src/marc/marcxml.js";
import { writeMnemonic } from "../../src/marc/mnemonic.js";
import type { MarcRecord } from "../../src/marc/record.js";

const here = dirname(fileURLToPath(import.meta.url));
/** dist/test/hardening → repository root → ../shared/corpus */
export const CORPUS = process.env["MARCGATE_CORPUS"] ?? resolve(here, "../../../../shared/corpus");

/** The formats the fuzzers read, by the manifest's format column. */
const MANIFEST_FORMATS = {
  iso2709: "ISO2709",
  marcxml: "MARCXML",
  marcjson: "MARC-in-JSON",
  mnemonic: "MARCMaker/MarcEdit mnemonic (.mrk)",
} as const;

export type SeedFormat = keyof typeof MANIFEST_FORMATS;

const BUILT_IN: MarcRecord = {
  leader: "00000cam a2200000 a 4500",
  fields: [
    { tag: "001", value: "ocm00012345" },
    { tag: "008", value: "850101s1985    nyu           000 0 eng d" },
    { tag: "100", ind1: "1", ind2: " ", subfields: [{ code: "a", value: "Doe, Jane." }] },
    { tag: "245", ind1: "1", ind2: "0", subfields: [{ code: "a", value: "Café au lait /" }] },
  ],
};

/** Seeds of every format, and where they came from. */
export interface Seeds {
  readonly bytes: Readonly<Record<SeedFormat, readonly Buffer[]>>;
  /** Records read from the corpus's ISO 2709 seeds (for the Connexion request). */
  readonly records: readonly Buffer[];
  readonly source: string;
}

/** At most `perFormat` files of each format, each under `maxBytes`. */
export function loadSeeds(perFormat = 8, maxBytes = 60_000): Seeds {
  const bytes: Record<SeedFormat, Buffer[]> = {
    iso2709: [],
    marcxml: [],
    marcjson: [],
    mnemonic: [],
  };
  const manifest = join(CORPUS, "MANIFEST.tsv");
  let source = `built-in record (no ${manifest})`;
  if (existsSync(manifest)) {
    source = CORPUS;
    const rows = readFileSync(manifest, "utf8").split("\n").slice(1);
    for (const row of rows) {
      const [path, , , , , format, , , size] = row.split("\t");
      if (path === undefined || format === undefined) continue;
      const kind = (Object.keys(MANIFEST_FORMATS) as SeedFormat[]).find(
        (k) => MANIFEST_FORMATS[k] === format,
      );
      if (!kind || bytes[kind].length >= perFormat || Number(size) > maxBytes) continue;
      const file = join(CORPUS, path);
      if (existsSync(file)) bytes[kind].push(readFileSync(file));
    }
  }
  const records: Buffer[] = [];
  const parsed: MarcRecord[] = [BUILT_IN];
  for (const file of bytes.iso2709) {
    for (const result of readIso2709Buffer(file)) {
      if (result.record && parsed.length < 4 * perFormat) parsed.push(result.record);
    }
  }
  for (const record of parsed) {
    records.push(writeIso2709(record));
    bytes.marcxml.push(Buffer.from(writeMarcXml(record)));
    bytes.marcjson.push(Buffer.from(writeMarcJson(record)));
    bytes.mnemonic.push(Buffer.from(writeMnemonic(record)));
  }
  bytes.iso2709.push(...records);
  return { bytes, records, source };
}
