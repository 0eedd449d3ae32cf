import * as assert from 'node:assert/strict';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  type Message,
  type QueueAttributeName,
  type SendMessageRequest,
} from '@aws-sdk/client-sqs';
import type { SqsWorkbenchApi } from '../../src/extension';

/** A queue's counts: visible, in flight (received and not yet visible again), delayed. */
export interface QueueCounts {
  visible: number;
  inflight: number;
  delayed: number;
}

/**
 * The extension's local server reached as any SQS client reaches it (its process is not the
 * extension host's): the tests prepare queues and read counts through the SQS API.
 */
export class LocalSqs {
  private readonly client: SQSClient;

  constructor(readonly endpoint: string, region: string) {
    this.client = new SQSClient({ endpoint, region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
  }

  async createQueue(name: string, attributes: Record<string, string> = {}): Promise<string> {
    const { QueueUrl } = await this.client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
    return QueueUrl ?? assert.fail(`no URL for ${name}`);
  }

  async deleteQueue(url: string): Promise<void> {
    await this.client.send(new DeleteQueueCommand({ QueueUrl: url }));
  }

  async getQueueAttributes(url: string, names: QueueAttributeName[]): Promise<Record<string, string>> {
    const { Attributes } = await this.client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: names }));
    return Attributes ?? {};
  }

  async sendMessage(url: string, input: Omit<SendMessageRequest, 'QueueUrl'>): Promise<void> {
    await this.client.send(new SendMessageCommand({ ...input, QueueUrl: url }));
  }

  async receiveMessage(url: string, input: { MaxNumberOfMessages?: number; VisibilityTimeout?: number }): Promise<Message[]> {
    const { Messages } = await this.client.send(new ReceiveMessageCommand({ ...input, QueueUrl: url, WaitTimeSeconds: 0 }));
    return Messages ?? [];
  }

  /** The first page of ListQueues (at most 1,000 URLs). */
  async listQueues(): Promise<{ QueueUrls: string[] }> {
    const { QueueUrls } = await this.client.send(new ListQueuesCommand({}));
    return { QueueUrls: QueueUrls ?? [] };
  }

  /** Every queue's URL, across pages. */
  async queueUrls(): Promise<string[]> {
    const urls: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await this.client.send(new ListQueuesCommand({ MaxResults: 1000, NextToken }));
      urls.push(...(page.QueueUrls ?? []));
      NextToken = page.NextToken;
    } while (NextToken);
    return urls;
  }

  async queueNames(): Promise<string[]> {
    return (await this.queueUrls()).map((url) => url.slice(url.lastIndexOf('/') + 1));
  }

  async counts(url: string): Promise<QueueCounts> {
    const a = await this.getQueueAttributes(url, ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed']);
    return { visible: Number(a.ApproximateNumberOfMessages), inflight: Number(a.ApproximateNumberOfMessagesNotVisible), delayed: Number(a.ApproximateNumberOfMessagesDelayed) };
  }

  dispose(): void {
    this.client.destroy();
  }
}

const clients = new Map<string, LocalSqs>();

/** An SQS client of the extension's running local server. */
export function localSqs(a: SqsWorkbenchApi): LocalSqs {
  const running = a.localServer.running;
  assert.ok(running, 'the local server runs');
  let client = clients.get(running.endpoint);
  if (!client) {
    client = new LocalSqs(running.endpoint, running.region);
    clients.set(running.endpoint, client);
  }
  return client;
}
