/** Plain-text tables for people: columns padded to their widest cell, long cells cut. */

/** A column: its heading and, optionally, the most characters a cell may show. */
export interface Column {
  readonly heading: string;
  /** Longer cells are cut and end with `…`. */
  readonly max?: number;
}

/** The table as lines (heading first), columns two spaces apart, no trailing spaces. */
export function formatTable(
  columns: readonly Column[],
  rows: readonly (readonly string[])[],
): string[] {
  const cut = rows.map((row) =>
    columns.map((c, i) => {
      const cell = (row[i] ?? "").replace(/\s+/g, " ");
      return c.max !== undefined && cell.length > c.max ? cell.slice(0, c.max - 1) + "…" : cell;
    }),
  );
  const widths = columns.map((c, i) => Math.max(c.heading.length, ...cut.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  return [line(columns.map((c) => c.heading)), ...cut.map(line)];
}
