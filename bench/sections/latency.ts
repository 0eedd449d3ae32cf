/**
 * Single-request latencies that throughput figures hide: a receive when fewer messages are
 * visible than asked for, an empty receive, a long poll that ends empty, and how soon a long
 * poll returns once a message arrives. Bare HTTP client, one request at a time.
 */
import { openApi, type SqsApi } from '../api';
import { SERVER_NAMES, type ServerName } from '../protocol';
import { ratio, type Cell } from '../report';
import { Latencies, sleep } from '../util';
import type { BenchContext, Section } from './section';

const SAMPLES = 20;
const LONG_POLL_SAMPLES = 2;
const LONG_POLL_SECONDS = 1;
const WAKE_SAMPLES = 3;
const WAKE_WAIT_SECONDS = 3;
const WAKE_SEND_AFTER_MS = 100;

interface Figures {
  /** ReceiveMessage (MaxNumberOfMessages 10, WaitTimeSeconds 0) with one message visible. */
  receiveOneOfTenMs: number;
  /** ReceiveMessage (WaitTimeSeconds 0) on an empty queue. */
  emptyReceiveMs: number;
  /** ReceiveMessage (WaitTimeSeconds 1) on an empty queue: should take about 1000 ms. */
  emptyLongPollMs: number;
  /** From a SendMessageBatch's answer to the answer of a long poll already waiting. */
  longPollWakeMs: number;
  /** Messages the wake-up polls received, of WAKE_SAMPLES sent. */
  wakeReceived: number;
}

const RECEIVE = { maxMessages: 10, waitTimeSeconds: 0, visibilityTimeoutSeconds: 120 };

async function sendOne(api: SqsApi, queueUrl: string, body: string): Promise<void> {
  const out = await api.sendMessageBatch(queueUrl, [{ Id: 'm0', MessageBody: body }]);
  if (out.successful.length !== 1) throw new Error(`SendMessageBatch failed: ${JSON.stringify(out.failed)}`);
}

async function deleteAll(api: SqsApi, queueUrl: string, handles: string[]): Promise<void> {
  if (handles.length > 0) await api.deleteMessageBatch(queueUrl, handles.map((h, i) => ({ Id: `d${i}`, ReceiptHandle: h })));
}

async function measure(context: BenchContext, server: ServerName): Promise<Figures> {
  const child = await context.children.start(server);
  const api = openApi('raw', child.endpoint);
  try {
    const queueUrl = await api.createQueue('bench-latency', { VisibilityTimeout: '120' });

    const one = new Latencies();
    for (let i = 0; i < SAMPLES; i++) {
      await sendOne(api, queueUrl, `one-${i}`);
      const got = await one.time(() => api.receiveMessage(queueUrl, RECEIVE));
      await deleteAll(api, queueUrl, got.map((m) => m.receiptHandle));
    }

    const empty = new Latencies();
    for (let i = 0; i < SAMPLES; i++) await empty.time(() => api.receiveMessage(queueUrl, RECEIVE));

    const longPoll = new Latencies();
    for (let i = 0; i < LONG_POLL_SAMPLES; i++) {
      await longPoll.time(() => api.receiveMessage(queueUrl, { ...RECEIVE, waitTimeSeconds: LONG_POLL_SECONDS }));
    }

    const wake = new Latencies();
    let wakeReceived = 0;
    for (let i = 0; i < WAKE_SAMPLES; i++) {
      const poll = api.receiveMessage(queueUrl, { ...RECEIVE, waitTimeSeconds: WAKE_WAIT_SECONDS }).then((messages) => ({ messages, at: performance.now() }));
      await sleep(WAKE_SEND_AFTER_MS);
      await sendOne(api, queueUrl, `wake-${i}`);
      const sentAt = performance.now();
      const { messages, at } = await poll;
      wake.record(at - sentAt);
      wakeReceived += messages.length;
      // A poll that missed the message leaves it for the next one: drain before going on.
      const rest = await api.receiveMessage(queueUrl, RECEIVE);
      await deleteAll(api, queueUrl, [...messages, ...rest].map((m) => m.receiptHandle));
    }

    return {
      receiveOneOfTenMs: one.summary().p50Ms,
      emptyReceiveMs: empty.summary().p50Ms,
      emptyLongPollMs: longPoll.summary().p50Ms,
      longPollWakeMs: wake.summary().p50Ms,
      wakeReceived,
    };
  } finally {
    api.close();
    await context.children.stop(child);
  }
}

export const latencySection: Section = {
  name: 'latency',
  title: 'Latency of single requests (bare HTTP client, one at a time, median)',
  async run(context) {
    const figures: Partial<Record<ServerName, Figures>> = {};
    for (const server of SERVER_NAMES) {
      try {
        figures[server] = await measure(context, server);
      } catch (err) {
        context.report.error(`latency (${server})`, err);
      }
    }
    const ours = figures.ours;
    const theirs = figures['local-aws-sqs'];
    const row = (label: string, get: (f: Figures) => number, withRatio = true): Cell[] => {
      const a = ours ? get(ours) : undefined;
      const b = theirs ? get(theirs) : undefined;
      return [label, a, b, withRatio && a !== undefined && b !== undefined ? ratio(a, b) : undefined];
    };
    context.report.table({
      columns: ['metric', 'ours', 'local-aws-sqs', 'ours/theirs'],
      rows: [
        row('ReceiveMessage, Max 10, 1 visible, Wait 0 (ms)', (f) => f.receiveOneOfTenMs),
        row('ReceiveMessage, empty queue, Wait 0 (ms)', (f) => f.emptyReceiveMs),
        row(`ReceiveMessage, empty queue, Wait ${LONG_POLL_SECONDS} s (ms)`, (f) => f.emptyLongPollMs),
        row('long poll: send answered to receive answered (ms)', (f) => f.longPollWakeMs),
        row(`long poll: messages received of ${WAKE_SAMPLES} sent`, (f) => f.wakeReceived, false),
      ],
    });
    context.report.data('latency', { parameters: { samples: SAMPLES, longPollSeconds: LONG_POLL_SECONDS, wakeSamples: WAKE_SAMPLES }, figures });
  },
};
