import type { Clock } from './clock';
import { Deque, MinHeap } from './collections';
import type { MemoryMeter } from './memory';
import type { StoredAttribute } from './md5';
import type { TraceActor } from '../shared/trace';
import type { QueueSettings } from '../model/queueAttributes';

export type MessageState = 'delayed' | 'visible' | 'inflight' | 'gone';

/** One message as the local server holds it. */
export interface StoredMessage {
  readonly id: string;
  readonly body: string;
  readonly md5OfBody: string;
  readonly attributes: Record<string, StoredAttribute>;
  readonly md5OfAttributes: string | undefined;
  readonly systemAttributes: Record<string, StoredAttribute>;
  readonly md5OfSystemAttributes: string | undefined;
  /** Time the message first entered SQS; kept across a move to a dead-letter queue. */
  readonly sentAt: number;
  readonly senderId: string;
  readonly groupId: string | undefined;
  readonly dedupId: string | undefined;
  sequenceNumber: string | undefined;
  deadLetterSourceArn: string | undefined;
  /** Time the message entered this queue (retention counts from `sentAt`). */
  enqueuedAt: number;
  state: MessageState;
  /** When a delayed or in-flight message becomes visible. */
  visibleAt: number;
  receiveCount: number;
  firstReceiveAt: number | undefined;
  /** Serial of the newest receive: only the receipt handle that carries it is current. */
  receiveSerial: number;
  /** Time of the newest receive: the 12-hour visibility cap counts from it. */
  receivedAt: number;
  /** Who made the newest receive, as its request named itself (Browse shows it; not saved). */
  heldBy?: TraceActor;
  /** Bumped on every state change; heap and list entries made before it are stale. */
  version: number;
  /** What holding it costs, counted against the server's memory limit. */
  readonly storedBytes: number;
}

interface TimedEntry {
  at: number;
  message: StoredMessage;
  version: number;
}

interface ReadyEntry {
  message: StoredMessage;
  version: number;
}

/** Messages of one FIFO group in sequence order, and how many of them are in flight. */
export interface FifoGroup {
  readonly messages: Deque<StoredMessage>;
  inflight: number;
}

/** Told of what time does to messages, as it applies it: for the server's trace. */
export interface QueueObserver {
  /** A delayed message's delay ended (`wasInFlight` false), or an in-flight one's visibility window did; `at` is that deadline. */
  becameVisible(m: StoredMessage, at: number, wasInFlight: boolean): void;
  /** The message outlived the retention period, which ended at `at`. */
  retentionEnded(m: StoredMessage, at: number): void;
}


/** What a queue's state tells an observer (the data directory's journal) of every change. */
export interface QueueStateObserver {
  /** The message was added, changed state, or left the queue. */
  messageChanged(m: StoredMessage): void;
  /** Every message was removed at once. */
  purged(): void;
  /** A FIFO deduplication key was remembered. */
  dedupRemembered(key: string, entry: DedupEntry): void;
}

export interface DedupEntry {
  messageId: string;
  sequenceNumber: string | undefined;
  expiresAt: number;
}

/**
 * One queue's messages and the structures that make every operation cheap: a list of
 * visible messages (standard queues) or groups in sequence order (FIFO), a heap of the
 * times at which delayed and in-flight messages become visible, and exact live counts.
 * Time-driven changes are applied lazily by {@link tick}, so counts move with the clock
 * without any receive in between.
 */
export class QueueState {
  readonly messages = new Map<string, StoredMessage>();
  readonly groups = new Map<string, FifoGroup>();
  private readonly ready = new Deque<ReadyEntry>();
  private readonly timed = new MinHeap<TimedEntry>((e) => e.at);
  private readonly arrivals = new Deque<StoredMessage>();
  private readonly dedup = new Map<string, DedupEntry>();
  private readonly dedupOrder = new Deque<{ key: string; expiresAt: number }>();
  visible = 0;
  inflight = 0;
  delayed = 0;
  receiveSerial = 0;
  lastPurgeAt: number | undefined;
  private lastSequence = 0n;

  constructor(
    private readonly clock: Clock,
    readonly fifo: boolean,
    private readonly settings: () => QueueSettings,
    private readonly meter: MemoryMeter,
    private readonly observer?: QueueObserver,
    private readonly journal?: QueueStateObserver,
  ) {}

  /** Applies everything that time has made due: visibility and delay expiry, retention, dedup windows. */
  tick(now = this.clock.now()): void {
    for (let top = this.timed.peek(); top && top.at <= now; top = this.timed.peek()) {
      this.timed.pop();
      const m = top.message;
      if (m.version !== top.version || (m.state !== 'delayed' && m.state !== 'inflight')) continue;
      this.observer?.becameVisible(m, top.at, m.state === 'inflight');
      this.setState(m, 'visible');
    }
    const retentionMs = this.settings().MessageRetentionPeriod * 1000;
    for (let head = this.arrivals.peek(); head; head = this.arrivals.peek()) {
      if (head.state === 'gone') {
        this.arrivals.shift();
        continue;
      }
      if (head.sentAt + retentionMs > now) break;
      this.arrivals.shift();
      this.dropExpired(head);
    }
    for (let d = this.dedupOrder.peek(); d && d.expiresAt <= now; d = this.dedupOrder.peek()) {
      this.dedupOrder.shift();
      const entry = this.dedup.get(d.key);
      if (entry && entry.expiresAt <= now) this.dedup.delete(d.key);
    }
  }

  /** The earliest time at which a delayed or in-flight message may become visible. */
  nextDueAt(): number | undefined {
    return this.timed.peek()?.at;
  }

  /** Removes a message that outlived the retention period. */
  dropExpired(m: StoredMessage): void {
    if (m.state === 'gone') return;
    this.observer?.retentionEnded(m, m.sentAt + this.settings().MessageRetentionPeriod * 1000);
    this.remove(m);
  }

  isExpired(m: StoredMessage, now: number): boolean {
    return m.sentAt + this.settings().MessageRetentionPeriod * 1000 <= now;
  }

  /** Sequence numbers: 20+ digit decimal strings that only grow. */
  nextSequenceNumber(): string {
    const floor = BigInt(this.clock.now()) * 10_000_000n;
    this.lastSequence = this.lastSequence >= floor ? this.lastSequence + 1n : floor;
    return this.lastSequence.toString();
  }

  /** Makes later sequence numbers greater than `sequenceNumber` (a restored message's). */
  sequenceAtLeast(sequenceNumber: string): void {
    const n = BigInt(sequenceNumber);
    if (n > this.lastSequence) this.lastSequence = n;
  }

  /** The remembered deduplication keys that have not expired. */
  *dedupEntries(now = this.clock.now()): IterableIterator<[string, DedupEntry]> {
    for (const [key, entry] of this.dedup) if (entry.expiresAt > now) yield [key, entry];
  }

  findDuplicate(key: string): DedupEntry | undefined {
    const entry = this.dedup.get(key);
    return entry && entry.expiresAt > this.clock.now() ? entry : undefined;
  }

  rememberDedup(key: string, messageId: string, sequenceNumber: string | undefined, windowMs: number): void {
    const expiresAt = this.clock.now() + windowMs;
    const entry = { messageId, sequenceNumber, expiresAt };
    this.dedup.set(key, entry);
    this.dedupOrder.push({ key, expiresAt });
    this.journal?.dedupRemembered(key, entry);
  }

  /** Adds a message in the state its `visibleAt` implies. */
  insert(m: StoredMessage): void {
    this.messages.set(m.id, m);
    this.meter.used += m.storedBytes;
    this.arrivals.push(m);
    if (this.fifo) {
      const key = m.groupId ?? '';
      let group = this.groups.get(key);
      if (!group) {
        group = { messages: new Deque<StoredMessage>(), inflight: 0 };
        this.groups.set(key, group);
      }
      group.messages.push(m);
    }
    const state = m.visibleAt > this.clock.now() ? (m.receiveCount > 0 ? 'inflight' : 'delayed') : 'visible';
    m.state = 'gone';
    this.setState(m, state);
  }

  /** Marks a message received by `by`: in flight until `visibleAt`, with a new receive serial. */
  markReceived(m: StoredMessage, visibilityMs: number, by?: TraceActor): void {
    const now = this.clock.now();
    m.heldBy = by;
    m.receiveCount++;
    m.firstReceiveAt ??= now;
    m.receivedAt = now;
    m.receiveSerial = ++this.receiveSerial;
    this.setVisibleAt(m, now + visibilityMs);
  }

  /**
   * Makes the message in flight until `at`. At or before now it becomes visible on the
   * next {@link tick}, so one receive never hands out the same message twice.
   */
  setVisibleAt(m: StoredMessage, at: number): void {
    m.visibleAt = at;
    this.setState(m, 'inflight');
  }

  /** Takes the message out of the queue (deleted, purged, expired, or moved elsewhere). */
  remove(m: StoredMessage): void {
    if (m.state === 'gone') return;
    this.setState(m, 'gone');
    this.messages.delete(m.id);
  }

  /** Removes every message at once; FIFO deduplication memory survives, as in SQS. */
  purge(): number {
    const count = this.messages.size;
    for (const m of this.messages.values()) {
      if (m.state !== 'gone') this.meter.used -= m.storedBytes;
      m.state = 'gone';
      m.version++;
    }
    this.messages.clear();
    this.groups.clear();
    this.ready.clear();
    this.timed.clear();
    this.arrivals.clear();
    this.visible = this.inflight = this.delayed = 0;
    this.journal?.purged();
    return count;
  }

  /**
   * A visible message, left where it is: on a standard queue the one visible longest, on a
   * FIFO queue the head of the first group in turn. Costs nothing per message in flight.
   */
  peekVisible(): StoredMessage | undefined {
    if (this.fifo) {
      for (const group of this.groups.values()) {
        const head = group.messages.peek();
        if (head?.state === 'visible' && group.inflight === 0) return head;
      }
      return undefined;
    }
    for (let entry = this.ready.peek(); entry; entry = this.ready.peek()) {
      if (entry.message.version === entry.version && entry.message.state === 'visible') return entry.message;
      this.ready.shift();
    }
    return undefined;
  }

  /** The oldest visible message of a standard queue, taken off the visible list. */
  shiftVisible(): StoredMessage | undefined {
    for (let entry = this.ready.shift(); entry; entry = this.ready.shift()) {
      if (entry.message.version === entry.version && entry.message.state === 'visible') return entry.message;
    }
    return undefined;
  }

  /** Puts a visible message taken by {@link shiftVisible} back, at the end of the visible list. */
  requeueVisible(m: StoredMessage): void {
    this.ready.push({ message: m, version: m.version });
  }

  private setState(m: StoredMessage, state: MessageState): void {
    const previous = m.state;
    if (state === 'gone' && previous !== 'gone') this.meter.used -= m.storedBytes;
    this.adjust(previous, -1);
    m.state = state;
    m.version++;
    this.adjust(state, +1);
    if (this.fifo) {
      const key = m.groupId ?? '';
      const group = this.groups.get(key);
      if (group) {
        if (previous === 'inflight') group.inflight--;
        if (state === 'inflight') group.inflight++;
        if (state === 'gone') {
          while (group.messages.peek()?.state === 'gone') group.messages.shift();
          if (group.messages.length === 0) this.groups.delete(key);
        }
      }
    } else if (state === 'visible') {
      this.ready.push({ message: m, version: m.version });
    }
    if (state === 'delayed' || state === 'inflight') {
      this.timed.push({ at: m.visibleAt, message: m, version: m.version });
    }
    this.journal?.messageChanged(m);
  }

  private adjust(state: MessageState, delta: number): void {
    if (state === 'visible') this.visible += delta;
    else if (state === 'inflight') this.inflight += delta;
    else if (state === 'delayed') this.delayed += delta;
  }
}
