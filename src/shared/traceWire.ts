/**
 * The trace's compact wire form (`GET /_workbench/trace?format=compact`): the same page as
 * {@link TracePage}, in about a third of the bytes, so that a subscriber that keeps up with a
 * busy server costs it, and itself, a third of the parsing and writing. Each page carries the
 * tables it needs (queues, actors, the detail fields of each kind), so that a reader decodes it
 * without knowing the server's version. Imports only the trace's types, like the trace itself.
 */
import type { TraceActor, TraceDetails, TraceEvent, TraceKind, TracePage } from './trace';

/** In `/_workbench/info`'s capabilities when the trace answers `format=compact`. */
export const TRACE_COMPACT_CAPABILITY = 'trace-compact';

/**
 * One event: `[kind, at, queue, messageId, by, ...details]`. `at` is the difference from the
 * previous event's (the first's from the page's `t0`); `queue` indexes `queues`; `by` indexes
 * `actors`, or is -1 for what time did; the details follow in the order of `fields[kind]`,
 * with null for a field the event lacks (trailing ones left out).
 */
export type CompactTraceEvent = [kind: TraceKind, at: number, queue: number, messageId: string, by: number, ...details: unknown[]];

export interface CompactTracePage {
  readonly format: 'compact';
  readonly instance: string;
  /** The sequence number of the first event; the others follow it one by one. */
  readonly first: number;
  /** The time the first event's `at` is counted from. */
  readonly t0: number;
  readonly next: number;
  readonly missed: number;
  readonly droppedTotal: number;
  /** `[name, url]` of each queue the events name. */
  readonly queues: readonly (readonly [string, string])[];
  readonly actors: readonly TraceActor[];
  /** The detail fields of each kind the page holds, in the order its events list them. */
  readonly fields: Readonly<Partial<Record<TraceKind, readonly string[]>>>;
  readonly events: readonly CompactTraceEvent[];
}

/** The detail fields of each kind, the common ones first (so that the trailing, absent ones are left out). */
const FIELDS: { readonly [K in TraceKind]: readonly (keyof TraceDetails[K] & string)[] } = {
  sent: ['bytes', 'attributeNames', 'body', 'attributes', 'delayedUntil', 'groupId', 'dedupId', 'sequenceNumber'],
  deduplicated: ['dedupId', 'groupId'],
  visible: [],
  received: ['receiveCount', 'deadline'],
  visibilityChanged: ['deadline'],
  released: [],
  expired: ['receiveCount'],
  deleted: ['stale', 'late', 'receiveCount'],
  movedToDlq: ['toQueue', 'toQueueUrl', 'receiveCount'],
  moved: ['toQueue', 'toQueueUrl'],
  purged: ['count'],
  retentionExpired: [],
  faultInjected: ['fault', 'action'],
};

/** The fields of a sent event that only a reader who asked for bodies gets. */
const BODY_FIELDS: ReadonlySet<string> = new Set(['body', 'attributes']);

/**
 * Encodes events that follow one another (consecutive sequence numbers), as a trace read
 * answers them; without `bodies`, a sent event's body and attribute values are left out.
 */
export function encodeTracePage(page: TracePage, bodies = true): CompactTracePage {
  const queueIndex = new Map<string, number>();
  const queues: [string, string][] = [];
  const actorIndex = new Map<TraceActor, number>();
  const actorByKey = new Map<string, number>();
  const actors: TraceActor[] = [];
  const fields: Partial<Record<TraceKind, readonly string[]>> = {};
  const events: CompactTraceEvent[] = new Array<CompactTraceEvent>(page.events.length);
  const t0 = page.events.length > 0 ? page.events[0].at : 0;
  let previousAt = t0;
  for (let i = 0; i < page.events.length; i++) {
    const e = page.events[i];
    if (e.seq !== page.events[0].seq + i) throw new RangeError(`A compact trace page holds consecutive events: event ${i} is ${e.seq}, not ${page.events[0].seq + i}.`);
    let q = queueIndex.get(e.queueUrl);
    if (q === undefined) {
      q = queues.push([e.queue, e.queueUrl]) - 1;
      queueIndex.set(e.queueUrl, q);
    }
    const by = e.by === undefined ? -1 : indexOfActor(e.by, actorIndex, actorByKey, actors);
    const names = FIELDS[e.kind];
    fields[e.kind] ??= names;
    const event: CompactTraceEvent = [e.kind, e.at - previousAt, q, e.messageId, by];
    previousAt = e.at;
    const details = e.details as Readonly<Record<string, unknown>>;
    let last = 0;
    for (let f = 0; f < names.length; f++) if (details[names[f]] !== undefined && (bodies || !BODY_FIELDS.has(names[f]))) last = f + 1;
    for (let f = 0; f < last; f++) event.push((bodies || !BODY_FIELDS.has(names[f]) ? details[names[f]] : undefined) ?? null);
    events[i] = event;
  }
  return { format: 'compact', instance: page.instance, first: page.events.length > 0 ? page.events[0].seq : page.next + 1, t0, next: page.next, missed: page.missed, droppedTotal: page.droppedTotal, queues, actors, fields, events };
}

/** The server records one actor object per request: most events share it, and the rest compare by value. */
function indexOfActor(by: TraceActor, byObject: Map<TraceActor, number>, byKey: Map<string, number>, actors: TraceActor[]): number {
  let index = byObject.get(by);
  if (index !== undefined) return index;
  const key = `${by.accessKeyId ?? ''}\n${by.sdk ?? ''}\n${by.workbench ? 1 : 0}`;
  index = byKey.get(key);
  if (index === undefined) {
    index = actors.push(by) - 1;
    byKey.set(key, index);
  }
  byObject.set(by, index);
  return index;
}

/** Why a page is not a compact trace page, or undefined when it is one. */
export function compactPageProblem(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null) return 'not an object';
  const p = v as Partial<Record<keyof CompactTracePage, unknown>>;
  if (p.format !== 'compact') return 'not the compact format';
  for (const name of ['first', 't0', 'next', 'missed', 'droppedTotal'] as const) if (typeof p[name] !== 'number') return `${name} is not a number`;
  if (typeof p.instance !== 'string') return 'instance is not a string';
  if (!Array.isArray(p.queues) || !Array.isArray(p.actors) || !Array.isArray(p.events)) return 'queues, actors or events is not a list';
  if (typeof p.fields !== 'object' || p.fields === null) return 'fields is not an object';
  return undefined;
}

/** Decodes a compact page into the events it stands for, equal to those of the full form. */
export function decodeTracePage(page: CompactTracePage): TracePage {
  const events = new Array<TraceEvent>(page.events.length);
  let at = page.t0;
  for (let i = 0; i < page.events.length; i++) {
    const e = page.events[i];
    const queue = Array.isArray(e) ? page.queues[e[2]] : undefined;
    const names = Array.isArray(e) ? page.fields[e[0]] : undefined;
    if (queue === undefined || names === undefined) throw new Error(`Event ${page.first + i} of the trace page is not in the compact form.`);
    at += e[1];
    const details: Record<string, unknown> = {};
    const end = Math.min(names.length, e.length - 5);
    for (let f = 0; f < end; f++) {
      const value = e[5 + f];
      if (value !== null) details[names[f]] = value;
    }
    const seq = page.first + i;
    // Two literals rather than a spread: the same shapes for every event, and no copy.
    events[i] = (
      e[4] >= 0
        ? { seq, kind: e[0], at, queue: queue[0], queueUrl: queue[1], messageId: e[3], by: page.actors[e[4]], details }
        : { seq, kind: e[0], at, queue: queue[0], queueUrl: queue[1], messageId: e[3], details }
    ) as TraceEvent;
  }
  return { instance: page.instance, events, next: page.next, missed: page.missed, droppedTotal: page.droppedTotal };
}
