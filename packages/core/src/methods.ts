/**
 * Method-style arithmetic shared by {@link Dual} and {@link Tracer}: `x.mul(y).add(1)`.
 * Each method is the function of the same name in math.ts; plain numbers mix in as constants.
 */
import * as M from './math.js';
import { TracerError } from './errors.js';
import type { Scalar } from './scalar.js';

export abstract class ScalarMethods {
  private get self(): Scalar {
    return this as unknown as Scalar;
  }
  add(b: Scalar): Scalar { return M.add(this.self, b); }
  sub(b: Scalar): Scalar { return M.sub(this.self, b); }
  mul(b: Scalar): Scalar { return M.mul(this.self, b); }
  div(b: Scalar): Scalar { return M.div(this.self, b); }
  pow(b: Scalar): Scalar { return M.pow(this.self, b); }
  powi(n: number): Scalar { return M.powi(this.self, n); }
  atan2(b: Scalar): Scalar { return M.atan2(this.self, b); }
  min(b: Scalar): Scalar { return M.min(this.self, b); }
  max(b: Scalar): Scalar { return M.max(this.self, b); }
  lt(b: Scalar): Scalar { return M.lt(this.self, b); }
  le(b: Scalar): Scalar { return M.le(this.self, b); }
  gt(b: Scalar): Scalar { return M.gt(this.self, b); }
  ge(b: Scalar): Scalar { return M.ge(this.self, b); }
  eq(b: Scalar): Scalar { return M.eq(this.self, b); }
  neg(): Scalar { return M.neg(this.self); }
  square(): Scalar { return M.square(this.self); }
  exp(): Scalar { return M.exp(this.self); }
  expm1(): Scalar { return M.expm1(this.self); }
  log(): Scalar { return M.log(this.self); }
  log1p(): Scalar { return M.log1p(this.self); }
  sqrt(): Scalar { return M.sqrt(this.self); }
  abs(): Scalar { return M.abs(this.self); }
  sin(): Scalar { return M.sin(this.self); }
  cos(): Scalar { return M.cos(this.self); }
  tan(): Scalar { return M.tan(this.self); }
  tanh(): Scalar { return M.tanh(this.self); }
  sinh(): Scalar { return M.sinh(this.self); }
  cosh(): Scalar { return M.cosh(this.self); }
  sigmoid(): Scalar { return M.sigmoid(this.self); }
  softplus(): Scalar { return M.softplus(this.self); }
  floor(): Scalar { return M.floor(this.self); }
  sign(): Scalar { return M.sign(this.self); }

  /**
   * JavaScript operators cannot be overloaded: `x * 2` on a traced scalar would silently turn
   * it into a number and lose the derivative. We refuse instead. String conversion is allowed.
   */
  [Symbol.toPrimitive](hint: string): string {
    if (hint === 'string') return this.toString();
    throw new TracerError(
      `a ${this.constructor.name} was used with a JavaScript operator (+, *, <, …) or converted to a number; ` +
        `operators cannot be overloaded in JavaScript, so use the functions (add, mul, lt, …) or methods (x.mul(y)).`,
    );
  }
}
