/** A stored record's header for people: the same labels on the command line and on the web. */
import type { StoredRecord } from "./catalog.js";

/** `[label, value]` pairs: MMS ID, zone, format, brief level, version, management tag, … */
export function recordSummary(r: StoredRecord): [string, string][] {
  return [
    ["MMS ID", r.mmsId],
    ["zone", r.zone],
    ["format", r.format],
    ["brief level", r.briefLevel],
    ["version", String(r.version)],
    ["management tag", r.managementTag],
    ["CZ link", r.czLinked ? "linked to the Community Zone" : "none"],
    ["lock", r.lock ? `${r.lock.by} since ${r.lock.since.toISOString()}` : "none"],
    ["suppressed", r.suppressed ? "yes" : "no"],
    ["created", r.created.toISOString()],
    ["updated", r.updated.toISOString()],
    ["import 005", r.originatingVersion ?? "none"],
  ];
}

/** Header lines, `label: value`, labels aligned. */
export function formatSummary(pairs: readonly (readonly [string, string])[]): string {
  const width = Math.max(...pairs.map(([label]) => label.length)) + 1;
  return pairs.map(([label, value]) => `${(label + ":").padEnd(width)} ${value}\n`).join("");
}
