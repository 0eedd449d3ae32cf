import { DisposableStore, type Disposable } from '../common/events';
import { DuplicateIndex } from '../model/duplicates';
import type { FoundKey } from '../model/idempotency';
import { LifecycleStore, sentEvent, type NewLifecycleEvent, type SentMessage } from '../model/lifecycle';
import type { SqsLog } from '../sqs/gateway';
import type { LeaseEvent } from '../sqs/leases';
import { actorName, type TraceEvent } from '../shared/trace';
import type { KeyPaths } from './keyPaths';
import type { TraceBatch } from './traceFeed';
import type { Settings } from './settings';

/** A message as it was sent: what `sent` records. */
export type SentRecord = Omit<SentMessage, 'via'>;

/** The queue a lease event happened on. */
export interface RecordedQueue {
  readonly url: string;
  readonly arn: string;
}

/**
 * The one writer of the lifecycle record: Send Message, Send Again and Batch Send record
 * what they sent, each inspector what happened to the messages it holds (and infers a move
 * to the dead-letter queue). It owns the record and the duplicate index that follows it,
 * both bounded by `sqsWorkbench.lifecycle.maxEvents`.
 */
export class LifecycleRecorder implements Disposable {
  readonly store: LifecycleStore;
  /** The flags follow the same bound as the record: one message per event at the most. */
  readonly duplicates: DuplicateIndex;
  private readonly disposables = new DisposableStore();
  /** True for a queue whose server's trace is followed: moves to the DLQ then come from it, not inferred. */
  private traced: (queueUrl: string) => boolean = () => false;
  /** Messages whose newest receive was another process's: their expiries come from the trace. */
  private readonly heldByConsumers = new Set<string>();

  constructor(
    settings: Settings,
    private readonly keyPaths: KeyPaths,
    log: SqsLog,
  ) {
    const max = settings.get('lifecycle.maxEvents');
    this.store = new LifecycleStore(max);
    this.duplicates = new DuplicateIndex(max);
    this.disposables.add(
      settings.watch('lifecycle.maxEvents', (next) => {
        this.store.setMaxEvents(next);
        this.duplicates.setMaxMessages(next);
      }),
    );
    this.disposables.add(
      this.store.onDidChange((change) => {
        this.duplicates.observe(change.added);
        if (change.dropped > 0) log.warn(`Lifecycle record full (sqsWorkbench.lifecycle.maxEvents): dropped ${change.dropped} of the oldest events, ${this.store.droppedTotal} in all.`);
      }),
    );
  }

  /** Records messages sent, with their idempotency keys read by the configured paths. */
  sent(messages: readonly SentRecord[], via: SentMessage['via']): void {
    const keyPaths = this.keyPaths.current;
    this.store.record(messages.map((m) => sentEvent({ ...m, via }, keyPaths)));
  }

  /**
   * Records copies of messages (Move to Queue, Copy to Queue, Edit and Resend): the copy's
   * `sent` names its original, and the original gets a `copied` event naming the copy, so
   * each timeline can draw the link between the old and the new MessageId.
   */
  copied(links: readonly { readonly original: { readonly messageId: string; readonly queueUrl: string }; readonly copy: SentRecord }[], via: 'move' | 'copy' | 'resend'): void {
    const keyPaths = this.keyPaths.current;
    const events: NewLifecycleEvent[] = [];
    for (const { original, copy } of links) {
      events.push({ messageId: original.messageId, queueUrl: original.queueUrl, kind: 'copied', at: copy.at, details: { copyId: copy.messageId, toQueueUrl: copy.queueUrl, via } });
      events.push(sentEvent({ ...copy, via, copyOf: { messageId: original.messageId, queueUrl: original.queueUrl } }, keyPaths));
    }
    if (events.length > 0) this.store.record(events);
  }

  /**
   * Records what happened to a held message. A receive of a message seen first on another
   * queue (or carrying `DeadLetterQueueSourceArn`) on a dead-letter queue is recorded as a
   * move to that queue first, once.
   */
  leaseEvent(queue: RecordedQueue, e: LeaseEvent, key: FoundKey | undefined, isDeadLetterQueue: (arn: string) => boolean, at = Date.now()): void {
    const m = e.message;
    const base = { messageId: m.messageId, queueUrl: queue.url, at };
    const events: NewLifecycleEvent[] = [];
    if (e.kind === 'received') {
      const earlier = this.store.eventsOf(m.messageId);
      const seenElsewhere = earlier.some((x) => x.queueUrl !== queue.url);
      const alreadyMoved = earlier.some((x) => x.kind === 'movedToDlq' && x.queueUrl === queue.url);
      const source = m.systemAttributes.DeadLetterQueueSourceArn;
      const inferred = !this.traced(queue.url) && (seenElsewhere || source) && !alreadyMoved && (source !== undefined || isDeadLetterQueue(queue.arn));
      if (inferred) {
        events.push({ ...base, kind: 'movedToDlq', details: { from: source ?? 'another queue' } });
      }
      events.push({ ...base, kind: 'received', details: { receiveCount: m.receiveCount, mode: e.mode, deadline: m.deadline, ...(key ? { idempotencyKey: key.key, idempotencyKeyPath: key.path } : {}) } });
    } else if (e.kind === 'failed') {
      events.push({ ...base, kind: 'failed', details: { action: e.action, code: e.code } });
    } else if (e.kind === 'extended') {
      events.push({ ...base, kind: 'extended', details: { seconds: e.seconds, auto: e.auto, deadline: m.deadline } });
    } else if (e.kind === 'peeked') {
      // The end of a peek is a release: its visibility window closed when the loop ended.
      events.push({ ...base, kind: 'released', details: { peek: true } });
    } else if (e.kind !== 'autoExtend') {
      events.push({ ...base, kind: e.kind, details: {} });
    }
    if (events.length > 0) this.store.record(events);
  }

  /**
   * Follows local servers' traces: records what other processes did (their sends, receives,
   * visibility changes, releases and deletes), expiries of their receives, and every move to
   * a dead-letter queue, and the faults its fault plan injected into messages, with the
   * server's times. The extension's own requests are skipped: it records them itself.
   */
  followTrace(feed: { onEvents: (listener: (batch: TraceBatch) => void) => Disposable; coversQueue(queueUrl: string): boolean }): Disposable {
    this.traced = (url) => feed.coversQueue(url);
    const subscription = feed.onEvents((batch) => this.traceEvents(batch.events));
    return {
      dispose: () => {
        subscription.dispose();
        this.traced = () => false;
      },
    };
  }

  /** Records a server's trace events (see {@link followTrace}). */
  traceEvents(events: readonly TraceEvent[]): void {
    const keyPaths = this.keyPaths.current;
    const out: NewLifecycleEvent[] = [];
    for (const e of events) {
      const own = e.by?.workbench === true;
      const by = actorName(e.by);
      const base = { messageId: e.messageId, queueUrl: e.queueUrl, at: e.at };
      const named = by !== undefined ? { by } : {};
      switch (e.kind) {
        case 'sent': {
          if (own) break;
          const d = e.details;
          const sent = sentEvent(
            {
              ...base,
              body: d.body ?? '',
              via: 'producer',
              ...(d.groupId !== undefined ? { groupId: d.groupId } : {}),
              ...(d.dedupId !== undefined ? { dedupId: d.dedupId } : {}),
              ...(d.sequenceNumber !== undefined ? { sequenceNumber: d.sequenceNumber } : {}),
            },
            keyPaths,
          );
          // Without the body (a server on another machine) only its size is known.
          out.push(sent.kind === 'sent' ? { ...sent, details: { ...sent.details, ...named, ...(d.body === undefined ? { bodyDigest: '', bodyBytes: d.bytes } : {}) } } : sent);
          break;
        }
        case 'received':
          if (own) this.heldByConsumers.delete(e.messageId);
          else {
            this.heldByConsumers.add(e.messageId);
            out.push({ ...base, kind: 'received', details: { receiveCount: e.details.receiveCount, mode: 'consumer', deadline: e.details.deadline, ...named } });
          }
          break;
        case 'visibilityChanged':
          if (!own) out.push({ ...base, kind: 'extended', details: { seconds: Math.round((e.details.deadline - e.at) / 1000), auto: false, deadline: e.details.deadline, ...named } });
          break;
        case 'released':
          if (!own) out.push({ ...base, kind: 'released', details: named });
          break;
        case 'expired':
          if (this.heldByConsumers.has(e.messageId)) out.push({ ...base, kind: 'expired', details: {} });
          break;
        case 'deleted':
          if (!e.details.stale) this.heldByConsumers.delete(e.messageId);
          if (!own) out.push({ ...base, kind: 'deleted', details: { ...named, ...(e.details.late ? { late: true as const } : {}) } });
          break;
        case 'movedToDlq':
          this.heldByConsumers.delete(e.messageId);
          out.push({ ...base, queueUrl: e.details.toQueueUrl, kind: 'movedToDlq', details: { from: e.queue } });
          break;
        case 'purged':
          if (own) break;
          this.store.record(out.splice(0));
          this.forgetQueue(e.queueUrl);
          break;
        case 'retentionExpired':
          this.heldByConsumers.delete(e.messageId);
          out.push({ ...base, kind: 'dropped', details: {} });
          break;
        case 'visible':
          out.push({ ...base, kind: 'delayEnded', details: {} });
          break;
        case 'deduplicated':
          // The send was dropped: the event goes on the first copy, whose MessageId SQS answered with.
          out.push({ ...base, kind: 'deduplicated', details: { dedupId: e.details.dedupId, ...(e.details.groupId !== undefined ? { groupId: e.details.groupId } : {}), ...named } });
          break;
        case 'moved':
          this.heldByConsumers.delete(e.messageId);
          out.push({ ...base, kind: 'moved', details: { toQueueUrl: e.details.toQueueUrl } });
          break;
        case 'faultInjected':
          // Recorded whoever made the request: only the trace knows the server injected it.
          out.push({ ...base, kind: 'injected', details: { fault: e.details.fault, action: e.details.action, ...named } });
          break;
      }
    }
    if (out.length > 0) this.store.record(out);
  }

  /** Forgets a purged queue's messages: their events and their flags. */
  forgetQueue(queueUrl: string): void {
    this.store.forgetQueue(queueUrl);
    this.duplicates.forgetQueue(queueUrl);
  }

  dispose(): void {
    this.disposables.dispose();
  }
}
