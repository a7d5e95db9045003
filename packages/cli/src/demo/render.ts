/** The demo's text report. */
import type { Matrix } from '@dualtape/core';
import type { BlockDiagonal } from '@dualtape/losses';
import { fmt, indent, table } from '../format.js';
import type { DemoMatrices, DemoResult } from './analysis.js';
import type { NewtonIteration } from './model.js';
import { PARAM_NAMES } from './model.js';

const e3 = (x: number): string => (x === 0 ? '0' : x.toExponential(2));

/** One line per Newton iteration, as they happen. */
const WIDTHS = [4, 18, 9, 10, 6, 9];
const row = (cells: readonly string[]): string => cells.map((c, j) => c.padStart(WIDTHS[j]!)).join('  ');

export const iterationHeader = (): string => row(['iter', 'loss L(θ)', '‖∇L‖', 'step ‖Δθ‖', 't', 'damping λ']);

export function iterationLine(it: NewtonIteration): string {
  return row([String(it.iter), fmt(it.loss, 14), e3(it.gradNorm), it.step === 0 ? '—' : e3(it.step), it.t === 0 ? '—' : fmt(it.t), it.damping === 0 ? '0' : e3(it.damping)]);
}

/**
 * Tiles for a downsampled picture of an N×N matrix of d×d blocks: the tile side is a multiple of
 * d (so tiles never cut a block) chosen so that at most `maxCells` tiles fit across.
 */
export function tiling(N: number, d: number, maxCells: number): { tile: number; cells: number } {
  const tile = d * Math.max(1, Math.ceil(N / (d * maxCells)));
  return { tile, cells: Math.ceil(N / tile) };
}

/**
 * A downsampled picture of which entries of an N×N matrix are non-zero: the matrix is cut into
 * tile×tile squares; a square prints `#` if any entry in it is non-zero, `.` otherwise.
 */
export function sparsityPicture(M: Matrix, tile: number): string[] {
  const N = M.rows;
  const k = Math.ceil(N / tile);
  const lines: string[] = [];
  for (let r = 0; r < k; r++) {
    const r0 = r * tile;
    const r1 = Math.min(N, r0 + tile);
    let line = '';
    for (let c = 0; c < k; c++) {
      const c0 = c * tile;
      const c1 = Math.min(N, c0 + tile);
      let any = false;
      for (let i = r0; i < r1 && !any; i++) for (let j = c0; j < c1 && !any; j++) any = M.get(i, j) !== 0;
      line += any ? '#' : '.';
    }
    lines.push(line);
  }
  return lines;
}

/** Signs of the top-left size×size corner: `+`, `-`, `.` for zero. */
function signCorner(get: (i: number, j: number) => number, size: number): string[] {
  return Array.from({ length: size }, (_, i) =>
    Array.from({ length: size }, (_, j) => {
      const v = get(i, j);
      return v > 0 ? '+' : v < 0 ? '-' : '.';
    }).join(' '),
  );
}

/** Columns of text blocks side by side. */
function sideBySide(blocks: readonly string[][], gap = 4): string[] {
  const width = blocks.map((b) => Math.max(0, ...b.map((l) => [...l].length)));
  const height = Math.max(...blocks.map((b) => b.length));
  return Array.from({ length: height }, (_, i) =>
    blocks
      .map((b, k) => (b[i] ?? '').padEnd(width[k]! + (k < blocks.length - 1 ? gap : 0)))
      .join('')
      .trimEnd(),
  );
}

const mat2 = (m: number[][]): string[] => table(m).split('\n');

/** The full report after the iterations. */
export function renderDemo(r: DemoResult, m: DemoMatrices): string {
  const out: string[] = [];
  const { fit, parameterHessian: ph, outputHessian: oh, gaussNewton: gn } = r;
  const conv = fit.converged
    ? `converged: ‖∇L‖ = ${e3(fit.gradNorm)} < 1e-8 after ${fit.iterations.length - 1} Newton steps`
    : `NOT converged: ‖∇L‖ = ${e3(fit.gradNorm)} after ${fit.iterations.length - 1} steps`;
  out.push(conv, '');

  out.push(`Parameters at the optimum (for the standardised z), with standard errors √diag(H⁻¹):`);
  const se = ph.standardErrors;
  const p = [fit.params.a, fit.params.b, fit.params.c, fit.params.d];
  const meaning = ['intercept of μ', 'slope of μ per sd of x', 'intercept of log σ', 'slope of log σ per sd of x'];
  out.push(indent(table(p.map((v, i) => [v, se ? se[i]! : NaN, meaning[i]!]), ['estimate', 'std. error', ''], [...PARAM_NAMES])), '');

  out.push('Parameter Hessian ∇²L(θ) at the optimum (exact, forward-over-reverse; the observed information):');
  out.push(indent(table(ph.matrix, [...PARAM_NAMES], [...PARAM_NAMES])));
  out.push(`  eigenvalues  ${ph.eigenvalues.map((e) => fmt(e, 8)).join(', ')}   → ${ph.definiteness}`);
  out.push('  (entries of order 1e-13 are rounding around exact zeros: at the optimum ∂²L/∂a∂c = −2·∂L/∂a = 0)');
  out.push(
    `  the loss recorded as one fused tape node per sample (closed-form partials) vs composed from primitives:`,
    `  max |ΔH| / max |H| = ${e3(ph.fusedVsComposed)}`,
    '',
  );

  const n = oh.size / 2;
  out.push(`Output Hessian ∂²L/∂o² over o = (μ₁, σ₁, μ₂, σ₂, …, μₙ, σₙ): ${oh.size}×${oh.size}, by the engine (forward-over-reverse over all ${oh.size} outputs)`);
  out.push('per-sample 2×2 blocks ∂²ℓᵢ/∂(μᵢ, σᵢ)², beside the closed form of @dualtape/losses and the Fisher:');
  for (const s of oh.samples) {
    out.push(`  sample ${s.sample + 1}: x = ${fmt(s.x)}, y = ${fmt(s.y)}, μ = ${fmt(s.mu, 6)}, σ = ${fmt(s.sigma, 6)}`);
    const lines = sideBySide([
      ['engine', ...mat2(s.engine)],
      ['closed form', ...mat2(s.closedForm)],
      ['Fisher', ...mat2(s.fisher)],
    ]);
    out.push(indent(lines.join('\n'), 4));
  }
  out.push(`  max |engine − closed form| over all ${n} blocks: ${e3(oh.maxDifference)}   (entries up to ${fmt(oh.maxEntry, 4)})`, '');

  const { tile, cells } = tiling(oh.size, 2, 48);
  out.push(`Structure: ${oh.size}×${oh.size} in ${cells}×${cells} tiles of up to ${tile}×${tile} ('#': a tile with an entry ≠ 0), and the signs of the top-left 8×8 corner:`);
  const corner = Math.min(8, oh.size);
  const F: BlockDiagonal = m.fisher;
  out.push(
    indent(
      sideBySide([
        ['output Hessian', ...sparsityPicture(m.outputHessian, tile)],
        ['exact Hessian', ...signCorner((i, j) => m.outputHessian.get(i, j), corner)],
        ['Fisher', ...signCorner((i, j) => F.get(i, j), corner)],
      ]).join('\n'),
    ),
  );
  out.push(
    `  entries ≠ 0 outside the 2×2 blocks: ${oh.offBlockNonzeros}${oh.offBlockNonzeros === 0 ? ` — block-diagonal: ${n} blocks, one per sample` : ''}`,
    `  indefinite blocks: ${oh.indefiniteBlocks} of ${n}   (in (μ, σ), det = −(r² + σ²)/σ⁶ < 0 for every residual r)`,
    `  Fisher blocks diag(1/σ², 2/σ²), positive definite: ${oh.fisherPositiveDefiniteBlocks} of ${n}`,
    '',
  );

  out.push('Gauss-Newton in parameter space: G = Jᵀ·F·J (J = ∂o/∂θ, forward mode) against the exact ∇²L:');
  out.push(indent(table(gn.matrix, [...PARAM_NAMES], [...PARAM_NAMES])));
  out.push(`  eigenvalues  ${gn.eigenvalues.map((e) => fmt(e, 8)).join(', ')}`);
  out.push(`  ‖G − ∇²L‖_F / ‖∇²L‖_F = ${e3(gn.relativeFrobenius)}`);
  out.push(
    `  with the exact output Hessian in place of F, ‖Jᵀ·∇²ℓ·J − ∇²L‖_F / ‖∇²L‖_F = ${e3(gn.exactOutputHessianRelativeFrobenius)}`,
    '  (the rest of ∇²L is Σᵢ ∂ℓ/∂σᵢ·∇²σᵢ, the curvature of σ = e^{c+dz})',
  );
  return out.join('\n');
}

/** The header: data, standardisation, model. */
export function renderHeader(r: DemoResult['data']): string {
  return [
    'dualtape demo: heteroscedastic Gaussian regression with exact Hessians (forward-over-reverse)',
    '',
    `data   ${r.source}: ${r.x} → ${r.y}; ${r.rows} rows, ${r.dropped} dropped (missing value), ${r.used} used`,
    `       x is standardised: z = (${r.x} − ${fmt(r.xMean, 8)}) / ${fmt(r.xSd, 8)}  (sample mean and standard deviation)`,
    'model  μ(z) = a + b·z,  log σ(z) = c + d·z,  y ~ N(μ, σ²)',
    'loss   L(θ) = Σᵢ log σᵢ + ½ log 2π + (yᵢ − μᵢ)²/(2σᵢ²)   (@dualtape/losses gaussianNLL, parameterisation σ)',
    '',
    "Newton's method with the exact 4×4 Hessian (Levenberg damping if H is not positive definite, Armijo backtracking):",
  ].join('\n');
}
