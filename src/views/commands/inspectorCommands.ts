import * as vscode from 'vscode';
import { MAX_INSPECTOR_RECEIVE, type ReceiveOptions } from '../../shared/kinds';
import { readSession, showSession } from '../inspector/sessionViewer';
import type { RegisterCommands } from './registry';

/** Watch reads up to this many messages of the queue, then follows the trace. */
const WATCH: ReceiveOptions = { count: MAX_INSPECTOR_RECEIVE, waitSeconds: 0, visibilityTimeout: 30, mode: 'watch' };

/** Receive Messages and Watch Queue (each opens the queue's inspector) and Open Saved Session. */
export const register: RegisterCommands = ({ inspectors, extensionUri }) => [
  vscode.commands.registerCommand('sqsWorkbench.receiveMessages', (arg?: unknown, options?: ReceiveOptions & { confirmed?: boolean }) => inspectors.openAndReceive(arg, options)),
  // Watch receives nothing: on a server other than SQS Workbench's, the inspector says why it cannot.
  vscode.commands.registerCommand('sqsWorkbench.watchQueue', (arg?: unknown) => inspectors.openAndReceive(arg, WATCH)),
  vscode.commands.registerCommand('sqsWorkbench.openSession', async (file?: vscode.Uri) => {
    const target = file ?? (await vscode.window.showOpenDialog({ filters: { 'SQS Workbench session': ['json'] }, title: 'Open a saved inspector session' }))?.[0];
    if (!target) return undefined;
    try {
      return showSession(await readSession(target.fsPath), extensionUri);
    } catch (err) {
      void vscode.window.showErrorMessage(err instanceof Error ? err.message : String(err));
      return undefined;
    }
  }),
];
