/**
 * Work that grows with hostile or merely large input, where it must stay linear: a Number
 * attribute of 80,000 digits, a FIFO receive among 200,000 groups beside one group, and a
 * move task behind 290,000 messages in flight. Each figure stands beside the small case it
 * should not be far from.
 */
import { ManualClock } from '../../src/local/clock';
import { SqsEngine } from '../../src/local/engine';
import { numberValueProblem } from '../../src/model/sqsLimits';
import { median, percentile } from '../util';
import type { Section } from './section';

function timeMs(run: () => void): number {
  const t = performance.now();
  run();
  return performance.now() - t;
}

/** p50 and p99 of a 10-message receive on a FIFO queue of `groups` groups (one message each). */
async function fifoReceive(groups: number): Promise<{ p50: number; p99: number }> {
  const engine = new SqsEngine({ clock: new ManualClock(0) });
  const url = engine.createQueue(`g${groups}.fifo`, { FifoQueue: 'true', ContentBasedDeduplication: 'true' });
  const perGroup = Math.max(1, Math.floor(200_000 / groups));
  for (let g = 0; g < groups; g++) for (let i = 0; i < perGroup; i++) engine.sendMessage(url, { MessageBody: `m${g}-${i}`, MessageGroupId: `g${g}` });
  const times: number[] = [];
  for (let r = 0; r < 500; r++) {
    const t = performance.now();
    const got = await engine.receiveMessage(url, { MaxNumberOfMessages: 10 });
    times.push(performance.now() - t);
    // A consumer deletes what it got, so that its groups move on.
    for (const m of got) engine.deleteMessage(url, m.ReceiptHandle);
  }
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

export const hostileInputSection: Section = {
  name: 'hostile',
  title: 'Large and hostile input: Number attributes, FIFO groups, move tasks',
  async run({ report }) {
    const longNumber = `${'1'.repeat(80_000)}x`;
    const zeros = `1${'0'.repeat(80_000)}1`;
    const number = median([0, 1, 2].map(() => timeMs(() => numberValueProblem(longNumber))));
    const zerosMs = median([0, 1, 2].map(() => timeMs(() => numberValueProblem(zeros))));
    const small = median([0, 1, 2].map(() => timeMs(() => numberValueProblem('12345.678e9'))));

    const one = await fifoReceive(1);
    const many = await fifoReceive(200_000);

    const clock = new ManualClock(0);
    const engine = new SqsEngine({ clock });
    const dlq = engine.createQueue('bench-dlq');
    const source = engine.createQueue('bench-source', { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: engine.queueArn('bench-dlq'), maxReceiveCount: 5 }) });
    for (let i = 0; i < 300_000; i++) engine.sendMessage(dlq, { MessageBody: `m${i}` });
    for (let taken = 0; taken < 290_000; taken += 10) await engine.receiveMessage(dlq, { MaxNumberOfMessages: 10, VisibilityTimeout: 3600 });
    engine.startMessageMoveTask(engine.queueArn('bench-dlq'), engine.queueArn('bench-source'), 500);
    let longestTick = 0;
    for (let s = 0; s < 80; s++) longestTick = Math.max(longestTick, timeMs(() => clock.advance(100)));
    const moved = engine.counts(source).visible;

    report.table({
      columns: ['what', 'large', 'small', ''],
      rows: [
        ['Number attribute check: 80,000 digits + "x" / 1, 80,000 zeros, 1', `${number.toFixed(2)} / ${zerosMs.toFixed(2)} ms`, `${small.toFixed(3)} ms ("12345.678e9")`, ''],
        ['FIFO receive of 10, p50 / p99: 200,000 groups vs 1 group', `${many.p50.toFixed(3)} / ${many.p99.toFixed(3)} ms`, `${one.p50.toFixed(3)} / ${one.p99.toFixed(3)} ms`, ''],
        ['move task at 500/s behind 290,000 in flight: moved in 8 s (clock), longest 100 ms step', `${moved} moved, ${longestTick.toFixed(1)} ms`, 'target 4,001', ''],
      ],
    });
    report.data('hostile', { numberMs: number, zerosMs, fifo: { many, one }, move: { moved, longestTickMs: longestTick } });
  },
};
