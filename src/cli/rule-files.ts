/** Reading rule files from disk for the commands, with errors as `FILE:LINE:COLUMN: message`. */
import { readFile } from "node:fs/promises";
import type { RuleFile } from "../rules/ast.js";
import { parseRules } from "../rules/parser.js";

/** A rule file as read: its text and what the parser made of it. */
export interface ReadRuleFile {
  readonly path: string;
  readonly text: string;
  readonly parsed: RuleFile;
}

/** Reads a file a profile names (UTF-8); an unreadable file is an error line, not an exception. */
export async function readProfileFile(
  path: string,
): Promise<{ readonly text: string } | { readonly error: string }> {
  try {
    return { text: await readFile(path, "utf8") };
  } catch (error) {
    return {
      error: `${path}: cannot be read (${error instanceof Error ? error.message : String(error)})`,
    };
  }
}

/** Reads and parses a rule file; an unreadable file is an error line, not an exception. */
export async function readRuleFile(
  path: string,
): Promise<{ readonly file: ReadRuleFile } | { readonly error: string }> {
  const read = await readProfileFile(path);
  if ("error" in read) return read;
  return { file: { path, text: read.text, parsed: parseRules(read.text) } };
}

export { ruleFileKind } from "../rules/file-kind.js";
