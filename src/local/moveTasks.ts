import { randomUUID } from 'node:crypto';
import type { Clock, TimerHandle } from './clock';
import { SqsError, invalidParameter } from './errors';
import type { QueueState, StoredMessage } from './queue';
import { MAX_MOVE_RATE } from '../model/sqsLimits';

export interface MoveTask {
  TaskHandle: string;
  Status: 'RUNNING' | 'COMPLETED' | 'CANCELLING' | 'CANCELLED' | 'FAILED';
  SourceArn: string;
  DestinationArn?: string;
  MaxNumberOfMessagesPerSecond?: number;
  ApproximateNumberOfMessagesMoved: number;
  ApproximateNumberOfMessagesToMove: number;
  FailureReason?: string;
  StartedTimestamp: number;
  /** The rate chosen from the backlog when the caller chose none (not part of the API's answer). */
  systemRate?: number;
}

/** What a move task needs of a queue. */
export interface MovableQueue {
  readonly name: string;
  readonly arn: string;
  readonly fifo: boolean;
  readonly state: QueueState;
}

/** What move tasks need of the engine. */
export interface MoveTaskHost<Q extends MovableQueue> {
  /** The queue of an ARN; throws `ResourceNotFoundException` naming `parameter` when there is none. */
  queueByArn(arn: string, parameter: string): Q;
  /** The queue of an ARN, or undefined when it is gone. */
  queueForArn(arn: string): Q | undefined;
  /** True when some queue's redrive policy names `queue` as its dead-letter queue. */
  isDeadLetterQueue(queue: Q): boolean;
  /** Tells waiting receives of `queue` that messages arrived. */
  wake(queue: Q): void;
  /** A message was moved from `source` to `destination` (after it is in `destination`). */
  moved?(source: Q, message: StoredMessage, destination: Q): void;
  /** A task started, moved messages, or changed status (the data directory saves it). */
  changed?(task: MoveTask): void;
}

const MOVE_TICK_MS = 100;

/**
 * The rate of a task started without MaxNumberOfMessagesPerSecond. SQS then chooses the
 * rate from the backlog ("the system will optimize the rate based on the queue message
 * backlog size"), not the 500/s cap of a chosen rate: here, the whole backlog within about
 * a second, and never slower than the highest rate a caller may choose.
 */
export function systemMoveRate(backlog: number): number {
  return Math.max(MAX_MOVE_RATE, backlog);
}

/**
 * Message move tasks (StartMessageMoveTask and friends): move a dead-letter queue's visible
 * messages, oldest first, back to their source queues or to a chosen queue, at most
 * MaxNumberOfMessagesPerSecond; one running task per source; cancellable.
 */
export class MoveTasks<Q extends MovableQueue> {
  private readonly tasks: MoveTask[] = [];
  private readonly timers = new Map<string, TimerHandle>();

  constructor(
    private readonly clock: Clock,
    private readonly host: MoveTaskHost<Q>,
  ) {}

  start(sourceArn: string, destinationArn?: string, rate?: number): string {
    const source = this.host.queueByArn(sourceArn, 'SourceArn');
    if (!this.host.isDeadLetterQueue(source)) throw invalidParameter('Source queue must be configured as a Dead Letter Queue.');
    if (destinationArn !== undefined) {
      const destination = this.host.queueByArn(destinationArn, 'DestinationArn');
      if (destination.fifo !== source.fifo) throw invalidParameter('The source queue and destination queue must be of the same queue type.');
      if (destination === source) throw invalidParameter('The destination queue must be different from the source queue.');
    }
    if (rate !== undefined && (!Number.isInteger(rate) || rate < 1 || rate > MAX_MOVE_RATE)) {
      throw invalidParameter(`Value ${rate} for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: Must be between 1 and ${MAX_MOVE_RATE}.`);
    }
    if (this.tasks.some((t) => t.SourceArn === sourceArn && (t.Status === 'RUNNING' || t.Status === 'CANCELLING'))) {
      throw new SqsError('UnsupportedOperation', 'There is already a task running. Only one active task is allowed for a source queue arn at a given time.');
    }
    source.state.tick();
    const task: MoveTask = {
      TaskHandle: Buffer.from(JSON.stringify({ taskId: randomUUID(), sourceArn })).toString('base64'),
      Status: 'RUNNING',
      SourceArn: sourceArn,
      ApproximateNumberOfMessagesMoved: 0,
      ApproximateNumberOfMessagesToMove: source.state.visible,
      StartedTimestamp: this.clock.now(),
    };
    if (destinationArn !== undefined) task.DestinationArn = destinationArn;
    if (rate !== undefined) task.MaxNumberOfMessagesPerSecond = rate;
    else task.systemRate = systemMoveRate(task.ApproximateNumberOfMessagesToMove);
    this.tasks.unshift(task);
    this.host.changed?.(task);
    this.run(task, this.clock.now(), 0);
    return task.TaskHandle;
  }

  cancel(taskHandle: string): number {
    const task = this.tasks.find((t) => t.TaskHandle === taskHandle);
    if (!task) throw new SqsError('ResourceNotFoundException', 'The resource that you specified for the TaskHandle parameter does not exist.');
    if (task.Status !== 'RUNNING') throw new SqsError('UnsupportedOperation', `The task is ${task.Status} and can no longer be cancelled.`);
    // As in SQS, a cancel is asynchronous: the task says CANCELLING until its next tick
    // stops it, and no message moves in between.
    task.Status = 'CANCELLING';
    this.host.changed?.(task);
    this.stopTimer(task);
    const handle = this.clock.setTimer(() => {
      this.timers.delete(task.TaskHandle);
      task.Status = 'CANCELLED';
      this.host.changed?.(task);
    }, MOVE_TICK_MS);
    this.timers.set(task.TaskHandle, handle);
    return task.ApproximateNumberOfMessagesMoved;
  }

  /** The newest tasks of a source first; only a running task shows its handle. */
  list(sourceArn: string, maxResults = 1): MoveTask[] {
    this.host.queueByArn(sourceArn, 'SourceArn');
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 10) {
      throw invalidParameter(`Value ${maxResults} for parameter MaxResults is invalid. Reason: Must be between 1 and 10.`);
    }
    return this.tasks
      .filter((t) => t.SourceArn === sourceArn)
      .slice(0, maxResults)
      .map((t) => {
        const copy: MoveTask = { ...t };
        if (t.Status !== 'RUNNING') delete (copy as Partial<MoveTask>).TaskHandle;
        delete (copy as Partial<MoveTask>).systemRate;
        return copy;
      });
  }

  /** Every task, newest first, as the data directory saves them (`systemRate` included). */
  all(): readonly MoveTask[] {
    return this.tasks;
  }

  /**
   * Takes back tasks saved before a restart (newest first). A running task continues from
   * the count it had moved; one that was being cancelled is cancelled.
   */
  restore(tasks: MoveTask[]): void {
    this.tasks.push(...tasks);
    for (const task of tasks) {
      if (task.Status === 'CANCELLING') {
        task.Status = 'CANCELLED';
        this.host.changed?.(task);
      }
    }
    for (const task of tasks) if (task.Status === 'RUNNING') this.run(task, this.clock.now(), 0);
  }

  /** Stops every task's timer (the server is closing). */
  close(): void {
    for (const handle of this.timers.values()) this.clock.clearTimer(handle);
    this.timers.clear();
  }

  private run(task: MoveTask, lastAt: number, credit: number): void {
    if (task.Status !== 'RUNNING') return;
    const source = this.host.queueForArn(task.SourceArn);
    if (!source) {
      task.Status = 'FAILED';
      task.FailureReason = 'The source queue no longer exists.';
      this.host.changed?.(task);
      return;
    }
    const now = this.clock.now();
    const rate = task.MaxNumberOfMessagesPerSecond ?? task.systemRate ?? MAX_MOVE_RATE;
    let allowance = credit + ((now - lastAt) / 1000) * rate;
    if (lastAt === now) allowance = Math.max(allowance, Math.min(rate, 1));
    source.state.tick(now);
    while (allowance >= 1 && task.ApproximateNumberOfMessagesMoved < task.ApproximateNumberOfMessagesToMove) {
      const m = source.state.peekVisible();
      if (!m) break;
      const destination =
        task.DestinationArn !== undefined ? this.host.queueForArn(task.DestinationArn) : m.deadLetterSourceArn ? this.host.queueForArn(m.deadLetterSourceArn) : undefined;
      if (!destination) {
        task.Status = 'FAILED';
        task.FailureReason =
          task.DestinationArn !== undefined ? 'The destination queue no longer exists.' : `Message ${m.id} has no source queue to return to (no DeadLetterQueueSourceArn).`;
        this.host.changed?.(task);
        return;
      }
      source.state.remove(m);
      const moved: StoredMessage = {
        ...m,
        deadLetterSourceArn: undefined,
        enqueuedAt: now,
        visibleAt: now,
        state: 'gone',
        receiveCount: 0,
        firstReceiveAt: undefined,
        receiveSerial: 0,
        receivedAt: 0,
        version: 0,
        sequenceNumber: destination.fifo ? destination.state.nextSequenceNumber() : undefined,
      };
      destination.state.tick(now);
      destination.state.insert(moved);
      this.host.moved?.(source, moved, destination);
      this.host.wake(destination);
      task.ApproximateNumberOfMessagesMoved++;
      allowance--;
      this.host.changed?.(task);
    }
    if (task.ApproximateNumberOfMessagesMoved >= task.ApproximateNumberOfMessagesToMove || source.state.messages.size === 0) {
      task.Status = 'COMPLETED';
      this.host.changed?.(task);
      this.stopTimer(task);
      return;
    }
    const handle = this.clock.setTimer(() => this.run(task, now, Math.min(allowance, rate)), MOVE_TICK_MS);
    this.timers.set(task.TaskHandle, handle);
  }

  private stopTimer(task: MoveTask): void {
    const handle = this.timers.get(task.TaskHandle);
    if (handle) this.clock.clearTimer(handle);
    this.timers.delete(task.TaskHandle);
  }
}
