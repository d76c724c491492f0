/** What a rule file is for, from its rules: the profile uses each file for one kind. */
import type { RuleFile } from "./ast.js";

/** Whether the file holds merge rules (`when merge`) only, brief-level rules only, or normalization. */
export function ruleFileKind(file: RuleFile): "merge" | "brief-level" | "normalization" | "mixed" {
  const kinds = new Set(
    file.rules.map((r) =>
      r.when.kind === "merge"
        ? "merge"
        : r.actions.some((a) => a.kind === "set" && a.variable === "brief_level")
          ? "brief-level"
          : "normalization",
    ),
  );
  if (kinds.size > 1) return "mixed";
  return [...kinds][0] ?? "normalization";
}
