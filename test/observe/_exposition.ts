/**
 * Test helper: a checker of the Prometheus text exposition format (0.0.4), written from its
 * rules, for when promtool is not installed. Returns the problems found (none: the text is
 * valid) and the samples by name with their labels.
 *
 * Rules checked: lines end with a line feed, the last too; `# HELP name text` and
 * `# TYPE name counter|gauge|histogram|summary|untyped` at most once per name, TYPE before the
 * name's first sample; a family's samples in one group; metric and label names as the format
 * allows (no label `__…`), label values quoted with only `\\`, `\"`, `\n` escapes, no repeated
 * label; values as Go floats (`+Inf`, `-Inf`, `NaN`); counters not negative; histograms: `le`
 * on every `_bucket`, buckets cumulative and sorted by `le`, a `+Inf` bucket equal to `_count`,
 * and `_sum` and `_count` present.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Exposition {
  readonly problems: string[];
  readonly samples: Sample[];
  readonly types: ReadonlyMap<string, string>;
}

const METRIC = "[a-zA-Z_:][a-zA-Z0-9_:]*";
const SAMPLE = new RegExp(`^(${METRIC})(\\{(.*)\\})? (\\S+)( -?\\d+)?$`);
const VALUE = /^([+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|[+-]Inf|NaN)$/;

function parseLabels(text: string, problem: (m: string) => void): Record<string, string> {
  const labels: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    const name = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(text.slice(i));
    if (!name) {
      problem(`bad label name at "${text.slice(i)}"`);
      return labels;
    }
    i += name[0].length;
    if (text.slice(i, i + 2) !== '="') {
      problem(`label ${name[0]} without ="`);
      return labels;
    }
    i += 2;
    let value = "";
    for (;;) {
      const c = text[i];
      if (c === undefined) {
        problem(`label ${name[0]}: unterminated value`);
        return labels;
      }
      if (c === '"') break;
      if (c === "\n") problem(`label ${name[0]}: raw line feed`);
      if (c === "\\") {
        const next = text[i + 1];
        if (next === "\\" || next === '"') value += next;
        else if (next === "n") value += "\n";
        else problem(`label ${name[0]}: bad escape \\${next ?? ""}`);
        i += 2;
        continue;
      }
      value += c;
      i++;
    }
    i++;
    if (name[0].startsWith("__")) problem(`reserved label name ${name[0]}`);
    if (name[0] in labels) problem(`label ${name[0]} repeated`);
    labels[name[0]] = value;
    if (text[i] === ",") i++;
    else if (i < text.length) {
      problem(`expected , after label ${name[0]}`);
      return labels;
    }
  }
  return labels;
}

function toNumber(text: string): number {
  if (text === "+Inf") return Infinity;
  if (text === "-Inf") return -Infinity;
  return Number(text);
}

/** The family a sample belongs to: a histogram's `_bucket`/`_sum`/`_count` go to its name. */
function familyOf(name: string, types: ReadonlyMap<string, string>): string {
  for (const suffix of ["_bucket", "_sum", "_count"]) {
    if (name.endsWith(suffix)) {
      const base = name.slice(0, -suffix.length);
      const type = types.get(base);
      if (type === "histogram" || (type === "summary" && suffix !== "_bucket")) return base;
    }
  }
  return name;
}

export function checkExposition(text: string): Exposition {
  const problems: string[] = [];
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  const helps = new Set<string>();
  const done = new Set<string>();
  let current: string | undefined;
  if (!text.endsWith("\n")) problems.push("the last line does not end with a line feed");
  const lines = text.split("\n");
  lines.pop();
  lines.forEach((line, n) => {
    const problem = (m: string): void => void problems.push(`line ${n + 1}: ${m}`);
    if (line.trim() === "") return;
    const enter = (family: string): void => {
      if (family === current) return;
      if (done.has(family)) problem(`${family} continues after another family`);
      if (current !== undefined) done.add(current);
      current = family;
    };
    if (line.startsWith("#")) {
      const help = new RegExp(`^# HELP (${METRIC}) (.*)$`).exec(line);
      const type = new RegExp(`^# TYPE (${METRIC}) (\\S+)$`).exec(line);
      if (help) {
        if (helps.has(help[1]!)) problem(`second HELP for ${help[1]!}`);
        helps.add(help[1]!);
        if (/\\[^\\n]/.test(help[2]!.replace(/\\\\/g, ""))) problem("bad escape in HELP");
        enter(help[1]!);
      } else if (type) {
        if (!["counter", "gauge", "histogram", "summary", "untyped"].includes(type[2]!))
          problem(`unknown type ${type[2]!}`);
        if (types.has(type[1]!)) problem(`second TYPE for ${type[1]!}`);
        if (samples.some((s) => familyOf(s.name, new Map([[type[1]!, type[2]!]])) === type[1]!))
          problem(`TYPE of ${type[1]!} after its samples`);
        types.set(type[1]!, type[2]!);
        enter(type[1]!);
      } else if (/^# (HELP|TYPE)/.test(line)) problem(`malformed ${line}`);
      return;
    }
    const m = SAMPLE.exec(line);
    if (!m) return problem(`not a sample: ${line}`);
    const labels = m[3] !== undefined ? parseLabels(m[3], problem) : {};
    if (!VALUE.test(m[4]!)) problem(`bad value ${m[4]!}`);
    const sample = { name: m[1]!, labels, value: toNumber(m[4]!) };
    enter(familyOf(sample.name, types));
    samples.push(sample);
  });
  for (const [name, type] of types) {
    const own = samples.filter((s) => familyOf(s.name, types) === name);
    if (type === "counter" && own.some((s) => s.value < 0)) problems.push(`${name}: negative`);
    if (type !== "histogram") continue;
    const series = new Map<string, Sample[]>();
    for (const s of own) {
      const { le, ...rest } = s.labels;
      if (s.name.endsWith("_bucket") && le === undefined)
        problems.push(`${name}: bucket without le`);
      const key = JSON.stringify(rest);
      series.set(key, [...(series.get(key) ?? []), s]);
    }
    for (const [key, group] of series) {
      const buckets = group.filter((s) => s.name === `${name}_bucket`);
      const count = group.find((s) => s.name === `${name}_count`);
      if (!group.some((s) => s.name === `${name}_sum`)) problems.push(`${name}${key}: no _sum`);
      if (!count) problems.push(`${name}${key}: no _count`);
      const les = buckets.map((b) => toNumber(b.labels["le"] ?? "NaN"));
      for (let i = 1; i < buckets.length; i++) {
        if (!(les[i]! > les[i - 1]!)) problems.push(`${name}${key}: le not increasing`);
        if (buckets[i]!.value < buckets[i - 1]!.value)
          problems.push(`${name}${key}: buckets not cumulative`);
      }
      if (les.at(-1) !== Infinity) problems.push(`${name}${key}: no +Inf bucket`);
      else if (count && buckets.at(-1)!.value !== count.value)
        problems.push(`${name}${key}: +Inf bucket is not _count`);
    }
  }
  return { problems, samples, types };
}

/** promtool's own check, where it is installed (Debian: the prometheus package). */
export function promtoolCheck(text: string): void {
  if (spawnSync("promtool", ["--version"]).status !== 0) return;
  const dir = mkdtempSync(join(tmpdir(), "marcgate-promtool-"));
  try {
    writeFileSync(join(dir, "m.txt"), text);
    const r = spawnSync("sh", ["-c", `promtool check metrics < "${join(dir, "m.txt")}"`], {
      encoding: "utf8",
    });
    // 1: a format error; 3: lint advice (no HELP, a counter without _total, …): neither.
    assert.equal(r.status, 0, r.stdout + r.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
