import * as vscode from 'vscode';
import type { ReceiveOptions } from '../../shared/kinds';
import { readSession, showSession } from '../inspector/sessionViewer';
import type { RegisterCommands } from './registry';

/** Receive Messages (opens the queue's inspector) and Open Saved Session. */
export const register: RegisterCommands = ({ inspectors, extensionUri }) => [
  vscode.commands.registerCommand('sqsWorkbench.receiveMessages', (arg?: unknown, options?: ReceiveOptions & { confirmed?: boolean }) => inspectors.openAndReceive(arg, options)),
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
