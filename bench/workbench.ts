/**
 * The extension's own SQS layer (src/sqs), pointed at a local endpoint the way the extension
 * points it at its built-in server, plus the few plain SDK calls the `explorer` and
 * `batchsend` sections share for setting up and checking queues.
 */
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { createSqsClient, localConnection, type ResolvedConnection } from '../src/sqs/connections';
import { SqsGateway } from '../src/sqs/gateway';
import { runWorkers } from './util';

/** The region the extension gives the built-in server's connection by default. */
export const WORKBENCH_REGION = 'us-east-1';

export function workbenchConnection(endpoint: string): ResolvedConnection {
  return localConnection(endpoint, WORKBENCH_REGION);
}

/** A new client with exactly the settings the extension uses for the local connection. */
export function workbenchClient(endpoint: string): SQSClient {
  return createSqsClient(workbenchConnection(endpoint));
}

/** A gateway as the extension's connection manager builds it (without the log). */
export function workbenchGateway(endpoint: string): SqsGateway {
  const connection = workbenchConnection(endpoint);
  return new SqsGateway(connection, createSqsClient(connection));
}

export async function createQueueUrl(client: SQSClient, name: string): Promise<string> {
  const out = await client.send(new CreateQueueCommand({ QueueName: name }));
  if (!out.QueueUrl) throw new Error(`CreateQueue ${name} answered without a QueueUrl.`);
  return out.QueueUrl;
}

/** Creates the queues `names` with `concurrency` requests in flight; URLs in the order of `names`. */
export async function createQueues(client: SQSClient, names: readonly string[], concurrency: number): Promise<string[]> {
  const urls = new Array<string>(names.length);
  let next = 0;
  await runWorkers(concurrency, async () => {
    while (next < names.length) {
      const i = next++;
      urls[i] = await createQueueUrl(client, names[i]);
    }
  });
  return urls;
}

export async function deleteQueue(client: SQSClient, url: string): Promise<void> {
  await client.send(new DeleteQueueCommand({ QueueUrl: url }));
}

/** Puts `count` small messages in a queue with SendMessageBatch; throws when any is refused. */
export async function putMessages(client: SQSClient, url: string, count: number, tag: string): Promise<void> {
  for (let first = 0; first < count; first += 10) {
    const entries = [];
    for (let i = first; i < Math.min(count, first + 10); i++) entries.push({ Id: `m${i - first}`, MessageBody: `${tag}-${i}` });
    const out = await client.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries }));
    if ((out.Failed ?? []).length > 0) throw new Error(`SendMessageBatch to ${url} refused ${out.Failed?.length} entries: ${out.Failed?.[0]?.Code ?? '?'}`);
  }
}

/** Messages the queue holds: visible + in flight + delayed. */
export async function messagesHeld(client: SQSClient, url: string): Promise<number> {
  const out = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
    }),
  );
  const a = out.Attributes ?? {};
  return Number(a.ApproximateNumberOfMessages) + Number(a.ApproximateNumberOfMessagesNotVisible) + Number(a.ApproximateNumberOfMessagesDelayed);
}

/** CPU time (user + system) of this process since `since`, in milliseconds. */
export function cpuMsSince(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}
