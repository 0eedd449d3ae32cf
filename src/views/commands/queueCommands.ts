import * as vscode from 'vscode';
import { deleteQueue, getQueueSnapshot, purgeQueue } from '../../sqs/queues';
import { SqsCallError } from '../../sqs/errors';
import { ConnectionNode } from '../explorer/nodes/connectionNode';
import { describeCounts } from '../explorer/nodes/queueNode';
import { askCreateQueue, runCreateQueue, type CreateQueueAnswers } from './createQueue';
import { attributesUri } from './queueAttributesDocument';
import { resolveConnection, resolveQueue } from './pickers';
import type { RegisterCommands } from './registry';

/** Options the commands take from callers that already know the answers (other commands, tests). */
export interface ConfirmOptions {
  /** Skip the modal confirmation: the caller has confirmed. */
  confirmed?: boolean;
}

function reportError(log: vscode.LogOutputChannel, what: string, err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  log.error(`${what}: ${err instanceof SqsCallError ? `${err.code}: ` : ''}${message}`);
  void vscode.window.showErrorMessage(`${what}: ${message}`, 'Show Log').then((choice) => {
    if (choice) log.show(true);
  });
}

type Services = Parameters<RegisterCommands>[0];

async function filterQueues(services: Services, arg?: unknown, value?: string): Promise<void> {
  const { connections: manager, explorer: provider, filters } = services;
  const connection = await resolveConnection(manager, arg);
  if (!connection) return;
  const id = connection.info.id;
  const filter =
    value ??
    (await vscode.window.showInputBox({
      title: `Filter queues of ${connection.info.name}`,
      prompt: 'Show the queues whose name contains this text (empty shows all)',
      value: filters.get(id) ?? '',
    }));
  if (filter === undefined) return;
  await filters.set(id, filter.trim() || undefined);
  provider.setFilter(id, filter.trim() || undefined);
}

async function createQueue(services: Services, arg?: unknown, given?: CreateQueueAnswers): Promise<string | undefined> {
  const { connections: manager, reveal, log } = services;
  const connection = await resolveConnection(manager, arg);
  if (!connection) return undefined;
  const answers = given ?? (await askCreateQueue(connection));
  if (!answers) return undefined;
  try {
    const url = await runCreateQueue(connection, answers);
    log.info(`Created queue ${answers.name} in ${connection.info.name}.`);
    const shown = await reveal.queue(connection.info.id, url);
    vscode.window.setStatusBarMessage(`$(check) Created queue ${answers.name}${shown ? '' : ' (hidden by the filter)'}`, 5000);
    return url;
  } catch (err) {
    reportError(log, `Could not create ${answers.name}`, err);
    return undefined;
  }
}

async function purge(services: Services, arg?: unknown, options?: ConfirmOptions): Promise<boolean> {
  const { connections: manager, log } = services;
  const target = await resolveQueue(manager, arg);
  if (!target) return false;
  const { connection, queue } = target;
  try {
    if (!options?.confirmed) {
      const fresh = await getQueueSnapshot(connection.gateway, queue.url);
      const answer = await vscode.window.showWarningMessage(
        `Purge every message of "${queue.name}"?`,
        { modal: true, detail: `It holds ${describeCounts(fresh)} right now. Purged messages cannot be recovered, and SQS allows one purge per queue every 60 seconds.` },
        'Purge',
      );
      if (answer !== 'Purge') return false;
    }
    await vscode.window.withProgress({ location: { viewId: 'sqsWorkbench.explorer' }, title: `Purging ${queue.name}` }, () =>
      purgeQueue(connection.gateway, queue.url),
    );
    log.info(`Purged ${queue.name} in ${connection.info.name}.`);
    await connection.catalog.refreshQueue(queue.url);
    vscode.window.setStatusBarMessage(`$(check) Purged ${queue.name}`, 5000);
    return true;
  } catch (err) {
    reportError(log, `Could not purge ${queue.name}`, err);
    return false;
  }
}

async function deleteQueueCommand(services: Services, arg?: unknown, options?: ConfirmOptions): Promise<boolean> {
  const { connections: manager, log } = services;
  const target = await resolveQueue(manager, arg);
  if (!target) return false;
  const { connection, queue } = target;
  if (!options?.confirmed) {
    const sources = queue.arn ? connection.catalog.deadLetterSources(queue.arn).map((q) => q.name) : [];
    const detail = [
      `The queue and its ${describeCounts(queue) === 'empty' ? 'messages (none right now)' : `messages (${describeCounts(queue)})`} are deleted for good.`,
      sources.length > 0 ? `It is the dead-letter queue of ${sources.join(', ')}; their redrive policies will point at a missing queue.` : '',
    ]
      .filter(Boolean)
      .join(' ');
    const answer = await vscode.window.showWarningMessage(`Delete the queue "${queue.name}"?`, { modal: true, detail }, 'Delete Queue');
    if (answer !== 'Delete Queue') return false;
  }
  try {
    await deleteQueue(connection.gateway, queue.url);
    log.info(`Deleted queue ${queue.name} in ${connection.info.name}.`);
    connection.catalog.forget(queue.url);
    vscode.window.setStatusBarMessage(`$(check) Deleted queue ${queue.name}`, 5000);
    return true;
  } catch (err) {
    reportError(log, `Could not delete ${queue.name}`, err);
    return false;
  }
}

/** Registers the explorer's queue and connection commands. */
export const register: RegisterCommands = (services) => {
  const { connections: manager, explorer: provider, refresher, filters, reveal, log } = services;
  const copy = (what: 'url' | 'arn' | 'name') => async (arg: unknown) => {
    const target = await resolveQueue(manager, arg);
    if (!target) return;
    const value = what === 'url' ? target.queue.url : what === 'arn' ? target.queue.arn : target.queue.name;
    await vscode.env.clipboard.writeText(value);
    void vscode.window.setStatusBarMessage(`Copied ${value}`, 3000);
  };

  return [
    vscode.commands.registerCommand('sqsWorkbench.refresh', async (arg?: unknown) => {
      const id = arg instanceof ConnectionNode ? arg.connection.info.id : undefined;
      await vscode.window.withProgress({ location: { viewId: 'sqsWorkbench.explorer' } }, () => refresher.refreshNow(id));
    }),

    vscode.commands.registerCommand('sqsWorkbench.filterQueues', (arg?: unknown, value?: string) => filterQueues(services, arg, value)),

    vscode.commands.registerCommand('sqsWorkbench.clearFilter', async (arg?: unknown) => {
      const connection = await resolveConnection(manager, arg);
      if (!connection) return;
      await filters.set(connection.info.id, undefined);
      provider.setFilter(connection.info.id, undefined);
    }),

    vscode.commands.registerCommand('sqsWorkbench.createQueue', (arg?: unknown, given?: CreateQueueAnswers) => createQueue(services, arg, given)),

    vscode.commands.registerCommand('sqsWorkbench.editQueueAttributes', async (arg?: unknown) => {
      const target = await resolveQueue(manager, arg);
      if (!target) return undefined;
      const uri = attributesUri(target.connection.info.id, target.queue.url);
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.languages.setTextDocumentLanguage(doc, 'json');
      await vscode.window.showTextDocument(doc, { preview: false });
      return uri;
    }),

    vscode.commands.registerCommand('sqsWorkbench.purgeQueue', (arg?: unknown, options?: ConfirmOptions) => purge(services, arg, options)),

    vscode.commands.registerCommand('sqsWorkbench.deleteQueue', (arg?: unknown, options?: ConfirmOptions) => deleteQueueCommand(services, arg, options)),

    vscode.commands.registerCommand('sqsWorkbench.copyQueueUrl', copy('url')),
    vscode.commands.registerCommand('sqsWorkbench.copyQueueArn', copy('arn')),
    vscode.commands.registerCommand('sqsWorkbench.copyQueueName', copy('name')),
    vscode.commands.registerCommand('sqsWorkbench.showLog', () => log.show(true)),
    // Run by clicking a dead-letter relation ("Dead-letter queue: X", "Fed by: Y").
    vscode.commands.registerCommand('sqsWorkbench.revealQueue', async (connectionId?: unknown, url?: unknown) => {
      if (typeof connectionId !== 'string' || typeof url !== 'string') return false;
      const shown = await reveal.queue(connectionId, url);
      if (!shown) vscode.window.setStatusBarMessage(`$(filter) ${url.slice(url.lastIndexOf('/') + 1)} is hidden by the filter`, 5000);
      return shown;
    }),
  ];
};
