import { Controller, type ControllerObserver } from '../../../operator/runtime/controller.js';
import { defaultControllerRateLimiter } from '../../../operator/runtime/rate-limiter.js';
import { WorkQueue } from '../../../operator/runtime/work-queue.js';

const quiet: ControllerObserver = {
  reconciled: () => undefined,
  activeWorkers: () => undefined,
  failed: () => undefined,
};

describe('Controller.stop', () => {
  it('When stopping, then no new key is handed out and the reconcile in progress finishes', async () => {
    const queue = new WorkQueue(defaultControllerRateLimiter());
    const started: string[] = [];
    let finish!: () => void;
    const controller = new Controller(
      'test',
      queue,
      (key) => {
        started.push(key);
        return new Promise((resolve) => (finish = () => resolve({})));
      },
      quiet,
      1,
    );
    controller.start();
    queue.add('a');
    await new Promise((resolve) => setTimeout(resolve, 10));
    queue.add('b');
    const stopping = controller.stop(60_000);
    finish();
    expect(await stopping).toBe(true);
    expect(started).toEqual(['a']);
  });

  it('When a reconcile hangs past the deadline, then stop returns false at the deadline instead of waiting forever', async () => {
    const queue = new WorkQueue(defaultControllerRateLimiter());
    const controller = new Controller('test', queue, () => new Promise(() => undefined), quiet, 1);
    controller.start();
    queue.add('stuck');
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await controller.stop(50)).toBe(false);
  });
});

describe('Controller workers and the event loop', () => {
  it('When many queued reconciles need no I/O (an idle resync), then the event loop still turns between them', async () => {
    const queue = new WorkQueue(defaultControllerRateLimiter());
    const keys = Array.from({ length: 200 }, (_, i) => `ns/instance-${i}`);
    for (const key of keys) queue.add(key);
    // Turns of the event loop, counted by a chain of immediates (what timers and sockets, the
    // Lease renewal among them, need to be served); independent of how fast the machine is.
    let turns = 0;
    let counting = true;
    const count = (): void => {
      turns += 1;
      if (counting) setImmediate(count);
    };
    setImmediate(count);
    let turnsAtLastReconcile = 0;
    const controller = new Controller(
      'test',
      queue,
      () => {
        turnsAtLastReconcile = turns;
        return Promise.resolve({});
      },
      quiet,
      2,
    );
    controller.start();
    await new Promise((resolve) => setTimeout(resolve, 50));
    counting = false;
    await controller.stop(1000);
    // one chain of microtasks would have run all 200 before the first turn
    expect(turnsAtLastReconcile).toBeGreaterThan(50);
  });
});
