import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { CreateQueueCommand, GetQueueAttributesCommand, ListQueuesCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { sdkClient } from './harness';

const CLI = path.resolve(__dirname, '../../../dist/local-sqs.js');

/** Starts the built command line and resolves with its endpoint once it prints it. */
function startCli(args: string[]): Promise<{ child: ChildProcess; endpoint: string; output: () => string }> {
  assert.ok(existsSync(CLI), `${CLI} is missing: run "npm run build" first`);
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no endpoint printed; output:\n${output}`)), 10_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, endpoint: match[1], output: () => output });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code}; output:\n${output}`));
    });
  });
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('local server: command line', () => {
  it('serves the demo seed and stops cleanly on SIGTERM', async () => {
    const { child, endpoint, output } = await startCli(['--port', '0', '--seed', 'demo']);
    const client = sdkClient(endpoint);
    try {
      const urls = (await client.send(new ListQueuesCommand({}))).QueueUrls ?? [];
      assert.deepEqual(urls.map((u) => u.split('/').pop()), ['notifications-email', 'orders', 'orders-dlq', 'payments.fifo']);
      const orders = urls.find((u) => u.endsWith('/orders')) as string;
      const attrs = (await client.send(new GetQueueAttributesCommand({ QueueUrl: orders, AttributeNames: ['All'] }))).Attributes ?? {};
      assert.match((JSON.parse(attrs.RedrivePolicy ?? '{}') as { deadLetterTargetArn: string }).deadLetterTargetArn, /:orders-dlq$/);
      assert.equal(attrs.ApproximateNumberOfMessagesDelayed, '1');
      const got = await client.send(new ReceiveMessageCommand({ QueueUrl: orders, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }));
      const keys = (got.Messages ?? []).map((m) => (JSON.parse(m.Body ?? '{}') as { idempotency_key?: string }).idempotency_key);
      assert.ok(keys.length >= 5);
      assert.ok(keys.length > new Set(keys).size, 'the demo holds a duplicated idempotency key');
      assert.match(output(), /Seeded 4 demo queues/);
    } finally {
      client.destroy();
    }
    const exited = exitOf(child);
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  });

  it('explains a bad option and exits with status 2', async () => {
    const child = spawn(process.execPath, [CLI, '--port', 'abc'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    assert.equal(await exitOf(child), 2);
    assert.match(err, /--port must be a whole number/);
  });

  it('injects the faults given with --faults, logs each one, and refuses a bad plan by its item', async () => {
    const bad = spawn(process.execPath, [CLI, '--faults', 'throttle=2'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    bad.stderr.on('data', (c: Buffer) => (err += c.toString()));
    assert.equal(await exitOf(bad), 2);
    assert.match(err, /--faults: item 1 \("throttle=2"\): must be a number from 0 to 1, not 2\./);

    const { child, endpoint, output } = await startCli(['--port', '0', '--faults', 'throttle=1:SendMessage@orders,seed=4']);
    const client = sdkClient(endpoint);
    try {
      assert.match(output(), /Injecting faults: throttle 100% \(SendMessage, @orders\) \(seed 4\)/);
      const url = (await client.send(new CreateQueueCommand({ QueueName: 'orders' }))).QueueUrl;
      await assert.rejects(client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' })), { name: 'RequestThrottled' });
      const status = (await (await fetch(`${endpoint}/_workbench/faults`)).json()) as { counts: { throttle: number } };
      assert.equal(status.counts.throttle, 1);
      assert.match(output(), /Z fault throttle SendMessage orders\n/);
    } finally {
      client.destroy();
    }
    const exited = exitOf(child);
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  });

  it('says so when the port is taken', async () => {
    const first = await startCli(['--port', '0']);
    const port = new URL(first.endpoint).port;
    const second = spawn(process.execPath, [CLI, '--port', port], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    second.stderr.on('data', (c: Buffer) => (err += c.toString()));
    assert.equal(await exitOf(second), 2);
    assert.match(err, new RegExp(`port ${port} .* already in use`));
    const exited = exitOf(first.child);
    first.child.kill('SIGINT');
    assert.equal(await exited, 0);
  });
});
