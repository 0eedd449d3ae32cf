import * as assert from 'node:assert/strict';
import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { BrowsePage } from '../../src/shared/browse';
import type { TracePage } from '../../src/shared/trace';
import { BrowseError, browseQueue } from '../../src/sqs/browse';
import { getJson, processClient, startTestServer, type TestServer } from './harness';

async function browse(endpoint: string, query: string): Promise<BrowsePage> {
  const res = await getJson<BrowsePage>(endpoint, `/_workbench/messages?${query}`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
}

describe('local server Browse endpoint', () => {
  let t: TestServer;
  const clients: SQSClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    await t.close();
  });

  it('shows visible, delayed and in-flight messages with their holder, and changes nothing', async () => {
    t = await startTestServer();
    const url = await t.createQueue('orders', { VisibilityTimeout: '30' });
    const worker = processClient(t.server.endpoint, 'worker-1');
    clients.push(worker);
    await t.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: '{"id":1}', MessageAttributes: { tenant: { DataType: 'String', StringValue: 'acme' } } }));
    const taken = await worker.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 1 }));
    const heldId = taken.Messages?.[0]?.MessageId;
    await t.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: '{"id":2}' }));
    await t.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: '{"id":3}', DelaySeconds: 60 }));
    const traceBefore = (await getJson<TracePage>(t.server.endpoint, '/_workbench/trace?after=0')).body.next;

    for (let i = 0; i < 3; i++) {
      const page = await browse(t.server.endpoint, 'queue=orders&bodies=true');
      assert.equal(page.total, 3);
      assert.equal(page.next, undefined);
      assert.deepEqual(page.messages.map((m) => [m.body, m.state, m.receiveCount]), [['{"id":1}', 'inflight', 1], ['{"id":2}', 'visible', 0], ['{"id":3}', 'delayed', 0]]);
      const [held, , delayed] = page.messages;
      assert.equal(held.messageId, heldId);
      assert.equal(held.heldBy?.accessKeyId, 'worker-1');
      assert.equal(held.receivedAt, t.clock.now());
      assert.equal(held.visibleAt, t.clock.now() + 30_000);
      assert.deepEqual(held.attributes, { tenant: { dataType: 'String', stringValue: 'acme' } });
      assert.equal(delayed.visibleAt, t.clock.now() + 60_000);
      assert.equal(delayed.heldBy, undefined);
    }
    const traceAfter = await getJson<TracePage>(t.server.endpoint, `/_workbench/trace?after=${traceBefore}`);
    assert.deepEqual(traceAfter.body.events, [], 'Browse leaves nothing in the trace');
    // Checked through the SQS API: the visible message was never received by Browse.
    const got = await t.client.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));
    assert.deepEqual(got.Messages?.map((m) => [m.Body, m.Attributes?.ApproximateReceiveCount]), [['{"id":2}', '1']]);
  });

});

describe('local server Browse endpoint: bodies, pages and errors', () => {
  let t: TestServer;
  afterEach(() => t.close());

  it('answers without bodies and attribute values unless asked', async () => {
    t = await startTestServer();
    const url = await t.createQueue('q');
    await t.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'secret', MessageAttributes: { k: { DataType: 'String', StringValue: 'v' } } }));
    const [m] = (await browse(t.server.endpoint, 'queue=q')).messages;
    assert.equal(m.body, undefined);
    assert.equal(m.bytes, 'secret'.length + 'k'.length + 'String'.length + 'v'.length);
    assert.deepEqual(m.attributes, { k: { dataType: 'String' } });
  });

  it('pages in queue order, and a page goes on after its last message was deleted', async () => {
    t = await startTestServer();
    const url = await t.createQueue('q');
    for (let i = 0; i < 25; i++) {
      await t.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: `m${i}` }));
      t.clock.advance(1);
    }
    const first = await browse(t.server.endpoint, 'queue=q&limit=10&bodies=true');
    assert.deepEqual(first.messages.map((m) => m.body), Array.from({ length: 10 }, (_, i) => `m${i}`));
    assert.ok(first.next);
    // The consumer deletes the message the cursor names: the next page starts after it all the same.
    const got = await t.client.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    const tenth = got.Messages?.find((m) => m.Body === 'm9');
    assert.ok(tenth?.ReceiptHandle);
    await t.client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: tenth.ReceiptHandle }));
    const second = await browse(t.server.endpoint, `queue=q&limit=10&bodies=true&after=${encodeURIComponent(first.next)}`);
    assert.deepEqual(second.messages.map((m) => m.body), Array.from({ length: 10 }, (_, i) => `m${i + 10}`));
    const third = await browse(t.server.endpoint, `queue=q&limit=10&bodies=true&after=${encodeURIComponent(second.next ?? '')}`);
    assert.deepEqual(third.messages.map((m) => m.body), ['m20', 'm21', 'm22', 'm23', 'm24']);
    assert.equal(third.next, undefined);
  });

  it('refuses bad requests with a clear error, and other host names as the SQS API does', async () => {
    t = await startTestServer();
    await t.createQueue('q');
    const bad = async (path: string, pattern: RegExp, status = 400): Promise<void> => {
      const res = await getJson<{ error: string; message: string }>(t.server.endpoint, path);
      assert.equal(res.status, status, path);
      assert.match(res.body.message, pattern, path);
    };
    await bad('/_workbench/messages', /queue is required/);
    await bad('/_workbench/messages?queue=nope', /No queue named "nope"/, 404);
    await bad('/_workbench/messages?queue=q&limit=0', /limit must be a whole number from 1 to 1000, not "0"/);
    await bad('/_workbench/messages?queue=q&limit=1001', /limit must be a whole number from 1 to 1000/);
    await bad('/_workbench/messages?queue=q&after=xyz', /after must be the "next" of the previous page/);
    await bad('/_workbench/messages?queue=q&bodies=1', /bodies must be true or false/);
    await bad('/_workbench/messages?queue=q&state=visible', /Unknown parameter "state"/);
    const post = await fetch(`${t.server.endpoint}/_workbench/messages?queue=q`, { method: 'POST' });
    assert.equal(post.status, 405);
    const rebound = await getJson<{ message: string }>(t.server.endpoint, '/_workbench/messages?queue=q', { Host: 'attacker.example:9324' });
    assert.equal(rebound.status, 403);
    assert.match(rebound.body.message, /does not serve the host name "attacker.example"/);
  });
});

describe('Browse in the SQS layer (plain Node)', () => {
  let t: TestServer;
  afterEach(() => t.close());

  it('reads every page up to the maximum, and names a missing queue', async () => {
    t = await startTestServer();
    const url = await t.createQueue('q');
    for (let i = 0; i < 30; i++) await t.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: `m${i}` }));
    const all = await browseQueue(t.server.endpoint, 'q', { max: 1000, bodies: true });
    assert.equal(all.total, 30);
    assert.deepEqual(all.messages.map((m) => m.body), Array.from({ length: 30 }, (_, i) => `m${i}`));
    const some = await browseQueue(t.server.endpoint, 'q', { max: 7, bodies: false });
    assert.equal(some.messages.length, 7);
    await assert.rejects(browseQueue(t.server.endpoint, 'missing', { max: 10, bodies: false }), (err: unknown) => err instanceof BrowseError && err.code === 'QueueDoesNotExist' && /No queue named "missing"/.test(err.message));
  });
});
