import * as assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  CancelMessageMoveTaskCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  ListQueueTagsCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  StartMessageMoveTaskCommand,
  type ListMessageMoveTasksResultEntry,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { ManualClock } from '../../src/local/clock';
import { JOURNAL_FILE, SNAPSHOT_FILE, type FsyncPolicy } from '../../src/local/persistence/dataDirectory';
import { startLocalServer, type RunningLocalServer } from '../../src/local/server';
import { LocalServerService } from '../../src/services/localServer';
import { Settings, memorySettingsSource } from '../../src/services/settings';
import { silentLog } from '../../src/sqs/gateway';
import { getJson, processClient, sdkClient } from './harness';
import type { BrowsePage } from '../../src/shared/browse';

const CLI = path.resolve(__dirname, '../../../dist/local-sqs.js');

interface Logged {
  info: string[];
  warn: string[];
}

/** A local server on a data directory, driven by a manual clock, and what its data directory logged. */
class DirServer {
  readonly logged: Logged = { info: [], warn: [] };
  client!: SQSClient;
  server!: RunningLocalServer;

  constructor(
    readonly dir: string,
    readonly clock: ManualClock,
  ) {}

  async start(options: { fsync?: FsyncPolicy; compactAtBytes?: number } = {}): Promise<this> {
    const log = { info: (l: string) => this.logged.info.push(l), warn: (l: string) => this.logged.warn.push(l) };
    this.server = await startLocalServer({ port: 0, clock: this.clock, dataDir: this.dir, persistence: { ...options, log } });
    this.client = sdkClient(this.server.endpoint);
    return this;
  }

  url(name: string): string {
    return this.server.engine.queueUrl(name);
  }

  async stop(): Promise<void> {
    this.client.destroy();
    await this.server.close();
  }
}

const made: string[] = [];

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sqs-data-'));
  made.push(dir);
  return dir;
}

/** A copy of a data directory as a crash would leave it: the files as they are now, no clean stop. */
function crashCopy(dir: string): string {
  const copy = tempDir();
  for (const name of fs.readdirSync(dir)) if (name !== 'lock') fs.copyFileSync(path.join(dir, name), path.join(copy, name));
  return copy;
}

async function attributes(client: SQSClient, url: string): Promise<Record<string, string>> {
  return (await client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }))).Attributes ?? {};
}

/** A ReceiveMessage with no signature and no User-Agent: a request that names nobody. */
async function rawReceive(endpoint: string, queueUrl: string): Promise<void> {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.ReceiveMessage', 'user-agent': '' },
    body: JSON.stringify({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 300 }),
  });
  assert.equal(res.status, 200, await res.text());
}

async function receive(client: SQSClient, url: string, max = 10, visibility?: number): Promise<Message[]> {
  const out = await client.send(
    new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: max, AttributeNames: ['All'], MessageAttributeNames: ['All'], ...(visibility !== undefined ? { VisibilityTimeout: visibility } : {}) }),
  );
  return out.Messages ?? [];
}

describe('local server: data directory', () => {
  after(() => {
    for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps queues, attributes, tags, in-flight and delayed messages, FIFO order and deduplication, and the DLQ relation across a clean stop', async () => {
    const dir = tempDir();
    const clock = new ManualClock(Date.now());
    const first = await new DirServer(dir, clock).start();
    const c = first.client;
    await c.send(new CreateQueueCommand({ QueueName: 'dlq' }));
    const dlqArn = `arn:aws:sqs:us-east-1:000000000000:dlq`;
    await c.send(
      new CreateQueueCommand({
        QueueName: 'work',
        Attributes: { VisibilityTimeout: '60', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }) },
        tags: { team: 'checkout' },
      }),
    );
    await c.send(new CreateQueueCommand({ QueueName: 'jobs.fifo', Attributes: { FifoQueue: 'true' } }));
    const work = first.url('work');
    const fifo = first.url('jobs.fifo');
    await c.send(new SendMessageCommand({ QueueUrl: work, MessageBody: 'in flight', MessageAttributes: { bin: { DataType: 'Binary', BinaryValue: Buffer.from([0, 1, 255]) } } }));
    const [inflight] = await receive(c, work);
    assert.equal(inflight.Body, 'in flight');
    await c.send(new SendMessageCommand({ QueueUrl: work, MessageBody: 'delayed', DelaySeconds: 120 }));
    const sent: string[] = [];
    for (const body of ['a1', 'b1', 'a2', 'b2', 'a3']) {
      const out = await c.send(new SendMessageCommand({ QueueUrl: fifo, MessageBody: body, MessageGroupId: body[0], MessageDeduplicationId: `d-${body}` }));
      sent.push(out.MessageId ?? '');
    }
    await first.stop();
    assert.ok(first.logged.warn.length === 0, first.logged.warn.join('\n'));

    const second = await new DirServer(dir, clock).start();
    const c2 = second.client;
    assert.match(second.logged.info.join('\n'), /restored 3 queue\(s\) and 7 message\(s\)/);
    const attrs = await attributes(c2, work);
    assert.equal(attrs.VisibilityTimeout, '60');
    assert.equal((JSON.parse(attrs.RedrivePolicy) as { deadLetterTargetArn: string }).deadLetterTargetArn, dlqArn);
    assert.equal(attrs.ApproximateNumberOfMessagesNotVisible, '1');
    assert.equal(attrs.ApproximateNumberOfMessagesDelayed, '1');
    assert.deepEqual((await c2.send(new ListQueueTagsCommand({ QueueUrl: work }))).Tags, { team: 'checkout' });
    // The receipt handle from before the restart still works.
    await c2.send(new ChangeMessageVisibilityCommand({ QueueUrl: work, ReceiptHandle: inflight.ReceiptHandle, VisibilityTimeout: 30 }));
    clock.advance(31_000);
    const [again] = await receive(c2, work, 1, 0);
    assert.equal(again.MessageId, inflight.MessageId);
    assert.equal(again.Attributes?.ApproximateReceiveCount, '2');
    assert.equal(again.Attributes?.ApproximateFirstReceiveTimestamp, inflight.Attributes?.ApproximateFirstReceiveTimestamp);
    assert.deepEqual([...(again.MessageAttributes?.bin.BinaryValue ?? [])], [0, 1, 255]);
    // A third receive goes past maxReceiveCount 2: the message moves to the dead-letter queue.
    assert.deepEqual(await receive(c2, work, 1), []);
    assert.equal((await receive(c2, second.url('dlq'), 1))[0]?.MessageId, inflight.MessageId);
    clock.advance(90_000);
    assert.deepEqual((await receive(c2, work, 10)).map((m) => m.Body), ['delayed']);
    // FIFO: group order, and the deduplication window remembers what was sent.
    const dup = await c2.send(new SendMessageCommand({ QueueUrl: fifo, MessageBody: 'a1', MessageGroupId: 'a', MessageDeduplicationId: 'd-a1' }));
    assert.equal(dup.MessageId, sent[0]);
    const order: string[] = [];
    for (let m = await receive(c2, fifo, 10); m.length > 0; m = await receive(c2, fifo, 10)) {
      for (const x of m) {
        order.push(x.Body ?? '');
        await c2.send(new DeleteMessageCommand({ QueueUrl: fifo, ReceiptHandle: x.ReceiptHandle }));
      }
    }
    assert.deepEqual(order.filter((b) => b.startsWith('a')), ['a1', 'a2', 'a3']);
    assert.deepEqual(order.filter((b) => b.startsWith('b')), ['b1', 'b2']);
    await second.stop();
  });

  it('names the holder of a message in flight after a restart and after a crash, as Browse shows it', async () => {
    const dir = tempDir();
    const clock = new ManualClock(Date.now());
    const first = await new DirServer(dir, clock).start();
    await first.client.send(new CreateQueueCommand({ QueueName: 'q' }));
    const url = first.url('q');
    const [billing, shipping] = ['billing-worker', 'shipping-worker'].map((id) => processClient(first.server.endpoint, id));
    const holders = async (endpoint: string): Promise<Record<string, string | undefined>> => {
      const page = await getJson<BrowsePage>(endpoint, '/_workbench/messages?queue=q');
      return Object.fromEntries(page.body.messages.map((m) => [m.messageId, m.state === 'inflight' ? (m.heldBy?.accessKeyId ?? '(anonymous)') : undefined]));
    };
    try {
      const ids: string[] = [];
      for (const body of ['a', 'b', 'c']) ids.push((await first.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }))).MessageId ?? '');
      await billing.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 1, VisibilityTimeout: 300 }));
      const [b] = (await shipping.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 1, VisibilityTimeout: 300 }))).Messages ?? [];
      // Released, then received again by a request that names nobody: no holder is carried over.
      await shipping.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: b.ReceiptHandle, VisibilityTimeout: 0 }));
      await rawReceive(first.server.endpoint, url);
      const expected = { [ids[0]]: 'billing-worker', [ids[1]]: '(anonymous)', [ids[2]]: '(anonymous)' };
      assert.deepEqual(await holders(first.server.endpoint), expected);
      const copy = crashCopy(dir);
      await first.stop();
      for (const restored of [dir, copy]) {
        const again = await new DirServer(restored, clock).start();
        assert.deepEqual(await holders(again.server.endpoint), expected, restored === dir ? 'after a clean stop' : 'after a crash (the journal)');
        await again.stop();
      }
    } finally {
      billing.destroy();
      shipping.destroy();
    }
  });

  it('counts time that passed while the server was stopped: deadlines and delays that ran out have run out', async () => {
    const dir = tempDir();
    const clock = new ManualClock(Date.now());
    const first = await new DirServer(dir, clock).start();
    await first.client.send(new CreateQueueCommand({ QueueName: 'q' }));
    const url = first.url('q');
    await first.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' }));
    await first.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'later', DelaySeconds: 600 }));
    await receive(first.client, url, 1, 300);
    await first.stop();
    clock.advance(601_000);
    const second = await new DirServer(dir, clock).start();
    const attrs = await attributes(second.client, url);
    assert.equal(attrs.ApproximateNumberOfMessages, '2');
    assert.equal(attrs.ApproximateNumberOfMessagesNotVisible, '0');
    assert.equal(attrs.ApproximateNumberOfMessagesDelayed, '0');
    await second.stop();
  });

  it('a deleted queue stays deleted, its name held, and a purge stays done after a crash', async () => {
    const dir = tempDir();
    const clock = new ManualClock(Date.now());
    const s = await new DirServer(dir, clock).start();
    for (const name of ['gone', 'purged']) await s.client.send(new CreateQueueCommand({ QueueName: name }));
    await s.client.send(new SendMessageCommand({ QueueUrl: s.url('purged'), MessageBody: 'old' }));
    await s.client.send(new DeleteQueueCommand({ QueueUrl: s.url('gone') }));
    await s.client.send(new PurgeQueueCommand({ QueueUrl: s.url('purged') }));
    await s.client.send(new SendMessageCommand({ QueueUrl: s.url('purged'), MessageBody: 'new' }));
    // A queue made without a request (as the demo seed makes them) is saved with its first message.
    s.server.engine.createQueue('direct');
    await s.client.send(new SendMessageCommand({ QueueUrl: s.url('direct'), MessageBody: 'first' }));
    const copy = crashCopy(dir);
    await s.stop();
    const after = await new DirServer(copy, clock).start();
    assert.deepEqual(after.server.engine.queueNames().sort(), ['direct', 'purged']);
    assert.deepEqual((await receive(after.client, after.url('purged'))).map((m) => m.Body), ['new']);
    assert.deepEqual((await receive(after.client, after.url('direct'))).map((m) => m.Body), ['first']);
    // The deleted queue's name is still held for its 60 seconds.
    await assert.rejects(after.client.send(new CreateQueueCommand({ QueueName: 'gone' })), /wait 60 seconds/);
    clock.advance(60_000);
    await after.client.send(new CreateQueueCommand({ QueueName: 'gone' }));
    await after.stop();
  });

  for (const fsync of ['always', 'interval'] as const) {
    it(`has every acknowledged send, delete and visibility change in the files at once (fsync ${fsync})`, async () => {
      const dir = tempDir();
      const clock = new ManualClock(Date.now());
      const s = await new DirServer(dir, clock).start({ fsync });
      await s.client.send(new CreateQueueCommand({ QueueName: 'q' }));
      const url = s.url('q');
      for (let i = 0; i < 20; i++) await s.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: `m${i}` }));
      const got = await receive(s.client, url, 10, 100);
      for (const m of got.slice(0, 5)) await s.client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
      for (const m of got.slice(5)) await s.client.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 }));
      const copy = crashCopy(dir);
      await s.stop();
      const after = await new DirServer(copy, clock).start();
      const attrs = await attributes(after.client, url);
      assert.equal(attrs.ApproximateNumberOfMessages, '15');
      assert.equal(attrs.ApproximateNumberOfMessagesNotVisible, '0');
      await after.stop();
    });
  }

  it('compacts the journal into the snapshot as it grows, and restores from both', async () => {
    const dir = tempDir();
    const clock = new ManualClock(Date.now());
    const s = await new DirServer(dir, clock).start({ compactAtBytes: 4_000 });
    await s.client.send(new CreateQueueCommand({ QueueName: 'q' }));
    const url = s.url('q');
    for (let i = 0; i < 200; i++) await s.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: `message ${i} ${'x'.repeat(100)}` }));
    const journalBytes = fs.statSync(path.join(dir, JOURNAL_FILE)).size;
    assert.ok(journalBytes <= 4_000 + 1_000, `the journal holds ${journalBytes} bytes after compaction at 4,000`);
    assert.ok(fs.statSync(path.join(dir, SNAPSHOT_FILE)).size > 200 * 100);
    const copy = crashCopy(dir);
    await s.stop();
    const after = await new DirServer(copy, clock).start();
    assert.equal((await attributes(after.client, url)).ApproximateNumberOfMessages, '200');
    await after.stop();
  });

  it('recovers a journal whose last record a crash cut short, and says how much it dropped', async () => {
    const dir = tempDir();
    const clock = new ManualClock(Date.now());
    const s = await new DirServer(dir, clock).start();
    await s.client.send(new CreateQueueCommand({ QueueName: 'q' }));
    const url = s.url('q');
    for (let i = 0; i < 5; i++) await s.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: `m${i}` }));
    const copy = crashCopy(dir);
    await s.stop();
    const journal = path.join(copy, JOURNAL_FILE);
    const size = fs.statSync(journal).size;
    fs.truncateSync(journal, size - 10);
    const after = await new DirServer(copy, clock).start();
    assert.equal((await attributes(after.client, url)).ApproximateNumberOfMessages, '4');
    assert.deepEqual(after.logged.warn, []);
    assert.match(after.logged.info.join('\n'), /dropped an unfinished last record \(\d+ bytes at byte \d+ of journal\.jsonl\)/);
    await after.stop();
    // Recovered once: the next start has nothing to drop.
    const third = await new DirServer(copy, clock).start();
    assert.doesNotMatch(third.logged.info.join('\n'), /dropped/);
    assert.equal((await attributes(third.client, url)).ApproximateNumberOfMessages, '4');
    await third.stop();
  });

  it('reports a damaged record in the middle of the journal by file, line and byte, skips it, keeps the rest and a copy', async () => {
    const dir = tempDir();
    const clock = new ManualClock(Date.now());
    const s = await new DirServer(dir, clock).start();
    await s.client.send(new CreateQueueCommand({ QueueName: 'q' }));
    const url = s.url('q');
    for (let i = 0; i < 5; i++) await s.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: `body-${i}` }));
    const copy = crashCopy(dir);
    await s.stop();
    const journal = path.join(copy, JOURNAL_FILE);
    const text = fs.readFileSync(journal);
    const lines = text.toString('utf8').split('\n');
    const line = lines.findIndex((l) => l.includes('body-2'));
    const offset = lines.slice(0, line).reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
    const flip = offset + lines[line].indexOf('body-2') + 5;
    text[flip] = '9'.charCodeAt(0);
    fs.writeFileSync(journal, text);
    const after = await new DirServer(copy, clock).start();
    const warnings = after.logged.warn.join('\n');
    assert.match(warnings, new RegExp(`journal\\.jsonl is damaged at line ${line + 1} \\(byte ${offset}\\): checksum mismatch`));
    assert.match(warnings, /kept as .*journal\.jsonl\.damaged-/);
    const bodies = (await receive(after.client, url, 10)).map((m) => m.Body).sort();
    assert.deepEqual(bodies, ['body-0', 'body-1', 'body-3', 'body-4']);
    assert.ok(fs.readdirSync(copy).some((f) => f.startsWith(`${JOURNAL_FILE}.damaged-`)));
    await after.stop();
  });

  it('lets one server at a time use a directory, and takes over the lock of a process that is gone', async () => {
    const dir = tempDir();
    const clock = new ManualClock(Date.now());
    const s = await new DirServer(dir, clock).start();
    await assert.rejects(new DirServer(dir, clock).start(), new RegExp(`in use by the server with PID ${process.pid}`));
    await s.stop();
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    fs.writeFileSync(path.join(dir, 'lock'), `${dead}\n`);
    const next = await new DirServer(dir, clock).start();
    assert.match(next.logged.info.join('\n'), new RegExp(`took over the lock of PID ${dead}`));
    await next.stop();
    assert.equal(fs.existsSync(path.join(dir, 'lock')), false);
  });

  it('the extension\'s server keeps its queues across a restart when the dataDir setting is set', async () => {
    assert.ok(fs.existsSync(CLI), `${CLI} is missing: run "npm run build" first`);
    const dir = tempDir();
    const settings = new Settings(memorySettingsSource({ 'localServer.port': 0, 'localServer.dataDir': dir }));
    const service = new LocalServerService(silentLog, settings, { script: CLI, stopGraceMs: 2_000 });
    try {
      const running = await service.start();
      await sdkClient(running.endpoint).send(new CreateQueueCommand({ QueueName: 'kept' }));
      const again = await service.restart();
      const names = (await sdkClient(again.endpoint).send(new GetQueueAttributesCommand({ QueueUrl: `${again.endpoint}/000000000000/kept`, AttributeNames: ['QueueArn'] }))).Attributes;
      assert.match(names?.QueueArn ?? '', /:kept$/);
    } finally {
      await service.stop();
      service.dispose();
    }
  });

  it('after kill -9 in the middle of sends, receives and deletes from several clients, every acknowledged operation is there', async function () {
    this.timeout(90_000);
    assert.ok(fs.existsSync(CLI), `${CLI} is missing: run "npm run build" first`);
    const dir = tempDir();
    let child = await startChild(dir);
    const setup = sdkClient(child.endpoint);
    const url = (await setup.send(new CreateQueueCommand({ QueueName: 'load', Attributes: { VisibilityTimeout: '5' } }))).QueueUrl as string;
    const fifoUrl = (await setup.send(new CreateQueueCommand({ QueueName: 'load.fifo', Attributes: { FifoQueue: 'true' } }))).QueueUrl as string;
    setup.destroy();

    const ackedSends = new Set<string>();
    const ackedDeletes = new Set<string>();
    // A delete the crash cut off may or may not have been done: such a message may be gone.
    const triedDeletes = new Set<string>();
    const fifoAcked = new Map<string, string>();
    let running = true;
    const clients = Array.from({ length: 6 }, () => sdkClient(child.endpoint));
    const sender = async (c: SQSClient, n: number): Promise<void> => {
      for (let i = 0; running; i++) {
        const out = await c.send(new SendMessageCommand({ QueueUrl: url, MessageBody: `s${n}-${i}` }));
        if (out.MessageId) ackedSends.add(out.MessageId);
        const dedup = `f${n}-${i}`;
        const f = await c.send(new SendMessageCommand({ QueueUrl: fifoUrl, MessageBody: dedup, MessageGroupId: `g${n}`, MessageDeduplicationId: dedup }));
        if (f.MessageId) fifoAcked.set(dedup, f.MessageId);
      }
    };
    const consumer = async (c: SQSClient): Promise<void> => {
      while (running) {
        const got = await receive(c, url, 10);
        for (const m of got) {
          triedDeletes.add(m.MessageId ?? '');
          await c.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
          ackedDeletes.add(m.MessageId ?? '');
        }
      }
    };
    const work = [...clients.slice(0, 4).map((c, n) => sender(c, n)), ...clients.slice(4).map((c) => consumer(c))].map((p) => p.catch(() => undefined));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    child.process.kill('SIGKILL');
    running = false;
    await Promise.all(work);
    for (const c of clients) c.destroy();
    assert.ok(ackedSends.size > 50 && ackedDeletes.size > 10, `load too small: ${ackedSends.size} sends, ${ackedDeletes.size} deletes`);

    child = await startChild(dir);
    const after = sdkClient(child.endpoint, 10);
    try {
      // Drain: messages in flight at the crash come back once their 5 s visibility ends.
      const present = new Set<string>();
      for (;;) {
        for (const m of await receive(after, url, 10, 600)) present.add(m.MessageId ?? '');
        const a = await attributes(after, url);
        if (a.ApproximateNumberOfMessages === '0' && a.ApproximateNumberOfMessagesDelayed === '0' && Number(a.ApproximateNumberOfMessagesNotVisible) === present.size) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      const missing = [...ackedSends].filter((id) => !triedDeletes.has(id) && !present.has(id));
      const resurrected = [...ackedDeletes].filter((id) => present.has(id));
      assert.deepEqual({ missing: missing.length, resurrected: resurrected.length }, { missing: 0, resurrected: 0 }, child.output());
      // Each consumer deletes one message at a time: at most one delete each was cut off.
      assert.ok(triedDeletes.size - ackedDeletes.size <= 2, `${triedDeletes.size - ackedDeletes.size} deletes unanswered`);
      // The FIFO deduplication window survived: re-sending acknowledged ids gives back their message ids.
      for (const [dedup, id] of [...fifoAcked].slice(-20)) {
        const out = await after.send(new SendMessageCommand({ QueueUrl: fifoUrl, MessageBody: dedup, MessageGroupId: `g${dedup.slice(1, dedup.indexOf('-'))}`, MessageDeduplicationId: dedup }));
        assert.equal(out.MessageId, id);
      }
    } finally {
      after.destroy();
      child.process.kill('SIGTERM');
      await new Promise((resolve) => child.process.once('exit', resolve));
    }
  });

  it('keeps move tasks across a clean stop: a running one continues where it stopped and moves every message once; finished and cancelling ones are listed', async () => {
    const dir = tempDir();
    const clock = new ManualClock(Date.now());
    const first = await new DirServer(dir, clock).start();
    const c = first.client;
    const arns = await deadLetterSetup(c, ['a', 'b', 'c']);
    const bodies = await fill(c, first.url('dlq-a'), 30);
    await fill(c, first.url('dlq-b'), 3);
    await fill(c, first.url('dlq-c'), 3);
    // dlq-b: a task that completes before the stop; dlq-c: one being cancelled at the stop.
    await c.send(new StartMessageMoveTaskCommand({ SourceArn: arns.b.dlq, DestinationArn: arns.b.target, MaxNumberOfMessagesPerSecond: 10 }));
    const { TaskHandle } = await c.send(new StartMessageMoveTaskCommand({ SourceArn: arns.a.dlq, DestinationArn: arns.a.target, MaxNumberOfMessagesPerSecond: 5 }));
    clock.advance(1_000);
    const { TaskHandle: cancelled } = await c.send(new StartMessageMoveTaskCommand({ SourceArn: arns.c.dlq, DestinationArn: arns.c.target, MaxNumberOfMessagesPerSecond: 1 }));
    await c.send(new CancelMessageMoveTaskCommand({ TaskHandle: cancelled }));
    const before = await lastTask(c, arns.a.dlq);
    assert.equal(before.Status, 'RUNNING');
    const movedBefore = before.ApproximateNumberOfMessagesMoved ?? 0;
    assert.ok(movedBefore > 0 && movedBefore < 30, `moved ${movedBefore} before the stop`);
    assert.equal((await lastTask(c, arns.b.dlq)).Status, 'COMPLETED');
    assert.equal((await lastTask(c, arns.c.dlq)).Status, 'CANCELLING');
    await first.stop();

    const second = await new DirServer(dir, clock).start();
    const c2 = second.client;
    assert.match(second.logged.info.join('\n'), /and 3 move task\(s\)/);
    const after = await lastTask(c2, arns.a.dlq);
    assert.equal(after.Status, 'RUNNING');
    assert.equal(after.TaskHandle, TaskHandle);
    assert.ok((after.ApproximateNumberOfMessagesMoved ?? 0) >= movedBefore);
    assert.equal(after.ApproximateNumberOfMessagesToMove, 30);
    const b = await lastTask(c2, arns.b.dlq);
    assert.deepEqual([b.Status, b.ApproximateNumberOfMessagesMoved, b.ApproximateNumberOfMessagesToMove, b.DestinationArn, b.MaxNumberOfMessagesPerSecond], ['COMPLETED', 3, 3, arns.b.target, 10]);
    assert.equal((await lastTask(c2, arns.c.dlq)).Status, 'CANCELLED');
    for (let i = 0; i < 20 && (await lastTask(c2, arns.a.dlq)).Status === 'RUNNING'; i++) clock.advance(1_000);
    const done = await lastTask(c2, arns.a.dlq);
    assert.deepEqual([done.Status, done.ApproximateNumberOfMessagesMoved], ['COMPLETED', 30]);
    assert.deepEqual(await drainBodies(c2, second.url('target-a')), bodies);
    assert.deepEqual(await drainBodies(c2, second.url('dlq-a')), []);
    await second.stop();
  });

  it('after kill -9 of the server in the middle of a move task, the task continues and moves every message exactly once', async function () {
    this.timeout(90_000);
    assert.ok(fs.existsSync(CLI), `${CLI} is missing: run "npm run build" first`);
    const dir = tempDir();
    let child = await startChild(dir);
    const c = sdkClient(child.endpoint);
    const arns = await deadLetterSetup(c, ['k']);
    const bodies = await fill(c, queueUrl(child.endpoint, 'dlq-k'), 200);
    const { TaskHandle } = await c.send(new StartMessageMoveTaskCommand({ SourceArn: arns.k.dlq, DestinationArn: arns.k.target, MaxNumberOfMessagesPerSecond: 50 }));
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      if (((await lastTask(c, arns.k.dlq)).ApproximateNumberOfMessagesMoved ?? 0) >= 40) break;
    }
    child.process.kill('SIGKILL');
    await new Promise((resolve) => child.process.once('exit', resolve));
    c.destroy();

    child = await startChild(dir);
    const after = sdkClient(child.endpoint);
    try {
      const restored = await lastTask(after, arns.k.dlq);
      assert.equal(restored.TaskHandle, TaskHandle, child.output());
      assert.ok(restored.Status === 'RUNNING' || restored.Status === 'COMPLETED', restored.Status);
      assert.ok((restored.ApproximateNumberOfMessagesMoved ?? 0) > 0 && (restored.ApproximateNumberOfMessagesMoved ?? 0) < 200, String(restored.ApproximateNumberOfMessagesMoved));
      while ((await lastTask(after, arns.k.dlq)).Status === 'RUNNING') await new Promise((resolve) => setTimeout(resolve, 200));
      const done = await lastTask(after, arns.k.dlq);
      assert.deepEqual([done.Status, done.ApproximateNumberOfMessagesMoved], ['COMPLETED', 200]);
      assert.deepEqual(await drainBodies(after, queueUrl(child.endpoint, 'target-k')), bodies);
      assert.deepEqual(await drainBodies(after, queueUrl(child.endpoint, 'dlq-k')), []);
    } finally {
      after.destroy();
      child.process.kill('SIGTERM');
      await new Promise((resolve) => child.process.once('exit', resolve));
    }
  });
});

/** For each suffix: a queue `work-X` whose dead-letter queue is `dlq-X`, and a queue `target-X`; their ARNs. */
async function deadLetterSetup(c: SQSClient, suffixes: string[]): Promise<Record<string, { dlq: string; target: string }>> {
  const out: Record<string, { dlq: string; target: string }> = {};
  for (const x of suffixes) {
    const arn = (name: string): string => `arn:aws:sqs:us-east-1:000000000000:${name}`;
    await c.send(new CreateQueueCommand({ QueueName: `dlq-${x}` }));
    await c.send(new CreateQueueCommand({ QueueName: `target-${x}` }));
    await c.send(new CreateQueueCommand({ QueueName: `work-${x}`, Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn(`dlq-${x}`), maxReceiveCount: 1 }) } }));
    out[x] = { dlq: arn(`dlq-${x}`), target: arn(`target-${x}`) };
  }
  return out;
}

/** Sends `count` messages with distinct bodies; their bodies, sorted. */
async function fill(c: SQSClient, url: string, count: number): Promise<string[]> {
  const bodies = Array.from({ length: count }, (_, i) => `m-${String(i).padStart(4, '0')}`);
  for (let i = 0; i < count; i += 10) {
    await c.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: bodies.slice(i, i + 10).map((b) => ({ Id: b, MessageBody: b })) }));
  }
  return bodies;
}

/** Receives (and hides for 10 minutes) every visible message; their bodies, sorted, duplicates kept. */
async function drainBodies(c: SQSClient, url: string): Promise<string[]> {
  const bodies: string[] = [];
  for (let got = await receive(c, url, 10, 600); got.length > 0; got = await receive(c, url, 10, 600)) bodies.push(...got.map((m) => m.Body ?? ''));
  return bodies.sort();
}

function queueUrl(endpoint: string, name: string): string {
  return `${endpoint}/000000000000/${name}`;
}

async function lastTask(c: SQSClient, sourceArn: string): Promise<ListMessageMoveTasksResultEntry> {
  const [task] = (await c.send(new ListMessageMoveTasksCommand({ SourceArn: sourceArn }))).Results ?? [];
  assert.ok(task, `no move task for ${sourceArn}`);
  return task;
}

/** Starts `node dist/local-sqs.js --data-dir DIR` and resolves with its endpoint once it prints it. */
function startChild(dir: string): Promise<{ process: ChildProcess; endpoint: string; output: () => string }> {
  const child = spawn(process.execPath, [CLI, '--port', '0', '--data-dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) resolve({ process: child, endpoint: match[1], output: () => output });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`exited with ${code}; output:\n${output}`)));
  });
}
