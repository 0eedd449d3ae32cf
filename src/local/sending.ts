import { attributesOf } from './browse';
import type { Clock } from './clock';
import { SqsError } from './errors';
import type { LocalQueue } from './localQueue';
import { MESSAGE_OVERHEAD_BYTES, type MemoryMeter } from './memory';
import type { SendResult } from './messageInput';
import type { StoredMessage } from './queue';
import type { TraceLog } from './trace';
import type { TraceActor, TraceDetails } from '../shared/trace';
import { FIFO_DEDUP_WINDOW_MS } from '../model/sqsLimits';

/** What putting a message in a queue needs of the engine. */
export interface SendContext {
  readonly clock: Clock;
  readonly trace: TraceLog;
  /** The messages' memory against the server's limit. */
  readonly memory: MemoryMeter;
  traceUrl(queue: LocalQueue): string;
}

/**
 * Puts a prepared message in its queue and answers as SQS does. On a FIFO queue a send
 * within the deduplication window of an earlier one is accepted and not delivered again:
 * the answer carries the first copy's identity, and the trace records it as deduplicated.
 */
export function enqueue(ctx: SendContext, queue: LocalQueue, m: StoredMessage, actor: TraceActor | undefined): SendResult {
  queue.state.tick();
  const result: SendResult = { MessageId: m.id, MD5OfMessageBody: m.md5OfBody };
  if (m.md5OfAttributes) result.MD5OfMessageAttributes = m.md5OfAttributes;
  if (m.md5OfSystemAttributes) result.MD5OfMessageSystemAttributes = m.md5OfSystemAttributes;
  if (queue.fifo) {
    const key = queue.settings.DeduplicationScope === 'messageGroup' ? `${m.groupId ?? ''}\u0000${m.dedupId ?? ''}` : (m.dedupId ?? '');
    const duplicate = queue.state.findDuplicate(key);
    if (duplicate) {
      ctx.trace.record('deduplicated', ctx.clock.now(), queue.name, ctx.traceUrl(queue), duplicate.messageId, actor, {
        dedupId: m.dedupId ?? '',
        ...(m.groupId !== undefined ? { groupId: m.groupId } : {}),
      });
      result.MessageId = duplicate.messageId;
      if (duplicate.sequenceNumber) result.SequenceNumber = duplicate.sequenceNumber;
      return result;
    }
    checkMemory(ctx.memory, m);
    m.sequenceNumber = queue.state.nextSequenceNumber();
    result.SequenceNumber = m.sequenceNumber;
    queue.state.rememberDedup(key, m.id, m.sequenceNumber, FIFO_DEDUP_WINDOW_MS);
  }
  if (!queue.fifo) checkMemory(ctx.memory, m);
  queue.state.insert(m);
  recordSent(ctx, queue, m, actor);
  return result;
}

function recordSent(ctx: SendContext, queue: LocalQueue, m: StoredMessage, actor: TraceActor | undefined): void {
  const details: { -readonly [K in keyof TraceDetails['sent']]: TraceDetails['sent'][K] } = {
    bytes: m.storedBytes - MESSAGE_OVERHEAD_BYTES,
    attributeNames: Object.keys(m.attributes),
    body: m.body,
  };
  if (details.attributeNames.length > 0) details.attributes = attributesOf(m.attributes, true);
  if (m.groupId !== undefined) details.groupId = m.groupId;
  if (m.dedupId !== undefined) details.dedupId = m.dedupId;
  if (m.sequenceNumber !== undefined) details.sequenceNumber = m.sequenceNumber;
  if (m.state === 'delayed') details.delayedUntil = m.visibleAt;
  ctx.trace.record('sent', m.enqueuedAt, queue.name, ctx.traceUrl(queue), m.id, actor, details);
}

/** Refuses a message that would take the server past its memory limit, as SQS refuses past its quotas. */
function checkMemory(memory: MemoryMeter, m: StoredMessage): void {
  if (memory.fits(m.storedBytes)) return;
  const mib = (n: number): string => `${(n / 1_048_576).toFixed(0)} MiB`;
  throw new SqsError(
    'OverLimit',
    `The local server holds ${mib(memory.used)} of messages, its limit is ${mib(memory.limit)} (--max-memory, or the setting sqsWorkbench.localServer.maxMemoryMB): delete or purge messages, or raise the limit.`,
  );
}
