import * as assert from 'node:assert/strict';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { createSqsClient, localConnection } from '../../src/sqs/connections';
import { SqsCallError } from '../../src/sqs/errors';
import { SqsGateway } from '../../src/sqs/gateway';
import { cancelMoveTask, explainMoveTaskError, listMoveTasks, startMoveTask, watchMoveTask, type MoveTaskState } from '../../src/sqs/moveTasks';
import { settle, startTestServer, type TestServer } from './harness';

describe('redrive: move tasks through the SQS layer against the local server', () => {
  let t: TestServer;
  let gateway: SqsGateway;
  let dlq: string;
  let dlqArn: string;
  let orders: string;
  let payments: string;
  const arnOf = async (url: string): Promise<string> =>
    (await t.client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn ?? '';
  /** Waits by moving the server's clock on: the server moves messages on its own timers. */
  const sleep = async (ms: number): Promise<void> => {
    t.clock.advance(ms);
    await settle(5);
  };
  const counts = (url: string) => t.server.engine.counts(url);
  /** Puts `n` messages in the DLQ as if each had failed in `source` more than `maxReceiveCount` (1) times. */
  const deadLetter = async (source: string, n: number): Promise<void> => {
    for (let i = 0; i < n; i++) t.server.engine.sendMessage(source, { MessageBody: `${source.slice(-8)}-${i}` });
    while (counts(source).visible > 0) await t.server.engine.receiveMessage(source, { MaxNumberOfMessages: 10, VisibilityTimeout: 0 });
  };

  beforeEach(async () => {
    t = await startTestServer();
    const connection = localConnection(t.server.endpoint, 'us-east-1');
    gateway = new SqsGateway(connection, createSqsClient(connection, { maxAttempts: 1 }));
    dlq = await t.createQueue('orders-dlq');
    dlqArn = await arnOf(dlq);
    const redrive = JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 });
    orders = await t.createQueue('orders', { RedrivePolicy: redrive });
    payments = await t.createQueue('payments', { RedrivePolicy: redrive });
  });
  afterEach(async () => {
    gateway.dispose();
    await t.close();
  });

  it('redrives every message back to the queue it came from, following progress to COMPLETED', async () => {
    await deadLetter(orders, 30);
    await deadLetter(payments, 20);
    const inDlq = counts(dlq).visible;
    assert.equal(inDlq, 50);
    const fromOrders = 30;
    const handle = await startMoveTask(gateway, dlqArn, { rate: 100 });
    const seen: MoveTaskState[] = [];
    for await (const state of watchMoveTask(gateway, dlqArn, handle, { intervalMs: 100, sleep })) seen.push(state);
    const last = seen[seen.length - 1];
    assert.equal(last.status, 'COMPLETED');
    assert.equal(last.moved, inDlq);
    assert.equal(last.toMove, inDlq);
    assert.equal(last.handle, undefined, 'an ended task has no handle');
    assert.ok(seen.some((s) => s.status === 'RUNNING' && s.moved > 0 && s.moved < inDlq), 'progress was seen while it ran');
    assert.equal(counts(dlq).visible, 0);
    assert.equal(counts(orders).visible, fromOrders);
    assert.equal(counts(payments).visible, inDlq - fromOrders);
  });

  it('redrives to a chosen queue', async () => {
    await deadLetter(orders, 12);
    const replay = await t.createQueue('replay');
    const handle = await startMoveTask(gateway, dlqArn, { destinationArn: await arnOf(replay) });
    let last: MoveTaskState | undefined;
    for await (const state of watchMoveTask(gateway, dlqArn, handle, { intervalMs: 200, sleep })) last = state;
    assert.equal(last?.status, 'COMPLETED');
    assert.equal(last?.destinationArn, await arnOf(replay));
    assert.equal(counts(replay).visible, 12);
    assert.equal(counts(orders).visible, 0);
  });

  it('honours the velocity: about N messages per second', async () => {
    await deadLetter(orders, 100);
    const handle = await startMoveTask(gateway, dlqArn, { rate: 20 });
    const samples: number[] = [];
    for await (const state of watchMoveTask(gateway, dlqArn, handle, { intervalMs: 1_000, sleep })) {
      samples.push(state.moved);
      if (samples.length === 4) break;
    }
    // Polls at 0, 1, 2 and 3 seconds: 20 more each second, within one message.
    for (let i = 1; i < samples.length; i++) {
      const step = samples[i] - samples[i - 1];
      assert.ok(step >= 19 && step <= 21, `second ${i}: ${step} moved (samples ${samples.join(', ')})`);
    }
  });

  it('cancels a running task: the watch ends CANCELLED and the rest stays in the DLQ', async () => {
    await deadLetter(orders, 50);
    const handle = await startMoveTask(gateway, dlqArn, { rate: 10 });
    let last: MoveTaskState | undefined;
    let cancelledAt: number | undefined;
    for await (const state of watchMoveTask(gateway, dlqArn, handle, { intervalMs: 500, sleep })) {
      last = state;
      if (cancelledAt === undefined && state.moved >= 10) cancelledAt = await cancelMoveTask(gateway, handle, dlqArn);
    }
    assert.equal(last?.status, 'CANCELLED');
    assert.ok(cancelledAt !== undefined);
    assert.equal(last?.moved, cancelledAt, 'nothing moved after the cancel');
    assert.equal(counts(orders).visible, cancelledAt);
    assert.equal(counts(dlq).visible, 50 - cancelledAt);
    const recent = await listMoveTasks(gateway, dlqArn);
    assert.equal(recent[0].status, 'CANCELLED');
  });

  it('refuses with the cause named: not a DLQ, another task running, a velocity out of range, a type mismatch', async () => {
    await deadLetter(orders, 5);
    const refusal = async (promise: Promise<unknown>, source: string, destination?: string): Promise<string> => {
      try {
        await promise;
      } catch (err) {
        assert.ok(err instanceof SqsCallError);
        return explainMoveTaskError(err, source, destination);
      }
      assert.fail('the call was accepted');
    };
    const ordersArn = await arnOf(orders);
    assert.match(await refusal(startMoveTask(gateway, ordersArn), ordersArn), /orders is not a dead-letter queue/);
    await startMoveTask(gateway, dlqArn, { rate: 1 });
    assert.match(await refusal(startMoveTask(gateway, dlqArn), dlqArn), /Another redrive task is running on orders-dlq/);
    await assert.rejects(startMoveTask(gateway, dlqArn, { rate: 501 }), /from 1 to 500/);
    await assert.rejects(startMoveTask(gateway, dlqArn, { rate: 0 }), /from 1 to 500/);
    const fifo = await arnOf(await t.createQueue('replay.fifo', { FifoQueue: 'true' }));
    const other = await t.createQueue('other-dlq');
    await t.createQueue('feeds-other', { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: await arnOf(other), maxReceiveCount: 1 }) });
    const otherArn = await arnOf(other);
    assert.match(await refusal(startMoveTask(gateway, otherArn, { destinationArn: fifo }), otherArn, fifo), /both be standard or both FIFO/);
  });

  it('names access denied and RedriveAllowPolicy refusals', () => {
    const denied = new SqsCallError('User is not authorized to perform sqs:StartMessageMoveTask', 'AccessDenied', 'StartMessageMoveTask', 'orders-dlq', false);
    assert.match(explainMoveTaskError(denied, dlqArn), /^Access denied: a redrive needs sqs:StartMessageMoveTask/);
    const policy = new SqsCallError("The destination's RedriveAllowPolicy does not allow this source.", 'InvalidParameterValue', 'StartMessageMoveTask', 'orders-dlq', false);
    assert.match(explainMoveTaskError(policy, dlqArn, 'arn:aws:sqs:us-east-1:000000000000:replay'), /^The RedriveAllowPolicy forbids this redrive to replay/);
  });
});
