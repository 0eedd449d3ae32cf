import * as vscode from 'vscode';
import { LocalServerController } from './views/localServerController';

/** What `activate` returns: the services, for the extension's own tests. */
export interface SqsWorkbenchApi {
  readonly localServer: LocalServerController;
}

let localServer: LocalServerController | undefined;

export function activate(context: vscode.ExtensionContext): SqsWorkbenchApi {
  const log = vscode.window.createOutputChannel('SQS Workbench', { log: true });
  context.subscriptions.push(log);

  localServer = new LocalServerController(log);
  context.subscriptions.push(localServer);

  // The explorer is filled by the connections tree; until a connection exists it is empty
  // and the view shows its welcome content.
  context.subscriptions.push(
    vscode.window.registerTreeDataProvider<never>('sqsWorkbench.explorer', { getTreeItem: (e) => e, getChildren: () => [] }),
  );

  const server = localServer;
  context.subscriptions.push(
    vscode.commands.registerCommand('sqsWorkbench.startLocalServer', async () => {
      try {
        const running = await server.start();
        void vscode.window.showInformationMessage(`SQS local server running at ${running.endpoint}`);
        return running.endpoint;
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        log.error(`Local SQS server failed to start: ${message}`);
        void vscode.window.showErrorMessage(`SQS local server failed to start: ${message}`);
        return undefined;
      }
    }),
    vscode.commands.registerCommand('sqsWorkbench.stopLocalServer', () => server.stop()),
    vscode.commands.registerCommand('sqsWorkbench.copyLocalServerEndpoint', async () => {
      const endpoint = server.endpoint;
      if (!endpoint) return;
      await vscode.env.clipboard.writeText(endpoint);
      void vscode.window.setStatusBarMessage(`Copied ${endpoint}`, 3000);
    }),
  );

  return { localServer: server };
}

export async function deactivate(): Promise<void> {
  await localServer?.stop();
  localServer = undefined;
}
