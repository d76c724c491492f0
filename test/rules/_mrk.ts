/**
 * Test records in a compact line notation, for the normalization and brief-level tests:
 * `"001 ocm123"` is a control field, `"245 10 $aTitle :$bsubtitle"` a data field (indicators
 * written with `_` for a blank), `"LDR 00000nam a2200000 a 4500"` the leader.
 */
import assert from "node:assert/strict";
import type { Field, MarcRecord } from "../../src/marc/record.js";
import type { Rule } from "../../src/rules/ast.js";
import { parseRules } from "../../src/rules/parser.js";

export const LEADER = "00000nam a2200000 a 4500";

/** One field from its line. */
export function field(line: string): Field {
  const tag = line.slice(0, 3);
  const rest = line.slice(4);
  if (rest[2] === " " && rest[3] === "$") {
    const ind = rest.slice(0, 2).replaceAll("_", " ");
    return {
      tag,
      ind1: ind[0]!,
      ind2: ind[1]!,
      subfields: rest
        .slice(4)
        .split("$")
        .map((s) => ({ code: s[0]!, value: s.slice(1) })),
    };
  }
  return { tag, value: rest };
}

/** A record from lines; a first line `LDR …` sets the leader. */
export function record(...lines: string[]): MarcRecord {
  let leader = LEADER;
  if (lines[0]?.startsWith("LDR ")) leader = lines.shift()!.slice(4);
  return { leader, fields: lines.map(field) };
}

/** A record written back as lines (the leader first). */
export function lines(r: MarcRecord): string[] {
  return [
    `LDR ${r.leader}`,
    ...r.fields.map((f) =>
      "value" in f
        ? `${f.tag} ${f.value}`
        : `${f.tag} ${(f.ind1 + f.ind2).replaceAll(" ", "_")} ${f.subfields.map((s) => `$${s.code}${s.value}`).join("")}`,
    ),
  ];
}

/** The rules of a text that must parse without errors. */
export function rules(text: string): readonly Rule[] {
  const parsed = parseRules(text);
  assert.deepEqual(parsed.errors, []);
  return parsed.rules;
}

/** A file of one rule `r` with `when (TRUE)` and these action lines (the first on line 4). */
export function always(...actions: string[]): readonly Rule[] {
  return rules(`rule "r"\nwhen (TRUE)\nthen\n${actions.join("\n")}\nend\n`);
}
