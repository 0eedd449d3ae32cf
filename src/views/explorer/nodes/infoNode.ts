import * as vscode from 'vscode';

/** A line in the tree that is not a queue: a failure with its retry action, an empty state, a hint. */
export class InfoNode {
  readonly kind = 'info';

  constructor(
    readonly id: string,
    readonly label: string,
    readonly options: {
      description?: string;
      tooltip?: string;
      icon?: vscode.ThemeIcon;
      command?: vscode.Command;
      contextValue?: string;
    } = {},
  ) {}

  toTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.label, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.description = this.options.description;
    item.tooltip = this.options.tooltip;
    item.iconPath = this.options.icon;
    item.command = this.options.command;
    item.contextValue = this.options.contextValue ?? 'info';
    return item;
  }
}

/** An error node: says what failed, and clicking it retries. */
export function errorNode(id: string, label: string, detail: string, retry: vscode.Command): InfoNode {
  return new InfoNode(id, label, {
    description: detail,
    tooltip: `${label}\n${detail}\n\nClick to retry. The "SQS Workbench" output channel has the details.`,
    icon: new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground')),
    command: retry,
    contextValue: 'error',
  });
}
