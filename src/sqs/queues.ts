import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ListQueuesCommand,
  PurgeQueueCommand,
  SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import { mapSettled } from './concurrency';
import { SqsCallError } from './errors';
import { queueNameOf, type SqsGateway } from './gateway';

/** A queue's attributes at one moment, with the parts the explorer reads parsed. */
export interface QueueSnapshot {
  readonly url: string;
  readonly name: string;
  readonly arn: string;
  readonly fifo: boolean;
  readonly visible: number;
  readonly inFlight: number;
  readonly delayed: number;
  readonly redrive?: { deadLetterTargetArn: string; maxReceiveCount: number };
  readonly attributes: Readonly<Record<string, string>>;
}

/** Every queue URL of the connection, page by page (1,000 per `ListQueues` call). */
export async function* listQueueUrls(gateway: SqsGateway, prefix?: string): AsyncGenerator<string[]> {
  let token: string | undefined;
  do {
    const page = await gateway.call('ListQueues', undefined, (c) =>
      c.send(new ListQueuesCommand({ MaxResults: 1000, NextToken: token, ...(prefix ? { QueueNamePrefix: prefix } : {}) })),
    );
    yield page.QueueUrls ?? [];
    token = page.NextToken;
  } while (token);
}

export function toSnapshot(url: string, attributes: Record<string, string>): QueueSnapshot {
  const count = (name: string): number => Number(attributes[name] ?? 0) || 0;
  let redrive: QueueSnapshot['redrive'];
  if (attributes.RedrivePolicy) {
    try {
      const policy = JSON.parse(attributes.RedrivePolicy) as { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown };
      if (typeof policy.deadLetterTargetArn === 'string') {
        redrive = { deadLetterTargetArn: policy.deadLetterTargetArn, maxReceiveCount: Number(policy.maxReceiveCount) };
      }
    } catch {
      redrive = undefined;
    }
  }
  const name = queueNameOf(url);
  return {
    url,
    name,
    arn: attributes.QueueArn ?? '',
    fifo: attributes.FifoQueue === 'true' || name.endsWith('.fifo'),
    visible: count('ApproximateNumberOfMessages'),
    inFlight: count('ApproximateNumberOfMessagesNotVisible'),
    delayed: count('ApproximateNumberOfMessagesDelayed'),
    ...(redrive ? { redrive } : {}),
    attributes,
  };
}

export async function getQueueSnapshot(gateway: SqsGateway, url: string): Promise<QueueSnapshot> {
  const out = await gateway.call('GetQueueAttributes', url, (c) =>
    c.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] })),
  );
  return toSnapshot(url, out.Attributes ?? {});
}

/** Snapshots of many queues with at most `concurrency` requests in flight; failures are returned per queue. */
export function getQueueSnapshots(gateway: SqsGateway, urls: readonly string[], concurrency: number): Promise<PromiseSettledResult<QueueSnapshot>[]> {
  return mapSettled(urls, concurrency, (url) => getQueueSnapshot(gateway, url));
}

export async function createQueue(gateway: SqsGateway, name: string, attributes: Record<string, string>, tags?: Record<string, string>): Promise<string> {
  const out = await gateway.call('CreateQueue', name, (c) =>
    c.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes, ...(tags && Object.keys(tags).length > 0 ? { tags } : {}) })),
  );
  if (!out.QueueUrl) throw new SqsCallError('CreateQueue returned no queue URL.', 'NoQueueUrl', 'CreateQueue', name, false);
  return out.QueueUrl;
}

export async function setQueueAttributes(gateway: SqsGateway, url: string, attributes: Record<string, string>): Promise<void> {
  await gateway.call('SetQueueAttributes', url, (c) =>
    c.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: attributes })),
  );
}

export async function purgeQueue(gateway: SqsGateway, url: string): Promise<void> {
  await gateway.call('PurgeQueue', url, (c) => c.send(new PurgeQueueCommand({ QueueUrl: url })));
}

export async function deleteQueue(gateway: SqsGateway, url: string): Promise<void> {
  await gateway.call('DeleteQueue', url, (c) => c.send(new DeleteQueueCommand({ QueueUrl: url })));
}

