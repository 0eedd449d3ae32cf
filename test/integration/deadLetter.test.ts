import * as assert from 'node:assert/strict';
import {
  CancelMessageMoveTaskCommand,
  GetQueueAttributesCommand,
  ListDeadLetterSourceQueuesCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { startTestServer, type TestServer } from './harness';

describe('local server: dead-letter queues and move tasks', () => {
  let t: TestServer;
  let dlq: string;
  let dlqArn: string;
  let source: string;
  const arnOf = async (url: string): Promise<string> =>
    (await t.client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn ?? '';
  const visible = async (url: string): Promise<number> =>
    Number((await t.client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }))).Attributes?.ApproximateNumberOfMessages);

  beforeEach(async () => {
    t = await startTestServer();
    dlq = await t.createQueue('orders-dlq');
    dlqArn = await arnOf(dlq);
    source = await t.createQueue('orders', { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }) });
  });
  afterEach(() => t.close());

  it('moves a message to the DLQ after maxReceiveCount receives, keeping its MessageId', async () => {
    const sent = await t.client.send(new SendMessageCommand({ QueueUrl: source, MessageBody: 'poison' }));
    for (let i = 0; i < 2; i++) {
      const r = await t.client.send(new ReceiveMessageCommand({ QueueUrl: source, VisibilityTimeout: 0 }));
      assert.equal(r.Messages?.[0]?.MessageId, sent.MessageId, `receive ${i + 1} delivers`);
    }
    const third = await t.client.send(new ReceiveMessageCommand({ QueueUrl: source }));
    assert.equal(third.Messages, undefined, 'the third receive moved it instead of delivering it');
    assert.equal(await visible(source), 0);
    const moved = await t.client.send(new ReceiveMessageCommand({ QueueUrl: dlq, MessageSystemAttributeNames: ['All'] }));
    const m = moved.Messages?.[0];
    assert.equal(m?.MessageId, sent.MessageId);
    assert.equal(m?.Body, 'poison');
    assert.equal(m?.Attributes?.DeadLetterQueueSourceArn, await arnOf(source));
  });

  it('lists the queues that feed a DLQ', async () => {
    const other = await t.createQueue('payments', { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 5 }) });
    await t.createQueue('unrelated');
    const all = await t.client.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq }));
    assert.deepEqual(all.queueUrls, [source, other]);
    const page = await t.client.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq, MaxResults: 1 }));
    assert.deepEqual(page.queueUrls, [source]);
    const rest = await t.client.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq, MaxResults: 1, NextToken: page.NextToken }));
    assert.deepEqual(rest.queueUrls, [other]);
    assert.equal(rest.NextToken, undefined);
  });

  it('validates redrive policies', async () => {
    const set = (policy: unknown) =>
      t.client.send(new SetQueueAttributesCommand({ QueueUrl: source, Attributes: { RedrivePolicy: JSON.stringify(policy) } }));
    await assert.rejects(set({ deadLetterTargetArn: dlqArn, maxReceiveCount: 0 }), { name: 'InvalidAttributeValue' });
    await assert.rejects(set({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1001 }), { name: 'InvalidAttributeValue' });
    await assert.rejects(set({ maxReceiveCount: 3 }), { name: 'InvalidAttributeValue' });
    await assert.rejects(set({ deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:missing', maxReceiveCount: 3 }), {
      name: 'InvalidParameterValue',
      message: /does not exist/,
    });
    const fifoDlq = await t.createQueue('f.fifo', { FifoQueue: 'true' });
    await assert.rejects(set({ deadLetterTargetArn: await arnOf(fifoDlq), maxReceiveCount: 3 }), { message: /same type/ });
    await t.client.send(
      new SetQueueAttributesCommand({ QueueUrl: dlq, Attributes: { RedriveAllowPolicy: JSON.stringify({ redrivePermission: 'denyAll' }) } }),
    );
    await assert.rejects(set({ deadLetterTargetArn: dlqArn, maxReceiveCount: 3 }), { message: /RedriveAllowPolicy/ });
  });

  it('moves messages back to their source at the requested rate', async () => {
    for (let i = 0; i < 25; i++) await t.client.send(new SendMessageCommand({ QueueUrl: source, MessageBody: `m${i}` }));
    // Receive every message past maxReceiveCount (peeks) so that all 25 land in the DLQ.
    for (let i = 0; i < 20 && (await visible(dlq)) < 25; i++) {
      await t.client.send(new ReceiveMessageCommand({ QueueUrl: source, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }));
    }
    assert.equal(await visible(dlq), 25);
    assert.equal(await visible(source), 0);

    const { TaskHandle } = await t.client.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn, MaxNumberOfMessagesPerSecond: 10 }));
    assert.ok(TaskHandle);
    await assert.rejects(t.client.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn })), { name: 'UnsupportedOperation' });
    t.clock.advance(1_000);
    const moved1s = await visible(source);
    assert.ok(moved1s >= 9 && moved1s <= 11, `about 10 moved in the first second, got ${moved1s}`);
    const [running] = (await t.client.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn }))).Results ?? [];
    assert.equal(running.Status, 'RUNNING');
    assert.equal(running.ApproximateNumberOfMessagesToMove, 25);
    assert.equal(running.TaskHandle, TaskHandle);
    t.clock.advance(2_000);
    assert.equal(await visible(source), 25);
    assert.equal(await visible(dlq), 0);
    const [done] = (await t.client.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn }))).Results ?? [];
    assert.equal(done.Status, 'COMPLETED');
    assert.equal(done.ApproximateNumberOfMessagesMoved, 25);
    assert.equal(done.TaskHandle, undefined);
  });

  it('cancels a running move task and refuses a source that is not a DLQ', async () => {
    for (let i = 0; i < 20; i++) t.server.engine.sendMessage(dlq, { MessageBody: `d${i}` });
    const { TaskHandle } = await t.client.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn, DestinationArn: await arnOf(source), MaxNumberOfMessagesPerSecond: 5 }));
    t.clock.advance(1_000);
    const cancelled = await t.client.send(new CancelMessageMoveTaskCommand({ TaskHandle }));
    assert.ok((cancelled.ApproximateNumberOfMessagesMoved ?? 0) >= 4 && (cancelled.ApproximateNumberOfMessagesMoved ?? 0) <= 6);
    t.clock.advance(5_000);
    assert.equal(await visible(source), cancelled.ApproximateNumberOfMessagesMoved, 'nothing moves after the cancel');
    const [task] = (await t.client.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn }))).Results ?? [];
    assert.equal(task.Status, 'CANCELLED');
    await assert.rejects(t.client.send(new StartMessageMoveTaskCommand({ SourceArn: await arnOf(source) })), {
      name: 'InvalidParameterValue',
      message: /Dead Letter Queue/,
    });
  });

  it('moves a backlog faster than 500/s when no rate is chosen, as SQS optimizes the rate for the backlog', async () => {
    for (let i = 0; i < 1_200; i++) t.server.engine.sendMessage(dlq, { MessageBody: `b${i}` });
    const { TaskHandle } = await t.client.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn, DestinationArn: await arnOf(source) }));
    assert.ok(TaskHandle);
    t.clock.advance(1_100);
    assert.equal(await visible(source), 1_200, 'the whole backlog moved within about a second');
    const [task] = (await t.client.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn }))).Results ?? [];
    assert.equal(task.Status, 'COMPLETED');
    assert.equal(task.MaxNumberOfMessagesPerSecond, undefined, 'no rate was chosen, none is reported');
  });

  it('says CANCELLING until a cancelled task stops, and refuses a new task meanwhile', async () => {
    for (let i = 0; i < 20; i++) t.server.engine.sendMessage(dlq, { MessageBody: `c${i}` });
    const { TaskHandle } = await t.client.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn, DestinationArn: await arnOf(source), MaxNumberOfMessagesPerSecond: 1 }));
    await t.client.send(new CancelMessageMoveTaskCommand({ TaskHandle }));
    const [cancelling] = (await t.client.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn }))).Results ?? [];
    assert.equal(cancelling.Status, 'CANCELLING');
    await assert.rejects(t.client.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn })), { name: 'UnsupportedOperation' });
    await assert.rejects(t.client.send(new CancelMessageMoveTaskCommand({ TaskHandle })), { name: 'UnsupportedOperation' });
    t.clock.advance(1_000);
    const [cancelled] = (await t.client.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn }))).Results ?? [];
    assert.equal(cancelled.Status, 'CANCELLED');
    assert.equal(await visible(dlq), 20 - (cancelled.ApproximateNumberOfMessagesMoved ?? 0));
  });
});
