/**
 * The local server's trace: every transition of every message, with the server's time and
 * who caused it. The server records these events; its HTTP endpoint serves them; the
 * extension reads them. This module imports nothing, so that all sides can share it.
 */

/** Who made the request that caused an event, as the request named itself. */
export interface TraceActor {
  /** The access key id of the request's SigV4 signature (`Credential=AKID/...`). */
  readonly accessKeyId?: string;
  /** The SDK or tool from the User-Agent, e.g. `aws-sdk-js/3.700.0`, `Boto3/1.26.0`, `aws-cli/2.9.0`. */
  readonly sdk?: string;
  /** True for the requests of the extension itself (its User-Agent carries {@link WORKBENCH_USER_AGENT}). */
  readonly workbench?: true;
}

/** The product token the extension adds to its User-Agent, so the trace can tell its requests apart. */
export const WORKBENCH_USER_AGENT = 'sqs-workbench';

/** A message attribute's type and value (a binary value in base64). */
export interface TraceAttribute {
  readonly dataType: string;
  readonly stringValue?: string;
  readonly binaryValue?: string;
}

/** What each kind of trace event carries besides the common fields. */
export interface TraceDetails {
  /**
   * Accepted by a send. `delayedUntil` when the message starts delayed. `body`, and
   * `attributes` (their values, for a message that has any), only when the reader asked for bodies.
   */
  readonly sent: {
    readonly bytes: number;
    readonly attributeNames: readonly string[];
    readonly attributes?: Readonly<Record<string, TraceAttribute>>;
    readonly groupId?: string;
    readonly dedupId?: string;
    readonly sequenceNumber?: string;
    readonly delayedUntil?: number;
    readonly body?: string;
  };
  /** A FIFO send accepted and dropped by deduplication: `messageId` is the first copy's. */
  readonly deduplicated: { readonly dedupId: string; readonly groupId?: string };
  /** A delayed message became visible (at its delay's end). */
  readonly visible: Readonly<Record<string, never>>;
  /** Delivered: the receive count after this receive, and when its visibility window ends. */
  readonly received: { readonly receiveCount: number; readonly deadline: number };
  /** ChangeMessageVisibility with a timeout above 0: the new deadline. */
  readonly visibilityChanged: { readonly deadline: number };
  /** ChangeMessageVisibility with 0: visible again at once. */
  readonly released: Readonly<Record<string, never>>;
  /** The visibility window ended without a delete (at its deadline): visible again. */
  readonly expired: { readonly receiveCount: number };
  /**
   * A delete. `stale`: the handle was an older receive's, so nothing was deleted. `late`: the
   * window of the receive that gave the handle had ended (the handle is stale, or the message
   * was visible again), so it was, or may be, delivered again: processing outlived the
   * visibility timeout.
   */
  readonly deleted: { readonly stale: boolean; readonly late: boolean; readonly receiveCount: number };
  /** Moved to the dead-letter queue by the receive that exceeded maxReceiveCount (`queue` is the source). */
  readonly movedToDlq: { readonly toQueue: string; readonly toQueueUrl: string; readonly receiveCount: number };
  /** Moved by a message move task (`queue` is the queue it left). */
  readonly moved: { readonly toQueue: string; readonly toQueueUrl: string };
  /** Every message of the queue was purged (one event for the queue, no message id). */
  readonly purged: { readonly count: number };
  /** Dropped by the retention period (at the end of its retention). */
  readonly retentionExpired: Readonly<Record<string, never>>;
  /**
   * The server's fault plan acted on the message, during a request of `action` (`by` made it).
   * `duplicate`: the message just deleted was put back, visible, to be delivered again.
   * `shuffle`: a receive passed over the message, so that newer ones overtook it.
   */
  readonly faultInjected: { readonly fault: InjectedMessageFault; readonly action: string };
}

/** The faults of a fault plan that act on one message (the others act on requests, and stay out of the trace). */
export type InjectedMessageFault = 'duplicate' | 'shuffle';

export type TraceKind = keyof TraceDetails;

export const TRACE_KINDS: readonly TraceKind[] = [
  'sent',
  'deduplicated',
  'visible',
  'received',
  'visibilityChanged',
  'released',
  'expired',
  'deleted',
  'movedToDlq',
  'moved',
  'purged',
  'retentionExpired',
  'faultInjected',
];

interface TraceEventOf<K extends TraceKind> {
  /** Increases by one with every event the server records. */
  readonly seq: number;
  readonly kind: K;
  /** When it happened, on the server's clock (ms since the epoch); an expiry's is its deadline. */
  readonly at: number;
  /** The queue's name and URL. */
  readonly queue: string;
  readonly queueUrl: string;
  /** Empty for `purged`. */
  readonly messageId: string;
  /** Absent for what time did (expiries, delays ending, retention). */
  readonly by?: TraceActor;
  readonly details: TraceDetails[K];
}

export type TraceEvent = { [K in TraceKind]: TraceEventOf<K> }[TraceKind];

/** The answer of `GET /_workbench/trace`. */
export interface TracePage {
  /** Changes when the server restarts: a reader then starts again from 0. */
  readonly instance: string;
  readonly events: readonly TraceEvent[];
  /** The sequence number to ask after next time. */
  readonly next: number;
  /** Events between the reader's `after` and the oldest kept that were dropped (the ring was full). */
  readonly missed: number;
  /** Every event the ring has dropped since the server started. */
  readonly droppedTotal: number;
}

/** The answer of `GET /_workbench/info`: how the extension recognizes a workbench server. */
export interface WorkbenchInfo {
  readonly server: typeof WORKBENCH_SERVER_NAME;
  readonly version: string;
  readonly capabilities: readonly string[];
  /** Changes when the server restarts. */
  readonly instance: string;
  /** The server's clock now (ms since the epoch). */
  readonly now: number;
  /** The sequence number of the newest trace event: read after it to follow from now on. */
  readonly lastSeq: number;
}

export const WORKBENCH_SERVER_NAME = 'sqs-workbench-local';
/** Paths outside the SQS API's namespace (SQS answers only POST / and queue URLs). */
export const WORKBENCH_INFO_PATH = '/_workbench/info';
export const WORKBENCH_TRACE_PATH = '/_workbench/trace';
/** Longest wait of a trace long poll, in seconds. */
export const MAX_TRACE_WAIT_SECONDS = 20;
/** Events one trace page returns at most. */
export const MAX_TRACE_PAGE = 5_000;

/**
 * Reads who made a request from its headers: the access key id of a SigV4 `Authorization`
 * header, and the SDK or tool named first in its User-Agent.
 */
export function traceActor(authorization: string | undefined, userAgent: string | undefined): TraceActor | undefined {
  let accessKeyId: string | undefined;
  if (authorization) {
    const at = authorization.indexOf('Credential=');
    if (at >= 0) {
      const start = at + 'Credential='.length;
      const end = authorization.indexOf('/', start);
      const id = authorization.slice(start, end < 0 ? undefined : end).trim();
      if (id.length > 0 && id.length <= 128) accessKeyId = id;
    }
  }
  let sdk: string | undefined;
  let workbench = false;
  if (userAgent) {
    for (const token of userAgent.split(' ')) {
      if (token.startsWith(`${WORKBENCH_USER_AGENT}/`) || token.startsWith(`app/${WORKBENCH_USER_AGENT}`)) workbench = true;
      if (sdk === undefined && /^(aws-sdk-[a-z0-9-]+|boto3|botocore|aws-cli)\/[\w.-]+$/i.test(token)) sdk = token;
    }
    if (sdk === undefined) sdk = userAgent.split(' ')[0]?.slice(0, 64) || undefined;
  }
  if (accessKeyId === undefined && sdk === undefined && !workbench) return undefined;
  return { ...(accessKeyId !== undefined ? { accessKeyId } : {}), ...(sdk !== undefined ? { sdk } : {}), ...(workbench ? { workbench: true as const } : {}) };
}

/** A short name for who did it: the access key id, else the SDK. */
export function actorName(by: TraceActor | undefined): string | undefined {
  return by?.accessKeyId ?? by?.sdk;
}
