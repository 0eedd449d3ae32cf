import { Emitter, type Disposable } from '../common/events';
import { OncePerKey } from '../model/activity';

/** A dead-letter queue whose visible count rose while an inspector watched it. */
export interface DlqFilling {
  readonly url: string;
  readonly name: string;
  /** The visible count before, and now. */
  readonly from: number;
  readonly to: number;
  /** When it was seen (ms since the epoch). */
  readonly at: number;
  /** The first time in this window for this queue: the one time a notification is shown. */
  readonly first: boolean;
}

/**
 * What every inspector knows of dead-letter queues filling, shared by all of them: the
 * latest rise of each DLQ (so that the inspectors of its source and of the DLQ say the same)
 * and one notification at most per DLQ for as long as the window lives.
 */
export class DlqWatch implements Disposable {
  private readonly latest = new Map<string, DlqFilling>();
  private readonly notified = new OncePerKey();
  private readonly filling = new Emitter<DlqFilling>();
  /** Fires for every rise seen; `first` says whether to notify. */
  readonly onFilling = this.filling.event;

  /** Reports a rise; a report of a count already reported (two inspectors saw it) changes nothing. */
  report(rise: Omit<DlqFilling, 'first'>): void {
    const known = this.latest.get(rise.url);
    if (known && known.from === rise.from && known.to === rise.to) return;
    const event: DlqFilling = { ...rise, first: this.notified.take(rise.url) };
    this.latest.set(rise.url, event);
    this.filling.fire(event);
  }

  /** The latest rise of a DLQ, if one was seen. */
  latestOf(url: string): DlqFilling | undefined {
    return this.latest.get(url);
  }

  dispose(): void {
    this.filling.dispose();
  }
}
