import type * as http from 'node:http';
import { browseQueue, isBrowseCursor } from './browse';
import type { SqsEngine } from './engine';
import { SqsError } from './errors';
import { BROWSE_CAPABILITY, DEFAULT_BROWSE_PAGE, MAX_BROWSE_PAGE, WORKBENCH_MESSAGES_PATH } from '../shared/browse';
import { queueStats } from './queueStats';
import { WORKBENCH_QUEUES_PATH } from '../shared/activity';
import {
  MAX_TRACE_PAGE,
  MAX_TRACE_WAIT_SECONDS,
  WORKBENCH_INFO_PATH,
  WORKBENCH_SERVER_NAME,
  WORKBENCH_TRACE_PATH,
  type TraceEvent,
  type TracePage,
  type WorkbenchInfo,
} from '../shared/trace';
import { encodeTracePage, TRACE_COMPACT_CAPABILITY } from '../shared/traceWire';

/** The version of the `/_workbench/` endpoints' shapes; it grows when they change incompatibly. */
export const WORKBENCH_API_VERSION = '1';
const DEFAULT_TRACE_PAGE = 1_000;
/**
 * A waiting read answers this long after the first new event, with every event recorded
 * meanwhile: under load, one answer carries hundreds of events instead of one answer per
 * request served. Transport batching in real time, not a deadline of the queues' clock.
 */
const GATHER_MS = 25;
/** A long-polled read that finds fewer events than this waiting gathers for {@link GATHER_MS} too. */
const GATHER_BELOW = 500;

/** What a `/_workbench/` request answers: a status and a JSON body. */
interface Answer {
  status: number;
  body: unknown;
}

const badRequest = (message: string): Answer => ({ status: 400, body: { error: 'BadRequest', message } });

/** True for a path the workbench endpoints own (outside the SQS API's namespace). */
export function isWorkbenchPath(url: string | undefined): boolean {
  return url !== undefined && url.startsWith('/_workbench/');
}

/**
 * Answers `GET /_workbench/info` (what this server is), `GET /_workbench/trace` (the
 * trace, resumable from a sequence number, long-polled with `wait`; a reader that names
 * another `instance` than this server's reads from the start) and `GET /_workbench/messages`
 * (Browse: a queue's messages, read without receiving them). Bodies of messages are
 * included only when asked (`bodies=true`) by a client on this machine.
 */
export async function workbenchAnswer(engine: SqsEngine, instance: string, req: http.IncomingMessage, signal: AbortSignal, closing: AbortSignal): Promise<Answer> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.method !== 'GET') return { status: 405, body: { error: 'MethodNotAllowed', message: `${url.pathname} answers GET only, not ${req.method ?? '?'}.` } };
  if (url.pathname === WORKBENCH_INFO_PATH) {
    const info: WorkbenchInfo = { server: WORKBENCH_SERVER_NAME, version: WORKBENCH_API_VERSION, capabilities: ['trace', TRACE_COMPACT_CAPABILITY, 'queues', BROWSE_CAPABILITY], instance, now: engine.clock.now(), lastSeq: engine.trace.lastSeq };
    return { status: 200, body: info };
  }
  if (url.pathname === WORKBENCH_QUEUES_PATH) return queuesAnswer(engine, url.searchParams);
  if (url.pathname === WORKBENCH_MESSAGES_PATH) return browseAnswer(engine, url.searchParams, req.socket.remoteAddress);
  if (url.pathname !== WORKBENCH_TRACE_PATH) {
    return { status: 404, body: { error: 'NotFound', message: `No such endpoint: ${url.pathname.slice(0, 100)}. This server answers ${WORKBENCH_INFO_PATH}, ${WORKBENCH_TRACE_PATH}, ${WORKBENCH_QUEUES_PATH} and ${WORKBENCH_MESSAGES_PATH}.` } };
  }
  const query = parseTraceQuery(url.searchParams);
  if ('status' in query) return query;
  if (query.bodies && !isLoopback(req.socket.remoteAddress)) return bodiesForbidden;
  // A reader of an earlier server (it restarted on this endpoint) reads this one's trace from the start.
  const after = query.instance !== undefined && query.instance !== instance ? 0 : query.after;
  engine.tickAll();
  if (query.wait > 0 && !closing.aborted) {
    const pending = engine.trace.lastSeq - after;
    const stop = AbortSignal.any([signal, closing]);
    if (pending <= 0) await waitForEvents(engine, query.wait, stop);
    // A reader that keeps up would otherwise come back for every few events: it gets the
    // events of the next moment with them (one answer of many events, not many of few).
    else if (pending < GATHER_BELOW) await gather(stop);
  }
  const page = engine.trace.read(after, query.limit);
  if (query.compact) return { status: 200, body: encodeTracePage({ instance, ...page }, query.bodies) };
  const result: TracePage = { instance, ...page, events: query.bodies ? page.events : page.events.map(withoutBody) };
  return { status: 200, body: result };
}

const bodiesForbidden: Answer = { status: 403, body: { error: 'Forbidden', message: 'bodies=true is answered only to clients on the same machine as the server (a loopback address).' } };

/** `GET /_workbench/messages?queue=NAME[&after=CURSOR][&limit=N][&bodies=true]`: one page of Browse. */
function browseAnswer(engine: SqsEngine, params: URLSearchParams, remoteAddress: string | undefined): Answer {
  const known = new Set(['queue', 'after', 'limit', 'bodies']);
  for (const name of params.keys()) {
    if (!known.has(name)) return badRequest(`Unknown parameter "${name.slice(0, 50)}": ${WORKBENCH_MESSAGES_PATH} takes queue, after, limit and bodies.`);
  }
  const name = params.get('queue');
  if (name === null || name.length === 0) return badRequest(`queue is required: the name of the queue to browse, e.g. ${WORKBENCH_MESSAGES_PATH}?queue=orders.`);
  const after = params.get('after') ?? undefined;
  if (after !== undefined && !isBrowseCursor(after)) return badRequest(`after must be the "next" of the previous page, not "${after.slice(0, 50)}".`);
  const limit = integerParam(params, 'limit', DEFAULT_BROWSE_PAGE, 1, MAX_BROWSE_PAGE);
  if (typeof limit !== 'number') return limit;
  const bodies = booleanParam(params, 'bodies');
  if (typeof bodies !== 'boolean') return bodies;
  if (bodies && !isLoopback(remoteAddress)) return bodiesForbidden;
  let queueUrl: string;
  try {
    queueUrl = engine.getQueueUrl(name);
  } catch (err) {
    if (err instanceof SqsError) return { status: 404, body: { error: 'QueueDoesNotExist', message: `No queue named "${name.slice(0, 80)}" on this server.` } };
    throw err;
  }
  const queue = engine.queues.queueByUrl(queueUrl);
  return { status: 200, body: browseQueue(queue, queueUrl, { now: engine.clock.now(), traceSeq: engine.trace.lastSeq }, { limit, bodies, ...(after !== undefined ? { after } : {}) }) };
}

function integerParam(params: URLSearchParams, name: string, fallback: number, min: number, max: number): number | Answer {
  const raw = params.get(name);
  if (raw === null) return fallback;
  const n = /^\d{1,16}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) return badRequest(`${name} must be a whole number from ${min} to ${max}, not "${raw.slice(0, 50)}".`);
  return n;
}

function booleanParam(params: URLSearchParams, name: string): boolean | Answer {
  const raw = params.get(name);
  if (raw !== null && raw !== 'true' && raw !== 'false') return badRequest(`${name} must be true or false, not "${raw.slice(0, 50)}".`);
  return raw === 'true';
}

/** `GET /_workbench/queues[?name=NAME]`: every queue's live figures, or one queue's. */
function queuesAnswer(engine: SqsEngine, params: URLSearchParams): Answer {
  for (const name of params.keys()) {
    if (name !== 'name') return badRequest(`Unknown parameter "${name.slice(0, 50)}": ${WORKBENCH_QUEUES_PATH} takes name only.`);
  }
  const name = params.get('name') ?? undefined;
  if (name !== undefined && !/^[\w.-]{1,80}$/.test(name)) return badRequest(`name must be a queue name (1 to 80 letters, digits, -, _ and .), not "${name.slice(0, 50)}".`);
  const page = queueStats(engine, name);
  if (!page) return { status: 404, body: { error: 'QueueDoesNotExist', message: `No queue named "${name ?? ''}" on this server.` } };
  return { status: 200, body: page };
}

interface TraceQuery {
  after: number;
  wait: number;
  limit: number;
  bodies: boolean;
  instance: string | undefined;
  /** `format=compact`: the page in {@link encodeTracePage}'s form. */
  compact: boolean;
}

function parseTraceQuery(params: URLSearchParams): TraceQuery | Answer {
  const known = new Set(['after', 'wait', 'limit', 'bodies', 'instance', 'format']);
  for (const name of params.keys()) {
    if (!known.has(name)) return badRequest(`Unknown parameter "${name.slice(0, 50)}": ${WORKBENCH_TRACE_PATH} takes after, wait, limit, bodies, instance and format.`);
  }
  const format = params.get('format') ?? 'full';
  if (format !== 'full' && format !== 'compact') return badRequest(`format must be full or compact, not "${format.slice(0, 50)}".`);
  const instance = params.get('instance') ?? undefined;
  if (instance !== undefined && !/^[\w-]{1,64}$/.test(instance)) return badRequest(`instance must be the instance of /_workbench/info (letters, digits, - and _), not "${instance.slice(0, 50)}".`);
  const after = integerParam(params, 'after', 0, 0, Number.MAX_SAFE_INTEGER);
  if (typeof after !== 'number') return after;
  const wait = integerParam(params, 'wait', 0, 0, MAX_TRACE_WAIT_SECONDS);
  if (typeof wait !== 'number') return wait;
  const limit = integerParam(params, 'limit', DEFAULT_TRACE_PAGE, 1, MAX_TRACE_PAGE);
  if (typeof limit !== 'number') return limit;
  const bodies = booleanParam(params, 'bodies');
  if (typeof bodies !== 'boolean') return bodies;
  return { after, wait, limit, bodies, instance, compact: format === 'compact' };
}

/**
 * Waits until the trace records an event, the wait ends, or the client leaves. Meanwhile
 * the queues are ticked when their next delay or visibility window ends, so that expiries
 * reach a waiting reader at their deadline.
 */
function waitForEvents(engine: SqsEngine, waitSeconds: number, signal: AbortSignal): Promise<void> {
  const clock = engine.clock;
  return new Promise<void>((resolve) => {
    let dueTimer: ReturnType<typeof clock.setTimer> | undefined;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      subscription.dispose();
      // Nothing else to undo: a gathering timer that fires later finds the read done.
      clock.clearTimer(endTimer);
      if (dueTimer) clock.clearTimer(dueTimer);
      signal.removeEventListener('abort', finish);
      resolve();
    };
    const scheduleDue = (): void => {
      const at = done ? undefined : engine.nextDueAt();
      if (at === undefined) return;
      dueTimer = clock.setTimer(() => {
        dueTimer = undefined;
        engine.tickAll();
        scheduleDue();
      }, Math.max(0, at - clock.now()));
    };
    let gathering = false;
    const subscription = engine.trace.onDidRecord(() => {
      if (gathering) return;
      gathering = true;
      setTimeout(finish, GATHER_MS);
    });
    const endTimer = clock.setTimer(finish, waitSeconds * 1000);
    signal.addEventListener('abort', finish, { once: true });
    scheduleDue();
  });
}

/** Waits {@link GATHER_MS}, or less when the client leaves or the server stops. */
function gather(signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, GATHER_MS);
    signal.addEventListener('abort', done, { once: true });
  });
}

function withoutBody(e: TraceEvent): TraceEvent {
  if (e.kind !== 'sent' || (e.details.body === undefined && e.details.attributes === undefined)) return e;
  const details = { ...e.details };
  delete details.body;
  delete details.attributes;
  return { ...e, details };
}

function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const bare = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  return bare === '::1' || bare.startsWith('127.');
}
