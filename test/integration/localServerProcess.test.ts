import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { CreateQueueCommand, ListQueuesCommand } from '@aws-sdk/client-sqs';
import { LocalServerService } from '../../src/services/localServer';
import { Settings, memorySettingsSource } from '../../src/services/settings';
import { silentLog } from '../../src/sqs/gateway';
import { sdkClient } from './harness';

const CLI = path.resolve(__dirname, '../../../dist/local-sqs.js');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function gone(pid: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (alive(pid)) {
    if (Date.now() > deadline) assert.fail(`process ${pid} still runs after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function service(options: { pingIntervalMs?: number } = {}): LocalServerService {
  assert.ok(existsSync(CLI), `${CLI} is missing: run "npm run build" first`);
  const settings = new Settings(memorySettingsSource({ 'localServer.port': 0, 'localServer.seed': 'demo' }));
  return new LocalServerService(silentLog, settings, { script: CLI, stopGraceMs: 2_000, ...options });
}

describe('local server: its own process', () => {
  it('starts a child process whose endpoint answers ListQueues, and stop leaves no process', async () => {
    const s = service();
    const running = await s.start();
    assert.notEqual(running.pid, process.pid);
    assert.ok(alive(running.pid));
    const { QueueUrls } = await sdkClient(running.endpoint).send(new ListQueuesCommand({}));
    assert.ok((QueueUrls ?? []).length > 0, 'the demo seed reached the child');
    await s.stop();
    assert.equal(s.running, undefined);
    assert.throws(() => process.kill(running.pid, 0));
    s.dispose();
  });

  it('reports a child killed with SIGKILL as stopped unexpectedly, and restarts it', async () => {
    const s = service();
    const running = await s.start();
    const changed = new Promise<void>((resolve) => s.onDidChange((info) => info === undefined && resolve()));
    process.kill(running.pid, 'SIGKILL');
    await changed;
    assert.equal(s.running, undefined);
    assert.equal(s.failure?.message, 'Local SQS server stopped unexpectedly (signal SIGKILL)');
    assert.equal(s.failure?.endpoint, running.endpoint);
    const again = await s.restart();
    assert.equal(s.failure, undefined);
    await sdkClient(again.endpoint).send(new CreateQueueCommand({ QueueName: 'after-restart' }));
    const { QueueUrls } = await sdkClient(again.endpoint).send(new ListQueuesCommand({ QueueNamePrefix: 'after-' }));
    assert.equal(QueueUrls?.length, 1);
    await s.stop();
    await gone(again.pid);
    s.dispose();
  });

  it('kills a child that stops answering its pings, and says so', async () => {
    const s = service({ pingIntervalMs: 100 });
    const running = await s.start();
    const changed = new Promise<void>((resolve) => s.onDidChange((info) => info === undefined && resolve()));
    // A stopped (not dead) process answers nothing, as a server stuck in a loop.
    process.kill(running.pid, 'SIGSTOP');
    await changed;
    assert.match(s.failure?.message ?? '', /^Local SQS server stopped unexpectedly \(stopped answering for \d+ s\)$/);
    await gone(running.pid);
    s.dispose();
  });

  it('exits when the process that forked it dies (its IPC channel closes)', async function () {
    this.timeout(20_000);
    // A parent that forks the server, prints the server's pid once it listens, then waits.
    const parentScript = `
      const { fork } = require('node:child_process');
      const child = fork(${JSON.stringify(CLI)}, ['--port', '0'], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
      child.on('message', (m) => { if (m.kind === 'listening') console.log(child.pid); });
      setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ['-e', parentScript], { stdio: ['ignore', 'pipe', 'inherit'] });
    const pid = await new Promise<number>((resolve, reject) => {
      parent.stdout.on('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
      parent.on('exit', (code) => reject(new Error(`the parent exited with ${code}`)));
    });
    assert.ok(alive(pid));
    parent.kill('SIGKILL');
    await gone(pid);
  });
});
