/**
 * Batch Send of a 10,000-line NDJSON file through the extension's own pipeline
 * (checkMessageFile, then sendMessageFile: the file streamed twice, 8 SendMessageBatch
 * requests in flight), side by side with (a) the floor: a plain SDK loop sending the same
 * messages, already parsed in memory, with SendMessageBatch (10 a batch, 8 in flight), and
 * (b) a naive loop of single SendMessage calls, one at a time. Every measurement sends to a
 * fresh queue of our server (in its own process) and checks that the queue then holds
 * exactly the messages sent.
 *
 * Then memory: Batch Send of files of 10,000, 50,000 and 100,000 lines, each in a fresh
 * process (bench/batchSendChild.ts) that samples its RSS and heap every 50 ms; and the check
 * pass alone over a file with one 1 MiB and one 60 MiB entry beside a file of 1,000 small
 * entries (bench/batchCheckChild.ts), its time and peak RSS.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SendMessageBatchCommand, SendMessageCommand, type SendMessageBatchRequestEntry, type SQSClient } from '@aws-sdk/client-sqs';
import type { SqsGateway } from '../../src/sqs/gateway';
import { MAX_MESSAGE_BYTES } from '../../src/model/sqsLimits';
import type { CheckChildMessage } from '../batchCheckChild';
import type { MemoryChildMessage, MemoryChildResult } from '../batchSendChild';
import { readPlainMessages, writeBatchFile, writeLargeEntryFile, type PlainMessage } from '../batchFiles';
import { batchSendFile, type PipelineResult } from '../batchSendPipeline';
import type { ServerChild } from '../children';
import { megabytes, ratio, type Cell } from '../report';
import { errorText, median, runWorkers } from '../util';
import { cpuMsSince, createQueueUrl, deleteQueue, messagesHeld, workbenchClient, workbenchGateway } from '../workbench';
import type { BenchContext, Section } from './section';

const ENTRIES = 10_000;
const NAIVE_MESSAGES = 2_000;
const ROUNDS = 5;
const CONCURRENCY = 8;
const BATCH_SIZE = 10;
const MEMORY_SIZES = [10_000, 50_000, 100_000];
const MEMORY_CHILD_TIMEOUT_MS = 300_000;
const TARGET_FLOOR_RATIO = 0.9;
const TARGET_NAIVE_RATIO = 5;
const TARGET_MEMORY_GROWTH = 1.3;
const LARGE_ENTRY_SIZES = [MAX_MESSAGE_BYTES - 64, 60 * 1024 * 1024];
/** The check of the file with a 60 MiB entry may take this much more RSS than that of 1,000 small entries. */
const TARGET_LARGE_ENTRY_EXTRA_RSS_MB = 64;

interface Run {
  ms: number;
  /** For Batch Send: the check pass and the send pass apart. */
  checkMs?: number;
  sendMs?: number;
  checkCpuMs?: number;
  sendCpuMs?: number;
  messages: number;
  clientCpuMs: number;
  serverCpuMs: number;
  requests: number;
  /** Messages in the queue afterwards (visible + in flight + delayed). */
  held: number;
  ok: boolean;
  problems: string[];
}

interface MemoryRun {
  lines: number;
  fileMB: number;
  baselineRssMB: number;
  peakRssMB: number;
  baselineHeapUsedMB: number;
  peakHeapUsedMB: number;
  retainedHeapUsedMB: number;
  samples: number;
  msgPerSec: number;
  held: number;
  ok: boolean;
  problems: string[];
}

interface LargeEntryRun {
  file: string;
  fileMB: number;
  ms: number;
  peakRssMB: number;
  entries: number;
  valid: number;
  problems: string[];
}

type Kind = 'batchSend' | 'floor';

/** The floor: SendMessageBatch of 10 from 8 workers, the messages already parsed. */
async function floorSend(client: SQSClient, queueUrl: string, messages: readonly PlainMessage[]): Promise<{ sent: number; requests: number; problems: string[] }> {
  let next = 0;
  let sent = 0;
  let requests = 0;
  const problems: string[] = [];
  await runWorkers(CONCURRENCY, async () => {
    for (;;) {
      const first = next;
      next += BATCH_SIZE;
      if (first >= messages.length) return;
      const entries: SendMessageBatchRequestEntry[] = [];
      for (let i = first; i < Math.min(messages.length, first + BATCH_SIZE); i++) {
        const m = messages[i];
        entries.push({ Id: `e${i - first}`, MessageBody: m.body, ...(m.attributes ? { MessageAttributes: m.attributes } : {}) });
      }
      requests++;
      const out = await client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
      sent += out.Successful?.length ?? 0;
      for (const f of out.Failed ?? []) if (problems.length < 3) problems.push(`${f.Code ?? '?'}: ${f.Message ?? ''}`);
    }
  });
  return { sent, requests, problems };
}

/** The naive loop: one SendMessage at a time. */
async function naiveSend(client: SQSClient, queueUrl: string, messages: readonly PlainMessage[]): Promise<{ sent: number; requests: number; problems: string[] }> {
  let sent = 0;
  for (const m of messages) {
    const out = await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: m.body, ...(m.attributes ? { MessageAttributes: m.attributes } : {}) }));
    if (out.MessageId) sent++;
  }
  return { sent, requests: messages.length, problems: [] };
}

/** The check pass over a file of two long entries, beside a file of 1,000 small ones; a fresh process each. */
async function largeEntryRuns(context: BenchContext, dir: string): Promise<LargeEntryRun[]> {
  const files = [
    { file: '1,000 small entries', write: (file: string) => writeBatchFile(file, 1_000) },
    { file: 'one 1 MiB entry, one 60 MiB entry', write: (file: string) => writeLargeEntryFile(file, LARGE_ENTRY_SIZES) },
  ];
  const runs: LargeEntryRun[] = [];
  for (const [i, { file, write }] of files.entries()) {
    const name = path.join(dir, `check-${i}.ndjson`);
    const bytes = write(name);
    try {
      const r = await context.children.runScript<CheckChildMessage>('batchCheckChild', [name], MEMORY_CHILD_TIMEOUT_MS);
      if (r.type === 'error') throw new Error(`batchCheckChild (${file}): ${r.message}`);
      runs.push({ file, fileMB: megabytes(bytes), ms: r1(r.ms), peakRssMB: megabytes(r.peakRssBytes), entries: r.entries, valid: r.valid, problems: r.problems.map((p) => p.slice(0, 120)) });
    } finally {
      rmSync(name, { force: true });
    }
  }
  return runs;
}

let queueSerial = 0;

/** Runs one measurement on a fresh queue, checks what the queue holds, and deletes it. */
async function measure(
  server: ServerChild,
  admin: SQSClient,
  kind: string,
  expected: number,
  send: (queueUrl: string) => Promise<{ sent: number; requests: number; problems: string[]; checkMs?: number; sendMs?: number; checkCpuMs?: number; sendCpuMs?: number }>,
): Promise<Run> {
  const queueUrl = await createQueueUrl(admin, `bench-batchsend-${kind}-${++queueSerial}`);
  try {
    const serverBefore = await server.stats(false);
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const out = await send(queueUrl);
    const ms = performance.now() - started;
    const clientCpuMs = cpuMsSince(cpuBefore);
    const serverAfter = await server.stats(false);
    const held = await messagesHeld(admin, queueUrl);
    return {
      ms,
      ...(out.checkMs !== undefined ? { checkMs: out.checkMs } : {}),
      ...(out.sendMs !== undefined ? { sendMs: out.sendMs } : {}),
      ...(out.checkCpuMs !== undefined ? { checkCpuMs: out.checkCpuMs } : {}),
      ...(out.sendCpuMs !== undefined ? { sendCpuMs: out.sendCpuMs } : {}),
      messages: out.sent,
      clientCpuMs,
      serverCpuMs: serverAfter.cpuUserMs + serverAfter.cpuSystemMs - serverBefore.cpuUserMs - serverBefore.cpuSystemMs,
      requests: out.requests,
      held,
      ok: out.sent === expected && held === expected && out.problems.length === 0,
      problems: out.problems,
    };
  } finally {
    await deleteQueue(admin, queueUrl);
  }
}

function pipelineOutcome(
  p: PipelineResult,
  expected: number,
): { sent: number; requests: number; problems: string[]; checkMs: number; sendMs: number; checkCpuMs: number; sendCpuMs: number } {
  const problems = [...p.problems];
  if (p.entries !== expected || p.valid !== expected) problems.push(`check saw ${p.entries} entries, ${p.valid} valid (expected ${expected})`);
  if (p.failed + p.notSent > 0) problems.push(`${p.failed} failed, ${p.notSent} not sent`);
  if (p.reportedSent !== p.sent) problems.push(`onSent reported ${p.reportedSent}, the summary ${p.sent}`);
  return { sent: p.sent, requests: p.requests, problems, checkMs: p.prepareMs + p.checkMs, sendMs: p.sendMs, checkCpuMs: p.checkCpuMs, sendCpuMs: p.sendCpuMs };
}

const r1 = (n: number): number => Math.round(n * 10) / 10;
const perSec = (messages: number, ms: number): number => Math.round(messages / (ms / 1000));

async function memoryRun(context: BenchContext, server: ServerChild, admin: SQSClient, dir: string, lines: number): Promise<MemoryRun> {
  const file = path.join(dir, `batch-${lines}.ndjson`);
  const bytes = writeBatchFile(file, lines);
  const queueUrl = await createQueueUrl(admin, `bench-batchsend-memory-${lines}`);
  try {
    const message = await context.children.runScript<MemoryChildMessage>('batchSendChild', [server.endpoint, queueUrl, file, String(CONCURRENCY)], MEMORY_CHILD_TIMEOUT_MS);
    if (message.type === 'error') throw new Error(`batchSendChild (${lines} lines): ${message.message}`);
    const r: MemoryChildResult = message;
    const held = await messagesHeld(admin, queueUrl);
    const outcome = pipelineOutcome(r.pipeline, lines);
    const totalMs = r.pipeline.prepareMs + r.pipeline.checkMs + r.pipeline.sendMs;
    return {
      lines,
      fileMB: megabytes(bytes),
      baselineRssMB: megabytes(r.baselineRssBytes),
      peakRssMB: megabytes(r.peakRssBytes),
      baselineHeapUsedMB: megabytes(r.baselineHeapUsedBytes),
      peakHeapUsedMB: megabytes(r.peakHeapUsedBytes),
      retainedHeapUsedMB: megabytes(r.retainedHeapUsedBytes),
      samples: r.samples,
      msgPerSec: perSec(r.pipeline.sent, totalMs),
      held,
      ok: held === lines && outcome.sent === lines && outcome.problems.length === 0,
      problems: outcome.problems,
    };
  } finally {
    await deleteQueue(admin, queueUrl);
    rmSync(file, { force: true });
  }
}

export const batchSendSection: Section = {
  name: 'batchsend',
  title: `Batch Send: a ${ENTRIES.toLocaleString('en-US')}-line NDJSON file through the extension's pipeline vs plain SDK loops (our server)`,
  async run(context) {
    const { report } = context;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sqs-bench-batchsend-'));
    // Ctrl+C ends the runner with process.exit, past the finally below: remove the files then too.
    const removeDir = (): void => rmSync(dir, { recursive: true, force: true });
    process.once('exit', removeDir);
    const server = await context.children.start('ours');
    const admin = workbenchClient(server.endpoint);
    const gateway: SqsGateway = workbenchGateway(server.endpoint);
    const floorClient = workbenchClient(server.endpoint);
    const naiveClient = workbenchClient(server.endpoint);
    try {
      const file = path.join(dir, `batch-${ENTRIES}.ndjson`);
      const fileBytes = writeBatchFile(file, ENTRIES);
      const messages = readPlainMessages(file);
      const naiveMessages = messages.slice(0, NAIVE_MESSAGES);
      const objectBodies = messages.filter((m) => m.attributes).map((m) => Buffer.byteLength(m.body));
      report.line(
        `  File: ${ENTRIES.toLocaleString('en-US')} lines, ${megabytes(fileBytes)} MB; ${objectBodies.length.toLocaleString('en-US')} object entries with a JSON body of ` +
          `${Math.min(...objectBodies)}-${Math.max(...objectBodies)} bytes and attribute kind=order, ${(ENTRIES - objectBodies.length).toLocaleString('en-US')} plain string entries. ` +
          `All clients from createSqsClient(localConnection(endpoint, 'us-east-1')); concurrency ${CONCURRENCY}; a fresh queue per measurement.`,
      );

      const runBatchSend = (f: string, expected: number) => (queueUrl: string) =>
        batchSendFile(gateway, queueUrl, f, CONCURRENCY).then((p) => pipelineOutcome(p, expected));
      const runs: Record<Kind, () => Promise<Run>> = {
        batchSend: () => measure(server, admin, 'pipeline', ENTRIES, runBatchSend(file, ENTRIES)),
        floor: () => measure(server, admin, 'floor', ENTRIES, (url) => floorSend(floorClient, url, messages)),
      };

      // Warm-up of each client, a full run each: JIT, sockets, lazily loaded SDK parts.
      const warmups = [await runs.batchSend(), await runs.floor(), await measure(server, admin, 'warmup', 200, (url) => naiveSend(naiveClient, url, messages.slice(0, 200)))];

      const samples: Record<Kind, Run[]> = { batchSend: [], floor: [] };
      for (let round = 0; round < ROUNDS; round++) {
        const order: Kind[] = round % 2 === 0 ? ['batchSend', 'floor'] : ['floor', 'batchSend'];
        for (const kind of order) samples[kind].push(await runs[kind]());
      }
      const naive = await measure(server, admin, 'naive', NAIVE_MESSAGES, (url) => naiveSend(naiveClient, url, naiveMessages));

      const med = (kind: Kind, get: (r: Run) => number): number => median(samples[kind].map(get));
      const floorMs = med('floor', (r) => r.ms);
      const floorRate = perSec(ENTRIES, floorMs);
      const pipelineMs = med('batchSend', (r) => r.ms);
      const sendOnlyMs = med('batchSend', (r) => r.sendMs ?? NaN);
      const checkMs = med('batchSend', (r) => r.checkMs ?? NaN);
      const pipelineRate = perSec(ENTRIES, pipelineMs);
      const sendOnlyRate = perSec(ENTRIES, sendOnlyMs);
      const naiveRate = perSec(NAIVE_MESSAGES, naive.ms);
      const row = (label: string, ms: number, messagesCount: number, rate: number, cpu: number, serverCpu: number | undefined, requests: number | undefined, held: string, compare = true): Cell[] => [
        label,
        r1(ms),
        messagesCount,
        rate,
        compare ? ratio(rate, floorRate)?.toFixed(2) : undefined,
        Math.round(cpu),
        Math.round((cpu * 1000) / messagesCount),
        serverCpu === undefined ? undefined : Math.round(serverCpu),
        requests,
        held,
      ];
      const heldText = (runsOf: Run[]): string => (runsOf.every((r) => r.ok) ? `all ${runsOf.length} exact` : runsOf.map((r) => r.held).join('/'));
      const bs = (get: (r: Run) => number): number => med('batchSend', get);
      report.table({
        columns: ['path', 'median ms', 'messages', 'msg/s', 'msg/s / floor', 'client CPU ms', 'client CPU µs/msg', 'server CPU ms', 'requests', 'queue holds'],
        rows: [
          row('Batch Send: check + send (what the user waits for)', pipelineMs, ENTRIES, pipelineRate, bs((r) => r.clientCpuMs), bs((r) => r.serverCpuMs), bs((r) => r.requests), heldText(samples.batchSend)),
          row('  of which checkMessageFile (+ GetQueueAttributes)', checkMs, ENTRIES, perSec(ENTRIES, checkMs), bs((r) => r.checkCpuMs ?? NaN), undefined, 1, '', false),
          row('  of which sendMessageFile (excl. the check pass)', sendOnlyMs, ENTRIES, sendOnlyRate, bs((r) => r.sendCpuMs ?? NaN), undefined, undefined, ''),
          row(`plain SDK SendMessageBatch x${CONCURRENCY} (floor)`, floorMs, ENTRIES, floorRate, med('floor', (r) => r.clientCpuMs), med('floor', (r) => r.serverCpuMs), med('floor', (r) => r.requests), heldText(samples.floor)),
          row('naive SendMessage one at a time', naive.ms, NAIVE_MESSAGES, naiveRate, naive.clientCpuMs, naive.serverCpuMs, naive.requests, heldText([naive])),
        ],
      });
      report.line(
        `  (median of ${ROUNDS} rounds alternating Batch Send and the floor, after one full warm-up run of each; ` +
          `the naive loop sent ${NAIVE_MESSAGES.toLocaleString('en-US')} messages once, not ${ENTRIES.toLocaleString('en-US')}: scaled, ${ENTRIES.toLocaleString('en-US')} would take ~${r1((naive.ms * ENTRIES) / NAIVE_MESSAGES / 1000)} s. ` +
          `Client CPU is the runner's process (where Batch Send and the SDK run); msg/s of the check row is entries checked per second.)`,
      );
      const cpuPerMsg = (ms: number): number => Math.round((ms * 1000) / ENTRIES);
      const bsCpu = cpuPerMsg(bs((r) => r.clientCpuMs));
      const floorCpu = cpuPerMsg(med('floor', (r) => r.clientCpuMs));
      report.line(
        `  Client CPU per message: Batch Send ${bsCpu} µs (check pass ${cpuPerMsg(bs((r) => r.checkCpuMs ?? NaN))} µs, send pass ${cpuPerMsg(bs((r) => r.sendCpuMs ?? NaN))} µs) vs floor ${floorCpu} µs, ` +
          `the SDK's own cost included in both: where the client's one core sets the pace, Batch Send reaches at most ~${ratio(floorCpu, bsCpu)?.toFixed(2) ?? '?'} of the floor's msg/s.`,
      );
      for (const r of [...warmups, ...samples.batchSend, ...samples.floor, naive]) {
        if (!r.ok) report.note('batchsend', `a run sent ${r.messages} and left ${r.held} in its queue: ${r.problems.join('; ') || 'count mismatch'}`);
      }

      const allOk = [...samples.batchSend, ...samples.floor, naive].every((r) => r.ok);
      const withCheck = ratio(pipelineRate, floorRate);
      const withoutCheck = ratio(sendOnlyRate, floorRate);
      const overNaive = ratio(pipelineRate, naiveRate);
      const exactNote = allOk ? '' : '; some queue did not hold exactly the messages sent';
      report.target(
        'batchsend',
        `Batch Send (check + send) / plain SDK floor >= ${TARGET_FLOOR_RATIO}`,
        allOk && withCheck !== undefined && withCheck >= TARGET_FLOOR_RATIO,
        `${pipelineRate} vs ${floorRate} msg/s: ${withCheck?.toFixed(2) ?? '?'}${exactNote}`,
      );
      report.target(
        'batchsend',
        `Batch Send send pass alone (excl. check) / plain SDK floor >= ${TARGET_FLOOR_RATIO}`,
        allOk && withoutCheck !== undefined && withoutCheck >= TARGET_FLOOR_RATIO,
        `${sendOnlyRate} vs ${floorRate} msg/s: ${withoutCheck?.toFixed(2) ?? '?'}${exactNote}`,
      );
      report.target(
        'batchsend',
        `Batch Send (check + send) / naive single SendMessage >= ${TARGET_NAIVE_RATIO}x`,
        allOk && overNaive !== undefined && overNaive >= TARGET_NAIVE_RATIO,
        `${pipelineRate} vs ${naiveRate} msg/s: ${overNaive?.toFixed(1) ?? '?'}x${exactNote}`,
      );

      // Memory: one fresh process per file size.
      const memory: MemoryRun[] = [];
      for (const lines of MEMORY_SIZES) {
        try {
          memory.push(await memoryRun(context, server, admin, dir, lines));
        } catch (err) {
          report.note('batchsend', `memory run of ${lines} lines failed: ${errorText(err)}`);
        }
      }
      report.table({
        title: 'Memory of a process running Batch Send (check + send), sampled every 50 ms; a fresh process per file',
        columns: ['lines', 'file MB', 'RSS before MB', 'peak RSS MB', 'heap before MB', 'peak heap used MB', 'heap after GC MB', 'samples', 'msg/s', 'queue holds'],
        rows: memory.map((m) => [
          m.lines,
          m.fileMB,
          m.baselineRssMB,
          m.peakRssMB,
          m.baselineHeapUsedMB,
          m.peakHeapUsedMB,
          m.retainedHeapUsedMB,
          m.samples,
          m.msgPerSec,
          m.ok ? `${m.held} (exact)` : `${m.held} of ${m.lines}`,
        ]),
      });
      report.line(
        '  ("before" is after loading the modules and a full GC; "heap after GC" is after the run and a full GC, with the client still open. ' +
          'Peaks above the retained heap are garbage not yet collected: V8 lets the heap grow further before a full GC in a longer run.)',
      );
      for (const m of memory) if (!m.ok) report.note('batchsend', `memory run of ${m.lines} lines: ${m.problems.join('; ') || `queue holds ${m.held}`}`);
      const smallest = memory.find((m) => m.lines === MEMORY_SIZES[0]);
      const largest = memory.find((m) => m.lines === MEMORY_SIZES[MEMORY_SIZES.length - 1]);
      const growth = smallest && largest ? ratio(largest.peakRssMB, smallest.peakRssMB) : undefined;
      const heapGrowth = smallest && largest ? ratio(largest.peakHeapUsedMB, smallest.peakHeapUsedMB) : undefined;
      report.line(`  Peak RSS: ${memory.map((m) => `${m.lines.toLocaleString('en-US')} lines ${m.peakRssMB} MB`).join(', ')}; peak heap used: ${memory.map((m) => `${m.peakHeapUsedMB} MB`).join(', ')}.`);
      report.target(
        'batchsend',
        `Batch Send memory flat: peak RSS at ${MEMORY_SIZES[MEMORY_SIZES.length - 1].toLocaleString('en-US')} lines <= ${TARGET_MEMORY_GROWTH}x the peak at ${MEMORY_SIZES[0].toLocaleString('en-US')}`,
        memory.length === MEMORY_SIZES.length && memory.every((m) => m.ok) && growth !== undefined && growth <= TARGET_MEMORY_GROWTH,
        `peak RSS ${smallest?.peakRssMB ?? '?'} MB -> ${largest?.peakRssMB ?? '?'} MB (${growth?.toFixed(2) ?? '?'}x), peak heap used ${smallest?.peakHeapUsedMB ?? '?'} MB -> ${largest?.peakHeapUsedMB ?? '?'} MB (${heapGrowth?.toFixed(2) ?? '?'}x)`,
      );

      const large: LargeEntryRun[] = await largeEntryRuns(context, dir).catch((err: unknown) => {
        report.note('batchsend', `check of large entries failed: ${errorText(err)}`);
        return [];
      });
      report.table({
        title: 'Batch Send check pass (checkMessageFile) over long entries, in a fresh process each; RSS sampled every 20 ms',
        columns: ['file', 'file MB', 'check ms', 'peak RSS MB', 'entries', 'valid', 'problems'],
        rows: large.map((l) => [l.file, l.fileMB, l.ms, l.peakRssMB, l.entries, l.valid, l.problems.join(' / ')]),
      });
      const [small, long] = large;
      const extraRss = small && long ? r1(long.peakRssMB - small.peakRssMB) : undefined;
      report.target(
        'batchsend',
        `Batch Send check of a 60 MiB entry: refused, peak RSS <= ${TARGET_LARGE_ENTRY_EXTRA_RSS_MB} MB above that of 1,000 small entries`,
        long !== undefined && long.valid === 1 && long.entries === 2 && extraRss !== undefined && extraRss <= TARGET_LARGE_ENTRY_EXTRA_RSS_MB,
        `${long?.ms ?? '?'} ms, peak RSS ${long?.peakRssMB ?? '?'} MB vs ${small?.peakRssMB ?? '?'} MB (+${extraRss ?? '?'} MB)`,
      );

      report.data('batchsend', {
        parameters: { entries: ENTRIES, fileBytes, naiveMessages: NAIVE_MESSAGES, rounds: ROUNDS, concurrency: CONCURRENCY, memorySizes: MEMORY_SIZES },
        msgPerSec: { batchSend: pipelineRate, batchSendExcludingCheck: sendOnlyRate, floor: floorRate, naive: naiveRate },
        ratios: { withCheck, withoutCheck, overNaive, floorCpuOverBatchSendCpu: ratio(floorCpu, bsCpu) },
        clientCpuMicrosPerMessage: { batchSend: bsCpu, floor: floorCpu },
        medianMs: { batchSend: pipelineMs, check: checkMs, send: sendOnlyMs, floor: floorMs, naive: naive.ms },
        warmups,
        samples,
        naive,
        memory,
        largeEntries: large,
      });
    } finally {
      gateway.dispose();
      for (const c of [admin, floorClient, naiveClient]) c.destroy();
      await context.children.stop(server);
      process.off('exit', removeDir);
      removeDir();
    }
  },
};
