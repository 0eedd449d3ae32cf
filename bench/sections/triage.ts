/**
 * Dead-letter triage through the extension's own code, each beside a plain SDK script
 * making the same calls against the same in-process local server:
 * - redriving 10,000 messages: `Redrives.start` (StartMessageMoveTask, then polling
 *   ListMessageMoveTasks until COMPLETED) vs the SDK's StartMessageMoveTask and the same
 *   polling loop; both poll every POLL_MS;
 * - moving 1,000 held messages to another queue: `transferMessages` (SendMessageBatch, then
 *   the leases' DeleteMessageBatch of the originals whose copies were accepted) vs a plain
 *   loop of SendMessageBatch + DeleteMessageBatch, 10 at a time.
 * Rounds alternate which goes first; every measurement has fresh queues.
 */
import {
  DeleteMessageBatchCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  StartMessageMoveTaskCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { startLocalServer, type RunningLocalServer } from '../../src/local/server';
import { Redrives } from '../../src/services/redrives';
import { createSqsClient, localConnection } from '../../src/sqs/connections';
import { SqsGateway } from '../../src/sqs/gateway';
import { LeaseSet } from '../../src/sqs/leases';
import { transferMessages } from '../../src/sqs/transfer';
import { ratio } from '../report';
import { alternatingRounds, median, sleep } from '../util';
import type { Section } from './section';

const REDRIVE_MESSAGES = 10_000;
const MOVE_MESSAGES = 1_000;
const ROUNDS = Number(process.env.TRIAGE_ROUNDS ?? 5);
const POLL_MS = 100;
const REDRIVE_TARGET = 1.1;
const MOVE_TARGET = 1.2;
const STANDARD = { fifo: false, contentBasedDeduplication: false, maximumMessageSize: 1_048_576 };

let serial = 0;

/** A DLQ (named by a source's redrive policy) holding `n` messages, and an empty destination. */
function redriveQueues(server: RunningLocalServer, n: number): { dlq: { url: string; arn: string }; destinationArn: string; destinationUrl: string } {
  const id = ++serial;
  const engine = server.engine;
  const url = engine.createQueue(`bench-dlq-${id}`);
  const arn = engine.queueArn(`bench-dlq-${id}`);
  engine.createQueue(`bench-src-${id}`, { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: 3 }) });
  const destinationUrl = engine.createQueue(`bench-replay-${id}`);
  for (let i = 0; i < n; i++) engine.sendMessage(url, { MessageBody: JSON.stringify({ orderId: `ord-${i}`, status: 'FAILED' }) });
  return { dlq: { url, arn }, destinationArn: engine.queueArn(`bench-replay-${id}`), destinationUrl };
}

async function sdkRedrive(client: SQSClient, sourceArn: string, destinationArn: string): Promise<number> {
  await client.send(new StartMessageMoveTaskCommand({ SourceArn: sourceArn, DestinationArn: destinationArn }));
  for (;;) {
    const [task] = (await client.send(new ListMessageMoveTasksCommand({ SourceArn: sourceArn, MaxResults: 10 }))).Results ?? [];
    if (task && task.Status !== 'RUNNING') return task.ApproximateNumberOfMessagesMoved ?? 0;
    await sleep(POLL_MS);
  }
}

/** A queue holding `n` messages, all received (held) once, and an empty destination. */
function moveQueues(server: RunningLocalServer): { source: string; destination: string } {
  const id = ++serial;
  const source = server.engine.createQueue(`bench-move-${id}`);
  const destination = server.engine.createQueue(`bench-move-to-${id}`);
  for (let i = 0; i < MOVE_MESSAGES; i++) {
    server.engine.sendMessage(source, { MessageBody: JSON.stringify({ orderId: `ord-${i}`, status: 'FAILED' }), MessageAttributes: { eventType: { DataType: 'String', StringValue: 'OrderCreated' } } });
  }
  return { source, destination };
}

async function holdAll(client: SQSClient, url: string): Promise<Message[]> {
  const held: Message[] = [];
  while (held.length < MOVE_MESSAGES) {
    const out = await client.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 600, MessageAttributeNames: ['All'] }));
    if (!out.Messages?.length) break;
    held.push(...out.Messages);
  }
  return held;
}

/** The floor: send each batch of 10, then delete the originals whose copies were accepted. */
async function sdkMove(client: SQSClient, source: string, destination: string, held: Message[]): Promise<number> {
  let moved = 0;
  for (let i = 0; i < held.length; i += 10) {
    const batch = held.slice(i, i + 10);
    const sent = await client.send(
      new SendMessageBatchCommand({ QueueUrl: destination, Entries: batch.map((m, j) => ({ Id: `m${j}`, MessageBody: m.Body ?? '', MessageAttributes: m.MessageAttributes })) }),
    );
    const ok = (sent.Successful ?? []).map((s) => batch[Number(s.Id?.slice(1))]);
    const deleted = await client.send(new DeleteMessageBatchCommand({ QueueUrl: source, Entries: ok.map((m, j) => ({ Id: `m${j}`, ReceiptHandle: m.ReceiptHandle ?? '' })) }));
    moved += deleted.Successful?.length ?? 0;
  }
  return moved;
}

export const triageSection: Section = {
  name: 'triage',
  title: 'Dead-letter triage: redrive 10,000 messages and move 1,000 held messages, beside plain SDK scripts',
  async run({ report }) {
    const server = await startLocalServer({ port: 0 });
    const connection = localConnection(server.endpoint, 'us-east-1');
    const gateway = new SqsGateway(connection, createSqsClient(connection));
    const floorClient = createSqsClient(connection);
    const redrives = new Redrives({ pollMs: POLL_MS });
    try {
      const ours: number[] = [];
      const floor: number[] = [];
      await alternatingRounds(
        ROUNDS,
        async (round) => {
          const { dlq, destinationArn, destinationUrl } = redriveQueues(server, REDRIVE_MESSAGES);
          const t = performance.now();
          const final = await (await redrives.start(gateway, dlq, { destinationArn })).finished;
          const ms = performance.now() - t;
          if (final.moved !== REDRIVE_MESSAGES || server.engine.counts(destinationUrl).visible !== REDRIVE_MESSAGES) throw new Error(`the extension redrove ${final.moved} of ${REDRIVE_MESSAGES}`);
          if (round >= 0) ours.push(ms);
        },
        async (round) => {
          const { dlq, destinationArn } = redriveQueues(server, REDRIVE_MESSAGES);
          const t = performance.now();
          const moved = await sdkRedrive(floorClient, dlq.arn, destinationArn);
          if (moved !== REDRIVE_MESSAGES) throw new Error(`the SDK script redrove ${moved} of ${REDRIVE_MESSAGES}`);
          if (round >= 0) floor.push(performance.now() - t);
        },
      );
      const moveOurs: number[] = [];
      const moveFloor: number[] = [];
      await alternatingRounds(
        ROUNDS,
        async (round) => {
          const { source, destination } = moveQueues(server);
          const leases = new LeaseSet(gateway, source, 600);
          const held = await leases.receive({ count: MOVE_MESSAGES, waitSeconds: 0, visibilityTimeout: 600, mode: 'hold' });
          const t = performance.now();
          const outcomes = await transferMessages(gateway, held, { destinationUrl: destination, destination: STANDARD, deleteOriginals: (ids) => leases.delete(ids) });
          const ms = performance.now() - t;
          await leases.dispose('release');
          const moved = outcomes.filter((o) => o.deleted).length;
          if (moved !== MOVE_MESSAGES || server.engine.counts(destination).visible !== MOVE_MESSAGES) throw new Error(`the extension moved ${moved} of ${MOVE_MESSAGES}`);
          if (round >= 0) moveOurs.push(ms);
        },
        async (round) => {
          const { source, destination } = moveQueues(server);
          const held = await holdAll(floorClient, source);
          const t = performance.now();
          const moved = await sdkMove(floorClient, source, destination, held);
          if (moved !== MOVE_MESSAGES) throw new Error(`the SDK loop moved ${moved} of ${MOVE_MESSAGES}`);
          if (round >= 0) moveFloor.push(performance.now() - t);
        },
      );
      const redriveOurs = median(ours);
      const redriveFloor = median(floor);
      const moveOursMs = median(moveOurs);
      const moveFloorMs = median(moveFloor);
      const redriveRatio = redriveOurs / redriveFloor;
      const moveRatio = moveOursMs / moveFloorMs;
      report.table({
        columns: ['path', 'median ms', 'min ms', 'max ms', 'msg/s'],
        rows: [
          [`redrive ${REDRIVE_MESSAGES.toLocaleString('en-US')}: extension (Redrives, poll ${POLL_MS} ms)`, redriveOurs.toFixed(0), Math.min(...ours).toFixed(0), Math.max(...ours).toFixed(0), (REDRIVE_MESSAGES / (redriveOurs / 1000)).toFixed(0)],
          ['redrive: plain SDK StartMessageMoveTask + the same polling (floor)', redriveFloor.toFixed(0), Math.min(...floor).toFixed(0), Math.max(...floor).toFixed(0), (REDRIVE_MESSAGES / (redriveFloor / 1000)).toFixed(0)],
          [`move ${MOVE_MESSAGES.toLocaleString('en-US')} held: extension (transferMessages + leases)`, moveOursMs.toFixed(0), Math.min(...moveOurs).toFixed(0), Math.max(...moveOurs).toFixed(0), (MOVE_MESSAGES / (moveOursMs / 1000)).toFixed(0)],
          ['move: plain SDK SendMessageBatch + DeleteMessageBatch loop (floor)', moveFloorMs.toFixed(0), Math.min(...moveFloor).toFixed(0), Math.max(...moveFloor).toFixed(0), (MOVE_MESSAGES / (moveFloorMs / 1000)).toFixed(0)],
        ],
      });
      report.line(`  redrive extension / floor: ${ratio(redriveOurs, redriveFloor) ?? 'n/a'}x; move extension / floor: ${ratio(moveOursMs, moveFloorMs) ?? 'n/a'}x. Median of ${ROUNDS} rounds after a warm-up, the order alternating.`);
      report.target('triage', `Redrive 10,000 within ${REDRIVE_TARGET}x of a plain SDK StartMessageMoveTask`, redriveRatio <= REDRIVE_TARGET, `${redriveRatio.toFixed(2)}x (${redriveOurs.toFixed(0)} ms vs ${redriveFloor.toFixed(0)} ms)`);
      report.target('triage', `Move 1,000 held messages within ${MOVE_TARGET}x of a plain SDK send+delete loop`, moveRatio <= MOVE_TARGET, `${moveRatio.toFixed(2)}x (${moveOursMs.toFixed(0)} ms vs ${moveFloorMs.toFixed(0)} ms)`);
      report.data('triage', { redrive: { messages: REDRIVE_MESSAGES, pollMs: POLL_MS, medianMs: { extension: redriveOurs, floor: redriveFloor }, ratio: redriveRatio }, move: { messages: MOVE_MESSAGES, medianMs: { extension: moveOursMs, floor: moveFloorMs }, ratio: moveRatio }, rounds: ROUNDS });
    } finally {
      redrives.dispose();
      floorClient.destroy();
      gateway.dispose();
      await server.close();
    }
  },
};
