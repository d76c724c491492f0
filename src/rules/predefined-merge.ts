/**
 * The four merge methods Alma predefines, as merge-rule text that {@link mergeRecords} runs
 * like any library's merge-rule file. Each implements the words of the import-profile page
 * (the primary is the existing record, the secondary the incoming one); where the words leave a
 * choice, `docs/rules.md` says what was chosen and why, with a worked example per method.
 *
 * Shared by the three methods that replace fields: the leader is taken from the incoming record
 * (it describes the fields that come with it), and `MARC.XXX` covers the control fields too.
 */
import type { Rule } from "./ast.js";
import { parseRules } from "./parser.js";

export type PredefinedMergeMethodName =
  | "Overlay all fields but local"
  | "Replace 245 and 035 OCLC if exist"
  | "Keep only old value"
  | "Conditional subject headings";

/**
 * The rule text of each predefined merge method, by its name in Alma.
 *
 * @example
 * ```ts
 * const { rules } = parseRules(PREDEFINED_MERGE_METHODS["Keep only old value"]);
 * mergeRecords(existing, incoming, rules).record; // the existing record, unchanged
 * ```
 */
export const PREDEFINED_MERGE_METHODS: Readonly<Record<PredefinedMergeMethodName, string>> = {
  // "Replaces 035 fields in the Alma record with those from the external record unless the
  // first indicator is 9 and the second indicator is #. In addition, replaces all other MARC
  // fields in the Alma record with fields from the external records, except for fields 001
  // and 9XX."
  "Overlay all fields but local": `rule "Overlay all fields but local"
when
  merge
then
  replace MARC."LDR"
  replace MARC.XXX excluding "001,035,9XX"
  remove MARC."035" excluding MARC."035"("9"," ")
  add MARC."035"
end
`,
  // "Replaces all MARC fields in the Alma record with fields from the external records, except
  // for fields 001, 245, and 035 (whose "a" subfields contain OCoLC or where the first
  // indicator is 9 and the second indicator is #). Any 001, 245, or 035 fields in the Alma
  // record are left in place, and any 245 or 035 fields in the external record are added to
  // them."
  "Replace 245 and 035 OCLC if exist": `rule "Replace 245 and 035 OCLC if exist"
when
  merge
then
  replace MARC."LDR"
  replace MARC.XXX excluding "001,035,245"
  remove MARC."035" when MARC."035"."a" does not contain "OCoLC" excluding MARC."035"("9"," ")
  add MARC."245"
  add MARC."035"
end
`,
  // "Keeps all MARC field values in the Alma records."
  "Keep only old value": `rule "Keep only old value"
when
  merge
then
end
`,
  // "Replaces all MARC fields in the Alma record with fields from the external records, except
  // for fields 001, 035, 9XX, 65X, and 7XX. Any 001, 035, 9XX, 65X, or 7XX fields in the Alma
  // record are left in place, and any 6xX or 7XX fields in the external record are added to
  // them."
  "Conditional subject headings": `rule "Conditional subject headings"
when
  merge
then
  replace MARC."LDR"
  replace MARC.XXX excluding "001,035,6XX,7XX,9XX"
  remove MARC."6"XX excluding "65X"
  add MARC."6"XX
  add MARC."7"XX
end
`,
};

/** Whether a name is one of the predefined merge methods. */
export function isPredefinedMergeMethodName(name: string): name is PredefinedMergeMethodName {
  return Object.hasOwn(PREDEFINED_MERGE_METHODS, name);
}

/**
 * The parsed rules of a predefined merge method, or undefined when the name is not one.
 *
 * @example
 * ```ts
 * const rules = predefinedMergeRules("Overlay all fields but local");
 * if (rules) mergeRecords(existing, incoming, rules);
 * ```
 */
export function predefinedMergeRules(name: string): readonly Rule[] | undefined {
  if (!isPredefinedMergeMethodName(name)) return undefined;
  return parseRules(PREDEFINED_MERGE_METHODS[name]).rules;
}
