import { MESSAGE_OVERHEAD_BYTES } from './memory';
import type { LocalQueue } from './localQueue';
import type { StoredMessage } from './queue';
import type { StoredAttribute } from './md5';
import type { BrowsedAttribute, BrowsedMessage, BrowsePage } from '../shared/browse';

export interface BrowseRequest {
  /** The cursor of the previous page (its `next`), or none for the first page. */
  readonly after?: string;
  readonly limit: number;
  /** Include bodies and attribute values. */
  readonly bodies: boolean;
}

/** A page cursor: where the last message of a page entered the queue, and its id. */
function cursorOf(m: StoredMessage): string {
  return `${m.enqueuedAt}.${m.id}`;
}

function parseCursor(cursor: string): { at: number; id: string } | undefined {
  const dot = cursor.indexOf('.');
  const at = Number(cursor.slice(0, dot));
  return dot > 0 && Number.isSafeInteger(at) ? { at, id: cursor.slice(dot + 1) } : undefined;
}

/** True for a cursor {@link browseQueue} made. */
export function isBrowseCursor(cursor: string): boolean {
  return cursor.length <= 200 && /^\d{1,16}\.[\w-]{1,100}$/.test(cursor) && parseCursor(cursor) !== undefined;
}

/**
 * One page of a queue's messages, in the order they entered it, read without changing
 * anything: no receive count, no visibility change, no trace event. What time has made due
 * is applied first (as any read of the queue does), so that states are current. A message
 * that arrives while a reader pages comes on a later page; one deleted meanwhile is gone.
 */
export function browseQueue(queue: LocalQueue, queueUrl: string, at: { now: number; traceSeq: number }, request: BrowseRequest): BrowsePage {
  const now = at.now;
  queue.state.tick(now);
  const cursor = request.after !== undefined ? parseCursor(request.after) : undefined;
  const messages: BrowsedMessage[] = [];
  let passed = cursor === undefined;
  let last: StoredMessage | undefined;
  let more = false;
  for (const m of queue.state.messages.values()) {
    if (!passed) {
      // Past the cursor: after its message, or (that one gone) after the time it entered the queue.
      if (m.id === cursor?.id) passed = true;
      else if (cursor !== undefined && m.enqueuedAt > cursor.at) passed = true;
      if (!passed || m.id === cursor?.id) continue;
    }
    if (m.state === 'gone') continue;
    if (messages.length === request.limit) {
      more = true;
      break;
    }
    messages.push(browsed(m, request.bodies));
    last = m;
  }
  return { queue: queue.name, queueUrl, now, traceSeq: at.traceSeq, total: queue.state.messages.size, messages, ...(more && last ? { next: cursorOf(last) } : {}) };
}

function browsed(m: StoredMessage, bodies: boolean): BrowsedMessage {
  const state = m.state === 'delayed' || m.state === 'inflight' ? m.state : 'visible';
  const attributes = attributesOf(m.attributes, bodies);
  return {
    messageId: m.id,
    state,
    receiveCount: m.receiveCount,
    sentAt: m.sentAt,
    ...(m.firstReceiveAt !== undefined ? { firstReceiveAt: m.firstReceiveAt } : {}),
    ...(state === 'inflight' ? { receivedAt: m.receivedAt, ...(m.heldBy ? { heldBy: m.heldBy } : {}) } : {}),
    ...(state !== 'visible' ? { visibleAt: m.visibleAt } : {}),
    bytes: m.storedBytes - MESSAGE_OVERHEAD_BYTES,
    md5OfBody: m.md5OfBody,
    ...(bodies ? { body: m.body } : {}),
    attributes,
    senderId: m.senderId,
    ...(m.groupId !== undefined ? { groupId: m.groupId } : {}),
    ...(m.dedupId !== undefined ? { dedupId: m.dedupId } : {}),
    ...(m.sequenceNumber !== undefined ? { sequenceNumber: m.sequenceNumber } : {}),
    ...(m.deadLetterSourceArn !== undefined ? { deadLetterSourceArn: m.deadLetterSourceArn } : {}),
  };
}

/** A stored message's attributes as Browse and the trace give them: types, and values when asked (binary in base64). */
export function attributesOf(stored: Readonly<Record<string, StoredAttribute>>, values: boolean): Record<string, BrowsedAttribute> {
  const attributes: Record<string, BrowsedAttribute> = {};
  for (const [name, a] of Object.entries(stored)) {
    attributes[name] = !values
      ? { dataType: a.DataType }
      : { dataType: a.DataType, ...(a.StringValue !== undefined ? { stringValue: a.StringValue } : {}), ...(a.BinaryValue !== undefined ? { binaryValue: a.BinaryValue.toString('base64') } : {}) };
  }
  return attributes;
}
