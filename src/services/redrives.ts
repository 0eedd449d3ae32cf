import { Emitter, type Disposable } from '../common/events';
import { toSqsCallError } from '../sqs/errors';
import type { SqsGateway } from '../sqs/gateway';
import { cancelMoveTask, isFinished, listMoveTasks, startMoveTask, watchMoveTask, type MoveTaskState, type RedriveOptions } from '../sqs/moveTasks';

/** A dead-letter queue a redrive runs on. */
export interface RedriveQueue {
  readonly url: string;
  readonly arn: string;
}

/** What changed: the queue's running (or just ended) task as the last poll saw it, or why following it stopped. */
export interface RedriveChange {
  readonly queueUrl: string;
  readonly task?: MoveTaskState;
  readonly error?: string;
}

/** One redrive being followed: its latest state, and a promise of its final one. */
export interface FollowedRedrive {
  readonly queueUrl: string;
  readonly sourceArn: string;
  readonly handle: string;
  /** Resolves with the task's last state (COMPLETED, CANCELLED or FAILED), or rejects when polling failed for good. */
  readonly finished: Promise<MoveTaskState>;
}

interface Followed extends FollowedRedrive {
  latest: MoveTaskState | undefined;
  stop: AbortController;
}

export interface RedrivesOptions {
  /** Between two polls of a running task (ms). */
  readonly pollMs: number;
  /** How to wait between polls; tests that drive a server's clock pass their own. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * The redrives the extension follows: it starts a move task on a dead-letter queue, or
 * follows one already running, polls `ListMessageMoveTasks` until the task ends, and tells
 * every change (the explorer's description, a progress notification). The last outcome of
 * each queue is kept for its tooltip. Polling goes on when nobody watches the notification.
 */
export class Redrives implements Disposable {
  private readonly followed = new Map<string, Followed>();
  private readonly last = new Map<string, MoveTaskState>();
  private readonly changes = new Emitter<RedriveChange>();
  readonly onDidChange = this.changes.event;

  constructor(private readonly options: RedrivesOptions) {}

  /** The running task of a queue the extension follows, as last seen. */
  running(queueUrl: string): MoveTaskState | undefined {
    return this.followed.get(queueUrl)?.latest;
  }

  /** The latest state seen of the queue's newest task, running or ended. */
  latest(queueUrl: string): MoveTaskState | undefined {
    return this.running(queueUrl) ?? this.last.get(queueUrl);
  }

  /** The redrive followed on a queue, if any. */
  get(queueUrl: string): FollowedRedrive | undefined {
    return this.followed.get(queueUrl);
  }

  /** Starts a move task on `dlq` and follows it. Throws SQS's refusal as an SqsCallError. */
  async start(gateway: SqsGateway, dlq: RedriveQueue, options: RedriveOptions): Promise<FollowedRedrive> {
    const handle = await startMoveTask(gateway, dlq.arn, options);
    return this.follow(gateway, dlq, handle);
  }

  /** Follows a task already running (started here or elsewhere); the same one is followed once. */
  follow(gateway: SqsGateway, dlq: RedriveQueue, handle: string): FollowedRedrive {
    const existing = this.followed.get(dlq.url);
    if (existing?.handle === handle) return existing;
    existing?.stop.abort();
    const base: Omit<Followed, 'finished'> = { queueUrl: dlq.url, sourceArn: dlq.arn, handle, latest: undefined, stop: new AbortController() };
    const entry: Followed = Object.assign(base, { finished: this.poll(gateway, dlq, base) });
    // Nobody may await it (a redrive the user walked away from): a failure is still told, as a change.
    entry.finished.catch(() => undefined);
    this.followed.set(dlq.url, entry);
    return entry;
  }

  /** Cancels the queue's followed task; resolves with the messages moved so far. */
  async cancel(gateway: SqsGateway, queueUrl: string): Promise<number> {
    const entry = this.followed.get(queueUrl);
    if (!entry) throw toSqsCallError(new Error('No redrive of this queue is running here.'), 'CancelMessageMoveTask', queueUrl);
    return cancelMoveTask(gateway, entry.handle, entry.sourceArn);
  }

  /** The queue's recent tasks (at most 10), newest first; the running one is followed from now on. */
  async recent(gateway: SqsGateway, dlq: RedriveQueue): Promise<MoveTaskState[]> {
    const tasks = await listMoveTasks(gateway, dlq.arn);
    const running = tasks.find((t) => t.handle !== undefined && !isFinished(t));
    if (running?.handle) this.follow(gateway, dlq, running.handle);
    else if (tasks[0] && !this.followed.has(dlq.url)) this.last.set(dlq.url, tasks[0]);
    return tasks;
  }

  private async poll(gateway: SqsGateway, dlq: RedriveQueue, entry: Omit<Followed, 'finished'>): Promise<MoveTaskState> {
    try {
      let final: MoveTaskState | undefined;
      for await (const task of watchMoveTask(gateway, dlq.arn, entry.handle, { intervalMs: this.options.pollMs, signal: entry.stop.signal, ...(this.options.sleep ? { sleep: this.options.sleep } : {}) })) {
        entry.latest = task;
        final = task;
        if (isFinished(task)) {
          this.last.set(dlq.url, task);
          if (this.followed.get(dlq.url) === entry) this.followed.delete(dlq.url);
        }
        this.changes.fire({ queueUrl: dlq.url, task });
      }
      if (!final) throw toSqsCallError(new Error('The redrive was no longer followed.'), 'ListMessageMoveTasks', dlq.url);
      return final;
    } catch (err) {
      const error = toSqsCallError(err, 'ListMessageMoveTasks', dlq.url);
      this.changes.fire({ queueUrl: dlq.url, ...(entry.latest ? { task: entry.latest } : {}), error: error.message });
      throw error;
    } finally {
      if (this.followed.get(dlq.url) === entry) this.followed.delete(dlq.url);
    }
  }

  dispose(): void {
    for (const entry of this.followed.values()) entry.stop.abort();
    this.followed.clear();
    this.changes.dispose();
  }
}
