import { dict } from './dict';

/**
 * What the inspector's Save… writes: the Batch Send file format (JSON Lines, one entry per
 * message: body, attributes, FIFO ids, and the MessageId as the entry's `id` label), so a
 * saved file goes back into Batch Send as it is. Nothing else is written: Batch Send
 * refuses fields it does not know.
 */

/** The parts of a received message that a send needs again. */
export interface SavableMessage {
  readonly messageId: string;
  readonly body: string;
  readonly messageAttributes: Readonly<Record<string, { readonly type: string; readonly value: string }>>;
  readonly groupId?: string;
  readonly dedupId?: string;
}

/** One Batch Send entry for a message. */
export function batchEntryOf(m: SavableMessage): Record<string, unknown> {
  const attributes = dict<unknown>();
  for (const [name, a] of Object.entries(m.messageAttributes)) {
    // A String is written as a plain string; every other type keeps its type and exact text
    // (a Number as JSON would lose "2.50" or digits past double precision).
    attributes[name] = a.type === 'String' ? a.value : { type: a.type, value: a.value };
  }
  return {
    body: m.body,
    ...(Object.keys(attributes).length > 0 ? { attributes } : {}),
    ...(m.groupId !== undefined ? { groupId: m.groupId } : {}),
    ...(m.dedupId !== undefined ? { dedupId: m.dedupId } : {}),
    id: m.messageId,
  };
}

/** The whole file: one entry per line. */
export function savedMessagesFile(messages: readonly SavableMessage[]): string {
  return messages.map((m) => `${JSON.stringify(batchEntryOf(m))}\n`).join('');
}

/** A file name to suggest: `<queue>-<yyyy-mm-dd-hhmmss><suffix>`, e.g. `orders-2025-06-01-142501.jsonl`. */
export function suggestedFileName(queueName: string, at: Date, suffix: string): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  const stamp = `${at.getFullYear()}-${p(at.getMonth() + 1)}-${p(at.getDate())}-${p(at.getHours())}${p(at.getMinutes())}${p(at.getSeconds())}`;
  return `${queueName.replace(/[^\w.-]/g, '_')}-${stamp}${suffix}`;
}
