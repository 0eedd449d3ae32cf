/**
 * Events and disposables for plain Node code (the model, the SQS layer, the services), in
 * the shape VS Code's own take, so that a view can hand one of these events to the VS Code
 * API as it is. A listener that throws is reported to the error sink and skipped: it never
 * reaches the code that fired the event, nor keeps the other listeners from hearing it.
 */

export interface Disposable {
  dispose(): void;
}

/** Subscribes a listener; disposing the result unsubscribes it. */
export type Event<T> = (listener: (e: T) => void) => Disposable;

/** Where a throwing listener's error goes. */
export type ErrorSink = (err: unknown) => void;

const consoleSink: ErrorSink = (err) => console.error('[sqs-workbench] an event listener threw:', err);
let defaultSink: ErrorSink = consoleSink;

/**
 * Sends the errors of listeners of emitters made without a sink of their own to `sink` (the
 * extension's log) until the result is disposed.
 */
export function setDefaultErrorSink(sink: ErrorSink): Disposable {
  defaultSink = sink;
  return {
    dispose: () => {
      if (defaultSink === sink) defaultSink = consoleSink;
    },
  };
}

export class Emitter<T> {
  private readonly listeners = new Set<(e: T) => void>();
  private disposed = false;

  /** `onListenerError` receives a throwing listener's error; the default sink when left out. */
  constructor(private readonly onListenerError?: ErrorSink) {}

  readonly event: Event<T> = (listener) => {
    if (this.disposed) return { dispose: () => undefined };
    // A wrapper per subscription: the same function subscribed twice is two subscriptions.
    const entry = (e: T): void => listener(e);
    this.listeners.add(entry);
    return { dispose: () => this.listeners.delete(entry) };
  };

  /** True while anyone listens: lets a source skip work nobody will hear of. */
  get hasListeners(): boolean {
    return this.listeners.size > 0;
  }

  fire(e: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(e);
      } catch (err) {
        (this.onListenerError ?? defaultSink)(err);
      }
    }
  }

  /** Drops every listener; later subscriptions are ignored. */
  dispose(): void {
    this.disposed = true;
    this.listeners.clear();
  }
}

/** Owns disposables and disposes them together, in the order they were added. */
export class DisposableStore implements Disposable {
  private readonly items: Disposable[] = [];
  private disposed = false;

  /** Adds a disposable (disposed at once when the store is disposed already) and returns it. */
  add<D extends Disposable>(item: D): D {
    if (this.disposed) item.dispose();
    else this.items.push(item);
    return item;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const errors: unknown[] = [];
    for (const item of this.items.splice(0)) {
      try {
        item.dispose();
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, 'Several disposables failed to dispose.');
  }
}
