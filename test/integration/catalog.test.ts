import * as assert from 'node:assert/strict';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { createSqsClient, localConnection, type ResolvedConnection } from '../../src/sqs/connections';
import { SqsGateway } from '../../src/sqs/gateway';
import { QueueCatalog, type CatalogChange } from '../../src/sqs/queueCatalog';
import { startTestServer, type TestServer } from './harness';

describe('queue catalog against the local server', () => {
  let t: TestServer;
  let gateway: SqsGateway;
  let catalog: QueueCatalog;
  let changes: CatalogChange[];
  beforeEach(async () => {
    t = await startTestServer();
    const connection = localConnection(t.server.endpoint, 'us-east-1');
    gateway = new SqsGateway(connection, createSqsClient(connection, { maxAttempts: 1 }));
    catalog = new QueueCatalog(gateway, { concurrency: () => 8 });
    changes = [];
    catalog.onDidChange((c) => changes.push(c));
  });
  afterEach(async () => {
    gateway.dispose();
    await t.close();
  });

  it('lists every page with one ListQueues per 1,000 queues and one GetQueueAttributes per queue', async () => {
    for (let i = 0; i < 2345; i++) t.server.engine.createQueue(`q${String(i).padStart(4, '0')}`);
    await catalog.refresh();
    assert.equal(catalog.status, 'ready');
    assert.equal(catalog.queues.length, 2345);
    assert.deepEqual(gateway.callCounts(), { ListQueues: 3, GetQueueAttributes: 2345 });
  }).timeout(60_000);

  it('reports only the queues whose attributes changed, and structure changes apart', async () => {
    const a = await t.createQueue('a');
    await t.createQueue('b');
    await catalog.refresh();
    assert.deepEqual(changes, [{ structure: true, queues: [] }]);
    changes.length = 0;
    await catalog.refresh();
    assert.deepEqual(changes, [], 'nothing changed, nothing reported');
    await t.client.send(new SendMessageCommand({ QueueUrl: a, MessageBody: 'x' }));
    await catalog.refresh();
    assert.deepEqual(changes, [{ structure: false, queues: [a] }]);
    assert.equal(catalog.queue(a)?.visible, 1);
    changes.length = 0;
    t.server.engine.deleteQueue(a);
    await catalog.refresh();
    assert.deepEqual(changes, [{ structure: true, queues: [] }]);
    assert.deepEqual(catalog.queues.map((q) => q.name), ['b']);
  });

  it('parses redrive policies and finds the queues that feed a DLQ', async () => {
    const dlq = await t.createQueue('dlq');
    const arn = t.server.engine.getQueueAttributes(dlq, ['QueueArn']).QueueArn;
    await t.createQueue('src', { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: 4 }) });
    await t.createQueue('f.fifo', { FifoQueue: 'true' });
    await catalog.refresh();
    const src = catalog.queues.find((q) => q.name === 'src');
    assert.deepEqual(src?.redrive, { deadLetterTargetArn: arn, maxReceiveCount: 4 });
    assert.deepEqual(catalog.deadLetterSources(arn).map((q) => q.name), ['src']);
    assert.equal(catalog.isDeadLetterQueue(arn), true);
    assert.equal(catalog.queues.find((q) => q.name === 'f.fifo')?.fifo, true);
  });

  it('turns an unreachable endpoint into an error state, backs off, and recovers', async () => {
    const port = t.server.port;
    await t.server.close();
    await catalog.refresh();
    assert.equal(catalog.status, 'error');
    assert.equal(catalog.error?.code, 'ECONNREFUSED');
    assert.equal(catalog.error?.retryable, true);
    assert.equal(catalog.nextDelay(5000), 10_000);
    await catalog.refresh();
    assert.equal(catalog.nextDelay(5000), 20_000, 'each failure doubles the wait');
    assert.equal(changes.filter((c) => c.structure).length, 1, 'a repeated failure is reported once');
    const { startLocalServer } = await import('../../src/local/server');
    const revived = await startLocalServer({ port });
    try {
      revived.engine.createQueue('back');
      await catalog.refresh();
      assert.equal(catalog.status, 'ready');
      assert.equal(catalog.nextDelay(5000), 5000);
      assert.deepEqual(catalog.queues.map((q) => q.name), ['back']);
    } finally {
      await revived.close();
    }
  });

  it('names a missing credential profile instead of failing silently', async () => {
    const connection: ResolvedConnection = { id: 'config:x', name: 'x', kind: 'configured', region: 'us-east-1', profile: 'no-such-profile-here', endpoint: 'https://sqs.invalid.example' };
    const env = { ...process.env };
    process.env.AWS_CONFIG_FILE = '/nonexistent/config';
    process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/credentials';
    const g = new SqsGateway(connection, createSqsClient(connection, { maxAttempts: 1 }));
    try {
      const c = new QueueCatalog(g, { concurrency: () => 1 });
      await c.refresh();
      assert.equal(c.status, 'error');
      assert.equal(c.error?.code, 'CredentialsError');
      assert.match(c.error?.message ?? '', /no-such-profile-here/);
    } finally {
      g.dispose();
      process.env = env;
    }
  });
});
