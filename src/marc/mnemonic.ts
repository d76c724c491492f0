/**
 * The MarcEdit mnemonic format (`.mrk`, LC MARCMaker/MARCBreaker): one line per field,
 *
 * ```text
 * =LDR  00000nam\a2200000\a\4500
 * =001  ocm123
 * =245  10$aTitle /$cAuthor.
 * ```
 *
 * `=` + tag + two spaces + content; records separated by a blank line.
 *
 * Escapes, as MarcEdit writes them:
 * - a blank in the leader, in control field values and in indicators is `\`;
 * - in data, `$` is `{dollar}`, `{` is `{lcub}`, `}` is `{rcub}`;
 * - a backslash is `{bsol}` everywhere. (MarcEdit has no escape for a backslash in a
 *   control field, where `\` means blank; `{bsol}` is its mnemonic for the character and
 *   makes the format reversible.) In subfield data a bare `\` is read as a backslash,
 *   as MarcEdit does; only the leader, control fields and indicators read `\` as blank.
 * - marcgate extension: CR and LF in data, which would break the line structure, are
 *   written `{U+000D}` and `{U+000A}`; the reader decodes any `{U+XXXX}` (4–6 hex digits).
 *
 * The reader decodes exactly `{dollar}`, `{lcub}`, `{rcub}`, `{bsol}` and `{U+XXXX}`;
 * any other `{…}` (MARC-8 character mnemonics such as `{acute}`, `{esc}`) is left as it
 * is, since turning them into Unicode needs the MARC-8 tables and their combining order.
 *
 * Not representable, so not round-tripped: an indicator or subfield code that is `\`,
 * `$` or `{`; a control field whose tag does not start `00` and a data field whose tag
 * does (the reader decides by tag, like MarcEdit).
 *
 * @example
 * ```ts
 * import { readMnemonic, writeMnemonic } from "./mnemonic.js";
 * const text = writeMnemonic({ leader: "00000nam a2200000 a 4500", fields: [{ tag: "001", value: "x1" }] });
 * // "=LDR  00000nam\\a2200000\\a\\4500\n=001  x1\n\n"
 * for await (const { record } of readMnemonic([text])) console.log(record);
 * ```
 */

import type { MarcIssue, ReadResult, Severity } from "./issue.js";
import type { Field, MarcRecord, Subfield } from "./record.js";
import { isControlField, isControlTag } from "./record.js";
import { DEFAULT_LEADER, quote, repairLeader, splitLines } from "./_text.js";

/** Options for {@link readMnemonic}. None yet; here so that callers can pass one. */
export type MnemonicReadOptions = Record<string, never>;

const KNOWN_MNEMONICS: Readonly<Record<string, string>> = {
  dollar: "$",
  lcub: "{",
  rcub: "}",
  bsol: "\\",
};

/**
 * Decodes mnemonics; with `blankIsBackslash`, `\` means a blank (leader, control fields).
 * Unknown `{…}` stay as they are.
 */
function decode(text: string, blankIsBackslash: boolean): string {
  const brace = text.indexOf("{");
  if (brace === -1) return blankIsBackslash ? text.replaceAll("\\", " ") : text;
  let out = "";
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charAt(i);
    if (c === "\\" && blankIsBackslash) {
      out += " ";
      i++;
    } else if (c === "{") {
      const close = text.indexOf("}", i + 1);
      const name = close === -1 ? undefined : text.slice(i + 1, close);
      const known = name === undefined ? undefined : decodeName(name);
      if (known !== undefined) {
        out += known;
        i = close + 1;
      } else {
        out += c;
        i++;
      }
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

function decodeName(name: string): string | undefined {
  const known = KNOWN_MNEMONICS[name];
  if (known !== undefined) return known;
  if (/^U\+[0-9A-Fa-f]{4,6}$/.test(name)) {
    const cp = parseInt(name.slice(2), 16);
    if (cp <= 0x10ffff) return String.fromCodePoint(cp);
  }
  return undefined;
}

interface PendingField {
  readonly tag: string;
  content: string;
  readonly line: number;
}

interface RecordBuilder {
  readonly line: number;
  readonly offset: number;
  lastLine: number;
  leader: string | undefined;
  readonly fields: Field[];
  readonly issues: MarcIssue[];
}

const TAG = /^[0-9A-Za-z]{3}$/;
/** Tags other readers pass through (as ISO 2709 does): printable ASCII but the mnemonic specials. */
const ODD_TAG = /^[!-#%-[\]-z|~][ -#%-[\]-z|~][!-#%-[\]-z|~]$/;

/**
 * Reads MarcEdit mnemonic (`.mrk`) text, line by line, from a stream of chunks of any
 * size; memory is bounded by about one record.
 *
 * - Lines end in LF or CRLF. A blank line (or one of only spaces) ends a record; a new
 *   `=LDR` also does, so a missing blank line is tolerated.
 * - `=000` is read like `=LDR` (MARC Report writes it).
 * - Lines starting `#` are comments and are skipped, as in MarcEdit.
 * - Any other line that does not start with `=` continues the field above it and is
 *   appended to it as it is (LC MARCBreaker wraps long fields that way).
 *
 * Issues (with line and tag): bad tag (line skipped), separator other than two spaces,
 * missing or bad indicators, data field without `$` (leading text dropped), `$` without a
 * code, record without `=LDR` (default leader), leader not 24 characters, text before any
 * field. Offsets are byte offsets of the record's first line.
 *
 * @example
 * ```ts
 * const mrk = "=LDR  00000nam\\a2200000\\a\\4500\n=245  10$aTitle{dollar}\n";
 * for await (const { record } of readMnemonic([mrk])) {
 *   record?.fields[0]; // { tag: "245", ind1: "1", ind2: "0", subfields: [{ code: "a", value: "Title$" }] }
 * }
 * ```
 */
export async function* readMnemonic(
  input: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  options?: MnemonicReadOptions,
): AsyncGenerator<ReadResult<MarcRecord>> {
  void options;
  let index = 0;
  let record: RecordBuilder | undefined;
  let pending: PendingField | undefined;
  /** Whether continuation lines are being dropped (after a skipped line). */
  let skipping = false;

  const issue = (
    r: RecordBuilder,
    severity: Severity,
    line: number,
    message: string,
    tag?: string,
  ): void => {
    const base = { severity, offset: r.offset, line, message };
    r.issues.push(tag === undefined ? base : { ...base, tag });
  };

  const flushField = (): void => {
    if (!pending || !record) return;
    const { tag, content, line } = pending;
    pending = undefined;
    const r = record;
    if (tag === "LDR" || tag === "000") {
      const repaired = repairLeader(decode(content, true));
      if (repaired.problem) issue(r, repaired.problem.severity, line, repaired.problem.message);
      r.leader = repaired.leader;
      return;
    }
    // The writer escapes every `$` in values, so a bare `$` always starts a subfield: a 00X line
    // holding one is a data field (DanMARC-style 00X fields with indicators and subfields).
    if (isControlTag(tag) && !content.includes("$")) {
      r.fields.push({ tag, value: decode(content, true) });
      return;
    }
    const dollar = content.indexOf("$");
    let ind1 = " ";
    let ind2 = " ";
    let rest: string;
    if (dollar !== -1 && dollar < 2) {
      issue(
        r,
        "major",
        line,
        `data field ${tag} has ${dollar === 0 ? "no indicators" : "one indicator"} before "$"; using blank`,
        tag,
      );
      if (dollar === 1) ind1 = content.charAt(0) === "\\" ? " " : content.charAt(0);
      rest = content.slice(dollar);
    } else if (content.length < 2) {
      issue(r, "major", line, `data field ${tag} has no indicators; using blanks`, tag);
      rest = "";
    } else {
      const i1 = content.charAt(0);
      const i2 = content.charAt(1);
      // Which indicator values a tag allows is validation's business (as for ISO 2709 input).
      ind1 = i1 === "\\" ? " " : i1;
      ind2 = i2 === "\\" ? " " : i2;
      rest = content.slice(2);
    }
    const subfields: Subfield[] = [];
    if (rest.length > 0) {
      const pieces = rest.split("$");
      const before = pieces[0]!;
      if (before.length > 0)
        issue(
          r,
          "major",
          line,
          pieces.length === 1
            ? `data field ${tag} has no "$" subfields; text ${quote(before)} dropped`
            : `data field ${tag} has text ${quote(before)} before the first "$"; dropped`,
          tag,
        );
      for (let k = 1; k < pieces.length; k++) {
        const piece = pieces[k]!;
        if (piece.length === 0) {
          issue(
            r,
            "major",
            line,
            `data field ${tag} has "$" without a subfield code; ignored`,
            tag,
          );
          continue;
        }
        subfields.push({ code: piece.charAt(0), value: decode(piece.slice(1), false) });
      }
    }
    r.fields.push({ tag, ind1, ind2, subfields });
  };

  const finishRecord = (): ReadResult<MarcRecord> | undefined => {
    flushField();
    const r = record;
    record = undefined;
    skipping = false;
    if (!r) return undefined;
    if (r.leader === undefined && r.fields.length === 0) {
      issue(
        r,
        "fatal",
        r.line,
        `no record in lines ${r.line}–${r.lastLine}: no leader and no field`,
      );
      return { record: undefined, issues: r.issues, offset: r.offset, index: index++ };
    }
    let leader = r.leader;
    if (leader === undefined) {
      issue(
        r,
        "major",
        r.line,
        `record has no leader (=LDR); using default leader ${quote(DEFAULT_LEADER)}`,
      );
      leader = DEFAULT_LEADER;
    }
    return {
      record: { leader, fields: r.fields },
      issues: r.issues,
      offset: r.offset,
      index: index++,
    };
  };

  for await (const { text, line, offset } of splitLines(input)) {
    if (text.trim().length === 0) {
      const done = finishRecord();
      if (done) yield done;
      continue;
    }
    if (text.charCodeAt(0) === 0x23 /* # */) continue;
    if (text.charCodeAt(0) !== 0x3d /* = */) {
      if (pending) pending.content += text;
      else if (!skipping) {
        record ??= { line, offset, lastLine: line, leader: undefined, fields: [], issues: [] };
        issue(record, "major", line, `line does not start with "=" and follows no field; ignored`);
        skipping = true;
      }
      if (record) record.lastLine = line;
      continue;
    }
    flushField();
    skipping = false;
    const tag = text.slice(1, 4);
    if (
      (tag === "LDR" || tag === "000") &&
      record &&
      (record.leader !== undefined || record.fields.length > 0)
    ) {
      const done = finishRecord();
      if (done) yield done;
    }
    record ??= { line, offset, lastLine: line, leader: undefined, fields: [], issues: [] };
    record.lastLine = line;
    if (!TAG.test(tag)) {
      if (!ODD_TAG.test(tag)) {
        issue(record, "major", line, `bad tag ${quote(tag)}; line skipped`);
        skipping = true;
        continue;
      }
      issue(record, "minor", line, `tag ${quote(tag)} is not three letters or digits; kept`, tag);
    }
    let content: string;
    if (text.startsWith("  ", 4)) content = text.slice(6);
    else if (text.charAt(4) === " ") {
      issue(record, "minor", line, `expected two spaces after tag ${tag}, found one`, tag);
      content = text.slice(5);
    } else {
      issue(record, "minor", line, `expected two spaces after tag ${tag}`, tag);
      content = text.slice(4);
    }
    pending = { tag, content, line };
  }
  const done = finishRecord();
  if (done) yield done;
}

// ---------------------------------------------------------------------------------------
// Writer

const DATA_SPECIAL = /[$\\{}\r\n]/;
const FIXED_SPECIAL = /[ $\\{}\r\n]/;

function encode(text: string, fixed: boolean): string {
  if (!(fixed ? FIXED_SPECIAL : DATA_SPECIAL).test(text)) return text;
  let out = "";
  for (const c of text) {
    switch (c) {
      case "$":
        out += "{dollar}";
        break;
      case "{":
        out += "{lcub}";
        break;
      case "}":
        out += "{rcub}";
        break;
      case "\\":
        out += "{bsol}";
        break;
      case "\r":
        out += "{U+000D}";
        break;
      case "\n":
        out += "{U+000A}";
        break;
      case " ":
        out += fixed ? "\\" : " ";
        break;
      default:
        out += c;
    }
  }
  return out;
}

function indicator(ind: string): string {
  return ind === " " ? "\\" : ind;
}

/**
 * One record in mnemonic form: one line per field, each ending `\n`, then a blank line,
 * so records can simply be concatenated. See the module notes for the escapes.
 *
 * @example
 * ```ts
 * writeMnemonic({
 *   leader: "00000nam a2200000 a 4500",
 *   fields: [{ tag: "245", ind1: "1", ind2: " ", subfields: [{ code: "a", value: "Cost: $5" }] }],
 * });
 * // "=LDR  00000nam\\a2200000\\a\\4500\n=245  1\\$aCost: {dollar}5\n\n"
 * ```
 */
export function writeMnemonic(record: MarcRecord): string {
  let out = `=LDR  ${encode(record.leader, true)}\n`;
  for (const f of record.fields) {
    if (isControlField(f)) {
      out += `=${f.tag}  ${encode(f.value, true)}\n`;
    } else {
      out += `=${f.tag}  ${indicator(f.ind1)}${indicator(f.ind2)}`;
      for (const s of f.subfields) out += `$${s.code}${encode(s.value, false)}`;
      out += "\n";
    }
  }
  return out + "\n";
}

/**
 * Records in mnemonic form, one after the other (each followed by a blank line).
 *
 * @example
 * ```ts
 * writeMnemonicFile([recordA, recordB]); // "=LDR  …\n…\n\n=LDR  …\n…\n\n"
 * ```
 */
export function writeMnemonicFile(records: Iterable<MarcRecord>): string {
  const parts: string[] = [];
  for (const r of records) parts.push(writeMnemonic(r));
  return parts.join("");
}
