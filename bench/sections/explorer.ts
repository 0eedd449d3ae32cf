/**
 * A full explorer refresh of 1,000 queues through the extension's own data path
 * (`QueueCatalog.refresh()` over an `SqsGateway` with the local connection's SDK client,
 * 8 GetQueueAttributes in flight), side by side with the floor: a plain SDK loop making the
 * same calls (ListQueues pages of 1,000, then GetQueueAttributes All per queue, 8 in flight)
 * with a client built with the same settings. Both run against our server in its own
 * process; the rounds alternate which goes first, and each figure is the median of the rounds.
 */
import { GetQueueAttributesCommand, ListQueuesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { QueueCatalog } from '../../src/sqs/queueCatalog';
import type { SqsGateway } from '../../src/sqs/gateway';
import type { ServerChild } from '../children';
import { ratio } from '../report';
import { median, runWorkers } from '../util';
import { cpuMsSince, createQueues, putMessages, workbenchClient, workbenchGateway } from '../workbench';
import type { Section } from './section';

const QUEUES = 1000;
const CONCURRENCY = 8;
const ROUNDS = 9;
const CREATE_CONCURRENCY = 16;
/** Every this many queues, one holds a few messages. */
const MESSAGES_EVERY = 20;
const TARGET_RATIO = 1.2;
const QUEUE_PREFIX = 'bench-explorer-';

type Kind = 'live' | 'first' | 'floor';

const LABELS: Record<Kind, string> = {
  live: 'QueueCatalog.refresh() (live refresh, same catalog)',
  first: 'QueueCatalog.refresh() (first load, new catalog)',
  floor: 'plain SDK loop (floor)',
};

interface Sample {
  ms: number;
  clientCpuMs: number;
  serverCpuMs: number;
  queues: number;
  messages: number;
  /** Calls the gateway counted during this refresh, per action (explorer only). */
  calls?: Record<string, number>;
}

interface Seen {
  queues: number;
  messages: number;
}

/** The floor: the same calls as the catalog, with nothing around them but a map of the answers. */
async function floorRefresh(client: SQSClient): Promise<Seen> {
  const urls: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListQueuesCommand({ MaxResults: 1000, NextToken: token }));
    urls.push(...(page.QueueUrls ?? []));
    token = page.NextToken;
  } while (token);
  const attributes = new Map<string, Record<string, string>>();
  let next = 0;
  await runWorkers(Math.min(CONCURRENCY, urls.length), async () => {
    while (next < urls.length) {
      const url = urls[next++];
      const out = await client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }));
      attributes.set(url, out.Attributes ?? {});
    }
  });
  let messages = 0;
  for (const a of attributes.values()) messages += Number(a.ApproximateNumberOfMessages ?? 0);
  return { queues: attributes.size, messages };
}

function catalogSeen(catalog: QueueCatalog): Seen {
  const queues = catalog.queues;
  return { queues: queues.length, messages: queues.reduce((n, q) => n + q.visible, 0) };
}

function newCatalog(gateway: SqsGateway): QueueCatalog {
  return new QueueCatalog(gateway, { concurrency: () => CONCURRENCY });
}

function callDelta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [action, n] of Object.entries(after)) {
    const d = n - (before[action] ?? 0);
    if (d !== 0) out[action] = d;
  }
  return out;
}

async function measure(server: ServerChild, run: () => Promise<Seen>, gateway?: SqsGateway): Promise<Sample> {
  const serverBefore = await server.stats(false);
  const callsBefore = gateway?.callCounts();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const seen = await run();
  const ms = performance.now() - started;
  const clientCpuMs = cpuMsSince(cpuBefore);
  const callsAfter = gateway?.callCounts();
  const serverAfter = await server.stats(false);
  return {
    ms,
    clientCpuMs,
    serverCpuMs: serverAfter.cpuUserMs + serverAfter.cpuSystemMs - serverBefore.cpuUserMs - serverBefore.cpuSystemMs,
    ...seen,
    ...(callsBefore && callsAfter ? { calls: callDelta(callsBefore, callsAfter) } : {}),
  };
}

interface ViewReads {
  /** `catalog.queues`: the sorted copy getChildren walks. */
  sortedListMs: number;
  /** `isDeadLetterQueue` twice per queue, as QueueNode.toTreeItem does (hasRelations and the icon). */
  isDeadLetterQueueMs: number;
  /** `deadLetterSources` once per queue, as onCatalogChange does when every queue's counts changed. */
  deadLetterSourcesMs: number;
}

/** What the tree reads from the catalog to draw the queues, outside refresh() itself (median of a few passes). */
function viewReads(catalog: QueueCatalog): ViewReads {
  const passes: ViewReads[] = [];
  let found = 0;
  for (let pass = 0; pass < 5; pass++) {
    let t = performance.now();
    const queues = catalog.queues;
    const sortedListMs = performance.now() - t;
    t = performance.now();
    for (const q of queues) {
      if (catalog.isDeadLetterQueue(q.arn)) found++;
      if (catalog.isDeadLetterQueue(q.arn)) found++;
    }
    const isDeadLetterQueueMs = performance.now() - t;
    t = performance.now();
    for (const q of queues) found += catalog.deadLetterSources(q.arn).length;
    passes.push({ sortedListMs, isDeadLetterQueueMs, deadLetterSourcesMs: performance.now() - t });
  }
  const med = (get: (v: ViewReads) => number): number => (found >= 0 ? median(passes.map(get)) : NaN);
  return { sortedListMs: med((v) => v.sortedListMs), isDeadLetterQueueMs: med((v) => v.isDeadLetterQueueMs), deadLetterSourcesMs: med((v) => v.deadLetterSourcesMs) };
}

const r1 = (n: number): number => Math.round(n * 10) / 10;

export const explorerSection: Section = {
  name: 'explorer',
  title: `Explorer: a full refresh of ${QUEUES.toLocaleString('en-US')} queues, the extension's catalog vs a plain SDK loop (our server)`,
  async run(context) {
    const { report } = context;
    const server = await context.children.start('ours');
    const setup = workbenchClient(server.endpoint);
    const floorClient = workbenchClient(server.endpoint);
    const gateway = workbenchGateway(server.endpoint);
    try {
      const names = Array.from({ length: QUEUES }, (_, i) => `${QUEUE_PREFIX}${String(i).padStart(4, '0')}`);
      const createStarted = performance.now();
      const urls = await createQueues(setup, names, CREATE_CONCURRENCY);
      let expectedMessages = 0;
      for (let i = 0; i < QUEUES; i += MESSAGES_EVERY) {
        const count = 1 + ((i / MESSAGES_EVERY) % 5);
        await putMessages(setup, urls[i], count, names[i]);
        expectedMessages += count;
      }
      report.line(
        `  ${QUEUES} queues created and ${expectedMessages} messages put in ${Math.ceil(QUEUES / MESSAGES_EVERY)} of them in ${Math.round(performance.now() - createStarted)} ms; ` +
          `${ROUNDS} rounds after one warm-up of each, alternating which goes first; concurrency ${CONCURRENCY}; both clients from createSqsClient(localConnection(endpoint, 'us-east-1')).`,
      );

      const live = newCatalog(gateway);
      const samples: Record<Kind, Sample[]> = { live: [], first: [], floor: [] };
      const runs: Record<Kind, () => Promise<Sample>> = {
        live: () =>
          measure(
            server,
            async () => {
              await live.refresh();
              return catalogSeen(live);
            },
            gateway,
          ),
        first: () => {
          const fresh = newCatalog(gateway);
          return measure(
            server,
            async () => {
              await fresh.refresh();
              return catalogSeen(fresh);
            },
            gateway,
          );
        },
        floor: () => measure(server, () => floorRefresh(floorClient)),
      };

      // Warm-up: JIT, sockets, lazily loaded SDK parts; the live catalog's first load.
      const warmup: Record<Kind, Sample> = { live: await runs.live(), first: await runs.first(), floor: await runs.floor() };
      const order: Kind[] = ['live', 'floor', 'first'];
      for (let round = 0; round < ROUNDS; round++) {
        const kinds = round % 2 === 0 ? order : [...order].reverse();
        for (const kind of kinds) samples[kind].push(await runs[kind]());
      }

      const med = (kind: Kind, get: (s: Sample) => number): number => median(samples[kind].map(get));
      const floorMs = med('floor', (s) => s.ms);
      report.table({
        columns: ['path', 'median ms', 'min ms', 'max ms', 'time / floor', 'client CPU ms', 'server CPU ms', 'queues', 'messages'],
        rows: (['live', 'first', 'floor'] as const).map((kind) => [
          LABELS[kind],
          r1(med(kind, (s) => s.ms)),
          r1(Math.min(...samples[kind].map((s) => s.ms))),
          r1(Math.max(...samples[kind].map((s) => s.ms))),
          kind === 'floor' ? '1.00' : ratio(med(kind, (s) => s.ms), floorMs)?.toFixed(2),
          r1(med(kind, (s) => s.clientCpuMs)),
          r1(med(kind, (s) => s.serverCpuMs)),
          med(kind, (s) => s.queues),
          med(kind, (s) => s.messages),
        ]),
      });

      // Calls per refresh, from gateway.callCounts(): every round must show the same.
      const callLines = new Set([...samples.live, ...samples.first].map((s) => JSON.stringify(s.calls ?? {})));
      const perRefresh = samples.live[0]?.calls ?? {};
      const listQueues = perRefresh.ListQueues ?? 0;
      const getAttributes = perRefresh.GetQueueAttributes ?? 0;
      const others = Object.entries(perRefresh).filter(([a]) => a !== 'ListQueues' && a !== 'GetQueueAttributes');
      report.line(
        `\n  Calls per refresh (gateway.callCounts()): ListQueues=${listQueues}, GetQueueAttributes=${getAttributes}` +
          `${others.map(([a, n]) => `, ${a}=${n}`).join('')} (${callLines.size === 1 ? `the same in all ${samples.live.length + samples.first.length} measured refreshes` : `differs between refreshes: ${[...callLines].join(' | ')}`}).`,
      );
      const view = viewReads(live);
      report.line(
        `  Catalog reads the tree makes outside refresh(), ${QUEUES} queues: catalog.queues ${view.sortedListMs.toFixed(2)} ms; ` +
          `2 x isDeadLetterQueue per queue (toTreeItem) ${r1(view.isDeadLetterQueueMs)} ms; ` +
          `deadLetterSources per queue (onCatalogChange when every queue's counts changed) ${r1(view.deadLetterSourcesMs)} ms.`,
      );
      report.line(`  (warm-up: live ${r1(warmup.live.ms)} ms, first ${r1(warmup.first.ms)} ms, floor ${r1(warmup.floor.ms)} ms; CPU figures are per refresh; server CPU is our server's process.)`);

      const liveMs = med('live', (s) => s.ms);
      const liveRatio = ratio(liveMs, floorMs);
      const firstRatio = ratio(med('first', (s) => s.ms), floorMs);
      const complete = [...samples.live, ...samples.first, ...samples.floor].every((s) => s.queues === QUEUES && s.messages === expectedMessages);
      report.target(
        'explorer',
        `explorer refresh of ${QUEUES} queues / plain SDK floor <= ${TARGET_RATIO}`,
        complete && liveRatio !== undefined && liveRatio <= TARGET_RATIO,
        `live refresh ${r1(liveMs)} ms vs floor ${r1(floorMs)} ms: ${liveRatio?.toFixed(2) ?? '?'}x (first load ${firstRatio?.toFixed(2) ?? '?'}x)` +
          `${complete ? '' : `; some refresh did not see ${QUEUES} queues and ${expectedMessages} messages`}`,
      );
      const exact = callLines.size === 1 && listQueues === 1 && getAttributes === QUEUES && others.length === 0;
      report.target(
        'explorer',
        `calls per refresh: exactly 1 ListQueues and ${QUEUES} GetQueueAttributes`,
        exact,
        `ListQueues=${listQueues}, GetQueueAttributes=${getAttributes}${others.map(([a, n]) => `, ${a}=${n}`).join('')}${callLines.size === 1 ? '' : ' (not the same in every refresh)'}`,
      );
      report.data('explorer', {
        parameters: { queues: QUEUES, concurrency: CONCURRENCY, rounds: ROUNDS, expectedMessages, targetRatio: TARGET_RATIO },
        medianMs: { live: liveMs, first: med('first', (s) => s.ms), floor: floorMs },
        ratio: { live: liveRatio, first: firstRatio },
        callsPerRefresh: perRefresh,
        viewReads: view,
        warmup,
        samples,
      });
    } finally {
      gateway.dispose();
      floorClient.destroy();
      setup.destroy();
      await context.children.stop(server);
    }
  },
};
