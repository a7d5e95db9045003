/**
 * What a recording costs in memory: the tape's own accounting (tape.ts: 9 bytes per node plus
 * 12 per argument slot) split into inputs, constants and operations, the capacity actually
 * allocated (arrays grow by doubling), and the extra working memory of forward-over-reverse.
 */
import { Tape, codeName, record, secondPartials, type Input, type Scalar } from '@dualtape/core';

export interface TapeStats {
  readonly nodes: number;
  readonly inputs: number;
  readonly constants: number;
  /** Nodes that are primitive operations (not inputs or constants). */
  readonly ops: number;
  readonly argSlots: number;
  /** tape.bytesUsed: bytes of the recorded nodes. */
  readonly bytesUsed: number;
  readonly bytesPerNode: number;
  /** bytesUsed ÷ ops: what one recorded scalar operation costs, its constants and the inputs included. */
  readonly bytesPerOp: number;
  /** Bytes of the typed arrays allocated for this recording (capacity after doubling). */
  readonly capacityBytes: number;
  /** Packed local second partials (one Float64 each), computed once per HVP/Hessian. */
  readonly secondPartials: number;
  /**
   * Bytes of one HVP beyond the tape: adjoints (8/node), second partials (8 each), and one
   * tangent and one adjoint-tangent per node (16/node for a chunk of 1).
   */
  readonly hvpExtraBytes: number;
}

export function tapeStats(f: (x: never) => Scalar, x: Input): TapeStats {
  const tape = new Tape();
  tape.begin();
  record(tape, f, x, 'bench');
  let inputs = 0;
  let constants = 0;
  for (let i = 0; i < tape.size; i++) {
    const name = codeName(tape.op[i]!);
    if (name === 'input') inputs++;
    else if (name === 'const') constants++;
  }
  const ops = tape.size - inputs - constants;
  const second = secondPartials(tape).length;
  return {
    nodes: tape.size,
    inputs,
    constants,
    ops,
    argSlots: tape.argSize,
    bytesUsed: tape.bytesUsed,
    bytesPerNode: tape.bytesUsed / tape.size,
    bytesPerOp: tape.bytesUsed / ops,
    capacityBytes: tape.op.byteLength + tape.value.byteLength + tape.arg.byteLength + tape.partial.byteLength,
    secondPartials: second,
    hvpExtraBytes: 8 * tape.size + 8 * second + 16 * tape.size,
  };
}
