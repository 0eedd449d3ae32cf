import type { MessageFlags } from '../../model/duplicates';
import type { FoundKey } from '../../model/idempotency';
import type { HeldMessage, LeaseSet } from '../../sqs/leases';
import type { AttributeView, MessageView } from '../../protocol';

function num(v: string | undefined): number | undefined {
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
}

/** The inspector's view of a received message: text only, and why actions are disabled. */
export function toMessageView(m: HeldMessage, leases: LeaseSet, key: FoundKey | undefined, flags: MessageFlags): MessageView {
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
    disabled,
  };
}
