import { randomUUID } from 'node:crypto';
import { jsonProblem } from '../model/jsonText';
import { batchEntryOf, type SavableMessage } from '../model/savedMessages';
import { messageFromEntry, validateMessage, type FieldProblem, type OutgoingMessage, type QueueLimits } from './sending';

/**
 * The editable document of Edit and Resend: one Batch Send entry, pretty-printed. A body
 * that is a JSON object or array is shown as JSON (and sent compact); any other body as a
 * string. The original's MessageId is the entry's `id` label. On a FIFO queue without
 * content-based deduplication the entry gets a fresh deduplication id: the original's would
 * make SQS drop the resend within 5 minutes.
 */
export function resendDocument(m: SavableMessage, queue: QueueLimits): string {
  const entry = batchEntryOf({ messageId: m.messageId, body: m.body, messageAttributes: m.messageAttributes, ...(m.groupId !== undefined ? { groupId: m.groupId } : {}) });
  let body: unknown = m.body;
  const first = m.body.trimStart()[0];
  if ((first === '{' || first === '[') && jsonProblem(m.body) === undefined) body = JSON.parse(m.body) as unknown;
  const dedupId = queue.fifo && !queue.contentBasedDeduplication ? { dedupId: randomUUID() } : {};
  return `${JSON.stringify({ ...entry, body, ...dedupId }, null, 2)}\n`;
}

/** The message an edited document sends, or every problem found, each naming its field (or line and column). */
export function readResendDocument(text: string, queue: QueueLimits): { message: OutgoingMessage } | { problems: FieldProblem[] } {
  const notAnObject = { field: 'document', message: 'The document must be one JSON object: { "body": …, "attributes": {…}, "groupId": …, "dedupId": … }.' };
  if (!text.trimStart().startsWith('{')) return { problems: [notAnObject] };
  const problem = jsonProblem(text);
  if (problem) return { problems: [{ field: 'document', message: `Not valid JSON: ${problem}.` }] };
  const value = JSON.parse(text) as unknown;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { problems: [notAnObject] };
  const read = messageFromEntry(value);
  if (!read.message || read.problems.length > 0) return { problems: read.problems };
  const problems = validateMessage(read.message, queue);
  return problems.length > 0 ? { problems } : { message: read.message };
}
