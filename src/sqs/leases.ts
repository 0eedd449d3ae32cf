import { Emitter } from '../common/events';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type Message,
  type MessageAttributeValue,
} from '@aws-sdk/client-sqs';
import {
  HOLD_CAP_MS,
  MAX_BATCH_ENTRIES,
  MAX_INSPECTOR_RECEIVE,
  MAX_RECEIVE_MESSAGES,
  type ClosePolicy,
  type LeaseAction,
  type MessageState,
  type ReceiveMode,
  type ReceiveOptions,
} from '../shared/kinds';
import { toSqsCallError } from './errors';
import type { SqsGateway } from './gateway';

/** Timers for leases; tests pass a controlled clock. */
export interface LeaseClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: LeaseClock = {
  now: () => Date.now(),
  setTimeout: (cb, ms) => setTimeout(cb, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};


/** A message the inspector received, with the state of its visibility lease. */
export interface HeldMessage {
  readonly messageId: string;
  readonly queueUrl: string;
  readonly body: string;
  readonly md5OfBody: string;
  readonly systemAttributes: Readonly<Record<string, string>>;
  readonly messageAttributes: Readonly<Record<string, MessageAttributeValue>>;
  /** The newest receipt handle; older ones are never used. */
  receiptHandle: string;
  receiveCount: number;
  /** When the newest receive happened; the 12-hour cap counts from it. */
  receivedAt: number;
  /** When the message becomes visible again (holds only). */
  deadline: number;
  /** When the current visibility window began: the receive, or the last extension. */
  windowStart: number;
  state: MessageState;
  autoExtend: boolean;
  /** Why auto-extend stopped, when it stopped by itself. */
  autoExtendNote?: string;
  mode: ReceiveMode;
}

export type LeaseEvent =
  | { kind: 'received'; message: HeldMessage; mode: ReceiveMode }
  | { kind: 'extended'; message: HeldMessage; seconds: number; auto: boolean }
  | { kind: 'released'; message: HeldMessage }
  /** A peek's receive loop ended and made the message visible again. */
  | { kind: 'peeked'; message: HeldMessage }
  /** Auto-extend was turned on or off, or stopped by itself (the message's note says why). */
  | { kind: 'autoExtend'; message: HeldMessage; on: boolean }
  | { kind: 'expired'; message: HeldMessage }
  | { kind: 'deleted'; message: HeldMessage }
  | { kind: 'failed'; message: HeldMessage; action: LeaseAction; code: string; error: string };

/** What a receive asks for; without a visibility timeout, a hold takes the queue's. */
export type LeaseReceiveOptions = Omit<ReceiveOptions, 'visibilityTimeout' | 'mode'> & { readonly visibilityTimeout?: number; readonly mode: ReceiveMode };

export interface EntryFailure {
  messageId: string;
  code: string;
  message: string;
}

/** Visibility of a peek's receives: long enough for the loop, released right after it. */
const PEEK_VISIBILITY_SECONDS = 30;
/** Kept free below the 12-hour cap, for the request's travel time. */
const CAP_MARGIN_MS = 5_000;
/** How long before the deadline the heartbeat extends. */
const HEARTBEAT_MARGIN_MS = 5_000;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * The messages one inspector received from one queue, and their visibility: peek (receive,
 * then release at once with the batch API), or hold with a deadline that can be extended
 * once or by a heartbeat, released, or deleted. Only the newest receipt handle of a message
 * is ever used; an expired hold is marked so (its handle is stale). Disposing releases
 * every message still held, so closing an inspector never leaves messages hidden.
 */
/** Receive requests in flight at once while a hold or peek takes many messages from a standard queue. */
const RECEIVE_CONCURRENCY = 4;

export class LeaseSet {
  private readonly messages = new Map<string, HeldMessage>();
  private readonly expiryTimers = new Map<string, unknown>();
  private readonly heartbeatTimers = new Map<string, unknown>();
  private readonly events = new Emitter<LeaseEvent>();
  readonly onEvent = this.events.event;
  private disposed = false;

  constructor(
    readonly gateway: SqsGateway,
    readonly queueUrl: string,
    /** The queue's visibility timeout (s): what Extend and the heartbeat add by default. */
    public defaultVisibilitySeconds: number,
    private readonly clock: LeaseClock = realClock,
  ) {}

  get all(): HeldMessage[] {
    return [...this.messages.values()];
  }

  get(messageId: string): HeldMessage | undefined {
    return this.messages.get(messageId);
  }

  /** Messages currently hidden by this inspector. */
  get held(): HeldMessage[] {
    return this.all.filter((m) => m.state === 'held');
  }

  /**
   * Receives up to `count` messages with repeated receives of at most 10. The first
   * receive waits up to `waitSeconds`; the next ones only take what is there at once, with
   * up to {@link RECEIVE_CONCURRENCY} requests in flight on a standard queue (one on a FIFO
   * queue, whose order the receives must keep). It ends at `count` or at the first empty
   * answer. A peek makes every message visible again before it returns.
   */
  async receive(options: LeaseReceiveOptions): Promise<HeldMessage[]> {
    const count = Math.max(1, Math.min(MAX_INSPECTOR_RECEIVE, Math.floor(options.count)));
    const peek = options.mode === 'peek';
    const got: HeldMessage[] = [];
    // Messages asked for by requests in flight, so that together they never ask past `count`.
    let asked = 0;
    let drained = false;
    const receiveOnce = async (waitSeconds: number): Promise<number> => {
      const max = Math.min(MAX_RECEIVE_MESSAGES, count - got.length - asked);
      if (max <= 0) return 0;
      asked += max;
      try {
        const out = await this.gateway.call('ReceiveMessage', this.queueUrl, (c) =>
          c.send(
            new ReceiveMessageCommand({
              QueueUrl: this.queueUrl,
              MaxNumberOfMessages: max,
              WaitTimeSeconds: waitSeconds,
              // A peek keeps its messages hidden only until the last receive of the loop
              // is back, so that the loop does not receive them twice; then releases them.
              ...(peek ? { VisibilityTimeout: PEEK_VISIBILITY_SECONDS } : options.visibilityTimeout !== undefined ? { VisibilityTimeout: options.visibilityTimeout } : {}),
              MessageSystemAttributeNames: ['All'],
              AttributeNames: ['All'],
              MessageAttributeNames: ['All'],
            }),
          ),
        );
        const received = (out.Messages ?? []).map((m) => this.track(m, options));
        got.push(...received);
        return received.length;
      } finally {
        asked -= max;
      }
    };
    const worker = async (): Promise<void> => {
      while (!drained && !this.disposed && got.length + asked < count) {
        if ((await receiveOnce(0)) === 0) drained = true;
      }
    };
    try {
      if ((await receiveOnce(options.waitSeconds)) > 0) {
        const lanes = this.queueUrl.endsWith('.fifo') ? 1 : RECEIVE_CONCURRENCY;
        // Every lane ends before the release below; the first failure is then reported.
        const results = await Promise.allSettled(Array.from({ length: lanes }, worker));
        const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
        if (failed) throw failed.reason;
      }
    } finally {
      if (peek) {
        const toRelease = got.filter((m) => m.state === 'held');
        if (toRelease.length > 0) await this.setVisibility(toRelease, 0, 'peeked');
      }
    }
    return got;
  }

  /** Extends holds by `seconds` (default: the queue's visibility timeout), never past 12 hours after the receive. */
  async extend(messageIds: readonly string[], seconds = this.defaultVisibilitySeconds, auto = false): Promise<EntryFailure[]> {
    const targets = this.pick(messageIds, 'extend');
    const now = this.clock.now();
    const failures = targets.failures;
    const byTimeout = new Map<number, HeldMessage[]>();
    for (const m of targets.ok) {
      const room = this.roomSeconds(m, now);
      const wanted = Math.min(seconds, room);
      if (wanted <= 0) {
        failures.push({ messageId: m.messageId, code: 'TwelveHourLimit', message: 'The hold has reached the 12-hour limit after its receive; it cannot be extended.' });
        continue;
      }
      const list = byTimeout.get(wanted) ?? [];
      list.push(m);
      byTimeout.set(wanted, list);
    }
    for (const [timeout, list] of byTimeout) {
      const failed = await this.changeVisibility(list, timeout);
      failures.push(...failed);
      const failedIds = new Set(failed.map((f) => f.messageId));
      for (const m of list) {
        if (failedIds.has(m.messageId)) continue;
        m.windowStart = this.clock.now();
        m.deadline = m.windowStart + timeout * 1000;
        if (timeout < seconds) m.autoExtendNote = 'Reached the 12-hour limit after the receive: the hold ends at the deadline.';
        this.scheduleExpiry(m);
        if (m.autoExtend) this.scheduleHeartbeat(m);
        this.emit({ kind: 'extended', message: m, seconds: timeout, auto });
      }
    }
    return failures;
  }

  /** Turns the heartbeat on or off: it extends each hold shortly before its deadline. */
  setAutoExtend(messageIds: readonly string[], on: boolean): void {
    for (const id of messageIds) {
      const m = this.messages.get(id);
      if (!m || m.state !== 'held') continue;
      m.autoExtend = on;
      delete m.autoExtendNote;
      if (on) this.scheduleHeartbeat(m);
      else this.clearTimer(this.heartbeatTimers, id);
      this.emit({ kind: 'autoExtend', message: m, on });
    }
  }

  /** Makes held messages visible again at once (visibility timeout 0). */
  release(messageIds: readonly string[]): Promise<EntryFailure[]> {
    const targets = this.pick(messageIds, 'release');
    return this.setVisibility(targets.ok, 0, 'released').then((f) => [...targets.failures, ...f]);
  }

  /** Deletes held messages with their newest receipt handle. */
  async delete(messageIds: readonly string[]): Promise<EntryFailure[]> {
    const targets = this.pick(messageIds, 'delete');
    const failures = targets.failures;
    for (const batch of chunks(targets.ok, MAX_BATCH_ENTRIES)) {
      try {
        const out = await this.gateway.call('DeleteMessageBatch', this.queueUrl, (c) =>
          c.send(new DeleteMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: batch.map((m, i) => ({ Id: `m${i}`, ReceiptHandle: m.receiptHandle })) })),
        );
        for (const f of out.Failed ?? []) {
          const m = batch[Number(f.Id?.slice(1))];
          if (m) failures.push(this.fail(m, 'delete', f.Code ?? 'Unknown', f.Message ?? ''));
        }
        for (const s of out.Successful ?? []) {
          const m = batch[Number(s.Id?.slice(1))];
          if (!m) continue;
          this.finish(m, 'deleted');
          this.emit({ kind: 'deleted', message: m });
        }
      } catch (err) {
        const e = toSqsCallError(err, 'DeleteMessageBatch', this.queueUrl);
        for (const m of batch) failures.push(this.fail(m, 'delete', e.code, e.message));
      }
    }
    return failures;
  }

  /** Why an action is not possible for a message now, or undefined when it is. */
  whyNot(m: HeldMessage, action: LeaseAction): string | undefined {
    if (m.state === 'held' && m.mode === 'peek') return 'The peek is still running: the message is made visible again when it ends. Receive it in Hold mode to act on it.';
    if (m.state === 'held') return undefined;
    if (m.state === 'deleted') return 'The message was deleted.';
    if (m.state === 'expired') return 'The hold expired: the message is visible again and this receipt handle is stale. Receive it again to act on it.';
    if (m.state === 'released') return `The message was released; receive it again to ${action} it.`;
    return `The message was only peeked at; receive it in Hold mode to ${action} it.`;
  }

  /**
   * Forgets every message without a call to SQS, for when they are gone anyway (the queue
   * was purged): their timers stop, and nothing will tell of them again.
   */
  forgetAll(): void {
    for (const t of [...this.expiryTimers.values(), ...this.heartbeatTimers.values()]) this.clock.clearTimeout(t);
    this.expiryTimers.clear();
    this.heartbeatTimers.clear();
    this.messages.clear();
  }

  /**
   * Ends the set. With 'release', every message still held is made visible at once;
   * with 'expire', holds run out on their own.
   */
  async dispose(policy: ClosePolicy = 'release'): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    for (const t of this.heartbeatTimers.values()) this.clock.clearTimeout(t);
    this.heartbeatTimers.clear();
    const held = this.held;
    if (policy === 'release' && held.length > 0) await this.setVisibility(held, 0, 'released');
    for (const t of this.expiryTimers.values()) this.clock.clearTimeout(t);
    this.expiryTimers.clear();
    this.events.dispose();
  }

  private track(raw: Message, options: LeaseReceiveOptions): HeldMessage {
    const now = this.clock.now();
    const id = raw.MessageId ?? '';
    const attrs = { ...(raw.Attributes ?? {}) } as Record<string, string>;
    const vt = options.mode === 'peek' ? PEEK_VISIBILITY_SECONDS : (options.visibilityTimeout ?? this.defaultVisibilitySeconds);
    const existing = this.messages.get(id);
    const m: HeldMessage = existing ?? {
      messageId: id,
      queueUrl: this.queueUrl,
      body: raw.Body ?? '',
      md5OfBody: raw.MD5OfBody ?? '',
      systemAttributes: attrs,
      messageAttributes: raw.MessageAttributes ?? {},
      receiptHandle: '',
      receiveCount: 0,
      receivedAt: now,
      deadline: now,
      windowStart: now,
      state: 'held',
      autoExtend: false,
      mode: options.mode,
    };
    if (existing) Object.assign(existing.systemAttributes, attrs);
    m.receiptHandle = raw.ReceiptHandle ?? '';
    m.receiveCount = Number(attrs.ApproximateReceiveCount ?? m.receiveCount + 1);
    m.receivedAt = now;
    m.windowStart = now;
    m.deadline = now + vt * 1000;
    m.state = 'held';
    m.mode = options.mode;
    m.autoExtend = false;
    delete m.autoExtendNote;
    this.messages.set(id, m);
    this.clearTimer(this.heartbeatTimers, id);
    if (options.mode === 'hold') this.scheduleExpiry(m);
    this.emit({ kind: 'received', message: m, mode: options.mode });
    return m;
  }

  private pick(messageIds: readonly string[], action: LeaseAction): { ok: HeldMessage[]; failures: EntryFailure[] } {
    const ok: HeldMessage[] = [];
    const failures: EntryFailure[] = [];
    for (const id of messageIds) {
      const m = this.messages.get(id);
      if (!m) {
        failures.push({ messageId: id, code: 'NotReceived', message: 'This inspector has not received that message.' });
        continue;
      }
      const why = this.whyNot(m, action);
      if (why) failures.push({ messageId: id, code: m.state === 'expired' ? 'ReceiptHandleStale' : 'NotHeld', message: why });
      else ok.push(m);
    }
    return { ok, failures };
  }

  private async setVisibility(list: HeldMessage[], timeout: 0, endState: 'released' | 'peeked'): Promise<EntryFailure[]> {
    const failures = await this.changeVisibility(list, timeout);
    const failed = new Set(failures.map((f) => f.messageId));
    const now = this.clock.now();
    for (const m of list) {
      if (failed.has(m.messageId)) continue;
      this.finish(m, endState);
      // The window closed now, not at the receive's deadline.
      m.deadline = now;
      this.emit({ kind: endState, message: m });
    }
    return failures;
  }

  private async changeVisibility(list: HeldMessage[], timeout: number): Promise<EntryFailure[]> {
    const failures: EntryFailure[] = [];
    for (const batch of chunks(list, MAX_BATCH_ENTRIES)) {
      try {
        const out = await this.gateway.call('ChangeMessageVisibilityBatch', this.queueUrl, (c) =>
          c.send(
            new ChangeMessageVisibilityBatchCommand({
              QueueUrl: this.queueUrl,
              Entries: batch.map((m, i) => ({ Id: `m${i}`, ReceiptHandle: m.receiptHandle, VisibilityTimeout: timeout })),
            }),
          ),
        );
        for (const f of out.Failed ?? []) {
          const m = batch[Number(f.Id?.slice(1))];
          if (m) failures.push(this.fail(m, timeout === 0 ? 'release' : 'extend', f.Code ?? 'Unknown', f.Message ?? ''));
        }
      } catch (err) {
        const e = toSqsCallError(err, 'ChangeMessageVisibilityBatch', this.queueUrl);
        for (const m of batch) failures.push(this.fail(m, timeout === 0 ? 'release' : 'extend', e.code, e.message));
      }
    }
    return failures;
  }

  private fail(m: HeldMessage, action: LeaseAction, code: string, message: string): EntryFailure {
    // A message SQS no longer counts as in flight has become visible: the hold is over.
    if (code === 'MessageNotInflight' || /receipt handle has expired/i.test(message)) this.expire(m);
    this.emit({ kind: 'failed', message: m, action, code, error: message });
    return { messageId: m.messageId, code, message };
  }

  private finish(m: HeldMessage, state: MessageState): void {
    m.state = state;
    m.autoExtend = false;
    this.clearTimer(this.expiryTimers, m.messageId);
    this.clearTimer(this.heartbeatTimers, m.messageId);
  }

  private expire(m: HeldMessage): void {
    if (m.state !== 'held') return;
    this.finish(m, 'expired');
    this.emit({ kind: 'expired', message: m });
  }

  private scheduleExpiry(m: HeldMessage): void {
    this.clearTimer(this.expiryTimers, m.messageId);
    const handle = this.clock.setTimeout(() => {
      this.expiryTimers.delete(m.messageId);
      if (m.state !== 'held') return;
      // Timers run on a monotonic clock and may fire a little before the wall clock reaches
      // the deadline: check again then, or the hold would never be marked expired.
      if (this.clock.now() >= m.deadline) this.expire(m);
      else this.scheduleExpiry(m);
    }, Math.max(0, m.deadline - this.clock.now()));
    this.expiryTimers.set(m.messageId, handle);
  }

  private scheduleHeartbeat(m: HeldMessage): void {
    this.clearTimer(this.heartbeatTimers, m.messageId);
    const margin = Math.min(HEARTBEAT_MARGIN_MS, Math.max(0, (m.deadline - this.clock.now()) / 2));
    const handle = this.clock.setTimeout(() => {
      this.heartbeatTimers.delete(m.messageId);
      if (m.state !== 'held' || !m.autoExtend) return;
      if (this.roomSeconds(m, this.clock.now()) < 1) {
        this.stopAutoExtend(m, 'Auto-extend stopped: the hold reached the 12-hour limit after its receive.');
        return;
      }
      void this.extend([m.messageId], this.defaultVisibilitySeconds, true).then((failures) => {
        if (failures.length > 0 && m.autoExtend) this.stopAutoExtend(m, `Auto-extend stopped: ${failures[0].message}`);
      });
    }, Math.max(0, m.deadline - this.clock.now() - margin));
    this.heartbeatTimers.set(m.messageId, handle);
  }

  /** The heartbeat gave up: says why on the message, and tells the listeners. */
  private stopAutoExtend(m: HeldMessage, note: string): void {
    m.autoExtend = false;
    m.autoExtendNote = note;
    this.clearTimer(this.heartbeatTimers, m.messageId);
    this.emit({ kind: 'autoExtend', message: m, on: false });
  }

  /**
   * Seconds a hold may still be extended by: up to 12 hours after the receive, less a
   * margin for the time the request takes to reach SQS (which counts from its own clock).
   */
  private roomSeconds(m: HeldMessage, now: number): number {
    return Math.floor((m.receivedAt + HOLD_CAP_MS - CAP_MARGIN_MS - now) / 1000);
  }

  private clearTimer(map: Map<string, unknown>, id: string): void {
    const t = map.get(id);
    if (t !== undefined) this.clock.clearTimeout(t);
    map.delete(id);
  }

  private emit(event: LeaseEvent): void {
    this.events.fire(event);
  }
}
