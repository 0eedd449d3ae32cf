import { Emitter, type Disposable } from '../common/events';
import type { FaultsStatus } from '../local/faults';
import { describeFaultPlan, parseCompactFaultPlan, type FaultPlan } from '../model/faultPlan';
import type { SqsLog } from '../sqs/gateway';
import type { LocalServerService } from './localServer';

/** The faults control path of SQS Workbench's local server (its other paths are the SQS API). */
const CONTROL_PATH = '/_workbench/faults';
const CONTROL_TIMEOUT_MS = 5_000;

/** A ready-made plan the Faults command offers. */
export interface FaultPreset {
  readonly label: string;
  readonly detail: string;
  readonly plan: FaultPlan;
}

const preset = (label: string, detail: string, compact: string): FaultPreset => ({ label, detail, plan: parseCompactFaultPlan(compact) });

export const FAULT_PRESETS: readonly FaultPreset[] = [
  preset('Duplicate deliveries', 'A fifth of deleted messages come back, same MessageId and body (standard queues)', 'duplicate=0.2'),
  preset('Throttling', 'A tenth of requests fail with RequestThrottled (ThrottlingException)', 'throttle=0.1'),
  preset('Server errors', '5% InternalError (500) and 5% ServiceUnavailable (503)', 'internal-error=0.05,unavailable=0.05'),
  preset('Slow answers', 'Every request waits 100–500 ms', 'latency=100-500ms'),
  preset('Shuffled order', 'Receives pass over 30% of messages, so later ones overtake them (standard queues)', 'shuffle=0.3'),
  preset(
    'A little of everything',
    'Duplicates 5%, throttling 2%, 5xx 1% each, latency 20–200 ms on half the requests, shuffle 10%',
    'duplicate=0.05,throttle=0.02,internal-error=0.01,unavailable=0.01,latency=20-200ms*0.5,shuffle=0.1',
  ),
];

/** The plan in force on one server, as the status bar shows it. */
export interface ActiveFaults {
  readonly endpoint: string;
  readonly plan: FaultPlan;
  readonly description: string;
}

function isFaultsStatus(v: unknown): v is FaultsStatus {
  if (typeof v !== 'object' || v === null) return false;
  const s = v as Partial<FaultsStatus>;
  return typeof s.plan === 'object' && s.plan !== null && Array.isArray(s.plan.rules) && typeof s.description === 'string';
}

/**
 * Reads and changes the fault plan of an SQS Workbench local server through its control
 * endpoint: the server the extension started, or one behind a connection (`npm start`, the
 * command line). Remembers the newest non-empty plan applied, for the status bar; the
 * server the extension starts begins with none, so a start or stop of it forgets its plan.
 */
export class LocalServerFaults implements Disposable {
  private current: ActiveFaults | undefined;
  private readonly changed = new Emitter<ActiveFaults | undefined>();
  /** Fires when the plan shown changes. */
  readonly onDidChange = this.changed.event;
  private readonly subscription: Disposable;

  constructor(
    private readonly log: SqsLog,
    localServer: Pick<LocalServerService, 'endpoint' | 'onDidChange'>,
  ) {
    let serverEndpoint = localServer.endpoint;
    this.subscription = localServer.onDidChange((running) => {
      if (this.current && this.current.endpoint === serverEndpoint) this.show(undefined);
      serverEndpoint = running?.endpoint;
    });
  }

  /** The newest plan with faults applied from here, while its server runs. */
  get active(): ActiveFaults | undefined {
    return this.current;
  }

  /** The plan and counts of the server at `endpoint`; fails with a clear message when it has no control endpoint. */
  async read(endpoint: string): Promise<FaultsStatus> {
    return this.call(endpoint, 'GET');
  }

  /** Replaces the plan of the server at `endpoint`. */
  async apply(endpoint: string, plan: FaultPlan): Promise<FaultsStatus> {
    const status = await this.call(endpoint, 'PUT', JSON.stringify(plan));
    this.log.info(`Faults at ${endpoint}: ${status.description}${plan.rules.length > 0 ? ` (seed ${plan.seed})` : ''}.`);
    if (status.plan.rules.length > 0) this.show({ endpoint: base(endpoint), plan: status.plan, description: describeFaultPlan(status.plan) });
    else if (this.current?.endpoint === base(endpoint)) this.show(undefined);
    return status;
  }

  private show(active: ActiveFaults | undefined): void {
    this.current = active;
    this.changed.fire(active);
  }

  private async call(endpoint: string, method: 'GET' | 'PUT', body?: string): Promise<FaultsStatus> {
    const url = base(endpoint) + CONTROL_PATH;
    let res: Response;
    try {
      res = await fetch(url, { method, body, headers: body ? { 'Content-Type': 'application/json' } : undefined, signal: AbortSignal.timeout(CONTROL_TIMEOUT_MS) });
    } catch (err) {
      throw new Error(`${endpoint} does not answer (${err instanceof Error ? err.message : String(err)}).`, { cause: err });
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (res.ok && isFaultsStatus(json)) return json;
    const error = typeof json === 'object' && json !== null && typeof (json as { error?: unknown }).error === 'string' ? (json as { error: string }).error : undefined;
    if (error) throw new Error(`${endpoint} refused the fault plan: ${error}`);
    throw new Error(`${endpoint} has no fault control (${CONTROL_PATH} answered ${res.status}): faults work with SQS Workbench's local server only.`);
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

function base(endpoint: string): string {
  return endpoint.replace(/\/+$/, '');
}
