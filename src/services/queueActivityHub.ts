import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { Disposable } from '../common/events';
import { WORKBENCH_QUEUES_PATH, type QueueStats, type QueueStatsPage } from '../shared/activity';
import { arrayOf, isNumber, isRecord, isString, isTime, object, optional } from '../shared/validate';
import { CloudWatchAge } from '../sqs/cloudWatchAge';
import type { QueueSnapshot } from '../sqs/queues';
import type { Connection } from './connections';
import { DlqWatch } from './dlqWatch';
import { QueueActivity, type ActivitySources, type QueueCounts, type QueueRef } from './queueActivity';
import type { TraceFeed } from './traceFeed';

/**
 * Makes the activity of each inspector's queue, with the sources its connection offers: the
 * local server's figures and trace where the connection reaches one, CloudWatch elsewhere
 * (one client per connection). Owns the {@link DlqWatch} every inspector shares.
 */
export class QueueActivityHub implements Disposable {
  readonly dlqWatch = new DlqWatch();
  private readonly cloudWatch = new Map<string, { endpoint: string | undefined; region: string; client: CloudWatchAge }>();

  constructor(
    private readonly traceFeed: Pick<TraceFeed, 'isTraced' | 'onEvents'>,
    private readonly intervalMs?: number,
  ) {}

  /** The activity of the queue an inspector shows (as last read); the caller starts, stops and disposes it. */
  create(connection: Connection, queue: () => QueueSnapshot): QueueActivity {
    const { name, url } = queue();
    return new QueueActivity({ connectionId: connection.info.id, name, url, watchedDlq: () => this.watchedDlq(connection, queue()) }, this.sources(connection), this.dlqWatch, this.intervalMs);
  }

  private sources(connection: Connection): ActivitySources {
    const id = connection.info.id;
    return {
      counts: (url) => queueCounts(connection, url),
      traced: () => this.traceFeed.isTraced(id),
      serverStats: (url, name) => fetchServerStats(url, name),
      ...(connection.info.kind === 'local' ? {} : { cloudWatch: (name: string) => this.cloudWatchOf(connection).oldest(name) }),
      traceEvents: this.traceFeed.onEvents,
      now: () => Date.now(),
    };
  }

  /** The DLQ whose filling the inspector of `queue` watches: its redrive target, or itself when it is a DLQ. */
  private watchedDlq(connection: Connection, queue: QueueSnapshot): QueueRef | undefined {
    if (queue.redrive) {
      const dlq = connection.catalog.queueByArn(queue.redrive.deadLetterTargetArn);
      if (dlq) return { name: dlq.name, url: dlq.url };
    }
    return queue.arn && connection.catalog.isDeadLetterQueue(queue.arn) ? { name: queue.name, url: queue.url } : undefined;
  }

  private cloudWatchOf(connection: Connection): CloudWatchAge {
    const { id, endpoint, region } = connection.info;
    const known = this.cloudWatch.get(id);
    if (known && known.endpoint === endpoint && known.region === region) return known.client;
    known?.client.dispose();
    const client = new CloudWatchAge(connection.info);
    this.cloudWatch.set(id, { endpoint, region, client });
    return client;
  }

  dispose(): void {
    for (const c of this.cloudWatch.values()) c.client.dispose();
    this.cloudWatch.clear();
    this.dlqWatch.dispose();
  }
}

/** A queue's counts, with one GetQueueAttributes call for just them. */
export async function queueCounts(connection: Pick<Connection, 'gateway'>, url: string): Promise<QueueCounts> {
  const out = await connection.gateway.call('GetQueueAttributes', url, (c) =>
    c.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] })),
  );
  const a = out.Attributes ?? {};
  return { visible: Number(a.ApproximateNumberOfMessages ?? 0), inflight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0), delayed: Number(a.ApproximateNumberOfMessagesDelayed ?? 0) };
}

/** One queue's figures from the workbench local server that serves `queueUrl`. */
export async function fetchServerStats(queueUrl: string, name: string, timeoutMs = 5_000): Promise<{ now: number; stats: QueueStats }> {
  const url = new URL(WORKBENCH_QUEUES_PATH, queueUrl);
  url.searchParams.set('name', name);
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  const body: unknown = await res.json();
  if (!res.ok) throw new Error(`${res.status}: ${isRecord(body) && typeof body.message === 'string' ? body.message : 'no message'}`);
  const stats = isQueueStatsPage(body) ? body.queues.find((q) => q.name === name) : undefined;
  if (!stats) throw new Error(`the answer of ${WORKBENCH_QUEUES_PATH} has no figures for ${name}`);
  const now = (body as QueueStatsPage).now;
  return { now, stats };
}

const isQueueStatsPage = object<QueueStatsPage>({
  now: isTime,
  queues: arrayOf(object<QueueStats>({ name: isString, url: isString, visible: isNumber, inflight: isNumber, delayed: isNumber, oldestSentAt: optional(isTime) })),
});
