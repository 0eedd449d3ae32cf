import { systemClock, type Clock } from './clock';
import { SqsError, invalidParameter, missingParameter, queueDoesNotExist } from './errors';
import { LocalQueue } from './localQueue';
import { LongPolls } from './longPolls';
import {
  SYSTEM_ATTRIBUTE_NAMES,
  batchError,
  checkBatch,
  checkTags,
  prepareMessage,
  toReceived,
  type BatchResultError,
  type ReceiveInput,
  type ReceivedMessage,
  type SendInput,
  type SendResult,
} from './messageInput';
import { MoveTasks, type MoveTask } from './moveTasks';
import type { StoredMessage } from './queue';
import {
  READABLE_ATTRIBUTES,
  applyAttributes,
  defaultSettings,
  settingsToAttributes,
  type QueueSettings,
} from '../model/queueAttributes';
import { ReceiptHandles, decodePageToken, encodePageToken } from './tokens';
import {
  DEFAULT_REGION,
  FIFO_DEDUP_WINDOW_MS,
  MAX_BATCH_PAYLOAD_BYTES,
  MAX_LIST_QUEUES_RESULTS,
  MAX_RECEIVE_MESSAGES,
  MAX_VISIBILITY_TIMEOUT_SECONDS,
  MAX_WAIT_TIME_SECONDS,
  PURGE_COOLDOWN_MS,
  attributesSize,
  queueNameProblem,
} from '../model/sqsLimits';

export interface EngineOptions {
  clock?: Clock;
  region?: string;
  accountId?: string;
  /** Base of queue URLs, e.g. `http://127.0.0.1:9324`; may be set later with {@link SqsEngine.setBaseUrl}. */
  baseUrl?: string;
  /** How long a deleted queue's name stays reserved (SQS: 60 s). */
  deletedQueueNameHoldMs?: number;
}

export type { MoveTask } from './moveTasks';
export type { BatchResultError, ReceiveInput, ReceivedMessage, SendInput, SendResult } from './messageInput';
export { LocalQueue };

const TWELVE_HOURS_MS = MAX_VISIBILITY_TIMEOUT_SECONDS * 1000;

/**
 * The local SQS engine: every action of the SQS API over in-memory queues, with SQS's
 * limits and semantics. It knows nothing of HTTP; {@link handleJsonRequest} speaks the
 * wire protocol on top of it. All time comes from the injected {@link Clock}.
 */
export class SqsEngine {
  readonly clock: Clock;
  readonly region: string;
  readonly accountId: string;
  private baseUrl: string;
  private readonly queues = new Map<string, LocalQueue>();
  private readonly deletedNames = new Map<string, number>();
  private readonly deletedNameHoldMs: number;
  private readonly handles = new ReceiptHandles();
  private readonly longPolls: LongPolls;
  private readonly moveTasks: MoveTasks<LocalQueue>;
  private closed = false;

  constructor(options: EngineOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.region = options.region ?? DEFAULT_REGION;
    this.accountId = options.accountId ?? '000000000000';
    this.baseUrl = options.baseUrl ?? 'http://127.0.0.1:9324';
    this.deletedNameHoldMs = options.deletedQueueNameHoldMs ?? 60_000;
    this.longPolls = new LongPolls(this.clock);
    this.moveTasks = new MoveTasks<LocalQueue>(this.clock, {
      queueByArn: (arn, parameter) => this.queueByArn(arn, parameter),
      queueForArn: (arn) => this.queueForArn(arn),
      isDeadLetterQueue: (queue) => [...this.queues.values()].some((q) => q.settings.RedrivePolicy?.deadLetterTargetArn === queue.arn),
      wake: (queue) => this.wake(queue),
    });
  }

  setBaseUrl(baseUrl: string): void {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  queueUrl(name: string): string {
    return `${this.baseUrl}/${this.accountId}/${name}`;
  }

  queueArn(name: string): string {
    return `arn:aws:sqs:${this.region}:${this.accountId}:${name}`;
  }

  /** Ends every long poll and move task; the engine answers nothing afterwards. */
  close(): void {
    this.closed = true;
    for (const q of this.queues.values()) this.longPolls.releaseAll(q.polls);
    this.moveTasks.close();
  }

  // ---- queues ----------------------------------------------------------------------

  createQueue(name: string, attributes: Record<string, string> = {}, tags: Record<string, string> = {}): string {
    const problem = queueNameProblem(name);
    if (problem) {
      throw invalidParameter(`Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length. (${problem})`);
    }
    const fifoName = name.endsWith('.fifo');
    const wantsFifo = attributes.FifoQueue?.trim().toLowerCase() === 'true';
    if (fifoName !== wantsFifo) {
      throw invalidParameter(
        fifoName
          ? 'The name of a FIFO queue must end with the .fifo suffix and the queue must be created with the attribute FifoQueue set to true.'
          : 'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.',
      );
    }
    const existing = this.queues.get(name);
    const settings = applyAttributes(defaultSettings(fifoName), attributes, true);
    if (existing) {
      const current = settingsToAttributes(existing.settings);
      const wanted = settingsToAttributes(settings);
      for (const key of Object.keys(attributes)) {
        if ((current[key] ?? '') !== (wanted[key] ?? '')) {
          throw new SqsError('QueueNameExists', `A queue already exists with the same name and a different value for attribute ${key}`);
        }
      }
      return this.queueUrl(name);
    }
    const deletedAt = this.deletedNames.get(name);
    if (deletedAt !== undefined && this.clock.now() - deletedAt < this.deletedNameHoldMs) {
      throw new SqsError('QueueDeletedRecently', 'You must wait 60 seconds after deleting a queue before you can create another queue with the same name.');
    }
    if (settings.RedrivePolicy) this.checkRedriveTarget(name, settings);
    checkTags(tags);
    const queue = new LocalQueue(name, this.queueArn(name), this.clock.now(), settings, this.clock);
    for (const [k, v] of Object.entries(tags)) queue.tags.set(k, v);
    this.queues.set(name, queue);
    return this.queueUrl(name);
  }

  deleteQueue(url: string): void {
    const queue = this.queueByUrl(url);
    this.queues.delete(queue.name);
    this.deletedNames.set(queue.name, this.clock.now());
    queue.state.purge();
    this.longPolls.releaseAll(queue.polls);
  }

  getQueueUrl(name: string, ownerAccountId?: string): string {
    if (ownerAccountId !== undefined && ownerAccountId !== this.accountId) throw queueDoesNotExist();
    if (!this.queues.has(name)) throw queueDoesNotExist();
    return this.queueUrl(name);
  }

  listQueues(prefix?: string, maxResults?: number, nextToken?: string): { QueueUrls: string[]; NextToken?: string } {
    if (maxResults !== undefined && (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > MAX_LIST_QUEUES_RESULTS)) {
      throw invalidParameter(`Value ${maxResults} for parameter MaxResults is invalid. Reason: must be between 1 and ${MAX_LIST_QUEUES_RESULTS}.`);
    }
    if (nextToken !== undefined && maxResults === undefined) {
      throw invalidParameter('MaxResults is a mandatory parameter when you provide a value for NextToken.');
    }
    const after = nextToken !== undefined ? decodePageToken(nextToken, 'ListQueues') : undefined;
    const names = [...this.queues.keys()].filter((n) => (prefix ? n.startsWith(prefix) : true)).sort();
    const start = after === undefined ? 0 : names.findIndex((n) => n > after);
    const from = start < 0 ? names.length : start;
    const limit = maxResults ?? MAX_LIST_QUEUES_RESULTS;
    const page = names.slice(from, from + limit);
    const result: { QueueUrls: string[]; NextToken?: string } = { QueueUrls: page.map((n) => this.queueUrl(n)) };
    if (maxResults !== undefined && from + limit < names.length) {
      result.NextToken = encodePageToken(page[page.length - 1], 'ListQueues');
    }
    return result;
  }

  getQueueAttributes(url: string, names: string[] = []): Record<string, string> {
    const queue = this.queueByUrl(url);
    for (const n of names) {
      if (!(READABLE_ATTRIBUTES as readonly string[]).includes(n)) throw new SqsError('InvalidAttributeName', `Unknown Attribute ${n}.`);
    }
    if (names.length === 0) return {};
    const all = this.allAttributes(queue);
    if (names.includes('All')) return all;
    const out: Record<string, string> = {};
    for (const n of names) if (all[n] !== undefined) out[n] = all[n];
    return out;
  }

  setQueueAttributes(url: string, attributes: Record<string, string>): void {
    const queue = this.queueByUrl(url);
    if (Object.keys(attributes).length === 0) throw missingParameter('Attributes');
    const next = applyAttributes(queue.settings, attributes, false);
    if (next.RedrivePolicy && attributes.RedrivePolicy !== undefined) this.checkRedriveTarget(queue.name, next);
    queue.settings = next;
    queue.lastModified = this.clock.now();
    queue.state.tick();
    this.wake(queue);
  }

  purgeQueue(url: string): void {
    const queue = this.queueByUrl(url);
    const now = this.clock.now();
    const last = queue.state.lastPurgeAt;
    if (last !== undefined && now - last < PURGE_COOLDOWN_MS) {
      throw new SqsError(
        'PurgeQueueInProgress',
        `Only one PurgeQueue operation on ${queue.name} is allowed every 60 seconds.`,
      );
    }
    queue.state.lastPurgeAt = now;
    queue.state.purge();
  }

  tagQueue(url: string, tags: Record<string, string>): void {
    const queue = this.queueByUrl(url);
    if (Object.keys(tags).length === 0) throw missingParameter('Tags');
    const merged = new Map(queue.tags);
    for (const [k, v] of Object.entries(tags)) merged.set(k, v);
    checkTags(Object.fromEntries(merged));
    for (const [k, v] of Object.entries(tags)) queue.tags.set(k, v);
  }

  untagQueue(url: string, keys: string[]): void {
    const queue = this.queueByUrl(url);
    if (keys.length === 0) throw missingParameter('TagKeys');
    for (const k of keys) queue.tags.delete(k);
  }

  listQueueTags(url: string): Record<string, string> {
    return Object.fromEntries(this.queueByUrl(url).tags);
  }

  addPermission(url: string, label: string, accounts: string[], actions: string[]): void {
    const queue = this.queueByUrl(url);
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(label)) throw invalidParameter(`Value ${label} for parameter Label is invalid.`);
    if (queue.permissions.has(label)) throw invalidParameter(`Value ${label} for parameter Label is invalid. Reason: Already exists.`);
    if (accounts.length === 0) throw missingParameter('AWSAccountIds');
    if (actions.length === 0) throw missingParameter('Actions');
    queue.permissions.set(label, { accounts, actions });
    queue.settings = { ...queue.settings, Policy: this.policyDocument(queue) };
  }

  removePermission(url: string, label: string): void {
    const queue = this.queueByUrl(url);
    if (!queue.permissions.delete(label)) throw invalidParameter(`Value ${label} for parameter Label is invalid. Reason: can't find label.`);
    queue.settings = { ...queue.settings, Policy: queue.permissions.size > 0 ? this.policyDocument(queue) : undefined };
  }

  listDeadLetterSourceQueues(url: string, maxResults?: number, nextToken?: string): { queueUrls: string[]; NextToken?: string } {
    const dlq = this.queueByUrl(url);
    if (maxResults !== undefined && (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > MAX_LIST_QUEUES_RESULTS)) {
      throw invalidParameter(`Value ${maxResults} for parameter MaxResults is invalid. Reason: must be between 1 and ${MAX_LIST_QUEUES_RESULTS}.`);
    }
    const after = nextToken !== undefined ? decodePageToken(nextToken, 'ListDeadLetterSourceQueues') : undefined;
    const names = [...this.queues.values()]
      .filter((q) => q.settings.RedrivePolicy?.deadLetterTargetArn === dlq.arn)
      .map((q) => q.name)
      .sort()
      .filter((n) => after === undefined || n > after);
    const limit = maxResults ?? MAX_LIST_QUEUES_RESULTS;
    const page = names.slice(0, limit);
    const result: { queueUrls: string[]; NextToken?: string } = { queueUrls: page.map((n) => this.queueUrl(n)) };
    if (maxResults !== undefined && names.length > limit) result.NextToken = encodePageToken(page[page.length - 1], 'ListDeadLetterSourceQueues');
    return result;
  }

  /** Every queue, for tools built on the engine (the demo seed, the tests). */
  queueNames(): string[] {
    return [...this.queues.keys()].sort();
  }

  // ---- messages --------------------------------------------------------------------

  sendMessage(url: string, input: SendInput): SendResult {
    const queue = this.queueByUrl(url);
    const message = prepareMessage(queue, input, this.clock.now(), this.accountId);
    const result = this.enqueue(queue, message);
    this.wake(queue);
    return result;
  }

  sendMessageBatch(url: string, entries: (SendInput & { Id: string })[]): { Successful: (SendResult & { Id: string })[]; Failed: BatchResultError[] } {
    const queue = this.queueByUrl(url);
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
    const queue = this.queueByUrl(url);
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
    const take = (): ReceivedMessage[] => this.take(queue, max, vt, systemNames, input.MessageAttributeNames ?? []);
    const first = take();
    if (first.length > 0 || wait === 0 || this.closed) return Promise.resolve(first);
    return this.longPolls.wait(queue.polls, queue.state, take, wait, () => this.closed || !this.queues.has(queue.name), signal);
  }

  deleteMessage(url: string, receiptHandle: string): void {
    const queue = this.queueByUrl(url);
    queue.state.tick();
    const found = this.resolveHandle(queue, receiptHandle);
    // A stale handle (an older receive) answers success and deletes nothing, as SQS does.
    if (found && found.receiveSerial === this.serialOf(receiptHandle)) queue.state.remove(found);
  }

  deleteMessageBatch(url: string, entries: { Id: string; ReceiptHandle: string }[]): { Successful: { Id: string }[]; Failed: BatchResultError[] } {
    this.queueByUrl(url);
    checkBatch(entries.map((e) => e.Id));
    const Successful: { Id: string }[] = [];
    const Failed: BatchResultError[] = [];
    for (const e of entries) {
      try {
        this.deleteMessage(url, e.ReceiptHandle);
        Successful.push({ Id: e.Id });
      } catch (err) {
        Failed.push(batchError(e.Id, err));
      }
    }
    return { Successful, Failed };
  }

  changeMessageVisibility(url: string, receiptHandle: string, visibilityTimeout: number): void {
    const queue = this.queueByUrl(url);
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
    queue.state.tick(now);
    this.wake(queue);
  }

  changeMessageVisibilityBatch(
    url: string,
    entries: { Id: string; ReceiptHandle: string; VisibilityTimeout?: number }[],
  ): { Successful: { Id: string }[]; Failed: BatchResultError[] } {
    this.queueByUrl(url);
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
    return this.queueByUrl(url).polls.waiters.size;
  }

  /** Live counts of a queue, after applying what time has made due. */
  counts(url: string): { visible: number; inflight: number; delayed: number } {
    const q = this.queueByUrl(url);
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

  // ---- internals -------------------------------------------------------------------

  private queueByUrl(url: string): LocalQueue {
    if (typeof url !== 'string' || url.length === 0) throw missingParameter('QueueUrl');
    let path: string;
    try {
      path = new URL(url).pathname;
    } catch {
      path = url;
    }
    const parts = path.split('/').filter(Boolean);
    const name = parts[parts.length - 1];
    const account = parts.length >= 2 ? parts[parts.length - 2] : this.accountId;
    const queue = name !== undefined && account === this.accountId ? this.queues.get(decodeURIComponent(name)) : undefined;
    if (!queue) throw queueDoesNotExist();
    return queue;
  }

  private queueByArn(arn: string, parameter: string): LocalQueue {
    const prefix = `arn:aws:sqs:${this.region}:${this.accountId}:`;
    const queue = typeof arn === 'string' && arn.startsWith(prefix) ? this.queues.get(arn.slice(prefix.length)) : undefined;
    if (!queue) throw new SqsError('ResourceNotFoundException', `The resource that you specified for the ${parameter} parameter doesn't exist.`);
    return queue;
  }

  private allAttributes(queue: LocalQueue): Record<string, string> {
    queue.state.tick();
    return {
      QueueArn: queue.arn,
      ApproximateNumberOfMessages: String(queue.state.visible),
      ApproximateNumberOfMessagesNotVisible: String(queue.state.inflight),
      ApproximateNumberOfMessagesDelayed: String(queue.state.delayed),
      CreatedTimestamp: String(Math.floor(queue.createdAt / 1000)),
      LastModifiedTimestamp: String(Math.floor(queue.lastModified / 1000)),
      ...settingsToAttributes(queue.settings),
    };
  }

  private checkRedriveTarget(sourceName: string, settings: QueueSettings): void {
    const policy = settings.RedrivePolicy;
    if (!policy) return;
    const prefix = `arn:aws:sqs:${this.region}:${this.accountId}:`;
    const targetName = policy.deadLetterTargetArn.startsWith(prefix) ? policy.deadLetterTargetArn.slice(prefix.length) : undefined;
    const target = targetName !== undefined ? this.queues.get(targetName) : undefined;
    if (!target) {
      throw invalidParameter(`Value ${JSON.stringify(policy)} for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist.`);
    }
    if (target.fifo !== settings.FifoQueue) {
      throw invalidParameter(`Value ${JSON.stringify(policy)} for parameter RedrivePolicy is invalid. Reason: Dead-letter queue must be same type of queue as the source.`);
    }
    if (target.name === sourceName) {
      throw invalidParameter(`Value ${JSON.stringify(policy)} for parameter RedrivePolicy is invalid. Reason: A queue cannot be its own dead-letter queue.`);
    }
    const allow = target.settings.RedriveAllowPolicy;
    const sourceArn = this.queueArn(sourceName);
    if (allow && (allow.redrivePermission === 'denyAll' || (allow.redrivePermission === 'byQueue' && !allow.sourceQueueArns?.includes(sourceArn)))) {
      throw invalidParameter(`Value ${JSON.stringify(policy)} for parameter RedrivePolicy is invalid. Reason: The dead-letter queue's RedriveAllowPolicy does not allow ${sourceArn} as a source.`);
    }
  }

  private enqueue(queue: LocalQueue, m: StoredMessage): SendResult {
    queue.state.tick();
    const result: SendResult = { MessageId: m.id, MD5OfMessageBody: m.md5OfBody };
    if (m.md5OfAttributes) result.MD5OfMessageAttributes = m.md5OfAttributes;
    if (m.md5OfSystemAttributes) result.MD5OfMessageSystemAttributes = m.md5OfSystemAttributes;
    if (queue.fifo) {
      const key = queue.settings.DeduplicationScope === 'messageGroup' ? `${m.groupId ?? ''}\u0000${m.dedupId ?? ''}` : (m.dedupId ?? '');
      const duplicate = queue.state.findDuplicate(key);
      if (duplicate) {
        // Accepted and not delivered again: SQS answers with the first copy's identity.
        result.MessageId = duplicate.messageId;
        if (duplicate.sequenceNumber) result.SequenceNumber = duplicate.sequenceNumber;
        return result;
      }
      m.sequenceNumber = queue.state.nextSequenceNumber();
      result.SequenceNumber = m.sequenceNumber;
      queue.state.rememberDedup(key, m.id, m.sequenceNumber, FIFO_DEDUP_WINDOW_MS);
    }
    queue.state.insert(m);
    return result;
  }

  private take(
    queue: LocalQueue,
    max: number,
    visibilityTimeout: number | undefined,
    systemNames: Set<string>,
    attributeNames: string[],
  ): ReceivedMessage[] {
    if (!this.queues.has(queue.name)) return [];
    const now = this.clock.now();
    const state = queue.state;
    state.tick(now);
    const vtMs = (visibilityTimeout ?? queue.settings.VisibilityTimeout) * 1000;
    const picked: StoredMessage[] = [];
    const redrive = queue.settings.RedrivePolicy;
    const dlq = redrive ? this.queueForArn(redrive.deadLetterTargetArn) : undefined;
    /** Returns true when the message was delivered, false when it left the queue instead. */
    const deliver = (m: StoredMessage): boolean => {
      if (state.isExpired(m, now)) {
        state.remove(m);
        return false;
      }
      if (redrive && dlq && m.receiveCount >= redrive.maxReceiveCount) {
        this.moveToDeadLetterQueue(queue, m, dlq);
        return false;
      }
      state.markReceived(m, vtMs);
      picked.push(m);
      return true;
    };
    if (queue.fifo) {
      for (const [key, group] of [...state.groups]) {
        if (picked.length >= max) break;
        if (group.inflight > 0) continue;
        let served = false;
        for (let i = 0; picked.length < max; ) {
          const m = group.messages.at(i);
          if (!m) break;
          if (m.state === 'gone') {
            i++;
            continue;
          }
          if (m.state !== 'visible') break;
          if (deliver(m)) {
            served = true;
            i++;
          }
        }
        if (served && state.groups.get(key) === group) {
          // Rotate the served group to the back so that other groups get their turn.
          state.groups.delete(key);
          state.groups.set(key, group);
        }
      }
    } else {
      while (picked.length < max) {
        const m = state.shiftVisible();
        if (!m) break;
        deliver(m);
      }
    }
    return picked.map((m) => toReceived(m, queue.fifo, this.makeHandle(queue, m), systemNames, attributeNames));
  }

  private moveToDeadLetterQueue(source: LocalQueue, m: StoredMessage, dlq: LocalQueue): void {
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
    this.wake(dlq);
  }

  private queueForArn(arn: string): LocalQueue | undefined {
    const prefix = `arn:aws:sqs:${this.region}:${this.accountId}:`;
    return arn.startsWith(prefix) ? this.queues.get(arn.slice(prefix.length)) : undefined;
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

  private policyDocument(queue: LocalQueue): string {
    return JSON.stringify({
      Version: '2012-10-17',
      Id: `${queue.arn}/SQSDefaultPolicy`,
      Statement: [...queue.permissions].map(([label, p]) => ({
        Sid: label,
        Effect: 'Allow',
        Principal: { AWS: p.accounts.map((a) => `arn:aws:iam::${a}:root`) },
        Action: p.actions.map((a) => `SQS:${a}`),
        Resource: queue.arn,
      })),
    });
  }

  private wake(queue: LocalQueue): void {
    this.longPolls.wake(queue.polls, queue.state);
  }
}
