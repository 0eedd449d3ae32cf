/**
 * What the server's trace costs: send and drain throughput of our server with a trace
 * subscriber attached (a process of its own long-polling `/_workbench/trace` with bodies,
 * as the extension host does on this machine) beside none. The server records the trace either way;
 * the subscriber adds serving it. Bare HTTP client, so that the server, not the SDK, sets
 * the pace; rounds alternate between the two, and each figure is the median of its rounds.
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

const MESSAGES = 10_000;
const ROUNDS = 3;
const BODY_BYTES = 100;
const CONCURRENCY = 8;
const TARGET_RATIO = 0.85;

interface Round {
  sendMsgPerSec: number;
  drainMsgPerSec: number;
  /** Events the subscriber read during the round (0 without one). */
  eventsRead: number;
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

  async start(endpoint: string): Promise<void> {
    await this.ask({ kind: 'start', endpoint }, 'started');
  }

  async stop(): Promise<number> {
    return (await this.ask<{ read: number }>({ kind: 'stop' }, 'stopped')).read;
  }

  close(): void {
    this.child.kill();
  }
}

async function round(child: ServerChild, api: SqsApi, index: number, subscriber: Subscriber | undefined): Promise<Round> {
  const withSubscriber = subscriber !== undefined;
  const queueUrl = await api.createQueue(`bench-trace-${index}-${withSubscriber ? 'sub' : 'none'}`, { VisibilityTimeout: '120' });
  const all = Array.from({ length: MESSAGES }, (_, i) => messageBody(`trace-${index}-${String(withSubscriber)}`, i, BODY_BYTES));
  await subscriber?.start(child.endpoint);
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
  const eventsRead = (await subscriber?.stop()) ?? 0;
  return {
    sendMsgPerSec: Math.round(sent.accepted / (sent.ms / 1000)),
    drainMsgPerSec: Math.round(drained.unique / (drained.ms / 1000)),
    eventsRead,
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
    const none: Round[] = [];
    const subscribed: Round[] = [];
    try {
      await round(child, api, -1, undefined);
      for (let i = 0; i < ROUNDS; i++) {
        // Alternate which goes first, so drifting load falls on both alike.
        const order = i % 2 === 0 ? [false, true] : [true, false];
        for (const withSubscriber of order) (withSubscriber ? subscribed : none).push(await round(child, api, i, withSubscriber ? subscriber : undefined));
      }
    } finally {
      subscriber.close();
      api.close();
      await context.children.stop(child);
    }
    const m = (rounds: Round[], get: (r: Round) => number): number => median(rounds.map(get));
    const send = [m(subscribed, (r) => r.sendMsgPerSec), m(none, (r) => r.sendMsgPerSec)];
    const drain = [m(subscribed, (r) => r.drainMsgPerSec), m(none, (r) => r.drainMsgPerSec)];
    const sendRatio = ratio(send[0], send[1]);
    const drainRatio = ratio(drain[0], drain[1]);
    context.report.table({
      columns: ['metric', 'with a subscriber', 'none', 'ratio'],
      rows: [
        [`send ${formatNumber(MESSAGES)} (SendMessageBatch ×${CONCURRENCY}), msg/s`, send[0], send[1], sendRatio],
        ['drain (receive 10 + delete batch ×8), msg/s', drain[0], drain[1], drainRatio],
        [`server CPU per round (send + drain of ${formatNumber(MESSAGES)}), ms`, m(subscribed, (r) => r.serverCpuMs), m(none, (r) => r.serverCpuMs), ratio(m(subscribed, (r) => r.serverCpuMs), m(none, (r) => r.serverCpuMs))],
        ['trace events the subscriber read per round', m(subscribed, (r) => r.eventsRead), undefined, undefined],
      ],
    });
    const met = (sendRatio ?? 0) >= TARGET_RATIO && (drainRatio ?? 0) >= TARGET_RATIO;
    context.report.target('trace', `throughput with a trace subscriber ≥ ${TARGET_RATIO}x none`, met, `send ${sendRatio ?? '?'}x, drain ${drainRatio ?? '?'}x`);
    context.report.data('trace', { parameters: { messages: MESSAGES, rounds: ROUNDS, bodyBytes: BODY_BYTES, concurrency: CONCURRENCY }, none, subscribed });
  },
};
