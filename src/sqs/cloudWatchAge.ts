import { CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import type { OldestAge } from '../shared/activity';
import { WORKBENCH_USER_AGENT } from '../shared/trace';
import { credentialsFor, type ResolvedConnection } from './connections';

/** How far back a datapoint is looked for: SQS publishes its metrics once a minute. */
const LOOKBACK_MS = 15 * 60_000;
const TIMEOUT_MS = 5_000;
const DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'NotAuthorized', 'AuthorizationError']);
const NO_CREDENTIALS = new Set(['CredentialsProviderError', 'TokenProviderError', 'ExpiredToken', 'ExpiredTokenException', 'InvalidClientTokenId', 'UnrecognizedClientException']);

/**
 * Reads a queue's `ApproximateAgeOfOldestMessage` from CloudWatch (namespace `AWS/SQS`),
 * with the connection's region, credentials and endpoint. Never throws: what stops it
 * (denied, no datapoint yet, an endpoint that does not speak CloudWatch) comes back as the
 * reason the inspector shows.
 */
export class CloudWatchAge {
  private readonly client: CloudWatchClient;

  constructor(private readonly connection: ResolvedConnection) {
    this.client = new CloudWatchClient({
      region: connection.region,
      credentials: credentialsFor(connection),
      maxAttempts: 1,
      customUserAgent: `${WORKBENCH_USER_AGENT}/1`,
      ...(connection.endpoint !== undefined ? { endpoint: connection.endpoint } : {}),
    });
  }

  async oldest(queueName: string, now = Date.now()): Promise<OldestAge> {
    try {
      const out = await this.client.send(
        new GetMetricStatisticsCommand({
          Namespace: 'AWS/SQS',
          MetricName: 'ApproximateAgeOfOldestMessage',
          Dimensions: [{ Name: 'QueueName', Value: queueName }],
          StartTime: new Date(now - LOOKBACK_MS),
          EndTime: new Date(now),
          Period: 60,
          Statistics: ['Maximum'],
        }),
        { abortSignal: AbortSignal.timeout(TIMEOUT_MS) },
      );
      let latest: { at: number; seconds: number } | undefined;
      for (const p of out.Datapoints ?? []) {
        const at = p.Timestamp?.getTime();
        if (at !== undefined && p.Maximum !== undefined && (!latest || at > latest.at)) latest = { at, seconds: p.Maximum };
      }
      if (!latest) return { unavailable: `CloudWatch has no ApproximateAgeOfOldestMessage for ${queueName} in the last 15 minutes (SQS publishes it once a minute, for queues in use).` };
      return { seconds: latest.seconds, source: 'cloudwatch', at: latest.at };
    } catch (err) {
      return { unavailable: this.reason(err) };
    }
  }

  private reason(err: unknown): string {
    const code = errorCode(err);
    const text = err instanceof Error ? err.message.slice(0, 200) : String(err).slice(0, 200);
    if (DENIED.has(code)) return `CloudWatch refused these credentials (${code}): showing the age of the oldest message needs cloudwatch:GetMetricStatistics.`;
    if (NO_CREDENTIALS.has(code)) return `No usable credentials for CloudWatch (${code}): ${text}`;
    if (this.connection.endpoint !== undefined) return `${this.connection.endpoint} does not answer CloudWatch (${code}): the age of the oldest message needs CloudWatch, or the SQS Workbench local server.`;
    return `CloudWatch failed (${code}): ${text}`;
  }

  dispose(): void {
    this.client.destroy();
  }
}

function errorCode(err: unknown): string {
  if (typeof err !== 'object' || err === null) return 'Error';
  const e = err as { name?: unknown; Code?: unknown; code?: unknown };
  for (const c of [e.Code, e.code, e.name]) if (typeof c === 'string' && c.length > 0 && c !== 'Error') return c.slice(0, 60);
  return 'Error';
}
