/**
 * Generates `src/marc/marc8-table.ts` from the Library of Congress MARC-8 code tables
 * (`codetables.xml`, as published at https://www.loc.gov/marc/specifications/codetables.xml).
 *
 * Usage (from the repository root, after `npx tsc -p tsconfig.json`):
 *
 * ```sh
 * node dist/scripts/gen-marc8-table.js [path/to/codetables.xml]
 * ```
 *
 * The default input is `../shared/data/marc8/codetables.xml` relative to the repository
 * root. The XML is read, never copied: the output holds only the facts the decoder needs
 * (per character set: its name, its final escape byte, and each code → Unicode code point
 * with its combining flag), in a compact string form that `src/marc/marc8.ts` parses.
 *
 * Output format, per set (`codes` string):
 * - single-byte sets: space-separated entries `KK=UUUU` (base character) or `KK+UUUU`
 *   (combining mark), `KK` the MARC-8 code in hex as the table gives it, `UUUU` the code
 *   point in hex; `KK+` alone is a combining mark with no Unicode mapping of its own
 *   (the second halves of the ligature and double tilde). Codes `00`–`20` (controls and
 *   space) are left out: they are not part of the 94-character graphic sets.
 * - the 3-byte EACC set: entries sorted by code, separated by `,`; each entry is `UUUU`
 *   when its code is the previous code plus one, else `D:UUUU` with `D` the hex gap from
 *   the previous code (the first gap is counted from 0).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

interface CodeEntry {
  readonly marc: number;
  readonly ucs: number | undefined;
  readonly combining: boolean;
}

interface CharacterSet {
  readonly name: string;
  readonly isoCode: number;
  readonly bytesPerChar: number;
  readonly codes: readonly CodeEntry[];
}

/** The repository root: `dist/scripts/` → `../..`; `scripts/` (run from source) → `..`. */
function repoRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const up = resolve(here, "..");
  return basename(up) === "dist" ? resolve(up, "..") : up;
}

function decodeEntities(text: string): string {
  return text
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");
}

function elementText(block: string, name: string): string | undefined {
  const m = new RegExp(`<${name}>([^<]*)</${name}>`).exec(block);
  return m ? decodeEntities(m[1] ?? "").trim() : undefined;
}

/** Parses the code tables. Returns an error message instead of throwing on bad input. */
function parseCodeTables(xml: string): CharacterSet[] | string {
  const sets: CharacterSet[] = [];
  const setPattern = /<characterSet\b([^>]*)>([\s\S]*?)<\/characterSet>/g;
  for (const setMatch of xml.matchAll(setPattern)) {
    const attrs = setMatch[1] ?? "";
    const body = setMatch[2] ?? "";
    const name = /\bname="([^"]*)"/.exec(attrs)?.[1];
    const iso = /\bISOcode="([0-9A-Fa-f]{2})"/.exec(attrs)?.[1];
    if (name === undefined || iso === undefined) return `characterSet without name or ISOcode`;
    const codes: CodeEntry[] = [];
    let width = 0;
    for (const codeMatch of body.matchAll(/<code>([\s\S]*?)<\/code>/g)) {
      const block = codeMatch[1] ?? "";
      const marcHex = elementText(block, "marc");
      const ucsHex = elementText(block, "ucs") ?? "";
      if (marcHex === undefined || !/^[0-9A-Fa-f]+$/.test(marcHex) || marcHex.length % 2 !== 0)
        return `${name}: bad <marc> ${String(marcHex)}`;
      if (ucsHex !== "" && !/^[0-9A-Fa-f]{4,6}$/.test(ucsHex))
        return `${name}: bad <ucs> ${ucsHex} for ${marcHex}`;
      const bytes = marcHex.length / 2;
      if (width !== 0 && width !== bytes) return `${name}: mixed code widths`;
      width = bytes;
      codes.push({
        marc: parseInt(marcHex, 16),
        ucs: ucsHex === "" ? undefined : parseInt(ucsHex, 16),
        combining: elementText(block, "isCombining") === "true",
      });
    }
    if (codes.length === 0) return `${name}: no codes`;
    codes.sort((a, b) => a.marc - b.marc);
    for (let i = 1; i < codes.length; i++)
      if (codes[i]!.marc === codes[i - 1]!.marc)
        return `${name}: duplicate code ${codes[i]!.marc.toString(16)}`;
    sets.push({ name, isoCode: parseInt(iso, 16), bytesPerChar: width, codes });
  }
  return sets.length > 0 ? sets : "no characterSet elements found";
}

const hex = (n: number, width: number): string => n.toString(16).toUpperCase().padStart(width, "0");

function encodeSingleByte(codes: readonly CodeEntry[]): string {
  const parts: string[] = [];
  for (const c of codes) {
    if (c.marc <= 0x20) continue;
    const ucs = c.ucs === undefined ? "" : hex(c.ucs, 4);
    parts.push(`${hex(c.marc, 2)}${c.combining ? "+" : "="}${ucs}`);
  }
  return parts.join(" ");
}

function encodeMultiByte(codes: readonly CodeEntry[]): string {
  const parts: string[] = [];
  let previous = 0;
  for (const c of codes) {
    if (c.ucs === undefined) continue;
    const gap = c.marc - previous;
    parts.push(gap === 1 ? hex(c.ucs, 4) : `${gap.toString(16).toUpperCase()}:${hex(c.ucs, 4)}`);
    previous = c.marc;
  }
  return parts.join(",");
}

/** Splits a long string literal into lines of at most `width` characters. */
function chunked(text: string, width: number, indent: string): string {
  const lines: string[] = [];
  for (let i = 0; i < text.length; i += width)
    lines.push(`${indent}${JSON.stringify(text.slice(i, i + width))}`);
  return lines.join(",\n");
}

function render(sets: readonly CharacterSet[], source: string): string {
  const out: string[] = [];
  out.push(
    "// GENERATED FILE: do not edit by hand.",
    "// Generated by scripts/gen-marc8-table.ts from the Library of Congress MARC-8 code tables",
    `// (${source}, https://www.loc.gov/marc/specifications/codetables.xml).`,
    "// Format of `codes`: see scripts/gen-marc8-table.ts. Parsed by src/marc/marc8.ts.",
    "",
    "/** One MARC-8 graphic character set as the LC code tables define it. */",
    "export interface Marc8SetData {",
    "  /** The set's name in the code tables. */",
    "  readonly name: string;",
    "  /** The final byte of the escape sequence that designates the set (its ISO registration). */",
    "  readonly final: number;",
    "  /** Bytes per character: 1, or 3 for EACC. */",
    "  readonly bytesPerChar: 1 | 3;",
    "  /** The packed code → code point mapping (line chunks, to be joined). */",
    "  readonly codes: readonly string[];",
    "}",
    "",
    "/** The twelve MARC-8 character sets, in code-table order. */",
    "export const MARC8_SETS: readonly Marc8SetData[] = [",
  );
  for (const set of sets) {
    const packed =
      set.bytesPerChar === 1 ? encodeSingleByte(set.codes) : encodeMultiByte(set.codes);
    out.push(
      "  {",
      `    name: ${JSON.stringify(set.name)},`,
      `    final: 0x${hex(set.isoCode, 2)},`,
      `    bytesPerChar: ${set.bytesPerChar === 1 ? 1 : 3},`,
      "    codes: [",
      chunked(packed, 96, "      ") + ",",
      "    ],",
      "  },",
    );
  }
  out.push("];", "");
  return out.join("\n");
}

function main(argv: readonly string[]): number {
  const root = repoRoot();
  const input = resolve(
    argv[0] ?? resolve(root, "..", "shared", "data", "marc8", "codetables.xml"),
  );
  const output = resolve(root, "src", "marc", "marc8-table.ts");
  let xml: string;
  try {
    xml = readFileSync(input, "utf8");
  } catch (e) {
    console.error(`cannot read ${input}: ${(e as Error).message}`);
    return 1;
  }
  const sets = parseCodeTables(xml);
  if (typeof sets === "string") {
    console.error(`${input}: ${sets}`);
    return 1;
  }
  for (const s of sets)
    if (s.bytesPerChar !== 1 && s.bytesPerChar !== 3) {
      console.error(`${s.name}: unsupported code width ${s.bytesPerChar}`);
      return 1;
    }
  writeFileSync(output, render(sets, "codetables.xml"));
  const total = sets.reduce((n, s) => n + s.codes.length, 0);
  console.log(`wrote ${output}: ${sets.length} character sets, ${total} codes`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
