import * as vscode from 'vscode';
import type { LocalServerService } from '../services/localServer';

const RUNNING_CONTEXT = 'sqsWorkbench.localServerRunning';

/**
 * What the window shows of the built-in server: its endpoint in the status bar (click to
 * copy) and the `sqsWorkbench.localServerRunning` context key the commands' enablement reads.
 */
export class LocalServerStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('sqsWorkbench.localServer', vscode.StatusBarAlignment.Left, 50);
  private readonly subscription: vscode.Disposable;

  constructor(server: LocalServerService) {
    this.item.name = 'SQS Local Server';
    this.item.command = 'sqsWorkbench.copyLocalServerEndpoint';
    void vscode.commands.executeCommand('setContext', RUNNING_CONTEXT, false);
    this.subscription = server.onDidChange((running) => {
      if (running) {
        this.item.text = `$(server-process) SQS ${running.endpoint.replace('http://', '')}`;
        this.item.tooltip = new vscode.MarkdownString(`**SQS Workbench local server**\n\nEndpoint: \`${running.endpoint}\`\n\nClick to copy the endpoint.`);
        this.item.show();
      } else {
        this.item.hide();
      }
      void vscode.commands.executeCommand('setContext', RUNNING_CONTEXT, running !== undefined);
    });
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }
}
