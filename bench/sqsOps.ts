/**
 * The two load loops the sections share: send N messages in batches from parallel workers,
 * and drain a queue with parallel receive-and-delete workers while counting deliveries.
 */
import type { Received, SqsApi } from './api';
import { errorText, Latencies, runWorkers, sleep } from './util';

/** How many distinct error texts an outcome keeps as evidence. */
const ERROR_SAMPLES = 5;

export interface SendOptions {
  queueUrl: string;
  count: number;
  /** Body of message `index`; bodies must be distinct for the drain to tell deliveries apart. */
  body: (index: number) => string;
  batchSize: number;
  concurrency: number;
  /** `performance.now()` after which no further batch starts. */
  deadline: number;
  /** Attempts per batch when the request itself fails (the SDK's own retries are off). */
  attempts: number;
  /** Keep the bodies the server accepted (for the drain's exactly-once check). */
  keepAccepted: boolean;
}

export interface SendOutcome {
  ms: number;
  accepted: number;
  /** Entries the server answered as Failed, or whose batch failed on every attempt. */
  failedEntries: number;
  requestErrors: number;
  /** Batches sent again after a failed request: each may have enqueued its messages twice. */
  retriedBatches: number;
  timedOut: boolean;
  latency: ReturnType<Latencies['summary']>;
  errorSamples: string[];
  acceptedBodies: Set<string>;
}

export async function sendAll(api: SqsApi, options: SendOptions): Promise<SendOutcome> {
  const batches = Math.ceil(options.count / options.batchSize);
  const latency = new Latencies();
  const errors = new Set<string>();
  const acceptedBodies = new Set<string>();
  let nextBatch = 0;
  let accepted = 0;
  let failedEntries = 0;
  let requestErrors = 0;
  let retriedBatches = 0;
  let timedOut = false;
  const started = performance.now();

  await runWorkers(options.concurrency, async () => {
    for (;;) {
      const batch = nextBatch++;
      if (batch >= batches) return;
      if (performance.now() > options.deadline) {
        timedOut = true;
        return;
      }
      const first = batch * options.batchSize;
      const entries: { Id: string; MessageBody: string }[] = [];
      for (let i = first; i < Math.min(first + options.batchSize, options.count); i++) {
        entries.push({ Id: `m${i - first}`, MessageBody: options.body(i) });
      }
      for (let attempt = 1; ; attempt++) {
        try {
          const out = await latency.time(() => api.sendMessageBatch(options.queueUrl, entries));
          accepted += out.successful.length;
          if (options.keepAccepted) {
            for (const id of out.successful) {
              const entry = entries.find((e) => e.Id === id);
              if (entry) acceptedBodies.add(entry.MessageBody);
            }
          }
          for (const f of out.failed) {
            failedEntries++;
            if (errors.size < ERROR_SAMPLES) errors.add(`SendMessageBatch entry: ${f.code} ${f.message}`);
          }
          break;
        } catch (err) {
          requestErrors++;
          if (errors.size < ERROR_SAMPLES) errors.add(`SendMessageBatch: ${errorText(err)}`);
          if (attempt >= options.attempts) {
            failedEntries += entries.length;
            break;
          }
          retriedBatches++;
        }
      }
    }
  });

  return {
    ms: performance.now() - started,
    accepted,
    failedEntries,
    requestErrors,
    retriedBatches,
    timedOut,
    latency: latency.summary(),
    errorSamples: [...errors],
    acceptedBodies,
  };
}

export interface DrainOptions {
  queueUrl: string;
  /** Bodies that must each be received once. */
  expected: Set<string>;
  concurrency: number;
  maxMessages: number;
  waitTimeSeconds: number;
  visibilityTimeoutSeconds: number;
  /** `performance.now()` after which no further receive starts. */
  deadline: number;
  /** Pause after an empty receive, so that a drained-but-not-done queue is not hammered. */
  emptyBackoffMs: number;
}

export interface DrainOutcome {
  ms: number;
  /** Messages handed out by ReceiveMessage, counting every redelivery. */
  deliveries: number;
  /** Distinct expected bodies received. */
  unique: number;
  /** Deliveries beyond the first of a body. */
  duplicates: number;
  /** Expected bodies never received. */
  missing: number;
  /** Received bodies that were never sent. */
  unexpected: number;
  receiveRequests: number;
  emptyReceives: number;
  receiveErrors: number;
  deleteFailedEntries: number;
  deleteErrors: number;
  timedOut: boolean;
  receiveLatency: ReturnType<Latencies['summary']>;
  deleteLatency: ReturnType<Latencies['summary']>;
  errorSamples: string[];
}

export async function drainAll(api: SqsApi, options: DrainOptions): Promise<DrainOutcome> {
  const receiveLatency = new Latencies();
  const deleteLatency = new Latencies();
  const errors = new Set<string>();
  const seen = new Map<string, number>();
  let unique = 0;
  let deliveries = 0;
  let receiveRequests = 0;
  let emptyReceives = 0;
  let receiveErrors = 0;
  let deleteFailedEntries = 0;
  let deleteErrors = 0;
  let timedOut = false;
  const started = performance.now();

  await runWorkers(options.concurrency, async () => {
    while (unique < options.expected.size) {
      if (performance.now() > options.deadline) {
        timedOut = true;
        return;
      }
      let messages: Received[];
      try {
        receiveRequests++;
        messages = await receiveLatency.time(() =>
          api.receiveMessage(options.queueUrl, {
            maxMessages: options.maxMessages,
            waitTimeSeconds: options.waitTimeSeconds,
            visibilityTimeoutSeconds: options.visibilityTimeoutSeconds,
          }),
        );
      } catch (err) {
        receiveErrors++;
        if (errors.size < ERROR_SAMPLES) errors.add(`ReceiveMessage: ${errorText(err)}`);
        await sleep(options.emptyBackoffMs);
        continue;
      }
      if (messages.length === 0) {
        emptyReceives++;
        await sleep(options.emptyBackoffMs);
        continue;
      }
      deliveries += messages.length;
      for (const m of messages) {
        const body = m.body;
        const times = seen.get(body) ?? 0;
        seen.set(body, times + 1);
        if (times === 0 && options.expected.has(body)) unique++;
      }
      try {
        const out = await deleteLatency.time(() =>
          api.deleteMessageBatch(
            options.queueUrl,
            messages.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.receiptHandle })),
          ),
        );
        for (const f of out.failed) {
          deleteFailedEntries++;
          if (errors.size < ERROR_SAMPLES) errors.add(`DeleteMessageBatch entry: ${f.code} ${f.message}`);
        }
      } catch (err) {
        deleteErrors++;
        if (errors.size < ERROR_SAMPLES) errors.add(`DeleteMessageBatch: ${errorText(err)}`);
      }
    }
  });

  let duplicates = 0;
  let unexpected = 0;
  for (const [body, times] of seen) {
    duplicates += times - 1;
    if (!options.expected.has(body)) unexpected++;
  }
  return {
    ms: performance.now() - started,
    deliveries,
    unique,
    duplicates,
    missing: options.expected.size - unique,
    unexpected,
    receiveRequests,
    emptyReceives,
    receiveErrors,
    deleteFailedEntries,
    deleteErrors,
    timedOut,
    receiveLatency: receiveLatency.summary(),
    deleteLatency: deleteLatency.summary(),
    errorSamples: [...errors],
  };
}
