/**
 * Alma-style identifiers, the same for every engine.
 *
 * An MMS ID is `99`, a sequence number written with at least ten digits, and the four-digit
 * suffix of the record's zone: `99` + `0000000042` + `1001` = `9900000000421001`. The sequence
 * is one for the whole installation (a database sequence, safe across processes), so MMS IDs are
 * unique across zones, and within a zone they sort in creation order.
 *
 * Zone suffixes are handed out in order from 1001 (institutions and network zones alike), which
 * leaves room for 8,999 zones.
 */

/** The MMS ID for a sequence number in a zone. */
export function formatMmsId(sequence: number, suffix: string): string {
  return `99${String(sequence).padStart(10, "0")}${suffix}`;
}

/** The suffix for the n-th zone (n from 1). */
export function formatZoneSuffix(n: number): string {
  if (n < 1 || n > 8999) throw new RangeError(`zone number ${n} has no 4-digit suffix (1–8999)`);
  return String(1000 + n);
}

/** Whether a string has the shape of an MMS ID. */
export function isMmsId(text: string): boolean {
  return /^99\d{11,}$/.test(text);
}
