/**
 * The kinds and limits that the extension host and the inspector page both name: one
 * source, imported by `src/` and `webview/` alike. This module imports nothing, so it runs
 * in Node and in the browser as it is.
 */

/** What can happen to a message, as the lifecycle record and the timeline name it. */
export const LIFECYCLE_KINDS = ['sent', 'received', 'extended', 'released', 'expired', 'deleted', 'movedToDlq', 'copied', 'failed', 'injected', 'delayEnded', 'deduplicated', 'moved', 'dropped'] as const;
export type LifecycleKind = (typeof LIFECYCLE_KINDS)[number];

/**
 * Where an inspector's message stands: hidden by a hold (or a running peek), or how its hold
 * ended; or, for a browsed or watched message (read without receiving it), where it is in
 * the queue, or how it left it (deleted, moved to the dead-letter queue, removed otherwise).
 */
export const MESSAGE_STATES = ['held', 'released', 'deleted', 'expired', 'peeked', 'visible', 'delayed', 'inflight', 'movedToDlq', 'removed'] as const;
export type MessageState = (typeof MESSAGE_STATES)[number];

/** True while a message is hidden until its deadline: held by the inspector, or (browsed) in flight with a consumer. */
export function isInFlight(state: MessageState): boolean {
  return state === 'held' || state === 'inflight';
}

/** True while the message's state counts down to its deadline (in flight, or browsed delayed). */
export function countsDown(state: MessageState): boolean {
  return isInFlight(state) || state === 'delayed';
}

/** Peek: receive, then make visible again at once. Hold: keep hidden until the deadline. */
export const RECEIVE_MODES = ['peek', 'hold'] as const;
export type ReceiveMode = (typeof RECEIVE_MODES)[number];

/**
 * How the inspector gets messages: by receiving them ({@link ReceiveMode}), or (on the
 * local server only) Browse: every message of the queue read without receiving any; Watch:
 * Browse, then the rows follow the server's trace live.
 */
export const INSPECTOR_MODES = [...RECEIVE_MODES, 'browse', 'watch'] as const;
export type InspectorMode = (typeof INSPECTOR_MODES)[number];

/** What the inspector's Receive asks for; the page's fields and the host's stored choice per queue. */
export interface ReceiveOptions {
  /** Messages in all, 1..{@link MAX_INSPECTOR_RECEIVE}. */
  readonly count: number;
  /** Long-poll wait of the first receive, 0..{@link MAX_WAIT_TIME_SECONDS} s. */
  readonly waitSeconds: number;
  /** Visibility timeout of a hold, in seconds. */
  readonly visibilityTimeout: number;
  readonly mode: InspectorMode;
}

/** What the inspector does with a receipt handle. */
export const LEASE_ACTIONS = ['extend', 'release', 'delete'] as const;
export type LeaseAction = (typeof LEASE_ACTIONS)[number];
/** What a message row may be unable to do, each with its reason: the lease actions, and Copy to Queue. */
export type MessageAction = LeaseAction | 'copy';

/** At-least-once flags: the same MessageId delivered again; different messages with one idempotency key. */
export const FLAG_KINDS = ['redelivered', 'duplicateKey'] as const;
export type FlagKind = (typeof FLAG_KINDS)[number];

/**
 * The flags of one message. `redelivered`: times it was delivered, when a consumer received
 * it and it came back: more than once in all, and not only to the inspector (its own peeks
 * and holds are receives too, but no consumer processed the message twice because of them).
 */
export interface MessageFlags {
  readonly redelivered?: number;
  /** Of those deliveries, how many were the inspector's own receives, by mode. */
  readonly byInspector?: { readonly [M in ReceiveMode]: number };
  /** The shared key, how many other messages carry it, and (the first few of) their ids. */
  readonly duplicateKey?: { readonly key: string; readonly count: number; readonly others: readonly string[] };
  /** Deleted after its visibility window had ended (the handle was stale): processing outlived the timeout. */
  readonly lateDelete?: { readonly at: number; readonly by?: string };
  /** A window closed by a delete after more than 80% of its visibility timeout. */
  readonly slowConsumer?: { readonly by?: string; readonly usedMs: number; readonly timeoutMs: number };
  /** Moved to the dead-letter queue: from which queue, and each receive before it, by whom. */
  readonly poison?: { readonly at: number; readonly from: string; readonly receives: readonly ReceiveRecord[] };
}

/** One receive of a message: when, by whom (a consumer's name, or the inspector's mode), with which count. */
export interface ReceiveRecord {
  readonly at: number;
  readonly by: string;
  readonly receiveCount: number;
}

/** The flags of a set of messages (those an inspector shows, or a queue's). */
export interface FlagSummary {
  /** Messages delivered more than once. */
  readonly redeliveries: number;
  /** Messages that share their idempotency key with another message. */
  readonly duplicateKeys: number;
  /** Distinct keys carried by more than one message. */
  readonly keysShared: number;
  /** Messages deleted late, closed slowly, moved to the dead-letter queue (Watch; absent before it). */
  readonly lateDeletes?: number;
  readonly slowConsumers?: number;
  readonly poisonMessages?: number;
}

/**
 * How a message was sent: one send, Send Again, a batch file, as the copy of another
 * message (Move to Queue, Copy to Queue, Edit and Resend), or by another process (seen in
 * the local server's trace).
 */
export const SEND_VIAS = ['send', 'sendAgain', 'batch', 'move', 'copy', 'resend', 'producer'] as const;
export type SendVia = (typeof SEND_VIAS)[number];

export const NOTICE_LEVELS = ['info', 'warning', 'error'] as const;
export type NoticeLevel = (typeof NOTICE_LEVELS)[number];

/** What happens to an inspector's holds when it closes (the sqsWorkbench.inspector.onClose setting). */
export const CLOSE_POLICIES = ['release', 'expire'] as const;
export type ClosePolicy = (typeof CLOSE_POLICIES)[number];

// ---- limits of Amazon SQS (the local server enforces the same) ----------------------------

/** Messages one ReceiveMessage returns at most. */
export const MAX_RECEIVE_MESSAGES = 10;
/** Entries one batch call (SendMessageBatch, ChangeMessageVisibilityBatch, DeleteMessageBatch) takes. */
export const MAX_BATCH_ENTRIES = 10;
/** Longest long-poll wait of a receive, in seconds. */
export const MAX_WAIT_TIME_SECONDS = 20;
/** Longest visibility timeout, in seconds (12 hours). */
export const MAX_VISIBILITY_TIMEOUT_SECONDS = 43_200;
/** A message stays hidden at most this long after the receive that returned its receipt handle. */
export const HOLD_CAP_MS = MAX_VISIBILITY_TIMEOUT_SECONDS * 1000;
/** Longest delay of a message or a queue, in seconds. */
export const MAX_DELAY_SECONDS = 900;
/** The queue visibility timeout SQS gives a queue created without one, in seconds. */
export const DEFAULT_VISIBILITY_TIMEOUT_SECONDS = 30;

// ---- limits of the inspector ------------------------------------------------------------

/** Messages one inspector receive asks for at most (fetched with receives of {@link MAX_RECEIVE_MESSAGES}). */
export const MAX_INSPECTOR_RECEIVE = 1000;
