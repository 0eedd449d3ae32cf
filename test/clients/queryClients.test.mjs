// Real clients of the AWS Query protocol against the local server: Debian's boto3 (1.26,
// botocore 1.29) and AWS CLI (2.9), installed by test/harness/install-clients.sh. Runs in
// the "clients" tier of npm test.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
// The Debian packages' own interpreters: the PATH may name other pythons, without boto3.
const PYTHON = '/usr/bin/python3';
const AWS = '/usr/bin/aws';

/** The environment of the clients: placeholder credentials, and nothing read from this machine's AWS setup. */
const clientEnv = {
  PATH: '/usr/bin:/bin',
  HOME: process.env.HOME ?? '/tmp',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_CONFIG_FILE: '/dev/null',
  AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  AWS_PAGER: '',
};

function run(command, args) {
  return new Promise((resolve) => {
    execFile(command, args, { env: clientEnv, timeout: 30_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

async function startServer() {
  const child = spawn(process.execPath, [path.join(ROOT, 'dist/local-sqs.js'), '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const endpoint = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`the local server exited (${code}) before listening: ${out}`)));
  });
  child.stdout.resume();
  return { endpoint, stop: () => new Promise((resolve) => (child.exitCode !== null ? resolve() : (child.once('exit', resolve), child.kill('SIGTERM')))) };
}

describe('clients: Query-protocol clients against the local server', function () {
  this.timeout(60_000);
  let server;
  before(async () => {
    const install = await new Promise((resolve) => {
      const child = spawn('bash', [path.join(ROOT, 'test/harness/install-clients.sh')], { stdio: 'inherit' });
      child.once('close', resolve);
    });
    assert.equal(install, 0, 'test/harness/install-clients.sh failed');
    server = await startServer();
  });
  after(() => server?.stop());

  describe('boto3 1.26', () => {
    async function scenario(name) {
      const { code, stdout, stderr } = await run(PYTHON, [path.join(HERE, 'boto3Scenarios.py'), server.endpoint, name]);
      assert.equal(code, 0, `boto3 scenario ${name} failed:\n${stderr}`);
      return JSON.parse(stdout);
    }

    it('speaks Query 2012-11-05 (its botocore has no JSON model for SQS)', async () => {
      const { stdout } = await run(PYTHON, ['-c', 'import boto3, botocore.session as s; print(boto3.__version__, s.get_session().get_service_model("sqs").protocol)']);
      assert.match(stdout.trim(), /^1\.26\.\d+ query$/);
    });

    it('creates a queue, sends with String, Number and Binary attributes, receives and deletes, MD5s checked', async () => {
      const r = await scenario('standard');
      assert.match(r.url, /\/000000000000\/boto-standard$/);
      assert.equal(r.visibilityTimeout, '45');
      assert.equal(r.queueArn, 'arn:aws:sqs:us-east-1:000000000000:boto-standard');
      assert.equal(r.sentMd5, r.bodyMd5);
      assert.equal(r.receivedMd5, r.bodyMd5);
      assert.equal(r.receivedAttributesMd5, r.sentAttributesMd5);
      assert.equal(r.bodyRoundTrip, true, 'the body, with its CR LF, came back as sent');
      assert.equal(r.receiveCount, '1');
      assert.equal(r.kind, 'order\r');
      assert.deepEqual(r.count, { StringValue: '42', DataType: 'Number' });
      assert.equal(r.blob, Buffer.from([0, 1, 0xfe, 0xff]).toString('base64'));
      assert.deepEqual(r.after, { ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });
    });

    it('sends, changes visibility and deletes in batches, with a failed entry reported', async () => {
      const r = await scenario('batches');
      assert.deepEqual(r.sentOk, ['a', 'b']);
      assert.deepEqual(r.sentFailed, [{ Id: 'bad', Code: 'InvalidMessageContents', SenderFault: true }]);
      assert.deepEqual(r.received, ['first', 'second']);
      assert.equal(r.changedOk, 2);
      assert.deepEqual(r.changedFailed, [{ Id: 'stale', Code: 'ReceiptHandleIsInvalid' }]);
      assert.equal(r.deletedOk, 2);
      assert.deepEqual(r.left, { ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });
    });

    it('uses a FIFO queue: deduplication, groups in order, a retried receive with its attempt id', async () => {
      const r = await scenario('fifo');
      assert.match(r.sequenceNumber, /^\d+$/);
      assert.equal(r.duplicateSameId, true);
      assert.deepEqual(r.bodies, ['one', 'two']);
      assert.deepEqual(r.groups, ['g', 'g']);
      assert.equal(r.retrySameHandles, true);
    });

    it('lists queues by prefix and by pages, tags and untags', async () => {
      const r = await scenario('listing');
      assert.equal(r.prefixed, true);
      assert.deepEqual(r.pages, [2, 2, 1]);
      assert.deepEqual(r.tags, { b: '2' });
      assert.equal(r.url, true);
    });

    it("raises boto3's exceptions with SQS's Query error codes", async () => {
      const r = await scenario('errors');
      assert.deepEqual(
        { code: r.missing.code, type: r.missing.type, status: r.missing.status, class: r.missing.class },
        { code: 'AWS.SimpleQueueService.NonExistentQueue', type: 'Sender', status: 400, class: true },
      );
      assert.deepEqual([r.exists.code, r.exists.class], ['QueueAlreadyExists', true]);
      assert.deepEqual([r.handle.code, r.handle.status, r.handle.class], ['ReceiptHandleIsInvalid', 404, true]);
      assert.equal(r.tooMany.code, 'InvalidParameterValue');
      assert.match(r.tooMany.message, /MaxNumberOfMessages/);
      assert.deepEqual([r.purgeAgain.code, r.purgeAgain.status, r.purgeAgain.class], ['AWS.SimpleQueueService.PurgeQueueInProgress', 403, true]);
      assert.deepEqual([r.badAttribute.code, r.badAttribute.class], ['InvalidAttributeName', true]);
    });

    it('purges and deletes a queue', async () => {
      const r = await scenario('lifecycle');
      assert.equal(r.before, '3');
      assert.equal(r.after, '0');
      assert.equal(r.gone.code, 'AWS.SimpleQueueService.NonExistentQueue');
    });
  });

  describe('AWS CLI 2.9', () => {
    const aws = (...args) => run(AWS, ['sqs', ...args, '--endpoint-url', server.endpoint, '--output', 'json']);
    async function ok(...args) {
      const r = await aws(...args);
      assert.equal(r.code, 0, `aws sqs ${args.join(' ')} failed:\n${r.stderr}`);
      return r.stdout.trim() === '' ? {} : JSON.parse(r.stdout);
    }

    it('speaks Query to SQS (version 2.9)', async () => {
      const { stdout } = await run(AWS, ['--version']);
      assert.match(stdout, /^aws-cli\/2\.9\./);
    });

    it('creates, sends with message attributes, receives, deletes and purges', async () => {
      const { QueueUrl } = await ok('create-queue', '--queue-name', 'cli-orders', '--attributes', 'VisibilityTimeout=40', '--tags', 'env=test');
      assert.match(QueueUrl, /\/000000000000\/cli-orders$/);
      assert.deepEqual((await ok('get-queue-url', '--queue-name', 'cli-orders')).QueueUrl, QueueUrl);
      const attrs = await ok('get-queue-attributes', '--queue-url', QueueUrl, '--attribute-names', 'VisibilityTimeout', 'QueueArn');
      assert.deepEqual(attrs.Attributes, { VisibilityTimeout: '40', QueueArn: 'arn:aws:sqs:us-east-1:000000000000:cli-orders' });

      const body = 'hello from the CLI <&> ✓';
      const sent = await ok('send-message', '--queue-url', QueueUrl, '--message-body', body, '--message-attributes', '{"source":{"DataType":"String","StringValue":"cli"},"raw":{"DataType":"Binary","BinaryValue":"AAH+/w=="}}');
      assert.equal(sent.MD5OfMessageBody, createHash('md5').update(body).digest('hex'));
      assert.match(sent.MD5OfMessageAttributes, /^[0-9a-f]{32}$/);

      const received = await ok('receive-message', '--queue-url', QueueUrl, '--attribute-names', 'All', '--message-attribute-names', 'All', '--wait-time-seconds', '1');
      const [message] = received.Messages;
      assert.equal(message.Body, body);
      assert.equal(message.MD5OfMessageAttributes, sent.MD5OfMessageAttributes);
      assert.equal(message.MessageAttributes.source.StringValue, 'cli');
      assert.equal(message.MessageAttributes.raw.BinaryValue, 'AAH+/w==');
      assert.equal(message.Attributes.ApproximateReceiveCount, '1');
      await ok('delete-message', '--queue-url', QueueUrl, '--receipt-handle', message.ReceiptHandle);

      await ok('send-message', '--queue-url', QueueUrl, '--message-body', 'to purge');
      await ok('purge-queue', '--queue-url', QueueUrl);
      const counts = await ok('get-queue-attributes', '--queue-url', QueueUrl, '--attribute-names', 'ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible');
      assert.deepEqual(counts.Attributes, { ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });
    });

    it('sends and deletes in batches, lists by prefix, tags, and deletes the queue', async () => {
      const { QueueUrl } = await ok('create-queue', '--queue-name', 'cli-batch');
      const sent = await ok('send-message-batch', '--queue-url', QueueUrl, '--entries', 'Id=a,MessageBody=one', 'Id=b,MessageBody=two');
      assert.deepEqual(sent.Successful.map((e) => e.Id).sort(), ['a', 'b']);
      const received = await ok('receive-message', '--queue-url', QueueUrl, '--max-number-of-messages', '10');
      assert.equal(received.Messages.length, 2);
      const deleted = await ok('delete-message-batch', '--queue-url', QueueUrl, '--entries', ...received.Messages.map((m, i) => `Id=${i},ReceiptHandle=${m.ReceiptHandle}`));
      assert.equal(deleted.Successful.length, 2);

      const listed = await ok('list-queues', '--queue-name-prefix', 'cli-b');
      assert.deepEqual(listed.QueueUrls, [QueueUrl]);
      await ok('tag-queue', '--queue-url', QueueUrl, '--tags', 'owner=me');
      assert.deepEqual((await ok('list-queue-tags', '--queue-url', QueueUrl)).Tags, { owner: 'me' });
      await ok('delete-queue', '--queue-url', QueueUrl);
      assert.deepEqual((await ok('list-queues', '--queue-name-prefix', 'cli-b')).QueueUrls ?? [], []);
    });

    it('fails with exit code 254 and the Query error code for a missing queue', async () => {
      const r = await aws('get-queue-url', '--queue-name', 'cli-nowhere');
      assert.equal(r.code, 254);
      assert.match(r.stderr, /\(AWS\.SimpleQueueService\.NonExistentQueue\) when calling the GetQueueUrl operation: The specified queue does not exist/);
    });
  });
});
