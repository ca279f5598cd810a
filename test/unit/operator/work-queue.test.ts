import { setTimeout as sleep } from 'node:timers/promises';
import { Controller } from '../../../operator/runtime/controller.js';
import { ExponentialBackoff } from '../../../operator/runtime/rate-limiter.js';
import { WorkQueue } from '../../../operator/runtime/work-queue.js';

const quietObserver = {
  reconciled: () => undefined,
  activeWorkers: () => undefined,
  failed: () => undefined,
};

describe('WorkQueue', () => {
  it('When a key is added many times before it is taken, then it is handed out once', async () => {
    const queue = new WorkQueue(new ExponentialBackoff());
    for (let i = 0; i < 5; i += 1) queue.add('ns/a');
    queue.add('ns/b');
    expect(queue.length).toBe(2);
    expect(await queue.get()).toBe('ns/a');
    expect(await queue.get()).toBe('ns/b');
    expect(queue.length).toBe(0);
  });

  it('When a key is added while a worker holds it, then no second worker gets it until done, and it comes back after', async () => {
    const queue = new WorkQueue(new ExponentialBackoff());
    queue.add('ns/a');
    const key = await queue.get();
    queue.add('ns/a');
    expect(queue.length).toBe(0);
    queue.done(key!);
    expect(queue.length).toBe(1);
    expect(await queue.get()).toBe('ns/a');
  });

  it('When resync keys wait at low priority and a change arrives, then the changed key is handed out first', async () => {
    const queue = new WorkQueue(new ExponentialBackoff());
    for (const name of ['a', 'b', 'c']) queue.add(`ns/${name}`, 'low');
    queue.add('ns/new');
    expect(queue.length).toBe(4);
    expect(await queue.get()).toBe('ns/new');
    expect(await queue.get()).toBe('ns/a');
  });

  it('When a key waiting at low priority is added normally, then it moves ahead of the other resyncs, once', async () => {
    const queue = new WorkQueue(new ExponentialBackoff());
    for (const name of ['a', 'b', 'c']) queue.add(`ns/${name}`, 'low');
    queue.add('ns/c');
    queue.add('ns/c', 'low');
    expect(queue.length).toBe(3);
    expect(await queue.get()).toBe('ns/c');
    expect(await queue.get()).toBe('ns/a');
    queue.done('ns/a');
    expect(await queue.get()).toBe('ns/b');
    expect(queue.length).toBe(0);
  });

  it('When a resync wave waits and several workers ask, then one works on resyncs and the others are free for a change', async () => {
    const queue = new WorkQueue(new ExponentialBackoff());
    for (const name of ['a', 'b', 'c']) queue.add(`ns/${name}`, 'low');
    const taken: string[] = [];
    const workers = [queue.get(), queue.get(), queue.get()].map((next) =>
      next.then((key) => {
        taken.push(key!);
        return key!;
      }),
    );
    await sleep(5);
    expect(taken).toEqual(['ns/a']);
    queue.add('ns/new');
    await sleep(5);
    expect(taken).toEqual(['ns/a', 'ns/new']);
    queue.done('ns/a');
    await sleep(5);
    expect(taken).toEqual(['ns/a', 'ns/new', 'ns/b']);
    await Promise.all(workers);
    expect(queue.length).toBe(1);
  });

  it('When a key being worked on is added at low priority and then normally, then it comes back at normal priority', async () => {
    const queue = new WorkQueue(new ExponentialBackoff());
    queue.add('ns/a');
    const key = await queue.get();
    queue.add('ns/b', 'low');
    queue.add('ns/a', 'low');
    queue.add('ns/a');
    queue.done(key!);
    expect(await queue.get()).toBe('ns/a');
    expect(await queue.get()).toBe('ns/b');
  });

  it('When a key is added after a delay twice, then the earlier time wins and it arrives once', async () => {
    const queue = new WorkQueue(new ExponentialBackoff());
    queue.addAfter('ns/a', 200);
    queue.addAfter('ns/a', 20);
    expect(queue.length).toBe(0);
    expect(await queue.get()).toBe('ns/a');
    await sleep(250);
    expect(queue.length).toBe(0);
  });

  it('When shut down, then waiting workers get undefined', async () => {
    const queue = new WorkQueue(new ExponentialBackoff());
    const waiting = queue.get();
    queue.shutDown();
    expect(await waiting).toBeUndefined();
  });
});

describe('Controller', () => {
  it('When one key is added repeatedly while it reconciles, then reconciles of that key never overlap', async () => {
    const queue = new WorkQueue(new ExponentialBackoff());
    let concurrent = 0;
    let maxConcurrent = 0;
    let calls = 0;
    const controller = new Controller(
      'test',
      queue,
      async () => {
        calls += 1;
        concurrent += 1;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
        await sleep(20);
        concurrent -= 1;
        return {};
      },
      quietObserver,
      4,
    );
    controller.start();
    for (let i = 0; i < 10; i += 1) {
      queue.add('ns/a');
      await sleep(5);
    }
    while (queue.length > 0 || queue.inFlight > 0) await sleep(10);
    await controller.stop();
    expect(maxConcurrent).toBe(1);
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(calls).toBeLessThan(10);
  });

  it('When a reconcile fails, then the key is retried with backoff until it succeeds, and its backoff is forgotten', async () => {
    const queue = new WorkQueue(new ExponentialBackoff(5, 1000));
    let attempts = 0;
    const failures: number[] = [];
    const controller = new Controller(
      'test',
      queue,
      () => {
        attempts += 1;
        if (attempts < 4) return Promise.reject(new Error(`attempt ${attempts}`));
        return Promise.resolve({});
      },
      { ...quietObserver, failed: (_key, _error, retries) => failures.push(retries) },
      1,
    );
    controller.start();
    queue.add('ns/a');
    while (attempts < 4 || queue.inFlight > 0) await sleep(5);
    await controller.stop();
    expect(attempts).toBe(4);
    expect(failures).toEqual([0, 1, 2]);
    expect(queue.retries('ns/a')).toBe(0);
  });
});
