/**
 * The scalar type that user code computes with.
 *
 * A loss written against `Scalar` with the functions of `math.ts` runs unchanged on
 *  - plain `number`s (evaluation, finite differences, benchmarks),
 *  - forward-mode {@link Dual} numbers (`jvp`, `derivative`, `jacfwd`),
 *  - reverse-mode {@link Tracer}s that record onto a tape (`grad`, `vjp`, `hessian`, …),
 * and any nesting of duals over those.
 */
import type { Dual } from './dual.js';
import type { Tracer } from './tape.js';

export type Scalar = number | Dual | Tracer;
