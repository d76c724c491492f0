/**
 * ISO 5426 (Extended Latin) → Unicode, as UNIMARC records written with 100 $a/26-29 `0103`
 * (ISO 646 + ISO 5426) hold their text. Bytes below 0x80 are ISO 646 (ASCII); bytes 0xC0–0xDF
 * are non-spacing diacritics written *before* their letter, moved after it and composed (NFC).
 * A byte the table does not define becomes U+FFFD. The table is generated
 * (`scripts/gen-iso5426-table.ts`); `yaz-iconv -f ISO5426` is the oracle the tests compare with.
 */
import { ISO5426_CODES } from "./iso5426-table.js";

const BASE = new Map<number, string>();
const COMBINING = new Map<number, string>();
for (const entry of ISO5426_CODES.split(" ")) {
  const byte = parseInt(entry.slice(0, 2), 16);
  const char = String.fromCodePoint(parseInt(entry.slice(3), 16));
  (entry[2] === "+" ? COMBINING : BASE).set(byte, char);
}

// B0 (ayn) and B1 (alif) are romanization marks in a Latin set: the modifier letters
// U+02BB / U+02BC, as yaz-iconv and MARC-8's ANSEL give them, not the Arabic letters the
// source table names (U+0639 / U+0623), which would put Arabic script into romanized text.
BASE.set(0xb0, "\u02bb");
BASE.set(0xb1, "\u02bc");

/** Decodes ISO 5426 bytes to a Unicode string (NFC). */
export function decodeIso5426(bytes: Uint8Array): string {
  let out = "";
  let marks = "";
  for (const b of bytes) {
    if (b < 0x80) {
      out += String.fromCharCode(b) + marks;
      marks = "";
      continue;
    }
    const mark = COMBINING.get(b);
    if (mark !== undefined) {
      marks += mark;
      continue;
    }
    out += (BASE.get(b) ?? "\ufffd") + marks;
    marks = "";
  }
  return (out + marks).normalize("NFC");
}
