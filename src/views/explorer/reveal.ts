import type * as vscode from 'vscode';
import type { ExplorerNode, ExplorerProvider } from './explorerProvider';

/** Shows a connection or a queue in the explorer: expands the way to it, selects it. */
export class ExplorerRevealer {
  constructor(
    private readonly view: vscode.TreeView<ExplorerNode>,
    private readonly provider: ExplorerProvider,
  ) {}

  /** False when the connection is not in the tree. */
  async connection(connectionId: string): Promise<boolean> {
    const node = this.provider.connectionNode(connectionId);
    if (!node) return false;
    await this.view.reveal(node, { select: true, focus: true, expand: true });
    return true;
  }

  /** False when the queue is not in the tree (not in the connection, or hidden by its filter). */
  async queue(connectionId: string, url: string): Promise<boolean> {
    const parent = this.provider.connectionNode(connectionId);
    if (!parent) return false;
    // The queue's node exists once the connection's children are drawn.
    await this.provider.getChildren(parent);
    const node = this.provider.queueNode(connectionId, url);
    if (!node || (parent.filter && !node.snapshot.name.toLowerCase().includes(parent.filter.toLowerCase()))) return false;
    await this.view.reveal(node, { select: true, focus: true });
    return true;
  }
}
