import { Emitter, type Disposable, type Event } from '../common/events';
import { RateWindow, Ring, dlqStartedFilling, type CountedOperation } from '../model/activity';
import type { ActivitySample, ActivityView, OldestAge, QueueStats } from '../shared/activity';
import type { TraceEvent } from '../shared/trace';
import type { DlqWatch } from './dlqWatch';
import type { TraceBatch } from './traceFeed';

/** How often a visible inspector samples its queue, and how many samples it keeps (10 minutes). */
export const SAMPLE_INTERVAL_MS = 5_000;
export const SAMPLE_CAPACITY = 120;
/** Rates are averaged over this many seconds. */
export const RATE_SECONDS = 10;
/** CloudWatch publishes SQS metrics once a minute: asking more often only costs. */
const CLOUDWATCH_EVERY_MS = 60_000;

export interface QueueCounts {
  readonly visible: number;
  readonly inflight: number;
  readonly delayed: number;
}

export interface QueueRef {
  readonly name: string;
  readonly url: string;
}

/** The queue an inspector shows, and the dead-letter queue its counts are watched for. */
export interface ActivityTarget extends QueueRef {
  readonly connectionId: string;
  /** The queue's own DLQ (its redrive policy), or the queue itself when it is some queue's DLQ; read at each sample. */
  watchedDlq(): QueueRef | undefined;
}

/** Where the figures come from; each is a call over the network. */
export interface ActivitySources {
  /** The queue's counts (GetQueueAttributes). */
  counts(url: string): Promise<QueueCounts>;
  /** Whether the connection's endpoint is a workbench local server whose trace is followed. */
  traced(): boolean;
  /** That server's figures for a queue, with its clock. */
  serverStats(url: string, name: string): Promise<{ readonly now: number; readonly stats: QueueStats }>;
  /** CloudWatch's age of the oldest message; absent where CloudWatch is not asked (the built-in server). */
  cloudWatch?(name: string): Promise<OldestAge>;
  /** Every batch of trace events, of every connection. */
  readonly traceEvents: Event<TraceBatch>;
  now(): number;
}

const OPERATION: Partial<Record<TraceEvent['kind'], CountedOperation>> = { sent: 'sends', received: 'receives', deleted: 'deletes' };

/**
 * The activity of one inspector's queue: samples its counts on a schedule while the
 * inspector is visible (a bounded ring of them), counts sends, receives and deletes per
 * second from the local server's trace (every client's), reads the age of the oldest
 * message (exact from the local server, else from CloudWatch), and tells the shared
 * {@link DlqWatch} when the watched dead-letter queue starts filling.
 */
export class QueueActivity implements Disposable {
  private readonly samples = new Ring<ActivitySample>(SAMPLE_CAPACITY);
  private readonly rates = new RateWindow();
  private readonly changed = new Emitter<ActivityView>();
  readonly onDidChange = this.changed.event;
  private readonly subscription: Disposable;
  private timer: ReturnType<typeof setInterval> | undefined;
  private sampling: Promise<void> | undefined;
  private dlqCount: number | undefined;
  private dlqUrl: string | undefined;
  private oldest: OldestAge | undefined;
  private cloudWatchAt = -Infinity;
  private error: string | undefined;
  private serverNow: number | undefined;
  private lastView: ActivityView = { samples: [] };

  constructor(
    readonly target: ActivityTarget,
    private readonly sources: ActivitySources,
    private readonly dlqWatch: DlqWatch,
    private readonly intervalMs = SAMPLE_INTERVAL_MS,
  ) {
    this.subscription = sources.traceEvents((batch) => this.count(batch));
  }

  /** What the header shows now. */
  get view(): ActivityView {
    return this.lastView;
  }

  /** Samples now and then every interval, until {@link stop} (the inspector was hidden). */
  start(): void {
    if (this.timer !== undefined) return;
    void this.sample();
    this.timer = setInterval(() => void this.sample(), this.intervalMs);
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Takes one sample (a sample already running is awaited instead), then tells the page. */
  sample(): Promise<void> {
    this.sampling ??= this.takeSample().finally(() => {
      this.sampling = undefined;
    });
    return this.sampling;
  }

  private async takeSample(): Promise<void> {
    const { url, name } = this.target;
    const traced = this.sources.traced();
    const watched = this.target.watchedDlq();
    const ownDlq = watched?.url === url;
    const [counts, oldest, dlq] = await Promise.all([
      this.sources.counts(url).then(
        (value) => ({ value }),
        (err: unknown) => ({ failed: errorText(err) }),
      ),
      traced ? this.serverOldest() : this.cloudWatchOldest(name),
      ownDlq ? undefined : this.dlqVisible(watched),
    ]);
    if ('failed' in counts) this.error = `Reading the queue's counts failed: ${counts.failed}`;
    else {
      this.error = undefined;
      this.samples.push({ at: this.sources.now(), ...pick(counts.value) });
    }
    this.oldest = oldest;
    const dlqVisible = ownDlq && 'value' in counts ? counts.value.visible : dlq;
    if (watched && dlqVisible !== undefined) this.checkDlq(watched, dlqVisible);
    this.publish(traced, watched);
  }

  private async serverOldest(): Promise<OldestAge> {
    try {
      const { now, stats } = await this.sources.serverStats(this.target.url, this.target.name);
      this.serverNow = now;
      return stats.oldestSentAt === undefined ? { unavailable: 'The queue is empty.' } : { seconds: Math.max(0, (now - stats.oldestSentAt) / 1000), source: 'server' };
    } catch (err) {
      this.serverNow = undefined;
      return { unavailable: `The local server did not answer its queue figures: ${errorText(err)}` };
    }
  }

  private async cloudWatchOldest(name: string): Promise<OldestAge | undefined> {
    if (!this.sources.cloudWatch) return { unavailable: 'The age of the oldest message needs the SQS Workbench local server or CloudWatch.' };
    const now = this.sources.now();
    if (now - this.cloudWatchAt < CLOUDWATCH_EVERY_MS) return this.oldest;
    this.cloudWatchAt = now;
    return this.sources.cloudWatch(name);
  }

  /** The visible count of the DLQ this queue moves messages to. */
  private async dlqVisible(dlq: QueueRef | undefined): Promise<number | undefined> {
    if (!dlq) return undefined;
    try {
      return (await this.sources.counts(dlq.url)).visible;
    } catch {
      return undefined;
    }
  }

  private checkDlq(dlq: QueueRef, visible: number): void {
    // Another DLQ than before (the redrive policy changed): its first count is a new baseline.
    if (dlq.url !== this.dlqUrl) this.dlqCount = undefined;
    this.dlqUrl = dlq.url;
    if (dlqStartedFilling(this.dlqCount, visible)) this.dlqWatch.report({ url: dlq.url, name: dlq.name, from: this.dlqCount ?? 0, to: visible, at: this.sources.now() });
    this.dlqCount = visible;
  }

  private count(batch: TraceBatch): void {
    if (batch.connectionId !== this.target.connectionId) return;
    for (const e of batch.events) {
      const op = OPERATION[e.kind];
      if (op === undefined || e.queue !== this.target.name) continue;
      // A stale handle deleted nothing.
      if (e.kind === 'deleted' && e.details.stale) continue;
      this.rates.add(op, e.at);
    }
  }

  private publish(traced: boolean, watched: QueueRef | undefined): void {
    const dlq = watched ? this.dlqWatch.latestOf(watched.url) : undefined;
    const rates = traced ? { ...this.rates.rates(this.serverNow ?? this.sources.now(), RATE_SECONDS), seconds: RATE_SECONDS } : undefined;
    this.lastView = {
      samples: this.samples.toArray(),
      ...(rates ? { rates } : { ratesNote: 'Sends, receives and deletes per second need the SQS Workbench local server, whose trace sees every client.' }),
      ...(this.oldest ? { oldest: this.oldest } : {}),
      ...(dlq ? { dlqNotice: dlqNoticeText(dlq) } : {}),
      ...(this.error !== undefined ? { error: this.error } : {}),
    };
    this.changed.fire(this.lastView);
  }

  dispose(): void {
    this.stop();
    this.subscription.dispose();
    this.changed.dispose();
  }
}

/** What the inspector says of a DLQ that started filling. */
export function dlqNoticeText(rise: { name: string; from: number; to: number; at: number }): string {
  return `Dead-letter queue ${rise.name} is filling: ${rise.from} → ${rise.to} message${rise.to === 1 ? '' : 's'} visible (seen at ${new Date(rise.at).toLocaleTimeString(undefined, { hour12: false })}).`;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function pick(c: QueueCounts): QueueCounts {
  return { visible: c.visible, inflight: c.inflight, delayed: c.delayed };
}
