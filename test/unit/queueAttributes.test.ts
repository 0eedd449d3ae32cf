import * as assert from 'node:assert/strict';
import { applyAttributes, defaultSettings, parseRedriveAllowPolicy, parseRedrivePolicy, settingsToAttributes } from '../../src/model/queueAttributes';

describe('queue attributes', () => {
  it('applies and reports settable attributes', () => {
    const s = applyAttributes(defaultSettings(false), { VisibilityTimeout: '45', DelaySeconds: '900' }, true);
    assert.equal(s.VisibilityTimeout, 45);
    assert.equal(settingsToAttributes(s).DelaySeconds, '900');
    assert.equal(settingsToAttributes(s).FifoQueue, undefined);
  });

  it('refuses FIFO-only attributes on standard queues and invalid combinations', () => {
    assert.throws(() => applyAttributes(defaultSettings(false), { ContentBasedDeduplication: 'true' }, true), { name: 'InvalidAttributeName' });
    assert.throws(() => applyAttributes(defaultSettings(true), { FifoThroughputLimit: 'perMessageGroupId' }, true), {
      name: 'InvalidAttributeValue',
      message: /DeduplicationScope/,
    });
    assert.throws(() => applyAttributes(defaultSettings(false), { VisibilityTimeout: '1.5' }, true), { name: 'InvalidAttributeValue' });
  });

  it('parses redrive policies, accepting maxReceiveCount as a string as SQS does', () => {
    assert.deepEqual(parseRedrivePolicy('{"deadLetterTargetArn":"arn:x","maxReceiveCount":"5"}'), { deadLetterTargetArn: 'arn:x', maxReceiveCount: 5 });
    assert.throws(() => parseRedrivePolicy('not json'), { name: 'InvalidAttributeValue' });
    assert.throws(() => parseRedrivePolicy('{"deadLetterTargetArn":"arn:x","maxReceiveCount":1.5}'), { name: 'InvalidAttributeValue' });
    assert.deepEqual(parseRedriveAllowPolicy('{"redrivePermission":"byQueue","sourceQueueArns":["arn:a"]}'), {
      redrivePermission: 'byQueue',
      sourceQueueArns: ['arn:a'],
    });
    assert.throws(() => parseRedriveAllowPolicy('{"redrivePermission":"byQueue"}'), { name: 'InvalidAttributeValue' });
    assert.throws(() => parseRedriveAllowPolicy('{"redrivePermission":"allowAll","sourceQueueArns":["arn:a"]}'), { name: 'InvalidAttributeValue' });
  });
});
