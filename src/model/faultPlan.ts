/**
 * A fault plan for the local server: which of SQS's real failure modes it injects, how
 * often, where, and from which seed. Pure data and validation, shared by the server (its
 * command line and control endpoint) and the extension (its Faults command and status bar).
 */

/** The failures the local server can inject. */
export const FAULT_KINDS = ['duplicate', 'throttle', 'internal-error', 'unavailable', 'latency', 'shuffle'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Where each kind is decided: duplicates on deletes, shuffles on receives, the rest on any request. */
export const FAULT_ACTIONS: Partial<Record<FaultKind, readonly string[]>> = {
  duplicate: ['DeleteMessage', 'DeleteMessageBatch'],
  shuffle: ['ReceiveMessage'],
};

export interface FaultRule {
  readonly kind: FaultKind;
  /** Chance from 0 to 1 that the fault applies to each request (or message, for duplicate and shuffle). */
  readonly rate: number;
  /** Only these actions (`SendMessage`, …); every eligible action when left out. */
  readonly actions?: readonly string[];
  /** Only these queues, by name; every queue when left out. */
  readonly queues?: readonly string[];
  /** Latency only: the added delay, drawn uniformly from minMs to maxMs. */
  readonly minMs?: number;
  readonly maxMs?: number;
}

export interface FaultPlan {
  /** Seeds the generator: the same seed and the same requests give the same faults. */
  readonly seed: number;
  readonly rules: readonly FaultRule[];
}

export const NO_FAULTS: FaultPlan = { seed: 1, rules: [] };

/** Longest added latency: past a client's own timeouts it would only hang tests. */
export const MAX_LATENCY_MS = 60_000;

/** A plan that does not validate; `field` names where (`rules[1].rate`, `latency`). */
export class FaultPlanError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'FaultPlanError';
  }
}

const ACTION_NAME = /^[A-Z][A-Za-z]{1,63}$/;
const QUEUE_NAME = /^[A-Za-z0-9_-]{1,75}(\.fifo)?$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkRate(field: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) throw new FaultPlanError(field, `must be a number from 0 to 1, not ${JSON.stringify(v)}.`);
  return v;
}

function checkMs(field: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_LATENCY_MS) {
    throw new FaultPlanError(field, `must be a whole number of milliseconds from 0 to ${MAX_LATENCY_MS}, not ${JSON.stringify(v)}.`);
  }
  return v;
}

function checkNames(field: string, v: unknown, pattern: RegExp, what: string, allowed?: readonly string[]): string[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.length === 0) throw new FaultPlanError(field, `must be a non-empty list of ${what}s.`);
  return v.map((name: unknown, i) => {
    if (typeof name !== 'string' || !pattern.test(name)) throw new FaultPlanError(`${field}[${i}]`, `${JSON.stringify(name)} is not a valid ${what}.`);
    if (allowed && !allowed.includes(name)) throw new FaultPlanError(`${field}[${i}]`, `${name} is not one of ${allowed.join(', ')}: only those can carry this fault.`);
    return name;
  });
}

function checkRule(field: string, raw: unknown): FaultRule {
  if (!isRecord(raw)) throw new FaultPlanError(field, 'must be an object with "kind" and "rate".');
  for (const key of Object.keys(raw)) {
    if (!['kind', 'rate', 'actions', 'queues', 'minMs', 'maxMs'].includes(key)) throw new FaultPlanError(`${field}.${key}`, 'is not a field of a fault rule (kind, rate, actions, queues, minMs, maxMs).');
  }
  const kind = raw.kind;
  if (typeof kind !== 'string' || !(FAULT_KINDS as readonly string[]).includes(kind)) {
    throw new FaultPlanError(`${field}.kind`, `must be one of ${FAULT_KINDS.join(', ')}, not ${JSON.stringify(kind)}.`);
  }
  const k = kind as FaultKind;
  const rule: { -readonly [K in keyof FaultRule]: FaultRule[K] } = { kind: k, rate: raw.rate === undefined && k === 'latency' ? 1 : checkRate(`${field}.rate`, raw.rate) };
  const actions = checkNames(`${field}.actions`, raw.actions, ACTION_NAME, 'action name', FAULT_ACTIONS[k]);
  if (actions) rule.actions = actions;
  const queues = checkNames(`${field}.queues`, raw.queues, QUEUE_NAME, 'queue name');
  if (queues) rule.queues = queues;
  if (k === 'latency') {
    if (raw.minMs === undefined) throw new FaultPlanError(`${field}.minMs`, 'is required for latency (the delay in milliseconds; add maxMs for a range).');
    rule.minMs = checkMs(`${field}.minMs`, raw.minMs);
    rule.maxMs = raw.maxMs === undefined ? rule.minMs : checkMs(`${field}.maxMs`, raw.maxMs);
    if (rule.maxMs < rule.minMs) throw new FaultPlanError(`${field}.maxMs`, `(${rule.maxMs}) must not be below minMs (${rule.minMs}).`);
  } else if (raw.minMs !== undefined || raw.maxMs !== undefined) {
    throw new FaultPlanError(`${field}.${raw.minMs !== undefined ? 'minMs' : 'maxMs'}`, 'applies to latency rules only.');
  }
  return rule;
}

/** Validates a plan given as JSON (`{ "seed": 42, "rules": [{ "kind": "throttle", "rate": 0.05 }] }`). */
export function parseFaultPlan(raw: unknown): FaultPlan {
  if (!isRecord(raw)) throw new FaultPlanError('plan', 'must be a JSON object with "rules" (a list) and optionally "seed".');
  for (const key of Object.keys(raw)) {
    if (key !== 'seed' && key !== 'rules') throw new FaultPlanError(key, 'is not a field of a fault plan (seed, rules).');
  }
  const seed = raw.seed ?? NO_FAULTS.seed;
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new FaultPlanError('seed', `must be a whole number from 0 to 4294967295, not ${JSON.stringify(seed)}.`);
  }
  if (!Array.isArray(raw.rules)) throw new FaultPlanError('rules', 'must be a list of fault rules.');
  return { seed, rules: raw.rules.map((r, i) => checkRule(`rules[${i}]`, r)) };
}

/**
 * Reads the compact syntax of `--faults`: comma-separated `kind=rate[:Action+Action][@queue+queue]`
 * items, `latency=MIN[-MAX]ms[*rate]` and `seed=N`, for example
 * `duplicate=0.1,throttle=0.05:SendMessage,latency=50-200ms,seed=42`. `none` (or nothing) is no faults.
 */
export function parseCompactFaultPlan(text: string): FaultPlan {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed === 'none') return NO_FAULTS;
  let seed: number | undefined;
  const rules: unknown[] = [];
  for (const [i, item] of trimmed.split(',').entries()) {
    const field = `item ${i + 1} ("${item.trim()}")`;
    const eq = item.indexOf('=');
    if (eq < 0) throw new FaultPlanError(field, 'must be kind=value, e.g. throttle=0.05.');
    const kind = item.slice(0, eq).trim();
    let value = item.slice(eq + 1).trim();
    if (kind === 'seed') {
      if (!/^\d{1,10}$/.test(value)) throw new FaultPlanError(field, 'the seed must be a whole number.');
      seed = Number(value);
      continue;
    }
    const rule: Record<string, unknown> = { kind };
    const at = value.indexOf('@');
    if (at >= 0) {
      rule.queues = value.slice(at + 1).split('+');
      value = value.slice(0, at);
    }
    const colon = value.indexOf(':');
    if (colon >= 0) {
      rule.actions = value.slice(colon + 1).split('+');
      value = value.slice(0, colon);
    }
    if (kind === 'latency') {
      const m = /^(\d+)(?:-(\d+))?ms(?:\*([\d.]+))?$/.exec(value);
      if (!m) throw new FaultPlanError(field, 'latency must be MINms or MIN-MAXms, optionally *rate, e.g. latency=50-200ms*0.5.');
      rule.minMs = Number(m[1]);
      rule.maxMs = Number(m[2] ?? m[1]);
      rule.rate = m[3] === undefined ? 1 : Number(m[3]);
    } else {
      if (!/^\d*\.?\d+$/.test(value)) throw new FaultPlanError(field, `the rate must be a number from 0 to 1, not "${value}".`);
      rule.rate = Number(value);
    }
    try {
      rules.push(checkRule(field, rule));
    } catch (err) {
      if (err instanceof FaultPlanError) throw new FaultPlanError(field, err.message.slice(err.field.length + 2));
      throw err;
    }
  }
  return { seed: seed ?? NO_FAULTS.seed, rules: rules as FaultRule[] };
}

const percent = (rate: number): string => `${Math.round(rate * 1000) / 10}%`;

/** One rule in the compact syntax, which {@link parseCompactFaultPlan} reads back. */
function compactRule(r: FaultRule): string {
  const value = r.kind === 'latency' ? `${r.minMs}${r.maxMs !== r.minMs ? `-${r.maxMs}` : ''}ms${r.rate !== 1 ? `*${r.rate}` : ''}` : String(r.rate);
  return `${r.kind}=${value}${r.actions ? `:${r.actions.join('+')}` : ''}${r.queues ? `@${r.queues.join('+')}` : ''}`;
}

/** The plan in the compact syntax: `duplicate=0.1,throttle=0.05:SendMessage,seed=42`. */
export function formatCompactFaultPlan(plan: FaultPlan): string {
  if (plan.rules.length === 0) return 'none';
  return [...plan.rules.map(compactRule), `seed=${plan.seed}`].join(',');
}

/** A short line for people: "duplicate 10%, throttle 5% (SendMessage), latency 50–200 ms". */
export function describeFaultPlan(plan: FaultPlan): string {
  if (plan.rules.length === 0) return 'no faults';
  return plan.rules
    .map((r) => {
      const what = r.kind === 'latency' ? `latency ${r.minMs}${r.maxMs !== r.minMs ? `–${r.maxMs}` : ''} ms${r.rate !== 1 ? ` on ${percent(r.rate)}` : ''}` : `${r.kind} ${percent(r.rate)}`;
      const scope = [...(r.actions ?? []), ...(r.queues ?? []).map((q) => `@${q}`)];
      return scope.length > 0 ? `${what} (${scope.join(', ')})` : what;
    })
    .join(', ');
}
