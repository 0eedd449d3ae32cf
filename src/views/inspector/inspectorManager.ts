import * as vscode from 'vscode';
import type { KeyPath } from '../../model/idempotency';
import type { ReceiveOptions } from '../../shared/kinds';
import type { LifecycleRecorder } from '../../services/lifecycleRecorder';
import type { Settings } from '../../services/settings';
import type { TraceFeed } from '../../services/traceFeed';
import { getQueueSnapshot, type QueueSnapshot } from '../../sqs/queues';
import type { Connection, ConnectionManager } from '../../services/connections';
import { resolveQueue } from '../commands/pickers';
import type { QueueActivityHub } from '../../services/queueActivityHub';
import { attachActivity } from './activityHost';
import { INSPECTOR_VIEW_TYPE, InspectorPanel, type InspectorDeps } from './inspectorPanel';
import { inspectorPanelOptions } from './webviewHost';

/**
 * Opens one inspector per queue (reused when it is open already), closes the inspectors of
 * a connection before the connection goes away (so that their holds are released while the
 * client still works), and releases everything when the extension deactivates.
 */
export class InspectorManager implements vscode.Disposable {
  private readonly panels = new Map<string, InspectorPanel>();
  private readonly warnedPeek = new Set<string>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly deps: InspectorDeps;
  private readonly watched = new WeakSet<object>();

  constructor(
    private readonly manager: ConnectionManager,
    extensionUri: vscode.Uri,
    recorder: LifecycleRecorder,
    keyPaths: () => readonly KeyPath[],
    state: vscode.Memento,
    log: vscode.LogOutputChannel,
    settings: Settings,
    workbench: Pick<TraceFeed, 'isTraced' | 'onEvents'>,
    private readonly activity?: QueueActivityHub,
  ) {
    this.deps = { extensionUri, lifecycle: recorder.store, duplicates: recorder.duplicates, recorder, keyPaths, state, log, closePolicy: () => settings.get('inspector.onClose'), confirmPeek: (p) => this.confirmPeek(p),
      isWorkbench: (id) => workbench.isTraced(id),
      traceEvents: (listener) => workbench.onEvents((batch) => listener(batch.events)),
    };
    manager.addRemovalHook((connection) => this.closeConnection(connection));
    const watchPurges = (): void => {
      for (const connection of manager.all) {
        if (this.watched.has(connection.gateway)) continue;
        this.watched.add(connection.gateway);
        const sub = connection.gateway.onDidSucceed(({ action, queue }) => {
          if (action === 'PurgeQueue' && queue) this.purged(connection, queue);
        });
        this.disposables.push({ dispose: () => sub.dispose() });
      }
    };
    watchPurges();
    this.disposables.push(
      manager.onDidChange(watchPurges),
      // An inspector open when the window reloads comes back, for the same queue, holding nothing.
      vscode.window.registerWebviewPanelSerializer(INSPECTOR_VIEW_TYPE, { deserializeWebviewPanel: async (panel, state: unknown) => void (await this.restore(panel, state)) }),
    );
  }

  /** The open inspector of a queue, if any. */
  get(queueUrl: string, connectionId = 'local'): InspectorPanel | undefined {
    return this.panels.get(`${connectionId} ${queueUrl}`);
  }

  get open(): InspectorPanel[] {
    return [...this.panels.values()];
  }

  /** Fires when an inspector opens or closes (the explorer's badges follow). */
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  /** Opens (or shows) the inspector of a queue, and receives when given the options. */
  async openAndReceive(arg: unknown, options?: ReceiveOptions & { confirmed?: boolean }): Promise<InspectorPanel | undefined> {
    const target = await resolveQueue(this.manager, arg);
    if (!target) return undefined;
    const { connection } = target;
    const key = `${connection.info.id} ${target.queue.url}`;
    let inspector = this.panels.get(key);
    const fresh = await getQueueSnapshot(connection.gateway, target.queue.url).catch(() => target.queue);
    if (!inspector) {
      const panel = vscode.window.createWebviewPanel(INSPECTOR_VIEW_TYPE, `${fresh.name}`, { viewColumn: vscode.ViewColumn.Active, preserveFocus: false }, inspectorPanelOptions(this.deps.extensionUri));
      inspector = this.adopt(panel, connection, fresh);
    } else {
      inspector.queue = fresh;
      inspector.panel.reveal();
    }
    if (options) {
      const { confirmed, ...receive } = options;
      await inspector.receive(receive, confirmed === true);
    }
    return inspector;
  }

  /**
   * A queue was purged through the extension: its messages are gone, so the flags, the
   * lifecycle record and an open inspector forget them (the explorer's badge goes with them).
   */
  private purged(connection: Connection, queueUrl: string): void {
    this.deps.recorder.forgetQueue(queueUrl);
    const inspector = this.panels.get(`${connection.info.id} ${queueUrl}`);
    inspector?.forgetMessages('The queue was purged: its messages are gone.');
    this.changed.fire();
  }

  private adopt(panel: vscode.WebviewPanel, connection: Connection, queue: QueueSnapshot): InspectorPanel {
    const key = `${connection.info.id} ${queue.url}`;
    const created = new InspectorPanel(panel, connection, queue, this.deps);
    const activity = this.activity ? attachActivity(created, this.activity) : undefined;
    this.panels.get(key)?.dispose();
    this.panels.set(key, created);
    created.onDidClose(() => {
      activity?.dispose();
      if (this.panels.get(key) === created) this.panels.delete(key);
      this.changed.fire();
    });
    this.changed.fire();
    return created;
  }

  /**
   * Gives an inspector back after a window reload: VS Code keeps the panel and the page's
   * state (its queue and connection), not the messages: those were released when the window
   * went, so the inspector comes back empty. A panel whose queue cannot be found is closed.
   */
  async restore(panel: vscode.WebviewPanel, state: unknown): Promise<InspectorPanel | undefined> {
    const saved = typeof state === 'object' && state !== null ? (state as { queueUrl?: unknown; connectionId?: unknown }) : {};
    const connection = typeof saved.connectionId === 'string' ? await this.connectionById(saved.connectionId) : undefined;
    const queue = connection && typeof saved.queueUrl === 'string' ? await getQueueSnapshot(connection.gateway, saved.queueUrl).catch(() => undefined) : undefined;
    if (!connection || !queue) {
      panel.dispose();
      return undefined;
    }
    const inspector = this.adopt(panel, connection, queue);
    inspector.noticeOnReady('Restored after the window reloaded: messages held before were released then. Receive to see them again.');
    return inspector;
  }

  /** A connection by id, waiting a few seconds for the connections to load after a reload. */
  private async connectionById(id: string): Promise<Connection | undefined> {
    for (let i = 0; i < 50; i++) {
      const found = this.manager.get(id);
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return undefined;
  }

  private async confirmPeek(inspector: InspectorPanel): Promise<boolean> {
    const q = inspector.queue;
    if (!q.redrive || this.warnedPeek.has(q.url)) return true;
    const dlq = q.redrive.deadLetterTargetArn.split(':').pop() ?? 'its dead-letter queue';
    const answer = await vscode.window.showWarningMessage(
      `Peeking counts as a receive in ${q.name}.`,
      {
        modal: true,
        detail: `Each peek adds 1 to a message's ApproximateReceiveCount. ${q.name} moves a message to ${dlq} when it is received more than ${q.redrive.maxReceiveCount} times, so peeking again and again pushes messages there. The inspector shows each message's receive count.`,
      },
      'Peek',
    );
    if (answer !== 'Peek') return false;
    this.warnedPeek.add(q.url);
    return true;
  }

  private async closeConnection(connection: Connection): Promise<void> {
    await Promise.all(this.open.filter((p) => p.connection === connection).map((p) => p.close()));
  }

  /** Closes every inspector, releasing held messages; awaited on deactivation. */
  async closeAll(): Promise<void> {
    await Promise.all(this.open.map((p) => p.close()));
  }

  dispose(): void {
    void this.closeAll();
    this.changed.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
