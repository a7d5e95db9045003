/**
 * dualtape's rows of a workload table: plain f and the closed forms as baselines, dualtape's
 * gradient and HVP, and each Hessian strategy of issue 5:
 *   - forward-over-reverse dense, default chunk (core's chooseChunk rule) and chunk 1;
 *   - HVP columns one at a time through the public `hvp` (f is re-recorded per column: what a
 *     user gets by looping over hvp, and what recording the tape once saves);
 *   - central finite differences of dualtape's gradient (2n gradients; shows the
 *     accuracy/time trade: error ≈ 1e-7 instead of 1e-16);
 *   - the sparse Hessian by colouring (`sparseHessian`), fresh each call and with the pattern
 *     and colouring reused (computed outside the timed call, as a Newton loop would), and by
 *     `compile(f, x).sparseHessian` — one compiled HVP per colour.
 */
import * as core from '@dualtape/core';
import { chooseChunk, compile, grad, hessian, hvp, type Input, type Scalar } from '@dualtape/core';
import { CLOSED, PLAIN, type Case, type Task } from '../lib/harness.js';
import { referenceOf } from '../peers/peer.js';
import type { Problem } from './problem.js';

export const DT = 'dualtape';
/** dualtape's record-once path: `compile(f, x)` outside the timed call, then generated code per call (the counterpart of jax-js's `jit`). */
export const DT_COMPILED = 'dualtape compiled';

/** Which rows to build. */
export interface DualtapeRows {
  readonly tasks: readonly Task[];
  /** Hessian strategies beyond the default dense one. */
  readonly strategies?: readonly ('chunk1' | 'hvpColumns' | 'fd' | 'sparse')[];
}

/** Hessian columns by n calls of the public hvp (the tape is re-recorded every call). */
export function hessianByHvpColumns(f: (x: Scalar[]) => Scalar, x: Float64Array): Float64Array {
  const n = x.length;
  const H = new Float64Array(n * n);
  const e = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    e[j] = 1;
    const col = hvp(f, x, e);
    e[j] = 0;
    for (let i = 0; i < n; i++) H[i * n + j] = col[i]!;
  }
  return H;
}

/**
 * Hessian by central differences of the exact gradient: column j = (∇f(x + hⱼeⱼ) − ∇f(x − hⱼeⱼ)) / 2hⱼ
 * with hⱼ = ε^{1/3}·max(1, |xⱼ|), the step that balances truncation O(h²) against rounding
 * O(ε/h) (Nocedal & Wright, *Numerical Optimization*, 2nd ed., §8.1). Not symmetrised.
 */
export function hessianByFiniteDifferences(f: (x: Scalar[]) => Scalar, x: Float64Array): Float64Array {
  const n = x.length;
  const H = new Float64Array(n * n);
  const xp = Float64Array.from(x);
  const cbrtEps = Math.cbrt(Number.EPSILON);
  for (let j = 0; j < n; j++) {
    const h = cbrtEps * Math.max(1, Math.abs(x[j]!));
    xp[j] = x[j]! + h;
    const gp = grad(f, xp);
    xp[j] = x[j]! - h;
    const gm = grad(f, xp);
    xp[j] = x[j]!;
    for (let i = 0; i < n; i++) H[i * n + j] = (gp[i]! - gm[i]!) / (2 * h);
  }
  return H;
}

/**
 * The sparse-Hessian rows: `sparseHessian(f, x)` per call (record, detect the pattern, colour,
 * sweep), and the same with the pattern and colouring computed once outside the timed call (a
 * Newton loop's steady state). The timed call returns the sparse (CSR) result; it is made dense
 * only when the harness reads `.data` for the check, outside the timing.
 */
function sparseCase<X extends Input>(p: Problem<X>, reference: Float64Array, compiled: () => core.CompiledFunction<X>): Case[] {
  const checked = (H: core.SparseHessian) => ({
    get data(): Float64Array {
      return H.toDense().data;
    },
  });
  const pattern = core.hessianSparsity(p.f, p.x);
  const colouring = core.colourHessian(pattern);
  const note = `${colouring.count} colours, nnz ${pattern.nnz}; CSR result (made dense only for the check)`;
  return [
    { task: 'hessian', impl: `${DT} sparse (colouring)`, run: () => checked(core.sparseHessian(p.f, p.x)), reference, note },
    {
      task: 'hessian',
      impl: `${DT} sparse, pattern reused`,
      run: () => checked(core.sparseHessian(p.f, p.x, { pattern, colouring })),
      reference,
      note: `${note}; hessianSparsity and colourHessian once, outside the timed call`,
    },
    {
      task: 'hessian',
      impl: `${DT} compiled sparse`,
      run: () => checked(compiled().sparseHessian(p.x, { pattern, colouring })),
      reference,
      note: `${colouring.count} compiled HVPs (compile, hessianSparsity, colourHessian once, like jit)`,
    },
  ];
}

export function dualtapeCases<X extends Input>(p: Problem<X>, rows: DualtapeRows): Case[] {
  const cases: Case[] = [];
  const want = (t: Task): boolean => rows.tasks.includes(t);
  let kept: core.CompiledFunction<X> | undefined;
  const compiled = (): core.CompiledFunction<X> => (kept ??= compile(p.f, p.x));
  const strategies = rows.strategies ?? [];
  // The two f rows check each other: two independent implementations of the same f.
  const generic = (): number => p.f(p.x as never) as number;
  cases.push({ task: 'f', impl: PLAIN, run: p.plain, reference: generic(), note: 'hand-written, numbers' });
  cases.push({ task: 'f', impl: `${DT} ops on numbers`, run: generic, reference: p.plain(), note: 'the generic f, run on plain numbers' });
  if (want('gradient')) {
    const ref = referenceOf(p, 'gradient');
    cases.push({ task: 'gradient', impl: CLOSED, run: p.closed.gradient, reference: ref });
    cases.push({ task: 'gradient', impl: DT, run: () => grad(p.f, p.x), reference: ref });
    const c = compiled();
    cases.push({ task: 'gradient', impl: DT_COMPILED, run: () => c.grad(p.x), reference: ref, note: 'compile(f, x) once, like jit' });
  }
  if (want('hvp')) {
    const ref = referenceOf(p, 'hvp');
    cases.push({ task: 'hvp', impl: CLOSED, run: p.closed.hvp, reference: ref });
    cases.push({ task: 'hvp', impl: DT, run: () => hvp(p.f, p.x, p.vFlat), reference: ref });
    const c = compiled();
    cases.push({ task: 'hvp', impl: DT_COMPILED, run: () => c.hvp(p.x, p.vFlat as never), reference: ref, note: 'compile(f, x) once, like jit' });
  }
  if (want('hessian')) {
    const ref = referenceOf(p, 'hessian');
    cases.push({ task: 'hessian', impl: CLOSED, run: p.closed.hessian, reference: ref, note: p.kind === 'mlp' ? 'n hand-written R-op HVPs' : 'dense n×n from the closed-form blocks' });
    cases.push({ task: 'hessian', impl: `${DT} dense, default chunk ${chooseChunk(p.n)}`, run: () => hessian(p.f, p.x), reference: ref });
    if (strategies.includes('chunk1')) cases.push({ task: 'hessian', impl: `${DT} dense, chunk 1`, run: () => hessian(p.f, p.x, { chunk: 1 }), reference: ref });
    if (strategies.includes('hvpColumns')) {
      cases.push({ task: 'hessian', impl: `${DT} n × hvp`, run: () => hessianByHvpColumns(p.fFlat, p.xFlat), reference: ref, note: 'f re-recorded per column' });
    }
    if (strategies.includes('fd')) {
      cases.push({ task: 'hessian', impl: `${DT} FD of gradient`, run: () => hessianByFiniteDifferences(p.fFlat, p.xFlat), reference: ref, note: '2n gradients, central differences' });
    }
    if (strategies.includes('sparse')) cases.push(...sparseCase(p, ref, compiled));
  }
  return cases;
}
