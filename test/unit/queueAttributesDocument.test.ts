import * as assert from 'node:assert/strict';
import { jsonDepth, jsonProblem } from '../../src/model/jsonText';
import { applyAttributes, defaultSettings, QueueAttributeError } from '../../src/model/queueAttributes';
import { attributesToDocument, documentToAttributes, problemLine } from '../../src/model/queueAttributesDocument';

describe('JSON text and the queue attributes document', () => {
  it('finds where a JSON-looking body breaks, and leaves other text alone', () => {
    assert.equal(jsonProblem('plain text {'), undefined);
    assert.equal(jsonProblem('{"a": 1}'), undefined);
    const problem = jsonProblem('{\n  "a": 1,\n  "b" 2\n}');
    assert.match(problem ?? '', /^Unexpected number.* at line 3, column 7$/);
    assert.doesNotMatch(problem ?? '', /position/);
  });

  it('refuses a Policy nested 10,000 deep, and opens a queue that holds one as its text', () => {
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    assert.equal(jsonDepth(deep), 10_000);
    assert.equal(jsonDepth('{"a":"[[[[","b":[{"c":1}]}'), 3, 'brackets inside strings do not count');
    assert.throws(() => applyAttributes(defaultSettings(false), { Policy: deep }, false), (err: unknown) => err instanceof QueueAttributeError && /nests 10000 levels deep; a policy document nests at most 64/.test(err.message));
    const doc = attributesToDocument({ Policy: deep, VisibilityTimeout: '30' });
    assert.equal((JSON.parse(doc) as { Policy: unknown }).Policy, deep, 'shown as its text, not parsed');
  });

  it('shows attributes as typed JSON and reads them back as SQS strings', () => {
    const doc = attributesToDocument({ VisibilityTimeout: '45', SqsManagedSseEnabled: 'true', RedrivePolicy: '{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:0:dlq","maxReceiveCount":3}', QueueArn: 'arn:x' });
    const parsed = JSON.parse(doc) as Record<string, unknown>;
    assert.deepEqual(parsed, { VisibilityTimeout: 45, RedrivePolicy: { deadLetterTargetArn: 'arn:aws:sqs:us-east-1:0:dlq', maxReceiveCount: 3 }, SqsManagedSseEnabled: true });
    assert.deepEqual(documentToAttributes(doc, false), {
      VisibilityTimeout: '45',
      RedrivePolicy: '{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:0:dlq","maxReceiveCount":3}',
      SqsManagedSseEnabled: 'true',
    });
  });

  it('refuses what SQS would refuse, and points at the attribute line or the JSON error', () => {
    const text = '{\n  "DelaySeconds": 0,\n  "VisibilityTimeout": 50000\n}';
    assert.throws(() => documentToAttributes(text, false), (err: Error) => {
      assert.match(err.message, /VisibilityTimeout/);
      assert.equal(problemLine(text, err.message), 2);
      return true;
    });
    assert.throws(() => documentToAttributes('{"QueueArn": "x"}', false), /not an attribute that can be changed/);
    assert.throws(() => documentToAttributes('{"ContentBasedDeduplication": true}', false), { name: 'InvalidAttributeName' });
    const broken = '{\n  "DelaySeconds": 0,\n  oops\n}';
    assert.throws(() => documentToAttributes(broken, false), (err: Error) => {
      assert.match(err.message, /not valid JSON \(line 3, column 3\)/);
      assert.equal(problemLine(broken, err.message), 2);
      return true;
    });
  });
});
