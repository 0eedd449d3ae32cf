import { SendMessageBatchCommand, type SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import { SqsCallError } from './errors';
import type { SqsGateway } from './gateway';
import { BatchPacker, type OutgoingMessage } from './sending';

/** One message of a batch send, with where it came from. */
export interface BatchItem {
  /** 0-based position in the file. */
  readonly position: number;
  readonly message: OutgoingMessage;
  /** The entry as the file had it, to write back into a result file. */
  readonly source: unknown;
  /** The entry's text as the file had it, when it is not valid JSON (then `source` is null). */
  readonly text?: string;
}

export interface SentItem {
  readonly item: BatchItem;
  readonly messageId: string;
  readonly sequenceNumber?: string;
  readonly at: number;
}

export interface UnsentItem {
  readonly item: BatchItem;
  readonly code: string;
  readonly message: string;
}

export interface BatchSendOptions {
  /** SendMessageBatch requests in flight at once. */
  concurrency: number;
  /** Tries per entry, counting the first. */
  maxAttempts?: number;
  /** First back-off wait; doubled on each retry. */
  baseDelayMs?: number;
  signal?: AbortSignal;
  onSent?(items: readonly SentItem[]): void;
  /** Entries that failed for good. */
  onFailed?(items: readonly UnsentItem[]): void;
  /** Entries never sent: the run was cancelled or stopped before their turn. */
  onNotSent?(items: readonly UnsentItem[]): void;
}

export interface BatchSendSummary {
  sent: number;
  failed: number;
  notSent: number;
  /** Set when a failure that no retry can mend (e.g. the queue is gone) stopped the run. */
  stoppedBy?: SqsCallError;
  cancelled: boolean;
  requests: number;
}

/** Errors after which an entry was certainly not stored, so sending it again cannot duplicate it. */
const SAFE_TO_RETRY = new Set(['RequestThrottled', 'ThrottlingException', 'InternalError', 'ServiceUnavailable', 'KmsThrottled', 'ECONNREFUSED']);
/** Errors that end the whole run: nothing else would get through either. */
const FATAL = new Set(['QueueDoesNotExist', 'AccessDenied', 'AccessDeniedException', 'InvalidSecurity', 'CredentialsError', 'SsoSessionExpired', 'InvalidClientTokenId', 'ExpiredToken']);

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Sends a stream of messages with SendMessageBatch: packed into requests of at most 10
 * entries and 1 MiB, at most `concurrency` requests at once. Entries SQS reports in
 * `Failed` with a server-side fault, and requests refused for throttling, are retried with
 * back-off. Every item ends in exactly one of sent, failed or not sent: cancelling lets the
 * requests in flight finish (their outcome is known) and reports the rest as not sent, so
 * nothing is sent twice and nothing is lost.
 */
export async function sendBatches(
  gateway: SqsGateway,
  queueUrl: string,
  items: AsyncIterable<BatchItem> | Iterable<BatchItem>,
  options: BatchSendOptions,
): Promise<BatchSendSummary> {
  const maxAttempts = options.maxAttempts ?? 4;
  const baseDelay = options.baseDelayMs ?? 200;
  const summary: BatchSendSummary = { sent: 0, failed: 0, notSent: 0, cancelled: false, requests: 0 };
  const inFlight = new Set<Promise<void>>();
  const stopped = (): boolean => summary.stoppedBy !== undefined || options.signal?.aborted === true;

  const notSent = (batch: readonly BatchItem[], code: string, message: string): void => {
    if (batch.length === 0) return;
    summary.notSent += batch.length;
    options.onNotSent?.(batch.map((item) => ({ item, code, message })));
  };
  const failed = (list: UnsentItem[]): void => {
    if (list.length === 0) return;
    summary.failed += list.length;
    options.onFailed?.(list);
  };

  const sendOne = async (batch: BatchItem[]): Promise<void> => {
    let pending = batch;
    for (let attempt = 1; pending.length > 0; attempt++) {
      const entries: SendMessageBatchRequestEntry[] = pending.map((item, i) => ({
        Id: `e${i}`,
        MessageBody: item.message.body,
        ...(item.message.attributes && Object.keys(item.message.attributes).length > 0 ? { MessageAttributes: item.message.attributes } : {}),
        ...(item.message.delaySeconds !== undefined ? { DelaySeconds: item.message.delaySeconds } : {}),
        ...(item.message.groupId !== undefined ? { MessageGroupId: item.message.groupId } : {}),
        ...(item.message.dedupId !== undefined ? { MessageDeduplicationId: item.message.dedupId } : {}),
      }));
      summary.requests++;
      let retry: BatchItem[] = [];
      let retryReason = { code: '', message: '' };
      try {
        const out = await gateway.call('SendMessageBatch', queueUrl, (c) => c.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries })));
        const at = Date.now();
        const sent: SentItem[] = [];
        for (const s of out.Successful ?? []) {
          const item = pending[Number(s.Id?.slice(1))];
          if (item && s.MessageId) sent.push({ item, messageId: s.MessageId, ...(s.SequenceNumber ? { sequenceNumber: s.SequenceNumber } : {}), at });
        }
        if (sent.length > 0) {
          summary.sent += sent.length;
          options.onSent?.(sent);
        }
        const gaveUp: UnsentItem[] = [];
        for (const f of out.Failed ?? []) {
          const item = pending[Number(f.Id?.slice(1))];
          if (!item) continue;
          const code = f.Code ?? 'Unknown';
          const message = f.Message ?? code;
          if ((!f.SenderFault || SAFE_TO_RETRY.has(code)) && attempt < maxAttempts) {
            retry.push(item);
            retryReason = { code, message };
          } else gaveUp.push({ item, code, message });
        }
        failed(gaveUp);
      } catch (err) {
        const error = err instanceof SqsCallError ? err : new SqsCallError(String(err), 'Unknown', 'SendMessageBatch', queueUrl, false);
        if (FATAL.has(error.code)) {
          summary.stoppedBy ??= error;
          failed(pending.map((item) => ({ item, code: error.code, message: error.message })));
          return;
        }
        if (SAFE_TO_RETRY.has(error.code) && attempt < maxAttempts) {
          retry = pending;
          retryReason = { code: error.code, message: error.message };
        } else {
          const note = SAFE_TO_RETRY.has(error.code) ? '' : ' (the request may or may not have reached SQS)';
          failed(pending.map((item) => ({ item, code: error.code, message: `${error.message}${note}` })));
        }
      }
      pending = retry;
      if (pending.length === 0) return;
      if (stopped()) {
        notSent(pending, options.signal?.aborted ? 'Cancelled' : 'Stopped', `Not sent: ${retryReason.code} (${retryReason.message}), then the run stopped before a retry.`);
        return;
      }
      await sleep(baseDelay * 2 ** (attempt - 1), options.signal);
    }
  };

  const dispatch = async (batch: BatchItem[]): Promise<void> => {
    while (inFlight.size >= Math.max(1, options.concurrency)) await Promise.race(inFlight);
    if (stopped()) {
      notSent(batch, options.signal?.aborted ? 'Cancelled' : 'Stopped', options.signal?.aborted ? 'Cancelled before it was sent.' : `Not sent: the run stopped (${summary.stoppedBy?.code ?? ''}).`);
      return;
    }
    const p: Promise<void> = sendOne(batch).finally(() => inFlight.delete(p));
    inFlight.add(p);
  };

  const packer = new BatchPacker<BatchItem>();
  for await (const item of items) {
    const batch = packer.add(item);
    if (batch) await dispatch(batch);
  }
  const last = packer.flush();
  if (last) await dispatch(last);
  await Promise.all(inFlight);
  summary.cancelled = options.signal?.aborted === true;
  return summary;
}
