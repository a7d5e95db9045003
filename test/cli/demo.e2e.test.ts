/**
 * `dualtape demo` end to end: the built CLI as a child process, checked against an independent
 * closed-form computation of the same model on the same data (test/cli/cars.ts).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { carsXY, closedForm, fisherGaussNewton, inverse, standardise } from './cars.js';
import { dualtape, num } from './run.js';
import { parseXml } from './xml.js';

const tmp = mkdtempSync(join(tmpdir(), 'dualtape-cli-'));
const maxAbs = (m: number[][]) => Math.max(...m.flat().map(Math.abs));

/* eslint-disable @typescript-eslint/no-explicit-any */
let demo: any;
let svgPath: string;

beforeAll(() => {
  svgPath = join(tmp, 'demo.svg');
  const r = dualtape(['demo', '--json', '--svg', svgPath]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const lines = r.stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  demo = JSON.parse(lines[0]!);
});

describe('dualtape demo on the vega-datasets cars data', () => {
  const cars = carsXY();
  const { z, mean, sd } = standardise(cars.x);

  it('drops and counts the rows with a missing value, and standardises x', () => {
    expect(demo.data).toMatchObject({ x: 'Horsepower', y: 'Miles_per_Gallon', rows: cars.rows, used: cars.x.length, dropped: cars.rows - cars.x.length });
    expect(demo.data.dropped).toBeGreaterThan(0);
    expect(demo.data.xMean).toBeCloseTo(mean, 12);
    expect(demo.data.xSd).toBeCloseTo(sd, 12);
  });

  it("Newton's fit reaches a gradient norm below 1e-8, also by the closed-form gradient", () => {
    expect(demo.fit.converged).toBe(true);
    expect(demo.fit.gradNorm).toBeLessThan(1e-8);
    const its = demo.fit.iterations;
    expect(its.at(-1).gradNorm).toBe(demo.fit.gradNorm);
    for (const it of its) expect(Object.keys(it)).toEqual(['iter', 'loss', 'gradNorm', 'step', 't', 'damping']);
    // the loss decreases monotonically (line search)
    for (let k = 1; k < its.length; k++) expect(its[k].loss).toBeLessThanOrEqual(its[k - 1].loss);
    const { a, b, c, d } = demo.fit.params;
    const { gradient } = closedForm([a, b, c, d], z, cars.y);
    // The closed form sums 392 terms of size ≲ 10 in another order: rounding ≲ 1e-12, far below 1e-8.
    expect(Math.hypot(...gradient)).toBeLessThan(1e-8);
  });

  it('its parameter Hessian equals the closed-form Hessian of the model', () => {
    const { a, b, c, d } = demo.fit.params;
    const { hessian } = closedForm([a, b, c, d], z, cars.y);
    const H: number[][] = demo.parameterHessian.matrix.map((r: unknown[]) => r.map(num));
    // Both are sums of 392 terms in different orders: rounding ≲ n·eps·max|H| ≈ 1e-13·max|H|; 1e-12 is the bound.
    const scale = maxAbs(hessian);
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) expect(Math.abs(H[i]![j]! - hessian[i]![j]!)).toBeLessThanOrEqual(1e-12 * scale);
    // at the optimum ∂L/∂c = 0 gives Σ r²/σ² = n, so ∂²L/∂c² = 2n exactly
    expect(H[2]![2]!).toBeCloseTo(2 * cars.x.length, 9);
    expect(demo.parameterHessian.definiteness).toBe('positive definite');
    expect(demo.parameterHessian.fusedVsComposed).toBeLessThan(1e-14);
  });

  it('eigenvalues and standard errors agree with independent computations', () => {
    const H: number[][] = demo.parameterHessian.matrix;
    const eig: number[] = demo.parameterHessian.eigenvalues;
    const trace = H.reduce((s, r, i) => s + r[i]!, 0);
    expect(eig.reduce((s, v) => s + v, 0)).toBeCloseTo(trace, 9);
    // each eigenvalue is a root of det(H − λI): check via the inverse of (H − λI) blowing up is awkward; use the
    // characteristic identity Σλ² = ‖H‖_F²
    const frob2 = H.flat().reduce((s, v) => s + v * v, 0);
    expect(eig.reduce((s, v) => s + v * v, 0) / frob2).toBeCloseTo(1, 12);
    const inv = inverse(H);
    demo.parameterHessian.standardErrors.forEach((se: number, k: number) => expect(se).toBeCloseTo(Math.sqrt(inv[k]![k]!), 12));
  });

  it('per-sample output Hessians match the closed form; the 2n×2n matrix is block-diagonal; every block is indefinite', () => {
    const oh = demo.outputHessian;
    const n = cars.x.length;
    expect(oh.size).toBe(2 * n);
    expect(oh.offBlockNonzeros).toBe(0);
    expect(oh.maxDifference).toBeLessThanOrEqual(1e-14 * oh.maxEntry);
    expect(oh.indefiniteBlocks).toBe(n); // det = −(r² + σ²)/σ⁶ < 0
    expect(oh.fisherPositiveDefiniteBlocks).toBe(n);
    expect(oh.samples).toHaveLength(3);
    // all blocks are in the JSON: check every one against the hand formula
    const { a: a0, b: b0, c: c0, d: d0 } = demo.fit.params;
    expect(oh.blocks).toHaveLength(n);
    let worst = 0;
    for (let i = 0; i < n; i++) {
      const sigma = Math.exp(c0 + d0 * z[i]!);
      const r = cars.y[i]! - a0 - b0 * z[i]!;
      const want = [1 / sigma ** 2, (2 * r) / sigma ** 3, (2 * r) / sigma ** 3, (3 * r * r) / sigma ** 4 - 1 / sigma ** 2];
      for (let k = 0; k < 4; k++) {
        worst = Math.max(worst, Math.abs(oh.blocks[i][k] - want[k]!), Math.abs(oh.closedFormBlocks[i][k] - want[k]!));
      }
      expect(oh.fisherBlocks[i][1]).toBe(0);
      expect(oh.fisherBlocks[i][3] / oh.fisherBlocks[i][0]).toBeCloseTo(2, 13);
    }
    expect(worst).toBeLessThan(1e-14 * oh.maxEntry); // each entry is a few rounded operations
    const { a, b, c, d } = demo.fit.params;
    for (const s of oh.samples) {
      const zi = z[s.sample]!;
      const mu = a + b * zi;
      const sigma = Math.exp(c + d * zi);
      const r = cars.y[s.sample]! - mu;
      const want = [[1 / sigma ** 2, (2 * r) / sigma ** 3], [(2 * r) / sigma ** 3, (3 * r * r) / sigma ** 4 - 1 / sigma ** 2]];
      for (const m of [s.engine, s.closedForm]) for (let u = 0; u < 2; u++) for (let v = 0; v < 2; v++) expect(m[u][v]).toBeCloseTo(want[u]![v]!, 13);
      expect(s.fisher).toEqual([[expect.closeTo(1 / sigma ** 2, 13), 0], [0, expect.closeTo(2 / sigma ** 2, 13)]]);
    }
  });

  it('the Fisher Gauss-Newton matrix equals Σ Jᵢᵀ Fᵢ Jᵢ by hand, and differs from the exact Hessian', () => {
    const { a, b, c, d } = demo.fit.params;
    const G = fisherGaussNewton([a, b, c, d], z);
    const scale = maxAbs(G);
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) expect(Math.abs(demo.gaussNewton.matrix[i][j] - G[i]![j]!)).toBeLessThanOrEqual(1e-12 * scale);
    const { hessian } = closedForm([a, b, c, d], z, cars.y);
    let num2 = 0;
    let den2 = 0;
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) {
      num2 += (G[i]![j]! - hessian[i]![j]!) ** 2;
      den2 += hessian[i]![j]! ** 2;
    }
    expect(demo.gaussNewton.relativeFrobenius).toBeCloseTo(Math.sqrt(num2 / den2), 10);
    expect(demo.gaussNewton.relativeFrobenius).toBeGreaterThan(0.01);
  });

  it('--svg writes a well-formed SVG with both heatmaps', () => {
    expect(demo.svg).toBe(svgPath);
    const text = readFileSync(svgPath, 'utf8');
    const elements = parseXml(text);
    const root = elements[0]!;
    expect(root.name).toBe('svg');
    expect(root.attributes['xmlns']).toBe('http://www.w3.org/2000/svg');
    expect(Number(root.attributes['width'])).toBeGreaterThan(0);
    expect(Number(root.attributes['height'])).toBeGreaterThan(0);
    const cells = elements.filter((e) => e.name === 'rect' && e.attributes['stroke'] !== undefined);
    expect(cells).toHaveLength(40 * 40 + 4 * 4);
    // off-block cells of the output Hessian are white; the blocks are coloured
    const white = cells.slice(0, 1600).filter((e) => e.attributes['fill'] === 'rgb(255,255,255)').length;
    expect(white).toBe(1600 - 20 * 4);
  });

  it('prints a human-readable report: standardisation, iterations, the sparsity picture', () => {
    const r = dualtape(['demo']);
    expect(r.code).toBe(0);
    const out = r.stdout;
    expect(out).toContain(`${cars.rows} rows, ${cars.rows - cars.x.length} dropped (missing value), ${cars.x.length} used`);
    expect(out).toMatch(/x is standardised: z = \(Horsepower − [\d.]+\) \/ [\d.]+/);
    expect(out).toMatch(/converged: ‖∇L‖ = \S+ < 1e-8 after \d+ Newton steps/);
    const picture = out.split('\n').filter((l) => /^ {2}[#.]{10,}/.test(l)).map((l) => l.trim().split(/\s+/)[0]!);
    expect(picture.length).toBeGreaterThan(10);
    // block-diagonal: '#' only on the diagonal of the picture (tiles are aligned with the 2×2 blocks)
    picture.forEach((row, i) => expect([...row].map((ch, j) => (ch === '#') === (i === j)).every(Boolean)).toBe(true));
    expect(out).toContain(`indefinite blocks: ${cars.x.length} of ${cars.x.length}`);
    expect(out).toMatch(/‖G − ∇²L‖_F \/ ‖∇²L‖_F = /);
  });
});

describe('dualtape demo --data on a CSV', () => {
  /** Deterministic data from the model itself: LCG uniforms → Box-Muller normals. */
  function synthetic(n: number): string {
    let state = 12345;
    const u = () => ((state = (1103515245 * state + 12345) % 2 ** 31) + 0.5) / 2 ** 31;
    const lines = ['weight,"target value",note'];
    for (let i = 0; i < n; i++) {
      const x = 50 + 100 * u();
      const e = Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
      lines.push(`${x},${(3 - 0.05 * x + Math.exp(-1 + 0.01 * x) * e).toFixed(6)},row${i}`);
    }
    lines.push('12,,missing y', 'NA,3,missing x', 'abc,4,not a number');
    return lines.join('\n') + '\n';
  }

  it('fits the model to the CSV columns and reports the dropped rows', () => {
    const file = join(tmp, 'data.csv');
    writeFileSync(file, synthetic(200));
    const r = dualtape(['demo', '--data', file, '--x', 'weight', '--y', 'target value', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const o = JSON.parse(r.stdout);
    expect(o.data).toMatchObject({ x: 'weight', y: 'target value', rows: 203, used: 200, dropped: 3 });
    expect(o.fit.gradNorm).toBeLessThan(1e-8);
    const text = readFileSync(file, 'utf8').trim().split('\n').slice(1, 201).map((l) => l.split(',').map(Number));
    const { z } = standardise(text.map((v) => v[0]!));
    const { a, b, c, d } = o.fit.params;
    const { gradient, hessian } = closedForm([a, b, c, d], z, text.map((v) => v[1]!));
    expect(Math.hypot(...gradient)).toBeLessThan(1e-8);
    const scale = maxAbs(hessian);
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) expect(Math.abs(o.parameterHessian.matrix[i][j] - hessian[i]![j]!)).toBeLessThanOrEqual(1e-12 * scale);
  });

  const bad = (args: string[], message: RegExp) => {
    const r = dualtape(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  };
  it('a missing file', () => bad(['demo', '--data', join(tmp, 'nope.csv'), '--x', 'a', '--y', 'b'], /--data .*nope\.csv cannot be read \(no such file\)/));
  it('a missing column names the columns there are', () => {
    const file = join(tmp, 'cols.csv');
    writeFileSync(file, 'p,q\n1,2\n3,4\n');
    bad(['demo', '--data', file, '--x', 'p', '--y', 'r'], /--y names the column "r", which .* does not have \(its columns: p, q\)/);
    bad(['demo', '--x', 'Weight', '--json'], /--x names the column "Weight", which vega-datasets cars.json does not have/);
  });
  it('a CSV with no usable rows', () => {
    const file = join(tmp, 'empty.csv');
    writeFileSync(file, 'p,q\nNA,1\n2,\n');
    bad(['demo', '--data', file, '--x', 'p', '--y', 'q'], /has no usable rows/);
  });
  it('--data without the columns; an --svg path that cannot be written', () => {
    bad(['demo', '--data', 'x.csv'], /--data needs the columns too/);
    bad(['demo', '--json', '--svg', join(tmp, 'no-such-dir', 'out.svg')], /--svg .* cannot be written/);
  });
});
