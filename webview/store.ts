import type { HostNotificationMap, MessageView, QueueView, StateParams, UpsertParams } from '../src/protocol';
import { DEFAULT_VISIBILITY_TIMEOUT_SECONDS, MAX_RECEIVE_MESSAGES, type FlagSummary, type ReceiveOptions } from '../src/shared/kinds';
import { parseFilter, type MessageFilter } from '../src/shared/messageFilter';
import { isFlagged } from './flags';

/** What the page keeps across reloads (VS Code stores it with the panel). */
export interface PersistedState {
  selected: string[];
  current?: string;
  /** The inspector's queue: VS Code gives it back after a window reload, to open the inspector again. */
  queueUrl?: string;
  connectionId?: string;
  /** Column widths in pixels, by column key, and the list's share of the list/detail split. */
  columns?: Record<string, number>;
  split?: number;
  /** The filter as typed. */
  filter?: string;
}

/**
 * What changed, for the views to redraw just that. `reset`: everything (a new state);
 * `messages`: these messages changed, and `listed` says whether the list of shown ones did.
 */
export type StoreChange =
  | { readonly kind: 'reset' }
  | { readonly kind: 'queue' }
  | { readonly kind: 'messages'; readonly ids: readonly string[]; readonly listed: boolean }
  | { readonly kind: 'selection'; readonly ids?: readonly string[] }
  | { readonly kind: 'current'; readonly previous: string | undefined }
  | { readonly kind: 'view' };

const EMPTY_SUMMARY: FlagSummary = { redeliveries: 0, duplicateKeys: 0, keysShared: 0 };

/** The list's share of the list/detail split: its bounds and where it starts. */
export const SPLIT_MIN = 0.15;
export const SPLIT_MAX = 0.85;
const SPLIT_DEFAULT = 0.66;

/**
 * The page's state, and the only mutable state of the page: the host's messages by id (in
 * arrival order), the queue and receive options, and the user's view of them (selection,
 * the current message, the filter, the layout). Host updates and user actions both go
 * through it; it tells its listeners what changed, and saves what outlives a reload.
 */
export class Store {
  queue: QueueView | undefined;
  options: ReceiveOptions = { count: MAX_RECEIVE_MESSAGES, waitSeconds: 2, visibilityTimeout: DEFAULT_VISIBILITY_TIMEOUT_SECONDS, mode: 'peek' };
  summary: FlagSummary = EMPTY_SUMMARY;
  readonly messages = new Map<string, MessageView>();
  readonly selected: Set<string>;
  current: string | undefined;
  /** Only flagged messages are listed. */
  onlyFlagged = false;
  /** The timeline of all messages is shown instead of the table. */
  timeline = false;
  /** The filter as typed, and what is wrong with it (the last valid one stays applied meanwhile). */
  filterText = '';
  filterError: string | undefined;
  private filter: MessageFilter | undefined;
  /** The messages the last receive returned: marked, and the list scrolls to the first. */
  readonly fresh = new Set<string>();
  readonly columns: Record<string, number>;
  split: number;
  /** The ids the list shows, in order: all, or only the flagged ones. */
  private shownIds: string[] = [];
  /** The shown ids as a set, made when first asked for after the list changed. */
  private shownSet: Set<string> | undefined;
  private readonly order: string[] = [];
  /** Host clock minus page clock: countdowns use the host's time. */
  private skew = 0;
  /** Set for a saved session: its time stands still at the moment it was saved. */
  private frozen: number | undefined;
  private readonly listeners = new Set<(change: StoreChange) => void>();

  constructor(
    saved: PersistedState | undefined,
    private readonly save: (state: PersistedState) => void,
  ) {
    this.selected = new Set(saved?.selected ?? []);
    this.current = saved?.current;
    this.columns = { ...(saved?.columns ?? {}) };
    this.split = saved?.split ?? SPLIT_DEFAULT;
    if (saved?.filter) this.setFilterText(saved.filter, false);
  }

  onDidChange(listener: (change: StoreChange) => void): void {
    this.listeners.add(listener);
  }

  get shown(): readonly string[] {
    return this.shownIds;
  }

  /** A saved session: nothing can be received or changed, and its clock stands still. */
  get readOnly(): boolean {
    return this.frozen !== undefined;
  }

  /** The host's time now (or the saved session's). */
  hostNow(): number {
    return this.frozen ?? Date.now() + this.skew;
  }

  /** The messages shown, in order. */
  shownMessages(): MessageView[] {
    return this.shownIds.map((id) => this.messages.get(id)).filter((m): m is MessageView => m !== undefined);
  }

  /**
   * The messages an action applies to: what the user sees chosen, the checked rows still in
   * the list, or else the current row (when the list shows it).
   */
  targetIds(): string[] {
    const visible = this.visibleSet();
    const checked = [...this.selected].filter((id) => visible.has(id));
    if (checked.length > 0) return checked;
    return this.current && visible.has(this.current) ? [this.current] : [];
  }

  // ---- from the host ------------------------------------------------------------------

  applyState(p: StateParams): void {
    this.queue = p.queue;
    this.options = p.options;
    this.summary = p.summary;
    this.frozen = p.readOnly ? p.now : undefined;
    this.skew = p.now - Date.now();
    this.messages.clear();
    this.order.length = 0;
    for (const m of p.messages) {
      this.messages.set(m.messageId, m);
      this.order.push(m.messageId);
    }
    for (const id of [...this.selected]) if (!this.messages.has(id)) this.selected.delete(id);
    for (const id of [...this.fresh]) if (!this.messages.has(id)) this.fresh.delete(id);
    if (this.current && !this.messages.has(this.current)) this.current = undefined;
    this.recomputeShown();
    this.persist();
    this.emit({ kind: 'reset' });
  }

  applyUpsert(p: UpsertParams): void {
    this.skew = p.now - Date.now();
    this.summary = p.summary;
    let added = false;
    for (const m of p.messages) {
      if (!this.messages.has(m.messageId)) {
        this.order.push(m.messageId);
        added = true;
      }
      this.messages.set(m.messageId, m);
    }
    // A changed flag or state can put a message in or out of a filtered list.
    const listed = added || this.onlyFlagged || this.filtering;
    if (listed) this.recomputeShown();
    this.emit({ kind: 'messages', ids: p.messages.map((m) => m.messageId), listed });
  }

  applyQueue(p: HostNotificationMap['host/queue/set']): void {
    this.queue = p.queue;
    this.options = p.options;
    this.persist();
    this.emit({ kind: 'queue' });
  }

  // ---- from the user ------------------------------------------------------------------

  toggle(id: string): void {
    if (this.selected.has(id)) this.selected.delete(id);
    else this.selected.add(id);
    this.persist();
    this.emit({ kind: 'selection', ids: [id] });
  }

  /** Checks every message shown, or none. */
  selectShown(on: boolean): void {
    if (on) for (const id of this.shownIds) this.selected.add(id);
    else this.selected.clear();
    this.persist();
    this.emit({ kind: 'selection' });
  }

  setCurrent(id: string | undefined): void {
    const previous = this.current;
    this.current = id;
    this.persist();
    this.emit({ kind: 'current', previous });
  }

  setOnlyFlagged(on: boolean): void {
    this.onlyFlagged = on;
    this.recomputeShown();
    this.emit({ kind: 'view' });
  }

  /** Whether a filter narrows the list. */
  get filtering(): boolean {
    return this.filter !== undefined && !this.filter.empty;
  }

  /** Applies the filter typed; a malformed one is reported and the last valid one stays. */
  setFilterText(text: string, emit = true): void {
    this.filterText = text;
    const parsed = parseFilter(text);
    if (parsed.ok) {
      this.filter = parsed.filter;
      this.filterError = undefined;
    } else this.filterError = parsed.error;
    if (!emit) return;
    this.recomputeShown();
    this.persist();
    this.emit({ kind: 'view' });
  }

  setTimeline(on: boolean): void {
    this.timeline = on;
    this.emit({ kind: 'view' });
  }

  /** Marks what a receive returned as new. */
  markFresh(ids: readonly string[]): void {
    this.fresh.clear();
    for (const id of ids) this.fresh.add(id);
  }

  setOptions(options: ReceiveOptions): void {
    this.options = options;
  }

  /** Layout changes are kept, and drawn by the view that made them. */
  setColumnWidth(key: string, width: number): void {
    this.columns[key] = width;
  }

  setSplit(split: number): void {
    this.split = Math.max(SPLIT_MIN, Math.min(SPLIT_MAX, split));
  }

  persist(): void {
    this.save({
      selected: [...this.selected],
      ...(this.current ? { current: this.current } : {}),
      ...(this.queue ? { queueUrl: this.queue.url, connectionId: this.queue.connectionId } : {}),
      columns: { ...this.columns },
      split: this.split,
      ...(this.filterText ? { filter: this.filterText } : {}),
    });
  }

  private visibleSet(): Set<string> {
    this.shownSet ??= new Set(this.shownIds);
    return this.shownSet;
  }

  private recomputeShown(): void {
    this.shownSet = undefined;
    const filter = this.filtering ? this.filter : undefined;
    this.shownIds =
      this.onlyFlagged || filter
        ? this.order.filter((id) => {
            const m = this.messages.get(id);
            return m !== undefined && (!this.onlyFlagged || isFlagged(m)) && (!filter || filter.matches(m));
          })
        : [...this.order];
    // A check the user cannot see must not take part in an action: it goes with its row.
    if (this.selected.size === 0) return;
    const visible = this.visibleSet();
    let dropped = false;
    for (const id of [...this.selected]) {
      if (!visible.has(id)) {
        this.selected.delete(id);
        dropped = true;
      }
    }
    if (dropped) this.persist();
  }

  private emit(change: StoreChange): void {
    for (const listener of [...this.listeners]) listener(change);
  }
}
