import * as assert from 'node:assert/strict';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type Message,
} from '@aws-sdk/client-sqs';
import { startTestServer, type TestServer } from './harness';

describe('local server: FIFO queues', () => {
  let t: TestServer;
  let url: string;
  const send = (body: string, group: string, dedup = body) =>
    t.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body, MessageGroupId: group, MessageDeduplicationId: dedup }));
  const receive = async (max = 10, vt = 30, queueUrl = url): Promise<Message[]> =>
    (
      await t.client.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: max, VisibilityTimeout: vt, MessageSystemAttributeNames: ['All'] }),
      )
    ).Messages ?? [];
  const del = (m: Message) => t.client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));

  beforeEach(async () => {
    t = await startTestServer();
    url = await t.createQueue('jobs.fifo', { FifoQueue: 'true' });
  });
  afterEach(() => t.close());

  it('keeps order within a group and returns several messages of a group in one receive', async () => {
    for (const b of ['a1', 'a2', 'a3']) await send(b, 'A');
    const got = await receive();
    assert.deepEqual(got.map((m) => m.Body), ['a1', 'a2', 'a3']);
    assert.deepEqual(got.map((m) => m.Attributes?.MessageGroupId), ['A', 'A', 'A']);
  });

  it('blocks a group while one of its messages is in flight; other groups flow', async () => {
    for (const b of ['a1', 'a2']) await send(b, 'A');
    for (const b of ['b1', 'b2']) await send(b, 'B');
    const first = await receive(1);
    assert.deepEqual(first.map((m) => m.Body), ['a1']);
    const next = await receive(10);
    assert.deepEqual(next.map((m) => m.Body), ['b1', 'b2'], 'group A is blocked by a1 in flight');
    assert.deepEqual(await receive(10), []);
    await del(first[0]);
    assert.deepEqual((await receive(10)).map((m) => m.Body), ['a2']);
  });

  it('redelivers the head of a group, in order, when its visibility runs out', async () => {
    for (const b of ['a1', 'a2', 'a3']) await send(b, 'A');
    const got = await receive(2, 10);
    assert.deepEqual(got.map((m) => m.Body), ['a1', 'a2']);
    await del(got[0]);
    assert.deepEqual(await receive(), [], 'a2 still in flight blocks a3');
    t.clock.advance(10_000);
    const again = await receive();
    assert.deepEqual(again.map((m) => m.Body), ['a2', 'a3']);
    assert.equal(again[0].Attributes?.ApproximateReceiveCount, '2');
  });

  it('releases a group when the in-flight message is made visible again', async () => {
    await send('a1', 'A');
    await send('a2', 'A');
    const [m] = await receive(1);
    await t.client.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 }));
    assert.deepEqual((await receive()).map((x) => x.Body), ['a1', 'a2']);
  });

  it('deduplicates by id for 5 minutes, even after the first copy was deleted', async () => {
    const first = await send('pay', 'A', 'key-1');
    const dup = await send('pay again', 'A', 'key-1');
    assert.equal(dup.MessageId, first.MessageId, 'the duplicate is accepted and answered with the first copy');
    assert.equal(dup.SequenceNumber, first.SequenceNumber);
    const [m] = await receive();
    await del(m);
    const afterDelete = await send('pay once more', 'A', 'key-1');
    assert.equal(afterDelete.MessageId, first.MessageId);
    assert.deepEqual(await receive(), [], 'nothing delivered twice');
    t.clock.advance(5 * 60 * 1000);
    const fresh = await send('after the window', 'A', 'key-1');
    assert.notEqual(fresh.MessageId, first.MessageId);
    assert.deepEqual((await receive()).map((x) => x.Body), ['after the window']);
  });

  it('deduplicates by content with ContentBasedDeduplication', async () => {
    const cbd = await t.createQueue('cbd.fifo', { FifoQueue: 'true', ContentBasedDeduplication: 'true' });
    const a = await t.client.send(new SendMessageCommand({ QueueUrl: cbd, MessageBody: '{"x":1}', MessageGroupId: 'g' }));
    const b = await t.client.send(new SendMessageCommand({ QueueUrl: cbd, MessageBody: '{"x":1}', MessageGroupId: 'g' }));
    const c = await t.client.send(new SendMessageCommand({ QueueUrl: cbd, MessageBody: '{"x":2}', MessageGroupId: 'g' }));
    assert.equal(b.MessageId, a.MessageId);
    assert.notEqual(c.MessageId, a.MessageId);
    const got = await receive(10, 30, cbd);
    assert.equal(got.length, 2);
    assert.equal(got[0].Attributes?.MessageDeduplicationId?.length, 64, 'the SHA-256 of the body');
  });

  it('scopes deduplication to the group when DeduplicationScope is messageGroup', async () => {
    const scoped = await t.createQueue('scoped.fifo', {
      FifoQueue: 'true',
      DeduplicationScope: 'messageGroup',
      FifoThroughputLimit: 'perMessageGroupId',
    });
    const a = await t.client.send(new SendMessageCommand({ QueueUrl: scoped, MessageBody: 'x', MessageGroupId: 'g1', MessageDeduplicationId: 'd' }));
    const b = await t.client.send(new SendMessageCommand({ QueueUrl: scoped, MessageBody: 'x', MessageGroupId: 'g2', MessageDeduplicationId: 'd' }));
    assert.notEqual(a.MessageId, b.MessageId);
  });

  it('gives sequence numbers that only grow, as long decimal strings', async () => {
    const seqs: bigint[] = [];
    for (let i = 0; i < 5; i++) seqs.push(BigInt((await send(`m${i}`, i % 2 ? 'A' : 'B')).SequenceNumber ?? '0'));
    const batch = await t.client.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [0, 1, 2].map((i) => ({ Id: `e${i}`, MessageBody: `b${i}`, MessageGroupId: 'C', MessageDeduplicationId: `b${i}` })),
      }),
    );
    seqs.push(...(batch.Successful ?? []).map((s) => BigInt(s.SequenceNumber ?? '0')));
    for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i] > seqs[i - 1], `sequence ${i} grows`);
    assert.ok(seqs[0].toString().length >= 20);
  });

  it('requires a group id, requires a dedup id without content-based dedup, and refuses per-message delay', async () => {
    await assert.rejects(t.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageDeduplicationId: 'd' })), {
      name: 'MissingParameter',
      message: /MessageGroupId/,
    });
    await assert.rejects(t.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageGroupId: 'g' })), {
      name: 'InvalidParameterValue',
      message: /ContentBasedDeduplication/,
    });
    await assert.rejects(
      t.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageGroupId: 'g', MessageDeduplicationId: 'd', DelaySeconds: 5 })),
      { name: 'InvalidParameterValue', message: /DelaySeconds/ },
    );
    await assert.rejects(
      t.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageGroupId: 'g'.repeat(129), MessageDeduplicationId: 'd' })),
      { name: 'InvalidParameterValue', message: /MessageGroupId/ },
    );
  });

  it('accepts a MessageGroupId on a standard queue (fair queues) but not a dedup id', async () => {
    const std = await t.createQueue('tenants');
    await t.client.send(new SendMessageCommand({ QueueUrl: std, MessageBody: 'x', MessageGroupId: 'tenant-1' }));
    const [m] = await receive(1, 30, std);
    assert.equal(m.Attributes?.MessageGroupId, 'tenant-1');
    await assert.rejects(t.client.send(new SendMessageCommand({ QueueUrl: std, MessageBody: 'x', MessageDeduplicationId: 'd' })), {
      name: 'InvalidParameterValue',
    });
  });

  it('applies a queue-level delay on FIFO queues', async () => {
    const slow = await t.createQueue('slow.fifo', { FifoQueue: 'true', DelaySeconds: '10', ContentBasedDeduplication: 'true' });
    await t.client.send(new SendMessageCommand({ QueueUrl: slow, MessageBody: 'later', MessageGroupId: 'g' }));
    assert.deepEqual(await receive(10, 30, slow), []);
    t.clock.advance(10_000);
    assert.deepEqual((await receive(10, 30, slow)).map((m) => m.Body), ['later']);
  });
});
