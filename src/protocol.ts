/**
 * The typed protocol between the extension host and the message inspector webview,
 * imported by both sides. The webview sends requests (each with an id, answered by one
 * `host/reply`) and notifications; the host sends notifications. Method names read
 * `scope/noun/verb`. Nothing here is `any`: both sides check what they receive.
 */

export type ReceiveMode = 'peek' | 'hold';
export type TimelineKind = 'sent' | 'received' | 'extended' | 'released' | 'expired' | 'deleted' | 'movedToDlq' | 'failed';

/** One lifecycle event of a message, as the timeline draws it. */
export interface TimelineEvent {
  readonly kind: TimelineKind;
  /** Milliseconds since the epoch. */
  readonly at: number;
  /** For receives: the receive count; for extensions: the new deadline. */
  readonly receiveCount?: number;
  readonly deadline?: number;
  /** A short text for the tooltip (untrusted values included as text). */
  readonly detail: string;
}
export type MessageState = 'held' | 'released' | 'deleted' | 'expired' | 'peeked';

export interface ReceiveOptions {
  /** Messages in all, 1..1000. */
  count: number;
  /** Long-poll wait, 0..20 s. */
  waitSeconds: number;
  /** Visibility timeout of a hold, in seconds. */
  visibilityTimeout: number;
  mode: ReceiveMode;
}

export interface AttributeView {
  readonly type: string;
  /** The value as text; binary values in base64. */
  readonly value: string;
}

/** One received message as the inspector shows it. All strings are untrusted text. */
export interface MessageView {
  readonly messageId: string;
  readonly body: string;
  /** Milliseconds since the epoch, from SentTimestamp. */
  readonly sentAt?: number;
  readonly receiveCount: number;
  readonly firstReceiveAt?: number;
  readonly senderId?: string;
  readonly groupId?: string;
  readonly dedupId?: string;
  readonly sequenceNumber?: string;
  readonly deadLetterSourceArn?: string;
  readonly state: MessageState;
  readonly mode: ReceiveMode;
  /** When a hold ends (ms since the epoch). */
  readonly deadline: number;
  /** When the current visibility window began (the receive, or the last extension). */
  readonly windowStart: number;
  readonly autoExtend: boolean;
  readonly note?: string;
  readonly messageAttributes: Readonly<Record<string, AttributeView>>;
  readonly systemAttributes: Readonly<Record<string, string>>;
  /** The idempotency key read with sqsWorkbench.idempotencyKeyPaths, and the path that found it. */
  readonly idempotencyKey?: string;
  readonly idempotencyKeyPath?: string;
  /** What happened to the message so far, oldest first (from the lifecycle record). */
  readonly events: readonly TimelineEvent[];
  /** At-least-once flags: delivered more than once; same key as other messages. */
  readonly flags: {
    readonly redelivered?: number;
    /** Of the deliveries, the inspector's own receives: they are not deliveries to a consumer. */
    readonly byInspector?: { readonly peek: number; readonly hold: number };
    readonly duplicateKey?: { readonly key: string; readonly count: number; readonly others: readonly string[] };
  };
  /** Why Extend / Release / Delete are not possible now, if they are not. */
  readonly disabled: { readonly extend?: string; readonly release?: string; readonly delete?: string };
}

export interface QueueView {
  readonly name: string;
  readonly url: string;
  readonly connection: string;
  /** The connection's id: a restored page names it to get its inspector back. */
  readonly connectionId: string;
  readonly fifo: boolean;
  readonly visibilityTimeout: number;
  readonly maxReceiveCount?: number;
  readonly deadLetterQueue?: string;
}

// ---- webview -> host -----------------------------------------------------------------

export interface RequestMap {
  /** `ids`: the messages this receive returned, in order (the page marks them as new). */
  'messages/receive': { params: ReceiveOptions; result: { received: number; ids: string[]; mode: ReceiveMode } };
  'messages/extend': { params: { ids: string[]; seconds?: number }; result: EntryResult };
  'messages/autoExtend/set': { params: { ids: string[]; on: boolean }; result: EntryResult };
  'messages/release': { params: { ids: string[] }; result: EntryResult };
  'messages/delete': { params: { ids: string[] }; result: EntryResult };
  'message/body/copy': { params: { id: string }; result: Record<string, never> };
  'message/body/open': { params: { id: string }; result: Record<string, never> };
  'messages/save': { params: { ids: string[] }; result: { file?: string } };
  'session/export': { params: Record<string, never>; result: { file?: string } };
}

export type RequestMethod = keyof RequestMap;

export interface EntryResult {
  readonly failures: readonly { readonly messageId: string; readonly code: string; readonly message: string }[];
}

export type WebviewRequest = {
  [M in RequestMethod]: { readonly kind: 'request'; readonly id: number; readonly method: M; readonly params: RequestMap[M]['params'] };
}[RequestMethod];

export interface ReadyNotification {
  readonly kind: 'notification';
  readonly method: 'webview/ready';
}

/** UI state the webview keeps across reloads, stored by the host. */
export interface OptionsChangedNotification {
  readonly kind: 'notification';
  readonly method: 'webview/options/changed';
  readonly params: ReceiveOptions;
}

export type WebviewToHost = WebviewRequest | ReadyNotification | OptionsChangedNotification;

// ---- host -> webview -----------------------------------------------------------------

export interface FlagSummary {
  readonly redeliveries: number;
  readonly duplicateKeys: number;
  readonly keysShared: number;
}

export interface StateNotification {
  readonly method: 'host/state/set';
  readonly params: {
    readonly queue: QueueView;
    readonly options: ReceiveOptions;
    readonly messages: readonly MessageView[];
    readonly summary: FlagSummary;
    readonly now: number;
    /** A saved session, shown as it was: nothing can be received or changed. */
    readonly readOnly?: boolean;
  };
}

/** What Export Session writes, and Open Session reads back. */
export interface SavedSession {
  readonly format: 'sqs-workbench-session';
  readonly version: 1;
  readonly savedAt: string;
  readonly queue: QueueView;
  readonly summary: FlagSummary;
  readonly messages: readonly MessageView[];
}

export function isSavedSession(v: unknown): v is SavedSession {
  return isRecord(v) && v.format === 'sqs-workbench-session' && v.version === 1 && isRecord(v.queue) && Array.isArray(v.messages) && isRecord(v.summary);
}

export interface MessagesNotification {
  readonly method: 'host/messages/upsert';
  readonly params: { readonly messages: readonly MessageView[]; readonly summary: FlagSummary; readonly now: number };
}

export interface BusyNotification {
  readonly method: 'host/busy/set';
  readonly params: { readonly busy: boolean; readonly label?: string };
}

export interface NoticeNotification {
  readonly method: 'host/notice/show';
  readonly params: { readonly level: 'info' | 'warning' | 'error'; readonly text: string };
}

export interface Reply {
  readonly method: 'host/reply';
  readonly params: { readonly id: number; readonly ok: boolean; readonly result?: unknown; readonly error?: string };
}

export type HostToWebview = StateNotification | MessagesNotification | BusyNotification | NoticeNotification | Reply;

// ---- guards ---------------------------------------------------------------------------

const REQUEST_METHODS: readonly RequestMethod[] = [
  'messages/receive',
  'messages/extend',
  'messages/autoExtend/set',
  'messages/release',
  'messages/delete',
  'message/body/copy',
  'message/body/open',
  'messages/save',
  'session/export',
];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

export function isReceiveOptions(v: unknown): v is ReceiveOptions {
  return (
    isRecord(v) &&
    typeof v.count === 'number' &&
    typeof v.waitSeconds === 'number' &&
    typeof v.visibilityTimeout === 'number' &&
    (v.mode === 'peek' || v.mode === 'hold')
  );
}

function paramsValid(method: RequestMethod, p: unknown): boolean {
  if (!isRecord(p)) return false;
  switch (method) {
    case 'messages/receive':
      return isReceiveOptions(p);
    case 'messages/extend':
      return isStringArray(p.ids) && (p.seconds === undefined || typeof p.seconds === 'number');
    case 'messages/autoExtend/set':
      return isStringArray(p.ids) && typeof p.on === 'boolean';
    case 'messages/release':
    case 'messages/delete':
    case 'messages/save':
      return isStringArray(p.ids);
    case 'message/body/copy':
    case 'message/body/open':
      return typeof p.id === 'string';
    case 'session/export':
      return true;
  }
}

/** Checks a message from the webview: the host trusts nothing it has not checked. */
export function isWebviewToHost(v: unknown): v is WebviewToHost {
  if (!isRecord(v)) return false;
  if (v.kind === 'notification') {
    return v.method === 'webview/ready' || (v.method === 'webview/options/changed' && isReceiveOptions(v.params));
  }
  return (
    v.kind === 'request' &&
    typeof v.id === 'number' &&
    typeof v.method === 'string' &&
    (REQUEST_METHODS as readonly string[]).includes(v.method) &&
    paramsValid(v.method as RequestMethod, v.params)
  );
}

export function isHostToWebview(v: unknown): v is HostToWebview {
  return isRecord(v) && typeof v.method === 'string' && v.method.startsWith('host/') && isRecord(v.params);
}
