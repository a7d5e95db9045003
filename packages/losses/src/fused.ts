/**
 * The registry of this package's fused tape nodes. Each fused node is registered with the core
 * (`definePrimitive`) together with the composed form it replaces, written with the generic
 * operations, so that a test can hold every node — with *all* its arguments as variables,
 * targets included — against the engine's derivatives of the composed form.
 */
import { definePrimitive, type Primitive, type Rule, type Scalar } from '@dualtape/core';

export interface FusedNode {
  readonly primitive: Primitive;
  /** The same function composed from core primitives, one argument per node argument. */
  readonly composed: (...args: Scalar[]) => Scalar;
}

/** Every fused node this package defines, in definition order. */
export const FUSED_NODES: FusedNode[] = [];

/**
 * Define a fused primitive `losses.<name>` and record it with its composed form.
 * @throws {DualtapeError} (from the core) if the name is taken
 */
export function defineFused<R extends Rule>(name: string, rule: R, composed: (...args: Scalar[]) => Scalar): Primitive<R> {
  const primitive = definePrimitive(`losses.${name}`, rule);
  FUSED_NODES.push({ primitive, composed });
  return primitive;
}
