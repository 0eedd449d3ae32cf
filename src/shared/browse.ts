/**
 * Browse: every message of a local server's queue, read without receiving it, so that
 * nothing changes (no receive count, no visibility, nothing in the trace). The server
 * answers `GET /_workbench/messages`; the extension reads it. This module imports only the
 * trace's shared types, so that all sides can share it.
 */
import type { TraceActor, TraceAttribute } from './trace';

export const WORKBENCH_MESSAGES_PATH = '/_workbench/messages';
/** The capability `/_workbench/info` lists when the server answers {@link WORKBENCH_MESSAGES_PATH}. */
export const BROWSE_CAPABILITY = 'browse';
/** Messages one page returns at most, and by default. */
export const MAX_BROWSE_PAGE = 1_000;
export const DEFAULT_BROWSE_PAGE = 100;

/** Where a browsed message stands: receivable now, delayed, or hidden by a consumer's receive. */
export const BROWSE_STATES = ['visible', 'delayed', 'inflight'] as const;
export type BrowseState = (typeof BROWSE_STATES)[number];

/** A message attribute; a binary value in base64. Values only when bodies were asked for. */
export type BrowsedAttribute = TraceAttribute;

/** One message as Browse shows it, read as it is in the queue. */
export interface BrowsedMessage {
  readonly messageId: string;
  readonly state: BrowseState;
  readonly receiveCount: number;
  /** When it was first sent (ms since the epoch); kept across a move to a dead-letter queue. */
  readonly sentAt: number;
  readonly firstReceiveAt?: number;
  /** In flight: when the newest receive happened, who made it, and when the message is visible again. */
  readonly receivedAt?: number;
  readonly heldBy?: TraceActor;
  /** When a delayed or in-flight message becomes visible. */
  readonly visibleAt?: number;
  readonly bytes: number;
  readonly md5OfBody: string;
  /** Only when the reader asked for bodies (and is on the server's machine). */
  readonly body?: string;
  readonly attributes: Readonly<Record<string, BrowsedAttribute>>;
  readonly senderId: string;
  readonly groupId?: string;
  readonly dedupId?: string;
  readonly sequenceNumber?: string;
  readonly deadLetterSourceArn?: string;
}

/** The answer of `GET /_workbench/messages`. */
export interface BrowsePage {
  readonly queue: string;
  readonly queueUrl: string;
  /** The server's clock when the page was read (ms since the epoch). */
  readonly now: number;
  /** The trace's newest sequence number when the page was read: a reader following the trace applies only later events. */
  readonly traceSeq: number;
  /** Messages in the queue now, all pages together. */
  readonly total: number;
  readonly messages: readonly BrowsedMessage[];
  /** Present when more messages follow: pass it as `after` to read the next page. */
  readonly next?: string;
}
