/**
 * Queue activity: what the local server's `/_workbench/queues` answers, and what the
 * inspector's header draws. This module imports nothing, so that the server, the extension
 * and the page can share it.
 */

/** Where the local server answers its queues' live figures (outside the SQS API's namespace). */
export const WORKBENCH_QUEUES_PATH = '/_workbench/queues';

/** One queue's live figures on the local server, after what time made due was applied. */
export interface QueueStats {
  readonly name: string;
  readonly url: string;
  readonly visible: number;
  readonly inflight: number;
  readonly delayed: number;
  /** When the oldest message still in the queue (in any state) was sent; absent for an empty queue. */
  readonly oldestSentAt?: number;
}

/** The answer of `GET /_workbench/queues`. */
export interface QueueStatsPage {
  /** The server's clock now (ms since the epoch): ages and rates are counted against it. */
  readonly now: number;
  readonly queues: readonly QueueStats[];
}

/** One sample of a queue's counts, as GetQueueAttributes gave them. */
export interface ActivitySample {
  /** When it was taken (ms since the epoch). */
  readonly at: number;
  readonly visible: number;
  readonly inflight: number;
  readonly delayed: number;
}

/** Operations per second over the last seconds, from the local server's trace (every client's). */
export interface ActivityRates {
  readonly sends: number;
  readonly receives: number;
  readonly deletes: number;
  /** How many seconds they are averaged over. */
  readonly seconds: number;
}

/** The age of the queue's oldest message, or why it is not known. */
export type OldestAge =
  | { readonly seconds: number; readonly source: 'server' | 'cloudwatch'; /** When CloudWatch measured it. */ readonly at?: number }
  | { readonly unavailable: string };

/** What the inspector's header shows of the queue's activity. */
export interface ActivityView {
  /** Oldest first, over the last minutes. */
  readonly samples: readonly ActivitySample[];
  /** Present where the local server's trace is followed. */
  readonly rates?: ActivityRates;
  /** Why there are no rates, when there are none. */
  readonly ratesNote?: string;
  readonly oldest?: OldestAge;
  /** A dead-letter queue of this queue (or this queue, a DLQ) started filling while the inspector was open. */
  readonly dlqNotice?: string;
  /** The last sample failed: why. */
  readonly error?: string;
}
