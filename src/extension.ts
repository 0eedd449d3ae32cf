import * as vscode from 'vscode';
import { setDefaultErrorSink } from './common/events';
import type { DuplicateIndex } from './model/duplicates';
import type { LifecycleStore } from './model/lifecycle';
import { ConnectionManager } from './services/connections';
import { KeyPaths } from './services/keyPaths';
import { LifecycleRecorder } from './services/lifecycleRecorder';
import { LocalServerService } from './services/localServer';
import { LocalServerFaults } from './services/localServerFaults';
import { QueueActivityHub } from './services/queueActivityHub';
import { Redrives } from './services/redrives';
import { TraceFeed } from './services/traceFeed';
import { Settings } from './services/settings';
import { register as registerConnectionCommands } from './views/commands/connectionCommands';
import { register as registerInspectorCommands } from './views/commands/inspectorCommands';
import { register as registerLocalServerCommands } from './views/commands/localServerCommands';
import { register as registerFaultCommands } from './views/commands/faultCommands';
import { ATTRIBUTES_SCHEME, QueueAttributesFileSystem } from './views/commands/queueAttributesDocument';
import { register as registerQueueCommands } from './views/commands/queueCommands';
import { register as registerRedriveCommands } from './views/commands/redriveCommands';
import { register as registerResendCommands } from './views/commands/resendCommands';
import type { CommandServices, RegisterCommands } from './views/commands/registry';
import { register as registerSendCommands } from './views/commands/sendCommands';
import { ExplorerProvider, type ExplorerNode, type FilterStore } from './views/explorer/explorerProvider';
import { FlagDecorations } from './views/explorer/flagDecorations';
import { RefreshManager } from './views/explorer/refreshManager';
import { ExplorerRevealer } from './views/explorer/reveal';
import { followConnectionsContext } from './views/explorer/welcomeContext';
import { notifyDlqFilling } from './views/inspector/activityHost';
import { InspectorManager } from './views/inspector/inspectorManager';
import { LocalServerStatus } from './views/localServerStatus';
import { vscodeSettingsSource } from './views/settingsSource';

/** What `activate` returns: the services, for the extension's own tests. */
export interface SqsWorkbenchApi {
  readonly localServer: LocalServerService;
  readonly localServerStatus: LocalServerStatus;
  readonly connections: ConnectionManager;
  readonly explorer: ExplorerProvider;
  readonly refresher: RefreshManager;
  readonly lifecycle: LifecycleStore;
  readonly inspectors: InspectorManager;
  readonly duplicates: DuplicateIndex;
  readonly decorations: FlagDecorations;
  readonly redrives: Redrives;
  /** The explorer's tree view: its selection shows what a command revealed. */
  readonly view: vscode.TreeView<ExplorerNode>;
}

const VIEW_SHOWN_KEY = 'sqsWorkbench.viewShown';
const FILTERS_KEY = 'sqsWorkbench.filters';

/** Every feature's commands, registered the one way. */
const COMMANDS: readonly RegisterCommands[] = [
  registerLocalServerCommands,
  registerFaultCommands,
  registerConnectionCommands,
  registerQueueCommands,
  registerSendCommands,
  registerInspectorCommands,
  registerRedriveCommands,
  registerResendCommands,
];
/** How often a running redrive's progress is read (ListMessageMoveTasks). */
const REDRIVE_POLL_MS = 1_000;

let localServer: LocalServerService | undefined;
let inspectors: InspectorManager | undefined;

/** The explorer's per-connection queue filters, kept in the global state. */
function filterStore(state: vscode.Memento): FilterStore {
  return {
    get: (id) => state.get<Record<string, string>>(FILTERS_KEY, {})[id],
    set: (id, filter) => {
      const all = { ...state.get<Record<string, string>>(FILTERS_KEY, {}) };
      if (filter) all[id] = filter;
      else delete all[id];
      return state.update(FILTERS_KEY, all);
    },
  };
}

export async function activate(context: vscode.ExtensionContext): Promise<SqsWorkbenchApi> {
  const log = vscode.window.createOutputChannel('SQS Workbench', { log: true });
  const own = <T extends vscode.Disposable | { dispose(): void }>(item: T): T => {
    context.subscriptions.push(item);
    return item;
  };
  own(log);
  own(setDefaultErrorSink((err) => log.error(`An event listener failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`)));

  // The services: plain Node, owned here once and handed to the views.
  const settings = own(new Settings(vscodeSettingsSource()));
  const server = own(new LocalServerService(log, settings, { script: vscode.Uri.joinPath(context.extensionUri, 'dist', 'local-sqs.js').fsPath }));
  localServer = server;
  const faults = own(new LocalServerFaults(log, server));
  const connections = own(new ConnectionManager(log, server, settings));
  const keyPaths = own(new KeyPaths(settings, log));
  const recorder = own(new LifecycleRecorder(settings, keyPaths, log));
  const redrives = own(new Redrives({ pollMs: REDRIVE_POLL_MS }));
  // A workbench local server behind any connection (the built-in one included) tells what other processes do to its messages.
  const traceFeed = own(new TraceFeed(connections, log));
  own(recorder.followTrace(traceFeed));
  const activity = own(new QueueActivityHub(traceFeed));

  // The views.
  const localServerStatus = own(new LocalServerStatus(server, faults));
  own(followConnectionsContext(connections));
  const filters = filterStore(context.globalState);
  const explorer = own(new ExplorerProvider(connections, filters));
  const view = own(vscode.window.createTreeView<ExplorerNode>('sqsWorkbench.explorer', { treeDataProvider: explorer, showCollapseAll: true }));
  const refresher = own(new RefreshManager(view, connections, log, settings));
  const reveal = new ExplorerRevealer(view, explorer);
  const attributesFileSystem = own(new QueueAttributesFileSystem(connections));
  own(vscode.workspace.registerFileSystemProvider(ATTRIBUTES_SCHEME, attributesFileSystem, { isCaseSensitive: true }));
  inspectors = own(new InspectorManager(connections, context.extensionUri, recorder, () => keyPaths.current, context.workspaceState, log, settings, traceFeed, activity));
  own(notifyDlqFilling(activity));
  const decorations = own(new FlagDecorations(inspectors, recorder.duplicates));

  const services: CommandServices = { settings, connections, localServer: server, faults, recorder, keyPaths, explorer, refresher, reveal, filters, inspectors, redrives, state: context.workspaceState, extensionUri: context.extensionUri, log };
  for (const register of COMMANDS) context.subscriptions.push(...register(services));

  if (settings.get('localServer.autoStart')) {
    await server.start().catch((err: unknown) => log.error(`Local SQS server failed to start: ${String(err)}`));
  }
  await connections.reload();
  // The first time the extension runs in a profile, show its view: that is where it starts.
  if (!context.globalState.get<boolean>(VIEW_SHOWN_KEY)) {
    await context.globalState.update(VIEW_SHOWN_KEY, true);
    void vscode.commands.executeCommand('sqsWorkbench.explorer.focus');
  }
  return { localServer: server, localServerStatus, connections, explorer, refresher, lifecycle: recorder.store, inspectors, duplicates: recorder.duplicates, decorations, redrives, view };
}

export async function deactivate(): Promise<void> {
  // Release every held message while the clients still work, then stop the local server.
  await inspectors?.closeAll();
  inspectors = undefined;
  await localServer?.stop();
  localServer = undefined;
}
