/**
 * results/<suite>.json: benny's own JSON (written by its `save`, format 'json') with our fields
 * merged in at the top level: suite, title, issues, mode, machine, durationSeconds, tables
 * (rows with ms, ratios and max errors), targets, extra (memory/scaling tables), notes.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { MeasuredTable } from './harness.js';
import type { Machine } from './machine.js';
import type { Mode } from './modes.js';
import type { ExtraTable, Target } from '../suites/suite.js';

export interface SuiteResult {
  readonly suite: string;
  readonly title: string;
  readonly issues: readonly number[];
  readonly mode: Mode;
  readonly date: string;
  readonly machine: Machine;
  readonly durationSeconds: number;
  readonly tables: readonly MeasuredTable[];
  readonly targets?: readonly Target[];
  readonly extra?: readonly ExtraTable[];
  readonly notes?: readonly string[];
  readonly hideTables?: boolean;
}

/** Merge our fields into the benny JSON of the suite (or write them alone when benny timed nothing). */
export function writeResult(folder: string, result: SuiteResult): string {
  const file = path.join(folder, `${result.suite}.json`);
  let benny: Record<string, unknown> = {};
  if (fs.existsSync(file)) {
    const old = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    // benny's file is fresh only if it was written during this suite's run
    if (typeof old.date === 'string' && !('suite' in old)) benny = old;
  }
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ ...benny, ...result, benny: Object.keys(benny).length > 0 }, replacer, 2) + '\n');
  return file;
}

/** JSON has no NaN/Infinity: write them as strings so a reader sees them. */
function replacer(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
}

export function readResults(folder: string): SuiteResult[] {
  if (!fs.existsSync(folder)) return [];
  return fs
    .readdirSync(folder)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(fs.readFileSync(path.join(folder, f), 'utf8')) as SuiteResult)
    .filter((r) => typeof r.suite === 'string');
}
