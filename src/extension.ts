import * as vscode from 'vscode';
import { setDefaultErrorSink } from './common/events';
import { ATTRIBUTES_SCHEME, QueueAttributesFileSystem } from './views/commands/queueAttributesDocument';
import { registerConnectionCommands } from './views/commands/connectionCommands';
import { registerQueueCommands } from './views/commands/queueCommands';
import { SendCommands } from './views/commands/sendCommands';
import { KeyPaths } from './services/keyPaths';
import { Settings } from './services/settings';
import { vscodeSettingsSource } from './views/settingsSource';
import { LifecycleStore } from './model/lifecycle';
import { DuplicateIndex } from './model/duplicates';
import { FlagDecorations } from './views/explorer/flagDecorations';
import { ConnectionManager } from './views/explorer/connectionManager';
import { ExplorerProvider, type ExplorerNode, type FilterStore } from './views/explorer/explorerProvider';
import { RefreshManager } from './views/explorer/refreshManager';
import { LocalServerController, registerLocalServerCommands } from './views/localServerController';
import { ExplorerRevealer } from './views/explorer/reveal';
import { InspectorManager } from './views/inspector/inspectorManager';

/** What `activate` returns: the services, for the extension's own tests. */
export interface SqsWorkbenchApi {
  readonly localServer: LocalServerController;
  readonly connections: ConnectionManager;
  readonly explorer: ExplorerProvider;
  readonly refresher: RefreshManager;
  readonly lifecycle: LifecycleStore;
  readonly inspectors: InspectorManager;
  readonly duplicates: DuplicateIndex;
  readonly decorations: FlagDecorations;
  /** The explorer's tree view: its selection shows what a command revealed. */
  readonly view: vscode.TreeView<ExplorerNode>;
}

const VIEW_SHOWN_KEY = 'sqsWorkbench.viewShown';

let localServer: LocalServerController | undefined;
let inspectors: InspectorManager | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<SqsWorkbenchApi> {
  const log = vscode.window.createOutputChannel('SQS Workbench', { log: true });
  context.subscriptions.push(log, setDefaultErrorSink((err) => log.error(`An event listener failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`)));

  const settings = new Settings(vscodeSettingsSource());
  context.subscriptions.push(settings);
  localServer = new LocalServerController(log, settings);
  const server = localServer;
  const connections = new ConnectionManager(log, server, settings);
  const filters: FilterStore = {
    get: (id) => context.globalState.get<Record<string, string>>('sqsWorkbench.filters', {})[id],
    set: (id, filter) => {
      const all = { ...context.globalState.get<Record<string, string>>('sqsWorkbench.filters', {}) };
      if (filter) all[id] = filter;
      else delete all[id];
      return context.globalState.update('sqsWorkbench.filters', all);
    },
  };
  const explorer = new ExplorerProvider(connections, filters);
  const view = vscode.window.createTreeView<ExplorerNode>('sqsWorkbench.explorer', { treeDataProvider: explorer, showCollapseAll: true });
  const refresher = new RefreshManager(view, connections, log, settings);
  const reveal = new ExplorerRevealer(view, explorer);
  const attributesFileSystem = new QueueAttributesFileSystem(connections);
  const lifecycle = new LifecycleStore(settings.get('lifecycle.maxEvents'));
  // The flags follow the same bound as the record: one message per event at the most.
  const duplicates = new DuplicateIndex(settings.get('lifecycle.maxEvents'));
  const keyPaths = new KeyPaths(settings, log);
  context.subscriptions.push(
    keyPaths,
    settings.watch('lifecycle.maxEvents', (max) => {
      lifecycle.setMaxEvents(max);
      duplicates.setMaxMessages(max);
    }),
    lifecycle.onDidChange((change) => {
      duplicates.observe(change.added);
      if (change.dropped > 0) log.warn(`Lifecycle record full (sqsWorkbench.lifecycle.maxEvents): dropped ${change.dropped} of the oldest events, ${lifecycle.droppedTotal} in all.`);
    }),
    new SendCommands(connections, lifecycle, () => keyPaths.current, context.workspaceState, log, settings),
  );
  inspectors = new InspectorManager(connections, context.extensionUri, lifecycle, duplicates, () => keyPaths.current, context.workspaceState, log, settings);
  const decorations = new FlagDecorations(inspectors, duplicates);
  context.subscriptions.push(inspectors, decorations);
  context.subscriptions.push(
    server,
    connections,
    explorer,
    view,
    refresher,
    attributesFileSystem,
    vscode.workspace.registerFileSystemProvider(ATTRIBUTES_SCHEME, attributesFileSystem, { isCaseSensitive: true }),
    ...registerQueueCommands(connections, explorer, refresher, filters, reveal, log),
    ...registerConnectionCommands(connections, settings),
    ...registerLocalServerCommands(server, connections, reveal, log),
  );

  if (settings.get('localServer.autoStart')) {
    await server.start().catch((err: unknown) => log.error(`Local SQS server failed to start: ${String(err)}`));
  }
  await connections.reload();
  // The first time the extension runs in a profile, show its view: that is where it starts.
  if (!context.globalState.get<boolean>(VIEW_SHOWN_KEY)) {
    await context.globalState.update(VIEW_SHOWN_KEY, true);
    void vscode.commands.executeCommand('sqsWorkbench.explorer.focus');
  }
  return { localServer: server, connections, explorer, refresher, lifecycle, inspectors, duplicates, decorations, view };
}

export async function deactivate(): Promise<void> {
  // Release every held message while the clients still work, then stop the local server.
  await inspectors?.closeAll();
  inspectors = undefined;
  await localServer?.stop();
  localServer = undefined;
}
