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
  return new BatchRun(gateway, queueUrl, options).run(items);
}

/** One Batch Send run: its requests in flight, and the fate of every item. */
class BatchRun {
  private readonly summary: BatchSendSummary = { sent: 0, failed: 0, notSent: 0, cancelled: false, requests: 0 };
  private readonly inFlight = new Set<Promise<void>>();
  private readonly maxAttempts: number;
  private readonly baseDelay: number;

  constructor(
    private readonly gateway: SqsGateway,
    private readonly queueUrl: string,
    private readonly options: BatchSendOptions,
  ) {
    this.maxAttempts = options.maxAttempts ?? 4;
    this.baseDelay = options.baseDelayMs ?? 200;
  }

  async run(items: AsyncIterable<BatchItem> | Iterable<BatchItem>): Promise<BatchSendSummary> {
    const packer = new BatchPacker<BatchItem>();
    for await (const item of items) {
      const batch = packer.add(item);
      if (batch) await this.dispatch(batch);
    }
    const last = packer.flush();
    if (last) await this.dispatch(last);
    await Promise.all(this.inFlight);
    this.summary.cancelled = this.options.signal?.aborted === true;
    return this.summary;
  }

  private stopped(): boolean {
    return this.summary.stoppedBy !== undefined || this.options.signal?.aborted === true;
  }

  private notSent(batch: readonly BatchItem[], code: string, message: string): void {
    if (batch.length === 0) return;
    this.summary.notSent += batch.length;
    this.options.onNotSent?.(batch.map((item) => ({ item, code, message })));
  }

  private failed(list: UnsentItem[]): void {
    if (list.length === 0) return;
    this.summary.failed += list.length;
    this.options.onFailed?.(list);
  }

  private async dispatch(batch: BatchItem[]): Promise<void> {
    while (this.inFlight.size >= Math.max(1, this.options.concurrency)) await Promise.race(this.inFlight);
    if (this.stopped()) {
      const aborted = this.options.signal?.aborted;
      this.notSent(batch, aborted ? 'Cancelled' : 'Stopped', aborted ? 'Cancelled before it was sent.' : `Not sent: the run stopped (${this.summary.stoppedBy?.code ?? ''}).`);
      return;
    }
    const p: Promise<void> = this.sendOne(batch).finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  /** Sends a batch, retrying what may be retried with back-off, until every item has its fate. */
  private async sendOne(batch: BatchItem[]): Promise<void> {
    let pending = batch;
    for (let attempt = 1; pending.length > 0; attempt++) {
      const outcome = await this.attempt(pending, attempt);
      if (outcome === 'stop') return;
      pending = outcome.retry;
      if (pending.length === 0) return;
      if (this.stopped()) {
        const { code, message } = outcome.reason;
        this.notSent(pending, this.options.signal?.aborted ? 'Cancelled' : 'Stopped', `Not sent: ${code} (${message}), then the run stopped before a retry.`);
        return;
      }
      await sleep(this.baseDelay * 2 ** (attempt - 1), this.options.signal);
    }
  }

  /** One SendMessageBatch request: reports what was sent and what failed, and says what to retry. */
  private async attempt(pending: BatchItem[], attempt: number): Promise<{ retry: BatchItem[]; reason: { code: string; message: string } } | 'stop'> {
    const entries: SendMessageBatchRequestEntry[] = pending.map((item, i) => ({
      Id: `e${i}`,
      MessageBody: item.message.body,
      ...(item.message.attributes && Object.keys(item.message.attributes).length > 0 ? { MessageAttributes: item.message.attributes } : {}),
      ...(item.message.delaySeconds !== undefined ? { DelaySeconds: item.message.delaySeconds } : {}),
      ...(item.message.groupId !== undefined ? { MessageGroupId: item.message.groupId } : {}),
      ...(item.message.dedupId !== undefined ? { MessageDeduplicationId: item.message.dedupId } : {}),
    }));
    this.summary.requests++;
    const retry: BatchItem[] = [];
    let reason = { code: '', message: '' };
    try {
      const out = await this.gateway.call('SendMessageBatch', this.queueUrl, (c) => c.send(new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: entries })));
      const at = Date.now();
      const sent: SentItem[] = [];
      for (const s of out.Successful ?? []) {
        const item = pending[Number(s.Id?.slice(1))];
        if (item && s.MessageId) sent.push({ item, messageId: s.MessageId, ...(s.SequenceNumber ? { sequenceNumber: s.SequenceNumber } : {}), at });
      }
      if (sent.length > 0) {
        this.summary.sent += sent.length;
        this.options.onSent?.(sent);
      }
      const gaveUp: UnsentItem[] = [];
      for (const f of out.Failed ?? []) {
        const item = pending[Number(f.Id?.slice(1))];
        if (!item) continue;
        const code = f.Code ?? 'Unknown';
        const message = f.Message ?? code;
        if ((!f.SenderFault || SAFE_TO_RETRY.has(code)) && attempt < this.maxAttempts) {
          retry.push(item);
          reason = { code, message };
        } else gaveUp.push({ item, code, message });
      }
      this.failed(gaveUp);
      return { retry, reason };
    } catch (err) {
      const error = err instanceof SqsCallError ? err : new SqsCallError(String(err), 'Unknown', 'SendMessageBatch', this.queueUrl, false);
      if (FATAL.has(error.code)) {
        this.summary.stoppedBy ??= error;
        this.failed(pending.map((item) => ({ item, code: error.code, message: error.message })));
        return 'stop';
      }
      if (SAFE_TO_RETRY.has(error.code) && attempt < this.maxAttempts) return { retry: pending, reason: { code: error.code, message: error.message } };
      const note = SAFE_TO_RETRY.has(error.code) ? '' : ' (the request may or may not have reached SQS)';
      this.failed(pending.map((item) => ({ item, code: error.code, message: `${error.message}${note}` })));
      return { retry: [], reason };
    }
  }
}
