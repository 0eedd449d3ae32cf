import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import {
  MAX_BATCH_ENTRIES,
  MAX_BATCH_PAYLOAD_BYTES,
  MAX_DELAY_SECONDS,
  MAX_MESSAGE_ATTRIBUTES,
  attributeNameProblem,
  attributesSize,
  baseDataType,
  firstInvalidCharacter,
  isValidDataType,
  isValidFifoId,
  numberValueProblem,
} from '../model/sqsLimits';
import { dict } from '../model/dict';

/** One message to send, in the SDK's terms. */
export interface OutgoingMessage {
  body: string;
  attributes?: Record<string, MessageAttributeValue>;
  delaySeconds?: number;
  groupId?: string;
  dedupId?: string;
}

/** What the queue allows, read from its attributes. */
export interface QueueLimits {
  fifo: boolean;
  contentBasedDeduplication: boolean;
  maximumMessageSize: number;
}

export function queueLimitsFrom(attributes: Record<string, string>, queueName: string): QueueLimits {
  return {
    fifo: attributes.FifoQueue === 'true' || queueName.endsWith('.fifo'),
    contentBasedDeduplication: attributes.ContentBasedDeduplication === 'true',
    maximumMessageSize: Number(attributes.MaximumMessageSize ?? 1_048_576) || 1_048_576,
  };
}

/** A problem with one field of one message. */
export interface FieldProblem {
  field: string;
  message: string;
}

/** Bytes the message counts against the size limits: UTF-8 body plus attributes. */
export function messageSize(m: OutgoingMessage): number {
  return Buffer.byteLength(m.body, 'utf8') + attributesSize(m.attributes);
}

function codePoint(cp: number): string {
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Checks a message against SQS's limits and the queue's own settings before anything is
 * sent; every problem names its field and the limit.
 */
export function validateMessage(m: OutgoingMessage, queue: QueueLimits): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (m.body.length === 0) problems.push({ field: 'body', message: 'The body is empty; SQS needs at least 1 character.' });
  const bad = firstInvalidCharacter(m.body);
  if (bad) problems.push({ field: 'body', message: `The body contains ${codePoint(bad.codePoint)} at character ${bad.index + 1}, which SQS does not accept.` });
  const size = messageSize(m);
  if (size > queue.maximumMessageSize) {
    problems.push({
      field: 'body',
      message: `The message is ${size.toLocaleString('en-US')} bytes (body and attributes); the queue accepts at most ${queue.maximumMessageSize.toLocaleString('en-US')} bytes.`,
    });
  }
  const names = Object.keys(m.attributes ?? {});
  if (names.length > MAX_MESSAGE_ATTRIBUTES) {
    problems.push({ field: 'attributes', message: `${names.length} message attributes; SQS allows at most ${MAX_MESSAGE_ATTRIBUTES}.` });
  }
  for (const name of names) {
    const a = (m.attributes ?? {})[name];
    const field = `attributes.${name}`;
    const nameProblem = attributeNameProblem(name);
    if (nameProblem) problems.push({ field, message: nameProblem });
    const type = a.DataType ?? '';
    if (!isValidDataType(type)) {
      problems.push({ field, message: `Type "${type}" is not String, Number or Binary (optionally with a suffix such as Number.float).` });
      continue;
    }
    const base = baseDataType(type);
    if (base === 'Binary') {
      if (!a.BinaryValue || a.BinaryValue.length === 0) problems.push({ field, message: 'A Binary attribute needs a non-empty value.' });
    } else if (!a.StringValue) {
      problems.push({ field, message: `A ${base} attribute needs a non-empty value.` });
    } else if (base === 'Number') {
      const p = numberValueProblem(a.StringValue);
      if (p) problems.push({ field, message: p });
    } else {
      const badValue = firstInvalidCharacter(a.StringValue);
      if (badValue) problems.push({ field, message: `The value contains ${codePoint(badValue.codePoint)}, which SQS does not accept.` });
    }
  }
  if (m.delaySeconds !== undefined) {
    if (!Number.isInteger(m.delaySeconds) || m.delaySeconds < 0 || m.delaySeconds > MAX_DELAY_SECONDS) {
      problems.push({ field: 'delaySeconds', message: `The delay must be a whole number of seconds from 0 to ${MAX_DELAY_SECONDS}.` });
    } else if (queue.fifo && m.delaySeconds !== 0) {
      problems.push({ field: 'delaySeconds', message: 'FIFO queues do not take a per-message delay (set DelaySeconds on the queue instead).' });
    }
  }
  if (queue.fifo) {
    if (m.groupId === undefined || m.groupId === '') problems.push({ field: 'groupId', message: 'A FIFO queue needs a message group id.' });
    if (m.dedupId === undefined && !queue.contentBasedDeduplication) {
      problems.push({ field: 'dedupId', message: 'This FIFO queue has no content-based deduplication: give a deduplication id.' });
    }
  } else if (m.dedupId !== undefined) {
    problems.push({ field: 'dedupId', message: 'Deduplication ids are for FIFO queues only.' });
  }
  for (const field of ['groupId', 'dedupId'] as const) {
    const v = m[field];
    if (v !== undefined && v !== '' && !isValidFifoId(v)) {
      problems.push({ field, message: 'At most 128 characters: letters, digits and punctuation, no spaces.' });
    }
  }
  return problems;
}

const ENTRY_FIELDS = new Set(['body', 'attributes', 'delaySeconds', 'groupId', 'dedupId', 'id', 'error']);

/**
 * Turns one entry of a batch file into a message. An entry is a string (the body) or an
 * object `{ body, attributes?, delaySeconds?, groupId?, dedupId?, id? }`; a non-string
 * body is sent as its JSON text. Attribute values are a string (String), a number
 * (Number), `{ "type": "Binary", "value": "<base64>" }`, or the SDK's
 * `{ "DataType", "StringValue" | "BinaryValue" }`.
 */
export function messageFromEntry(value: unknown): { message?: OutgoingMessage; id?: string; problems: FieldProblem[] } {
  if (typeof value === 'string') return { message: { body: value }, problems: [] };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { problems: [{ field: 'entry', message: 'An entry is a string body or an object with a "body".' }] };
  }
  const e = value as Record<string, unknown>;
  const problems: FieldProblem[] = [];
  for (const key of Object.keys(e)) {
    if (!ENTRY_FIELDS.has(key)) problems.push({ field: key, message: `Unknown field "${key}"; an entry has body, attributes, delaySeconds, groupId, dedupId and id.` });
  }
  if (!('body' in e) || e.body === undefined || e.body === null) {
    problems.push({ field: 'body', message: 'The entry has no "body".' });
    return { problems };
  }
  const message: OutgoingMessage = { body: typeof e.body === 'string' ? e.body : JSON.stringify(e.body) };
  if (e.attributes !== undefined) {
    if (typeof e.attributes !== 'object' || e.attributes === null || Array.isArray(e.attributes)) {
      problems.push({ field: 'attributes', message: '"attributes" must be an object of name: value.' });
    } else {
      const attributes = dict<MessageAttributeValue>();
      for (const [name, v] of Object.entries(e.attributes as Record<string, unknown>)) {
        const parsed = attributeFromEntry(v);
        if (typeof parsed === 'string') problems.push({ field: `attributes.${name}`, message: parsed });
        else attributes[name] = parsed;
      }
      message.attributes = attributes;
    }
  }
  if (e.delaySeconds !== undefined) {
    if (typeof e.delaySeconds !== 'number') problems.push({ field: 'delaySeconds', message: '"delaySeconds" must be a number.' });
    else message.delaySeconds = e.delaySeconds;
  }
  for (const field of ['groupId', 'dedupId'] as const) {
    const v = e[field];
    if (v === undefined) continue;
    if (typeof v !== 'string') problems.push({ field, message: `"${field}" must be a string.` });
    else message[field] = v;
  }
  let id: string | undefined;
  if (e.id !== undefined) {
    if (typeof e.id !== 'string' && typeof e.id !== 'number') problems.push({ field: 'id', message: '"id" must be a string.' });
    else id = String(e.id);
  }
  return { message, ...(id !== undefined ? { id } : {}), problems };
}

function attributeFromEntry(v: unknown): MessageAttributeValue | string {
  if (typeof v === 'string') return { DataType: 'String', StringValue: v };
  if (typeof v === 'number') return { DataType: 'Number', StringValue: String(v) };
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'An attribute value is a string, a number, or an object with a type and a value.';
  const o = v as Record<string, unknown>;
  const type = typeof o.DataType === 'string' ? o.DataType : typeof o.type === 'string' ? o.type : undefined;
  if (!type) return 'The attribute has no "type" (String, Number or Binary).';
  if (type.startsWith('Binary')) {
    const raw = typeof o.BinaryValue === 'string' ? o.BinaryValue : typeof o.value === 'string' ? o.value : undefined;
    if (raw === undefined || !/^[A-Za-z0-9+/]*={0,2}$/.test(raw) || raw.length % 4 !== 0) return 'A Binary attribute needs its value in base64.';
    return { DataType: type, BinaryValue: Buffer.from(raw, 'base64') };
  }
  const value = o.StringValue ?? o.value;
  if (typeof value !== 'string' && typeof value !== 'number') return `A ${type} attribute needs a "value".`;
  return { DataType: type, StringValue: String(value) };
}

/**
 * Packs messages into SendMessageBatch requests of at most 10 entries and at most the
 * batch payload limit (1 MiB of bodies and attributes), keeping their order.
 */
export class BatchPacker<T extends { message: OutgoingMessage }> {
  private current: T[] = [];
  private bytes = 0;

  constructor(
    private readonly maxEntries = MAX_BATCH_ENTRIES,
    private readonly maxBytes = MAX_BATCH_PAYLOAD_BYTES,
  ) {}

  /** Adds an item; returns the batch that was closed to make room for it, if any. */
  add(item: T): T[] | undefined {
    const size = messageSize(item.message);
    let closed: T[] | undefined;
    if (this.current.length > 0 && (this.current.length >= this.maxEntries || this.bytes + size > this.maxBytes)) {
      closed = this.current;
      this.current = [];
      this.bytes = 0;
    }
    this.current.push(item);
    this.bytes += size;
    if (this.current.length >= this.maxEntries && !closed) {
      closed = this.current;
      this.current = [];
      this.bytes = 0;
    }
    return closed;
  }

  /** The last, partly filled batch. */
  flush(): T[] | undefined {
    if (this.current.length === 0) return undefined;
    const batch = this.current;
    this.current = [];
    this.bytes = 0;
    return batch;
  }
}
