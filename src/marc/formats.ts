/**
 * The four record formats behind one door: names, sniffing, a reader and a writer for each.
 * Commands and services use this module rather than picking modules by hand.
 */
import type { ReadResult } from "./issue.js";
import { readIso2709, writeIso2709 } from "./iso2709.js";
import {
  MARCJSON_ARRAY_END,
  MARCJSON_ARRAY_SEPARATOR,
  MARCJSON_ARRAY_START,
  readMarcJson,
  writeMarcJson,
} from "./marcjson.js";
import {
  MARCXML_COLLECTION_END,
  MARCXML_COLLECTION_START,
  readMarcXml,
  writeMarcXmlRecord,
} from "./marcxml.js";
import { readMnemonic, writeMnemonic } from "./mnemonic.js";
import type { MarcRecord } from "./record.js";

/** The formats marcgate reads and writes. */
export const FORMAT_NAMES = ["iso2709", "marcxml", "json", "mrk"] as const;
export type FormatName = (typeof FORMAT_NAMES)[number];

export function isFormatName(name: string): name is FormatName {
  return (FORMAT_NAMES as readonly string[]).includes(name);
}

/** Other names people use for the formats (file extensions, yaz's names). */
const ALIASES: Readonly<Record<string, FormatName>> = {
  marc: "iso2709",
  mrc: "iso2709",
  usmarc: "iso2709",
  xml: "marcxml",
  mij: "json",
  marcjson: "json",
  mnemonic: "mrk",
  marcedit: "mrk",
};

/** The format a name or alias stands for (case-insensitive), or `undefined`. */
export function formatByName(name: string): FormatName | undefined {
  const lower = name.toLowerCase();
  return isFormatName(lower) ? lower : ALIASES[lower];
}

/**
 * Guesses the format from the first bytes: `<` MARCXML, `{` or `[` MARC-in-JSON, `=` mnemonic,
 * anything else ISO 2709 (whose reader reports what is wrong with it). A UTF-8 byte order
 * mark and leading white space are passed over.
 */
export function sniffFormat(head: Uint8Array): FormatName {
  let i = 0;
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) i = 3;
  while (
    i < head.length &&
    (head[i] === 0x20 || head[i] === 0x0a || head[i] === 0x0d || head[i] === 0x09)
  )
    i++;
  switch (head[i]) {
    case 0x3c:
      return "marcxml";
    case 0x7b:
    case 0x5b:
      return "json";
    case 0x3d:
      return "mrk";
    default:
      return "iso2709";
  }
}

/** Options shared by every reader. */
export interface FormatReadOptions {
  /**
   * ISO 2709 only: `"convert"` MARC-8 records (leader/09 blank) to Unicode, or `"keep"` their bytes.
   * @default "convert"
   */
  readonly marc8?: "convert" | "keep";
}

/** Reads records in the given format from chunks of any size. */
export function readFormat(
  format: FormatName,
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: FormatReadOptions = {},
): AsyncGenerator<ReadResult<MarcRecord>> {
  const input = Symbol.asyncIterator in chunks ? chunks : fromIterable(chunks);
  switch (format) {
    case "iso2709":
      return readIso2709(input, options);
    case "marcxml":
      return readMarcXml(input);
    case "json":
      return readMarcJson(input);
    case "mrk":
      return readMnemonic(input);
  }
}

async function* fromIterable(chunks: Iterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  yield* chunks;
}

/** Writes a stream of records: `start`, then each record, then `end`. */
export interface FormatWriter {
  readonly start: string;
  /** The record's text or bytes (the separator before it included), or why it cannot be written. */
  record(record: MarcRecord, index: number): string | Uint8Array | { readonly error: string };
  readonly end: string;
}

/**
 * The writer for a format. MARCXML writes a `<collection>`, MARC-in-JSON an array. With
 * `marc8: "keep"`, ISO 2709 writes records read with that option back byte for byte.
 */
export function formatWriter(format: FormatName, options: FormatReadOptions = {}): FormatWriter {
  switch (format) {
    case "iso2709":
      return {
        start: "",
        end: "",
        record(record) {
          try {
            return writeIso2709(record, options);
          } catch (error) {
            if (error instanceof RangeError) return { error: error.message };
            throw error;
          }
        },
      };
    case "marcxml":
      return {
        start: MARCXML_COLLECTION_START,
        end: MARCXML_COLLECTION_END,
        record: writeMarcXmlRecord,
      };
    case "json":
      return {
        start: MARCJSON_ARRAY_START,
        end: MARCJSON_ARRAY_END,
        record: (record, index) =>
          (index > 0 ? MARCJSON_ARRAY_SEPARATOR : "") + writeMarcJson(record),
      };
    case "mrk":
      return { start: "", end: "", record: writeMnemonic };
  }
}
