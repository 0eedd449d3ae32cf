/**
 * The rules of the inspector's queue activity, without I/O: a bounded ring of samples,
 * operations per second from the trace's event times, and when a dead-letter queue counts
 * as starting to fill.
 */

/** The newest `capacity` items, oldest first; pushing past it drops the oldest. */
export class Ring<T> {
  private readonly items: (T | undefined)[];
  private start = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a whole number of at least 1, not ${capacity}`);
    this.items = new Array<T | undefined>(capacity);
  }

  get size(): number {
    return this.count;
  }

  push(item: T): void {
    this.items[(this.start + this.count) % this.capacity] = item;
    if (this.count < this.capacity) this.count++;
    else this.start = (this.start + 1) % this.capacity;
  }

  /** The newest item. */
  get last(): T | undefined {
    return this.count === 0 ? undefined : this.items[(this.start + this.count - 1) % this.capacity];
  }

  toArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.count; i++) out.push(this.items[(this.start + i) % this.capacity] as T);
    return out;
  }
}

export type CountedOperation = 'sends' | 'receives' | 'deletes';

interface SecondBucket {
  second: number;
  sends: number;
  receives: number;
  deletes: number;
}

/**
 * Operations per second, counted by the second they happened in (the server's time), over
 * the last `horizonSeconds` at most: memory stays the same however many events arrive.
 * Events out of order are counted in their own second while it is within the horizon.
 */
export class RateWindow {
  private readonly buckets: SecondBucket[];

  constructor(readonly horizonSeconds = 60) {
    this.buckets = Array.from({ length: horizonSeconds }, () => ({ second: -1, sends: 0, receives: 0, deletes: 0 }));
  }

  add(operation: CountedOperation, at: number): void {
    const second = Math.floor(at / 1000);
    const bucket = this.buckets[second % this.horizonSeconds];
    if (!bucket) return;
    if (bucket.second > second) return; // older than the horizon
    if (bucket.second < second) Object.assign(bucket, { second, sends: 0, receives: 0, deletes: 0 });
    bucket[operation]++;
  }

  /**
   * The mean per second over the `seconds` whole seconds before `now`'s (the second in
   * progress is left out, so that a rate does not dip at the start of every second).
   */
  rates(now: number, seconds: number): Record<CountedOperation, number> {
    const span = Math.max(1, Math.min(seconds, this.horizonSeconds - 1));
    const current = Math.floor(now / 1000);
    const sum = { sends: 0, receives: 0, deletes: 0 };
    for (const b of this.buckets) {
      if (b.second >= current - span && b.second < current) {
        sum.sends += b.sends;
        sum.receives += b.receives;
        sum.deletes += b.deletes;
      }
    }
    return { sends: sum.sends / span, receives: sum.receives / span, deletes: sum.deletes / span };
  }
}

/**
 * Whether a dead-letter queue has started filling between two readings of its visible
 * count: it rose from 0 or grew. The first reading only sets the baseline: a DLQ that held
 * messages when it was first looked at is not "starting" to fill.
 */
export function dlqStartedFilling(previous: number | undefined, current: number): boolean {
  return previous !== undefined && current > previous;
}

/** Says yes once per key: a notification shown at most once per queue. */
export class OncePerKey {
  private readonly seen = new Set<string>();

  take(key: string): boolean {
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    return true;
  }
}
