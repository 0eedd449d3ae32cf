import * as vscode from 'vscode';

export const QUEUE_SCHEME = 'sqs-queue';

/** The resource URI a queue node carries, so that a decoration can badge it. */
export function queueResourceUri(connectionId: string, queueUrl: string): vscode.Uri {
  return vscode.Uri.from({ scheme: QUEUE_SCHEME, path: `/${encodeURIComponent(connectionId)}/${encodeURIComponent(queueUrl)}` });
}
