import * as assert from 'node:assert/strict';
import { consumerFlagsOf, countConsumerFlags } from '../../src/model/consumerFlags';
import type { LifecycleEvent, NewLifecycleEvent } from '../../src/model/lifecycle';

const Q = 'http://127.0.0.1:9324/000000000000/orders';
const T = 1_700_000_000_000;
let seq = 0;
const ev = (e: Omit<NewLifecycleEvent, 'messageId' | 'queueUrl'>): LifecycleEvent => ({ ...e, messageId: 'm1', queueUrl: Q, seq: ++seq }) as LifecycleEvent;
const received = (at: number, by: string, receiveCount: number, timeoutMs = 30_000): LifecycleEvent =>
  ev({ kind: 'received', at: T + at, details: { receiveCount, mode: 'consumer', by, deadline: T + at + timeoutMs } });
const deleted = (at: number, by: string, late = false): LifecycleEvent => ev({ kind: 'deleted', at: T + at, details: { by, ...(late ? { late: true as const } : {}) } });

describe('consumer flags (late delete, slow consumer, poison message)', () => {
  it('flags nothing for a consumer that deletes well within the timeout', () => {
    assert.deepEqual(consumerFlagsOf([received(0, 'fast', 1), deleted(5_000, 'fast')]), {});
  });

  it('flags a slow consumer: a delete after more than 80% of the window, not at 80% exactly', () => {
    assert.deepEqual(consumerFlagsOf([received(0, 'slow', 1), deleted(24_001, 'slow')]).slowConsumer, { by: 'slow', usedMs: 24_001, timeoutMs: 30_000 });
    assert.equal(consumerFlagsOf([received(0, 'slow', 1), deleted(24_000, 'slow')]).slowConsumer, undefined);
  });

  it('judges an extended window from the extension on', () => {
    const extended = ev({ kind: 'extended', at: T + 20_000, details: { seconds: 30, auto: false, deadline: T + 50_000, by: 'careful' } });
    assert.deepEqual(consumerFlagsOf([received(0, 'careful', 1), extended, deleted(30_000, 'careful')]), {}, '10 s of a 30 s window');
  });

  it('flags a late delete (the trace said the handle was stale), not as slow', () => {
    const flags = consumerFlagsOf([received(0, 'late', 1), ev({ kind: 'expired', at: T + 30_000, details: {} }), received(31_000, 'other', 2), deleted(45_000, 'late', true)]);
    assert.deepEqual(flags, { lateDelete: { at: T + 45_000, by: 'late' } });
  });

  it('flags a poison message with each receive before the move and who made it', () => {
    const events = [received(0, 'crasher', 1), ev({ kind: 'expired', at: T + 30_000, details: {} }), received(31_000, 'crasher-2', 2), ev({ kind: 'movedToDlq', at: T + 70_000, details: { from: 'orders' } })];
    assert.deepEqual(consumerFlagsOf(events).poison, {
      at: T + 70_000,
      from: 'orders',
      receives: [
        { at: T, by: 'crasher', receiveCount: 1 },
        { at: T + 31_000, by: 'crasher-2', receiveCount: 2 },
      ],
    });
  });

  it('counts the flags of a set of messages', () => {
    const counts = countConsumerFlags([{ lateDelete: { at: T } }, { slowConsumer: { usedMs: 2, timeoutMs: 2 }, lateDelete: { at: T } }, {}, { poison: { at: T, from: 'q', receives: [] } }]);
    assert.deepEqual(counts, { lateDeletes: 2, slowConsumers: 1, poisonMessages: 1 });
  });
});
