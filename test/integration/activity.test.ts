import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import { DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { QueueActivityHub } from '../../src/services/queueActivityHub';
import type { DlqFilling } from '../../src/services/dlqWatch';
import { TraceFeed } from '../../src/services/traceFeed';
import type { Connection } from '../../src/services/connections';
import type { QueueStatsPage } from '../../src/shared/activity';
import { CloudWatchAge } from '../../src/sqs/cloudWatchAge';
import { createSqsClient, localConnection, type ResolvedConnection } from '../../src/sqs/connections';
import { SqsGateway, silentLog } from '../../src/sqs/gateway';
import { QueueCatalog } from '../../src/sqs/queueCatalog';
import { getQueueSnapshot } from '../../src/sqs/queues';
import { processClient, startTestServer, type TestServer } from './harness';

async function getJson<T>(endpoint: string, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; body: T }> {
  return new Promise((resolve, reject) => {
    const req = http.request(endpoint + path, { headers, method }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as T }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('local server queue figures endpoint', () => {
  let t: TestServer;
  afterEach(() => t.close());

  it('answers counts and the exact age of the oldest message, in any state, on the server clock', async () => {
    t = await startTestServer();
    const url = await t.createQueue('orders', { VisibilityTimeout: '60' });
    await t.createQueue('audit');
    const firstSentAt = t.clock.now();
    await t.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'first' }));
    t.clock.advance(5_000);
    await t.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'second' }));
    await t.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'later', DelaySeconds: 60 }));
    const got = await t.client.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 1 }));
    assert.equal(got.Messages?.[0]?.Body, 'first');
    t.clock.advance(37_000);
    const one = await getJson<QueueStatsPage>(t.server.endpoint, '/_workbench/queues?name=orders');
    assert.equal(one.status, 200);
    assert.deepEqual(one.body, { now: t.clock.now(), queues: [{ name: 'orders', url, visible: 1, inflight: 1, delayed: 1, oldestSentAt: firstSentAt }] });
    assert.equal((one.body.now - (one.body.queues[0]?.oldestSentAt ?? 0)) / 1000, 42, 'the oldest is the one in flight, 42 s old');
    await t.client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: got.Messages?.[0]?.ReceiptHandle ?? '' }));
    const after = await getJson<QueueStatsPage>(t.server.endpoint, '/_workbench/queues');
    assert.deepEqual(after.body.queues.map((q) => [q.name, q.visible + q.inflight + q.delayed, q.oldestSentAt === undefined ? undefined : (after.body.now - q.oldestSentAt) / 1000]), [
      ['audit', 0, undefined],
      ['orders', 2, 37],
    ]);
  });

  it('refuses bad requests with a clear error, and other host names', async () => {
    t = await startTestServer();
    const bad = async (path: string, pattern: RegExp, status: number, headers: Record<string, string> = {}, method = 'GET'): Promise<void> => {
      const res = await getJson<{ message: string }>(t.server.endpoint, path, headers, method);
      assert.equal(res.status, status, path);
      assert.match(res.body.message, pattern, path);
    };
    await bad('/_workbench/queues?queue=orders', /Unknown parameter "queue": \/_workbench\/queues takes name only/, 400);
    await bad('/_workbench/queues?name=%3Cb%3E', /name must be a queue name .* not "<b>"/, 400);
    await bad('/_workbench/queues?name=missing', /No queue named "missing"/, 404);
    await bad('/_workbench/queues', /answers GET only, not POST/, 405, {}, 'POST');
    await bad('/_workbench/queues', /does not serve the host name "attacker.example"/, 403, { Host: 'attacker.example:9324' });
    const info = await getJson<{ capabilities: string[] }>(t.server.endpoint, '/_workbench/info');
    assert.ok(info.body.capabilities.includes('queues'));
  });
});

describe('queue activity against the local server (plain Node)', () => {
  let t: TestServer;
  afterEach(() => t.close());

  /** A connection to the test server, as the extension makes one. */
  function connectionTo(endpoint: string, info: ResolvedConnection = localConnection(endpoint, 'us-east-1')): Connection {
    const gateway = new SqsGateway(info, createSqsClient(info, { maxAttempts: 1 }), silentLog);
    return { info, gateway, catalog: new QueueCatalog(gateway, { concurrency: () => 4 }) };
  }

  it('samples the counts, counts every client\'s operations per second from the trace, and notices the DLQ filling', async () => {
    t = await startTestServer();
    const dlqUrl = await t.createQueue('orders-dlq');
    const dlqArn = (await t.client.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn ?? '';
    const url = await t.createQueue('orders', { VisibilityTimeout: '5', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 }) });
    const connection = connectionTo(t.server.endpoint);
    await connection.catalog.refresh();
    const feed = new TraceFeed({ all: [connection], onDidChange: () => ({ dispose: () => undefined }) }, silentLog, { waitSeconds: 1 });
    const hub = new QueueActivityHub(feed);
    let lastRead = 0;
    feed.onEvents((b) => (lastRead = Math.max(lastRead, ...b.events.map((e) => e.seq))));
    const fillings: DlqFilling[] = [];
    hub.dlqWatch.onFilling((f) => fillings.push(f));
    const consumer = processClient(t.server.endpoint, 'crashing-consumer');
    const queue = await getQueueSnapshot(connection.gateway, url);
    const activity = hub.create(connection, () => queue);
    try {
      await feed.sync();
      assert.equal(feed.isTraced('local'), true);
      await activity.sample();
      for (let i = 0; i < 4; i++) await consumer.send(new SendMessageCommand({ QueueUrl: url, MessageBody: `order ${i}` }));
      const got = await consumer.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 4 }));
      await consumer.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: got.Messages?.[0]?.ReceiptHandle ?? '' }));
      // The consumer "crashed" on the other three: their windows end, and the next receive moves them to the DLQ.
      t.clock.advance(6_000);
      await consumer.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
      const lastSeq = (await getJson<{ lastSeq: number }>(t.server.endpoint, '/_workbench/info')).body.lastSeq;
      while (lastRead < lastSeq) await new Promise((r) => setTimeout(r, 20));
      t.clock.advance(1_000);
      await activity.sample();
      const view = activity.view;
      assert.deepEqual(view.samples.map((s) => [s.visible, s.inflight, s.delayed]), [[0, 0, 0], [0, 0, 0]]);
      assert.deepEqual(view.rates, { sends: 0.4, receives: 0.4, deletes: 0.1, seconds: 10 }, '4 sends, 4 receives (the moves are not receives), 1 delete in the 10 s before the server\'s now');
      assert.deepEqual(view.oldest, { unavailable: 'The queue is empty.' });
      assert.match(view.dlqNotice ?? '', /^Dead-letter queue orders-dlq is filling: 0 → 3 messages visible/);
      assert.deepEqual(fillings.map((f) => [f.name, f.from, f.to, f.first]), [['orders-dlq', 0, 3, true]]);
    } finally {
      activity.dispose();
      hub.dispose();
      feed.dispose();
      consumer.destroy();
      connection.gateway.dispose();
    }
  });

  it('says why CloudWatch gives no age on an endpoint that does not speak it, without throwing', async () => {
    t = await startTestServer();
    const configured: ResolvedConnection = { id: 'config:elsewhere', name: 'elsewhere', kind: 'configured', region: 'us-east-1', endpoint: t.server.endpoint };
    const cloudWatch = new CloudWatchAge(configured);
    try {
      const age = await cloudWatch.oldest('orders');
      assert.ok('unavailable' in age, JSON.stringify(age));
      assert.match(age.unavailable, new RegExp(`^${t.server.endpoint} does not answer CloudWatch \\(\\w+\\): the age of the oldest message needs CloudWatch, or the SQS Workbench local server\\.$`));
    } finally {
      cloudWatch.dispose();
    }
    // Nothing listens there at all.
    const closed = new CloudWatchAge({ ...configured, endpoint: 'http://127.0.0.1:9' });
    try {
      const age = await closed.oldest('orders');
      assert.ok('unavailable' in age && /does not answer CloudWatch/.test(age.unavailable), JSON.stringify(age));
    } finally {
      closed.dispose();
    }
  });

  it('reads the newest CloudWatch datapoint, and says when CloudWatch denies or has none', async () => {
    let answer: { status: number; body: unknown } = { status: 200, body: {} };
    const asked: string[] = [];
    const cloudWatch = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        asked.push(`${String(req.headers['x-amz-target'])} ${Buffer.concat(chunks).toString('utf8')}`);
        res.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify(answer.body));
      });
    });
    await new Promise<void>((r) => cloudWatch.listen(0, '127.0.0.1', r));
    const endpoint = `http://127.0.0.1:${(cloudWatch.address() as { port: number }).port}`;
    const client = new CloudWatchAge({ id: 'config:cw', name: 'cw', kind: 'configured', region: 'us-east-1', endpoint });
    try {
      const now = Date.UTC(2026, 11, 2, 10, 0, 0);
      answer = { status: 200, body: { Datapoints: [{ Timestamp: now / 1000 - 120, Maximum: 30 }, { Timestamp: now / 1000 - 60, Maximum: 95 }] } };
      assert.deepEqual(await client.oldest('orders', now), { seconds: 95, source: 'cloudwatch', at: now - 60_000 });
      assert.match(asked[0] ?? '', /GetMetricStatistics .*"Namespace":"AWS\/SQS".*"MetricName":"ApproximateAgeOfOldestMessage"/);
      assert.match(asked[0] ?? '', /"Dimensions":\[\{"Name":"QueueName","Value":"orders"\}\]/);
      answer = { status: 200, body: { Datapoints: [] } };
      assert.deepEqual(await client.oldest('orders', now), { unavailable: 'CloudWatch has no ApproximateAgeOfOldestMessage for orders in the last 15 minutes (SQS publishes it once a minute, for queues in use).' });
      answer = { status: 403, body: { __type: 'AccessDenied', message: 'User is not authorized to perform: cloudwatch:GetMetricStatistics' } };
      const denied = await client.oldest('orders', now);
      assert.ok('unavailable' in denied && /^CloudWatch refused these credentials \(AccessDenied\)/.test(denied.unavailable), JSON.stringify(denied));
    } finally {
      client.dispose();
      await new Promise((r) => cloudWatch.close(r));
    }
  });
});
