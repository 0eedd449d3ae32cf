import * as assert from 'node:assert/strict';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { Emitter } from '../../src/common/events';
import type { LocalServerInfo } from '../../src/services/localServer';
import { FAULT_PRESETS, LocalServerFaults, type ActiveFaults } from '../../src/services/localServerFaults';
import { silentLog } from '../../src/sqs/gateway';
import { parseCompactFaultPlan } from '../../src/model/faultPlan';
import { startTestServer, type TestServer } from './harness';

describe('local server faults from the extension\'s side', () => {
  let t: TestServer;
  let running: Emitter<LocalServerInfo | undefined>;
  let faults: LocalServerFaults;
  let shown: (ActiveFaults | undefined)[];
  beforeEach(async () => {
    t = await startTestServer();
    running = new Emitter();
    faults = new LocalServerFaults(silentLog, { endpoint: t.server.endpoint, onDidChange: running.event });
    shown = [];
    faults.onDidChange((a) => shown.push(a));
  });
  afterEach(async () => {
    faults.dispose();
    await t.close();
  });

  it('applies a preset to a running server, which then injects it, and shows it until the server stops', async () => {
    const throttling = FAULT_PRESETS.find((p) => p.label === 'Throttling');
    assert.ok(throttling);
    const status = await faults.apply(`${t.server.endpoint}/`, parseCompactFaultPlan('throttle=1:SendMessage,seed=5'));
    assert.equal(status.description, 'throttle 100% (SendMessage)');
    assert.deepEqual(faults.active, { endpoint: t.server.endpoint, plan: status.plan, description: 'throttle 100% (SendMessage)' });
    const url = await t.createQueue('orders');
    await assert.rejects(t.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' })), { name: 'RequestThrottled' });
    assert.equal((await faults.read(t.server.endpoint)).counts.throttle, 1);

    await faults.apply(t.server.endpoint, throttling.plan);
    assert.deepEqual(t.server.faults.plan, throttling.plan);
    // The server stops: its plan went with it.
    running.fire(undefined);
    assert.equal(faults.active, undefined);
    assert.deepEqual(shown.map((a) => a?.description), ['throttle 100% (SendMessage)', 'throttle 10%', undefined]);
  });

  it('hides the plan when none is applied, and every preset is a valid plan with faults', async () => {
    for (const p of FAULT_PRESETS) {
      const status = await faults.apply(t.server.endpoint, p.plan);
      assert.ok(status.plan.rules.length > 0, p.label);
    }
    await faults.apply(t.server.endpoint, { seed: 1, rules: [] });
    assert.equal(faults.active, undefined);
    assert.equal(t.server.faults.active, false);
  });

  it('says clearly when a server has no fault control or refuses the plan', async () => {
    const other = await import('node:http').then(
      (http) =>
        new Promise<{ endpoint: string; close: () => void }>((resolve) => {
          const s = http.createServer((_req, res) => res.writeHead(404).end('Not Found'));
          s.listen(0, '127.0.0.1', () => resolve({ endpoint: `http://127.0.0.1:${(s.address() as { port: number }).port}`, close: () => s.close() }));
        }),
    );
    try {
      await assert.rejects(faults.read(other.endpoint), /has no fault control \(\/_workbench\/faults answered 404\): faults work with SQS Workbench's local server only/);
    } finally {
      other.close();
    }
    await assert.rejects(faults.apply(t.server.endpoint, { seed: 1, rules: [{ kind: 'throttle', rate: 3 }] }), /refused the fault plan: rules\[0\]\.rate: must be a number from 0 to 1, not 3\./);
    await assert.rejects(faults.read('http://127.0.0.1:1'), /http:\/\/127\.0\.0\.1:1 does not answer/);
  });
});
