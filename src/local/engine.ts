import { systemClock, type Clock } from './clock';
import { SqsError, invalidParameter, missingParameter } from './errors';
import type { EngineFaults } from './faults';
import { LocalQueue } from './localQueue';
import { LongPolls } from './longPolls';
import { MESSAGE_OVERHEAD_BYTES, MemoryMeter, defaultMemoryLimit } from './memory';
import {
  SYSTEM_ATTRIBUTE_NAMES,
  batchError,
  checkBatch,
  prepareMessage,
  toReceived,
  type BatchResultError,
  type ReceiveInput,
  type ReceivedMessage,
  type SendInput,
  type SendResult,
} from './messageInput';
import { MoveTasks, type MoveTask } from './moveTasks';
import type { QueueObserver, QueueStateObserver, StoredMessage } from './queue';
import { QueueRegistry } from './queueRegistry';
import { ReceiptHandles } from './tokens';
import { DEFAULT_TRACE_LIMITS, TraceLog, type TraceLimits } from './trace';
import type { TraceActor, TraceDetails } from '../shared/trace';

type SentDetails = TraceDetails['sent'];
import {
  DEFAULT_REGION,
  FIFO_DEDUP_WINDOW_MS,
  MAX_BATCH_PAYLOAD_BYTES,
  MAX_RECEIVE_MESSAGES,
  MAX_VISIBILITY_TIMEOUT_SECONDS,
  MAX_WAIT_TIME_SECONDS,
  attributesSize,
  isValidFifoId,
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
    const result = this.enqueue(queue, message);
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
        Successful.push({ Id: entry.Id, ...this.enqueue(queue, message) });
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
    // The attempt id is for FIFO queues only; standard queues ignore it, as SQS does.
    const attempt = queue.fifo ? input.ReceiveRequestAttemptId : undefined;
    if (attempt !== undefined) {
      if (!isValidFifoId(attempt)) {
        throw invalidParameter(`Value ${attempt} for parameter ReceiveRequestAttemptId is invalid. Reason: ReceiveRequestAttemptId can only include alphanumeric and punctuation characters. 1 to 128 in length.`);
      }
      queue.state.tick();
      const replay = queue.receiveAttempts.replay(attempt, queue.state, this.clock.now());
      if (replay) return Promise.resolve(replay);
    }
    const actor = this.actor;
    const take = (): ReceivedMessage[] => {
      const taken = this.take(queue, max, vt, systemNames, input.MessageAttributeNames ?? [], actor);
      if (attempt !== undefined) {
        queue.receiveAttempts.remember(attempt, queue.state, this.clock.now(), (vt ?? queue.settings.VisibilityTimeout) * 1000, taken);
      }
      return taken;
    };
    const first = take();
    if (first.length > 0 || wait === 0 || this.closed) return Promise.resolve(first);
    return this.longPolls.wait(queue.polls, queue.state, take, wait, () => this.closed || !this.queues.has(queue.name), signal);
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
    checkBatch(entries.map((e) => e.Id));
    const Successful: { Id: string }[] = [];
    const Failed: BatchResultError[] = [];
    for (const e of entries) {
      try {
        this.deleteOne(url, e.ReceiptHandle, 'DeleteMessageBatch');
        Successful.push({ Id: e.Id });
      } catch (err) {
        Failed.push(batchError(e.Id, err));
      }
    }
    return { Successful, Failed };
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
    checkBatch(entries.map((e) => e.Id));
    const Successful: { Id: string }[] = [];
    const Failed: BatchResultError[] = [];
    for (const e of entries) {
      try {
        this.changeMessageVisibility(url, e.ReceiptHandle, e.VisibilityTimeout ?? 0);
        Successful.push({ Id: e.Id });
      } catch (err) {
        Failed.push(batchError(e.Id, err));
      }
    }
    return { Successful, Failed };
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

  private enqueue(queue: LocalQueue, m: StoredMessage): SendResult {
    queue.state.tick();
    const result: SendResult = { MessageId: m.id, MD5OfMessageBody: m.md5OfBody };
    if (m.md5OfAttributes) result.MD5OfMessageAttributes = m.md5OfAttributes;
    if (m.md5OfSystemAttributes) result.MD5OfMessageSystemAttributes = m.md5OfSystemAttributes;
    if (queue.fifo) {
      const key = queue.settings.DeduplicationScope === 'messageGroup' ? `${m.groupId ?? ''}\u0000${m.dedupId ?? ''}` : (m.dedupId ?? '');
      const duplicate = queue.state.findDuplicate(key);
      if (duplicate) {
        this.trace.record('deduplicated', this.clock.now(), queue.name, this.traceUrl(queue), duplicate.messageId, this.actor, {
          dedupId: m.dedupId ?? '',
          ...(m.groupId !== undefined ? { groupId: m.groupId } : {}),
        });
        // Accepted and not delivered again: SQS answers with the first copy's identity.
        result.MessageId = duplicate.messageId;
        if (duplicate.sequenceNumber) result.SequenceNumber = duplicate.sequenceNumber;
        return result;
      }
      this.checkMemory(m);
      m.sequenceNumber = queue.state.nextSequenceNumber();
      result.SequenceNumber = m.sequenceNumber;
      queue.state.rememberDedup(key, m.id, m.sequenceNumber, FIFO_DEDUP_WINDOW_MS);
    }
    if (!queue.fifo) this.checkMemory(m);
    queue.state.insert(m);
    this.recordSent(queue, m);
    return result;
  }

  private recordSent(queue: LocalQueue, m: StoredMessage): void {
    const details: { -readonly [K in keyof SentDetails]: SentDetails[K] } = { bytes: m.storedBytes - MESSAGE_OVERHEAD_BYTES, attributeNames: Object.keys(m.attributes), body: m.body };
    if (m.groupId !== undefined) details.groupId = m.groupId;
    if (m.dedupId !== undefined) details.dedupId = m.dedupId;
    if (m.sequenceNumber !== undefined) details.sequenceNumber = m.sequenceNumber;
    if (m.state === 'delayed') details.delayedUntil = m.visibleAt;
    this.trace.record('sent', m.enqueuedAt, queue.name, this.traceUrl(queue), m.id, this.actor, details);
  }

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

  /** Refuses a message that would take the server past its memory limit, as SQS refuses past its quotas. */
  private checkMemory(m: StoredMessage): void {
    if (this.memory.fits(m.storedBytes)) return;
    const mib = (n: number): string => `${(n / 1_048_576).toFixed(0)} MiB`;
    throw new SqsError(
      'OverLimit',
      `The local server holds ${mib(this.memory.used)} of messages, its limit is ${mib(this.memory.limit)} (--max-memory, or the setting sqsWorkbench.localServer.maxMemoryMB): delete or purge messages, or raise the limit.`,
    );
  }

  private take(
    queue: LocalQueue,
    max: number,
    visibilityTimeout: number | undefined,
    systemNames: Set<string>,
    attributeNames: string[],
    actor: TraceActor | undefined,
  ): ReceivedMessage[] {
    if (!this.queues.has(queue.name)) return [];
    const now = this.clock.now();
    const state = queue.state;
    state.tick(now);
    const vtMs = (visibilityTimeout ?? queue.settings.VisibilityTimeout) * 1000;
    const picked: StoredMessage[] = [];
    const redrive = queue.settings.RedrivePolicy;
    const dlq = redrive ? this.queues.queueForArn(redrive.deadLetterTargetArn) : undefined;
    /** Returns true when the message was delivered, false when it left the queue instead. */
    const deliver = (m: StoredMessage): boolean => {
      if (state.isExpired(m, now)) {
        state.dropExpired(m);
        return false;
      }
      if (redrive && dlq && m.receiveCount >= redrive.maxReceiveCount) {
        this.moveToDeadLetterQueue(queue, m, dlq, actor);
        return false;
      }
      state.markReceived(m, vtMs, actor);
      this.trace.record('received', now, queue.name, this.traceUrl(queue), m.id, actor, { receiveCount: m.receiveCount, deadline: m.visibleAt });
      picked.push(m);
      return true;
    };
    if (queue.fifo) {
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
    } else {
      // A message passed over (shuffled order) goes after the others, or back to the end of the queue.
      const passed: StoredMessage[] = [];
      while (picked.length < max) {
        const m = state.shiftVisible();
        if (!m) break;
        if (this.faults?.passOver(queue.name, m.id)) {
          this.trace.record('faultInjected', now, queue.name, this.traceUrl(queue), m.id, actor, { fault: 'shuffle', action: 'ReceiveMessage' });
          passed.push(m);
        } else deliver(m);
      }
      for (const m of passed) {
        if (picked.length < max) deliver(m);
        else state.requeueVisible(m);
      }
    }
    return picked.map((m) => toReceived(m, queue.fifo, this.makeHandle(queue, m), systemNames, attributeNames));
  }

  private moveToDeadLetterQueue(source: LocalQueue, m: StoredMessage, dlq: LocalQueue, actor: TraceActor | undefined): void {
    source.state.remove(m);
    const moved: StoredMessage = {
      ...m,
      deadLetterSourceArn: source.arn,
      enqueuedAt: this.clock.now(),
      visibleAt: this.clock.now(),
      state: 'gone',
      receiveSerial: 0,
      receivedAt: 0,
      version: 0,
      sequenceNumber: dlq.fifo ? dlq.state.nextSequenceNumber() : undefined,
    };
    dlq.state.tick();
    dlq.state.insert(moved);
    this.trace.record('movedToDlq', moved.enqueuedAt, source.name, this.traceUrl(source), m.id, actor, {
      toQueue: dlq.name,
      toQueueUrl: this.traceUrl(dlq),
      receiveCount: m.receiveCount,
    });
    this.wake(dlq);
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
