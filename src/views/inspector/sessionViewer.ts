import { readFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import { isSavedSession, isWebviewToHost, type HostToWebview, type SavedSession } from '../../protocol';
import { inspectorHtml } from './html';

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

/**
 * Shows an exported session in the inspector, read-only: the messages, their timelines and
 * flags as they were; bodies can be copied or opened, nothing can be received or changed.
 */
export function showSession(session: SavedSession, extensionUri: vscode.Uri): vscode.WebviewPanel {
  const panel = vscode.window.createWebviewPanel(SESSION_VIEW_TYPE, `${session.queue.name} (saved ${session.savedAt.slice(0, 16).replace('T', ' ')})`, vscode.ViewColumn.Active, {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview')],
  });
  panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'sqs.svg');
  panel.webview.html = inspectorHtml(panel.webview, extensionUri, `Saved session of ${session.queue.name}`);
  const post = (m: HostToWebview): void => void panel.webview.postMessage(m);
  const body = (id: string): string => session.messages.find((m) => m.messageId === id)?.body ?? '';
  const sub = panel.webview.onDidReceiveMessage(async (raw: unknown) => {
    if (!isWebviewToHost(raw)) return;
    if (raw.kind === 'notification') {
      if (raw.method === 'webview/ready') {
        const options = { count: 10, waitSeconds: 0, visibilityTimeout: session.queue.visibilityTimeout, mode: 'peek' as const };
        post({ method: 'host/state/set', params: { queue: session.queue, options, messages: session.messages, summary: session.summary, now: Date.parse(session.savedAt) || Date.now(), readOnly: true } });
      }
      return;
    }
    try {
      if (raw.method === 'message/body/copy') await vscode.env.clipboard.writeText(body(raw.params.id));
      else if (raw.method === 'message/body/open') await vscode.window.showTextDocument(await vscode.workspace.openTextDocument({ content: body(raw.params.id) }), { viewColumn: vscode.ViewColumn.Beside });
      else throw new Error('This is a saved session: it is read-only.');
      post({ method: 'host/reply', params: { id: raw.id, ok: true, result: {} } });
    } catch (err) {
      post({ method: 'host/reply', params: { id: raw.id, ok: false, error: err instanceof Error ? err.message : String(err) } });
    }
  });
  panel.onDidDispose(() => {
    sub.dispose();
  });
  return panel;
}
