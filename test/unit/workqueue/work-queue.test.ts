// The work queue's guarantees, on a fake clock: dedupe, one worker per key, re-run after done,
// priorities, delayed adds with one timer, and draining shutdown.
import { describe, expect, it } from 'vitest';
import { Priority, WorkQueue } from '../../../src/workqueue/work-queue.ts';
import { FakeClock } from '../../support/fake-clock.ts';

function setup() {
  const clock = new FakeClock();
  return { clock, queue: new WorkQueue(clock) };
}

describe('WorkQueue', () => {
  it('queues a key added many times once', async () => {
    const { queue } = setup();
    queue.add('a');
    queue.add('a');
    queue.add('b');
    queue.add('a');
    expect(queue.length()).toBe(2);
    expect(await queue.get()).toBe('a');
    expect(await queue.get()).toBe('b');
    expect(queue.length()).toBe(0);
  });

  it('never hands a processing key to a second worker, and runs it once more after done', async () => {
    const { queue } = setup();
    queue.add('a');
    expect(await queue.get()).toBe('a');
    queue.add('a');
    queue.add('a');
    expect(queue.length()).toBe(0);
    let second: string | undefined;
    void queue.get().then((k) => (second = k));
    await Promise.resolve();
    expect(second).toBeUndefined();
    queue.done('a');
    await Promise.resolve();
    expect(second).toBe('a');
  });

  it('does not re-run a key that was not re-added while processing', async () => {
    const { queue } = setup();
    queue.add('a');
    await queue.get();
    queue.done('a');
    expect(queue.length()).toBe(0);
  });

  it.each([
    { adds: [['low', Priority.Low], ['high', Priority.High], ['normal', Priority.Normal]] as const, order: ['high', 'normal', 'low'] },
    { adds: [['a', Priority.Low], ['b', Priority.Low], ['a', Priority.High]] as const, order: ['a', 'b'] },
    { adds: [['a', Priority.High], ['a', Priority.Low]] as const, order: ['a'] },
  ])('orders by priority then FIFO: $order', async ({ adds, order }) => {
    const { queue } = setup();
    for (const [key, p] of adds) queue.add(key, p);
    const got: string[] = [];
    while (queue.length() > 0) got.push((await queue.get())!);
    expect(got).toEqual(order);
  });

  it('makes delayed keys ready when due, with the earliest time winning', async () => {
    const { clock, queue } = setup();
    queue.addAfter('a', 5_000);
    queue.addAfter('a', 2_000);
    queue.addAfter('a', 9_000);
    queue.addAfter('b', 3_000);
    await clock.advance(1_999);
    expect(queue.length()).toBe(0);
    await clock.advance(1);
    expect(queue.length()).toBe(1);
    expect(await queue.get()).toBe('a');
    await clock.advance(1_000);
    expect(await queue.get()).toBe('b');
    queue.done('a');
    queue.done('b');
    await clock.advance(10_000);
    expect(queue.length()).toBe(0);
    expect(queue.delayedLength()).toBe(0);
  });

  it('an immediate add supersedes a pending delayed add', async () => {
    const { clock, queue } = setup();
    queue.addAfter('a', 10_000, Priority.High);
    queue.add('a', Priority.Low);
    expect(queue.delayedLength()).toBe(0);
    expect(await queue.get()).toBe('a');
    queue.done('a');
    await clock.advance(20_000);
    expect(queue.length()).toBe(0);
  });

  it('a key delayed while processing runs after its delay, not at done', async () => {
    const { clock, queue } = setup();
    queue.add('a');
    await queue.get();
    queue.addAfter('a', 1_000);
    queue.done('a');
    expect(queue.length()).toBe(0);
    await clock.advance(1_000);
    expect(await queue.get()).toBe('a');
  });

  it('keeps one timer for many delayed keys', async () => {
    const { clock, queue } = setup();
    for (let i = 0; i < 1_000; i++) queue.addAfter(`k${i}`, 1_000 + i);
    expect(clock.pending()).toBeLessThanOrEqual(1);
    await clock.advance(2_000);
    expect(queue.length()).toBe(1_000);
  });

  it('remove() forgets a waiting key', () => {
    const { queue } = setup();
    queue.add('a');
    queue.addAfter('b', 100);
    queue.remove('a');
    queue.remove('b');
    expect(queue.length()).toBe(0);
    expect(queue.delayedLength()).toBe(0);
  });

  it('shutdown releases idle workers and waits for in-flight keys', async () => {
    const { queue } = setup();
    queue.add('a');
    const key = await queue.get();
    const idle = queue.get();
    const drained = queue.shutdown(5_000);
    expect(await idle).toBeUndefined();
    let finished = false;
    void drained.then(() => (finished = true));
    await Promise.resolve();
    expect(finished).toBe(false);
    queue.done(key!);
    expect(await drained).toBe(true);
    queue.add('b');
    expect(await queue.get()).toBeUndefined();
  });

  it('shutdown gives up after its timeout', async () => {
    const { clock, queue } = setup();
    queue.add('a');
    await queue.get();
    const drained = queue.shutdown(1_000);
    await clock.advance(1_000);
    expect(await drained).toBe(false);
  });
});
