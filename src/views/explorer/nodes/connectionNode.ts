import * as vscode from 'vscode';
import type { Connection } from '../../../services/connections';

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
    tooltip.appendMarkdown(`**Connection** ${codeSpan(info.name)}\n\n`);
    const rows: [string, string | undefined][] = [
      ['Kind', info.kind === 'local' ? 'built-in local server' : info.kind === 'environment' ? `from the environment (${info.origin ?? ''})` : 'configured'],
      ['Region', info.region],
      ['Profile', info.profile],
      ['Endpoint', info.endpoint],
      ['Filter', this.filter],
    ];
    for (const [label, value] of rows) {
      if (value !== undefined) tooltip.appendMarkdown(`- ${label}: ${codeSpan(value)}\n`);
    }
    if (info.kind === 'environment') {
      tooltip.appendMarkdown(
        `\n${info.endpoint ? 'Taken from the environment.' : 'Taken from the environment: it calls Amazon SQS with your credentials whenever the view refreshes.'} Hide it from its context menu (**Hide the Environment Connection**), or with the setting \`sqsWorkbench.environmentConnection\`.\n`,
      );
    }
    item.tooltip = tooltip;
    return item;
  }
}

/**
 * A value as a Markdown code span: shown as it is, with no escapes to see and no link made
 * of an endpoint (escaped text next to a URL is where stray backslashes came from).
 */
export function codeSpan(value: string): string {
  const longest = Math.max(0, ...(value.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = value.startsWith('`') || value.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${value.replace(/\r?\n/g, ' ')}${pad}${fence}`;
}
