/**
 * The limits and naming rules of Amazon SQS, shared by the built-in local server (which
 * enforces them as SQS does) and the extension (which checks input before sending).
 * Source: shared SQS semantics notes; AWS SQS developer guide, "Quotas related to messages".
 */

// The limits that the inspector page names too live in src/shared/kinds.ts, for both sides.
export {
  DEFAULT_VISIBILITY_TIMEOUT_SECONDS,
  MAX_BATCH_ENTRIES,
  MAX_DELAY_SECONDS,
  MAX_RECEIVE_MESSAGES,
  MAX_VISIBILITY_TIMEOUT_SECONDS,
  MAX_WAIT_TIME_SECONDS,
} from '../shared/kinds';

/** The region SQS clients and the local server use when none is given. */
export const DEFAULT_REGION = 'us-east-1';

export const MAX_MESSAGE_BYTES = 1_048_576;
export const MIN_MAXIMUM_MESSAGE_SIZE = 1_024;
export const MAX_BATCH_PAYLOAD_BYTES = 1_048_576;
export const MAX_BATCH_ENTRY_ID_LENGTH = 80;
export const MAX_MESSAGE_ATTRIBUTES = 10;
export const MAX_ATTRIBUTE_NAME_LENGTH = 256;
export const MIN_RETENTION_SECONDS = 60;
export const MAX_RETENTION_SECONDS = 1_209_600;
export const DEFAULT_RETENTION_SECONDS = 345_600;
export const MAX_QUEUE_NAME_LENGTH = 80;
export const MAX_LIST_QUEUES_RESULTS = 1_000;
export const MAX_FIFO_ID_LENGTH = 128;
export const FIFO_DEDUP_WINDOW_MS = 5 * 60 * 1000;
export const PURGE_COOLDOWN_MS = 60 * 1000;
export const MAX_RECEIVE_COUNT_LIMIT = 1_000;
export const MAX_TAGS_PER_QUEUE = 50;
export const MAX_MOVE_RATE = 500;

/** Queue attributes that CreateQueue and SetQueueAttributes take (FifoQueue only at creation). */
export const SETTABLE_QUEUE_ATTRIBUTES = [
  'DelaySeconds',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'ReceiveMessageWaitTimeSeconds',
  'VisibilityTimeout',
  'RedrivePolicy',
  'RedriveAllowPolicy',
  'Policy',
  'KmsMasterKeyId',
  'KmsDataKeyReusePeriodSeconds',
  'SqsManagedSseEnabled',
  'FifoQueue',
  'ContentBasedDeduplication',
  'DeduplicationScope',
  'FifoThroughputLimit',
] as const;

const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
const BATCH_ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;
const ATTRIBUTE_NAME_CHARS = /^[A-Za-z0-9_.-]+$/;
const FIFO_ID = /^[\x21-\x7e]{1,128}$/;
const DATA_TYPE = /^(String|Number|Binary)(\.[\x21-\x7e]+)?$/;

/** Why a queue name is invalid, or undefined when it is valid (FIFO names end in `.fifo`). */
export function queueNameProblem(name: string): string | undefined {
  const base = name.endsWith('.fifo') ? name.slice(0, -5) : name;
  if (name.length === 0) return 'Queue name must not be empty.';
  if (name.length > MAX_QUEUE_NAME_LENGTH) return `Queue name must be at most ${MAX_QUEUE_NAME_LENGTH} characters (it has ${name.length}).`;
  if (!QUEUE_NAME.test(base)) return 'Queue name may contain only letters, digits, hyphens (-) and underscores (_), and FIFO queue names end in .fifo.';
  return undefined;
}

const INVALID_CHARACTER = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** The first code point SQS does not accept in a body or attribute value, or undefined. */
export function firstInvalidCharacter(text: string): { index: number; codePoint: number } | undefined {
  // A regular expression finds the common case (nothing invalid) far faster than a loop.
  if (!INVALID_CHARACTER.test(text)) return undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x20 && c <= 0xd7ff) continue;
    if (c === 0x9 || c === 0xa || c === 0xd) continue;
    if (c >= 0xe000 && c <= 0xfffd) continue;
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
    }
    return { index: i, codePoint: text.codePointAt(i) ?? c };
  }
  return undefined;
}

/** Why a message attribute name is invalid, or undefined. */
export function attributeNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'Message attribute name must not be empty.';
  if (name.length > MAX_ATTRIBUTE_NAME_LENGTH) return `Message attribute name must be at most ${MAX_ATTRIBUTE_NAME_LENGTH} characters.`;
  if (!ATTRIBUTE_NAME_CHARS.test(name)) return 'Message attribute name may contain only A-Z, a-z, 0-9, underscore (_), hyphen (-) and period (.).';
  const lower = name.toLowerCase();
  if (lower.startsWith('aws.') || lower.startsWith('amazon.')) return 'Message attribute name must not start with "AWS." or "Amazon.".';
  if (name.startsWith('.') || name.endsWith('.')) return 'Message attribute name must not start or end with a period.';
  if (name.includes('..')) return 'Message attribute name must not contain two periods in a row.';
  return undefined;
}

/** True for `String`, `Number`, `Binary`, each optionally with a custom suffix (`Number.float`). */
export function isValidDataType(dataType: string): boolean {
  return dataType.length <= 256 && DATA_TYPE.test(dataType);
}

/** The base type of a data type: `Number.float` is a `Number`. */
export function baseDataType(dataType: string): 'String' | 'Number' | 'Binary' {
  return dataType.split('.', 1)[0] as 'String' | 'Number' | 'Binary';
}

/** Why a Number attribute value is not one SQS accepts (up to 38 significant digits, -1e128..1e126). */
export function numberValueProblem(value: string): string | undefined {
  // One pass over the text: a value of any length costs time in proportion to its length.
  const s = value.trim();
  const notNumber = `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}" is not a number.`;
  let i = s[0] === '+' || s[0] === '-' ? 1 : 0;
  const mantissaStart = i;
  let digits = 0;
  for (; isDigit(s, i); i++) digits++;
  let dot = -1;
  if (s[i] === '.') {
    dot = i++;
    for (; isDigit(s, i); i++) digits++;
  }
  if (digits === 0) return notNumber;
  const mantissaEnd = i;
  if (s[i] === 'e' || s[i] === 'E') {
    i++;
    if (s[i] === '+' || s[i] === '-') i++;
    const exponentStart = i;
    while (isDigit(s, i)) i++;
    if (i === exponentStart) return notNumber;
  }
  if (i !== s.length) return notNumber;
  // Significant digits: from the first non-zero digit to the last, the point not counted.
  let first = -1;
  let last = -1;
  for (let k = mantissaStart; k < mantissaEnd; k++) {
    const c = s.charCodeAt(k);
    if (c >= 0x31 && c <= 0x39) {
      if (first < 0) first = k;
      last = k;
    }
  }
  const significant = first < 0 ? 0 : last - first + 1 - (dot > first && dot < last ? 1 : 0);
  if (significant > 38) return 'Number values may have at most 38 significant digits.';
  const n = Number(s);
  if (n > 1e126 || n < -1e128) return 'Number values must lie between -10^128 and 10^126.';
  return undefined;
}

function isDigit(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c >= 0x30 && c <= 0x39;
}

export function isValidBatchEntryId(id: string): boolean {
  return BATCH_ENTRY_ID.test(id);
}

/** MessageGroupId and MessageDeduplicationId: 1..128 printable ASCII characters. */
export function isValidFifoId(id: string): boolean {
  return FIFO_ID.test(id);
}

export interface AttributeValueLike {
  DataType?: string;
  StringValue?: string;
  BinaryValue?: Uint8Array;
}

/** Bytes the attributes add to a message's size: name, type and value of each, in UTF-8. */
export function attributesSize(attributes: Record<string, AttributeValueLike> | undefined): number {
  if (!attributes) return 0;
  let size = 0;
  for (const [name, value] of Object.entries(attributes)) {
    size += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(value.DataType ?? '', 'utf8');
    if (value.BinaryValue !== undefined) size += value.BinaryValue.byteLength;
    else size += Buffer.byteLength(value.StringValue ?? '', 'utf8');
  }
  return size;
}
