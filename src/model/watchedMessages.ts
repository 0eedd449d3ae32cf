import type { BrowsedMessage, BrowseState } from '../shared/browse';
import type { TraceEvent } from '../shared/trace';

/** Where a watched message stands: in the queue (as Browse says), or how it left it. */
export type WatchState = BrowseState | 'deleted' | 'movedToDlq' | 'removed';

/** A message of a watched queue: what Browse read, kept current by the trace. */
export type WatchedMessage = Omit<BrowsedMessage, 'state'> & { readonly state: WatchState };

/** Rows a Watch keeps at most; past it, the oldest that left the queue go first. */
export const MAX_WATCHED = 10_000;

type Change = Partial<Omit<WatchedMessage, 'messageId'>>;

/**
 * The messages of one queue, live: a Browse snapshot, then each trace event of the queue
 * applied as it arrives (a send adds a row; a receive puts it in flight with its consumer
 * until the deadline; an expiry or a release makes it visible; a delete, a move to the
 * dead-letter queue, retention or a purge end it). Plain data, no I/O.
 */
export class WatchedMessages {
  private readonly rows = new Map<string, WatchedMessage>();

  constructor(
    /** The watched queue's URL, as the trace names it. */
    readonly queueUrl: string,
    private readonly max = MAX_WATCHED,
  ) {}

  get size(): number {
    return this.rows.size;
  }

  get(id: string): WatchedMessage | undefined {
    return this.rows.get(id);
  }

  has(id: string): boolean {
    return this.rows.has(id);
  }

  values(): IterableIterator<WatchedMessage> {
    return this.rows.values();
  }

  keys(): IterableIterator<string> {
    return this.rows.keys();
  }

  /** Replaces every row with a Browse snapshot. */
  reset(snapshot: readonly BrowsedMessage[]): void {
    this.rows.clear();
    for (const m of snapshot) this.rows.set(m.messageId, m);
  }

  clear(): void {
    this.rows.clear();
  }

  /** Applies trace events; returns the ids of the rows that changed (or were added). */
  apply(events: readonly TraceEvent[]): Set<string> {
    const changed = new Set<string>();
    for (const e of events) {
      if (e.kind === 'purged' && e.queueUrl === this.queueUrl) {
        for (const id of this.rows.keys()) if (this.end(id, 'removed')) changed.add(id);
      } else if (this.applyOne(e)) changed.add(e.messageId);
    }
    if (this.rows.size > this.max) this.evict();
    return changed;
  }

  private applyOne(e: TraceEvent): boolean {
    if (e.queueUrl !== this.queueUrl) {
      // A message arriving here from another queue: the dead-letter queue of a receive, or a move task's destination.
      const arriving = (e.kind === 'movedToDlq' || e.kind === 'moved') && e.details.toQueueUrl === this.queueUrl;
      if (arriving) this.rows.set(e.messageId, { ...this.arrived(e), receiveCount: e.kind === 'movedToDlq' ? e.details.receiveCount : 0, sentAt: e.at });
      return arriving;
    }
    switch (e.kind) {
      case 'sent':
        this.rows.set(e.messageId, {
          ...this.arrived(e),
          state: e.details.delayedUntil !== undefined ? 'delayed' : 'visible',
          ...(e.details.delayedUntil !== undefined ? { visibleAt: e.details.delayedUntil } : {}),
          bytes: e.details.bytes,
          ...(e.details.body !== undefined ? { body: e.details.body } : {}),
          // Values come with the body, for a reader on the server's machine; elsewhere the names only.
          attributes: e.details.attributes ?? Object.fromEntries(e.details.attributeNames.map((n) => [n, { dataType: '' }])),
          ...(e.details.groupId !== undefined ? { groupId: e.details.groupId } : {}),
          ...(e.details.dedupId !== undefined ? { dedupId: e.details.dedupId } : {}),
          ...(e.details.sequenceNumber !== undefined ? { sequenceNumber: e.details.sequenceNumber } : {}),
        });
        return true;
      case 'received': {
        const first = this.rows.get(e.messageId)?.firstReceiveAt ?? e.at;
        return this.update(e.messageId, { state: 'inflight', receiveCount: e.details.receiveCount, receivedAt: e.at, visibleAt: e.details.deadline, heldBy: e.by, firstReceiveAt: first });
      }
      case 'visibilityChanged':
        return this.update(e.messageId, { visibleAt: e.details.deadline });
      case 'visible':
      case 'released':
      case 'expired':
        return this.update(e.messageId, { state: 'visible', visibleAt: undefined, receivedAt: undefined, heldBy: undefined });
      case 'faultInjected':
        // An injected duplicate puts the deleted message back, visible.
        return e.details.fault === 'duplicate' && this.update(e.messageId, { state: 'visible', visibleAt: undefined, heldBy: undefined });
      case 'deleted':
        return !e.details.stale && this.end(e.messageId, 'deleted');
      case 'movedToDlq':
        return this.end(e.messageId, 'movedToDlq');
      case 'moved':
      case 'retentionExpired':
        return this.end(e.messageId, 'removed');
      default:
        return false;
    }
  }

  /** A row for a message that just entered the queue, before what the event adds. */
  private arrived(e: TraceEvent): WatchedMessage {
    return { messageId: e.messageId, state: 'visible', receiveCount: 0, sentAt: e.at, bytes: 0, md5OfBody: '', attributes: {}, senderId: e.by?.accessKeyId ?? '' };
  }

  private update(id: string, change: Change): boolean {
    const row = this.rows.get(id);
    if (!row) return false;
    const next: Record<string, unknown> = { ...row, ...change };
    for (const [k, v] of Object.entries(change)) if (v === undefined) delete next[k];
    this.rows.set(id, next as WatchedMessage);
    return true;
  }

  private end(id: string, state: WatchState): boolean {
    const row = this.rows.get(id);
    if (!row || row.state === state) return false;
    return this.update(id, { state, visibleAt: undefined, heldBy: undefined });
  }

  /** Drops the oldest rows that left the queue, then (still too many) the oldest rows. */
  private evict(): void {
    let excess = this.rows.size - this.max;
    for (const [id, row] of this.rows) {
      if (excess === 0) return;
      if (row.state === 'deleted' || row.state === 'movedToDlq' || row.state === 'removed') {
        this.rows.delete(id);
        excess--;
      }
    }
    for (const id of this.rows.keys()) {
      if (excess-- === 0) return;
      this.rows.delete(id);
    }
  }
}
