import type { SqsEngine } from './engine';
import type { LocalQueue } from './localQueue';
import type { QueueStats, QueueStatsPage } from '../shared/activity';

/**
 * The live figures of the server's queues (one queue when `name` is given): counts after
 * what time made due, and the send time of the oldest message each queue still holds, in
 * any state (visible, in flight, delayed), so that its age is exact. Costs one pass over
 * the queue's messages; undefined when no queue has that name.
 */
export function queueStats(engine: SqsEngine, name?: string): QueueStatsPage | undefined {
  const queues: QueueStats[] = [];
  for (const queue of engine.queues.all()) {
    if (name !== undefined && queue.name !== name) continue;
    queues.push(statsOf(engine, queue));
  }
  if (name !== undefined && queues.length === 0) return undefined;
  queues.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { now: engine.clock.now(), queues };
}

function statsOf(engine: SqsEngine, queue: LocalQueue): QueueStats {
  const state = queue.state;
  state.tick();
  let oldest: number | undefined;
  for (const m of state.messages.values()) if (m.state !== 'gone' && (oldest === undefined || m.sentAt < oldest)) oldest = m.sentAt;
  return {
    name: queue.name,
    url: engine.queueUrl(queue.name),
    visible: state.visible,
    inflight: state.inflight,
    delayed: state.delayed,
    ...(oldest !== undefined ? { oldestSentAt: oldest } : {}),
  };
}
