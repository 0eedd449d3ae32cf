/**
 * Watch under a burst: 10,000 trace events in one second (a batch of 100 every 10 ms, as the
 * trace feed hands them over) into an open Watch, timed from each event to the frame that
 * paints its row. As for `inspector-hold`, the inspector is measured as its two halves: the
 * host side in plain Node (the extension's own InspectorSession: the watched rows, the
 * consumer flags, the one-update-per-frame path) and the built page in headless Chromium,
 * which applies every update and notes the time of the frame after it. VS Code's own
 * postMessage between the two is not in the figure.
 */
import type { HostToWebview } from '../../src/protocol';
import type { TraceEvent } from '../../src/shared/trace';
import { KeyPaths } from '../../src/services/keyPaths';
import { LifecycleRecorder } from '../../src/services/lifecycleRecorder';
import { Settings, memorySettingsSource } from '../../src/services/settings';

import { SqsGateway, silentLog } from '../../src/sqs/gateway';
import { getQueueSnapshot } from '../../src/sqs/queues';
import { InspectorSession } from '../../src/views/inspector/inspectorSession';
import { openInspectorBench } from '../inspectorBench';
import { median, sleep } from '../util';
import type { Section } from './section';

const EVENTS = 10_000;
const BATCH = 100;
const BATCH_EVERY_MS = 10;
const ROUNDS = 3;

interface PageGlobals {
  __deliver(message: unknown): void;
  __benchPainted: [number, number][];
}
// The page's globals, for the functions handed to page.evaluate (they run in the page).
declare const document: { querySelector(s: string): unknown };
declare function requestAnimationFrame(cb: () => void): number;
declare const window: PageGlobals;

const epochNow = (): number => performance.timeOrigin + performance.now();

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** One burst into a fresh Watch; the latency of each event to its row's host update and to its painted frame. */
async function burst(gateway: SqsGateway, endpoint: string, url: string, page: import('playwright-core').Page): Promise<{ host: number[]; painted: number[]; updates: number }> {
  await page.reload();
  await page.waitForFunction(() => document.querySelector('.toolbar') !== null);
  await page.evaluate(() => {
    window.__benchPainted = [];
  });
  const settings = new Settings(memorySettingsSource());
  const recorder = new LifecycleRecorder(settings, new KeyPaths(settings, silentLog), silentLog);
  const listeners: ((events: readonly TraceEvent[]) => void)[] = [];
  const injectedAt = new Map<string, number>();
  const postedIds: string[][] = [];
  const host: number[] = [];
  let chain: Promise<unknown> = Promise.resolve();
  const post = (m: HostToWebview): void => {
    let token = -1;
    if (m.method === 'host/messages/upsert') {
      const now = epochNow();
      token = postedIds.push(m.params.messages.map((v) => v.messageId)) - 1;
      for (const v of m.params.messages) host.push(now - (injectedAt.get(v.messageId) ?? now));
    }
    const text = JSON.stringify(m);
    chain = chain.then(() =>
      page.evaluate(
        ([x, t]) => {
          const g = window;
          g.__deliver(JSON.parse(x));
          if (t >= 0) requestAnimationFrame(() => g.__benchPainted.push([t, performance.timeOrigin + performance.now()]));
        },
        [text, token] as const,
      ),
    );
  };
  const options = { count: 100, waitSeconds: 0, visibilityTimeout: 30, mode: 'watch' as const };
  const session = new InspectorSession(gateway, await getQueueSnapshot(gateway, url), { id: 'local', name: 'Local' }, {
    lifecycle: recorder.store,
    duplicates: recorder.duplicates,
    recorder,
    keyPaths: () => [],
    isDeadLetterQueue: () => false,
    options: () => options,
    browsable: () => true,
    traceEvents: (listener) => {
      listeners.push(listener);
      return { dispose: () => undefined };
    },
    post,
  });
  await session.browse(endpoint, 100, true);
  post({ method: 'host/state/set', params: session.state() });
  await chain;
  const start = Date.now();
  let seq = 1_000_000;
  for (let b = 0; b < EVENTS / BATCH; b++) {
    // Keep the pace of 10,000 a second: each batch waits for its time, not for the last one to be handled.
    const due = start + b * BATCH_EVERY_MS;
    if (due > Date.now()) await sleep(due - Date.now());
    const events: TraceEvent[] = [];
    const at = epochNow();
    for (let i = 0; i < BATCH; i++) {
      const messageId = `m${b * BATCH + i}`;
      injectedAt.set(messageId, at);
      events.push({ seq: ++seq, kind: 'sent', at: Math.round(at), queue: 'bench-watch', queueUrl: url, messageId, details: { bytes: 20, attributeNames: [], body: `{"order":${b * BATCH + i}}` } });
    }
    recorder.traceEvents(events);
    for (const l of listeners) l(events);
  }
  session.flush();
  await chain;
  await page.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))));
  const paintedAt = new Map(await page.evaluate(() => window.__benchPainted));
  const painted: number[] = [];
  postedIds.forEach((ids, token) => {
    const at = paintedAt.get(token);
    if (at !== undefined) for (const id of ids) painted.push(at - (injectedAt.get(id) ?? at));
  });
  session.dispose();
  recorder.dispose();
  if (painted.length < EVENTS) throw new Error(`only ${painted.length} of ${EVENTS} rows were painted`);
  return { host, painted, updates: postedIds.length };
}

export const watchSection: Section = {
  name: 'watch',
  title: 'Watch: a burst of 10,000 trace events in one second, from each event to its row painted',
  async run({ report }) {
    const bench = await openInspectorBench();
    const { server, gateway, page } = bench;
    try {
      const host: number[] = [];
      const painted: number[] = [];
      const updates: number[] = [];
      // One warm-up, then rounds on fresh queues.
      for (let round = -1; round < ROUNDS; round++) {
        const url = server.engine.createQueue(`bench-watch-${round + 1}`);
        const r = await burst(gateway, server.endpoint, url, page);
        if (round < 0) continue;
        host.push(...r.host);
        painted.push(...r.painted);
        updates.push(r.updates);
      }
      host.sort((a, b) => a - b);
      painted.sort((a, b) => a - b);
      const fmt = (n: number): string => n.toFixed(0);
      report.table({
        columns: ['from the event to', 'p50 ms', 'p95 ms', 'max ms', 'updates to the page per burst'],
        rows: [
          ['the host update (Node)', fmt(percentile(host, 50)), fmt(percentile(host, 95)), fmt(host.at(-1) ?? NaN), ''],
          ['the row painted (Node + Chromium)', fmt(percentile(painted, 50)), fmt(percentile(painted, 95)), fmt(painted.at(-1) ?? NaN), median(updates).toFixed(0)],
        ],
      });
      report.line(`  ${ROUNDS} bursts after a warm-up, ${EVENTS.toLocaleString('en-US')} events each (${BATCH} every ${BATCH_EVERY_MS} ms), every event a new row; percentiles over all ${painted.length.toLocaleString('en-US')} events.`);
      report.data('watch', { events: EVENTS, rounds: ROUNDS, hostMs: { p50: percentile(host, 50), p95: percentile(host, 95) }, paintedMs: { p50: percentile(painted, 50), p95: percentile(painted, 95) }, updates: median(updates) });
    } finally {
      await bench.close();
    }
  },
};
