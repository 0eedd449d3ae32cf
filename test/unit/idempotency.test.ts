import * as assert from 'node:assert/strict';
import { DEFAULT_KEY_PATHS, extractIdempotencyKey, parseKeyPaths } from '../../src/model/idempotency';
import { LifecycleStore, sentEvent } from '../../src/model/lifecycle';

describe('idempotency keys', () => {
  const paths = (...p: string[]) => parseKeyPaths(p).paths;

  it('reads nested paths, array indices, attributes and dedup ids; first match wins', () => {
    const body = JSON.stringify({ order: { idempotencyKey: 'k-1', items: [{ id: 'i-0' }, { id: 9 }] } });
    assert.deepEqual(extractIdempotencyKey({ body }, paths('missing', 'order.idempotencyKey')), { key: 'k-1', path: 'order.idempotencyKey' });
    assert.equal(extractIdempotencyKey({ body }, paths('order.items[1].id'))?.key, '9');
    assert.equal(extractIdempotencyKey({ body }, paths('order.items.0.id'))?.key, 'i-0');
    assert.equal(extractIdempotencyKey({ body, attributes: { Key: { StringValue: 'from-attr' } } }, paths('attr:Key', 'order.idempotencyKey'))?.key, 'from-attr');
    assert.equal(extractIdempotencyKey({ body: 'plain text', dedupId: 'd-1' }, paths('order.idempotencyKey', 'dedupId'))?.key, 'd-1');
  });

  it('never throws on bodies that are not JSON or keys that are not scalars', () => {
    assert.equal(extractIdempotencyKey({ body: '{not json' }, paths('a')), undefined);
    assert.equal(extractIdempotencyKey({ body: '' }, paths('a')), undefined);
    assert.equal(extractIdempotencyKey({ body: '{"a":{"b":1}}' }, paths('a')), undefined);
    assert.equal(extractIdempotencyKey({ body: '{"a":""}' }, paths('a')), undefined);
    assert.equal(extractIdempotencyKey({ body: '[{"a":"x"}]' }, paths('[0].a'))?.key, 'x');
  });

  it('names unreadable paths and has defaults that read common spellings', () => {
    const { problems } = parseKeyPaths(['ok.path', 'attr:', 'a..b']);
    assert.equal(problems.length, 2);
    const defaults = parseKeyPaths(DEFAULT_KEY_PATHS).paths;
    assert.equal(extractIdempotencyKey({ body: '{"idempotency_key":"snake"}' }, defaults)?.key, 'snake');
    assert.equal(extractIdempotencyKey({ body: '{"idempotencyKey":"camel"}' }, defaults)?.key, 'camel');
  });
});

describe('lifecycle record', () => {
  const event = (messageId: string, queueUrl: string, at: number) => ({ messageId, queueUrl, kind: 'deleted' as const, at, details: {} });

  it('keeps events per message and per queue, in order', () => {
    const store = new LifecycleStore(100);
    store.record([event('m1', 'q1', 1), event('m2', 'q1', 2), event('m1', 'q1', 3)]);
    assert.deepEqual(store.eventsOf('m1').map((e) => e.at), [1, 3]);
    assert.deepEqual(store.messagesOf('q1'), ['m1', 'm2']);
    assert.equal(store.eventCount, 3);
  });

  it('drops the least recently active queue first, oldest events first, and says how many', () => {
    const store = new LifecycleStore(4);
    const drops: number[] = [];
    store.onDidChange((c) => drops.push(c.dropped));
    store.record([event('a1', 'qa', 1), event('a2', 'qa', 2)]);
    store.record([event('b1', 'qb', 3), event('b2', 'qb', 4)]);
    store.record([event('b3', 'qb', 5)]);
    assert.deepEqual(drops, [0, 0, 1]);
    assert.deepEqual(store.eventsOf('a1'), [], 'the oldest event of the stale queue went first');
    assert.equal(store.eventsOf('a2').length, 1);
    store.record([event('b4', 'qb', 6), event('b5', 'qb', 7)]);
    assert.deepEqual(store.messagesOf('qa'), []);
    assert.equal(store.droppedTotal, 3);
    assert.equal(store.eventCount, 4);
  });

  it('forgets a purged queue\'s events and keeps its messages\' events elsewhere', () => {
    const store = new LifecycleStore(100);
    store.record([event('m1', 'q1', 1), event('m2', 'q1', 2), event('m1', 'dlq', 3), event('o', 'q2', 4)]);
    store.forgetQueue('q1');
    assert.deepEqual(store.messagesOf('q1'), []);
    assert.deepEqual(store.eventsOf('m1').map((e) => e.queueUrl), ['dlq']);
    assert.deepEqual(store.eventsOf('m2'), []);
    assert.equal(store.eventCount, 2);
  });

  it('records a sent event with digest, attribute types, FIFO ids and the idempotency key', () => {
    const e = sentEvent(
      { messageId: 'm', queueUrl: 'q', at: 5, body: '{"idempotency_key":"k"}', attributes: { t: { DataType: 'Number', StringValue: '1' } }, groupId: 'g', dedupId: 'd', sequenceNumber: '1', via: 'send' },
      parseKeyPaths(['idempotency_key']).paths,
    );
    assert.equal(e.kind, 'sent');
    assert.equal(e.details.idempotencyKey, 'k');
    assert.equal(e.details.idempotencyKeyPath, 'idempotency_key');
    assert.deepEqual(e.details.attributes, { t: 'Number' });
    assert.equal(e.details.bodyDigest.length, 64);
    assert.equal(e.details.groupId, 'g');
  });
});
