/** Every suite, in report order. */
import type { Suite } from './suite.js';
import { engine } from './engine.js';
import { memory } from './memory.js';
import { scaling } from './scaling.js';
import { losses } from './losses.js';
import { w1Gaussian, w2Rosenbrock, w3Hvp, w4Mlp } from './workloads.js';

export const SUITES: readonly Suite[] = [engine, w1Gaussian, w2Rosenbrock, w3Hvp, w4Mlp, memory, scaling, losses];
