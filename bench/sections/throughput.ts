/**
 * Send and drain throughput of each server, each in its own process, driven from the runner:
 * SendMessageBatch (10 a batch, 8 requests in parallel), then ReceiveMessage +
 * DeleteMessageBatch from 8 parallel workers until every message has been received, counting
 * duplicates and missing messages.
 *
 * Measured with the AWS SDK and with a bare HTTP client, because the SDK's own CPU cost can
 * cap what the run shows of the server. Both servers run at once (one idles while the other
 * is measured) and the rounds alternate between them, so that drifting load on the machine
 * falls on both alike; each figure is the median of the rounds.
 */
import { CLIENT_LABELS, openApi, type ClientKind, type SqsApi } from '../api';
import { messageBody } from '../bodies';
import type { ServerChild } from '../children';
import { cpuTicks, otherCores } from '../machine';
import { SERVER_NAMES, type ProcessStats, type ServerName } from '../protocol';
import { formatNumber, megabytes, ratio, type Cell } from '../report';
import { drainAll, sendAll, type DrainOutcome, type SendOutcome } from '../sqsOps';
import { errorText, median } from '../util';
import type { BenchContext, Section } from './section';

const MESSAGES = 10_000;
const ROUNDS = 3;
const BODY_BYTES = 100;
const BATCH_SIZE = 10;
const CONCURRENCY = 8;
const VISIBILITY_TIMEOUT_SECONDS = 120;
const WAIT_TIME_SECONDS = 0;
const WARMUP_MESSAGES = 5_000;
const SEND_DEADLINE_MS = 20_000;
const DRAIN_DEADLINE_MS = 25_000;
const EMPTY_BACKOFF_MS = 5;
const SEND_ATTEMPTS = 3;
const TARGET_RATIO = 2;
/** Client CPU (of one core) from which a phase counts as limited by the client. */
const CLIENT_BOUND_PERCENT = 90;
const CLIENTS: readonly ClientKind[] = ['sdk', 'raw'];

interface PhaseCpu {
  /** CPU time of the server process, ms. */
  server: number;
  /** CPU time of the runner (the client), ms. */
  client: number;
  /** Cores that other processes on the machine kept busy meanwhile. */
  otherCores: number | undefined;
}

interface Round {
  round: number;
  send: Omit<SendOutcome, 'acceptedBodies'> & { msgPerSec: number; cpu: PhaseCpu };
  drain: DrainOutcome & { msgPerSec: number; cpu: PhaseCpu };
  leftInQueue: { visible: number; inFlight: number };
  rssAfterSendMB: number;
}

interface Series {
  server: ServerName;
  client: ClientKind;
  rounds: Round[];
  warmup: { sent: number; received: number; duplicates: number; missing: number };
}

interface Summary {
  sendMsgPerSec: number;
  drainMsgPerSec: number;
  sent: number;
  unique: number;
  duplicates: number;
  missing: number;
  unexpected: number;
  retriedBatches: number;
  left: number;
  exactlyOnce: boolean;
}

function serverCpuMs(before: ProcessStats, after: ProcessStats): number {
  return Math.round(after.cpuUserMs + after.cpuSystemMs - before.cpuUserMs - before.cpuSystemMs);
}

/** Runs `phase` and measures the CPU of the server, of the runner, and of everything else. */
async function withCpu<T extends { ms: number }>(child: ServerChild, phase: () => Promise<T>): Promise<{ result: T; cpu: PhaseCpu; after: ProcessStats }> {
  const serverBefore = await child.stats(false);
  const machineBefore = cpuTicks();
  const clientBefore = process.cpuUsage();
  const result = await phase();
  const clientUsed = process.cpuUsage(clientBefore);
  const machineAfter = cpuTicks();
  const after = await child.stats(false);
  const server = serverCpuMs(serverBefore, after);
  const client = Math.round((clientUsed.user + clientUsed.system) / 1000);
  return { result, cpu: { server, client, otherCores: otherCores(machineBefore, machineAfter, server + client, result.ms) }, after };
}

function bodies(tag: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => messageBody(tag, i, BODY_BYTES));
}

function send(api: SqsApi, queueUrl: string, all: string[]): Promise<SendOutcome> {
  return sendAll(api, {
    queueUrl,
    count: all.length,
    body: (i) => all[i],
    batchSize: BATCH_SIZE,
    concurrency: CONCURRENCY,
    deadline: performance.now() + SEND_DEADLINE_MS,
    attempts: SEND_ATTEMPTS,
    keepAccepted: true,
  });
}

function drain(api: SqsApi, queueUrl: string, expected: Set<string>): Promise<DrainOutcome> {
  return drainAll(api, {
    queueUrl,
    expected,
    concurrency: CONCURRENCY,
    maxMessages: BATCH_SIZE,
    waitTimeSeconds: WAIT_TIME_SECONDS,
    visibilityTimeoutSeconds: VISIBILITY_TIMEOUT_SECONDS,
    deadline: performance.now() + DRAIN_DEADLINE_MS,
    emptyBackoffMs: EMPTY_BACKOFF_MS,
  });
}

const QUEUE_ATTRIBUTES = { VisibilityTimeout: String(VISIBILITY_TIMEOUT_SECONDS) };

/** Warm-up on its own queue: JIT of client and server, sockets, lazily loaded SDK parts. */
async function warmUp(child: ServerChild, api: SqsApi): Promise<Series['warmup']> {
  const queueUrl = await api.createQueue(`bench-${api.kind}-warmup`, QUEUE_ATTRIBUTES);
  const sent = await send(api, queueUrl, bodies(`${child.server}-${api.kind}-warmup`, WARMUP_MESSAGES));
  const drained = await drain(api, queueUrl, sent.acceptedBodies);
  return { sent: sent.accepted, received: drained.unique, duplicates: drained.duplicates, missing: drained.missing };
}

async function measureRound(child: ServerChild, api: SqsApi, round: number): Promise<Round> {
  const queueUrl = await api.createQueue(`bench-${api.kind}-${round}`, QUEUE_ATTRIBUTES);
  const all = bodies(`${child.server}-${api.kind}-${round}`, MESSAGES);
  const sent = await withCpu(child, () => send(api, queueUrl, all));
  const { acceptedBodies, ...sendFigures } = sent.result;
  const drained = await withCpu(child, () => drain(api, queueUrl, acceptedBodies));
  return {
    round,
    send: { ...sendFigures, msgPerSec: Math.round(sent.result.accepted / (sent.result.ms / 1000)), cpu: sent.cpu },
    drain: { ...drained.result, msgPerSec: Math.round(drained.result.unique / (drained.result.ms / 1000)), cpu: drained.cpu },
    leftInQueue: await api.queueDepth(queueUrl),
    rssAfterSendMB: megabytes(sent.after.rssBytes),
  };
}

function summarize(series: Series): Summary {
  const r = series.rounds;
  const sum = (get: (round: Round) => number): number => r.reduce((total, round) => total + get(round), 0);
  const s: Omit<Summary, 'exactlyOnce'> = {
    sendMsgPerSec: Math.round(median(r.map((x) => x.send.msgPerSec))),
    drainMsgPerSec: Math.round(median(r.map((x) => x.drain.msgPerSec))),
    sent: sum((x) => x.send.accepted),
    unique: sum((x) => x.drain.unique),
    duplicates: sum((x) => x.drain.duplicates),
    missing: sum((x) => x.drain.missing),
    unexpected: sum((x) => x.drain.unexpected),
    retriedBatches: sum((x) => x.send.retriedBatches),
    left: sum((x) => x.leftInQueue.visible + x.leftInQueue.inFlight),
  };
  const exactlyOnce =
    r.length === ROUNDS &&
    s.sent === ROUNDS * MESSAGES &&
    s.unique === s.sent &&
    s.duplicates === 0 &&
    s.missing === 0 &&
    s.unexpected === 0 &&
    s.retriedBatches === 0 &&
    s.left === 0;
  return { ...s, exactlyOnce };
}

function deliveryText(s: Summary): string {
  return `${s.unique}/${s.sent} received over ${ROUNDS} rounds, ${s.duplicates} duplicates, ${s.missing} missing, ${s.unexpected} unexpected, ${s.left} left in queue`;
}

/** The round whose figure is the median, for figures that cannot be merged across rounds. */
function medianRound(rounds: Round[], get: (round: Round) => number): Round {
  const sorted = [...rounds].sort((a, b) => get(a) - get(b));
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

const percent = (part: number, whole: number): number => Math.round((part / whole) * 100);

function printTable(context: BenchContext, client: ClientKind, ours: Series | undefined, theirs: Series | undefined): void {
  const both = [ours, theirs];
  const pick = (get: (series: Series) => Cell): Cell[] => both.map((s) => (s && s.rounds.length > 0 ? get(s) : undefined));
  const row = (label: string, get: (series: Series) => number, withRatio = false): Cell[] => {
    const [a, b] = pick(get);
    return [label, a, b, withRatio && typeof a === 'number' && typeof b === 'number' ? ratio(a, b) : undefined];
  };
  const text = (label: string, get: (series: Series) => string): Cell[] => [label, ...pick(get), undefined];
  const perRound = (get: (round: Round) => number) => (s: Series): string => s.rounds.map((r) => formatNumber(get(r))).join(' / ');
  const busy = (get: (round: Round) => number, phase: 'send' | 'drain') => (s: Series): number =>
    percent(
      s.rounds.reduce((t, r) => t + get(r), 0),
      s.rounds.reduce((t, r) => t + r[phase].ms, 0),
    );
  const cpuPerMessage = (cpu: (round: Round) => number, messages: (round: Round) => number) => (s: Series): number =>
    Math.round(
      (s.rounds.reduce((t, r) => t + cpu(r), 0) * 1000) / Math.max(1, s.rounds.reduce((t, r) => t + messages(r), 0)),
    );
  const others = (phase: 'send' | 'drain') => (s: Series): string => {
    const values = s.rounds.map((r) => r[phase].cpu.otherCores).filter((v): v is number => v !== undefined);
    return values.length === 0 ? '-' : median(values).toFixed(2);
  };
  const latency = (phase: 'send' | 'drain', get: (round: Round) => { p50Ms: number; p95Ms: number; maxMs: number }) => (s: Series): string => {
    const l = get(medianRound(s.rounds, (r) => r[phase].msgPerSec));
    return `${l.p50Ms.toFixed(1)} / ${l.p95Ms.toFixed(1)} / ${l.maxMs.toFixed(0)}`;
  };

  context.report.table({
    title: `Client: ${CLIENT_LABELS[client]}`,
    columns: ['metric', 'ours', 'local-aws-sqs', 'ours/theirs'],
    rows: [
      row('send (msg/s, median)', (s) => summarize(s).sendMsgPerSec, true),
      row('drain: receive + delete (msg/s, median)', (s) => summarize(s).drainMsgPerSec, true),
      text('  send msg/s per round', perRound((r) => r.send.msgPerSec)),
      text('  drain msg/s per round', perRound((r) => r.drain.msgPerSec)),
      row('server CPU per message: send (µs)', cpuPerMessage((r) => r.send.cpu.server, (r) => r.send.accepted), true),
      row('server CPU per message: drain (µs)', cpuPerMessage((r) => r.drain.cpu.server, (r) => r.drain.unique), true),
      row('server busy: send (% of 1 core)', busy((r) => r.send.cpu.server, 'send')),
      row('server busy: drain (% of 1 core)', busy((r) => r.drain.cpu.server, 'drain')),
      row('client busy: send (% of 1 core)', busy((r) => r.send.cpu.client, 'send')),
      row('client busy: drain (% of 1 core)', busy((r) => r.drain.cpu.client, 'drain')),
      text('other processes: send / drain (cores)', (s) => `${others('send')(s)} / ${others('drain')(s)}`),
      text('SendMessageBatch p50/p95/max (ms)', latency('send', (r) => r.send.latency)),
      text('ReceiveMessage p50/p95/max (ms)', latency('drain', (r) => r.drain.receiveLatency)),
      text('DeleteMessageBatch p50/p95/max (ms)', latency('drain', (r) => r.drain.deleteLatency)),
      row('messages accepted by send', (s) => summarize(s).sent),
      row('send errors (failed entries + requests)', (s) => s.rounds.reduce((t, r) => t + r.send.failedEntries + r.send.requestErrors, 0)),
      row('receive requests', (s) => s.rounds.reduce((t, r) => t + r.drain.receiveRequests, 0)),
      row('  of which empty', (s) => s.rounds.reduce((t, r) => t + r.drain.emptyReceives, 0)),
      row('deliveries (incl. redeliveries)', (s) => s.rounds.reduce((t, r) => t + r.drain.deliveries, 0)),
      row('unique messages received', (s) => summarize(s).unique),
      row('duplicates', (s) => summarize(s).duplicates),
      row('missing', (s) => summarize(s).missing),
      row('unexpected bodies', (s) => summarize(s).unexpected),
      row('receive/delete errors', (s) => s.rounds.reduce((t, r) => t + r.drain.receiveErrors + r.drain.deleteErrors + r.drain.deleteFailedEntries, 0)),
      row('left in queue: visible + in flight', (s) => summarize(s).left),
      ['exactly once', ...pick((s) => summarize(s).exactlyOnce), undefined],
      row(`server RSS with ${MESSAGES.toLocaleString('en-US')} queued (MB, max)`, (s) => Math.max(...s.rounds.map((r) => r.rssAfterSendMB))),
    ],
  });
}

function noteProblems(context: BenchContext, series: Series): void {
  const note = (text: string): void => context.report.note('throughput', `${series.server} (${series.client}): ${text}`);
  for (const phase of ['send', 'drain'] as const) {
    const wall = series.rounds.reduce((t, r) => t + r[phase].ms, 0);
    const busy = percent(
      series.rounds.reduce((t, r) => t + r[phase].cpu.client, 0),
      wall,
    );
    if (wall > 0 && busy >= CLIENT_BOUND_PERCENT) {
      note(`the client kept a core ${busy}% busy during ${phase}: the client, not the server, set the pace; the server's figure is a lower bound.`);
    }
  }
  const w = series.warmup;
  if (w.duplicates > 0 || w.missing > 0 || w.received !== WARMUP_MESSAGES) note(`warm-up delivered ${w.received}/${w.sent}, ${w.duplicates} duplicates, ${w.missing} missing.`);
  for (const r of series.rounds) {
    for (const sample of [...r.send.errorSamples, ...r.drain.errorSamples]) note(`round ${r.round}: ${sample}`);
    if (r.send.timedOut) note(`round ${r.round}: send stopped at its ${SEND_DEADLINE_MS / 1000} s deadline.`);
    if (r.drain.timedOut) note(`round ${r.round}: drain stopped at its ${DRAIN_DEADLINE_MS / 1000} s deadline with ${r.drain.unique} of ${r.send.accepted} received.`);
    if (r.send.retriedBatches > 0) note(`round ${r.round}: ${r.send.retriedBatches} send batches were retried after a failed request; duplicates may come from the retries.`);
  }
}

function checkTargets(context: BenchContext, client: ClientKind, ours: Series | undefined, theirs: Series | undefined): void {
  const label = client === 'sdk' ? 'SDK client' : 'raw HTTP client';
  const a = ours && ours.rounds.length > 0 ? summarize(ours) : undefined;
  const b = theirs && theirs.rounds.length > 0 ? summarize(theirs) : undefined;
  for (const phase of ['send', 'drain'] as const) {
    const key = phase === 'send' ? 'sendMsgPerSec' : 'drainMsgPerSec';
    const r = a && b ? ratio(a[key], b[key]) : undefined;
    const detail = a && b && r !== undefined ? `ours ${a[key]} msg/s vs local-aws-sqs ${b[key]} msg/s = ${r}x` : 'cannot compare: a server did not finish';
    context.report.target('throughput', `${phase} throughput >= ${TARGET_RATIO}x local-aws-sqs (${label})`, r !== undefined && r >= TARGET_RATIO, detail);
  }
  context.report.target('throughput', `our server delivers every message exactly once (${label})`, a?.exactlyOnce ?? false, a ? deliveryText(a) : 'our server did not finish');
}

export const throughputSection: Section = {
  name: 'throughput',
  title: `Throughput: ${MESSAGES.toLocaleString('en-US')} messages of ${BODY_BYTES} bytes, batches of ${BATCH_SIZE}, ${CONCURRENCY} requests in parallel, each server in its own process, ${ROUNDS} rounds`,
  async run(context) {
    const { report } = context;
    const series: Record<ClientKind, Partial<Record<ServerName, Series>>> = { sdk: {}, raw: {}, query: {} };
    const children = new Map<ServerName, ServerChild>();
    const apis: SqsApi[] = [];
    try {
      for (const server of SERVER_NAMES) children.set(server, await context.children.start(server));
      const apiFor = new Map<string, SqsApi>();
      for (const client of CLIENTS) {
        for (const [server, child] of children) {
          const api = openApi(client, child.endpoint);
          apis.push(api);
          apiFor.set(`${server}/${client}`, api);
          try {
            series[client][server] = { server, client, rounds: [], warmup: await warmUp(child, api) };
          } catch (err) {
            report.error(`throughput warm-up (${server}, ${client})`, err);
          }
        }
      }
      for (let round = 1; round <= ROUNDS; round++) {
        for (const client of CLIENTS) {
          // Alternate which server goes first, so that neither always follows the other.
          const order = round % 2 === 1 ? SERVER_NAMES : [...SERVER_NAMES].reverse();
          for (const server of order) {
            const s = series[client][server];
            const child = children.get(server);
            const api = apiFor.get(`${server}/${client}`);
            if (!s || !child || !api || !child.running) continue;
            try {
              s.rounds.push(await measureRound(child, api, round));
            } catch (err) {
              report.note('throughput', `${server} (${client}) round ${round} failed: ${errorText(err)}`);
            }
          }
        }
      }
    } finally {
      for (const api of apis) api.close();
      for (const child of children.values()) await context.children.stop(child);
    }

    for (const client of CLIENTS) {
      const ours = series[client].ours;
      const theirs = series[client]['local-aws-sqs'];
      printTable(context, client, ours, theirs);
      for (const s of [ours, theirs]) if (s) noteProblems(context, s);
      if (theirs && theirs.rounds.length > 0) {
        const t = summarize(theirs);
        report.line(`  local-aws-sqs delivery: ${deliveryText(t)}${t.exactlyOnce ? ' (exactly once)' : ''}`);
      }
      checkTargets(context, client, ours, theirs);
    }
    report.line(
      `\n  (ReceiveMessage with WaitTimeSeconds ${WAIT_TIME_SECONDS}, MaxNumberOfMessages ${BATCH_SIZE}, VisibilityTimeout ${VISIBILITY_TIMEOUT_SECONDS} s; ` +
        `each client first sends and drains ${WARMUP_MESSAGES.toLocaleString('en-US')} messages on another queue. "busy" is CPU time / wall time (above 100 when V8's helper threads work too); "CPU per message" is server CPU time / messages; ` +
        `"other processes" is what the rest of the machine used meanwhile; latencies are from the median round.)`,
    );

    const summaries = Object.fromEntries(
      CLIENTS.map((client) => [
        client,
        Object.fromEntries(SERVER_NAMES.map((server) => [server, series[client][server]?.rounds.length ? summarize(series[client][server]) : undefined])),
      ]),
    );
    report.data('throughput', {
      parameters: {
        messages: MESSAGES,
        rounds: ROUNDS,
        bodyBytes: BODY_BYTES,
        batchSize: BATCH_SIZE,
        concurrency: CONCURRENCY,
        waitTimeSeconds: WAIT_TIME_SECONDS,
        visibilityTimeoutSeconds: VISIBILITY_TIMEOUT_SECONDS,
        warmupMessages: WARMUP_MESSAGES,
      },
      summaries,
      series,
    });
  },
};
