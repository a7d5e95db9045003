/**
 * Fused vs composed Gaussian NLL: the gradient and the full output Hessian (all n blocks of
 * 2×2) through the engine, for n = 10³ and 10⁵ samples, side by side in one run, with the
 * package's closed forms as a third column. Each engine result is checked against the closed
 * form before it is timed.
 *
 *   npx tsx --conditions=@dualtape/source bench/losses/fused-vs-composed.ts [--parameterisation=sigma] [--quick] [--write]
 *
 * - composed: `loss.composed` — the loss written with core primitives (≈ 10 nodes per sample)
 * - fused:    `loss.fused` — one `losses.gaussianNLL.<p>` node per sample with closed-form partials
 * - gradient: core `grad` (one recording + one reverse sweep)
 * - output Hessian: `blockHessianByColouring` with verify off — one recording, one reverse
 *   sweep and one 2-direction forward-over-reverse sweep, giving all n blocks (a dense
 *   Hessian would be (2n)² = 4·10¹⁰ entries at n = 10⁵)
 * Timing: 2 warm-up calls each, then interleaved rounds (one call of each implementation per
 * round, rotating the order) for ≥ 5 rounds and ≥ 1.5 s per implementation (0.4 s with
 * --quick). Reported: the median ms of each, and the median of the per-round ratios
 * composed/fused (robust to load drift on a shared machine). `--write` also writes
 * bench/losses/RESULTS.md.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { grad, record, withTape, Random, type Scalar } from '@dualtape/core';
import { blockHessianByColouring, gaussianNLL, type GaussianParameterisation } from '@dualtape/losses';

const args = process.argv.slice(2);
const parameterisation = (args.find((a) => a.startsWith('--parameterisation='))?.split('=')[1] ?? 'sigma') as GaussianParameterisation;
const budgetMs = args.includes('--quick') ? 400 : 1500;
const SIZES = [1_000, 100_000];

/**
 * Time several implementations of one task *interleaved*: each round calls every one once
 * (in rotating order), so load from other processes on a shared machine hits them alike.
 * Returns the median ms of each, and the median over rounds of the per-round ratio
 * time[i] / time[j] for the pairs asked for.
 */
function timeInterleaved(fs: (() => unknown)[]): { ms: number[]; rounds: number; ratio: (i: number, j: number) => number } {
  for (const f of fs) {
    f();
    f();
  }
  const samples: number[][] = fs.map(() => []);
  const start = performance.now();
  let round = 0;
  while (round < 5 || performance.now() - start < budgetMs * fs.length) {
    for (let k = 0; k < fs.length; k++) {
      const i = (k + round) % fs.length;
      const t0 = performance.now();
      fs[i]!();
      samples[i]!.push(performance.now() - t0);
    }
    round++;
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return {
    ms: samples.map(median),
    rounds: round,
    ratio: (i, j) => median(samples[i]!.map((t, r) => t / samples[j]![r]!)),
  };
}

/** Largest |a − b| relative to the largest |b|. */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let e = 0;
  let s = 1e-300;
  for (let i = 0; i < b.length; i++) {
    e = Math.max(e, Math.abs(a[i]! - b[i]!));
    s = Math.max(s, Math.abs(b[i]!));
  }
  return e / s;
}

/** A fixed-seed batch valid in the parameterisation: μ ∼ N(0, 1), σ ∈ [0.5, 2), y ∼ N(μ, σ²). */
function problem(n: number): { z: Float64Array; y: Float64Array } {
  const rng = new Random(42);
  const z = new Float64Array(2 * n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const mu = rng.normal();
    const sd = 0.5 + 1.5 * rng.uniform();
    y[i] = mu + sd * rng.normal();
    const [a, b] =
      parameterisation === 'sigma' ? [mu, sd]
      : parameterisation === 'logSigma' ? [mu, Math.log(sd)]
      : parameterisation === 'variance' ? [mu, sd * sd]
      : [mu / (sd * sd), -1 / (2 * sd * sd)];
    z[2 * i] = a;
    z[2 * i + 1] = b;
  }
  return { z, y };
}

const loss = gaussianNLL({ parameterisation });
const lines: string[] = [];
const out = (s = ''): void => {
  console.log(s);
  lines.push(s);
};

out(`# Fused vs composed Gaussian NLL (${parameterisation})`);
out();
out(`${os.cpus()[0]?.model.trim()} · ${os.cpus().length} cores · Node ${process.version} · load ${os.loadavg()[0]!.toFixed(2)} · medians of interleaved rounds`);
out();
out('| n | task | closed form ms | composed ms | fused ms | composed / fused | rounds | max rel. error vs closed form (composed, fused) |');
out('|---|---|---:|---:|---:|---:|---:|---|');
const tapes: string[] = [];
for (const n of SIZES) {
  const { z, y } = problem(n);
  const composed = (u: Scalar[]): Scalar => loss.composed(u, y);
  const fused = (u: Scalar[]): Scalar => loss.fused(u, y);

  // tape size per sample
  for (const [name, f] of [['composed', composed], ['fused', fused]] as const) {
    const { size, bytes } = withTape((tape) => {
      record(tape, f, z, 'bench');
      return { size: tape.size, bytes: tape.bytesUsed };
    });
    if (n === SIZES[SIZES.length - 1]) tapes.push(`${name}: ${(size / n).toFixed(2)} nodes and ${(bytes / n).toFixed(1)} bytes per sample`);
  }

  // gradient
  const gClosed = loss.gradient(z, y);
  const gC = grad(composed, z);
  const gF = grad(fused, z);
  row(n, 'gradient', timeInterleaved([() => loss.gradient(z, y), () => grad(composed, z), () => grad(fused, z)]), [relErr(gC, gClosed), relErr(gF, gClosed)]);

  // full output Hessian: n blocks of 2×2
  const hClosed = loss.outputHessian(z, y).data;
  const hC = blockHessianByColouring(composed, z, 2, { verify: false }).data;
  const hF = blockHessianByColouring(fused, z, 2, { verify: false }).data;
  const th = timeInterleaved([
    () => loss.outputHessian(z, y),
    () => blockHessianByColouring(composed, z, 2, { verify: false }),
    () => blockHessianByColouring(fused, z, 2, { verify: false }),
  ]);
  row(n, 'output Hessian (n blocks 2×2)', th, [relErr(hC, hClosed), relErr(hF, hClosed)]);
}
out();
out(`Tape at n = ${SIZES[SIZES.length - 1]}: ${tapes.join('; ')}.`);

function row(n: number, task: string, t: ReturnType<typeof timeInterleaved>, errs: number[]): void {
  const [c, comp, fu] = t.ms as [number, number, number];
  const f = (ms: number): string => (ms < 10 ? ms.toFixed(3) : ms.toFixed(1));
  out(`| ${n.toLocaleString('en')} | ${task} | ${f(c)} | ${f(comp)} | ${f(fu)} | ${t.ratio(1, 2).toFixed(2)}× | ${t.rounds} | ${errs.map((e) => e.toExponential(1)).join(', ')} |`);
}

if (args.includes('--write')) {
  writeFileSync(fileURLToPath(new URL('./RESULTS.md', import.meta.url)), lines.join('\n') + '\n');
}
