import * as vscode from 'vscode';
import { describeConnection, probeSqsServer } from '../../sqs/connections';
import type { CommandServices, RegisterCommands } from './registry';

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** What Start Local Server does after looking at the configured port. */
type StartChoice = { kind: 'start'; port?: number } | { kind: 'useExisting'; endpoint: string } | { kind: 'cancelled' };

/**
 * When an SQS server already answers on the configured port (another window's built-in
 * server, or `npm start`), offers to use it rather than start an empty one on another port.
 */
async function offerServerOnPort({ localServer, connections, reveal }: CommandServices): Promise<StartChoice> {
  const { port, region } = localServer.configured;
  if (port === 0) return { kind: 'start' };
  const endpoint = `http://127.0.0.1:${port}`;
  const found = await probeSqsServer(endpoint, region);
  if (!found) return { kind: 'start' };
  const shown = connections.all.find((c) => c.info.endpoint?.replace(/\/+$/, '') === endpoint || c.info.endpoint?.replace(/\/+$/, '') === `http://localhost:${port}`);
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

/** Start, Restart, Stop and Copy Endpoint of the built-in server. */
export const register: RegisterCommands = (services) => {
  const { localServer: server, log } = services;
  // One transient message at a time, withdrawn when the process dies: "running at" must not
  // stand beside "stopped".
  let message: vscode.Disposable | undefined;
  const flash = (text: string, ms: number): void => {
    message?.dispose();
    message = vscode.window.setStatusBarMessage(text, ms);
  };
  return [
    server.onDidChange(() => {
      if (server.failure) message?.dispose();
    }),
    {
      dispose: () => {
        message?.dispose();
      },
    },
    vscode.commands.registerCommand('sqsWorkbench.startLocalServer', async () => {
      try {
        const choice: StartChoice = server.running ? { kind: 'start' } : await offerServerOnPort(services);
        if (choice.kind === 'cancelled') return undefined;
        if (choice.kind === 'useExisting') return choice.endpoint;
        const running = await server.start(choice.port);
        // Transient: the status bar item keeps showing the endpoint while the server runs.
        flash(`$(server-process) SQS local server running at ${running.endpoint}`, 5000);
        return running.endpoint;
      } catch (err) {
        log.error(`Local SQS server failed to start: ${errorText(err)}`);
        void vscode.window.showErrorMessage(`SQS local server failed to start: ${errorText(err)}`);
        return undefined;
      }
    }),
    vscode.commands.registerCommand('sqsWorkbench.restartLocalServer', async () => {
      try {
        const running = await server.restart();
        flash(`$(server-process) SQS local server running at ${running.endpoint}`, 5000);
        return running.endpoint;
      } catch (err) {
        log.error(`Local SQS server failed to restart: ${errorText(err)}`);
        void vscode.window.showErrorMessage(`SQS local server failed to restart: ${errorText(err)}`);
        return undefined;
      }
    }),
    vscode.commands.registerCommand('sqsWorkbench.stopLocalServer', async () => {
      if (!server.running && !server.failure) return;
      await server.stop();
      flash('$(debug-stop) SQS local server stopped', 5000);
    }),
    vscode.commands.registerCommand('sqsWorkbench.copyLocalServerEndpoint', async () => {
      const endpoint = server.endpoint;
      if (!endpoint) return;
      await vscode.env.clipboard.writeText(endpoint);
      flash(`Copied ${endpoint}`, 3000);
    }),
  ];
};
