import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as http from 'node:http';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { md5OfAttributes } from '../../src/local/md5';
import { QUERY_NAMESPACE } from '../../src/local/queryProtocol';
import { startTestServer, type TestServer } from './harness';
import { all, pairs, parseXml, query, queryError, text, type QueryAnswer } from './queryClient';

const md5 = (s: string | Buffer): string => createHash('md5').update(s).digest('hex');

/** The `<ActionResult>` of a successful answer, after checking the envelope SQS wraps it in. */
function result(answer: QueryAnswer, action: string): QueryAnswer['xml'] {
  assert.equal(answer.status, 200, answer.raw);
  assert.equal(answer.xml.name, `${action}Response`);
  assert.equal(answer.xml.attributes.xmlns, QUERY_NAMESPACE);
  assert.match(answer.headers.get('content-type') ?? '', /^text\/xml/);
  assert.equal(text(answer.xml, 'ResponseMetadata/RequestId'), answer.headers.get('x-amzn-requestid'));
  const results = all(answer.xml, `${action}Result`);
  assert.ok(results.length <= 1);
  return results[0] ?? { name: `${action}Result`, attributes: {}, children: [], text: '' };
}

function assertError(answer: QueryAnswer, status: number, code: string, message?: RegExp): void {
  assert.equal(answer.status, status, answer.raw);
  assert.match(answer.headers.get('content-type') ?? '', /^text\/xml/);
  const error = queryError(answer);
  assert.equal(error.code, code);
  assert.equal(error.type, status >= 500 ? 'Receiver' : 'Sender');
  if (message) assert.match(error.message, message);
  assert.equal(text(answer.xml, 'RequestId'), answer.headers.get('x-amzn-requestid'));
  assert.equal(answer.headers.get('x-amzn-query-error'), `${code};${error.type}`);
  assert.equal(all(answer.xml, 'Error/Detail').length, 1);
}

describe('local server: the Query protocol', () => {
  let t: TestServer;
  let q: (params: Record<string, string | number>, options?: Parameters<typeof query>[2]) => Promise<QueryAnswer>;
  beforeEach(async () => {
    t = await startTestServer();
    q = (params, options) => query(t.server.endpoint, params, options);
  });
  afterEach(() => t.close());

  async function createQueue(name: string, extra: Record<string, string | number> = {}): Promise<string> {
    return text(result(await q({ Action: 'CreateQueue', QueueName: name, ...extra }), 'CreateQueue'), 'QueueUrl');
  }

  it('creates a queue with attributes and tags, finds it, reads and changes its attributes', async () => {
    const url = await createQueue('orders', {
      'Attribute.1.Name': 'VisibilityTimeout',
      'Attribute.1.Value': '45',
      'Attribute.2.Name': 'DelaySeconds',
      'Attribute.2.Value': '2',
      'Tag.1.Key': 'team',
      'Tag.1.Value': 'payments',
    });
    assert.equal(url, `${t.server.endpoint}/000000000000/orders`);
    assert.equal(text(result(await q({ Action: 'GetQueueUrl', QueueName: 'orders' }), 'GetQueueUrl'), 'QueueUrl'), url);

    const attrs = pairs(
      result(await q({ Action: 'GetQueueAttributes', QueueUrl: url, 'AttributeName.1': 'VisibilityTimeout', 'AttributeName.2': 'DelaySeconds' }), 'GetQueueAttributes'),
      'Attribute',
    );
    assert.deepEqual(attrs, { VisibilityTimeout: '45', DelaySeconds: '2' });

    result(await q({ Action: 'SetQueueAttributes', QueueUrl: url, 'Attribute.1.Name': 'VisibilityTimeout', 'Attribute.1.Value': '60' }), 'SetQueueAttributes');
    const everything = pairs(result(await q({ Action: 'GetQueueAttributes', QueueUrl: url, 'AttributeName.1': 'All' }), 'GetQueueAttributes'), 'Attribute');
    assert.equal(everything.VisibilityTimeout, '60');
    assert.equal(everything.QueueArn, 'arn:aws:sqs:us-east-1:000000000000:orders');
    assert.deepEqual(pairs(result(await q({ Action: 'ListQueueTags', QueueUrl: url }), 'ListQueueTags'), 'Tag', 'Key', 'Value'), { team: 'payments' });
  });

  it('answers actions without a result with the response envelope alone', async () => {
    const url = await createQueue('plain');
    const answer = await q({ Action: 'PurgeQueue', QueueUrl: url });
    result(answer, 'PurgeQueue');
    assert.deepEqual(
      answer.xml.children.map((c) => c.name),
      ['ResponseMetadata'],
    );
  });

  it('lists queues by prefix, a page at a time', async () => {
    for (const name of ['app-a', 'app-b', 'app-c', 'other']) await createQueue(name);
    const first = result(await q({ Action: 'ListQueues', QueueNamePrefix: 'app-', MaxResults: 2 }), 'ListQueues');
    const page1 = all(first, 'QueueUrl').map((e) => e.text);
    assert.equal(page1.length, 2);
    const token = text(first, 'NextToken');
    const second = result(await q({ Action: 'ListQueues', QueueNamePrefix: 'app-', MaxResults: 2, NextToken: token }), 'ListQueues');
    const page2 = all(second, 'QueueUrl').map((e) => e.text);
    assert.equal(all(second, 'NextToken').length, 0);
    assert.deepEqual([...page1, ...page2].map((u) => u.split('/').pop()).sort(), ['app-a', 'app-b', 'app-c']);
  });

  it('tags and untags a queue, adds and removes a permission', async () => {
    const url = await createQueue('tagged');
    result(await q({ Action: 'TagQueue', QueueUrl: url, 'Tag.1.Key': 'a', 'Tag.1.Value': '1', 'Tag.2.Key': 'b', 'Tag.2.Value': '2' }), 'TagQueue');
    result(await q({ Action: 'UntagQueue', QueueUrl: url, 'TagKey.1': 'a' }), 'UntagQueue');
    assert.deepEqual(pairs(result(await q({ Action: 'ListQueueTags', QueueUrl: url }), 'ListQueueTags'), 'Tag', 'Key', 'Value'), { b: '2' });

    result(await q({ Action: 'AddPermission', QueueUrl: url, Label: 'send', 'AWSAccountId.1': '111122223333', 'ActionName.1': 'SendMessage' }), 'AddPermission');
    const policy = text(result(await q({ Action: 'GetQueueAttributes', QueueUrl: url, 'AttributeName.1': 'Policy' }), 'GetQueueAttributes'), 'Attribute/Value');
    assert.match(policy, /111122223333/);
    result(await q({ Action: 'RemovePermission', QueueUrl: url, Label: 'send' }), 'RemovePermission');
  });

  it('sends with message attributes and answers the MD5s SQS computes', async () => {
    const url = await createQueue('md5s');
    const body = 'order 42 ✓';
    const answer = result(
      await q({
        Action: 'SendMessage',
        QueueUrl: url,
        MessageBody: body,
        'MessageAttribute.1.Name': 'kind',
        'MessageAttribute.1.Value.DataType': 'String',
        'MessageAttribute.1.Value.StringValue': 'order',
        'MessageAttribute.2.Name': 'blob',
        'MessageAttribute.2.Value.DataType': 'Binary',
        'MessageAttribute.2.Value.BinaryValue': Buffer.from([0, 1, 254, 255]).toString('base64'),
        'MessageSystemAttribute.1.Name': 'AWSTraceHeader',
        'MessageSystemAttribute.1.Value.DataType': 'String',
        'MessageSystemAttribute.1.Value.StringValue': 'Root=1-5759e988-bd862e3fe1be46a994272793',
      }),
      'SendMessage',
    );
    assert.equal(text(answer, 'MD5OfMessageBody'), md5(body));
    assert.equal(
      text(answer, 'MD5OfMessageAttributes'),
      md5OfAttributes({ kind: { DataType: 'String', StringValue: 'order' }, blob: { DataType: 'Binary', BinaryValue: Buffer.from([0, 1, 254, 255]) } }),
    );
    assert.match(text(answer, 'MD5OfMessageSystemAttributes'), /^[0-9a-f]{32}$/);
    const id = text(answer, 'MessageId');

    const received = result(
      await q({ Action: 'ReceiveMessage', QueueUrl: url, 'AttributeName.1': 'All', 'MessageAttributeName.1': 'All' }),
      'ReceiveMessage',
    );
    const [message] = all(received, 'Message');
    assert.equal(text(message, 'MessageId'), id);
    assert.equal(text(message, 'Body'), body);
    assert.equal(text(message, 'MD5OfBody'), md5(body));
    assert.equal(text(message, 'MD5OfMessageAttributes'), text(answer, 'MD5OfMessageAttributes'));
    const attributes = pairs(message, 'Attribute');
    assert.equal(attributes.ApproximateReceiveCount, '1');
    assert.equal(attributes.AWSTraceHeader, 'Root=1-5759e988-bd862e3fe1be46a994272793');
    const values = Object.fromEntries(all(message, 'MessageAttribute').map((a) => [text(a, 'Name'), all(a, 'Value')[0]]));
    assert.equal(text(values.kind, 'StringValue'), 'order');
    assert.equal(text(values.kind, 'DataType'), 'String');
    assert.deepEqual(Buffer.from(text(values.blob, 'BinaryValue'), 'base64'), Buffer.from([0, 1, 254, 255]));
    assert.equal(text(values.blob, 'DataType'), 'Binary');
  });

  it('keeps every character SQS allows through the XML, a carriage return too', async () => {
    const url = await createQueue('escaping');
    const body = 'a\r\nb\rc\td <tag attr="x">&amp;</tag> \' ]]> \u00e9\u4e2d\ud83d\ude00\ue000\ufffd';
    result(
      await q({
        Action: 'SendMessage',
        QueueUrl: url,
        MessageBody: body,
        'MessageAttribute.1.Name': 'note',
        'MessageAttribute.1.Value.DataType': 'String',
        'MessageAttribute.1.Value.StringValue': 'x\r\n<y>&',
      }),
      'SendMessage',
    );
    const answer = await q({ Action: 'ReceiveMessage', QueueUrl: url, 'MessageAttributeName.1': 'note' });
    assert.match(answer.raw, /a&#xD;\nb&#xD;c\td &lt;tag attr=&quot;x&quot;&gt;&amp;amp;&lt;\/tag&gt;/);
    const message = all(result(answer, 'ReceiveMessage'), 'Message')[0];
    assert.equal(text(message, 'Body'), body);
    assert.equal(text(message, 'MD5OfBody'), md5(body));
    assert.equal(text(message, 'MessageAttribute/Value/StringValue'), 'x\r\n<y>&');
  });

  it('refuses a body with a character SQS does not allow, naming it', async () => {
    const url = await createQueue('invalid-chars');
    assertError(await q({ Action: 'SendMessage', QueueUrl: url, MessageBody: 'a\u0001b' }), 400, 'InvalidMessageContents', /#x1/);
  });

  it('sends, changes the visibility of and deletes messages in batches, reporting each entry', async () => {
    const url = await createQueue('batches');
    const sent = result(
      await q({
        Action: 'SendMessageBatch',
        QueueUrl: url,
        'SendMessageBatchRequestEntry.1.Id': 'one',
        'SendMessageBatchRequestEntry.1.MessageBody': 'first',
        'SendMessageBatchRequestEntry.2.Id': 'two',
        'SendMessageBatchRequestEntry.2.MessageBody': 'second',
        'SendMessageBatchRequestEntry.2.MessageAttribute.1.Name': 'n',
        'SendMessageBatchRequestEntry.2.MessageAttribute.1.Value.DataType': 'Number',
        'SendMessageBatchRequestEntry.2.MessageAttribute.1.Value.StringValue': '7',
        'SendMessageBatchRequestEntry.3.Id': 'bad',
        'SendMessageBatchRequestEntry.3.MessageBody': 'x',
        'SendMessageBatchRequestEntry.3.DelaySeconds': 901,
      }),
      'SendMessageBatch',
    );
    const ok = all(sent, 'SendMessageBatchResultEntry');
    assert.deepEqual(ok.map((e) => text(e, 'Id')), ['one', 'two']);
    assert.equal(text(ok[0], 'MD5OfMessageBody'), md5('first'));
    assert.equal(text(ok[1], 'MD5OfMessageAttributes'), md5OfAttributes({ n: { DataType: 'Number', StringValue: '7' } }));
    const [failed] = all(sent, 'BatchResultErrorEntry');
    assert.equal(text(failed, 'Id'), 'bad');
    assert.equal(text(failed, 'SenderFault'), 'true');
    assert.equal(text(failed, 'Code'), 'InvalidParameterValue');
    assert.match(text(failed, 'Message'), /DelaySeconds/);

    const messages = all(result(await q({ Action: 'ReceiveMessage', QueueUrl: url, MaxNumberOfMessages: 10 }), 'ReceiveMessage'), 'Message');
    assert.equal(messages.length, 2);
    const handles = messages.map((m) => text(m, 'ReceiptHandle'));

    const changed = result(
      await q({
        Action: 'ChangeMessageVisibilityBatch',
        QueueUrl: url,
        'ChangeMessageVisibilityBatchRequestEntry.1.Id': 'a',
        'ChangeMessageVisibilityBatchRequestEntry.1.ReceiptHandle': handles[0],
        'ChangeMessageVisibilityBatchRequestEntry.1.VisibilityTimeout': 120,
        'ChangeMessageVisibilityBatchRequestEntry.2.Id': 'b',
        'ChangeMessageVisibilityBatchRequestEntry.2.ReceiptHandle': 'not-a-handle',
        'ChangeMessageVisibilityBatchRequestEntry.2.VisibilityTimeout': 120,
      }),
      'ChangeMessageVisibilityBatch',
    );
    assert.deepEqual(all(changed, 'ChangeMessageVisibilityBatchResultEntry/Id').map((e) => e.text), ['a']);
    assert.equal(text(changed, 'BatchResultErrorEntry/Id'), 'b');
    assert.equal(text(changed, 'BatchResultErrorEntry/Code'), 'ReceiptHandleIsInvalid');

    const deleted = result(
      await q({
        Action: 'DeleteMessageBatch',
        QueueUrl: url,
        'DeleteMessageBatchRequestEntry.1.Id': 'a',
        'DeleteMessageBatchRequestEntry.1.ReceiptHandle': handles[0],
        'DeleteMessageBatchRequestEntry.2.Id': 'b',
        'DeleteMessageBatchRequestEntry.2.ReceiptHandle': handles[1],
      }),
      'DeleteMessageBatch',
    );
    assert.deepEqual(all(deleted, 'DeleteMessageBatchResultEntry/Id').map((e) => e.text), ['a', 'b']);
    assert.deepEqual(t.server.engine.counts(url), { visible: 0, inflight: 0, delayed: 0 });
  });

  it('changes the visibility of and deletes one message', async () => {
    const url = await createQueue('single');
    result(await q({ Action: 'SendMessage', QueueUrl: url, MessageBody: 'x' }), 'SendMessage');
    const handle = text(result(await q({ Action: 'ReceiveMessage', QueueUrl: url, VisibilityTimeout: 60 }), 'ReceiveMessage'), 'Message/ReceiptHandle');
    result(await q({ Action: 'ChangeMessageVisibility', QueueUrl: url, ReceiptHandle: handle, VisibilityTimeout: 0 }), 'ChangeMessageVisibility');
    assert.equal(t.server.engine.counts(url).visible, 1);
    const again = text(result(await q({ Action: 'ReceiveMessage', QueueUrl: url }), 'ReceiveMessage'), 'Message/ReceiptHandle');
    result(await q({ Action: 'DeleteMessage', QueueUrl: url, ReceiptHandle: again }), 'DeleteMessage');
    assert.deepEqual(t.server.engine.counts(url), { visible: 0, inflight: 0, delayed: 0 });
    const empty = result(await q({ Action: 'ReceiveMessage', QueueUrl: url }), 'ReceiveMessage');
    assert.equal(all(empty, 'Message').length, 0);
  });

  it('takes the queue from the URL path a request is sent to, by POST and by GET', async () => {
    const url = await createQueue('by-path');
    const path = new URL(url).pathname;
    result(await q({ Action: 'SendMessage', MessageBody: 'posted' }, { path }), 'SendMessage');
    result(await q({ Action: 'SendMessage', MessageBody: 'got' }, { path, method: 'GET' }), 'SendMessage');
    const listed = result(await q({ Action: 'ListQueues' }, { method: 'GET' }), 'ListQueues');
    assert.deepEqual(all(listed, 'QueueUrl').map((e) => e.text), [url]);
    const bodies = all(result(await q({ Action: 'ReceiveMessage', MaxNumberOfMessages: 10 }, { path }), 'ReceiveMessage'), 'Message').map((m) => text(m, 'Body'));
    assert.deepEqual(bodies.sort(), ['got', 'posted']);
    assertError(await q({ Action: 'SendMessage', MessageBody: 'x' }, { path: '/000000000000/nowhere' }), 400, 'AWS.SimpleQueueService.NonExistentQueue');
  });

  it('lists dead-letter source queues and runs a message move task', async () => {
    const dlq = await createQueue('moves-dlq');
    const arn = text(result(await q({ Action: 'GetQueueAttributes', QueueUrl: dlq, 'AttributeName.1': 'QueueArn' }), 'GetQueueAttributes'), 'Attribute/Value');
    const source = await createQueue('moves', {
      'Attribute.1.Name': 'RedrivePolicy',
      'Attribute.1.Value': JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: 1 }),
    });
    assert.deepEqual(
      all(result(await q({ Action: 'ListDeadLetterSourceQueues', QueueUrl: dlq }), 'ListDeadLetterSourceQueues'), 'QueueUrl').map((e) => e.text),
      [source],
    );
    for (let i = 0; i < 5; i++) result(await q({ Action: 'SendMessage', QueueUrl: dlq, MessageBody: `dead ${i}` }), 'SendMessage');
    const handle = text(
      result(await q({ Action: 'StartMessageMoveTask', SourceArn: arn, DestinationArn: 'arn:aws:sqs:us-east-1:000000000000:moves', MaxNumberOfMessagesPerSecond: 1 }), 'StartMessageMoveTask'),
      'TaskHandle',
    );
    const listed = await q({ Action: 'ListMessageMoveTasks', SourceArn: arn });
    const [task] = all(result(listed, 'ListMessageMoveTasks'), 'ListMessageMoveTasksResultEntry');
    assert.equal(text(task, 'TaskHandle'), handle);
    assert.equal(text(task, 'Status'), 'RUNNING');
    assert.equal(text(task, 'SourceArn'), arn);
    assert.equal(text(task, 'DestinationArn'), 'arn:aws:sqs:us-east-1:000000000000:moves');
    assert.equal(text(task, 'MaxNumberOfMessagesPerSecond'), '1');
    const cancelled = result(await q({ Action: 'CancelMessageMoveTask', TaskHandle: handle }), 'CancelMessageMoveTask');
    assert.match(text(cancelled, 'ApproximateNumberOfMessagesMoved'), /^\d+$/);
  });

  it('deletes a queue, which then does not exist', async () => {
    const url = await createQueue('doomed');
    result(await q({ Action: 'DeleteQueue', QueueUrl: url }), 'DeleteQueue');
    assertError(await q({ Action: 'GetQueueUrl', QueueName: 'doomed' }), 400, 'AWS.SimpleQueueService.NonExistentQueue', /does not exist/);
  });

  it('answers errors as SQS does, with the Query error codes', async () => {
    const url = await createQueue('errors', { 'Attribute.1.Name': 'VisibilityTimeout', 'Attribute.1.Value': '10' });
    assertError(await q({ Action: 'CreateQueue', QueueName: 'errors', 'Attribute.1.Name': 'VisibilityTimeout', 'Attribute.1.Value': '20' }), 400, 'QueueAlreadyExists');
    assertError(await q({ Action: 'Frobnicate' }), 400, 'InvalidAction', /Frobnicate/);
    assertError(await q({}), 400, 'MissingParameter', /Action/);
    assertError(await q({ Action: 'SendMessage', QueueUrl: url }), 400, 'MissingParameter', /MessageBody/);
    assertError(await q({ Action: 'ReceiveMessage', QueueUrl: url, MaxNumberOfMessages: 'ten' }), 400, 'InvalidParameterValue', /MaxNumberOfMessages/);
    assertError(await q({ Action: 'ReceiveMessage', QueueUrl: url, MaxNumberOfMessages: 11 }), 400, 'InvalidParameterValue', /MaxNumberOfMessages/);
    assertError(await q({ Action: 'DeleteMessage', QueueUrl: url, ReceiptHandle: 'nope' }), 404, 'ReceiptHandleIsInvalid');
    assertError(await q({ Action: 'GetQueueAttributes', QueueUrl: url, 'AttributeName.1': 'Colour' }), 400, 'InvalidAttributeName', /Colour/);
    assertError(
      await q({ Action: 'SendMessage', QueueUrl: url, MessageBody: 'x', 'MessageAttribute.1.Name': 'b', 'MessageAttribute.1.Value.DataType': 'Binary', 'MessageAttribute.1.Value.BinaryValue': 'not base64!' }),
      400,
      'InvalidParameterValue',
      /MessageAttribute\.1\.Value\.BinaryValue/,
    );
    result(await q({ Action: 'PurgeQueue', QueueUrl: url }), 'PurgeQueue');
    assertError(await q({ Action: 'PurgeQueue', QueueUrl: url }), 403, 'AWS.SimpleQueueService.PurgeQueueInProgress');
  });

  it('refuses percent-encoding that is not UTF-8, naming the parameter', async () => {
    const res = await fetch(`${t.server.endpoint}/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'Action=CreateQueue&QueueName=%C3%28',
    });
    const raw = await res.text();
    assertError({ status: res.status, headers: res.headers, raw, xml: parseXml(raw) }, 400, 'MalformedQueryString', /QueueName/);
  });

  it('applies the Host check to Query requests and answers it in XML', async () => {
    const answer = await new Promise<QueryAnswer>((resolve, reject) => {
      // fetch does not let a caller set Host: a raw request does.
      const req = http.request(`${t.server.endpoint}/`, { method: 'POST', headers: { Host: 'evil.example', 'Content-Type': 'application/x-www-form-urlencoded' } }, (res) => {
        let raw = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (raw += c));
        res.on('end', () => {
          const headers = new Headers(Object.entries(res.headers).map(([k, v]) => [k, String(v)] as [string, string]));
          resolve({ status: res.statusCode ?? 0, headers, raw, xml: parseXml(raw) });
        });
      });
      req.on('error', reject);
      req.end('Action=ListQueues&Version=2012-11-05');
    });
    assertError(answer, 403, 'AccessDenied', /evil\.example/);
  });

  it('shares the queues and messages with JSON clients, MD5s included', async () => {
    const url = await createQueue('both');
    await t.client.send(
      new SendMessageCommand({ QueueUrl: url, MessageBody: 'from json\r\n', MessageAttributes: { k: { DataType: 'String', StringValue: 'v' } } }),
    );
    const message = all(result(await q({ Action: 'ReceiveMessage', QueueUrl: url, 'MessageAttributeName.1': 'All' }), 'ReceiveMessage'), 'Message')[0];
    assert.equal(text(message, 'Body'), 'from json\r\n');
    assert.equal(text(message, 'MD5OfMessageAttributes'), md5OfAttributes({ k: { DataType: 'String', StringValue: 'v' } }));

    result(await q({ Action: 'SendMessage', QueueUrl: url, MessageBody: 'from query', 'MessageAttribute.1.Name': 'k', 'MessageAttribute.1.Value.DataType': 'String', 'MessageAttribute.1.Value.StringValue': 'v' }), 'SendMessage');
    t.clock.advance(31_000);
    // The SDK checks the body and attribute MD5s of what it receives.
    const out = await t.client.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }));
    assert.deepEqual(out.Messages?.map((m) => m.Body).sort(), ['from json\r\n', 'from query']);
  });
});
