// A plain-text table printer: header, rule, right-aligned numbers, left-aligned text.

export interface Column<R> {
  readonly header: string;
  readonly value: (row: R) => string | number | undefined;
  /** Default: right when every cell reads as a number. */
  readonly align?: "left" | "right";
}

/** Cells that read as numbers (1234, 1.5x, 42%, —) are right-aligned by default. */
const NUMERIC = /^[-+\d.,x%—]*$/;

function cell(v: string | number | undefined): string {
  if (v === undefined) return "—";
  return typeof v === "number" ? String(v) : v;
}

/** Formats rows as an aligned text table ending in a newline. */
export function formatTable<R>(columns: readonly Column<R>[], rows: readonly R[]): string {
  const cells = rows.map((r) => columns.map((c) => cell(c.value(r))));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((row) => row[i]!.length)));
  const rightAligned = columns.map((c, i) => (c.align ?? (cells.every((row) => NUMERIC.test(row[i]!)) ? "right" : "left")) === "right");
  const line = (vals: readonly string[]): string =>
    vals.map((v, i) => (rightAligned[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join("  ").trimEnd();
  const out = [line(columns.map((c) => c.header)), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)];
  return out.join("\n") + "\n";
}
