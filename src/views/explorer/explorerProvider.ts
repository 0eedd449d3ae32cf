import * as vscode from 'vscode';
import type { MoveTaskState } from '../../sqs/moveTasks';
import type { CatalogChange } from '../../sqs/queueCatalog';
import type { Connection, ConnectionManager } from '../../services/connections';
import { ConnectionNode } from './nodes/connectionNode';
import { InfoNode, errorNode } from './nodes/infoNode';
import { QueueNode } from './nodes/queueNode';
import { RelationNode } from './nodes/relationNode';

export type ExplorerNode = ConnectionNode | QueueNode | RelationNode | InfoNode;

/** Queue-name filters, remembered per connection. */
export interface FilterStore {
  get(connectionId: string): string | undefined;
  set(connectionId: string, filter: string | undefined): Thenable<void>;
}

/**
 * Maps the connections' queue catalogs to tree nodes. Nodes are created once per queue and
 * updated in place, and a refresh fires change events only for the nodes whose data
 * changed, so that the live tree keeps its expansion and selection and does not flicker.
 */
export class ExplorerProvider implements vscode.TreeDataProvider<ExplorerNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<ExplorerNode | ExplorerNode[] | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly connectionNodes = new Map<string, ConnectionNode>();
  private readonly queueNodes = new Map<string, Map<string, QueueNode>>();
  private readonly subscriptions = new Map<string, { connection: Connection; dispose(): void }>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly manager: ConnectionManager,
    private readonly filters: FilterStore,
  ) {
    this.disposables.push(this.emitter, manager.onDidChange(() => this.syncConnections()));
    this.syncConnections();
  }

  /** The node of a connection, if it is shown. */
  connectionNode(connectionId: string): ConnectionNode | undefined {
    return this.connectionNodes.get(connectionId);
  }

  /** The node of a queue, if it has been shown. */
  queueNode(connectionId: string, url: string): QueueNode | undefined {
    return this.queueNodes.get(connectionId)?.get(url);
  }

  /** Shows a queue's redrive progress (or last outcome) on its node, in every connection that shows the queue. */
  setRedrive(url: string, task: MoveTaskState | undefined): void {
    for (const nodes of this.queueNodes.values()) {
      const node = nodes.get(url);
      if (!node) continue;
      node.redrive = task;
      this.emitter.fire(node);
    }
  }

  /** Redraws a connection's children after its filter changed. */
  setFilter(connectionId: string, filter: string | undefined): void {
    const node = this.connectionNodes.get(connectionId);
    if (!node) return;
    node.filter = filter || undefined;
    this.emitter.fire(node);
  }

  getTreeItem(node: ExplorerNode): vscode.TreeItem {
    return node.toTreeItem();
  }

  getParent(node: ExplorerNode): ExplorerNode | undefined {
    if (node instanceof QueueNode) return this.connectionNodes.get(node.connection.info.id);
    if (node instanceof RelationNode) {
      for (const nodes of this.queueNodes.values()) for (const q of nodes.values()) if (q.id === node.parentId) return q;
    }
    return undefined;
  }

  async getChildren(node?: ExplorerNode): Promise<ExplorerNode[]> {
    if (!node) return this.rootChildren();
    if (node instanceof ConnectionNode) return this.connectionChildren(node);
    if (node instanceof QueueNode) return this.relationChildren(node);
    return [];
  }

  private rootChildren(): ExplorerNode[] {
    const problems = this.manager.problems.map(
      (p, i) =>
        new InfoNode(`problem:${i}`, p, {
          icon: new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground')),
          tooltip: 'Fix the setting sqsWorkbench.connections. Click to open the settings.',
          command: { title: 'Open Settings', command: 'workbench.action.openSettings', arguments: ['sqsWorkbench.connections'] },
        }),
    );
    return [...problems, ...this.connectionNodes.values()];
  }

  private async connectionChildren(node: ConnectionNode): Promise<ExplorerNode[]> {
    const { catalog, info } = node.connection;
    if (catalog.status === 'idle' || catalog.status === 'loading') await catalog.refresh();
    if (catalog.status === 'error' && catalog.error) {
      const e = catalog.error;
      const label = e.code === 'SsoSessionExpired' ? 'SSO session expired' : e.retryable ? `Cannot reach ${info.endpoint ?? `SQS in ${info.region}`}` : `Failed to list queues (${e.code})`;
      const detail = e.remedy ? `run: ${e.remedy}` : e.message;
      return [errorNode(`${node.id}/error`, label, detail, { title: 'Retry', command: 'sqsWorkbench.refresh', arguments: [node] })];
    }
    const filter = node.filter?.toLowerCase();
    const nodes = this.nodesOf(info.id);
    const shown: QueueNode[] = [];
    for (const snapshot of catalog.queues) {
      if (filter && !snapshot.name.toLowerCase().includes(filter)) continue;
      let q = nodes.get(snapshot.url);
      if (!q) {
        q = new QueueNode(node.connection, snapshot, catalog.queueError(snapshot.url));
        nodes.set(snapshot.url, q);
      } else {
        q.snapshot = snapshot;
        q.error = catalog.queueError(snapshot.url);
      }
      shown.push(q);
    }
    for (const url of [...nodes.keys()]) if (!catalog.queue(url)) nodes.delete(url);
    if (shown.length > 0) return shown;
    if (filter) {
      return [
        new InfoNode(`${node.id}/nomatch`, `No queue name contains "${node.filter ?? ''}"`, {
          icon: new vscode.ThemeIcon('filter'),
          description: 'click to clear the filter',
          command: { title: 'Clear Filter', command: 'sqsWorkbench.clearFilter', arguments: [node] },
        }),
      ];
    }
    return [
      new InfoNode(`${node.id}/empty`, 'No queues yet', {
        icon: new vscode.ThemeIcon('add'),
        description: 'click to create one',
        command: { title: 'Create Queue', command: 'sqsWorkbench.createQueue', arguments: [node] },
      }),
    ];
  }

  private relationChildren(node: QueueNode): ExplorerNode[] {
    const { catalog, info } = node.connection;
    const q = node.snapshot;
    const out: ExplorerNode[] = [];
    if (q.redrive) {
      const target = catalog.queueByArn(q.redrive.deadLetterTargetArn);
      const name = target?.name ?? q.redrive.deadLetterTargetArn.split(':').pop() ?? q.redrive.deadLetterTargetArn;
      out.push(new RelationNode(info.id, node.id, 'deadLetterQueue', name, target, q.redrive.maxReceiveCount));
    }
    if (q.arn) {
      for (const source of catalog.deadLetterSources(q.arn)) {
        out.push(new RelationNode(info.id, node.id, 'source', source.name, source, source.redrive?.maxReceiveCount));
      }
    }
    return out;
  }

  private nodesOf(connectionId: string): Map<string, QueueNode> {
    let nodes = this.queueNodes.get(connectionId);
    if (!nodes) {
      nodes = new Map();
      this.queueNodes.set(connectionId, nodes);
    }
    return nodes;
  }

  private syncConnections(): void {
    const current = new Map(this.manager.all.map((c) => [c.info.id, c]));
    for (const [id, sub] of this.subscriptions) {
      if (current.get(id) !== sub.connection) {
        sub.dispose();
        this.subscriptions.delete(id);
        this.connectionNodes.delete(id);
        this.queueNodes.delete(id);
      }
    }
    for (const [id, connection] of current) {
      if (this.subscriptions.has(id)) continue;
      this.connectionNodes.set(id, new ConnectionNode(connection, this.filters.get(id)));
      const listener = connection.catalog.onDidChange((change) => this.onCatalogChange(id, change));
      this.subscriptions.set(id, { connection, dispose: () => listener.dispose() });
    }
    // Keep the order: the local server first, then the configured connections as listed.
    const ordered = [...current.keys()].map((id) => this.connectionNodes.get(id)).filter((n): n is ConnectionNode => !!n);
    this.connectionNodes.clear();
    for (const n of ordered) this.connectionNodes.set(n.connection.info.id, n);
    this.emitter.fire(undefined);
  }

  private onCatalogChange(connectionId: string, change: CatalogChange): void {
    const connectionNode = this.connectionNodes.get(connectionId);
    if (!connectionNode) return;
    if (change.structure) {
      this.emitter.fire(connectionNode);
      return;
    }
    const { catalog } = connectionNode.connection;
    const nodes = this.nodesOf(connectionId);
    const toFire = new Set<QueueNode>();
    for (const url of change.queues) {
      const node = nodes.get(url);
      const snapshot = catalog.queue(url);
      if (!node || !snapshot) continue;
      const relationsBefore = node.hasRelations;
      node.snapshot = snapshot;
      node.error = catalog.queueError(url);
      if (relationsBefore !== node.hasRelations) {
        this.emitter.fire(connectionNode);
        return;
      }
      toFire.add(node);
      // A queue's child shows its DLQ's count: redraw the queues that feed a changed DLQ.
      if (snapshot.arn) {
        for (const source of catalog.deadLetterSources(snapshot.arn)) {
          const sourceNode = nodes.get(source.url);
          if (sourceNode) toFire.add(sourceNode);
        }
      }
    }
    if (toFire.size > 0) this.emitter.fire([...toFire]);
  }

  dispose(): void {
    for (const sub of this.subscriptions.values()) sub.dispose();
    this.subscriptions.clear();
    for (const d of this.disposables) d.dispose();
  }
}
