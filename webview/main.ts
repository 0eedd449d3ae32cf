import {
  isHostToWebview,
  REQUESTS,
  type HostToWebview,
  type MessageView,
  type QueueView,
  type RequestMethod,
  type RequestParams,
  type RequestResult,
  type WebviewToHost,
} from '../src/protocol';
import type { FlagSummary, ReceiveOptions } from '../src/shared/kinds';
import { TimelineView, type TimelineRow } from './timeline';
import { button, dropdown, progressRing, registerUiComponents, textField, type UiButton, type UiField } from './ui';

interface SavedState {
  selected: string[];
  current?: string;
  /** The inspector's queue: VS Code gives it back after a window reload, to open the inspector again. */
  queueUrl?: string;
  connectionId?: string;
  /** Column widths in pixels, by column key, and the list's share of the list/detail split. */
  columns?: Record<string, number>;
  split?: number;
}

interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
  getState(): SavedState | undefined;
  setState(state: SavedState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

registerUiComponents();
const vscode = acquireVsCodeApi();

// ---- state ----------------------------------------------------------------------------

let queue: QueueView | undefined;
let options: ReceiveOptions = { count: 10, waitSeconds: 2, visibilityTimeout: 30, mode: 'peek' };
const messages = new Map<string, MessageView>();
const order: string[] = [];
const saved = vscode.getState();
const selected = new Set<string>(saved?.selected ?? []);
let current: string | undefined = saved?.current;
/** Host clock minus page clock: countdowns use the host's time. */
let skew = 0;
let summary: FlagSummary = { redeliveries: 0, duplicateKeys: 0, keysShared: 0 };
let onlyFlagged = false;
/** The messages the last receive returned: marked, and the list scrolls to the first. */
const fresh = new Set<string>();
/** Set for a saved session: its time stands still at the moment it was saved. */
let frozen: number | undefined;

function hostNow(): number {
  return frozen ?? Date.now() + skew;
}

// ---- requests -------------------------------------------------------------------------

let nextId = 1;
const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();

function request<M extends RequestMethod>(method: M, params: RequestParams<M>): Promise<RequestResult<M>> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    const check = REQUESTS[method].result;
    pending.set(id, { resolve: (v) => (check(v) ? resolve(v) : reject(new Error(`The host's answer to ${method} is malformed.`))), reject });
    vscode.postMessage({ kind: 'request', id, method, params } as WebviewToHost);
  });
}

// ---- DOM helpers ----------------------------------------------------------------------

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

function icon(name: string): HTMLElement {
  const i = el('span', `codicon codicon-${name}`);
  i.setAttribute('aria-hidden', 'true');
  return i;
}

/** One formatter for every time in the list: making one per call is slow. */
const TIME = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });

function fmtTime(ms: number | undefined): string {
  return ms === undefined ? '' : TIME.format(ms);
}

function fmtRemaining(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}` : `${m}:${String(sec).padStart(2, '0')}`;
}

function preview(body: string): string {
  const flat = body.length > 300 ? body.slice(0, 300) : body;
  return flat.replace(/\s+/g, ' ');
}

function persist(): void {
  vscode.setState({
    selected: [...selected],
    ...(current ? { current } : {}),
    ...(queue ? { queueUrl: queue.url, connectionId: queue.connectionId } : {}),
    columns: columnWidths,
    split,
  });
}

// ---- layout ---------------------------------------------------------------------------

const app = document.getElementById('app') as HTMLElement;
const header = el('header');
const title = el('h1');
const meta = el('span', 'meta');
const flagSummary = el('span', 'flags-summary');
flagSummary.setAttribute('role', 'status');
header.append(title, meta, flagSummary);

const toolbar = el('div', 'toolbar');
toolbar.setAttribute('role', 'toolbar');
toolbar.setAttribute('aria-label', 'Receive');
const modeField = dropdown('Mode', [
  { value: 'peek', label: 'Peek (release at once)' },
  { value: 'hold', label: 'Hold (keep hidden)' },
], 'peek');
const countField = textField('Messages', '10', { size: 4 });
const waitField = textField('Wait (s)', '2', { size: 3 });
const vtField = textField('Visibility (s)', '30', { size: 5 });
const receiveButton = button('Receive', { icon: 'cloud-download', appearance: 'primary', title: 'Receive messages (Ctrl+Enter)' });
const busy = el('span', 'busy');
busy.append(progressRing(), el('span', undefined, ''));
busy.hidden = true;
const modeLabel = el('label', 'field', 'Mode');
modeLabel.append(modeField);
toolbar.append(modeLabel, countField, waitField, vtField, receiveButton, busy);

const actions = el('div', 'toolbar');
actions.setAttribute('role', 'toolbar');
actions.setAttribute('aria-label', 'Selected messages');
const selectionInfo = el('span', 'meta', '');
const countInfo = el('span', 'meta count-info', '');
countInfo.setAttribute('role', 'status');
const extendButton = button('Extend', { icon: 'history', title: 'Keep hidden for the queue visibility timeout from now, or for the seconds typed beside (E)' });
// SQS counts a new visibility timeout from the call, not from the old deadline: the field says so.
const extendBy = textField('Visible again in (s)', '', { size: 5 });
extendBy.title = 'Seconds from now until the message is visible again; empty for the queue visibility timeout';
const autoButton = button('Auto-extend', { icon: 'sync', title: 'Extend shortly before each deadline, up to 12 hours after the receive (A)' });
const releaseButton = button('Release', { icon: 'debug-step-out', title: 'Make visible again now (R)' });
const deleteButton = button('Delete', { icon: 'trash', title: 'Delete (Delete key)' });
const saveButton = button('Save…', { icon: 'save', title: 'Save the selected (or all) messages to a JSON file' });
const flaggedButton = button('Flagged only', { icon: 'filter', title: 'Show only redelivered messages and messages with a duplicate idempotency key (F)' });
flaggedButton.setAttribute('aria-pressed', 'false');
const timelineButton = button('Timeline', { icon: 'graph-line', title: 'All messages on one time axis (T)' });
timelineButton.setAttribute('aria-pressed', 'false');
const exportButton = button('Export Session…', { icon: 'export', title: 'Save the messages, their lifecycle events and flags as JSON' });
actions.append(countInfo, selectionInfo, flaggedButton, timelineButton, el('span', 'spacer'), extendButton, extendBy, autoButton, releaseButton, deleteButton, saveButton, exportButton);

const confirmBar = el('div', 'confirm');
confirmBar.setAttribute('role', 'alertdialog');
confirmBar.hidden = true;
const notice = el('div', 'notice');
notice.setAttribute('role', 'status');
notice.setAttribute('aria-live', 'polite');
notice.hidden = true;

const main = el('main');
const listPane = el('div', 'list');
const table = el('table');
table.setAttribute('role', 'grid');
table.setAttribute('aria-label', 'Received messages');
table.setAttribute('aria-multiselectable', 'true');
const thead = el('thead');
const headRow = el('tr');
const allBox = el('input');
allBox.type = 'checkbox';
allBox.setAttribute('aria-label', 'Select all');
const thCheck = el('th', 'check');
thCheck.append(allBox);
/** The list's columns: Body takes what the others leave, never less than its minimum. */
const COLUMNS = [
  { key: 'check', label: '', width: 30 },
  { key: 'id', label: 'Message', width: 84 },
  { key: 'flags', label: 'Flags', width: 56 },
  { key: 'body', label: 'Body', width: 0 },
  { key: 'sent', label: 'Sent', width: 76 },
  { key: 'count', label: 'Receives', width: 68 },
  { key: 'state', label: 'State', width: 110 },
] as const;
const BODY_MIN = 80;
const COLUMN_MIN = 28;
const columnWidths: Record<string, number> = {};
for (const c of COLUMNS) if (c.width > 0) columnWidths[c.key] = saved?.columns?.[c.key] ?? c.width;
const colgroup = el('colgroup');
const cols = new Map<string, HTMLTableColElement>();
for (const c of COLUMNS) {
  const col = el('col');
  cols.set(c.key, col);
  colgroup.append(col);
  if (c.key === 'check') continue;
  const th = el('th', c.key === 'body' ? 'body' : c.key, c.label);
  if (c.key !== 'body') {
    const grip = el('span', 'col-resize');
    grip.setAttribute('role', 'separator');
    grip.setAttribute('aria-label', `Resize the ${c.label} column`);
    grip.addEventListener('pointerdown', (e) => startColumnDrag(e, c.key, grip));
    th.append(grip);
  }
  headRow.append(th);
}
headRow.prepend(thCheck);
thead.append(headRow);
const tbody = el('tbody');
table.append(colgroup, thead, tbody);

function applyColumns(): void {
  let fixed = 0;
  for (const [key, w] of Object.entries(columnWidths)) {
    const col = cols.get(key);
    if (col) col.style.width = `${w}px`;
    fixed += w;
  }
  // Narrower than this, the list scrolls sideways instead of squeezing a column away.
  table.style.minWidth = `${fixed + BODY_MIN}px`;
}

function startColumnDrag(e: PointerEvent, key: string, grip: HTMLElement): void {
  e.preventDefault();
  e.stopPropagation();
  const startX = e.clientX;
  const startWidth = columnWidths[key];
  grip.setPointerCapture(e.pointerId);
  const move = (ev: PointerEvent): void => {
    columnWidths[key] = Math.max(COLUMN_MIN, Math.round(startWidth + ev.clientX - startX));
    applyColumns();
  };
  const up = (): void => {
    grip.removeEventListener('pointermove', move);
    grip.removeEventListener('pointerup', up);
    persist();
  };
  grip.addEventListener('pointermove', move);
  grip.addEventListener('pointerup', up);
}
const empty = el('div', 'empty', 'No messages yet. Choose Peek to look without taking them, or Hold to keep them hidden from other consumers while you watch their visibility timeout run down.');
listPane.append(table, empty);
const detail = el('section', 'detail');
detail.setAttribute('aria-label', 'Message details');
const splitter = el('div', 'splitter');
splitter.setAttribute('role', 'separator');
splitter.setAttribute('aria-label', 'Resize the list and the details (arrow keys)');
splitter.tabIndex = 0;
main.append(listPane, splitter, detail);
app.append(header, toolbar, actions, confirmBar, notice, main);

/** The list's share of the list/detail split, 0.15..0.85. */
let split = saved?.split ?? 0.66;

function applySplit(): void {
  main.style.setProperty('--list-share', `${split}fr`);
  main.style.setProperty('--detail-share', `${1 - split}fr`);
}

/** Side by side, or the list above the details in a narrow window (the stylesheet decides). */
function stacked(): boolean {
  return getComputedStyle(main).gridTemplateRows.split(' ').length === 3;
}

splitter.addEventListener('pointerdown', (e) => {
  e.preventDefault();
  splitter.setPointerCapture(e.pointerId);
  const move = (ev: PointerEvent): void => {
    const r = main.getBoundingClientRect();
    const f = stacked() ? (ev.clientY - r.top) / r.height : (ev.clientX - r.left) / r.width;
    split = Math.max(0.15, Math.min(0.85, f));
    applySplit();
  };
  const up = (): void => {
    splitter.removeEventListener('pointermove', move);
    splitter.removeEventListener('pointerup', up);
    persist();
    renderWindow(true);
  };
  splitter.addEventListener('pointermove', move);
  splitter.addEventListener('pointerup', up);
});
splitter.addEventListener('keydown', (e) => {
  const step = e.key === 'ArrowLeft' || e.key === 'ArrowUp' ? -0.05 : e.key === 'ArrowRight' || e.key === 'ArrowDown' ? 0.05 : 0;
  if (step === 0) return;
  e.preventDefault();
  split = Math.max(0.15, Math.min(0.85, split + step));
  applySplit();
  persist();
});
applyColumns();
applySplit();
let scrollFrame = 0;
listPane.addEventListener('scroll', () => {
  if (scrollFrame) return;
  scrollFrame = requestAnimationFrame(() => {
    scrollFrame = 0;
    renderWindow();
  });
});
window.addEventListener('resize', () => renderWindow());

// ---- rendering ------------------------------------------------------------------------

const rows = new Map<string, { tr: HTMLTableRowElement; box: HTMLInputElement; count: HTMLElement; state: HTMLElement; flags: HTMLElement }>();

const REDELIVERY_HELP = 'Redelivery: SQS delivered this same message (same MessageId) more than once, and not only to this inspector: a consumer received it and it came back, after its visibility timeout ran out or because the consumer did not delete it. An idempotent consumer must handle it once. The inspector\'s own peeks and holds are receives too, but they alone never make a redelivery.';

/** "Received 3 times, 1 by your peek: 2 by consumers." */
function redeliveryText(m: MessageView): string {
  const n = m.flags.redelivered ?? 0;
  const own = m.flags.byInspector;
  if (!own || own.peek + own.hold === 0) return `Received ${n} times.`;
  const parts: string[] = [];
  if (own.peek > 0) parts.push(`${own.peek} by your ${own.peek === 1 ? 'peek' : 'peeks'}`);
  if (own.hold > 0) parts.push(`${own.hold} by your ${own.hold === 1 ? 'hold' : 'holds'}`);
  const others = n - own.peek - own.hold;
  return `Received ${n} times, ${parts.join(' and ')}: ${others} by ${others === 1 ? 'a consumer' : 'consumers'}.`;
}
const DUPLICATE_HELP = 'Duplicate key: other messages (different MessageIds) carry the same idempotency key: the producer sent the same thing more than once.';

function isFlagged(m: MessageView): boolean {
  return m.flags.redelivered !== undefined || m.flags.duplicateKey !== undefined;
}

function flagCell(m: MessageView, target: HTMLElement): void {
  target.replaceChildren();
  if (m.flags.redelivered !== undefined) {
    const f = el('span', 'flag redelivery');
    f.append(icon('sync'), el('span', undefined, `×${m.flags.redelivered}`));
    f.title = `${REDELIVERY_HELP} ${redeliveryText(m)}`;
    f.setAttribute('aria-label', `redelivered ${m.flags.redelivered} times`);
    target.append(f);
  }
  if (m.flags.duplicateKey) {
    const f = el('span', 'flag duplicate');
    f.append(icon('copy'), el('span', undefined, `+${m.flags.duplicateKey.count}`));
    f.title = `${DUPLICATE_HELP} Key ${m.flags.duplicateKey.key}, shared with ${m.flags.duplicateKey.count} other message(s).`;
    f.setAttribute('aria-label', `duplicate idempotency key, shared with ${m.flags.duplicateKey.count} other messages`);
    target.append(f);
  }
}

function stateCell(m: MessageView, target: HTMLElement): void {
  target.replaceChildren();
  target.className = `state state-${m.state}`;
  target.title = '';
  if (m.state === 'held' && m.mode === 'peek') {
    // Hidden only while the peek's receive loop runs; it ends with the message visible again.
    target.className = 'state state-peeked';
    target.textContent = 'peeking…';
  } else if (m.state === 'held') {
    const remaining = m.deadline - (hostNow());
    const span = el('span', 'countdown');
    const track = el('span', 'bar-track');
    const bar = el('span', `bar${remaining < 5000 ? ' low' : ''}`);
    const total = Math.max(1, m.deadline - m.windowStart);
    bar.style.width = `${Math.max(0, Math.min(100, (remaining / total) * 100))}%`;
    track.append(bar);
    span.append(icon(m.autoExtend ? 'sync' : 'lock'), el('span', undefined, fmtRemaining(remaining)), track);
    span.title = `Hidden until ${fmtTime(m.deadline)}${m.autoExtend ? ', auto-extending' : ''}`;
    target.append(span);
  } else {
    const labels: Record<string, string> = { peeked: 'peeked', released: 'released', deleted: 'deleted', expired: 'expired: visible again' };
    target.textContent = labels[m.state] ?? m.state;
    if (m.state === 'peeked') target.title = 'Peeked: received, then made visible again at once. Receive it in Hold mode to extend, release or delete it.';
  }
}

function renderRow(m: MessageView): void {
  let row = rows.get(m.messageId);
  if (!row) {
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
    const flags = el('td', 'flags');
    const body = el('td', undefined, preview(m.body));
    const sent = el('td', 'sent', fmtTime(m.sentAt));
    const count = el('td', 'count');
    const state = el('td', 'state');
    tr.append(tdCheck, id, flags, body, sent, count, state);
    row = { tr, box, count, state, flags };
    rows.set(m.messageId, row);
  }
  row.count.textContent = String(m.receiveCount);
  if (queue?.maxReceiveCount !== undefined && m.receiveCount >= queue.maxReceiveCount) {
    row.count.title = `Received ${m.receiveCount} times: maxReceiveCount is ${queue.maxReceiveCount}; the next receive moves it to ${queue.deadLetterQueue ?? 'the dead-letter queue'}.`;
    row.count.classList.add('note');
  }
  stateCell(m, row.state);
  flagCell(m, row.flags);
  row.box.checked = selected.has(m.messageId);
  row.tr.classList.toggle('selected', selected.has(m.messageId));
  row.tr.classList.toggle('current', current === m.messageId);
  row.tr.classList.toggle('new', fresh.has(m.messageId));
  row.tr.setAttribute('aria-selected', String(selected.has(m.messageId)));
}

function renderHeader(): void {
  if (!queue) return;
  title.textContent = queue.name;
  const parts = [queue.connection, queue.fifo ? 'FIFO' : 'standard', `visibility ${queue.visibilityTimeout} s`];
  if (queue.maxReceiveCount !== undefined) parts.push(`to ${queue.deadLetterQueue ?? 'DLQ'} after ${queue.maxReceiveCount} receives`);
  meta.textContent = parts.join(' · ');
  document.title = `Messages of ${queue.name}`;
  flagSummary.replaceChildren();
  if (summary.redeliveries > 0 || summary.duplicateKeys > 0) {
    const r = el('span', 'flag redelivery');
    r.append(icon('sync'), el('span', undefined, `${summary.redeliveries} redelivered`));
    r.title = REDELIVERY_HELP;
    const d = el('span', 'flag duplicate');
    d.append(icon('copy'), el('span', undefined, `${summary.duplicateKeys} with a duplicate key`));
    d.title = DUPLICATE_HELP;
    flagSummary.append(r, d);
  }
}

function dl(entries: [string, string][]): HTMLElement {
  const list = el('dl', 'attrs');
  for (const [k, v] of entries) list.append(el('dt', undefined, k), el('dd', undefined, v));
  return list;
}

function renderDetail(): void {
  detail.replaceChildren();
  const m = current ? messages.get(current) : undefined;
  if (!m) {
    detail.append(el('div', 'empty', 'Select a message to see its body and attributes.'));
    return;
  }
  const head = el('h2', undefined, `Message ${m.messageId}`);
  const acts = el('div', 'actions');
  const copy = button('Copy Body', { icon: 'copy' });
  copy.addEventListener('click', () => void request('message/body/copy', { id: m.messageId }));
  const open = button('Open in Editor', { icon: 'go-to-file' });
  open.addEventListener('click', () => void request('message/body/open', { id: m.messageId }));
  acts.append(copy, open);
  let pretty = m.body;
  try {
    pretty = JSON.stringify(JSON.parse(m.body), null, 2);
  } catch {
    // not JSON: shown as it is
  }
  const body = el('pre', 'body', pretty.length > 200_000 ? `${pretty.slice(0, 200_000)}\n… (${pretty.length.toLocaleString()} characters; open it in an editor to see all)` : pretty);
  body.tabIndex = 0;
  body.setAttribute('aria-label', 'Message body');
  detail.append(head, acts, el('h2', undefined, 'Timeline'), detailTimeline.element);
  detailTimeline.setRows([timelineRow(m)], hostNow());
  detailTimeline.fit();
  if (m.idempotencyKey !== undefined) {
    detail.append(el('h2', undefined, 'Idempotency key'), dl([[m.idempotencyKeyPath ?? 'key', m.idempotencyKey]]));
  }
  if (isFlagged(m)) {
    const flags = el('div', 'flag-detail');
    if (m.flags.redelivered !== undefined) flags.append(el('p', 'flag-note redelivery', `${redeliveryText(m)} ${REDELIVERY_HELP}`));
    if (m.flags.duplicateKey) {
      const p = el('p', 'flag-note duplicate', `${DUPLICATE_HELP} Shared with: `);
      m.flags.duplicateKey.others.forEach((other, i) => {
        const link = el('button', 'linkish', other.slice(0, 8));
        link.title = other;
        link.addEventListener('click', () => {
          if (messages.has(other)) setCurrent(other);
        });
        if (i > 0) p.append(document.createTextNode(', '));
        p.append(link);
      });
      const more = m.flags.duplicateKey.count - m.flags.duplicateKey.others.length;
      if (more > 0) p.append(document.createTextNode(` and ${more} more`));
      flags.append(p);
    }
    detail.append(flags);
  }
  detail.append(el('h2', undefined, 'Body'), body);
  if (m.note) detail.append(el('p', 'note', m.note));
  const attrs = Object.entries(m.messageAttributes);
  detail.append(el('h2', undefined, `Message attributes (${attrs.length})`));
  detail.append(attrs.length > 0 ? dl(attrs.map(([k, a]) => [`${k} (${a.type})`, a.value])) : el('div', 'meta', 'none'));
  const sys: [string, string][] = [];
  const add = (k: string, v: string | undefined): void => {
    if (v !== undefined) sys.push([k, v]);
  };
  add('SentTimestamp', m.sentAt !== undefined ? `${new Date(m.sentAt).toISOString()} (${m.sentAt})` : undefined);
  add('ApproximateReceiveCount', String(m.receiveCount));
  add('ApproximateFirstReceiveTimestamp', m.firstReceiveAt !== undefined ? `${new Date(m.firstReceiveAt).toISOString()} (${m.firstReceiveAt})` : undefined);
  add('SenderId', m.senderId);
  add('MessageGroupId', m.groupId);
  add('MessageDeduplicationId', m.dedupId);
  add('SequenceNumber', m.sequenceNumber);
  add('DeadLetterQueueSourceArn', m.deadLetterSourceArn);
  for (const [k, v] of Object.entries(m.systemAttributes)) {
    if (!sys.some(([name]) => name === k) && !['SentTimestamp', 'ApproximateFirstReceiveTimestamp'].includes(k)) sys.push([k, v]);
  }
  detail.append(el('h2', undefined, 'System attributes'), dl(sys));
}

/** Enables the action buttons for what the selection allows; a disabled button says why. */
function renderActions(): void {
  const chosen = targetIds().map((id) => messages.get(id)).filter((m): m is MessageView => !!m);
  selectionInfo.textContent = selected.size > 0 ? `${selected.size} selected` : '';
  const newCount = [...fresh].filter((id) => messages.has(id)).length;
  countInfo.textContent = messages.size === 0 ? '' : `${messages.size} ${messages.size === 1 ? 'message' : 'messages'} · ${shown.length} shown${newCount > 0 ? ` · ${newCount} new` : ''}`;
  const setup = (b: UiButton, action: 'extend' | 'release' | 'delete'): void => {
    const allowed = chosen.filter((m) => !m.disabled[action]);
    b.disabled = allowed.length === 0;
    const reason = chosen.find((m) => m.disabled[action])?.disabled[action];
    b.title = b.disabled ? (reason ?? 'Select a held message first.') : `${b.getAttribute('aria-label') ?? ''} ${allowed.length} message(s)${reason ? `; ${chosen.length - allowed.length} cannot: ${reason}` : ''}`;
  };
  setup(extendButton, 'extend');
  setup(autoButton, 'extend');
  setup(releaseButton, 'release');
  setup(deleteButton, 'delete');
  autoButton.classList.toggle('on', chosen.length > 0 && chosen.every((m) => m.autoExtend));
  saveButton.disabled = messages.size === 0;
  empty.hidden = messages.size > 0;
  table.hidden = showTimeline || messages.size === 0;
  exportButton.disabled = messages.size === 0;
  allBox.checked = shown.length > 0 && selected.size === shown.length;
}

// The list is virtualized: only the rows in view (and a few around) are in the DOM.
const ROW_HEIGHT = 25;
const topSpacer = el('tr', 'spacer');
const bottomSpacer = el('tr', 'spacer');
/** The ids the list shows, in order: all, or only the flagged ones. */
let shown: string[] = [];
let windowStart = 0;
let windowEnd = 0;

function recomputeShown(): void {
  shown = onlyFlagged ? order.filter((id) => {
    const m = messages.get(id);
    return m !== undefined && isFlagged(m);
  }) : [...order];
  // A check the user cannot see must not take part in an action: it goes with its row.
  if (selected.size > 0) {
    const visible = new Set(shown);
    let dropped = false;
    for (const id of [...selected]) {
      if (!visible.has(id)) {
        selected.delete(id);
        dropped = true;
      }
    }
    if (dropped) persist();
  }
}

let drawnKey = '';

function renderWindow(force = false): void {
  const top = listPane.scrollTop;
  const height = listPane.clientHeight || 600;
  // Rows are drawn in blocks of 10, so that small scrolls move no row at all.
  windowStart = Math.max(0, Math.floor(top / ROW_HEIGHT / 10) * 10 - 10);
  windowEnd = Math.min(shown.length, Math.ceil((top + height) / ROW_HEIGHT / 10) * 10 + 10);
  topSpacer.style.height = `${windowStart * ROW_HEIGHT}px`;
  bottomSpacer.style.height = `${(shown.length - windowEnd) * ROW_HEIGHT}px`;
  const key = `${windowStart}:${windowEnd}:${shown.length}:${shown[windowStart] ?? ''}`;
  if (!force && key === drawnKey) return;
  drawnKey = key;
  const keep = new Set(shown.slice(windowStart, windowEnd));
  for (const id of [...rows.keys()]) if (!keep.has(id)) rows.delete(id);
  const trs: HTMLTableRowElement[] = [];
  for (let i = windowStart; i < windowEnd; i++) {
    const m = messages.get(shown[i]);
    if (!m) continue;
    renderRow(m);
    const row = rows.get(m.messageId);
    if (row) {
      row.tr.tabIndex = m.messageId === current ? 0 : -1;
      trs.push(row.tr);
    }
  }
  tbody.replaceChildren(topSpacer, ...trs, bottomSpacer);
}

/** Redraws one message if it is in view. */
function refreshRow(m: MessageView): void {
  if (rows.has(m.messageId)) renderRow(m);
}

function renderAll(): void {
  renderHeader();
  recomputeShown();
  renderWindow(true);
  renderDetail();
  renderTimeline();
  renderActions();
}

/** What the next frame redraws: updates are taken in at once and drawn once per frame. */
const pendingDraw = { rows: new Set<string>(), list: false, detail: false };
let drawFrame = 0;

function upsert(list: readonly MessageView[]): void {
  for (const m of list) {
    if (!messages.has(m.messageId)) {
      order.push(m.messageId);
      pendingDraw.list = true;
    }
    messages.set(m.messageId, m);
    pendingDraw.rows.add(m.messageId);
    if (m.messageId === current) pendingDraw.detail = true;
  }
  if (onlyFlagged) pendingDraw.list = true;
  if (!drawFrame) drawFrame = requestAnimationFrame(drawPending);
}

function drawPending(): void {
  drawFrame = 0;
  renderHeader();
  if (pendingDraw.list) {
    recomputeShown();
    renderWindow(true);
  } else {
    for (const id of pendingDraw.rows) {
      const m = messages.get(id);
      if (m) refreshRow(m);
    }
  }
  if (pendingDraw.detail) renderDetail();
  pendingDraw.rows.clear();
  pendingDraw.list = false;
  pendingDraw.detail = false;
  renderTimeline();
  renderActions();
}

// ---- timelines --------------------------------------------------------------------------

const detailTimeline = new TimelineView({ label: 'Timeline of this message', maxHeight: 80 });
const allTimeline = new TimelineView({ label: 'Timeline of all messages', onSelect: (id) => setCurrent(id, false) });
allTimeline.element.classList.add('all');
allTimeline.element.hidden = true;
listPane.append(allTimeline.element);
let showTimeline = false;

function timelineRow(m: MessageView): TimelineRow {
  return { id: m.messageId, label: m.messageId.slice(0, 8), events: m.events, state: m.state, deadline: m.deadline };
}

function renderTimeline(): void {
  if (!showTimeline) return;
  allTimeline.setRows(shown.map((id) => messages.get(id)).filter((m): m is MessageView => !!m).map(timelineRow), hostNow());
}

function showNotice(level: 'info' | 'warning' | 'error', text: string): void {
  notice.className = `notice ${level}`;
  notice.textContent = text;
  notice.hidden = false;
}

// ---- interaction ----------------------------------------------------------------------

/**
 * The messages an action applies to: what the user sees chosen, the checked rows still in
 * the list, or else the focused row (when the list shows it).
 */
function targetIds(): string[] {
  const visible = new Set(shown);
  const checked = [...selected].filter((id) => visible.has(id));
  if (checked.length > 0) return checked;
  return current && visible.has(current) ? [current] : [];
}

/** Asks in the page before an action that cannot be undone; resolves with the answer. */
function confirmInPage(text: string, yes: string): Promise<boolean> {
  return new Promise((resolve) => {
    const ok = button(yes, { appearance: 'primary' });
    const cancel = button('Cancel');
    const done = (answer: boolean): void => {
      confirmBar.hidden = true;
      confirmBar.replaceChildren();
      resolve(answer);
      if (!showTimeline) table.focus();
    };
    ok.addEventListener('click', () => done(true));
    cancel.addEventListener('click', () => done(false));
    confirmBar.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') done(false);
    }, { once: true });
    confirmBar.replaceChildren(el('span', undefined, text), ok, cancel);
    confirmBar.setAttribute('aria-label', text);
    confirmBar.hidden = false;
    ok.focus();
  });
}

function setCurrent(id: string | undefined, focus = true): void {
  const previous = current;
  current = id;
  if (previous) {
    const p = messages.get(previous);
    if (p) refreshRow(p);
  }
  const m = id ? messages.get(id) : undefined;
  if (m) {
    const index = shown.indexOf(m.messageId);
    if (index >= 0) {
      const y = index * ROW_HEIGHT;
      const headerHeight = thead.getBoundingClientRect().height || ROW_HEIGHT;
      if (y < listPane.scrollTop) listPane.scrollTop = y;
      else if (y + ROW_HEIGHT * 2 + headerHeight > listPane.scrollTop + listPane.clientHeight) listPane.scrollTop = y + ROW_HEIGHT * 2 + headerHeight - listPane.clientHeight;
    }
    renderWindow();
    refreshRow(m);
    for (const r of rows.values()) r.tr.tabIndex = -1;
    const row = rows.get(m.messageId);
    if (row) row.tr.tabIndex = 0;
    if (row && focus && !showTimeline) row.tr.focus({ preventScroll: true });
  }
  // The detail pane is drawn once per frame, so holding an arrow key stays smooth.
  if (!detailFrame) {
    detailFrame = requestAnimationFrame(() => {
      detailFrame = 0;
      renderDetail();
    });
  }
  renderActions();
  persist();
}

let detailFrame = 0;

function toggle(id: string): void {
  if (selected.has(id)) selected.delete(id);
  else selected.add(id);
  const m = messages.get(id);
  if (m) refreshRow(m);
  renderActions();
  persist();
}

function readOptions(): ReceiveOptions | undefined {
  const n = (f: UiField, min: number, max: number, name: string): number | undefined => {
    const v = Number(f.value.trim());
    if (!Number.isInteger(v) || v < min || v > max) {
      showNotice('error', `${name} must be a whole number from ${min} to ${max}.`);
      f.focus();
      return undefined;
    }
    return v;
  };
  const count = n(countField, 1, 1000, 'Messages');
  const wait = n(waitField, 0, 20, 'Wait');
  const vt = n(vtField, 0, 43_200, 'Visibility');
  if (count === undefined || wait === undefined || vt === undefined) return undefined;
  return { count, waitSeconds: wait, visibilityTimeout: vt, mode: modeField.value === 'hold' ? 'hold' : 'peek' };
}

async function runAction(label: string, run: () => Promise<{ failures: readonly { messageId: string; message: string }[] }>): Promise<void> {
  try {
    const { failures } = await run();
    if (failures.length === 0) notice.hidden = true;
  } catch (err) {
    showNotice('error', `${label} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

receiveButton.addEventListener('click', () => {
  const o = readOptions();
  if (!o) return;
  options = o;
  notice.hidden = true;
  vscode.postMessage({ kind: 'notification', method: 'webview/options/changed', params: o });
  request('messages/receive', o).then(
    (result) => showReceived(result.ids),
    (err: Error) => showNotice('error', err.message),
  );
});

/** Marks what a receive returned and brings the first of it into view (the list keeps arrival order). */
function showReceived(ids: readonly string[]): void {
  fresh.clear();
  for (const id of ids) fresh.add(id);
  // The updates for these messages came before the reply; draw them now, then scroll.
  if (drawFrame) {
    cancelAnimationFrame(drawFrame);
    drawPending();
  }
  const first = shown.findIndex((id) => fresh.has(id));
  if (first >= 0) {
    const y = first * ROW_HEIGHT;
    if (y < listPane.scrollTop || y + ROW_HEIGHT > listPane.scrollTop + listPane.clientHeight - ROW_HEIGHT) listPane.scrollTop = Math.max(0, y - ROW_HEIGHT);
  }
  renderWindow(true);
  renderActions();
}
modeField.addEventListener('change', () => {
  vtField.hidden = modeField.value !== 'hold';
});
extendButton.addEventListener('click', () => {
  const by = extendBy.value.trim();
  const seconds = by === '' ? undefined : Number(by);
  if (seconds !== undefined && (!Number.isInteger(seconds) || seconds < 1 || seconds > 43_200)) {
    showNotice('error', 'Extend by: a whole number of seconds from 1 to 43200, or empty for the queue visibility timeout.');
    return;
  }
  void runAction('Extend', () => request('messages/extend', { ids: targetIds(), ...(seconds !== undefined ? { seconds } : {}) }));
});
autoButton.addEventListener('click', () => {
  const ids = targetIds();
  const on = !ids.every((id) => messages.get(id)?.autoExtend);
  void runAction('Auto-extend', () => request('messages/autoExtend/set', { ids, on }));
});
releaseButton.addEventListener('click', () => void runAction('Release', () => request('messages/release', { ids: targetIds() })));
deleteButton.addEventListener('click', () => {
  const ids = targetIds();
  if (ids.length === 0) return;
  const run = (): void => void runAction('Delete', () => request('messages/delete', { ids }));
  if (ids.length === 1) {
    run();
    return;
  }
  void confirmInPage(`Delete ${ids.length} messages? Deleted messages cannot be recovered.`, `Delete ${ids.length} Messages`).then((yes) => {
    if (yes) run();
  });
});
timelineButton.addEventListener('click', () => {
  showTimeline = !showTimeline;
  timelineButton.setAttribute('aria-pressed', String(showTimeline));
  timelineButton.classList.toggle('on', showTimeline);
  table.hidden = showTimeline || messages.size === 0;
  allTimeline.element.hidden = !showTimeline;
  renderTimeline();
});
exportButton.addEventListener('click', () => void request('session/export', {}));
flaggedButton.addEventListener('click', () => {
  onlyFlagged = !onlyFlagged;
  flaggedButton.setAttribute('aria-pressed', String(onlyFlagged));
  flaggedButton.classList.toggle('on', onlyFlagged);
  renderAll();
});
saveButton.addEventListener('click', () => void request('messages/save', { ids: [...selected] }));
allBox.addEventListener('change', () => {
  if (allBox.checked) for (const id of shown) selected.add(id);
  else selected.clear();
  renderAll();
  persist();
});

tbody.addEventListener('click', (e) => {
  const tr = (e.target as HTMLElement).closest('tr');
  const id = tr?.dataset.id;
  if (!id) return;
  if ((e.target as HTMLElement).tagName === 'INPUT') {
    toggle(id);
    return;
  }
  if (e.ctrlKey || e.metaKey) toggle(id);
  setCurrent(id);
});

/** Keys of the list; also taken when nothing in the page has focus yet (the first key after focusing the panel). */
function onListKey(e: KeyboardEvent): void {
  const index = current ? shown.indexOf(current) : -1;
  const move = (to: number): void => {
    e.preventDefault();
    const id = shown[Math.max(0, Math.min(shown.length - 1, to))];
    if (id) setCurrent(id);
  };
  if (e.key === 'ArrowDown') move(index + 1);
  else if (e.key === 'ArrowUp') move(index - 1);
  else if (e.key === 'Home') move(0);
  else if (e.key === 'End') move(shown.length - 1);
  else if (e.key === ' ' && current) {
    e.preventDefault();
    toggle(current);
  } else if ((e.key === 'a' || e.key === 'A') && (e.ctrlKey || e.metaKey)) {
    e.preventDefault();
    selectAllShown();
  } else if (e.key === 'Delete' && !deleteButton.disabled) deleteButton.click();
  else if (e.key === 'e' && !extendButton.disabled) extendButton.click();
  else if (e.key === 'r' && !releaseButton.disabled) releaseButton.click();
  else if (e.key === 'a' && !autoButton.disabled) autoButton.click();
  else if (e.key === 'f') flaggedButton.click();
  else if (e.key === 't') timelineButton.click();
}

/** Ctrl+A in the list checks the messages shown, and only them: the page's text stays unselected. */
let keepTextUnselectedUntil = 0;
function selectAllShown(): void {
  for (const id of shown) selected.add(id);
  // VS Code runs its own Select All in the webview after the key: undo that text selection.
  keepTextUnselectedUntil = performance.now() + 500;
  document.getSelection()?.removeAllRanges();
  renderAll();
  persist();
}
document.addEventListener('selectionchange', () => {
  if (performance.now() < keepTextUnselectedUntil && !document.getSelection()?.isCollapsed) document.getSelection()?.removeAllRanges();
});

table.addEventListener('keydown', onListKey);
table.addEventListener('focus', () => {
  if (!current && shown[0]) setCurrent(shown[0]);
});
table.tabIndex = 0;
document.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
    receiveButton.click();
    return;
  }
  // Nothing focused yet (the panel just got focus): the list takes the key, and keeps focus.
  if (e.target === document.body || e.target === document.documentElement) {
    onListKey(e);
    if (!showTimeline && !table.hidden && !table.contains(document.activeElement)) {
      const row = current ? rows.get(current) : undefined;
      (row?.tr ?? table).focus({ preventScroll: true });
    }
  }
});
window.addEventListener('focus', () => {
  if (document.activeElement === document.body && !showTimeline && !table.hidden) {
    const row = current ? rows.get(current) : undefined;
    (row?.tr ?? table).focus({ preventScroll: true });
  }
});

// Countdowns: only held messages change with time.
let ticks = 0;
setInterval(() => {
  ticks++;
  let held = false;
  for (const [id, row] of rows) {
    const m = messages.get(id);
    if (m?.state !== 'held') continue;
    held = true;
    stateCell(m, row.state);
  }
  // The timelines move by whole pixels at most a few times a second: redraw them once a second.
  if (ticks % 4 !== 0) return;
  const c = current ? messages.get(current) : undefined;
  if (c?.state === 'held') detailTimeline.tick(hostNow());
  if (showTimeline && (held || [...messages.values()].some((m) => m.state === 'held'))) allTimeline.tick(hostNow());
}, 250);

// ---- host messages --------------------------------------------------------------------

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const msg = event.data;
  if (!isHostToWebview(msg)) return;
  handle(msg);
});

function handle(msg: HostToWebview): void {
  switch (msg.method) {
    case 'host/state/set': {
      queue = msg.params.queue;
      options = msg.params.options;
      summary = msg.params.summary;
      frozen = msg.params.readOnly ? msg.params.now : undefined;
      toolbar.hidden = frozen !== undefined;
      for (const b of [extendButton, autoButton, releaseButton, deleteButton, saveButton, exportButton]) b.hidden = frozen !== undefined;
      extendBy.hidden = frozen !== undefined;
      if (frozen !== undefined) showNotice('info', `A saved session (${new Date(frozen).toLocaleString()}), shown as it was then: read-only.`);
      skew = msg.params.now - Date.now();
      modeField.value = options.mode;
      countField.value = String(options.count);
      waitField.value = String(options.waitSeconds);
      vtField.value = String(options.visibilityTimeout);
      vtField.hidden = options.mode !== 'hold';
      messages.clear();
      order.length = 0;
      rows.clear();
      for (const m of msg.params.messages) {
        messages.set(m.messageId, m);
        order.push(m.messageId);
      }
      for (const id of [...selected]) if (!messages.has(id)) selected.delete(id);
      for (const id of [...fresh]) if (!messages.has(id)) fresh.delete(id);
      if (current && !messages.has(current)) current = undefined;
      renderAll();
      break;
    }
    case 'host/messages/upsert':
      skew = msg.params.now - Date.now();
      summary = msg.params.summary;
      upsert(msg.params.messages);
      break;
    case 'host/busy/set':
      busy.hidden = !msg.params.busy;
      (busy.lastChild as HTMLElement).textContent = msg.params.label ?? '';
      receiveButton.disabled = msg.params.busy;
      break;
    case 'host/notice/show':
      showNotice(msg.params.level, msg.params.text);
      break;
    case 'host/reply': {
      const p = pending.get(msg.params.id);
      if (!p) break;
      pending.delete(msg.params.id);
      if (msg.params.ok) p.resolve(msg.params.result);
      else p.reject(new Error(msg.params.error ?? 'failed'));
      break;
    }
  }
}

renderAll();
vscode.postMessage({ kind: 'notification', method: 'webview/ready', params: {} });
