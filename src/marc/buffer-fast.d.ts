/**
 * Node's Buffer has fast, undocumented-in-types slice/write methods for one encoding each
 * (they skip `toString`'s encoding dispatch). They exist on every Node version we support.
 */
declare global {
  interface Buffer {
    latin1Slice(start?: number, end?: number): string;
    utf8Slice(start?: number, end?: number): string;
    latin1Write(text: string, offset?: number, length?: number): number;
    utf8Write(text: string, offset?: number, length?: number): number;
  }
}
export {};
