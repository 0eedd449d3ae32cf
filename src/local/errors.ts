import { QueueAttributeError } from '../model/queueAttributes';
/**
 * Errors shaped like Amazon SQS's, so `@aws-sdk/client-sqs` raises them under AWS's names.
 * Over the JSON 1.0 protocol SQS answers with `__type` (`com.amazonaws.sqs#Name`), a
 * `message`, and the `x-amzn-query-error` header (`QueryCode;Sender`) that query-compatible
 * clients read.
 */

interface ErrorSpec {
  status: number;
  queryCode: string;
  fault: 'Sender' | 'Receiver';
}

const spec = (status: number, queryCode: string, fault: 'Sender' | 'Receiver' = 'Sender'): ErrorSpec => ({ status, queryCode, fault });

export const ERRORS = {
  QueueDoesNotExist: spec(400, 'AWS.SimpleQueueService.NonExistentQueue'),
  QueueNameExists: spec(400, 'QueueAlreadyExists'),
  QueueDeletedRecently: spec(400, 'AWS.SimpleQueueService.QueueDeletedRecently'),
  PurgeQueueInProgress: spec(403, 'AWS.SimpleQueueService.PurgeQueueInProgress'),
  ReceiptHandleIsInvalid: spec(404, 'ReceiptHandleIsInvalid'),
  MessageNotInflight: spec(400, 'AWS.SimpleQueueService.MessageNotInflight'),
  InvalidMessageContents: spec(400, 'InvalidMessageContents'),
  InvalidAttributeName: spec(400, 'InvalidAttributeName'),
  InvalidAttributeValue: spec(400, 'InvalidAttributeValue'),
  InvalidIdFormat: spec(400, 'InvalidIdFormat'),
  BatchEntryIdsNotDistinct: spec(400, 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct'),
  BatchRequestTooLong: spec(400, 'AWS.SimpleQueueService.BatchRequestTooLong'),
  EmptyBatchRequest: spec(400, 'AWS.SimpleQueueService.EmptyBatchRequest'),
  InvalidBatchEntryId: spec(400, 'AWS.SimpleQueueService.InvalidBatchEntryId'),
  TooManyEntriesInBatchRequest: spec(400, 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest'),
  UnsupportedOperation: spec(400, 'AWS.SimpleQueueService.UnsupportedOperation'),
  OverLimit: spec(403, 'OverLimit'),
  ResourceNotFoundException: spec(404, 'ResourceNotFoundException'),
  InvalidParameterValue: spec(400, 'InvalidParameterValue'),
  InvalidAddress: spec(400, 'InvalidAddress'),
  AccessDenied: spec(403, 'AccessDenied'),
  MissingParameter: spec(400, 'MissingParameter'),
  InvalidAction: spec(400, 'InvalidAction'),
  UnknownOperationException: spec(400, 'UnknownOperationException'),
  SerializationException: spec(400, 'SerializationException'),
  MalformedQueryString: spec(400, 'MalformedQueryString'),
  InvalidProtocol: spec(400, 'InvalidAction'),
  InternalError: spec(500, 'InternalError', 'Receiver'),
  ThrottlingException: spec(400, 'RequestThrottled'),
  ServiceUnavailable: spec(503, 'ServiceUnavailable', 'Receiver'),
} as const satisfies Record<string, ErrorSpec>;

export type SqsErrorCode = keyof typeof ERRORS;

export class SqsError extends Error {
  readonly status: number;
  readonly queryCode: string;
  readonly senderFault: boolean;

  constructor(
    readonly code: SqsErrorCode,
    message: string,
  ) {
    super(message);
    this.name = code;
    const s: ErrorSpec = ERRORS[code];
    this.status = s.status;
    this.queryCode = s.queryCode;
    this.senderFault = s.fault === 'Sender';
  }

  /** The JSON 1.0 body AWS sends for this error. */
  toJson(): { __type: string; message: string } {
    return { __type: `com.amazonaws.sqs#${this.code}`, message: this.message };
  }

  get queryErrorHeader(): string {
    return `${this.queryCode};${this.senderFault ? 'Sender' : 'Receiver'}`;
  }
}

export const invalidParameter = (message: string): SqsError => new SqsError('InvalidParameterValue', message);

export const missingParameter = (name: string): SqsError =>
  new SqsError('MissingParameter', `The request must contain the parameter ${name}.`);

export const queueDoesNotExist = (): SqsError =>
  new SqsError('QueueDoesNotExist', 'The specified queue does not exist.');

/** An error as the API answers it: attribute rules shared with the extension throw their own kind. */
export function toSqsError(err: unknown): SqsError | undefined {
  if (err instanceof SqsError) return err;
  if (err instanceof QueueAttributeError) return new SqsError(err.code, err.message);
  return undefined;
}
