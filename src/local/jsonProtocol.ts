import type { SendInput, SqsEngine } from './engine';
import { SqsError } from './errors';
import type { StoredAttribute } from './md5';
import { dict } from '../model/dict';

/**
 * The AWS JSON 1.0 protocol of SQS (`X-Amz-Target: AmazonSQS.<Action>`), as
 * `@aws-sdk/client-sqs` speaks it: decodes and type-checks each action's input, calls the
 * engine, and shapes the output. Type errors answer `SerializationException` naming the
 * field, as AWS's JSON services do.
 */

type Json = Record<string, unknown>;

const serialization = (message: string): SqsError => new SqsError('SerializationException', message);

function str(input: Json, field: string, required: true): string;
function str(input: Json, field: string, required?: false): string | undefined;
function str(input: Json, field: string, required = false): string | undefined {
  const v = input[field];
  if (v === undefined || v === null) {
    if (required) throw new SqsError('MissingParameter', `The request must contain the parameter ${field}.`);
    return undefined;
  }
  if (typeof v !== 'string') throw serialization(`${field} must be a string, not ${typeof v}.`);
  return v;
}

function int(input: Json, field: string, required = false): number | undefined {
  const v = input[field];
  if (v === undefined || v === null) {
    if (required) throw new SqsError('MissingParameter', `The request must contain the parameter ${field}.`);
    return undefined;
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) throw serialization(`${field} must be a number, not ${typeof v}.`);
  if (!Number.isInteger(v)) throw new SqsError('InvalidParameterValue', `Value ${v} for parameter ${field} is invalid. Reason: must be an integer.`);
  return v;
}

function strList(input: Json, field: string): string[] | undefined {
  const v = input[field];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw serialization(`${field} must be a list of strings.`);
  return v;
}

function strMap(input: Json, field: string): Record<string, string> | undefined {
  const v = input[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw serialization(`${field} must be a map of strings.`);
  for (const [k, x] of Object.entries(v as Json)) {
    if (typeof x !== 'string') throw serialization(`${field}.${k} must be a string.`);
  }
  return v as Record<string, string>;
}

function list(input: Json, field: string, required = false): Json[] {
  const v = input[field];
  if (v === undefined || v === null) {
    if (required) throw new SqsError('MissingParameter', `The request must contain the parameter ${field}.`);
    return [];
  }
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'object' && x !== null && !Array.isArray(x))) {
    throw serialization(`${field} must be a list of structures.`);
  }
  return v as Json[];
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function attributeMap(input: Json, field: string): Record<string, StoredAttribute> | undefined {
  const v = input[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw serialization(`${field} must be a map.`);
  const out = dict<StoredAttribute>();
  for (const [name, raw] of Object.entries(v as Json)) {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw serialization(`${field}.${name} must be a structure.`);
    const a = raw as Json;
    const attr: StoredAttribute = { DataType: str(a, 'DataType') ?? '' };
    const sv = str(a, 'StringValue');
    if (sv !== undefined) attr.StringValue = sv;
    const bv = a.BinaryValue;
    if (bv !== undefined && bv !== null) {
      if (typeof bv !== 'string' || bv.length % 4 !== 0 || !BASE64.test(bv)) throw serialization(`${field}.${name}.BinaryValue must be base64.`);
      attr.BinaryValue = Buffer.from(bv, 'base64');
    }
    if (a.StringListValues !== undefined || a.BinaryListValues !== undefined) {
      throw new SqsError('InvalidParameterValue', `Message attribute '${name}': StringListValues and BinaryListValues are not implemented by SQS.`);
    }
    out[name] = attr;
  }
  return out;
}

function sendInput(input: Json): SendInput {
  const out: SendInput = { MessageBody: str(input, 'MessageBody', true) };
  const delay = int(input, 'DelaySeconds');
  if (delay !== undefined) out.DelaySeconds = delay;
  const attrs = attributeMap(input, 'MessageAttributes');
  if (attrs) out.MessageAttributes = attrs;
  const sys = attributeMap(input, 'MessageSystemAttributes');
  if (sys) out.MessageSystemAttributes = sys;
  const dedup = str(input, 'MessageDeduplicationId');
  if (dedup !== undefined) out.MessageDeduplicationId = dedup;
  const group = str(input, 'MessageGroupId');
  if (group !== undefined) out.MessageGroupId = group;
  return out;
}

/** Attribute maps on the wire: binary values as base64. */
function encodeAttributes(attrs: Record<string, StoredAttribute>): Record<string, { DataType: string; StringValue?: string; BinaryValue?: string }> {
  const out = dict<{ DataType: string; StringValue?: string; BinaryValue?: string }>();
  for (const [name, a] of Object.entries(attrs)) {
    out[name] = a.BinaryValue !== undefined ? { DataType: a.DataType, BinaryValue: a.BinaryValue.toString('base64') } : { DataType: a.DataType, StringValue: a.StringValue ?? '' };
  }
  return out;
}

type Handler = (engine: SqsEngine, input: Json, signal: AbortSignal) => unknown;

const url = (input: Json): string => str(input, 'QueueUrl', true);

const handlers: Record<string, Handler> = {
  CreateQueue: (e, i) => ({ QueueUrl: e.createQueue(str(i, 'QueueName', true), strMap(i, 'Attributes'), strMap(i, 'tags')) }),
  DeleteQueue: (e, i) => {
    e.deleteQueue(url(i));
    return {};
  },
  GetQueueUrl: (e, i) => ({ QueueUrl: e.getQueueUrl(str(i, 'QueueName', true), str(i, 'QueueOwnerAWSAccountId')) }),
  ListQueues: (e, i) => e.listQueues(str(i, 'QueueNamePrefix'), int(i, 'MaxResults'), str(i, 'NextToken')),
  GetQueueAttributes: (e, i) => {
    const attributes = e.getQueueAttributes(url(i), strList(i, 'AttributeNames'));
    return Object.keys(attributes).length > 0 ? { Attributes: attributes } : {};
  },
  SetQueueAttributes: (e, i) => {
    e.setQueueAttributes(url(i), strMap(i, 'Attributes') ?? {});
    return {};
  },
  PurgeQueue: (e, i) => {
    e.purgeQueue(url(i));
    return {};
  },
  TagQueue: (e, i) => {
    e.tagQueue(url(i), strMap(i, 'Tags') ?? {});
    return {};
  },
  UntagQueue: (e, i) => {
    e.untagQueue(url(i), strList(i, 'TagKeys') ?? []);
    return {};
  },
  ListQueueTags: (e, i) => {
    const tags = e.listQueueTags(url(i));
    return Object.keys(tags).length > 0 ? { Tags: tags } : {};
  },
  AddPermission: (e, i) => {
    e.addPermission(url(i), str(i, 'Label', true), strList(i, 'AWSAccountIds') ?? [], strList(i, 'Actions') ?? []);
    return {};
  },
  RemovePermission: (e, i) => {
    e.removePermission(url(i), str(i, 'Label', true));
    return {};
  },
  ListDeadLetterSourceQueues: (e, i) => e.listDeadLetterSourceQueues(url(i), int(i, 'MaxResults'), str(i, 'NextToken')),
  SendMessage: (e, i) => e.sendMessage(url(i), sendInput(i)),
  SendMessageBatch: (e, i) =>
    e.sendMessageBatch(
      url(i),
      list(i, 'Entries').map((entry) => ({ Id: str(entry, 'Id') ?? '', ...sendInput(entry) })),
    ),
  ReceiveMessage: async (e, i, signal) => {
    const messages = await e.receiveMessage(
      url(i),
      {
        MaxNumberOfMessages: int(i, 'MaxNumberOfMessages'),
        VisibilityTimeout: int(i, 'VisibilityTimeout'),
        WaitTimeSeconds: int(i, 'WaitTimeSeconds'),
        AttributeNames: strList(i, 'AttributeNames'),
        MessageSystemAttributeNames: strList(i, 'MessageSystemAttributeNames'),
        MessageAttributeNames: strList(i, 'MessageAttributeNames'),
        ReceiveRequestAttemptId: str(i, 'ReceiveRequestAttemptId'),
      },
      signal,
    );
    // SQS leaves Messages out of an empty answer.
    if (messages.length === 0) return {};
    return {
      Messages: messages.map((m) => (m.MessageAttributes ? { ...m, MessageAttributes: encodeAttributes(m.MessageAttributes) } : m)),
    };
  },
  DeleteMessage: (e, i) => {
    e.deleteMessage(url(i), str(i, 'ReceiptHandle', true));
    return {};
  },
  DeleteMessageBatch: (e, i) =>
    e.deleteMessageBatch(
      url(i),
      list(i, 'Entries').map((entry) => ({ Id: str(entry, 'Id') ?? '', ReceiptHandle: str(entry, 'ReceiptHandle', true) })),
    ),
  ChangeMessageVisibility: (e, i) => {
    e.changeMessageVisibility(url(i), str(i, 'ReceiptHandle', true), int(i, 'VisibilityTimeout', true) as number);
    return {};
  },
  ChangeMessageVisibilityBatch: (e, i) =>
    e.changeMessageVisibilityBatch(
      url(i),
      list(i, 'Entries').map((entry) => ({
        Id: str(entry, 'Id') ?? '',
        ReceiptHandle: str(entry, 'ReceiptHandle', true),
        VisibilityTimeout: int(entry, 'VisibilityTimeout'),
      })),
    ),
  StartMessageMoveTask: (e, i) => ({
    TaskHandle: e.startMessageMoveTask(str(i, 'SourceArn', true), str(i, 'DestinationArn'), int(i, 'MaxNumberOfMessagesPerSecond')),
  }),
  CancelMessageMoveTask: (e, i) => ({ ApproximateNumberOfMessagesMoved: e.cancelMessageMoveTask(str(i, 'TaskHandle', true)) }),
  ListMessageMoveTasks: (e, i) => ({ Results: e.listMessageMoveTasks(str(i, 'SourceArn', true), int(i, 'MaxResults')) }),
};

export const SUPPORTED_ACTIONS = Object.keys(handlers);

/** Runs one JSON 1.0 action; throws {@link SqsError} for anything SQS would refuse. */
export function handleJsonAction(engine: SqsEngine, action: string, rawBody: string, signal: AbortSignal): unknown {
  const handler = Object.prototype.hasOwnProperty.call(handlers, action) ? handlers[action] : undefined;
  if (!handler) throw new SqsError('UnknownOperationException', `The action ${action} is not valid for this endpoint.`);
  let input: unknown;
  try {
    input = rawBody.length === 0 ? {} : JSON.parse(rawBody);
  } catch (err) {
    throw serialization(`The request body is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw serialization('The request body must be a JSON object.');
  return handler(engine, input as Json, signal);
}
