/**
 * Hold 1,000 messages in the inspector, from the request to the last row painted, beside a
 * plain SDK loop making the same receives (ReceiveMessage 10 at a time until 1,000, with the
 * same attribute names and visibility timeout). The real VS Code is too heavy to drive for
 * a benchmark, so the inspector is measured as its two halves: the host side in plain Node
 * (the extension's own InspectorSession: leases, lifecycle record, duplicate flags, the
 * panel's coalesced update path) and the page in headless Chromium (the built page, as the
 * browser tests serve it), which takes every update the host sends and paints it. What VS
 * Code adds between them (postMessage across its processes) is not in the figure.
 */
import { ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Page } from 'playwright-core';
import type { RunningLocalServer } from '../../src/local/server';
import type { HostToWebview } from '../../src/protocol';
import { createSqsClient } from '../../src/sqs/connections';
import { SqsGateway, silentLog } from '../../src/sqs/gateway';
import { KeyPaths } from '../../src/services/keyPaths';
import { LifecycleRecorder } from '../../src/services/lifecycleRecorder';
import { Settings, memorySettingsSource } from '../../src/services/settings';
import { getQueueSnapshot } from '../../src/sqs/queues';
import { InspectorSession } from '../../src/views/inspector/inspectorSession';
import { openInspectorBench } from '../inspectorBench';
import type { InspectorPageHelpers } from '../inspectorPage';
import { ratio } from '../report';
import { median } from '../util';
import type { Section } from './section';

const MESSAGES = 1000;
const ROUNDS = Number(process.env.HOLD_ROUNDS ?? 5);
const VISIBILITY_SECONDS = 600;
const TARGET_RATIO = 1.5;
const PAGE_TIMEOUT_MS = 60_000;

declare const document: { querySelector(s: string): { textContent: string | null } | null };
declare function requestAnimationFrame(cb: () => void): number;
declare const window: {
  __deliver(m: unknown): void;
  /** Delivers update `seq` (JSON) once every update before it was delivered. */
  __benchInOrder?: (seq: number, text: string) => void;
};

function fill(server: RunningLocalServer, name: string): string {
  const url = server.engine.createQueue(name, { VisibilityTimeout: '30' });
  for (let i = 0; i < MESSAGES; i++) {
    server.engine.sendMessage(url, {
      MessageBody: JSON.stringify({ type: 'OrderCreated', orderId: `ord-${i}`, sku: 'KB-42', quantity: 1 + (i % 5), idempotency_key: `order-${i}-create` }),
      MessageAttributes: { eventType: { DataType: 'String', StringValue: 'OrderCreated' } },
    });
  }
  return url;
}

/** The floor: the same receives as the inspector's hold, and nothing else. */
async function sdkLoop(client: SQSClient, url: string): Promise<number> {
  let got = 0;
  while (got < MESSAGES) {
    const out = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: Math.min(10, MESSAGES - got),
        WaitTimeSeconds: 0,
        VisibilityTimeout: VISIBILITY_SECONDS,
        MessageSystemAttributeNames: ['All'],
        AttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    const n = out.Messages?.length ?? 0;
    if (n === 0) break;
    got += n;
  }
  return got;
}

interface HoldSample {
  ms: number;
  /** Host to page updates sent for the 1,000 messages. */
  updates: number;
  /** Time until the host had received everything (the rest is delivery and painting). */
  hostMs: number;
  /** Time until every update had reached the page. */
  deliveredMs: number;
}

/** Holds 1,000 messages through an inspector session connected to the page; times it to the last paint. */
async function inspectorHold(gateway: SqsGateway, url: string, page: Page, helpers: InspectorPageHelpers): Promise<HoldSample> {
  await page.reload();
  await page.waitForFunction(() => document.querySelector('.toolbar') !== null);
  const settings = new Settings(memorySettingsSource());
  const keyPaths = new KeyPaths(settings, silentLog);
  const recorder = new LifecycleRecorder(settings, keyPaths, silentLog);
  // VS Code's postMessage does not wait for the page: the host posts and goes on, and the
  // page takes the messages in order. Here each update is sent at once too, and the page
  // puts them back in order (CDP calls may overtake each other).
  await page.evaluate(() => {
    let next = 1;
    const parked = new Map<number, string>();
    window.__benchInOrder = (seq, text) => {
      parked.set(seq, text);
      for (let t = parked.get(next); t !== undefined; t = parked.get(next)) {
        parked.delete(next++);
        window.__deliver(JSON.parse(t));
      }
    };
  });
  let updates = 0;
  let seq = 0;
  const sent: Promise<unknown>[] = [];
  const post = (m: HostToWebview): void => {
    if (m.method === 'host/messages/upsert') updates++;
    // As text: Playwright checks an object argument field by field, which would cost more than the page itself.
    const text = JSON.stringify(m);
    sent.push(page.evaluate(([n, x]) => window.__benchInOrder?.(n, x), [++seq, text] as const));
  };
  const session = new InspectorSession(gateway, await getQueueSnapshot(gateway, url), { id: 'local', name: 'Local' }, { lifecycle: recorder.store, duplicates: recorder.duplicates, recorder, keyPaths: () => keyPaths.current, isDeadLetterQueue: () => false, options: () => helpers.OPTIONS, post });
  post({ method: 'host/state/set', params: session.state() });
  await Promise.all(sent);
  const started = performance.now();
  const got = await session.leases.receive({ count: MESSAGES, waitSeconds: 0, visibilityTimeout: VISIBILITY_SECONDS, mode: 'hold' });
  const hostMs = performance.now() - started;
  session.flush();
  await Promise.all(sent);
  const deliveredMs = performance.now() - started;
  await page.waitForFunction((n) => document.querySelector('.count-info')?.textContent?.startsWith(`${n} messages`) === true, got.length, { timeout: PAGE_TIMEOUT_MS });
  // The last update is drawn: wait for the frame that paints it.
  await page.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))));
  const ms = performance.now() - started;
  recorder.dispose();
  session.dispose();
  await session.leases.dispose('release');
  if (got.length !== MESSAGES) throw new Error(`the inspector held ${got.length} of ${MESSAGES} messages`);
  return { ms, updates, hostMs, deliveredMs };
}

export const inspectorHoldSection: Section = {
  name: 'inspector-hold',
  title: 'Inspector: Hold 1,000 messages, to the last row painted, beside a plain SDK loop of the same receives',
  async run({ report }) {
    const bench = await openInspectorBench();
    const { server, gateway, page, helpers } = bench;
    const floorClient = createSqsClient(bench.connection);
    try {
      const floor: number[] = [];
      const held: HoldSample[] = [];
      // One warm-up of each, then rounds that alternate which goes first; every run has a fresh queue.
      for (let round = -1; round < ROUNDS; round++) {
        const runFloor = async (): Promise<void> => {
          const url = fill(server, `bench-hold-floor-${round + 1}`);
          const t = performance.now();
          const n = await sdkLoop(floorClient, url);
          if (n !== MESSAGES) throw new Error(`the SDK loop received ${n} of ${MESSAGES} messages`);
          if (round >= 0) floor.push(performance.now() - t);
        };
        const runInspector = async (): Promise<void> => {
          const sample = await inspectorHold(gateway, fill(server, `bench-hold-inspector-${round + 1}`), page, helpers);
          if (round >= 0) held.push(sample);
        };
        if (round % 2 === 0) {
          await runFloor();
          await runInspector();
        } else {
          await runInspector();
          await runFloor();
        }
      }
      const inspectorMs = median(held.map((s) => s.ms));
      const floorMs = median(floor);
      const r = inspectorMs / floorMs;
      report.table({
        columns: ['path', 'median ms', 'min ms', 'max ms', 'msg/s', 'updates to the page'],
        rows: [
          ['inspector Hold 1,000 (host + page paint)', inspectorMs.toFixed(0), Math.min(...held.map((s) => s.ms)).toFixed(0), Math.max(...held.map((s) => s.ms)).toFixed(0), (MESSAGES / (inspectorMs / 1000)).toFixed(0), median(held.map((s) => s.updates)).toFixed(0)],
          ['  of which: host receives done', median(held.map((s) => s.hostMs)).toFixed(0), '', '', '', ''],
          ['  of which: every update in the page', median(held.map((s) => s.deliveredMs)).toFixed(0), '', '', '', ''],
          ['plain SDK loop, same receives (floor)', floorMs.toFixed(0), Math.min(...floor).toFixed(0), Math.max(...floor).toFixed(0), (MESSAGES / (floorMs / 1000)).toFixed(0), ''],
        ],
      });
      report.line(`  inspector / floor: ${ratio(inspectorMs, floorMs) ?? 'n/a'}x (target at most ${TARGET_RATIO}x). Median of ${ROUNDS} rounds after a warm-up, the order alternating.`);
      report.line('  Measured without VS Code: the host side (InspectorSession over the SDK, in this process) and the built page in headless Chromium; VS Code\'s own postMessage between them is not included.');
      report.target('inspector-hold', `Hold 1,000 within ${TARGET_RATIO}x of a plain SDK loop`, r <= TARGET_RATIO, `${r.toFixed(2)}x (${inspectorMs.toFixed(0)} ms vs ${floorMs.toFixed(0)} ms)`);
      report.data('inspector-hold', { messages: MESSAGES, rounds: ROUNDS, medianMs: { inspector: inspectorMs, floor: floorMs, hostReceives: median(held.map((s) => s.hostMs)) }, updates: median(held.map((s) => s.updates)), ratio: r });
    } finally {
      floorClient.destroy();
      await bench.close();
    }
  },
};
