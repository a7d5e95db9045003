/**
 * An expression compiled to a postfix program and its evaluator: a small stack machine that
 * applies core's generic operations, so the same program runs on numbers, dual numbers and
 * tape tracers. Compilation and evaluation are loops over explicit stacks (no recursion), so
 * an expression of 10⁵ characters — a syntax tree 5·10⁴ levels deep — is fine.
 * User text is never passed to eval or new Function.
 */
import type { Scalar } from '@dualtape/core';
import { CliInputError, ExpressionSyntaxError } from '../errors.js';
import { CONSTANTS, FUNCTIONS, NEGATE, OPERATORS, isFunctionName, type Fn } from './functions.js';
import { parseExpression, startOf, type Node } from './parse.js';

export type Instr =
  | { readonly kind: 'const'; readonly value: number }
  | { readonly kind: 'var'; readonly slot: number }
  | { readonly kind: 'neg' }
  | { readonly kind: 'op'; readonly op: (a: Scalar, b: Scalar) => Scalar }
  | { readonly kind: 'call'; readonly fn: Fn };

/** A compiled expression. */
export interface Program {
  readonly source: string;
  /** Variable names in order of first appearance; `var` instructions index this list. */
  readonly variables: readonly string[];
  readonly code: readonly Instr[];
}

const functionList = Object.keys(FUNCTIONS).join(', ');

/**
 * Parse and compile an expression.
 * @throws {ExpressionSyntaxError} for a syntax error, an unknown function, a wrong number of
 *   arguments or a construct outside the grammar, with the column.
 */
export function compile(source: string): Program {
  const root = parseExpression(source);
  const variables: string[] = [];
  const slots = new Map<string, number>();
  const code: Instr[] = [];
  const fail = (message: string, node: Node): never => {
    throw new ExpressionSyntaxError(message, source, startOf(node) ?? 0);
  };

  // Iterative post-order walk: a node is pushed once to expand its children, once to emit.
  const stack: { node: Node; emit: boolean }[] = [{ node: root, emit: false }];
  while (stack.length > 0) {
    const { node, emit } = stack.pop()!;
    switch (node.type) {
      case 'Literal': {
        if (typeof node['value'] !== 'number') fail(`${String(node['raw'])} is not a number`, node);
        code.push({ kind: 'const', value: node['value'] as number });
        break;
      }
      case 'Identifier': {
        const name = node['name'] as string;
        if (Object.hasOwn(CONSTANTS, name)) code.push({ kind: 'const', value: CONSTANTS[name]! });
        else if (isFunctionName(name)) fail(`${name} is a function: call it as ${name}(…)`, node);
        else {
          let slot = slots.get(name);
          if (slot === undefined) {
            slot = variables.length;
            slots.set(name, slot);
            variables.push(name);
          }
          code.push({ kind: 'var', slot });
        }
        break;
      }
      case 'UnaryExpression': {
        if (emit) code.push({ kind: 'neg' });
        else stack.push({ node, emit: true }, { node: node['argument'] as Node, emit: false });
        break;
      }
      case 'BinaryExpression': {
        const op = OPERATORS[node['operator'] as string];
        if (op === undefined) fail(`operator ${String(node['operator'])} is not part of the grammar`, node);
        if (emit) code.push({ kind: 'op', op: op! });
        else stack.push({ node, emit: true }, { node: node['right'] as Node, emit: false }, { node: node['left'] as Node, emit: false });
        break;
      }
      case 'CallExpression': {
        const callee = node['callee'] as Node;
        const name = callee.type === 'Identifier' ? (callee['name'] as string) : undefined;
        const fn = name !== undefined && isFunctionName(name) ? FUNCTIONS[name]! : undefined;
        if (fn === undefined) {
          fail(`unknown function ${name ?? '(expression)'}; the functions are ${functionList}`, node);
        }
        const args = node['arguments'] as Node[];
        if (args.length !== fn!.arity) {
          fail(`${name} takes ${fn!.arity} argument${fn!.arity === 1 ? '' : 's'}, got ${args.length}`, node);
        }
        if (emit) code.push({ kind: 'call', fn: fn! });
        else {
          stack.push({ node, emit: true });
          for (let i = args.length - 1; i >= 0; i--) stack.push({ node: args[i]!, emit: false });
        }
        break;
      }
      case 'MemberExpression':
        fail('"." and "[" are not part of the grammar (names are plain identifiers)', node);
        break;
      case 'SequenceExpression':
        fail('a "," outside a function call', node);
        break;
      case 'ArrayExpression':
        fail('arrays "[…]" are not part of the grammar', node);
        break;
      default:
        fail(`${node.type} is not part of the grammar`, node);
    }
  }
  return { source, variables, code };
}

/**
 * Evaluate a program. `values[k]` is the value of `program.variables[k]`.
 * @throws {CliInputError} if `values` is shorter than the variable list.
 */
export function evaluate(program: Program, values: readonly Scalar[]): Scalar {
  if (values.length < program.variables.length) {
    throw new CliInputError(`evaluate: got ${values.length} values for ${program.variables.length} variables`);
  }
  const stack: Scalar[] = [];
  for (const ins of program.code) {
    switch (ins.kind) {
      case 'const':
        stack.push(ins.value);
        break;
      case 'var':
        stack.push(values[ins.slot]!);
        break;
      case 'neg':
        stack.push(NEGATE(stack.pop()!));
        break;
      case 'op': {
        const b = stack.pop()!;
        const a = stack.pop()!;
        stack.push(ins.op(a, b));
        break;
      }
      case 'call': {
        if (ins.fn.arity === 1) stack.push(ins.fn.apply(stack.pop()!));
        else {
          const b = stack.pop()!;
          const a = stack.pop()!;
          stack.push(ins.fn.apply(a, b));
        }
        break;
      }
    }
  }
  return stack[0]!;
}
