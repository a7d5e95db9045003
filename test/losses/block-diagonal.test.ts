import { describe, expect, it } from 'vitest';
import { MemoryBudgetError, ShapeError } from '@dualtape/core';
import { BlockDiagonal } from '@dualtape/losses';

describe('BlockDiagonal', () => {
  // blocks [[1, 2], [3, 4]] and [[5, 6], [7, 8]]
  const B = new BlockDiagonal(2, 2, Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8]));
  it('toDense is (n·d)×(n·d), sample-major, zeros off the blocks', () => {
    expect(B.shape).toEqual([4, 4]);
    expect(B.toDense().toArray()).toEqual([
      [1, 2, 0, 0],
      [3, 4, 0, 0],
      [0, 0, 5, 6],
      [0, 0, 7, 8],
    ]);
  });
  it('get, block and matvec agree with the dense matrix', () => {
    const D = B.toDense();
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) expect(B.get(i, j)).toBe(D.get(i, j));
    expect(B.block(1).toArray()).toEqual([[5, 6], [7, 8]]);
    expect(Array.from(B.matvec([1, 1, 1, 0]))).toEqual([3, 7, 5, 7]);
  });
  it('rejects bad indices, bad data and oversize dense requests with typed errors', () => {
    expect(() => B.block(2)).toThrow(ShapeError);
    expect(() => B.get(0, 4)).toThrow(ShapeError);
    expect(() => B.matvec([1, 2])).toThrow(ShapeError);
    expect(() => new BlockDiagonal(2, 2, new Float64Array(7))).toThrow(ShapeError);
    expect(() => B.toDense(100)).toThrow(MemoryBudgetError);
  });
});
