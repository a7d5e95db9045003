/**
 * What a peer library contributes to a workload table: its gradient, HVP and Hessian rows,
 * each checked against the same closed forms as dualtape's rows.
 */
import type { Case } from '../lib/harness.js';
import type { Problem } from '../workloads/problem.js';

export interface Peer {
  /** Row label, with version, backend and precision, e.g. 'tfjs 4.22 (cpu, f32)'. */
  readonly label: string;
  /** Load and initialise the backend (async); the reason it cannot run, or null when ready. */
  init(): Promise<string | null>;
  cases(p: Problem, tasks: readonly ('gradient' | 'hvp' | 'hessian')[]): Case[];
}

const memo = new WeakMap<Problem, { gradient?: Float64Array; hvp?: Float64Array; hessian?: Float64Array }>();

/** The closed form of `task`, computed once per problem and shared by all rows. */
export function referenceOf(p: Problem, task: 'gradient' | 'hvp' | 'hessian'): Float64Array {
  let m = memo.get(p);
  if (!m) memo.set(p, (m = {}));
  return (m[task] ??= p.closed[task]());
}
