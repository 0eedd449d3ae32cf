/**
 * Time for the local server. Every deadline (visibility, delay, retention, deduplication,
 * purge cool-down, long polls, move tasks) reads `now()` and schedules through `setTimer`,
 * so tests can drive hours of queue time with a {@link ManualClock} and no sleeping.
 */
export interface Clock {
  now(): number;
  setTimer(callback: () => void, delayMs: number): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

export interface TimerHandle {
  readonly id: number;
}

export const systemClock: Clock = (() => {
  const timers = new Map<number, NodeJS.Timeout>();
  let next = 1;
  return {
    now: () => Date.now(),
    setTimer(callback, delayMs) {
      const id = next++;
      const t = setTimeout(() => {
        timers.delete(id);
        callback();
      }, Math.max(0, delayMs));
      t.unref?.();
      timers.set(id, t);
      return { id };
    },
    clearTimer(handle) {
      const t = timers.get(handle.id);
      if (t) {
        clearTimeout(t);
        timers.delete(handle.id);
      }
    },
  };
})();

interface PendingTimer {
  id: number;
  at: number;
  callback: () => void;
}

/** A clock that moves only when told to; timers fire in deadline order during {@link advance}. */
export class ManualClock implements Clock {
  private current: number;
  private timers: PendingTimer[] = [];
  private nextId = 1;

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimer(callback: () => void, delayMs: number): TimerHandle {
    const timer = { id: this.nextId++, at: this.current + Math.max(0, delayMs), callback };
    this.timers.push(timer);
    return { id: timer.id };
  }

  clearTimer(handle: TimerHandle): void {
    this.timers = this.timers.filter((t) => t.id !== handle.id);
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way, in order. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`ManualClock.advance needs a duration of 0 ms or more, not ${ms}: time does not go back.`);
    const target = this.current + ms;
    for (;;) {
      let due: PendingTimer | undefined;
      for (const t of this.timers) if (t.at <= target && (!due || t.at < due.at)) due = t;
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.current = Math.max(this.current, due.at);
      due.callback();
    }
    this.current = target;
  }

  get pendingTimers(): number {
    return this.timers.length;
  }
}
