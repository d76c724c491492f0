/** The n-th record the crash writer commits: distinct OCLC number, ISBN and title for each n. */
import type { MarcRecord } from "../../src/marc/record.js";

/** A record that both the writer and the checking parent can rebuild from its number. */
export function crashRecord(n: number): MarcRecord {
  const first12 = `979${String(n).padStart(9, "0")}`;
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(first12[i]) * (i % 2 === 0 ? 1 : 3);
  const isbn = first12 + String((10 - (sum % 10)) % 10);
  return {
    leader: "00000nam a2200000 i 4500",
    fields: [
      { tag: "008", value: "850101s2001    nyu           000 0 eng d" },
      { tag: "020", ind1: " ", ind2: " ", subfields: [{ code: "a", value: isbn }] },
      {
        tag: "035",
        ind1: " ",
        ind2: " ",
        subfields: [{ code: "a", value: `(OCoLC)${7_000_000 + n}` }],
      },
      {
        tag: "245",
        ind1: "0",
        ind2: "0",
        subfields: [{ code: "a", value: `Crash record ${n} : ${"padding ".repeat(n % 40)}` }],
      },
    ],
  };
}
