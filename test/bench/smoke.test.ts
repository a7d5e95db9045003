/**
 * The benchmark harness cannot rot: every suite runs in "smoke" mode — every case exactly once
 * at a tiny size, checked against its closed form, nothing timed, nothing written — and the
 * report renders from what it produced. No assertion here is about speed.
 */
import { describe, expect, it } from 'vitest';
import { maxRelativeError } from '../../bench/lib/check.js';
import { logLogSlope } from '../../bench/lib/fit.js';
import type { Row } from '../../bench/lib/harness.js';
import { machine } from '../../bench/lib/machine.js';
import { renderReport } from '../../bench/lib/report.js';
import { runSuites } from '../../bench/lib/runner.js';
import { SUITES } from '../../bench/suites/index.js';
import type { SuiteOutput } from '../../bench/suites/suite.js';

/**
 * Largest normwise relative error allowed per kind of row:
 * - exact rows (dualtape's AD, the closed forms): a few hundred roundings of values up to ~10³
 *   in the smoke sizes (n ≤ 50) — 1e-12 leaves a wide margin over the ~1e-15 observed;
 * - central differences of the gradient with h = ε^{1/3}: O(ε^{2/3}) ≈ 4e-11 relative to the
 *   third derivatives, times the curvature scale of Rosenbrock/MLP — 1e-5;
 * - jax-js float64: its wasm exp/tanh/log are approximations good to ~1e-8 relative — 1e-6;
 * - TF.js gradients in float32: ε₃₂ ≈ 6e-8 per operation — 1e-4. (TF.js second-order rows are
 *   only required to be finite: its W4 HVP/Hessian are wrong, which the table reports.)
 */
const TOL = { exact: 1e-12, fd: 1e-5, jax: 1e-6, tfjsGradient: 1e-4 };

function tolerance(r: Row): number | undefined {
  if (r.impl.startsWith('tfjs')) return r.task === 'gradient' ? TOL.tfjsGradient : undefined;
  if (r.impl.startsWith('jax-js')) return TOL.jax;
  if (r.impl.includes('FD')) return TOL.fd;
  return TOL.exact;
}

describe('benchmark suites in smoke mode', () => {
  let outputs: Map<string, SuiteOutput>;

  it('run every suite once without timing anything', async () => {
    outputs = await runSuites({ mode: 'smoke', suites: SUITES, log: () => {} });
    expect([...outputs.keys()]).toEqual(SUITES.map((s) => s.name));
  });

  it('give every row a checked result or a reason, and time nothing', () => {
    let checked = 0;
    for (const [suite, out] of outputs) {
      for (const t of out.tables) {
        expect(t.rows.length, `${suite} ${t.id}`).toBeGreaterThan(0);
        for (const r of t.rows) {
          const where = `${suite} / ${t.id} / ${r.task} / ${r.impl}`;
          expect(r.status, `${where}: ${r.reason}`).not.toBe('failed');
          expect(r.ms, where).toBeUndefined();
          if (r.status === 'unavailable') {
            expect(r.reason, where).toMatch(/\w/);
            continue;
          }
          if (r.maxError === undefined) continue;
          expect(Number.isFinite(r.maxError), `${where}: error ${r.maxError}`).toBe(true);
          const tol = tolerance(r);
          if (tol !== undefined) expect(r.maxError, where).toBeLessThanOrEqual(tol);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(50);
  });

  it('include dualtape, both peers (or their reasons) and every Hessian strategy', () => {
    const rows = [...outputs.values()].flatMap((o) => o.tables.flatMap((t) => t.rows));
    const impls = new Set(rows.map((r) => r.impl));
    for (const prefix of ['dualtape dense, default', 'dualtape dense, chunk 1', 'dualtape n × hvp', 'dualtape FD', 'dualtape sparse', 'tfjs', 'jax-js', 'closed form', 'plain f']) {
      expect([...impls].some((i) => i.startsWith(prefix)), prefix).toBe(true);
    }
  });

  it('render a report with one section per suite', () => {
    const report = renderReport(
      [...outputs].map(([name, out]) => {
        const s = SUITES.find((x) => x.name === name)!;
        return { suite: name, title: s.title, issues: s.issues, mode: 'smoke' as const, date: '2026-01-01T00:00:00Z', machine: machine(), durationSeconds: 0, ...out };
      }),
    );
    for (const s of SUITES) expect(report).toContain(`## ${s.title}`);
  });
});

describe('harness arithmetic', () => {
  it('fits the exponent of a power law exactly', () => {
    expect(logLogSlope([[10, 3e-2], [100, 3], [1000, 300]])).toBeCloseTo(2, 12);
    expect(logLogSlope([[10, 1]])).toBeNaN();
  });

  it('measures normwise relative error and never hides NaN', () => {
    expect(maxRelativeError([1, 2.002], [1, 2])).toBeCloseTo(0.001, 15);
    expect(maxRelativeError([1, NaN], [1, 2])).toBeNaN();
    expect(() => maxRelativeError([1], [1, 2])).toThrow(/entries/);
  });
});
