/**
 * Our server's throughput over its two protocols side by side: AWS JSON 1.0 and AWS Query
 * (form-encoded requests, XML answers), each from a bare HTTP client so that the figures show
 * the server's cost of each protocol, not an SDK's. The same load as the throughput section:
 * SendMessageBatch (10 a batch, 8 in parallel), then ReceiveMessage + DeleteMessageBatch from
 * 8 workers until every message has arrived, checked exactly once. One server process; the
 * rounds alternate which protocol goes first; each figure is the median of the rounds.
 */
import { CLIENT_LABELS, openApi, type ClientKind, type SqsApi } from '../api';
import { messageBody } from '../bodies';
import type { ServerChild } from '../children';
import { formatNumber, ratio, type Cell } from '../report';
import { drainAll, sendAll } from '../sqsOps';
import { errorText, median } from '../util';
import type { BenchContext, Section } from './section';

const MESSAGES = 10_000;
const WARMUP_MESSAGES = 2_000;
const ROUNDS = 3;
const BODY_BYTES = 100;
const BATCH_SIZE = 10;
const CONCURRENCY = 8;
const VISIBILITY_TIMEOUT_SECONDS = 120;
const PROTOCOLS: readonly ClientKind[] = ['raw', 'query'];
const NAMES: Record<string, string> = { raw: 'JSON 1.0', query: 'Query' };

interface Round {
  sendMsgPerSec: number;
  drainMsgPerSec: number;
  /** Server CPU per message, µs. */
  sendCpuUs: number;
  drainCpuUs: number;
  exactlyOnce: boolean;
  problems: string[];
}

async function serverCpuMs(child: ServerChild): Promise<number> {
  const s = await child.stats(false);
  return s.cpuUserMs + s.cpuSystemMs;
}

async function measureRound(child: ServerChild, api: SqsApi, tag: string, count: number): Promise<Round> {
  const queueUrl = await api.createQueue(`bench-protocols-${tag}`, { VisibilityTimeout: String(VISIBILITY_TIMEOUT_SECONDS) });
  const cpu0 = await serverCpuMs(child);
  const sent = await sendAll(api, {
    queueUrl,
    count,
    body: (i) => messageBody(tag, i, BODY_BYTES),
    batchSize: BATCH_SIZE,
    concurrency: CONCURRENCY,
    deadline: performance.now() + 30_000,
    attempts: 1,
    keepAccepted: true,
  });
  const cpu1 = await serverCpuMs(child);
  const drained = await drainAll(api, {
    queueUrl,
    expected: sent.acceptedBodies,
    concurrency: CONCURRENCY,
    maxMessages: BATCH_SIZE,
    waitTimeSeconds: 0,
    visibilityTimeoutSeconds: VISIBILITY_TIMEOUT_SECONDS,
    deadline: performance.now() + 30_000,
    emptyBackoffMs: 5,
  });
  const cpu2 = await serverCpuMs(child);
  const left = await api.queueDepth(queueUrl);
  const exactlyOnce =
    sent.accepted === count && drained.unique === count && drained.duplicates === 0 && drained.missing === 0 && drained.unexpected === 0 && left.visible + left.inFlight === 0;
  return {
    sendMsgPerSec: Math.round(sent.accepted / (sent.ms / 1000)),
    drainMsgPerSec: Math.round(drained.unique / (drained.ms / 1000)),
    sendCpuUs: Math.round(((cpu1 - cpu0) * 1000) / Math.max(1, sent.accepted)),
    drainCpuUs: Math.round(((cpu2 - cpu1) * 1000) / Math.max(1, drained.unique)),
    exactlyOnce,
    problems: [...sent.errorSamples, ...drained.errorSamples],
  };
}

function printTable(context: BenchContext, rounds: Record<string, Round[]>): void {
  const med = (kind: ClientKind, get: (r: Round) => number): number | undefined => (rounds[kind].length > 0 ? Math.round(median(rounds[kind].map(get))) : undefined);
  const row = (label: string, get: (r: Round) => number): Cell[] => {
    const [json, query] = PROTOCOLS.map((k) => med(k, get));
    return [label, json, query, json !== undefined && query !== undefined ? ratio(query, json) : undefined];
  };
  const perRound = (label: string, get: (r: Round) => number): Cell[] => [label, ...PROTOCOLS.map((k) => rounds[k].map((r) => formatNumber(get(r))).join(' / ')), undefined];
  context.report.table({
    title: `Our server, ${PROTOCOLS.map((k) => CLIENT_LABELS[k]).join(' vs ')}`,
    columns: ['metric', NAMES.raw, NAMES.query, 'Query/JSON'],
    rows: [
      row('send (msg/s, median)', (r) => r.sendMsgPerSec),
      row('drain: receive + delete (msg/s, median)', (r) => r.drainMsgPerSec),
      perRound('  send msg/s per round', (r) => r.sendMsgPerSec),
      perRound('  drain msg/s per round', (r) => r.drainMsgPerSec),
      row('server CPU per message: send (µs)', (r) => r.sendCpuUs),
      row('server CPU per message: drain (µs)', (r) => r.drainCpuUs),
      ['exactly once, every round', ...PROTOCOLS.map((k) => rounds[k].length === ROUNDS && rounds[k].every((r) => r.exactlyOnce)), undefined],
    ],
  });
}

export const protocolsSection: Section = {
  name: 'protocols',
  title: `Protocols: our server over AWS JSON 1.0 and AWS Query, ${MESSAGES.toLocaleString('en-US')} messages of ${BODY_BYTES} bytes, batches of ${BATCH_SIZE}, ${CONCURRENCY} requests in parallel, ${ROUNDS} rounds`,
  async run(context) {
    const { report } = context;
    const rounds: Record<string, Round[]> = { raw: [], query: [] };
    const child = await context.children.start('ours');
    const apis = new Map(PROTOCOLS.map((k) => [k, openApi(k, child.endpoint)]));
    try {
      for (const [kind, api] of apis) await measureRound(child, api, `${kind}-warmup`, WARMUP_MESSAGES);
      for (let round = 1; round <= ROUNDS; round++) {
        const order = round % 2 === 1 ? PROTOCOLS : [...PROTOCOLS].reverse();
        for (const kind of order) {
          try {
            const r = await measureRound(child, apis.get(kind) as SqsApi, `${kind}-${round}`, MESSAGES);
            rounds[kind].push(r);
            for (const p of r.problems) report.note('protocols', `${NAMES[kind]} round ${round}: ${p}`);
          } catch (err) {
            report.note('protocols', `${NAMES[kind]} round ${round} failed: ${errorText(err)}`);
          }
        }
      }
    } finally {
      for (const api of apis.values()) api.close();
      await context.children.stop(child);
    }
    printTable(context, rounds);
    report.data('protocols', rounds);
    const queryOk = rounds.query.length === ROUNDS && rounds.query.every((r) => r.exactlyOnce);
    report.target('protocols', 'the Query protocol delivers every message exactly once', queryOk, `${rounds.query.filter((r) => r.exactlyOnce).length}/${ROUNDS} rounds exactly once`);
  },
};
