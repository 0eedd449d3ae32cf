import * as vscode from 'vscode';
import { startLocalServer, type RunningLocalServer } from '../local/server';
import { seedDemo } from '../local/seed';
import { describeConnection, probeSqsServer } from '../sqs/connections';
import type { Settings } from '../services/settings';
import type { ConnectionManager } from './explorer/connectionManager';
import type { ExplorerRevealer } from './explorer/reveal';

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

  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly config: Settings,
  ) {
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

  /** The configured port and region. */
  get settings(): { port: number; region: string } {
    return { port: this.config.get('localServer.port'), region: this.config.get('localServer.region') };
  }

  /** Starts the server (on `port`, or the configured one), or returns the one already running. */
  async start(port?: number): Promise<RunningLocalServer> {
    if (this.server) return this.server;
    this.starting ??= this.doStart(port ?? this.settings.port).finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async doStart(port: number): Promise<RunningLocalServer> {
    const region = this.config.get('localServer.region');
    const server = await startLocalServer({ port, region, fallbackToFreePort: true });
    if (server.port !== port && port !== 0) {
      this.log.warn(`Port ${port} is taken; the local SQS server listens on ${server.port} instead.`);
    }
    if (this.config.get('localServer.seed') === 'demo') {
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

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** What Start Local Server does after looking at the configured port. */
type StartChoice = { kind: 'start'; port?: number } | { kind: 'useExisting'; endpoint: string } | { kind: 'cancelled' };

/**
 * When an SQS server already answers on the configured port (another window's built-in
 * server, or `npm start`), offers to use it rather than start an empty one on another port.
 */
async function offerServerOnPort(server: LocalServerController, manager: ConnectionManager, reveal: ExplorerRevealer): Promise<StartChoice> {
  const { port, region } = server.settings;
  if (port === 0) return { kind: 'start' };
  const endpoint = `http://127.0.0.1:${port}`;
  const found = await probeSqsServer(endpoint, region);
  if (!found) return { kind: 'start' };
  const shown = manager.all.find((c) => c.info.endpoint?.replace(/\/+$/, '') === endpoint || c.info.endpoint?.replace(/\/+$/, '') === `http://localhost:${port}`);
  const use = shown ? 'Show It' : 'Use It';
  const answer = await vscode.window.showInformationMessage(
    `An SQS server already answers at ${endpoint} (${found.queues} queue${found.queues === 1 ? '' : 's'}).`,
    {
      modal: true,
      detail: `${shown ? `The explorer shows it as "${shown.info.name}".` : 'It may be another window\'s local server or `npm start`; "Use It" adds it as a connection.'} "Start Another" starts an empty local server on a free port.`,
    },
    use,
    'Start Another',
  );
  if (answer === 'Start Another') return { kind: 'start', port: 0 };
  if (answer !== use) return { kind: 'cancelled' };
  if (shown) {
    await reveal.connection(shown.info.id);
    return { kind: 'useExisting', endpoint };
  }
  const name = describeConnection(endpoint, undefined, region);
  await vscode.commands.executeCommand('sqsWorkbench.addConnection', { name, region, endpoint });
  await reveal.connection(`config:${name}`);
  return { kind: 'useExisting', endpoint };
}

/** Start, Stop and Copy Endpoint of the built-in server. */
export function registerLocalServerCommands(server: LocalServerController, manager: ConnectionManager, reveal: ExplorerRevealer, log: vscode.LogOutputChannel): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('sqsWorkbench.startLocalServer', async () => {
      try {
        const choice: StartChoice = server.running ? { kind: 'start' } : await offerServerOnPort(server, manager, reveal);
        if (choice.kind === 'cancelled') return undefined;
        if (choice.kind === 'useExisting') return choice.endpoint;
        const running = await server.start(choice.port);
        // Transient: the status bar item keeps showing the endpoint while the server runs.
        vscode.window.setStatusBarMessage(`$(server-process) SQS local server running at ${running.endpoint}`, 5000);
        return running.endpoint;
      } catch (err) {
        log.error(`Local SQS server failed to start: ${errorText(err)}`);
        void vscode.window.showErrorMessage(`SQS local server failed to start: ${errorText(err)}`);
        return undefined;
      }
    }),
    vscode.commands.registerCommand('sqsWorkbench.stopLocalServer', async () => {
      if (!server.running) return;
      await server.stop();
      vscode.window.setStatusBarMessage('$(debug-stop) SQS local server stopped', 5000);
    }),
    vscode.commands.registerCommand('sqsWorkbench.copyLocalServerEndpoint', async () => {
      const endpoint = server.endpoint;
      if (!endpoint) return;
      await vscode.env.clipboard.writeText(endpoint);
      vscode.window.setStatusBarMessage(`Copied ${endpoint}`, 3000);
    }),
  ];
}
