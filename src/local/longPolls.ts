import type { Clock, TimerHandle } from './clock';
import type { QueueState } from './queue';

/** A receive that waits: `attempt` tries to take messages, and says whether it is done. */
interface Waiter {
  attempt(): boolean;
}

/** The long polls of one queue, and the timer that fires when its next message is due. */
export class QueueWaiters {
  readonly waiters = new Set<Waiter>();
  wakeTimer: { handle: TimerHandle; at: number } | undefined;
}

/**
 * Long polls: a receive with a wait time answers as soon as a message is there, whether it
 * was sent, or was delayed or in flight and became visible during the wait; otherwise with
 * nothing when the wait ends or the client leaves.
 */
export class LongPolls {
  constructor(private readonly clock: Clock) {}

  /**
   * Waits up to `waitSeconds` for `take` to return messages. `gone()` is asked on each
   * attempt: when it answers true (the queue was deleted, the server is closing), the poll
   * ends empty.
   */
  wait<T>(polls: QueueWaiters, state: QueueState, take: () => T[], waitSeconds: number, gone: () => boolean, signal?: AbortSignal): Promise<T[]> {
    return new Promise<T[]>((resolve) => {
      const finish = (messages: T[]): void => {
        polls.waiters.delete(waiter);
        this.clock.clearTimer(timer);
        if (polls.waiters.size === 0) this.schedule(polls, state);
        signal?.removeEventListener('abort', onAbort);
        resolve(messages);
      };
      const waiter: Waiter = {
        attempt: () => {
          if (gone()) {
            finish([]);
            return true;
          }
          const got = take();
          if (got.length === 0) return false;
          finish(got);
          return true;
        },
      };
      const onAbort = (): void => finish([]);
      signal?.addEventListener('abort', onAbort, { once: true });
      const timer = this.clock.setTimer(() => finish([]), waitSeconds * 1000);
      polls.waiters.add(waiter);
      this.schedule(polls, state);
    });
  }

  /** Offers newly available messages to waiting polls, oldest first. */
  wake(polls: QueueWaiters, state: QueueState): void {
    if (polls.waiters.size === 0) return;
    for (const waiter of [...polls.waiters]) {
      state.tick();
      if (state.visible === 0) break;
      waiter.attempt();
    }
    this.schedule(polls, state);
  }

  /** Ends every poll of the queue (each sees `gone()` or takes what is there). */
  releaseAll(polls: QueueWaiters): void {
    for (const waiter of [...polls.waiters]) waiter.attempt();
    polls.waiters.clear();
    if (polls.wakeTimer) this.clock.clearTimer(polls.wakeTimer.handle);
    polls.wakeTimer = undefined;
  }

  /** While polls wait, a timer fires when the next delayed or in-flight message becomes visible. */
  private schedule(polls: QueueWaiters, state: QueueState): void {
    const at = polls.waiters.size > 0 ? state.nextDueAt() : undefined;
    if (polls.wakeTimer && (at === undefined || polls.wakeTimer.at !== at)) {
      this.clock.clearTimer(polls.wakeTimer.handle);
      polls.wakeTimer = undefined;
    }
    if (at === undefined || polls.wakeTimer) return;
    const handle = this.clock.setTimer(() => {
      polls.wakeTimer = undefined;
      state.tick();
      this.wake(polls, state);
      this.schedule(polls, state);
    }, Math.max(0, at - this.clock.now()));
    polls.wakeTimer = { handle, at };
  }
}
