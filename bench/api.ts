/**
 * The few SQS calls the load loops make, behind one interface with two clients:
 *
 * - `sdk`: @aws-sdk/client-sqs, what users of the server run (request signing, MD5 checks
 *   of bodies, middleware: it costs the client far more CPU than a local server spends);
 * - `raw`: bare AWS JSON 1.0 requests over a keep-alive agent, light enough that the figures
 *   show what the server itself sustains;
 * - `query`: bare AWS Query requests (form-encoded, XML answers) over the same kind of agent,
 *   as older SDKs and the AWS CLI v1 send them: our server only.
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

export type ClientKind = 'sdk' | 'raw' | 'query';

export const CLIENT_LABELS: Record<ClientKind, string> = {
  sdk: '@aws-sdk/client-sqs',
  raw: 'raw HTTP (AWS JSON 1.0, no SDK)',
  query: 'raw HTTP (AWS Query, XML answers, no SDK)',
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
  if (kind === 'sdk') return new SdkApi(endpoint);
  return kind === 'raw' ? new RawApi(endpoint) : new RawQueryApi(endpoint);
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
  private async call<T>(action: string, input: object): Promise<T> {
    const text = await post(this.agent, this.url, action, 'application/x-amz-json-1.0', JSON.stringify(input), { 'X-Amz-Target': `AmazonSQS.${action}` });
    try {
      return (text === '' ? {} : JSON.parse(text)) as T;
    } catch {
      throw new Error(`${action}: answer is not JSON: ${text.slice(0, 300)}`);
    }
  }
}

/** POSTs one request over the agent; resolves with the answer's text, rejects unless it is a 200. */
function post(agent: http.Agent, url: URL, action: string, contentType: string, body: string, headers: Record<string, string> = {}): Promise<string> {
  const payload = Buffer.from(body, 'utf8');
  return new Promise<string>((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: '/',
        method: 'POST',
        agent,
        headers: { 'Content-Type': contentType, 'Content-Length': payload.length, ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode === 200) resolve(text);
          else reject(new Error(`${action}: HTTP ${res.statusCode ?? '?'} ${text.slice(0, 300)}`));
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function xmlText(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/g, (whole, ref: string) =>
    ref.startsWith('#x') ? String.fromCodePoint(parseInt(ref.slice(2), 16)) : ref.startsWith('#') ? String.fromCodePoint(Number(ref.slice(1))) : (XML_ENTITIES[ref] ?? whole),
  );
}

/** The text of every `<name>` element inside each `<parent>` element, in order. */
function xmlFields(xml: string, parent: string, names: readonly string[]): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  for (const block of xml.matchAll(new RegExp(`<${parent}>([\\s\\S]*?)</${parent}>`, 'g'))) {
    const fields: Record<string, string> = {};
    for (const name of names) {
      const m = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(block[1]);
      if (m) fields[name] = xmlText(m[1]);
    }
    out.push(fields);
  }
  return out;
}

function xmlFailures(xml: string): BatchFailure[] {
  return xmlFields(xml, 'BatchResultErrorEntry', ['Id', 'Code', 'Message']).map((f) => ({ id: f.Id ?? '?', code: f.Code ?? '?', message: f.Message ?? '' }));
}

class RawQueryApi implements SqsApi {
  readonly kind = 'query';
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  private readonly url: URL;

  constructor(endpoint: string) {
    this.url = new URL(endpoint);
  }

  async createQueue(name: string, attributes: Record<string, string> = {}): Promise<string> {
    const params: Record<string, string> = { QueueName: name };
    Object.entries(attributes).forEach(([k, v], i) => {
      params[`Attribute.${i + 1}.Name`] = k;
      params[`Attribute.${i + 1}.Value`] = v;
    });
    const [result] = xmlFields(await this.call('CreateQueue', params), 'CreateQueueResult', ['QueueUrl']);
    if (!result?.QueueUrl) throw new Error(`CreateQueue ${name} answered without a QueueUrl.`);
    return result.QueueUrl;
  }

  async sendMessageBatch(queueUrl: string, entries: { Id: string; MessageBody: string }[]): Promise<{ successful: string[]; failed: BatchFailure[] }> {
    const params: Record<string, string> = { QueueUrl: queueUrl };
    entries.forEach((e, i) => {
      params[`SendMessageBatchRequestEntry.${i + 1}.Id`] = e.Id;
      params[`SendMessageBatchRequestEntry.${i + 1}.MessageBody`] = e.MessageBody;
    });
    const xml = await this.call('SendMessageBatch', params);
    return { successful: xmlFields(xml, 'SendMessageBatchResultEntry', ['Id']).map((f) => f.Id ?? '?'), failed: xmlFailures(xml) };
  }

  async receiveMessage(queueUrl: string, options: ReceiveOptions): Promise<Received[]> {
    const xml = await this.call('ReceiveMessage', {
      QueueUrl: queueUrl,
      MaxNumberOfMessages: String(options.maxMessages),
      WaitTimeSeconds: String(options.waitTimeSeconds),
      VisibilityTimeout: String(options.visibilityTimeoutSeconds),
    });
    return xmlFields(xml, 'Message', ['Body', 'ReceiptHandle']).map((f) => ({ body: f.Body ?? '', receiptHandle: f.ReceiptHandle ?? '' }));
  }

  async deleteMessageBatch(queueUrl: string, entries: { Id: string; ReceiptHandle: string }[]): Promise<{ failed: BatchFailure[] }> {
    const params: Record<string, string> = { QueueUrl: queueUrl };
    entries.forEach((e, i) => {
      params[`DeleteMessageBatchRequestEntry.${i + 1}.Id`] = e.Id;
      params[`DeleteMessageBatchRequestEntry.${i + 1}.ReceiptHandle`] = e.ReceiptHandle;
    });
    return { failed: xmlFailures(await this.call('DeleteMessageBatch', params)) };
  }

  async queueDepth(queueUrl: string): Promise<{ visible: number; inFlight: number }> {
    const params: Record<string, string> = { QueueUrl: queueUrl };
    DEPTH_ATTRIBUTES.forEach((name, i) => (params[`AttributeName.${i + 1}`] = name));
    const pairs = xmlFields(await this.call('GetQueueAttributes', params), 'Attribute', ['Name', 'Value']);
    return toDepth(Object.fromEntries(pairs.map((p) => [p.Name, p.Value])));
  }

  close(): void {
    this.agent.destroy();
  }

  private call(action: string, params: Record<string, string>): Promise<string> {
    const form = new URLSearchParams({ Action: action, Version: '2012-11-05', ...params }).toString();
    return post(this.agent, this.url, action, 'application/x-www-form-urlencoded', form);
  }
}
