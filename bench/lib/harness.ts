/**
 * The harness: a suite is a list of tables; a table is one workload at one size; a case is one
 * (task, implementation) pair in it. Every case is first run once and checked against its
 * reference (the check doubles as warm-up), then all cases of a suite are timed together in one
 * benny suite, so that every ratio in a table compares times taken in the same run.
 *
 * Ratios: `× closed form` = ms of the case / ms of the closed form of the same task in the same
 * table; `× plain f` = ms of the case / ms of the hand-written plain-number f in the same table.
 */
import { add, configure, cycle, save, suite as bennySuite } from 'benny';
import { maxRelativeError, toNumeric, type Numeric } from './check.js';
import { SAMPLING, type Mode } from './modes.js';

export type Task = 'f' | 'gradient' | 'hvp' | 'hessian' | 'output Hessian';

/** Implementation labels shared by all suites (the report keys on CLOSED and PLAIN). */
export const CLOSED = 'closed form';
export const PLAIN = 'plain f';

export interface Case {
  readonly task: Task;
  /** 'dualtape', 'dualtape, chunk 1', CLOSED, PLAIN, 'tfjs (cpu, f32)', … */
  readonly impl: string;
  /** The timed call. It returns its result, read back into JS numbers (peers included). */
  readonly run?: () => unknown;
  /** The exact reference to check against; omitted for rows with nothing to check (plain f is checked against the closed-form value). */
  readonly reference?: Numeric;
  /** Why this implementation cannot compute this workload (the row says so instead of a blank). */
  readonly unavailable?: string;
  /** Anything the reader must know about the row (e.g. float32, extrapolated). */
  readonly note?: string;
  /** The first call compiles (jit): never use it as a timing. */
  readonly compiles?: boolean;
  /** Sample longer (modes.ts `precise`): for the rows that a target is judged on. */
  readonly precise?: boolean;
}

export interface Table {
  /** Short unique id, e.g. 'W2 n=1000'. */
  readonly id: string;
  readonly title: string;
  readonly cases: readonly Case[];
  readonly notes?: readonly string[];
}

export interface Row {
  readonly task: Task;
  readonly impl: string;
  readonly status: 'ok' | 'unavailable' | 'failed';
  readonly reason?: string;
  readonly note?: string;
  /** Calls per second (benny: 1 / mean sample). */
  readonly ops?: number;
  /** Milliseconds per call: the median of benny's samples (used by every ratio). */
  readonly ms?: number;
  /** ± relative margin of error, % (benny). */
  readonly margin?: number;
  readonly samples?: number;
  readonly ratioClosed?: number;
  readonly ratioPlain?: number;
  /** Normwise relative error against the reference (check.ts). */
  readonly maxError?: number;
}

export interface MeasuredTable {
  readonly id: string;
  readonly title: string;
  readonly notes: readonly string[];
  readonly rows: Row[];
}

/** A single call longer than this (seconds) is reported as one timed call instead of sampled. */
const SINGLE_CALL_LIMIT: Record<Mode, number> = { full: 2, quick: 1, smoke: Infinity };
/** Calls longer than this (seconds) use the `slow` sampling of modes.ts. */
const SLOW_CALL = 0.03;

const label = (t: Table, c: Case): string => `${t.id} · ${c.task} · ${c.impl}`;

interface Pending {
  row: Row;
  key: string;
  run: () => unknown;
  /** Use the `slow` sampling of modes.ts. */
  slow: boolean;
  /** Use the `precise` sampling of modes.ts (unless slow). */
  precise?: boolean;
  /** Too long to sample within the time budget: this one timed call is the measurement. */
  singleCallMs?: number;
}

/**
 * Decide how to time a case from its checked first call (`first`, seconds), which may include
 * one-off costs (a peer's jit compile, V8 warm-up). A case slower than SLOW_CALL is called once
 * more, warm, to classify it; a call longer than the mode's single-call limit is not sampled and
 * that warm call is its measurement — or, when even the first call exceeded the limit, the
 * first call itself unless the case declares a compile step (`compiles`), which is then
 * excluded by one more call.
 */
function plan(c: Case, key: string, row: Row, first: number, mode: Exclude<Mode, 'smoke'>): Pending {
  const p: Pending = { row, key, run: c.run!, slow: false, precise: c.precise === true };
  const limit = SINGLE_CALL_LIMIT[mode];
  if (first <= SLOW_CALL) return p;
  if (first > limit && !c.compiles) {
    p.singleCallMs = first * 1e3;
    Object.assign(row, { note: [row.note, 'one call, includes warm-up'].filter(Boolean).join('; ') });
    return p;
  }
  const t0 = performance.now();
  c.run!();
  const warm = (performance.now() - t0) / 1e3;
  p.slow = warm > SLOW_CALL;
  if (warm > limit) {
    p.singleCallMs = warm * 1e3;
    Object.assign(row, { note: [row.note, 'one warm call, not sampled'].filter(Boolean).join('; ') });
  }
  return p;
}

/**
 * Check every case, then (unless `mode` is 'smoke') time them with benny, saving benny's JSON to
 * `<folder>/<file>.json` (our own fields are merged in later by results.ts).
 */
export async function measure(file: string, tables: readonly Table[], mode: Mode, folder?: string): Promise<MeasuredTable[]> {
  const pending: Pending[] = [];
  const out: MeasuredTable[] = tables.map((t) => ({ id: t.id, title: t.title, notes: t.notes ?? [], rows: [] }));
  tables.forEach((t, ti) => {
    for (const c of t.cases) {
      const base = { task: c.task, impl: c.impl, ...(c.note ? { note: c.note } : {}) };
      if (c.unavailable !== undefined || c.run === undefined) {
        out[ti]!.rows.push({ ...base, status: 'unavailable', reason: c.unavailable ?? 'not implemented' });
        continue;
      }
      let result: unknown;
      const t0 = performance.now();
      try {
        result = c.run();
      } catch (e) {
        out[ti]!.rows.push({ ...base, status: 'failed', reason: e instanceof Error ? e.message.split('\n')[0]! : String(e) });
        continue;
      }
      const seconds = (performance.now() - t0) / 1e3;
      const maxError = c.reference === undefined ? undefined : maxRelativeError(toNumeric(result), c.reference);
      const row: Row = { ...base, status: 'ok', ...(maxError === undefined ? {} : { maxError }) };
      out[ti]!.rows.push(row);
      if (mode === 'smoke') continue;
      pending.push(plan(c, label(t, c), row, seconds, mode));
    }
  });
  if (mode !== 'smoke' && pending.length) await time(file, pending, mode, folder);
  for (const t of out) addRatios(t);
  return out;
}

/**
 * A case for benny that first runs a full garbage collection (benny calls the outer function
 * once, before the case's samples, and times the function it returns). So the garbage a case
 * leaves — the default rows record tapes of a million nodes — is not collected during the next
 * case's samples, on this 2-core machine where the collector competes for the second core.
 * Needs node's --expose-gc, which `pnpm bench` passes; without it nothing is collected.
 */
const collect = (globalThis as { gc?: () => void }).gc;
const afterCollection =
  (run: () => unknown) =>
  (): (() => unknown) => {
    collect?.();
    return run;
  };

async function time(file: string, pending: Pending[], mode: Exclude<Mode, 'smoke'>, folder?: string): Promise<void> {
  const sampled = pending.filter((p) => p.singleCallMs === undefined);
  const byKey = new Map(pending.map((p) => [p.key, p]));
  let done = 0;
  const summary = await bennySuite(
    file,
    configure({ cases: SAMPLING[mode].fast }),
    ...sampled.map((p) => add(p.key, afterCollection(p.run), p.slow ? SAMPLING[mode].slow : p.precise ? SAMPLING[mode].precise : SAMPLING[mode].fast)),
    cycle((r) => {
      done++;
      process.stdout.write(`  [${done}/${sampled.length}] ${r.name}: ${fmtMs(1e3 * r.details.median)} ms ±${r.margin}% (${r.samples} samples)\n`);
      return undefined;
    }),
    ...(folder ? [save({ file, folder, format: 'json', details: true })] : []),
  );
  for (const r of summary.results) {
    const p = byKey.get(r.name)!;
    // ms per call is the median sample: on a shared machine a load spike moves the mean, rarely the median
    Object.assign(p.row, { ops: r.ops, ms: 1e3 * r.details.median, margin: r.margin, samples: r.samples });
  }
  for (const p of pending) {
    if (p.singleCallMs === undefined) continue;
    Object.assign(p.row, { ops: 1e3 / p.singleCallMs, ms: p.singleCallMs, samples: 1 });
    process.stdout.write(`  [single call] ${p.key}: ${fmtMs(p.singleCallMs)} ms\n`);
  }
}

function addRatios(t: MeasuredTable): void {
  const plain = t.rows.find((r) => r.task === 'f' && r.impl === PLAIN)?.ms;
  for (const r of t.rows) {
    if (r.ms === undefined) continue;
    const closed = t.rows.find((c) => c.task === r.task && (c.impl === CLOSED || (r.task === 'f' && c.impl === PLAIN)))?.ms;
    Object.assign(r, {
      ...(closed ? { ratioClosed: r.ms / closed } : {}),
      ...(plain ? { ratioPlain: r.ms / plain } : {}),
    });
  }
}

/** Milliseconds with 3 significant digits. */
export function fmtMs(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms >= 1 ? ms.toPrecision(3) : ms.toPrecision(2);
}

/** Find a row's time, for suites that compute their own ratios. */
export function msOf(tables: readonly MeasuredTable[], id: string, task: Task, impl: string): number | undefined {
  return tables.find((t) => t.id === id)?.rows.find((r) => r.task === task && r.impl === impl)?.ms;
}
