import * as vscode from 'vscode';
import { startLocalServer, type RunningLocalServer } from '../local/server';
import { seedDemo } from '../local/seed';

const RUNNING_CONTEXT = 'sqsWorkbench.localServerRunning';

/**
 * Owns the built-in local SQS server while it runs inside the extension host: starts it on
 * 127.0.0.1 (the configured port, or a free one when that is taken), shows its endpoint in
 * the status bar, and stops it on command or when the extension deactivates.
 */
export class LocalServerController implements vscode.Disposable {
  private server: RunningLocalServer | undefined;
  private starting: Promise<RunningLocalServer> | undefined;
  private readonly statusItem: vscode.StatusBarItem;
  private readonly changed = new vscode.EventEmitter<RunningLocalServer | undefined>();
  /** Fires with the server when it starts and with `undefined` when it stops. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.statusItem = vscode.window.createStatusBarItem('sqsWorkbench.localServer', vscode.StatusBarAlignment.Left, 50);
    this.statusItem.name = 'SQS Local Server';
    void vscode.commands.executeCommand('setContext', RUNNING_CONTEXT, false);
  }

  get endpoint(): string | undefined {
    return this.server?.endpoint;
  }

  get running(): RunningLocalServer | undefined {
    return this.server;
  }

  /** Starts the server, or returns the one already running. */
  async start(): Promise<RunningLocalServer> {
    if (this.server) return this.server;
    this.starting ??= this.doStart().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async doStart(): Promise<RunningLocalServer> {
    const config = vscode.workspace.getConfiguration('sqsWorkbench.localServer');
    const port = config.get<number>('port', 9324);
    const region = config.get<string>('region', 'us-east-1');
    const server = await startLocalServer({ port, region, fallbackToFreePort: true });
    if (server.port !== port && port !== 0) {
      this.log.warn(`Port ${port} is taken; the local SQS server listens on ${server.port} instead.`);
    }
    if (config.get<string>('seed', 'none') === 'demo') {
      seedDemo(server.engine);
    }
    this.server = server;
    this.log.info(`Local SQS server started at ${server.endpoint} (region ${region}).`);
    this.statusItem.text = `$(server-process) SQS ${server.endpoint.replace('http://', '')}`;
    this.statusItem.tooltip = new vscode.MarkdownString(
      `**SQS Workbench local server**\n\nEndpoint: \`${server.endpoint}\`\n\nClick to copy the endpoint.`,
    );
    this.statusItem.command = 'sqsWorkbench.copyLocalServerEndpoint';
    this.statusItem.show();
    await vscode.commands.executeCommand('setContext', RUNNING_CONTEXT, true);
    this.changed.fire(server);
    return server;
  }

  /** Stops the server if it runs; every queue and message it held is gone. */
  async stop(): Promise<void> {
    await this.starting?.catch(() => undefined);
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.statusItem.hide();
    await server.close();
    this.log.info('Local SQS server stopped.');
    await vscode.commands.executeCommand('setContext', RUNNING_CONTEXT, false);
    this.changed.fire(undefined);
  }

  dispose(): void {
    void this.stop();
    this.statusItem.dispose();
    this.changed.dispose();
  }
}
