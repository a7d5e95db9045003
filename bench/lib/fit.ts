/**
 * Least-squares slope of log(time) against log(n): the exponent p of time ≈ c·nᵖ
 * (1 for O(n), 2 for O(n²)). Points are (n, ms) pairs; at least two distinct n are needed.
 * @returns NaN when fewer than two usable points remain.
 */
export function logLogSlope(points: readonly (readonly [number, number])[]): number {
  const pts = points.filter(([n, t]) => n > 0 && t > 0).map(([n, t]) => [Math.log(n), Math.log(t)] as const);
  if (pts.length < 2) return NaN;
  const mx = pts.reduce((s, [x]) => s + x, 0) / pts.length;
  const my = pts.reduce((s, [, y]) => s + y, 0) / pts.length;
  let sxy = 0;
  let sxx = 0;
  for (const [x, y] of pts) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) * (x - mx);
  }
  return sxx > 0 ? sxy / sxx : NaN;
}
