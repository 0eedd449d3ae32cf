import type { MessageFlags } from '../../shared/kinds';
import type { FoundKey } from '../../model/idempotency';
import type { HeldMessage, LeaseSet } from '../../sqs/leases';
import type { LifecycleEvent } from '../../model/lifecycle';
import { LEASE_ACTIONS, type LeaseAction } from '../../shared/kinds';
import type { AttributeView, MessageView, TimelineEvent } from '../../protocol';
import { isTime } from '../../shared/validate';
import { queueNameOf } from '../../sqs/gateway';

function num(v: string | undefined): number | undefined {
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
}

function time(v: string | undefined): number | undefined {
  const n = num(v);
  return n !== undefined && isTime(n) ? n : undefined;
}

/** What the timeline's tooltip says of an event (untrusted values included as text). */
function describe(e: LifecycleEvent): string {
  switch (e.kind) {
    case 'sent': {
      const copy = e.details.copyOf;
      const via = copy
        ? ` as the ${e.details.via === 'move' ? 'moved copy' : e.details.via === 'resend' ? 'edited copy' : 'copy'} of ${copy.messageId} from ${queueNameOf(copy.queueUrl)}`
        : e.details.via === 'sendAgain'
          ? ' again'
          : e.details.via === 'batch'
            ? ' in a batch'
            : e.details.by !== undefined
              ? ` by ${e.details.by}`
              : '';
      return `sent${via}${e.details.idempotencyKey !== undefined ? `, key ${e.details.idempotencyKey}` : ''}`;
    }
    case 'copied': {
      const how = e.details.via === 'move' ? 'moved' : e.details.via === 'resend' ? 'edited and resent' : 'copied';
      return `${how} to ${queueNameOf(e.details.toQueueUrl)} as ${e.details.copyId}`;
    }
    case 'received':
      return `received (${e.details.by !== undefined ? `by ${e.details.by}` : e.details.mode}), receive count ${e.details.receiveCount}`;
    case 'extended':
      return `extended by ${e.details.seconds} s${e.details.auto ? ' (auto)' : ''}${e.details.by !== undefined ? ` by ${e.details.by}` : ''}`;
    case 'failed':
      return `${e.details.action} failed: ${e.details.code}`;
    case 'released':
      return e.details.peek ? 'released: the peek ended' : e.details.by !== undefined ? `released by ${e.details.by}` : 'released';
    case 'movedToDlq':
      return `moved to the dead-letter queue from ${e.details.from.split(':').pop() ?? e.details.from}`;
    case 'deleted':
      return `deleted${e.details.by !== undefined ? ` by ${e.details.by}` : ''}${e.details.late ? ', late: after its visibility window ended, so it was or may be processed twice' : ''}`;
    case 'expired':
      return e.kind;
    case 'injected': {
      const what = e.details.fault === 'duplicate' ? 'duplicate delivery' : 'shuffled order: a receive passed over it';
      const when = e.details.fault === 'duplicate' ? ` (after ${e.details.action}${e.details.by !== undefined ? ` by ${e.details.by}` : ''})` : '';
      return `${what} injected by the local server's fault plan${when}`;
    }
    case 'delayEnded':
      return 'delay ended: visible';
    case 'deduplicated':
      return `a send with the same deduplication id ${e.details.dedupId}${e.details.by !== undefined ? ` by ${e.details.by}` : ''} was accepted and dropped: FIFO deduplication (5 minutes)`;
    case 'moved':
      return `moved to ${queueNameOf(e.details.toQueueUrl)} by a message move task`;
    case 'dropped':
      return "dropped: the queue's retention period ended";
  }
}

/**
 * A message's events as the timeline shows them. The first receive after an injected
 * duplicate says so: the message came back because of the fault plan, not the app.
 */
export function toTimelineEvents(events: readonly LifecycleEvent[]): TimelineEvent[] {
  let injectedDuplicate = false;
  return events.map((e) => {
    const shown = toTimelineEvent(e);
    if (e.kind === 'injected' && e.details.fault === 'duplicate') injectedDuplicate = true;
    if (e.kind !== 'received' || !injectedDuplicate) return shown;
    injectedDuplicate = false;
    return { ...shown, detail: `${shown.detail}, an injected redelivery: the local server's fault plan put it back after its delete` };
  });
}

/** A lifecycle event as the timeline shows it. */
export function toTimelineEvent(e: LifecycleEvent): TimelineEvent {
  const detail = describe(e);
  if (e.kind === 'received') {
    const by = e.details.by ?? (e.details.mode === 'consumer' ? 'a consumer' : `your ${e.details.mode}`);
    return { kind: e.kind, at: e.at, detail, receiveCount: e.details.receiveCount, deadline: e.details.deadline, by };
  }
  if (e.kind === 'extended') return { kind: e.kind, at: e.at, detail, deadline: e.details.deadline };
  if (e.kind === 'copied') return { kind: e.kind, at: e.at, detail, link: e.details.copyId };
  if (e.kind === 'sent' && e.details.copyOf) return { kind: e.kind, at: e.at, detail, link: e.details.copyOf.messageId };
  return { kind: e.kind, at: e.at, detail };
}

/** The inspector's view of a received message: text only, and why actions are disabled. */
export function toMessageView(m: HeldMessage, leases: LeaseSet, key: FoundKey | undefined, flags: MessageFlags, events: readonly LifecycleEvent[]): MessageView {
  const sys = m.systemAttributes;
  const attrs: Record<string, AttributeView> = {};
  for (const [name, a] of Object.entries(m.messageAttributes)) {
    attrs[name] = {
      type: a.DataType ?? 'String',
      value: a.BinaryValue !== undefined ? Buffer.from(a.BinaryValue).toString('base64') : (a.StringValue ?? ''),
    };
  }
  const disabled: { [A in LeaseAction]?: string } = {};
  for (const action of LEASE_ACTIONS) {
    const why = leases.whyNot(m, action);
    if (why) disabled[action] = why;
  }
  // A server that is not SQS may send a timestamp no Date can show: it is left out, not drawn.
  const sentAt = time(sys.SentTimestamp);
  const firstReceiveAt = time(sys.ApproximateFirstReceiveTimestamp);
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
    events: toTimelineEvents(events),
    disabled,
  };
}
