import { writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DuplicateIndex } from '../../model/duplicates';
import type { KeyPath } from '../../model/idempotency';
import { savedMessagesFile, suggestedFileName } from '../../model/savedMessages';
import type { LifecycleStore } from '../../model/lifecycle';
import type { ActivityView } from '../../shared/activity';
import type { EntryResult, HostToWebview, MessageView, SavedSession, TransferResult } from '../../protocol';
import { MAX_RECEIVE_MESSAGES, type NoticeLevel, type ReceiveOptions } from '../../shared/kinds';
import type { LeaseSet } from '../../sqs/leases';
import type { TraceEvent } from '../../shared/trace';
import { getQueueSnapshot, type QueueSnapshot } from '../../sqs/queues';
import { queueLimitsFrom } from '../../sqs/sending';
import { countDone, summarizeTransfer, transferMessages, type TransferSource } from '../../sqs/transfer';
import type { Connection } from '../../services/connections';
import type { LifecycleRecorder } from '../../services/lifecycleRecorder';
import { InspectorSession } from './inspectorSession';
import { WebviewHost, type RequestHandlers } from './webviewHost';

export const INSPECTOR_VIEW_TYPE = 'sqsWorkbench.inspector';

export interface InspectorDeps {
  readonly extensionUri: vscode.Uri;
  readonly lifecycle: LifecycleStore;
  readonly duplicates: DuplicateIndex;
  readonly recorder: LifecycleRecorder;
  keyPaths(): readonly KeyPath[];
  readonly state: vscode.Memento;
  readonly log: vscode.LogOutputChannel;
  /** What closing does to the messages still held (`sqsWorkbench.inspector.onClose`). */
  closePolicy(): 'release' | 'expire';
  /** Asks once per queue, before the first peek, whether peeking is fine (redrive policy). */
  confirmPeek(inspector: InspectorPanel): Promise<boolean>;
  /** Whether a connection's endpoint is an SQS Workbench local server (whose trace is followed). */
  isWorkbench(connectionId: string): boolean;
  /** The local servers' trace events as they are read (Watch follows them). */
  traceEvents(listener: (events: readonly TraceEvent[]) => void): { dispose(): void };
}

/** Why Browse is not offered, when it is not. */
export const BROWSE_UNAVAILABLE = 'Browse and Watch read a queue without receiving from it: only the SQS Workbench local server can do that. Other endpoints offer Peek and Hold.';

/**
 * One message inspector: a webview panel for one queue, the leases of the messages it
 * received, and the glue between them. The host owns all state, so hiding and showing the
 * panel (which reloads the page) loses nothing: the page asks for the state when ready.
 * Closing the panel releases every message still held (or lets the holds run out, as the
 * setting says).
 */
export class InspectorPanel implements vscode.Disposable {
  readonly session: InspectorSession;
  private readonly host: WebviewHost;
  private disposed = false;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly closed = new vscode.EventEmitter<void>();
  readonly onDidClose = this.closed.event;

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly connection: Connection,
    queue: QueueSnapshot,
    private readonly deps: InspectorDeps,
  ) {
    this.session = new InspectorSession(connection.gateway, queue, connection.info, {
      lifecycle: deps.lifecycle,
      duplicates: deps.duplicates,
      recorder: deps.recorder,
      keyPaths: () => deps.keyPaths(),
      isDeadLetterQueue: (arn) => connection.catalog.isDeadLetterQueue(arn),
      options: () => this.options,
      browsable: () => deps.isWorkbench(connection.info.id),
      traceEvents: (listener) => deps.traceEvents(listener),
      post: (m) => this.post(m),
    });
    this.host = new WebviewHost(panel, deps.extensionUri, {
      title: `Messages of ${queue.name}`,
      handlers: this.handlers,
      onReady: () => {
        this.post({ method: 'host/state/set', params: this.session.state() });
        if (this.activity) this.post({ method: 'host/activity/set', params: this.activity });
        if (this.readyNotice) this.notice('info', this.readyNotice);
        this.readyNotice = undefined;
      },
      onOptionsChanged: (options) => this.deps.state.update(this.optionsKey, options),
      // The page reads the reply against the messages it has: send their changes first.
      beforeReply: () => this.session.flush(),
      onMalformed: () => this.deps.log.warn('Inspector: ignored a malformed message from the webview.'),
    });
    this.disposables.push(
      { dispose: () => this.session.dispose() },
      this.host,
      panel.onDidDispose(() => void this.close()),
      this.closed,
    );
  }

  get leases(): LeaseSet {
    return this.session.leases;
  }

  get queue(): QueueSnapshot {
    return this.session.queue;
  }

  /** The queue as read again when the inspector is opened once more: the page shows it. */
  set queue(queue: QueueSnapshot) {
    this.session.setQueue(queue);
  }

  private get optionsKey(): string {
    return `sqsWorkbench.receiveOptions:${this.queue.url}`;
  }

  get options(): ReceiveOptions {
    return this.deps.state.get<ReceiveOptions>(this.optionsKey) ?? { count: MAX_RECEIVE_MESSAGES, waitSeconds: 2, visibilityTimeout: this.leases.defaultVisibilitySeconds, mode: 'peek' };
  }

  /** Messages as the inspector shows them, in the order they were first received. */
  get views(): MessageView[] {
    return this.session.views;
  }

  /**
   * Receives (or browses) with the given options (remembered for the queue); the webview's
   * Receive button. Returns the ids of the messages received or browsed.
   */
  async receive(options: ReceiveOptions, confirmed = false): Promise<string[]> {
    await this.deps.state.update(this.optionsKey, options);
    // A receive from a command or another view: the page's fields show what it used.
    this.session.announceQueue();
    const mode = options.mode;
    if (mode === 'browse' || mode === 'watch') return this.browse(options.count, mode === 'watch');
    if (mode === 'peek' && !confirmed && !(await this.deps.confirmPeek(this))) return [];
    this.busy(true, mode === 'peek' ? 'Peeking…' : 'Receiving…');
    try {
      const got = await this.leases.receive({ ...options, mode });
      if (got.length === 0) this.notice('info', `No message was available in ${this.queue.name}${options.waitSeconds > 0 ? ` within ${options.waitSeconds} s` : ''}.`);
      else if (mode === 'peek' && this.queue.redrive) {
        const max = this.queue.redrive.maxReceiveCount;
        const close = got.filter((m) => m.receiveCount >= max).length;
        if (close > 0) this.notice('warning', `${close} of the peeked messages ${close === 1 ? 'has' : 'have'} been received ${max} times (maxReceiveCount): the next receive moves ${close === 1 ? 'it' : 'them'} to the dead-letter queue.`);
      }
      void this.connection.catalog.refreshQueue(this.queue.url).catch(() => undefined);
      return got.map((m) => m.messageId);
    } catch (err) {
      this.notice('error', `Receive failed: ${err instanceof Error ? err.message : String(err)}`);
      throw err;
    } finally {
      this.busy(false);
    }
  }

  /**
   * Browse: every message of the queue (up to `max`), read from the local server without
   * receiving any; with `watch`, the rows then follow the server's trace live.
   */
  private async browse(max: number, watch: boolean): Promise<string[]> {
    const endpoint = this.connection.info.endpoint;
    if (endpoint === undefined || !this.deps.isWorkbench(this.connection.info.id)) {
      this.notice('error', BROWSE_UNAVAILABLE);
      return [];
    }
    this.busy(true, 'Browsing…');
    try {
      const ids = await this.session.browse(endpoint, max, watch);
      this.post({ method: 'host/state/set', params: this.session.state() });
      if (watch) this.notice('info', `Watching ${this.queue.name}: rows change as your processes send, receive and delete${ids.length === 0 ? ' (no message yet)' : ''}. Browse, or Watch again, to read the queue anew.`);
      else if (ids.length === 0) this.notice('info', `${this.queue.name} has no message.`);
      return ids;
    } catch (err) {
      this.notice('error', `Browse failed: ${err instanceof Error ? err.message : String(err)}`);
      throw err;
    } finally {
      this.busy(false);
    }
  }

  async extend(ids: readonly string[], seconds?: number): Promise<EntryResult> {
    return this.report('Extend', await this.leases.extend(ids, seconds));
  }

  setAutoExtend(ids: readonly string[], on: boolean): EntryResult {
    this.leases.setAutoExtend(ids, on);
    return { failures: [] };
  }

  async release(ids: readonly string[]): Promise<EntryResult> {
    const result = this.report('Release', await this.leases.release(ids));
    void this.connection.catalog.refreshQueue(this.queue.url).catch(() => undefined);
    return result;
  }

  async delete(ids: readonly string[]): Promise<EntryResult> {
    const result = this.report('Delete', await this.leases.delete(ids));
    void this.connection.catalog.refreshQueue(this.queue.url).catch(() => undefined);
    return result;
  }

  /**
   * Move to Queue (`move`) or Copy to Queue: sends a copy of each chosen message to
   * `destinationUrl` (or a queue the user picks) and, for a move, deletes each original
   * once its copy was accepted. Only a held message can be moved: a peeked one has no
   * receipt handle that still works, so it is refused here (copy it, or hold it first),
   * and nothing is sent for it. Every message gets its own result.
   */
  async transfer(ids: readonly string[], move: boolean, destinationUrl?: string): Promise<TransferResult> {
    const verb = move ? 'Move' : 'Copy';
    const chosen = ids.flatMap((id) => this.leases.get(id) ?? []);
    if (chosen.length === 0) {
      this.notice('error', `${verb}: select the messages first.`);
      return { done: 0, failures: [] };
    }
    const destination = destinationUrl ?? (await this.pickDestination(move, chosen.length));
    if (!destination) return { done: 0, failures: [] };
    const failures: EntryResult['failures'][number][] = [];
    const movable: TransferSource[] = [];
    for (const m of chosen) {
      const why = move ? this.leases.whyNot(m, 'delete') : undefined;
      if (why) failures.push({ messageId: m.messageId, code: 'NotHeld', message: `Not moved: ${why} (Copy to Queue copies it without deleting it.)` });
      else movable.push(m);
    }
    this.busy(true, move ? 'Moving…' : 'Copying…');
    try {
      const target = await getQueueSnapshot(this.connection.gateway, destination);
      const outcomes = await transferMessages(this.connection.gateway, movable, {
        destinationUrl: destination,
        destination: queueLimitsFrom(target.attributes, target.name),
        ...(move ? { deleteOriginals: (originals: readonly string[]) => this.leases.delete(originals) } : {}),
        onCopied: (copies) =>
          this.deps.recorder.copied(
            copies.map(({ source, sent }) => ({
              original: { messageId: source.messageId, queueUrl: this.queue.url },
              copy: { ...sent.item.message, messageId: sent.messageId, queueUrl: destination, at: sent.at, ...(sent.sequenceNumber ? { sequenceNumber: sent.sequenceNumber } : {}) },
            })),
            move ? 'move' : 'copy',
          ),
      });
      for (const o of outcomes) if (o.error) failures.push({ messageId: o.messageId, code: o.error.code, message: o.error.message });
      const done = countDone(outcomes, move);
      const summary = summarizeTransfer(done, chosen.length, move, target.name);
      this.deps.log.info(`${summary} (from ${this.queue.name}).`);
      if (failures.length > 0) this.report(verb, failures);
      else this.notice('info', `${summary}.`);
      void this.connection.catalog.refreshQueue(this.queue.url).catch(() => undefined);
      void this.connection.catalog.refreshQueue(destination).catch(() => undefined);
      return { destination: target.name, done, failures };
    } catch (err) {
      this.notice('error', `${verb} failed: ${err instanceof Error ? err.message : String(err)}`);
      throw err;
    } finally {
      this.busy(false);
    }
  }

  /** The destination of a move or copy: a queue of this connection (not this one for a move). */
  private async pickDestination(move: boolean, count: number): Promise<string | undefined> {
    const queues = this.connection.catalog.queues.filter((q) => !move || q.url !== this.queue.url);
    const pick = await vscode.window.showQuickPick(
      queues.map((q) => ({ label: q.name, description: `${q.fifo ? 'FIFO' : 'standard'}${q.url === this.queue.url ? ' · this queue' : ''}`, url: q.url })),
      { title: `${move ? 'Move' : 'Copy'} ${count} message(s) of ${this.queue.name} to…`, placeHolder: 'The destination queue' },
    );
    return pick?.url;
  }

  private readyNotice: string | undefined;
  /** The queue's latest activity: a page that loads again gets it at once. */
  private activity: ActivityView | undefined;

  /** Shows the queue's activity in the header. */
  showActivity(view: ActivityView): void {
    this.activity = view;
    this.post({ method: 'host/activity/set', params: view });
  }

  /** The activity the header shows now, if any. */
  get shownActivity(): ActivityView | undefined {
    return this.activity;
  }

  /** Shows a notice once the page has loaded (a restored panel's page loads after this is made). */
  noticeOnReady(text: string): void {
    if (this.host.isReady) this.notice('info', text);
    else this.readyNotice = text;
  }

  /** Forgets every message shown (they are gone from the queue) and tells the page why. */
  forgetMessages(why: string): void {
    this.session.forgetAll();
    this.post({ method: 'host/state/set', params: this.session.state() });
    this.notice('info', why);
  }

  /** Closes the panel: held messages are released (or left to expire, per the setting). */
  async close(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const policy = this.deps.closePolicy();
    const held = this.leases.held.length;
    await this.leases.dispose(policy);
    this.session.dispose();
    if (held > 0) this.deps.log.info(`Inspector of ${this.queue.name} closed: ${policy === 'release' ? `released ${held} held message(s)` : `left ${held} hold(s) to run out`}.`);
    void this.connection.catalog.refreshQueue(this.queue.url).catch(() => undefined);
    this.closed.fire();
    for (const d of this.disposables) d.dispose();
    this.panel.dispose();
  }

  dispose(): void {
    void this.close();
  }

  private report(action: string, failures: EntryResult['failures']): EntryResult {
    if (failures.length > 0) {
      const first = failures[0];
      this.notice('warning', `${action}: ${failures.length} message(s) failed${failures.length === 1 ? '' : ', e.g.'} ${first.messageId.slice(0, 8)}…: ${first.message}`);
    }
    return { failures };
  }

  private busy(busy: boolean, label?: string): void {
    this.post({ method: 'host/busy/set', params: { busy, ...(label ? { label } : {}) } });
  }

  private notice(level: NoticeLevel, text: string): void {
    this.post({ method: 'host/notice/show', params: { level, text } });
  }

  private post(message: HostToWebview): void {
    if (!this.disposed) this.host.post(message);
  }

  private readonly handlers: RequestHandlers = {
    'messages/receive': async (p) => {
      const ids = await this.receive(p);
      return { received: ids.length, ids, mode: p.mode };
    },
    'messages/extend': (p) => this.extend(p.ids, p.seconds),
    'messages/autoExtend/set': (p) => Promise.resolve(this.setAutoExtend(p.ids, p.on)),
    'messages/release': (p) => this.release(p.ids),
    'messages/move': (p) => this.transfer(p.ids, true),
    'messages/copy': (p) => this.transfer(p.ids, false),
    'message/resend': async (p) => {
      const message = this.views.find((v) => v.messageId === p.id);
      if (message) await vscode.commands.executeCommand('sqsWorkbench.editAndResend', { connectionId: this.connection.info.id, queueUrl: this.queue.url, message });
      return {};
    },
    'queue/redrive': async () => {
      await vscode.commands.executeCommand('sqsWorkbench.redrive', { connectionId: this.connection.info.id, queueUrl: this.queue.url });
      return {};
    },
    'messages/delete': (p) => this.delete(p.ids),
    'message/body/copy': async (p) => {
      await vscode.env.clipboard.writeText(this.session.bodyOf(p.id) ?? '');
      void vscode.window.setStatusBarMessage('Copied the message body', 3000);
      return {};
    },
    'message/body/open': async (p) => {
      const body = this.session.bodyOf(p.id) ?? '';
      let content = body;
      let language = 'plaintext';
      try {
        content = JSON.stringify(JSON.parse(body), null, 2);
        language = 'json';
      } catch {
        // not JSON: shown as it is
      }
      const doc = await vscode.workspace.openTextDocument({ content, language });
      await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true });
      return {};
    },
    'messages/save': async (p) => {
      const target = await vscode.window.showSaveDialog({
        defaultUri: this.suggestedUri('.jsonl'),
        filters: { 'JSON Lines (Batch Send)': ['jsonl'], JSON: ['json'] },
        title: `Save ${p.ids.length > 0 ? p.ids.length : this.leases.all.length} message(s) of ${this.queue.name}`,
      });
      if (!target) return {};
      const saved = await this.saveMessages(p.ids, target);
      this.confirmWritten(`Saved ${saved} message(s) of ${this.queue.name} to ${path.basename(target.fsPath)}, in the Batch Send format.`, target);
      return { file: target.fsPath };
    },
    'session/export': async () => {
      const target = await vscode.window.showSaveDialog({ defaultUri: this.suggestedUri('.session.json'), filters: { 'SQS Workbench session': ['json'] }, title: `Export the session of ${this.queue.name}` });
      if (!target) return {};
      await writeFile(target.fsPath, `${JSON.stringify(this.savedSession(), null, 1)}\n`, 'utf8');
      this.confirmWritten(`Exported the session of ${this.queue.name} to ${path.basename(target.fsPath)}; SQS: Open Saved Session… shows it again.`, target);
      return { file: target.fsPath };
    },
  };

  /**
   * Writes messages (the given ids, or all) as a Batch Send file; returns how many. Batch
   * Send takes the file as it is, so saved messages can be sent again.
   */
  async saveMessages(ids: readonly string[], target: vscode.Uri): Promise<number> {
    const chosen = ids.length > 0 ? this.views.filter((v) => ids.includes(v.messageId)) : this.views;
    await writeFile(target.fsPath, savedMessagesFile(chosen), 'utf8');
    return chosen.length;
  }

  /** `<queue>-<date><suffix>` in the workspace folder (or the home folder). */
  private suggestedUri(suffix: string): vscode.Uri {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(os.homedir());
    return vscode.Uri.joinPath(folder, suggestedFileName(this.queue.name, new Date(), suffix));
  }

  /** Says that a file was written, with actions to open it or show it in its folder. */
  private confirmWritten(text: string, target: vscode.Uri): void {
    void vscode.window.showInformationMessage(text, 'Open', 'Reveal').then(async (choice) => {
      if (choice === 'Open') await vscode.window.showTextDocument(target);
      else if (choice === 'Reveal') await vscode.commands.executeCommand('revealFileInOS', target);
    });
  }

  /** Everything the session holds: messages, their lifecycle events and flags. */
  savedSession(): SavedSession {
    return { format: 'sqs-workbench-session', version: 1, savedAt: new Date().toISOString(), queue: this.session.queueView, summary: this.session.summary, messages: this.views };
  }
}
