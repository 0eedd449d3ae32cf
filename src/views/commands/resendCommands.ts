import * as vscode from 'vscode';
import type { SavableMessage } from '../../model/savedMessages';
import { sendMessage } from '../../sqs/messages';
import { getQueueSnapshot } from '../../sqs/queues';
import { readResendDocument, resendDocument } from '../../sqs/resend';
import { queueLimitsFrom } from '../../sqs/sending';
import type { CommandServices, RegisterCommands } from './registry';

/** What Edit and Resend is run with: the inspector's queue and the message as it shows it. */
export interface ResendArgs {
  readonly connectionId: string;
  readonly queueUrl: string;
  readonly message: SavableMessage;
}

interface ResendTarget {
  readonly connectionId: string;
  readonly queueUrl: string;
  readonly originalId: string;
}

const ACTIVE_CONTEXT = 'sqsWorkbench.resendDocumentActive';

function isResendArgs(v: unknown): v is ResendArgs {
  if (typeof v !== 'object' || v === null) return false;
  const a = v as ResendArgs;
  return typeof a.connectionId === 'string' && typeof a.queueUrl === 'string' && typeof a.message === 'object' && a.message !== null && typeof a.message.body === 'string';
}

/**
 * Edit and Resend: the message opens as an editable JSON document (a Batch Send entry);
 * Send Edited Message (the editor's title button) checks it as Send Message checks a
 * message and sends it to the message's queue as a new message, linked to its original in
 * the lifecycle record.
 */
class ResendDocuments {
  private readonly targets = new Map<string, ResendTarget>();

  constructor(private readonly services: CommandServices) {}

  async open(arg: unknown): Promise<vscode.Uri | undefined> {
    if (!isResendArgs(arg)) return undefined;
    const connection = this.services.connections.get(arg.connectionId);
    if (!connection) return undefined;
    const queue = await getQueueSnapshot(connection.gateway, arg.queueUrl);
    const content = resendDocument(arg.message, queueLimitsFrom(queue.attributes, queue.name));
    const doc = await vscode.workspace.openTextDocument({ content, language: 'json' });
    this.targets.set(doc.uri.toString(), { connectionId: arg.connectionId, queueUrl: arg.queueUrl, originalId: arg.message.messageId });
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: false });
    await this.updateContext(vscode.window.activeTextEditor);
    vscode.window.setStatusBarMessage(`$(edit) Edit the message, then Send Edited Message (the editor's title bar) sends it to ${queue.name}.`, 8000);
    return doc.uri;
  }

  /** Sends the edited document (the given one, or the active editor's); resolves with the new MessageId. */
  async send(arg: unknown): Promise<string | undefined> {
    const uri = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
    const target = uri ? this.targets.get(uri.toString()) : undefined;
    const doc = uri ? vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString()) : undefined;
    if (!target || !doc) {
      void vscode.window.showWarningMessage('This editor is not a message opened with Edit and Resend.');
      return undefined;
    }
    const connection = this.services.connections.get(target.connectionId);
    if (!connection) {
      void vscode.window.showErrorMessage('The connection of this message is gone.');
      return undefined;
    }
    try {
      const queue = await getQueueSnapshot(connection.gateway, target.queueUrl);
      const read = readResendDocument(doc.getText(), queueLimitsFrom(queue.attributes, queue.name));
      if ('problems' in read) {
        void vscode.window.showErrorMessage(`Not sent: ${read.problems.map((p) => `${p.field}: ${p.message}`).join(' ')}`);
        return undefined;
      }
      const sent = await sendMessage(connection.gateway, queue.url, read.message);
      this.services.recorder.copied(
        [{ original: { messageId: target.originalId, queueUrl: queue.url }, copy: { ...read.message, messageId: sent.messageId, queueUrl: queue.url, at: sent.at, ...(sent.sequenceNumber ? { sequenceNumber: sent.sequenceNumber } : {}) } }],
        'resend',
      );
      this.services.log.info(`Resent an edited copy of ${target.originalId} to ${queue.name} as ${sent.messageId}.`);
      void connection.catalog.refreshQueue(queue.url).catch(() => undefined);
      void vscode.window.showInformationMessage(`Sent the edited message to ${queue.name} as ${sent.messageId}.`);
      return sent.messageId;
    } catch (err) {
      const text = err instanceof Error ? err.message : String(err);
      this.services.log.error(`Edit and Resend failed: ${text}`);
      void vscode.window.showErrorMessage(`Could not send the edited message: ${text}`);
      return undefined;
    }
  }

  updateContext(editor: vscode.TextEditor | undefined): Thenable<unknown> {
    return vscode.commands.executeCommand('setContext', ACTIVE_CONTEXT, editor !== undefined && this.targets.has(editor.document.uri.toString()));
  }

  forget(doc: vscode.TextDocument): void {
    this.targets.delete(doc.uri.toString());
  }
}

/** Registers Edit and Resend and Send Edited Message. */
export const register: RegisterCommands = (services) => {
  const documents = new ResendDocuments(services);
  return [
    vscode.commands.registerCommand('sqsWorkbench.editAndResend', (arg?: unknown) => documents.open(arg)),
    vscode.commands.registerCommand('sqsWorkbench.sendEditedMessage', (arg?: unknown) => documents.send(arg)),
    vscode.window.onDidChangeActiveTextEditor((editor) => void documents.updateContext(editor)),
    vscode.workspace.onDidCloseTextDocument((doc) => documents.forget(doc)),
  ];
};
