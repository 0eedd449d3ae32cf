import { createHash } from 'node:crypto';
import { Emitter } from '../common/events';
import type { LeaseAction, LifecycleKind, ReceiveMode, SendVia } from '../shared/kinds';
import type { InjectedMessageFault } from '../shared/trace';
import { extractIdempotencyKey, type KeyPath } from './idempotency';

/**
 * The lifecycle record: what happened to each message the extension saw, in order. Events
 * are kept per message and per queue up to a bound; past it the events of the queue that
 * was least recently active are dropped first, oldest first, and every drop is counted and
 * reported, never silent.
 */

export type { LifecycleKind } from '../shared/kinds';

export interface SentDetails {
  /** SHA-256 of the body (hex), to tell identical bodies apart from different ones. */
  readonly bodyDigest: string;
  readonly bodyBytes: number;
  /** The message attributes' data types, by name. */
  readonly attributes?: Readonly<Record<string, string>>;
  readonly groupId?: string;
  readonly dedupId?: string;
  readonly sequenceNumber?: string;
  readonly idempotencyKey?: string;
  readonly idempotencyKeyPath?: string;
  readonly via: SendVia;
  /** The message this one is a copy of (moved, copied or edited and resent), and its queue. */
  readonly copyOf?: { readonly messageId: string; readonly queueUrl: string };
  /** Who sent it, when another process did (from the local server's trace). */
  readonly by?: string;
}

/** What each kind of event carries: the record is a union keyed by kind, so no reader re-checks fields. */
export interface LifecycleDetails {
  readonly sent: SentDetails;
  readonly received: {
    /** ApproximateReceiveCount as SQS reported it with this receive. */
    readonly receiveCount: number;
    /** `consumer`: another process received it (from the local server's trace); `by` names it. */
    readonly mode: ReceiveMode | 'consumer';
    readonly by?: string;
    /** When the receive's visibility window ends (ms since the epoch). */
    readonly deadline: number;
    readonly idempotencyKey?: string;
    readonly idempotencyKeyPath?: string;
  };
  readonly extended: { readonly seconds: number; readonly auto: boolean; readonly deadline: number; readonly by?: string };
  /** `peek`: the end of a peek, whose receive loop made the message visible again. */
  readonly released: { readonly peek?: true; readonly by?: string };
  readonly expired: Readonly<Record<string, never>>;
  /** `late`: deleted after its visibility window had ended (it was, or may be, delivered again); `by`: another process. */
  readonly deleted: { readonly late?: true; readonly by?: string };
  /** `from`: the source queue's ARN, or a description when SQS did not say. */
  readonly movedToDlq: { readonly from: string };
  /** A copy of the message was sent: its MessageId and queue, and how (a move deletes the original next). */
  readonly copied: { readonly copyId: string; readonly toQueueUrl: string; readonly via: 'move' | 'copy' | 'resend' };
  readonly failed: { readonly action: LeaseAction; readonly code: string };
  /** The local server's fault plan acted on the message (from its trace) during a request of `action`, made by `by`. */
  readonly injected: { readonly fault: InjectedMessageFault; readonly action: string; readonly by?: string };
  /** A delayed message's delay ended: visible from then on (from the local server's trace). */
  readonly delayEnded: Readonly<Record<string, never>>;
  /** A FIFO send with this message's deduplication id, within its 5-minute window, was accepted and dropped. */
  readonly deduplicated: { readonly dedupId: string; readonly groupId?: string; readonly by?: string };
  /** A message move task moved it to another queue (from the local server's trace). */
  readonly moved: { readonly toQueueUrl: string };
  /** The queue dropped it at the end of its retention period (from the local server's trace). */
  readonly dropped: Readonly<Record<string, never>>;
}

interface EventOf<K extends LifecycleKind> {
  /** Increases with every event recorded. */
  readonly seq: number;
  readonly messageId: string;
  readonly queueUrl: string;
  readonly kind: K;
  /** Milliseconds since the epoch. */
  readonly at: number;
  readonly details: LifecycleDetails[K];
}

export type LifecycleEvent = { [K in LifecycleKind]: EventOf<K> }[LifecycleKind];
/** An event to record: the store numbers it. */
export type NewLifecycleEvent = { [K in LifecycleKind]: Omit<EventOf<K>, 'seq'> }[LifecycleKind];

export interface LifecycleChange {
  readonly added: readonly LifecycleEvent[];
  /** Events dropped to stay within the bound, by this change. */
  readonly dropped: number;
}

interface QueueRecord {
  lastActivity: number;
  /** Events of this queue, oldest first; `head` is the first one still kept. */
  events: LifecycleEvent[];
  head: number;
}

export class LifecycleStore {
  private readonly byMessage = new Map<string, LifecycleEvent[]>();
  private readonly byQueue = new Map<string, QueueRecord>();
  private readonly changed = new Emitter<LifecycleChange>();
  readonly onDidChange = this.changed.event;
  private nextSeq = 1;
  private size = 0;
  private activity = 0;
  /** Every event dropped so far. */
  droppedTotal = 0;

  constructor(private maxEvents: number) {}

  get eventCount(): number {
    return this.size;
  }

  setMaxEvents(maxEvents: number): void {
    this.maxEvents = Math.max(1, maxEvents);
    const dropped = this.evict();
    if (dropped > 0) this.emit({ added: [], dropped });
  }

  /** Records events (in the order given) and reports them in one change. */
  record(events: readonly NewLifecycleEvent[]): LifecycleEvent[] {
    const added: LifecycleEvent[] = [];
    for (const e of events) {
      const event: LifecycleEvent = { ...e, seq: this.nextSeq++ };
      let perMessage = this.byMessage.get(event.messageId);
      if (!perMessage) {
        perMessage = [];
        this.byMessage.set(event.messageId, perMessage);
      }
      insertByTime(perMessage, event);
      let queue = this.byQueue.get(event.queueUrl);
      if (!queue) {
        queue = { lastActivity: 0, events: [], head: 0 };
        this.byQueue.set(event.queueUrl, queue);
      }
      queue.events.push(event);
      queue.lastActivity = ++this.activity;
      this.size++;
      added.push(event);
    }
    const dropped = this.evict();
    if (added.length > 0 || dropped > 0) this.emit({ added, dropped });
    return added;
  }

  /** A message's events, in the order they happened. */
  eventsOf(messageId: string): readonly LifecycleEvent[] {
    return this.byMessage.get(messageId) ?? [];
  }

  /** The ids of the messages with events on a queue, in the order they were first seen. */
  messagesOf(queueUrl: string): string[] {
    const queue = this.byQueue.get(queueUrl);
    if (!queue) return [];
    const ids = new Set<string>();
    for (let i = queue.head; i < queue.events.length; i++) ids.add(queue.events[i].messageId);
    return [...ids];
  }

  /** Forgets the events of a queue (it was purged); the events of its messages on other queues stay. */
  forgetQueue(queueUrl: string): void {
    const queue = this.byQueue.get(queueUrl);
    if (!queue) return;
    this.byQueue.delete(queueUrl);
    for (let i = queue.head; i < queue.events.length; i++) {
      const id = queue.events[i].messageId;
      const perMessage = this.byMessage.get(id);
      if (!perMessage) continue;
      const kept = perMessage.filter((e) => e.queueUrl !== queueUrl);
      this.size -= perMessage.length - kept.length;
      if (kept.length === 0) this.byMessage.delete(id);
      else this.byMessage.set(id, kept);
    }
  }

  private evict(): number {
    let dropped = 0;
    while (this.size > this.maxEvents) {
      let oldest: QueueRecord | undefined;
      let oldestUrl = '';
      for (const [url, q] of this.byQueue) {
        if (!oldest || q.lastActivity < oldest.lastActivity) {
          oldest = q;
          oldestUrl = url;
        }
      }
      if (!oldest) break;
      const excess = this.size - this.maxEvents;
      const take = Math.min(excess, oldest.events.length - oldest.head);
      for (let i = 0; i < take; i++) {
        const event = oldest.events[oldest.head++];
        const perMessage = this.byMessage.get(event.messageId);
        if (perMessage) {
          const at = perMessage.indexOf(event);
          if (at >= 0) perMessage.splice(at, 1);
          if (perMessage.length === 0) this.byMessage.delete(event.messageId);
        }
      }
      this.size -= take;
      dropped += take;
      if (oldest.head >= oldest.events.length) this.byQueue.delete(oldestUrl);
      else if (oldest.head > 1024 && oldest.head * 2 > oldest.events.length) {
        oldest.events = oldest.events.slice(oldest.head);
        oldest.head = 0;
      }
    }
    this.droppedTotal += dropped;
    return dropped;
  }

  private emit(change: LifecycleChange): void {
    this.changed.fire(change);
  }
}

/**
 * Adds an event to a message's list in time order (after events of the same time): events
 * from a server's trace can arrive after the extension recorded later ones of its own.
 */
function insertByTime(events: LifecycleEvent[], event: LifecycleEvent): void {
  let i = events.length;
  while (i > 0 && events[i - 1].at > event.at) i--;
  if (i === events.length) events.push(event);
  else events.splice(i, 0, event);
}

/** What a `sent` event is made from. */
export interface SentMessage {
  readonly messageId: string;
  readonly queueUrl: string;
  readonly at: number;
  readonly body: string;
  readonly attributes?: Readonly<Record<string, { readonly DataType?: string; readonly StringValue?: string; readonly BinaryValue?: Uint8Array }>>;
  readonly groupId?: string;
  readonly dedupId?: string;
  readonly sequenceNumber?: string;
  readonly via: SendVia;
  readonly copyOf?: { readonly messageId: string; readonly queueUrl: string };
}

/** The `sent` event of a message: body digest, attribute types, FIFO ids and its idempotency key. */
export function sentEvent(m: SentMessage, keyPaths: readonly KeyPath[]): NewLifecycleEvent {
  const key = extractIdempotencyKey({ body: m.body, ...(m.attributes ? { attributes: m.attributes } : {}), ...(m.dedupId ? { dedupId: m.dedupId } : {}) }, keyPaths);
  const attributes = m.attributes && Object.keys(m.attributes).length > 0 ? Object.fromEntries(Object.entries(m.attributes).map(([k, v]) => [k, v.DataType ?? 'String'])) : undefined;
  const details: SentDetails = {
    bodyDigest: createHash('sha256').update(m.body, 'utf8').digest('hex'),
    bodyBytes: Buffer.byteLength(m.body, 'utf8'),
    via: m.via,
    ...(attributes ? { attributes } : {}),
    ...(m.groupId !== undefined ? { groupId: m.groupId } : {}),
    ...(m.dedupId !== undefined ? { dedupId: m.dedupId } : {}),
    ...(m.sequenceNumber !== undefined ? { sequenceNumber: m.sequenceNumber } : {}),
    ...(key ? { idempotencyKey: key.key, idempotencyKeyPath: key.path } : {}),
    ...(m.copyOf ? { copyOf: m.copyOf } : {}),
  };
  return { messageId: m.messageId, queueUrl: m.queueUrl, kind: 'sent', at: m.at, details };
}
