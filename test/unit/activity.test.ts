import * as assert from 'node:assert/strict';
import { Emitter } from '../../src/common/events';
import { OncePerKey, RateWindow, Ring, dlqStartedFilling } from '../../src/model/activity';
import { DlqWatch, type DlqFilling } from '../../src/services/dlqWatch';
import { QueueActivity, SAMPLE_CAPACITY, type ActivitySources, type QueueCounts, type QueueRef } from '../../src/services/queueActivity';
import type { TraceBatch } from '../../src/services/traceFeed';
import type { OldestAge } from '../../src/shared/activity';
import type { TraceEvent } from '../../src/shared/trace';

const T0 = Date.UTC(2026, 11, 2, 10, 0, 0);

describe('activity ring', () => {
  it('keeps the newest items up to its capacity, oldest first', () => {
    const ring = new Ring<number>(3);
    assert.deepEqual(ring.toArray(), []);
    assert.equal(ring.last, undefined);
    for (let i = 1; i <= 5; i++) ring.push(i);
    assert.deepEqual(ring.toArray(), [3, 4, 5]);
    assert.equal(ring.size, 3);
    assert.equal(ring.last, 5);
  });

  it('refuses a capacity that is not a whole number of at least 1', () => {
    assert.throws(() => new Ring(0), /capacity must be a whole number of at least 1, not 0/);
    assert.throws(() => new Ring(1.5), /not 1.5/);
  });
});

describe('activity rates', () => {
  it('averages each operation over the whole seconds before now, leaving out the second in progress', () => {
    const w = new RateWindow();
    for (let i = 0; i < 20; i++) w.add('sends', T0 + i * 500); // 2 per second for 10 s
    w.add('receives', T0 + 3_000);
    w.add('deletes', T0 + 10_100); // in the second in progress at now
    const r = w.rates(T0 + 10_400, 10);
    assert.deepEqual(r, { sends: 2, receives: 0.1, deletes: 0 });
  });

  it('forgets seconds older than its horizon, and ignores events older than it', () => {
    const w = new RateWindow(5);
    w.add('sends', T0);
    w.add('sends', T0 + 5_000); // same slot, a newer second: the old one is dropped
    w.add('sends', T0); // older than what the slot holds now: ignored
    assert.equal(w.rates(T0 + 6_000, 4).sends, 0.25);
    assert.equal(w.rates(T0 + 30_000, 4).sends, 0);
  });
});

describe('DLQ filling rule', () => {
  it('fires when the visible count rises from 0 or grows, never on the first reading', () => {
    assert.equal(dlqStartedFilling(undefined, 5), false, 'the first reading is the baseline');
    assert.equal(dlqStartedFilling(0, 1), true);
    assert.equal(dlqStartedFilling(2, 3), true);
    assert.equal(dlqStartedFilling(3, 3), false);
    assert.equal(dlqStartedFilling(3, 0), false, 'emptied by a redrive');
  });

  it('says yes once per key', () => {
    const once = new OncePerKey();
    assert.deepEqual(['a', 'a', 'b', 'a'].map((k) => once.take(k)), [true, false, true, false]);
  });

  it('notifies once per DLQ however often it grows, and two inspectors that see one rise report it once', () => {
    const watch = new DlqWatch();
    const seen: DlqFilling[] = [];
    watch.onFilling((f) => seen.push(f));
    const dlq = { url: 'http://x/0/orders-dlq', name: 'orders-dlq' };
    watch.report({ ...dlq, from: 0, to: 2, at: T0 });
    watch.report({ ...dlq, from: 0, to: 2, at: T0 + 1_000 }); // the DLQ's own inspector saw the same rise
    watch.report({ ...dlq, from: 2, to: 5, at: T0 + 5_000 });
    watch.report({ url: 'http://x/0/other-dlq', name: 'other-dlq', from: 0, to: 1, at: T0 });
    assert.deepEqual(seen.map((f) => [f.name, f.to, f.first]), [['orders-dlq', 2, true], ['orders-dlq', 5, false], ['other-dlq', 1, true]]);
    assert.equal(watch.latestOf(dlq.url)?.to, 5);
  });
});

/** Sources whose figures a test sets; `counts` per queue URL. */
function fakeSources(init: { traced: boolean; cloudWatch?: (name: string) => Promise<OldestAge> }) {
  const trace = new Emitter<TraceBatch>();
  const state = {
    now: T0,
    counts: new Map<string, QueueCounts | Error>(),
    oldestSentAt: undefined as number | undefined,
    cloudWatchCalls: 0,
  };
  const sources: ActivitySources = {
    counts: (url) => {
      const c = state.counts.get(url);
      return c instanceof Error ? Promise.reject(c) : c ? Promise.resolve(c) : Promise.reject(new Error(`no queue ${url}`));
    },
    traced: () => init.traced,
    serverStats: (url, name) => Promise.resolve({ now: state.now, stats: { name, url, visible: 0, inflight: 0, delayed: 0, ...(state.oldestSentAt !== undefined ? { oldestSentAt: state.oldestSentAt } : {}) } }),
    ...(init.cloudWatch
      ? {
          cloudWatch: (name: string) => {
            state.cloudWatchCalls++;
            return init.cloudWatch?.(name) as Promise<OldestAge>;
          },
        }
      : {}),
    traceEvents: trace.event,
    now: () => state.now,
  };
  return { sources, state, trace };
}

function traceEvent(kind: 'sent' | 'received' | 'deleted', queue: string, at: number, stale = false): TraceEvent {
  const base = { seq: 1, at, queue, queueUrl: `http://x/0/${queue}`, messageId: 'm' };
  if (kind === 'sent') return { ...base, kind, details: { bytes: 1, attributeNames: [] } };
  if (kind === 'received') return { ...base, kind, details: { receiveCount: 1, deadline: at + 30_000 } };
  return { ...base, kind, details: { stale, late: stale, receiveCount: 1 } };
}

describe('queue activity (sampling, rates, DLQ notice)', () => {
  const orders: QueueRef = { name: 'orders', url: 'http://x/0/orders' };
  const dlq: QueueRef = { name: 'orders-dlq', url: 'http://x/0/orders-dlq' };

  it('samples counts into a bounded ring, and reads the exact oldest age and every client\'s rates on a local server', async () => {
    const { sources, state, trace } = fakeSources({ traced: true });
    const activity = new QueueActivity({ connectionId: 'local', ...orders, watchedDlq: () => undefined }, sources, new DlqWatch());
    state.oldestSentAt = T0 - 90_000;
    for (let i = 0; i < SAMPLE_CAPACITY + 5; i++) {
      state.counts.set(orders.url, { visible: i, inflight: 1, delayed: 0 });
      state.now += 1_000;
      await activity.sample();
    }
    assert.equal(activity.view.samples.length, SAMPLE_CAPACITY);
    assert.equal(activity.view.samples[0]?.visible, 5, 'the oldest samples were dropped');
    const events = [traceEvent('sent', 'orders', state.now - 2_000), traceEvent('sent', 'orders', state.now - 1_500), traceEvent('received', 'orders', state.now - 1_500)];
    events.push(traceEvent('deleted', 'orders', state.now - 1_200), traceEvent('deleted', 'orders', state.now - 1_100, true), traceEvent('sent', 'other', state.now - 1_000));
    trace.fire({ connectionId: 'local', endpoint: 'http://x', events, missed: 0 });
    trace.fire({ connectionId: 'another', endpoint: 'http://y', events: [traceEvent('sent', 'orders', state.now - 1_000)], missed: 0 });
    await activity.sample();
    assert.deepEqual(activity.view.rates, { sends: 0.2, receives: 0.1, deletes: 0.1, seconds: 10 }, 'a stale delete, another queue and another connection are not counted');
    assert.deepEqual(activity.view.oldest, { seconds: (state.now - (T0 - 90_000)) / 1000, source: 'server' });
    activity.dispose();
  });

  it('says why there are no rates elsewhere, and asks CloudWatch at most once a minute', async () => {
    const { sources, state } = fakeSources({ traced: false, cloudWatch: () => Promise.resolve({ unavailable: 'CloudWatch refused these credentials (AccessDenied)' }) });
    state.counts.set(orders.url, { visible: 1, inflight: 0, delayed: 0 });
    const activity = new QueueActivity({ connectionId: 'aws', ...orders, watchedDlq: () => undefined }, sources, new DlqWatch());
    await activity.sample();
    state.now += 30_000;
    await activity.sample();
    assert.equal(state.cloudWatchCalls, 1);
    state.now += 31_000;
    await activity.sample();
    assert.equal(state.cloudWatchCalls, 2);
    assert.equal(activity.view.rates, undefined);
    assert.match(activity.view.ratesNote ?? '', /need the SQS Workbench local server/);
    assert.deepEqual(activity.view.oldest, { unavailable: 'CloudWatch refused these credentials (AccessDenied)' });
    activity.dispose();
  });

  it('reports a failed sample and keeps the ring', async () => {
    const { sources, state } = fakeSources({ traced: false });
    const activity = new QueueActivity({ connectionId: 'aws', ...orders, watchedDlq: () => undefined }, sources, new DlqWatch());
    state.counts.set(orders.url, { visible: 1, inflight: 0, delayed: 0 });
    await activity.sample();
    state.counts.set(orders.url, new Error('AccessDenied: not allowed'));
    await activity.sample();
    assert.equal(activity.view.samples.length, 1);
    assert.match(activity.view.error ?? '', /counts failed: AccessDenied: not allowed/);
    assert.match((activity.view.oldest as { unavailable: string }).unavailable, /needs the SQS Workbench local server or CloudWatch/);
    activity.dispose();
  });

  it('notices the DLQ of its queue filling, from the source\'s inspector and the DLQ\'s, with one notification', async () => {
    const { sources, state } = fakeSources({ traced: true });
    const watch = new DlqWatch();
    const notified: DlqFilling[] = [];
    watch.onFilling((f) => f.first && notified.push(f));
    const source = new QueueActivity({ connectionId: 'local', ...orders, watchedDlq: () => dlq }, sources, watch);
    const own = new QueueActivity({ connectionId: 'local', ...dlq, watchedDlq: () => dlq }, sources, watch);
    state.counts.set(orders.url, { visible: 3, inflight: 0, delayed: 0 });
    state.counts.set(dlq.url, { visible: 0, inflight: 0, delayed: 0 });
    await Promise.all([source.sample(), own.sample()]);
    assert.equal(source.view.dlqNotice, undefined);
    state.counts.set(dlq.url, { visible: 2, inflight: 0, delayed: 0 });
    state.now += 5_000;
    await Promise.all([source.sample(), own.sample()]);
    assert.match(source.view.dlqNotice ?? '', /^Dead-letter queue orders-dlq is filling: 0 → 2 messages visible/);
    assert.equal(own.view.dlqNotice, source.view.dlqNotice);
    state.counts.set(dlq.url, { visible: 4, inflight: 0, delayed: 0 });
    state.now += 5_000;
    await source.sample();
    assert.match(source.view.dlqNotice ?? '', /2 → 4 messages/);
    assert.equal(notified.length, 1, 'one notification per DLQ per window');
    source.dispose();
    own.dispose();
  });

  it('takes a DLQ that held messages when first read as the baseline', async () => {
    const { sources, state } = fakeSources({ traced: true });
    const activity = new QueueActivity({ connectionId: 'local', ...dlq, watchedDlq: () => dlq }, sources, new DlqWatch());
    state.counts.set(dlq.url, { visible: 7, inflight: 0, delayed: 0 });
    await activity.sample();
    await activity.sample();
    assert.equal(activity.view.dlqNotice, undefined);
    activity.dispose();
  });
});
