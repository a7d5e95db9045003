/**
 * @dualtape/losses — built-in losses with closed-form gradients, output Hessians, Fisher
 * information and Fisher factors, each also available as a generic composed form (runs on
 * numbers, duals and the tape) and as fused tape nodes with closed-form partials.
 * See README.md, "Hessian shapes", for the layout of batch Hessians.
 */
export { Loss, outputHessian, fisher, fisherFactor, gradient, type Kernel, type Reduction } from './loss.js';
export { BlockDiagonal } from './block-diagonal.js';
export { type Batch } from './layout.js';
export { gaussianNLL, HALF_LOG_2PI, type GaussianNLLOptions, type GaussianParameterisation } from './gaussian-nll.js';
export { GAUSSIAN_FORMS, type GaussianForm } from './gaussian-parameterisations.js';
export { squaredLoss, type SquaredLossOptions } from './squared.js';
export { softmaxCrossEntropy, type SoftmaxCrossEntropyOptions } from './softmax-cross-entropy.js';
export { binaryCrossEntropyWithLogits, type BinaryCrossEntropyOptions } from './binary-cross-entropy.js';
export { poissonNLL, type PoissonNLLOptions } from './poisson-nll.js';
export { logaddexpDiff } from './logaddexp.js';
export { lgamma } from './lgamma.js';
export { blockHessianByColouring, type BlockHessianOptions } from './colouring.js';
export { FUSED_NODES, type FusedNode } from './fused.js';
