import * as http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Clock } from './clock';
import { SqsEngine } from './engine';
import { SqsError, toSqsError } from './errors';
import { handleJsonAction } from './jsonProtocol';

/** The port the local server listens on unless told otherwise (ElasticMQ's, which SDK examples use). */
export const DEFAULT_LOCAL_SERVER_PORT = 9324;

export interface LocalServerOptions {
  /** Port on 127.0.0.1; 0 picks a free one. Default {@link DEFAULT_LOCAL_SERVER_PORT}. */
  port?: number;
  host?: string;
  region?: string;
  clock?: Clock;
  /** When the port is taken, listen on a free port instead of failing. */
  fallbackToFreePort?: boolean;
  /** How long a deleted queue's name stays reserved; SQS holds it 60 s. */
  deletedQueueNameHoldMs?: number;
  /** Called once per request after it is answered: for logs and tests; never sees bodies. */
  onRequest?: (info: { action: string; status: number; durationMs: number; errorCode?: string }) => void;
}

export interface RunningLocalServer {
  readonly endpoint: string;
  readonly port: number;
  readonly engine: SqsEngine;
  close(): Promise<void>;
}

/** Largest request body read: a 1 MiB batch grows with JSON escaping and base64 attributes. */
const MAX_REQUEST_BYTES = 8 * 1024 * 1024;
const JSON_CONTENT_TYPE = 'application/x-amz-json-1.0';
const PROTOCOL_HELP =
  'This server speaks the AWS JSON 1.0 protocol of Amazon SQS (POST with "X-Amz-Target: AmazonSQS.<Action>" and "Content-Type: application/x-amz-json-1.0"), as @aws-sdk/client-sqs v3 (3.447 or later), boto3 1.34.90+ and AWS CLI v2 use. The XML query protocol (Action=...) of older SDKs and the AWS CLI v1 is not supported: update the client.';

/**
 * Starts the built-in SQS server on 127.0.0.1. The same function serves the command line
 * (`dist/local-sqs.js`) and the extension's Start Local Server command.
 */
export async function startLocalServer(options: LocalServerOptions = {}): Promise<RunningLocalServer> {
  const host = options.host ?? '127.0.0.1';
  const engine = new SqsEngine({
    clock: options.clock,
    region: options.region,
    deletedQueueNameHoldMs: options.deletedQueueNameHoldMs,
  });
  const sockets = new Set<import('node:net').Socket>();
  const inFlight = new Set<AbortController>();
  const server = http.createServer((req, res) => {
    const controller = new AbortController();
    inFlight.add(controller);
    res.on('close', () => {
      inFlight.delete(controller);
      if (!res.writableFinished) controller.abort();
    });
    void serve(engine, req, res, controller.signal, options.onRequest);
  });
  server.keepAliveTimeout = 65_000;
  server.requestTimeout = 0;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  const port = await listen(server, options.port ?? DEFAULT_LOCAL_SERVER_PORT, host).catch(async (err: NodeJS.ErrnoException) => {
    if (err.code === 'EADDRINUSE' && options.fallbackToFreePort) return listen(server, 0, host);
    throw err;
  });
  const endpoint = `http://${host}:${port}`;
  engine.setBaseUrl(endpoint);

  let closing: Promise<void> | undefined;
  return {
    endpoint,
    port,
    engine,
    close() {
      closing ??= new Promise<void>((resolve) => {
        engine.close();
        for (const c of inFlight) c.abort();
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      return closing;
    },
  };
}

function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      server.off('listening', onListening);
      reject(err);
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

async function serve(
  engine: SqsEngine,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  signal: AbortSignal,
  onRequest: LocalServerOptions['onRequest'],
): Promise<void> {
  const started = performance.now();
  const target = headerValue(req.headers['x-amz-target']);
  const action = target?.startsWith('AmazonSQS.') ? target.slice('AmazonSQS.'.length) : '';
  let status = 200;
  let errorCode: string | undefined;
  try {
    if (req.method === 'GET' && (req.url === '/' || req.url === '/health')) {
      if (req.url === '/health' || !new URL(req.url, 'http://x').searchParams.has('Action')) {
        sendRaw(res, 200, 'application/json', JSON.stringify({ status: 'ok', service: 'sqs-workbench-local', queues: engine.queueNames().length }));
        return;
      }
    }
    const contentType = headerValue(req.headers['content-type']) ?? '';
    const isQuery = contentType.startsWith('application/x-www-form-urlencoded') || (req.url ?? '').includes('Action=');
    if (isQuery || !target) {
      status = 400;
      errorCode = 'InvalidAction';
      await drain(req);
      sendProtocolHelp(res, isQuery);
      return;
    }
    if (req.method !== 'POST') throw new SqsError('InvalidAction', `Use POST for ${action}. ${PROTOCOL_HELP}`);
    if (!target.startsWith('AmazonSQS.')) throw new SqsError('UnknownOperationException', `Unknown target ${target}. ${PROTOCOL_HELP}`);
    const body = await readBody(req);
    const result: unknown = await handleJsonAction(engine, action, body, signal);
    if (signal.aborted) return;
    sendRaw(res, 200, JSON_CONTENT_TYPE, JSON.stringify(result));
  } catch (err) {
    const known = toSqsError(err);
    const error = known ?? new SqsError('InternalError', 'We encountered an internal error. Please try again.');
    if (!known) console.error('[local-sqs] internal error in', action, err);
    status = error.status;
    errorCode = error.code;
    if (!res.headersSent && !signal.aborted) {
      res.setHeader('x-amzn-query-error', error.queryErrorHeader);
      sendRaw(res, error.status, JSON_CONTENT_TYPE, JSON.stringify(error.toJson()));
    }
  } finally {
    onRequest?.({ action: action || req.method || 'UNKNOWN', status, durationMs: performance.now() - started, errorCode });
  }
}

function headerValue(h: string | string[] | undefined): string | undefined {
  return Array.isArray(h) ? h[0] : h;
}

function sendRaw(res: http.ServerResponse, status: number, contentType: string, body: string): void {
  const bytes = Buffer.from(body, 'utf8');
  res.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': bytes.length,
    'x-amzn-RequestId': randomUUID(),
  });
  res.end(bytes);
}

/** Old clients parse XML errors: answer them in their own format so the reason reaches the user. */
function sendProtocolHelp(res: http.ServerResponse, query: boolean): void {
  if (query) {
    const xml = `<?xml version="1.0"?><ErrorResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>${escapeXml(PROTOCOL_HELP)}</Message><Detail/></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
    sendRaw(res, 400, 'text/xml', xml);
    return;
  }
  res.setHeader('x-amzn-query-error', 'InvalidAction;Sender');
  sendRaw(res, 400, JSON_CONTENT_TYPE, JSON.stringify({ __type: 'com.amazonaws.sqs#InvalidAction', message: `Missing X-Amz-Target header. ${PROTOCOL_HELP}` }));
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_REQUEST_BYTES) {
      req.resume();
      reject(new SqsError('InvalidParameterValue', `The request is ${declared} bytes; this server reads at most ${MAX_REQUEST_BYTES} bytes (SQS messages and batches are at most 1 MiB).`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) {
        req.removeAllListeners('data');
        req.resume();
        reject(new SqsError('InvalidParameterValue', `The request is larger than ${MAX_REQUEST_BYTES} bytes; SQS messages and batches are at most 1 MiB.`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function drain(req: http.IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    req.resume();
    req.on('end', resolve);
    req.on('error', () => resolve());
  });
}
