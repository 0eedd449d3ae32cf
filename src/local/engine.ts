import { systemClock, type Clock } from './clock';
import { SqsError, invalidParameter, missingParameter } from './errors';
import type { EngineFaults } from './faults';
import { LocalQueue } from './localQueue';
import { LongPolls } from './longPolls';
import { MemoryMeter, defaultMemoryLimit } from './memory';
import {
  batchError,
  checkBatch,
  eachOfBatch,
  prepareMessage,
  type BatchResultError,
  type ReceiveInput,
  type ReceivedMessage,
  type SendInput,
  type SendResult,
} from './messageInput';
import { MoveTasks, type MoveTask } from './moveTasks';
import type { QueueObserver, QueueStateObserver, StoredMessage } from './queue';
import { QueueRegistry } from './queueRegistry';
import { checkReceive, takeMessages, type ReceiveContext } from './receiving';
import { enqueue, type SendContext } from './sending';
import { ReceiptHandles } from './tokens';
import { DEFAULT_TRACE_LIMITS, TraceLog, type TraceLimits } from './trace';
import type { TraceActor } from '../shared/trace';
import {
  DEFAULT_REGION,
  MAX_BATCH_PAYLOAD_BYTES,
  MAX_VISIBILITY_TIMEOUT_SECONDS,
  attributesSize,
} from '../model/sqsLimits';

export interface EngineOptions {
  clock?: Clock;
  region?: string;
  accountId?: string;
  /** Base of queue URLs, e.g. `http://127.0.0.1:9324`; may be set later with {@link SqsEngine.setBaseUrl}. */
  baseUrl?: string;
  /** How long a deleted queue's name stays reserved (SQS: 60 s). */
  deletedQueueNameHoldMs?: number;
  /** Bytes of messages the server holds at most; sends past it get OverLimit. Default: {@link defaultMemoryLimit}. */
  maxStoredBytes?: number;
  /** Injected failures that act on messages (duplicates, shuffled order); none when left out. */
  faults?: EngineFaults;
  /** How many trace events, and how many bytes of them, the server keeps. */
  traceLimits?: TraceLimits;
  /** Gives each queue's state an observer (the data directory's journal). */
  journal?: (queue: LocalQueue) => QueueStateObserver;
  /** The key receipt handles are signed with; a data directory keeps it so handles outlive a restart. */
  handleSecret?: Buffer;
  /** Told when a message move task starts, moves messages or changes status (the data directory saves it). */
  moveTaskChanged?: (task: MoveTask) => void;
}

export type { MoveTask } from './moveTasks';
export type { BatchResultError, ReceiveInput, ReceivedMessage, SendInput, SendResult } from './messageInput';
export { LocalQueue };

const TWELVE_HOURS_MS = MAX_VISIBILITY_TIMEOUT_SECONDS * 1000;

/**
 * The local SQS engine: every action of the SQS API over in-memory queues, with SQS's
 * limits and semantics. It knows nothing of HTTP or of wire formats: `jsonProtocol.ts` (AWS
 * JSON 1.0) and `queryProtocol.ts` (AWS Query) translate requests into its calls. All time
 * comes from the injected {@link Clock}.
 */
export class SqsEngine {
  readonly clock: Clock;
  readonly region: string;
  readonly accountId: string;
  readonly queues: QueueRegistry;
  /** The messages' memory against the limit. */
  readonly memory: MemoryMeter;
  /** Every transition of every message, newest last, bounded. */
  readonly trace: TraceLog;
  /** Who made the request being served (see {@link runAs}). */
  private actor: TraceActor | undefined;
  /** The message a ChangeMessageVisibility to 0 is releasing: its window closes by request, not by expiry. */
  private releasing: StoredMessage | undefined;
  private traceUrls = new WeakMap<LocalQueue, string>();
  private readonly handles: ReceiptHandles;
  private readonly longPolls: LongPolls;
  private readonly moveTasks: MoveTasks<LocalQueue>;
  private closed = false;
  private readonly faults: EngineFaults | undefined;
  /** What receiving and sending (`receiving.ts`, `sending.ts`) need of the engine. */
  private readonly ctx: ReceiveContext & SendContext;

  constructor(options: EngineOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.region = options.region ?? DEFAULT_REGION;
    this.accountId = options.accountId ?? '000000000000';
    this.longPolls = new LongPolls(this.clock);
    this.faults = options.faults;
    this.handles = new ReceiptHandles(options.handleSecret);
    this.memory = new MemoryMeter(options.maxStoredBytes ?? defaultMemoryLimit());
    this.trace = new TraceLog(options.traceLimits ?? DEFAULT_TRACE_LIMITS);
    this.queues = new QueueRegistry(
      {
        clock: this.clock,
        region: this.region,
        accountId: this.accountId,
        baseUrl: options.baseUrl ?? 'http://127.0.0.1:9324',
        deletedQueueNameHoldMs: options.deletedQueueNameHoldMs ?? 60_000,
        meter: this.memory,
        observe: (queue) => this.observerOf(queue),
        journal: options.journal,
      },
      { onDeleted: (queue) => this.longPolls.releaseAll(queue.polls), onChanged: (queue) => this.wake(queue) },
    );
    this.moveTasks = new MoveTasks<LocalQueue>(this.clock, {
      queueByArn: (arn, parameter) => this.queues.queueByArn(arn, parameter),
      queueForArn: (arn) => this.queues.queueForArn(arn),
      isDeadLetterQueue: (queue) => [...this.queues.all()].some((q) => q.settings.RedrivePolicy?.deadLetterTargetArn === queue.arn),
      wake: (queue) => this.wake(queue),
      moved: (source, m, destination) =>
        this.trace.record('moved', this.clock.now(), source.name, this.traceUrl(source), m.id, undefined, { toQueue: destination.name, toQueueUrl: this.traceUrl(destination) }),
      changed: options.moveTaskChanged,
    });
    this.ctx = {
      clock: this.clock,
      memory: this.memory,
      queues: this.queues,
      trace: this.trace,
      faults: this.faults,
      traceUrl: (queue) => this.traceUrl(queue),
      makeHandle: (queue, m) => this.makeHandle(queue, m),
      wake: (queue) => this.wake(queue),
    };
  }

  /**
   * Runs `action` on behalf of `actor`: the trace names it as the cause of what the action
   * does, including what a long poll it starts receives later.
   */
  runAs<T>(actor: TraceActor | undefined, action: () => T): T {
    const previous = this.actor;
    this.actor = actor;
    try {
      return action();
    } finally {
      this.actor = previous;
    }
  }

  /** Applies what time has made due on every queue, so that the trace holds every expiry up to now. */
  tickAll(): void {
    const now = this.clock.now();
    for (const q of this.queues.all()) q.state.tick(now);
  }

  /** The earliest time at which a delayed or in-flight message of any queue becomes visible. */
  nextDueAt(): number | undefined {
    let next: number | undefined;
    for (const q of this.queues.all()) {
      const at = q.state.nextDueAt();
      if (at !== undefined && (next === undefined || at < next)) next = at;
    }
    return next;
  }

  /** Ends every long poll and move task; the engine answers nothing afterwards. */
  close(): void {
    this.closed = true;
    for (const q of this.queues.all()) this.longPolls.releaseAll(q.polls);
    this.moveTasks.close();
  }

  // ---- queues (the registry's) ------------------------------------------------------

  setBaseUrl(baseUrl: string): void {
    this.queues.setBaseUrl(baseUrl);
    this.traceUrls = new WeakMap();
  }

  queueUrl(name: string): string {
    return this.queues.queueUrl(name);
  }

  queueArn(name: string): string {
    return this.queues.queueArn(name);
  }

  createQueue(name: string, attributes: Record<string, string> = {}, tags: Record<string, string> = {}): string {
    return this.queues.createQueue(name, attributes, tags);
  }

  deleteQueue(url: string): void {
    this.queues.deleteQueue(url);
  }

  getQueueUrl(name: string, ownerAccountId?: string): string {
    return this.queues.getQueueUrl(name, ownerAccountId);
  }

  listQueues(prefix?: string, maxResults?: number, nextToken?: string): { QueueUrls: string[]; NextToken?: string } {
    return this.queues.listQueues(prefix, maxResults, nextToken);
  }

  getQueueAttributes(url: string, names: string[] = []): Record<string, string> {
    return this.queues.getQueueAttributes(url, names);
  }

  setQueueAttributes(url: string, attributes: Record<string, string>): void {
    this.queues.setQueueAttributes(url, attributes);
  }

  purgeQueue(url: string): void {
    const { queue, count } = this.queues.purgeQueue(url);
    this.trace.record('purged', this.clock.now(), queue.name, this.traceUrl(queue), '', this.actor, { count });
  }

  tagQueue(url: string, tags: Record<string, string>): void {
    this.queues.tagQueue(url, tags);
  }

  untagQueue(url: string, keys: string[]): void {
    this.queues.untagQueue(url, keys);
  }

  listQueueTags(url: string): Record<string, string> {
    return this.queues.listQueueTags(url);
  }

  addPermission(url: string, label: string, accounts: string[], actions: string[]): void {
    this.queues.addPermission(url, label, accounts, actions);
  }

  removePermission(url: string, label: string): void {
    this.queues.removePermission(url, label);
  }

  listDeadLetterSourceQueues(url: string, maxResults?: number, nextToken?: string): { queueUrls: string[]; NextToken?: string } {
    return this.queues.listDeadLetterSourceQueues(url, maxResults, nextToken);
  }

  /** Every queue, for tools built on the engine (the demo seed, the tests). */
  queueNames(): string[] {
    return this.queues.queueNames();
  }

  // ---- messages --------------------------------------------------------------------

  sendMessage(url: string, input: SendInput): SendResult {
    const queue = this.queues.queueByUrl(url);
    const message = prepareMessage(queue, input, this.clock.now(), this.accountId);
    const result = enqueue(this.ctx, queue, message, this.actor);
    this.wake(queue);
    return result;
  }

  sendMessageBatch(url: string, entries: (SendInput & { Id: string })[]): { Successful: (SendResult & { Id: string })[]; Failed: BatchResultError[] } {
    const queue = this.queues.queueByUrl(url);
    checkBatch(entries.map((e) => e.Id));
    let payload = 0;
    for (const e of entries) payload += Buffer.byteLength(e.MessageBody ?? '', 'utf8') + attributesSize(e.MessageAttributes);
    if (payload > MAX_BATCH_PAYLOAD_BYTES) {
      throw new SqsError('BatchRequestTooLong', `Batch requests cannot be longer than ${MAX_BATCH_PAYLOAD_BYTES} bytes. You have sent ${payload} bytes.`);
    }
    const Successful: (SendResult & { Id: string })[] = [];
    const Failed: BatchResultError[] = [];
    for (const entry of entries) {
      try {
        const message = prepareMessage(queue, entry, this.clock.now(), this.accountId);
        Successful.push({ Id: entry.Id, ...enqueue(this.ctx, queue, message, this.actor) });
      } catch (err) {
        Failed.push(batchError(entry.Id, err));
      }
    }
    this.wake(queue);
    return { Successful, Failed };
  }

  /**
   * Receives messages; with a wait time it resolves as soon as at least one message is
   * available, or with none when the wait ends. `signal` ends the wait early (the client left).
   */
  receiveMessage(url: string, input: ReceiveInput, signal?: AbortSignal): Promise<ReceivedMessage[]> {
    const queue = this.queues.queueByUrl(url);
    const request = checkReceive(queue, input);
    const { attempt } = request;
    if (attempt !== undefined) {
      queue.state.tick();
      const replay = queue.receiveAttempts.replay(attempt, queue.state, this.clock.now());
      if (replay) return Promise.resolve(replay);
    }
    const actor = this.actor;
    const take = (): ReceivedMessage[] => {
      const taken = takeMessages(this.ctx, queue, request, actor);
      if (attempt !== undefined) {
        queue.receiveAttempts.remember(attempt, queue.state, this.clock.now(), (request.visibilityTimeout ?? queue.settings.VisibilityTimeout) * 1000, taken);
      }
      return taken;
    };
    const first = take();
    if (first.length > 0 || request.waitSeconds === 0 || this.closed) return Promise.resolve(first);
    return this.longPolls.wait(queue.polls, queue.state, take, request.waitSeconds, () => this.closed || !this.queues.has(queue.name), signal);
  }

  deleteMessage(url: string, receiptHandle: string): void {
    this.deleteOne(url, receiptHandle, 'DeleteMessage');
  }

  private deleteOne(url: string, receiptHandle: string, action: string): void {
    const queue = this.queues.queueByUrl(url);
    queue.state.tick();
    const found = this.resolveHandle(queue, receiptHandle);
    if (!found) return;
    // A stale handle (an older receive) answers success and deletes nothing, as SQS does.
    const stale = found.receiveSerial !== this.serialOf(receiptHandle);
    const late = stale || found.state !== 'inflight';
    if (!stale) queue.state.remove(found);
    this.trace.record('deleted', this.clock.now(), queue.name, this.traceUrl(queue), found.id, this.actor, { stale, late, receiveCount: found.receiveCount });
    if (!stale && !queue.fifo && this.faults?.redeliverAfterDelete(queue.name, action, found.id)) {
      this.trace.record('faultInjected', this.clock.now(), queue.name, this.traceUrl(queue), found.id, this.actor, { fault: 'duplicate', action });
      this.redeliver(queue, found);
    }
  }

  /** Puts a deleted message back, visible, with its id, body and attributes: a duplicate delivery. */
  private redeliver(queue: LocalQueue, m: StoredMessage): void {
    const now = this.clock.now();
    queue.state.insert({ ...m, state: 'gone', visibleAt: now, receiveSerial: 0, receivedAt: 0, version: 0 });
    this.wake(queue);
  }

  deleteMessageBatch(url: string, entries: { Id: string; ReceiptHandle: string }[]): { Successful: { Id: string }[]; Failed: BatchResultError[] } {
    this.queues.queueByUrl(url);
    return eachOfBatch(entries, (e) => this.deleteOne(url, e.ReceiptHandle, 'DeleteMessageBatch'));
  }

  changeMessageVisibility(url: string, receiptHandle: string, visibilityTimeout: number): void {
    const queue = this.queues.queueByUrl(url);
    if (!Number.isInteger(visibilityTimeout) || visibilityTimeout < 0 || visibilityTimeout > MAX_VISIBILITY_TIMEOUT_SECONDS) {
      throw invalidParameter(`Value ${visibilityTimeout} for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and ${MAX_VISIBILITY_TIMEOUT_SECONDS}.`);
    }
    const now = this.clock.now();
    queue.state.tick(now);
    const m = this.resolveHandle(queue, receiptHandle);
    if (!m || m.receiveSerial !== this.serialOf(receiptHandle)) {
      throw invalidParameter(`Value ${receiptHandle} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.`);
    }
    if (m.state !== 'inflight') {
      throw new SqsError('MessageNotInflight', 'Message does not exist or is not available for visibility timeout change.');
    }
    if (now + visibilityTimeout * 1000 > m.receivedAt + TWELVE_HOURS_MS) {
      throw invalidParameter(
        `Value ${visibilityTimeout} for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [${MAX_VISIBILITY_TIMEOUT_SECONDS} seconds].`,
      );
    }
    queue.state.setVisibleAt(m, now + visibilityTimeout * 1000);
    if (visibilityTimeout === 0) {
      this.trace.record('released', now, queue.name, this.traceUrl(queue), m.id, this.actor, {});
      this.releasing = m;
    } else {
      this.trace.record('visibilityChanged', now, queue.name, this.traceUrl(queue), m.id, this.actor, { deadline: m.visibleAt });
    }
    try {
      queue.state.tick(now);
    } finally {
      this.releasing = undefined;
    }
    this.wake(queue);
  }

  changeMessageVisibilityBatch(
    url: string,
    entries: { Id: string; ReceiptHandle: string; VisibilityTimeout?: number }[],
  ): { Successful: { Id: string }[]; Failed: BatchResultError[] } {
    this.queues.queueByUrl(url);
    return eachOfBatch(entries, (e) => this.changeMessageVisibility(url, e.ReceiptHandle, e.VisibilityTimeout ?? 0));
  }

  /** How many long polls wait on the queue right now. */
  waitingReceives(url: string): number {
    return this.queues.queueByUrl(url).polls.waiters.size;
  }

  /** Live counts of a queue, after applying what time has made due. */
  counts(url: string): { visible: number; inflight: number; delayed: number } {
    const q = this.queues.queueByUrl(url);
    q.state.tick();
    return { visible: q.state.visible, inflight: q.state.inflight, delayed: q.state.delayed };
  }

  // ---- message move tasks ----------------------------------------------------------

  startMessageMoveTask(sourceArn: string, destinationArn?: string, rate?: number): string {
    return this.moveTasks.start(sourceArn, destinationArn, rate);
  }

  cancelMessageMoveTask(taskHandle: string): number {
    return this.moveTasks.cancel(taskHandle);
  }

  listMessageMoveTasks(sourceArn: string, maxResults = 1): MoveTask[] {
    return this.moveTasks.list(sourceArn, maxResults);
  }

  /** Every move task, newest first, as saved in a data directory. */
  allMessageMoveTasks(): readonly MoveTask[] {
    return this.moveTasks.all();
  }

  /** Takes back move tasks saved before a restart (newest first); running ones continue. */
  restoreMessageMoveTasks(tasks: MoveTask[]): void {
    this.moveTasks.restore(tasks);
  }

  // ---- internals -------------------------------------------------------------------

  /** What time does to a queue's messages, into the trace: at the deadline, whenever the engine applies it. */
  private observerOf(queue: LocalQueue): QueueObserver {
    return {
      becameVisible: (m, at, wasInFlight) => {
        if (m === this.releasing) return;
        if (wasInFlight) this.trace.record('expired', at, queue.name, this.traceUrl(queue), m.id, undefined, { receiveCount: m.receiveCount });
        else this.trace.record('visible', at, queue.name, this.traceUrl(queue), m.id, undefined, {});
      },
      retentionEnded: (m, at) => this.trace.record('retentionExpired', at, queue.name, this.traceUrl(queue), m.id, undefined, {}),
    };
  }

  /** A queue's URL, made once per queue for the trace's events. */
  private traceUrl(queue: LocalQueue): string {
    let url = this.traceUrls.get(queue);
    if (url === undefined) {
      url = this.queueUrl(queue.name);
      this.traceUrls.set(queue, url);
    }
    return url;
  }

  private makeHandle(queue: LocalQueue, m: StoredMessage): string {
    return this.handles.make({ queue: queue.name, incarnation: queue.incarnation, messageId: m.id, serial: m.receiveSerial });
  }

  private serialOf(handle: string): number {
    return this.handles.serialOf(handle);
  }

  /** The message a handle names, or undefined when it is gone; throws for a handle that was never valid here. */
  private resolveHandle(queue: LocalQueue, handle: string): StoredMessage | undefined {
    if (typeof handle !== 'string' || handle.length === 0) throw missingParameter('ReceiptHandle');
    const parsed = this.handles.parse(handle);
    if (!parsed || parsed.queue !== queue.name) {
      throw new SqsError('ReceiptHandleIsInvalid', `The input receipt handle "${handle}" is not a valid receipt handle.`);
    }
    if (parsed.incarnation !== queue.incarnation) return undefined;
    return queue.state.messages.get(parsed.messageId);
  }

  private wake(queue: LocalQueue): void {
    this.longPolls.wake(queue.polls, queue.state);
  }
}
