import * as assert from 'node:assert/strict';
import { KeyPaths } from '../../src/services/keyPaths';
import { LifecycleRecorder } from '../../src/services/lifecycleRecorder';
import { Settings, memorySettingsSource } from '../../src/services/settings';
import { silentLog } from '../../src/sqs/gateway';
import type { HeldMessage, LeaseEvent } from '../../src/sqs/leases';
import type { TraceBatch } from '../../src/services/traceFeed';
import type { TraceEvent } from '../../src/shared/trace';

const SOURCE = { url: 'http://sqs/orders', arn: 'arn:aws:sqs:us-east-1:0:orders' };
const DLQ = { url: 'http://sqs/orders-dlq', arn: 'arn:aws:sqs:us-east-1:0:orders-dlq' };

function received(messageId: string, systemAttributes: Record<string, string> = {}): LeaseEvent {
  const message = { messageId, receiveCount: 1, deadline: 0, systemAttributes, body: '' } as unknown as HeldMessage;
  return { kind: 'received', message, mode: 'hold' };
}

function recorder(settings = new Settings(memorySettingsSource())): LifecycleRecorder {
  return new LifecycleRecorder(settings, new KeyPaths(settings, silentLog), silentLog);
}

describe('lifecycle recorder', () => {
  it('records sends with the idempotency key the configured paths find', () => {
    const r = recorder(new Settings(memorySettingsSource({ idempotencyKeyPaths: ['order.id'] })));
    r.sent([{ messageId: 'm1', queueUrl: SOURCE.url, at: 1, body: '{"order":{"id":"o-7"}}' }], 'batch');
    const [event] = r.store.eventsOf('m1');
    assert.equal(event.kind, 'sent');
    assert.equal(event.details.via, 'batch');
    assert.equal(event.details.idempotencyKey, 'o-7');
  });

  it('links a moved message to its copy: old and new MessageId, each with the other', () => {
    const r = recorder(new Settings(memorySettingsSource({ idempotencyKeyPaths: ['order.id'] })));
    r.copied([{ original: { messageId: 'old', queueUrl: DLQ.url }, copy: { messageId: 'new', queueUrl: SOURCE.url, at: 5, body: '{"order":{"id":"o-1"}}' } }], 'move');
    const [copied] = r.store.eventsOf('old');
    assert.equal(copied.kind, 'copied');
    assert.deepEqual(copied.details, { copyId: 'new', toQueueUrl: SOURCE.url, via: 'move' });
    const [sent] = r.store.eventsOf('new');
    assert.equal(sent.kind, 'sent');
    assert.deepEqual(sent.kind === 'sent' && sent.details.copyOf, { messageId: 'old', queueUrl: DLQ.url });
    assert.equal(sent.kind === 'sent' && sent.details.via, 'move');
    assert.equal(sent.kind === 'sent' && sent.details.idempotencyKey, 'o-1', 'the copy carries its key like any send');
  });

  it('infers a move to the dead-letter queue once, from a message seen elsewhere first', () => {
    const r = recorder();
    const isDlq = (arn: string): boolean => arn === DLQ.arn;
    r.sent([{ messageId: 'm1', queueUrl: SOURCE.url, at: 1, body: 'x' }], 'send');
    r.leaseEvent(DLQ, received('m1'), undefined, isDlq, 2);
    r.leaseEvent(DLQ, received('m1'), undefined, isDlq, 3);
    assert.deepEqual(
      r.store.eventsOf('m1').map((e) => `${e.kind}@${e.queueUrl === DLQ.url ? 'dlq' : 'source'}`),
      ['sent@source', 'movedToDlq@dlq', 'received@dlq', 'received@dlq'],
    );
    r.leaseEvent(SOURCE, received('m2'), undefined, isDlq, 4);
    assert.deepEqual(r.store.eventsOf('m2').map((e) => e.kind), ['received'], 'a first receive on a source queue is no move');
    r.leaseEvent(SOURCE, received('m3', { DeadLetterQueueSourceArn: 'arn:aws:sqs:us-east-1:0:other' }), undefined, () => false, 5);
    assert.deepEqual(r.store.eventsOf('m3').map((e) => e.kind), ['movedToDlq', 'received'], 'SQS named the source queue');
  });

  it('feeds the duplicate index and follows the maxEvents setting', async () => {
    const settings = new Settings(memorySettingsSource({ 'lifecycle.maxEvents': 1_000 }));
    const r = recorder(settings);
    r.leaseEvent(SOURCE, received('m1'), undefined, () => false);
    r.leaseEvent(SOURCE, { ...received('m1'), message: { ...received('m1').message, receiveCount: 3 } }, undefined, () => false);
    assert.equal(r.duplicates.flagsOf('m1').redelivered, 3, 'received once more than the inspector saw');
    r.sent(Array.from({ length: 1_500 }, (_, i) => ({ messageId: `s${i}`, queueUrl: SOURCE.url, at: i, body: 'x' })), 'batch');
    assert.equal(r.store.eventCount, 1_000);
    await settings.update('lifecycle.maxEvents', 2_000);
    r.sent(Array.from({ length: 1_500 }, (_, i) => ({ messageId: `t${i}`, queueUrl: SOURCE.url, at: i, body: 'x' })), 'batch');
    assert.equal(r.store.eventCount, 2_000);
    r.forgetQueue(SOURCE.url);
    assert.equal(r.store.eventCount, 0);
    assert.deepEqual(r.duplicates.flagsOf('m1'), {});
    r.dispose();
  });

  it('with a followed trace, stamps the move to the DLQ with the server’s time, not a later peek’s', () => {
    const r = recorder();
    const isDlq = (arn: string): boolean => arn === DLQ.arn;
    let deliver: ((batch: TraceBatch) => void) | undefined;
    const following = r.followTrace({
      onEvents: (listener) => {
        deliver = listener;
        return { dispose: () => (deliver = undefined) };
      },
      coversQueue: (url) => url.startsWith('http://sqs/'),
    });
    const at = (seq: number, kind: TraceEvent['kind'], when: number, details: object, by?: TraceEvent['by']): TraceEvent =>
      ({ seq, kind, at: when, queue: 'orders', queueUrl: SOURCE.url, messageId: 'm1', ...(by ? { by } : {}), details }) as TraceEvent;
    deliver?.({
      connectionId: 'local',
      endpoint: 'http://sqs',
      missed: 0,
      events: [
        at(1, 'sent', 100, { bytes: 1, attributeNames: [], body: '{"id":1}' }, { accessKeyId: 'shop' }),
        at(2, 'received', 200, { receiveCount: 1, deadline: 30_200 }, { accessKeyId: 'worker', sdk: 'aws-sdk-js/3.700.0' }),
        at(3, 'expired', 30_200, { receiveCount: 1 }),
        at(4, 'movedToDlq', 31_000, { toQueue: 'orders-dlq', toQueueUrl: DLQ.url, receiveCount: 1 }, { accessKeyId: 'worker' }),
      ],
    });
    // The inspector peeks the DLQ half a minute later.
    r.leaseEvent(DLQ, received('m1', { DeadLetterQueueSourceArn: SOURCE.arn }), undefined, isDlq, 61_000);
    assert.deepEqual(
      r.store.eventsOf('m1').map((e) => `${e.kind}@${e.at}`),
      ['sent@100', 'received@200', 'expired@30200', 'movedToDlq@31000', 'received@61000'],
    );
    const [sent, consumerReceive] = r.store.eventsOf('m1');
    assert.ok(sent.kind === 'sent' && sent.details.via === 'producer' && sent.details.by === 'shop' && sent.details.bodyBytes === 8);
    assert.ok(consumerReceive.kind === 'received' && consumerReceive.details.mode === 'consumer' && consumerReceive.details.by === 'worker');
    assert.equal(r.duplicates.flagsOf('m1').byInspector?.hold, 1, 'the consumer’s receive is not counted as the inspector’s');
    // A peek that reads the DLQ before the server's event arrives infers nothing: the event follows.
    r.leaseEvent(DLQ, received('m2', { DeadLetterQueueSourceArn: SOURCE.arn }), undefined, isDlq, 62_000);
    deliver?.({ connectionId: 'local', endpoint: 'http://sqs', missed: 0, events: [{ ...at(5, 'movedToDlq', 32_000, { toQueue: 'orders-dlq', toQueueUrl: DLQ.url, receiveCount: 1 }), messageId: 'm2' }] });
    assert.deepEqual(r.store.eventsOf('m2').map((e) => `${e.kind}@${e.at}`), ['movedToDlq@32000', 'received@62000'], 'the late event takes its place in time');
    following.dispose();
    r.dispose();
  });

  it('skips the extension’s own requests in a trace, and expiries of its own holds', () => {
    const r = recorder();
    const own = { accessKeyId: 'local', workbench: true as const };
    r.traceEvents([
      { seq: 1, kind: 'sent', at: 1, queue: 'q', queueUrl: SOURCE.url, messageId: 'm1', by: own, details: { bytes: 1, attributeNames: [] } },
      { seq: 2, kind: 'received', at: 2, queue: 'q', queueUrl: SOURCE.url, messageId: 'm1', by: own, details: { receiveCount: 1, deadline: 5 } },
      { seq: 3, kind: 'expired', at: 5, queue: 'q', queueUrl: SOURCE.url, messageId: 'm1', details: { receiveCount: 1 } },
      { seq: 4, kind: 'deleted', at: 6, queue: 'q', queueUrl: SOURCE.url, messageId: 'm1', by: own, details: { stale: false, late: false, receiveCount: 1 } },
    ]);
    assert.deepEqual(r.store.eventsOf('m1'), []);
    r.dispose();
  });
});
