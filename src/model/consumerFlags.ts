import type { FlagSummary, MessageFlags, ReceiveRecord } from '../shared/kinds';
import type { LifecycleEvent } from './lifecycle';

/**
 * A window closed by a delete after more than this share of its visibility timeout: the
 * consumer came close to losing the message to another one.
 */
export const SLOW_SHARE = 0.8;

/**
 * What the consumers did wrong with one message, over all of them (from the lifecycle
 * record, which the local server's trace fills with every process's receives and deletes).
 * `lateDelete`: deleted after its visibility window had ended: processing outlived the
 * visibility timeout, so the message was or will be processed twice. `slowConsumer`: a
 * window closed by a delete after more than {@link SLOW_SHARE} of its timeout. `poison`: moved
 * to the dead-letter queue, with each receive before it and who made it.
 */
export type ConsumerFlags = Pick<MessageFlags, 'lateDelete' | 'slowConsumer' | 'poison'>;

/** The consumer flags of one message, from its lifecycle events (oldest first). */
export function consumerFlagsOf(events: readonly LifecycleEvent[]): ConsumerFlags {
  let window: { start: number; deadline: number } | undefined;
  let lateDelete: ConsumerFlags['lateDelete'];
  let slowConsumer: ConsumerFlags['slowConsumer'];
  let poison: ConsumerFlags['poison'];
  const receives: ReceiveRecord[] = [];
  for (const e of events) {
    switch (e.kind) {
      case 'received':
        window = { start: e.at, deadline: e.details.deadline };
        receives.push({ at: e.at, by: e.details.by ?? (e.details.mode === 'consumer' ? 'a consumer' : `the inspector (${e.details.mode})`), receiveCount: e.details.receiveCount });
        break;
      case 'extended':
        // An extension counts the timeout again from now: the window to judge starts here.
        if (window) window = { start: e.at, deadline: e.details.deadline };
        break;
      case 'deleted':
        if (e.details.late) lateDelete ??= { at: e.at, ...(e.details.by !== undefined ? { by: e.details.by } : {}) };
        else if (window && e.at <= window.deadline) {
          const timeoutMs = window.deadline - window.start;
          const usedMs = e.at - window.start;
          if (timeoutMs > 0 && usedMs > SLOW_SHARE * timeoutMs) slowConsumer = { usedMs, timeoutMs, ...(e.details.by !== undefined ? { by: e.details.by } : {}) };
        }
        window = undefined;
        break;
      case 'released':
      case 'expired':
        window = undefined;
        break;
      case 'movedToDlq':
        poison = { at: e.at, from: e.details.from, receives: [...receives] };
        window = undefined;
        break;
      default:
        break;
    }
  }
  return { ...(lateDelete ? { lateDelete } : {}), ...(slowConsumer ? { slowConsumer } : {}), ...(poison ? { poison } : {}) };
}

/** How many of a set of messages carry each consumer flag. */
export type ConsumerFlagCounts = Required<Pick<FlagSummary, 'lateDeletes' | 'slowConsumers' | 'poisonMessages'>>;

export function countConsumerFlags(flags: Iterable<ConsumerFlags>): ConsumerFlagCounts {
  let lateDeletes = 0;
  let slowConsumers = 0;
  let poisonMessages = 0;
  for (const f of flags) {
    if (f.lateDelete) lateDeletes++;
    if (f.slowConsumer) slowConsumers++;
    if (f.poison) poisonMessages++;
  }
  return { lateDeletes, slowConsumers, poisonMessages };
}
