import type { ChildPool } from '../children';
import type { Report } from '../report';

export interface BenchContext {
  report: Report;
  children: ChildPool;
}

/** One part of the benchmark run; bench/run.ts runs them in order. */
export interface Section {
  /** Key in the JSON results and name on the command line (`node out/bench/run.js <name>…`). */
  name: string;
  title: string;
  run(context: BenchContext): Promise<void>;
}
