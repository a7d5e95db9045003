/**
 * What a suite is: a named set of tables (timed by the harness in one benny suite), plus
 * optional pass/miss targets and free-form tables (memory, scaling) for the report.
 */
import type { Peer } from '../peers/peer.js';
import type { MeasuredTable } from '../lib/harness.js';
import type { Mode } from '../lib/modes.js';

export interface Target {
  readonly name: string;
  /** Measured value and the target it is held to (`measured ≤ target` passes). */
  readonly measured: number;
  readonly target: number;
  readonly unit: string;
  readonly ok: boolean;
  readonly detail?: string;
}

/** A free-form table: header and rows of display strings (numbers already formatted). */
export interface ExtraTable {
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
  readonly notes?: readonly string[];
  /** Raw numbers for machines (slopes, bytes, …). */
  readonly data?: unknown;
}

export interface SuiteOutput {
  readonly tables: readonly MeasuredTable[];
  readonly targets?: readonly Target[];
  readonly extra?: readonly ExtraTable[];
  readonly notes?: readonly string[];
  /** Keep the per-size tables in the JSON but do not render them (the extra tables summarise them). */
  readonly hideTables?: boolean;
}

/** A peer that initialised, or the reason it did not (its rows then say so). */
export interface PeerSlot {
  readonly label: string;
  readonly peer: Peer | null;
  readonly reason?: string;
}

export interface Context {
  readonly mode: Mode;
  /** Where results/<suite>.json is written; undefined in smoke mode (nothing written). */
  readonly folder?: string;
  readonly peers: readonly PeerSlot[];
}

export interface Suite {
  /** File name of the results: results/<name>.json */
  readonly name: string;
  readonly title: string;
  readonly issues: readonly number[];
  run(ctx: Context): Promise<SuiteOutput>;
}
