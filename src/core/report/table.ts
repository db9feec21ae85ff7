/** Plain-text and CSV tables for the CLI and reports. */

/** A column: header, cell text per row, and alignment. */
export interface Column<R> {
  readonly header: string;
  readonly cell: (row: R) => string;
  readonly align?: 'left' | 'right';
}

/** Renders rows as a space-padded text table with a header rule. */
export function renderTable<R>(rows: readonly R[], columns: readonly Column<R>[]): string {
  const cells = rows.map((r) => columns.map((c) => c.cell(r)));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((row) => (row[i] ?? '').length)));
  const line = (vals: readonly string[]): string =>
    vals
      .map((v, i) => (columns[i]?.align === 'right' ? v.padStart(widths[i] ?? 0) : v.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/** RFC 4180 CSV: fields with a comma, quote or line break are quoted, quotes doubled. */
export function renderCsv(header: readonly string[], rows: readonly (readonly (string | number | boolean | null)[])[]): string {
  const field = (v: string | number | boolean | null): string => {
    const s = v === null ? '' : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [header, ...rows].map((r) => r.map(field).join(',')).join('\r\n') + '\r\n';
}
