/**
 * One Batch Send (check + send) of a file in a process of its own, to measure the memory
 * the pipeline needs as the file grows:
 *
 *   node out/bench/batchSendChild.js <endpoint> <queueUrl> <file> <concurrency>
 *
 * It loads the compiled extension modules (out/src/sqs/…), samples its own RSS and heap
 * every 50 ms while the pipeline runs, and reports the peaks to the runner over IPC (or
 * prints them when started by hand). The server it sends to runs in another process.
 */
import './env';
import { batchSendFile, type PipelineResult } from './batchSendPipeline';
import { workbenchGateway } from './workbench';

const SAMPLE_MS = 50;

export interface MemoryChildResult {
  type: 'result';
  /** RSS and heap used after loading the modules and a full GC, before the pipeline. */
  baselineRssBytes: number;
  baselineHeapUsedBytes: number;
  peakRssBytes: number;
  peakHeapUsedBytes: number;
  /** Heap used after the pipeline and a full GC, the client still open: what the run left behind. */
  retainedHeapUsedBytes: number;
  samples: number;
  pipeline: PipelineResult;
}

export interface MemoryChildFailure {
  type: 'error';
  message: string;
}

export type MemoryChildMessage = MemoryChildResult | MemoryChildFailure;

function report(message: MemoryChildMessage): Promise<void> {
  if (!process.send) {
    console.log(JSON.stringify(message, null, 2));
    return Promise.resolve();
  }
  return new Promise((resolve) => process.send?.(message, undefined, undefined, () => resolve()));
}

async function main(): Promise<void> {
  const [endpoint, queueUrl, file, concurrencyText] = process.argv.slice(2);
  if (!endpoint || !queueUrl || !file) {
    console.error('Usage: node out/bench/batchSendChild.js <endpoint> <queueUrl> <file> [concurrency]');
    process.exit(2);
  }
  // The runner went away: never outlive it.
  process.on('disconnect', () => process.exit(1));
  const gateway = workbenchGateway(endpoint);
  const collect = globalThis.gc;
  if (collect) {
    collect();
    collect();
  }
  const baseline = process.memoryUsage();
  let peakRss = baseline.rss;
  let peakHeap = baseline.heapUsed;
  let samples = 0;
  const sample = (): void => {
    const m = process.memoryUsage();
    samples++;
    if (m.rss > peakRss) peakRss = m.rss;
    if (m.heapUsed > peakHeap) peakHeap = m.heapUsed;
  };
  const timer = setInterval(sample, SAMPLE_MS);
  try {
    const pipeline = await batchSendFile(gateway, queueUrl, file, Number(concurrencyText ?? 8) || 8);
    sample();
    clearInterval(timer);
    collect?.();
    collect?.();
    await report({
      type: 'result',
      baselineRssBytes: baseline.rss,
      baselineHeapUsedBytes: baseline.heapUsed,
      peakRssBytes: peakRss,
      peakHeapUsedBytes: peakHeap,
      retainedHeapUsedBytes: process.memoryUsage().heapUsed,
      samples,
      pipeline,
    });
  } finally {
    clearInterval(timer);
    gateway.dispose();
  }
}

main().then(
  () => process.exit(0),
  async (err: unknown) => {
    await report({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) }).catch(() => undefined);
    process.exit(1);
  },
);
