/**
 * What the inspector's queue activity costs the local server, per sample of a visible
 * inspector: `GET /_workbench/queues?name=…` (counts, and one pass over the queue's messages
 * for the oldest send time) beside the `GetQueueAttributes` call that samples the counts,
 * for a queue of 1,000 and of 100,000 messages. Medians and the 95th percentile of
 * sequential calls over HTTP.
 */
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { startLocalServer } from '../../src/local/server';
import { fetchServerStats } from '../../src/services/queueActivityHub';
import { createSqsClient, localConnection } from '../../src/sqs/connections';
import { ratio } from '../report';
import { median, percentile } from '../util';
import type { Section } from './section';

const SIZES = [1_000, 100_000];
const CALLS = Number(process.env.ACTIVITY_CALLS ?? 50);

const p95 = (values: number[]): number => percentile(values, 95);

async function timed(calls: number, call: () => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < calls; i++) {
    const started = performance.now();
    await call();
    times.push(performance.now() - started);
  }
  return times;
}

export const activitySection: Section = {
  name: 'activity',
  title: "Queue activity: the local server's queue figures beside GetQueueAttributes, per sample",
  async run({ report }) {
    const server = await startLocalServer({ port: 0 });
    const client = createSqsClient(localConnection(server.endpoint, 'us-east-1'), { maxAttempts: 1 });
    const rows: (string | number | undefined)[][] = [];
    const data: Record<string, unknown> = {};
    try {
      for (const size of SIZES) {
        const name = `bench-activity-${size}`;
        const url = server.engine.createQueue(name);
        for (let i = 0; i < size; i += 10) server.engine.sendMessageBatch(url, Array.from({ length: 10 }, (_, j) => ({ Id: String(j), MessageBody: `order ${i + j}` })));
        const stats = await timed(CALLS, () => fetchServerStats(url, name));
        const attributes = await timed(CALLS, () => client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] })));
        rows.push([size.toLocaleString('en-US'), median(stats).toFixed(2), p95(stats).toFixed(2), median(attributes).toFixed(2), p95(attributes).toFixed(2), ratio(median(stats), median(attributes))]);
        data[String(size)] = { statsMs: { p50: median(stats), p95: p95(stats) }, getQueueAttributesMs: { p50: median(attributes), p95: p95(attributes) } };
      }
    } finally {
      client.destroy();
      await server.close();
    }
    report.table({ columns: ['messages in the queue', '/_workbench/queues p50 ms', 'p95 ms', 'GetQueueAttributes p50 ms', 'p95 ms', 'ratio p50'], rows });
    report.data('activity', data);
  },
};
