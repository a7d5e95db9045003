/**
 * A small seeded generator for reproducible directions (checkGrad) and test data. Not for
 * cryptography. mulberry32 by Tommy Ettinger (public domain); Gaussian draws by Box–Muller.
 */
export class Random {
  private state: number;
  constructor(seed = 1) {
    this.state = seed >>> 0;
  }
  /** Uniform on [0, 1). */
  uniform(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Standard normal. */
  normal(): number {
    const u = 1 - this.uniform(); // (0, 1], so the log is finite
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.uniform());
  }
  /** n standard normal draws. */
  normals(n: number): Float64Array {
    return Float64Array.from({ length: n }, () => this.normal());
  }
}
