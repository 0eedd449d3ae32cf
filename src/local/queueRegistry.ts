import { SqsError, invalidParameter, missingParameter, queueDoesNotExist } from './errors';
import type { Clock } from './clock';
import { LocalQueue } from './localQueue';
import type { MemoryMeter } from './memory';
import type { QueueObserver, QueueStateObserver } from './queue';
import { checkTags } from './messageInput';
import {
  READABLE_ATTRIBUTES,
  applyAttributes,
  defaultSettings,
  settingsToAttributes,
  type QueueSettings,
} from '../model/queueAttributes';
import { decodePageToken, encodePageToken } from './tokens';
import { MAX_LIST_QUEUES_RESULTS, PURGE_COOLDOWN_MS, queueNameProblem } from '../model/sqsLimits';

/** Where a registry's queues live, and how long a deleted queue's name stays reserved. */
export interface RegistryOptions {
  clock: Clock;
  region: string;
  accountId: string;
  baseUrl: string;
  deletedQueueNameHoldMs: number;
  /** The messages' memory, shared by every queue. */
  meter: MemoryMeter;
  /** Makes each new queue's observer of what time does to its messages. */
  observe?: (queue: LocalQueue) => QueueObserver;
  /** Gives each new queue's state an observer of every change (the data directory's journal). */
  journal?: (queue: LocalQueue) => QueueStateObserver;
}

/** A queue as a data directory holds it, to be put back with {@link QueueRegistry.restoreQueue}. */
export interface RestoredQueue {
  name: string;
  incarnation: string;
  createdAt: number;
  lastModified: number;
  settings: QueueSettings;
  tags: Record<string, string>;
  permissions: Record<string, { accounts: string[]; actions: string[] }>;
  lastPurgeAt?: number;
}

/** What the messaging side is told of a queue's life. */
export interface RegistryHooks {
  /** The queue was deleted: its waiting receives must end. */
  onDeleted(queue: LocalQueue): void;
  /** Its attributes changed: waiting receives may now get messages. */
  onChanged(queue: LocalQueue): void;
}

/**
 * The queues of one server: their names, URLs and ARNs, and the queue actions of the SQS
 * API (create, delete, list, attributes, purge, tags, permissions, dead-letter sources),
 * with SQS's rules. Messages are {@link SqsEngine}'s.
 */
export class QueueRegistry {
  readonly clock: Clock;
  readonly region: string;
  readonly accountId: string;
  private baseUrl: string;
  private readonly queues = new Map<string, LocalQueue>();
  private readonly deletedNames = new Map<string, number>();
  private readonly deletedNameHoldMs: number;

  constructor(
    private readonly options: RegistryOptions,
    private readonly hooks: RegistryHooks,
  ) {
    this.clock = options.clock;
    this.region = options.region;
    this.accountId = options.accountId;
    this.baseUrl = options.baseUrl;
    this.deletedNameHoldMs = options.deletedQueueNameHoldMs;
  }

  /** Every queue, in no particular order. */
  all(): IterableIterator<LocalQueue> {
    return this.queues.values();
  }

  has(name: string): boolean {
    return this.queues.has(name);
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
    const queue = new LocalQueue(name, this.queueArn(name), this.clock.now(), settings, this.clock, this.options.meter, this.options.observe, this.options.journal);
    for (const [k, v] of Object.entries(tags)) queue.tags.set(k, v);
    this.queues.set(name, queue);
    return this.queueUrl(name);
  }

  /** Names of deleted queues and when each was deleted, while their names are held. */
  *heldNames(): IterableIterator<[string, number]> {
    const now = this.clock.now();
    for (const [name, at] of this.deletedNames) if (now - at < this.deletedNameHoldMs) yield [name, at];
  }

  /** Holds the name of a queue deleted at `deletedAt` (one a data directory remembers). */
  holdName(name: string, deletedAt: number): void {
    this.deletedNames.set(name, deletedAt);
  }

  /** Puts back a queue saved in a data directory, with its identity, settings and tags (no messages yet). */
  restoreQueue(saved: RestoredQueue): LocalQueue {
    const { name } = saved;
    const queue = new LocalQueue(name, this.queueArn(name), saved.createdAt, saved.settings, this.clock, this.options.meter, this.options.observe, this.options.journal, saved.incarnation);
    queue.lastModified = saved.lastModified;
    queue.state.lastPurgeAt = saved.lastPurgeAt;
    for (const [k, v] of Object.entries(saved.tags)) queue.tags.set(k, v);
    for (const [label, p] of Object.entries(saved.permissions)) queue.permissions.set(label, p);
    this.queues.set(name, queue);
    return queue;
  }

  deleteQueue(url: string): void {
    const queue = this.queueByUrl(url);
    this.queues.delete(queue.name);
    this.deletedNames.set(queue.name, this.clock.now());
    queue.state.purge();
    this.hooks.onDeleted(queue);
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
    this.hooks.onChanged(queue);
  }

  /** Purges the queue; answers it and how many messages it held. */
  purgeQueue(url: string): { queue: LocalQueue; count: number } {
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
    return { queue, count: queue.state.purge() };
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

  queueByUrl(url: string): LocalQueue {
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
    let decoded: string | undefined;
    try {
      decoded = name === undefined ? undefined : decodeURIComponent(name);
    } catch {
      // `%`, `%ZZ` or a cut-off UTF-8 sequence: no queue has such a name.
      throw new SqsError('InvalidAddress', `The address ${url.length > 200 ? `${url.slice(0, 200)}…` : url} is not valid for this endpoint: its queue name is not valid percent-encoding.`);
    }
    const queue = decoded !== undefined && account === this.accountId ? this.queues.get(decoded) : undefined;
    if (!queue) throw queueDoesNotExist();
    return queue;
  }

  queueByArn(arn: string, parameter: string): LocalQueue {
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

  queueForArn(arn: string): LocalQueue | undefined {
    const prefix = `arn:aws:sqs:${this.region}:${this.accountId}:`;
    return arn.startsWith(prefix) ? this.queues.get(arn.slice(prefix.length)) : undefined;
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
}
