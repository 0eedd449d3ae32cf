import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import { sendBatches, type BatchItem, type SentItem } from './batchSender';
import type { SqsGateway } from './gateway';
import type { EntryFailure } from './leases';
import { validateMessage, type OutgoingMessage, type QueueLimits } from './sending';

/** A received message to copy: what the inspector holds of it. */
export interface TransferSource {
  readonly messageId: string;
  readonly body: string;
  readonly messageAttributes: Readonly<Record<string, MessageAttributeValue>>;
  readonly systemAttributes: Readonly<Record<string, string>>;
}

/** What became of one message of a move or a copy. */
export interface TransferOutcome {
  readonly messageId: string;
  /** The copy's MessageId, when the destination accepted it. */
  readonly copyId?: string;
  readonly sequenceNumber?: string;
  /** Move only: the original was deleted (always after its copy was accepted). */
  readonly deleted: boolean;
  /** Why the copy was not made, or why the original of a made copy was not deleted. */
  readonly error?: { readonly code: string; readonly message: string };
}

export interface TransferOptions {
  readonly destinationUrl: string;
  readonly destination: QueueLimits;
  /**
   * Deletes originals whose copies were accepted (a move); returns the deletes that
   * failed. Without it, the messages are copied.
   */
  readonly deleteOriginals?: (messageIds: readonly string[]) => Promise<EntryFailure[]>;
  /** SendMessageBatch requests in flight at once; a FIFO destination always takes one, to keep order. */
  readonly concurrency?: number;
  readonly signal?: AbortSignal;
  /** Called as copies are accepted. */
  readonly onCopied?: (copies: readonly { readonly source: TransferSource; readonly sent: SentItem }[]) => void;
}

/**
 * What the copy of a message sends: its body and message attributes, and for a FIFO
 * destination its group id and a deduplication id. The deduplication id is the original's
 * MessageId, so a move that is run again within SQS's 5-minute window cannot copy a
 * message twice.
 */
export function copyOf(source: TransferSource, destination: QueueLimits): OutgoingMessage {
  const attributes: Record<string, MessageAttributeValue> = {};
  for (const [name, a] of Object.entries(source.messageAttributes)) {
    attributes[name] = { DataType: a.DataType, ...(a.StringValue !== undefined ? { StringValue: a.StringValue } : {}), ...(a.BinaryValue !== undefined ? { BinaryValue: a.BinaryValue } : {}) };
  }
  const groupId = source.systemAttributes.MessageGroupId;
  return {
    body: source.body,
    ...(Object.keys(attributes).length > 0 ? { attributes } : {}),
    ...(groupId !== undefined ? { groupId } : {}),
    ...(destination.fifo ? { dedupId: source.messageId } : {}),
  };
}

/**
 * Copies messages to another queue, and for a move deletes each original only once its
 * copy was accepted. Copies go in batches (retried as Batch Send retries); the originals
 * of each accepted batch are deleted before the run ends, and the original of a copy that
 * failed is never deleted. Stopped half-way (cancelled, or the process ends), a message
 * exists at least once: at worst both the original and its copy, never neither. Every
 * message gets one outcome, in the order given.
 */
export async function transferMessages(gateway: SqsGateway, sources: readonly TransferSource[], options: TransferOptions): Promise<TransferOutcome[]> {
  const outcomes = new Map<string, TransferOutcome>();
  const items: BatchItem[] = [];
  sources.forEach((source, position) => {
    const message = copyOf(source, options.destination);
    const problems = validateMessage(message, options.destination);
    if (problems.length > 0) {
      const text = problems.map((p) => `${p.field}: ${p.message}`).join(' ');
      outcomes.set(source.messageId, { messageId: source.messageId, deleted: false, error: { code: 'InvalidCopy', message: text } });
    } else {
      items.push({ position, message, source: null });
    }
  });
  const deletes: Promise<void>[] = [];
  const deleteAfterCopy = (sent: readonly SentItem[]): void => {
    const remove = options.deleteOriginals;
    if (!remove) return;
    const ids = sent.map((s) => sources[s.item.position].messageId);
    deletes.push(
      remove(ids).then(
        (failures) => {
          const failed = new Map(failures.map((f) => [f.messageId, f]));
          for (const id of ids) {
            const done = outcomes.get(id);
            if (!done) continue;
            const f = failed.get(id);
            outcomes.set(id, { ...done, deleted: !f, ...(f ? { error: { code: f.code, message: `Copied, but the original was not deleted: ${f.message}` } } : {}) });
          }
        },
        (err: unknown) => {
          for (const id of ids) {
            const done = outcomes.get(id);
            if (done) outcomes.set(id, { ...done, error: { code: 'DeleteFailed', message: `Copied, but the original was not deleted: ${String(err)}` } });
          }
        },
      ),
    );
  };
  await sendBatches(gateway, options.destinationUrl, items, {
    concurrency: options.destination.fifo ? 1 : (options.concurrency ?? 4),
    ...(options.signal ? { signal: options.signal } : {}),
    onSent: (sent) => {
      for (const s of sent) {
        const id = sources[s.item.position].messageId;
        outcomes.set(id, { messageId: id, copyId: s.messageId, ...(s.sequenceNumber ? { sequenceNumber: s.sequenceNumber } : {}), deleted: false });
      }
      options.onCopied?.(sent.map((s) => ({ source: sources[s.item.position], sent: s })));
      deleteAfterCopy(sent);
    },
    onFailed: (failed) => {
      for (const f of failed) {
        const id = sources[f.item.position].messageId;
        outcomes.set(id, { messageId: id, deleted: false, error: { code: f.code, message: f.message } });
      }
    },
    onNotSent: (unsent) => {
      for (const f of unsent) {
        const id = sources[f.item.position].messageId;
        outcomes.set(id, { messageId: id, deleted: false, error: { code: f.code, message: f.message } });
      }
    },
  });
  await Promise.all(deletes);
  return sources.map((s) => outcomes.get(s.messageId) ?? { messageId: s.messageId, deleted: false, error: { code: 'NotSent', message: 'The copy was not sent.' } });
}

/** Messages that arrived at the destination (and for a move, were deleted from the source). */
export function countDone(outcomes: readonly TransferOutcome[], move: boolean): number {
  return outcomes.filter((o) => o.copyId !== undefined && (!move || o.deleted)).length;
}

/** `Moved 9 of 10 to orders; 1 failed (…)` and the like. */
export function summarizeTransfer(done: number, total: number, move: boolean, destinationName: string): string {
  const failed = total - done;
  return `${move ? 'Moved' : 'Copied'} ${done} of ${total} to ${destinationName}${failed > 0 ? `; ${failed} failed (${move ? 'their originals stay where they were' : 'see each message'})` : ''}`;
}
