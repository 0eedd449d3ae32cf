import type { MessageView } from '../src/protocol';
import { countsDown } from '../src/shared/kinds';
import { el, fmtRemaining, fmtTime, icon, preview } from './dom';
import { flagCell } from './flags';
import type { Store } from './store';
import { TimelineView, type TimelineRow } from './timeline';

/**
 * The height of a list row, in pixels: the virtual list computes with it, and the
 * stylesheet gets it as `--row-height`, so the two cannot disagree.
 */
export const ROW_HEIGHT = 25;
/** Rows are drawn in blocks of this many, so that small scrolls move no row at all. */
const BLOCK = 10;

/** The list's columns: Body takes what the others leave, never less than its minimum. */
const COLUMNS = [
  { key: 'check', label: '', width: 30 },
  { key: 'id', label: 'Message', width: 84 },
  { key: 'flags', label: 'Flags', width: 80 },
  { key: 'body', label: 'Body', width: 0 },
  { key: 'sent', label: 'Sent', width: 76 },
  { key: 'count', label: 'Receives', width: 68 },
  { key: 'state', label: 'State', width: 110 },
] as const;
const BODY_MIN = 80;
const EMPTY_NOTE = 'No messages yet. Choose Peek to look without taking them, or Hold to keep them hidden from other consumers while you watch their visibility timeout run down.';
const COLUMN_MIN = 28;

interface Row {
  readonly tr: HTMLTableRowElement;
  readonly box: HTMLInputElement;
  readonly count: HTMLElement;
  readonly state: HTMLElement;
  readonly flags: HTMLElement;
}

export function timelineRow(m: MessageView): TimelineRow {
  return { id: m.messageId, label: m.messageId.slice(0, 8), events: m.events, state: m.state, deadline: m.deadline };
}

/** A held message counts down; a peek in progress and ended holds say what they are. */
function stateCell(m: MessageView, target: HTMLElement, now: number): void {
  target.replaceChildren();
  target.className = `state state-${m.state}`;
  target.title = '';
  if (m.state === 'held' && m.mode === 'peek') {
    // Hidden only while the peek's receive loop runs; it ends with the message visible again.
    target.className = 'state state-peeked';
    target.textContent = 'peeking…';
  } else if (m.state === 'held') {
    const remaining = m.deadline - now;
    const span = el('span', 'countdown');
    const track = el('span', 'bar-track');
    const bar = el('span', `bar${remaining < 5000 ? ' low' : ''}`);
    const total = Math.max(1, m.deadline - m.windowStart);
    bar.style.width = `${Math.max(0, Math.min(100, (remaining / total) * 100))}%`;
    track.append(bar);
    span.append(icon(m.autoExtend ? 'sync' : 'lock'), el('span', undefined, fmtRemaining(remaining)), track);
    span.title = `Hidden until ${fmtTime(m.deadline)}${m.autoExtend ? ', auto-extending' : ''}`;
    target.append(span);
  } else if (m.state === 'delayed' || m.state === 'inflight') {
    // Browsed: hidden by a delay, or by a consumer's receive, until the deadline.
    const who = m.holder !== undefined ? ` · ${m.holder}` : '';
    target.textContent = `${m.state === 'delayed' ? 'delayed' : 'in flight'} ${fmtRemaining(m.deadline - now)}${who}`;
    target.title = `${m.state === 'delayed' ? 'Delayed' : `In flight${m.holder !== undefined ? `, received by ${m.holder}` : ''}`}: visible again at ${fmtTime(m.deadline)}`;
  } else {
    const labels: Record<string, string> = { peeked: 'peeked', released: 'released', deleted: 'deleted', expired: 'expired: visible again', visible: 'visible', movedToDlq: 'moved to the DLQ', removed: 'left the queue' };
    target.textContent = labels[m.state] ?? m.state;
    if (m.state === 'peeked') target.title = 'Peeked: received, then made visible again at once. Receive it in Hold mode to extend, release or delete it.';
    if (m.state === 'visible') target.title = 'In the queue, visible to the next receive; Browse and Watch receive nothing.';
    if (m.state === 'removed') target.title = 'Left the queue: dropped by the retention period, purged, or moved by a move task.';
  }
}

/**
 * The received messages as a table, virtualized: only the rows in view (and a block
 * around) are in the DOM. Columns can be resized; the timeline of all messages takes the
 * table's place when the store says so.
 */
export class MessageList {
  readonly element = el('div', 'list');
  readonly table = el('table');
  private readonly tbody = el('tbody');
  private readonly thead = el('thead');
  private readonly allBox = el('input');
  private readonly empty = el('div', 'empty', EMPTY_NOTE);
  private readonly cols = new Map<string, HTMLTableColElement>();
  private readonly rows = new Map<string, Row>();
  private readonly topSpacer = el('tr', 'spacer');
  private readonly bottomSpacer = el('tr', 'spacer');
  private readonly timeline: TimelineView;
  private drawnKey = '';
  private scrollFrame = 0;

  constructor(private readonly store: Store) {
    this.table.style.setProperty('--row-height', `${ROW_HEIGHT}px`);
    this.table.setAttribute('role', 'grid');
    this.table.setAttribute('aria-label', 'Received messages');
    this.table.setAttribute('aria-multiselectable', 'true');
    this.table.tabIndex = 0;
    for (const c of COLUMNS) if (c.width > 0 && store.columns[c.key] === undefined) store.setColumnWidth(c.key, c.width);
    this.table.append(this.header(), this.thead, this.tbody);
    this.timeline = new TimelineView({ label: 'Timeline of all messages', onSelect: (id) => store.setCurrent(id) });
    this.timeline.element.classList.add('all');
    this.timeline.element.hidden = true;
    this.element.append(this.table, this.empty, this.timeline.element);
    this.applyColumns();
    this.listen();
  }

  /** Draws the list anew: the rows in view, the empty note, the timeline. */
  renderAll(): void {
    this.renderChrome();
    this.renderWindow(true);
    this.renderTimeline();
  }

  /** What is shown of the list (the table, the empty note or the timeline), and the Select all box. */
  renderChrome(): void {
    const count = this.store.messages.size;
    const noneShown = count > 0 && this.store.shown.length === 0 && !this.store.timeline;
    this.empty.hidden = count > 0 && !noneShown;
    this.empty.textContent = count === 0 ? EMPTY_NOTE : this.store.filtering ? 'No message matches the filter. Press Escape in the filter box to clear it.' : 'No flagged messages.';
    this.table.hidden = this.store.timeline || count === 0;
    this.timeline.element.hidden = !this.store.timeline;
    this.allBox.checked = this.store.shown.length > 0 && this.store.selected.size === this.store.shown.length;
  }

  /** Draws the rows in view; unless forced, only when the window of rows moved. */
  renderWindow(force = false): void {
    const { shown } = this.store;
    const top = this.element.scrollTop;
    const height = this.element.clientHeight || 600;
    const start = Math.max(0, Math.floor(top / ROW_HEIGHT / BLOCK) * BLOCK - BLOCK);
    const end = Math.min(shown.length, Math.ceil((top + height) / ROW_HEIGHT / BLOCK) * BLOCK + BLOCK);
    this.topSpacer.style.height = `${start * ROW_HEIGHT}px`;
    this.bottomSpacer.style.height = `${(shown.length - end) * ROW_HEIGHT}px`;
    const key = `${start}:${end}:${shown.length}:${shown[start] ?? ''}`;
    if (!force && key === this.drawnKey) return;
    this.drawnKey = key;
    const keep = new Set(shown.slice(start, end));
    for (const id of [...this.rows.keys()]) if (!keep.has(id)) this.rows.delete(id);
    const trs: HTMLTableRowElement[] = [];
    for (let i = start; i < end; i++) {
      const m = this.store.messages.get(shown[i]);
      if (!m) continue;
      const row = this.renderRow(m);
      row.tr.tabIndex = m.messageId === this.store.current ? 0 : -1;
      trs.push(row.tr);
    }
    this.tbody.replaceChildren(this.topSpacer, ...trs, this.bottomSpacer);
  }

  /** Redraws one message if it is in view. */
  refreshRow(id: string): void {
    const m = this.store.messages.get(id);
    if (m && this.rows.has(id)) this.renderRow(m);
  }

  renderTimeline(): void {
    if (this.store.timeline) this.timeline.setRows(this.store.shownMessages().map(timelineRow), this.store.hostNow());
  }

  /** Scrolls the current message into view, makes it the row that takes focus, and focuses it if asked. */
  revealCurrent(focus: boolean): void {
    const id = this.store.current;
    const index = id ? this.store.shown.indexOf(id) : -1;
    if (id === undefined || index < 0) return;
    const y = index * ROW_HEIGHT;
    const headerHeight = this.thead.getBoundingClientRect().height || ROW_HEIGHT;
    if (y < this.element.scrollTop) this.element.scrollTop = y;
    else if (y + ROW_HEIGHT * 2 + headerHeight > this.element.scrollTop + this.element.clientHeight) this.element.scrollTop = y + ROW_HEIGHT * 2 + headerHeight - this.element.clientHeight;
    this.renderWindow();
    this.refreshRow(id);
    for (const r of this.rows.values()) r.tr.tabIndex = -1;
    const row = this.rows.get(id);
    if (row) row.tr.tabIndex = 0;
    if (row && focus && !this.store.timeline) row.tr.focus({ preventScroll: true });
  }

  /** Brings the first message of the last receive into view (the list keeps arrival order). */
  revealFresh(): void {
    const first = this.store.shown.findIndex((id) => this.store.fresh.has(id));
    if (first >= 0) {
      const y = first * ROW_HEIGHT;
      const view = this.element;
      if (y < view.scrollTop || y + ROW_HEIGHT > view.scrollTop + view.clientHeight - ROW_HEIGHT) view.scrollTop = Math.max(0, y - ROW_HEIGHT);
    }
    this.renderWindow(true);
  }

  /** Gives the list the focus (the current row's, when it is drawn), unless the timeline or nothing is shown. */
  focus(): void {
    if (this.store.timeline || this.table.hidden) return;
    const row = this.store.current ? this.rows.get(this.store.current) : undefined;
    (row?.tr ?? this.table).focus({ preventScroll: true });
  }

  /** Moves the countdowns on; says whether any message in view is held. */
  tickCountdowns(): boolean {
    let held = false;
    const now = this.store.hostNow();
    for (const [id, row] of this.rows) {
      const m = this.store.messages.get(id);
      if (!m || !countsDown(m.state)) continue;
      held = true;
      stateCell(m, row.state, now);
    }
    return held;
  }

  tickTimeline(): void {
    this.timeline.tick(this.store.hostNow());
  }

  private renderRow(m: MessageView): Row {
    const row = this.rows.get(m.messageId) ?? this.createRow(m);
    const { queue, selected } = this.store;
    row.count.textContent = String(m.receiveCount);
    if (queue?.maxReceiveCount !== undefined && m.receiveCount >= queue.maxReceiveCount) {
      row.count.title = `Received ${m.receiveCount} times: maxReceiveCount is ${queue.maxReceiveCount}; the next receive moves it to ${queue.deadLetterQueue ?? 'the dead-letter queue'}.`;
      row.count.classList.add('note');
    }
    stateCell(m, row.state, this.store.hostNow());
    flagCell(m, row.flags);
    row.box.checked = selected.has(m.messageId);
    row.tr.classList.toggle('selected', selected.has(m.messageId));
    row.tr.classList.toggle('current', this.store.current === m.messageId);
    row.tr.classList.toggle('new', this.store.fresh.has(m.messageId));
    row.tr.setAttribute('aria-selected', String(selected.has(m.messageId)));
    return row;
  }

  private createRow(m: MessageView): Row {
    const tr = el('tr', 'row');
    tr.setAttribute('role', 'row');
    tr.tabIndex = -1;
    tr.dataset.id = m.messageId;
    const box = el('input');
    box.type = 'checkbox';
    box.tabIndex = -1;
    box.setAttribute('aria-label', `Select message ${m.messageId}`);
    const tdCheck = el('td', 'check');
    tdCheck.append(box);
    const id = el('td', 'id', m.messageId.slice(0, 8));
    id.title = m.messageId;
    const row: Row = { tr, box, count: el('td', 'count'), state: el('td', 'state'), flags: el('td', 'flags') };
    tr.append(tdCheck, id, row.flags, el('td', undefined, preview(m.body)), el('td', 'sent', fmtTime(m.sentAt)), row.count, row.state);
    this.rows.set(m.messageId, row);
    return row;
  }

  /** The column group and the header row, with a grip to resize each fixed column. */
  private header(): HTMLElement {
    const colgroup = el('colgroup');
    const headRow = el('tr');
    this.allBox.type = 'checkbox';
    this.allBox.setAttribute('aria-label', 'Select all');
    const thCheck = el('th', 'check');
    thCheck.append(this.allBox);
    headRow.append(thCheck);
    for (const c of COLUMNS) {
      const col = el('col');
      this.cols.set(c.key, col);
      colgroup.append(col);
      if (c.key === 'check') continue;
      const th = el('th', c.key, c.label);
      if (c.key !== 'body') {
        const grip = el('span', 'col-resize');
        grip.setAttribute('role', 'separator');
        grip.setAttribute('aria-label', `Resize the ${c.label} column`);
        grip.addEventListener('pointerdown', (e) => this.dragColumn(e, c.key, grip));
        th.append(grip);
      }
      headRow.append(th);
    }
    this.thead.append(headRow);
    return colgroup;
  }

  private applyColumns(): void {
    let fixed = 0;
    for (const [key, w] of Object.entries(this.store.columns)) {
      const col = this.cols.get(key);
      if (col) col.style.width = `${w}px`;
      fixed += w;
    }
    // Narrower than this, the list scrolls sideways instead of squeezing a column away.
    this.table.style.minWidth = `${fixed + BODY_MIN}px`;
  }

  private dragColumn(e: PointerEvent, key: string, grip: HTMLElement): void {
    e.preventDefault();
    e.stopPropagation();
    const startX = e.clientX;
    const startWidth = this.store.columns[key];
    grip.setPointerCapture(e.pointerId);
    const move = (ev: PointerEvent): void => {
      this.store.setColumnWidth(key, Math.max(COLUMN_MIN, Math.round(startWidth + ev.clientX - startX)));
      this.applyColumns();
    };
    const up = (): void => {
      grip.removeEventListener('pointermove', move);
      grip.removeEventListener('pointerup', up);
      this.store.persist();
    };
    grip.addEventListener('pointermove', move);
    grip.addEventListener('pointerup', up);
  }

  private listen(): void {
    this.element.addEventListener('scroll', () => {
      if (this.scrollFrame) return;
      this.scrollFrame = requestAnimationFrame(() => {
        this.scrollFrame = 0;
        this.renderWindow();
      });
    });
    window.addEventListener('resize', () => this.renderWindow());
    this.allBox.addEventListener('change', () => this.store.selectShown(this.allBox.checked));
    this.tbody.addEventListener('click', (e) => {
      const target = e.target as HTMLElement;
      const id = target.closest('tr')?.dataset.id;
      if (!id) return;
      if (target.tagName === 'INPUT') {
        this.store.toggle(id);
        return;
      }
      if (e.ctrlKey || e.metaKey) this.store.toggle(id);
      this.store.setCurrent(id);
    });
    this.table.addEventListener('focus', () => {
      const first = this.store.shown[0];
      if (!this.store.current && first) this.store.setCurrent(first);
    });
  }
}
