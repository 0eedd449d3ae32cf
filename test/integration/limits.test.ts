import * as assert from 'node:assert/strict';
import * as net from 'node:net';
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

describe('local server: slow and idle clients', () => {
  let t: TestServer;
  afterEach(() => t.close());

  /** Opens a raw connection, writes `text`, and resolves with the ms until the server closes it (or `giveUpMs`). */
  function closedAfter(port: number, text: string, giveUpMs: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const started = Date.now();
      const socket = net.connect(port, '127.0.0.1', () => socket.write(text));
      const timer = setTimeout(() => {
        socket.destroy();
        resolve(Infinity);
      }, giveUpMs);
      socket.on('data', () => undefined);
      socket.on('close', () => {
        clearTimeout(timer);
        resolve(Date.now() - started);
      });
      socket.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' ? undefined : reject(err)));
    });
  }

  it('closes a connection whose headers trickle in, one whose body never ends, and an idle keep-alive one', async () => {
    t = await startTestServer({ timeouts: { headersMs: 500, requestMs: 1_000, keepAliveMs: 300 } });
    const port = Number(new URL(t.server.endpoint).port);
    assert.ok((await closedAfter(port, 'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Tar', 5_000)) < 3_000, 'headers never finished');
    const body = 'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: AmazonSQS.ListQueues\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: 100\r\n\r\n{';
    assert.ok((await closedAfter(port, body, 5_000)) < 3_000, 'a body that never ends');
    const idle = 'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: AmazonSQS.ListQueues\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: 2\r\n\r\n{}';
    assert.ok((await closedAfter(port, idle, 5_000)) < 3_000, 'a keep-alive connection left idle after its answer');
  });

  it('closes connections past its cap at once, and takes new ones again when some close', async () => {
    t = await startTestServer({ maxConnections: 16 });
    const port = Number(new URL(t.server.endpoint).port);
    const open = async (): Promise<net.Socket> => {
      const socket = net.connect(port, '127.0.0.1');
      socket.on('error', () => undefined);
      await new Promise((resolve) => socket.once('connect', resolve));
      return socket;
    };
    const idle: net.Socket[] = [];
    for (let i = 0; i < 16; i++) idle.push(await open());
    await settleConnections();
    const refused = await open();
    const closedQuickly = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 2_000);
      refused.once('close', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    assert.ok(closedQuickly, 'the 17th connection was closed by the server');
    idle.pop()?.destroy();
    await settleConnections();
    const answer = await fetch(`${t.server.endpoint}/`, {
      method: 'POST',
      headers: { 'x-amz-target': 'AmazonSQS.ListQueues', 'content-type': 'application/x-amz-json-1.0' },
      body: '{}',
    });
    assert.equal(answer.status, 200, 'one closed, so a new client is served');
    for (const s of idle) s.destroy();
  });
});

/** Lets the server see connections open and close. */
function settleConnections(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 100));
}
