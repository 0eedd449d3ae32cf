import type { FoundKey } from '../../model/idempotency';
import type { LifecycleEvent } from '../../model/lifecycle';
import type { WatchedMessage } from '../../model/watchedMessages';
import type { AttributeView, MessageView } from '../../protocol';
import type { MessageFlags } from '../../shared/kinds';
import { actorName } from '../../shared/trace';
import { toTimelineEvents } from './messageView';

/** Why a browsed message offers no Extend, Release or Delete. */
/** Copy to Queue sends what a receive gave the inspector; a browsed row was only read. */
export const BROWSED_NOT_COPIED = 'Browsed: read, not received, so the inspector has no received copy to send. Hold it to copy it to a queue.';
export const BROWSED_NOT_HELD = 'Browsed: read without receiving it, so the inspector holds no receipt handle. Receive it in Hold mode to extend, release or delete it.';

/** The system attributes a receive would have carried, from what Browse read. */
function systemAttributesOf(m: WatchedMessage): Record<string, string> {
  const sys: Record<string, string> = { SentTimestamp: String(m.sentAt), ApproximateReceiveCount: String(m.receiveCount), SenderId: m.senderId };
  if (m.firstReceiveAt !== undefined) sys.ApproximateFirstReceiveTimestamp = String(m.firstReceiveAt);
  if (m.groupId !== undefined) sys.MessageGroupId = m.groupId;
  if (m.dedupId !== undefined) sys.MessageDeduplicationId = m.dedupId;
  if (m.sequenceNumber !== undefined) sys.SequenceNumber = m.sequenceNumber;
  if (m.deadLetterSourceArn !== undefined) sys.DeadLetterQueueSourceArn = m.deadLetterSourceArn;
  return sys;
}

/**
 * The inspector's view of a browsed message: its state in the queue (visible, delayed until
 * its `deadline`, or in flight until it with the consumer that holds it), and no action that
 * needs a receipt handle. Without its body (a server on another machine), the body says so.
 */
export function toBrowsedView(m: WatchedMessage, mode: 'browse' | 'watch', key: FoundKey | undefined, flags: MessageFlags, events: readonly LifecycleEvent[]): MessageView {
  const attrs: Record<string, AttributeView> = {};
  for (const [name, a] of Object.entries(m.attributes)) attrs[name] = { type: a.dataType, value: a.stringValue ?? a.binaryValue ?? '' };
  const holder = m.state === 'inflight' ? actorName(m.heldBy) : undefined;
  return {
    messageId: m.messageId,
    body: m.body ?? `(${m.bytes} bytes; the local server hands bodies only to a client on its own machine)`,
    sentAt: m.sentAt,
    receiveCount: m.receiveCount,
    ...(m.firstReceiveAt !== undefined ? { firstReceiveAt: m.firstReceiveAt } : {}),
    senderId: m.senderId,
    ...(m.groupId !== undefined ? { groupId: m.groupId } : {}),
    ...(m.dedupId !== undefined ? { dedupId: m.dedupId } : {}),
    ...(m.sequenceNumber !== undefined ? { sequenceNumber: m.sequenceNumber } : {}),
    ...(m.deadLetterSourceArn !== undefined ? { deadLetterSourceArn: m.deadLetterSourceArn } : {}),
    state: m.state,
    mode,
    ...(holder !== undefined ? { holder } : {}),
    deadline: m.visibleAt ?? m.sentAt,
    windowStart: m.receivedAt ?? m.sentAt,
    autoExtend: false,
    messageAttributes: attrs,
    systemAttributes: systemAttributesOf(m),
    ...(key ? { idempotencyKey: key.key, idempotencyKeyPath: key.path } : {}),
    flags,
    events: toTimelineEvents(events),
    disabled: { extend: BROWSED_NOT_HELD, release: BROWSED_NOT_HELD, delete: BROWSED_NOT_HELD, copy: BROWSED_NOT_COPIED },
  };
}
