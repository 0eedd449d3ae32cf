import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startLocalServer } from '../../src/local/server';
import { ManualClock } from '../../src/local/clock';
import { KeyPaths } from '../../src/services/keyPaths';
import { LifecycleRecorder } from '../../src/services/lifecycleRecorder';
import { Settings, memorySettingsSource } from '../../src/services/settings';
import { TraceFeed, probeWorkbench, type TraceBatch } from '../../src/services/traceFeed';
import { createSqsClient, localConnection } from '../../src/sqs/connections';
import { silentLog } from '../../src/sqs/gateway';
import { toTimelineEvents } from '../../src/views/inspector/messageView';
import type { TraceEvent, TracePage, WorkbenchInfo } from '../../src/shared/trace';
import { decodeTracePage, type CompactTracePage } from '../../src/shared/traceWire';
import { getJson as getJsonAnswer } from '../../src/services/httpJson';
import { getJson, processClient, startTestServer, type TestServer } from './harness';

const trace = async (endpoint: string, query = 'after=0'): Promise<TracePage> => {
  const res = await getJson<TracePage>(endpoint, `/_workbench/trace?${query}`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
};

describe('local server trace: producers and consumers, each named by its access key', () => {
  let t: TestServer;
  const clients: SQSClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    await t.close();
  });

  it('records who received, crashed, deleted late and slowly, and the move to the DLQ, at the server clock', async () => {
    t = await startTestServer();
    const dlq = await t.createQueue('orders-dlq');
    const dlqArn = (await t.client.send(new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn ?? '';
    const url = await t.createQueue('orders', { VisibilityTimeout: '30', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }) });
    const [producer, crasher, late, slow] = ['producer', 'crasher', 'late-consumer', 'slow-consumer'].map((id) => processClient(t.server.endpoint, id));
    clients.push(producer, crasher, late, slow);
    const t0 = t.clock.now();
    const ids = new Map<string, string>();
    for (const body of ['ok-1', 'poison', 'ok-3']) {
      const sent = await producer.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
      ids.set(sent.MessageId ?? '', body);
    }
    const receive = async (c: SQSClient, vt?: number): Promise<{ body: string; handle: string }[]> =>
      ((await c.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 1, ...(vt !== undefined ? { VisibilityTimeout: vt } : {}) }))).Messages ?? []).map((m) => ({ body: m.Body ?? '', handle: m.ReceiptHandle ?? '' }));

    const [ok1] = await receive(crasher);
    await crasher.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: ok1.handle }));
    const [poison] = await receive(crasher); // the crasher dies on it: no delete
    assert.equal(poison.body, 'poison');
    const [lateCopy] = await receive(late, 20); // too slow for its 20 s window
    assert.equal(lateCopy.body, 'ok-3');
    t.clock.advance(21_000);
    const [slowCopy] = await receive(slow);
    assert.equal(slowCopy.body, 'ok-3', 'redelivered after the late consumer’s window');
    await late.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: lateCopy.handle }));
    t.clock.advance(24_000); // 80% of the slow consumer's 30 s
    await slow.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: slowCopy.handle }));
    const [again] = await receive(crasher);
    assert.equal(again.body, 'poison');
    t.clock.advance(31_000);
    assert.deepEqual(await receive(crasher), [], 'the third receive moves it to the DLQ');

    const page = await trace(t.server.endpoint);
    const line = (e: TraceEvent): string => `${e.kind} ${ids.get(e.messageId) ?? '-'} ${e.by?.accessKeyId ?? 'time'} +${(e.at - t0) / 1000}`;
    assert.deepEqual(page.events.filter((e) => e.queue === 'orders').map(line), [
      'sent ok-1 producer +0',
      'sent poison producer +0',
      'sent ok-3 producer +0',
      'received ok-1 crasher +0',
      'deleted ok-1 crasher +0',
      'received poison crasher +0',
      'received ok-3 late-consumer +0',
      'expired ok-3 time +20',
      'received ok-3 slow-consumer +21',
      'deleted ok-3 late-consumer +21',
      'expired poison time +30',
      'deleted ok-3 slow-consumer +45',
      'received poison crasher +45',
      'expired poison time +75',
      'movedToDlq poison crasher +76',
    ]);
    const byKind = (kind: string, who: string): TraceEvent | undefined => page.events.find((e) => e.kind === kind && e.by?.accessKeyId === who);
    const lateDelete = byKind('deleted', 'late-consumer');
    assert.ok(lateDelete?.kind === 'deleted' && lateDelete.details.stale && lateDelete.details.late, 'the late consumer’s handle was stale');
    const slowDelete = byKind('deleted', 'slow-consumer');
    assert.ok(slowDelete?.kind === 'deleted' && !slowDelete.details.stale && !slowDelete.details.late);
    const moved = page.events.find((e) => e.kind === 'movedToDlq');
    assert.ok(moved?.kind === 'movedToDlq' && moved.details.toQueueUrl === dlq && moved.details.receiveCount === 2);
    assert.match(byKind('received', 'crasher')?.by?.sdk ?? '', /^aws-sdk-js\/3\./, 'the SDK comes from the User-Agent');
    const received = byKind('received', 'slow-consumer');
    assert.ok(received?.kind === 'received' && received.details.deadline === t0 + 51_000 && received.details.receiveCount === 2);
    assert.ok(page.events.every((e) => !(e.kind === 'sent' && 'body' in e.details)), 'no bodies unless asked');
  });
});

describe('local server trace endpoint', () => {
  let t: TestServer;
  afterEach(() => t.close());

  it('identifies the server, resumes from a sequence number, and answers bodies only when asked', async () => {
    t = await startTestServer();
    const info = await getJson<WorkbenchInfo>(t.server.endpoint, '/_workbench/info');
    assert.equal(info.status, 200);
    assert.equal(info.body.server, 'sqs-workbench-local');
    assert.deepEqual(info.body.capabilities, ['trace', 'trace-compact', 'queues', 'browse']);
    assert.equal(info.body.now, t.clock.now());
    assert.equal(info.body.lastSeq, 0);
    const url = await t.createQueue('q');
    for (let i = 0; i < 3; i++) await t.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: `body ${i}` }));
    const all = await trace(t.server.endpoint);
    assert.equal(all.instance, info.body.instance);
    assert.deepEqual(all.events.map((e) => e.seq), [1, 2, 3]);
    const rest = await trace(t.server.endpoint, 'after=1&limit=1');
    assert.deepEqual(rest.events.map((e) => e.seq), [2]);
    assert.equal(rest.next, 2);
    const withBodies = await trace(t.server.endpoint, 'after=2&bodies=true');
    const [last] = withBodies.events;
    assert.ok(last.kind === 'sent' && last.details.body === 'body 2');
  });

  it('answers the compact form in a third of the bytes, decoding to the very events of the full form', async () => {
    t = await startTestServer();
    const producer = processClient(t.server.endpoint, 'order-producer');
    const consumer = processClient(t.server.endpoint, 'billing-worker');
    try {
      const dlq = await t.createQueue('orders-dlq');
      const dlqArn = `arn:aws:sqs:us-east-1:000000000000:orders-dlq`;
      const url = await t.createQueue('orders', { VisibilityTimeout: '5', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 }) });
      const fifo = await t.createQueue('orders.fifo', { FifoQueue: 'true' });
      await producer.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'plain "quoted" \u2028 body', MessageAttributes: { tenant: { DataType: 'String', StringValue: 'acme' } } }));
      await producer.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'later', DelaySeconds: 2 }));
      await producer.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'poison' }));
      for (let i = 0; i < 2; i++) await producer.send(new SendMessageCommand({ QueueUrl: fifo, MessageBody: 'f', MessageGroupId: 'g', MessageDeduplicationId: 'd' }));
      const got = await consumer.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
      const done = got.Messages?.find((m) => m.Body !== 'poison');
      await consumer.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: done?.ReceiptHandle ?? '' }));
      t.clock.advance(6_000);
      await consumer.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
      assert.ok(dlq.endsWith('/orders-dlq'));
      for (const bodies of [true, false]) {
        const query = `after=0&bodies=${String(bodies)}`;
        const full = await trace(t.server.endpoint, query);
        const res = await getJson<CompactTracePage>(t.server.endpoint, `/_workbench/trace?${query}&format=compact`);
        assert.equal(res.status, 200);
        assert.deepEqual(decodeTracePage(res.body), full, `bodies=${String(bodies)}`);
        assert.ok(full.events.length >= 8, `a varied trace: ${full.events.map((e) => e.kind).join(', ')}`);
        assert.deepEqual(new Set(full.events.map((e) => e.kind)), new Set(['sent', 'deduplicated', 'received', 'expired', 'visible', 'movedToDlq', 'deleted']));
        assert.ok(JSON.stringify(res.body).length < 0.6 * JSON.stringify(full).length, 'compact is compact');
      }
      const last = (await trace(t.server.endpoint)).next;
      const empty = await getJson<CompactTracePage>(t.server.endpoint, `/_workbench/trace?after=${last}&format=compact`);
      assert.deepEqual(decodeTracePage(empty.body), { instance: empty.body.instance, events: [], next: last, missed: 0, droppedTotal: 0 });
    } finally {
      producer.destroy();
      consumer.destroy();
    }
  });

  it('long-polls: a waiting read answers with the next event', async () => {
    t = await startTestServer();
    const url = await t.createQueue('q');
    const waiting = trace(t.server.endpoint, 'after=0&wait=20');
    await t.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' }));
    const page = await waiting;
    assert.deepEqual(page.events.map((e) => e.kind), ['sent']);
  });

  it('says how many events a reader missed when the ring dropped them', async () => {
    t = await startTestServer({ traceLimits: { maxEvents: 4, maxBytes: 1_000_000 } });
    const url = await t.createQueue('q');
    for (let i = 0; i < 10; i++) await t.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: `m${i}` }));
    const page = await trace(t.server.endpoint, 'after=2');
    assert.deepEqual(page.events.map((e) => e.seq), [7, 8, 9, 10]);
    assert.equal(page.missed, 4, 'events 3 to 6 were dropped');
    assert.equal(page.droppedTotal, 6);
  });

  it('refuses bad requests with a clear error, and other host names as the SQS API does', async () => {
    t = await startTestServer();
    const bad = async (path: string, pattern: RegExp, status = 400): Promise<void> => {
      const res = await getJson<{ error: string; message: string }>(t.server.endpoint, path);
      assert.equal(res.status, status, path);
      assert.match(res.body.message, pattern, path);
    };
    await bad('/_workbench/trace?after=-1', /after must be a whole number from 0/);
    await bad('/_workbench/trace?wait=21', /wait must be a whole number from 0 to 20, not "21"/);
    await bad('/_workbench/trace?limit=0', /limit must be a whole number from 1 to 5000/);
    await bad('/_workbench/trace?bodies=yes', /bodies must be true or false/);
    await bad('/_workbench/trace?since=3', /Unknown parameter "since"/);
    await bad('/_workbench/trace?format=xml', /format must be full or compact, not "xml"/);
    await bad('/_workbench/trace?instance=%3Cscript%3E', /instance must be the instance of \/_workbench\/info/);
    await bad('/_workbench/nothing', /No such endpoint/, 404);
    const post = await fetch(`${t.server.endpoint}/_workbench/trace`, { method: 'POST' });
    assert.equal(post.status, 405);
    const rebound = await getJson<{ message: string }>(t.server.endpoint, '/_workbench/trace', { Host: 'attacker.example:9324' });
    assert.equal(rebound.status, 403);
    assert.match(rebound.body.message, /does not serve the host name "attacker.example"/);
  });
});

describe('trace feed (the extension side, plain Node)', () => {
  it('detects a workbench server behind a connection, not another endpoint, and feeds the lifecycle record', async () => {
    const other = http.createServer((_req, res) => {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not here');
    });
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    const otherEndpoint = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
    const t = await startTestServer();
    const consumer = processClient(t.server.endpoint, 'billing-worker');
    const inspectorClient = createSqsClient(localConnection(t.server.endpoint, 'us-east-1'), { maxAttempts: 1 });
    const connections = {
      all: [
        { info: { id: 'local', endpoint: t.server.endpoint } },
        { info: { id: 'elasticmq', endpoint: otherEndpoint } },
        { info: { id: 'aws' } },
      ],
      onDidChange: () => ({ dispose: () => undefined }),
    };
    const feed = new TraceFeed(connections as never, silentLog);
    const settings = new Settings(memorySettingsSource());
    const recorder = new LifecycleRecorder(settings, new KeyPaths(settings, silentLog), silentLog);
    const following = recorder.followTrace(feed);
    try {
      assert.equal(await probeWorkbench(otherEndpoint), undefined);
      await feed.sync();
      assert.equal(feed.isTraced('local'), true);
      assert.equal(feed.isTraced('elasticmq'), false, 'other endpoints keep today’s behaviour');
      assert.equal(feed.isTraced('aws'), false);
      const batches: TraceBatch[] = [];
      const seen = new Promise<void>((resolve) =>
        feed.onEvents((b) => {
          batches.push(b);
          if (batches.flatMap((x) => x.events).some((e) => e.kind === 'deleted')) resolve();
        }),
      );
      const url = await t.createQueue('bills', { VisibilityTimeout: '10' });
      const { MessageId } = await inspectorClient.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'b1' }));
      const got = await consumer.send(new ReceiveMessageCommand({ QueueUrl: url }));
      const receivedAt = t.clock.now();
      t.clock.advance(11_000);
      const again = await inspectorClient.send(new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 5 }));
      await consumer.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: got.Messages?.[0]?.ReceiptHandle ?? '' }));
      assert.equal(again.Messages?.[0]?.MessageId, MessageId);
      await seen;
      const own = batches.flatMap((b) => b.events).filter((e) => e.by?.workbench);
      assert.deepEqual(own.map((e) => e.kind), ['sent', 'received'], 'the extension’s requests are marked by its User-Agent');
      assert.deepEqual(
        recorder.store.eventsOf(MessageId ?? '').map((e) => `${e.kind}@${e.at - receivedAt}`),
        ['received@0', 'expired@10000', 'deleted@11000'],
        'the consumer’s receive, its expiry and its late delete, with the server’s times; the extension’s own send and receive are left to it',
      );
      const deleted = recorder.store.eventsOf(MessageId ?? '').at(-1);
      assert.ok(deleted?.kind === 'deleted' && deleted.details.late === true && deleted.details.by === 'billing-worker');
    } finally {
      following.dispose();
      feed.dispose();
      recorder.dispose();
      consumer.destroy();
      inspectorClient.destroy();
      await t.close();
      await new Promise((r) => other.close(r));
    }
  });

  it('records an injected duplicate delivery in the trace, and the recorder turns it into an injected event', async () => {
    const t = await startTestServer({ faults: { seed: 7, rules: [{ kind: 'duplicate', rate: 1, queues: ['payments'] }] } });
    const producer = processClient(t.server.endpoint, 'checkout');
    const consumer = processClient(t.server.endpoint, 'payments-worker');
    const connections = { all: [{ info: { id: 'local', endpoint: t.server.endpoint } }], onDidChange: () => ({ dispose: () => undefined }) };
    const feed = new TraceFeed(connections as never, silentLog);
    const settings = new Settings(memorySettingsSource());
    const recorder = new LifecycleRecorder(settings, new KeyPaths(settings, silentLog), silentLog);
    const following = recorder.followTrace(feed);
    try {
      await feed.sync();
      const events: TraceEvent[] = [];
      // The redelivery's receive is the last event the test makes.
      const seen = new Promise<void>((resolve) =>
        feed.onEvents((b) => {
          events.push(...b.events);
          if (b.events.some((e) => e.kind === 'received' && e.queue === 'payments' && e.details.receiveCount === 2)) resolve();
        }),
      );
      const other = await t.createQueue('ledger');
      const url = await t.createQueue('payments');
      const { MessageId } = await producer.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'p1' }));
      await producer.send(new SendMessageCommand({ QueueUrl: other, MessageBody: 'l1' }));
      const first = await consumer.send(new ReceiveMessageCommand({ QueueUrl: url }));
      t.clock.advance(1_000);
      const deletedAt = t.clock.now();
      await consumer.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first.Messages?.[0]?.ReceiptHandle ?? '' }));
      const ledger = await consumer.send(new ReceiveMessageCommand({ QueueUrl: other }));
      await consumer.send(new DeleteMessageCommand({ QueueUrl: other, ReceiptHandle: ledger.Messages?.[0]?.ReceiptHandle ?? '' }));
      t.clock.advance(1_000);
      const again = await consumer.send(new ReceiveMessageCommand({ QueueUrl: url }));
      assert.equal(again.Messages?.[0]?.MessageId, MessageId, 'the deleted message is delivered again');
      await seen;
      const injected = events.filter((e) => e.kind === 'faultInjected');
      assert.deepEqual(
        injected.map((e) => ({ queue: e.queue, messageId: e.messageId, at: e.at, by: e.by?.accessKeyId, details: e.details })),
        [{ queue: 'payments', messageId: MessageId, at: deletedAt, by: 'payments-worker', details: { fault: 'duplicate', action: 'DeleteMessage' } }],
        'one event, on the queue the plan names only, with the message, the server time and the deleter',
      );
      const kinds = events.filter((e) => e.messageId === MessageId).map((e) => e.kind);
      assert.deepEqual(kinds, ['sent', 'received', 'deleted', 'faultInjected', 'received']);
      const record = recorder.store.eventsOf(MessageId ?? '');
      assert.deepEqual(record.map((e) => e.kind), ['sent', 'received', 'deleted', 'injected', 'received']);
      const mark = record[3];
      assert.ok(mark.kind === 'injected' && mark.details.fault === 'duplicate' && mark.details.by === 'payments-worker' && mark.at === deletedAt);
      const timeline = toTimelineEvents(record);
      assert.equal(timeline[3].detail, "duplicate delivery injected by the local server's fault plan (after DeleteMessage by payments-worker)");
      assert.match(timeline[4].detail, /receive count 2, an injected redelivery: the local server's fault plan put it back after its delete$/);
      assert.doesNotMatch(timeline[1].detail, /injected/, 'the first receive is the app\'s own');
    } finally {
      following.dispose();
      feed.dispose();
      recorder.dispose();
      producer.destroy();
      consumer.destroy();
      await t.close();
    }
  });

  it('puts what the server did on its own on the timeline: a delay ending, a FIFO send dropped as a duplicate, a move task, the retention period', async () => {
    const t = await startTestServer();
    const producer = processClient(t.server.endpoint, 'checkout');
    const connections = { all: [{ info: { id: 'local', endpoint: t.server.endpoint } }], onDidChange: () => ({ dispose: () => undefined }) };
    const feed = new TraceFeed(connections as never, silentLog);
    const settings = new Settings(memorySettingsSource());
    const recorder = new LifecycleRecorder(settings, new KeyPaths(settings, silentLog), silentLog);
    const following = recorder.followTrace(feed);
    const kindsOf = (id: string | undefined): string[] => recorder.store.eventsOf(id ?? '').map((e) => e.kind);
    const until = async (check: () => boolean, what: string): Promise<void> => {
      for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
      assert.ok(check(), what);
    };
    try {
      await feed.sync();
      const sentAt = t.clock.now();
      const delayed = await producer.send(new SendMessageCommand({ QueueUrl: await t.createQueue('later'), MessageBody: 'd', DelaySeconds: 5 }));
      t.clock.advance(6_000);
      t.server.engine.tickAll();
      await until(() => kindsOf(delayed.MessageId).includes('delayEnded'), `the delay's end is recorded: ${kindsOf(delayed.MessageId).join(', ')}`);
      const ended = recorder.store.eventsOf(delayed.MessageId ?? '').find((e) => e.kind === 'delayEnded');
      assert.equal(ended?.at, sentAt + 5_000, 'at the end of the delay on the server\'s clock, not when it was noticed');

      const fifo = await t.createQueue('pay.fifo', { FifoQueue: 'true' });
      const first = await producer.send(new SendMessageCommand({ QueueUrl: fifo, MessageBody: 'p', MessageGroupId: 'g', MessageDeduplicationId: 'pay-1' }));
      const again = await producer.send(new SendMessageCommand({ QueueUrl: fifo, MessageBody: 'p', MessageGroupId: 'g', MessageDeduplicationId: 'pay-1' }));
      assert.equal(again.MessageId, first.MessageId);
      await until(() => kindsOf(first.MessageId).includes('deduplicated'), 'the dropped send is recorded on the first copy');
      assert.deepEqual(kindsOf(first.MessageId), ['sent', 'deduplicated']);

      const source = await t.createQueue('work');
      const dlq = await t.createQueue('work-dlq');
      const arn = (name: string): string => t.server.engine.queueArn(name);
      t.server.engine.setQueueAttributes(source, { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn('work-dlq'), maxReceiveCount: 1 }) });
      const dead = await producer.send(new SendMessageCommand({ QueueUrl: dlq, MessageBody: 'x' }));
      t.server.engine.startMessageMoveTask(arn('work-dlq'), arn('work'));
      for (let i = 0; i < 20 && !kindsOf(dead.MessageId).includes('moved'); i++) {
        t.clock.advance(100);
        await new Promise((r) => setTimeout(r, 25));
      }
      await until(() => kindsOf(dead.MessageId).includes('moved'), `the move task's move is recorded: ${kindsOf(dead.MessageId).join(', ')}`);

      const brief = await t.createQueue('brief', { MessageRetentionPeriod: '60' });
      const old = await producer.send(new SendMessageCommand({ QueueUrl: brief, MessageBody: 'o' }));
      const keptFrom = t.clock.now();
      t.clock.advance(61_000);
      t.server.engine.tickAll();
      await until(() => kindsOf(old.MessageId).includes('dropped'), `the retention drop is recorded: ${kindsOf(old.MessageId).join(', ')}`);
      const dropped = recorder.store.eventsOf(old.MessageId ?? '').find((e) => e.kind === 'dropped');
      assert.equal(dropped?.at, keptFrom + 60_000, 'at the end of the retention period');

      const details = (id: string | undefined): string[] => toTimelineEvents(recorder.store.eventsOf(id ?? '')).map((e) => e.detail);
      assert.equal(details(delayed.MessageId).at(-1), 'delay ended: visible');
      assert.equal(details(first.MessageId).at(-1), 'a send with the same deduplication id pay-1 by checkout was accepted and dropped: FIFO deduplication (5 minutes)');
      assert.equal(details(dead.MessageId).at(-1), 'moved to work by a message move task');
      assert.equal(details(old.MessageId).at(-1), "dropped: the queue's retention period ended");
    } finally {
      following.dispose();
      feed.dispose();
      recorder.dispose();
      producer.destroy();
      await t.close();
    }
  });

  it('reads JSON over kept-alive connections, and says what a non-JSON answer was', async () => {
    const server = http.createServer((req, res) => {
      if (req.url === '/json') res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"NotFound"}');
      else res.writeHead(502, { 'content-type': 'text/html' }).end('<h1>Bad gateway</h1>');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      assert.deepEqual(await getJsonAnswer(new URL('/json', base)), { status: 404, ok: false, body: { error: 'NotFound' } });
      await assert.rejects(getJsonAnswer(new URL('/html', base)), /the answer \(502\) is not JSON: <h1>Bad gateway<\/h1>/);
      await assert.rejects(getJsonAnswer(new URL('ftp://127.0.0.1/x')), /Only http and https URLs are read, not ftp:/);
      const aborted = AbortSignal.abort();
      await assert.rejects(getJsonAnswer(new URL('/json', base), aborted), /abort/i);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it('reads the full form from a workbench server that predates the compact one', async () => {
    const queries: URLSearchParams[] = [];
    const event: TraceEvent = { seq: 1, kind: 'released', at: 5, queue: 'q', queueUrl: 'http://127.0.0.1/000000000000/q', messageId: 'm1', details: {} };
    const older = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      res.setHeader('content-type', 'application/json');
      if (url.pathname === '/_workbench/info') {
        res.end(JSON.stringify({ server: 'sqs-workbench-local', version: '1', capabilities: ['trace', 'queues'], instance: 'old', now: 0, lastSeq: 1 }));
        return;
      }
      queries.push(url.searchParams);
      const after = Number(url.searchParams.get('after'));
      const page: TracePage = { instance: 'old', events: after < 1 ? [event] : [], next: 1, missed: 0, droppedTotal: 0 };
      setTimeout(() => res.end(JSON.stringify(page)), after < 1 ? 0 : 50);
    });
    await new Promise<void>((r) => older.listen(0, '127.0.0.1', r));
    const endpoint = `http://127.0.0.1:${(older.address() as AddressInfo).port}`;
    const feed = new TraceFeed({ all: [{ info: { id: 'old', endpoint } }], onDidChange: () => ({ dispose: () => undefined }) } as never, silentLog);
    try {
      const batch = new Promise<TraceBatch>((resolve) => feed.onEvents(resolve));
      await feed.sync();
      assert.deepEqual((await batch).events, [event]);
      assert.ok(queries.length >= 1 && queries.every((q) => !q.has('format')), 'no format parameter for a server without trace-compact');
    } finally {
      feed.dispose();
      older.closeAllConnections();
      await new Promise((r) => older.close(r));
    }
  });

  it('resumes after the server restarts on the same endpoint, from its first event', async () => {
    const first = await startLocalServer({ port: 0, clock: new ManualClock() });
    const port = first.port;
    const connections = { all: [{ info: { id: 'local', endpoint: first.endpoint } }], onDidChange: () => ({ dispose: () => undefined }) };
    const feed = new TraceFeed(connections as never, silentLog, { retryMs: 50, maxRetryMs: 100 });
    const events: TraceEvent[] = [];
    let notify: (() => void) | undefined;
    feed.onEvents((b) => {
      events.push(...b.events);
      notify?.();
    });
    const until = (count: number): Promise<void> =>
      new Promise((resolve) => {
        notify = () => events.length >= count && resolve();
        notify();
      });
    let second: Awaited<ReturnType<typeof startLocalServer>> | undefined;
    try {
      await feed.sync();
      first.engine.createQueue('a');
      first.engine.sendMessage(first.engine.queueUrl('a'), { MessageBody: '1' });
      first.engine.sendMessage(first.engine.queueUrl('a'), { MessageBody: '2' });
      await until(2);
      await first.close();
      second = await startLocalServer({ port, clock: new ManualClock() });
      second.engine.createQueue('b');
      second.engine.sendMessage(second.engine.queueUrl('b'), { MessageBody: '3' });
      await until(3);
      assert.deepEqual(events.map((e) => `${e.queue}#${e.seq}`), ['a#1', 'a#2', 'b#1']);
    } finally {
      feed.dispose();
      await second?.close();
      await first.close();
    }
  });
});
