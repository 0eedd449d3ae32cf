/**
 * The duplicate index (`DuplicateIndex` of src/model/duplicates.ts) fed with lifecycle
 * events as the extension records them, in this process: indexing a queue's worth of sent
 * and received events in batches, then the time of one further batch, which should not
 * depend on how much is indexed already.
 */
import { DuplicateIndex } from '../src/model/duplicates';
import type { LifecycleEvent } from '../src/model/lifecycle';
import { median } from './util';

const QUEUE_URL = 'http://127.0.0.1:9324/000000000000/bench-duplicates';
/** Every this many messages, one carries the key of an earlier message (10 %). */
const SHARED_EVERY = 10;
/** Every this many messages, the receive reports a receive count of 2 (a redelivery). */
const REDELIVERED_EVERY = 20;

export interface BuildTiming {
  messages: number;
  sentMs: number;
  receivedMs: number;
  totalMs: number;
  eventsPerSecond: number;
  summary: { redeliveries: number; duplicateKeys: number; keysShared: number };
}

export interface BatchTiming {
  messages: number;
  batchEvents: number;
  samples: number;
  medianUs: number;
  p90Us: number;
  minUs: number;
  /** The same batches in `FloorMaps`, plain Maps filled like the index. */
  floorMedianUs: number;
}

let seq = 1;

function sent(i: number, key: string): LifecycleEvent {
  return { seq: seq++, messageId: `msg-${i}`, queueUrl: QUEUE_URL, kind: 'sent', at: 1_700_000_000_000 + i, details: { bodyDigest: '', bodyBytes: 0, via: 'send', idempotencyKey: key } };
}

function received(id: string, receiveCount: number, at: number): LifecycleEvent {
  return { seq: seq++, messageId: id, queueUrl: QUEUE_URL, kind: 'received', at, details: { receiveCount, mode: 'hold', deadline: at } };
}

/** Message i's key: its own, except that every 10th carries the key of the message 5 before it. */
function keyOf(i: number): string {
  return i % SHARED_EVERY === SHARED_EVERY - 1 ? `key-${i - 5}` : `key-${i}`;
}

/** Sends of `messages` messages then one receive each, in batches of `batch` (events made up front, not timed). */
export function buildIndex(messages: number, batch: number): { index: DuplicateIndex; timing: BuildTiming } {
  const sentBatches: LifecycleEvent[][] = [];
  const receivedBatches: LifecycleEvent[][] = [];
  for (let from = 0; from < messages; from += batch) {
    const to = Math.min(messages, from + batch);
    const s: LifecycleEvent[] = [];
    const r: LifecycleEvent[] = [];
    for (let i = from; i < to; i++) {
      s.push(sent(i, keyOf(i)));
      r.push(received(`msg-${i}`, i % REDELIVERED_EVERY === 0 ? 2 : 1, 1_700_000_100_000 + i));
    }
    sentBatches.push(s);
    receivedBatches.push(r);
  }
  const index = new DuplicateIndex();
  const t0 = performance.now();
  for (const b of sentBatches) index.observe(b);
  const t1 = performance.now();
  for (const b of receivedBatches) index.observe(b);
  const t2 = performance.now();
  const totalMs = t2 - t0;
  return {
    index,
    timing: {
      messages,
      sentMs: t1 - t0,
      receivedMs: t2 - t1,
      totalMs,
      eventsPerSecond: (2 * messages) / (totalMs / 1000),
      summary: index.summary(QUEUE_URL),
    },
  };
}

/**
 * One incremental batch of 100 events on an index of `messages` messages: 50 sends of new
 * messages (every 10th with the key of an indexed message) and 50 receives of indexed
 * messages with receive count 2 (redeliveries). Each call makes a different batch.
 */
export function incrementalBatch(messages: number, round: number): LifecycleEvent[] {
  const out: LifecycleEvent[] = [];
  for (let k = 0; k < 50; k++) {
    const n = round * 50 + k;
    const i = messages + n;
    out.push(sent(i, k % SHARED_EVERY === 0 ? keyOf((n * 7919) % messages) : `new-key-${i}`));
  }
  for (let k = 0; k < 50; k++) out.push(received(`msg-${((round * 50 + k) * 104_729) % messages}`, 2, 1_700_000_200_000 + round));
  return out;
}

interface FloorEntry {
  deliveries: number;
  key?: string;
}

/**
 * The floor: what the index must look up at the least, in two plain Maps filled like the
 * index's own (an entry per message, the message ids per key), with nothing else: no flags,
 * no counts, no change set. Its growth from 1,000 to 100,000 messages is what the size
 * alone costs (caches, memory), not any work that depends on the total.
 */
class FloorMaps {
  private readonly messages = new Map<string, FloorEntry>();
  private readonly byKey = new Map<string, string[]>();

  constructor(count: number) {
    for (let i = 0; i < count; i++) {
      const key = keyOf(i);
      this.messages.set(`msg-${i}`, { deliveries: 1, key });
      const ids = this.byKey.get(key);
      if (ids) ids.push(`msg-${i}`);
      else this.byKey.set(key, [`msg-${i}`]);
    }
  }

  observe(events: readonly LifecycleEvent[]): void {
    for (const e of events) {
      let entry = this.messages.get(e.messageId);
      if (!entry) {
        entry = { deliveries: 0 };
        this.messages.set(e.messageId, entry);
      }
      if (e.kind === 'received') entry.deliveries++;
      const key = e.kind === 'sent' || e.kind === 'received' ? e.details.idempotencyKey : undefined;
      if (typeof key === 'string' && entry.key === undefined) {
        entry.key = key;
        const ids = this.byKey.get(key);
        if (ids) ids.push(e.messageId);
        else this.byKey.set(key, [e.messageId]);
      }
    }
  }
}

/**
 * Times incremental batches on freshly built indexes of `messages` messages: `builds`
 * indexes, `perBuild` batches each (so that the index stays near its size), medians over
 * all; each batch is then timed on the floor (`FloorMaps` of the same size) too.
 */
export function timeIncrementalBatches(messages: number, builds: number, perBuild: number, deadline: number): { timing: BatchTiming; builds: BuildTiming[] } {
  const samples: number[] = [];
  const floor: number[] = [];
  const timings: BuildTiming[] = [];
  let round = 0;
  for (let b = 0; b < builds && (b === 0 || performance.now() < deadline); b++) {
    const { index, timing } = buildIndex(messages, 1000);
    const floorMaps = new FloorMaps(messages);
    timings.push(timing);
    for (let k = 0; k < perBuild; k++) {
      const events = incrementalBatch(messages, round++);
      let t = performance.now();
      index.observe(events);
      samples.push((performance.now() - t) * 1000);
      t = performance.now();
      floorMaps.observe(events);
      floor.push((performance.now() - t) * 1000);
    }
  }
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    timing: {
      messages,
      batchEvents: 100,
      samples: samples.length,
      medianUs: median(samples),
      p90Us: sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.9))] ?? NaN,
      minUs: sorted[0] ?? NaN,
      floorMedianUs: median(floor),
    },
    builds: timings,
  };
}

export interface HotKeyTiming {
  messages: number;
  observeMs: number;
  /** `flagsOf` for every message carrying the key, as the inspector does for the ids it is told changed. */
  flagsOfAllMs: number;
}

/** `messages` sends that all carry one idempotency key, in batches of 1,000. */
export function hotKey(messages: number): HotKeyTiming {
  const batches: LifecycleEvent[][] = [];
  for (let from = 0; from < messages; from += 1000) {
    const b: LifecycleEvent[] = [];
    for (let i = from; i < Math.min(messages, from + 1000); i++) b.push(sent(i, 'the-same-key'));
    batches.push(b);
  }
  const index = new DuplicateIndex();
  const t0 = performance.now();
  for (const b of batches) index.observe(b);
  const t1 = performance.now();
  let others = 0;
  for (let i = 0; i < messages; i++) others += index.flagsOf(`msg-${i}`).duplicateKey?.count ?? 0;
  const t2 = performance.now();
  if (others !== messages * (messages - 1)) throw new Error(`hot key: expected ${messages * (messages - 1)} others in all, got ${others}`);
  return { messages, observeMs: t1 - t0, flagsOfAllMs: t2 - t1 };
}
