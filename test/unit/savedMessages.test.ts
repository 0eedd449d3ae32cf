import * as assert from 'node:assert/strict';
import { savedMessagesFile, suggestedFileName, type SavableMessage } from '../../src/model/savedMessages';
import { checkMessageFile } from '../../src/sqs/batchFile';

describe('messages saved by the inspector', () => {
  const messages: SavableMessage[] = [
    { messageId: 'id-1', body: '{"orderId":"ord-1","idempotency_key":"k1"}', messageAttributes: { eventType: { type: 'String', value: 'OrderCreated' }, schemaVersion: { type: 'Number', value: '2.50' } } },
    { messageId: 'id-2', body: 'plain <text> with "quotes"\nand a line', messageAttributes: { thumb: { type: 'Binary', value: 'iVBORw0KGgo=' }, price: { type: 'Number.float', value: '1.5' } } },
    { messageId: 'id-3', body: '[1,2]', messageAttributes: {}, groupId: 'g-1', dedupId: 'd-1' },
  ];

  it('go back into Batch Send as they are: no problem, same bodies, attributes and FIFO ids', async () => {
    const text = savedMessagesFile(messages);
    // The standard queue's messages, then the FIFO queue's, each checked against its queue.
    const standard = await checkMessageFile(() => [savedMessagesFile(messages.slice(0, 2))], { fifo: false, contentBasedDeduplication: false, maximumMessageSize: 1_048_576 });
    const fifo = await checkMessageFile(() => [savedMessagesFile(messages.slice(2))], { fifo: true, contentBasedDeduplication: false, maximumMessageSize: 1_048_576 });
    assert.deepEqual([...standard.problems, ...fifo.problems], []);
    const sent = [...(standard.cached?.valid ?? []), ...(fifo.cached?.valid ?? [])];
    assert.equal(sent.length, 3);
    assert.deepEqual(sent.map((s) => s.message.body), messages.map((m) => m.body));
    const attrs = sent.map((s) =>
      Object.fromEntries(Object.entries(s.message.attributes ?? {}).map(([k, v]) => [k, { type: v.DataType, value: v.BinaryValue ? Buffer.from(v.BinaryValue).toString('base64') : v.StringValue }])),
    );
    assert.deepEqual(attrs, messages.map((m) => m.messageAttributes));
    assert.deepEqual(sent.map((s) => [s.message.groupId, s.message.dedupId]), [[undefined, undefined], [undefined, undefined], ['g-1', 'd-1']]);
    assert.deepEqual(text.trim().split('\n').map((l) => (JSON.parse(l) as { id: string }).id), ['id-1', 'id-2', 'id-3'], 'each entry is labelled with its MessageId');
  });

  it('suggests a file name of the queue and the time', () => {
    assert.equal(suggestedFileName('orders', new Date(2025, 5, 1, 14, 25, 1), '.jsonl'), 'orders-2025-06-01-142501.jsonl');
    assert.equal(suggestedFileName('payments.fifo', new Date(2025, 0, 2, 3, 4, 5), '.session.json'), 'payments.fifo-2025-01-02-030405.session.json');
  });
});
