/** Bad input: typed errors that name the argument, its shape or value, and the sample. */
import { describe, expect, it } from 'vitest';
import { DomainError, InputTypeError, ShapeError, grad, hessian, type Scalar } from '@dualtape/core';
import { binaryCrossEntropyWithLogits, gaussianNLL, poissonNLL, softmaxCrossEntropy, squaredLoss } from '@dualtape/losses';

/** Run f and return what it threw. */
function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
}

describe('domain errors name the sample', () => {
  it.each([
    ['sigma', [[0, 1], [0, 0], [0, 1]]],
    ['sigma', [[0, 1], [0, -2], [0, 1]]],
    ['variance', [[0, 1], [0, -1e-300], [0, 1]]],
    ['natural', [[0, -1], [0, 0], [0, -1]]],
    ['natural', [[0, -1], [0, 0.5], [0, -1]]],
  ] as const)('%s with scale output %j', (parameterisation, z) => {
    const loss = gaussianNLL({ parameterisation });
    const y = [0, 0, 0];
    const rows = z.map((r) => [...r]);
    for (const call of [
      () => loss.value(rows, y),
      () => loss.gradient(rows, y),
      () => loss.outputHessian(rows, y),
      () => loss.fisher(rows),
      () => loss.fisherFactor(rows),
      () => grad((u: Scalar[][]) => loss.composed(u, y), rows),
      () => hessian((u: Scalar[][]) => loss.fused(u, y), rows),
    ]) {
      const e = thrown(call);
      expect(e).toBeInstanceOf(DomainError);
      expect(e.message).toContain('outputs[1][1]');
      expect(e.message).toContain('sample 1');
    }
  });

  it('σ ≤ 0 in dimension 2 of a multivariate Gaussian names the entry', () => {
    const e = thrown(() => gaussianNLL({ dim: 2 }).value([[0, 0, 1, 1], [0, 0, 1, -1]], [[0, 0], [0, 0]]));
    expect(e).toBeInstanceOf(DomainError);
    expect(e.message).toContain('outputs[1][3]');
  });

  it('log σ and σ-free losses accept any real output; NaN outputs propagate without an error', () => {
    expect(gaussianNLL({ parameterisation: 'logSigma' }).value([[0, -50]], [0])).toBe(-50);
    expect(Number.isNaN(gaussianNLL().value([[0, NaN]], [0]))).toBe(true);
  });

  it('non-finite targets', () => {
    for (const t of [NaN, Infinity, -Infinity]) {
      const e = thrown(() => gaussianNLL().gradient([[0, 1], [0, 1]], [0, t]));
      expect(e).toBeInstanceOf(DomainError);
      expect(e.message).toContain('targets[1]');
      expect(e.message).toContain('finite');
    }
    const e = thrown(() => squaredLoss({ dim: 2 }).value([[0, 0], [0, 0]], [[0, 0], [0, NaN]]));
    expect(e.message).toContain('targets[1][1]');
  });

  it('class labels out of range or not integers', () => {
    const ce = softmaxCrossEntropy({ classes: 3 });
    for (const c of [3, -1, 1.5]) {
      const e = thrown(() => ce.value([[0, 0, 0], [1, 2, 3]], [0, c]));
      expect(e).toBeInstanceOf(DomainError);
      expect(e.message).toContain('targets[1]');
      expect(e.message).toContain('[0, 3)');
    }
  });

  it('BCE targets outside [0, 1], Poisson counts below 0', () => {
    expect(thrown(() => binaryCrossEntropyWithLogits().value([0, 0], [1, 1.5]))).toBeInstanceOf(DomainError);
    expect(thrown(() => poissonNLL().value([0, 0], [2, -1])).message).toContain('targets[1]');
  });
});

describe('shape errors name the argument and both shapes', () => {
  const loss = gaussianNLL();
  it('targets and outputs with different sample counts', () => {
    const e = thrown(() => loss.gradient([[0, 1], [0, 1], [0, 1]], [0, 0]));
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toContain('targets has 2 samples (length 2)');
    expect(e.message).toContain('3 samples, as many as outputs (shape [3, 2])');
  });
  it('a row with the wrong d', () => {
    const e = thrown(() => loss.value([[0, 1], [0, 1, 2]], [0, 0]));
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toContain('outputs[1] has length 3; expected length 2: 2 outputs per sample (mu, sigma)');
  });
  it('a flat array whose length is not a multiple of d', () => {
    const e = thrown(() => loss.value([0, 1, 2], [0]));
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toContain('outputs has length 3; expected a multiple of 2');
  });
  it('multivariate targets of the wrong dimension', () => {
    const e = thrown(() => gaussianNLL({ dim: 2 }).value([[0, 0, 1, 1]], [[0, 0, 0]]));
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toContain('targets[0] has length 3; expected length 2');
  });
  it('no samples', () => {
    expect(thrown(() => loss.value([], []))).toBeInstanceOf(ShapeError);
  });
  it('entries that are not numbers', () => {
    const e = thrown(() => loss.value([[0, '1' as unknown as number]], [0]));
    expect(e).toBeInstanceOf(InputTypeError);
    expect(e.message).toContain('outputs[0][1]');
  });
});

describe('bad options', () => {
  it.each([
    () => gaussianNLL({ parameterisation: 'std' as never }),
    () => gaussianNLL({ dim: 0 }),
    () => gaussianNLL({ dim: 1.5 }),
    () => gaussianNLL({ reduction: 'avg' as never }),
    () => gaussianNLL({ full: 1 as never }),
    () => softmaxCrossEntropy({} as never),
    () => softmaxCrossEntropy({ classes: 1 }),
    () => squaredLoss({ dim: -1 }),
  ])('throws InputTypeError (%#)', (make) => {
    expect(thrown(make)).toBeInstanceOf(InputTypeError);
  });
});
