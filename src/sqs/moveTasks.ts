import {
  CancelMessageMoveTaskCommand,
  ListMessageMoveTasksCommand,
  StartMessageMoveTaskCommand,
  type ListMessageMoveTasksResultEntry,
} from '@aws-sdk/client-sqs';
import { MAX_MOVE_RATE } from '../model/sqsLimits';
import { SqsCallError } from './errors';
import { queueNameOf, type SqsGateway } from './gateway';

export type MoveTaskStatus = 'RUNNING' | 'COMPLETED' | 'CANCELLING' | 'CANCELLED' | 'FAILED';

/** One message move task as `ListMessageMoveTasks` tells it. */
export interface MoveTaskState {
  /** Present while the task runs: what `CancelMessageMoveTask` takes. */
  readonly handle?: string;
  readonly status: MoveTaskStatus;
  readonly sourceArn: string;
  /** Absent when the messages go back to their source queues. */
  readonly destinationArn?: string;
  /** Absent when SQS chooses the rate. */
  readonly rate?: number;
  readonly moved: number;
  readonly toMove: number;
  readonly failureReason?: string;
  /** Epoch milliseconds; with the source, what names a task once its handle is gone. */
  readonly startedAt: number;
}

/** Where a redrive sends the messages, and how fast. */
export interface RedriveOptions {
  /** A chosen queue's ARN; without it, each message returns to the queue it came from. */
  readonly destinationArn?: string;
  /** Messages per second, 1..500; without it, SQS chooses the rate from the backlog. */
  readonly rate?: number;
}

const STATUSES = new Set<string>(['RUNNING', 'COMPLETED', 'CANCELLING', 'CANCELLED', 'FAILED']);

function toState(e: ListMessageMoveTasksResultEntry): MoveTaskState {
  const status = STATUSES.has(e.Status ?? '') ? (e.Status as MoveTaskStatus) : 'FAILED';
  return {
    ...(e.TaskHandle ? { handle: e.TaskHandle } : {}),
    status,
    sourceArn: e.SourceArn ?? '',
    ...(e.DestinationArn ? { destinationArn: e.DestinationArn } : {}),
    ...(e.MaxNumberOfMessagesPerSecond !== undefined ? { rate: e.MaxNumberOfMessagesPerSecond } : {}),
    moved: e.ApproximateNumberOfMessagesMoved ?? 0,
    toMove: e.ApproximateNumberOfMessagesToMove ?? 0,
    ...(e.FailureReason ? { failureReason: e.FailureReason } : {}),
    startedAt: e.StartedTimestamp ?? 0,
  };
}

/** Why a velocity is not acceptable, or undefined when it is (a whole number 1..500). */
export function rateProblem(rate: number): string | undefined {
  if (!Number.isInteger(rate) || rate < 1 || rate > MAX_MOVE_RATE) return `The velocity must be a whole number of messages per second from 1 to ${MAX_MOVE_RATE}.`;
  return undefined;
}

function queueOfArn(arn: string): string {
  return arn.slice(arn.lastIndexOf(':') + 1);
}

/**
 * A failed move-task call, told by its cause: the queue is not a DLQ, another task runs,
 * the RedriveAllowPolicy forbids it, access is denied, a queue is gone. Other errors keep
 * SQS's own words.
 */
export function explainMoveTaskError(err: SqsCallError, sourceArn: string, destinationArn?: string): string {
  const source = queueOfArn(sourceArn);
  const text = `${err.code} ${err.message}`;
  if (/RedriveAllowPolicy/i.test(text)) {
    return `The RedriveAllowPolicy forbids this redrive${destinationArn ? ` to ${queueOfArn(destinationArn)}` : ''}: ${err.message}`;
  }
  if (/Dead Letter Queue|dead-letter queue|not a DLQ/i.test(err.message)) {
    return `${source} is not a dead-letter queue: no queue's redrive policy names it, and SQS redrives only from a DLQ.`;
  }
  if (/already a task running|active task|task in progress/i.test(err.message)) {
    return `Another redrive task is running on ${source}: wait for it to end, or cancel it (SQS: Show Redrive Tasks).`;
  }
  if (/AccessDenied|NotAuthorized|UnauthorizedOperation|InvalidSecurity/i.test(err.code) || /not authorized|access denied/i.test(err.message)) {
    return `Access denied: a redrive needs sqs:StartMessageMoveTask, sqs:ReceiveMessage, sqs:DeleteMessage and sqs:GetQueueAttributes on ${source} and sqs:SendMessage on the destination. SQS said: ${err.message}`;
  }
  if (/same queue type/i.test(err.message)) return `${source} and ${destinationArn ? queueOfArn(destinationArn) : 'the destination'} must both be standard or both FIFO queues.`;
  if (err.code === 'ResourceNotFoundException' || err.code === 'QueueDoesNotExist') return `A queue of this redrive does not exist (any more): ${err.message}`;
  return `${err.code}: ${err.message}`;
}

/** Starts moving the messages of the dead-letter queue `sourceArn`; returns the task's handle. */
export async function startMoveTask(gateway: SqsGateway, sourceArn: string, options: RedriveOptions = {}): Promise<string> {
  if (options.rate !== undefined) {
    const problem = rateProblem(options.rate);
    if (problem) throw new SqsCallError(problem, 'InvalidParameterValue', 'StartMessageMoveTask', queueOfArn(sourceArn), false);
  }
  const out = await gateway.call('StartMessageMoveTask', queueOfArn(sourceArn), (c) =>
    c.send(
      new StartMessageMoveTaskCommand({
        SourceArn: sourceArn,
        ...(options.destinationArn ? { DestinationArn: options.destinationArn } : {}),
        ...(options.rate !== undefined ? { MaxNumberOfMessagesPerSecond: options.rate } : {}),
      }),
    ),
  );
  if (!out.TaskHandle) throw new SqsCallError('StartMessageMoveTask returned no task handle.', 'NoTaskHandle', 'StartMessageMoveTask', queueOfArn(sourceArn), false);
  return out.TaskHandle;
}

/** The newest move tasks of a source queue (at most 10, SQS's limit), newest first. */
export async function listMoveTasks(gateway: SqsGateway, sourceArn: string, max = 10): Promise<MoveTaskState[]> {
  const out = await gateway.call('ListMessageMoveTasks', queueOfArn(sourceArn), (c) =>
    c.send(new ListMessageMoveTasksCommand({ SourceArn: sourceArn, MaxResults: max })),
  );
  return (out.Results ?? []).map(toState);
}

/** Cancels a running task; returns how many messages it had moved. */
export async function cancelMoveTask(gateway: SqsGateway, handle: string, sourceArn: string): Promise<number> {
  const out = await gateway.call('CancelMessageMoveTask', queueOfArn(sourceArn), (c) => c.send(new CancelMessageMoveTaskCommand({ TaskHandle: handle })));
  return out.ApproximateNumberOfMessagesMoved ?? 0;
}

/** True once a task can change no more. */
export function isFinished(task: MoveTaskState): boolean {
  return task.status === 'COMPLETED' || task.status === 'CANCELLED' || task.status === 'FAILED';
}

/** `412 / 1,000 moved`, with the status when it is not RUNNING and the failure's reason. */
export function describeMoveTask(task: MoveTaskState): string {
  const counts = `${task.moved.toLocaleString('en-US')} / ${task.toMove.toLocaleString('en-US')} moved`;
  switch (task.status) {
    case 'RUNNING':
      return counts;
    case 'COMPLETED':
      return `completed: ${counts}`;
    case 'CANCELLING':
      return `cancelling: ${counts}`;
    case 'CANCELLED':
      return `cancelled: ${counts}`;
    case 'FAILED':
      return `failed: ${counts}${task.failureReason ? ` (${task.failureReason})` : ''}`;
  }
}

/** Where a task sends messages, in words: a queue's name or "their source queues". */
export function describeDestination(task: Pick<MoveTaskState, 'destinationArn'>): string {
  return task.destinationArn ? queueOfArn(task.destinationArn) : 'their source queues';
}

export interface WatchOptions {
  /** Between two `ListMessageMoveTasks` calls (ms). */
  readonly intervalMs: number;
  /** Stops the watch (not the task). */
  readonly signal?: AbortSignal;
  /** How to wait between polls; tests that drive the server's clock pass their own. */
  readonly sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Follows one task by polling `ListMessageMoveTasks`: yields its state after each poll
 * until it is COMPLETED, CANCELLED or FAILED (the last state yielded), or the signal aborts.
 * A running task is found by its handle; once it ended (SQS then drops the handle) by its
 * start time, learnt from the first poll.
 */
export async function* watchMoveTask(gateway: SqsGateway, sourceArn: string, handle: string, options: WatchOptions): AsyncGenerator<MoveTaskState> {
  const sleep = options.sleep ?? realSleep;
  let startedAt: number | undefined;
  for (;;) {
    if (options.signal?.aborted) return;
    const tasks = await listMoveTasks(gateway, sourceArn);
    const task = tasks.find((t) => t.handle === handle) ?? (startedAt !== undefined ? tasks.find((t) => t.startedAt === startedAt) : tasks[0]?.handle ? undefined : tasks[0]);
    if (!task) {
      throw new SqsCallError(`The move task of ${queueNameOf(queueOfArn(sourceArn))} is no longer listed.`, 'MoveTaskNotFound', 'ListMessageMoveTasks', queueOfArn(sourceArn), false);
    }
    startedAt ??= task.startedAt;
    yield task;
    if (isFinished(task)) return;
    await sleep(options.intervalMs);
  }
}

/** What one finished task did, in a line: for the list of recent tasks. */
export function describeOutcome(task: MoveTaskState): string {
  return `${describeMoveTask(task)} → ${describeDestination(task)}${task.rate !== undefined ? ` at ${task.rate}/s` : ''}`;
}
