import * as assert from 'node:assert/strict';
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { startTestServer, type TestServer } from './harness';
import { all, query, text } from './queryClient';

describe('local server: ReceiveRequestAttemptId on FIFO queues', () => {
  let t: TestServer;
  let url: string;
  beforeEach(async () => {
    t = await startTestServer();
    url = await t.createQueue('attempts.fifo', { FifoQueue: 'true', ContentBasedDeduplication: 'true', VisibilityTimeout: '30' });
    for (const body of ['a1', 'a2', 'a3']) await t.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body, MessageGroupId: 'a' }));
    await t.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'b1', MessageGroupId: 'b' }));
  });
  afterEach(() => t.close());

  const receive = async (attempt: string | undefined, max = 3): Promise<Message[]> =>
    (await t.client.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: max, ReceiveRequestAttemptId: attempt, MessageSystemAttributeNames: ['ApproximateReceiveCount'] })))
      .Messages ?? [];
  const summary = (messages: Message[]): string[][] => messages.map((m) => [m.Body ?? '', m.ReceiptHandle ?? '']);

  it('answers a retried receive with the same messages and receipt handles', async () => {
    const first = await receive('retry-1');
    assert.deepEqual(first.map((m) => m.Body), ['a1', 'a2', 'a3']);
    t.clock.advance(20_000);
    const retry = await receive('retry-1');
    assert.deepEqual(summary(retry), summary(first));
    assert.equal(retry[0].Attributes?.ApproximateReceiveCount, '1');
    // The retry starts the visibility timeout again: 20 s + 29 s is past the first deadline.
    t.clock.advance(29_000);
    assert.deepEqual((await receive('another')).map((m) => m.Body), ['b1']);
    for (const m of retry) await t.client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
    assert.deepEqual(t.server.engine.counts(url), { visible: 0, inflight: 1, delayed: 0 });
  });

  it('receives anew when a message of the first answer was deleted', async () => {
    const first = await receive('retry-2');
    await t.client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first[0].ReceiptHandle }));
    // Group a is still in flight (a2, a3): a new receive gets group b.
    assert.deepEqual((await receive('retry-2')).map((m) => m.Body), ['b1']);
  });

  it('receives anew when the visibility of a message of the first answer changed', async () => {
    const first = await receive('retry-3');
    await t.client.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: first[2].ReceiptHandle, VisibilityTimeout: 0 }));
    const again = await receive('retry-3', 10);
    assert.deepEqual(again.map((m) => m.Body), ['b1']);
  });

  it('receives anew after five minutes', async () => {
    const first = await receive('retry-4');
    t.clock.advance(5 * 60_000);
    const later = await receive('retry-4', 10);
    // Group b was waiting its turn, so it comes first this time.
    assert.deepEqual(later.map((m) => m.Body), ['b1', 'a1', 'a2', 'a3']);
    assert.notEqual(later[1].ReceiptHandle, first[0].ReceiptHandle);
    assert.equal(later[1].Attributes?.ApproximateReceiveCount, '2');
  });

  it('does not replay for another attempt id, nor on a standard queue', async () => {
    await receive('retry-5');
    assert.deepEqual((await receive('retry-6')).map((m) => m.Body), ['b1']);
    const standard = await t.createQueue('attempts-standard');
    await t.client.send(new SendMessageCommand({ QueueUrl: standard, MessageBody: 's' }));
    const once = await t.client.send(new ReceiveMessageCommand({ QueueUrl: standard, ReceiveRequestAttemptId: 'x' }));
    assert.equal(once.Messages?.length, 1);
    const twice = await t.client.send(new ReceiveMessageCommand({ QueueUrl: standard, ReceiveRequestAttemptId: 'x' }));
    assert.equal(twice.Messages, undefined);
  });

  it('refuses an attempt id that is not 1 to 128 printable characters', async () => {
    await assert.rejects(receive('x'.repeat(129)), { name: 'InvalidParameterValue', message: /ReceiveRequestAttemptId/ });
  });

  it('replays over the Query protocol too', async () => {
    const params = { Action: 'ReceiveMessage', QueueUrl: url, MaxNumberOfMessages: 3, ReceiveRequestAttemptId: 'query-1' };
    const handles = async (): Promise<string[]> => {
      const answer = await query(t.server.endpoint, params);
      assert.equal(answer.status, 200, answer.raw);
      return all(answer.xml, 'ReceiveMessageResult/Message').map((m) => text(m, 'ReceiptHandle'));
    };
    const first = await handles();
    assert.equal(first.length, 3);
    assert.deepEqual(await handles(), first);
  });
});
