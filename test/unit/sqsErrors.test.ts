import * as assert from 'node:assert/strict';
import { toSqsCallError } from '../../src/sqs/errors';

describe('SQS call errors', () => {
  it('keeps AWS error codes and marks throttling and server errors retryable', () => {
    const notFound = toSqsCallError(Object.assign(new Error('The specified queue does not exist.'), { name: 'QueueDoesNotExist', $metadata: { httpStatusCode: 400 } }), 'GetQueueAttributes', 'q');
    assert.equal(notFound.code, 'QueueDoesNotExist');
    assert.equal(notFound.retryable, false);
    assert.equal(notFound.queue, 'q');
    const throttled = toSqsCallError(Object.assign(new Error('slow down'), { name: 'RequestThrottled', $metadata: { httpStatusCode: 403 } }), 'ListQueues', undefined);
    assert.equal(throttled.retryable, true);
    const server = toSqsCallError(Object.assign(new Error('boom'), { name: 'Whatever', $metadata: { httpStatusCode: 503 } }), 'ListQueues', undefined);
    assert.equal(server.retryable, true);
  });

  it('recognises network failures, also nested in AggregateError', () => {
    const refused = toSqsCallError(Object.assign(new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })]), {}), 'ListQueues', undefined);
    assert.equal(refused.code, 'ECONNREFUSED');
    assert.equal(refused.retryable, true);
    assert.match(refused.message, /Cannot reach/);
  });

  it('tells the user which aws sso login to run when the SSO session expired', () => {
    const err = toSqsCallError(
      Object.assign(new Error('The SSO session associated with this profile has expired. To refresh this SSO session run aws sso login with the corresponding profile.'), { name: 'CredentialsProviderError' }),
      'ListQueues',
      undefined,
      'dev',
    );
    assert.equal(err.code, 'SsoSessionExpired');
    assert.equal(err.remedy, 'aws sso login --profile dev');
    assert.match(err.message, /aws sso login --profile dev/);
    const other = toSqsCallError(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }), 'ListQueues', undefined);
    assert.equal(other.code, 'CredentialsError');
  });
});
