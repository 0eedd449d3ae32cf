import { readFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import { isSavedSession, type SavedSession } from '../../protocol';
import { MAX_RECEIVE_MESSAGES, type ReceiveOptions } from '../../shared/kinds';
import { inspectorPanelOptions, WebviewHost } from './webviewHost';

/** Saved sessions have their own panel type: they are not brought back after a window reload. */
export const SESSION_VIEW_TYPE = 'sqsWorkbench.savedSession';

/** Reads and checks an exported session file. */
export async function readSession(file: string): Promise<SavedSession> {
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file} is not a JSON file: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!isSavedSession(doc)) throw new Error(`${file} is not an exported SQS Workbench session.`);
  return doc;
}

/** Every request but copying and opening a body: a saved session cannot be changed. */
function readOnly(): Promise<never> {
  return Promise.reject(new Error('This is a saved session: it is read-only.'));
}

/**
 * Shows an exported session in the inspector, read-only: the messages, their timelines and
 * flags as they were; bodies can be copied or opened, nothing can be received or changed.
 */
export function showSession(session: SavedSession, extensionUri: vscode.Uri): vscode.WebviewPanel {
  const title = `${session.queue.name} (saved ${session.savedAt.slice(0, 16).replace('T', ' ')})`;
  const panel = vscode.window.createWebviewPanel(SESSION_VIEW_TYPE, title, vscode.ViewColumn.Active, inspectorPanelOptions(extensionUri));
  const body = (id: string): string => session.messages.find((m) => m.messageId === id)?.body ?? '';
  const options: ReceiveOptions = { count: MAX_RECEIVE_MESSAGES, waitSeconds: 0, visibilityTimeout: session.queue.visibilityTimeout, mode: 'peek' };
  const host: WebviewHost = new WebviewHost(panel, extensionUri, {
    title: `Saved session of ${session.queue.name}`,
    onReady: () => {
      const now = Date.parse(session.savedAt) || Date.now();
      host.post({ method: 'host/state/set', params: { queue: session.queue, options, messages: session.messages, summary: session.summary, now, readOnly: true } });
    },
    handlers: {
      'message/body/copy': async (p) => {
        await vscode.env.clipboard.writeText(body(p.id));
        return {};
      },
      'message/body/open': async (p) => {
        await vscode.window.showTextDocument(await vscode.workspace.openTextDocument({ content: body(p.id) }), { viewColumn: vscode.ViewColumn.Beside });
        return {};
      },
      'messages/receive': readOnly,
      'messages/extend': readOnly,
      'messages/autoExtend/set': readOnly,
      'messages/release': readOnly,
      'messages/delete': readOnly,
      'messages/save': readOnly,
      'messages/move': readOnly,
      'messages/copy': readOnly,
      'message/resend': readOnly,
      'queue/redrive': readOnly,
      'session/export': readOnly,
    },
  });
  panel.onDidDispose(() => host.dispose());
  return panel;
}
