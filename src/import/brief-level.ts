/**
 * The brief level (`01`–`10`, 10 the fullest) of a record. Until the institution's brief-level
 * rule files arrive, it follows leader/17 (encoding level), with OCLC's own values.
 */
import type { MarcRecord } from "../marc/record.js";

/**
 * Brief level from leader/17: blank, `1`, `I`, `L` → 10; `4` → 08; `2`, `K`, `M` → 07;
 * `7` → 05; `5` → 04; `3` → 03; `8` → 02; anything else → 10.
 *
 * @example
 * ```ts
 * briefLevelFromLeader({ leader: "00000nam a2200000 a 4500", fields: [] }); // "10"
 * briefLevelFromLeader({ leader: "00000nam a22000003a 4500", fields: [] }); // "03"
 * ```
 */
export function briefLevelFromLeader(record: MarcRecord): string {
  switch (record.leader[17] ?? " ") {
    case " ":
    case "1":
    case "I":
    case "L":
      return "10";
    case "4":
      return "08";
    case "2":
    case "K":
    case "M":
      return "07";
    case "7":
      return "05";
    case "5":
      return "04";
    case "3":
      return "03";
    case "8":
      return "02";
    default:
      return "10";
  }
}
