import * as vscode from 'vscode';
import type { QueueSnapshot } from '../../../sqs/queues';

/** Under a queue: its dead-letter queue, or a queue that feeds it (when it is a DLQ). */
export class RelationNode {
  readonly kind = 'relation';

  constructor(
    readonly connectionId: string,
    readonly parentId: string,
    readonly relation: 'deadLetterQueue' | 'source',
    readonly targetName: string,
    readonly target: QueueSnapshot | undefined,
    readonly maxReceiveCount?: number,
  ) {}

  get id(): string {
    return `${this.parentId}/${this.relation}:${this.targetName}`;
  }

  toTreeItem(): vscode.TreeItem {
    const label = this.relation === 'deadLetterQueue' ? `Dead-letter queue: ${this.targetName}` : `Fed by: ${this.targetName}`;
    const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.contextValue = `relation.${this.relation}`;
    item.iconPath = new vscode.ThemeIcon(this.relation === 'deadLetterQueue' ? 'arrow-right' : 'arrow-left');
    if (this.target) item.command = { title: 'Show Queue', command: 'sqsWorkbench.revealQueue', arguments: [this.connectionId, this.target.url] };
    if (this.relation === 'deadLetterQueue') {
      item.description = this.target
        ? `after ${this.maxReceiveCount ?? '?'} receives · ${this.target.visible} waiting`
        : `after ${this.maxReceiveCount ?? '?'} receives · not found in this connection`;
    } else {
      item.description = this.maxReceiveCount !== undefined ? `after ${this.maxReceiveCount} receives` : undefined;
    }
    item.tooltip =
      this.relation === 'deadLetterQueue'
        ? `Messages received more than ${this.maxReceiveCount ?? '?'} times move to ${this.targetName}.`
        : `${this.targetName} sends its messages here after ${this.maxReceiveCount ?? '?'} receives.`;
    return item;
  }
}
