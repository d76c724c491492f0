/**
 * The rule-file check of the corpus suite: every real Alma rule file in
 * ../shared/research/alma-rules (normalization, merge, brief-level and indication rules) parses
 * with no error, and every `rule "…"` line of a file is a rule that parsed (none swallowed).
 *
 * Run by `npm run test:corpus` (see run.ts), or alone: `node dist/test/corpus/rules.js`.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { formatRuleError, parseRules } from "../../src/rules/parser.js";

const here = dirname(fileURLToPath(import.meta.url));

/** dist/test/corpus → repository root → ../shared/research/alma-rules */
export const ALMA_RULES =
  process.env.MARCGATE_ALMA_RULES ?? resolve(here, "../../../../shared/research/alma-rules");

/**
 * Files that are not one of marcgate's rule languages (Primo VE display rules, say) or that are
 * genuinely broken, and why. They must fail to parse; one that parses is a failure ("remove it").
 * None of the 28 files collected so far is either.
 */
export const RULE_FILE_EXCEPTIONS: ReadonlyMap<string, string> = new Map<string, string>([]);

/** What the check found. */
export interface RuleFilesCheck {
  readonly files: number;
  readonly rules: number;
  readonly actions: number;
  /** One line: files by language, rules, actions. */
  readonly summary: string;
  readonly failures: readonly string[];
}

/** A `rule "` at the start of a line that is not a comment. */
const RULE_LINE = /^[ \t]*rule[ \t]+"/gimu;

/** Parses every file of `dir`; failures name the file, line and column. */
export function checkRuleFiles(dir: string = ALMA_RULES): RuleFilesCheck {
  const failures: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((n) => n.endsWith(".txt"))
      .sort();
  } catch (e) {
    names = [];
    failures.push(`${dir}: cannot read the rule files (${(e as Error).message})`);
  }
  if (names.length === 0 && failures.length === 0) failures.push(`${dir}: no rule files`);
  const languages = { normalization: 0, merge: 0, "brief level": 0, indication: 0 };
  let rules = 0;
  let actions = 0;
  let excepted = 0;
  for (const name of names) {
    const text = readFileSync(join(dir, name), "utf8");
    const file = parseRules(text);
    const exception = RULE_FILE_EXCEPTIONS.get(name);
    if (exception !== undefined) {
      excepted++;
      if (file.errors.length === 0) {
        failures.push(`${name}: listed as an exception (${exception}) but parses; remove it`);
      }
      continue;
    }
    for (const e of file.errors) failures.push(formatRuleError(e, name));
    const declared = (text.match(RULE_LINE) ?? []).length;
    if (file.errors.length === 0 && file.rules.length !== declared) {
      failures.push(`${name}: ${declared} rule lines but ${file.rules.length} rules parsed`);
    }
    if (file.rules.length === 0) failures.push(`${name}: no rules`);
    rules += file.rules.length;
    actions += file.rules.reduce((n, r) => n + r.actions.length, 0);
    const sets = file.rules.flatMap((r) => r.actions).filter((a) => a.kind === "set");
    if (file.rules.some((r) => r.when.kind === "merge")) languages.merge++;
    else if (sets.some((a) => a.variable === "brief_level")) languages["brief level"]++;
    else if (sets.some((a) => a.variable === "indication")) languages.indication++;
    else languages.normalization++;
  }
  const parsed = names.length - excepted;
  const byLanguage = Object.entries(languages)
    .map(([language, n]) => `${n} ${language}`)
    .join(", ");
  const summary =
    `alma rule files: ${parsed} files parsed (${byLanguage}), ${rules} rules, ${actions} actions` +
    `; ${excepted} listed as not rule files, ${failures.length} failure(s)`;
  return { files: parsed, rules, actions, summary, failures };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const check = checkRuleFiles();
  process.stdout.write(`${check.summary}\n`);
  for (const f of check.failures) process.stdout.write(`  ${f}\n`);
  process.exitCode = check.failures.length > 0 ? 1 : 0;
}
