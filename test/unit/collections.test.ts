import * as assert from 'node:assert/strict';
import { Deque, MinHeap } from '../../src/local/collections';
import { ManualClock } from '../../src/local/clock';

describe('Deque', () => {
  it('keeps first-in first-out order across compactions', () => {
    const d = new Deque<number>();
    const expected: number[] = [];
    let next = 0;
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 100; i++) {
        d.push(next);
        expected.push(next++);
      }
      for (let i = 0; i < 70; i++) assert.equal(d.shift(), expected.shift());
    }
    assert.equal(d.length, expected.length);
    assert.deepEqual([...d], expected);
    assert.equal(d.at(1), expected[1]);
  });

  it('answers undefined when empty', () => {
    const d = new Deque<string>();
    assert.equal(d.shift(), undefined);
    assert.equal(d.peek(), undefined);
    assert.equal(d.length, 0);
  });
});

describe('MinHeap', () => {
  it('pops in key order for random input', () => {
    const heap = new MinHeap<{ k: number }>((x) => x.k);
    const keys = Array.from({ length: 2000 }, (_, i) => (i * 7919) % 1009);
    for (const k of keys) heap.push({ k });
    const out: number[] = [];
    for (let x = heap.pop(); x; x = heap.pop()) out.push(x.k);
    assert.deepEqual(out, [...keys].sort((a, b) => a - b));
  });
});

describe('ManualClock', () => {
  it('fires timers in deadline order while advancing, and only those due', () => {
    const clock = new ManualClock(1000);
    const fired: string[] = [];
    clock.setTimer(() => fired.push(`b@${clock.now()}`), 200);
    clock.setTimer(() => fired.push(`a@${clock.now()}`), 100);
    const c = clock.setTimer(() => fired.push('c'), 150);
    clock.clearTimer(c);
    clock.setTimer(() => fired.push('late'), 5000);
    clock.advance(300);
    assert.deepEqual(fired, ['a@1100', 'b@1200']);
    assert.equal(clock.now(), 1300);
    assert.equal(clock.pendingTimers, 1);
  });

  it('refuses to move time back', () => {
    const clock = new ManualClock(1000);
    assert.throws(() => clock.advance(-1), RangeError);
    assert.equal(clock.now(), 1000);
  });

  it('fires a timer set by a timer within the same advance', () => {
    const clock = new ManualClock(0);
    const fired: number[] = [];
    clock.setTimer(() => {
      fired.push(clock.now());
      clock.setTimer(() => fired.push(clock.now()), 50);
    }, 50);
    clock.advance(100);
    assert.deepEqual(fired, [50, 100]);
  });
});
