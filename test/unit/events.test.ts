import * as assert from 'node:assert/strict';
import { DisposableStore, Emitter, setDefaultErrorSink } from '../../src/common/events';
import { DuplicateIndex } from '../../src/model/duplicates';
import { LifecycleStore, type NewLifecycleEvent } from '../../src/model/lifecycle';

/** The inspector's hold receiving message m, reported with `receiveCount`. */
const received = (receiveCount: number): NewLifecycleEvent => ({ queueUrl: 'q', at: 1, messageId: 'm', kind: 'received', details: { receiveCount, mode: 'hold', deadline: 30_001 } });

describe('events', () => {
  it('a listener that throws is reported to the sink; the emitter and the other listeners go on', () => {
    const errors: unknown[] = [];
    const emitter = new Emitter<number>((err) => errors.push(err));
    const heard: number[] = [];
    emitter.event(() => {
      throw new Error('listener broke');
    });
    emitter.event((n) => heard.push(n));
    emitter.fire(1);
    emitter.fire(2);
    assert.deepEqual(heard, [1, 2]);
    assert.deepEqual(
      errors.map((e) => (e as Error).message),
      ['listener broke', 'listener broke'],
    );
  });

  it('unsubscribes one subscription, and nothing after the emitter is disposed', () => {
    const emitter = new Emitter<string>();
    const heard: string[] = [];
    const listener = (s: string): void => void heard.push(s);
    const first = emitter.event(listener);
    emitter.event(listener);
    emitter.fire('a');
    first.dispose();
    emitter.fire('b');
    emitter.dispose();
    emitter.event(listener);
    emitter.fire('c');
    assert.deepEqual(heard, ['a', 'a', 'b']);
    assert.equal(emitter.hasListeners, false);
  });

  it('emitters without a sink report to the default sink the extension sets', () => {
    const errors: unknown[] = [];
    const sink = setDefaultErrorSink((err) => errors.push(err));
    try {
      const emitter = new Emitter<void>();
      emitter.event(() => {
        throw new Error('to the log');
      });
      emitter.fire();
    } finally {
      sink.dispose();
    }
    assert.equal((errors[0] as Error).message, 'to the log');
  });

  it('a throwing listener of the lifecycle record does not fail the recording, nor starve the duplicate index', () => {
    const errors: unknown[] = [];
    const sink = setDefaultErrorSink((err) => errors.push(err));
    try {
      const lifecycle = new LifecycleStore(100);
      const duplicates = new DuplicateIndex(100);
      lifecycle.onDidChange(() => {
        throw new Error('a view failed');
      });
      lifecycle.onDidChange((change) => duplicates.observe(change.added));
      assert.doesNotThrow(() =>
        lifecycle.record([
          // Received a second and a third time by the inspector: a consumer had it first.
          received(2),
          received(3),
        ]),
      );
      assert.equal(duplicates.flagsOf('m').redelivered, 3);
      assert.equal(errors.length, 1);
    } finally {
      sink.dispose();
    }
  });

  it('a throwing listener of the duplicate index does not surface in what observed the events', () => {
    const sink = setDefaultErrorSink(() => undefined);
    try {
      const duplicates = new DuplicateIndex(100);
      duplicates.onDidChange(() => {
        throw new Error('a badge failed');
      });
      assert.doesNotThrow(() =>
        duplicates.observe([
          { ...received(3), seq: 1 },
        ]),
      );
    } finally {
      sink.dispose();
    }
  });

  it('a disposable store disposes everything in order, even past one that throws, and at once when added late', () => {
    const store = new DisposableStore();
    const order: string[] = [];
    store.add({ dispose: () => order.push('a') });
    store.add({
      dispose: () => {
        throw new Error('b broke');
      },
    });
    store.add({ dispose: () => order.push('c') });
    assert.throws(() => store.dispose(), /b broke/);
    store.add({ dispose: () => order.push('late') });
    store.dispose();
    assert.deepEqual(order, ['a', 'c', 'late']);
  });
});
