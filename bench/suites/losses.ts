/**
 * Issue 3's benchmark: the Gaussian NLL (μ, σ) over n samples, fused (one tape node per sample
 * with closed-form partials) against composed (about a dozen primitive nodes per sample), for
 * the gradient and the full output Hessian, n = 10³ and 10⁵ samples, side by side in one run.
 *
 * "Full output Hessian" is taken three ways: the closed form (n blocks of 2×2); the engine's
 * exact blocks by two coloured HVPs over one recording (blockHessianByColouring: exact for any
 * n, because the loss is a sum of per-sample terms); and core's dense `hessian` over all 2n
 * outputs where it fits in memory (the 2n×2n matrix of n = 10⁵ would be 320 GB).
 */
import { Random, grad, hessian, type Scalar } from '@dualtape/core';
import * as lossesPackage from '@dualtape/losses';
import { blockHessianByColouring, gaussianNLL, gradient, outputHessian, type Loss } from '@dualtape/losses';
import { gaussianNLLPlain } from '@dualtape/zoo';
import { CLOSED, PLAIN, measure, msOf, type Case, type Table, type Task } from '../lib/harness.js';
import { byMode } from '../lib/modes.js';
import { tapeStats } from '../lib/tape-stats.js';
import type { ExtraTable, Suite } from './suite.js';

type Total = (loss: Loss, outputs: readonly Scalar[], targets: Float64Array, options?: { fused?: boolean }) => Scalar;

/**
 * The summed loss, composed or fused. The losses contract names this `totalLoss(loss, outputs,
 * targets, {fused})`; until @dualtape/losses exports it, the same thing through the Loss
 * methods it does export (`loss.composed`, `loss.fused`).
 */
const totalLoss: Total =
  (lossesPackage as unknown as { totalLoss?: Total }).totalLoss ??
  ((loss, outputs, targets, options = {}) => (options.fused ? loss.fused(outputs, targets) : loss.composed(outputs, targets)));

const FORMS = [
  { impl: 'dualtape composed', fused: false },
  { impl: 'dualtape fused', fused: true },
] as const;

/**
 * n samples: targets ~ N(0, 1), μ ~ 0.3·N(0, 1), σ ~ U(0.5, 1.5); seed 21. Outputs flat and
 * sample-major, (μ₀, σ₀, μ₁, σ₁, …) — the losses' batch layout, taken without a copy.
 */
function batch(n: number): { outputs: Float64Array; targets: Float64Array; mu: Float64Array; sigma: Float64Array } {
  const rng = new Random(21);
  const targets = Float64Array.from({ length: n }, () => rng.normal());
  const mu = Float64Array.from({ length: n }, () => 0.3 * rng.normal());
  const sigma = Float64Array.from({ length: n }, () => 0.5 + rng.uniform());
  const outputs = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    outputs[2 * i] = mu[i]!;
    outputs[2 * i + 1] = sigma[i]!;
  }
  return { outputs, targets, mu, sigma };
}

export const losses: Suite = {
  name: 'losses',
  title: 'Losses (issue 3) — fused against composed Gaussian NLL: gradient and full output Hessian',
  issues: [3],
  async run(ctx) {
    const sizes = byMode(ctx.mode, { full: [1000, 100_000], quick: [1000, 100_000], smoke: [5] });
    const denseUpTo = byMode(ctx.mode, { full: 1000, quick: 0, smoke: 5 });
    const loss = gaussianNLL({ full: true }); // with ½ log 2π, as the zoo's plain f
    const nodes: string[][] = [];
    const tables: Table[] = sizes.map((n) => {
      const { outputs, targets, mu, sigma } = batch(n);
      const total = (fused: boolean) => (z: Scalar[]) => totalLoss(loss, z, targets, { fused });
      const g = gradient(loss, outputs, targets);
      const blocks = outputHessian(loss, outputs, targets);
      const cases: Case[] = [
        { task: 'f', impl: PLAIN, run: () => gaussianNLLPlain(mu, sigma, targets), reference: totalLoss(loss, Array.from(outputs), targets) as number, note: 'zoo gaussianNLLPlain' },
        { task: 'gradient', impl: CLOSED, run: () => gradient(loss, outputs, targets), reference: g },
        { task: 'output Hessian', impl: CLOSED, run: () => outputHessian(loss, outputs, targets).data, reference: blocks.data, note: `${n} blocks of 2×2` },
      ];
      for (const { impl, fused } of FORMS) {
        const f = total(fused);
        cases.push(
          { task: 'gradient', impl, run: () => grad(f, outputs), reference: g },
          { task: 'output Hessian', impl, run: () => blockHessianByColouring(f, outputs, 2, { verify: false }).data, reference: blocks.data, note: '2 coloured HVPs, one recording' },
        );
        const s = tapeStats(f as never, outputs);
        nodes.push([String(n), impl, String(s.nodes), (s.nodes / n).toFixed(1), (s.bytesUsed / n).toFixed(0)]);
      }
      // The dense 2n×2n Hessian: where it fits, a third strategy; where not, the engine's own refusal is the reason.
      const dense: Case[] = [];
      let refusal: string | undefined;
      try {
        if (n > 20_000) hessian(total(false), outputs); // throws MemoryBudgetError before recording anything
      } catch (e) {
        refusal = e instanceof Error ? e.message : String(e);
      }
      if (refusal === undefined && n > denseUpTo) {
        for (const { impl } of FORMS) dense.push({ task: 'hessian', impl: `${impl}, dense`, unavailable: `not run in ${ctx.mode} mode (time budget); see a full run` });
      } else if (refusal === undefined) {
        const H = blocks.toDense().data;
        dense.push({ task: 'hessian', impl: CLOSED, run: () => outputHessian(loss, outputs, targets).toDense().data, reference: H, note: 'blocks written dense' });
        for (const { impl, fused } of FORMS) dense.push({ task: 'hessian', impl: `${impl}, dense`, run: () => hessian(total(fused), outputs).data, reference: H });
      } else {
        for (const { impl } of FORMS) dense.push({ task: 'hessian', impl: `${impl}, dense`, unavailable: refusal });
      }
      return { id: `L n=${n}`, title: `Gaussian NLL (μ, σ), n = ${n} samples (2n = ${2 * n} outputs)`, cases: [...cases, ...dense] };
    });
    const measured = await measure('losses', tables, ctx.mode, ctx.folder);

    const rows: string[][] = [];
    for (const n of sizes) {
      for (const [task, suffix] of [['gradient', ''], ['output Hessian', ''], ['hessian', ', dense']] as const) {
        const c = msOf(measured, `L n=${n}`, task as Task, `dualtape composed${suffix}`);
        const f = msOf(measured, `L n=${n}`, task as Task, `dualtape fused${suffix}`);
        const closed = msOf(measured, `L n=${n}`, task as Task, CLOSED);
        if (c === undefined || f === undefined) continue;
        rows.push([String(n), task === 'hessian' ? 'dense 2n×2n Hessian' : task === 'output Hessian' ? 'output Hessian (blocks)' : 'gradient', c.toPrecision(3), f.toPrecision(3), (c / f).toPrecision(3), closed ? (f / closed).toPrecision(3) : '']);
      }
    }
    const extra: ExtraTable[] = [
      {
        title: 'Fused against composed, measured in this run (ms per call, median)',
        columns: ['n samples', 'what', 'composed ms', 'fused ms', 'composed ÷ fused', 'fused ÷ closed form'],
        rows,
      },
      { title: 'Tape size per form', columns: ['n samples', 'form', 'nodes', 'nodes per sample', 'bytes per sample'], rows: nodes },
    ];
    return { tables: measured, extra };
  },
};
