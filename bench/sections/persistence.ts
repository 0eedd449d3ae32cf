/**
 * Our server with a data directory: the throughput section's load (SendMessageBatch, then
 * ReceiveMessage + DeleteMessageBatch, exactly once, from a bare JSON 1.0 client) in memory
 * and under each fsync policy, side by side in one run; then how long a server takes to
 * start with 100,000 messages on disk, from the journal a kill -9 leaves and from the
 * snapshot a clean stop writes, beside an empty start. Each server is the built command
 * line (`dist/local-sqs.js`) in its own process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openApi } from '../api';
import { messageBody } from '../bodies';
import { formatNumber, ratio, type Cell } from '../report';
import { drainAll, sendAll } from '../sqsOps';
import { errorText, median } from '../util';
import type { Section } from './section';

const CLI = path.resolve(__dirname, '..', '..', '..', 'dist', 'local-sqs.js');
const MESSAGES = 10_000;
const ROUNDS = 2;
const RESTART_MESSAGES = 100_000;
const BODY_BYTES = 100;
const BATCH_SIZE = 10;
const CONCURRENCY = 8;
const VISIBILITY_TIMEOUT_SECONDS = 120;

type Mode = 'memory' | 'always' | 'interval';
const MODES: readonly Mode[] = ['memory', 'always', 'interval'];
const LABELS: Record<Mode, string> = { memory: 'in memory', always: '--fsync always (default)', interval: '--fsync interval' };

interface Started {
  child: ChildProcess;
  endpoint: string;
  /** Spawn to the endpoint printed. */
  ms: number;
  output: () => string;
}

function startServer(args: string[]): Promise<Started> {
  const started = performance.now();
  const child = spawn(process.execPath, [CLI, '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) resolve({ child, endpoint: match[1], ms: performance.now() - started, output: () => output });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code, signal) => reject(new Error(`the server exited (${code ?? signal}) before listening:\n${output}`)));
  });
}

function stop(server: Started, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    if (server.child.exitCode !== null || server.child.signalCode !== null) return resolve();
    server.child.once('exit', () => resolve());
    server.child.kill(signal);
  });
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'sqs-bench-data-'));
}

async function fill(endpoint: string, name: string, count: number, tag: string): Promise<{ queueUrl: string; msgPerSec: number; accepted: Set<string> }> {
  const api = openApi('raw', endpoint);
  try {
    const queueUrl = await api.createQueue(name, { VisibilityTimeout: String(VISIBILITY_TIMEOUT_SECONDS) });
    const sent = await sendAll(api, {
      queueUrl,
      count,
      body: (i) => messageBody(tag, i, BODY_BYTES),
      batchSize: BATCH_SIZE,
      concurrency: CONCURRENCY,
      deadline: performance.now() + 120_000,
      attempts: 1,
      keepAccepted: true,
    });
    if (sent.accepted !== count) throw new Error(`${sent.accepted} of ${count} sends accepted: ${sent.errorSamples.join('; ')}`);
    return { queueUrl, msgPerSec: Math.round(sent.accepted / (sent.ms / 1000)), accepted: sent.acceptedBodies };
  } finally {
    api.close();
  }
}

interface Round {
  send: number;
  drain: number;
  exactlyOnce: boolean;
}

async function measure(mode: Mode, round: number): Promise<Round> {
  const dir = mode === 'memory' ? undefined : tempDir();
  const server = await startServer(dir ? ['--data-dir', dir, '--fsync', mode] : []);
  const api = openApi('raw', server.endpoint);
  try {
    const tag = `${mode}-${round}`;
    const { queueUrl, msgPerSec, accepted } = await fill(server.endpoint, `bench-persistence-${tag}`, MESSAGES, tag);
    const drained = await drainAll(api, {
      queueUrl,
      expected: accepted,
      concurrency: CONCURRENCY,
      maxMessages: BATCH_SIZE,
      waitTimeSeconds: 0,
      visibilityTimeoutSeconds: VISIBILITY_TIMEOUT_SECONDS,
      deadline: performance.now() + 120_000,
      emptyBackoffMs: 5,
    });
    return {
      send: msgPerSec,
      drain: Math.round(drained.unique / (drained.ms / 1000)),
      exactlyOnce: drained.unique === MESSAGES && drained.duplicates === 0 && drained.missing === 0,
    };
  } finally {
    api.close();
    await stop(server, 'SIGTERM');
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The restore time the server logs ("… in N ms"), or undefined. */
function restoredMs(output: string): number | undefined {
  const match = /restored \d+ queue\(s\) and (\d+) message\(s\).* in (\d+) ms/.exec(output);
  return match ? Number(match[2]) : undefined;
}

export const persistenceSection: Section = {
  name: 'persistence',
  title: `Persistence: our server in memory and with --data-dir under each fsync policy, ${MESSAGES.toLocaleString('en-US')} messages of ${BODY_BYTES} bytes, batches of ${BATCH_SIZE}, ${CONCURRENCY} requests in parallel, ${ROUNDS} rounds; restart with ${RESTART_MESSAGES.toLocaleString('en-US')} messages on disk`,
  async run({ report }) {
    const rounds: Record<Mode, Round[]> = { memory: [], always: [], interval: [] };
    for (let round = 1; round <= ROUNDS; round++) {
      for (const mode of round % 2 === 1 ? MODES : [...MODES].reverse()) {
        try {
          rounds[mode].push(await measure(mode, round));
        } catch (err) {
          report.note('persistence', `${LABELS[mode]} round ${round} failed: ${errorText(err)}`);
        }
      }
    }
    const med = (mode: Mode, get: (r: Round) => number): number | undefined => (rounds[mode].length > 0 ? Math.round(median(rounds[mode].map(get))) : undefined);
    const row = (label: string, get: (r: Round) => number): Cell[] => {
      const memory = med('memory', get);
      return [label, ...MODES.map((m) => med(m, get)), ...(['always', 'interval'] as const).map((m) => {
        const v = med(m, get);
        return v !== undefined && memory !== undefined ? ratio(v, memory) : undefined;
      })];
    };
    report.table({
      title: 'Throughput (bare JSON 1.0 client)',
      columns: ['metric', ...MODES.map((m) => LABELS[m]), 'always / memory', 'interval / memory'],
      rows: [
        row('send (msg/s, median)', (r) => r.send),
        row('drain: receive + delete (msg/s, median)', (r) => r.drain),
        ['  send msg/s per round', ...MODES.map((m) => rounds[m].map((r) => formatNumber(r.send)).join(' / ')), undefined, undefined],
        ['  drain msg/s per round', ...MODES.map((m) => rounds[m].map((r) => formatNumber(r.drain)).join(' / ')), undefined, undefined],
        ['exactly once, every round', ...MODES.map((m) => rounds[m].length === ROUNDS && rounds[m].every((r) => r.exactlyOnce)), undefined, undefined],
      ],
    });

    const dir = tempDir();
    const restart: Record<string, { spawnToEndpointMs: number; restoreMs: number | undefined }> = {};
    try {
      const empty = await startServer(['--data-dir', dir]);
      restart['empty data directory'] = { spawnToEndpointMs: Math.round(empty.ms), restoreMs: restoredMs(empty.output()) };
      await fill(empty.endpoint, 'bench-restart', RESTART_MESSAGES, 'restart');
      await stop(empty, 'SIGKILL');
      const fromJournal = await startServer(['--data-dir', dir]);
      restart[`after kill -9: ${RESTART_MESSAGES.toLocaleString('en-US')} messages in the journal`] = { spawnToEndpointMs: Math.round(fromJournal.ms), restoreMs: restoredMs(fromJournal.output()) };
      await stop(fromJournal, 'SIGTERM');
      const fromSnapshot = await startServer(['--data-dir', dir]);
      restart[`after a clean stop: ${RESTART_MESSAGES.toLocaleString('en-US')} messages in the snapshot`] = { spawnToEndpointMs: Math.round(fromSnapshot.ms), restoreMs: restoredMs(fromSnapshot.output()) };
      await stop(fromSnapshot, 'SIGTERM');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    report.table({
      title: `Restart with ${RESTART_MESSAGES.toLocaleString('en-US')} messages of ${BODY_BYTES} bytes on disk`,
      columns: ['start', 'spawn to endpoint (ms)', 'restore, as logged (ms)'],
      rows: Object.entries(restart).map(([label, r]): Cell[] => [label, r.spawnToEndpointMs, r.restoreMs]),
    });
    report.data('persistence', { rounds, restart });
  },
};
