import { writeFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import type { DuplicateIndex } from '../../model/duplicates';
import { extractIdempotencyKey, type FoundKey, type KeyPath } from '../../model/idempotency';
import type { LifecycleStore } from '../../model/lifecycle';
import {
  isWebviewToHost,
  type EntryResult,
  type HostToWebview,
  type MessageView,
  type QueueView,
  type ReceiveOptions,
  type RequestMap,
  type RequestMethod,
  type SavedSession,
  type WebviewRequest,
} from '../../protocol';
import { LeaseSet, type HeldMessage, type LeaseEvent } from '../../sqs/leases';
import type { QueueSnapshot } from '../../sqs/queues';
import type { Connection } from '../explorer/connectionManager';
import { inspectorHtml } from './html';
import { toMessageView } from './messageView';

export const INSPECTOR_VIEW_TYPE = 'sqsWorkbench.inspector';

export interface InspectorDeps {
  readonly extensionUri: vscode.Uri;
  readonly lifecycle: LifecycleStore;
  readonly duplicates: DuplicateIndex;
  keyPaths(): readonly KeyPath[];
  readonly state: vscode.Memento;
  readonly log: vscode.LogOutputChannel;
  /** Asks once per queue, before the first peek, whether peeking is fine (redrive policy). */
  confirmPeek(inspector: InspectorPanel): Promise<boolean>;
}

type Handler<M extends RequestMethod> = (params: RequestMap[M]['params']) => Promise<RequestMap[M]['result']>;

/**
 * One message inspector: a webview panel for one queue, the leases of the messages it
 * received, and the glue between them. The host owns all state, so hiding and showing the
 * panel (which reloads the page) loses nothing: the page asks for the state when ready.
 * Closing the panel releases every message still held (or lets the holds run out, as the
 * setting says).
 */
export class InspectorPanel implements vscode.Disposable {
  readonly leases: LeaseSet;
  private ready = false;
  private disposed = false;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly closed = new vscode.EventEmitter<void>();
  readonly onDidClose = this.closed.event;

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly connection: Connection,
    public queue: QueueSnapshot,
    private readonly deps: InspectorDeps,
  ) {
    this.leases = new LeaseSet(connection.gateway, queue.url, Number(queue.attributes.VisibilityTimeout ?? 30) || 30);
    panel.webview.options = { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(deps.extensionUri, 'dist', 'webview')] };
    panel.webview.html = inspectorHtml(panel.webview, deps.extensionUri, `Messages of ${queue.name}`);
    panel.iconPath = vscode.Uri.joinPath(deps.extensionUri, 'media', 'sqs.svg');
    const leaseEvents = this.leases.onEvent((e) => this.onLeaseEvent(e));
    const flagEvents = deps.duplicates.onDidChange((ids) => {
      const mine = [...ids].map((id) => this.leases.get(id)).filter((m): m is HeldMessage => !!m);
      this.push(mine);
    });
    this.disposables.push(
      { dispose: () => leaseEvents.dispose() },
      { dispose: () => flagEvents.dispose() },
      panel.webview.onDidReceiveMessage((m: unknown) => void this.onMessage(m)),
      panel.onDidDispose(() => void this.close()),
      this.closed,
    );
  }

  get options(): ReceiveOptions {
    const stored = this.deps.state.get<ReceiveOptions>(`sqsWorkbench.receiveOptions:${this.queue.url}`);
    return stored ?? { count: 10, waitSeconds: 2, visibilityTimeout: this.leases.defaultVisibilitySeconds, mode: 'peek' };
  }

  private get queueView(): QueueView {
    const q = this.queue;
    return {
      name: q.name,
      url: q.url,
      connection: this.connection.info.name,
      fifo: q.fifo,
      visibilityTimeout: this.leases.defaultVisibilitySeconds,
      ...(q.redrive ? { maxReceiveCount: q.redrive.maxReceiveCount, deadLetterQueue: q.redrive.deadLetterTargetArn.split(':').pop() ?? '' } : {}),
    };
  }

  /** Messages as the inspector shows them, in the order they were first received. */
  get views(): MessageView[] {
    return this.leases.all.map((m) => this.view(m));
  }

  private readonly keys = new Map<string, FoundKey | undefined>();

  /** The idempotency key of a received message, read once. */
  keyOf(m: HeldMessage): FoundKey | undefined {
    if (!this.keys.has(m.messageId)) {
      const attributes: Record<string, { StringValue?: string }> = {};
      for (const [name, a] of Object.entries(m.messageAttributes)) if (a.StringValue !== undefined) attributes[name] = { StringValue: a.StringValue };
      const dedupId = m.systemAttributes.MessageDeduplicationId;
      this.keys.set(m.messageId, extractIdempotencyKey({ body: m.body, attributes, ...(dedupId ? { dedupId } : {}) }, this.deps.keyPaths()));
    }
    return this.keys.get(m.messageId);
  }

  private view(m: HeldMessage): MessageView {
    return toMessageView(m, this.leases, this.keyOf(m), this.deps.duplicates.flagsOf(m.messageId), this.deps.lifecycle.eventsOf(m.messageId));
  }

  /** Receives with the given options (remembered for the queue); the webview's Receive button. */
  async receive(options: ReceiveOptions, confirmed = false): Promise<MessageView[]> {
    await this.deps.state.update(`sqsWorkbench.receiveOptions:${this.queue.url}`, options);
    if (options.mode === 'peek' && !confirmed && !(await this.deps.confirmPeek(this))) return [];
    this.busy(true, options.mode === 'peek' ? 'Peeking…' : 'Receiving…');
    try {
      const got = await this.leases.receive({
        count: options.count,
        waitSeconds: options.waitSeconds,
        visibilityTimeout: options.visibilityTimeout,
        mode: options.mode,
      });
      if (got.length === 0) this.notice('info', `No message was available in ${this.queue.name}${options.waitSeconds > 0 ? ` within ${options.waitSeconds} s` : ''}.`);
      else if (options.mode === 'peek' && this.queue.redrive) {
        const max = this.queue.redrive.maxReceiveCount;
        const close = got.filter((m) => m.receiveCount >= max).length;
        if (close > 0) this.notice('warning', `${close} of the peeked messages ${close === 1 ? 'has' : 'have'} been received ${max} times (maxReceiveCount): the next receive moves ${close === 1 ? 'it' : 'them'} to the dead-letter queue.`);
      }
      void this.connection.catalog.refreshQueue(this.queue.url).catch(() => undefined);
      return got.map((m) => this.view(m));
    } catch (err) {
      this.notice('error', `Receive failed: ${err instanceof Error ? err.message : String(err)}`);
      throw err;
    } finally {
      this.busy(false);
    }
  }

  async extend(ids: string[], seconds?: number): Promise<EntryResult> {
    return this.report('Extend', await this.leases.extend(ids, seconds));
  }

  setAutoExtend(ids: string[], on: boolean): EntryResult {
    this.leases.setAutoExtend(ids, on);
    this.push(ids.map((id) => this.leases.get(id)).filter((m): m is HeldMessage => !!m));
    return { failures: [] };
  }

  async release(ids: string[]): Promise<EntryResult> {
    const result = this.report('Release', await this.leases.release(ids));
    void this.connection.catalog.refreshQueue(this.queue.url).catch(() => undefined);
    return result;
  }

  async delete(ids: string[]): Promise<EntryResult> {
    const result = this.report('Delete', await this.leases.delete(ids));
    void this.connection.catalog.refreshQueue(this.queue.url).catch(() => undefined);
    return result;
  }

  /** Closes the panel: held messages are released (or left to expire, per the setting). */
  async close(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const policy = vscode.workspace.getConfiguration('sqsWorkbench.inspector').get<'release' | 'expire'>('onClose', 'release');
    const held = this.leases.held.length;
    await this.leases.dispose(policy);
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

  private onLeaseEvent(e: LeaseEvent): void {
    const m = e.message;
    const at = Date.now();
    const base = { messageId: m.messageId, queueUrl: this.queue.url, at };
    if (e.kind === 'received') {
      // A message seen first on another queue and now received here came through redrive.
      const seenElsewhere = this.deps.lifecycle.eventsOf(m.messageId).some((x) => x.queueUrl !== this.queue.url);
      const alreadyMoved = this.deps.lifecycle.eventsOf(m.messageId).some((x) => x.kind === 'movedToDlq' && x.queueUrl === this.queue.url);
      const source = m.systemAttributes.DeadLetterQueueSourceArn;
      if ((seenElsewhere || source) && !alreadyMoved && (source !== undefined || this.connection.catalog.isDeadLetterQueue(this.queue.arn))) {
        this.deps.lifecycle.record([{ ...base, kind: 'movedToDlq', details: { from: source ?? 'another queue' } }]);
      }
      const key = this.keyOf(m);
      this.deps.lifecycle.record([
        { ...base, kind: 'received', details: { receiveCount: m.receiveCount, mode: e.mode, deadline: m.deadline, ...(key ? { idempotencyKey: key.key, idempotencyKeyPath: key.path } : {}) } },
      ]);
    } else if (e.kind === 'failed') {
      this.deps.lifecycle.record([{ ...base, kind: 'failed', details: { action: e.action, code: e.code } }]);
    } else if (e.kind === 'extended') {
      if (e.seconds > 0) this.deps.lifecycle.record([{ ...base, kind: 'extended', details: { seconds: e.seconds, auto: e.auto, deadline: m.deadline } }]);
    } else {
      this.deps.lifecycle.record([{ ...base, kind: e.kind, details: {} }]);
    }
    this.push([m]);
  }

  private push(messages: HeldMessage[]): void {
    if (messages.length === 0) return;
    this.post({ method: 'host/messages/upsert', params: { messages: messages.map((m) => this.view(m)), summary: this.deps.duplicates.summary(this.queue.url), now: Date.now() } });
  }

  private busy(busy: boolean, label?: string): void {
    this.post({ method: 'host/busy/set', params: { busy, ...(label ? { label } : {}) } });
  }

  private notice(level: 'info' | 'warning' | 'error', text: string): void {
    this.post({ method: 'host/notice/show', params: { level, text } });
  }

  private post(message: HostToWebview): void {
    if (!this.ready || this.disposed) return;
    void this.panel.webview.postMessage(message);
  }

  private sendState(): void {
    this.post({ method: 'host/state/set', params: { queue: this.queueView, options: this.options, messages: this.views, summary: this.deps.duplicates.summary(this.queue.url), now: Date.now() } });
  }

  private readonly handlers: { [M in RequestMethod]: Handler<M> } = {
    'messages/receive': async (p) => ({ received: (await this.receive(p)).length }),
    'messages/extend': (p) => this.extend(p.ids, p.seconds),
    'messages/autoExtend/set': (p) => Promise.resolve(this.setAutoExtend(p.ids, p.on)),
    'messages/release': (p) => this.release(p.ids),
    'messages/delete': (p) => this.delete(p.ids),
    'message/body/copy': async (p) => {
      await vscode.env.clipboard.writeText(this.leases.get(p.id)?.body ?? '');
      void vscode.window.setStatusBarMessage('Copied the message body', 3000);
      return {};
    },
    'message/body/open': async (p) => {
      const body = this.leases.get(p.id)?.body ?? '';
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
      const chosen = p.ids.length > 0 ? this.views.filter((v) => p.ids.includes(v.messageId)) : this.views;
      const target = await vscode.window.showSaveDialog({ filters: { JSON: ['json'] }, title: `Save ${chosen.length} message(s) of ${this.queue.name}` });
      if (!target) return {};
      const data = chosen.map(({ disabled: _disabled, ...rest }) => rest);
      await writeFile(target.fsPath, `${JSON.stringify({ queue: this.queue.url, savedAt: new Date().toISOString(), messages: data }, null, 2)}\n`, 'utf8');
      return { file: target.fsPath };
    },
    'session/export': async () => {
      const target = await vscode.window.showSaveDialog({ filters: { 'SQS Workbench session': ['json'] }, title: `Export the session of ${this.queue.name}` });
      if (!target) return {};
      await writeFile(target.fsPath, `${JSON.stringify(this.session(), null, 1)}\n`, 'utf8');
      return { file: target.fsPath };
    },
  };

  /** Everything the session holds: messages, their lifecycle events and flags. */
  session(): SavedSession {
    return { format: 'sqs-workbench-session', version: 1, savedAt: new Date().toISOString(), queue: this.queueView, summary: this.deps.duplicates.summary(this.queue.url), messages: this.views };
  }

  private async onMessage(raw: unknown): Promise<void> {
    if (!isWebviewToHost(raw)) {
      this.deps.log.warn('Inspector: ignored a malformed message from the webview.');
      return;
    }
    if (raw.kind === 'notification') {
      if (raw.method === 'webview/ready') {
        this.ready = true;
        this.sendState();
      } else {
        await this.deps.state.update(`sqsWorkbench.receiveOptions:${this.queue.url}`, raw.params);
      }
      return;
    }
    await this.answer(raw);
  }

  private async answer(request: WebviewRequest): Promise<void> {
    try {
      const handler = this.handlers[request.method] as (p: unknown) => Promise<unknown>;
      const result = await handler(request.params);
      this.post({ method: 'host/reply', params: { id: request.id, ok: true, result } });
    } catch (err) {
      this.post({ method: 'host/reply', params: { id: request.id, ok: false, error: err instanceof Error ? err.message : String(err) } });
    }
  }
}
