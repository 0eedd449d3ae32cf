import { Agent } from 'node:http';
import { SQSClient, CreateQueueCommand, type CreateQueueCommandInput } from '@aws-sdk/client-sqs';
import { ManualClock } from '../../src/local/clock';
import { startLocalServer, type LocalServerOptions, type RunningLocalServer } from '../../src/local/server';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

export interface TestServer {
  server: RunningLocalServer;
  client: SQSClient;
  clock: ManualClock;
  /** Creates a queue and returns its URL. */
  createQueue(name: string, attributes?: Record<string, string>, tags?: Record<string, string>): Promise<string>;
  close(): Promise<void>;
}

/** A fresh local server on a free port, its time driven by a manual clock, and an SDK client for it. */
export async function startTestServer(options: Partial<LocalServerOptions> = {}): Promise<TestServer> {
  const clock = new ManualClock(Date.now());
  const server = await startLocalServer({ port: 0, clock, ...options });
  const client = sdkClient(server.endpoint);
  return {
    server,
    client,
    clock,
    async createQueue(name, attributes, tags) {
      const input: CreateQueueCommandInput = { QueueName: name };
      if (attributes) input.Attributes = attributes;
      if (tags) input.tags = tags;
      const out = await client.send(new CreateQueueCommand(input));
      return out.QueueUrl as string;
    },
    async close() {
      client.destroy();
      await server.close();
    },
  };
}

/** An SDK client for the endpoint; `maxSockets` raises the client's own cap on parallel requests (50). */
export function sdkClient(endpoint: string, maxSockets = 50): SQSClient {
  return new SQSClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
    requestHandler: { httpAgent: new Agent({ keepAlive: true, maxSockets }) },
  });
}

/** Calls the server with a raw HTTP request, as a client of another protocol or a broken client would. */
export async function rawRequest(
  endpoint: string,
  init: { target?: string; contentType?: string; body?: string; method?: string; path?: string },
): Promise<{ status: number; headers: Headers; text: string }> {
  const headers: Record<string, string> = {};
  if (init.target) headers['X-Amz-Target'] = init.target;
  headers['Content-Type'] = init.contentType ?? 'application/x-amz-json-1.0';
  const res = await fetch(endpoint + (init.path ?? '/'), { method: init.method ?? 'POST', headers, body: init.body });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** Lets pending I/O callbacks run (the server answers over real sockets). */
export function settle(ms = 20): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The JSON error body of an AWS JSON 1.0 answer. */
export function awsError(text: string): { __type: string; message: string } {
  return JSON.parse(text) as { __type: string; message: string };
}

/** A plain SDK client that names its process by its access key id, as a user's producer or consumer would. */
export function processClient(endpoint: string, accessKeyId: string): SQSClient {
  return new SQSClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId, secretAccessKey: 'any' },
    maxAttempts: 1,
    requestHandler: { httpAgent: new Agent({ keepAlive: true }) },
  });
}
