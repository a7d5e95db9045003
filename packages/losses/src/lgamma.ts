/**
 * log Γ(x) for x ≥ ½, by the Lanczos approximation with g = 7 and 9 coefficients (Lanczos,
 * "A precision approximation of the gamma function", SIAM J. Numer. Anal. B 1, 1964; the
 * coefficients are Godfrey's, as tabulated in Press et al., *Numerical Recipes*, 3rd ed., §6.1,
 * and widely reproduced). Relative error about 1e−15 on [½, ∞).
 *
 * Used only for the constant log(y!) = log Γ(y + 1) of the full Poisson NLL, which does not
 * depend on the model's outputs, so it affects values and never derivatives.
 * Returns NaN for x < ½ (not needed here: y ≥ 0 gives x ≥ 1).
 */
const G = 7;
const C = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
] as const;
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

export function lgamma(x: number): number {
  if (!(x >= 0.5)) return NaN;
  if (x === 1 || x === 2) return 0; // exact: Γ(1) = Γ(2) = 1
  const u = x - 1;
  let a = C[0];
  for (let k = 1; k < C.length; k++) a += C[k]! / (u + k);
  const t = u + G + 0.5;
  return HALF_LOG_2PI + (u + 0.5) * Math.log(t) - t + Math.log(a);
}
