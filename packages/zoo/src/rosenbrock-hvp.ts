/**
 * Hand-written Hessian-vector product of the extended Rosenbrock function (rosenbrock.ts):
 * H·v with the tridiagonal H of {@link rosenbrockHessianBands}, in O(n) without forming H.
 * Term i of f contributes  [[1200xᵢ² − 400xᵢ₊₁ + 2, −400xᵢ], [−400xᵢ, 200]]  to rows/columns i, i+1.
 */
export function rosenbrockHvp(x: ArrayLike<number>, v: ArrayLike<number>, out = new Float64Array(x.length)): Float64Array {
  out.fill(0);
  for (let i = 0; i + 1 < x.length; i++) {
    const a = x[i]!;
    const hii = 1200 * a * a - 400 * x[i + 1]! + 2;
    const hij = -400 * a;
    out[i] = out[i]! + hii * v[i]! + hij * v[i + 1]!;
    out[i + 1] = out[i + 1]! + hij * v[i]! + 200 * v[i + 1]!;
  }
  return out;
}
