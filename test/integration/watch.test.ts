import * as assert from 'node:assert/strict';
import { DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { MessageView, UpsertParams } from '../../src/protocol';
import type { TraceEvent } from '../../src/shared/trace';
import { KeyPaths } from '../../src/services/keyPaths';
import { LifecycleRecorder } from '../../src/services/lifecycleRecorder';
import { Settings, memorySettingsSource } from '../../src/services/settings';
import { TraceFeed } from '../../src/services/traceFeed';
import { createSqsClient, localConnection } from '../../src/sqs/connections';
import { SqsGateway, silentLog } from '../../src/sqs/gateway';
import { getQueueSnapshot } from '../../src/sqs/queues';
import { InspectorSession, type InspectorSessionDeps } from '../../src/views/inspector/inspectorSession';
import { processClient, startTestServer, type TestServer } from './harness';

/** Waits until `check` holds: the trace reaches the session over HTTP, in its own time. */
async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(check(), `never: ${what}`);
}

/** An inspector session of the queue at `url`, as the panel makes one, with the given trace and page ends. */
async function watchSession(gateway: SqsGateway, url: string, recorder: LifecycleRecorder, deps: Pick<InspectorSessionDeps, 'post' | 'traceEvents'> & Partial<InspectorSessionDeps>): Promise<InspectorSession> {
  return new InspectorSession(gateway, await getQueueSnapshot(gateway, url), { id: 'local', name: 'Local' }, {
    lifecycle: recorder.store,
    duplicates: recorder.duplicates,
    recorder,
    keyPaths: () => [],
    isDeadLetterQueue: () => false,
    options: () => ({ count: 100, waitSeconds: 0, visibilityTimeout: 30, mode: 'watch' }),
    ...deps,
  });
}

describe('Watch: a producer and consumers against the local server (services layer, plain Node)', () => {
  let t: TestServer;
  const disposables: { dispose(): void }[] = [];
  afterEach(async () => {
    for (const d of disposables.splice(0).reverse()) d.dispose();
    await t.close();
  });

  it('follows each consumer live and flags the poison message, the late delete and the slow consumer', async () => {
    t = await startTestServer();
    const endpoint = t.server.endpoint;
    const dlq = await t.createQueue('orders-dlq');
    const dlqArn = (await t.client.send(new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn ?? '';
    const url = await t.createQueue('orders', { VisibilityTimeout: '30', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }) });
    const [producer, crasher, late, slow] = ['producer', 'crasher', 'late-worker', 'slow-worker'].map((id) => processClient(endpoint, id));
    disposables.push(...[producer, crasher, late, slow].map((c) => ({ dispose: () => c.destroy() })));
    const ids: string[] = [];
    for (const body of ['poison', 'late', 'slow', 'fine']) ids.push((await producer.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }))).MessageId ?? '');
    const [poisonId, lateId, slowId, fineId] = ids;

    const connection = localConnection(endpoint, 'us-east-1');
    const gateway = new SqsGateway(connection, createSqsClient(connection));
    disposables.push({ dispose: () => gateway.client.destroy() });
    const feed = new TraceFeed({ all: [{ info: { id: 'local', endpoint } }], onDidChange: () => ({ dispose: () => undefined }) } as never, silentLog, { waitSeconds: 1 });
    const settings = new Settings(memorySettingsSource());
    const recorder = new LifecycleRecorder(settings, new KeyPaths(settings, silentLog), silentLog);
    disposables.push(feed, recorder, recorder.followTrace(feed));

    const session = await watchSession(gateway, url, recorder, {
      browsable: () => feed.isTraced('local'),
      traceEvents: (listener) => feed.onEvents((b) => listener(b.events)),
      post: () => undefined,
    });
    disposables.push(session);
    await feed.sync();
    assert.equal(session.queueView.browsable, true);
    assert.deepEqual(await session.browse(endpoint, 100, true), ids);
    const row = (id: string): MessageView | undefined => session.views.find((v) => v.messageId === id);
    assert.deepEqual(session.views.map((v) => [v.state, v.mode]), Array(4).fill(['visible', 'watch']));
    assert.equal(session.bodyOf(ids[0]), 'poison', 'Copy Body and Open in Editor read a watched message too');
    assert.deepEqual(Object.keys(session.views[0].disabled).sort(), ['copy', 'delete', 'extend', 'release'], 'no receipt handle, no received copy: each action says why');
    assert.match(session.views[0].disabled.copy ?? '', /read, not received.*Hold it to copy it/);

    const first = async (c: SQSClient) => (await c.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 1 }))).Messages?.[0];
    const poison1 = await first(crasher);
    const lateMsg = await first(late);
    const slowMsg = await first(slow);
    assert.deepEqual([poison1?.MessageId, lateMsg?.MessageId, slowMsg?.MessageId], [poisonId, lateId, slowId]);
    await until('three rows in flight, each with its consumer', () => ['crasher', 'late-worker', 'slow-worker'].every((who, i) => row(ids[i])?.state === 'inflight' && row(ids[i])?.holder === who));
    assert.equal(row(poisonId)?.deadline, t.clock.now() + 30_000);

    t.clock.advance(25_000);
    await slow.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: slowMsg?.ReceiptHandle }));
    t.clock.advance(6_000);
    await late.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: lateMsg?.ReceiptHandle }));
    // The crasher takes what is visible: it finishes the fine message and crashes on the poison one again.
    const batch = (await crasher.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }))).Messages ?? [];
    const fine = batch.find((m) => m.MessageId === fineId);
    await crasher.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: fine?.ReceiptHandle }));
    assert.ok(batch.some((m) => m.MessageId === poisonId));
    t.clock.advance(31_000);
    assert.deepEqual((await crasher.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }))).Messages ?? [], [], 'the third receive moved it instead');

    await until('every row ended', () => ['movedToDlq', 'deleted', 'deleted', 'deleted'].every((state, i) => row(ids[i])?.state === state));
    await until('the flags', () => session.summary.poisonMessages === 1 && session.summary.lateDeletes === 1 && session.summary.slowConsumers === 1);
    const start = row(poisonId)?.events.find((e) => e.kind === 'received')?.at ?? 0;
    assert.deepEqual(
      row(poisonId)?.flags.poison?.receives.map((r) => [r.by, r.receiveCount, r.at - start]),
      [
        ['crasher', 1, 0],
        ['crasher', 2, 31_000],
      ],
    );
    assert.deepEqual(row(lateId)?.flags.lateDelete, { at: start + 31_000, by: 'late-worker' });
    assert.deepEqual(row(slowId)?.flags.slowConsumer, { by: 'slow-worker', usedMs: 25_000, timeoutMs: 30_000 });
    assert.deepEqual(row(fineId)?.flags, {}, 'the fine message carries no flag');
    assert.deepEqual(row(poisonId)?.events.filter((e) => e.kind === 'received').map((e) => e.by), ['crasher', 'crasher'], 'each window names its consumer');

    // A message sent after the snapshot arrives through the trace alone, with its attributes' values.
    const { MessageId: newId } = await producer.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: 'new',
        MessageAttributes: { tenant: { DataType: 'String', StringValue: 'acme' }, sig: { DataType: 'Binary', BinaryValue: Buffer.from([1, 2, 255]) } },
      }),
    );
    await until('the new row', () => row(newId ?? '') !== undefined);
    assert.deepEqual(row(newId ?? '')?.messageAttributes, { tenant: { type: 'String', value: 'acme' }, sig: { type: 'Binary', value: 'AQL/' } });
    assert.equal(row(newId ?? '')?.body, 'new');
  });

});

describe('Watch: updates to the page (services layer, plain Node)', () => {
  let t: TestServer;
  const disposables: { dispose(): void }[] = [];
  afterEach(async () => {
    for (const d of disposables.splice(0).reverse()) d.dispose();
    await t.close();
  });

  it('gathers a burst of trace events into one update of the page', async () => {
    t = await startTestServer();
    const endpoint = t.server.endpoint;
    const url = await t.createQueue('burst');
    const connection = localConnection(endpoint, 'us-east-1');
    const gateway = new SqsGateway(connection, createSqsClient(connection));
    disposables.push({ dispose: () => gateway.client.destroy() });
    const settings = new Settings(memorySettingsSource());
    const recorder = new LifecycleRecorder(settings, new KeyPaths(settings, silentLog), silentLog);
    const listeners: ((events: readonly TraceEvent[]) => void)[] = [];
    const upserts: UpsertParams[] = [];
    const session = await watchSession(gateway, url, recorder, {
      traceEvents: (listener) => {
        listeners.push(listener);
        return { dispose: () => undefined };
      },
      post: (m) => {
        if (m.method === 'host/messages/upsert') upserts.push(m.params);
      },
    });
    disposables.push(session, recorder);
    await session.browse(endpoint, 100, true);
    const at = t.clock.now();
    for (let i = 0; i < 2_000; i++) {
      const event: TraceEvent = { seq: i + 1, kind: 'sent', at, queue: 'burst', queueUrl: url, messageId: `m${i}`, details: { bytes: 1, attributeNames: [], body: 'x' } };
      for (const l of listeners) l([event]);
    }
    await until('the update', () => upserts.length > 0);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(upserts.length, 1, 'one update for the whole burst');
    assert.equal(upserts[0].messages.length, 2_000);
    assert.ok(upserts[0].messages.every((m) => m.state === 'visible' && m.mode === 'watch'));
  });
});
