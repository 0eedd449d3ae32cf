/**
 * What the server's trace costs: send and drain throughput of our server with a trace
 * subscriber attached beside none. The subscriber is a process of its own long-polling
 * `/_workbench/trace` with bodies, as the extension host does on this machine: in the compact
 * form the extension reads, and, for comparison, in the full form. The server records the
 * trace either way; the subscriber adds serving it. Bare HTTP client, so that the server, not
 * the SDK, sets the pace. A round of each arm runs first and is not counted (it warms up the
 * server's and the subscriber's code); then the arms take turns, round after round, in an
 * order that rotates, so that drifting load falls on all alike. Each ratio is the median of
 * the rounds' ratios (a round beside the round of none next to it, which saw the same load);
 * the ratio of the medians is shown beside it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { openApi, type SqsApi } from '../api';
import { messageBody } from '../bodies';
import { formatNumber, ratio } from '../report';
import { drainAll, sendAll } from '../sqsOps';
import { median } from '../util';
import type { ServerChild } from '../children';
import type { BenchContext, Section } from './section';

const MESSAGES = 20_000;
const ROUNDS = 5;
const BODY_BYTES = 100;
const CONCURRENCY = 8;
const TARGET_RATIO = 0.85;

type Arm = 'none' | 'compact' | 'full';
const ARMS: readonly Arm[] = ['none', 'compact', 'full'];

interface Round {
  sendMsgPerSec: number;
  drainMsgPerSec: number;
  /** Events the subscriber read during the round (0 without one). */
  eventsRead: number;
  /** CPU time of the subscriber's process over the round, ms (0 without one). */
  subscriberCpuMs: number;
  /** CPU time of the server process over the round (send and drain), ms. */
  serverCpuMs: number;
}

/** The subscriber's process: the extension host is a process of its own beside the server, and so is this. */
class Subscriber {
  private readonly child: ChildProcess = fork(path.join(__dirname, '..', 'traceSubscriberChild.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });

  private ask<T>(command: object, answer: string): Promise<T> {
    return new Promise((resolve) => {
      const onMessage = (message: { kind: string }): void => {
        if (message.kind !== answer) return;
        this.child.off('message', onMessage);
        resolve(message as T);
      };
      this.child.on('message', onMessage);
      this.child.send(command);
    });
  }

  async start(endpoint: string, format: 'compact' | 'full'): Promise<void> {
    await this.ask({ kind: 'start', endpoint, format }, 'started');
  }

  async stop(): Promise<{ read: number; cpuMs: number }> {
    return this.ask<{ read: number; cpuMs: number }>({ kind: 'stop' }, 'stopped');
  }

  close(): void {
    this.child.kill();
  }
}

async function round(child: ServerChild, api: SqsApi, index: number, arm: Arm, subscriber: Subscriber): Promise<Round> {
  const queueUrl = await api.createQueue(`bench-trace-${index}-${arm}`, { VisibilityTimeout: '120' });
  const all = Array.from({ length: MESSAGES }, (_, i) => messageBody(`trace-${index}-${arm}`, i, BODY_BYTES));
  if (arm !== 'none') await subscriber.start(child.endpoint, arm);
  const before = await child.stats(false);
  const sent = await sendAll(api, { queueUrl, count: MESSAGES, body: (i) => all[i], batchSize: 10, concurrency: CONCURRENCY, deadline: performance.now() + 30_000, attempts: 3, keepAccepted: true });
  const drained = await drainAll(api, {
    queueUrl,
    expected: sent.acceptedBodies,
    concurrency: CONCURRENCY,
    maxMessages: 10,
    waitTimeSeconds: 0,
    visibilityTimeoutSeconds: 120,
    deadline: performance.now() + 30_000,
    emptyBackoffMs: 5,
  });
  const after = await child.stats(false);
  const read = arm === 'none' ? { read: 0, cpuMs: 0 } : await subscriber.stop();
  return {
    sendMsgPerSec: Math.round(sent.accepted / (sent.ms / 1000)),
    drainMsgPerSec: Math.round(drained.unique / (drained.ms / 1000)),
    eventsRead: read.read,
    subscriberCpuMs: read.cpuMs,
    serverCpuMs: Math.round(after.cpuUserMs + after.cpuSystemMs - before.cpuUserMs - before.cpuSystemMs),
  };
}

export const traceSection: Section = {
  name: 'trace',
  title: 'Local server: throughput with a trace subscriber beside none (bare HTTP client, median of rounds)',
  async run(context: BenchContext) {
    const child = await context.children.start('ours');
    const api = openApi('raw', child.endpoint);
    const subscriber = new Subscriber();
    const rounds: Record<Arm, Round[]> = { none: [], compact: [], full: [] };
    try {
      for (const arm of ARMS) await round(child, api, -1, arm, subscriber);
      for (let i = 0; i < ROUNDS; i++) {
        const order = ARMS.map((_, k) => ARMS[(i + k) % ARMS.length]);
        for (const arm of order) rounds[arm].push(await round(child, api, i, arm, subscriber));
      }
    } finally {
      subscriber.close();
      api.close();
      await context.children.stop(child);
    }
    const m = (arm: Arm, get: (r: Round) => number): number => median(rounds[arm].map(get));
    /** The median of each round's ratio to the round of none beside it. */
    const pairRatio = (arm: Arm, get: (r: Round) => number): number | undefined => {
      const ratios = rounds[arm].map((r, i) => ratio(get(r), get(rounds.none[i]))).filter((x): x is number => x !== undefined);
      return ratios.length > 0 ? median(ratios) : undefined;
    };
    const send = (r: Round): number => r.sendMsgPerSec;
    const drain = (r: Round): number => r.drainMsgPerSec;
    const cpu = (r: Round): number => r.serverCpuMs;
    const row = (metric: string, get: (r: Round) => number): (string | number | undefined)[] => [
      metric,
      m('compact', get),
      m('full', get),
      m('none', get),
      pairRatio('compact', get),
      ratio(m('compact', get), m('none', get)),
      pairRatio('full', get),
    ];
    context.report.table({
      columns: ['metric', 'subscriber, compact', 'subscriber, full form', 'none', 'compact / none', '(ratio of medians)', 'full / none'],
      rows: [
        row(`send ${formatNumber(MESSAGES)} (SendMessageBatch ×${CONCURRENCY}), msg/s`, send),
        row('drain (receive 10 + delete batch ×8), msg/s', drain),
        row(`server CPU per round (send + drain of ${formatNumber(MESSAGES)}), ms`, cpu),
        ['trace events the subscriber read per round', m('compact', (r) => r.eventsRead), m('full', (r) => r.eventsRead), undefined, undefined, undefined, undefined],
        ["subscriber's CPU per round, ms", m('compact', (r) => r.subscriberCpuMs), m('full', (r) => r.subscriberCpuMs), undefined, undefined, undefined, undefined],
      ],
    });
    const sendRatio = pairRatio('compact', send);
    const drainRatio = pairRatio('compact', drain);
    const met = (sendRatio ?? 0) >= TARGET_RATIO && (drainRatio ?? 0) >= TARGET_RATIO;
    context.report.target('trace', `throughput with a trace subscriber (the extension's compact reads) ≥ ${TARGET_RATIO}x none`, met, `send ${sendRatio ?? '?'}x, drain ${drainRatio ?? '?'}x (median of ${ROUNDS} rounds' ratios)`);
    context.report.data('trace', { parameters: { messages: MESSAGES, rounds: ROUNDS, bodyBytes: BODY_BYTES, concurrency: CONCURRENCY }, ...rounds });
  },
};
