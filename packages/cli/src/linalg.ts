/**
 * Small dense linear algebra for reports: eigenvalues of a small symmetric matrix, definiteness,
 * Cholesky, inverse of a symmetric positive definite matrix, solves. Not differentiation, and
 * only ever applied to matrices of a few dozen rows (Hessians over the `--wrt` variables, the
 * 4×4 parameter Hessian, 2×2 output blocks).
 *
 * Why hand-written: the well-kept npm packages with a symmetric eigensolver (ml-matrix,
 * mathjs) are large for this one routine and would change the lockfile; cyclic Jacobi is 30
 * lines and accurate to a few ulps of ‖A‖ (Golub & Van Loan, *Matrix Computations*, 4th ed.,
 * §8.5.2–8.5.3, Algorithm 8.5.3).
 */

/** Row-major n×n matrix as a flat array (entry (i, j) at `i * n + j`). */
export type Square = ArrayLike<number>;

/**
 * Eigenvalues of a symmetric n×n matrix by the cyclic Jacobi method, sorted ascending.
 * Only the upper triangle is read (the matrix is symmetrised as (A + Aᵀ)/2 first).
 * Each rotation zeroes one off-diagonal entry; the method converges quadratically and stops
 * when the off-diagonal Frobenius norm is below 2⁻⁵² of the whole norm (or after 64 sweeps).
 * A matrix with a NaN or ±∞ entry has all eigenvalues NaN.
 * @param a row-major n×n, `a.length === n * n`
 */
export function symmetricEigenvalues(a: Square, n: number): Float64Array {
  if (a.length !== n * n) throw new RangeError(`symmetricEigenvalues: a has length ${a.length}; expected ${n}×${n} = ${n * n}`);
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) m[i * n + j] = 0.5 * (a[i * n + j]! + a[j * n + i]!);
  if (m.some((v) => !Number.isFinite(v))) return new Float64Array(n).fill(NaN);
  const norm2 = m.reduce((s, v) => s + v * v, 0);
  for (let sweep = 0; sweep < 64; sweep++) {
    let off2 = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off2 += 2 * m[p * n + q]! ** 2;
    if (off2 <= 2 ** -104 * norm2) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q]!;
        if (apq === 0) continue;
        // Rotation angle: tan θ = t solves t² + 2τt − 1 = 0 with τ = (a_qq − a_pp)/(2a_pq); the smaller root.
        const tau = (m[q * n + q]! - m[p * n + p]!) / (2 * apq);
        const t = (tau >= 0 ? 1 : -1) / (Math.abs(tau) + Math.hypot(tau, 1));
        const c = 1 / Math.hypot(t, 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          // columns p and q: A ← A·J
          const kp = m[k * n + p]!;
          const kq = m[k * n + q]!;
          m[k * n + p] = c * kp - s * kq;
          m[k * n + q] = s * kp + c * kq;
        }
        for (let k = 0; k < n; k++) {
          // rows p and q: A ← Jᵀ·A
          const pk = m[p * n + k]!;
          const qk = m[q * n + k]!;
          m[p * n + k] = c * pk - s * qk;
          m[q * n + k] = s * pk + c * qk;
        }
        m[p * n + q] = 0;
        m[q * n + p] = 0;
      }
    }
  }
  const eig = new Float64Array(n);
  for (let i = 0; i < n; i++) eig[i] = m[i * n + i]!;
  return eig.sort();
}

export type Definiteness =
  | 'positive definite'
  | 'positive semidefinite'
  | 'negative definite'
  | 'negative semidefinite'
  | 'indefinite'
  | 'zero'
  | 'undefined (non-finite entries)';

/**
 * Classify a symmetric matrix by the signs of its eigenvalues. An eigenvalue counts as zero when
 * |λ| ≤ 16·n·2⁻⁵²·max|λ|: Jacobi's eigenvalues are exact to a few ulps of ‖A‖, so a smaller
 * value cannot be told apart from 0.
 */
export function definiteness(eigenvalues: ArrayLike<number>): Definiteness {
  const e = Array.from(eigenvalues);
  if (e.some((v) => !Number.isFinite(v))) return 'undefined (non-finite entries)';
  const scale = Math.max(0, ...e.map(Math.abs));
  if (scale === 0) return 'zero';
  const tol = 16 * e.length * 2 ** -52 * scale;
  const pos = e.filter((v) => v > tol).length;
  const neg = e.filter((v) => v < -tol).length;
  if (pos > 0 && neg > 0) return 'indefinite';
  if (pos === e.length) return 'positive definite';
  if (neg === e.length) return 'negative definite';
  return pos > 0 ? 'positive semidefinite' : 'negative semidefinite';
}

/**
 * Cholesky factor L (lower, row-major) with A = L·Lᵀ, or `null` if A is not (numerically)
 * positive definite. Golub & Van Loan Algorithm 4.2.1.
 */
export function cholesky(a: Square, n: number): Float64Array | null {
  const L = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j]!;
    for (let k = 0; k < j; k++) d -= L[j * n + k]! ** 2;
    if (!(d > 0)) return null;
    const ljj = Math.sqrt(d);
    L[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j]!;
      for (let k = 0; k < j; k++) s -= L[i * n + k]! * L[j * n + k]!;
      L[i * n + j] = s / ljj;
    }
  }
  return L;
}

/** Solve (L·Lᵀ)·x = b given the Cholesky factor L. */
export function choleskySolve(L: Float64Array, n: number, b: ArrayLike<number>): Float64Array {
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= L[i * n + k]! * y[k]!;
    y[i] = s / L[i * n + i]!;
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i]!;
    for (let k = i + 1; k < n; k++) s -= L[k * n + i]! * x[k]!;
    x[i] = s / L[i * n + i]!;
  }
  return x;
}

/** Inverse of a symmetric positive definite matrix (row-major), or `null` if it is not positive definite. */
export function inverseSPD(a: Square, n: number): Float64Array | null {
  const L = cholesky(a, n);
  if (L === null) return null;
  const inv = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const e = new Float64Array(n);
    e[j] = 1;
    const col = choleskySolve(L, n, e);
    for (let i = 0; i < n; i++) inv[i * n + j] = col[i]!;
  }
  return inv;
}

/** ‖A − B‖_F / ‖B‖_F for two arrays of the same length. */
export function relativeFrobenius(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num += (a[i]! - b[i]!) ** 2;
    den += b[i]! ** 2;
  }
  return Math.sqrt(num / den);
}

/** Euclidean norm. */
export function norm2(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! ** 2;
  return Math.sqrt(s);
}
