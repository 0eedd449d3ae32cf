import * as assert from 'node:assert/strict';
import { BatchPacker, messageFromEntry, messageSize, validateMessage, type OutgoingMessage, type QueueLimits } from '../../src/sqs/sending';

const standard: QueueLimits = { fifo: false, contentBasedDeduplication: false, maximumMessageSize: 1_048_576 };
const fifo: QueueLimits = { fifo: true, contentBasedDeduplication: false, maximumMessageSize: 1_048_576 };
const item = (body: string) => ({ message: { body } as OutgoingMessage });

describe('sending: entries, validation and packing', () => {
  it('reads file entries: strings, objects, non-string bodies, attribute forms', () => {
    assert.deepEqual(messageFromEntry('hi').message, { body: 'hi' });
    const { message, id, problems } = messageFromEntry({
      body: { orderId: 1 },
      id: 7,
      delaySeconds: 5,
      attributes: { s: 'text', n: 42, b: { type: 'Binary', value: 'AAEC' }, sdk: { DataType: 'Number.float', StringValue: '1.5' } },
    });
    assert.deepEqual(problems, []);
    assert.equal(id, '7');
    assert.equal(message?.body, '{"orderId":1}');
    assert.deepEqual(message?.attributes?.s, { DataType: 'String', StringValue: 'text' });
    assert.deepEqual(message?.attributes?.n, { DataType: 'Number', StringValue: '42' });
    assert.deepEqual([...(message?.attributes?.b?.BinaryValue ?? [])], [0, 1, 2]);
    assert.equal(message?.attributes?.sdk?.DataType, 'Number.float');
    assert.deepEqual(messageFromEntry({ body: 'x', error: 'from a result file' }).problems, []);
  });

  it('names each bad field of an entry', () => {
    const { problems } = messageFromEntry({ body: 'x', delay: 3, delaySeconds: 'soon', attributes: { a: { type: 'Binary', value: 'not base64!' } }, groupId: 5 });
    assert.deepEqual(problems.map((p) => p.field).sort(), ['attributes.a', 'delay', 'delaySeconds', 'groupId']);
    assert.deepEqual(messageFromEntry({ attributes: {} }).problems.map((p) => p.field), ['body']);
    assert.deepEqual(messageFromEntry(42).problems.map((p) => p.field), ['entry']);
  });

  it('validates against the limits and the queue, naming field and limit', () => {
    assert.deepEqual(validateMessage({ body: 'ok' }, standard), []);
    const fields = (m: OutgoingMessage, q = standard) => validateMessage(m, q).map((p) => p.field);
    assert.deepEqual(fields({ body: '' }), ['body']);
    assert.deepEqual(fields({ body: 'a\u0000' }), ['body']);
    assert.deepEqual(fields({ body: 'x', delaySeconds: 901 }), ['delaySeconds']);
    assert.deepEqual(fields({ body: 'x', dedupId: 'd' }), ['dedupId']);
    assert.deepEqual(fields({ body: 'x' }, fifo).sort(), ['dedupId', 'groupId']);
    assert.deepEqual(fields({ body: 'x', groupId: 'g', dedupId: 'd', delaySeconds: 3 }, fifo), ['delaySeconds']);
    assert.deepEqual(fields({ body: 'x', groupId: 'g' }, { ...fifo, contentBasedDeduplication: true }), []);
    assert.deepEqual(fields({ body: 'x', attributes: { 'AWS.x': { DataType: 'String', StringValue: 'v' } } }), ['attributes.AWS.x']);
    assert.deepEqual(fields({ body: 'x', attributes: { n: { DataType: 'Number', StringValue: 'abc' } } }), ['attributes.n']);
    const eleven = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`a${i}`, { DataType: 'String', StringValue: 'v' }]));
    assert.deepEqual(fields({ body: 'x', attributes: eleven }), ['attributes']);
    const [size] = validateMessage({ body: 'x'.repeat(1025) }, { ...standard, maximumMessageSize: 1024 });
    assert.match(size.message, /1,025 bytes.*at most 1,024 bytes/);
  });

  it('counts multibyte characters and attributes in the size, at the exact limit and one byte over', () => {
    const attrs = { k: { DataType: 'String', StringValue: 'vv' } };
    const overhead = 1 + 6 + 2;
    const body = '€'.repeat((1_048_576 - overhead - 1) / 3) + 'a';
    const atLimit: OutgoingMessage = { body, attributes: attrs };
    assert.equal(messageSize(atLimit), 1_048_576);
    assert.deepEqual(validateMessage(atLimit, standard), []);
    assert.equal(validateMessage({ body: body + 'a', attributes: attrs }, standard).length, 1);
  });

  it('packs at most 10 entries a batch', () => {
    const packer = new BatchPacker();
    const batches: number[] = [];
    for (let i = 0; i < 25; i++) {
      const b = packer.add(item(`m${i}`));
      if (b) batches.push(b.length);
    }
    const last = packer.flush();
    if (last) batches.push(last.length);
    assert.deepEqual(batches, [10, 10, 5]);
    const exact = new BatchPacker();
    const closed = Array.from({ length: 10 }, (_, i) => exact.add(item(`m${i}`))).filter(Boolean);
    assert.equal(closed.length, 1, 'exactly 10 entries close one batch');
    assert.equal(exact.flush(), undefined);
  });

  it('packs at most the batch payload limit, to the byte, counting attributes', () => {
    const packer = new BatchPacker();
    const quarter = 262_144;
    for (let i = 0; i < 3; i++) assert.equal(packer.add(item('x'.repeat(quarter))), undefined);
    assert.equal(packer.add({ message: { body: 'x'.repeat(quarter) } }), undefined, 'exactly 1 MiB fits');
    const closed = packer.add(item('y'));
    assert.equal(closed?.length, 4, 'one byte over closes the batch');
    const p2 = new BatchPacker();
    p2.add(item('x'.repeat(quarter * 3)));
    assert.equal(p2.add({ message: { body: 'x'.repeat(quarter - 8), attributes: { a: { DataType: 'String', StringValue: 'v' } } } })?.length, undefined, 'attributes counted: 1 MiB exactly');
    assert.equal(p2.add(item('z'))?.length, 2);
  });
});
