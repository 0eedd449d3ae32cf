/**
 * The typed protocol between the extension host and the message inspector webview,
 * imported by both sides. The webview sends requests (each with an id, answered by one
 * `host/reply`) and notifications; the host sends notifications. Method names read
 * `scope/noun/verb`.
 *
 * Each message is declared once: its entry in a map of types ({@link RequestMap},
 * {@link WebviewNotificationMap}, {@link HostNotificationMap}) and its checks in the table
 * beside it, which the compiler holds complete and in step with the types. The host checks
 * every message from the page, and the page every message and reply result from the host.
 */
import {
  INSPECTOR_MODES,
  LIFECYCLE_KINDS,
  MESSAGE_STATES,
  NOTICE_LEVELS,
  type FlagSummary,
  type InspectorMode,
  type MessageAction,
  type LifecycleKind,
  type MessageFlags,
  type MessageState,
  type NoticeLevel,
  type ReceiveMode,
  type ReceiveOptions,
  type ReceiveRecord,
} from './shared/kinds';
import type { ActivityRates, ActivitySample, ActivityView, OldestAge } from './shared/activity';
import { arrayOf, isBoolean, isEmpty, isNumber, isRecord, isString, isTime, literal, object, oneOf, optional, recordOf, type Validator } from './shared/validate';

/** One lifecycle event of a message, as the timeline draws it. */
export interface TimelineEvent {
  readonly kind: LifecycleKind;
  /** Milliseconds since the epoch. */
  readonly at: number;
  /** For receives: the receive count; for receives and extensions: the new deadline. */
  readonly receiveCount?: number;
  readonly deadline?: number;
  /** A short text for the tooltip (untrusted values included as text). */
  readonly detail: string;
  /** The other end of a copy: the copy's MessageId on `copied`, the original's on the copy's `sent`. */
  readonly link?: string;
  /** For receives: who received it (a consumer's access key id or SDK, or the inspector's peek or hold). */
  readonly by?: string;
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
  readonly mode: InspectorMode;
  /** Browsed in flight: who made the receive that hides it (access key id, else SDK). */
  readonly holder?: string;
  /** When a hold ends (ms since the epoch); a browsed message's: when it becomes visible. */
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
  readonly flags: MessageFlags;
  /** Why Extend / Release / Delete / Copy are not possible now, if they are not. */
  readonly disabled: { readonly [A in MessageAction]?: string };
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
  /** Some queue's redrive policy names this queue: the page offers Redrive. */
  readonly isDeadLetterQueue?: boolean;
  /** The queue is on an SQS Workbench local server: the page offers Browse. */
  readonly browsable?: boolean;
}

// ---- checks of the shared shapes --------------------------------------------------------

const isInspectorMode = oneOf(INSPECTOR_MODES);

export const isReceiveOptions = object<ReceiveOptions>({ count: isNumber, waitSeconds: isNumber, visibilityTimeout: isNumber, mode: isInspectorMode });

const isTimelineEvent = object<TimelineEvent>({ kind: oneOf(LIFECYCLE_KINDS), at: isTime, receiveCount: optional(isNumber), deadline: optional(isTime), detail: isString, link: optional(isString), by: optional(isString) });

const isMessageFlags = object<MessageFlags>({
  redelivered: optional(isNumber),
  byInspector: optional(object<{ readonly [M in ReceiveMode]: number }>({ peek: isNumber, hold: isNumber })),
  duplicateKey: optional(object<NonNullable<MessageFlags['duplicateKey']>>({ key: isString, count: isNumber, others: arrayOf(isString) })),
  lateDelete: optional(object<NonNullable<MessageFlags['lateDelete']>>({ at: isTime, by: optional(isString) })),
  slowConsumer: optional(object<NonNullable<MessageFlags['slowConsumer']>>({ by: optional(isString), usedMs: isNumber, timeoutMs: isNumber })),
  poison: optional(
    object<NonNullable<MessageFlags['poison']>>({ at: isTime, from: isString, receives: arrayOf(object<ReceiveRecord>({ at: isTime, by: isString, receiveCount: isNumber })) }),
  ),
});

export const isMessageView = object<MessageView>({
  messageId: isString,
  body: isString,
  sentAt: optional(isTime),
  receiveCount: isNumber,
  firstReceiveAt: optional(isTime),
  senderId: optional(isString),
  groupId: optional(isString),
  dedupId: optional(isString),
  sequenceNumber: optional(isString),
  deadLetterSourceArn: optional(isString),
  state: oneOf(MESSAGE_STATES),
  mode: isInspectorMode,
  holder: optional(isString),
  deadline: isTime,
  windowStart: isTime,
  autoExtend: isBoolean,
  note: optional(isString),
  messageAttributes: recordOf(object<AttributeView>({ type: isString, value: isString })),
  systemAttributes: recordOf(isString),
  idempotencyKey: optional(isString),
  idempotencyKeyPath: optional(isString),
  events: arrayOf(isTimelineEvent),
  flags: isMessageFlags,
  disabled: object<MessageView['disabled']>({ extend: optional(isString), release: optional(isString), delete: optional(isString), copy: optional(isString) }),
});

const isQueueView = object<QueueView>({
  name: isString,
  url: isString,
  connection: isString,
  connectionId: isString,
  fifo: isBoolean,
  visibilityTimeout: isNumber,
  maxReceiveCount: optional(isNumber),
  deadLetterQueue: optional(isString),
  isDeadLetterQueue: optional(isBoolean),
  browsable: optional(isBoolean),
});

const isFlagSummary = object<FlagSummary>({
  redeliveries: isNumber,
  duplicateKeys: isNumber,
  keysShared: isNumber,
  lateDeletes: optional(isNumber),
  slowConsumers: optional(isNumber),
  poisonMessages: optional(isNumber),
});

// ---- webview -> host: requests ----------------------------------------------------------

export interface EntryResult {
  readonly failures: readonly { readonly messageId: string; readonly code: string; readonly message: string }[];
}

/** `ids`: the messages this receive returned, in order (the page marks them as new). */
export interface ReceiveResult {
  readonly received: number;
  readonly ids: readonly string[];
  readonly mode: InspectorMode;
}

/** The file written; none when the user cancelled the save dialog. */
export interface FileResult {
  readonly file?: string;
}

/**
 * What Move to Queue or Copy to Queue did: the destination's name (none when the user chose
 * none), how many messages arrived there (and for a move were deleted here), and each failure.
 */
export interface TransferResult extends EntryResult {
  readonly destination?: string;
  readonly done: number;
}

type Ids = { readonly ids: readonly string[] };
type Empty = Record<string, never>;

export interface RequestMap {
  'messages/receive': { params: ReceiveOptions; result: ReceiveResult };
  'messages/extend': { params: Ids & { readonly seconds?: number }; result: EntryResult };
  'messages/autoExtend/set': { params: Ids & { readonly on: boolean }; result: EntryResult };
  'messages/release': { params: Ids; result: EntryResult };
  'messages/delete': { params: Ids; result: EntryResult };
  'message/body/copy': { params: { readonly id: string }; result: Empty };
  'message/body/open': { params: { readonly id: string }; result: Empty };
  'messages/save': { params: Ids; result: FileResult };
  'messages/move': { params: Ids; result: TransferResult };
  'messages/copy': { params: Ids; result: TransferResult };
  'message/resend': { params: { readonly id: string }; result: Empty };
  'queue/redrive': { params: Empty; result: Empty };
  'session/export': { params: Empty; result: FileResult };
}

export type RequestMethod = keyof RequestMap;
export type RequestParams<M extends RequestMethod> = RequestMap[M]['params'];
export type RequestResult<M extends RequestMethod> = RequestMap[M]['result'];

const isIds = object<Ids>({ ids: arrayOf(isString) });
const isEntryResult = object<EntryResult>({ failures: arrayOf(object<EntryResult['failures'][number]>({ messageId: isString, code: isString, message: isString })) });
const isFileResult = object<FileResult>({ file: optional(isString) });
const isMessageId = object<{ readonly id: string }>({ id: isString });
const isTransferResult = object<TransferResult>({
  destination: optional(isString),
  done: isNumber,
  failures: arrayOf(object<EntryResult['failures'][number]>({ messageId: isString, code: isString, message: isString })),
});

/** The checks of every request's parameters (by the host) and result (by the page). */
export const REQUESTS: { readonly [M in RequestMethod]: { readonly params: Validator<RequestParams<M>>; readonly result: Validator<RequestResult<M>> } } = {
  'messages/receive': { params: isReceiveOptions, result: object<ReceiveResult>({ received: isNumber, ids: arrayOf(isString), mode: isInspectorMode }) },
  'messages/extend': { params: object<RequestParams<'messages/extend'>>({ ids: arrayOf(isString), seconds: optional(isNumber) }), result: isEntryResult },
  'messages/autoExtend/set': { params: object<RequestParams<'messages/autoExtend/set'>>({ ids: arrayOf(isString), on: isBoolean }), result: isEntryResult },
  'messages/release': { params: isIds, result: isEntryResult },
  'messages/delete': { params: isIds, result: isEntryResult },
  'message/body/copy': { params: isMessageId, result: isEmpty },
  'message/body/open': { params: isMessageId, result: isEmpty },
  'messages/save': { params: isIds, result: isFileResult },
  'messages/move': { params: isIds, result: isTransferResult },
  'messages/copy': { params: isIds, result: isTransferResult },
  'message/resend': { params: isMessageId, result: isEmpty },
  'queue/redrive': { params: isEmpty, result: isEmpty },
  'session/export': { params: isEmpty, result: isFileResult },
};

export type WebviewRequest = {
  [M in RequestMethod]: { readonly kind: 'request'; readonly id: number; readonly method: M; readonly params: RequestParams<M> };
}[RequestMethod];

// ---- webview -> host: notifications -----------------------------------------------------

export interface WebviewNotificationMap {
  /** The page has loaded and listens: the host sends it the whole state. */
  'webview/ready': Empty;
  /** The receive options the user chose, kept by the host for the queue. */
  'webview/options/changed': ReceiveOptions;
}

export type WebviewNotificationMethod = keyof WebviewNotificationMap;

export const WEBVIEW_NOTIFICATIONS: { readonly [M in WebviewNotificationMethod]: Validator<WebviewNotificationMap[M]> } = {
  'webview/ready': isEmpty,
  'webview/options/changed': isReceiveOptions,
};

export type WebviewNotification = {
  [M in WebviewNotificationMethod]: { readonly kind: 'notification'; readonly method: M; readonly params: WebviewNotificationMap[M] };
}[WebviewNotificationMethod];

export type WebviewToHost = WebviewRequest | WebviewNotification;

// ---- host -> webview --------------------------------------------------------------------

const isOldestAge = (v: unknown): v is OldestAge =>
  isRecord(v) && (typeof v.unavailable === 'string' || (isNumber(v.seconds) && (v.source === 'server' || v.source === 'cloudwatch') && optional(isTime)(v.at)));

const isActivityView = object<ActivityView>({
  samples: arrayOf(object<ActivitySample>({ at: isTime, visible: isNumber, inflight: isNumber, delayed: isNumber })),
  rates: optional(object<ActivityRates>({ sends: isNumber, receives: isNumber, deletes: isNumber, seconds: isNumber })),
  ratesNote: optional(isString),
  oldest: optional(isOldestAge),
  dlqNotice: optional(isString),
  error: optional(isString),
});

export interface StateParams {
  readonly queue: QueueView;
  readonly options: ReceiveOptions;
  readonly messages: readonly MessageView[];
  readonly summary: FlagSummary;
  /** The host's clock: the page counts down with it. */
  readonly now: number;
  /** A saved session, shown as it was: nothing can be received or changed. */
  readonly readOnly?: boolean;
}

export interface UpsertParams {
  readonly messages: readonly MessageView[];
  readonly summary: FlagSummary;
  readonly now: number;
}

/** The answer to request `id`: its result (checked by the page against the request's table entry) or why it failed. */
export interface ReplyParams {
  readonly id: number;
  readonly ok: boolean;
  readonly result?: unknown;
  readonly error?: string;
}

export interface HostNotificationMap {
  /** Everything, replacing what the page had: after `webview/ready`, and when the messages were forgotten. */
  'host/state/set': StateParams;
  /** Messages that changed or arrived, gathered over about a frame. */
  'host/messages/upsert': UpsertParams;
  /** The queue's settings or the receive options changed on the host's side. */
  'host/queue/set': { readonly queue: QueueView; readonly options: ReceiveOptions };
  'host/busy/set': { readonly busy: boolean; readonly label?: string };
  'host/notice/show': { readonly level: NoticeLevel; readonly text: string };
  'host/reply': ReplyParams;
  /** The queue's activity for the header: counts over the last minutes, rates, the oldest message's age, a DLQ filling. */
  'host/activity/set': ActivityView;
}

export type HostMethod = keyof HostNotificationMap;

export const HOST_NOTIFICATIONS: { readonly [M in HostMethod]: Validator<HostNotificationMap[M]> } = {
  'host/state/set': object<StateParams>({ queue: isQueueView, options: isReceiveOptions, messages: arrayOf(isMessageView), summary: isFlagSummary, now: isNumber, readOnly: optional(isBoolean) }),
  'host/messages/upsert': object<UpsertParams>({ messages: arrayOf(isMessageView), summary: isFlagSummary, now: isNumber }),
  'host/queue/set': object<HostNotificationMap['host/queue/set']>({ queue: isQueueView, options: isReceiveOptions }),
  'host/busy/set': object<HostNotificationMap['host/busy/set']>({ busy: isBoolean, label: optional(isString) }),
  'host/notice/show': object<HostNotificationMap['host/notice/show']>({ level: oneOf(NOTICE_LEVELS), text: isString }),
  'host/reply': object<ReplyParams>({ id: isNumber, ok: isBoolean, result: (_v): _v is unknown => true, error: optional(isString) }),
  'host/activity/set': isActivityView,
};

export type HostToWebview = { [M in HostMethod]: { readonly method: M; readonly params: HostNotificationMap[M] } }[HostMethod];

// ---- saved sessions ---------------------------------------------------------------------

/** What Export Session writes, and Open Session reads back. */
export interface SavedSession {
  readonly format: 'sqs-workbench-session';
  readonly version: 1;
  readonly savedAt: string;
  readonly queue: QueueView;
  readonly summary: FlagSummary;
  readonly messages: readonly MessageView[];
}

/** A session file as Export Session writes it, to the last message and event. */
export const isSavedSession = object<SavedSession>({
  format: literal('sqs-workbench-session'),
  version: literal(1),
  savedAt: isString,
  queue: isQueueView,
  summary: isFlagSummary,
  messages: arrayOf(isMessageView),
});

// ---- guards -----------------------------------------------------------------------------

function has<T extends object>(table: T, key: string): key is Extract<keyof T, string> {
  return Object.prototype.hasOwnProperty.call(table, key);
}

/** Checks a message from the webview: the host trusts nothing it has not checked. */
export function isWebviewToHost(v: unknown): v is WebviewToHost {
  if (!isRecord(v) || typeof v.method !== 'string') return false;
  if (v.kind === 'notification') return has(WEBVIEW_NOTIFICATIONS, v.method) && WEBVIEW_NOTIFICATIONS[v.method](v.params);
  return v.kind === 'request' && typeof v.id === 'number' && has(REQUESTS, v.method) && REQUESTS[v.method].params(v.params);
}

/** Checks a message from the host: the page draws nothing it has not checked. */
export function isHostToWebview(v: unknown): v is HostToWebview {
  return isRecord(v) && typeof v.method === 'string' && has(HOST_NOTIFICATIONS, v.method) && HOST_NOTIFICATIONS[v.method](v.params);
}
