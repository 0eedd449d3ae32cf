import * as assert from 'node:assert/strict';
import { ManualClock } from '../../src/local/clock';
import { SqsEngine } from '../../src/local/engine';
import { TraceLog } from '../../src/local/trace';
import { traceActor, type TraceEvent } from '../../src/shared/trace';

const record = (log: TraceLog, messageId: string, body?: string): void =>
  log.record('sent', 1, 'q', 'http://x/0/q', messageId, undefined, { bytes: 1, attributeNames: [], ...(body !== undefined ? { body } : {}) });

const brief = (events: readonly TraceEvent[]): string[] => events.map((e) => `${e.kind}:${e.by?.accessKeyId ?? '-'}`);

describe('trace ring', () => {
  it('keeps the newest events up to its count, counts every drop, and says what a reader missed', () => {
    const log = new TraceLog({ maxEvents: 3, maxBytes: 1_000_000 });
    for (let i = 1; i <= 5; i++) record(log, `m${i}`);
    assert.equal(log.size, 3);
    assert.equal(log.droppedTotal, 2);
    assert.equal(log.oldestSeq, 3);
    const fromStart = log.read(0, 100);
    assert.deepEqual(fromStart.events.map((e) => e.seq), [3, 4, 5]);
    assert.equal(fromStart.missed, 2, 'events 1 and 2 were dropped before this reader came');
    assert.equal(fromStart.next, 5);
    const resumed = log.read(3, 1);
    assert.deepEqual(resumed.events.map((e) => e.messageId), ['m4']);
    assert.equal(resumed.missed, 0);
    assert.equal(resumed.next, 4);
    const upToDate = log.read(5, 100);
    assert.deepEqual(upToDate.events, []);
    assert.equal(upToDate.next, 5);
  });

  it('drops the oldest events to stay within its memory, bodies counted', () => {
    const log = new TraceLog({ maxEvents: 1_000, maxBytes: 4_000 });
    for (let i = 0; i < 10; i++) record(log, `small${i}`);
    const before = log.size;
    record(log, 'big', 'x'.repeat(1_500));
    assert.ok(log.bytesUsed <= 4_000, `${log.bytesUsed} bytes kept`);
    assert.ok(log.size < before, 'older events made room for the body');
    assert.equal(log.droppedTotal, before + 1 - log.size);
    assert.equal(log.read(0, 100).events.at(-1)?.messageId, 'big');
  });

  it('reads from the start for a reader ahead of it (it knew an earlier server)', () => {
    const log = new TraceLog({ maxEvents: 10, maxBytes: 100_000 });
    record(log, 'a');
    assert.deepEqual(log.read(500, 10).events.map((e) => e.messageId), ['a']);
  });

  it('refuses limits that keep nothing', () => {
    assert.throws(() => new TraceLog({ maxEvents: 0, maxBytes: 1_000 }), /at least 1 event/);
  });

  it('reads who made a request from its signature and User-Agent', () => {
    const auth = 'AWS4-HMAC-SHA256 Credential=orders-consumer/20260101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=abc';
    assert.deepEqual(traceActor(auth, 'aws-sdk-js/3.700.0 ua/2.1 os/linux lang/js'), { accessKeyId: 'orders-consumer', sdk: 'aws-sdk-js/3.700.0' });
    assert.deepEqual(traceActor(undefined, 'Boto3/1.26.0 md/Botocore#1.29.0 Python/3.11'), { sdk: 'Boto3/1.26.0' });
    assert.deepEqual(traceActor(undefined, 'aws-cli/2.9.0 Python/3.11'), { sdk: 'aws-cli/2.9.0' });
    assert.deepEqual(traceActor(auth, 'aws-sdk-js/3.700.0 sqs-workbench/0.1.0'), { accessKeyId: 'orders-consumer', sdk: 'aws-sdk-js/3.700.0', workbench: true });
    assert.equal(traceActor(undefined, undefined), undefined);
  });
});

describe('the engine trace, under a manual clock', () => {
  const alice = { accessKeyId: 'alice' };
  const bob = { accessKeyId: 'bob' };

  it('records sends, receives, expiry at the deadline, a late stale delete, and the current delete', async () => {
    const clock = new ManualClock(1_000_000);
    const engine = new SqsEngine({ clock });
    const url = engine.createQueue('jobs', { VisibilityTimeout: '30' });
    const { MessageId } = engine.runAs(alice, () => engine.sendMessage(url, { MessageBody: 'hello', MessageAttributes: { kind: { DataType: 'String', StringValue: 'a' } } }));
    const first = await engine.runAs(bob, () => engine.receiveMessage(url, {}));
    clock.advance(45_000);
    // Nothing looked at the queue since the deadline: the expiry is recorded when it is applied, with the deadline's time.
    const second = await engine.runAs(alice, () => engine.receiveMessage(url, { VisibilityTimeout: 10 }));
    engine.runAs(bob, () => engine.deleteMessage(url, first[0].ReceiptHandle));
    engine.runAs(alice, () => engine.changeMessageVisibility(url, second[0].ReceiptHandle, 20));
    engine.runAs(alice, () => engine.deleteMessage(url, second[0].ReceiptHandle));
    const events = engine.trace.read(0, 100).events;
    assert.deepEqual(brief(events), ['sent:alice', 'received:bob', 'expired:-', 'received:alice', 'deleted:bob', 'visibilityChanged:alice', 'deleted:alice']);
    assert.ok(events.every((e) => e.messageId === MessageId && e.queue === 'jobs'));
    const [sent, received, expired, , stale, changed, deleted] = events;
    assert.equal(sent.at, 1_000_000);
    assert.ok(sent.kind === 'sent' && sent.details.bytes > 5 && sent.details.attributeNames.join() === 'kind');
    assert.ok(received.kind === 'received' && received.details.deadline === 1_030_000 && received.details.receiveCount === 1);
    assert.equal(expired.at, 1_030_000, 'at the deadline, not when the engine noticed');
    assert.ok(stale.kind === 'deleted' && stale.details.stale && stale.details.late);
    assert.ok(changed.kind === 'visibilityChanged' && changed.details.deadline === 1_045_000 + 20_000);
    assert.ok(deleted.kind === 'deleted' && !deleted.details.stale && !deleted.details.late && deleted.details.receiveCount === 2);
  });

  it('records delays ending, releases, FIFO deduplication, DLQ moves, move tasks, purges and retention', async () => {
    const clock = new ManualClock(0);
    const engine = new SqsEngine({ clock });
    const dlq = engine.createQueue('dead');
    const src = engine.createQueue('work', { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: engine.queueArn('dead'), maxReceiveCount: 1 }), MessageRetentionPeriod: '60' });
    engine.sendMessage(src, { MessageBody: 'late', DelaySeconds: 5 });
    clock.advance(6_000);
    const [m] = await engine.runAs(alice, () => engine.receiveMessage(src, {}));
    engine.runAs(alice, () => engine.changeMessageVisibility(src, m.ReceiptHandle, 0));
    const none = await engine.runAs(bob, () => engine.receiveMessage(src, {}));
    assert.equal(none.length, 0, 'the second receive moved it instead');
    engine.startMessageMoveTask(engine.queueArn('dead'));
    const fifo = engine.createQueue('f.fifo', { FifoQueue: 'true' });
    engine.sendMessage(fifo, { MessageBody: 'a', MessageGroupId: 'g', MessageDeduplicationId: 'd1' });
    engine.runAs(bob, () => engine.sendMessage(fifo, { MessageBody: 'a', MessageGroupId: 'g', MessageDeduplicationId: 'd1' }));
    engine.runAs(bob, () => engine.purgeQueue(fifo));
    clock.advance(60_000);
    engine.tickAll();
    const events = engine.trace.read(0, 100).events;
    assert.deepEqual(
      events.map((e) => `${e.kind}@${e.queue}:${e.by?.accessKeyId ?? '-'}`),
      ['sent@work:-', 'visible@work:-', 'received@work:alice', 'released@work:alice', 'movedToDlq@work:bob', 'moved@dead:-', 'sent@f.fifo:-', 'deduplicated@f.fifo:bob', 'purged@f.fifo:bob', 'retentionExpired@work:-'],
    );
    const byKind = new Map(events.map((e) => [e.kind, e]));
    assert.equal(byKind.get('visible')?.at, 5_000, 'the delay ended at 5 s');
    const moved = byKind.get('movedToDlq');
    assert.ok(moved?.kind === 'movedToDlq' && moved.details.toQueue === 'dead' && moved.at === 6_000);
    assert.equal(byKind.get('moved')?.kind === 'moved' && byKind.get('moved')?.queueUrl, dlq);
    const purged = byKind.get('purged');
    assert.ok(purged?.kind === 'purged' && purged.details.count === 1);
    assert.equal(byKind.get('retentionExpired')?.at, 60_000, 'retention counts from the first send');
  });
});
