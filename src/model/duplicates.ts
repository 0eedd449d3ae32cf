import type { FlagSummary, MessageFlags } from '../shared/kinds';
import type { LifecycleEvent } from './lifecycle';
import { Emitter } from '../common/events';

/**
 * Flags on at-least-once delivery, kept up to date one event at a time (an index, never a
 * rescan):
 * - a *redelivery*: the same MessageId delivered more than once;
 * - a *duplicate key*: different MessageIds on one queue that carry the same idempotency
 *   key (a producer sent the same thing twice).
 */
/** How many of the messages sharing a key are named in a flag; the count is always exact. */
export const MAX_OTHERS = 20;

interface Entry {
  queueUrl: string;
  key?: string;
  /** Deliveries in all: the receive count SQS reported, or the receives seen, whichever is more. */
  deliveries: number;
  /** The inspector's own receives (recorded with their mode). */
  peeks: number;
  holds: number;
}

/** Delivered more than once, and at least once to someone other than the inspector. */
function isRedelivered(e: Entry): boolean {
  return e.deliveries > 1 && e.deliveries - e.peeks - e.holds >= 1;
}

export class DuplicateIndex {
  /** Oldest first: Map keeps insertion order, so the first entries are the first seen. */
  private readonly messages = new Map<string, Entry>();
  /** queue + key -> message ids. */
  private readonly byKey = new Map<string, Set<string>>();
  private readonly perQueue = new Map<string, { redeliveries: number; duplicateKeys: number; keysShared: number }>();
  private readonly flagged = new Map<string, Set<string>>();
  private readonly changes = new Emitter<ReadonlySet<string>>();
  /** Fires with the messages whose flags changed. */
  readonly onDidChange = this.changes.event;

  /** At most `maxMessages` messages are indexed; past it the first seen are forgotten. */
  constructor(private maxMessages = Number.POSITIVE_INFINITY) {}

  setMaxMessages(max: number): void {
    this.maxMessages = Math.max(1, max);
    const changed = new Set<string>();
    this.evict(changed);
    this.notify(changed);
  }

  /** Takes in recorded events; tells listeners which messages' flags changed. */
  observe(events: readonly LifecycleEvent[]): void {
    const changed = new Set<string>();
    for (const e of events) {
      if (e.kind !== 'sent' && e.kind !== 'received') continue;
      let entry = this.messages.get(e.messageId);
      if (!entry) {
        entry = { queueUrl: e.queueUrl, deliveries: 0, peeks: 0, holds: 0 };
        this.messages.set(e.messageId, entry);
      }
      const counts = this.counts(entry.queueUrl);
      if (e.kind === 'received') {
        const was = isRedelivered(entry);
        // A consumer's receive comes from the server's trace with its exact count, possibly after later receives of the inspector's.
        entry.deliveries = e.details.mode === 'consumer' ? Math.max(entry.deliveries, e.details.receiveCount) : Math.max(entry.deliveries + 1, e.details.receiveCount);
        if (e.details.mode === 'peek') entry.peeks++;
        else if (e.details.mode === 'hold') entry.holds++;
        const is = isRedelivered(entry);
        if (is !== was) counts.redeliveries += is ? 1 : -1;
        if (is || was) changed.add(e.messageId);
      }
      const key = e.details.idempotencyKey;
      if (key !== undefined && entry.key === undefined) {
        entry.key = key;
        const k = `${entry.queueUrl}\u0000${key}`;
        let ids = this.byKey.get(k);
        if (!ids) {
          ids = new Set();
          this.byKey.set(k, ids);
        }
        ids.add(e.messageId);
        if (ids.size === 2) {
          counts.keysShared++;
          counts.duplicateKeys += 2;
          for (const id of ids) changed.add(id);
        } else if (ids.size > 2) {
          counts.duplicateKeys++;
          // The others' flags change too (their count); telling every one of them would make
          // a key shared by thousands of messages cost quadratic time, so only a few are told.
          changed.add(e.messageId);
          if (ids.size <= MAX_OTHERS + 1) for (const id of ids) changed.add(id);
        }
      }
    }
    this.evict(changed);
    for (const id of changed) {
      const entry = this.messages.get(id);
      if (!entry) continue;
      let set = this.flagged.get(entry.queueUrl);
      if (!set) {
        set = new Set();
        this.flagged.set(entry.queueUrl, set);
      }
      const flags = this.flagsOf(id);
      if (flags.redelivered !== undefined || flags.duplicateKey !== undefined) set.add(id);
      else set.delete(id);
    }
    this.notify(changed);
  }

  private notify(changed: ReadonlySet<string>): void {
    if (changed.size > 0) this.changes.fire(changed);
  }

  /** Forgets the first-seen messages past the bound, keeping every count exact. */
  private evict(changed: Set<string>): void {
    while (this.messages.size > this.maxMessages) {
      const [id, entry] = this.messages.entries().next().value as [string, Entry];
      this.messages.delete(id);
      changed.delete(id);
      this.flagged.get(entry.queueUrl)?.delete(id);
      const counts = this.counts(entry.queueUrl);
      if (isRedelivered(entry)) counts.redeliveries--;
      if (entry.key === undefined) continue;
      const k = `${entry.queueUrl}\u0000${entry.key}`;
      const ids = this.byKey.get(k);
      if (!ids) continue;
      ids.delete(id);
      if (ids.size === 0) this.byKey.delete(k);
      else if (ids.size === 1) {
        counts.keysShared--;
        counts.duplicateKeys -= 2;
      } else counts.duplicateKeys--;
      let told = 0;
      for (const other of ids) {
        if (told++ > MAX_OTHERS) break;
        changed.add(other);
        const o = this.messages.get(other);
        if (ids.size === 1 && o && !isRedelivered(o)) this.flagged.get(o.queueUrl)?.delete(other);
      }
    }
  }

  flagsOf(messageId: string): MessageFlags {
    const entry = this.messages.get(messageId);
    if (!entry) return {};
    const flags: { redelivered?: number; byInspector?: { peek: number; hold: number }; duplicateKey?: { key: string; count: number; others: string[] } } = {};
    if (isRedelivered(entry)) {
      flags.redelivered = entry.deliveries;
      if (entry.peeks + entry.holds > 0) flags.byInspector = { peek: entry.peeks, hold: entry.holds };
    }
    if (entry.key !== undefined) {
      const ids = this.byKey.get(`${entry.queueUrl}\u0000${entry.key}`);
      if (ids && ids.size > 1) {
        const others: string[] = [];
        for (const id of ids) {
          if (others.length >= MAX_OTHERS) break;
          if (id !== messageId) others.push(id);
        }
        flags.duplicateKey = { key: entry.key, count: ids.size - 1, others };
      }
    }
    return flags;
  }

  summary(queueUrl: string): FlagSummary {
    return { ...this.counts(queueUrl) };
  }

  /**
   * The summary of some messages (those an inspector shows): how many of them are
   * redelivered, how many share their key with another message, and how many keys those are.
   */
  summaryOf(messageIds: Iterable<string>): FlagSummary {
    let redeliveries = 0;
    let duplicateKeys = 0;
    const keys = new Set<string>();
    for (const id of messageIds) {
      const entry = this.messages.get(id);
      if (!entry) continue;
      if (isRedelivered(entry)) redeliveries++;
      if (entry.key === undefined) continue;
      const k = `${entry.queueUrl}\u0000${entry.key}`;
      if ((this.byKey.get(k)?.size ?? 0) > 1) {
        duplicateKeys++;
        keys.add(k);
      }
    }
    return { redeliveries, duplicateKeys, keysShared: keys.size };
  }

  /** Forgets every message of a queue (it was purged: they are gone); listeners are told. */
  forgetQueue(queueUrl: string): void {
    const changed = new Set<string>();
    for (const [id, entry] of this.messages) {
      if (entry.queueUrl !== queueUrl) continue;
      this.messages.delete(id);
      changed.add(id);
    }
    for (const k of [...this.byKey.keys()]) if (k.startsWith(`${queueUrl}\u0000`)) this.byKey.delete(k);
    this.perQueue.delete(queueUrl);
    this.flagged.delete(queueUrl);
    this.notify(changed);
  }

  /** Messages flagged on a queue, of either kind. */
  flaggedCount(queueUrl: string): number {
    return this.flagged.get(queueUrl)?.size ?? 0;
  }

  private counts(queueUrl: string): { redeliveries: number; duplicateKeys: number; keysShared: number } {
    let c = this.perQueue.get(queueUrl);
    if (!c) {
      c = { redeliveries: 0, duplicateKeys: 0, keysShared: 0 };
      this.perQueue.set(queueUrl, c);
    }
    return c;
  }
}
