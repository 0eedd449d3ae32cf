import * as assert from 'node:assert/strict';
import { KeyPaths } from '../../src/services/keyPaths';
import { LifecycleRecorder } from '../../src/services/lifecycleRecorder';
import { Settings, memorySettingsSource } from '../../src/services/settings';
import { silentLog } from '../../src/sqs/gateway';
import type { HeldMessage, LeaseEvent } from '../../src/sqs/leases';

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
});
