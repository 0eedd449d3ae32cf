import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type MessageAttributeValue,
} from '@aws-sdk/client-sqs';
import { settle, startTestServer, type TestServer } from './harness';

/** MD5 of message attributes written out from the SQS documentation, as an independent oracle. */
function expectedAttributesMd5(attrs: Record<string, MessageAttributeValue>): string {
  const parts: Buffer[] = [];
  const withLength = (b: Buffer): void => {
    const n = Buffer.alloc(4);
    n.writeUInt32BE(b.length);
    parts.push(n, b);
  };
  for (const name of Object.keys(attrs).sort()) {
    const a = attrs[name];
    withLength(Buffer.from(name));
    withLength(Buffer.from(a.DataType ?? ''));
    if (a.BinaryValue) {
      parts.push(Buffer.from([2]));
      withLength(Buffer.from(a.BinaryValue));
    } else {
      parts.push(Buffer.from([1]));
      withLength(Buffer.from(a.StringValue ?? ''));
    }
  }
  return createHash('md5').update(Buffer.concat(parts)).digest('hex');
}

describe('local server: messages', () => {
  let t: TestServer;
  let url: string;
  const counts = async (queueUrl = url): Promise<[number, number, number]> => {
    const a = (await t.client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }))).Attributes ?? {};
    return [Number(a.ApproximateNumberOfMessages), Number(a.ApproximateNumberOfMessagesNotVisible), Number(a.ApproximateNumberOfMessagesDelayed)];
  };
  const receive = (input: Partial<ConstructorParameters<typeof ReceiveMessageCommand>[0]> = {}) =>
    t.client.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, ...input })).then((r) => r.Messages ?? []);

  beforeEach(async () => {
    t = await startTestServer();
    url = await t.createQueue('work');
  });
  afterEach(() => t.close());

  describe('live counts', () => {
    it('counts visible, in-flight and delayed apart, and moves them with time alone', async () => {
      await t.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'now' }));
      await t.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'later', DelaySeconds: 10 }));
      await t.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'held' }));
      assert.deepEqual(await counts(), [2, 0, 1]);
      const got = await receive({ MaxNumberOfMessages: 1, VisibilityTimeout: 20 });
      assert.equal(got.length, 1);
      assert.deepEqual(await counts(), [1, 1, 1], 'an in-flight message is not visible');
      t.clock.advance(10_000);
      assert.deepEqual(await counts(), [2, 1, 0], 'the delay ran out with no receive in between');
      t.clock.advance(10_000);
      assert.deepEqual(await counts(), [3, 0, 0], 'the visibility timeout ran out with no receive in between');
    });

    it('applies the queue delay, and a per-message delay over it', async () => {
      const delayed = await t.createQueue('delayed', { DelaySeconds: '30' });
      await t.client.send(new SendMessageCommand({ QueueUrl: delayed, MessageBody: 'queue delay' }));
      await t.client.send(new SendMessageCommand({ QueueUrl: delayed, MessageBody: 'no delay', DelaySeconds: 0 }));
      assert.deepEqual(await counts(delayed), [1, 0, 1]);
      t.clock.advance(29_999);
      assert.deepEqual(await counts(delayed), [1, 0, 1]);
      t.clock.advance(1);
      assert.deepEqual(await counts(delayed), [2, 0, 0]);
      await assert.rejects(t.client.send(new SendMessageCommand({ QueueUrl: delayed, MessageBody: 'x', DelaySeconds: 901 })), {
        name: 'InvalidParameterValue',
      });
    });

    it('drops messages older than the retention period, in flight or not', async () => {
      const short = await t.createQueue('short', { MessageRetentionPeriod: '60' });
      await t.client.send(new SendMessageCommand({ QueueUrl: short, MessageBody: 'old' }));
      t.clock.advance(30_000);
      await t.client.send(new SendMessageCommand({ QueueUrl: short, MessageBody: 'young' }));
      await t.client.send(new ReceiveMessageCommand({ QueueUrl: short, MaxNumberOfMessages: 1, VisibilityTimeout: 600 }));
      t.clock.advance(30_000);
      assert.deepEqual(await counts(short), [1, 0, 0]);
      const left = await t.client.send(new ReceiveMessageCommand({ QueueUrl: short, MaxNumberOfMessages: 10 }));
      assert.deepEqual(left.Messages?.map((m) => m.Body), ['young']);
      t.clock.advance(30_000);
      assert.deepEqual(await counts(short), [0, 0, 0]);
    });
  });

  describe('bodies, attributes and MD5s', () => {
    it('returns MD5s over UTF-8 bytes that the SDK checks, for multibyte bodies and attributes', async () => {
      const body = 'Grüße 👋 — ünïcödé ✓';
      const attrs: Record<string, MessageAttributeValue> = {
        'city.name': { DataType: 'String', StringValue: 'Zürich 🇨🇭' },
        count: { DataType: 'Number', StringValue: '12.50' },
        blob: { DataType: 'Binary', BinaryValue: new Uint8Array([0, 1, 2, 250, 255]) },
        kind: { DataType: 'String.custom', StringValue: 'ä' },
      };
      // The SDK verifies MD5OfMessageBody on send and on receive and throws on a mismatch.
      const sent = await t.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body, MessageAttributes: attrs }));
      assert.equal(sent.MD5OfMessageBody, createHash('md5').update(Buffer.from(body, 'utf8')).digest('hex'));
      assert.equal(sent.MD5OfMessageAttributes, expectedAttributesMd5(attrs));
      const [m] = await receive({ MessageAttributeNames: ['All'] });
      assert.equal(m.Body, body);
      assert.equal(m.MD5OfMessageAttributes, expectedAttributesMd5(attrs));
      assert.equal(m.MessageAttributes?.['city.name']?.StringValue, 'Zürich 🇨🇭');
      assert.deepEqual([...(m.MessageAttributes?.blob?.BinaryValue ?? [])], [0, 1, 2, 250, 255]);
      assert.equal(m.MessageAttributes?.kind?.DataType, 'String.custom');
    });

    it('accepts emoji and the allowed control characters, refuses U+0000 and lone surrogates', async () => {
      await t.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: '🚀\t\r\n\uE000\uFFFD' }));
      await assert.rejects(t.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'a\u0000b' })), { name: 'InvalidMessageContents' });
      await assert.rejects(t.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'bell\u0007' })), { name: 'InvalidMessageContents' });
      await assert.rejects(t.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: '\uFFFE' })), { name: 'InvalidMessageContents' });
      await assert.rejects(
        t.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'ok', MessageAttributes: { a: { DataType: 'String', StringValue: 'x\u0000' } } })),
        { name: 'InvalidMessageContents' },
      );
      assert.deepEqual(await counts(), [1, 0, 0]);
    });

    it('accepts exactly 1 MiB including attributes, and refuses one byte more', async () => {
      const attrs = { a: { DataType: 'String', StringValue: 'xyz' } };
      const attrBytes = 'a'.length + 'String'.length + 'xyz'.length;
      const fits = 'é'.repeat((1_048_576 - attrBytes) / 2 - 1) + 'ab';
      assert.equal(Buffer.byteLength(fits) + attrBytes, 1_048_576);
      await t.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: fits, MessageAttributes: attrs }));
      await assert.rejects(
        t.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: fits + 'x', MessageAttributes: attrs })),
        { name: 'InvalidParameterValue', message: /shorter than 1048576 bytes/ },
      );
      const small = await t.createQueue('small', { MaximumMessageSize: '1024' });
      await t.client.send(new SendMessageCommand({ QueueUrl: small, MessageBody: 'x'.repeat(1024) }));
      await assert.rejects(t.client.send(new SendMessageCommand({ QueueUrl: small, MessageBody: 'x'.repeat(1025) })), {
        message: /shorter than 1024 bytes/,
      });
    });

    it('validates message attributes: count, names, types and values', async () => {
      const send = (MessageAttributes: Record<string, MessageAttributeValue>) =>
        t.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageAttributes }));
      const eleven = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`a${i}`, { DataType: 'String', StringValue: 'v' }]));
      await assert.rejects(send(eleven), { name: 'InvalidParameterValue', message: /exceeds the allowed maximum \[10\]/ });
      for (const name of ['AWS.x', 'amazon.y', '.lead', 'trail.', 'a..b', 'sp ace']) {
        await assert.rejects(send({ [name]: { DataType: 'String', StringValue: 'v' } }), { name: 'InvalidParameterValue' }, name);
      }
      await assert.rejects(send({ n: { DataType: 'Number', StringValue: 'abc' } }), { name: 'InvalidParameterValue' });
      await assert.rejects(send({ n: { DataType: 'Number', StringValue: '1'.repeat(39) } }), { name: 'InvalidParameterValue' });
      await assert.rejects(send({ s: { DataType: 'String', StringValue: '' } }), { name: 'InvalidParameterValue' });
      await assert.rejects(send({ s: { DataType: 'Text', StringValue: 'v' } }), { name: 'InvalidParameterValue' });
      await assert.rejects(send({ b: { DataType: 'Binary', StringValue: 'v' } }), { name: 'InvalidParameterValue' });
      const ok = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`a${i}`, { DataType: 'Number.int', StringValue: String(i) }]));
      await send(ok);
    });

    it('returns system attributes asked for by either parameter, and message attributes by name or prefix', async () => {
      await t.client.send(
        new SendMessageCommand({
          QueueUrl: url,
          MessageBody: 'x',
          MessageAttributes: {
            'trace.id': { DataType: 'String', StringValue: '1' },
            'trace.span': { DataType: 'String', StringValue: '2' },
            other: { DataType: 'String', StringValue: '3' },
          },
          MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: 'Root=1-abc' } },
        }),
      );
      const [a] = await receive({ MessageSystemAttributeNames: ['SentTimestamp', 'ApproximateReceiveCount'], MessageAttributeNames: ['trace.*'], VisibilityTimeout: 0 });
      assert.deepEqual(Object.keys(a.Attributes ?? {}).sort(), ['ApproximateReceiveCount', 'SentTimestamp']);
      assert.deepEqual(Object.keys(a.MessageAttributes ?? {}).sort(), ['trace.id', 'trace.span']);
      t.clock.advance(1);
      const [b] = await receive({ AttributeNames: ['All'] });
      assert.equal(b.Attributes?.ApproximateReceiveCount, '2');
      assert.equal(b.Attributes?.SenderId, '000000000000');
      assert.equal(b.Attributes?.AWSTraceHeader, 'Root=1-abc');
      assert.equal(b.Attributes?.SentTimestamp, String(t.clock.now() - 1));
      assert.equal(b.Attributes?.ApproximateFirstReceiveTimestamp, String(t.clock.now() - 1));
      assert.equal(b.MessageAttributes, undefined, 'message attributes come only when asked for');
    });
  });

  describe('receipt handles and visibility', () => {
    it('issues a new receipt handle per receive; an older one deletes nothing', async () => {
      await t.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'once' }));
      const [first] = await receive({ VisibilityTimeout: 5 });
      t.clock.advance(5_000);
      const [second] = await receive({ VisibilityTimeout: 5, MessageSystemAttributeNames: ['ApproximateReceiveCount'] });
      assert.equal(second.MessageId, first.MessageId);
      assert.notEqual(second.ReceiptHandle, first.ReceiptHandle);
      assert.equal(second.Attributes?.ApproximateReceiveCount, '2');
      await t.client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first.ReceiptHandle }));
      assert.deepEqual(await counts(), [0, 1, 0], 'the stale handle answered success and deleted nothing');
      await assert.rejects(
        t.client.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: first.ReceiptHandle, VisibilityTimeout: 10 })),
        { name: 'InvalidParameterValue', message: /receipt handle has expired/ },
      );
      await t.client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: second.ReceiptHandle }));
      assert.deepEqual(await counts(), [0, 0, 0]);
      // Deleting again with the same handle is a success that changes nothing.
      await t.client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: second.ReceiptHandle }));
    });

    it('tells a never-valid handle from a stale one, also across queues', async () => {
      const other = await t.createQueue('other');
      await t.client.send(new SendMessageCommand({ QueueUrl: other, MessageBody: 'elsewhere' }));
      const [m] = (await t.client.send(new ReceiveMessageCommand({ QueueUrl: other }))).Messages ?? [];
      await assert.rejects(t.client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle })), { name: 'ReceiptHandleIsInvalid' });
      const handle = m.ReceiptHandle ?? '';
      const at = handle.length - 5;
      const tampered = handle.slice(0, at) + (handle[at] === 'A' ? 'B' : 'A') + handle.slice(at + 1);
      assert.notEqual(tampered, handle);
      await assert.rejects(t.client.send(new DeleteMessageCommand({ QueueUrl: other, ReceiptHandle: tampered })), { name: 'ReceiptHandleIsInvalid' });
    });

    it('extends, releases, and refuses a message that is no longer in flight', async () => {
      await t.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' }));
      const [m] = await receive({ VisibilityTimeout: 10 });
      t.clock.advance(8_000);
      await t.client.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 10 }));
      t.clock.advance(9_000);
      assert.deepEqual(await counts(), [0, 1, 0], 'extended: the new timeout counts from the call');
      await t.client.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 }));
      assert.deepEqual(await counts(), [1, 0, 0], 'released at once');
      await assert.rejects(
        t.client.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 5 })),
        { name: 'MessageNotInflight' },
      );
    });

    it('never extends visibility past 12 hours after the receive', async () => {
      await t.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' }));
      const [m] = await receive({ VisibilityTimeout: 43_200 });
      t.clock.advance(3_600_000);
      await assert.rejects(
        t.client.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 39_601 })),
        { name: 'InvalidParameterValue', message: /43200 seconds/ },
      );
      await t.client.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 39_600 }));
      await assert.rejects(
        t.client.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 43_201 })),
        { name: 'InvalidParameterValue' },
      );
    });

    it('makes a receive with visibility timeout 0 a peek that still counts the receive', async () => {
      await t.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'peek me' }));
      for (let i = 1; i <= 3; i++) {
        const [m] = await receive({ VisibilityTimeout: 0, MessageSystemAttributeNames: ['ApproximateReceiveCount'] });
        assert.equal(m.Attributes?.ApproximateReceiveCount, String(i));
        assert.deepEqual(await counts(), [1, 0, 0]);
      }
    });
  });

  describe('batches', () => {
    it('sends, changes visibility of and deletes batches, reporting each entry', async () => {
      const sent = await t.client.send(
        new SendMessageBatchCommand({
          QueueUrl: url,
          Entries: [
            { Id: 'ok-1', MessageBody: 'one' },
            { Id: 'bad', MessageBody: 'nul\u0000' },
            { Id: 'ok-2', MessageBody: 'two', DelaySeconds: 5 },
            { Id: 'too-slow', MessageBody: 'x', DelaySeconds: 1000 },
          ],
        }),
      );
      assert.deepEqual(sent.Successful?.map((s) => s.Id), ['ok-1', 'ok-2']);
      assert.deepEqual(sent.Failed?.map((f) => [f.Id, f.Code, f.SenderFault]), [
        ['bad', 'InvalidMessageContents', true],
        ['too-slow', 'InvalidParameterValue', true],
      ]);
      t.clock.advance(5_000);
      const got = await receive({ VisibilityTimeout: 30 });
      assert.equal(got.length, 2);
      const vis = await t.client.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: url,
          Entries: [
            { Id: 'a', ReceiptHandle: got[0].ReceiptHandle, VisibilityTimeout: 0 },
            { Id: 'b', ReceiptHandle: 'garbage', VisibilityTimeout: 0 },
          ],
        }),
      );
      assert.deepEqual(vis.Successful?.map((s) => s.Id), ['a']);
      assert.deepEqual(vis.Failed?.map((f) => [f.Id, f.Code]), [['b', 'ReceiptHandleIsInvalid']]);
      const del = await t.client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: url,
          Entries: [
            { Id: 'x', ReceiptHandle: got[1].ReceiptHandle },
            { Id: 'y', ReceiptHandle: 'nope' },
          ],
        }),
      );
      assert.deepEqual(del.Successful?.map((s) => s.Id), ['x']);
      assert.deepEqual(del.Failed?.map((f) => [f.Id, f.Code]), [['y', 'ReceiptHandleIsInvalid']]);
      assert.deepEqual(await counts(), [1, 0, 0]);
    });

    it('enforces entry count, ids and the 1 MiB batch payload', async () => {
      const entries = (n: number, size = 1) => Array.from({ length: n }, (_, i) => ({ Id: `e${i}`, MessageBody: 'x'.repeat(size) }));
      await assert.rejects(t.client.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [] })), { name: 'EmptyBatchRequest' });
      await assert.rejects(t.client.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries(11) })), { name: 'TooManyEntriesInBatchRequest' });
      await assert.rejects(
        t.client.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: 'same', MessageBody: 'a' }, { Id: 'same', MessageBody: 'b' }] })),
        { name: 'BatchEntryIdsNotDistinct' },
      );
      await assert.rejects(t.client.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: 'bad id!', MessageBody: 'a' }] })), {
        name: 'InvalidBatchEntryId',
      });
      await assert.rejects(t.client.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: 'x'.repeat(81), MessageBody: 'a' }] })), {
        name: 'InvalidBatchEntryId',
      });
      const exact = entries(10, 104_857);
      exact[9].MessageBody += 'x'.repeat(1_048_576 - 10 * 104_857);
      const ok = await t.client.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: exact }));
      assert.equal(ok.Successful?.length, 10);
      exact[9].MessageBody += 'x';
      await assert.rejects(t.client.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: exact })), { name: 'BatchRequestTooLong' });
    });
  });

  describe('long polling', () => {
    it('returns as soon as one message arrives, whatever MaxNumberOfMessages is', async () => {
      const started = Date.now();
      const poll = receive({ WaitTimeSeconds: 20, MaxNumberOfMessages: 10 });
      await settle(100);
      await t.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'arrived' }));
      const got = await poll;
      assert.deepEqual(got.map((m) => m.Body), ['arrived']);
      assert.ok(Date.now() - started < 5_000, 'the poll did not wait out its time');
    });

    it('returns when a delayed or in-flight message becomes visible during the wait', async () => {
      await t.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'delayed', DelaySeconds: 5 }));
      const poll = receive({ WaitTimeSeconds: 20, VisibilityTimeout: 10 });
      await settle(100);
      t.clock.advance(5_000);
      assert.deepEqual((await poll).map((m) => m.Body), ['delayed']);
      const again = receive({ WaitTimeSeconds: 20 });
      await settle(100);
      t.clock.advance(10_000);
      const got = await again;
      assert.deepEqual(got.map((m) => m.Body), ['delayed'], 'came back when its visibility timeout ran out');
    });

    it('returns empty when the wait ends, using the queue default wait time', async () => {
      const waiting = await t.createQueue('waiting', { ReceiveMessageWaitTimeSeconds: '20' });
      let done = false;
      const poll = t.client.send(new ReceiveMessageCommand({ QueueUrl: waiting })).then((r) => {
        done = true;
        return r;
      });
      await settle(100);
      t.clock.advance(19_000);
      await settle(50);
      assert.equal(done, false, 'still waiting before 20 s');
      t.clock.advance(1_000);
      assert.equal((await poll).Messages, undefined);
      await assert.rejects(receive({ WaitTimeSeconds: 21 }), { name: 'InvalidParameterValue' });
    });
  });
});
