/**
 * A benchmark problem: one zoo function at one size, with everything the cases need — the
 * point, a direction, the generic dualtape function (structured and flat), the hand-written
 * plain-number f and the hand-written closed forms that every result is checked against.
 */
import type { Input, Scalar, Traced } from '@dualtape/core';

export type Kind = 'gaussian' | 'rosenbrock' | 'mlp';

// `any` by default: a table holds problems over different input structures, and `f`'s
// parameter makes Problem<X> invariant in X.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface Problem<X extends Input = any> {
  /** e.g. 'W2 n=1000' */
  readonly id: string;
  readonly title: string;
  readonly kind: Kind;
  /** Number of scalar variables (the Hessian is n×n). */
  readonly n: number;
  /** f written once with dualtape's generic operations, on the structured input. */
  readonly f: (x: Traced<X>) => Scalar;
  readonly x: X;
  /** The same f over the flat variables (dualtape's flat order). */
  readonly fFlat: (x: Scalar[]) => Scalar;
  readonly xFlat: Float64Array;
  /** A fixed-seed direction for HVPs, flat. */
  readonly vFlat: Float64Array;
  /** Hand-written f on plain numbers. */
  readonly plain: () => number;
  /** Hand-written closed forms, flat (Hessian dense row-major). */
  readonly closed: {
    readonly gradient: () => Float64Array;
    readonly hvp: () => Float64Array;
    readonly hessian: () => Float64Array;
  };
  /** Extra data the peers need (targets of the NLL, MLP samples). */
  readonly data?: { readonly x: Float64Array; readonly y?: Float64Array };
}
