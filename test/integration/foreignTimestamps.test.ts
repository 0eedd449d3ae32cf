import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { isMessageView } from '../../src/protocol';
import { createSqsClient, localConnection } from '../../src/sqs/connections';
import { SqsGateway } from '../../src/sqs/gateway';
import { LeaseSet } from '../../src/sqs/leases';
import { toMessageView } from '../../src/views/inspector/messageView';
import { startTestServer, type TestServer } from './harness';

const HUGE = '12345678901234567890';

/** A server that is not SQS: it answers with timestamps of 20 digits, which no Date can show. */
async function hugeTimestampProxy(target: string): Promise<{ endpoint: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const upstream = http.request(target, { method: 'POST', headers: req.headers }, (up) => {
        const parts: Buffer[] = [];
        up.on('data', (c: Buffer) => parts.push(c));
        up.on('end', () => {
          const text = Buffer.concat(parts).toString('utf8').replace(/"(SentTimestamp|ApproximateFirstReceiveTimestamp)":"\d+"/g, `"$1":"${HUGE}"`);
          res.writeHead(up.statusCode ?? 500, { 'content-type': up.headers['content-type'] ?? 'application/x-amz-json-1.0' });
          res.end(text);
        });
      });
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { endpoint: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('an endpoint that sends timestamps no Date can show', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => t.close());

  it('leaves the 20-digit SentTimestamp out of the view the page gets, and the view stays valid', async () => {
    const url = await t.createQueue('foreign');
    await t.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'from elsewhere' }));
    const proxy = await hugeTimestampProxy(t.server.endpoint);
    const connection = localConnection(proxy.endpoint, 'us-east-1');
    const gateway = new SqsGateway(connection, createSqsClient(connection, { maxAttempts: 1 }));
    const leases = new LeaseSet(gateway, url, 30);
    try {
      const [m] = await leases.receive({ count: 1, waitSeconds: 0, visibilityTimeout: 30, mode: 'peek' });
      assert.equal(m.systemAttributes.SentTimestamp, HUGE, 'the proxy did send the huge timestamp');
      const view = toMessageView(m, leases, undefined, {}, []);
      assert.equal(view.sentAt, undefined);
      assert.equal(view.firstReceiveAt, undefined);
      assert.equal(view.systemAttributes.SentTimestamp, HUGE, 'still shown as the text it was');
      assert.ok(isMessageView(view), 'the page accepts the view: nothing blanks it');
    } finally {
      await leases.dispose();
      gateway.dispose();
      await proxy.close();
    }
  });
});
