import type { MessageFlags } from '../../model/duplicates';
import type { FoundKey } from '../../model/idempotency';
import type { HeldMessage, LeaseSet } from '../../sqs/leases';
import type { LifecycleEvent } from '../../model/lifecycle';
import type { AttributeView, MessageView, TimelineEvent } from '../../protocol';

function num(v: string | undefined): number | undefined {
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
}

/** The inspector's view of a received message: text only, and why actions are disabled. */
/** A lifecycle event as the timeline shows it. */
export function toTimelineEvent(e: LifecycleEvent): TimelineEvent {
  const d = e.details;
  const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
  const receiveCount = num(d.receiveCount);
  const deadline = num(d.deadline);
  let detail: string;
  switch (e.kind) {
    case 'sent':
      detail = `sent${d.via === 'sendAgain' ? ' again' : d.via === 'batch' ? ' in a batch' : ''}${typeof d.idempotencyKey === 'string' ? `, key ${d.idempotencyKey}` : ''}`;
      break;
    case 'received':
      detail = `received (${d.mode === 'peek' ? 'peek' : 'hold'}), receive count ${receiveCount ?? '?'}`;
      break;
    case 'extended':
      detail = `extended by ${num(d.seconds) ?? '?'} s${d.auto === true ? ' (auto)' : ''}`;
      break;
    case 'failed':
      detail = `${typeof d.action === 'string' ? d.action : 'action'} failed: ${typeof d.code === 'string' ? d.code : '?'}`;
      break;
    case 'released':
      detail = d.peek === true ? 'released: the peek ended' : 'released';
      break;
    case 'movedToDlq':
      detail = `moved to the dead-letter queue${typeof d.from === 'string' ? ` from ${d.from.split(':').pop() ?? d.from}` : ''}`;
      break;
    default:
      detail = e.kind;
  }
  return { kind: e.kind, at: e.at, detail, ...(receiveCount !== undefined ? { receiveCount } : {}), ...(deadline !== undefined ? { deadline } : {}) };
}

export function toMessageView(m: HeldMessage, leases: LeaseSet, key: FoundKey | undefined, flags: MessageFlags, events: readonly LifecycleEvent[]): MessageView {
  const sys = m.systemAttributes;
  const attrs: Record<string, AttributeView> = {};
  for (const [name, a] of Object.entries(m.messageAttributes)) {
    attrs[name] = {
      type: a.DataType ?? 'String',
      value: a.BinaryValue !== undefined ? Buffer.from(a.BinaryValue).toString('base64') : (a.StringValue ?? ''),
    };
  }
  const disabled: { extend?: string; release?: string; delete?: string } = {};
  for (const action of ['extend', 'release', 'delete'] as const) {
    const why = leases.whyNot(m, action);
    if (why) disabled[action] = why;
  }
  const sentAt = num(sys.SentTimestamp);
  const firstReceiveAt = num(sys.ApproximateFirstReceiveTimestamp);
  return {
    messageId: m.messageId,
    body: m.body,
    ...(sentAt !== undefined ? { sentAt } : {}),
    receiveCount: m.receiveCount,
    ...(firstReceiveAt !== undefined ? { firstReceiveAt } : {}),
    ...(sys.SenderId ? { senderId: sys.SenderId } : {}),
    ...(sys.MessageGroupId ? { groupId: sys.MessageGroupId } : {}),
    ...(sys.MessageDeduplicationId ? { dedupId: sys.MessageDeduplicationId } : {}),
    ...(sys.SequenceNumber ? { sequenceNumber: sys.SequenceNumber } : {}),
    ...(sys.DeadLetterQueueSourceArn ? { deadLetterSourceArn: sys.DeadLetterQueueSourceArn } : {}),
    state: m.state,
    mode: m.mode,
    deadline: m.deadline,
    windowStart: m.windowStart,
    autoExtend: m.autoExtend,
    ...(m.autoExtendNote ? { note: m.autoExtendNote } : {}),
    messageAttributes: attrs,
    systemAttributes: { ...sys },
    ...(key ? { idempotencyKey: key.key, idempotencyKeyPath: key.path } : {}),
    flags,
    events: events.map(toTimelineEvent),
    disabled,
  };
}
