import type { DuplicateIndex } from '../../model/duplicates';
import { extractIdempotencyKey, type FoundKey, type KeyPath } from '../../model/idempotency';
import type { LifecycleStore } from '../../model/lifecycle';
import type { HostToWebview, MessageView, QueueView, StateParams } from '../../protocol';
import { DEFAULT_VISIBILITY_TIMEOUT_SECONDS, type FlagSummary, type ReceiveOptions } from '../../shared/kinds';
import type { LifecycleRecorder } from '../../services/lifecycleRecorder';
import { consumerFlagsOf, countConsumerFlags, type ConsumerFlagCounts, type ConsumerFlags } from '../../model/consumerFlags';
import { WatchedMessages, type WatchedMessage } from '../../model/watchedMessages';
import type { MessageFlags } from '../../shared/kinds';
import type { TraceEvent } from '../../shared/trace';
import { browseQueue, isLoopbackEndpoint } from '../../sqs/browse';
import type { SqsGateway } from '../../sqs/gateway';
import { LeaseSet, realClock, type HeldMessage, type LeaseClock, type LeaseEvent } from '../../sqs/leases';
import type { QueueSnapshot } from '../../sqs/queues';
import { toBrowsedView } from './browsedView';
import { toMessageView } from './messageView';

/** How long changes are gathered before one update goes to the page: about one frame. */
export const UPDATE_INTERVAL_MS = 16;

export interface InspectorSessionDeps {
  readonly lifecycle: LifecycleStore;
  readonly duplicates: DuplicateIndex;
  /** Records what happens to the messages held. */
  readonly recorder: LifecycleRecorder;
  keyPaths(): readonly KeyPath[];
  /** Whether a queue (by ARN) is a dead-letter queue of another: a receive there is a move to the DLQ. */
  isDeadLetterQueue(arn: string): boolean;
  /** The receive options the page shows (the user's last, kept per queue). */
  options(): ReceiveOptions;
  /** Whether the queue's connection is an SQS Workbench local server (Browse and Watch are offered). */
  browsable?(): boolean;
  /** The local servers' trace events as they are read (Watch follows them). */
  traceEvents?(listener: (events: readonly TraceEvent[]) => void): { dispose(): void };
  /** Sends one message to the page; dropped while the page is not ready (it asks for the whole state then). */
  post(message: HostToWebview): void;
}

/** The queue's visibility timeout (s): what a hold takes by default, and Extend adds. */
function visibilityOf(queue: QueueSnapshot): number {
  return Number(queue.attributes.VisibilityTimeout ?? DEFAULT_VISIBILITY_TIMEOUT_SECONDS) || DEFAULT_VISIBILITY_TIMEOUT_SECONDS;
}

/**
 * The host side of one inspector, without VS Code: the leases of the messages it received,
 * the lifecycle record of every change of them, and the page's view of them. Changes are
 * gathered and sent as one `host/messages/upsert` per {@link UPDATE_INTERVAL_MS}, so that a
 * receive of 1,000 messages costs the page a few redraws, not 1,000.
 */
export class InspectorSession {
  readonly leases: LeaseSet;
  private readonly keys = new Map<string, FoundKey | undefined>();
  /** The messages of the last Browse (or Watch), in queue order; those the inspector holds show as held. */
  private readonly browsed: WatchedMessages;
  /** While watching: the trace's sequence number the snapshot is as new as (older events are in it). */
  private watchedAfter: number | undefined;
  private readonly consumerFlags = new Map<string, ConsumerFlags>();
  private readonly dirty = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly subscriptions: { dispose(): void }[] = [];

  constructor(
    gateway: SqsGateway,
    private snapshot: QueueSnapshot,
    private readonly connection: { readonly id: string; readonly name: string },
    private readonly deps: InspectorSessionDeps,
    clock: LeaseClock = realClock,
  ) {
    this.leases = new LeaseSet(gateway, snapshot.url, visibilityOf(snapshot), clock);
    this.browsed = new WatchedMessages(snapshot.url);
    if (deps.traceEvents) this.subscriptions.push(deps.traceEvents((events) => this.onTrace(events)));
    this.subscriptions.push(
      this.leases.onEvent((e) => this.onLeaseEvent(e)),
      // Events recorded for a shown message by anything else (a send, a move) reach the page too.
      deps.lifecycle.onDidChange((change) => this.touch(change.added.map((e) => e.messageId))),
      deps.duplicates.onDidChange((ids) => this.touch(ids)),
    );
  }

  get queue(): QueueSnapshot {
    return this.snapshot;
  }

  /**
   * The queue as read again (its attributes may have changed): holds and Extend take its
   * visibility timeout from now on, and the page shows it.
   */
  setQueue(queue: QueueSnapshot): void {
    this.snapshot = queue;
    this.leases.defaultVisibilitySeconds = visibilityOf(queue);
    this.announceQueue();
  }

  /** Tells the page the queue and the receive options (after either changed on the host's side). */
  announceQueue(): void {
    this.deps.post({ method: 'host/queue/set', params: { queue: this.queueView, options: this.deps.options() } });
  }

  /** Everything the page shows, for `host/state/set`; pending changes are in it. */
  state(): StateParams {
    this.flush();
    return { queue: this.queueView, options: this.deps.options(), messages: this.views, summary: this.summary, now: Date.now() };
  }

  get queueView(): QueueView {
    const q = this.queue;
    return {
      name: q.name,
      url: q.url,
      connection: this.connection.name,
      connectionId: this.connection.id,
      fifo: q.fifo,
      visibilityTimeout: this.leases.defaultVisibilitySeconds,
      ...(q.redrive ? { maxReceiveCount: q.redrive.maxReceiveCount, deadLetterQueue: q.redrive.deadLetterTargetArn.split(':').pop() ?? '' } : {}),
      ...(q.arn && this.deps.isDeadLetterQueue(q.arn) ? { isDeadLetterQueue: true } : {}),
      ...(this.deps.browsable?.() === true ? { browsable: true } : {}),
    };
  }

  /** Messages as the inspector shows them: those it received, in that order, then those it browsed, in queue order. */
  get views(): MessageView[] {
    const views = this.leases.all.map((m) => this.view(m));
    for (const m of this.browsed.values()) if (!this.leases.get(m.messageId)) views.push(this.browsedView(m));
    return views;
  }

  /** The ids of the messages shown. */
  private get shownIds(): string[] {
    const ids = this.leases.all.map((m) => m.messageId);
    for (const id of this.browsed.keys()) if (!this.leases.get(id)) ids.push(id);
    return ids;
  }

  /** The flags of the messages this inspector shows (not of every message seen on the queue), over all consumers. */
  get summary(): FlagSummary {
    const ids = this.shownIds;
    const summary: { -readonly [K in keyof FlagSummary]: FlagSummary[K] } = { ...this.deps.duplicates.summaryOf(ids) };
    // The consumer flags only where some message carries them: a summary without them reads as none.
    for (const [kind, n] of Object.entries(countConsumerFlags(ids.map((id) => this.consumerFlagsOf(id)))) as [keyof ConsumerFlagCounts, number][]) if (n > 0) summary[kind] = n;
    return summary;
  }

  /**
   * Browse: shows every message of the queue now (up to `max`), read from the local server at
   * `endpoint` without receiving any; replaces the messages of the previous Browse. Bodies
   * are read only from a server on this machine. With `watch`, the rows then follow the
   * server's trace: each consumer's receive, expiry, delete and move shows as it happens.
   * Returns the ids read, in queue order.
   */
  async browse(endpoint: string, max: number, watch = false): Promise<string[]> {
    const { messages, traceSeq } = await browseQueue(endpoint, this.queue.name, { max, bodies: isLoopbackEndpoint(endpoint) });
    this.browsed.reset(messages);
    this.watchedAfter = watch ? traceSeq : undefined;
    return messages.map((m) => m.messageId);
  }

  /** A shown message's body: held, or browsed (undefined when the server kept it to its own machine). */
  bodyOf(id: string): string | undefined {
    return this.leases.get(id)?.body ?? this.browsed.get(id)?.body;
  }

  /** True while the rows follow the trace (after a Watch). */
  get watching(): boolean {
    return this.watchedAfter !== undefined;
  }

  /** Trace events: while watching, newer ones than the snapshot change the rows, sent with the next update. */
  private onTrace(events: readonly TraceEvent[]): void {
    const after = this.watchedAfter;
    if (after === undefined) return;
    const newer = events[0] !== undefined && events[0].seq > after ? events : events.filter((e) => e.seq > after);
    for (const id of this.browsed.apply(newer)) this.dirty.add(id);
    this.schedule();
  }

  /** A message's consumer flags, computed once per change of its lifecycle events. */
  private consumerFlagsOf(id: string): ConsumerFlags {
    let flags = this.consumerFlags.get(id);
    if (!flags) {
      flags = consumerFlagsOf(this.deps.lifecycle.eventsOf(id));
      this.consumerFlags.set(id, flags);
    }
    return flags;
  }

  private flagsOf(id: string): MessageFlags {
    return { ...this.deps.duplicates.flagsOf(id), ...this.consumerFlagsOf(id) };
  }

  /** The idempotency key of a received message, read once. */
  keyOf(m: HeldMessage): FoundKey | undefined {
    const attributes: Record<string, { StringValue?: string }> = {};
    for (const [name, a] of Object.entries(m.messageAttributes)) if (a.StringValue !== undefined) attributes[name] = { StringValue: a.StringValue };
    return this.keyFor(m.messageId, m.body, attributes, m.systemAttributes.MessageDeduplicationId);
  }

  private keyFor(id: string, body: string, attributes: Record<string, { StringValue?: string }>, dedupId: string | undefined): FoundKey | undefined {
    if (!this.keys.has(id)) this.keys.set(id, extractIdempotencyKey({ body, attributes, ...(dedupId ? { dedupId } : {}) }, this.deps.keyPaths()));
    return this.keys.get(id);
  }

  view(m: HeldMessage): MessageView {
    return toMessageView(m, this.leases, this.keyOf(m), this.flagsOf(m.messageId), this.deps.lifecycle.eventsOf(m.messageId));
  }

  private browsedView(m: WatchedMessage): MessageView {
    const attributes: Record<string, { StringValue?: string }> = {};
    for (const [name, a] of Object.entries(m.attributes)) if (a.stringValue !== undefined) attributes[name] = { StringValue: a.stringValue };
    const key = m.body === undefined ? undefined : this.keyFor(m.messageId, m.body, attributes, m.dedupId);
    return toBrowsedView(m, this.watching ? 'watch' : 'browse', key, this.flagsOf(m.messageId), this.deps.lifecycle.eventsOf(m.messageId));
  }

  /** Marks messages changed outside the lease events (the page gets them with the next update). */
  touch(ids: Iterable<string>): void {
    for (const id of ids) {
      this.consumerFlags.delete(id);
      if (this.leases.get(id) || this.browsed.has(id)) this.dirty.add(id);
    }
    this.schedule();
  }

  /** Sends the gathered changes now: before a reply, so that the page has them when it reads the reply. */
  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.dirty.size === 0) return;
    const messages: MessageView[] = [];
    for (const id of this.dirty) {
      const m = this.leases.get(id);
      const browsed = m ? undefined : this.browsed.get(id);
      if (m) messages.push(this.view(m));
      else if (browsed) messages.push(this.browsedView(browsed));
    }
    this.dirty.clear();
    this.deps.post({ method: 'host/messages/upsert', params: { messages, summary: this.summary, now: Date.now() } });
  }

  /** Forgets every message (the queue was purged): nothing is released, nothing is left to time out. */
  forgetAll(): void {
    this.leases.forgetAll();
    this.browsed.clear();
    this.consumerFlags.clear();
    this.keys.clear();
    this.dirty.clear();
  }

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.dirty.clear();
    for (const s of this.subscriptions) s.dispose();
  }

  private schedule(): void {
    if (this.timer !== undefined || this.dirty.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, UPDATE_INTERVAL_MS);
  }

  private onLeaseEvent(e: LeaseEvent): void {
    this.deps.recorder.leaseEvent(this.queue, e, e.kind === 'received' ? this.keyOf(e.message) : undefined, (arn) => this.deps.isDeadLetterQueue(arn));
    this.dirty.add(e.message.messageId);
    this.schedule();
  }
}
