import { BROWSE_STATES, MAX_BROWSE_PAGE, WORKBENCH_MESSAGES_PATH, type BrowsedAttribute, type BrowsedMessage, type BrowsePage } from '../shared/browse';
import type { TraceActor } from '../shared/trace';
import { arrayOf, isNumber, isString, isTime, literal, object, oneOf, optional, recordOf } from '../shared/validate';

const isActor = object<TraceActor>({ accessKeyId: optional(isString), sdk: optional(isString), workbench: optional(literal(true)) });

const isBrowsedMessage = object<BrowsedMessage>({
  messageId: isString,
  state: oneOf(BROWSE_STATES),
  receiveCount: isNumber,
  sentAt: isTime,
  firstReceiveAt: optional(isTime),
  receivedAt: optional(isTime),
  heldBy: optional(isActor),
  visibleAt: optional(isTime),
  bytes: isNumber,
  md5OfBody: isString,
  body: optional(isString),
  attributes: recordOf(object<BrowsedAttribute>({ dataType: isString, stringValue: optional(isString), binaryValue: optional(isString) })),
  senderId: isString,
  groupId: optional(isString),
  dedupId: optional(isString),
  sequenceNumber: optional(isString),
  deadLetterSourceArn: optional(isString),
});

const isBrowsePage = object<BrowsePage>({
  queue: isString,
  queueUrl: isString,
  now: isTime,
  traceSeq: isNumber,
  total: isNumber,
  messages: arrayOf(isBrowsedMessage),
  next: optional(isString),
});

/** Browse failed: the server's error code and message (e.g. `QueueDoesNotExist`), or why it could not be read. */
export class BrowseError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'BrowseError';
  }
}

export interface BrowseOptions {
  /** Messages in all, at most; the rest is left unread. */
  readonly max: number;
  /** Ask for bodies and attribute values (the server answers them to a client on its machine only). */
  readonly bodies: boolean;
  readonly signal?: AbortSignal;
}

/** True for a loopback endpoint: only there does the server hand out message bodies. */
export function isLoopbackEndpoint(endpoint: string): boolean {
  try {
    const host = new URL(endpoint).hostname.replace(/^\[|\]$/g, '');
    return host === 'localhost' || host === '::1' || host.startsWith('127.');
  } catch {
    return false;
  }
}

/** Reads one page of Browse from a workbench server at `endpoint`. */
export async function browsePage(endpoint: string, queueName: string, limit: number, bodies: boolean, after?: string, signal?: AbortSignal): Promise<BrowsePage> {
  const url = new URL(WORKBENCH_MESSAGES_PATH, endpoint);
  url.search = new URLSearchParams({ queue: queueName, limit: String(limit), ...(bodies ? { bodies: 'true' } : {}), ...(after !== undefined ? { after } : {}) }).toString();
  let res: Response;
  try {
    res = await fetch(url, signal ? { signal } : {});
  } catch (err) {
    throw new BrowseError('Unreachable', `Browse could not reach ${endpoint}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const body: unknown = await res.json().catch(() => undefined);
  if (!res.ok) {
    const error = object<{ error: string; message: string }>({ error: isString, message: isString });
    throw error(body) ? new BrowseError(body.error, body.message) : new BrowseError('BadAnswer', `Browse: ${endpoint} answered ${res.status}.`);
  }
  if (!isBrowsePage(body)) throw new BrowseError('BadAnswer', `Browse: ${endpoint} answered a page this version does not read.`);
  return body;
}

/** What {@link browseQueue} read. */
export interface BrowseResult {
  readonly messages: BrowsedMessage[];
  readonly total: number;
  /** The server's clock at the last page read. */
  readonly now: number;
  /** The trace's newest sequence number when the first page was read: trace events after it are newer than every row. */
  readonly traceSeq: number;
}

/**
 * Every message of a queue on a workbench server, up to `max`, read page by page without
 * receiving any (no receive count added, no visibility changed).
 */
export async function browseQueue(endpoint: string, queueName: string, options: BrowseOptions): Promise<BrowseResult> {
  const messages: BrowsedMessage[] = [];
  let after: string | undefined;
  let total = 0;
  let now = Date.now();
  let traceSeq: number | undefined;
  do {
    const page = await browsePage(endpoint, queueName, Math.min(MAX_BROWSE_PAGE, options.max - messages.length), options.bodies, after, options.signal);
    messages.push(...page.messages);
    total = page.total;
    now = page.now;
    traceSeq ??= page.traceSeq;
    after = page.next;
  } while (after !== undefined && messages.length < options.max);
  return { messages, total, now, traceSeq: traceSeq ?? 0 };
}

