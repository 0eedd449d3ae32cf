import type * as vscode from 'vscode';
import type { ConnectionManager } from '../../services/connections';
import type { KeyPaths } from '../../services/keyPaths';
import type { LifecycleRecorder } from '../../services/lifecycleRecorder';
import type { LocalServerService } from '../../services/localServer';
import type { LocalServerFaults } from '../../services/localServerFaults';
import type { Redrives } from '../../services/redrives';
import type { Settings } from '../../services/settings';
import type { ExplorerProvider, FilterStore } from '../explorer/explorerProvider';
import type { RefreshManager } from '../explorer/refreshManager';
import type { ExplorerRevealer } from '../explorer/reveal';
import type { InspectorManager } from '../inspector/inspectorManager';

/** What the commands act on: the services `activate` owns, and the views it made from them. */
export interface CommandServices {
  readonly settings: Settings;
  readonly connections: ConnectionManager;
  readonly localServer: LocalServerService;
  /** The fault plans of local servers. */
  readonly faults: LocalServerFaults;
  readonly recorder: LifecycleRecorder;
  readonly keyPaths: KeyPaths;
  readonly explorer: ExplorerProvider;
  readonly refresher: RefreshManager;
  readonly reveal: ExplorerRevealer;
  readonly filters: FilterStore;
  readonly inspectors: InspectorManager;
  /** The redrives being followed: progress for the tree and the notifications. */
  readonly redrives: Redrives;
  /** The workspace's memento: last group ids, receive options. */
  readonly state: vscode.Memento;
  readonly extensionUri: vscode.Uri;
  readonly log: vscode.LogOutputChannel;
}

/** One feature's commands: each file under `views/commands/` exports one `register`. */
export type RegisterCommands = (services: CommandServices) => vscode.Disposable[];
