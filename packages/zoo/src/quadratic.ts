import { add, mul, type Scalar } from '@dualtape/core';

/** xᵀAx for a dense n×n row-major A (not necessarily symmetric). Its Hessian is A + Aᵀ everywhere. */
export function quadraticForm(A: ArrayLike<number>, x: readonly Scalar[]): Scalar {
  const n = x.length;
  let s: Scalar = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) s = add(s, mul(A[i * n + j]!, mul(x[i]!, x[j]!)));
  return s;
}
