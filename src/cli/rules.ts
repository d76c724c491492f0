/**
 * `marcgate rules check|apply`, `marcgate merge`, `marcgate brief-level`: Alma rule files on the
 * command line — check them, see what they do to records, before a profile uses them.
 */
import { readFormat, sniffFormat } from "../marc/formats.js";
import { formatIssue } from "../marc/issue.js";
import { writeMnemonic } from "../marc/mnemonic.js";
import type { MarcRecord } from "../marc/record.js";
import type { Rule } from "../rules/ast.js";
import { briefLevel } from "../rules/brief-level.js";
import { DEFAULT_BRIEF_LEVEL_RULES } from "../rules/default-brief-level.js";
import { mergeRecords } from "../rules/merge.js";
import { normalize } from "../rules/normalize.js";
import { formatRuleError, parseRules } from "../rules/parser.js";
import { PREDEFINED_MERGE_METHODS } from "../rules/predefined-merge.js";
import { describeRecord } from "./describe.js";
import { BufferedOutput, openInput } from "./io.js";
import { readRuleFile } from "./rule-files.js";
import { CommandError, formatOption, parseCommandArgs, UsageError } from "./usage.js";

const RULES_HELP = `usage: marcgate rules check FILE...
       marcgate rules apply RULES RECORDS [--log] [--from FORMAT] [--order alma|declaration]

Alma rule files (normalization, merge, brief-level, indication rules: the Drools-style
"rule … when … then … end" files Alma's MD Editor keeps).
  check   parse each FILE; every error as FILE:LINE:COLUMN: message; then a summary line
          per file. Exit status 1 when any file has an error.
  apply   run the normalization rules of RULES on each record of RECORDS and print the
          records (mnemonic); --log adds, before each record, what every rule did (rule,
          line, fields, why). --order: alma (default: higher priority first, then the
          later-declared rule first, as Alma's Drools does) or declaration (file order).
`;

const MERGE_HELP = `usage: marcgate merge --method NAME|FILE EXISTING INCOMING [--from FORMAT]

Merges the first record of INCOMING into the first record of EXISTING (the primary, as Alma
does for Connexion imports) by a predefined merge method or a merge-rule file, and prints the
merged record (mnemonic) and the merge log. Predefined methods:
${Object.keys(PREDEFINED_MERGE_METHODS)
  .map((name) => `  "${name}"`)
  .join("\n")}
`;

const BRIEF_HELP = `usage: marcgate brief-level RECORDS [--rules FILE] [--from FORMAT]

Prints each record's brief level (01 briefest … 10 full) and the rule that gave it, by the
brief-level rules of FILE (default: marcgate's default rules; see docs/rules.md).
`;

async function loadRules(path: string): Promise<readonly Rule[]> {
  const read = await readRuleFile(path);
  if ("error" in read) throw new CommandError(read.error);
  if (read.file.parsed.errors.length > 0) {
    throw new CommandError(
      `${read.file.parsed.errors.map((e) => formatRuleError(e, path)).join("\n")}\n(marcgate rules check ${path})`,
    );
  }
  return read.file.parsed.rules;
}

async function* records(
  path: string,
  from: ReturnType<typeof formatOption>,
): AsyncGenerator<{ label: string; record: MarcRecord }> {
  const input = await openInput(path);
  for await (const result of readFormat(from ?? sniffFormat(input.head), input.chunks)) {
    const label = describeRecord(result);
    for (const issue of result.issues) process.stderr.write(`${label}: ${formatIssue(issue)}\n`);
    if (result.record) yield { label, record: result.record };
  }
}

async function firstRecord(
  path: string,
  from: ReturnType<typeof formatOption>,
): Promise<MarcRecord> {
  for await (const { record } of records(path, from)) return record;
  throw new CommandError(`${path}: no record could be read`);
}

export async function rulesCommand(args: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    args,
    { log: { type: "boolean" }, from: { type: "string" }, order: { type: "string" } },
    RULES_HELP,
  );
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  const [action, ...rest] = positionals;
  if (action === "check") {
    if (rest.length === 0) throw new UsageError("name the rule files to check");
    let failed = 0;
    for (const path of rest) {
      const read = await readRuleFile(path);
      if ("error" in read) {
        failed++;
        process.stdout.write(`${read.error}\n`);
        continue;
      }
      const { rules, errors } = read.file.parsed;
      for (const e of errors) process.stdout.write(`${formatRuleError(e, path)}\n`);
      if (errors.length > 0) failed++;
      const actions = rules.reduce((n, r) => n + r.actions.length, 0);
      process.stdout.write(
        `${path}: ${rules.length} rule(s), ${actions} action(s), ${errors.length} error(s)\n`,
      );
    }
    return failed > 0 ? 1 : 0;
  }
  if (action === "apply") {
    if (rest.length !== 2) throw new UsageError("rules apply RULES RECORDS");
    const order = values.order ?? "alma";
    if (order !== "alma" && order !== "declaration") {
      throw new UsageError(`--order "${order}" is not alma or declaration`);
    }
    const rules = await loadRules(rest[0]!);
    const output = BufferedOutput.open(undefined);
    for await (const { label, record } of records(rest[1]!, formatOption(values.from, "--from"))) {
      const result = normalize(record, rules, { order });
      if (values.log) {
        await output.write(`# ${label}\n`);
        for (const e of result.log) {
          await output.write(
            `# ${e.ran ? "ran " : "skip"} line ${e.line} rule "${e.rule}" ${e.action}${e.fields.length > 0 ? ` [${e.fields.join(",")}]` : ""}: ${e.message}\n`,
          );
        }
      }
      await output.write(writeMnemonic(result.record));
    }
    await output.close();
    return 0;
  }
  throw new UsageError(action === undefined ? "say check or apply" : `unknown action "${action}"`);
}

export async function mergeCommand(args: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    args,
    { method: { type: "string" }, from: { type: "string" } },
    MERGE_HELP,
  );
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  if (positionals.length !== 2) throw new UsageError("merge --method NAME|FILE EXISTING INCOMING");
  const method = values.method;
  if (method === undefined) throw new UsageError("--method is required");
  const predefined = (PREDEFINED_MERGE_METHODS as Readonly<Record<string, string>>)[method];
  const rules = predefined !== undefined ? parseRules(predefined).rules : await loadRules(method);
  const from = formatOption(values.from, "--from");
  const existing = await firstRecord(positionals[0]!, from);
  const incoming = await firstRecord(positionals[1]!, from);
  const result = mergeRecords(existing, incoming, rules);
  for (const e of result.log) {
    process.stdout.write(
      `# line ${e.line} rule "${e.rule}" ${e.action}${e.fields.length > 0 ? ` [${e.fields.join(",")}]` : ""}: ${e.message}\n`,
    );
  }
  process.stdout.write(writeMnemonic(result.record));
  return 0;
}

export async function briefLevelCommand(args: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    args,
    { rules: { type: "string" }, from: { type: "string" } },
    BRIEF_HELP,
  );
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new UsageError("brief-level RECORDS [--rules FILE]");
  const rules =
    values.rules !== undefined
      ? await loadRules(values.rules)
      : parseRules(DEFAULT_BRIEF_LEVEL_RULES).rules;
  for await (const { label, record } of records(
    positionals[0]!,
    formatOption(values.from, "--from"),
  )) {
    const result = briefLevel(record, rules);
    process.stdout.write(
      `${label}: ${result.level ?? "none"}${result.rule !== undefined ? ` (line ${result.line ?? "?"} rule "${result.rule}")` : " (no rule matched)"}\n`,
    );
  }
  return 0;
}
