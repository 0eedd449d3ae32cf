import * as vscode from 'vscode';
import type { DuplicateIndex } from '../../model/duplicates';
import type { InspectorManager } from '../inspector/inspectorManager';
import { QUEUE_SCHEME } from './queueUri';

/**
 * A badge on a queue's tree node, while its inspector is open, with the number of flagged
 * messages (redeliveries and duplicate idempotency keys).
 */
export class FlagDecorations implements vscode.FileDecorationProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<vscode.Uri | vscode.Uri[] | undefined>();
  readonly onDidChangeFileDecorations = this.emitter.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly inspectors: InspectorManager,
    private readonly duplicates: DuplicateIndex,
  ) {
    const flagChanges = duplicates.onDidChange(() => this.emitter.fire(undefined));
    this.disposables.push(
      this.emitter,
      vscode.window.registerFileDecorationProvider(this),
      inspectors.onDidChange(() => this.emitter.fire(undefined)),
      { dispose: () => flagChanges.dispose() },
    );
  }

  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    if (uri.scheme !== QUEUE_SCHEME) return undefined;
    const [, connection, url] = uri.path.split('/');
    const queueUrl = decodeURIComponent(url ?? '');
    if (!this.inspectors.get(queueUrl, decodeURIComponent(connection ?? ''))) return undefined;
    const count = this.duplicates.flaggedCount(queueUrl);
    if (count === 0) return undefined;
    const s = this.duplicates.summary(queueUrl);
    return {
      badge: count > 99 ? '99' : String(count),
      tooltip: `${s.redeliveries} redelivered, ${s.duplicateKeys} with a duplicate idempotency key`,
      color: new vscode.ThemeColor('list.warningForeground'),
    };
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
