import * as assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { createSqsClient, localConnection } from '../../src/sqs/connections';
import { SqsGateway } from '../../src/sqs/gateway';
import { LeaseSet } from '../../src/sqs/leases';
import { countDone, transferMessages, summarizeTransfer } from '../../src/sqs/transfer';
import { startTestServer, type TestServer } from './harness';

interface BatchBody {
  QueueUrl: string;
  Entries: { Id: string; MessageBody: string }[];
}
interface BatchAnswer {
  Successful?: unknown[];
  Failed?: { Id: string; Code: string; Message: string; SenderFault: boolean }[];
}

/**
 * An HTTP proxy in front of the local server that fails the SendMessageBatch entries whose
 * body contains FAIL: it removes them from the request and reports them in `Failed`, as
 * SQS reports an entry it refused. Everything else passes through unchanged.
 */
async function faultProxy(target: string): Promise<{ endpoint: string; close(): Promise<void> }> {
  const upstream = new URL(target);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks).toString('utf8');
      const failing: string[] = [];
      const isBatch = req.headers['x-amz-target'] === 'AmazonSQS.SendMessageBatch';
      if (isBatch) {
        const input = JSON.parse(body) as BatchBody;
        for (const e of input.Entries) if (e.MessageBody.includes('FAIL')) failing.push(e.Id);
        input.Entries = input.Entries.filter((e) => !failing.includes(e.Id));
        body = JSON.stringify(input);
      }
      const headers = { ...req.headers, 'content-length': String(Buffer.byteLength(body)) };
      const forward = request({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers }, (up) => {
        const out: Buffer[] = [];
        up.on('data', (c: Buffer) => out.push(c));
        up.on('end', () => {
          let answer = Buffer.concat(out).toString('utf8');
          if (isBatch && up.statusCode === 200) {
            const parsed = JSON.parse(answer) as BatchAnswer;
            parsed.Failed = [...(parsed.Failed ?? []), ...failing.map((Id) => ({ Id, Code: 'KMS.AccessDeniedException', Message: 'Injected fault', SenderFault: true }))];
            answer = JSON.stringify(parsed);
          }
          res.writeHead(up.statusCode ?? 500, { ...up.headers, 'content-length': String(Buffer.byteLength(answer)) });
          res.end(answer);
        });
      });
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('move and copy selected messages (through a proxy that fails some sends)', () => {
  let t: TestServer;
  let proxy: Awaited<ReturnType<typeof faultProxy>>;
  let gateway: SqsGateway;
  let source: string;
  let destination: string;
  let leases: LeaseSet;
  const counts = (url: string) => t.server.engine.counts(url);
  const standard = { fifo: false, contentBasedDeduplication: false, maximumMessageSize: 1_048_576 };
  const fifo = { fifo: true, contentBasedDeduplication: false, maximumMessageSize: 1_048_576 };
  const bodiesOf = async (url: string): Promise<string[]> => {
    const out: string[] = [];
    for (;;) {
      const r = await t.client.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 60, MessageAttributeNames: ['All'] }));
      if (!r.Messages?.length) return out.sort();
      out.push(...r.Messages.map((m) => m.Body ?? ''));
    }
  };

  beforeEach(async () => {
    t = await startTestServer();
    proxy = await faultProxy(t.server.endpoint);
    const connection = localConnection(proxy.endpoint, 'us-east-1');
    gateway = new SqsGateway(connection, createSqsClient(connection, { maxAttempts: 1 }));
    source = await t.createQueue('orders-dlq');
    destination = await t.createQueue('orders');
    for (let i = 0; i < 25; i++) {
      t.server.engine.sendMessage(source, { MessageBody: i % 8 === 3 ? `FAIL-${i}` : `ok-${i}`, MessageAttributes: { tenant: { DataType: 'String', StringValue: `t${i}` } } });
    }
    leases = new LeaseSet(gateway, source, 60);
  });
  afterEach(async () => {
    await leases.dispose('release');
    gateway.dispose();
    await proxy.close();
    await t.close();
  });

  it('moves held messages: each original is deleted only after its copy was accepted; the originals of failed copies stay', async () => {
    const held = await leases.receive({ count: 25, waitSeconds: 0, mode: 'hold' });
    assert.equal(held.length, 25);
    const outcomes = await transferMessages(gateway, held, { destinationUrl: destination, destination: standard, deleteOriginals: (ids) => leases.delete(ids) });
    const failedIds = held.filter((m) => m.body.startsWith('FAIL')).map((m) => m.messageId);
    assert.equal(failedIds.length, 3);
    for (const o of outcomes) {
      if (failedIds.includes(o.messageId)) {
        assert.equal(o.copyId, undefined);
        assert.equal(o.deleted, false);
        assert.equal(o.error?.code, 'KMS.AccessDeniedException');
      } else {
        assert.ok(o.copyId && o.copyId !== o.messageId, 'the copy has its own MessageId');
        assert.equal(o.deleted, true);
      }
    }
    assert.deepEqual(outcomes.map((o) => o.messageId), held.map((m) => m.messageId), 'one outcome per message, in order');
    assert.equal(summarizeTransfer(countDone(outcomes, true), outcomes.length, true, 'orders'), 'Moved 22 of 25 to orders; 3 failed (their originals stay where they were)');
    assert.deepEqual(counts(source), { visible: 0, inflight: 3, delayed: 0 }, 'the three originals are still held, not deleted');
    await leases.release(failedIds);
    assert.deepEqual(await bodiesOf(source), ['FAIL-11', 'FAIL-19', 'FAIL-3']);
    const moved = await t.client.send(new ReceiveMessageCommand({ QueueUrl: destination, MessageAttributeNames: ['All'], MaxNumberOfMessages: 1 }));
    assert.match(moved.Messages?.[0]?.Body ?? '', /^ok-/);
    assert.equal(moved.Messages?.[0]?.MessageAttributes?.tenant?.StringValue?.startsWith('t'), true, 'message attributes travel with the copy');
    assert.equal(counts(destination).visible + counts(destination).inflight, 22);
  });

  it('copies without touching the originals, peeked ones too', async () => {
    const peeked = await leases.receive({ count: 25, waitSeconds: 0, mode: 'peek' });
    const outcomes = await transferMessages(gateway, peeked, { destinationUrl: destination, destination: standard });
    assert.equal(outcomes.filter((o) => o.copyId).length, 22);
    assert.ok(outcomes.every((o) => !o.deleted));
    assert.equal(counts(source).visible, 25);
    assert.equal(counts(destination).visible, 22);
  });

  it('loses nothing when a move stops half-way: every message is in one queue or both', async () => {
    const held = await leases.receive({ count: 25, waitSeconds: 0, mode: 'hold' });
    const stop = new AbortController();
    const outcomes = await transferMessages(gateway, held, {
      destinationUrl: destination,
      destination: standard,
      concurrency: 1,
      signal: stop.signal,
      deleteOriginals: (ids) => leases.delete(ids),
      onCopied: () => stop.abort(),
    });
    const copied = outcomes.filter((o) => o.copyId);
    assert.ok(copied.length > 0 && copied.length < 25, `stopped after the first batch (${copied.length} copied)`);
    assert.ok(outcomes.filter((o) => !o.copyId).every((o) => !o.deleted && o.error), 'the rest is reported, not deleted');
    await leases.dispose('release');
    const left = await bodiesOf(source);
    const arrived = await bodiesOf(destination);
    assert.equal(left.length + arrived.length, 25);
    assert.deepEqual([...left, ...arrived].sort(), held.map((m) => m.body).sort());
  });

  it('copies to a FIFO queue with a group id and the original MessageId as deduplication id; a message without a group id is refused', async () => {
    const fifoUrl = await t.createQueue('replay.fifo', { FifoQueue: 'true' });
    const fifoSource = await t.createQueue('in.fifo', { FifoQueue: 'true', ContentBasedDeduplication: 'true' });
    t.server.engine.sendMessage(fifoSource, { MessageBody: 'grouped', MessageGroupId: 'g1' });
    const fifoLeases = new LeaseSet(gateway, fifoSource, 60);
    const [m] = await fifoLeases.receive({ count: 1, waitSeconds: 0, mode: 'hold' });
    const first = await transferMessages(gateway, [m], { destinationUrl: fifoUrl, destination: fifo });
    assert.ok(first[0].copyId);
    assert.ok(first[0].sequenceNumber, 'a FIFO copy has a sequence number');
    const again = await transferMessages(gateway, [m], { destinationUrl: fifoUrl, destination: fifo });
    assert.ok(again[0].copyId, 'accepted again, and deduplicated by SQS within 5 minutes');
    const got = await t.client.send(new ReceiveMessageCommand({ QueueUrl: fifoUrl, MessageSystemAttributeNames: ['All'], MaxNumberOfMessages: 10 }));
    assert.equal(got.Messages?.length, 1);
    assert.equal(got.Messages?.[0]?.Attributes?.MessageGroupId, 'g1');
    assert.equal(got.Messages?.[0]?.Attributes?.MessageDeduplicationId, m.messageId);
    await fifoLeases.dispose('release');

    const [plain] = await leases.receive({ count: 1, waitSeconds: 0, mode: 'hold' });
    const refused = await transferMessages(gateway, [plain], { destinationUrl: fifoUrl, destination: fifo, deleteOriginals: (ids) => leases.delete(ids) });
    assert.equal(refused[0].error?.code, 'InvalidCopy');
    assert.match(refused[0].error?.message ?? '', /groupId: A FIFO queue needs a message group id/);
    assert.equal(refused[0].deleted, false);
    assert.equal(leases.get(plain.messageId)?.state, 'held', 'the original was not touched');
  });
});
