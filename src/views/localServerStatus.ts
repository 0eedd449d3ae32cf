import * as vscode from 'vscode';
import type { LocalServerService } from '../services/localServer';
import type { LocalServerFaults } from '../services/localServerFaults';

const RUNNING_CONTEXT = 'sqsWorkbench.localServerRunning';
const FAILED_CONTEXT = 'sqsWorkbench.localServerFailed';

/**
 * What the window shows of the built-in server: its endpoint in the status bar (click to
 * copy), or that its process stopped unexpectedly (click to restart), and the
 * `sqsWorkbench.localServerRunning` and `sqsWorkbench.localServerFailed` context keys the commands' enablement reads;
 * beside it, the fault plan in force while it injects any (click to change it).
 */
export class LocalServerStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('sqsWorkbench.localServer', vscode.StatusBarAlignment.Left, 50);
  private readonly faultsItem = vscode.window.createStatusBarItem('sqsWorkbench.localServerFaults', vscode.StatusBarAlignment.Left, 49);
  private readonly subscription: vscode.Disposable;
  private readonly faultsSubscription: vscode.Disposable;
  private faultsShown = false;

  constructor(server: LocalServerService, faults: LocalServerFaults) {
    this.item.name = 'SQS Local Server';
    this.faultsItem.name = 'SQS Local Server Faults';
    this.faultsItem.command = 'sqsWorkbench.localServerFaults';
    this.faultsItem.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
    this.faultsSubscription = faults.onDidChange((active) => {
      if (!active) {
        this.faultsShown = false;
        this.faultsItem.hide();
        return;
      }
      this.faultsItem.text = `$(bug) Faults: ${active.description}`;
      this.faultsItem.tooltip = new vscode.MarkdownString(
        `**SQS server faults injected**\n\n${active.endpoint}: ${active.description} (seed ${active.plan.seed})\n\nClick to change them.`,
      );
      this.faultsShown = true;
      this.faultsItem.show();
    });
    void vscode.commands.executeCommand('setContext', RUNNING_CONTEXT, false);
    this.subscription = server.onDidChange((running) => {
      const failure = server.failure;
      if (running) {
        this.item.text = `$(server-process) SQS ${running.endpoint.replace('http://', '')}`;
        this.item.tooltip = new vscode.MarkdownString(`**SQS Workbench local server**\n\nEndpoint: \`${running.endpoint}\`\n\nClick to copy the endpoint.`);
        this.item.command = 'sqsWorkbench.copyLocalServerEndpoint';
        this.item.backgroundColor = undefined;
        this.item.show();
      } else if (failure) {
        this.item.text = '$(error) SQS local server stopped';
        this.item.tooltip = new vscode.MarkdownString(`**${failure.message}**\n\nEvery queue and message it held is gone.\n\nClick to restart it.`);
        this.item.command = { title: 'Restart Local Server', command: 'sqsWorkbench.restartLocalServer' };
        this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
        this.item.show();
      } else {
        this.item.hide();
      }
      void vscode.commands.executeCommand('setContext', RUNNING_CONTEXT, running !== undefined);
      void vscode.commands.executeCommand('setContext', FAILED_CONTEXT, !running && failure !== undefined);
    });
  }

  /** What the item shows: for tests. */
  get shown(): { text: string; tooltip: string; command: string | undefined } {
    const tooltip = this.item.tooltip;
    const command = this.item.command;
    return {
      text: this.item.text,
      tooltip: typeof tooltip === 'string' ? tooltip : (tooltip?.value ?? ''),
      command: typeof command === 'string' ? command : command?.command,
    };
  }

  /** What the faults item shows, or undefined while hidden: for tests. */
  get shownFaults(): string | undefined {
    return this.faultsShown ? this.faultsItem.text : undefined;
  }

  dispose(): void {
    this.subscription.dispose();
    this.faultsSubscription.dispose();
    this.faultsItem.dispose();
    this.item.dispose();
  }
}
