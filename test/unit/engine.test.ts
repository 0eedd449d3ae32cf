import * as assert from 'node:assert/strict';
import { ManualClock } from '../../src/local/clock';
import { SqsEngine, type ReceivedMessage } from '../../src/local/engine';
import { seededRandom } from '../../src/local/faults';

/** A small deterministic random source, so a failing sequence can be replayed. */
const random = seededRandom;

describe('SqsEngine with a controlled clock', () => {
  it('keeps counts exact and never delivers a message that is in flight, over random operations', async () => {
    for (const seed of [1, 2, 3]) {
      const rnd = random(seed);
      const clock = new ManualClock(0);
      const engine = new SqsEngine({ clock });
      const url = engine.createQueue('random', { MessageRetentionPeriod: '120' });
      const held = new Map<string, { handle: string; until: number }>();
      const sent = new Map<string, number>();
      for (let step = 0; step < 3000; step++) {
        const r = rnd();
        if (r < 0.35) {
          const delay = rnd() < 0.3 ? Math.floor(rnd() * 5) : 0;
          const { MessageId } = engine.sendMessage(url, { MessageBody: `m${step}`, DelaySeconds: delay });
          sent.set(MessageId, clock.now());
        } else if (r < 0.6) {
          const vt = Math.floor(rnd() * 4);
          const got: ReceivedMessage[] = await engine.receiveMessage(url, { MaxNumberOfMessages: 1 + Math.floor(rnd() * 10), VisibilityTimeout: vt });
          for (const m of got) {
            const h = held.get(m.MessageId);
            assert.ok(!h || h.until <= clock.now(), `seed ${seed} step ${step}: ${m.MessageId} delivered while in flight`);
            held.set(m.MessageId, { handle: m.ReceiptHandle, until: clock.now() + vt * 1000 });
          }
        } else if (r < 0.75 && held.size > 0) {
          const [id, h] = [...held][Math.floor(rnd() * held.size)];
          engine.deleteMessage(url, h.handle);
          held.delete(id);
          sent.delete(id);
        } else {
          clock.advance(Math.floor(rnd() * 1500));
        }
        const c = engine.counts(url);
        for (const [id, at] of sent) if (at + 120_000 <= clock.now()) sent.delete(id);
        assert.equal(c.visible + c.inflight + c.delayed, sent.size, `seed ${seed} step ${step}: counts add up to the messages held`);
      }
    }
  });

  it('serves a FIFO queue of 50,000 groups in turn: ten groups a receive, none twice, none in flight', async () => {
    const engine = new SqsEngine({ clock: new ManualClock(0) });
    const url = engine.createQueue('many.fifo', { FifoQueue: 'true', ContentBasedDeduplication: 'true' });
    for (let g = 0; g < 50_000; g++) engine.sendMessage(url, { MessageBody: `m${g}`, MessageGroupId: `g${g}` });
    const seen = new Set<string>();
    for (let r = 0; r < 200; r++) {
      const got = await engine.receiveMessage(url, { MaxNumberOfMessages: 10, AttributeNames: ['MessageGroupId'] });
      assert.equal(got.length, 10);
      for (const m of got) {
        const group = m.Attributes?.MessageGroupId ?? '';
        assert.ok(!seen.has(group), `group ${group} served twice while in flight`);
        seen.add(group);
      }
    }
    assert.deepEqual(engine.counts(url), { visible: 48_000, inflight: 2_000, delayed: 0 });
  });

  it('moves a dead-letter queue at its rate with 95,000 messages in flight ahead of the visible ones', async () => {
    const clock = new ManualClock(0);
    const engine = new SqsEngine({ clock });
    const dlq = engine.createQueue('big-dlq');
    const source = engine.createQueue('big-source', { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: engine.queueArn('big-dlq'), maxReceiveCount: 5 }) });
    for (let i = 0; i < 100_000; i++) engine.sendMessage(dlq, { MessageBody: `m${i}` });
    for (let taken = 0; taken < 95_000; taken += 10) await engine.receiveMessage(dlq, { MaxNumberOfMessages: 10, VisibilityTimeout: 3600 });
    const task = engine.startMessageMoveTask(engine.queueArn('big-dlq'), engine.queueArn('big-source'), 500);
    assert.ok(task);
    for (let s = 0; s < 4; s++) clock.advance(1000);
    // One message at the start, then 500 a second.
    assert.equal(engine.counts(source).visible, 2001, 'four seconds at 500 messages a second');
    assert.deepEqual(engine.counts(dlq), { visible: 2999, inflight: 95_000, delayed: 0 });
  });

  it('forgets FIFO deduplication ids exactly at the end of the 5-minute window', () => {
    const clock = new ManualClock(0);
    const engine = new SqsEngine({ clock });
    const url = engine.createQueue('d.fifo', { FifoQueue: 'true' });
    const first = engine.sendMessage(url, { MessageBody: 'a', MessageGroupId: 'g', MessageDeduplicationId: 'k' });
    clock.advance(299_999);
    assert.equal(engine.sendMessage(url, { MessageBody: 'a', MessageGroupId: 'g', MessageDeduplicationId: 'k' }).MessageId, first.MessageId);
    clock.advance(1);
    assert.notEqual(engine.sendMessage(url, { MessageBody: 'a', MessageGroupId: 'g', MessageDeduplicationId: 'k' }).MessageId, first.MessageId);
  });

  it('resolves waiting receives with nothing when the engine closes', async () => {
    const clock = new ManualClock(0);
    const engine = new SqsEngine({ clock });
    const url = engine.createQueue('w');
    const poll = engine.receiveMessage(url, { WaitTimeSeconds: 20 });
    assert.equal(engine.waitingReceives(url), 1);
    engine.close();
    assert.deepEqual(await poll, []);
  });

  it('resolves waiting receives when their queue is deleted', async () => {
    const engine = new SqsEngine({ clock: new ManualClock(0) });
    const url = engine.createQueue('gone');
    const poll = engine.receiveMessage(url, { WaitTimeSeconds: 20 });
    engine.deleteQueue(url);
    assert.deepEqual(await poll, []);
  });
});
