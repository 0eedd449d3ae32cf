import * as assert from 'node:assert/strict';
import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { createSqsClient, localConnection } from '../../src/sqs/connections';
import { SqsGateway } from '../../src/sqs/gateway';
import { HOLD_CAP_MS } from '../../src/shared/kinds';
import { LeaseSet, type LeaseClock, type LeaseEvent } from '../../src/sqs/leases';
import { settle, startTestServer, type TestServer } from './harness';

describe('leases: peek and hold against the local server, with one controlled clock', () => {
  let t: TestServer;
  let gateway: SqsGateway;
  let url: string;
  let leases: LeaseSet;
  let events: LeaseEvent['kind'][];
  /** The server's manual clock drives the lease timers too. */
  const leaseClock = (): LeaseClock => ({
    now: () => t.clock.now(),
    setTimeout: (cb, ms) => t.clock.setTimer(cb, ms),
    clearTimeout: (h) => t.clock.clearTimer(h as { id: number }),
  });
  const counts = () => t.server.engine.counts(url);
  /** Moves time on and lets the HTTP calls that timers started finish. */
  const advance = async (ms: number): Promise<void> => {
    t.clock.advance(ms);
    await settle(60);
  };

  beforeEach(async () => {
    t = await startTestServer();
    const connection = localConnection(t.server.endpoint, 'us-east-1');
    gateway = new SqsGateway(connection, createSqsClient(connection, { maxAttempts: 1 }));
    url = await t.createQueue('held', { VisibilityTimeout: '30' });
    for (let i = 0; i < 25; i++) await t.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: `m${i}` }));
    leases = new LeaseSet(gateway, url, 30, leaseClock());
    events = [];
    leases.onEvent((e) => events.push(e.kind));
  });
  afterEach(async () => {
    await leases.dispose();
    gateway.dispose();
    await t.close();
  });

  it('peeks at more than 10 messages with repeated receives and leaves nothing hidden', async () => {
    const got = await leases.receive({ count: 25, waitSeconds: 0, mode: 'peek' });
    assert.equal(got.length, 25);
    assert.equal(new Set(got.map((m) => m.messageId)).size, 25, 'no message twice in one peek');
    assert.deepEqual(counts(), { visible: 25, inflight: 0, delayed: 0 }, 'every peeked message is visible again at once');
    assert.ok(got.every((m) => m.state === 'peeked' && m.receiveCount === 1));
    assert.equal(leases.whyNot(got[0], 'delete')?.includes('Hold mode'), true);
  });

  it('holds exactly the count asked for with several receives in flight, each message once', async () => {
    const got = await leases.receive({ count: 17, waitSeconds: 0, mode: 'hold' });
    assert.equal(got.length, 17, 'never more than asked, though requests run side by side');
    assert.equal(new Set(got.map((m) => m.messageId)).size, 17);
    assert.deepEqual(counts(), { visible: 8, inflight: 17, delayed: 0 });
    const rest = await leases.receive({ count: 100, waitSeconds: 0, mode: 'hold' });
    assert.equal(rest.length, 8, 'the loop ends when the queue is empty');
    assert.deepEqual(counts(), { visible: 0, inflight: 25, delayed: 0 });
  });

  it('tells its listeners that each peeked message is visible again, with its window closed', async () => {
    const seen: { kind: LeaseEvent['kind']; id: string; state: string; deadline: number }[] = [];
    leases.onEvent((e) => seen.push({ kind: e.kind, id: e.message.messageId, state: e.message.state, deadline: e.message.deadline }));
    const before = t.clock.now();
    const got = await leases.receive({ count: 12, waitSeconds: 0, visibilityTimeout: 45, mode: 'peek' });
    assert.equal(got.length, 12);
    const received = seen.filter((e) => e.kind === 'received');
    assert.ok(received.every((e) => e.deadline <= before + 30_000), 'a peek is hidden for the loop, not for the hold timeout of 45 s');
    const peeked = seen.filter((e) => e.kind === 'peeked');
    assert.deepEqual(peeked.map((e) => e.id).sort(), got.map((m) => m.messageId).sort(), 'one change per peeked message');
    assert.ok(peeked.every((e) => e.state === 'peeked' && e.deadline === t.clock.now()), 'the window is closed when the peek ends');
    assert.match(leases.whyNot(got[0], 'release') ?? '', /Hold mode/);
  });

  it('tells its listeners when the auto-extend heartbeat gives up', async () => {
    const [m] = await leases.receive({ count: 1, waitSeconds: 0, visibilityTimeout: 20, mode: 'hold' });
    leases.setAutoExtend([m.messageId], true);
    assert.equal(events.at(-1), 'autoExtend', 'turning it on is a change too');
    // The network fails for the heartbeat's extension: the hold itself goes on until its deadline.
    const call = gateway.call.bind(gateway);
    gateway.call = ((action: string, queue: string | undefined, fn: Parameters<typeof call>[2]) =>
      action === 'ChangeMessageVisibilityBatch' ? Promise.reject(new Error('socket hang up')) : call(action, queue, fn)) as typeof gateway.call;
    events.length = 0;
    await advance(16_000);
    for (let i = 0; i < 100 && m.autoExtend; i++) await settle(20);
    assert.equal(m.autoExtend, false);
    assert.equal(m.state, 'held');
    assert.match(m.autoExtendNote ?? '', /Auto-extend stopped/);
    assert.deepEqual(events, ['failed', 'autoExtend'], 'the failure and the heartbeat\'s end are both told');
    gateway.call = call;
  });

  it('holds messages until their deadline, then marks them expired with a stale handle', async () => {
    const got = await leases.receive({ count: 3, waitSeconds: 0, visibilityTimeout: 20, mode: 'hold' });
    assert.equal(got.length, 3);
    assert.equal(counts().inflight, 3);
    assert.equal(got[0].deadline, t.clock.now() + 20_000);
    await advance(19_999);
    assert.equal(got[0].state, 'held');
    await advance(1);
    assert.ok(got.every((m) => m.state === 'expired'));
    assert.equal(counts().inflight, 0);
    const failures = await leases.delete([got[0].messageId]);
    assert.equal(failures[0].code, 'ReceiptHandleStale');
    assert.match(failures[0].message, /stale/);
    assert.equal(counts().visible, 25, 'nothing was deleted with the stale handle');
  });

  it('marks a hold expired even when its timer fires before the clock reaches the deadline', async () => {
    // Node's timers run on a monotonic clock and can fire a millisecond before Date.now() reaches the deadline.
    const early: LeaseClock = { ...leaseClock(), setTimeout: (cb, ms) => t.clock.setTimer(cb, ms > 5 ? ms - 5 : ms) };
    await leases.dispose();
    leases = new LeaseSet(gateway, url, 30, early);
    const [m] = await leases.receive({ count: 1, waitSeconds: 0, visibilityTimeout: 20, mode: 'hold' });
    await advance(19_995);
    assert.equal(m.state, 'held', 'the timer fired early: still held');
    await advance(5);
    assert.equal(m.state, 'expired', 'checked again at the deadline');
  });

  it('uses only the newest receipt handle after a message comes back', async () => {
    const [m] = await leases.receive({ count: 1, waitSeconds: 0, visibilityTimeout: 5, mode: 'hold' });
    const firstHandle = m.receiptHandle;
    await advance(5_000);
    assert.equal(m.state, 'expired');
    const again = await leases.receive({ count: 25, waitSeconds: 0, visibilityTimeout: 60, mode: 'hold' });
    const same = again.find((x) => x.messageId === m.messageId);
    assert.ok(same);
    assert.equal(same, m, 'the same record, updated');
    assert.notEqual(m.receiptHandle, firstHandle);
    assert.equal(m.receiveCount, 2);
    assert.equal(m.state, 'held');
    assert.deepEqual(await leases.delete([m.messageId]), []);
    assert.equal(counts().inflight, 24);
  });

  it('extends once by the queue timeout or a chosen number of seconds', async () => {
    const [m] = await leases.receive({ count: 1, waitSeconds: 0, mode: 'hold' });
    await advance(25_000);
    assert.deepEqual(await leases.extend([m.messageId]), []);
    assert.equal(m.deadline, t.clock.now() + 30_000);
    await advance(29_000);
    assert.equal(m.state, 'held');
    assert.deepEqual(await leases.extend([m.messageId], 120), []);
    await advance(119_000);
    assert.equal(m.state, 'held');
    assert.equal(counts().inflight, 1);
    await advance(1_000);
    assert.equal(m.state, 'expired');
    assert.equal(counts().inflight, 0);
  });

  it('auto-extends with a heartbeat before each deadline and stops at the 12-hour limit, saying so', async () => {
    const [m] = await leases.receive({ count: 1, waitSeconds: 0, mode: 'hold' });
    leases.defaultVisibilitySeconds = 3600;
    leases.setAutoExtend([m.messageId], true);
    for (let hour = 0; hour < 13 && m.state === 'held' && m.autoExtend; hour++) {
      const before = m.deadline;
      await advance(Math.max(0, m.deadline - t.clock.now() - 1000));
      // The heartbeat's extension travels over HTTP: wait until it has landed (or stopped).
      for (let i = 0; i < 100 && m.deadline === before && m.autoExtend; i++) await settle(20);
      assert.equal(m.state, 'held', `still held after ${hour} heartbeats`);
      assert.equal(counts().inflight, 1);
    }
    assert.ok(m.deadline - m.receivedAt >= HOLD_CAP_MS - 10_000, 'held for nearly 12 hours');
    assert.match(m.autoExtendNote ?? '', /12-hour limit/);
    assert.ok(m.deadline <= m.receivedAt + HOLD_CAP_MS, 'never past 12 hours after the receive');
    await advance(m.deadline - t.clock.now());
    assert.equal(m.state, 'expired');
    assert.ok(events.filter((e) => e === 'extended').length >= 12);
  }).timeout(20_000);

  it('releases a selection with the batch API and reports each entry', async () => {
    const got = await leases.receive({ count: 12, waitSeconds: 0, mode: 'hold' });
    const ids = got.map((m) => m.messageId);
    await t.client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: got[0].receiptHandle }));
    const failures = await leases.release([...ids, 'unknown-id']);
    assert.deepEqual(failures.map((f) => f.code).sort(), ['InvalidParameterValue', 'NotReceived'], 'the message deleted elsewhere is reported, with the unknown id');
    assert.equal(got[0].state, 'expired', 'its handle is stale now');
    assert.equal(counts().visible, 24);
    assert.ok(got.slice(1).every((m) => m.state === 'released'));
  });

  it('deletes one or many, each with its newest handle', async () => {
    const got = await leases.receive({ count: 15, waitSeconds: 0, mode: 'hold' });
    assert.deepEqual(await leases.delete(got.slice(0, 14).map((m) => m.messageId)), []);
    assert.equal(counts().inflight, 1);
    assert.equal(counts().visible, 10);
    assert.equal(leases.whyNot(got[0], 'extend'), 'The message was deleted.');
  });

  it('releases every held message when disposed: nothing is left hidden', async () => {
    await leases.receive({ count: 25, waitSeconds: 0, visibilityTimeout: 3600, mode: 'hold' });
    assert.equal(counts().inflight, 25);
    await leases.dispose('release');
    assert.deepEqual(counts(), { visible: 25, inflight: 0, delayed: 0 });
    const r = await t.client.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    assert.equal(r.Messages?.length, 10, 'a real consumer gets them at once');
  });

  it('leaves holds to run out when disposed with the expire policy', async () => {
    await leases.receive({ count: 2, waitSeconds: 0, visibilityTimeout: 10, mode: 'hold' });
    await leases.dispose('expire');
    assert.equal(counts().inflight, 2);
    await advance(10_000);
    assert.equal(counts().inflight, 0);
  });
});
