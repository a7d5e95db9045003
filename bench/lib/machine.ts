import os from 'node:os';

/** The machine a result was measured on (recorded in every results JSON). */
export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly node: string;
  readonly platform: string;
  readonly totalMemoryGiB: number;
  /** 1-minute load average at the start of the suite: > cores means the machine was shared. */
  readonly loadAverage: number;
}

export function machine(): Machine {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    totalMemoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    loadAverage: Math.round(os.loadavg()[0]! * 100) / 100,
  };
}
