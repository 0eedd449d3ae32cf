import * as assert from 'node:assert/strict';
import { SqsEngine } from '../../src/local/engine';
import { SqsError } from '../../src/local/errors';
import { handleQueryAction, parseQueryParameters } from '../../src/local/queryProtocol';
import { escapeXml, element, textElement } from '../../src/local/xml';

const answer = (engine: SqsEngine, params: Record<string, string>): Promise<string> =>
  handleQueryAction(engine, new Map(Object.entries(params)), undefined, 'req-1', new AbortController().signal);

describe('local server: Query parameters and XML', () => {
  it('decodes form encoding: + as space, percent-encoded UTF-8, empty and valueless parameters', () => {
    const p = parseQueryParameters('Action=SendMessage&MessageBody=a+b%2Bc%20%E2%82%AC%0D%0A&Empty=&Flag&&');
    assert.deepEqual(Object.fromEntries(p), { Action: 'SendMessage', MessageBody: 'a b+c €\r\n', Empty: '', Flag: '' });
  });

  it('refuses percent-encoding that is not UTF-8, naming the parameter', () => {
    assert.throws(() => parseQueryParameters('QueueName=%C3%28'), (err: SqsError) => err.code === 'MalformedQueryString' && /QueueName/.test(err.message));
    assert.throws(() => parseQueryParameters('Bad%ZZ=1'), (err: SqsError) => err.code === 'MalformedQueryString' && /Bad%ZZ/.test(err.message));
  });

  it('escapes markup, quotes and carriage returns, and leaves other characters as they are', () => {
    assert.equal(escapeXml('a<b>&"c"\r\n\t\u00e9\ud83d\ude00'), 'a&lt;b&gt;&amp;&quot;c&quot;&#xD;\n\t\u00e9\ud83d\ude00');
    assert.equal(textElement('A', undefined), '');
    assert.equal(textElement('A', 0), '<A>0</A>');
    assert.equal(element('B', []), '<B/>');
    assert.equal(element('B', ['<A>1</A>', '<A>2</A>']), '<B><A>1</A><A>2</A></B>');
  });

  it('reads indexed lists in index order, not in the order they were sent', async () => {
    const engine = new SqsEngine();
    const url = engine.createQueue('order');
    const xml = await answer(engine, {
      Action: 'GetQueueAttributes',
      QueueUrl: url,
      'AttributeName.10': 'DelaySeconds',
      'AttributeName.2': 'VisibilityTimeout',
      'AttributeName.1': 'QueueArn',
    });
    assert.deepEqual([...xml.matchAll(/<Name>(\w+)<\/Name>/g)].map((m) => m[1]), ['QueueArn', 'VisibilityTimeout', 'DelaySeconds']);
  });

  it('reads the structures of a batch, each with its own message attributes', async () => {
    const engine = new SqsEngine();
    const url = engine.createQueue('batch');
    await answer(engine, {
      Action: 'SendMessageBatch',
      QueueUrl: url,
      'SendMessageBatchRequestEntry.2.Id': 'second',
      'SendMessageBatchRequestEntry.2.MessageBody': 'two',
      'SendMessageBatchRequestEntry.1.Id': 'first',
      'SendMessageBatchRequestEntry.1.MessageBody': 'one',
      'SendMessageBatchRequestEntry.1.MessageAttribute.1.Name': 'k',
      'SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType': 'String',
      'SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue': 'v',
    });
    const got = await engine.receiveMessage(url, { MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] });
    assert.deepEqual(
      got.map((m) => [m.Body, m.MessageAttributes?.k?.StringValue]),
      [
        ['one', 'v'],
        ['two', undefined],
      ],
    );
  });

  it('refuses list values in message attributes, as SQS does', async () => {
    const engine = new SqsEngine();
    const url = engine.createQueue('lists');
    await assert.rejects(
      answer(engine, {
        Action: 'SendMessage',
        QueueUrl: url,
        MessageBody: 'x',
        'MessageAttribute.1.Name': 'l',
        'MessageAttribute.1.Value.DataType': 'String',
        'MessageAttribute.1.Value.StringListValue.1': 'a',
      }),
      /StringListValues and BinaryListValues are not implemented/,
    );
  });
});
