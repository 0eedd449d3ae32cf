import * as vscode from 'vscode';
import type { Connection } from '../connectionManager';

/** A root of the tree: one connection (an AWS profile and region, an endpoint, or the built-in server). */
export class ConnectionNode {
  readonly kind = 'connection';

  constructor(
    public connection: Connection,
    public filter: string | undefined,
  ) {}

  get id(): string {
    return `connection:${this.connection.info.id}`;
  }

  toTreeItem(): vscode.TreeItem {
    const info = this.connection.info;
    const item = new vscode.TreeItem(info.name, vscode.TreeItemCollapsibleState.Expanded);
    item.id = this.id;
    item.contextValue = `connection.${info.kind}${this.filter ? '.filtered' : ''}`;
    item.iconPath = new vscode.ThemeIcon(info.kind === 'local' ? 'server-process' : info.endpoint ? 'plug' : 'cloud');
    const parts: string[] = [];
    if (info.kind === 'local') parts.push(info.endpoint ?? '');
    else parts.push(info.region);
    if (this.filter) parts.push(`filter: "${this.filter}"`);
    item.description = parts.join(' · ');
    const tooltip = new vscode.MarkdownString();
    tooltip.appendMarkdown('**Connection** ');
    tooltip.appendText(info.name);
    tooltip.appendMarkdown('\n\n');
    const rows: [string, string | undefined][] = [
      ['Kind', info.kind === 'local' ? 'built-in local server' : info.kind === 'environment' ? 'from the environment' : 'configured'],
      ['Region', info.region],
      ['Profile', info.profile],
      ['Endpoint', info.endpoint],
      ['Filter', this.filter],
    ];
    for (const [label, value] of rows) {
      if (value === undefined) continue;
      tooltip.appendMarkdown(`- ${label}: `);
      tooltip.appendText(value);
      tooltip.appendMarkdown('\n');
    }
    item.tooltip = tooltip;
    return item;
  }
}
