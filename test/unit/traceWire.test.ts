import * as assert from 'node:assert/strict';
import { TRACE_KINDS, type TraceActor, type TraceDetails, type TraceEvent, type TraceKind, type TracePage } from '../../src/shared/trace';
import { compactPageProblem, decodeTracePage, encodeTracePage, type CompactTracePage } from '../../src/shared/traceWire';

const A = 'http://127.0.0.1:9324/000000000000/orders';
const B = 'http://127.0.0.1:9324/000000000000/orders.fifo';
const worker: TraceActor = { accessKeyId: 'billing-worker', sdk: 'aws-sdk-js/3.700.0' };
const ours: TraceActor = { sdk: 'aws-sdk-js/3.700.0', workbench: true };

/** Every field of every kind set, so that a field the compact form forgets fails the round trip. */
const EVERY_FIELD: { readonly [K in TraceKind]: TraceDetails[K] } = {
  sent: {
    bytes: 12,
    attributeNames: ['tenant', 'sig'],
    attributes: { tenant: { dataType: 'String', stringValue: 'acme' }, sig: { dataType: 'Binary.sha', binaryValue: 'AQL/' } },
    body: 'a "quoted" body\n\u2028',
    delayedUntil: 1_700_000_009_000,
    groupId: 'g',
    dedupId: 'd',
    sequenceNumber: '18888',
  },
  deduplicated: { dedupId: 'd', groupId: 'g' },
  visible: {},
  received: { receiveCount: 2, deadline: 1_700_000_030_000 },
  visibilityChanged: { deadline: 1_700_000_060_000 },
  released: {},
  expired: { receiveCount: 2 },
  deleted: { stale: true, late: true, receiveCount: 3 },
  movedToDlq: { toQueue: 'orders-dlq', toQueueUrl: `${A}-dlq`, receiveCount: 4 },
  moved: { toQueue: 'orders', toQueueUrl: A },
  purged: { count: 7 },
  retentionExpired: {},
  faultInjected: { fault: 'duplicate', action: 'DeleteMessage' },
};

function page(events: Omit<TraceEvent, 'seq'>[], first = 41): TracePage {
  return { instance: 'run-1', events: events.map((e, i) => ({ ...e, seq: first + i }) as TraceEvent), next: first + events.length - 1, missed: 3, droppedTotal: 9 };
}

const roundTrip = (p: TracePage, bodies = true): TracePage => decodeTracePage(JSON.parse(JSON.stringify(encodeTracePage(p, bodies))) as CompactTracePage);

describe('trace wire: the compact form', () => {
  it('decodes every kind, with every field, to the very events of the full form', () => {
    const events = TRACE_KINDS.map((kind, i) => ({ kind, at: 1_700_000_000_000 + i * 1_000 - (i % 3) * 2_500, queue: i % 2 ? 'orders.fifo' : 'orders', queueUrl: i % 2 ? B : A, messageId: `m${i}`, ...(i % 4 === 3 ? {} : { by: i % 2 ? worker : ours }), details: EVERY_FIELD[kind] }));
    const full = page(events);
    assert.deepEqual(roundTrip(full), JSON.parse(JSON.stringify(full)), 'times going back (an expiry is recorded at its deadline) decode too');
  });

  it('leaves out the fields an event lacks, and a body when bodies are not asked for', () => {
    const full = page([
      { kind: 'sent', at: 5, queue: 'orders', queueUrl: A, messageId: 'm1', by: worker, details: { bytes: 4, attributeNames: ['a'], body: 'body', attributes: { a: { dataType: 'String', stringValue: 'v' } } } },
      { kind: 'sent', at: 6, queue: 'orders', queueUrl: A, messageId: 'm2', by: { ...worker }, details: { bytes: 4, attributeNames: [], delayedUntil: 9 } },
      { kind: 'deleted', at: 7, queue: 'orders', queueUrl: A, messageId: 'm1', details: { stale: false, late: false, receiveCount: 1 } },
    ]);
    const compact = encodeTracePage(full, false);
    assert.equal(compact.queues.length, 1);
    assert.equal(compact.actors.length, 1, 'equal actors share one entry');
    assert.deepEqual(compact.events[0], ['sent', 0, 0, 'm1', 0, 4, ['a']], 'no body, no attribute values');
    assert.deepEqual(compact.events[1], ['sent', 1, 0, 'm2', 0, 4, [], null, null, 9]);
    assert.equal(compact.events[2][4], -1, 'no actor for what the server did on its own');
    const decoded = roundTrip(full, false);
    const first = decoded.events[0];
    assert.ok(first.kind === 'sent' && !('body' in first.details) && !('attributes' in first.details));
    assert.ok(!('by' in decoded.events[2]));
  });

  it('encodes an empty page, and refuses events that do not follow one another', () => {
    const empty: TracePage = { instance: 'run-1', events: [], next: 12, missed: 0, droppedTotal: 0 };
    assert.deepEqual(roundTrip(empty), empty);
    const gap = page([
      { kind: 'released', at: 1, queue: 'orders', queueUrl: A, messageId: 'm1', details: {} },
      { kind: 'released', at: 2, queue: 'orders', queueUrl: A, messageId: 'm2', details: {} },
    ]);
    (gap.events[1] as { seq: number }).seq = 50;
    assert.throws(() => encodeTracePage(gap), /consecutive events: event 1 is 50, not 42/);
  });

  it('says what is wrong with an answer that is not a compact page, and which event is malformed', () => {
    assert.equal(compactPageProblem(null), 'not an object');
    assert.equal(compactPageProblem({ events: [] }), 'not the compact format');
    assert.equal(compactPageProblem({ format: 'compact', first: 1, t0: 0, next: 1, missed: 0, droppedTotal: 0, instance: 'x', queues: [], actors: [], events: {}, fields: {} }), 'queues, actors or events is not a list');
    assert.equal(compactPageProblem({ format: 'compact', first: '1' }), 'first is not a number');
    const good = encodeTracePage(page([{ kind: 'released', at: 1, queue: 'orders', queueUrl: A, messageId: 'm1', details: {} }]));
    assert.equal(compactPageProblem(good), undefined);
    const broken = { ...good, events: [['released', 0, 5, 'm1', -1]] } as unknown as CompactTracePage;
    assert.throws(() => decodeTracePage(broken), /Event 41 of the trace page is not in the compact form/);
  });
});
