import * as vscode from 'vscode';
import type { ConnectionManager } from '../../services/connections';
import type { Settings } from '../../services/settings';

export type RefreshReason = 'interval' | 'visible' | 'focus' | 'config' | 'manual';

/**
 * The one owner of the explorer's polling: every connection's queues are refreshed on the
 * interval (`sqsWorkbench.explorer.refreshIntervalSeconds`, 0 turns it off), only while the
 * view is visible and the window focused; a connection that keeps failing waits longer
 * each time (its catalog's back-off).
 */
export class RefreshManager implements vscode.Disposable {
  private timer: NodeJS.Timeout | undefined;
  private readonly due = new Map<string, number>();
  private readonly disposables: vscode.Disposable[] = [];
  private visible: boolean;
  private focused: boolean;

  constructor(
    view: vscode.TreeView<unknown>,
    private readonly manager: ConnectionManager,
    private readonly log: vscode.LogOutputChannel,
    private readonly settings: Settings,
  ) {
    this.visible = view.visible;
    this.focused = vscode.window.state.focused;
    this.disposables.push(
      view.onDidChangeVisibility((e) => {
        this.visible = e.visible;
        this.reschedule('visible');
      }),
      vscode.window.onDidChangeWindowState((e) => {
        this.focused = e.focused;
        this.reschedule('focus');
      }),
      settings.watch('explorer.refreshIntervalSeconds', () => this.reschedule('config')),
      manager.onDidChange(() => this.reschedule('config')),
    );
    this.reschedule('config');
  }

  private get intervalMs(): number {
    return this.settings.get('explorer.refreshIntervalSeconds') * 1000;
  }

  get active(): boolean {
    return this.visible && this.focused && this.intervalMs > 0;
  }

  /** Refreshes every connection now (or one), whatever the interval. */
  async refreshNow(connectionId?: string): Promise<void> {
    const targets = this.manager.all.filter((c) => connectionId === undefined || c.info.id === connectionId);
    await Promise.all(targets.map((c) => this.refresh(c.info.id, 'manual')));
  }

  private async refresh(id: string, reason: RefreshReason): Promise<void> {
    const connection = this.manager.get(id);
    if (!connection) return;
    this.log.trace(`refresh ${connection.info.name} (${reason})`);
    await connection.catalog.refresh();
    this.due.set(id, Date.now() + connection.catalog.nextDelay(this.intervalMs || 5000));
  }

  private reschedule(reason: RefreshReason): void {
    for (const id of [...this.due.keys()]) if (!this.manager.get(id)) this.due.delete(id);
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.active) return;
    if (reason === 'visible' || reason === 'focus') {
      // Coming back into view: anything older than the interval is refreshed at once.
      for (const id of this.due.keys()) this.due.set(id, Math.min(this.due.get(id) ?? 0, Date.now()));
    }
    this.schedule();
  }

  private schedule(): void {
    if (!this.active) return;
    const now = Date.now();
    let next = Number.POSITIVE_INFINITY;
    for (const c of this.manager.all) {
      if (c.catalog.status === 'idle') continue; // loads when its node is first expanded
      next = Math.min(next, this.due.get(c.info.id) ?? now + this.intervalMs);
      if (!this.due.has(c.info.id)) this.due.set(c.info.id, now + this.intervalMs);
    }
    if (!Number.isFinite(next)) next = now + this.intervalMs;
    this.timer = setTimeout(() => void this.tick(), Math.max(250, next - now));
  }

  private async tick(): Promise<void> {
    this.timer = undefined;
    const now = Date.now();
    const dueNow = this.manager.all.filter((c) => c.catalog.status !== 'idle' && (this.due.get(c.info.id) ?? 0) <= now);
    await Promise.all(dueNow.map((c) => this.refresh(c.info.id, 'interval')));
    if (!this.timer) this.schedule();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}
