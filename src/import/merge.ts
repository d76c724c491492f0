/**
 * The merge methods: how an incoming record is merged into the existing one. The existing
 * record is the primary (it keeps its MMS ID and receives the changes); the incoming record is
 * the secondary, as Alma does for Connexion imports.
 */
import { isControlField, tagMatches, type Field, type MarcRecord } from "../marc/record.js";
import type { LogEntry } from "./log.js";
import type { MergeMethodName } from "./profile.js";

/** The merged record and what the merge kept, took and dropped. */
export interface MergeResult {
  readonly record: MarcRecord;
  readonly log: LogEntry[];
}

function isLocal035(field: Field): boolean {
  return field.tag === "035" && !isControlField(field) && field.ind1 === "9" && field.ind2 === " ";
}

function describeTags(fields: readonly Field[]): string {
  if (fields.length === 0) return "nothing";
  const counts = new Map<string, number>();
  for (const f of fields) counts.set(f.tag, (counts.get(f.tag) ?? 0) + 1);
  return [...counts].map(([tag, n]) => (n > 1 ? `${tag} ×${n}` : tag)).join(", ");
}

/**
 * Merged fields in tag order; within a tag, the primary's kept fields come first. Sorting is
 * stable, so fields keep their order otherwise.
 */
function inTagOrder(kept: readonly Field[], taken: readonly Field[]): Field[] {
  return [...kept.map((f, i) => ({ f, i })), ...taken.map((f, i) => ({ f, i: kept.length + i }))]
    .sort((a, b) => (a.f.tag < b.f.tag ? -1 : a.f.tag > b.f.tag ? 1 : a.i - b.i))
    .map((x) => x.f);
}

/**
 * "Overlay all fields but local", as the seed defines it: the existing record's `035`s are
 * replaced by the incoming ones unless their first indicator is `9` and the second blank; all
 * other fields are replaced by the incoming record's, except `001` and `9XX`. So the result is
 * the existing `001`, `9XX` and `035 9_`, plus every incoming field but its `001` and `9XX`;
 * the leader is the incoming one.
 *
 * @example
 * ```ts
 * overlayAllFieldsButLocal(existing, incoming).record.fields.map((f) => f.tag);
 * // existing 001, incoming 008/035/245…, existing 035 (9 ), existing 949 — in tag order
 * ```
 */
export function overlayAllFieldsButLocal(existing: MarcRecord, incoming: MarcRecord): MergeResult {
  const kept = existing.fields.filter(
    (f) => f.tag === "001" || tagMatches(f.tag, "9XX") || isLocal035(f),
  );
  const dropped = existing.fields.filter((f) => !kept.includes(f));
  const taken = incoming.fields.filter((f) => f.tag !== "001" && !tagMatches(f.tag, "9XX"));
  const ignored = incoming.fields.filter((f) => !taken.includes(f));
  const log: LogEntry[] = [
    {
      stage: "merge",
      message: `kept from the existing record: ${describeTags(kept)}`,
      data: { kept: kept.map((f) => f.tag) },
    },
    {
      stage: "merge",
      message: `replaced from the incoming record: ${dropped.length} field(s) removed, ${taken.length} field(s) taken`,
      data: { removed: dropped.map((f) => f.tag), taken: taken.map((f) => f.tag) },
    },
  ];
  if (ignored.length > 0) {
    log.push({
      stage: "merge",
      message: `not taken from the incoming record (001 and local 9XX stay as they were): ${describeTags(ignored)}`,
    });
  }
  return { record: { leader: incoming.leader, fields: inTagOrder(kept, taken) }, log };
}

/** The merge method a profile names, as a function. */
export function mergeMethod(
  name: MergeMethodName,
): ((existing: MarcRecord, incoming: MarcRecord) => MergeResult) | undefined {
  switch (name) {
    case "Overlay all fields but local":
      return overlayAllFieldsButLocal;
    default:
      return undefined;
  }
}
