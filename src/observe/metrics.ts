/**
 * Metrics in the Prometheus text exposition format (version 0.0.4): counters and histograms
 * kept in memory, gauges read when scraped. One {@link Metrics} per running server; `/metrics`
 * renders it. A small writer of our own: the format is a few rules (one `# HELP` and `# TYPE`
 * before a family's samples, all of a family's samples together, label values with `\`, `"` and
 * line feeds escaped, histogram buckets cumulative up to `le="+Inf"`, which equals `_count`).
 */

/** Label name → value of one sample. */
export type Labels = Readonly<Record<string, string>>;

/** One sample of a gauge read at scrape time. */
export interface GaugeSample {
  readonly labels?: Labels;
  readonly value: number;
}

/** The content type of the text format. */
export const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** A counter: only goes up (reset when the process starts). */
export class Counter {
  private readonly values = new Map<string, number>();

  constructor(readonly labelNames: readonly string[]) {}

  /** Adds `by` (default 1) to the sample of these labels. */
  inc(labels: Labels = {}, by = 1): void {
    const key = labelKey(this.labelNames, labels);
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }

  /** The current value of the sample of these labels (tests, the status page). */
  get(labels: Labels = {}): number {
    return this.values.get(labelKey(this.labelNames, labels)) ?? 0;
  }

  lines(name: string): string[] {
    return [...this.values].map(([key, value]) => `${name}${key} ${formatValue(value)}`);
  }
}

interface HistogramState {
  readonly counts: number[];
  sum: number;
  count: number;
}

/** A histogram: observations counted in cumulative buckets, with their sum and count. */
export class Histogram {
  private readonly states = new Map<string, HistogramState>();

  constructor(
    readonly labelNames: readonly string[],
    readonly buckets: readonly number[],
  ) {
    for (let i = 1; i < buckets.length; i++) {
      if (!(buckets[i]! > buckets[i - 1]!)) throw new Error("histogram buckets must increase");
    }
  }

  observe(value: number, labels: Labels = {}): void {
    const key = labelKey(this.labelNames, labels);
    let state = this.states.get(key);
    if (!state) {
      state = { counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.states.set(key, state);
    }
    // Counted in the first bucket that holds it; the lines add them up.
    const index = this.buckets.findIndex((bound) => value <= bound);
    if (index >= 0) state.counts[index]!++;
    state.sum += value;
    state.count++;
  }

  /** Observations of these labels so far (tests). */
  count(labels: Labels = {}): number {
    return this.states.get(labelKey(this.labelNames, labels))?.count ?? 0;
  }

  lines(name: string): string[] {
    const out: string[] = [];
    for (const [key, state] of this.states) {
      let cumulative = 0;
      this.buckets.forEach((bound, i) => {
        cumulative += state.counts[i]!;
        out.push(`${name}_bucket${withLe(key, formatValue(bound))} ${cumulative}`);
      });
      out.push(`${name}_bucket${withLe(key, "+Inf")} ${state.count}`);
      out.push(`${name}_sum${key} ${formatValue(state.sum)}`);
      out.push(`${name}_count${key} ${state.count}`);
    }
    return out;
  }
}

/** Seconds buckets for times from a millisecond to ten seconds. */
export const SECONDS_BUCKETS: readonly number[] = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

type Family =
  | { readonly kind: "counter"; readonly help: string; readonly metric: Counter }
  | { readonly kind: "histogram"; readonly help: string; readonly metric: Histogram }
  | {
      readonly kind: "read";
      readonly type: "gauge" | "counter";
      readonly help: string;
      readonly read: () => GaugeSample[] | Promise<GaugeSample[]>;
    };

/** The metrics of one server, rendered by {@link Metrics.render}. */
export class Metrics {
  private readonly families = new Map<string, Family>();

  /** A counter; its name should end in `_total`. */
  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    const metric = new Counter(checkLabels(labelNames));
    this.add(name, { kind: "counter", help, metric });
    return metric;
  }

  histogram(
    name: string,
    help: string,
    options: { readonly labelNames?: readonly string[]; readonly buckets?: readonly number[] } = {},
  ): Histogram {
    const labelNames = checkLabels(options.labelNames ?? []);
    if (labelNames.includes("le")) throw new Error(`histogram ${name} may not have a label "le"`);
    const metric = new Histogram(labelNames, options.buckets ?? SECONDS_BUCKETS);
    this.add(name, { kind: "histogram", help, metric });
    return metric;
  }

  /** A gauge read when scraped (a failing read leaves the family without samples). */
  gauge(name: string, help: string, read: () => GaugeSample[] | Promise<GaugeSample[]>): void {
    this.add(name, { kind: "read", type: "gauge", help, read });
  }

  /** A counter kept elsewhere (the Connexion listener's), read when scraped. */
  counterOf(name: string, help: string, read: () => GaugeSample[] | Promise<GaugeSample[]>): void {
    this.add(name, { kind: "read", type: "counter", help, read });
  }

  /** Every family in the text format, in the order they were made. */
  async render(): Promise<string> {
    const out: string[] = [];
    for (const [name, family] of this.families) {
      const type = family.kind === "read" ? family.type : family.kind;
      out.push(`# HELP ${name} ${escapeHelp(family.help)}`, `# TYPE ${name} ${type}`);
      if (family.kind !== "read") {
        out.push(...family.metric.lines(name));
        continue;
      }
      let samples: GaugeSample[] = [];
      try {
        samples = await family.read();
      } catch {
        // A gauge that cannot be read now (the database is away) is left out of this scrape;
        // /readyz says why.
      }
      for (const sample of samples) {
        const labels = sample.labels ?? {};
        out.push(`${name}${labelKey(Object.keys(labels), labels)} ${formatValue(sample.value)}`);
      }
    }
    return `${out.join("\n")}\n`;
  }

  private add(name: string, family: Family): void {
    if (!METRIC_NAME.test(name)) throw new Error(`"${name}" is not a metric name`);
    if (this.families.has(name)) throw new Error(`metric ${name} exists already`);
    this.families.set(name, family);
  }
}

function checkLabels(names: readonly string[]): readonly string[] {
  for (const name of names) {
    if (!LABEL_NAME.test(name) || name.startsWith("__")) {
      throw new Error(`"${name}" is not a label name`);
    }
  }
  return names;
}

/** `{a="1",b="2"}` in the order of `names` (empty: no braces); a missing label is empty. */
function labelKey(names: readonly string[], labels: Labels): string {
  if (names.length === 0) return "";
  return `{${names.map((n) => `${n}="${escapeLabelValue(labels[n] ?? "")}"`).join(",")}}`;
}

function withLe(key: string, le: string): string {
  return key === "" ? `{le="${le}"}` : `${key.slice(0, -1)},le="${le}"}`;
}

/** A label value as the format writes it: `\`, `"` and line feed escaped. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** A HELP text as the format writes it: `\` and line feed escaped. */
function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

/** A sample value: a Go-style float (`+Inf`, `-Inf`, `NaN` by name). */
function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}
