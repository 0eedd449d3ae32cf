import {
  DEFAULT_RETENTION_SECONDS,
  DEFAULT_VISIBILITY_TIMEOUT_SECONDS,
  MAX_DELAY_SECONDS,
  MAX_MESSAGE_BYTES,
  MAX_RECEIVE_COUNT_LIMIT,
  MAX_RETENTION_SECONDS,
  MAX_VISIBILITY_TIMEOUT_SECONDS,
  MAX_WAIT_TIME_SECONDS,
  MIN_MAXIMUM_MESSAGE_SIZE,
  MIN_RETENTION_SECONDS,
  SETTABLE_QUEUE_ATTRIBUTES,
} from './sqsLimits';
import { jsonDepth } from './jsonText';

/** How deeply a queue policy may nest: IAM policy documents are a few levels deep. */
export const MAX_POLICY_DEPTH = 64;

/**
 * A queue attribute SQS would refuse, under the error code SQS answers with; the local
 * server answers with it, the extension shows it before sending anything.
 */
export class QueueAttributeError extends Error {
  constructor(
    readonly code: 'InvalidAttributeName' | 'InvalidAttributeValue' | 'InvalidParameterValue',
    message: string,
  ) {
    super(message);
    this.name = code;
  }
}

/** The settable attributes of a queue, parsed. */
export interface QueueSettings {
  DelaySeconds: number;
  MaximumMessageSize: number;
  MessageRetentionPeriod: number;
  ReceiveMessageWaitTimeSeconds: number;
  VisibilityTimeout: number;
  RedrivePolicy?: RedrivePolicy;
  RedriveAllowPolicy?: RedriveAllowPolicy;
  Policy?: string;
  KmsMasterKeyId?: string;
  KmsDataKeyReusePeriodSeconds?: number;
  SqsManagedSseEnabled: boolean;
  FifoQueue: boolean;
  ContentBasedDeduplication: boolean;
  DeduplicationScope: 'queue' | 'messageGroup';
  FifoThroughputLimit: 'perQueue' | 'perMessageGroupId';
}

export interface RedrivePolicy {
  deadLetterTargetArn: string;
  maxReceiveCount: number;
}

export interface RedriveAllowPolicy {
  redrivePermission: 'allowAll' | 'denyAll' | 'byQueue';
  sourceQueueArns?: string[];
}

const SETTABLE = new Set<string>(SETTABLE_QUEUE_ATTRIBUTES);

const FIFO_ONLY = new Set(['ContentBasedDeduplication', 'DeduplicationScope', 'FifoThroughputLimit']);

/** Every attribute name GetQueueAttributes knows, settable or read-only. */
export const READABLE_ATTRIBUTES = [
  'All',
  'Policy',
  'VisibilityTimeout',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
  'QueueArn',
  'ApproximateNumberOfMessagesDelayed',
  'DelaySeconds',
  'ReceiveMessageWaitTimeSeconds',
  'RedrivePolicy',
  'FifoQueue',
  'ContentBasedDeduplication',
  'KmsMasterKeyId',
  'KmsDataKeyReusePeriodSeconds',
  'DeduplicationScope',
  'FifoThroughputLimit',
  'RedriveAllowPolicy',
  'SqsManagedSseEnabled',
] as const;

export function defaultSettings(fifo: boolean): QueueSettings {
  return {
    DelaySeconds: 0,
    MaximumMessageSize: MAX_MESSAGE_BYTES,
    MessageRetentionPeriod: DEFAULT_RETENTION_SECONDS,
    ReceiveMessageWaitTimeSeconds: 0,
    VisibilityTimeout: DEFAULT_VISIBILITY_TIMEOUT_SECONDS,
    SqsManagedSseEnabled: true,
    FifoQueue: fifo,
    ContentBasedDeduplication: false,
    DeduplicationScope: 'queue',
    FifoThroughputLimit: 'perQueue',
  };
}

function integerIn(name: string, raw: string, min: number, max: number): number {
  if (!/^-?\d+$/.test(raw.trim())) {
    throw new QueueAttributeError('InvalidAttributeValue', `Invalid value for the parameter ${name}. Reason: "${raw}" is not an integer.`);
  }
  const n = Number(raw.trim());
  if (n < min || n > max) {
    throw new QueueAttributeError('InvalidAttributeValue', `Invalid value for the parameter ${name}. Reason: must be between ${min} and ${max}.`);
  }
  return n;
}

function bool(name: string, raw: string): boolean {
  const v = raw.trim().toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new QueueAttributeError('InvalidAttributeValue', `Invalid value for the parameter ${name}. Reason: must be true or false.`);
}

/** Parses a RedrivePolicy document; `resolveQueue` checks the target exists and gives its FIFO-ness. */
export function parseRedrivePolicy(raw: string): RedrivePolicy {
  let doc: unknown;
  try {
    doc = JSON.parse(raw);
  } catch {
    throw new QueueAttributeError('InvalidAttributeValue', 'Invalid value for the parameter RedrivePolicy. Reason: Redrive policy is not a valid JSON map.');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new QueueAttributeError('InvalidAttributeValue', 'Invalid value for the parameter RedrivePolicy. Reason: Redrive policy is not a valid JSON map.');
  }
  const { deadLetterTargetArn, maxReceiveCount } = doc as Record<string, unknown>;
  if (typeof deadLetterTargetArn !== 'string' || deadLetterTargetArn.length === 0) {
    throw new QueueAttributeError('InvalidAttributeValue', 'Value for parameter RedrivePolicy is invalid. Reason: Redrive policy does not contain mandatory attribute: deadLetterTargetArn.');
  }
  if (maxReceiveCount === undefined) {
    throw new QueueAttributeError('InvalidAttributeValue', 'Value for parameter RedrivePolicy is invalid. Reason: Redrive policy does not contain mandatory attribute: maxReceiveCount.');
  }
  const count = typeof maxReceiveCount === 'number' ? maxReceiveCount : Number(maxReceiveCount);
  if (!Number.isInteger(count) || count < 1 || count > MAX_RECEIVE_COUNT_LIMIT) {
    throw new QueueAttributeError('InvalidAttributeValue', `Value for parameter RedrivePolicy is invalid. Reason: Invalid value for maxReceiveCount: ${JSON.stringify(maxReceiveCount)}, valid values are from 1 to ${MAX_RECEIVE_COUNT_LIMIT} both inclusive.`);
  }
  return { deadLetterTargetArn, maxReceiveCount: count };
}

export function parseRedriveAllowPolicy(raw: string): RedriveAllowPolicy {
  let doc: unknown;
  try {
    doc = JSON.parse(raw);
  } catch {
    throw new QueueAttributeError('InvalidAttributeValue', 'Invalid value for the parameter RedriveAllowPolicy. Reason: not a valid JSON map.');
  }
  const { redrivePermission, sourceQueueArns } = (doc ?? {}) as Record<string, unknown>;
  if (redrivePermission !== 'allowAll' && redrivePermission !== 'denyAll' && redrivePermission !== 'byQueue') {
    throw new QueueAttributeError('InvalidAttributeValue', 'Invalid value for the parameter RedriveAllowPolicy. Reason: redrivePermission must be allowAll, denyAll or byQueue.');
  }
  if (redrivePermission === 'byQueue') {
    if (!Array.isArray(sourceQueueArns) || sourceQueueArns.length === 0 || sourceQueueArns.length > 10 || !sourceQueueArns.every((a) => typeof a === 'string')) {
      throw new QueueAttributeError('InvalidAttributeValue', 'Invalid value for the parameter RedriveAllowPolicy. Reason: byQueue needs sourceQueueArns, a list of 1 to 10 queue ARNs.');
    }
    return { redrivePermission, sourceQueueArns };
  }
  if (sourceQueueArns !== undefined) {
    throw new QueueAttributeError('InvalidAttributeValue', 'Invalid value for the parameter RedriveAllowPolicy. Reason: sourceQueueArns is allowed only with redrivePermission byQueue.');
  }
  return { redrivePermission };
}

/** Validates one attribute and sets it on `next`. */
function applyOne(next: QueueSettings, base: QueueSettings, name: string, raw: string, creating: boolean): void {
  switch (name) {
    case 'DelaySeconds':
      next.DelaySeconds = integerIn(name, raw, 0, MAX_DELAY_SECONDS);
      break;
    case 'MaximumMessageSize':
      next.MaximumMessageSize = integerIn(name, raw, MIN_MAXIMUM_MESSAGE_SIZE, MAX_MESSAGE_BYTES);
      break;
    case 'MessageRetentionPeriod':
      next.MessageRetentionPeriod = integerIn(name, raw, MIN_RETENTION_SECONDS, MAX_RETENTION_SECONDS);
      break;
    case 'ReceiveMessageWaitTimeSeconds':
      next.ReceiveMessageWaitTimeSeconds = integerIn(name, raw, 0, MAX_WAIT_TIME_SECONDS);
      break;
    case 'VisibilityTimeout':
      next.VisibilityTimeout = integerIn(name, raw, 0, MAX_VISIBILITY_TIMEOUT_SECONDS);
      break;
    case 'RedrivePolicy':
      next.RedrivePolicy = raw === '' ? undefined : parseRedrivePolicy(raw);
      break;
    case 'RedriveAllowPolicy':
      next.RedriveAllowPolicy = raw === '' ? undefined : parseRedriveAllowPolicy(raw);
      break;
    case 'Policy':
      if (raw !== '') {
        try {
          JSON.parse(raw);
        } catch {
          throw new QueueAttributeError('InvalidAttributeValue', 'Invalid value for the parameter Policy. Reason: not valid JSON.');
        }
        const depth = jsonDepth(raw);
        if (depth > MAX_POLICY_DEPTH) {
          throw new QueueAttributeError('InvalidAttributeValue', `Invalid value for the parameter Policy. Reason: it nests ${depth} levels deep; a policy document nests at most ${MAX_POLICY_DEPTH}.`);
        }
      }
      next.Policy = raw === '' ? undefined : raw;
      break;
    case 'KmsMasterKeyId':
      next.KmsMasterKeyId = raw === '' ? undefined : raw;
      if (next.KmsMasterKeyId) next.SqsManagedSseEnabled = false;
      break;
    case 'KmsDataKeyReusePeriodSeconds':
      next.KmsDataKeyReusePeriodSeconds = integerIn(name, raw, 60, 86_400);
      break;
    case 'SqsManagedSseEnabled':
      next.SqsManagedSseEnabled = bool(name, raw);
      break;
    case 'FifoQueue': {
      const fifo = bool(name, raw);
      if (!creating && fifo !== base.FifoQueue) {
        throw new QueueAttributeError('InvalidAttributeName', 'Unknown Attribute FifoQueue.');
      }
      if (creating && !fifo && base.FifoQueue) {
        throw new QueueAttributeError('InvalidParameterValue', 'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix.');
      }
      next.FifoQueue = fifo;
      break;
    }
    case 'ContentBasedDeduplication':
      next.ContentBasedDeduplication = bool(name, raw);
      break;
    case 'DeduplicationScope':
      if (raw !== 'queue' && raw !== 'messageGroup') {
        throw new QueueAttributeError('InvalidAttributeValue', 'Invalid value for the parameter DeduplicationScope. Reason: must be queue or messageGroup.');
      }
      next.DeduplicationScope = raw;
      break;
    case 'FifoThroughputLimit':
      if (raw !== 'perQueue' && raw !== 'perMessageGroupId') {
        throw new QueueAttributeError('InvalidAttributeValue', 'Invalid value for the parameter FifoThroughputLimit. Reason: must be perQueue or perMessageGroupId.');
      }
      next.FifoThroughputLimit = raw;
      break;
  }
}

/**
 * Applies `input` onto `base` (a copy is returned), validating each attribute as SQS does.
 * `creating` allows FifoQueue; on an existing queue FifoQueue cannot change.
 */
export function applyAttributes(base: QueueSettings, input: Record<string, string>, creating: boolean): QueueSettings {
  const next: QueueSettings = { ...base };
  for (const [name, raw] of Object.entries(input)) {
    if (!SETTABLE.has(name)) {
      throw new QueueAttributeError('InvalidAttributeName', `Unknown Attribute ${name}.`);
    }
    if (typeof raw !== 'string') {
      throw new QueueAttributeError('InvalidAttributeValue', `Invalid value for the parameter ${name}. Reason: must be a string.`);
    }
    if (FIFO_ONLY.has(name) && !base.FifoQueue) {
      throw new QueueAttributeError('InvalidAttributeName', `Unknown Attribute ${name}.`);
    }
    applyOne(next, base, name, raw, creating);
  }
  if (next.FifoThroughputLimit === 'perMessageGroupId' && next.DeduplicationScope !== 'messageGroup') {
    throw new QueueAttributeError('InvalidAttributeValue', 'Invalid value for the parameter FifoThroughputLimit. Reason: perMessageGroupId is allowed only when DeduplicationScope is messageGroup.');
  }
  return next;
}

/** The settable attributes as SQS reports them (strings). */
export function settingsToAttributes(s: QueueSettings): Record<string, string> {
  const out: Record<string, string> = {
    VisibilityTimeout: String(s.VisibilityTimeout),
    MaximumMessageSize: String(s.MaximumMessageSize),
    MessageRetentionPeriod: String(s.MessageRetentionPeriod),
    DelaySeconds: String(s.DelaySeconds),
    ReceiveMessageWaitTimeSeconds: String(s.ReceiveMessageWaitTimeSeconds),
    SqsManagedSseEnabled: String(s.SqsManagedSseEnabled),
  };
  if (s.Policy !== undefined) out.Policy = s.Policy;
  if (s.RedrivePolicy) out.RedrivePolicy = JSON.stringify(s.RedrivePolicy);
  if (s.RedriveAllowPolicy) out.RedriveAllowPolicy = JSON.stringify(s.RedriveAllowPolicy);
  if (s.KmsMasterKeyId !== undefined) {
    out.KmsMasterKeyId = s.KmsMasterKeyId;
    out.KmsDataKeyReusePeriodSeconds = String(s.KmsDataKeyReusePeriodSeconds ?? 300);
  }
  if (s.FifoQueue) {
    out.FifoQueue = 'true';
    out.ContentBasedDeduplication = String(s.ContentBasedDeduplication);
    out.DeduplicationScope = s.DeduplicationScope;
    out.FifoThroughputLimit = s.FifoThroughputLimit;
  }
  return out;
}
