import { Emitter } from '../common/events';
import { SqsCallError, toSqsCallError } from './errors';
import type { SqsGateway } from './gateway';
import { getQueueSnapshots, getQueueSnapshot, listQueueUrls, type QueueSnapshot } from './queues';

export type CatalogStatus = 'idle' | 'loading' | 'ready' | 'error';

/** What one refresh changed, so that the view redraws only that. */
export interface CatalogChange {
  /** The set of queues, or the catalog's status, changed: the connection's children change. */
  readonly structure: boolean;
  /** Queues whose snapshot changed (URLs), when the set of queues did not. */
  readonly queues: readonly string[];
}

export interface CatalogOptions {
  /** Most `GetQueueAttributes` requests in flight at once. */
  concurrency: () => number;
}

/**
 * The queues of one connection and their latest attributes: the explorer's data, apart
 * from any tree. A refresh lists every page of queues, reads every queue's attributes with
 * bounded concurrency, and reports exactly what changed. Failures are kept as state (the
 * view shows them as nodes); consecutive failures lengthen the wait before the next poll.
 */
export class QueueCatalog {
  private snapshots = new Map<string, QueueSnapshot>();
  private queueErrors = new Map<string, SqsCallError>();
  private currentStatus: CatalogStatus = 'idle';
  private currentError: SqsCallError | undefined;
  private running: Promise<void> | undefined;
  private failures = 0;
  private readonly changes = new Emitter<CatalogChange>();
  readonly onDidChange = this.changes.event;
  lastRefreshAt: number | undefined;
  /** Sorted queues, queues by ARN and the sources of each DLQ, rebuilt after a change. */
  private index: { sorted: QueueSnapshot[]; byArn: Map<string, QueueSnapshot>; sources: Map<string, QueueSnapshot[]> } | undefined;

  constructor(
    readonly gateway: SqsGateway,
    private readonly options: CatalogOptions,
  ) {}

  get status(): CatalogStatus {
    return this.currentStatus;
  }

  get error(): SqsCallError | undefined {
    return this.currentError;
  }

  /** Queues sorted by name. */
  get queues(): QueueSnapshot[] {
    return this.indexed().sorted;
  }

  private indexed(): { sorted: QueueSnapshot[]; byArn: Map<string, QueueSnapshot>; sources: Map<string, QueueSnapshot[]> } {
    if (!this.index) {
      const sorted = [...this.snapshots.values()].sort((a, b) => a.name.localeCompare(b.name));
      const byArn = new Map<string, QueueSnapshot>();
      const sources = new Map<string, QueueSnapshot[]>();
      for (const q of sorted) {
        if (q.arn) byArn.set(q.arn, q);
        const target = q.redrive?.deadLetterTargetArn;
        if (target) {
          const list = sources.get(target) ?? [];
          list.push(q);
          sources.set(target, list);
        }
      }
      this.index = { sorted, byArn, sources };
    }
    return this.index;
  }

  queue(url: string): QueueSnapshot | undefined {
    return this.snapshots.get(url);
  }

  queueByArn(arn: string): QueueSnapshot | undefined {
    return this.indexed().byArn.get(arn);
  }

  queueError(url: string): SqsCallError | undefined {
    return this.queueErrors.get(url);
  }

  /** The queues whose redrive policy points at `dlqArn`. */
  deadLetterSources(dlqArn: string): QueueSnapshot[] {
    return this.indexed().sources.get(dlqArn) ?? [];
  }

  isDeadLetterQueue(arn: string): boolean {
    return this.indexed().sources.has(arn);
  }

  /** How long to wait before the next poll: the interval, doubled per consecutive failure, at most 5 minutes. */
  nextDelay(intervalMs: number): number {
    if (this.failures === 0) return intervalMs;
    return Math.min(intervalMs * 2 ** this.failures, 5 * 60_000);
  }

  /** Reloads every queue; a call while one runs joins it. */
  refresh(): Promise<void> {
    this.running ??= this.load().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Reloads one queue's attributes (after an action on it). */
  async refreshQueue(url: string): Promise<void> {
    try {
      const snapshot = await getQueueSnapshot(this.gateway, url);
      const before = this.snapshots.get(url);
      this.snapshots.set(url, snapshot);
      this.index = undefined;
      this.queueErrors.delete(url);
      if (!before) this.emit({ structure: true, queues: [] });
      else if (!sameSnapshot(before, snapshot)) this.emit({ structure: false, queues: [url] });
    } catch (err) {
      if (err instanceof SqsCallError && err.code === 'QueueDoesNotExist') {
        this.index = undefined;
        if (this.snapshots.delete(url)) this.emit({ structure: true, queues: [] });
        return;
      }
      throw err;
    }
  }

  /** Forgets a queue at once (it was deleted from here). */
  forget(url: string): void {
    this.index = undefined;
    if (this.snapshots.delete(url)) this.emit({ structure: true, queues: [] });
  }

  private async load(): Promise<void> {
    if (this.currentStatus === 'idle') this.currentStatus = 'loading';
    try {
      const urls: string[] = [];
      for await (const page of listQueueUrls(this.gateway)) urls.push(...page);
      const results = await getQueueSnapshots(this.gateway, urls, Math.max(1, this.options.concurrency()));
      const next = new Map<string, QueueSnapshot>();
      const errors = new Map<string, SqsCallError>();
      results.forEach((r, i) => {
        const url = urls[i];
        if (r.status === 'fulfilled') {
          next.set(url, r.value);
          return;
        }
        const error = toSqsCallError(r.reason, 'GetQueueAttributes', url);
        if (error.code === 'QueueDoesNotExist') return; // deleted between the list and the read
        errors.set(url, error);
        const previous = this.snapshots.get(url);
        next.set(url, previous ?? { url, name: url.slice(url.lastIndexOf('/') + 1), arn: '', fifo: url.endsWith('.fifo'), visible: 0, inFlight: 0, delayed: 0, attributes: {} });
      });
      const structure =
        this.currentStatus !== 'ready' || next.size !== this.snapshots.size || [...next.keys()].some((u) => !this.snapshots.has(u));
      const changed: string[] = [];
      if (!structure) {
        for (const [url, snap] of next) {
          const before = this.snapshots.get(url);
          if (!before || !sameSnapshot(before, snap) || errors.has(url) !== this.queueErrors.has(url)) changed.push(url);
        }
      }
      this.snapshots = next;
      this.index = undefined;
      this.queueErrors = errors;
      this.currentStatus = 'ready';
      this.currentError = undefined;
      this.failures = errors.size > 0 && errors.size === urls.length ? this.failures + 1 : 0;
      this.lastRefreshAt = Date.now();
      if (structure || changed.length > 0) this.emit({ structure, queues: changed });
    } catch (err) {
      const error = toSqsCallError(err, 'ListQueues', undefined, this.gateway.connection.profile);
      const wasError = this.currentStatus === 'error' && this.currentError?.code === error.code;
      this.currentStatus = 'error';
      this.currentError = error;
      this.failures++;
      if (!wasError) this.emit({ structure: true, queues: [] });
    }
  }

  private emit(change: CatalogChange): void {
    this.index = undefined;
    this.changes.fire(change);
  }
}

function sameSnapshot(a: QueueSnapshot, b: QueueSnapshot): boolean {
  const ka = Object.keys(a.attributes);
  if (ka.length !== Object.keys(b.attributes).length) return false;
  return ka.every((k) => a.attributes[k] === b.attributes[k]);
}
