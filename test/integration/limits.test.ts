import * as assert from 'node:assert/strict';
import { DeleteMessageCommand, PurgeQueueCommand, ReceiveMessageCommand, SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { startTestServer, type TestServer } from './harness';

describe('local server: its memory limit', () => {
  let t: TestServer;
  afterEach(() => t.close());

  it('refuses sends past the limit with OverLimit, keeps what it holds, and takes sends again after a delete or purge', async () => {
    t = await startTestServer({ maxStoredBytes: 5 * 1_048_576 });
    const url = await t.createQueue('big');
    const body = 'x'.repeat(1_000_000);
    let sent = 0;
    let refusal: unknown;
    for (let i = 0; i < 10 && refusal === undefined; i++) {
      try {
        await t.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
        sent++;
      } catch (err) {
        refusal = err;
      }
    }
    assert.equal(sent, 5, 'five messages of a million bytes fit in 5 MiB');
    assert.ok(refusal instanceof Error);
    assert.equal(refusal.name, 'OverLimit');
    assert.match(refusal.message, /its limit is 5 MiB.*--max-memory/);
    assert.equal(t.server.engine.counts(url).visible, 5, 'nothing already held is lost');

    // A batch reports the refusal entry by entry.
    const batch = await t.client.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: 'a', MessageBody: 'small' }, { Id: 'b', MessageBody: body }] }));
    assert.deepEqual(batch.Successful?.map((e) => e.Id), ['a']);
    assert.deepEqual(batch.Failed?.map((e) => [e.Id, e.Code, e.SenderFault]), [['b', 'OverLimit', true]]);

    const got = await t.client.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 1 }));
    await t.client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: got.Messages?.[0]?.ReceiptHandle }));
    await t.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
    await t.client.send(new PurgeQueueCommand({ QueueUrl: url }));
    assert.equal(t.server.engine.memory.used, 0, 'a purge frees everything it held');
    for (let i = 0; i < 5; i++) await t.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
  });
});
