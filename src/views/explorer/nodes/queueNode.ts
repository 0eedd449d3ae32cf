import * as vscode from 'vscode';
import type { QueueSnapshot } from '../../../sqs/queues';
import type { SqsCallError } from '../../../sqs/errors';
import { describeMoveTask, describeOutcome, isFinished, type MoveTaskState } from '../../../sqs/moveTasks';
import type { Connection } from '../../../services/connections';
import { queueResourceUri } from '../queueUri';

/** `12 visible · 3 in flight · 1 delayed`, or `empty`. */
export function describeCounts(q: Pick<QueueSnapshot, 'visible' | 'inFlight' | 'delayed'>): string {
  if (q.visible === 0 && q.inFlight === 0 && q.delayed === 0) return 'empty';
  return `${q.visible} visible · ${q.inFlight} in flight · ${q.delayed} delayed`;
}

/**
 * The counts short enough for a queue's line in a narrow sidebar: the visible count, then
 * in-flight and delayed only when there are any (`12 · 3 in flight`), or `empty`. The
 * tooltip and the accessibility label say it in full.
 */
export function compactCounts(q: Pick<QueueSnapshot, 'visible' | 'inFlight' | 'delayed'>): string {
  if (q.visible === 0 && q.inFlight === 0 && q.delayed === 0) return 'empty';
  return [String(q.visible), q.inFlight > 0 ? `${q.inFlight} in flight` : '', q.delayed > 0 ? `${q.delayed} delayed` : ''].filter(Boolean).join(' · ');
}

const TIME_ATTRIBUTES = new Set(['CreatedTimestamp', 'LastModifiedTimestamp']);
const SECONDS_ATTRIBUTES = new Set(['VisibilityTimeout', 'MessageRetentionPeriod', 'DelaySeconds', 'ReceiveMessageWaitTimeSeconds', 'KmsDataKeyReusePeriodSeconds']);

function humanSeconds(s: number): string {
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${+(s / 3600).toFixed(1)} h`;
  return `${+(s / 86_400).toFixed(1)} days`;
}

/** One queue, with its live counts as the description. Kept across refreshes; only its snapshot changes. */
export class QueueNode {
  readonly kind = 'queue';
  /** The queue's newest redrive as last seen: a running one shows its progress in the description. */
  redrive: MoveTaskState | undefined;

  constructor(
    readonly connection: Connection,
    public snapshot: QueueSnapshot,
    public error: SqsCallError | undefined,
  ) {}

  get id(): string {
    return `queue:${this.connection.info.id}:${this.snapshot.url}`;
  }

  get isDeadLetterQueue(): boolean {
    return this.snapshot.arn !== '' && this.connection.catalog.isDeadLetterQueue(this.snapshot.arn);
  }

  get hasRelations(): boolean {
    return this.snapshot.redrive !== undefined || this.isDeadLetterQueue;
  }

  toTreeItem(): vscode.TreeItem {
    const q = this.snapshot;
    const dlq = this.isDeadLetterQueue;
    const item = new vscode.TreeItem(q.name, this.hasRelations ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.resourceUri = queueResourceUri(this.connection.info.id, q.url);
    item.contextValue = `queue${q.fifo ? '.fifo' : '.standard'}${dlq ? '.dlq' : ''}${this.redrive && !isFinished(this.redrive) ? '.redriving' : ''}`;
    if (this.error) {
      item.description = `failed: ${this.error.code}`;
      item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
    } else {
      item.description = compactCounts(q);
      if (this.redrive && !isFinished(this.redrive)) item.description += ` · redrive ${describeMoveTask(this.redrive)}`;
      item.iconPath = dlq
        ? new vscode.ThemeIcon('inbox', new vscode.ThemeColor(q.visible + q.inFlight > 0 ? 'list.errorForeground' : 'disabledForeground'))
        : new vscode.ThemeIcon(q.fifo ? 'list-ordered' : 'inbox');
    }
    item.tooltip = this.tooltip();
    item.accessibilityInformation = {
      label: `${q.fifo ? 'FIFO queue' : dlq ? 'Dead-letter queue' : 'Queue'} ${q.name}, ${this.error ? `failed: ${this.error.code}` : describeCounts(q)}`,
    };
    return item;
  }

  private tooltip(): vscode.MarkdownString {
    const q = this.snapshot;
    const md = new vscode.MarkdownString();
    md.appendMarkdown(`**${q.fifo ? 'FIFO queue' : 'Standard queue'}${this.isDeadLetterQueue ? ' (dead-letter queue)' : ''}** `);
    md.appendText(q.name);
    md.appendMarkdown('\n\n');
    if (this.error) {
      md.appendMarkdown('**Last refresh failed:** ');
      md.appendText(`${this.error.code}: ${this.error.message}`);
      md.appendMarkdown('\n\n');
    }
    if (this.redrive) {
      md.appendMarkdown(isFinished(this.redrive) ? '**Last redrive:** ' : '**Redrive running:** ');
      md.appendText(`${describeOutcome(this.redrive)}, started ${new Date(this.redrive.startedAt).toISOString().replace(/\.\d+Z$/, 'Z')}`);
      md.appendMarkdown('\n\n');
    }
    md.appendMarkdown('| Attribute | Value |\n|---|---|\n');
    const cell = (text: string): string => text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&').replace(/\r?\n/g, ' ');
    const row = (name: string, value: string): void => {
      md.appendMarkdown(`| ${cell(name)} | ${cell(value)} |\n`);
    };
    row('Visible', String(q.visible));
    row('In flight', String(q.inFlight));
    row('Delayed', String(q.delayed));
    row('URL', q.url);
    const skip = new Set(['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed']);
    for (const name of Object.keys(q.attributes).sort()) {
      if (skip.has(name)) continue;
      const raw = q.attributes[name];
      let value = raw;
      if (TIME_ATTRIBUTES.has(name) && /^\d+$/.test(raw)) value = new Date(Number(raw) * 1000).toISOString().replace('.000Z', 'Z');
      else if (SECONDS_ATTRIBUTES.has(name) && /^\d+$/.test(raw)) value = `${raw} (${humanSeconds(Number(raw))})`;
      else if (name === 'MaximumMessageSize' && /^\d+$/.test(raw)) value = `${raw} bytes (${(Number(raw) / 1024).toFixed(0)} KiB)`;
      row(name, value);
    }
    return md;
  }
}
