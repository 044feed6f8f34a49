/** Plain-text tables for benchmark output: the first `leftColumns` left-aligned (labels), the rest right-aligned. */

export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[], leftColumns = 1): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) =>
        column < leftColumns ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
      )
      .join("  ")
      .trimEnd();
  const rule = widths.map((width) => "-".repeat(width)).join("  ");
  return [line(headers), rule, ...rows.map(line)].join("\n");
}

/** A number with thousands separators and a fixed number of decimals; "–" for NaN. */
export function fmt(value: number, decimals = 0): string {
  if (!Number.isFinite(value)) return "–";
  return value.toLocaleString("en-US", { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/** A ratio as `3.4×`; "–" when either side is missing. */
export function ratio(numerator: number, denominator: number, decimals = 1): string {
  if (!Number.isFinite(numerator) || !Number.isFinite(denominator) || denominator === 0) return "–";
  return `${fmt(numerator / denominator, decimals)}×`;
}
