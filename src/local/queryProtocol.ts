import type { SendInput, SqsEngine } from './engine';
import { SqsError, missingParameter } from './errors';
import type { StoredAttribute } from './md5';
import type { BatchResultError, ReceivedMessage, SendResult } from './messageInput';
import { element, escapeXml, textElement } from './xml';
import { dict } from '../model/dict';

/**
 * The AWS Query protocol of SQS (API version 2012-11-05), as boto3 before 1.34.90, the AWS
 * CLI v1 and v2 before 2.15, the Java SDK v1 and the Go SDK v1 speak it: form-encoded
 * parameters (`Action=SendMessage&QueueUrl=…&MessageAttribute.1.Name=…`) in a POST body or a
 * GET query string, answered in XML. It calls the same engine as the JSON protocol.
 */

export const QUERY_NAMESPACE = 'http://queue.amazonaws.com/doc/2012-11-05/';

/** Decodes `a=1&b=x+y&c=%E2%82%AC`; a parameter whose percent-encoding is not UTF-8 is refused by name. */
export function parseQueryParameters(text: string, into = new Map<string, string>()): Map<string, string> {
  if (text.length === 0) return into;
  for (const pair of text.split('&')) {
    if (pair.length === 0) continue;
    const eq = pair.indexOf('=');
    const rawName = eq < 0 ? pair : pair.slice(0, eq);
    const name = decodeComponent(rawName, undefined);
    into.set(name, eq < 0 ? '' : decodeComponent(pair.slice(eq + 1), name));
  }
  return into;
}

function decodeComponent(raw: string, parameter: string | undefined): string {
  const spaced = raw.includes('+') ? raw.replace(/\+/g, ' ') : raw;
  if (!spaced.includes('%')) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    const what = parameter === undefined ? `the parameter name "${raw.slice(0, 100)}"` : `the value of ${parameter}`;
    throw new SqsError('MalformedQueryString', `The request is not valid form encoding: ${what} has a "%" that is not followed by percent-encoded UTF-8.`);
  }
}

/**
 * Where the indexed parameters are: for each prefix (`SendMessageBatchRequestEntry.3.MessageAttribute`),
 * the indices N of its list items (`prefix.N`) and of its structures (`prefix.N.…`). Built
 * in one pass over the names, so a request with many parameters costs no more than reading them.
 */
interface IndexTable {
  items: Map<string, Set<number>>;
  structures: Map<string, Set<number>>;
}

function indexTable(names: Iterable<string>): IndexTable {
  const table: IndexTable = { items: new Map(), structures: new Map() };
  for (const name of names) {
    const parts = name.split('.');
    for (let i = 1; i < parts.length; i++) {
      if (!/^[1-9]\d{0,5}$/.test(parts[i])) continue;
      const prefix = parts.slice(0, i).join('.');
      const into = i === parts.length - 1 ? table.items : table.structures;
      let set = into.get(prefix);
      if (!set) into.set(prefix, (set = new Set()));
      set.add(Number(parts[i]));
    }
  }
  return table;
}

/** The request's parameters, or those under one prefix (`SendMessageBatchRequestEntry.3.`). */
class Params {
  private readonly table: IndexTable;

  constructor(
    private readonly all: ReadonlyMap<string, string>,
    readonly prefix = '',
    table?: IndexTable,
  ) {
    this.table = table ?? indexTable(all.keys());
  }

  str(name: string, required: true): string;
  str(name: string, required?: false): string | undefined;
  str(name: string, required = false): string | undefined {
    const v = this.all.get(this.prefix + name);
    if (v === undefined && required) throw missingParameter(this.prefix + name);
    return v;
  }

  int(name: string, required = false): number | undefined {
    const v = required ? this.str(name, true) : this.str(name);
    if (v === undefined) return undefined;
    if (!/^-?\d{1,15}$/.test(v.trim())) {
      throw new SqsError('InvalidParameterValue', `Value ${v.slice(0, 100)} for parameter ${this.prefix + name} is invalid. Reason: must be an integer.`);
    }
    return Number(v.trim());
  }

  /** `Name.1`, `Name.2`, … in index order. */
  list(name: string): string[] {
    return this.indices(name, false).map((i) => this.all.get(`${this.prefix}${name}.${i}`) as string);
  }

  /** The structures `Name.1.…`, `Name.2.…`, … in index order. */
  entries(name: string): Params[] {
    return this.indices(name, true).map((i) => new Params(this.all, `${this.prefix}${name}.${i}.`, this.table));
  }

  /** A map sent as `Name.N.<key>` / `Name.N.<value>` pairs (`Attribute.1.Name`, `Tag.1.Key`). */
  map(name: string, key: string, value: string): Record<string, string> | undefined {
    const entries = this.entries(name);
    if (entries.length === 0) return undefined;
    const out = dict<string>();
    for (const e of entries) out[e.str(key, true)] = e.str(value) ?? '';
    return out;
  }

  /** Message attributes: `Name.N.Name`, `Name.N.Value.DataType`, `Name.N.Value.StringValue` or `.BinaryValue` (base64). */
  attributes(name: string): Record<string, StoredAttribute> | undefined {
    const entries = this.entries(name);
    if (entries.length === 0) return undefined;
    const out = dict<StoredAttribute>();
    for (const e of entries) {
      const attrName = e.str('Name', true);
      const attr: StoredAttribute = { DataType: e.str('Value.DataType') ?? '' };
      const sv = e.str('Value.StringValue');
      if (sv !== undefined) attr.StringValue = sv;
      const bv = e.str('Value.BinaryValue');
      if (bv !== undefined) {
        if (bv.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(bv)) {
          throw new SqsError('InvalidParameterValue', `Value for parameter ${e.prefix}Value.BinaryValue is invalid. Reason: it must be base64.`);
        }
        attr.BinaryValue = Buffer.from(bv, 'base64');
      }
      if (e.list('Value.StringListValue').length > 0 || e.list('Value.BinaryListValue').length > 0) {
        throw new SqsError('InvalidParameterValue', `Message attribute '${attrName}': StringListValues and BinaryListValues are not implemented by SQS.`);
      }
      out[attrName] = attr;
    }
    return out;
  }

  /** The indices N present under `Name.N` (or `Name.N.…` for structures), sorted. */
  private indices(name: string, structures: boolean): number[] {
    const found = (structures ? this.table.structures : this.table.items).get(this.prefix + name);
    return found ? [...found].sort((a, b) => a - b) : [];
  }
}

function sendInput(p: Params): SendInput {
  const out: SendInput = { MessageBody: p.str('MessageBody', true) };
  const delay = p.int('DelaySeconds');
  if (delay !== undefined) out.DelaySeconds = delay;
  const attrs = p.attributes('MessageAttribute');
  if (attrs) out.MessageAttributes = attrs;
  const sys = p.attributes('MessageSystemAttribute');
  if (sys) out.MessageSystemAttributes = sys;
  const dedup = p.str('MessageDeduplicationId');
  if (dedup !== undefined) out.MessageDeduplicationId = dedup;
  const group = p.str('MessageGroupId');
  if (group !== undefined) out.MessageGroupId = group;
  return out;
}

const nameValues = (tag: string, key: string, value: string, map: Record<string, string>): string[] =>
  Object.entries(map).map(([k, v]) => element(tag, [textElement(key, k), textElement(value, v)]));

function sendResultXml(r: SendResult): string[] {
  return [
    textElement('MD5OfMessageBody', r.MD5OfMessageBody),
    textElement('MD5OfMessageAttributes', r.MD5OfMessageAttributes),
    textElement('MD5OfMessageSystemAttributes', r.MD5OfMessageSystemAttributes),
    textElement('MessageId', r.MessageId),
    textElement('SequenceNumber', r.SequenceNumber),
  ];
}

function batchErrorsXml(failed: BatchResultError[]): string[] {
  return failed.map((f) =>
    element('BatchResultErrorEntry', [textElement('Id', f.Id), textElement('SenderFault', f.SenderFault), textElement('Code', f.Code), textElement('Message', f.Message)]),
  );
}

function messageXml(m: ReceivedMessage): string {
  return element('Message', [
    textElement('MessageId', m.MessageId),
    textElement('ReceiptHandle', m.ReceiptHandle),
    textElement('MD5OfBody', m.MD5OfBody),
    textElement('Body', m.Body),
    ...nameValues('Attribute', 'Name', 'Value', m.Attributes ?? {}),
    textElement('MD5OfMessageAttributes', m.MD5OfMessageAttributes),
    ...Object.entries(m.MessageAttributes ?? {}).map(([name, a]) =>
      element('MessageAttribute', [
        textElement('Name', name),
        element('Value', [
          a.BinaryValue !== undefined ? textElement('BinaryValue', a.BinaryValue.toString('base64')) : textElement('StringValue', a.StringValue ?? ''),
          textElement('DataType', a.DataType),
        ]),
      ]),
    ),
  ]);
}

/** What goes inside `<ActionResult>`; undefined for actions whose answer has no result element. */
type Handler = (engine: SqsEngine, p: Params, signal: AbortSignal) => string[] | undefined | Promise<string[] | undefined>;

const url = (p: Params): string => p.str('QueueUrl', true);

const handlers: Record<string, Handler> = {
  CreateQueue: (e, p) => [textElement('QueueUrl', e.createQueue(p.str('QueueName', true), p.map('Attribute', 'Name', 'Value'), p.map('Tag', 'Key', 'Value')))],
  DeleteQueue: (e, p) => void e.deleteQueue(url(p)),
  GetQueueUrl: (e, p) => [textElement('QueueUrl', e.getQueueUrl(p.str('QueueName', true), p.str('QueueOwnerAWSAccountId')))],
  ListQueues: (e, p) => {
    const r = e.listQueues(p.str('QueueNamePrefix'), p.int('MaxResults'), p.str('NextToken'));
    return [...r.QueueUrls.map((u) => textElement('QueueUrl', u)), textElement('NextToken', r.NextToken)];
  },
  GetQueueAttributes: (e, p) => nameValues('Attribute', 'Name', 'Value', e.getQueueAttributes(url(p), p.list('AttributeName'))),
  SetQueueAttributes: (e, p) => void e.setQueueAttributes(url(p), p.map('Attribute', 'Name', 'Value') ?? {}),
  PurgeQueue: (e, p) => void e.purgeQueue(url(p)),
  TagQueue: (e, p) => void e.tagQueue(url(p), p.map('Tag', 'Key', 'Value') ?? {}),
  UntagQueue: (e, p) => void e.untagQueue(url(p), p.list('TagKey')),
  ListQueueTags: (e, p) => nameValues('Tag', 'Key', 'Value', e.listQueueTags(url(p))),
  AddPermission: (e, p) => void e.addPermission(url(p), p.str('Label', true), p.list('AWSAccountId'), p.list('ActionName')),
  RemovePermission: (e, p) => void e.removePermission(url(p), p.str('Label', true)),
  ListDeadLetterSourceQueues: (e, p) => {
    const r = e.listDeadLetterSourceQueues(url(p), p.int('MaxResults'), p.str('NextToken'));
    return [...r.queueUrls.map((u) => textElement('QueueUrl', u)), textElement('NextToken', r.NextToken)];
  },
  SendMessage: (e, p) => sendResultXml(e.sendMessage(url(p), sendInput(p))),
  SendMessageBatch: (e, p) => {
    const r = e.sendMessageBatch(
      url(p),
      p.entries('SendMessageBatchRequestEntry').map((entry) => ({ Id: entry.str('Id') ?? '', ...sendInput(entry) })),
    );
    return [
      ...r.Successful.map((s) => element('SendMessageBatchResultEntry', [textElement('Id', s.Id), ...sendResultXml(s)])),
      ...batchErrorsXml(r.Failed),
    ];
  },
  ReceiveMessage: async (e, p, signal) => {
    const messages = await e.receiveMessage(
      url(p),
      {
        MaxNumberOfMessages: p.int('MaxNumberOfMessages'),
        VisibilityTimeout: p.int('VisibilityTimeout'),
        WaitTimeSeconds: p.int('WaitTimeSeconds'),
        AttributeNames: p.list('AttributeName'),
        MessageSystemAttributeNames: p.list('MessageSystemAttributeName'),
        MessageAttributeNames: p.list('MessageAttributeName'),
        ReceiveRequestAttemptId: p.str('ReceiveRequestAttemptId'),
      },
      signal,
    );
    return messages.map(messageXml);
  },
  DeleteMessage: (e, p) => void e.deleteMessage(url(p), p.str('ReceiptHandle', true)),
  DeleteMessageBatch: (e, p) => {
    const r = e.deleteMessageBatch(
      url(p),
      p.entries('DeleteMessageBatchRequestEntry').map((entry) => ({ Id: entry.str('Id') ?? '', ReceiptHandle: entry.str('ReceiptHandle', true) })),
    );
    return [...r.Successful.map((s) => element('DeleteMessageBatchResultEntry', textElement('Id', s.Id))), ...batchErrorsXml(r.Failed)];
  },
  ChangeMessageVisibility: (e, p) => void e.changeMessageVisibility(url(p), p.str('ReceiptHandle', true), p.int('VisibilityTimeout', true) as number),
  ChangeMessageVisibilityBatch: (e, p) => {
    const r = e.changeMessageVisibilityBatch(
      url(p),
      p.entries('ChangeMessageVisibilityBatchRequestEntry').map((entry) => ({
        Id: entry.str('Id') ?? '',
        ReceiptHandle: entry.str('ReceiptHandle', true),
        VisibilityTimeout: entry.int('VisibilityTimeout'),
      })),
    );
    return [...r.Successful.map((s) => element('ChangeMessageVisibilityBatchResultEntry', textElement('Id', s.Id))), ...batchErrorsXml(r.Failed)];
  },
  StartMessageMoveTask: (e, p) => [
    textElement('TaskHandle', e.startMessageMoveTask(p.str('SourceArn', true), p.str('DestinationArn'), p.int('MaxNumberOfMessagesPerSecond'))),
  ],
  CancelMessageMoveTask: (e, p) => [textElement('ApproximateNumberOfMessagesMoved', e.cancelMessageMoveTask(p.str('TaskHandle', true)))],
  ListMessageMoveTasks: (e, p) =>
    e
      .listMessageMoveTasks(p.str('SourceArn', true), p.int('MaxResults'))
      .map((task) => element('ListMessageMoveTasksResultEntry', Object.entries(task).map(([k, v]) => textElement(k, v as string | number | undefined)))),
};

export const QUERY_ACTIONS = Object.keys(handlers);

/**
 * Runs one Query action and answers its XML document. `queueUrl` is the URL the request was
 * sent to when that names a queue: it stands for a missing `QueueUrl` parameter.
 */
export async function handleQueryAction(
  engine: SqsEngine,
  parameters: ReadonlyMap<string, string>,
  queueUrl: string | undefined,
  requestId: string,
  signal: AbortSignal,
): Promise<string> {
  const action = parameters.get('Action');
  if (action === undefined || action.length === 0) throw missingParameter('Action');
  const handler = Object.prototype.hasOwnProperty.call(handlers, action) ? handlers[action] : undefined;
  if (!handler) throw new SqsError('InvalidAction', `The action ${action} is not valid for this endpoint.`);
  let all = parameters;
  if (queueUrl !== undefined && !parameters.has('QueueUrl')) all = new Map([...parameters, ['QueueUrl', queueUrl]]);
  const result = await handler(engine, new Params(all), signal);
  const inner = result === undefined ? '' : element(`${action}Result`, result);
  return `<?xml version="1.0"?><${action}Response xmlns="${QUERY_NAMESPACE}">${inner}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
}

/** The code an error has in the Query protocol: JSON's decoding errors are malformed requests here. */
export function queryErrorCode(error: SqsError): string {
  return error.code === 'SerializationException' ? 'MalformedQueryString' : error.queryCode;
}

/** SQS's XML error document. */
export function queryErrorXml(error: SqsError, requestId: string): string {
  return (
    `<?xml version="1.0"?><ErrorResponse xmlns="${QUERY_NAMESPACE}"><Error>` +
    `<Type>${error.senderFault ? 'Sender' : 'Receiver'}</Type><Code>${escapeXml(queryErrorCode(error))}</Code>` +
    `<Message>${escapeXml(error.message)}</Message><Detail/></Error><RequestId>${requestId}</RequestId></ErrorResponse>`
  );
}
