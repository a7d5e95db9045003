import { describe, expect, it } from 'vitest';
import { hessian } from '@dualtape/core';
import { rosenbrock } from '@dualtape/zoo';

describe('closed-form anchors', () => {
  it('Rosenbrock Hessian at (−1.2, 1) is [[1330, 480], [480, 200]]', () => {
    expect(hessian(rosenbrock, [-1.2, 1]).toArray()).toEqual([
      [1330, 480],
      [480, 200],
    ]);
  });
});
