import { randomBytes } from 'node:crypto';
import type { Clock } from './clock';
import type { MemoryMeter } from './memory';
import { QueueWaiters } from './longPolls';
import { QueueState, type QueueObserver, type QueueStateObserver } from './queue';
import { ReceiveAttempts } from './receiveAttempts';
import type { QueueSettings } from '../model/queueAttributes';

/** A queue: its settings, identity, tags, and messages. */
export class LocalQueue {
  settings: QueueSettings;
  readonly state: QueueState;
  readonly tags = new Map<string, string>();
  readonly permissions = new Map<string, { accounts: string[]; actions: string[] }>();
  /** Its waiting long polls. */
  readonly polls = new QueueWaiters();
  /** FIFO receives by `ReceiveRequestAttemptId`, for retries. */
  readonly receiveAttempts = new ReceiveAttempts();
  lastModified: number;
  /** Distinguishes this queue from an earlier one of the same name in receipt handles. */
  readonly incarnation: string;

  constructor(
    readonly name: string,
    readonly arn: string,
    readonly createdAt: number,
    settings: QueueSettings,
    clock: Clock,
    meter: MemoryMeter,
    observe?: (queue: LocalQueue) => QueueObserver,
    journal?: (queue: LocalQueue) => QueueStateObserver,
    incarnation?: string,
  ) {
    this.settings = settings;
    this.lastModified = createdAt;
    this.incarnation = incarnation ?? randomBytes(4).toString('hex');
    this.state = new QueueState(clock, settings.FifoQueue, () => this.settings, meter, observe?.(this), journal?.(this));
  }

  get fifo(): boolean {
    return this.settings.FifoQueue;
  }
}
