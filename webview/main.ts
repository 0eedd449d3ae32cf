// The inspector page's entry: builds the store and the views, and wires them to each other
// and to the host. State lives in the store alone; the views draw what it says changed.
import { isInFlight, type ReceiveOptions } from '../src/shared/kinds';
import { ActivitySection } from './activity';
import { HostChannel, type HostUpdate, type VsCodeApi } from './channel';
import { ConfirmBar } from './confirm';
import { DetailPane } from './detail';
import { FilterBar } from './filter';
import { MessageList } from './list';
import { Notice } from './notice';
import { SplitLayout } from './split';
import { Store, type StoreChange } from './store';
import { ActionsBar, Header, ReceiveBar } from './toolbar';
import { registerUiComponents } from './ui';

declare function acquireVsCodeApi(): VsCodeApi;

/** Countdowns move this often; the timelines, which move by whole pixels, every 4th time. */
const TICK_MS = 250;
const TIMELINE_TICKS = 4;

class InspectorPage {
  private readonly store: Store;
  private readonly channel: HostChannel;
  private readonly notice = new Notice();
  private readonly confirm: ConfirmBar;
  private readonly header: Header;
  private readonly activity = new ActivitySection();
  private readonly receiveBar: ReceiveBar;
  private readonly actions: ActionsBar;
  private readonly filter: FilterBar;
  private readonly list: MessageList;
  private readonly detail: DetailPane;
  /** What the next frame redraws: updates are taken in at once and drawn once per frame. */
  private readonly pending = { rows: new Set<string>(), list: false, detail: false };
  private drawFrame = 0;
  private ticks = 0;
  /** Until then, a text selection is undone (VS Code's own Select All after Ctrl+A in the list). */
  private keepTextUnselectedUntil = 0;

  constructor(api: VsCodeApi, app: HTMLElement) {
    this.store = new Store(api.getState(), (s) => api.setState(s));
    this.channel = new HostChannel(api, (u) => this.apply(u));
    this.confirm = new ConfirmBar(() => {
      if (!this.store.timeline) this.list.table.focus();
    });
    this.header = new Header(this.store, this.channel);
    this.header.element.append(this.activity.element);
    this.receiveBar = new ReceiveBar(this.notice, (o) => this.receive(o));
    this.receiveBar.show(this.store.options, this.store.queue?.browsable === true);
    this.actions = new ActionsBar(this.store, this.channel, this.notice, this.confirm);
    this.list = new MessageList(this.store);
    this.filter = new FilterBar(this.store, () => this.list.focus());
    this.detail = new DetailPane(this.store, this.channel);
    const layout = new SplitLayout(this.store, this.list.element, this.detail.element, () => this.list.renderWindow(true));
    app.append(this.header.element, this.receiveBar.element, this.actions.element, this.filter.element, this.confirm.element, this.notice.element, layout.element);
    this.store.onDidChange((c) => this.onChange(c));
    // For tests and the webview's developer tools: the messages as the page holds them.
    Object.defineProperty(window, 'inspectorMessages', { value: () => [...this.store.messages.values()] });
    this.listen();
    setInterval(() => this.tick(), TICK_MS);
    this.renderAll();
    this.channel.notify('webview/ready', {});
  }

  private renderAll(): void {
    this.header.render();
    this.list.renderAll();
    this.detail.render();
    this.actions.render();
    this.filter.render();
  }

  private onChange(change: StoreChange): void {
    switch (change.kind) {
      case 'reset':
        this.renderAll();
        return;
      case 'queue':
        this.header.render();
        this.list.renderWindow(true);
        return;
      case 'messages':
        for (const id of change.ids) this.pending.rows.add(id);
        this.pending.list ||= change.listed;
        this.pending.detail ||= this.store.current !== undefined && change.ids.includes(this.store.current);
        if (!this.drawFrame) this.drawFrame = requestAnimationFrame(() => this.drawPending());
        return;
      case 'selection':
        if (change.ids) for (const id of change.ids) this.list.refreshRow(id);
        else this.list.renderWindow(true);
        this.list.renderChrome();
        this.actions.render();
        return;
      case 'current':
        if (change.previous) this.list.refreshRow(change.previous);
        this.list.revealCurrent(true);
        this.detail.schedule();
        this.actions.render();
        return;
      case 'view':
        this.list.renderAll();
        this.actions.render();
        this.filter.render();
        return;
    }
  }

  private drawPending(): void {
    this.drawFrame = 0;
    this.header.render();
    if (this.pending.list) this.list.renderWindow(true);
    else for (const id of this.pending.rows) this.list.refreshRow(id);
    if (this.pending.detail) this.detail.render();
    this.pending.rows.clear();
    this.pending.list = false;
    this.pending.detail = false;
    this.list.renderChrome();
    this.list.renderTimeline();
    this.actions.render();
    this.filter.render();
  }

  /** A host update: into the store (which tells the views), or to the view it is for. */
  private apply(update: HostUpdate): void {
    switch (update.method) {
      case 'host/state/set':
        this.store.applyState(update.params);
        this.receiveBar.show(update.params.options, update.params.queue.browsable === true);
        this.receiveBar.element.hidden = this.store.readOnly;
        if (this.store.readOnly) this.notice.show('info', `A saved session (${new Date(update.params.now).toLocaleString()}), shown as it was then: read-only.`);
        return;
      case 'host/messages/upsert':
        this.store.applyUpsert(update.params);
        return;
      case 'host/queue/set':
        this.store.applyQueue(update.params);
        this.receiveBar.show(update.params.options, update.params.queue.browsable === true);
        return;
      case 'host/busy/set':
        this.receiveBar.setBusy(update.params.busy, update.params.label);
        return;
      case 'host/notice/show':
        this.notice.show(update.params.level, update.params.text);
        return;
      case 'host/activity/set':
        this.activity.render(update.params);
        return;
    }
  }

  private receive(options: ReceiveOptions): void {
    this.store.setOptions(options);
    this.notice.hide();
    this.channel.notify('webview/options/changed', options);
    this.channel.request('messages/receive', options).then(
      (result) => this.showReceived(result.ids),
      (err: Error) => this.notice.show('error', err.message),
    );
  }

  /** Marks what a receive returned and brings the first of it into view. */
  private showReceived(ids: readonly string[]): void {
    this.store.markFresh(ids);
    // The updates for these messages came before the reply; draw them now, then scroll.
    if (this.drawFrame) {
      cancelAnimationFrame(this.drawFrame);
      this.drawPending();
    }
    this.list.revealFresh();
    this.actions.render();
  }

  /** Keys of the list; also taken when nothing in the page has focus yet (the first key after focusing the panel). */
  private onListKey(e: KeyboardEvent): void {
    const { shown, current } = this.store;
    const index = current ? shown.indexOf(current) : -1;
    const move = (to: number): void => {
      e.preventDefault();
      const id = shown[Math.max(0, Math.min(shown.length - 1, to))];
      if (id) this.store.setCurrent(id);
    };
    if (e.key === 'ArrowDown') move(index + 1);
    else if (e.key === 'ArrowUp') move(index - 1);
    else if (e.key === 'Home') move(0);
    else if (e.key === 'End') move(shown.length - 1);
    else if (e.key === '/' && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      this.filter.focus();
    }
    else if (e.key === ' ' && current) {
      e.preventDefault();
      this.store.toggle(current);
    } else if ((e.key === 'a' || e.key === 'A') && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      // Ctrl+A checks the messages shown, and only them: VS Code runs its own Select All in
      // the webview after the key, and that text selection is undone.
      this.keepTextUnselectedUntil = performance.now() + 500;
      document.getSelection()?.removeAllRanges();
      this.store.selectShown(true);
    } else this.actions.onKey(e);
  }

  private listen(): void {
    this.list.table.addEventListener('keydown', (e) => this.onListKey(e));
    document.addEventListener('selectionchange', () => {
      if (performance.now() < this.keepTextUnselectedUntil && !document.getSelection()?.isCollapsed) document.getSelection()?.removeAllRanges();
    });
    document.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        this.receiveBar.receiveButton.click();
        return;
      }
      // Nothing focused yet (the panel just got focus): the list takes the key, and keeps focus.
      if (e.target === document.body || e.target === document.documentElement) {
        this.onListKey(e);
        if (!this.list.table.contains(document.activeElement)) this.list.focus();
      }
    });
    window.addEventListener('focus', () => {
      if (document.activeElement === document.body) this.list.focus();
    });
  }

  /** Countdowns: only held messages change with time. */
  private tick(): void {
    this.ticks++;
    const held = this.list.tickCountdowns();
    if (this.ticks % TIMELINE_TICKS !== 0) return;
    this.detail.tick();
    if (this.store.timeline && (held || [...this.store.messages.values()].some((m) => isInFlight(m.state)))) this.list.tickTimeline();
  }
}

registerUiComponents();
new InspectorPage(acquireVsCodeApi(), document.getElementById('app') as HTMLElement);
