/**
 * Memory of our server holding 100,000 messages of 1 KiB, each way of filling it in a fresh
 * process: through the engine directly (no HTTP), and through the SDK with SendMessageBatch
 * (what a client really does, including request parsing). Figures are taken after a full GC.
 */
import { openApi } from '../api';
import { messageBody } from '../bodies';
import type { ProcessStats } from '../protocol';
import { megabytes, MB } from '../report';
import { sendAll } from '../sqsOps';
import type { ServerChild } from '../children';
import type { BenchContext, Section } from './section';

const MESSAGES = 100_000;
const BODY_BYTES = 1024;
const BATCH_SIZE = 10;
const CONCURRENCY = 8;
const SDK_FILL_DEADLINE_MS = 60_000;
const TARGET_RSS_MB = 300;
const QUEUE_NAME = 'bench-memory';

type FillMode = 'engine' | 'sdk';

interface MemoryRun {
  mode: FillMode;
  fillMs: number;
  messagesHeld: number;
  idle: { rssMB: number; heapUsedMB: number };
  full: { rssMB: number; heapUsedMB: number; heapTotalMB: number; externalMB: number; arrayBuffersMB: number };
  /** Heap growth per held message, bodies included. */
  heapBytesPerMessage: number;
  sendErrors?: string[];
}

async function fill(child: ServerChild, mode: FillMode): Promise<{ ms: number; queueUrl: string; errors: string[] }> {
  if (mode === 'engine') {
    const out = await child.request({ kind: 'fill', queueName: QUEUE_NAME, count: MESSAGES, bodyBytes: BODY_BYTES });
    return { ms: out.ms, queueUrl: out.queueUrl, errors: [] };
  }
  const api = openApi('sdk', child.endpoint);
  try {
    const queueUrl = await api.createQueue(QUEUE_NAME);
    const out = await sendAll(api, {
      queueUrl,
      count: MESSAGES,
      body: (i) => messageBody(QUEUE_NAME, i, BODY_BYTES),
      batchSize: BATCH_SIZE,
      concurrency: CONCURRENCY,
      deadline: performance.now() + SDK_FILL_DEADLINE_MS,
      attempts: 1,
      keepAccepted: false,
    });
    const errors = [...out.errorSamples];
    if (out.timedOut) errors.push(`SDK fill stopped at its ${SDK_FILL_DEADLINE_MS / 1000} s deadline after ${out.accepted} messages.`);
    return { ms: out.ms, queueUrl, errors };
  } finally {
    api.close();
  }
}

async function measure(context: BenchContext, mode: FillMode): Promise<MemoryRun> {
  const child = await context.children.start('ours');
  try {
    const idle = await child.stats(true);
    const filled = await fill(child, mode);
    const full: ProcessStats = await child.stats(true);
    const api = openApi('sdk', child.endpoint);
    let depth;
    try {
      depth = await api.queueDepth(filled.queueUrl);
    } finally {
      api.close();
    }
    return {
      mode,
      fillMs: Math.round(filled.ms),
      messagesHeld: depth.visible + depth.inFlight,
      idle: { rssMB: megabytes(idle.rssBytes), heapUsedMB: megabytes(idle.heapUsedBytes) },
      full: {
        rssMB: megabytes(full.rssBytes),
        heapUsedMB: megabytes(full.heapUsedBytes),
        heapTotalMB: megabytes(full.heapTotalBytes),
        externalMB: megabytes(full.externalBytes),
        arrayBuffersMB: megabytes(full.arrayBuffersBytes),
      },
      heapBytesPerMessage: Math.round((full.heapUsedBytes - idle.heapUsedBytes) / MESSAGES),
      ...(filled.errors.length > 0 ? { sendErrors: filled.errors } : {}),
    };
  } finally {
    await context.children.stop(child);
  }
}

export const memorySection: Section = {
  name: 'memory',
  title: `Memory: our server holding ${MESSAGES.toLocaleString('en-US')} messages of ${BODY_BYTES} bytes (fresh process each, after GC)`,
  async run(context) {
    const { report } = context;
    const runs: Partial<Record<FillMode, MemoryRun>> = {};
    for (const mode of ['engine', 'sdk'] as const) {
      try {
        runs[mode] = await measure(context, mode);
      } catch (err) {
        report.error(`memory (${mode})`, err);
      }
    }
    const { engine, sdk } = runs;
    const both = (get: (run: MemoryRun) => number): (number | undefined)[] => [engine ? get(engine) : undefined, sdk ? get(sdk) : undefined];
    report.table({
      columns: ['metric', 'engine.sendMessage', `SDK SendMessageBatch x${CONCURRENCY}`],
      rows: [
        ['fill time (ms)', ...both((r) => r.fillMs)],
        ['messages held (GetQueueAttributes)', ...both((r) => r.messagesHeld)],
        ['idle RSS before fill (MB)', ...both((r) => r.idle.rssMB)],
        ['RSS holding the messages (MB)', ...both((r) => r.full.rssMB)],
        ['heap used (MB)', ...both((r) => r.full.heapUsedMB)],
        ['heap total (MB)', ...both((r) => r.full.heapTotalMB)],
        ['external (MB)', ...both((r) => r.full.externalMB)],
        ['heap growth per message (bytes)', ...both((r) => r.heapBytesPerMessage)],
      ],
    });
    report.line(`  (raw bodies: ${Math.round(((MESSAGES * BODY_BYTES) / MB) * 10) / 10} MB; the engine column calls server.engine.sendMessage inside the server process, the SDK column sends over HTTP from the runner.)`);
    for (const run of [engine, sdk]) {
      if (!run) continue;
      for (const e of run.sendErrors ?? []) report.note('memory', `${run.mode}: ${e}`);
      const held = run.messagesHeld === MESSAGES;
      report.target(
        'memory',
        `RSS < ${TARGET_RSS_MB} MB holding ${MESSAGES.toLocaleString('en-US')} x 1 KiB (${run.mode === 'engine' ? 'engine fill' : 'SDK fill'})`,
        held && run.full.rssMB < TARGET_RSS_MB,
        `RSS ${run.full.rssMB} MB, heap used ${run.full.heapUsedMB} MB, ${run.messagesHeld} messages held${held ? '' : ` (expected ${MESSAGES})`}`,
      );
    }
    report.data('memory', { parameters: { messages: MESSAGES, bodyBytes: BODY_BYTES, targetRssMB: TARGET_RSS_MB }, runs });
  },
};
