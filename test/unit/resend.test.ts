import * as assert from 'node:assert/strict';
import { readResendDocument, resendDocument } from '../../src/sqs/resend';

const standard = { fifo: false, contentBasedDeduplication: false, maximumMessageSize: 1_048_576 };
const fifo = { fifo: true, contentBasedDeduplication: false, maximumMessageSize: 1_048_576 };

describe('Edit and Resend documents', () => {
  it('opens a JSON body as JSON, keeps attributes, and reads back the same message', () => {
    const text = resendDocument({ messageId: 'm-1', body: '{"order":{"id":7,"status":"FAILED"}}', messageAttributes: { tenant: { type: 'String', value: 'acme' }, n: { type: 'Number', value: '2.50' } } }, standard);
    const doc = JSON.parse(text) as Record<string, unknown>;
    assert.deepEqual(doc.body, { order: { id: 7, status: 'FAILED' } }, 'the body is editable JSON, not an escaped string');
    assert.equal(doc.id, 'm-1');
    const read = readResendDocument(text, standard);
    assert.ok('message' in read);
    assert.equal(read.message.body, '{"order":{"id":7,"status":"FAILED"}}');
    assert.deepEqual(read.message.attributes?.tenant, { DataType: 'String', StringValue: 'acme' });
    assert.equal(read.message.attributes?.n?.StringValue, '2.50', 'a Number keeps its exact text');
  });

  it('gives a FIFO resend its group and a fresh deduplication id, never the original one', () => {
    const text = resendDocument({ messageId: 'm-2', body: 'plain text', messageAttributes: {}, groupId: 'g1', dedupId: 'original' }, fifo);
    const doc = JSON.parse(text) as Record<string, unknown>;
    assert.equal(doc.body, 'plain text');
    assert.equal(doc.groupId, 'g1');
    assert.ok(typeof doc.dedupId === 'string' && doc.dedupId !== 'original');
  });

  it('refuses an edited document with the problem named: bad JSON, the field and its limit', () => {
    const broken = readResendDocument('{\n  "body": "x",\n  "groupId": \n}', standard);
    assert.ok('problems' in broken);
    assert.match(broken.problems[0].message, /^Not valid JSON: Unexpected token/);
    const empty = readResendDocument('{ "body": "" }', standard);
    assert.ok('problems' in empty);
    assert.deepEqual(empty.problems.map((p) => p.field), ['body']);
    const noGroup = readResendDocument('{ "body": "x", "dedupId": "d" }', fifo);
    assert.ok('problems' in noGroup);
    assert.match(noGroup.problems.map((p) => `${p.field}: ${p.message}`).join(' '), /groupId: A FIFO queue needs a message group id/);
    const unknown = readResendDocument('{ "body": "x", "colour": "red" }', standard);
    assert.ok('problems' in unknown);
    assert.match(unknown.problems[0].message, /colour/);
    assert.ok('problems' in readResendDocument('[1]', standard));
  });
});
