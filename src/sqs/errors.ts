/**
 * One error type for every failed SQS call: what failed (action, queue), AWS's error code,
 * whether trying again may help, and for credential problems what the user can do.
 */
export class SqsCallError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly action: string,
    readonly queue: string | undefined,
    readonly retryable: boolean,
    /** A command the user can run to fix it, e.g. `aws sso login --profile dev`. */
    readonly remedy?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SqsCallError';
  }
}

const RETRYABLE_CODES = new Set([
  'RequestThrottled',
  'ThrottlingException',
  'Throttling',
  'ServiceUnavailable',
  'InternalError',
  'InternalFailure',
  'RequestTimeout',
  'TimeoutError',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'KmsThrottled',
]);

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

interface AwsLikeError {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
  cause?: unknown;
  errors?: unknown[];
}

function networkCode(err: AwsLikeError): string | undefined {
  if (err.code && NETWORK_CODES.has(err.code)) return err.code;
  if (Array.isArray(err.errors)) {
    for (const e of err.errors) {
      const code = (e as AwsLikeError).code;
      if (code && NETWORK_CODES.has(code)) return code;
    }
  }
  if (err.cause && typeof err.cause === 'object') return networkCode(err.cause);
  return undefined;
}

/** Maps anything an SDK call threw to a {@link SqsCallError}. */
export function toSqsCallError(err: unknown, action: string, queue: string | undefined, profile?: string): SqsCallError {
  if (err instanceof SqsCallError) return err;
  const e = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as AwsLikeError;
  const message = e.message ?? String(err);
  const net = networkCode(e);
  if (net) {
    return new SqsCallError(`Cannot reach the SQS endpoint (${net}).`, net, action, queue, true, undefined, { cause: err });
  }
  if (e.name === 'CredentialsProviderError' || e.name === 'TokenProviderError') {
    const sso = /sso/i.test(message);
    const remedy = sso ? `aws sso login${profile ? ` --profile ${profile}` : ''}` : undefined;
    const text = sso
      ? `The SSO session${profile ? ` of profile "${profile}"` : ''} has expired or is invalid. Run: ${remedy}`
      : `No AWS credentials could be loaded${profile ? ` for profile "${profile}"` : ''}: ${message}`;
    return new SqsCallError(text, sso ? 'SsoSessionExpired' : 'CredentialsError', action, queue, false, remedy, { cause: err });
  }
  const code = e.name && e.name !== 'Error' ? e.name : (e.code ?? 'Unknown');
  const status = e.$metadata?.httpStatusCode;
  const retryable = RETRYABLE_CODES.has(code) || e.$retryable !== undefined || (status !== undefined && (status >= 500 || status === 429));
  return new SqsCallError(message, code, action, queue, retryable, undefined, { cause: err });
}
