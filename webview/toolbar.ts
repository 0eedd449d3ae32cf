import type { EntryResult, QueueView } from '../src/protocol';
import { HOLD_CAP_MS, MAX_INSPECTOR_RECEIVE, MAX_VISIBILITY_TIMEOUT_SECONDS, MAX_WAIT_TIME_SECONDS, type MessageAction, type ReceiveOptions } from '../src/shared/kinds';
import type { HostChannel } from './channel';
import type { ConfirmBar } from './confirm';
import { el } from './dom';
import { summaryFlags } from './flags';
import type { Notice } from './notice';
import type { Store } from './store';
import { button, dropdown, option, progressRing, setButtonLabel, textField, type UiButton, type UiField } from './ui';

/** The queue's name, settings and flag counts. */
export class Header {
  readonly element = el('header');
  private readonly title = el('h1');
  private readonly meta = el('span', 'meta');
  private readonly flags = el('span', 'flags-summary');
  private readonly redrive = button('Redrive…', { icon: 'debug-restart', title: 'Move the messages of this dead-letter queue back to their source queues, or to a chosen queue' });

  constructor(
    private readonly store: Store,
    channel: HostChannel,
  ) {
    this.flags.setAttribute('role', 'status');
    this.redrive.hidden = true;
    this.redrive.addEventListener('click', () => void channel.request('queue/redrive', {}));
    this.element.append(this.title, this.meta, this.flags, this.redrive);
  }

  render(): void {
    const queue: QueueView | undefined = this.store.queue;
    if (!queue) return;
    this.title.textContent = queue.name;
    const parts = [queue.connection, queue.fifo ? 'FIFO' : 'standard', `visibility ${queue.visibilityTimeout} s`];
    if (queue.maxReceiveCount !== undefined) parts.push(`to ${queue.deadLetterQueue ?? 'DLQ'} after ${queue.maxReceiveCount} receives`);
    this.meta.textContent = parts.join(' · ');
    document.title = `Messages of ${queue.name}`;
    this.flags.replaceChildren(...summaryFlags(this.store.summary));
    this.redrive.hidden = this.store.readOnly || queue.isDeadLetterQueue !== true;
  }
}

/** The receive options and the Receive button; a busy ring while the host receives. */
export class ReceiveBar {
  readonly element = el('div', 'toolbar');
  readonly receiveButton = button('Receive', { icon: 'cloud-download', appearance: 'primary', title: 'Receive messages (Ctrl+Enter)' });
  private readonly mode = dropdown('Mode', [
    { value: 'peek', label: 'Peek (release at once)' },
    { value: 'hold', label: 'Hold (keep hidden)' },
  ], 'peek');
  /** Browse and Watch: offered only on the SQS Workbench local server (the host says so with the queue). */
  private readonly workbenchOptions = [option('browse', 'Browse (receive nothing)'), option('watch', 'Watch (live, receive nothing)')];
  private readonly count = textField('Messages', '', { size: 4 });
  private readonly wait = textField('Wait (s)', '', { size: 3 });
  private readonly visibility = textField('Visibility (s)', '', { size: 5 });
  private readonly busy = el('span', 'busy');
  private readonly busyLabel = el('span', undefined, '');

  /** `onReceive`: the options the user typed, checked. */
  constructor(
    private readonly notice: Notice,
    onReceive: (options: ReceiveOptions) => void,
  ) {
    this.element.setAttribute('role', 'toolbar');
    this.element.setAttribute('aria-label', 'Receive');
    this.busy.append(progressRing(), this.busyLabel);
    this.busy.hidden = true;
    const modeLabel = el('label', 'field', 'Mode');
    modeLabel.append(this.mode);
    this.element.append(modeLabel, this.count, this.wait, this.visibility, this.receiveButton, this.busy);
    this.mode.addEventListener('change', () => this.fitFields());
    this.receiveButton.addEventListener('click', () => {
      const options = this.read();
      if (options) onReceive(options);
    });
  }

  /** Shows the options; Browse is offered when the queue is `browsable` (else the mode's title says why not). */
  show(options: ReceiveOptions, browsable: boolean): void {
    for (const o of this.workbenchOptions) {
      if (browsable && !o.isConnected) this.mode.append(o);
      if (!browsable) o.remove();
    }
    this.mode.title = browsable ? 'Peek and Hold receive messages; Browse reads every message of the queue without receiving any; Watch then follows them live' : BROWSE_UNAVAILABLE_TITLE;
    const mode = (options.mode === 'browse' || options.mode === 'watch') && !browsable ? 'peek' : options.mode;
    this.mode.value = mode;
    this.count.value = String(options.count);
    this.wait.value = String(options.waitSeconds);
    this.visibility.value = String(options.visibilityTimeout);
    this.fitFields();
    // The dropdown takes an option added just now only once it has seen it: choose it again then.
    if (this.mode.value !== mode) {
      requestAnimationFrame(() => {
        this.mode.value = mode;
        this.fitFields();
      });
    }
  }

  /** Visibility only for Hold, the wait only for a receive; the button says what it does. */
  private fitFields(): void {
    const mode = this.mode.value;
    const reads = mode === 'browse' || mode === 'watch';
    this.visibility.hidden = mode !== 'hold';
    this.wait.hidden = reads;
    setButtonLabel(this.receiveButton, mode === 'browse' ? 'Browse' : mode === 'watch' ? 'Watch' : 'Receive');
    this.receiveButton.title = !reads
      ? 'Receive messages (Ctrl+Enter)'
      : `Show every message of the queue, in flight and delayed ones too, without receiving any${mode === 'watch' ? ', then follow what your processes do to them' : ''} (Ctrl+Enter)`;
  }

  setBusy(busy: boolean, label?: string): void {
    this.busy.hidden = !busy;
    this.busyLabel.textContent = label ?? '';
    this.receiveButton.disabled = busy;
  }

  /** The options typed, or undefined after saying which field is out of range. */
  private read(): ReceiveOptions | undefined {
    const n = (f: UiField, min: number, max: number, name: string): number | undefined => {
      const v = Number(f.value.trim());
      if (!Number.isInteger(v) || v < min || v > max) {
        this.notice.show('error', `${name} must be a whole number from ${min} to ${max}.`);
        f.focus();
        return undefined;
      }
      return v;
    };
    const count = n(this.count, 1, MAX_INSPECTOR_RECEIVE, 'Messages');
    const wait = n(this.wait, 0, MAX_WAIT_TIME_SECONDS, 'Wait');
    const vt = n(this.visibility, 0, MAX_VISIBILITY_TIMEOUT_SECONDS, 'Visibility');
    if (count === undefined || wait === undefined || vt === undefined) return undefined;
    const chosen = this.mode.value;
    const mode = chosen === 'hold' || chosen === 'browse' || chosen === 'watch' ? chosen : 'peek';
    return { count, waitSeconds: wait, visibilityTimeout: vt, mode };
  }
}

const BROWSE_UNAVAILABLE_TITLE = 'Peek and Hold receive messages. Browse and Watch (every message, received by nobody) need the SQS Workbench local server: this endpoint is not one.';

const RESEND_TITLE = 'Open the message as an editable document, then send it';
const COPY_TITLE = 'Copy to a queue, keeping the original (C)';

/** The actions on the chosen messages, the list's filter and views, and saving. */
export class ActionsBar {
  readonly element = el('div', 'toolbar');
  private readonly selectionInfo = el('span', 'meta', '');
  private readonly countInfo = el('span', 'meta count-info', '');
  private readonly extend = button('Extend', { icon: 'history', title: 'Keep hidden for the queue visibility timeout from now, or for the seconds typed beside (E)' });
  // SQS counts a new visibility timeout from the call, not from the old deadline: the field says so.
  private readonly extendBy = textField('Visible again in (s)', '', { size: 5 });
  private readonly auto = button('Auto-extend', { icon: 'sync', title: `Extend shortly before each deadline, up to ${HOLD_CAP_MS / 3_600_000} hours after the receive (A)` });
  private readonly release = button('Release', { icon: 'debug-step-out', title: 'Make visible again now (R)' });
  private readonly delete = button('Delete', { icon: 'trash', title: 'Delete (Delete key)' });
  private readonly move = button('Move…', { icon: 'arrow-right', title: 'Move to another queue: send a copy, then delete the original once the copy was accepted (M)' });
  private readonly copy = button('Copy…', { icon: 'copy', title: COPY_TITLE });
  private readonly resend = button('Edit and Resend', { icon: 'edit', title: RESEND_TITLE });
  private readonly save = button('Save…', { icon: 'save', title: 'Save the selected (or all) messages to a JSON file' });
  private readonly flagged = button('Flagged only', { icon: 'filter', title: 'Show only redelivered messages and messages with a duplicate idempotency key (F)' });
  private readonly timeline = button('Timeline', { icon: 'graph-line', title: 'All messages on one time axis (T)' });
  private readonly export = button('Export Session…', { icon: 'export', title: 'Save the messages, their lifecycle events and flags as JSON' });

  constructor(
    private readonly store: Store,
    private readonly channel: HostChannel,
    private readonly notice: Notice,
    private readonly confirm: ConfirmBar,
  ) {
    this.element.setAttribute('role', 'toolbar');
    this.element.setAttribute('aria-label', 'Selected messages');
    this.compactAsNarrow();
    this.extendBy.title = 'Seconds from now until the message is visible again; empty for the queue visibility timeout';
    this.flagged.setAttribute('aria-pressed', 'false');
    this.timeline.setAttribute('aria-pressed', 'false');
    this.element.append(this.countInfo, this.selectionInfo, this.flagged, this.timeline, el('span', 'spacer'), this.extend, this.extendBy, this.auto, this.release, this.delete, this.move, this.copy, this.resend, this.save, this.export);
    this.listen();
  }

  /**
   * Keeps the toolbar to one row as the editor narrows: when it would wrap, the secondary
   * actions, and then the view toggles too, show their icon only; their name stays their
   * tooltip and their accessible name.
   */
  private compactAsNarrow(): void {
    const steps: UiButton[][] = [
      [this.move, this.copy, this.resend, this.save, this.export],
      [this.flagged, this.timeline, this.auto],
    ];
    const labels = new Map(steps.flat().map((b) => [b, b.getAttribute('aria-label') ?? ''] as const));
    const setCompact = (b: UiButton, compact: boolean): void => {
      if (compact === (b.getAttribute('appearance') === 'icon')) return;
      const text = [...b.childNodes].find((n) => n.nodeType === Node.TEXT_NODE);
      if (text) text.textContent = compact ? '' : (labels.get(b) ?? '');
      const glyph = b.querySelector('.codicon');
      if (glyph) glyph.slot = compact ? '' : 'start';
      b.setAttribute('appearance', compact ? 'icon' : 'secondary');
    };
    const wraps = (): boolean => {
      const bottoms = new Set([...this.element.children].filter((c) => c instanceof HTMLElement && !c.hidden && c.offsetWidth > 0).map((c) => Math.round(c.getBoundingClientRect().bottom)));
      return bottoms.size > 1;
    };
    let lastWidth = -1;
    new ResizeObserver(([entry]) => {
      const width = Math.round(entry.contentRect.width);
      if (width === lastWidth) return;
      lastWidth = width;
      for (const b of steps.flat()) setCompact(b, false);
      for (const step of steps) {
        if (!wraps()) break;
        for (const b of step) setCompact(b, true);
      }
    }).observe(this.element);
  }

  /** Enables the action buttons for what the selection allows; a disabled button says why. */
  render(): void {
    const { store } = this;
    const chosen = store.targetIds().flatMap((id) => store.messages.get(id) ?? []);
    this.selectionInfo.textContent = store.selected.size > 0 ? `${store.selected.size} selected` : '';
    const newCount = [...store.fresh].filter((id) => store.messages.has(id)).length;
    const total = store.messages.size;
    this.countInfo.textContent = total === 0 ? '' : `${total} ${total === 1 ? 'message' : 'messages'} · ${store.shown.length} shown${newCount > 0 ? ` · ${newCount} new` : ''}`;
    const setup = (b: UiButton, action: MessageAction, none = 'Select a held message first.', title?: string): void => {
      const allowed = chosen.filter((m) => !m.disabled[action]);
      b.disabled = allowed.length === 0;
      const reason = chosen.find((m) => m.disabled[action])?.disabled[action];
      if (b.disabled) b.title = reason ?? none;
      else b.title = reason || title === undefined ? `${b.getAttribute('aria-label') ?? ''} ${allowed.length} message(s)${reason ? `; ${chosen.length - allowed.length} cannot: ${reason}` : ''}` : title;
    };
    setup(this.extend, 'extend');
    setup(this.auto, 'extend');
    setup(this.release, 'release');
    setup(this.delete, 'delete');
    setup(this.move, 'delete');
    setup(this.copy, 'copy', 'Select messages to copy them to a queue.', COPY_TITLE);
    this.resend.disabled = chosen.length !== 1;
    this.resend.title = this.resend.disabled ? 'Select one message to edit and resend.' : RESEND_TITLE;
    this.auto.classList.toggle('on', chosen.length > 0 && chosen.every((m) => m.autoExtend));
    this.save.disabled = total === 0;
    this.export.disabled = total === 0;
    for (const [b, on] of [[this.flagged, store.onlyFlagged], [this.timeline, store.timeline]] as const) {
      b.setAttribute('aria-pressed', String(on));
      b.classList.toggle('on', on);
    }
    for (const b of [this.extend, this.extendBy, this.auto, this.release, this.delete, this.move, this.copy, this.resend, this.save, this.export]) b.hidden = store.readOnly;
  }

  /** The list's one-key shortcuts for these actions; says whether the key was one. */
  onKey(e: KeyboardEvent): boolean {
    // Ctrl+C and the like are the editor's: only plain keys are the page's shortcuts.
    if (e.ctrlKey || e.metaKey || e.altKey) return false;
    const press = (b: UiButton): boolean => {
      // A key pressed right after a click comes before the next frame redraws the buttons:
      // bring them up to the store's selection first.
      this.render();
      if (!b.disabled) b.click();
      return true;
    };
    if (e.key === 'Delete') return press(this.delete);
    if (e.key === 'e') return press(this.extend);
    if (e.key === 'r') return press(this.release);
    if (e.key === 'm') return press(this.move);
    if (e.key === 'c') return press(this.copy);
    if (e.key === 'a') return press(this.auto);
    if (e.key === 'f') return press(this.flagged);
    if (e.key === 't') return press(this.timeline);
    return false;
  }

  private async run(label: string, request: () => Promise<EntryResult>): Promise<void> {
    try {
      const { failures } = await request();
      if (failures.length === 0) this.notice.hide();
    } catch (err) {
      this.notice.show('error', `${label} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private listen(): void {
    const { store, channel } = this;
    this.extend.addEventListener('click', () => {
      const by = this.extendBy.value.trim();
      const seconds = by === '' ? undefined : Number(by);
      if (seconds !== undefined && (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_VISIBILITY_TIMEOUT_SECONDS)) {
        this.notice.show('error', `Extend by: a whole number of seconds from 1 to ${MAX_VISIBILITY_TIMEOUT_SECONDS}, or empty for the queue visibility timeout.`);
        return;
      }
      void this.run('Extend', () => channel.request('messages/extend', { ids: store.targetIds(), ...(seconds !== undefined ? { seconds } : {}) }));
    });
    this.auto.addEventListener('click', () => {
      const ids = store.targetIds();
      const on = !ids.every((id) => store.messages.get(id)?.autoExtend);
      void this.run('Auto-extend', () => channel.request('messages/autoExtend/set', { ids, on }));
    });
    this.release.addEventListener('click', () => void this.run('Release', () => channel.request('messages/release', { ids: store.targetIds() })));
    this.delete.addEventListener('click', () => void this.deleteChosen());
    this.timeline.addEventListener('click', () => store.setTimeline(!store.timeline));
    this.flagged.addEventListener('click', () => store.setOnlyFlagged(!store.onlyFlagged));
    this.export.addEventListener('click', () => void channel.request('session/export', {}));
    this.move.addEventListener('click', () => void this.transfer('Move', 'messages/move'));
    this.copy.addEventListener('click', () => void this.transfer('Copy', 'messages/copy'));
    this.resend.addEventListener('click', () => {
      const [id] = store.targetIds();
      if (id !== undefined) void channel.request('message/resend', { id });
    });
    this.save.addEventListener('click', () => void channel.request('messages/save', { ids: [...store.selected] }));
  }

  /** Move or copy the chosen messages: the host asks for the destination and tells what happened to each. */
  private async transfer(label: string, method: 'messages/move' | 'messages/copy'): Promise<void> {
    const ids = this.store.targetIds();
    if (ids.length === 0) return;
    try {
      await this.channel.request(method, { ids });
    } catch (err) {
      this.notice.show('error', `${label} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** Deletes one message at once; several only after the user says yes. */
  private async deleteChosen(): Promise<void> {
    const ids = this.store.targetIds();
    if (ids.length === 0) return;
    if (ids.length > 1 && !(await this.confirm.ask(`Delete ${ids.length} messages? Deleted messages cannot be recovered.`, `Delete ${ids.length} Messages`))) return;
    await this.run('Delete', () => this.channel.request('messages/delete', { ids }));
  }
}
