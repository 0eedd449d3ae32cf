import * as assert from 'node:assert/strict';
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { checkMessageFile, resultLine, sendMessageFile } from '../../src/sqs/batchFile';
import { sendBatches, type BatchItem, type SentItem, type UnsentItem } from '../../src/sqs/batchSender';
import { createSqsClient, localConnection } from '../../src/sqs/connections';
import { SqsGateway } from '../../src/sqs/gateway';
import { queueLimitsFrom } from '../../src/sqs/sending';
import { startTestServer, type TestServer } from './harness';

/**
 * A proxy in front of the local server that injects the failures real SQS can give:
 * throttled requests, and entries reported in `Failed` with a server-side fault.
 */
async function faultyProxy(target: string, plan: { throttleFirst?: number; failEntriesOf?: (requestNo: number) => string[] }): Promise<{ endpoint: string; requests: () => number; close(): Promise<void> }> {
  let count = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const isBatch = req.headers['x-amz-target'] === 'AmazonSQS.SendMessageBatch';
      const n = isBatch ? ++count : 0;
      if (isBatch && n <= (plan.throttleFirst ?? 0)) {
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-query-error': 'RequestThrottled;Sender' });
        res.end(JSON.stringify({ __type: 'com.amazonaws.sqs#RequestThrottled', message: 'Rate exceeded' }));
        return;
      }
      const failIds = isBatch ? (plan.failEntriesOf?.(n) ?? []) : [];
      let forwarded = body;
      if (failIds.length > 0) {
        const input = JSON.parse(body) as { Entries: { Id: string }[] };
        input.Entries = input.Entries.filter((e) => !failIds.includes(e.Id));
        forwarded = JSON.stringify(input);
        if (input.Entries.length === 0) {
          res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
          res.end(JSON.stringify({ Successful: [], Failed: failIds.map((Id) => ({ Id, SenderFault: false, Code: 'InternalError', Message: 'Try again' })) }));
          return;
        }
      }
      const upstream = http.request(target, { method: 'POST', headers: { ...req.headers, 'content-length': Buffer.byteLength(forwarded) } }, (up) => {
        const parts: Buffer[] = [];
        up.on('data', (c: Buffer) => parts.push(c));
        up.on('end', () => {
          let text = Buffer.concat(parts).toString('utf8');
          if (failIds.length > 0 && up.statusCode === 200) {
            const out = JSON.parse(text) as { Successful: unknown[]; Failed: unknown[] };
            out.Failed = [...out.Failed, ...failIds.map((Id) => ({ Id, SenderFault: false, Code: 'InternalError', Message: 'Try again' }))];
            text = JSON.stringify(out);
          }
          res.writeHead(up.statusCode ?? 500, { 'content-type': 'application/x-amz-json-1.0', ...(up.headers['x-amzn-query-error'] ? { 'x-amzn-query-error': up.headers['x-amzn-query-error'] } : {}) });
          res.end(text);
        });
      });
      upstream.end(forwarded);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => count,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

const items = (n: number, make: (i: number) => Partial<BatchItem['message']> = () => ({})): BatchItem[] =>
  Array.from({ length: n }, (_, i) => ({ position: i, message: { body: `message ${i}`, ...make(i) }, source: `message ${i}` }));

describe('batch send against the local server', () => {
  let t: TestServer;
  let gateway: SqsGateway;
  let url: string;
  const gatewayFor = (endpoint: string): SqsGateway => {
    const connection = localConnection(endpoint, 'us-east-1');
    return new SqsGateway(connection, createSqsClient(connection, { maxAttempts: 1 }));
  };
  const drain = async (queueUrl = url): Promise<string[]> => {
    const bodies: string[] = [];
    for (;;) {
      const r = await t.client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 600 }));
      if (!r.Messages?.length) return bodies;
      bodies.push(...r.Messages.map((m) => m.Body ?? ''));
    }
  };
  beforeEach(async () => {
    t = await startTestServer();
    url = await t.createQueue('batch');
    gateway = gatewayFor(t.server.endpoint);
  });
  afterEach(async () => {
    gateway.dispose();
    await t.close();
  });

  it('sends everything once, in batches of at most 10, with bounded concurrency', async () => {
    const sent: SentItem[] = [];
    const summary = await sendBatches(gateway, url, items(1234), { concurrency: 4, onSent: (s) => sent.push(...s) });
    assert.deepEqual([summary.sent, summary.failed, summary.notSent], [1234, 0, 0]);
    assert.equal(summary.requests, 124);
    assert.equal(new Set(sent.map((s) => s.messageId)).size, 1234);
    const bodies = await drain();
    assert.equal(bodies.length, 1234);
    assert.equal(new Set(bodies).size, 1234);
  });

  it('reports entries SQS refuses, entry by entry, and sends the rest', async () => {
    const failed: UnsentItem[] = [];
    const list = items(25, (i) => (i === 3 ? { body: 'bad \u0000' } : i === 17 ? { delaySeconds: 5000 } : {}));
    const summary = await sendBatches(gateway, url, list, { concurrency: 2, onFailed: (f) => failed.push(...f) });
    assert.deepEqual([summary.sent, summary.failed, summary.notSent], [23, 2, 0]);
    assert.deepEqual(failed.map((f) => [f.item.position, f.code]).sort(), [[17, 'InvalidParameterValue'], [3, 'InvalidMessageContents']].sort());
    assert.equal((await drain()).length, 23);
  });

  it('retries throttled requests and server-side entry failures with back-off, sending nothing twice', async () => {
    const proxy = await faultyProxy(t.server.endpoint, { throttleFirst: 2, failEntriesOf: (n) => (n === 3 || n === 4 ? ['e1', 'e5'] : []) });
    const viaProxy = gatewayFor(proxy.endpoint);
    try {
      const summary = await sendBatches(viaProxy, url, items(30), { concurrency: 1, baseDelayMs: 5, maxAttempts: 6 });
      assert.deepEqual([summary.sent, summary.failed, summary.notSent], [30, 0, 0]);
      assert.ok(proxy.requests() >= 7, `throttled twice, two partial failures retried (${proxy.requests()} requests)`);
      const bodies = await drain();
      assert.equal(bodies.length, 30);
      assert.equal(new Set(bodies).size, 30, 'no entry was sent twice');
    } finally {
      viaProxy.dispose();
      await proxy.close();
    }
  });

  it('gives up on an entry after the last attempt and says why', async () => {
    const proxy = await faultyProxy(t.server.endpoint, { failEntriesOf: () => ['e0'] });
    const viaProxy = gatewayFor(proxy.endpoint);
    try {
      const failed: UnsentItem[] = [];
      const summary = await sendBatches(viaProxy, url, items(3), { concurrency: 1, baseDelayMs: 1, maxAttempts: 3, onFailed: (f) => failed.push(...f) });
      assert.deepEqual([summary.sent, summary.failed, summary.notSent], [2, 1, 0]);
      assert.equal(failed[0].code, 'InternalError');
      assert.equal(proxy.requests(), 3);
    } finally {
      viaProxy.dispose();
      await proxy.close();
    }
  });

  it('keeps FIFO group and deduplication ids, and SQS deduplicates repeated ids', async () => {
    const fifo = await t.createQueue('batch.fifo', { FifoQueue: 'true' });
    const list = items(20, (i) => ({ groupId: `g${i % 2}`, dedupId: `d${i % 15}` }));
    const sent: SentItem[] = [];
    const summary = await sendBatches(gateway, fifo, list, { concurrency: 1, onSent: (s) => sent.push(...s) });
    assert.equal(summary.sent, 20, 'duplicates are accepted');
    assert.equal(new Set(sent.map((s) => s.messageId)).size, 15, 'five of them got the first copy\'s MessageId');
    const r = await t.client.send(new ReceiveMessageCommand({ QueueUrl: fifo, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['All'] }));
    const first = r.Messages?.[0];
    assert.equal(first?.Attributes?.MessageGroupId, 'g0');
    assert.equal(first?.Attributes?.MessageDeduplicationId, 'd0');
  });

  it('stops at once when the queue is gone, and reports every entry', async () => {
    t.server.engine.deleteQueue(url);
    const summary = await sendBatches(gateway, url, items(55), { concurrency: 2 });
    assert.equal(summary.stoppedBy?.code, 'QueueDoesNotExist');
    assert.equal(summary.sent + summary.failed + summary.notSent, 55);
    assert.ok(summary.notSent > 0);
  });

  it('on cancel, finishes the requests in flight and reports the rest as not sent: nothing lost, nothing twice', async () => {
    const controller = new AbortController();
    const sent: SentItem[] = [];
    const notSent: UnsentItem[] = [];
    const summary = await sendBatches(gateway, url, items(5000), {
      concurrency: 3,
      signal: controller.signal,
      onSent: (s) => {
        sent.push(...s);
        if (sent.length >= 200) controller.abort();
      },
      onNotSent: (n) => notSent.push(...n),
    });
    assert.equal(summary.cancelled, true);
    assert.equal(summary.sent + summary.failed + summary.notSent, 5000);
    assert.ok(summary.sent >= 200 && summary.sent < 5000);
    const sentPositions = new Set(sent.map((s) => s.item.position));
    assert.ok(notSent.every((n) => !sentPositions.has(n.item.position)), 'no entry is both sent and not sent');
    assert.equal(new Set([...sentPositions, ...notSent.map((n) => n.item.position)]).size, 5000, 'every entry is accounted for');
    const bodies = await drain();
    assert.equal(bodies.length, summary.sent, 'the queue holds exactly what was reported sent');
  });

  it('reads a file as bytes: skips a BOM, takes CR line ends, refuses a deep, a huge and a non-UTF-8 entry at their lines, sends the rest', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sqs-batch-'));
    const file = path.join(dir, 'hostile.jsonl');
    const text = (s: string): Buffer => Buffer.from(s, 'utf8');
    writeFileSync(
      file,
      Buffer.concat([
        Uint8Array.of(0xef, 0xbb, 0xbf),
        text(`{"body":"a"}\r{"body":${'['.repeat(10_000)}${']'.repeat(10_000)}}\r{"body":"${'x'.repeat(8 * 1024 * 1024)}"}\r\n"é ok"\n"c`),
        Uint8Array.of(0xc3, 0x28),
        text('"\n"never read"\n'),
      ]),
    );
    try {
      const source = () => createReadStream(file, { highWaterMark: 1 << 16 }) as AsyncIterable<Buffer>;
      const attrs = (await t.client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }))).Attributes ?? {};
      const limits = queueLimitsFrom(attrs, 'batch');
      const check = await checkMessageFile(source, limits);
      assert.deepEqual([check.entries, check.valid, check.invalid, check.cached], [5, 2, 3, undefined]);
      assert.deepEqual(
        check.problems.map((p) => [p.line, /nested deeper than 1,000|longer than 4,194,304 characters|not valid UTF-8: byte offset [\d,]+ \(line 5\)/.test(p.message)]),
        [[2, true], [3, true], [5, true]],
      );
      const unsent: UnsentItem[] = [];
      const summary = await sendMessageFile(gateway, url, source, limits, { concurrency: 2, onInvalid: (u) => unsent.push(...u) });
      assert.deepEqual([summary.sent, summary.notSent, summary.entries], [2, 3, 5]);
      assert.deepEqual((await drain()).sort(), ['a', 'é ok']);
      assert.equal(unsent.length, 3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('checks a file first, then sends its valid entries; the result file can be sent again as it is', async () => {
    const lines = [
      '{"body": {"orderId": 1}, "attributes": {"kind": "order"}}',
      '"plain text"',
      '{"body": "x", "delaySeconds": 901}',
      'not json',
      '{"body": "y", "attributes": {"n": 3}}',
    ].join('\n');
    const source = () => [lines];
    const attrs = (await t.client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }))).Attributes ?? {};
    const limits = queueLimitsFrom(attrs, 'batch');
    const check = await checkMessageFile(source, limits);
    assert.deepEqual([check.entries, check.valid, check.invalid], [5, 3, 2]);
    assert.deepEqual(check.problems.map((p) => [p.line, p.field]), [[3, 'delaySeconds'], [4, 'entry']]);
    const unsent: UnsentItem[] = [];
    const summary = await sendMessageFile(gateway, url, source, limits, { concurrency: 2, onInvalid: (u) => unsent.push(...u), onFailed: (u) => unsent.push(...u), onNotSent: (u) => unsent.push(...u) });
    assert.deepEqual([summary.sent, summary.failed, summary.notSent, summary.entries], [3, 0, 2, 5]);
    assert.deepEqual((await drain()).sort(), ['plain text', 'y', '{"orderId":1}'].sort());
    const result = unsent.map(resultLine).join('\n');
    const again = await checkMessageFile(() => [result], limits);
    assert.equal(again.entries, 2);
    assert.match(result, /"error":"Invalid: delaySeconds/);
    assert.ok(result.split('\n').includes('not json'), `the line that is not JSON was not kept as it was:\n${result}`);
  });
});
