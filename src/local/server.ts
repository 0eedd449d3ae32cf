import * as http from 'node:http';
import { randomUUID } from 'node:crypto';
import { isIP, type AddressInfo } from 'node:net';
import type { Clock } from './clock';
import { SqsEngine } from './engine';
import { SqsError, toSqsError } from './errors';
import { FAULTS_CONTROL_PATH, FaultInjector, isLoopbackAddress, queueNameFromUrl, queueOfJsonRequest, serveFaultsControl } from './faults';
import { handleJsonAction } from './jsonProtocol';
import { handleQueryAction, parseQueryParameters, queryErrorXml } from './queryProtocol';
import type { FaultPlan } from '../model/faultPlan';
import type { TraceLimits } from './trace';
import { isWorkbenchPath, workbenchAnswer } from './workbenchEndpoint';
import { traceActor } from '../shared/trace';
import { invalidUtf8Offset } from '../model/utf8';
import { DataDirectory, type DataDirectoryOptions } from './persistence/dataDirectory';

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
  /** How long clients get for their headers, their whole request, and idle keep-alive (tests shorten them). */
  timeouts?: { headersMs?: number; requestMs?: number; keepAliveMs?: number };
  /** Connections open at once (default 4,096); past it new ones are closed at once (tests lower it). */
  maxConnections?: number;
  /** Bytes of messages held at most; sends past it get OverLimit (default: a share of the machine). */
  maxStoredBytes?: number;
  /** How many trace events, and bytes of them, the server keeps (default: 100,000 events, 64 MiB). */
  traceLimits?: TraceLimits;
  /**
   * Host names (besides loopback names and IP addresses) that requests may name in their
   * Host header. Any other name is refused, so that a web page cannot reach the server
   * through a DNS name it rebinds to 127.0.0.1.
   */
  allowedHosts?: readonly string[];
  /**
   * Keep queues and messages in this directory, so that they survive a restart or a crash
   * (see {@link DataDirectory}); without it everything is in memory.
   */
  dataDir?: string;
  /** How the data directory writes: its fsync policy, where its reports go. */
  persistence?: DataDirectoryOptions;
  /** Called once per request after it is answered: for logs and tests; never sees bodies. */
  onRequest?: (info: { action: string; status: number; durationMs: number; errorCode?: string }) => void;
  /** Failures to inject from the start; changed later through `/_workbench/faults` or {@link RunningLocalServer.faults}. */
  faults?: FaultPlan;
  /** Let other machines use the control endpoints (they answer loopback peers only by default). */
  allowRemoteControl?: boolean;
}

export interface RunningLocalServer {
  readonly endpoint: string;
  readonly port: number;
  readonly engine: SqsEngine;
  /** The fault plan in force, its counts, and an event per injected fault. */
  readonly faults: FaultInjector;
  close(): Promise<void>;
}

/** How long a client may take to send its headers, and its whole request (not the answer: a long poll waits 20 s). */
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;
/** Idle keep-alive connections are closed after this, so that idle clients cannot hold every socket. */
const KEEP_ALIVE_MS = 5_000;
/** Connections open at once; past it new ones are refused until some close. */
const MAX_CONNECTIONS = 4_096;
/** How long a stop waits for answers in flight (long polls answer empty at once) before closing sockets. */
const STOP_GRACE_MS = 2_000;

/** Largest request body read: a 1 MiB batch grows with JSON escaping and base64 attributes. */
const MAX_REQUEST_BYTES = 8 * 1024 * 1024;
const JSON_CONTENT_TYPE = 'application/x-amz-json-1.0';
const XML_CONTENT_TYPE = 'text/xml';
const PROTOCOL_HELP =
  'This server speaks the two protocols of Amazon SQS: AWS JSON 1.0 (POST with "X-Amz-Target: AmazonSQS.<Action>" and "Content-Type: application/x-amz-json-1.0"), as @aws-sdk/client-sqs v3, boto3 1.34.90+ and AWS CLI 2.15+ use, and the Query protocol (Action=<Action>&Version=2012-11-05, form-encoded), as older SDKs and the AWS CLI v1 use.';

/**
 * Starts the built-in SQS server on 127.0.0.1. The same function serves the command line
 * (`dist/local-sqs.js`) and the extension's Start Local Server command.
 */
export async function startLocalServer(options: LocalServerOptions = {}): Promise<RunningLocalServer> {
  const host = options.host ?? '127.0.0.1';
  const { engine, faults, dataDir } = openEngine(options);
  const requests = new OpenRequests();
  /** Aborted when the server stops: waiting trace reads answer at once. */
  const closingSignal = new AbortController();
  const timeouts = { headersMs: HEADERS_TIMEOUT_MS, requestMs: REQUEST_TIMEOUT_MS, keepAliveMs: KEEP_ALIVE_MS, ...options.timeouts };
  // Node checks the header and request timeouts on this interval: a fifth of the shorter one.
  const checkEvery = Math.max(100, Math.min(timeouts.headersMs, timeouts.requestMs) / 5);
  const server = http.createServer(
    { connectionsCheckingInterval: checkEvery },
    requestHandler({
      serve: { engine, faults, allowRemoteControl: options.allowRemoteControl === true },
      // An answer leaves only once the changes it reports are saved.
      saved: dataDir ? (action: string) => dataDir.commit(action) : () => Promise.resolve(),
      instance: randomUUID(),
      closing: closingSignal.signal,
      hostAllowed: hostCheck(host, options.allowedHosts ?? []),
      requests,
      onRequest: options.onRequest,
    }),
  );
  server.keepAliveTimeout = timeouts.keepAliveMs;
  server.headersTimeout = timeouts.headersMs;
  server.requestTimeout = timeouts.requestMs;
  server.maxConnections = options.maxConnections ?? MAX_CONNECTIONS;
  server.on('connection', (socket) => requests.track(socket));

  const port = await listen(server, options.port ?? DEFAULT_LOCAL_SERVER_PORT, host).catch(async (err: NodeJS.ErrnoException) => {
    if (err.code === 'EADDRINUSE' && options.fallbackToFreePort) return listen(server, 0, host);
    throw err;
  }).catch(async (err: unknown) => {
    await dataDir?.close();
    throw err;
  });
  const endpoint = `http://${host}:${port}`;
  engine.setBaseUrl(endpoint);

  let closing: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    // Waiting long polls answer empty, answers in flight are written, then the sockets close.
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    engine.close();
    closingSignal.abort();
    server.closeIdleConnections();
    await requests.settle(STOP_GRACE_MS);
    await stopped;
    await dataDir?.close();
  };
  return { endpoint, port, engine, faults, close: () => (closing ??= stop()) };
}

/** The engine, with its fault plan and, when asked, the data directory it was restored from. */
function openEngine(options: LocalServerOptions): { engine: SqsEngine; faults: FaultInjector; dataDir: DataDirectory | undefined } {
  const faults = new FaultInjector(options.faults);
  const dataDir = options.dataDir !== undefined ? DataDirectory.open(options.dataDir, options.persistence) : undefined;
  const engine = new SqsEngine({
    faults,
    clock: options.clock,
    region: options.region,
    deletedQueueNameHoldMs: options.deletedQueueNameHoldMs,
    maxStoredBytes: options.maxStoredBytes,
    traceLimits: options.traceLimits,
    ...dataDir?.engineOptions(),
  });
  try {
    dataDir?.restore(engine);
  } catch (err) {
    dataDir?.abandon();
    throw err;
  }
  return { engine, faults, dataDir };
}

/** The sockets and the requests being answered, so that a stop can wait for answers, then close. */
class OpenRequests {
  private readonly sockets = new Set<import('node:net').Socket>();
  private readonly inFlight = new Set<AbortController>();
  private answered: (() => void) | undefined;

  track(socket: import('node:net').Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
  }

  /** A request being answered: its signal aborts when the client leaves before the answer is written. */
  begin(res: http.ServerResponse): AbortController {
    const controller = new AbortController();
    this.inFlight.add(controller);
    res.on('close', () => {
      this.inFlight.delete(controller);
      if (!res.writableFinished) controller.abort();
      if (this.inFlight.size === 0) this.answered?.();
    });
    return controller;
  }

  /** Waits up to `graceMs` for the answers in flight, then aborts them and closes every socket. */
  async settle(graceMs: number): Promise<void> {
    if (this.inFlight.size > 0) {
      await new Promise<void>((resolve) => {
        this.answered = resolve;
        setTimeout(resolve, graceMs).unref();
      });
    }
    for (const c of this.inFlight) c.abort();
    for (const s of this.sockets) s.destroy();
  }
}

interface HandlerContext {
  readonly serve: ServeContext;
  readonly saved: (action: string) => Promise<void>;
  /** This run's id, in `/_workbench/info`. */
  readonly instance: string;
  readonly closing: AbortSignal;
  readonly hostAllowed: (header: string | undefined) => SqsError | undefined;
  readonly requests: OpenRequests;
  readonly onRequest: LocalServerOptions['onRequest'];
}

/** Answers a request: a refused Host, the `/_workbench/` endpoints, or the SQS API. */
function requestHandler(ctx: HandlerContext): http.RequestListener {
  return (req, res) => {
    const controller = ctx.requests.begin(res);
    const refused = ctx.hostAllowed(req.headers.host);
    if (refused) {
      void drain(req).then(() => sendError(res, refused, isQueryRequest(req), randomUUID()));
      return;
    }
    // The fault plan's control path is served with the SQS API (same checks); the rest of /_workbench/ here.
    if (isWorkbenchPath(req.url) && (req.url ?? '').split('?', 1)[0] !== FAULTS_CONTROL_PATH) {
      void drain(req)
        .then(() => workbenchAnswer(ctx.serve.engine, ctx.instance, req, controller.signal, ctx.closing))
        .then(({ status, body }) => {
          if (!controller.signal.aborted) sendRaw(res, status, 'application/json', JSON.stringify(body), randomUUID());
        })
        .catch((err: unknown) => {
          console.error('[local-sqs] internal error in', req.url, err);
          if (!res.headersSent) sendRaw(res, 500, 'application/json', JSON.stringify({ error: 'InternalError', message: 'The trace endpoint failed; see the server log.' }), randomUUID());
        });
      return;
    }
    void serve(ctx.serve, req, res, controller.signal, ctx.onRequest, ctx.saved);
  };
}

/**
 * Whether a request's Host header names this server: loopback names, any IP address (an
 * address cannot be rebound), the bound host, or a name in `allowed`. Answers the error
 * to send, or undefined.
 */
function hostCheck(bound: string, allowed: readonly string[]): (header: string | undefined) => SqsError | undefined {
  const names = new Set(['localhost', bound.toLowerCase(), ...allowed.map((h) => h.toLowerCase())]);
  return (header) => {
    if (header === undefined) return undefined;
    let hostname: string;
    try {
      hostname = new URL(`http://${header}`).hostname.toLowerCase();
    } catch {
      return new SqsError('AccessDenied', `The Host header "${header.slice(0, 100)}" is not valid.`);
    }
    const bare = hostname.replace(/^\[|\]$/g, '');
    if (names.has(bare) || bare.endsWith('.localhost') || isIP(bare) !== 0) return undefined;
    return new SqsError(
      'AccessDenied',
      `This server does not serve the host name "${hostname}": it answers loopback names and IP addresses only, so that a web page cannot reach it through a name it points at this machine. Start it with --allow-host ${hostname} to serve that name.`,
    );
  };
}

function sendError(res: http.ServerResponse, error: SqsError, query: boolean, requestId: string): void {
  res.setHeader('x-amzn-query-error', error.queryErrorHeader);
  if (query) sendRaw(res, error.status, XML_CONTENT_TYPE, queryErrorXml(error, requestId), requestId);
  else sendRaw(res, error.status, JSON_CONTENT_TYPE, JSON.stringify(error.toJson()), requestId);
}

/** A Query-protocol request: form-encoded, or an `Action` in the query string, and no JSON target. */
function isQueryRequest(req: http.IncomingMessage): boolean {
  if (headerValue(req.headers['x-amz-target']) !== undefined) return false;
  const contentType = headerValue(req.headers['content-type']) ?? '';
  return contentType.startsWith('application/x-www-form-urlencoded') || /[?&]Action=/.test(req.url ?? '');
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

/** What every request is served with. */
interface ServeContext {
  readonly engine: SqsEngine;
  readonly faults: FaultInjector;
  readonly allowRemoteControl: boolean;
}

async function serve(
  { engine, faults, allowRemoteControl }: ServeContext,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  signal: AbortSignal,
  onRequest: LocalServerOptions['onRequest'],
  saved: (action: string) => Promise<void>,
): Promise<void> {
  const started = performance.now();
  const requestId = randomUUID();
  const target = headerValue(req.headers['x-amz-target']);
  const query = isQueryRequest(req);
  let action = target?.startsWith('AmazonSQS.') ? target.slice('AmazonSQS.'.length) : '';
  let status = 200;
  let errorCode: string | undefined;
  try {
    const [path, search = ''] = (req.url ?? '/').split('?', 2);
    if (req.method === 'GET' && !query && (path === '/' || path === '/health')) {
      sendRaw(res, 200, 'application/json', JSON.stringify({ status: 'ok', service: 'sqs-workbench-local', queues: engine.queueNames().length }), requestId);
      return;
    }
    if (path === FAULTS_CONTROL_PATH) {
      action = `${req.method ?? 'GET'} ${path}`;
      const body = await readBody(req);
      const answer = isLoopbackAddress(req.socket.remoteAddress) || allowRemoteControl
        ? serveFaultsControl(faults, req.method ?? 'GET', body)
        : { status: 403, body: { error: 'The control endpoints answer this machine only; start the server with --allow-remote-control to change that.' } };
      status = answer.status;
      sendRaw(res, answer.status, 'application/json', JSON.stringify(answer.body), requestId);
      return;
    }
    if (query) {
      if (req.method !== 'POST' && req.method !== 'GET') throw new SqsError('InvalidAction', `Use POST or GET for Query requests, not ${req.method}.`);
      const body = await readBody(req);
      const parameters = parseQueryParameters(search);
      const contentType = headerValue(req.headers['content-type']) ?? '';
      if (contentType.startsWith('application/x-www-form-urlencoded')) parseQueryParameters(body, parameters);
      action = parameters.get('Action') ?? '';
      if (faults.active) await injectFaults(faults, action, queueNameFromUrl(parameters.get('QueueUrl') ?? (path === '/' ? undefined : path)) ?? parameters.get('QueueName'), signal);
      // A request sent to a queue's URL names the queue by its path.
      const actor = traceActor(headerValue(req.headers.authorization), userAgentOf(req));
      const xml = await engine.runAs(actor, () => handleQueryAction(engine, parameters, path === '/' ? undefined : path, requestId, signal));
      await saved(action);
      if (signal.aborted) return;
      sendRaw(res, 200, XML_CONTENT_TYPE, xml, requestId);
      return;
    }
    if (!target) {
      status = 400;
      errorCode = 'InvalidAction';
      await drain(req);
      res.setHeader('x-amzn-query-error', 'InvalidAction;Sender');
      sendRaw(res, 400, JSON_CONTENT_TYPE, JSON.stringify({ __type: 'com.amazonaws.sqs#InvalidAction', message: `Missing X-Amz-Target header. ${PROTOCOL_HELP}` }), requestId);
      return;
    }
    if (req.method !== 'POST') throw new SqsError('InvalidAction', `Use POST for ${action}. ${PROTOCOL_HELP}`);
    if (!target.startsWith('AmazonSQS.')) throw new SqsError('UnknownOperationException', `Unknown target ${target}. ${PROTOCOL_HELP}`);
    const body = await readBody(req);
    if (faults.active) await injectFaults(faults, action, queueOfJsonRequest(body), signal);
    const actor = traceActor(headerValue(req.headers.authorization), userAgentOf(req));
    const result: unknown = await engine.runAs(actor, () => handleJsonAction(engine, action, body, signal));
    await saved(action);
    if (signal.aborted) return;
    sendRaw(res, 200, JSON_CONTENT_TYPE, JSON.stringify(result), requestId);
  } catch (err) {
    const known = toSqsError(err);
    const error = known ?? new SqsError('InternalError', 'We encountered an internal error. Please try again.');
    if (!known) console.error('[local-sqs] internal error in', action, err);
    status = error.status;
    errorCode = error.code;
    // A failed action may still have changed something (a partly done batch): save it first.
    await saved(action).catch(() => undefined);
    if (!res.headersSent && !signal.aborted) sendError(res, error, query, requestId);
  } finally {
    onRequest?.({ action: action || req.method || 'UNKNOWN', status, durationMs: performance.now() - started, errorCode });
  }
}

/** Waits the injected latency, then throws the injected error, if the plan gives this request any. */
async function injectFaults(faults: FaultInjector, action: string, queue: string | undefined, signal: AbortSignal): Promise<void> {
  const { delayMs, error } = faults.forRequest(action, queue);
  if (delayMs > 0) await delay(delayMs, signal);
  if (error) throw error;
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** The User-Agent and the SDK's x-amz-user-agent together: either may carry the client's product tokens. */
function userAgentOf(req: http.IncomingMessage): string | undefined {
  const ua = headerValue(req.headers['user-agent']);
  const amz = headerValue(req.headers['x-amz-user-agent']);
  return ua && amz ? `${amz} ${ua}` : (ua ?? amz);
}

function headerValue(h: string | string[] | undefined): string | undefined {
  return Array.isArray(h) ? h[0] : h;
}

function sendRaw(res: http.ServerResponse, status: number, contentType: string, body: string, requestId: string): void {
  const bytes = Buffer.from(body, 'utf8');
  res.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': bytes.length,
    'x-amzn-RequestId': requestId,
  });
  res.end(bytes);
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
    req.on('end', () => {
      const bytes = Buffer.concat(chunks);
      const bad = invalidUtf8Offset(bytes);
      // Decoding would silently turn the bad bytes into U+FFFD and store that instead.
      if (bad >= 0) reject(new SqsError('SerializationException', `The request body is not valid UTF-8: byte ${bad} (0x${bytes[bad].toString(16).padStart(2, '0')}) starts no valid character.`));
      else resolve(bytes.toString('utf8'));
    });
    // The client left or timed out before its body ended: nothing to answer, and nothing went wrong here.
    req.on('error', () => reject(new SqsError('SerializationException', 'The request ended before its body did.')));
  });
}

function drain(req: http.IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    req.resume();
    req.on('end', resolve);
    req.on('error', () => resolve());
  });
}
