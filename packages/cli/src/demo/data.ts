/**
 * The demo's data: one numeric column x and one numeric column y, from the bundled vega-datasets
 * `cars` table (read from the package's files on disk — no network) or from the user's CSV.
 * Rows where either value is missing or not a number are dropped and counted.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { CliInputError } from '../errors.js';

export interface Dataset {
  /** Where the data came from, for the report. */
  readonly source: string;
  readonly xName: string;
  readonly yName: string;
  readonly x: Float64Array;
  readonly y: Float64Array;
  /** Rows read. */
  readonly rows: number;
  /** Rows dropped because x or y was missing or not a number. */
  readonly dropped: number;
}

/** Default columns of the cars data. */
export const CARS_X = 'Horsepower';
export const CARS_Y = 'Miles_per_Gallon';

/** Fewest usable rows for the four-parameter model. */
export const MIN_ROWS = 5;

/**
 * Path of `cars.json` inside the installed vega-datasets package. The package's `exports` only
 * expose its JavaScript entry (whose URLs point at a CDN), so the file is located next to it:
 * `<package>/build/index.js` → `<package>/data/cars.json`.
 */
export function carsPath(): string {
  const require = createRequire(import.meta.url);
  const entry = require.resolve('vega-datasets');
  return join(dirname(entry), '..', 'data', 'cars.json');
}

/** A cell as a finite number, or undefined if it is missing or not a number. */
function cellNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return undefined;
  return Number(t);
}

/** Pick two numeric columns from records, dropping rows with a missing value. */
function fromRecords(records: readonly Record<string, unknown>[], xName: string, yName: string, source: string): Dataset {
  const columns = records.length > 0 ? Object.keys(records[0]!) : [];
  for (const [option, name] of [['--x', xName], ['--y', yName]] as const) {
    if (!records.some((r) => Object.hasOwn(r, name))) {
      throw new CliInputError(`${option} names the column ${JSON.stringify(name)}, which ${source} does not have (its columns: ${columns.join(', ') || 'none'})`);
    }
  }
  const x: number[] = [];
  const y: number[] = [];
  for (const r of records) {
    const a = cellNumber(r[xName]);
    const b = cellNumber(r[yName]);
    if (a === undefined || b === undefined) continue;
    x.push(a);
    y.push(b);
  }
  if (x.length < MIN_ROWS) {
    throw new CliInputError(
      `${source} has ${x.length === 0 ? 'no usable rows' : `only ${x.length} usable rows`} (rows where ${xName} and ${yName} are both numbers); the model needs at least ${MIN_ROWS}`,
    );
  }
  return { source, xName, yName, x: Float64Array.from(x), y: Float64Array.from(y), rows: records.length, dropped: records.length - x.length };
}

/** The vega-datasets `cars` data, columns `xName` → `yName` (default Horsepower → Miles_per_Gallon). */
export function loadCars(xName = CARS_X, yName = CARS_Y): Dataset {
  const path = carsPath();
  const records = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>[];
  return fromRecords(records, xName, yName, 'vega-datasets cars.json');
}

/**
 * A CSV file with a header row.
 * @throws {CliInputError} if the file cannot be read or parsed, a column is missing, or fewer than {@link MIN_ROWS} rows are usable
 */
export function loadCsv(path: string, xName: string, yName: string): Dataset {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliInputError(`--data ${path} cannot be read (${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (err as Error).message})`);
  }
  let records: Record<string, string>[];
  try {
    records = parse(text, { columns: true, skip_empty_lines: true, trim: true, bom: true, relax_column_count: true }) as Record<string, string>[];
  } catch (err) {
    throw new CliInputError(`--data ${path} is not a valid CSV file: ${(err as Error).message.split('\n')[0]}`);
  }
  return fromRecords(records, xName, yName, path);
}

/** Sample mean and standard deviation (n − 1 in the denominator). */
export function meanSd(v: ArrayLike<number>): { mean: number; sd: number } {
  const n = v.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += v[i]!;
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (v[i]! - mean) ** 2;
  return { mean, sd: Math.sqrt(ss / (n - 1)) };
}
