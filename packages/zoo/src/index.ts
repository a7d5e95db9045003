/**
 * The zoo: test functions written once against dualtape's generic scalar operations, so each
 * runs on numbers, duals and tracers, together with hand-written closed-form derivatives that
 * do not depend on the engine. Shared by the test suite and the benchmarks (fixed seeds).
 */
export * from './rosenbrock.js';
export * from './gaussian.js';
export * from './mlp.js';
export * from './quadratic.js';
export * from './gaussian-derivatives.js';
export * from './rosenbrock-hvp.js';
export * from './mlp-derivatives.js';
