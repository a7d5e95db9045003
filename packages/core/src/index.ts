/**
 * @dualtape/core — exact derivatives: dual-number forward mode, a typed-array tape for reverse
 * mode, and forward-over-reverse for Hessian-vector products and Hessians.
 * Zero runtime dependencies.
 */
export type { Scalar } from './scalar.js';
export * from './math.js';
export { Dual, newTag } from './dual.js';
export { Tape, Tracer, withTape } from './tape.js';
export { applyPrimitive } from './dispatch.js';
export {
  RULES,
  PRIM,
  definePrimitive,
  constant,
  type ConstantPartial,
  codeName,
  OP_NAMES,
  UNARY_OPS,
  BINARY_OPS,
  TERNARY_OPS,
  type OpName,
  type Rule,
  type UnaryRule,
  type BinaryRule,
  type TernaryRule,
  type Primitive,
  type PartialFn,
} from './rules.js';
export { reverseSweep, tangentSweep, hvpSweep, hvpByDualSweep, secondPartials, neededTangents, SweepBuffers } from './sweeps.js';
export { Matrix } from './matrix.js';
export { flatten, unflatten, type Input, type Leaf, type TreeSpec } from './tree.js';
export { grad, valueAndGrad, vjp, jacrev } from './api/reverse.js';
export { jvp, derivative, jacfwd, chooseChunk, CHUNK_THRESHOLD, type JacfwdOptions, type ScalarInput } from './api/forward.js';
export { hvp, hessian, hessianDiagonal, DEFAULT_MAX_BYTES, type HessianOptions } from './api/hessian.js';
export { hessianSparsity, sparseHessian, type SparseHessianOptions } from './api/sparse-hessian.js';
export { SparsityPattern } from './sparse/pattern.js';
export { colourHessian, recoveryPlan, type Colouring, type ColouringMethod, type ColouringOptions } from './sparse/colouring.js';
export { SparseHessian } from './sparse/sparse-matrix.js';
export { checkGrad, TOLERANCES, type CheckGradReport, type CheckGradOptions, type Discrepancy } from './api/check.js';
export { record, type Traced, type Like, type Output, type Primal, type Recording } from './api/common.js';
export { Random } from './random.js';
export * from './errors.js';
export { compile, CompiledFunction } from './api/compile.js';
export { reroll, type Item, type NodeItem, type LoopItem } from './compile/reroll.js';
export type { ProgramKind } from './compile/codegen.js';
