/**
 * Scaling (issue 5): dualtape's gradient, HVP and dense Hessian of extended Rosenbrock against
 * n, with the fitted log-log slope — so a reader sees O(n) for the gradient and the HVP and
 * O(n²) for the dense Hessian (n sweeps of an O(n) tape, and n² entries to write).
 */
import { grad, hessian, hvp } from '@dualtape/core';
import { logLogSlope } from '../lib/fit.js';
import { PLAIN, measure, msOf, type Case, type Table } from '../lib/harness.js';
import { byMode } from '../lib/modes.js';
import { rosenbrockProblem } from '../workloads/zoo-problems.js';
import type { ExtraTable, Suite } from './suite.js';

const ROWS = [
  { task: 'f', impl: PLAIN, label: 'plain f (hand-written)' },
  { task: 'gradient', impl: 'dualtape', label: 'dualtape gradient' },
  { task: 'hvp', impl: 'dualtape', label: 'dualtape one HVP' },
  { task: 'hessian', impl: 'dualtape', label: 'dualtape dense Hessian (default chunk)' },
] as const;

/** Slopes are fitted over n ≥ this: below it, fixed per-call costs flatten the curve. */
const FIT_FROM = 100;

export const scaling: Suite = {
  name: 'scaling',
  title: 'Scaling — time against n for the gradient, one HVP and the dense Hessian (extended Rosenbrock), with fitted log-log slopes',
  issues: [5],
  async run(ctx) {
    const linear = byMode(ctx.mode, { full: [10, 100, 1000, 10_000, 100_000], quick: [10, 100, 1000, 10_000], smoke: [10, 20] });
    const dense = byMode(ctx.mode, { full: [10, 30, 100, 300, 1000, 2000], quick: [10, 100, 300, 1000], smoke: [10, 20] });
    const all = [...new Set([...linear, ...dense])].sort((a, b) => a - b);
    const tables: Table[] = all.map((n) => {
      const p = rosenbrockProblem(n, `S n=${n}`);
      const cases: Case[] = [{ task: 'f', impl: PLAIN, run: p.plain, reference: p.f(p.x as never) as number }];
      if (linear.includes(n)) {
        cases.push({ task: 'gradient', impl: 'dualtape', run: () => grad(p.f, p.x), reference: p.closed.gradient() });
        cases.push({ task: 'hvp', impl: 'dualtape', run: () => hvp(p.f, p.x, p.vFlat), reference: p.closed.hvp() });
      }
      if (dense.includes(n)) cases.push({ task: 'hessian', impl: 'dualtape', run: () => hessian(p.f, p.x), reference: p.closed.hessian() });
      return { id: p.id, title: `extended Rosenbrock, n = ${n}`, cases };
    });
    const measured = await measure('scaling', tables, ctx.mode, ctx.folder);

    const series = ROWS.map((r) => ({
      ...r,
      points: all.map((n) => [n, msOf(measured, `S n=${n}`, r.task, r.impl)] as const).filter((pt): pt is readonly [number, number] => pt[1] !== undefined),
    }));
    const slopes = series.map((s) => ({ label: s.label, all: logLogSlope(s.points), upper: logLogSlope(s.points.filter(([n]) => n >= FIT_FROM)) }));
    const fmt = (x: number): string => (Number.isNaN(x) ? '' : x.toFixed(2));
    const table: ExtraTable = {
      title: 'ms per call against n (median sample), and the fitted slope of log time on log n',
      columns: ['', ...all.map((n) => `n = ${n}`), `slope (n ≥ ${FIT_FROM})`, 'slope (all n)'],
      rows: series.map((s, i) => [
        s.label,
        ...all.map((n) => {
          const t = s.points.find(([m]) => m === n)?.[1];
          return t === undefined ? '' : t >= 1 ? t.toPrecision(3) : t.toPrecision(2);
        }),
        fmt(slopes[i]!.upper),
        fmt(slopes[i]!.all),
      ]),
      notes: [
        'Expected: gradient and HVP slope ≈ 1 (one O(n) recording and O(n) sweeps); dense Hessian slope ≈ 2 (⌈n/K⌉ sweeps of K directions over an O(n) tape, and n² entries written). Small n are dominated by fixed per-call costs, hence the separate fit over n ≥ 100.',
      ],
      data: { series, slopes },
    };
    return { tables: measured, extra: [table], hideTables: true };
  },
};
