import * as assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ManualClock } from '../../src/local/clock';
import { SqsEngine } from '../../src/local/engine';
import { FaultInjector, isLoopbackAddress, queueNameFromUrl, queueOfJsonRequest, seededRandom } from '../../src/local/faults';
import { readFaultsOption } from '../../src/local/faultsOption';
import { FaultPlanError, describeFaultPlan, formatCompactFaultPlan, parseCompactFaultPlan, parseFaultPlan } from '../../src/model/faultPlan';

describe('fault plans', () => {
  it('reads the compact syntax, scopes included, and writes it back unchanged', () => {
    const text = 'duplicate=0.1,throttle=0.05:SendMessage+SendMessageBatch@orders+billing.fifo,latency=50-200ms*0.5,shuffle=1,seed=42';
    const plan = parseCompactFaultPlan(text);
    assert.deepEqual(plan, {
      seed: 42,
      rules: [
        { kind: 'duplicate', rate: 0.1 },
        { kind: 'throttle', rate: 0.05, actions: ['SendMessage', 'SendMessageBatch'], queues: ['orders', 'billing.fifo'] },
        { kind: 'latency', rate: 0.5, minMs: 50, maxMs: 200 },
        { kind: 'shuffle', rate: 1 },
      ],
    });
    assert.equal(formatCompactFaultPlan(plan), text);
    assert.deepEqual(parseCompactFaultPlan(formatCompactFaultPlan(plan)), plan);
    assert.equal(describeFaultPlan(plan), 'duplicate 10%, throttle 5% (SendMessage, SendMessageBatch, @orders, @billing.fifo), latency 50–200 ms on 50%, shuffle 100%');
    assert.deepEqual(parseCompactFaultPlan('latency=20ms'), { seed: 1, rules: [{ kind: 'latency', rate: 1, minMs: 20, maxMs: 20 }] });
    assert.deepEqual(parseCompactFaultPlan(' none '), { seed: 1, rules: [] });
  });

  it('names the item or field of a plan that does not validate', () => {
    const fails = (f: () => unknown, field: string): void => {
      assert.throws(f, (err: unknown) => err instanceof FaultPlanError && err.field === field);
    };
    fails(() => parseCompactFaultPlan('throttle'), 'item 1 ("throttle")');
    fails(() => parseCompactFaultPlan('duplicate=0.1,throttle=1.5'), 'item 2 ("throttle=1.5")');
    fails(() => parseCompactFaultPlan('latency=fast'), 'item 1 ("latency=fast")');
    fails(() => parseCompactFaultPlan('shuffle=0.2:SendMessage'), 'item 1 ("shuffle=0.2:SendMessage")');
    fails(() => parseCompactFaultPlan('seed=x'), 'item 1 ("seed=x")');
    fails(() => parseFaultPlan([]), 'plan');
    fails(() => parseFaultPlan({ rules: {} }), 'rules');
    fails(() => parseFaultPlan({ rules: [{ kind: 'throttle', rate: 0.1, minMs: 3 }] }), 'rules[0].minMs');
    fails(() => parseFaultPlan({ rules: [{ kind: 'throttle', rate: 0.1, actions: [] }] }), 'rules[0].actions');
    fails(() => parseFaultPlan({ rules: [{ kind: 'latency', minMs: 70_000 }] }), 'rules[0].minMs');
  });

  it('reads --faults as a plan or as the path of a JSON file, and says what is wrong', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'faults-'));
    const file = path.join(dir, 'plan.json');
    writeFileSync(file, JSON.stringify({ seed: 3, rules: [{ kind: 'unavailable', rate: 0.2 }] }));
    assert.deepEqual(readFaultsOption(file), { seed: 3, rules: [{ kind: 'unavailable', rate: 0.2 }] });
    assert.deepEqual(readFaultsOption('throttle=0.5'), { seed: 1, rules: [{ kind: 'throttle', rate: 0.5 }] });
    assert.match(readFaultsOption(path.join(dir, 'missing.json')) as string, /neither a plan .* nor a readable JSON file/);
    writeFileSync(file, '{"rules": [{"kind": "throttle", "rate": -1}]}');
    assert.equal(readFaultsOption(file), '--faults: rules[0].rate: must be a number from 0 to 1, not -1.');
  });
});

describe('fault injection', () => {
  it('draws the same sequence from the same seed, and starts again when the plan is set', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const first = Array.from({ length: 5 }, a);
    assert.deepEqual(Array.from({ length: 5 }, b), first);
    assert.notDeepEqual(Array.from({ length: 5 }, seededRandom(43)), first);
    assert.ok(first.every((x) => x >= 0 && x < 1));

    const injector = new FaultInjector(parseCompactFaultPlan('throttle=0.5,seed=8'));
    const run = (): string => Array.from({ length: 40 }, () => (injector.forRequest('SendMessage', 'q').error ? 'x' : '.')).join('');
    const once = run();
    injector.setPlan(parseCompactFaultPlan('throttle=0.5,seed=8'));
    assert.equal(run(), once);
    assert.equal(injector.counts.throttle, [...once].filter((c) => c === 'x').length);
  });

  it('applies no fault to requests outside a rule\'s actions and queues, and draws nothing for them', () => {
    const injector = new FaultInjector(parseCompactFaultPlan('internal-error=1:SendMessage@orders'));
    assert.equal(injector.forRequest('ReceiveMessage', 'orders').error, undefined);
    assert.equal(injector.forRequest('SendMessage', 'billing').error, undefined);
    assert.equal(injector.forRequest('SendMessage', undefined).error, undefined);
    assert.equal(injector.forRequest('SendMessage', 'orders').error?.code, 'InternalError');
    assert.equal(injector.counts['internal-error'], 1);
  });

  it('brings a deleted message back in the engine, on standard queues only', async () => {
    const clock = new ManualClock(1_000_000);
    const faults = new FaultInjector(parseCompactFaultPlan('duplicate=1'));
    const engine = new SqsEngine({ clock, faults });
    for (const name of ['std', 'f.fifo']) {
      const url = engine.createQueue(name, name.endsWith('.fifo') ? { FifoQueue: 'true', ContentBasedDeduplication: 'true' } : {});
      const sent = engine.sendMessage(url, { MessageBody: 'hello', MessageGroupId: name.endsWith('.fifo') ? 'g' : undefined });
      const [first] = await engine.receiveMessage(url, {});
      engine.deleteMessage(url, first.ReceiptHandle);
      const again = await engine.receiveMessage(url, {});
      if (name === 'std') {
        assert.equal(again.length, 1);
        assert.equal(again[0].MessageId, sent.MessageId);
        assert.equal(again[0].Body, 'hello');
        assert.notEqual(again[0].ReceiptHandle, first.ReceiptHandle);
        // The first delivery's handle no longer deletes anything.
        engine.deleteMessage(url, first.ReceiptHandle);
        assert.deepEqual(engine.counts(url), { visible: 0, inflight: 1, delayed: 0 });
      } else {
        assert.deepEqual(again, []);
      }
    }
    assert.equal(faults.counts.duplicate, 1);
  });

  it('records each shuffle injected into a receive in the trace, with the message and who received', async () => {
    const clock = new ManualClock(1_000_000);
    const engine = new SqsEngine({ clock, faults: new FaultInjector(parseCompactFaultPlan('shuffle=1@std')) });
    const url = engine.createQueue('std', {});
    const other = engine.createQueue('other', {});
    const ids = ['a', 'b'].map((body) => engine.sendMessage(url, { MessageBody: body }).MessageId);
    engine.sendMessage(other, { MessageBody: 'c' });
    await engine.runAs({ accessKeyId: 'worker' }, () => engine.receiveMessage(url, { MaxNumberOfMessages: 10 }));
    await engine.receiveMessage(other, {});
    const injected = engine.trace.read(0, 100).events.filter((e) => e.kind === 'faultInjected');
    assert.deepEqual(
      injected.map((e) => ({ queue: e.queue, messageId: e.messageId, at: e.at, by: e.by, details: e.details })),
      ids.map((messageId) => ({ queue: 'std', messageId, at: 1_000_000, by: { accessKeyId: 'worker' }, details: { fault: 'shuffle', action: 'ReceiveMessage' } })),
    );
  });

  it('finds the queue a request names', () => {
    assert.equal(queueNameFromUrl('http://127.0.0.1:9324/000000000000/orders'), 'orders');
    assert.equal(queueNameFromUrl('/000000000000/a.fifo'), 'a.fifo');
    assert.equal(queueNameFromUrl(undefined), undefined);
    assert.equal(queueOfJsonRequest('{"QueueUrl":"http://h/1/q1","MessageBody":"x"}'), 'q1');
    assert.equal(queueOfJsonRequest('{"QueueName":"new"}'), 'new');
    assert.equal(queueOfJsonRequest('not json'), undefined);
  });

  it('knows loopback peers', () => {
    for (const a of ['127.0.0.1', '127.5.6.7', '::1', '::ffff:127.0.0.1']) assert.ok(isLoopbackAddress(a), a);
    for (const a of ['10.0.0.1', '::ffff:192.168.1.2', 'fe80::1', undefined]) assert.ok(!isLoopbackAddress(a), String(a));
  });
});
