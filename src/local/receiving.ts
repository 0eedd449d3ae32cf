import type { Clock } from './clock';
import { SqsError, invalidParameter } from './errors';
import type { EngineFaults } from './faults';
import type { LocalQueue } from './localQueue';
import { SYSTEM_ATTRIBUTE_NAMES, toReceived, type ReceiveInput, type ReceivedMessage } from './messageInput';
import type { StoredMessage } from './queue';
import type { QueueRegistry } from './queueRegistry';
import type { TraceLog } from './trace';
import type { TraceActor } from '../shared/trace';
import { MAX_RECEIVE_MESSAGES, MAX_VISIBILITY_TIMEOUT_SECONDS, MAX_WAIT_TIME_SECONDS, isValidFifoId } from '../model/sqsLimits';

/** A ReceiveMessage request, checked against SQS's limits. */
export interface CheckedReceive {
  readonly max: number;
  readonly waitSeconds: number;
  readonly visibilityTimeout: number | undefined;
  readonly systemNames: Set<string>;
  readonly attributeNames: string[];
  /** The FIFO attempt id; undefined on a standard queue, which ignores it as SQS does. */
  readonly attempt: string | undefined;
}

/** Checks a ReceiveMessage request; throws SQS's error for the first field out of range. */
export function checkReceive(queue: LocalQueue, input: ReceiveInput): CheckedReceive {
  const max = input.MaxNumberOfMessages ?? 1;
  if (!Number.isInteger(max) || max < 1 || max > MAX_RECEIVE_MESSAGES) {
    throw invalidParameter(`Value ${max} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and ${MAX_RECEIVE_MESSAGES}, if provided.`);
  }
  const wait = input.WaitTimeSeconds ?? queue.settings.ReceiveMessageWaitTimeSeconds;
  if (!Number.isInteger(wait) || wait < 0 || wait > MAX_WAIT_TIME_SECONDS) {
    throw invalidParameter(`Value ${wait} for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= ${MAX_WAIT_TIME_SECONDS}, if provided.`);
  }
  const vt = input.VisibilityTimeout;
  if (vt !== undefined && (!Number.isInteger(vt) || vt < 0 || vt > MAX_VISIBILITY_TIMEOUT_SECONDS)) {
    throw invalidParameter(`Value ${vt} for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= ${MAX_VISIBILITY_TIMEOUT_SECONDS}, if provided.`);
  }
  const systemNames = new Set([...(input.AttributeNames ?? []), ...(input.MessageSystemAttributeNames ?? [])]);
  for (const n of systemNames) {
    if (n !== 'All' && !(SYSTEM_ATTRIBUTE_NAMES as readonly string[]).includes(n)) {
      throw new SqsError('InvalidAttributeName', `Unknown Attribute ${n}.`);
    }
  }
  const attempt = queue.fifo ? input.ReceiveRequestAttemptId : undefined;
  if (attempt !== undefined && !isValidFifoId(attempt)) {
    throw invalidParameter(`Value ${attempt} for parameter ReceiveRequestAttemptId is invalid. Reason: ReceiveRequestAttemptId can only include alphanumeric and punctuation characters. 1 to 128 in length.`);
  }
  return { max, waitSeconds: wait, visibilityTimeout: vt, systemNames, attributeNames: input.MessageAttributeNames ?? [], attempt };
}

/** What taking messages needs of the engine. */
export interface ReceiveContext {
  readonly clock: Clock;
  readonly queues: QueueRegistry;
  readonly trace: TraceLog;
  readonly faults: EngineFaults | undefined;
  traceUrl(queue: LocalQueue): string;
  makeHandle(queue: LocalQueue, m: StoredMessage): string;
  wake(queue: LocalQueue): void;
}

/**
 * Takes up to `request.max` visible messages of `queue` and puts them in flight, as one
 * ReceiveMessage does: a message past its retention is dropped, one past the redrive
 * policy's `maxReceiveCount` moves to the dead-letter queue instead of being delivered.
 */
export function takeMessages(ctx: ReceiveContext, queue: LocalQueue, request: CheckedReceive, actor: TraceActor | undefined): ReceivedMessage[] {
  if (!ctx.queues.has(queue.name)) return [];
  const now = ctx.clock.now();
  const state = queue.state;
  state.tick(now);
  const vtMs = (request.visibilityTimeout ?? queue.settings.VisibilityTimeout) * 1000;
  const picked: StoredMessage[] = [];
  const redrive = queue.settings.RedrivePolicy;
  const dlq = redrive ? ctx.queues.queueForArn(redrive.deadLetterTargetArn) : undefined;
  /** Returns true when the message was delivered, false when it left the queue instead. */
  const deliver = (m: StoredMessage): boolean => {
    if (state.isExpired(m, now)) {
      state.dropExpired(m);
      return false;
    }
    if (redrive && dlq && m.receiveCount >= redrive.maxReceiveCount) {
      moveToDeadLetterQueue(ctx, queue, m, dlq, actor);
      return false;
    }
    state.markReceived(m, vtMs, actor);
    ctx.trace.record('received', now, queue.name, ctx.traceUrl(queue), m.id, actor, { receiveCount: m.receiveCount, deadline: m.visibleAt });
    picked.push(m);
    return true;
  };
  if (queue.fifo) takeFromGroups(queue, request.max, picked, deliver);
  else takeInOrder(ctx, queue, request.max, picked, deliver, actor);
  return picked.map((m) => toReceived(m, queue.fifo, ctx.makeHandle(queue, m), request.systemNames, request.attributeNames));
}

/** FIFO: whole groups in turn, none with a message in flight, each in its order. */
function takeFromGroups(queue: LocalQueue, max: number, picked: StoredMessage[], deliver: (m: StoredMessage) => boolean): void {
  const state = queue.state;
  // Groups are kept in turn order: served groups go to the back, after this loop, so
  // that the walk neither copies the groups nor meets a group twice.
  const served: string[] = [];
  for (const [key, group] of state.groups) {
    if (picked.length >= max) break;
    if (group.inflight > 0) continue;
    let delivered = false;
    for (let i = 0; picked.length < max; ) {
      const m = group.messages.at(i);
      if (!m) break;
      if (m.state === 'gone') {
        i++;
        continue;
      }
      if (m.state !== 'visible') break;
      if (deliver(m)) {
        delivered = true;
        i++;
      }
    }
    if (delivered) served.push(key);
  }
  for (const key of served) {
    const group = state.groups.get(key);
    if (!group) continue;
    state.groups.delete(key);
    state.groups.set(key, group);
  }
}

/** Standard: the oldest visible first; a message passed over (shuffled order) goes after the others, or back to the end. */
function takeInOrder(ctx: ReceiveContext, queue: LocalQueue, max: number, picked: StoredMessage[], deliver: (m: StoredMessage) => boolean, actor: TraceActor | undefined): void {
  const state = queue.state;
  const passed: StoredMessage[] = [];
  while (picked.length < max) {
    const m = state.shiftVisible();
    if (!m) break;
    if (ctx.faults?.passOver(queue.name, m.id)) {
      ctx.trace.record('faultInjected', ctx.clock.now(), queue.name, ctx.traceUrl(queue), m.id, actor, { fault: 'shuffle', action: 'ReceiveMessage' });
      passed.push(m);
    } else deliver(m);
  }
  for (const m of passed) {
    if (picked.length < max) deliver(m);
    else state.requeueVisible(m);
  }
}

/** Moves a message to the dead-letter queue at the receive that exceeded `maxReceiveCount`. */
function moveToDeadLetterQueue(ctx: ReceiveContext, source: LocalQueue, m: StoredMessage, dlq: LocalQueue, actor: TraceActor | undefined): void {
  source.state.remove(m);
  const now = ctx.clock.now();
  const moved: StoredMessage = {
    ...m,
    deadLetterSourceArn: source.arn,
    enqueuedAt: now,
    visibleAt: now,
    state: 'gone',
    receiveSerial: 0,
    receivedAt: 0,
    version: 0,
    sequenceNumber: dlq.fifo ? dlq.state.nextSequenceNumber() : undefined,
  };
  dlq.state.tick();
  dlq.state.insert(moved);
  ctx.trace.record('movedToDlq', moved.enqueuedAt, source.name, ctx.traceUrl(source), m.id, actor, {
    toQueue: dlq.name,
    toQueueUrl: ctx.traceUrl(dlq),
    receiveCount: m.receiveCount,
  });
  ctx.wake(dlq);
}
