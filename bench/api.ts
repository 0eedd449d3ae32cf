/**
 * The few SQS calls the load loops make, behind one interface with two clients:
 *
 * - `sdk`: @aws-sdk/client-sqs, what users of the server run (request signing, MD5 checks
 *   of bodies, middleware: it costs the client far more CPU than a local server spends);
 * - `raw`: bare AWS JSON 1.0 requests over a keep-alive agent, light enough that the figures
 *   show what the server itself sustains.
 */
import * as http from 'node:http';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';

export const REGION = 'us-east-1';

export type ClientKind = 'sdk' | 'raw';

export const CLIENT_LABELS: Record<ClientKind, string> = {
  sdk: '@aws-sdk/client-sqs',
  raw: 'raw HTTP (AWS JSON 1.0, no SDK)',
};

export interface BatchFailure {
  id: string;
  code: string;
  message: string;
}

export interface Received {
  body: string;
  receiptHandle: string;
}

export interface ReceiveOptions {
  maxMessages: number;
  waitTimeSeconds: number;
  visibilityTimeoutSeconds: number;
}

export interface SqsApi {
  readonly kind: ClientKind;
  createQueue(name: string, attributes?: Record<string, string>): Promise<string>;
  /** Ids of the accepted entries, and the failed ones. */
  sendMessageBatch(queueUrl: string, entries: { Id: string; MessageBody: string }[]): Promise<{ successful: string[]; failed: BatchFailure[] }>;
  receiveMessage(queueUrl: string, options: ReceiveOptions): Promise<Received[]>;
  deleteMessageBatch(queueUrl: string, entries: { Id: string; ReceiptHandle: string }[]): Promise<{ failed: BatchFailure[] }>;
  /** ApproximateNumberOfMessages (visible) and ApproximateNumberOfMessagesNotVisible (in flight). */
  queueDepth(queueUrl: string): Promise<{ visible: number; inFlight: number }>;
  close(): void;
}

export function openApi(kind: ClientKind, endpoint: string): SqsApi {
  return kind === 'sdk' ? new SdkApi(endpoint) : new RawApi(endpoint);
}

const DEPTH_ATTRIBUTES = ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] as const;

function toFailures(failed: { Id?: string; Code?: string; Message?: string }[] | undefined): BatchFailure[] {
  return (failed ?? []).map((f) => ({ id: f.Id ?? '?', code: f.Code ?? '?', message: f.Message ?? '' }));
}

function toDepth(attributes: Record<string, string> | undefined): { visible: number; inFlight: number } {
  return {
    visible: Number(attributes?.ApproximateNumberOfMessages ?? NaN),
    inFlight: Number(attributes?.ApproximateNumberOfMessagesNotVisible ?? NaN),
  };
}

/**
 * An SDK client with fake static credentials. The SDK's own retries are off: a retried send
 * could enqueue a message twice, and the load loops count every failure themselves.
 */
export function makeSdkClient(endpoint: string): SQSClient {
  return new SQSClient({
    region: REGION,
    endpoint,
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    maxAttempts: 1,
  });
}

class SdkApi implements SqsApi {
  readonly kind = 'sdk';
  private readonly client: SQSClient;

  constructor(endpoint: string) {
    this.client = makeSdkClient(endpoint);
  }

  async createQueue(name: string, attributes: Record<string, string> = {}): Promise<string> {
    const out = await this.client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
    if (!out.QueueUrl) throw new Error(`CreateQueue ${name} answered without a QueueUrl.`);
    return out.QueueUrl;
  }

  async sendMessageBatch(queueUrl: string, entries: { Id: string; MessageBody: string }[]): Promise<{ successful: string[]; failed: BatchFailure[] }> {
    const out = await this.client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
    return { successful: (out.Successful ?? []).map((s) => s.Id ?? '?'), failed: toFailures(out.Failed) };
  }

  async receiveMessage(queueUrl: string, options: ReceiveOptions): Promise<Received[]> {
    const out = await this.client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: options.maxMessages,
        WaitTimeSeconds: options.waitTimeSeconds,
        VisibilityTimeout: options.visibilityTimeoutSeconds,
      }),
    );
    return (out.Messages ?? []).map((m) => ({ body: m.Body ?? '', receiptHandle: m.ReceiptHandle ?? '' }));
  }

  async deleteMessageBatch(queueUrl: string, entries: { Id: string; ReceiptHandle: string }[]): Promise<{ failed: BatchFailure[] }> {
    const out = await this.client.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
    return { failed: toFailures(out.Failed) };
  }

  async queueDepth(queueUrl: string): Promise<{ visible: number; inFlight: number }> {
    const out = await this.client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: [...DEPTH_ATTRIBUTES] }));
    return toDepth(out.Attributes);
  }

  close(): void {
    this.client.destroy();
  }
}

interface RawSendResponse {
  Successful?: { Id?: string }[];
  Failed?: { Id?: string; Code?: string; Message?: string }[];
}

interface RawReceiveResponse {
  Messages?: { Body?: string; ReceiptHandle?: string }[];
}

class RawApi implements SqsApi {
  readonly kind = 'raw';
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  private readonly url: URL;

  constructor(endpoint: string) {
    this.url = new URL(endpoint);
  }

  async createQueue(name: string, attributes: Record<string, string> = {}): Promise<string> {
    const out = await this.call<{ QueueUrl?: string }>('CreateQueue', { QueueName: name, Attributes: attributes });
    if (!out.QueueUrl) throw new Error(`CreateQueue ${name} answered without a QueueUrl.`);
    return out.QueueUrl;
  }

  async sendMessageBatch(queueUrl: string, entries: { Id: string; MessageBody: string }[]): Promise<{ successful: string[]; failed: BatchFailure[] }> {
    const out = await this.call<RawSendResponse>('SendMessageBatch', { QueueUrl: queueUrl, Entries: entries });
    return { successful: (out.Successful ?? []).map((s) => s.Id ?? '?'), failed: toFailures(out.Failed) };
  }

  async receiveMessage(queueUrl: string, options: ReceiveOptions): Promise<Received[]> {
    const out = await this.call<RawReceiveResponse>('ReceiveMessage', {
      QueueUrl: queueUrl,
      MaxNumberOfMessages: options.maxMessages,
      WaitTimeSeconds: options.waitTimeSeconds,
      VisibilityTimeout: options.visibilityTimeoutSeconds,
    });
    return (out.Messages ?? []).map((m) => ({ body: m.Body ?? '', receiptHandle: m.ReceiptHandle ?? '' }));
  }

  async deleteMessageBatch(queueUrl: string, entries: { Id: string; ReceiptHandle: string }[]): Promise<{ failed: BatchFailure[] }> {
    const out = await this.call<RawSendResponse>('DeleteMessageBatch', { QueueUrl: queueUrl, Entries: entries });
    return { failed: toFailures(out.Failed) };
  }

  async queueDepth(queueUrl: string): Promise<{ visible: number; inFlight: number }> {
    const out = await this.call<{ Attributes?: Record<string, string> }>('GetQueueAttributes', { QueueUrl: queueUrl, AttributeNames: [...DEPTH_ATTRIBUTES] });
    return toDepth(out.Attributes);
  }

  close(): void {
    this.agent.destroy();
  }

  /** One AWS JSON 1.0 request; an empty 200 body counts as `{}` (a server may answer so). */
  private call<T>(action: string, input: object): Promise<T> {
    const payload = Buffer.from(JSON.stringify(input), 'utf8');
    return new Promise<T>((resolve, reject) => {
      const req = http.request(
        {
          host: this.url.hostname,
          port: this.url.port,
          path: '/',
          method: 'POST',
          agent: this.agent,
          headers: {
            'Content-Type': 'application/x-amz-json-1.0',
            'X-Amz-Target': `AmazonSQS.${action}`,
            'Content-Length': payload.length,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if (res.statusCode !== 200) {
              reject(new Error(`${action}: HTTP ${res.statusCode ?? '?'} ${text.slice(0, 300)}`));
              return;
            }
            try {
              resolve((text === '' ? {} : JSON.parse(text)) as T);
            } catch {
              reject(new Error(`${action}: answer is not JSON: ${text.slice(0, 300)}`));
            }
          });
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }
}
