import * as assert from 'node:assert/strict';
import { parseFilter, type FilterableMessage } from '../../src/shared/messageFilter';

function message(id: string, body: string, extra: Partial<FilterableMessage> = {}): FilterableMessage {
  return { messageId: id, body, state: 'held', messageAttributes: {}, flags: {}, ...extra };
}

const messages: FilterableMessage[] = [
  message('m1', JSON.stringify({ order: { id: 17, status: 'FAILED', total: 12.5 }, items: [{ sku: 'A-1', qty: 2 }] }), {
    messageAttributes: { eventType: { type: 'String', value: 'OrderCreated' }, attempt: { type: 'Number', value: '2.50' } },
    idempotencyKey: 'order-17',
    flags: { redelivered: 2 },
  }),
  message('m2', JSON.stringify({ order: { id: 18, status: 'PAID', total: 99 }, 'odd key': true }), { state: 'deleted', idempotencyKey: 'order-18', flags: { duplicateKey: { key: 'order-18', count: 2, others: ['m3'] } } }),
  message('m3', 'plain text: Out of stock for order 18', { state: 'peeked' }),
  message('m4', '{"order": {"status": "failed"}', { state: 'expired' }),
];

function ids(query: string): string[] {
  const parsed = parseFilter(query);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
  return messages.filter((m) => parsed.filter.matches(m)).map((m) => m.messageId);
}

function error(query: string): string {
  const parsed = parseFilter(query);
  assert.ok(!parsed.ok, `${query} should be refused`);
  return parsed.error;
}

describe('the inspector filter', () => {
  it('matches every message when empty', () => {
    assert.deepEqual(ids(''), ['m1', 'm2', 'm3', 'm4']);
    assert.deepEqual(ids('   '), ['m1', 'm2', 'm3', 'm4']);
  });

  it('finds words and quoted phrases in the body or message ID, in any case, all of them', () => {
    assert.deepEqual(ids('stock'), ['m3']);
    assert.deepEqual(ids('"OUT OF STOCK"'), ['m3']);
    assert.deepEqual(ids('order 18'), ['m2', 'm3']);
    assert.deepEqual(ids('m4'), ['m4']);
    assert.deepEqual(ids('failed'), ['m1', 'm4']);
  });

  it('compares a JSON path of the body with a value, and never matches a body that is not JSON', () => {
    assert.deepEqual(ids('order.status = "FAILED"'), ['m1']);
    assert.deepEqual(ids('order.status=FAILED'), ['m1']);
    assert.deepEqual(ids('$.order.status != FAILED'), ['m2']);
    assert.deepEqual(ids('order.id = 18'), ['m2']);
    assert.deepEqual(ids('order.total >= 12.5'), ['m1', 'm2']);
    assert.deepEqual(ids('order.total < 50'), ['m1']);
    assert.deepEqual(ids('items[0].sku = A-1'), ['m1']);
    assert.deepEqual(ids('items[0].qty > 1'), ['m1']);
    assert.deepEqual(ids('items[1].qty > 1'), []);
    assert.deepEqual(ids('["odd key"] = true'), ['m2']);
    assert.deepEqual(ids('order.status ~ fail'), ['m1']);
    assert.deepEqual(ids('order ~ paid'), ['m2'], '~ on an object looks in its JSON text');
  });

  it('matches message attributes by presence and value, numbers as numbers', () => {
    assert.deepEqual(ids('@eventType'), ['m1']);
    assert.deepEqual(ids('@eventType = OrderCreated'), ['m1']);
    assert.deepEqual(ids('@eventType = OrderPaid'), []);
    assert.deepEqual(ids('@attempt = 2.5'), ['m1']);
    assert.deepEqual(ids('@attempt > 2'), ['m1']);
    assert.deepEqual(ids('@__proto__'), [], 'an attribute name from the prototype is not present');
  });

  it('matches the idempotency key, the state and the flags, and negates a term with "-"', () => {
    assert.deepEqual(ids('key:order-17'), ['m1']);
    assert.deepEqual(ids('key:*'), ['m1', 'm2']);
    assert.deepEqual(ids('state:peeked'), ['m3']);
    assert.deepEqual(ids('STATE:Expired'), ['m4']);
    assert.deepEqual(ids('is:flagged'), ['m1', 'm2']);
    assert.deepEqual(ids('is:redelivered'), ['m1']);
    assert.deepEqual(ids('is:duplicate'), ['m2']);
    assert.deepEqual(ids('-state:deleted -is:flagged'), ['m3', 'm4']);
    assert.deepEqual(ids('-order.status = FAILED'), ['m2', 'm3', 'm4']);
    assert.deepEqual(ids('is:flagged order.id = 18'), ['m2'], 'terms are joined by AND');
  });

  it('refuses a malformed filter, saying which term and what is wrong', () => {
    assert.match(error('state:gone'), /state:gone: the states are held, released, deleted, expired, peeked/);
    assert.match(error('is:odd'), /is:odd: use is:flagged, is:redelivered, is:duplicate/);
    assert.match(error('= 3'), /"=" needs a JSON path/);
    assert.match(error('order.status ='), /needs a value after "="/);
    assert.match(error('order.total > many'), /">" compares numbers: "many" is not a number/);
    assert.match(error('"unclosed'), /quote opened at character 1 is not closed/);
    assert.match(error('a..b = 1'), /"a..b" is not a JSON path/);
    assert.match(error('@ = 1'), /needs a name after "@"/);
    assert.match(error('key:'), /key: needs the idempotency key/);
  });

  it('reads a body once however often it is matched (a filter typed key by key)', () => {
    let reads = 0;
    const m = { ...messages[0] };
    Object.defineProperty(m, 'body', { get: () => (reads++, messages[0].body) });
    for (const q of ['o', 'or', 'order', 'order.id = 17']) {
      const parsed = parseFilter(q);
      assert.ok(parsed.ok);
      parsed.filter.matches(m);
    }
    assert.equal(reads, 2, 'once for the text, once for the JSON');
  });
});
