/** Text output: numbers, aligned tables, and JSON with non-finite numbers as strings. */

/**
 * A number for a table: the shortest round-trip form when it has at most `digits` significant
 * digits (so 4.296875 prints exactly), else rounded to `digits` significant digits.
 * Non-finite values print as NaN, Infinity, -Infinity.
 */
export function fmt(x: number, digits = 10): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const short = String(x);
  const significant = short.replace(/^-?0*\.?0*/, '').replace(/e.*$/, '').replace('.', '').length;
  if (significant <= digits) return short;
  return String(Number(x.toPrecision(digits)));
}

/**
 * An aligned table. `rows[i][j]` is a cell; the first column holds `rowNames`, the header
 * `colNames` (both optional). Numbers are formatted with {@link fmt} and right-aligned; columns
 * of text (and the row names) are left-aligned.
 */
export function table(rows: readonly (readonly (number | string)[])[], colNames?: readonly string[], rowNames?: readonly string[]): string {
  const lead = rowNames ? 1 : 0;
  const cells: string[][] = rows.map((r, i) => [...(rowNames ? [rowNames[i] ?? ''] : []), ...r.map((c) => (typeof c === 'number' ? fmt(c) : c))]);
  const ncol = Math.max(0, ...cells.map((r) => r.length));
  const numeric = Array.from({ length: ncol }, (_, j) => j >= lead && rows.some((r) => typeof r[j - lead] === 'number'));
  if (colNames) cells.unshift([...(rowNames ? [''] : []), ...colNames]);
  const width = Array.from({ length: ncol }, (_, j) => Math.max(...cells.map((r) => [...(r[j] ?? '')].length)));
  return cells
    .map((r) =>
      r
        .map((c, j) => {
          const pad = ' '.repeat(width[j]! - [...c].length);
          return numeric[j] ? pad + c : c + pad;
        })
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** Indent every line of `text` by `n` spaces. */
export const indent = (text: string, n = 2): string =>
  text
    .split('\n')
    .map((l) => (l === '' ? l : ' '.repeat(n) + l))
    .join('\n');

/** Rows of a row-major n×m matrix as arrays. */
export function rowsOf(data: ArrayLike<number>, n: number, m = n): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from({ length: m }, (_, j) => data[i * m + j]!));
}

/** Replace non-finite numbers by the strings "NaN", "Infinity", "-Infinity", recursively; typed arrays become arrays. */
export function jsonSafe(value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number>, jsonSafe);
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonSafe(v)]));
  return value;
}

/** One JSON object on one line, non-finite numbers as strings. */
export const toJSON = (value: unknown): string => JSON.stringify(jsonSafe(value));
