import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import { networkInterfaces } from 'node:os';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
  SendMessageBatchCommand,
  SendMessageCommand,
  type Message,
} from '@aws-sdk/client-sqs';
import type { InjectedFault } from '../../src/local/faults';
import type { FaultPlan } from '../../src/model/faultPlan';
import { awsError, rawRequest, startTestServer, type TestServer } from './harness';
import { query, queryError } from './queryClient';

const REQUESTS = 1_000;

/** Whether a promise failed, and with which error name. */
async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    return (err as Error).name;
  }
}

describe('local server: faults on demand', () => {
  let t: TestServer;
  let injected: InjectedFault[];
  beforeEach(async () => {
    t = await startTestServer();
    injected = [];
    t.server.faults.onDidInject((f) => injected.push(f));
  });
  afterEach(() => t.close());

  async function control(method: string, body?: string): Promise<{ status: number; json: Record<string, unknown> }> {
    const res = await fetch(`${t.server.endpoint}/_workbench/faults`, { method, body, headers: { 'Content-Type': 'application/json' } });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  }

  async function setPlan(plan: FaultPlan | string): Promise<void> {
    const answer = await control('PUT', typeof plan === 'string' ? plan : JSON.stringify(plan));
    assert.equal(answer.status, 200, JSON.stringify(answer.json));
  }

  async function counts(): Promise<Record<string, number>> {
    const answer = await control('GET');
    assert.equal(answer.status, 200);
    return answer.json.counts as Record<string, number>;
  }

  async function sendMany(url: string, n: number, client: SQSClient = t.client): Promise<string[]> {
    const outcomes: string[] = [];
    for (let i = 0; i < n; i++) outcomes.push(await outcome(client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: `m${i}` }))));
    return outcomes;
  }

  const tally = (outcomes: string[]): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const o of outcomes) out[o] = (out[o] ?? 0) + 1;
    return out;
  };

  it('throttles requests at the plan\'s rate, counts them, and fires one event per fault', async () => {
    const url = await t.createQueue('orders');
    await setPlan('throttle=0.1,seed=7');
    const seen = tally(await sendMany(url, REQUESTS));
    const throttled = seen.RequestThrottled ?? 0;
    assert.ok(throttled >= 60 && throttled <= 140, `throttled ${throttled} of ${REQUESTS}: ${JSON.stringify(seen)}`);
    assert.equal(seen.ok, REQUESTS - throttled);
    assert.equal((await counts()).throttle, throttled);
    assert.equal(injected.length, throttled);
    assert.deepEqual(injected[0], { kind: 'throttle', action: 'SendMessage', queue: 'orders' });
    // The throttled sends stored nothing.
    const attrs = await t.client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }));
    assert.equal(Number(attrs.Attributes?.ApproximateNumberOfMessages), REQUESTS - throttled);
  });

  it('answers InternalError (500) and ServiceUnavailable (503) at their rates', async () => {
    const url = await t.createQueue('orders');
    await setPlan('internal-error=0.1,seed=3');
    const internal = tally(await sendMany(url, REQUESTS)).InternalError ?? 0;
    assert.ok(internal >= 60 && internal <= 140, `InternalError ${internal} of ${REQUESTS}`);
    await setPlan('unavailable=0.1,seed=3');
    const unavailable = tally(await sendMany(url, REQUESTS)).ServiceUnavailable ?? 0;
    assert.ok(unavailable >= 60 && unavailable <= 140, `ServiceUnavailable ${unavailable} of ${REQUESTS}`);
    // The same seed and the same requests: the same faults.
    assert.equal(unavailable, internal);
    assert.deepEqual(await counts(), { duplicate: 0, throttle: 0, 'internal-error': 0, unavailable, latency: 0, shuffle: 0 });
  });

  it('adds latency to the plan\'s share of requests, within the range', async () => {
    const url = await t.createQueue('orders');
    await setPlan('latency=1-3ms*0.1');
    const outcomes = await sendMany(url, REQUESTS);
    assert.equal(tally(outcomes).ok, REQUESTS, 'latency alone fails nothing');
    const delayed = injected.filter((f) => f.kind === 'latency');
    assert.ok(delayed.length >= 60 && delayed.length <= 140, `delayed ${delayed.length} of ${REQUESTS}`);
    assert.ok(delayed.every((f) => f.delayMs !== undefined && f.delayMs >= 1 && f.delayMs <= 3), JSON.stringify(delayed.slice(0, 3)));
    assert.deepEqual(new Set(delayed.map((f) => f.delayMs)), new Set([1, 2, 3]));
    assert.equal((await counts()).latency, delayed.length);
  });

  it('delivers deleted messages again, with the same MessageId and body, at the plan\'s rate', async () => {
    const url = await t.createQueue('orders');
    for (let i = 0; i < REQUESTS; i += 10) {
      const Entries = Array.from({ length: 10 }, (_, j) => ({ Id: `e${j}`, MessageBody: `body ${i + j}` }));
      await t.client.send(new SendMessageBatchCommand({ QueueUrl: url, Entries }));
    }
    await setPlan({ seed: 11, rules: [{ kind: 'duplicate', rate: 0.1 }] });
    const deliveries = new Map<string, Message[]>();
    let deletes = 0;
    for (;;) {
      const got = (await t.client.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }))).Messages ?? [];
      if (got.length === 0) break;
      for (const m of got) deliveries.set(m.MessageId as string, [...(deliveries.get(m.MessageId as string) ?? []), m]);
      const out = await t.client.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: got.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle as string })) }));
      assert.equal(out.Successful?.length, got.length);
      deletes += got.length;
    }
    const duplicates = (await counts()).duplicate;
    assert.equal(deliveries.size, REQUESTS, 'every message delivered');
    assert.equal(deletes, REQUESTS + duplicates, 'each duplicate was delivered once more');
    const share = duplicates / deletes;
    assert.ok(share >= 0.06 && share <= 0.14, `${duplicates} duplicates for ${deletes} deletes`);
    for (const copies of deliveries.values()) {
      for (const m of copies) {
        assert.equal(m.Body, copies[0].Body);
        assert.equal(m.MD5OfBody, copies[0].MD5OfBody);
      }
      assert.equal(new Set(copies.map((m) => m.ReceiptHandle)).size, copies.length, 'each delivery has its own receipt handle');
    }
    assert.ok(injected.every((f) => f.kind === 'duplicate' && f.action === 'DeleteMessageBatch' && f.queue === 'orders' && deliveries.has(f.messageId as string)));
  });

  it('shuffles the order of a standard queue, loses nothing, and leaves FIFO queues in order', async () => {
    const url = await t.createQueue('events');
    const fifo = await t.createQueue('events.fifo', { FifoQueue: 'true' });
    const bodies = Array.from({ length: 100 }, (_, i) => `m${String(i).padStart(3, '0')}`);
    for (const b of bodies) {
      await t.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: b }));
      await t.client.send(new SendMessageCommand({ QueueUrl: fifo, MessageBody: b, MessageGroupId: 'g', MessageDeduplicationId: b }));
    }
    const drain = async (queueUrl: string): Promise<string[]> => {
      const order: string[] = [];
      for (;;) {
        const m = (await t.client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 1 }))).Messages?.[0];
        if (!m) return order;
        order.push(m.Body as string);
        await t.client.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: [{ Id: 'x', ReceiptHandle: m.ReceiptHandle }] }));
      }
    };
    await setPlan('shuffle=0.3,seed=5');
    const standard = await drain(url);
    assert.deepEqual([...standard].sort(), bodies, 'every message once');
    const overtaken = standard.filter((b, i) => standard.slice(i + 1).some((later) => later < b)).length;
    assert.ok(overtaken >= 10, `only ${overtaken} messages were overtaken: ${standard.join(' ')}`);
    const passes = (await counts()).shuffle;
    assert.ok(passes >= 20 && passes <= 80, `${passes} passes over 100 receives at 0.3`);
    assert.deepEqual(await drain(fifo), bodies, 'a FIFO queue keeps its order');
    assert.equal((await counts()).shuffle, passes, 'no draws on a FIFO queue');
  });

  it('gives the same faults for the same seed and requests, other faults for another seed', async () => {
    const url = await t.createQueue('orders');
    const run = async (seed: number): Promise<string> => {
      await setPlan({ seed, rules: [{ kind: 'throttle', rate: 0.3 }, { kind: 'internal-error', rate: 0.2 }] });
      return (await sendMany(url, 200)).map((o) => (o === 'ok' ? '.' : o[0])).join('');
    };
    const first = await run(42);
    assert.match(first, /R/);
    assert.match(first, /I/);
    assert.equal(await run(42), first);
    assert.notEqual(await run(43), first);
  });

  it('scopes a rule to its actions and queues', async () => {
    const a = await t.createQueue('a');
    const b = await t.createQueue('b');
    await setPlan('throttle=0.5:SendMessage@a,seed=9');
    const onA = tally(await sendMany(a, 200));
    const onB = tally(await sendMany(b, 200));
    const receives = [];
    for (let i = 0; i < 100; i++) receives.push(await outcome(t.client.send(new ReceiveMessageCommand({ QueueUrl: a }))));
    assert.ok((onA.RequestThrottled ?? 0) >= 70 && (onA.RequestThrottled ?? 0) <= 130, JSON.stringify(onA));
    assert.deepEqual(onB, { ok: 200 });
    assert.deepEqual(tally(receives), { ok: 100 });
    assert.ok(injected.every((f) => f.action === 'SendMessage' && f.queue === 'a'));
  });

  it('answers injected errors in each protocol\'s shape', async () => {
    const url = await t.createQueue('orders');
    const cases = [
      { plan: 'throttle=1', status: 400, type: 'ThrottlingException', queryCode: 'RequestThrottled', fault: 'Sender' },
      { plan: 'internal-error=1', status: 500, type: 'InternalError', queryCode: 'InternalError', fault: 'Receiver' },
      { plan: 'unavailable=1', status: 503, type: 'ServiceUnavailable', queryCode: 'ServiceUnavailable', fault: 'Receiver' },
    ];
    for (const c of cases) {
      await setPlan(c.plan);
      const json = await rawRequest(t.server.endpoint, { target: 'AmazonSQS.SendMessage', body: JSON.stringify({ QueueUrl: url, MessageBody: 'x' }) });
      assert.equal(json.status, c.status, json.text);
      assert.equal(awsError(json.text).__type, `com.amazonaws.sqs#${c.type}`);
      assert.equal(json.headers.get('x-amzn-query-error'), `${c.queryCode};${c.fault}`);
      const xml = await query(t.server.endpoint, { Action: 'SendMessage', MessageBody: 'x' }, { path: new URL(url).pathname });
      assert.equal(xml.status, c.status, xml.raw);
      assert.deepEqual({ ...queryError(xml), message: '' }, { type: c.fault, code: c.queryCode, message: '' });
      assert.equal(xml.headers.get('x-amzn-query-error'), `${c.queryCode};${c.fault}`);
    }
    assert.deepEqual(injected.map((f) => `${f.kind} ${f.action} ${f.queue}`), cases.flatMap((c) => [`${c.plan.split('=')[0]} SendMessage orders`, `${c.plan.split('=')[0]} SendMessage orders`]));
  });

  it('lets the SDK retry throttles and 5xx answers, each attempt a fault of its own', async () => {
    const url = await t.createQueue('orders');
    const retrying = new SQSClient({ endpoint: t.server.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 2 });
    try {
      await setPlan('throttle=1:SendMessage');
      const throttled = await retrying.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' })).then(
        () => assert.fail('the send was throttled on every attempt'),
        (err: unknown) => err as { name: string; $metadata: { attempts?: number } },
      );
      assert.equal(throttled.name, 'RequestThrottled');
      assert.equal(throttled.$metadata.attempts, 2);
      assert.equal((await counts()).throttle, 2);
      // A plan that fails the first attempt only: the retry gets through.
      await setPlan({ seed: 1, rules: [{ kind: 'unavailable', rate: 0.5, actions: ['SendMessage'] }] });
      let retried = 0;
      for (let i = 0; i < 20; i++) {
        const before = injected.length;
        const out = await retrying.send(new SendMessageCommand({ QueueUrl: url, MessageBody: `m${i}` })).catch(() => undefined);
        if (out && injected.length > before) retried++;
      }
      assert.ok(retried > 0, 'some sends succeeded on their retry');
    } finally {
      retrying.destroy();
    }
  });

  it('validates the control endpoint\'s plans and names the field', async () => {
    const refused = async (body: string, field: string, message: RegExp): Promise<void> => {
      const answer = await control('PUT', body);
      assert.equal(answer.status, 400, body);
      assert.equal(answer.json.field, field, JSON.stringify(answer.json));
      assert.match(answer.json.error as string, message);
    };
    await refused('{"rules":[{"kind":"throttle","rate":2}]}', 'rules[0].rate', /from 0 to 1, not 2/);
    await refused('{"rules":[{"kind":"explode","rate":0.1}]}', 'rules[0].kind', /one of duplicate, throttle/);
    await refused('{"rules":[{"kind":"latency"}]}', 'rules[0].minMs', /required/);
    await refused('{"rules":[{"kind":"latency","minMs":50,"maxMs":10}]}', 'rules[0].maxMs', /not be below minMs/);
    await refused('{"rules":[{"kind":"duplicate","rate":0.1,"actions":["SendMessage"]}]}', 'rules[0].actions[0]', /DeleteMessage, DeleteMessageBatch/);
    await refused('{"rules":[{"kind":"throttle","rate":0.1,"queues":["bad name"]}]}', 'rules[0].queues[0]', /not a valid queue name/);
    await refused('{"seed":-1,"rules":[]}', 'seed', /whole number/);
    await refused('{"rules":[],"extra":1}', 'extra', /not a field/);
    await refused('{"rules":', 'plan', /not valid JSON/);
    await refused('throttle=lots', 'item 1 ("throttle=lots")', /rate must be a number/);
    const wrongMethod = await control('POST', '{}');
    assert.equal(wrongMethod.status, 405);
    assert.deepEqual((await control('GET')).json.plan, { seed: 1, rules: [] }, 'a refused plan changes nothing');

    await setPlan('duplicate=0.1,throttle=0.05:SendMessage,latency=50-200ms,seed=42');
    const shown = (await control('GET')).json;
    assert.equal(shown.compact, 'duplicate=0.1,throttle=0.05:SendMessage,latency=50-200ms,seed=42');
    assert.equal(shown.description, 'duplicate 10%, throttle 5% (SendMessage), latency 50–200 ms');
    assert.deepEqual(shown.plan, {
      seed: 42,
      rules: [
        { kind: 'duplicate', rate: 0.1 },
        { kind: 'throttle', rate: 0.05, actions: ['SendMessage'] },
        { kind: 'latency', rate: 1, minMs: 50, maxMs: 200 },
      ],
    });
    await setPlan('none');
    assert.equal((await control('GET')).json.description, 'no faults');
  });

  it('refuses control requests that name a foreign host, as every request', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${t.server.endpoint}/_workbench/faults`, { headers: { Host: 'attacker.example' } }, (r) => {
        r.resume();
        resolve(r.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(status, 403);
  });
});

describe('local server: faults given at start', () => {
  it('starts with the plan it is given', async () => {
    const t = await startTestServer({ faults: { seed: 2, rules: [{ kind: 'throttle', rate: 1, actions: ['SendMessage'] }] } });
    try {
      const url = await t.createQueue('orders');
      assert.equal(await outcome(t.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' }))), 'RequestThrottled');
      assert.equal(t.server.faults.counts.throttle, 1);
    } finally {
      await t.close();
    }
  });
});

describe('local server: who may change faults', () => {
  /** This machine's first non-loopback IPv4 address: requests from it are not from loopback. */
  const outward = Object.values(networkInterfaces())
    .flat()
    .find((a) => a?.family === 'IPv4' && !a.internal)?.address;

  for (const allowRemoteControl of [false, true]) {
    it(`answers the control endpoint from another address only when allowed (${allowRemoteControl ? 'allowed' : 'default'})`, async function () {
      if (!outward) this.skip();
      const t = await startTestServer({ host: '0.0.0.0', allowRemoteControl });
      try {
        const res = await fetch(`http://${outward}:${t.server.port}/_workbench/faults`, { method: 'PUT', body: 'throttle=1' });
        const body = (await res.json()) as { error?: string };
        if (allowRemoteControl) {
          assert.equal(res.status, 200);
          assert.equal(t.server.faults.active, true);
        } else {
          assert.equal(res.status, 403);
          assert.match(body.error ?? '', /--allow-remote-control/);
          assert.equal(t.server.faults.active, false);
        }
      } finally {
        await t.close();
      }
    });
  }
});
