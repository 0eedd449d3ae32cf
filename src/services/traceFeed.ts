import { DisposableStore, Emitter, type Disposable } from '../common/events';
import { isLoopbackEndpoint } from '../sqs/browse';
import { getJson } from './httpJson';
import type { SqsLog } from '../sqs/gateway';
import {
  MAX_TRACE_PAGE,
  MAX_TRACE_WAIT_SECONDS,
  WORKBENCH_INFO_PATH,
  WORKBENCH_SERVER_NAME,
  WORKBENCH_TRACE_PATH,
  type TraceEvent,
  type TracePage,
  type WorkbenchInfo,
} from '../shared/trace';
import { compactPageProblem, decodeTracePage, TRACE_COMPACT_CAPABILITY, type CompactTracePage } from '../shared/traceWire';
import { isRecord } from '../shared/validate';
import type { ConnectionManager } from './connections';

/** Events read from one server's trace, in order; `missed` were dropped by the server before they could be read. */
export interface TraceBatch {
  readonly connectionId: string;
  /** The endpoint the events were read from: queue URLs in them start with it. */
  readonly endpoint: string;
  readonly events: readonly TraceEvent[];
  readonly missed: number;
}

export interface TraceFeedOptions {
  /** Long-poll wait of each read, in seconds. */
  readonly waitSeconds?: number;
  /** First pause after a failed read; it doubles up to {@link maxRetryMs}. */
  readonly retryMs?: number;
  readonly maxRetryMs?: number;
  /** How long the probe of `/_workbench/info` may take. */
  readonly probeTimeoutMs?: number;
}

export interface TraceSubscriptionOptions extends TraceFeedOptions {
  /** Read the compact form (the server's info lists {@link TRACE_COMPACT_CAPABILITY}); true unless false. */
  readonly compact?: boolean;
  /** Follow from after this sequence number (0, the default: from the oldest event kept). */
  readonly after?: number;
}

/**
 * Asks an endpoint whether it is an SQS Workbench local server; answers its info, or
 * undefined for any other endpoint (Amazon SQS, LocalStack, ElasticMQ) or none reachable.
 */
export async function probeWorkbench(endpoint: string, timeoutMs = 2_000): Promise<WorkbenchInfo | undefined> {
  try {
    const res = await fetch(new URL(WORKBENCH_INFO_PATH, endpoint), { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) {
      await res.body?.cancel();
      return undefined;
    }
    const info: unknown = await res.json();
    return isRecord(info) && info.server === WORKBENCH_SERVER_NAME && Array.isArray(info.capabilities) ? (info as unknown as WorkbenchInfo) : undefined;
  } catch {
    return undefined;
  }
}

function isTracePage(v: unknown): v is TracePage {
  return isRecord(v) && Array.isArray(v.events) && typeof v.next === 'number' && typeof v.missed === 'number' && typeof v.instance === 'string';
}

/** The page of a trace read (decoded when compact); an error that says what is wrong with any other answer. */
function tracePage(status: number, ok: boolean, answer: unknown, compact: boolean): TracePage {
  const problem = !ok ? 'an error' : compact ? compactPageProblem(answer) : isTracePage(answer) ? undefined : 'not a trace page';
  if (problem !== undefined) throw new Error(`the trace endpoint answered ${status} (${problem}): ${JSON.stringify(answer).slice(0, 200)}`);
  return compact ? decodeTracePage(answer as CompactTracePage) : (answer as TracePage);
}

/**
 * Follows one server's trace: long-polls `/_workbench/trace` from the last sequence number
 * read, so that a reconnect resumes where it stopped; names the server instance it read, so
 * that a server restarted on the endpoint answers from its first event; reports events the
 * server dropped in between.
 */
export class TraceSubscription implements Disposable {
  private after: number;
  private instance: string | undefined;
  private readonly abort = new AbortController();
  private readonly received = new Emitter<TraceBatch>();
  readonly onEvents = this.received.event;
  /** Settles when the read loop has ended (after {@link dispose}). */
  readonly done: Promise<void>;

  constructor(
    readonly connectionId: string,
    readonly endpoint: string,
    private readonly log: SqsLog,
    private readonly options: TraceSubscriptionOptions = {},
  ) {
    this.after = options.after ?? 0;
    this.done = this.loop();
  }

  /** The sequence number of the last event read. */
  get lastSeq(): number {
    return this.after;
  }

  private async loop(): Promise<void> {
    const signal = this.abort.signal;
    const wait = this.options.waitSeconds ?? MAX_TRACE_WAIT_SECONDS;
    const bodies = isLoopbackEndpoint(this.endpoint);
    let pause = this.options.retryMs ?? 1_000;
    let failing = false;
    while (!signal.aborted) {
      try {
        const url = new URL(WORKBENCH_TRACE_PATH, this.endpoint);
        url.search = new URLSearchParams({
          after: String(this.after),
          wait: String(wait),
          // A busy server's events in a few answers, each a third of the full form's bytes.
          limit: String(MAX_TRACE_PAGE),
          ...(this.options.compact !== false ? { format: 'compact' } : {}),
          ...(bodies ? { bodies: 'true' } : {}),
          ...(this.instance !== undefined ? { instance: this.instance } : {}),
        }).toString();
        const res = await getJson(url, signal);
        const page = tracePage(res.status, res.ok, res.body, this.options.compact !== false);
        pause = this.options.retryMs ?? 1_000;
        if (failing) this.log.info(`Reading the local server's trace at ${this.endpoint} again.`);
        failing = false;
        // A server that restarted answered from its first event, as asked by the instance.
        this.instance = page.instance;
        this.after = page.next;
        if (page.missed > 0) this.log.warn(`The local server's trace dropped ${page.missed} events before they could be read (its ring was full).`);
        if (page.events.length > 0 || page.missed > 0) this.received.fire({ connectionId: this.connectionId, endpoint: this.endpoint, events: page.events, missed: page.missed });
      } catch (err) {
        if (signal.aborted) break;
        // Said once per outage: a stopped server would otherwise fill the log.
        if (!failing) this.log.warn(`Reading the local server's trace at ${this.endpoint}: ${err instanceof Error ? err.message : String(err)}; trying again every ${(this.options.maxRetryMs ?? 10_000) / 1000} s at most.`);
        failing = true;
        await new Promise((resolve) => setTimeout(resolve, pause));
        pause = Math.min(pause * 2, this.options.maxRetryMs ?? 10_000);
      }
    }
  }

  dispose(): void {
    this.abort.abort();
    this.received.dispose();
  }
}

/**
 * Detects a workbench server behind each connection's endpoint (one probe per connection
 * and endpoint) and follows its trace; connections to other endpoints are left alone.
 * Every batch of events, of every connection, comes out of {@link onEvents}.
 */
export class TraceFeed implements Disposable {
  private readonly subscriptions = new Map<string, TraceSubscription>();
  /** The endpoint each connection was probed for, and what the probe found. */
  private readonly probed = new Map<string, { endpoint: string; workbench: boolean; compact: boolean }>();
  private readonly received = new Emitter<TraceBatch>();
  readonly onEvents = this.received.event;
  private readonly disposables = new DisposableStore();
  private syncing: Promise<void> = Promise.resolve();

  constructor(
    private readonly connections: Pick<ConnectionManager, 'all' | 'onDidChange'>,
    private readonly log: SqsLog,
    private readonly options: TraceFeedOptions = {},
  ) {
    this.disposables.add(connections.onDidChange(() => void this.sync()));
    void this.sync();
  }

  /** True when the connection's endpoint is a workbench server whose trace is followed. */
  isTraced(connectionId: string): boolean {
    return this.subscriptions.has(connectionId);
  }

  /** True when a queue URL belongs to a server whose trace is followed. */
  coversQueue(queueUrl: string): boolean {
    for (const s of this.subscriptions.values()) if (sameOrigin(s.endpoint, queueUrl)) return true;
    return false;
  }

  /** Probes new connections and follows or drops subscriptions; resolves when done. */
  sync(): Promise<void> {
    this.syncing = this.syncing.then(() => this.doSync());
    return this.syncing;
  }

  private async doSync(): Promise<void> {
    const wanted = new Map<string, string>();
    for (const c of this.connections.all) if (c.info.endpoint !== undefined) wanted.set(c.info.id, c.info.endpoint);
    for (const [id, sub] of this.subscriptions) {
      if (wanted.get(id) !== sub.endpoint) {
        sub.dispose();
        this.subscriptions.delete(id);
      }
    }
    for (const id of this.probed.keys()) if (!wanted.has(id)) this.probed.delete(id);
    for (const [id, endpoint] of wanted) {
      let probe = this.probed.get(id);
      if (!probe || probe.endpoint !== endpoint) {
        const info = await probeWorkbench(endpoint, this.options.probeTimeoutMs);
        probe = { endpoint, workbench: info !== undefined, compact: info?.capabilities.includes(TRACE_COMPACT_CAPABILITY) ?? false };
        this.probed.set(id, probe);
        if (info) this.log.info(`${endpoint} is an SQS Workbench local server (trace API ${info.version}): following its trace.`);
      }
      if (probe.workbench && !this.subscriptions.has(id)) {
        const sub = new TraceSubscription(id, endpoint, this.log, { ...this.options, compact: probe.compact });
        sub.onEvents((batch) => this.received.fire(batch));
        this.subscriptions.set(id, sub);
      }
    }
  }

  /** Probes the connection again (e.g. after its server restarted on the same endpoint). */
  reprobe(connectionId: string): Promise<void> {
    this.probed.delete(connectionId);
    return this.sync();
  }

  dispose(): void {
    for (const s of this.subscriptions.values()) s.dispose();
    this.subscriptions.clear();
    this.received.dispose();
    this.disposables.dispose();
  }
}

function sameOrigin(endpoint: string, url: string): boolean {
  try {
    return new URL(endpoint).origin === new URL(url).origin;
  } catch {
    return false;
  }
}
