/**
 * Parse an arithmetic expression with jsep into a syntax tree, with the grammar of the CLI:
 *
 *   expr   := term (('+' | '-') term)*             left-associative      (jsep)
 *   term   := signed (('*' | '/') signed)*         left-associative      (jsep)
 *   signed := ('-' | '+')* power                   unary signs           (hook below)
 *   power  := primary ('^' signed)?                right-associative     (hook below)
 *   primary:= number | name | name '(' expr (',' expr)* ')' | '(' expr ')'  (jsep)
 *
 * so `-x^2` is −(x²), `2^3^2` is 2⁹ = 512 and `2^-1` is ½ — the convention of mathematics
 * and of Python's `**`. jsep's own unary operators bind tighter than every binary operator
 * (it would read `-x^2` as (−x)²), so they are removed and a `gobble-token` hook parses the
 * `signed`/`power` levels itself. It does so with loops, not recursion, so a chain of 10⁵
 * signs or powers cannot overflow the stack; nesting of parentheses does recurse (in jsep)
 * and is limited to {@link MAX_NESTING} levels, checked before parsing.
 *
 * jsep is configured globally (its operator tables are static): only `+ - * /` remain as
 * binary operators, no unary operators, no literals (`true`, `null`, …), no `this`, no `?:`.
 */
import jsep from 'jsep';
import { ExpressionSyntaxError } from '../errors.js';

export type Node = jsep.Expression;

/** Deepest nesting of parentheses (and brackets) accepted. */
export const MAX_NESTING = 256;

const CARET = 94; // '^'
const MINUS = 45;
const PLUS = 43;

/** Start column of nodes made by the hook (every operand passes through it). */
const starts = new WeakMap<object, number>();
/** The hook is only active inside {@link parseExpression} (jsep's hooks are global). */
let active = false;
/** Set just before the hook asks jsep for a primary, so that the re-entrant call falls through to jsep. */
let wantPrimary = false;

function configure(): void {
  jsep.removeAllUnaryOps();
  jsep.removeAllBinaryOps();
  jsep.removeAllLiterals();
  jsep.this_str = ''; // identifiers are never empty, so `this` is an ordinary name
  for (const [op, prec] of [['+', 9], ['-', 9], ['*', 10], ['/', 10]] as const) jsep.addBinaryOp(op, prec);
  // Drop the built-in ternary `?:` plugin's hook: `?` is then an unexpected character.
  const after = (jsep.hooks as unknown as Record<string, unknown>)['after-expression'];
  if (Array.isArray(after)) after.length = 0;
  jsep.hooks.add('gobble-token', gobbleSignedPower);
}

/**
 * The `signed`/`power` levels of the grammar. A chain `s₀ b₀ ^ s₁ b₁ ^ … ^ sₖ bₖ` (sᵢ a run of
 * signs, bᵢ a primary) is read left to right into a list and folded from the right:
 * accₖ = sₖ(bₖ), accᵢ = sᵢ(bᵢ ^ accᵢ₊₁).
 */
function gobbleSignedPower(this: jsep.HookScope, env: { node?: Node }): void {
  if (!active) return;
  if (wantPrimary) {
    wantPrimary = false; // let jsep parse the primary itself
    return;
  }
  const chainStart = this.index;
  const parts: { negate: boolean; signs: number; base: Node; start: number }[] = [];
  for (;;) {
    this.gobbleSpaces();
    let negate = false;
    let signs = 0;
    while (this.code === MINUS || this.code === PLUS) {
      if (this.code === MINUS) negate = !negate;
      signs++;
      this.index++;
      this.gobbleSpaces();
    }
    const start = this.index;
    wantPrimary = true;
    const base = this.gobbleToken();
    wantPrimary = false;
    if (!base) {
      if (parts.length > 0) this.throwError('Expected an operand after "^"');
      if (signs > 0) this.throwError('Expected an operand after the sign');
      return; // nothing here: let jsep report what it finds
    }
    starts.set(base, start);
    parts.push({ negate, signs, base, start });
    this.gobbleSpaces();
    if (this.code !== CARET) break;
    this.index++;
  }
  let acc: Node | undefined;
  for (let i = parts.length - 1; i >= 0; i--) {
    const { negate, base, start } = parts[i]!;
    let node: Node = acc === undefined ? base : { type: 'BinaryExpression', operator: '^', left: base, right: acc };
    starts.set(node, start);
    if (negate) {
      node = { type: 'UnaryExpression', operator: '-', argument: node, prefix: true };
      starts.set(node, i === 0 ? chainStart : start);
    }
    acc = node;
  }
  env.node = acc;
}

configure();

/** The column where `node` starts, if known (the leftmost operand's recorded start). */
export function startOf(node: Node): number | undefined {
  let n: Node | undefined = node;
  while (n !== undefined) {
    const s = starts.get(n);
    if (s !== undefined) return s;
    n = (n['left'] ?? n['callee'] ?? n['object'] ?? n['test'] ?? (n['body'] as Node[] | undefined)?.[0]) as Node | undefined;
  }
  return undefined;
}

/** Reject nesting deeper than {@link MAX_NESTING} before jsep recurses into it. */
function checkNesting(expr: string): void {
  let depth = 0;
  for (let i = 0; i < expr.length; i++) {
    const c = expr.charCodeAt(i);
    if (c === 40 || c === 91) {
      if (++depth > MAX_NESTING) {
        throw new ExpressionSyntaxError(`parentheses nested deeper than ${MAX_NESTING} levels`, expr, i);
      }
    } else if (c === 41 || c === 93) depth = Math.max(0, depth - 1);
  }
}

/**
 * Parse `expr` into a jsep syntax tree.
 * @throws {ExpressionSyntaxError} with the column of the first error.
 */
export function parseExpression(expr: string): Node {
  if (expr.trim() === '') throw new ExpressionSyntaxError('the expression is empty', expr, 0);
  checkNesting(expr);
  active = true;
  wantPrimary = false;
  try {
    const node = jsep(expr);
    if (node.type === 'Compound') throw compoundError(expr, node['body'] as Node[]);
    return node;
  } catch (err) {
    if (err instanceof ExpressionSyntaxError) throw err;
    if (err instanceof RangeError) {
      // A last line of defence; checkNesting should make this unreachable.
      throw new ExpressionSyntaxError('expression nested too deeply to parse', expr, 0);
    }
    const e = err as { index?: unknown; description?: unknown; message?: unknown };
    if (typeof e.index === 'number' && typeof e.description === 'string') {
      let at = Math.min(e.index, expr.length);
      if (expr[at] === '*' && expr[at - 1] === '*') at--;
      throw new ExpressionSyntaxError(describeJsepError(e.description, expr, at), expr, at);
    }
    throw err;
  } finally {
    active = false;
    wantPrimary = false;
  }
}

/**
 * jsep returns a "Compound" node when the text holds several expressions side by side
 * (`x y`, or separated by `,`/`;` outside a call), and an empty one for `()`.
 */
function compoundError(expr: string, body: readonly Node[]): ExpressionSyntaxError {
  const second = body[1];
  if (second === undefined) return new ExpressionSyntaxError('empty parentheses "()"', expr, Math.max(0, expr.indexOf('(')));
  const at = startOf(second) ?? 0;
  let k = at - 1;
  while (k > 0 && /\s/.test(expr[k]!)) k--;
  if (expr[k] === ',' || expr[k] === ';') return new ExpressionSyntaxError(`a "${expr[k]}" outside a function call`, expr, k);
  return new ExpressionSyntaxError('expected an operator between two operands', expr, at);
}

/** jsep's messages, in the words of this grammar where they differ. */
function describeJsepError(description: string, expr: string, index: number): string {
  if (description === 'Unclosed (') return 'missing ")"';
  if (expr[index] === '*' && expr[index + 1] === '*') return 'use ^ for powers ("**" is not part of the grammar)';
  return description;
}
