import { Emitter, type Event } from '../common/events';
import {
  FAULT_KINDS,
  FaultPlanError,
  NO_FAULTS,
  describeFaultPlan,
  formatCompactFaultPlan,
  parseCompactFaultPlan,
  parseFaultPlan,
  type FaultKind,
  type FaultPlan,
  type FaultRule,
} from '../model/faultPlan';
import { SqsError } from './errors';

/** One injected fault, as the log line and the counts see it. */
export interface InjectedFault {
  readonly kind: FaultKind;
  readonly action: string;
  /** The queue's name, when the request names one. */
  readonly queue: string | undefined;
  /** Latency: the delay added, in milliseconds. */
  readonly delayMs?: number;
  /** Duplicate and shuffle: the message concerned. */
  readonly messageId?: string;
}

/** What to do to one request before it runs. */
export interface RequestFaults {
  readonly delayMs: number;
  readonly error: SqsError | undefined;
}

/** The faults the engine itself applies, to messages rather than to requests. */
export interface EngineFaults {
  /** Whether the message just deleted comes back (standard queues: at-least-once delivery). */
  redeliverAfterDelete(queue: string, action: string, messageId: string): boolean;
  /** Whether a receive passes over this message for now, so that newer ones overtake it. */
  passOver(queue: string, messageId: string): boolean;
}

/**
 * A small, fast seeded generator (mulberry32): the same seed gives the same sequence, so
 * a plan with a seed replays the same faults for the same requests.
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ERROR_KINDS = ['throttle', 'internal-error', 'unavailable'] as const;

function faultError(kind: (typeof ERROR_KINDS)[number]): SqsError {
  switch (kind) {
    case 'throttle':
      return new SqsError('ThrottlingException', 'Rate exceeded (a fault injected by the local server).');
    case 'internal-error':
      return new SqsError('InternalError', 'We encountered an internal error. Please try again. (A fault injected by the local server.)');
    case 'unavailable':
      return new SqsError('ServiceUnavailable', 'The request has failed due to a temporary failure of the server. (A fault injected by the local server.)');
  }
}

/**
 * Decides, from a {@link FaultPlan} and one seeded generator, which requests and messages
 * get which fault; counts them and fires {@link onDidInject} once per injected fault (the
 * server's log line, and whatever else listens).
 */
export class FaultInjector implements EngineFaults {
  private current: FaultPlan = NO_FAULTS;
  private random: () => number = seededRandom(NO_FAULTS.seed);
  private counted = FaultInjector.zero();
  private readonly injected = new Emitter<InjectedFault>();
  /** Fires once per injected fault. */
  readonly onDidInject: Event<InjectedFault> = this.injected.event;

  constructor(plan: FaultPlan = NO_FAULTS) {
    this.setPlan(plan);
  }

  private static zero(): Record<FaultKind, number> {
    return Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;
  }

  get plan(): FaultPlan {
    return this.current;
  }

  get active(): boolean {
    return this.current.rules.length > 0;
  }

  /** Faults injected per kind since the plan was set. */
  get counts(): Readonly<Record<FaultKind, number>> {
    return { ...this.counted };
  }

  /** Replaces the plan; the generator starts again from its seed and the counts from zero. */
  setPlan(plan: FaultPlan): void {
    this.current = plan;
    this.random = seededRandom(plan.seed);
    this.counted = FaultInjector.zero();
  }

  /** The latency and the error (if any) to give one SQS request, by its action and queue. */
  forRequest(action: string, queue: string | undefined): RequestFaults {
    if (!this.active) return { delayMs: 0, error: undefined };
    let delayMs = 0;
    const latency = this.firing('latency', action, queue);
    if (latency) {
      const min = latency.minMs ?? 0;
      const max = latency.maxMs ?? min;
      delayMs = min + Math.floor(this.random() * (max - min + 1));
      this.record({ kind: 'latency', action, queue, delayMs });
    }
    for (const kind of ERROR_KINDS) {
      if (this.firing(kind, action, queue)) {
        this.record({ kind, action, queue });
        return { delayMs, error: faultError(kind) };
      }
    }
    return { delayMs, error: undefined };
  }

  redeliverAfterDelete(queue: string, action: string, messageId: string): boolean {
    if (!this.firing('duplicate', action, queue)) return false;
    this.record({ kind: 'duplicate', action, queue, messageId });
    return true;
  }

  passOver(queue: string, messageId: string): boolean {
    if (!this.firing('shuffle', 'ReceiveMessage', queue)) return false;
    this.record({ kind: 'shuffle', action: 'ReceiveMessage', queue, messageId });
    return true;
  }

  /** The first rule of `kind` that applies here and whose draw fires. One draw per applicable rule. */
  private firing(kind: FaultKind, action: string, queue: string | undefined): FaultRule | undefined {
    for (const rule of this.current.rules) {
      if (rule.kind !== kind || rule.rate === 0) continue;
      if (rule.actions && !rule.actions.includes(action)) continue;
      if (rule.queues && (queue === undefined || !rule.queues.includes(queue))) continue;
      if (this.random() < rule.rate) return rule;
    }
    return undefined;
  }

  private record(fault: InjectedFault): void {
    this.counted[fault.kind]++;
    this.injected.fire(fault);
  }
}

/** A queue's name from its URL (`http://host/000000000000/orders` → `orders`), or undefined. */
export function queueNameFromUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  const path = url.replace(/^[a-z]+:\/\/[^/]*/i, '').replace(/[?#].*$/, '');
  const last = path.split('/').filter((s) => s.length > 0).pop();
  return last === undefined ? undefined : decodeURIComponent(last);
}

/** The queue a JSON 1.0 request names (`QueueUrl`, or `QueueName` for CreateQueue and GetQueueUrl). */
export function queueOfJsonRequest(body: string): string | undefined {
  try {
    const input: unknown = JSON.parse(body);
    if (typeof input !== 'object' || input === null) return undefined;
    const { QueueUrl, QueueName } = input as { QueueUrl?: unknown; QueueName?: unknown };
    if (typeof QueueUrl === 'string') return queueNameFromUrl(QueueUrl);
    return typeof QueueName === 'string' ? QueueName : undefined;
  } catch {
    // The action's own parsing reports the bad body.
    return undefined;
  }
}

/** The log line of one injected fault. */
export function describeInjectedFault(f: InjectedFault): string {
  const extra = f.delayMs !== undefined ? ` +${f.delayMs}ms` : f.messageId ? ` message ${f.messageId}` : '';
  return `fault ${f.kind} ${f.action} ${f.queue ?? '-'}${extra}`;
}

/** The path of the faults control endpoint: outside the SQS API, under the server's own prefix. */
export const FAULTS_CONTROL_PATH = '/_workbench/faults';

/** What `GET /_workbench/faults` answers: the plan in both forms, and the faults injected under it. */
export interface FaultsStatus {
  readonly plan: FaultPlan;
  readonly compact: string;
  readonly description: string;
  readonly counts: Readonly<Record<FaultKind, number>>;
  readonly total: number;
}

export function faultsStatus(injector: FaultInjector): FaultsStatus {
  const counts = injector.counts;
  return {
    plan: injector.plan,
    compact: formatCompactFaultPlan(injector.plan),
    description: describeFaultPlan(injector.plan),
    counts,
    total: Object.values(counts).reduce((a, b) => a + b, 0),
  };
}

/**
 * Answers the control endpoint: `GET` shows the plan and counts; `PUT` replaces the plan
 * with the body (a JSON plan, or the compact syntax of `--faults`) and answers as GET does.
 * A plan that does not validate is refused with 400 naming the field.
 */
export function serveFaultsControl(injector: FaultInjector, method: string, body: string): { status: number; body: unknown } {
  if (method === 'GET') return { status: 200, body: faultsStatus(injector) };
  if (method !== 'PUT') return { status: 405, body: { error: `Use GET to read the fault plan or PUT to replace it, not ${method}.` } };
  let plan: FaultPlan;
  try {
    const text = body.trim();
    if (text.startsWith('{')) {
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch (err) {
        return { status: 400, body: { error: `The body is not valid JSON: ${err instanceof Error ? err.message : String(err)}`, field: 'plan' } };
      }
      plan = parseFaultPlan(raw);
    } else {
      plan = parseCompactFaultPlan(text);
    }
  } catch (err) {
    if (err instanceof FaultPlanError) return { status: 400, body: { error: err.message, field: err.field } };
    throw err;
  }
  injector.setPlan(plan);
  return { status: 200, body: faultsStatus(injector) };
}

/** Whether a peer address is this machine: the control endpoint answers only those unless told otherwise. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const bare = address.replace(/^::ffff:/i, '');
  return bare === '::1' || /^127\.\d+\.\d+\.\d+$/.test(bare);
}
