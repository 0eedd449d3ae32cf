import { Emitter } from '../common/events';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { toSqsCallError } from './errors';
import type { ResolvedConnection } from './connections';

/** Where the SQS layer writes its lines; the extension passes its LogOutputChannel. */
export interface SqsLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug(message: string): void;
}

export const silentLog: SqsLog = { info() {}, warn() {}, error() {}, debug() {} };

/**
 * The one chokepoint for every SQS call of a connection: it holds the connection's
 * `SQSClient`, times each call for the log (action, queue, duration, error code; never a
 * message body or a credential), counts calls per action, and turns every failure into
 * a {@link SqsCallError}.
 */
export class SqsGateway {
  private readonly counts = new Map<string, number>();
  private readonly succeeded = new Emitter<{ readonly action: string; readonly queue: string | undefined }>();

  constructor(
    readonly connection: ResolvedConnection,
    readonly client: SQSClient,
    private readonly log: SqsLog = silentLog,
  ) {}

  /** Runs one SDK call. `queue` is the queue's name or URL, for the log and the error. */
  async call<T>(action: string, queue: string | undefined, fn: (client: SQSClient) => Promise<T>): Promise<T> {
    this.counts.set(action, (this.counts.get(action) ?? 0) + 1);
    const started = performance.now();
    const where = queue ? ` ${queueNameOf(queue)}` : '';
    try {
      const result = await fn(this.client);
      this.log.debug(`[${this.connection.name}] ${action}${where} ${(performance.now() - started).toFixed(0)}ms`);
      this.succeeded.fire({ action, queue });
      return result;
    } catch (err) {
      const error = toSqsCallError(err, action, queue, this.connection.profile);
      const line = `[${this.connection.name}] ${action}${where} ${(performance.now() - started).toFixed(0)}ms failed: ${error.code}`;
      if (error.retryable) this.log.warn(line);
      else this.log.error(line);
      throw error;
    }
  }

  /**
   * Tells a listener of every call that succeeded, with its action and queue, so that what
   * depends on a queue's messages can follow what was done to it (a purge) from anywhere.
   */
  readonly onDidSucceed = this.succeeded.event;

  /** Calls made so far, per action. */
  callCounts(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  dispose(): void {
    this.client.destroy();
  }
}

/** The queue name at the end of a queue URL (or the name itself). */
export function queueNameOf(urlOrName: string): string {
  const slash = urlOrName.lastIndexOf('/');
  return slash >= 0 ? urlOrName.slice(slash + 1) : urlOrName;
}
