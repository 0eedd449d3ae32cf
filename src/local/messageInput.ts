import { createHash, randomUUID } from 'node:crypto';
import { SqsError, invalidParameter, missingParameter, toSqsError } from './errors';
import { md5Hex, md5OfAttributes, type StoredAttribute } from './md5';
import { MESSAGE_OVERHEAD_BYTES } from './memory';
import type { StoredMessage } from './queue';
import type { QueueSettings } from '../model/queueAttributes';
import {
  MAX_BATCH_ENTRIES,
  MAX_DELAY_SECONDS,
  MAX_MESSAGE_ATTRIBUTES,
  MAX_TAGS_PER_QUEUE,
  attributeNameProblem,
  attributesSize,
  baseDataType,
  firstInvalidCharacter,
  isValidBatchEntryId,
  isValidDataType,
  isValidFifoId,
  numberValueProblem,
} from '../model/sqsLimits';
import { dict } from '../model/dict';

// What goes into the engine and what comes out of it, and the checks SQS makes of a
// request's messages, tags and batch entries before anything is stored.

export interface SendInput {
  MessageBody: string;
  DelaySeconds?: number;
  MessageAttributes?: Record<string, StoredAttribute>;
  MessageSystemAttributes?: Record<string, StoredAttribute>;
  MessageDeduplicationId?: string;
  MessageGroupId?: string;
}

export interface SendResult {
  MessageId: string;
  MD5OfMessageBody: string;
  MD5OfMessageAttributes?: string;
  MD5OfMessageSystemAttributes?: string;
  SequenceNumber?: string;
}

export interface ReceiveInput {
  MaxNumberOfMessages?: number;
  VisibilityTimeout?: number;
  WaitTimeSeconds?: number;
  AttributeNames?: string[];
  MessageSystemAttributeNames?: string[];
  MessageAttributeNames?: string[];
  ReceiveRequestAttemptId?: string;
}

export interface ReceivedMessage {
  MessageId: string;
  ReceiptHandle: string;
  MD5OfBody: string;
  Body: string;
  Attributes?: Record<string, string>;
  MD5OfMessageAttributes?: string;
  MessageAttributes?: Record<string, StoredAttribute>;
}

export interface BatchResultError {
  Id: string;
  SenderFault: boolean;
  Code: string;
  Message: string;
}

export const SYSTEM_ATTRIBUTE_NAMES = [
  'SenderId',
  'SentTimestamp',
  'ApproximateReceiveCount',
  'ApproximateFirstReceiveTimestamp',
  'SequenceNumber',
  'MessageDeduplicationId',
  'MessageGroupId',
  'AWSTraceHeader',
  'DeadLetterQueueSourceArn',
] as const;

const NO_ATTRIBUTES: Record<string, StoredAttribute> = Object.freeze({});
export function checkTags(tags: Record<string, string>): void {
  const keys = Object.keys(tags);
  if (keys.length > MAX_TAGS_PER_QUEUE) throw invalidParameter(`Too many tags: a queue can have at most ${MAX_TAGS_PER_QUEUE}.`);
  for (const k of keys) {
    if (k.length === 0 || k.length > 128) throw invalidParameter(`Tag key "${k}" must be 1 to 128 characters.`);
    if (tags[k].length > 256) throw invalidParameter(`Tag value for "${k}" must be at most 256 characters.`);
    if (k.toLowerCase().startsWith('aws:')) throw invalidParameter(`Tag key "${k}" must not start with "aws:".`);
  }
}

/**
 * A batch action: checks the entries' ids, then acts on each entry, a failure of one
 * (an SQS error) reported for that entry without stopping the others.
 */
export function eachOfBatch<E extends { Id: string }>(entries: E[], act: (entry: E) => void): { Successful: { Id: string }[]; Failed: BatchResultError[] } {
  checkBatch(entries.map((e) => e.Id));
  const Successful: { Id: string }[] = [];
  const Failed: BatchResultError[] = [];
  for (const entry of entries) {
    try {
      act(entry);
      Successful.push({ Id: entry.Id });
    } catch (err) {
      Failed.push(batchError(entry.Id, err));
    }
  }
  return { Successful, Failed };
}

export function checkBatch(ids: string[]): void {
  if (ids.length === 0) throw new SqsError('EmptyBatchRequest', 'There should be at least one entry in the request.');
  if (ids.length > MAX_BATCH_ENTRIES) {
    throw new SqsError('TooManyEntriesInBatchRequest', `Maximum number of entries per request are ${MAX_BATCH_ENTRIES}. You have sent ${ids.length}.`);
  }
  const seen = new Set<string>();
  for (const id of ids) {
    if (typeof id !== 'string' || !isValidBatchEntryId(id)) {
      throw new SqsError('InvalidBatchEntryId', `A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long. Invalid id: ${String(id)}`);
    }
    if (seen.has(id)) throw new SqsError('BatchEntryIdsNotDistinct', `Id ${id} repeated.`);
    seen.add(id);
  }
}

export function batchError(id: string, err: unknown): BatchResultError {
  const known = toSqsError(err);
  if (known) return { Id: id, SenderFault: known.senderFault, Code: known.code, Message: known.message };
  return { Id: id, SenderFault: false, Code: 'InternalError', Message: err instanceof Error ? err.message : String(err) };
}

export function validateAttributes(attrs: Record<string, StoredAttribute> | undefined, system: boolean): void {
  if (!attrs) return;
  const names = Object.keys(attrs);
  const kind = system ? 'system attribute' : 'attribute';
  if (!system && names.length > MAX_MESSAGE_ATTRIBUTES) {
    throw invalidParameter(`Number of message attributes [${names.length}] exceeds the allowed maximum [${MAX_MESSAGE_ATTRIBUTES}].`);
  }
  for (const name of names) {
    if (system) {
      if (name !== 'AWSTraceHeader') throw invalidParameter(`Message system attribute name '${name}' is invalid.`);
    } else {
      const problem = attributeNameProblem(name);
      if (problem) throw invalidParameter(`Message attribute name '${name}' is invalid. ${problem}`);
    }
    const a = attrs[name];
    if (!a.DataType) throw invalidParameter(`The message ${kind} '${name}' must contain a non-empty message attribute type.`);
    if (!isValidDataType(a.DataType)) {
      throw invalidParameter(`The type of message ${kind} '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`);
    }
    const base = baseDataType(a.DataType);
    if (system && base !== 'String') throw invalidParameter(`The message system attribute '${name}' must be of type String.`);
    if (base === 'Binary') {
      if (a.BinaryValue === undefined || a.BinaryValue.length === 0) {
        throw invalidParameter(`The message ${kind} '${name}' must contain a non-empty value of type 'Binary'.`);
      }
      if (a.StringValue !== undefined) throw invalidParameter(`The message ${kind} '${name}' of type 'Binary' must not have a StringValue.`);
    } else {
      if (a.StringValue === undefined || a.StringValue.length === 0) {
        throw invalidParameter(`The message ${kind} '${name}' must contain a non-empty value of type '${base}'.`);
      }
      if (a.BinaryValue !== undefined) throw invalidParameter(`The message ${kind} '${name}' of type '${base}' must not have a BinaryValue.`);
      if (base === 'Number') {
        const problem = numberValueProblem(a.StringValue);
        if (problem) throw invalidParameter(`Can't cast the value of message (user) attribute '${name}' to a number. ${problem}`);
      } else {
        const bad = firstInvalidCharacter(a.StringValue);
        if (bad) {
          throw new SqsError('InvalidMessageContents', `Invalid characters found in the value of message ${kind} '${name}': U+${bad.codePoint.toString(16).toUpperCase().padStart(4, '0')} at index ${bad.index}.`);
        }
      }
    }
  }
}


/** Validates a send against the queue and builds the message; nothing is stored yet. */
export function prepareMessage(queue: { readonly fifo: boolean; readonly settings: QueueSettings }, input: SendInput, now: number, senderId: string): StoredMessage {
  const body = input.MessageBody;
  if (body === undefined || body === null) throw missingParameter('MessageBody');
  if (typeof body !== 'string') throw invalidParameter('MessageBody must be a string.');
  if (body.length === 0) throw invalidParameter('The request must contain the parameter MessageBody.');
  const bad = firstInvalidCharacter(body);
  if (bad) {
    throw new SqsError(
      'InvalidMessageContents',
      `Invalid binary character '#x${bad.codePoint.toString(16).toUpperCase()}' was found in the message body, the set of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF`,
    );
  }
  validateAttributes(input.MessageAttributes, false);
  validateAttributes(input.MessageSystemAttributes, true);
  const size = Buffer.byteLength(body, 'utf8') + attributesSize(input.MessageAttributes);
  if (size > queue.settings.MaximumMessageSize) {
    throw invalidParameter(`One or more parameters are invalid. Reason: Message must be shorter than ${queue.settings.MaximumMessageSize} bytes.`);
  }
  if (input.DelaySeconds !== undefined) {
    if (!Number.isInteger(input.DelaySeconds) || input.DelaySeconds < 0 || input.DelaySeconds > MAX_DELAY_SECONDS) {
      throw invalidParameter(`Value ${input.DelaySeconds} for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= ${MAX_DELAY_SECONDS}.`);
    }
    if (queue.fifo && input.DelaySeconds !== 0) {
      throw invalidParameter(`Value ${input.DelaySeconds} for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.`);
    }
  }
  if (input.MessageGroupId !== undefined && !isValidFifoId(input.MessageGroupId)) {
    throw invalidParameter(`Value ${input.MessageGroupId} for parameter MessageGroupId is invalid. Reason: MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.`);
  }
  if (input.MessageDeduplicationId !== undefined && !isValidFifoId(input.MessageDeduplicationId)) {
    throw invalidParameter(`Value ${input.MessageDeduplicationId} for parameter MessageDeduplicationId is invalid. Reason: MessageDeduplicationId can only include alphanumeric and punctuation characters. 1 to 128 in length.`);
  }
  let dedupId = input.MessageDeduplicationId;
  if (queue.fifo) {
    if (input.MessageGroupId === undefined) throw missingParameter('MessageGroupId');
    if (dedupId === undefined) {
      if (!queue.settings.ContentBasedDeduplication) {
        throw invalidParameter('The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly');
      }
      dedupId = createHash('sha256').update(body, 'utf8').digest('hex');
    }
  } else if (dedupId !== undefined) {
    throw invalidParameter(`Value ${dedupId} for parameter MessageDeduplicationId is invalid. Reason: The request includes a parameter that is not valid for this queue type.`);
  }
  const delay = input.DelaySeconds ?? queue.settings.DelaySeconds;
  // Most messages have no attributes: they share one empty object instead of two each.
  const attributes = input.MessageAttributes ?? NO_ATTRIBUTES;
  const systemAttributes = input.MessageSystemAttributes ?? NO_ATTRIBUTES;
  return {
    id: randomUUID(),
    body,
    md5OfBody: md5Hex(Buffer.from(body, 'utf8')),
    attributes,
    md5OfAttributes: md5OfAttributes(attributes),
    systemAttributes,
    md5OfSystemAttributes: md5OfAttributes(systemAttributes),
    sentAt: now,
    senderId,
    groupId: input.MessageGroupId,
    dedupId,
    sequenceNumber: undefined,
    deadLetterSourceArn: undefined,
    enqueuedAt: now,
    state: 'gone',
    visibleAt: now + delay * 1000,
    receiveCount: 0,
    firstReceiveAt: undefined,
    receiveSerial: 0,
    receivedAt: 0,
    version: 0,
    storedBytes: size + MESSAGE_OVERHEAD_BYTES,
  };
}

/** What a receive answers for a message: its handle, and the system and message attributes asked for. */
export function toReceived(m: StoredMessage, fifo: boolean, receiptHandle: string, systemNames: Set<string>, attributeNames: string[]): ReceivedMessage {
  const out: ReceivedMessage = {
    MessageId: m.id,
    ReceiptHandle: receiptHandle,
    MD5OfBody: m.md5OfBody,
    Body: m.body,
  };
  if (systemNames.size > 0) {
    const all = systemNames.has('All');
    const attrs: Record<string, string> = {};
    const put = (name: string, value: string | undefined): void => {
      if (value !== undefined && (all || systemNames.has(name))) attrs[name] = value;
    };
    put('SenderId', m.senderId);
    put('SentTimestamp', String(m.sentAt));
    put('ApproximateReceiveCount', String(m.receiveCount));
    put('ApproximateFirstReceiveTimestamp', m.firstReceiveAt !== undefined ? String(m.firstReceiveAt) : undefined);
    put('SequenceNumber', m.sequenceNumber);
    put('MessageDeduplicationId', fifo ? m.dedupId : undefined);
    put('MessageGroupId', m.groupId);
    put('AWSTraceHeader', m.systemAttributes.AWSTraceHeader?.StringValue);
    put('DeadLetterQueueSourceArn', m.deadLetterSourceArn);
    if (Object.keys(attrs).length > 0) out.Attributes = attrs;
  }
  if (attributeNames.length > 0) {
    const selected = dict<StoredAttribute>();
    for (const [name, value] of Object.entries(m.attributes)) {
      const wanted = attributeNames.some((p) =>
        p === 'All' || p === '.*' ? true : p.endsWith('.*') ? name.startsWith(p.slice(0, -1)) : p === name,
      );
      if (wanted) selected[name] = value;
    }
    if (Object.keys(selected).length > 0) {
      out.MessageAttributes = selected;
      out.MD5OfMessageAttributes = md5OfAttributes(selected);
    }
  }
  return out;
}
