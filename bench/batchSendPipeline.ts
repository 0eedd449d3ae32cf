/**
 * Batch Send of a file through the extension's own pipeline, as the Batch Send command runs
 * it: the queue's attributes (getQueueSnapshot) give the limits (queueLimitsFrom), the file
 * is read once to check every entry (checkMessageFile), then sent (sendMessageFile): from
 * the entries the check kept when the file is small, else by streaming the file again with
 * createReadStream. Only the editor
 * parts (progress, diagnostics, the lifecycle record, the result file) are left out.
 */
import { createReadStream } from 'node:fs';
import { checkMessageFile, sendMessageFile, type ChunkSource } from '../src/sqs/batchFile';
import type { SqsGateway } from '../src/sqs/gateway';
import { getQueueSnapshot } from '../src/sqs/queues';
import { queueLimitsFrom } from '../src/sqs/sending';

export interface PipelineResult {
  /** GetQueueAttributes and queueLimitsFrom, ms. */
  prepareMs: number;
  /** checkMessageFile: the validation pass over the whole file, ms. */
  checkMs: number;
  /** sendMessageFile: the second pass, sending, ms. */
  sendMs: number;
  /** CPU time of this process during the check pass and during the send pass, ms. */
  checkCpuMs: number;
  sendCpuMs: number;
  entries: number;
  valid: number;
  invalid: number;
  sent: number;
  failed: number;
  notSent: number;
  requests: number;
  /** Items reported through onSent. */
  reportedSent: number;
  /** First problems, when an entry was refused or failed. */
  problems: string[];
}

function cpuMs(used: NodeJS.CpuUsage): number {
  return (used.user + used.system) / 1000;
}

export function fileChunks(file: string): ChunkSource {
  return () => createReadStream(file, { highWaterMark: 65536 }) as AsyncIterable<Buffer>;
}

export async function batchSendFile(gateway: SqsGateway, queueUrl: string, file: string, concurrency: number): Promise<PipelineResult> {
  const problems: string[] = [];
  const started = performance.now();
  const queue = await getQueueSnapshot(gateway, queueUrl);
  const limits = queueLimitsFrom(queue.attributes, queue.name);
  const source = fileChunks(file);
  const prepared = performance.now();
  const checkCpu = process.cpuUsage();
  const check = await checkMessageFile(source, limits);
  const checkCpuMs = cpuMs(process.cpuUsage(checkCpu));
  const checked = performance.now();
  const sendCpu = process.cpuUsage();
  for (const p of check.problems.slice(0, 3)) problems.push(`line ${p.line} ${p.field}: ${p.message}`);
  let reportedSent = 0;
  const summary = await sendMessageFile(gateway, queueUrl, source, limits, {
    concurrency,
    onSent: (items) => {
      reportedSent += items.length;
    },
    onFailed: (items) => {
      for (const u of items.slice(0, 3 - Math.min(3, problems.length))) problems.push(`failed at ${u.item.position}: ${u.code} ${u.message}`);
    },
  }, check.cached);
  const sent = performance.now();
  const sendCpuMs = cpuMs(process.cpuUsage(sendCpu));
  if (summary.stoppedBy) problems.push(`stopped by ${summary.stoppedBy.code}: ${summary.stoppedBy.message}`);
  return {
    prepareMs: prepared - started,
    checkMs: checked - prepared,
    sendMs: sent - checked,
    checkCpuMs,
    sendCpuMs,
    entries: check.entries,
    valid: check.valid,
    invalid: check.invalid,
    sent: summary.sent,
    failed: summary.failed,
    notSent: summary.notSent,
    requests: summary.requests,
    reportedSent,
    problems,
  };
}
