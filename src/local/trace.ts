import { Emitter } from '../common/events';
import type { TraceActor, TraceDetails, TraceEvent, TraceKind, TracePage } from '../shared/trace';

export interface TraceLimits {
  /** Events kept at most. */
  readonly maxEvents: number;
  /** Bytes the kept events may take (an estimate: a fixed cost per event, plus recorded bodies). */
  readonly maxBytes: number;
}

export const DEFAULT_TRACE_LIMITS: TraceLimits = { maxEvents: 100_000, maxBytes: 64 * 1024 * 1024 };

/** What one event costs besides its body: the object, its details, and the strings it alone holds. */
const EVENT_BYTES = 320;

function sizeOf(e: TraceEvent): number {
  if (e.kind !== 'sent') return EVENT_BYTES;
  let bytes = EVENT_BYTES + (e.details.body?.length ?? 0) * 2;
  if (e.details.attributes) for (const a of Object.values(e.details.attributes)) bytes += ((a.stringValue?.length ?? 0) + (a.binaryValue?.length ?? 0)) * 2;
  return bytes;
}

/**
 * The server's trace: a ring of the newest events, bounded by count and by memory. Recording
 * is one object and one array store; the oldest events are dropped to make room, and every
 * drop is counted, so a reader that comes back after a gap learns how many it missed.
 */
export class TraceLog {
  private readonly ring: (TraceEvent | undefined)[];
  /** Index of the oldest kept event in {@link ring}. */
  private start = 0;
  private count = 0;
  private bytes = 0;
  private nextSeq = 1;
  /** Every event dropped since the trace began. */
  droppedTotal = 0;
  private readonly recorded = new Emitter<void>();
  /** Fires after each event is recorded. */
  readonly onDidRecord = this.recorded.event;

  constructor(readonly limits: TraceLimits = DEFAULT_TRACE_LIMITS) {
    if (!(limits.maxEvents >= 1) || !(limits.maxBytes >= EVENT_BYTES)) {
      throw new RangeError(`A trace keeps at least 1 event and ${EVENT_BYTES} bytes, not ${limits.maxEvents} events and ${limits.maxBytes} bytes.`);
    }
    this.ring = new Array<TraceEvent | undefined>(limits.maxEvents);
  }

  /** The sequence number of the newest event, 0 before the first. */
  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  /** The sequence number of the oldest event kept (the next one to come when none is kept). */
  get oldestSeq(): number {
    return this.nextSeq - this.count;
  }

  get size(): number {
    return this.count;
  }

  get bytesUsed(): number {
    return this.bytes;
  }

  /** Records one event; every event has the same shape, so that recording stays cheap. */
  record<K extends TraceKind>(kind: K, at: number, queue: string, queueUrl: string, messageId: string, by: TraceActor | undefined, details: TraceDetails[K]): void {
    const event = { seq: this.nextSeq++, kind, at, queue, queueUrl, messageId, by, details } as TraceEvent;
    const size = sizeOf(event);
    while (this.count > 0 && (this.count >= this.limits.maxEvents || this.bytes + size > this.limits.maxBytes)) this.dropOldest();
    this.ring[(this.start + this.count) % this.limits.maxEvents] = event;
    this.count++;
    this.bytes += size;
    if (this.recorded.hasListeners) this.recorded.fire();
  }

  /**
   * The events after sequence number `after`, oldest first, at most `limit`; `missed` counts
   * those after `after` that were dropped before this read. A reader ahead of the trace
   * (it read an earlier server's) reads from the start.
   */
  read(after: number, limit: number): Omit<TracePage, 'instance'> {
    // A reader ahead of the trace knew an earlier server: it gets this one's events from the start.
    if (after > this.lastSeq) after = 0;
    const oldest = this.oldestSeq;
    const from = Math.max(after + 1, oldest);
    const missed = Math.max(0, Math.min(oldest, this.nextSeq) - (after + 1));
    const events: TraceEvent[] = [];
    for (let seq = from; seq < this.nextSeq && events.length < limit; seq++) {
      const event = this.ring[(this.start + (seq - oldest)) % this.limits.maxEvents];
      if (event) events.push(event);
    }
    const next = events.length > 0 ? events[events.length - 1].seq : Math.max(after, from - 1);
    return { events, next, missed, droppedTotal: this.droppedTotal };
  }

  dispose(): void {
    this.recorded.dispose();
  }

  private dropOldest(): void {
    const event = this.ring[this.start];
    if (event) this.bytes -= sizeOf(event);
    this.ring[this.start] = undefined;
    this.start = (this.start + 1) % this.limits.maxEvents;
    this.count--;
    this.droppedTotal++;
  }
}
