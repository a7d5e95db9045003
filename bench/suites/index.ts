/** Every suite, in report order. */
import type { Suite } from './suite.js';
import { w1Gaussian, w2Rosenbrock, w3Hvp, w4Mlp } from './workloads.js';

export const SUITES: readonly Suite[] = [w1Gaussian, w2Rosenbrock, w3Hvp, w4Mlp];
