import * as assert from 'node:assert/strict';
import { DuplicateIndex } from '../../src/model/duplicates';
import type { LifecycleEvent } from '../../src/model/lifecycle';
import type { ReceiveMode } from '../../src/shared/kinds';

let seq = 0;
const sent = (messageId: string, idempotencyKey?: string, queueUrl = 'q'): LifecycleEvent => ({
  seq: ++seq,
  messageId,
  queueUrl,
  kind: 'sent',
  at: seq,
  details: { bodyDigest: '', bodyBytes: 0, via: 'send', ...(idempotencyKey !== undefined ? { idempotencyKey } : {}) },
});
/** A receive by the inspector, with the receive count SQS reported. */
const received = (messageId: string, receiveCount: number, mode: ReceiveMode = 'hold', idempotencyKey?: string): LifecycleEvent => ({
  seq: ++seq,
  messageId,
  queueUrl: 'q',
  kind: 'received',
  at: seq,
  details: { receiveCount, mode, deadline: seq, ...(idempotencyKey !== undefined ? { idempotencyKey } : {}) },
});

describe('duplicate index', () => {
  it('flags a redelivery of the same MessageId, from our receives or the reported receive count', () => {
    const index = new DuplicateIndex();
    const changes: string[][] = [];
    index.onDidChange((c) => changes.push([...c]));
    index.observe([sent('a', 'k1'), received('a', 1)]);
    assert.deepEqual(index.flagsOf('a'), {});
    // Reported 3 on the inspector's second receive: a consumer received it in between.
    index.observe([received('a', 3)]);
    assert.deepEqual(index.flagsOf('a'), { redelivered: 3, byInspector: { peek: 0, hold: 2 } });
    index.observe([received('b', 5)]);
    assert.equal(index.flagsOf('b').redelivered, 5, 'received elsewhere before: the receive count says so');
    assert.deepEqual(changes, [['a'], ['b']]);
    assert.equal(index.summary('q').redeliveries, 2);
  });

  it('does not count the inspector\'s own peek and hold as a redelivery', () => {
    const index = new DuplicateIndex();
    index.observe([received('a', 1, 'peek'), received('a', 2, 'hold')]);
    assert.deepEqual(index.flagsOf('a'), {}, 'received twice, both times by the inspector: no consumer got it twice');
    assert.equal(index.summary('q').redeliveries, 0);
    assert.equal(index.flaggedCount('q'), 0);
  });

  it('flags a message a consumer received before the inspector, and says how many receives were the inspector\'s', () => {
    const index = new DuplicateIndex();
    index.observe([received('a', 2, 'peek')]);
    assert.deepEqual(index.flagsOf('a'), { redelivered: 2, byInspector: { peek: 1, hold: 0 } }, 'received 2 times, 1 by the peek');
    index.observe([received('b', 1, 'peek'), received('b', 3, 'hold')]);
    assert.deepEqual(index.flagsOf('b'), { redelivered: 3, byInspector: { peek: 1, hold: 1 } }, 'a consumer received it between the peek and the hold');
    assert.equal(index.summary('q').redeliveries, 2);
  });

  it('summarises only the messages asked for, and forgets a purged queue', () => {
    const index = new DuplicateIndex();
    const changes: string[][] = [];
    index.onDidChange((c) => changes.push([...c]));
    index.observe([
      sent('a', 'k'),
      sent('b', 'k'),
      received('r', 4, 'hold'),
      sent('x', 'k', 'other'),
      sent('y', 'k', 'other'),
    ]);
    assert.deepEqual(index.summaryOf(['a', 'r']), { redeliveries: 1, duplicateKeys: 1, keysShared: 1 });
    assert.deepEqual(index.summaryOf([]), { redeliveries: 0, duplicateKeys: 0, keysShared: 0 });
    changes.length = 0;
    index.forgetQueue('q');
    assert.deepEqual(changes.map((c) => c.sort()), [['a', 'b', 'r']]);
    assert.deepEqual(index.summary('q'), { redeliveries: 0, duplicateKeys: 0, keysShared: 0 });
    assert.equal(index.flaggedCount('q'), 0);
    assert.deepEqual(index.flagsOf('r'), {});
    assert.equal(index.flagsOf('x').duplicateKey?.count, 1, 'another queue keeps its flags');
    index.observe([sent('a2', 'k')]);
    assert.deepEqual(index.flagsOf('a2'), {}, 'a new message does not share a key with the purged ones');
  });

  it('flags different MessageIds with the same key on one queue, and not across queues', () => {
    const index = new DuplicateIndex();
    index.observe([sent('a', 'k'), sent('b', 'k'), sent('c', 'k', 'other')]);
    assert.deepEqual(index.flagsOf('a').duplicateKey, { key: 'k', count: 1, others: ['b'] });
    assert.deepEqual(index.flagsOf('b').duplicateKey, { key: 'k', count: 1, others: ['a'] });
    assert.deepEqual(index.flagsOf('c'), {});
    index.observe([received('d', 1, 'hold', 'k')]);
    assert.deepEqual(index.flagsOf('a').duplicateKey?.others, ['b', 'd']);
    assert.deepEqual(index.summary('q'), { redeliveries: 0, duplicateKeys: 3, keysShared: 1 });
    assert.equal(index.flaggedCount('q'), 3);
  });

  it('tells a redelivery from a duplicate send', () => {
    const index = new DuplicateIndex();
    index.observe([sent('a', 'k'), received('a', 1, 'hold', 'k'), received('a', 3, 'hold', 'k')]);
    assert.deepEqual(index.flagsOf('a'), { redelivered: 3, byInspector: { peek: 0, hold: 2 } }, 'the same message twice is not a duplicate key');
  });

  it('names at most 20 of the messages sharing a key, and counts them all', () => {
    const index = new DuplicateIndex();
    const changes: number[] = [];
    index.onDidChange((c) => changes.push(c.size));
    index.observe(Array.from({ length: 5000 }, (_, i) => sent(`m${i}`, 'one')));
    const f = index.flagsOf('m0').duplicateKey;
    assert.equal(f?.count, 4999);
    assert.equal(f?.others.length, 20);
    assert.equal(index.summary('q').duplicateKeys, 5000);
    assert.equal(index.flaggedCount('q'), 5000);
  });

  it('forgets the first-seen messages past its bound and keeps the counts exact', () => {
    const index = new DuplicateIndex(3);
    index.observe([sent('a', 'k'), sent('b', 'k'), received('r', 2)]);
    assert.deepEqual(index.summary('q'), { redeliveries: 1, duplicateKeys: 2, keysShared: 1 });
    index.observe([sent('c')]);
    assert.deepEqual(index.flagsOf('a'), {}, 'a is forgotten');
    assert.deepEqual(index.flagsOf('b'), {}, 'b shares its key with nobody now');
    assert.deepEqual(index.summary('q'), { redeliveries: 1, duplicateKeys: 0, keysShared: 0 });
    assert.equal(index.flaggedCount('q'), 1);
    index.setMaxMessages(1);
    assert.deepEqual(index.summary('q'), { redeliveries: 0, duplicateKeys: 0, keysShared: 0 });
    assert.equal(index.flaggedCount('q'), 0);
  });

  it('indexes 100,000 messages incrementally', () => {
    const index = new DuplicateIndex();
    const events: LifecycleEvent[] = [];
    for (let i = 0; i < 100_000; i++) events.push(sent(`m${i}`, `k${i % 90_000}`));
    for (let i = 0; i < 100_000; i += 1000) index.observe(events.slice(i, i + 1000));
    assert.deepEqual(index.summary('q'), { redeliveries: 0, duplicateKeys: 20_000, keysShared: 10_000 });
  });
});
