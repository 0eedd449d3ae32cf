import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import * as vscode from 'vscode';
import { jsonProblem } from '../../model/jsonText';
import { describePosition } from '../../model/messageFile';
import { MAX_DELAY_SECONDS, MAX_FIFO_ID_LENGTH, attributeNameProblem, isValidFifoId, numberValueProblem } from '../../model/sqsLimits';
import { checkMessageFile, resultLine, sendMessageFile, type CheckedEntries, type ChunkSource, type FileSendSummary } from '../../sqs/batchFile';
import type { UnsentItem } from '../../sqs/batchSender';
import { sendMessage } from '../../sqs/messages';
import { getQueueSnapshot, type QueueSnapshot } from '../../sqs/queues';
import { queueLimitsFrom, validateMessage, type OutgoingMessage, type QueueLimits } from '../../sqs/sending';
import type { Connection, ConnectionManager } from '../../services/connections';
import type { LifecycleRecorder } from '../../services/lifecycleRecorder';
import type { Settings } from '../../services/settings';
import { resolveQueue, type QueueTarget } from './pickers';
import type { RegisterCommands } from './registry';

/** What Send Message sends; given by callers that know it already (tests, Send Again). */
export interface SendRequest {
  body: string;
  attributes?: Record<string, { DataType: string; StringValue?: string; BinaryValue?: Uint8Array }>;
  delaySeconds?: number;
  groupId?: string;
  dedupId?: string;
}

export interface SendOutcome {
  messageId: string;
  sequenceNumber?: string;
}

export interface BatchSendRequest {
  /** Send the valid entries even when some are invalid (the user's choice in the dialog). */
  sendValidOnly?: boolean;
}

/** A message body, and whether the user typed it (then it is theirs to edit again). */
interface TypedOrTaken {
  text: string;
  typed: boolean;
}

interface LastSend {
  connection: Connection;
  queue: QueueSnapshot;
  message: OutgoingMessage;
}

function editorChunks(document: vscode.TextDocument): ChunkSource {
  return function* () {
    const text = document.getText();
    const size = 1 << 16;
    for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
  };
}

function fileChunks(file: string): ChunkSource {
  return () => createReadStream(file, { highWaterMark: 1 << 16 }) as AsyncIterable<Buffer>;
}

const BATCH_DIAGNOSTICS = 'sqsWorkbench.batchSend';
const FIFO_ID_RULE = `1 to ${MAX_FIFO_ID_LENGTH} letters, digits or punctuation, no spaces.`;

/**
 * Send Message, Send Again and Batch Send. Every message is validated against SQS's limits
 * and the queue's own settings before anything is sent, and every message sent is recorded
 * in the lifecycle record with its idempotency key.
 */
export class SendCommands implements vscode.Disposable {
  private last: LastSend | undefined;
  private readonly diagnostics = vscode.languages.createDiagnosticCollection(BATCH_DIAGNOSTICS);
  private readonly disposables: vscode.Disposable[] = [this.diagnostics];

  constructor(
    private readonly manager: ConnectionManager,
    private readonly recorder: LifecycleRecorder,
    private readonly state: vscode.Memento,
    private readonly log: vscode.LogOutputChannel,
    private readonly settings: Settings,
  ) {}

  // ---- Send Message ----------------------------------------------------------------

  async sendMessage(arg: unknown, request?: SendRequest): Promise<SendOutcome | undefined> {
    // From an editor's context menu VS Code passes the document's URI: the body is that editor's selection or text.
    const fromEditor = arg instanceof vscode.Uri ? (vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === arg.toString()) ?? vscode.window.activeTextEditor) : undefined;
    const target = await resolveQueue(this.manager, arg instanceof vscode.Uri ? undefined : arg);
    if (!target) return undefined;
    const { connection } = target;
    let queue: QueueSnapshot;
    try {
      queue = await getQueueSnapshot(connection.gateway, target.queue.url);
    } catch (err) {
      void vscode.window.showErrorMessage(`Cannot read ${target.queue.name}: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
    const limits = queueLimitsFrom(queue.attributes, queue.name);
    let message: OutgoingMessage | undefined;
    if (request) {
      message = { ...request };
      if (limits.fifo && message.dedupId === undefined && !limits.contentBasedDeduplication) message.dedupId = randomUUID();
      const problems = validateMessage(message, limits);
      if (problems.length > 0) {
        throw new Error(problems.map((p) => `${p.field}: ${p.message}`).join('\n'));
      }
    } else {
      let body = await this.askBody(fromEditor, queue.name);
      for (let problem = body && jsonProblem(body.text); body && problem; problem = body && jsonProblem(body.text)) {
        const go = await vscode.window.showWarningMessage(
          `The body looks like JSON but does not parse: ${problem}.`,
          { modal: true, detail: `SQS accepts any text; send it as it is?${body.typed ? ' Cancel to edit it.' : ''}` },
          'Send Anyway',
        );
        if (go === 'Send Anyway') break;
        // A typed body is not thrown away: the box opens again with it, to be mended.
        body = body.typed ? await this.typeBody(queue.name, body.text) : undefined;
      }
      if (!body) return undefined;
      message = await this.askOptions(queue, limits, { body: body.text });
      if (!message) return undefined;
    }
    return this.deliver(connection, queue, message, 'send');
  }

  private async deliver(connection: Connection, queue: QueueSnapshot, message: OutgoingMessage, via: 'send' | 'sendAgain'): Promise<SendOutcome | undefined> {
    try {
      const result = await sendMessage(connection.gateway, queue.url, message);
      this.recorder.sent([{ ...message, messageId: result.messageId, queueUrl: queue.url, at: result.at, ...(result.sequenceNumber ? { sequenceNumber: result.sequenceNumber } : {}) }], via);
      this.last = { connection, queue, message };
      await vscode.commands.executeCommand('setContext', 'sqsWorkbench.canSendAgain', true);
      if (message.groupId) await this.state.update(`sqsWorkbench.lastGroupId:${queue.url}`, message.groupId);
      void connection.catalog.refreshQueue(queue.url).catch(() => undefined);
      if (via === 'send') {
        const seq = result.sequenceNumber ? ` (sequence number ${result.sequenceNumber})` : '';
        void vscode.window.showInformationMessage(`Sent message ${result.messageId} to ${queue.name}${seq}.`, 'Copy Message Id', 'Send Again').then(async (choice) => {
          if (choice === 'Copy Message Id') await vscode.env.clipboard.writeText(result.messageId);
          if (choice === 'Send Again') await vscode.commands.executeCommand('sqsWorkbench.sendAgain');
        });
      }
      return { messageId: result.messageId, ...(result.sequenceNumber ? { sequenceNumber: result.sequenceNumber } : {}) };
    } catch (err) {
      const text = err instanceof Error ? err.message : String(err);
      this.log.error(`Send to ${queue.name} failed: ${text}`);
      void vscode.window.showErrorMessage(`Could not send to ${queue.name}: ${text}`);
      return undefined;
    }
  }

  /**
   * The body: from the editor the command was run in, or from a picker that offers the
   * active editor's selection or contents, or takes text typed into it as the body.
   */
  private async askBody(editor: vscode.TextEditor | undefined, queueName: string): Promise<TypedOrTaken | undefined> {
    if (editor) return { text: editor.selection.isEmpty ? editor.document.getText() : editor.document.getText(editor.selection), typed: false };
    const active = vscode.window.activeTextEditor;
    if (!active) return this.typeBody(queueName, '');
    type Source = 'input' | 'document' | 'selection' | 'typed';
    type Item = vscode.QuickPickItem & { source: Source };
    const name = path.basename(active.document.fileName);
    const base: Item[] = [];
    if (!active.selection.isEmpty) base.push({ label: `$(selection) Selection in ${name}`, description: `${active.document.getText(active.selection).length} characters`, source: 'selection' });
    base.push({ label: `$(file) Contents of ${name}`, description: `${active.document.getText().length} characters`, source: 'document' });
    base.push({ label: '$(edit) Type the body…', source: 'input' });
    const picker = vscode.window.createQuickPick<Item>();
    picker.title = `Send Message to ${queueName}: body`;
    picker.placeholder = 'Where the body comes from, or type the body here';
    picker.items = base;
    // Typed text matches none of the items: offer it as the body, so Enter sends it rather than nothing.
    const typedItem = (value: string): Item => ({ label: '$(send) Use the typed text as the body', description: value, alwaysShow: true, source: 'typed' });
    const chosen = await new Promise<{ source: Source | undefined; value: string } | undefined>((resolve) => {
      picker.onDidChangeValue((value) => (picker.items = value ? [...base, typedItem(value)] : base));
      picker.onDidAccept(() => {
        resolve({ source: picker.selectedItems[0]?.source ?? (picker.value ? 'typed' : undefined), value: picker.value });
        picker.hide();
      });
      picker.onDidHide(() => resolve(undefined));
      picker.show();
    });
    picker.dispose();
    if (!chosen?.source) return undefined;
    if (chosen.source === 'document') return { text: active.document.getText(), typed: false };
    if (chosen.source === 'selection') return { text: active.document.getText(active.selection), typed: false };
    if (chosen.source === 'typed') return { text: chosen.value, typed: true };
    return this.typeBody(queueName, '');
  }

  private async typeBody(queueName: string, value: string): Promise<TypedOrTaken | undefined> {
    const text = await vscode.window.showInputBox({
      title: `Send Message to ${queueName}: body`,
      value,
      prompt: 'The message body (JSON or any text). For long bodies, send a file or a selection from an editor.',
      validateInput: (v) => (v.length === 0 ? 'The body must not be empty.' : undefined),
    });
    return text === undefined ? undefined : { text, typed: true };
  }

  /** The options menu: attributes, delay, FIFO ids; loops until Send or Esc. */
  private async askOptions(queue: QueueSnapshot, limits: QueueLimits, start: OutgoingMessage): Promise<OutgoingMessage | undefined> {
    const m: OutgoingMessage = { ...start };
    if (limits.fifo) {
      m.groupId = this.state.get<string>(`sqsWorkbench.lastGroupId:${queue.url}`);
      if (!limits.contentBasedDeduplication) m.dedupId = randomUUID();
    }
    for (;;) {
      const attrs = Object.entries(m.attributes ?? {});
      type Item = vscode.QuickPickItem & { action: 'send' | 'attr' | 'clearAttrs' | 'delay' | 'group' | 'dedup' };
      const items: Item[] = [
        { label: '$(send) Send', description: `${Buffer.byteLength(m.body, 'utf8')} bytes`, action: 'send' },
        { label: '$(tag) Add message attribute…', description: attrs.length > 0 ? attrs.map(([k, v]) => `${k} (${v.DataType})`).join(', ') : 'none', action: 'attr' },
      ];
      if (attrs.length > 0) items.push({ label: '$(close) Remove all attributes', action: 'clearAttrs' });
      if (limits.fifo) {
        const group: Item = { label: '$(group-by-ref-type) Message group id…', description: m.groupId ?? 'required', action: 'group' };
        // Without a group id a FIFO send cannot go: asking for it is the first, default step.
        if (m.groupId === undefined) items.unshift(group);
        else items.push(group);
        items.push({ label: '$(key) Deduplication id…', description: m.dedupId ?? 'content-based (SHA-256 of the body)', action: 'dedup' });
      } else {
        items.push({ label: '$(clock) Delay…', description: `${m.delaySeconds ?? 0} s`, action: 'delay' });
      }
      const pick = await vscode.window.showQuickPick(items, { title: `Send Message to ${queue.name}`, placeHolder: 'Send, or set attributes and options first' });
      if (!pick) return undefined;
      if (pick.action === 'send') {
        const problems = validateMessage(m, limits);
        if (problems.length === 0) return m;
        await vscode.window.showErrorMessage(`Not sent: ${problems.map((p) => `${p.field}: ${p.message}`).join(' ')}`, { modal: true });
        continue;
      }
      if (pick.action === 'clearAttrs') delete m.attributes;
      if (pick.action === 'attr') {
        const attr = await this.askAttribute(queue.name);
        if (attr) m.attributes = { ...(m.attributes ?? {}), [attr.name]: attr.value };
      }
      if (pick.action === 'delay') {
        const v = await vscode.window.showInputBox({
          title: 'Delay (seconds)',
          value: String(m.delaySeconds ?? 0),
          validateInput: (s) => (/^\d+$/.test(s) && Number(s) <= MAX_DELAY_SECONDS ? undefined : `A whole number of seconds from 0 to ${MAX_DELAY_SECONDS}.`),
        });
        if (v !== undefined) m.delaySeconds = Number(v);
      }
      if (pick.action === 'group') {
        const v = await vscode.window.showInputBox({ title: 'Message group id', value: m.groupId ?? '', validateInput: (s) => (isValidFifoId(s) ? undefined : FIFO_ID_RULE) });
        if (v !== undefined) m.groupId = v;
      }
      if (pick.action === 'dedup') {
        const v = await vscode.window.showInputBox({
          title: 'Deduplication id',
          value: m.dedupId ?? '',
          prompt: limits.contentBasedDeduplication ? 'Empty: SQS uses the SHA-256 of the body' : 'Sends with the same id within 5 minutes are accepted but delivered once',
          validateInput: (s) => ((s === '' && limits.contentBasedDeduplication) || isValidFifoId(s) ? undefined : FIFO_ID_RULE),
        });
        if (v !== undefined) {
          if (v === '') delete m.dedupId;
          else m.dedupId = v;
        }
      }
    }
  }

  private async askAttribute(queueName: string): Promise<{ name: string; value: { DataType: string; StringValue?: string; BinaryValue?: Uint8Array } } | undefined> {
    const name = await vscode.window.showInputBox({ title: `Message attribute for ${queueName}: name`, validateInput: (v) => attributeNameProblem(v) });
    if (!name) return undefined;
    const type = await vscode.window.showQuickPick(['String', 'Number', 'Binary'], { title: `Attribute ${name}: type` });
    if (!type) return undefined;
    const value = await vscode.window.showInputBox({
      title: `Attribute ${name}: ${type} value`,
      prompt: type === 'Binary' ? 'Base64' : undefined,
      validateInput: (v) => {
        if (v === '') return 'The value must not be empty.';
        if (type === 'Number') return numberValueProblem(v);
        if (type === 'Binary' && (!/^[A-Za-z0-9+/]*={0,2}$/.test(v) || v.length % 4 !== 0)) return 'Not base64.';
        return undefined;
      },
    });
    if (value === undefined) return undefined;
    return { name, value: type === 'Binary' ? { DataType: type, BinaryValue: Buffer.from(value, 'base64') } : { DataType: type, StringValue: value } };
  }

  // ---- Send Again ------------------------------------------------------------------

  async sendAgain(times?: number): Promise<SendOutcome[]> {
    const last = this.last;
    if (!last) {
      void vscode.window.showInformationMessage('Nothing to send again yet: send a message first.');
      return [];
    }
    let count = times;
    if (count === undefined) {
      const pick = await vscode.window.showQuickPick(
        [
          { label: 'Once', n: 1 },
          { label: 'Several times…', n: 0 },
        ],
        { title: `Send the last message to ${last.queue.name} again`, placeHolder: last.message.dedupId ? `Same deduplication id ${last.message.dedupId}: SQS accepts it and delivers it once within 5 minutes` : 'A second copy with a new MessageId: a duplicate send' },
      );
      if (!pick) return [];
      count = pick.n;
      if (count === 0) {
        const v = await vscode.window.showInputBox({ title: 'How many times?', value: '3', validateInput: (s) => (/^\d+$/.test(s) && Number(s) >= 1 && Number(s) <= 1000 ? undefined : 'From 1 to 1000.') });
        if (v === undefined) return [];
        count = Number(v);
      }
    }
    const results: SendOutcome[] = [];
    for (let i = 0; i < count; i++) {
      const r = await this.deliver(last.connection, last.queue, last.message, 'sendAgain');
      if (!r) break;
      results.push(r);
    }
    // A failed send has shown its error already; when nothing went, that error is the whole story.
    if (results.length === 0) return results;
    const distinct = new Set(results.map((r) => r.messageId)).size;
    const stopped = results.length < count ? ` Stopped after ${results.length} of ${count}: the next send failed.` : '';
    void vscode.window.showInformationMessage(
      `Sent ${results.length} more ${results.length === 1 ? 'copy' : 'copies'} to ${last.queue.name}: ${distinct === 1 && last.message.dedupId ? 'SQS deduplicated them (same MessageId).' : `${distinct} new MessageId${distinct === 1 ? '' : 's'}.`}${stopped}`,
    );
    return results;
  }

  // ---- Batch Send ------------------------------------------------------------------

  /**
   * Batch Send as each menu runs it: from the file Explorer `(clicked uri, selected uris)`,
   * from an editor or its tab `(uri)`, from the tree `(queue node)`, from the palette `()`;
   * callers that know everything pass `(queue node, file uri, request)`. A file given by
   * the menu is used as it is: only the queue is asked for. Several selected files are sent
   * in turn to the one queue, and the command returns one summary per file.
   */
  async batchSendCommand(arg: unknown, second: unknown, request: BatchSendRequest = {}): Promise<FileSendSummary | (FileSendSummary | undefined)[] | undefined> {
    if (arg instanceof vscode.Uri) {
      const selected = Array.isArray(second) ? second.filter((u): u is vscode.Uri => u instanceof vscode.Uri) : [];
      const files = selected.length > 0 ? selected : [arg];
      const target = await resolveQueue(this.manager, undefined);
      if (!target) return undefined;
      if (files.length === 1) return this.batchSend(target, files[0], request);
      const summaries: (FileSendSummary | undefined)[] = [];
      for (const file of files) summaries.push(await this.batchSend(target, file, request));
      return summaries;
    }
    const target = await resolveQueue(this.manager, arg);
    if (!target) return undefined;
    return this.batchSend(target, second instanceof vscode.Uri ? second : undefined, request);
  }

  private async batchSend(target: QueueTarget, file: vscode.Uri | undefined, request: BatchSendRequest): Promise<FileSendSummary | undefined> {
    const { connection } = target;
    const source = await this.pickFile(file);
    if (!source) return undefined;
    const queue = await getQueueSnapshot(connection.gateway, target.queue.url).catch((err: unknown) => {
      void vscode.window.showErrorMessage(`Cannot read ${target.queue.name}: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    });
    if (!queue) return undefined;
    const limits = queueLimitsFrom(queue.attributes, queue.name);

    const check = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Checking ${source.label}…` }, () => checkMessageFile(source.chunks, limits));
    this.diagnostics.delete(source.uri);
    if (check.entries === 0) {
      void vscode.window.showWarningMessage(`${source.label} has no entries to send.`);
      return undefined;
    }
    if (check.invalid > 0) {
      this.diagnostics.set(
        source.uri,
        check.problems.map((p) => {
          const d = new vscode.Diagnostic(new vscode.Range(p.line - 1, Math.max(0, p.column - 1), p.line - 1, Number.MAX_SAFE_INTEGER), `${describePosition(p, check.format)}, ${p.field}: ${p.message}`, vscode.DiagnosticSeverity.Error);
          d.source = 'SQS Batch Send';
          return d;
        }),
      );
      const more = check.moreProblems > 0 ? ` (the first ${check.problems.length} problems are listed; ${check.moreProblems} more)` : '';
      if (!request.sendValidOnly) {
        // Not awaited: the command ends here, and the user's choice starts a new run.
        const sendValid = `Send the ${check.valid.toLocaleString('en-US')} Valid Entries`;
        void vscode.window
          .showErrorMessage(
            `${check.invalid.toLocaleString('en-US')} of ${check.entries.toLocaleString('en-US')} entries in ${source.label} have problems${more}. Nothing was sent.`,
            ...(check.valid > 0 ? [sendValid] : []),
            'Show Problems',
          )
          .then(async (answer) => {
            if (answer === 'Show Problems') await vscode.commands.executeCommand('workbench.actions.view.problems');
            // The queue chosen for the check, not a new question: the problems were found against its limits.
            if (answer === sendValid) await this.batchSend(target, source.uri, { sendValidOnly: true });
          });
        return undefined;
      }
    }
    return this.runBatch(connection, queue, limits, source, check.entries, check.cached);
  }

  private async runBatch(
    connection: Connection,
    queue: QueueSnapshot,
    limits: QueueLimits,
    source: { label: string; chunks: ChunkSource; resultDir: string },
    total: number,
    cached: CheckedEntries | undefined,
  ): Promise<FileSendSummary> {
    const concurrency = this.settings.get('batchSend.concurrency');
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const resultPath = path.join(source.resultDir, `${source.label.replace(/\.[^.]*$/, '')}.unsent-${stamp}.jsonl`);
    let result: WriteStream | undefined;
    const writeUnsent = (items: readonly UnsentItem[]): void => {
      result ??= createWriteStream(resultPath, { encoding: 'utf8' });
      for (const u of items) result.write(`${resultLine(u)}\n`);
    };
    const started = Date.now();
    const summary = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Batch Send to ${queue.name}`, cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        let done = 0;
        let reported = 0;
        const report = (): void => {
          const seconds = (Date.now() - started) / 1000;
          const rate = seconds > 0 ? Math.round(sentSoFar / seconds) : 0;
          const increment = ((done - reported) / total) * 100;
          reported = done;
          progress.report({ increment, message: `${sentSoFar.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} sent · ${rate.toLocaleString('en-US')} msg/s` });
        };
        let sentSoFar = 0;
        return sendMessageFile(connection.gateway, queue.url, source.chunks, limits, {
          concurrency,
          signal: controller.signal,
          onSent: (items) => {
            sentSoFar += items.length;
            done += items.length;
            this.recorder.sent(
              items.map((s) => ({ ...s.item.message, messageId: s.messageId, queueUrl: queue.url, at: s.at, ...(s.sequenceNumber ? { sequenceNumber: s.sequenceNumber } : {}) })),
              'batch',
            );
            report();
          },
          onFailed: (items) => {
            done += items.length;
            writeUnsent(items);
          },
          onNotSent: (items) => {
            done += items.length;
            writeUnsent(items);
          },
          onInvalid: (items) => {
            done += items.length;
            writeUnsent(items);
          },
        }, cached);
      },
    );
    if (result) await new Promise<void>((resolve) => (result as WriteStream).end(resolve));
    void connection.catalog.refreshQueue(queue.url).catch(() => undefined);
    const seconds = (Date.now() - started) / 1000;
    const rate = seconds > 0 ? Math.round(summary.sent / seconds) : summary.sent;
    const text = `Batch Send to ${queue.name}: ${summary.sent.toLocaleString('en-US')} sent, ${summary.failed.toLocaleString('en-US')} failed, ${summary.notSent.toLocaleString('en-US')} not sent of ${summary.entries.toLocaleString('en-US')} entries in ${seconds.toFixed(1)} s (${rate.toLocaleString('en-US')} msg/s)${summary.cancelled ? '; cancelled' : ''}${summary.stoppedBy ? `; stopped: ${summary.stoppedBy.code}` : ''}.`;
    this.log.info(text);
    if (result) {
      void vscode.window.showWarningMessage(`${text} The unsent entries are in ${path.basename(resultPath)}; Batch Send takes that file as it is.`, 'Open Result File').then(async (c) => {
        if (c) await vscode.window.showTextDocument(vscode.Uri.file(resultPath));
      });
    } else {
      void vscode.window.showInformationMessage(text);
    }
    return { ...summary, ...(result ? { resultFile: resultPath } : {}) };
  }

  private async pickFile(given: vscode.Uri | undefined): Promise<{ uri: vscode.Uri; label: string; chunks: ChunkSource; resultDir: string } | undefined> {
    const fromUri = (uri: vscode.Uri): { uri: vscode.Uri; label: string; chunks: ChunkSource; resultDir: string } => {
      const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
      const dir = uri.scheme === 'file' ? path.dirname(uri.fsPath) : tmpdir();
      if (open && (open.isDirty || uri.scheme !== 'file')) return { uri, label: path.basename(uri.path) || 'Untitled', chunks: editorChunks(open), resultDir: dir };
      return { uri, label: path.basename(uri.fsPath), chunks: fileChunks(uri.fsPath), resultDir: dir };
    };
    if (given) return fromUri(given);
    const active = vscode.window.activeTextEditor?.document;
    const items: (vscode.QuickPickItem & { uri?: vscode.Uri })[] = [];
    if (active) items.push({ label: `$(file) ${path.basename(active.uri.path) || 'Untitled'}`, description: 'the active editor', uri: active.uri });
    items.push({ label: '$(folder-opened) Choose a file…' });
    const pick = items.length === 1 ? items[0] : await vscode.window.showQuickPick(items, { title: 'Batch Send: which file?', placeHolder: 'A JSON array, or NDJSON / JSON Lines with one entry per line' });
    if (!pick) return undefined;
    if (pick.uri) return fromUri(pick.uri);
    const chosen = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'Message files': ['json', 'jsonl', 'ndjson'], 'All files': ['*'] }, title: 'Batch Send: choose a file of messages' });
    return chosen?.[0] ? fromUri(chosen[0]) : undefined;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/** Send Message, Send Again and Batch Send. */
export const register: RegisterCommands = ({ connections, recorder, state, log, settings }) => {
  const commands = new SendCommands(connections, recorder, state, log, settings);
  return [
    commands,
    vscode.commands.registerCommand('sqsWorkbench.sendMessage', (arg?: unknown, request?: SendRequest) => commands.sendMessage(arg, request)),
    vscode.commands.registerCommand('sqsWorkbench.sendAgain', (times?: number) => commands.sendAgain(times)),
    vscode.commands.registerCommand('sqsWorkbench.batchSend', (arg?: unknown, second?: unknown, request?: BatchSendRequest) => commands.batchSendCommand(arg, second, request)),
  ];
};
