/**
 * Errors of the command line. Every bad input ends as one message on stderr and exit code 2
 * (main.ts); these classes carry what that message needs.
 */
import { DualtapeError } from '@dualtape/core';

/** Exit code for bad input (usage, syntax, domain, files). */
export const EXIT_BAD_INPUT = 2;

/**
 * Bad input given on the command line or in a file: an option value, an unknown variable, a
 * missing column. The message is one line and names the argument, what it got and what was
 * expected.
 */
export class CliInputError extends DualtapeError {
  override name = 'CliInputError';
}

/**
 * A syntax error in an expression, at a 0-based `column`. {@link ExpressionSyntaxError.display}
 * renders the message with the expression (a window of it, for long ones) and a caret under
 * the column.
 */
export class ExpressionSyntaxError extends CliInputError {
  override name = 'ExpressionSyntaxError';
  constructor(
    readonly description: string,
    readonly expression: string,
    /** 0-based index of the offending character (may equal the length: "at the end"). */
    readonly column: number,
  ) {
    super(`syntax error at column ${column + 1}: ${description}`);
  }

  /** Three lines: the message, the expression (or a window of ≤ 72 characters around the column), a caret. */
  display(): string {
    const { expression: e, column: c } = this;
    const width = 72;
    let start = 0;
    let end = e.length;
    if (e.length > width) {
      start = Math.max(0, Math.min(c - width / 2, e.length - width));
      end = Math.min(e.length, start + width);
    }
    const pre = start > 0 ? '…' : '';
    const post = end < e.length ? '…' : '';
    const shown = pre + e.slice(start, end).replace(/[\t\r\n]/g, ' ') + post;
    const caret = ' '.repeat(pre.length + c - start) + '^';
    return `${this.message}\n  ${shown}\n  ${caret}`;
  }
}
