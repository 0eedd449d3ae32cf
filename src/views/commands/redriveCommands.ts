import * as vscode from 'vscode';
import { MAX_MOVE_RATE } from '../../model/sqsLimits';
import { SqsCallError } from '../../sqs/errors';
import { describeDestination, describeMoveTask, describeOutcome, explainMoveTaskError, isFinished, rateProblem, type MoveTaskState } from '../../sqs/moveTasks';
import { getQueueSnapshot } from '../../sqs/queues';
import { QueueNode } from '../explorer/nodes/queueNode';
import { resolveConnection, type QueueTarget } from './pickers';
import type { CommandServices, RegisterCommands } from './registry';

/** A queue named by a caller that has no tree node (the inspector, tests). */
export interface QueueRef {
  readonly connectionId: string;
  readonly queueUrl: string;
}

/** What Redrive asks, given by callers that know it already (tests). */
export interface RedriveRequest {
  /** A queue's ARN; without it, each message goes back to its source queue. */
  readonly destinationArn?: string;
  /** Messages per second, 1..500; without it, SQS chooses. */
  readonly rate?: number;
  /** Skip the confirmation: the caller has confirmed. */
  readonly confirmed?: boolean;
}

function isQueueRef(v: unknown): v is QueueRef {
  return typeof v === 'object' && v !== null && typeof (v as QueueRef).connectionId === 'string' && typeof (v as QueueRef).queueUrl === 'string';
}

/** The dead-letter queue a command acts on: the node, the inspector's queue, or one the user picks among the DLQs. */
async function resolveDeadLetterQueue(services: CommandServices, arg: unknown): Promise<QueueTarget | undefined> {
  if (arg instanceof QueueNode) return { connection: arg.connection, queue: arg.snapshot };
  if (isQueueRef(arg)) {
    const connection = services.connections.get(arg.connectionId);
    if (!connection) return undefined;
    return { connection, queue: connection.catalog.queue(arg.queueUrl) ?? (await getQueueSnapshot(connection.gateway, arg.queueUrl)) };
  }
  const connection = await resolveConnection(services.connections, arg);
  if (!connection) return undefined;
  if (connection.catalog.status !== 'ready') await connection.catalog.refresh();
  const dlqs = connection.catalog.queues.filter((q) => q.arn && connection.catalog.isDeadLetterQueue(q.arn));
  if (dlqs.length === 0) {
    void vscode.window.showInformationMessage(`${connection.info.name} has no dead-letter queue: no queue's redrive policy names one.`);
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(
    dlqs.map((q) => ({ label: q.name, description: `${q.visible} visible · fed by ${connection.catalog.deadLetterSources(q.arn).map((s) => s.name).join(', ')}`, queue: q })),
    { title: 'Choose a dead-letter queue' },
  );
  return pick ? { connection, queue: pick.queue } : undefined;
}

/** Where to: back to the source queues, or a queue of the same type. */
async function askDestination(target: QueueTarget): Promise<{ destinationArn?: string } | undefined> {
  const { connection, queue } = target;
  const sources = connection.catalog.deadLetterSources(queue.arn).map((q) => q.name);
  type Item = vscode.QuickPickItem & { arn?: string };
  const items: Item[] = [
    { label: '$(debug-restart) Their source queues', description: sources.join(', '), detail: 'Each message goes back to the queue it was moved to the DLQ from.' },
    { label: 'Another queue', kind: vscode.QuickPickItemKind.Separator },
    ...connection.catalog.queues.filter((q) => q.url !== queue.url && q.fifo === queue.fifo && q.arn).map((q) => ({ label: q.name, arn: q.arn })),
  ];
  const pick = await vscode.window.showQuickPick(items, { title: `Redrive ${queue.name}: to`, placeHolder: 'Where the messages go' });
  if (!pick) return undefined;
  return pick.arn ? { destinationArn: pick.arn } : {};
}

/** How fast: as fast as possible (SQS chooses), or N messages per second. */
async function askRate(queueName: string): Promise<{ rate?: number } | undefined> {
  const pick = await vscode.window.showQuickPick(
    [
      { label: '$(rocket) As fast as possible', detail: 'SQS chooses the rate from the backlog.', custom: false },
      { label: '$(dashboard) Messages per second…', detail: `A fixed rate from 1 to ${MAX_MOVE_RATE}, to spare the consumers.`, custom: true },
    ],
    { title: `Redrive ${queueName}: velocity` },
  );
  if (!pick) return undefined;
  if (!pick.custom) return {};
  const text = await vscode.window.showInputBox({
    title: `Redrive ${queueName}: messages per second`,
    prompt: `1 to ${MAX_MOVE_RATE}`,
    value: '10',
    validateInput: (v) => rateProblem(Number(v.trim())),
  });
  return text === undefined ? undefined : { rate: Number(text.trim()) };
}

function report(log: vscode.LogOutputChannel, text: string): void {
  log.error(text);
  void vscode.window.showErrorMessage(text, 'Show Log').then((choice) => {
    if (choice) log.show(true);
  });
}

/**
 * Redrive: asks the destination and the velocity, confirms with the count and the
 * destination, starts the move task and follows it in a cancellable progress notification
 * (Cancel calls CancelMessageMoveTask). Resolves with the task's last state.
 */
async function redrive(services: CommandServices, arg: unknown, request?: RedriveRequest): Promise<MoveTaskState | undefined> {
  const { log, redrives } = services;
  const target = await resolveDeadLetterQueue(services, arg);
  if (!target) return undefined;
  const { connection, queue } = target;
  if (!connection.catalog.isDeadLetterQueue(queue.arn)) {
    report(log, `Cannot redrive ${queue.name}: it is not a dead-letter queue (no queue's redrive policy names it), and SQS redrives only from a DLQ.`);
    return undefined;
  }
  const running = redrives.running(queue.url);
  if (running) {
    void vscode.window.showWarningMessage(`A redrive of ${queue.name} is running: ${describeMoveTask(running)}.`);
    return undefined;
  }
  const destination = request ? (request.destinationArn ? { destinationArn: request.destinationArn } : {}) : await askDestination(target);
  if (!destination) return undefined;
  const velocity = request ? (request.rate !== undefined ? { rate: request.rate } : {}) : await askRate(queue.name);
  if (!velocity) return undefined;
  const where = destination.destinationArn ? describeDestination(destination) : `their source queues (${connection.catalog.deadLetterSources(queue.arn).map((q) => q.name).join(', ')})`;
  try {
    if (!request?.confirmed) {
      const fresh = await getQueueSnapshot(connection.gateway, queue.url);
      const answer = await vscode.window.showWarningMessage(
        `Redrive ${fresh.visible} message(s) from "${queue.name}" to ${where}?`,
        {
          modal: true,
          detail: `${velocity.rate !== undefined ? `At ${velocity.rate} messages per second.` : 'As fast as SQS allows.'} Messages in flight or delayed now are not moved. Moved messages are new messages there: they keep body and attributes.`,
        },
        'Redrive',
      );
      if (answer !== 'Redrive') return undefined;
    }
    const followed = await redrives.start(connection.gateway, queue, { ...destination, ...velocity });
    log.info(`Redrive of ${queue.name} to ${where} started${velocity.rate !== undefined ? ` at ${velocity.rate}/s` : ''}.`);
    return await showProgress(services, target, followed.finished);
  } catch (err) {
    const text = err instanceof SqsCallError ? explainMoveTaskError(err, queue.arn, destination.destinationArn) : err instanceof Error ? err.message : String(err);
    report(log, `Could not redrive ${queue.name}: ${text}`);
    return undefined;
  }
}

/** The progress notification of a followed redrive: moved / to move, status; Cancel cancels the task. */
async function showProgress(services: CommandServices, target: QueueTarget, finished: Promise<MoveTaskState>): Promise<MoveTaskState> {
  const { connection, queue } = target;
  const final = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Redrive ${queue.name}`, cancellable: true },
    async (progress, token) => {
      let done = 0;
      const sub = services.redrives.onDidChange((change) => {
        if (change.queueUrl !== queue.url || !change.task) return;
        const t = change.task;
        const fraction = t.toMove > 0 ? Math.min(100, (t.moved / t.toMove) * 100) : 100;
        progress.report({ message: describeMoveTask(t), increment: Math.max(0, fraction - done) });
        done = Math.max(done, fraction);
      });
      const cancel = token.onCancellationRequested(() => {
        services.redrives.cancel(connection.gateway, queue.url).catch((err: unknown) => report(services.log, `Could not cancel the redrive of ${queue.name}: ${err instanceof Error ? err.message : String(err)}`));
      });
      try {
        return await finished;
      } finally {
        sub.dispose();
        cancel.dispose();
      }
    },
  );
  void connection.catalog.refresh().catch(() => undefined);
  const text = `Redrive of ${queue.name}: ${describeOutcome(final)}`;
  services.log.info(text);
  if (final.status === 'FAILED') report(services.log, text);
  else void vscode.window.showInformationMessage(text);
  return final;
}

/** Show Redrive Tasks: the queue's recent tasks with their outcome; a running one can be followed or cancelled. */
async function showTasks(services: CommandServices, arg: unknown): Promise<MoveTaskState[] | undefined> {
  const target = await resolveDeadLetterQueue(services, arg);
  if (!target) return undefined;
  const { connection, queue } = target;
  let tasks: MoveTaskState[];
  try {
    tasks = await services.redrives.recent(connection.gateway, queue);
  } catch (err) {
    report(services.log, `Could not list the redrive tasks of ${queue.name}: ${err instanceof SqsCallError ? explainMoveTaskError(err, queue.arn) : String(err)}`);
    return undefined;
  }
  if (tasks.length === 0) {
    void vscode.window.showInformationMessage(`${queue.name} has no recent redrive task.`);
    return tasks;
  }
  const pick = await vscode.window.showQuickPick(
    tasks.map((t) => ({
      label: `${isFinished(t) ? (t.status === 'COMPLETED' ? '$(check)' : t.status === 'FAILED' ? '$(error)' : '$(circle-slash)') : '$(sync~spin)'} ${t.status}`,
      description: describeOutcome(t),
      detail: `Started ${new Date(t.startedAt).toLocaleString()}${t.failureReason ? ` · ${t.failureReason}` : ''}${isFinished(t) ? '' : ' · choose to cancel it'}`,
      task: t,
    })),
    { title: `Redrive tasks of ${queue.name} (newest first)` },
  );
  if (pick && !isFinished(pick.task)) await cancelRedrive(services, target);
  return tasks;
}

/** Cancels the redrive of a queue; resolves with the messages moved before it stopped. */
async function cancelRedrive(services: CommandServices, arg: unknown, options?: { confirmed?: boolean }): Promise<number | undefined> {
  const target = isQueueTarget(arg) ? arg : await resolveDeadLetterQueue(services, arg);
  if (!target) return undefined;
  const { connection, queue } = target;
  if (!options?.confirmed) {
    const answer = await vscode.window.showWarningMessage(`Cancel the redrive of "${queue.name}"?`, { modal: true, detail: 'Messages moved so far stay where they went; the rest stays in the dead-letter queue.' }, 'Cancel Redrive');
    if (answer !== 'Cancel Redrive') return undefined;
  }
  try {
    return await services.redrives.cancel(connection.gateway, queue.url);
  } catch (err) {
    report(services.log, `Could not cancel the redrive of ${queue.name}: ${err instanceof SqsCallError ? explainMoveTaskError(err, queue.arn) : String(err)}`);
    return undefined;
  }
}

function isQueueTarget(v: unknown): v is QueueTarget {
  return typeof v === 'object' && v !== null && 'connection' in v && 'queue' in v;
}

/** Registers Redrive, Show Redrive Tasks and Cancel Redrive, and shows redrive progress on the DLQ's node. */
export const register: RegisterCommands = (services) => [
  services.redrives.onDidChange((change) => services.explorer.setRedrive(change.queueUrl, change.task)),
  vscode.commands.registerCommand('sqsWorkbench.redrive', (arg?: unknown, request?: RedriveRequest) => redrive(services, arg, request)),
  vscode.commands.registerCommand('sqsWorkbench.showRedriveTasks', (arg?: unknown) => showTasks(services, arg)),
  vscode.commands.registerCommand('sqsWorkbench.cancelRedrive', (arg?: unknown, options?: { confirmed?: boolean }) => cancelRedrive(services, arg, options)),
];
