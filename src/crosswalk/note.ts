/** What a conversion says about a record: every field dropped or mapped approximately. */

export interface CrosswalkNote {
  /** The source field's tag (`880/245` for an alternate-script field). */
  readonly tag: string;
  /** `dropped`: nothing of the field is in the result; `approximate`: some of it, or not as it was. */
  readonly kind: "dropped" | "approximate";
  readonly reason: string;
}

/** The same notes counted: one line per tag, kind and reason. */
export function summarizeNotes(
  notes: readonly CrosswalkNote[],
): { tag: string; kind: CrosswalkNote["kind"]; reason: string; count: number }[] {
  const byKey = new Map<
    string,
    { tag: string; kind: CrosswalkNote["kind"]; reason: string; count: number }
  >();
  for (const n of notes) {
    const key = `${n.tag}\u0000${n.kind}\u0000${n.reason}`;
    const seen = byKey.get(key);
    if (seen) seen.count++;
    else byKey.set(key, { ...n, count: 1 });
  }
  return [...byKey.values()];
}

/** One line per note: `245 approximate: subfield $k not mapped` (`×2` when repeated). */
export function formatNote(n: {
  tag: string;
  kind: string;
  reason: string;
  count?: number;
}): string {
  return `${n.tag} ${n.kind}: ${n.reason}${n.count && n.count > 1 ? ` (×${n.count})` : ""}`;
}
