/**
 * How the record view shows what plain HTML loses: fixed fields (leader, 006, 007, 008) keep
 * every blank visible under a position ruler, and a field whose `$6` names a right-to-left
 * script orientation (`/r`, MARC 21 880 linkage) is shown right to left.
 */
import { html, type Html } from "./html.js";
import type { Subfield } from "../marc/record.js";

/** The fixed-length fields whose character positions carry meaning. */
const FIXED_TAGS: ReadonlySet<string> = new Set(["LDR", "006", "007", "008"]);

/** Whether a tag's value is read by position (leader, 006, 007, 008). */
export function isFixedField(tag: string): boolean {
  return FIXED_TAGS.has(tag);
}

/**
 * The position ruler for a value of `length` characters: the tens line (a digit every ten
 * positions) and the units line (0-9 repeated), both exactly `length` characters long.
 */
export function positionRuler(length: number): { tens: string; units: string } {
  let tens = "";
  let units = "";
  for (let i = 0; i < length; i++) {
    tens += i % 10 === 0 ? String(Math.floor(i / 10) % 10) : " ";
    units += String(i % 10);
  }
  return { tens, units };
}

/**
 * A fixed field's value with each blank as a visible mark (a span the stylesheet shows as `␢`,
 * with the blank itself kept so copying the text gives the real value), under its ruler.
 */
export function fixedFieldCell(value: string): Html {
  const { tens, units } = positionRuler(value.length);
  const chars = [...value].map((c) =>
    c === " " ? html`<span class="blank" title="blank">␢</span>` : html`${c}`,
  );
  return html`<div class="fixed">
    <div class="ruler" aria-hidden="true">${tens} ${units}</div>
    <div class="value" aria-label="${`${value.length} positions`}">${chars}</div>
  </div>`;
}

/**
 * The text direction of a field from its `$6` linkage (`880-01/(2/r`): `rtl` when the field
 * orientation code after the last `/` is `r`, else undefined (left to right, the default).
 */
export function linkageDirection(subfields: readonly Subfield[]): "rtl" | undefined {
  const six = subfields.find((s) => s.code === "6");
  if (!six) return undefined;
  const parts = six.value.trim().split("/");
  return parts.length >= 3 && parts[parts.length - 1] === "r" ? "rtl" : undefined;
}
