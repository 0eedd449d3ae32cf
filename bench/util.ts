/** Small concurrency and timing helpers shared by the sections. */

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs `count` workers until each returns; the workers share whatever state they close over. */
export async function runWorkers(count: number, worker: (index: number) => Promise<void>): Promise<void> {
  await Promise.all(Array.from({ length: count }, (_, i) => worker(i)));
}

/** Durations of one kind of request, in milliseconds. */
export class Latencies {
  private readonly samples: number[] = [];

  async time<T>(operation: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await operation();
    } finally {
      this.samples.push(performance.now() - started);
    }
  }

  record(ms: number): void {
    this.samples.push(ms);
  }

  summary(): { count: number; p50Ms: number; p95Ms: number; maxMs: number } {
    const sorted = [...this.samples].sort((a, b) => a - b);
    const at = (q: number): number => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]);
    const round = (n: number): number => Math.round(n * 100) / 100;
    return { count: sorted.length, p50Ms: round(at(0.5)), p95Ms: round(at(0.95)), maxMs: round(sorted[sorted.length - 1] ?? 0) };
  }
}

/** The value below which `p` percent of the values lie (nearest rank); NaN for none. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function errorText(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}

/**
 * Side-by-side rounds: one warm-up round (`round` -1), then `rounds` rounds, alternating
 * which of the two runs first so that neither always runs on a warmer machine.
 */
export async function alternatingRounds(rounds: number, ours: (round: number) => Promise<void>, floor: (round: number) => Promise<void>): Promise<void> {
  for (let round = -1; round < rounds; round++) {
    if (round % 2 === 0) {
      await floor(round);
      await ours(round);
    } else {
      await ours(round);
      await floor(round);
    }
  }
}
