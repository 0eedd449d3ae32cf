/**
 * The Batch Send check pass (checkMessageFile) over one file, in a process of its own, to
 * measure its time and peak RSS:
 *
 *   node out/bench/batchCheckChild.js <file>
 *
 * The file is read as the command reads it (bytes, 64 KiB chunks) against a standard
 * queue's limits; RSS is sampled every 20 ms. The result goes to the runner over IPC (or is
 * printed when started by hand).
 */
import './env';
import { MAX_MESSAGE_BYTES } from '../src/model/sqsLimits';
import { checkMessageFile } from '../src/sqs/batchFile';
import { fileChunks } from './batchSendPipeline';

const SAMPLE_MS = 20;

export interface CheckChildResult {
  type: 'result';
  ms: number;
  baselineRssBytes: number;
  peakRssBytes: number;
  entries: number;
  valid: number;
  invalid: number;
  /** The problems found, as `line N: message`. */
  problems: string[];
}

export interface CheckChildFailure {
  type: 'error';
  message: string;
}

export type CheckChildMessage = CheckChildResult | CheckChildFailure;

function report(message: CheckChildMessage): Promise<void> {
  if (!process.send) {
    console.log(JSON.stringify(message, null, 2));
    return Promise.resolve();
  }
  return new Promise((resolve) => process.send?.(message, undefined, undefined, () => resolve()));
}

async function main(): Promise<void> {
  const [file] = process.argv.slice(2);
  if (!file) {
    console.error('Usage: node out/bench/batchCheckChild.js <file>');
    process.exit(2);
  }
  process.on('disconnect', () => process.exit(1));
  globalThis.gc?.();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sample = (): void => {
    peak = Math.max(peak, process.memoryUsage().rss);
  };
  const timer = setInterval(sample, SAMPLE_MS);
  try {
    const started = performance.now();
    const check = await checkMessageFile(fileChunks(file), { fifo: false, contentBasedDeduplication: false, maximumMessageSize: MAX_MESSAGE_BYTES });
    const ms = performance.now() - started;
    sample();
    await report({
      type: 'result',
      ms,
      baselineRssBytes: baseline,
      peakRssBytes: peak,
      entries: check.entries,
      valid: check.valid,
      invalid: check.invalid,
      problems: check.problems.map((p) => `line ${p.line}: ${p.message}`),
    });
  } finally {
    clearInterval(timer);
  }
}

main().then(
  () => process.exit(0),
  async (err: unknown) => {
    await report({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) }).catch(() => undefined);
    process.exit(1);
  },
);
