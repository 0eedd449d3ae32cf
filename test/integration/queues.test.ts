import * as assert from 'node:assert/strict';
import {
  AddPermissionCommand,
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  ListQueueTagsCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  RemovePermissionCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  TagQueueCommand,
  UntagQueueCommand,
} from '@aws-sdk/client-sqs';
import { startTestServer, type TestServer } from './harness';

describe('local server: queues', () => {
  let t: TestServer;
  beforeEach(async () => {
    t = await startTestServer();
  });
  afterEach(() => t.close());

  it('creates queues whose URLs work as the endpoint', async () => {
    const url = await t.createQueue('plain');
    assert.equal(url, `http://127.0.0.1:${t.server.port}/000000000000/plain`);
    const got = await t.client.send(new GetQueueUrlCommand({ QueueName: 'plain' }));
    assert.equal(got.QueueUrl, url);
    // The SDK sends queue operations to the QueueUrl's host; it must answer there.
    await t.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'via queue url' }));
    const r = await t.client.send(new ReceiveMessageCommand({ QueueUrl: url }));
    assert.equal(r.Messages?.[0]?.Body, 'via queue url');
  });

  it('validates queue names and FIFO naming', async () => {
    await assert.rejects(t.createQueue('has space'), { name: 'InvalidParameterValue' });
    await assert.rejects(t.createQueue('x'.repeat(81)), { name: 'InvalidParameterValue' });
    await assert.rejects(t.createQueue('jobs.fifo'), { name: 'InvalidParameterValue', message: /FifoQueue/ });
    await assert.rejects(t.createQueue('jobs', { FifoQueue: 'true' }), { name: 'InvalidParameterValue', message: /\.fifo/ });
    assert.ok(await t.createQueue('x'.repeat(75) + '.fifo', { FifoQueue: 'true' }));
    assert.ok(await t.createQueue('A-b_9'));
  });

  it('validates attribute names and ranges', async () => {
    await assert.rejects(t.createQueue('a', { Bogus: '1' }), { name: 'InvalidAttributeName' });
    await assert.rejects(t.createQueue('a', { VisibilityTimeout: '43201' }), { name: 'InvalidAttributeValue' });
    await assert.rejects(t.createQueue('a', { DelaySeconds: '901' }), { name: 'InvalidAttributeValue' });
    await assert.rejects(t.createQueue('a', { MessageRetentionPeriod: '59' }), { name: 'InvalidAttributeValue' });
    await assert.rejects(t.createQueue('a', { MaximumMessageSize: '1023' }), { name: 'InvalidAttributeValue' });
    await assert.rejects(t.createQueue('a', { MaximumMessageSize: '1048577' }), { name: 'InvalidAttributeValue' });
    await assert.rejects(t.createQueue('a', { ReceiveMessageWaitTimeSeconds: '21' }), { name: 'InvalidAttributeValue' });
    await assert.rejects(t.createQueue('a', { ContentBasedDeduplication: 'true' }), { name: 'InvalidAttributeName' });
    assert.ok(await t.createQueue('a', { MaximumMessageSize: '1048576', MessageRetentionPeriod: '1209600' }));
  });

  it('returns the existing queue for the same attributes and refuses different ones', async () => {
    const url = await t.createQueue('same', { VisibilityTimeout: '45' });
    assert.equal(await t.createQueue('same', { VisibilityTimeout: '45' }), url);
    assert.equal(await t.createQueue('same'), url);
    await assert.rejects(t.createQueue('same', { VisibilityTimeout: '46' }), { name: 'QueueNameExists' });
  });

  it('reports every attribute, with defaults as SQS sets them', async () => {
    const url = await t.createQueue('attrs');
    const fifo = await t.createQueue('attrs.fifo', { FifoQueue: 'true', ContentBasedDeduplication: 'true' });
    const a = (await t.client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }))).Attributes ?? {};
    assert.equal(a.QueueArn, 'arn:aws:sqs:us-east-1:000000000000:attrs');
    assert.equal(a.VisibilityTimeout, '30');
    assert.equal(a.MessageRetentionPeriod, '345600');
    assert.equal(a.MaximumMessageSize, '1048576');
    assert.equal(a.DelaySeconds, '0');
    assert.equal(a.ReceiveMessageWaitTimeSeconds, '0');
    assert.equal(a.ApproximateNumberOfMessages, '0');
    assert.equal(a.ApproximateNumberOfMessagesNotVisible, '0');
    assert.equal(a.ApproximateNumberOfMessagesDelayed, '0');
    assert.equal(a.CreatedTimestamp, String(Math.floor(t.clock.now() / 1000)));
    assert.equal(a.FifoQueue, undefined);
    const f = (await t.client.send(new GetQueueAttributesCommand({ QueueUrl: fifo, AttributeNames: ['All'] }))).Attributes ?? {};
    assert.equal(f.FifoQueue, 'true');
    assert.equal(f.ContentBasedDeduplication, 'true');
    assert.equal(f.DeduplicationScope, 'queue');
    assert.equal(f.FifoThroughputLimit, 'perQueue');
    const some = (await t.client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['VisibilityTimeout'] }))).Attributes;
    assert.deepEqual(some, { VisibilityTimeout: '30' });
    await assert.rejects(
      t.client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['Nope' as 'All'] })),
      { name: 'InvalidAttributeName' },
    );
  });

  it('sets attributes, bumps LastModifiedTimestamp, and keeps FifoQueue fixed', async () => {
    const url = await t.createQueue('settable');
    t.clock.advance(5_000);
    await t.client.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { VisibilityTimeout: '90', DelaySeconds: '3' } }));
    const a = (await t.client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }))).Attributes ?? {};
    assert.equal(a.VisibilityTimeout, '90');
    assert.equal(a.DelaySeconds, '3');
    assert.ok(Number(a.LastModifiedTimestamp) > Number(a.CreatedTimestamp));
    await assert.rejects(
      t.client.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { FifoQueue: 'true' } })),
      { name: 'InvalidAttributeName' },
    );
    await assert.rejects(
      t.client.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { VisibilityTimeout: 'soon' } })),
      { name: 'InvalidAttributeValue' },
    );
  });

  it('lists with a prefix, at most 1,000 URLs without MaxResults, and pages with NextToken', async () => {
    for (let i = 0; i < 1005; i++) t.server.engine.createQueue(`q-${String(i).padStart(4, '0')}`);
    t.server.engine.createQueue('other');
    const unpaged = await t.client.send(new ListQueuesCommand({}));
    assert.equal(unpaged.QueueUrls?.length, 1000);
    assert.equal(unpaged.NextToken, undefined);
    const prefixed = await t.client.send(new ListQueuesCommand({ QueueNamePrefix: 'oth' }));
    assert.deepEqual(prefixed.QueueUrls?.map((u) => u.split('/').pop()), ['other']);

    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await t.client.send(new ListQueuesCommand({ QueueNamePrefix: 'q-', MaxResults: 400, NextToken: token }));
      seen.push(...(page.QueueUrls ?? []));
      token = page.NextToken;
      pages++;
    } while (token);
    assert.equal(pages, 3);
    assert.equal(seen.length, 1005);
    assert.equal(new Set(seen).size, 1005);
    await assert.rejects(t.client.send(new ListQueuesCommand({ MaxResults: 1001 })), { name: 'InvalidParameterValue' });
    await assert.rejects(t.client.send(new ListQueuesCommand({ MaxResults: 10, NextToken: 'garbage' })), { name: 'InvalidParameterValue' });
  }).timeout(30_000);

  it('removes a deleted queue from the list at once and holds its name for 60 seconds', async () => {
    const url = await t.createQueue('short-lived');
    await t.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' }));
    await t.client.send(new DeleteQueueCommand({ QueueUrl: url }));
    const list = await t.client.send(new ListQueuesCommand({}));
    assert.deepEqual(list.QueueUrls ?? [], []);
    await assert.rejects(t.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'y' })), { name: 'QueueDoesNotExist' });
    await assert.rejects(t.createQueue('short-lived'), { name: 'QueueDeletedRecently' });
    t.clock.advance(60_000);
    assert.equal(await t.createQueue('short-lived'), url);
    const a = (await t.client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }))).Attributes;
    assert.equal(a?.ApproximateNumberOfMessages, '0', 'the new queue does not inherit the old messages');
  });

  it('purges at once and refuses a second purge within 60 seconds', async () => {
    const url = await t.createQueue('purgeable');
    for (let i = 0; i < 5; i++) await t.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: `m${i}` }));
    await t.client.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 2 }));
    await t.client.send(new PurgeQueueCommand({ QueueUrl: url }));
    const a = (await t.client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }))).Attributes ?? {};
    assert.equal(a.ApproximateNumberOfMessages, '0');
    assert.equal(a.ApproximateNumberOfMessagesNotVisible, '0');
    const r = await t.client.send(new ReceiveMessageCommand({ QueueUrl: url }));
    assert.equal(r.Messages, undefined);
    await assert.rejects(t.client.send(new PurgeQueueCommand({ QueueUrl: url })), (err: Error & { $metadata: { httpStatusCode?: number } }) => {
      assert.equal(err.name, 'PurgeQueueInProgress');
      assert.equal(err.$metadata.httpStatusCode, 403);
      return true;
    });
    t.clock.advance(60_000);
    await t.client.send(new PurgeQueueCommand({ QueueUrl: url }));
  });

  it('tags and untags queues, also at creation', async () => {
    const url = await t.createQueue('tagged', undefined, { team: 'core' });
    await t.client.send(new TagQueueCommand({ QueueUrl: url, Tags: { env: 'dev', cost: '42' } }));
    await t.client.send(new UntagQueueCommand({ QueueUrl: url, TagKeys: ['cost'] }));
    const tags = await t.client.send(new ListQueueTagsCommand({ QueueUrl: url }));
    assert.deepEqual(tags.Tags, { team: 'core', env: 'dev' });
    const many = Object.fromEntries(Array.from({ length: 49 }, (_, i) => [`k${i}`, 'v']));
    await assert.rejects(t.client.send(new TagQueueCommand({ QueueUrl: url, Tags: many })), { name: 'InvalidParameterValue' });
  });

  it('accepts and records permissions in the queue policy', async () => {
    const url = await t.createQueue('shared');
    await t.client.send(new AddPermissionCommand({ QueueUrl: url, Label: 'p1', AWSAccountIds: ['111122223333'], Actions: ['SendMessage'] }));
    const policy = JSON.parse(
      (await t.client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['Policy'] }))).Attributes?.Policy ?? '{}',
    ) as { Statement: { Sid: string; Action: string[] }[] };
    assert.equal(policy.Statement[0].Sid, 'p1');
    assert.deepEqual(policy.Statement[0].Action, ['SQS:SendMessage']);
    await t.client.send(new RemovePermissionCommand({ QueueUrl: url, Label: 'p1' }));
    const after = await t.client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['Policy'] }));
    assert.equal(after.Attributes?.Policy, undefined);
    await assert.rejects(t.client.send(new RemovePermissionCommand({ QueueUrl: url, Label: 'p1' })), { name: 'InvalidParameterValue' });
  });

  it('answers CreateQueue for an existing FIFO queue without FifoQueue in the request as an error', async () => {
    await assert.rejects(t.client.send(new CreateQueueCommand({ QueueName: 'f.fifo' })), { name: 'InvalidParameterValue' });
  });
});
