import * as vscode from 'vscode';
import type { ConnectionManager } from '../../services/connections';

/** Keeps `sqsWorkbench.hasConnections` (which hides the explorer's welcome view) with the connections. */
export function followConnectionsContext(connections: ConnectionManager): vscode.Disposable {
  const subscription = connections.onDidChange(() => void vscode.commands.executeCommand('setContext', 'sqsWorkbench.hasConnections', !connections.isEmpty));
  return new vscode.Disposable(() => subscription.dispose());
}
