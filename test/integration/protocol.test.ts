import * as assert from 'node:assert/strict';
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSServiceException,
} from '@aws-sdk/client-sqs';
import { awsError, rawRequest, sdkClient, settle, startTestServer, type TestServer } from './harness';

describe('local server: protocol and errors', () => {
  let t: TestServer;
  let url: string;
  beforeEach(async () => {
    t = await startTestServer();
    url = await t.createQueue('errors');
  });
  afterEach(() => t.close());

  it('raises AWS error names and query codes through the SDK', async () => {
    await assert.rejects(
      t.client.send(new GetQueueAttributesCommand({ QueueUrl: `${t.server.endpoint}/000000000000/missing`, AttributeNames: ['All'] })),
      (err: SQSServiceException & { Code?: string }) => {
        assert.equal(err.name, 'QueueDoesNotExist');
        assert.equal(err.Code, 'AWS.SimpleQueueService.NonExistentQueue');
        assert.equal(err.$metadata.httpStatusCode, 400);
        assert.equal(err.$fault, 'client');
        return true;
      },
    );
    await assert.rejects(t.client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: 'not-a-handle' })), {
      name: 'ReceiptHandleIsInvalid',
    });
    await assert.rejects(t.client.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 11 })), {
      name: 'InvalidParameterValue',
      message: /MaxNumberOfMessages/,
    });
  });

  it('answers errors with __type, message and the x-amzn-query-error header', async () => {
    const res = await rawRequest(t.server.endpoint, {
      target: 'AmazonSQS.GetQueueUrl',
      body: JSON.stringify({ QueueName: 'nope' }),
    });
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('x-amzn-query-error'), 'AWS.SimpleQueueService.NonExistentQueue;Sender');
    assert.equal(res.headers.get('content-type'), 'application/x-amz-json-1.0');
    assert.deepEqual(JSON.parse(res.text), { __type: 'com.amazonaws.sqs#QueueDoesNotExist', message: 'The specified queue does not exist.' });
  });

  it('rejects a request without X-Amz-Target with a clear error', async () => {
    const res = await rawRequest(t.server.endpoint, { body: '{}' });
    assert.equal(res.status, 400);
    assert.match(awsError(res.text).message, /X-Amz-Target/);
    assert.match(awsError(res.text).message, /Query protocol \(Action=/);
  });

  it('answers malformed JSON, wrong types and unknown actions with AWS-shaped errors', async () => {
    const bad = await rawRequest(t.server.endpoint, { target: 'AmazonSQS.SendMessage', body: '{"QueueUrl": ' });
    assert.equal(bad.status, 400);
    assert.equal(awsError(bad.text).__type, 'com.amazonaws.sqs#SerializationException');

    const wrongType = await rawRequest(t.server.endpoint, {
      target: 'AmazonSQS.SendMessage',
      body: JSON.stringify({ QueueUrl: url, MessageBody: 42 }),
    });
    assert.equal(wrongType.status, 400);
    assert.match(awsError(wrongType.text).message, /MessageBody must be a string/);

    const wrongList = await rawRequest(t.server.endpoint, {
      target: 'AmazonSQS.SendMessageBatch',
      body: JSON.stringify({ QueueUrl: url, Entries: 'x' }),
    });
    assert.equal(awsError(wrongList.text).__type, 'com.amazonaws.sqs#SerializationException');

    const unknown = await rawRequest(t.server.endpoint, { target: 'AmazonSQS.FlyToTheMoon', body: '{}' });
    assert.equal(unknown.status, 400);
    assert.equal(awsError(unknown.text).__type, 'com.amazonaws.sqs#UnknownOperationException');

    const proto = await rawRequest(t.server.endpoint, { target: 'AmazonSQS.__proto__', body: '{}' });
    assert.equal(awsError(proto.text).__type, 'com.amazonaws.sqs#UnknownOperationException');

    const missing = await rawRequest(t.server.endpoint, { target: 'AmazonSQS.SendMessage', body: JSON.stringify({ QueueUrl: url }) });
    assert.equal(awsError(missing.text).__type, 'com.amazonaws.sqs#MissingParameter');

    // After all of that the queue is intact and the server answers.
    const sent = await t.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'still fine' }));
    assert.ok(sent.MessageId);
  });

  it('answers a queue URL with malformed percent-encoding with a 400 that names it, not a 500', async () => {
    for (const name of ['%', '%ZZ', '%E0%A4%A']) {
      const res = await rawRequest(t.server.endpoint, {
        target: 'AmazonSQS.GetQueueAttributes',
        body: JSON.stringify({ QueueUrl: `${t.server.endpoint}/000000000000/${name}`, AttributeNames: ['All'] }),
      });
      assert.equal(res.status, 400, name);
      const error = awsError(res.text);
      assert.equal(error.__type, 'com.amazonaws.sqs#InvalidAddress', name);
      assert.match(error.message, /not valid percent-encoding/);
    }
  });

  it('keeps a message attribute named __proto__ like any other, and counts it against the limit of 10', async () => {
    const attribute = { DataType: 'String', StringValue: 'kept' };
    // JSON.parse makes "__proto__" an own key, as it arrives from any client.
    const attributes = JSON.parse(`{"__proto__": ${JSON.stringify(attribute)}, "other": ${JSON.stringify(attribute)}}`) as Record<string, unknown>;
    const sent = await rawRequest(t.server.endpoint, { target: 'AmazonSQS.SendMessage', body: JSON.stringify({ QueueUrl: url, MessageBody: 'p', MessageAttributes: attributes }) });
    assert.equal(sent.status, 200, sent.text);
    const received = await rawRequest(t.server.endpoint, {
      target: 'AmazonSQS.ReceiveMessage',
      body: JSON.stringify({ QueueUrl: url, MessageAttributeNames: ['All'] }),
    });
    const messages = (JSON.parse(received.text) as { Messages: { MessageAttributes: Record<string, unknown> }[] }).Messages;
    assert.deepEqual(Object.keys(messages[0].MessageAttributes).sort(), ['__proto__', 'other']);

    const eleven = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`a${i}`, attribute]));
    const withProto = `{"__proto__": ${JSON.stringify(attribute)}, ${JSON.stringify(eleven).slice(1)}`;
    const refused = await rawRequest(t.server.endpoint, {
      target: 'AmazonSQS.SendMessage',
      body: `{"QueueUrl": ${JSON.stringify(url)}, "MessageBody": "p", "MessageAttributes": ${withProto}}`,
    });
    assert.equal(refused.status, 400);
    assert.match(awsError(refused.text).message, /Number of message attributes \[11\] exceeds the allowed maximum \[10\]/);
  });

  it('refuses a Host header that names another host (DNS rebinding), and serves loopback names and addresses', async () => {
    const http = await import('node:http');
    const ask = (host: string): Promise<{ status: number; text: string }> =>
      new Promise((resolve, reject) => {
        const req = http.request(
          t.server.endpoint,
          { method: 'POST', headers: { Host: host, 'X-Amz-Target': 'AmazonSQS.ListQueues', 'Content-Type': 'application/x-amz-json-1.0' } },
          (res) => {
            let text = '';
            res.on('data', (c: Buffer) => (text += c.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
          },
        );
        req.on('error', reject);
        req.end('{}');
      });
    const port = new URL(t.server.endpoint).port;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `10.1.2.3:${port}`]) assert.equal((await ask(host)).status, 200, host);
    const rebound = await ask(`attacker.example:${port}`);
    assert.equal(rebound.status, 403);
    assert.equal(awsError(rebound.text).__type, 'com.amazonaws.sqs#AccessDenied');
    assert.match(awsError(rebound.text).message, /--allow-host attacker\.example/);
  });

  it('refuses a request body that is not valid UTF-8, naming the byte, instead of storing U+FFFD', async () => {
    const body = Buffer.concat([Buffer.from(`{"QueueUrl": ${JSON.stringify(url)}, "MessageBody": "ab`), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    const res = await fetch(t.server.endpoint, { method: 'POST', headers: { 'X-Amz-Target': 'AmazonSQS.SendMessage', 'Content-Type': 'application/x-amz-json-1.0' }, body });
    assert.equal(res.status, 400);
    const error = awsError(await res.text());
    assert.equal(error.__type, 'com.amazonaws.sqs#SerializationException');
    assert.match(error.message, new RegExp(`byte ${body.indexOf(0xc3)} \\(0xc3\\)`));
    assert.deepEqual(t.server.engine.counts(url), { visible: 0, inflight: 0, delayed: 0 });
  });

  it('answers every waiting long poll (empty) when it stops, instead of resetting them', async () => {
    const polls = Array.from({ length: 50 }, () => t.client.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20 })));
    for (let i = 0; i < 200 && t.server.engine.waitingReceives(url) < 50; i++) await settle(50);
    assert.equal(t.server.engine.waitingReceives(url), 50, 'all polls are waiting on the server');
    await t.server.close();
    const answers = await Promise.allSettled(polls);
    assert.deepEqual(
      answers.map((a) => (a.status === 'fulfilled' ? (a.value.Messages ?? []).length : `failed: ${String(a.reason)}`)),
      Array.from({ length: 50 }, () => 0),
    );
  });

  it('refuses a body far over the limit without falling over', async () => {
    const huge = 'x'.repeat(9 * 1024 * 1024);
    const res = await rawRequest(t.server.endpoint, {
      target: 'AmazonSQS.SendMessage',
      body: JSON.stringify({ QueueUrl: url, MessageBody: huge }),
    }).catch((err: unknown) => ({ status: -1, text: String(err), headers: new Headers() }));
    // Either an AWS-shaped error, or the connection closed after the error was sent.
    if (res.status !== -1) {
      assert.equal(res.status, 400);
      assert.match(awsError(res.text).message, /at most/);
    }
    const list = await t.client.send(new ListQueuesCommand({}));
    assert.equal(list.QueueUrls?.length, 1);
  });

  it('serves thousands of concurrent long polls and hands one message to exactly one of them', async () => {
    const pollers = sdkClient(t.server.endpoint, 2000);
    const polls = Array.from({ length: 1500 }, () =>
      pollers.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20, MaxNumberOfMessages: 10 })),
    );
    for (let i = 0; i < 300 && t.server.engine.waitingReceives(url) < 1500; i++) await settle(50);
    assert.equal(t.server.engine.waitingReceives(url), 1500, 'all polls are waiting on the server');
    await t.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'only one' }));
    t.clock.advance(20_000);
    const results = await Promise.all(polls);
    pollers.destroy();
    const received = results.flatMap((r) => r.Messages ?? []);
    assert.equal(received.length, 1);
    assert.equal(received[0].Body, 'only one');
    assert.equal(t.clock.pendingTimers, 0, 'every long-poll timer is cleared');
  }).timeout(60_000);

  it('stops a long poll whose client went away', async () => {
    const controller = new AbortController();
    const poll = t.client.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20 }), { abortSignal: controller.signal });
    await settle(100);
    controller.abort();
    await assert.rejects(poll);
    await settle(100);
    await t.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'for the next consumer' }));
    const got = await t.client.send(new ReceiveMessageCommand({ QueueUrl: url }));
    assert.equal(got.Messages?.[0]?.Body, 'for the next consumer', 'the abandoned poll did not take the message');
  });

  it('answers a health check on GET /health', async () => {
    const res = await fetch(`${t.server.endpoint}/health`);
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { status: string }).status, 'ok');
  });
});
